"""The DaemonSet controller (kube-controller-manager's daemonset-controller), after
pkg/controller/daemon: one pod per eligible node (its nodeSelector, required node affinity and
taints, with the tolerations every daemon pod gets), pinned to its node by a `matchFields`
node affinity for the scheduler to bind; surplus and misplaced pods deleted; a
ControllerRevision per template (`controller-revision-hash`), RollingUpdate within
maxUnavailable, or with maxSurge a new pod beside the old one on each node until it is available;
status as `kubectl get ds` shows it.

The lab's calico-node and kube-proxy come with their ControllerRevision: it is found by
comparing templates, so their pods stay as they are."""
from __future__ import annotations

import copy

from pykubectl.controllers import workload_common as W
from pykubectl.controllers.manager import (Controller, Create, Delete, Event, Informer, Put, Timer, make_key,
                                           split_key)

HASH = "controller-revision-hash"
SRC = {"component": "daemonset-controller"}

# util.AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates
AUTO_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
NETWORK_TOLERATION = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}


def _norm(template: dict) -> dict:
    t = copy.deepcopy(template or {})
    t.pop("$patch", None)
    md = t.get("metadata")
    if isinstance(md, dict):
        md.pop("creationTimestamp", None)
    return t


def daemon_tolerations(spec: dict) -> list[dict]:
    tols = list(spec.get("tolerations") or [])
    extra = AUTO_TOLERATIONS + ([NETWORK_TOLERATION] if spec.get("hostNetwork") else [])
    for t in extra:
        if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"] for x in tols):
            tols.append(dict(t))
    return tols


