"""The ReplicaSet and ReplicationController controllers (kube-controller-manager's
replicaset-controller and replication-controller): keep `spec.replicas` active pods.

Pods get the owner's name plus a random 5-character suffix and a controller reference; a
surplus is deleted in the controller's order (unscheduled, pending, not ready, doubled up on a
node, ready for less time, restarted more, newer first); status counts replicas, fully labeled,
ready and available (minReadySeconds) pods. Orphan pods the selector matches are adopted."""
from __future__ import annotations

import copy

from pykubectl.controllers import workload_common as W
from pykubectl.controllers.manager import Controller, Create, Delete, Event, Put, Timer, split_key
from pykubectl.store.clock import parse_time

# kube's burstReplicas: at most this many creations or deletions per sync
BURST_REPLICAS = 500
_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def selector_of(obj: dict):
    """The owner's selector as a matcher: a LabelSelector (ReplicaSet) or a map (RC)."""
    from pykubectl.api.selectors import from_label_selector
    sel = (obj.get("spec") or {}).get("selector") or {}
    if obj.get("kind") == "ReplicationController":
        sel = {"matchLabels": sel or ((obj["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}}
    return from_label_selector(sel)


def deletion_order(pods: list[dict], related: list[dict]) -> list[dict]:
    """Pods in the order the controller deletes them (controller.ActivePodsWithRanks)."""
    on_node: dict[str, int] = {}
    for p in related:
        n = (p.get("spec") or {}).get("nodeName")
        if n and W.is_active(p):
            on_node[n] = on_node.get(n, 0) + 1

    def key(p):
        spec, st = p.get("spec") or {}, p.get("status") or {}
        node = spec.get("nodeName") or ""
        cost = int(((p["metadata"].get("annotations") or {}).get("controller.kubernetes.io/pod-deletion-cost")) or 0)
        since = W.ready_since(p)
        restarts = sum(int(c.get("restartCount") or 0) for c in st.get("containerStatuses") or ())
        created = parse_time(p["metadata"].get("creationTimestamp")) or 0.0
        return (1 if node else 0, _PHASE_RANK.get(st.get("phase"), 0), 1 if W.is_ready(p) else 0, cost,
                -on_node.get(node, 0) if node else 0, -(since or 0.0), -restarts, -created)
    return sorted(pods, key=key)


class ReplicaSetController(Controller):
    name = "replicaset-controller"
    resource = "replicasets.apps"
    owner_kinds = (("apps", "ReplicaSet"),)
    watches = (("apps", "replicasets"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "pods":
            return W.owner_key(obj, self.owner_kinds)
        return super().keys_for(type_, group, res, obj)

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        rs = view.get(self.resource, ns, name)
        if rs is None or rs["metadata"].get("deletionTimestamp"):
            return []
        spec = rs.get("spec") or {}
        sel = selector_of(rs)
        actions: list = []
        pods = W.owned(view, "pods", rs)
        for p in self._orphans(view, rs, sel):
            p = copy.deepcopy(p)
            p["metadata"].setdefault("ownerReferences", []).append(W.new_controller_ref(rs))
            actions.append(Put("pods", p))
            pods.append(p)
        active = [p for p in pods if W.is_active(p)]
        want = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
        diff = len(active) - want
        src = {"component": self.name}
        if diff < 0:
            for i in range(min(-diff, BURST_REPLICAS)):
                pname = W.random_name(view, f"{name}-", f"{self.name}:{ns}/{name}:{len(pods)}:{i}")
                pod = W.pod_from_template(spec.get("template") or {}, rs, pname)
                actions += [Create("pods", pod), Event(rs, "Normal", "SuccessfulCreate", f"Created pod: {pname}", src)]
        elif diff > 0:
            related = view.list("pods", ns)
            for p in deletion_order(active, related)[:min(diff, BURST_REPLICAS)]:
                actions += [Delete("pods", ns, p["metadata"]["name"], uid=p["metadata"].get("uid")),
                            Event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}", src)]
        min_ready = int(spec.get("minReadySeconds") or 0)
        actions += self._status(rs, active, sel, min_ready, now)
        wake = W.available_at(active, min_ready, now)
        if wake is not None:
            actions.append(Timer(key, wake))
        return actions

    def _orphans(self, view, rs, sel):
        ml = ((rs.get("spec") or {}).get("selector") or {})
        if rs.get("kind") == "ReplicaSet":
            ml = ml.get("matchLabels") or {}
        if not ml:
            return []
        # the store indexes controller references: pods a controller owns are not read at all
        return [p for p in view.list("pods", rs["metadata"].get("namespace"), labels_eq=ml, without="controller")
                if W.controller_ref(p) is None and W.is_active(p) and sel.matches(p["metadata"].get("labels") or {})]

    def _status(self, rs, active, sel, min_ready, now):
        tlabels = (((rs.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
        st = {"replicas": len(active),
              "fullyLabeledReplicas": sum(1 for p in active
                                          if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in tlabels.items())),
              "readyReplicas": sum(1 for p in active if W.is_ready(p)),
              "availableReplicas": sum(1 for p in active if W.is_available(p, min_ready, now)),
              "observedGeneration": rs["metadata"].get("generation", 1)}
        old = rs.get("status") or {}
        new = {k: v for k, v in st.items() if v or k == "replicas"}
        if old.get("conditions"):
            new["conditions"] = old["conditions"]
        if new == old:
            return []
        rs = copy.deepcopy(rs)
        rs["status"] = new
        return [Put(self.resource, rs, status=True)]


class ReplicationManager(ReplicaSetController):
    name = "replication-controller"
    resource = "replicationcontrollers"
    owner_kinds = (("", "ReplicationController"),)
    watches = (("", "replicationcontrollers"), ("", "pods"))


def controllers(cluster):
    return [ReplicaSetController(), ReplicationManager()]