def should_run(template_spec: dict, node: dict, tols: list[dict] | None = None) -> bool:
    """Predicates the daemon controller checks: node selector, required node affinity, taints.
    `tols`: daemon_tolerations(template_spec), when the caller checks many nodes."""
    from pykubectl.api.selectors import node_selector_matches
    from pykubectl.controllers.scheduler import tolerates
    labels = (node.get("metadata") or {}).get("labels") or {}
    if any(labels.get(k) != v for k, v in (template_spec.get("nodeSelector") or {}).items()):
        return False
    req = (((template_spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if req and not node_selector_matches(req, node):
        return False
    taints = (node.get("spec") or {}).get("taints")
    if not taints:
        return True
    if tols is None:
        tols = daemon_tolerations(template_spec)
    for taint in taints:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(tols, taint):
            return False
    return True


def pin_to_node(spec: dict, node_name: str) -> None:
    """util.ReplaceDaemonSetPodNodeNameNodeAffinity."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
    aff = spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})
    aff["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [term]}


def _pod_node(pod) -> str | None:
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in req.get("nodeSelectorTerms") or ():
        for f in term.get("matchFields") or ():
            if f.get("key") == "metadata.name" and f.get("values"):
                return f["values"][0]
    return None


def _daemon_uid(pod) -> str | None:
    """The uid of the pod's controller when that is a DaemonSet."""
    ref = W.controller_ref(pod)
    return ref.get("uid") if ref is not None and ref.get("kind") == "DaemonSet" else None


def _age_order(pod) -> tuple:
    """podByCreationTimestampAndPhase: oldest first."""
    return (pod["metadata"].get("creationTimestamp") or "", pod["metadata"]["name"])


def surge_allowed(spec: dict) -> bool:
    """util.AllowsSurge: RollingUpdate with a non-zero maxSurge."""
    st = spec.get("updateStrategy") or {}
    surge = (st.get("rollingUpdate") or {}).get("maxSurge")
    return st.get("type", "RollingUpdate") == "RollingUpdate" and surge not in (None, 0, "0", "0%")


def _extra_pods(live: list[dict], h: str, surge: bool) -> list[dict]:
    """More than one pod on a node: keep the oldest (with surge, the oldest new and the oldest
    old one), delete the rest."""
    if not surge:
        live = sorted(live, key=lambda p: (0 if W.is_ready(p) else 1, p["metadata"].get("creationTimestamp") or ""))
        return live[1:]
    keep_new = keep_old = None
    extra = []
    for p in sorted(live, key=_age_order):
        if (p["metadata"].get("labels") or {}).get(HASH) == h and keep_new is None:
            keep_new = p
        elif (p["metadata"].get("labels") or {}).get(HASH) != h and keep_old is None:
            keep_old = p
        else:
            extra.append(p)
    return extra


def _surge_step(by_node, nodes, tspec, h, min_ready, now, max_surge: int, desired: int):
    """rollingUpdate with maxSurge (pkg/controller/daemon/update.go): a new pod starts beside the
    old one, on at most maxSurge nodes at a time (at once where the old pod is unavailable), and
    the old pod goes when the new one is available."""
    delete, allowed, candidates, should_not_run = [], [], [], []
    surging = available = 0
    for name, pods in by_node.items():
        live = [p for p in pods if not W.is_terminating(p)]
        new = [p for p in live if (p["metadata"].get("labels") or {}).get(HASH) == h]
        old = [p for p in live if (p["metadata"].get("labels") or {}).get(HASH) != h]
        if len(new) > 1 or len(old) > 1:
            surging += 1      # the manage loop cleans this node up first
            continue
        new_pod, old_pod = (new or [None])[0], (old or [None])[0]
        shown = old_pod or new_pod
        if shown is not None and W.is_available(shown, min_ready, now):
            available += 1
        node = nodes.get(name)
        runs = node is not None and should_run(tspec, node)
        if old_pod is None:
            continue
        if new_pod is None:
            if not W.is_available(old_pod, min_ready, now):
                if not runs:
                    delete.append(old_pod)
                else:
                    allowed.append(name)
            elif not runs:
                should_not_run.append(old_pod)
            else:
                candidates.append(name)
        elif not W.is_available(new_pod, min_ready, now):
            surging += 1
        else:
            delete.append(old_pod)
    # a pod on a node it no longer fits goes only once the pods elsewhere are available
    deletable = min(available - desired, len(should_not_run))
    if deletable > 0:
        delete += should_not_run[:deletable]
    remaining = min(max(max_surge - surging, 0), len(candidates))
    return delete, allowed + candidates[:remaining]


class DaemonSetController(Controller):
    name = "daemonset-controller"
    watches = (("apps", "daemonsets"), ("", "pods"), ("", "nodes"))

    def __init__(self):
        # every node, and every daemon pod by its DaemonSet's uid, kept across steps: a sync looks
        # at every node and all the DaemonSet's pods, on every node added and every pod change
        self._nodes = Informer("", "nodes")
        self._pods = Informer("", "pods", index=_daemon_uid, indexed_only=True)

    def observe(self, changes):
        self._nodes.feed(changes)
        self._pods.feed(changes)

    def keys_for(self, type_, group, res, obj):
        if res == "pods":
            return W.owner_key(obj, (("apps", "DaemonSet"),))
        if res == "nodes":
            # a node came, went or changed labels/taints: every DaemonSet looks again
            return ["*nodes*"]
        return super().keys_for(type_, group, res, obj)

    def reconcile(self, key, view, now):
        if key == "*nodes*":
            out = []
            for ds in view.list("daemonsets.apps"):
                out += self.sync(make_key("apps", "daemonsets", ds["metadata"]["namespace"], ds["metadata"]["name"]),
                                 ds, view, now)
            return out
        _, _, ns, name = split_key(key)
        ds = view.get("daemonsets.apps", ns, name)
        if ds is None:
            return []
        return self.sync(key, ds, view, now)

    def _revision(self, ds, view):
        revs = W.owned(view, "controllerrevisions.apps", ds)
        want = _norm(ds["spec"].get("template") or {})
        for r in revs:
            if _norm(((r.get("data") or {}).get("spec") or {}).get("template") or {}) == want:
                return (r["metadata"].get("labels") or {}).get(HASH) or r["metadata"]["name"].rsplit("-", 1)[-1], []
        tmpl = copy.deepcopy(ds["spec"].get("template") or {})
        tmpl["$patch"] = "replace"
        data = {"spec": {"template": tmpl}}
        h = W.compute_hash(_norm(ds["spec"].get("template") or {}), (ds.get("status") or {}).get("collisionCount"))
        labels = {**((((ds["spec"].get("template") or {}).get("metadata") or {}).get("labels")) or {}), HASH: h}
        rev = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
               "metadata": {"name": f"{ds['metadata']['name']}-{h}", "namespace": ds["metadata"]["namespace"],
                            "labels": labels, "ownerReferences": [W.new_controller_ref(ds)]},
               "data": data, "revision": max((int(r.get("revision") or 0) for r in revs), default=0) + 1}
        return h, [Create("controllerrevisions.apps", rev)]

    def sync(self, key, ds, view, now):
        if ds["metadata"].get("deletionTimestamp"):
            return []
        h, actions = self._revision(ds, view)
        spec = ds["spec"]
        tspec = (spec.get("template") or {}).get("spec") or {}
        ns, name = ds["metadata"]["namespace"], ds["metadata"]["name"]
        by_node: dict[str, list] = {}
        # the kept objects are shared: nothing below changes them (W.owned's filter, by uid)
        owned = [p for p in self._pods.list(view, by=ds["metadata"].get("uid"))
                 if (p["metadata"].get("namespace") or "") == ns and W.is_controlled_by(p, ds)]
        for p in sorted(owned, key=_age_order):
            by_node.setdefault(_pod_node(p) or "", []).append(p)
        nodes = self._nodes.list(view)
        tols = daemon_tolerations(tspec)
        min_ready = int(spec.get("minReadySeconds") or 0)
        to_delete, to_create = [], []
        for node in nodes:
            n = node["metadata"]["name"]
            pods = [p for p in by_node.get(n, []) if not W.is_terminating(p)]
            if should_run(tspec, node, tols):
                failed = [p for p in pods if (p.get("status") or {}).get("phase") == "Failed"]
                live = [p for p in pods if p not in failed]
                to_delete += failed
                if not live and not any(W.is_terminating(p) for p in by_node.get(n, [])):
                    to_create.append(n)
                elif len(live) > 1:
                    to_delete += _extra_pods(live, h, surge_allowed(spec))
            else:
                to_delete += pods
        known = {n["metadata"]["name"] for n in nodes}
        to_delete += [p for n, ps in by_node.items() if n not in known for p in ps if not W.is_terminating(p)]
        if not to_create and not to_delete:
            to_delete, to_create = self._rolling(ds, by_node, nodes, tspec, h, min_ready, now)
        for n in to_create:
            pname = W.random_name(view, f"{name}-", f"{self.name}:{ns}/{name}:{n}")
            pod = W.pod_from_template(spec.get("template") or {}, ds, pname,
                                      labels={HASH: h, "pod-template-generation": str(ds["metadata"].get("generation", 1))})
            pin_to_node(pod["spec"], n)
            pod["spec"]["tolerations"] = daemon_tolerations(pod["spec"])
            actions += [Create("pods", pod), Event(ds, "Normal", "SuccessfulCreate", f"Created pod: {pname}", SRC)]
        for p in to_delete:
            actions += [Delete("pods", ns, p["metadata"]["name"], uid=p["metadata"].get("uid")),
                        Event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}", SRC)]
        actions += self._status(key, ds, by_node, nodes, tspec, h, min_ready, now)
        return actions

    def _rolling(self, ds, by_node, nodes, tspec, h, min_ready, now):
        """One step of RollingUpdate: (old pods to delete, nodes to get a new pod)."""
        strategy = ds["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return [], []
        eligible = [n["metadata"]["name"] for n in nodes if should_run(tspec, n)]
        ru = strategy.get("rollingUpdate") or {}
        max_surge = W.int_or_percent(ru.get("maxSurge", 0), len(eligible), True)
        if max_surge > 0:
            return _surge_step(by_node, {n["metadata"]["name"]: n for n in nodes}, tspec, h, min_ready, now, max_surge,
                               len(eligible))
        max_unavailable = W.int_or_percent(ru.get("maxUnavailable", 1), len(eligible), True) or 1
        unavailable = 0
        old = []
        for n in eligible:
            pods = by_node.get(n, [])
            live = [p for p in pods if not W.is_terminating(p)]
            if not live or not W.is_available(live[0], min_ready, now):
                unavailable += 1
            for p in live:
                if (p["metadata"].get("labels") or {}).get(HASH) != h:
                    old.append(p)
        budget = max(max_unavailable - unavailable, 0)
        # unavailable old pods go first: replacing them costs no availability
        old.sort(key=lambda p: 1 if W.is_available(p, min_ready, now) else 0)
        out = [p for p in old if not W.is_available(p, min_ready, now)]
        return out + [p for p in old if W.is_available(p, min_ready, now)][:budget], []

    def _status(self, key, ds, by_node, nodes, tspec, h, min_ready, now):
        desired = current = mis = ready = available = updated = 0
        for node in nodes:
            n = node["metadata"]["name"]
            live = [p for p in by_node.get(n, []) if not W.is_terminating(p)]
            if should_run(tspec, node):
                desired += 1
                if live:
                    current += 1
                    p = live[0]
                    if W.is_ready(p):
                        ready += 1
                        if W.is_available(p, min_ready, now):
                            available += 1
                    if (p["metadata"].get("labels") or {}).get(HASH) == h:
                        updated += 1
            elif live:
                mis += 1
        st = {"currentNumberScheduled": current, "desiredNumberScheduled": desired, "numberAvailable": available,
              "numberMisscheduled": mis, "numberReady": ready,
              "observedGeneration": ds["metadata"].get("generation", 1), "updatedNumberScheduled": updated}
        if desired - available > 0:
            st["numberUnavailable"] = desired - available
        if not available:
            st.pop("numberAvailable")
        if not updated:
            st.pop("updatedNumberScheduled")
        old = ds.get("status") or {}
        if old.get("collisionCount") is not None:
            st["collisionCount"] = old["collisionCount"]
        out = []
        wake = W.available_at([p for ps in by_node.values() for p in ps], min_ready, now)
        if wake is not None:
            out.append(Timer(key, wake))
        if st != old:
            ds = copy.deepcopy(ds)
            ds["status"] = st
            out.append(Put("daemonsets.apps", ds, status=True))
        return out


def controllers(cluster):
    return [DaemonSetController()]
