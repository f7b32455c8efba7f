"""The disruption controller (kube-controller-manager's pkg/controller/disruption) and the
eviction subresource's budget check (pkg/registry/core/pod/storage/eviction.go), v1.32.

The controller keeps each PodDisruptionBudget's status: the pods its selector matches, how many of
them are healthy (Ready, not being deleted, not just evicted), how many must stay healthy
(minAvailable as an int, or a percentage / maxUnavailable scaled against the pods' controllers'
replicas), and `disruptionsAllowed`, with the DisruptionAllowed condition (SufficientPods /
InsufficientPods, or SyncFailed when a pod's controller has no scale).

Eviction reads only that status, as the apiserver does: a pod no budget matches, or one that is
not Running, goes at once; otherwise its one budget must allow a disruption, which the eviction
spends (disruptionsAllowed - 1, the pod recorded in disruptedPods until the controller sees it
go), or the answer is 429 "Cannot evict pod as it would violate the pod's disruption budget."."""
from __future__ import annotations

import copy
import json

from pykubectl.api import errors
from pykubectl.controllers import workload_common as W
from pykubectl.controllers.manager import Controller, Event, Put, Timer, make_key, split_key
from pykubectl.store.clock import parse_time, rfc3339

SRC = {"component": "controllermanager"}
# a pod recorded in disruptedPods counts as gone this long; then the record is dropped
DELETION_TIMEOUT = 120.0
MAX_DISRUPTED_PODS = 2000
VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget."
PDB = "poddisruptionbudgets.policy"
# pod keys carry the pod's labels (after this marker), so a pod wakes only the budgets it matches
_BY_LABELS = "?labels="


# -- the budget's arithmetic ------------------------------------------------------------

def _scaled(value, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent rounding up, as the controller calls it."""
    return W.int_or_percent(value, total, round_up=True)


class NoScale(Exception):
    """getExpectedScale's error: the budget cannot be computed (failSafe)."""


def expected_scale(pods: list[dict], scale_of) -> tuple[int, list[str]]:
    """(sum of the replicas of the pods' controllers, unmanaged pod names); `scale_of(pod, ref)`
    gives (controller uid, replicas) or raises NoScale."""
    scales: dict[str, int] = {}
    unmanaged = []
    for p in pods:
        ref = W.controller_ref(p)
        if ref is None:
            unmanaged.append(p["metadata"]["name"])
            continue
        if ref.get("uid") in scales:
            continue
        uid, n = scale_of(p, ref)
        scales[uid] = n
    return sum(scales.values()), unmanaged


def expected_and_desired(spec: dict, pods: list[dict], scale_of) -> tuple[int, int, list[str]]:
    """getExpectedPodCount: (expectedPods, desiredHealthy, unmanaged pods)."""
    if spec.get("maxUnavailable") is not None:
        expected, unmanaged = expected_scale(pods, scale_of)
        return expected, max(expected - _scaled(spec["maxUnavailable"], expected), 0), unmanaged
    min_a = spec.get("minAvailable")
    if isinstance(min_a, int):
        return len(pods), min_a, []
    if min_a is not None:
        expected, unmanaged = expected_scale(pods, scale_of)
        return expected, _scaled(min_a, expected), unmanaged
    return 0, 0, []


def disrupted_pods(pdb: dict, pods: list[dict], now: float) -> tuple[dict, float | None, list[dict]]:
    """buildDisruptedPodMap: (the entries still pending, when to look again, pods that outlived
    their entry)."""
    recorded = (pdb.get("status") or {}).get("disruptedPods") or {}
    keep, recheck, stale = {}, None, []
    for p in pods:
        name = p["metadata"]["name"]
        if W.is_terminating(p) or name not in recorded:
            continue
        due = (parse_time(recorded[name]) or 0.0) + DELETION_TIMEOUT
        if due < now:
            stale.append(p)
        else:
            keep[name] = recorded[name]
            recheck = due if recheck is None else min(recheck, due)
    return keep, recheck, stale


def current_healthy(pods: list[dict], disrupted: dict, now: float) -> int:
    """countHealthyPods: Ready, not being deleted, not recorded as just evicted."""
    n = 0
    for p in pods:
        if W.is_terminating(p):
            continue
        at = disrupted.get(p["metadata"]["name"])
        if at is not None and (parse_time(at) or 0.0) + DELETION_TIMEOUT > now:
            continue
        n += W.is_ready(p)
    return n


def set_condition(conditions: list[dict], type_: str, status: str, reason: str, message: str,
                  generation, now: float) -> list[dict]:
    """apimeta.SetStatusCondition: lastTransitionTime moves only when status does."""
    out = [dict(c) for c in conditions or ()]
    cur = next((c for c in out if c.get("type") == type_), None)
    if cur is None:
        cur = {"type": type_, "lastTransitionTime": rfc3339(now)}
        out.append(cur)
    elif cur.get("status") != status:
        cur["lastTransitionTime"] = rfc3339(now)
    cur.update(status=status, reason=reason, message=message)
    if generation:
        cur["observedGeneration"] = generation
    else:
        cur.pop("observedGeneration", None)
    return out


def allowed_condition(status: dict, now: float) -> list[dict]:
    """pdbhelper.UpdateDisruptionAllowedCondition."""
    ok = status.get("disruptionsAllowed", 0) > 0
    return set_condition(status.get("conditions"), "DisruptionAllowed", "True" if ok else "False",
                         "SufficientPods" if ok else "InsufficientPods", "",
                         status.get("observedGeneration"), now)


def budget_status(pdb: dict, pods: list[dict], scale_of, now: float):
    """The status the controller writes: (status, events [(type, reason, message)], recheck at)."""
    spec = pdb.get("spec") or {}
    old = pdb.get("status") or {}
    events = []
    if not pods:
        events.append(("Normal", "NoPods", "No matching pods found"))
    try:
        expected, desired, unmanaged = expected_and_desired(spec, pods, scale_of)
    except NoScale as e:
        events.append(("Warning", "CalculateExpectedPodCountFailed",
                       f"Failed to calculate the number of expected pods: {e}"))
        st = copy.deepcopy(old)
        st["disruptionsAllowed"] = 0
        st["conditions"] = set_condition(st.get("conditions"), "DisruptionAllowed", "False", "SyncFailed",
                                         str(e), st.get("observedGeneration"), now)
        for k in ("currentHealthy", "desiredHealthy", "expectedPods"):
            st.setdefault(k, 0)
        return st, events, None
    if unmanaged:
        events.append(("Warning", "UnmanagedPods",
                       f"Pods selected by this PodDisruptionBudget (selector: {_go_selector(spec.get('selector'))}) "
                       "were found to be unmanaged. As a result, the status of the PDB cannot be calculated "
                       "correctly, which may result in undefined behavior. To account for these pods please set "
                       "\".spec.minAvailable\" field of the PDB to an integer value."))
    disrupted, recheck, _ = disrupted_pods(pdb, pods, now)
    healthy = current_healthy(pods, disrupted, now)
    allowed = healthy - desired
    if expected <= 0 or allowed <= 0:
        allowed = 0
    st = {"observedGeneration": pdb["metadata"].get("generation", 1), "disruptionsAllowed": allowed,
          "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected,
          "conditions": old.get("conditions") or []}
    if disrupted:
        st["disruptedPods"] = disrupted
    st["conditions"] = allowed_condition(st, now)
    return st, events, recheck


def _go_selector(sel) -> str:
    """How Go's `%v` prints a *metav1.LabelSelector (the UnmanagedPods event)."""
    sel = sel or {}
    labels = "".join(f"{k}: {v}," for k, v in sorted((sel.get("matchLabels") or {}).items()))
    exprs = "".join("LabelSelectorRequirement{Key:%s,Operator:%s,Values:[%s],},"
                    % (e.get("key"), e.get("operator"), " ".join(e.get("values") or ()))
                    for e in sel.get("matchExpressions") or ())
    return ("&LabelSelector{MatchLabels:map[string]string{%s},"
            "MatchExpressions:[]LabelSelectorRequirement{%s},}" % (labels, exprs))


# -- the controller ---------------------------------------------------------------------

def _selects(pdb: dict, labels: dict) -> bool:
    from pykubectl.api.selectors import SelectorError, from_label_selector
    try:
        return from_label_selector((pdb.get("spec") or {}).get("selector")).matches(labels)
    except SelectorError:
        return False


# the finders, in the controller's order: (apiVersion group(s), Kind) -> resource whose
# spec.replicas is the scale
_SCALED = {("", "ReplicationController"): "replicationcontrollers",
           ("apps", "ReplicaSet"): "replicasets.apps",
           ("apps", "StatefulSet"): "statefulsets.apps"}


def _scale_finder(view, ns: str):
    def scale_of(pod, ref):
        api = ref.get("apiVersion", "")
        group = api.rpartition("/")[0] if "/" in api else ""
        kind = ref.get("kind")
        res = _SCALED.get((group, kind))
        if res is not None:
            owner = view.get(res, ns, ref.get("name"))
            if owner is not None and owner["metadata"].get("uid") == ref.get("uid"):
                dref = W.controller_ref(owner) if kind == "ReplicaSet" else None
                if dref is not None and dref.get("kind") == "Deployment":
                    dep = view.get("deployments.apps", ns, dref.get("name"))
                    if dep is not None and dep["metadata"].get("uid") == dref.get("uid"):
                        return dep["metadata"]["uid"], _replicas(dep)
                else:
                    return owner["metadata"]["uid"], _replicas(owner)
            raise NoScale(f'found no controllers for pod "{pod["metadata"]["name"]}"')
        # any other kind: its scale subresource
        from pykubectl.api.kinds import NoKindMatch
        try:
            k = view.server.for_gvk(api, kind)
        except NoKindMatch as e:
            raise NoScale(str(e))
        if "scale" not in k.subresources:
            raise NoScale(f"{k.plural}.{k.group}".rstrip(".") + " does not implement the scale subresource")
        owner = view.get(f"{k.plural}.{k.group}".rstrip("."), ns, ref.get("name"))
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            raise NoScale(f'found no controllers for pod "{pod["metadata"]["name"]}"')
        return owner["metadata"]["uid"], _replicas(owner)
    return scale_of


def _replicas(obj: dict) -> int:
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else int(r)


class DisruptionController(Controller):
    name = "disruption-controller"
    watches = (("policy", "poddisruptionbudgets"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "pods":
            m = obj.get("metadata") or {}
            labels = json.dumps(m.get("labels") or {}, sort_keys=True, separators=(",", ":"))
            return [make_key("policy", "poddisruptionbudgets", m.get("namespace") or "", _BY_LABELS + labels)]
        return super().keys_for(type_, group, res, obj)

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        if name.startswith(_BY_LABELS):
            labels = json.loads(name[len(_BY_LABELS):])
            pdbs = [p for p in view.list(PDB, ns) if _selects(p, labels)]
        else:
            pdb = view.get(PDB, ns, name)
            pdbs = [pdb] if pdb is not None else []
        actions = []
        for pdb in pdbs:
            actions += self._sync(pdb, view, now)
        return actions

    def _sync(self, pdb, view, now):
        if pdb["metadata"].get("deletionTimestamp"):
            return []
        ns = pdb["metadata"].get("namespace") or ""
        pods = [p for p in view.list("pods", ns) if _selects(pdb, p["metadata"].get("labels") or {})]
        st, events, recheck = budget_status(pdb, pods, _scale_finder(view, ns), now)
        actions: list = [Event(pdb, t, r, m, SRC) for t, r, m in events]
        for p in disrupted_pods(pdb, pods, now)[2]:
            # (kube formats the PDB as namespace/namespace: a typo kept for fidelity)
            actions.append(Event(p, "Warning", "NotDeleted", f"Pod was expected by PDB {ns}/{ns} to be deleted but it wasn't", SRC))
        if st != (pdb.get("status") or {}):
            new = copy.deepcopy(pdb)
            new["status"] = st
            actions.append(Put(PDB, new, status=True))
        if recheck is not None:
            actions.append(Timer(make_key("policy", "poddisruptionbudgets", ns, pdb["metadata"]["name"]), recheck))
        return actions


# -- eviction (the apiserver's side) ------------------------------------------------------

def _too_many(message_cause: str, retry_after: int) -> errors.StatusError:
    details = {"causes": [{"reason": "DisruptionBudget", "message": message_cause}]}
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    return errors.StatusError(429, "TooManyRequests", VIOLATES, details)


def can_ignore_budget(pod: dict) -> bool:
    """canIgnorePDB: a finished, pending or already-deleting pod is evicted without a budget."""
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed", "Pending") or W.is_terminating(pod)


def budgets_for_eviction(pod: dict, pdbs: list[dict]) -> list[dict]:
    """The budgets whose selector matches the pod; an empty selector matches nothing here."""
    from pykubectl.api.selectors import SelectorError, from_label_selector
    out = []
    for pdb in pdbs:
        try:
            sel = from_label_selector((pdb.get("spec") or {}).get("selector"))
        except SelectorError:
            continue
        if sel.nothing or sel.empty() or not sel.matches(pod["metadata"].get("labels") or {}):
            continue
        out.append(pdb)
    return out


def eviction_decision(pod: dict, pdbs: list[dict], now: float) -> dict | None:
    """May the pod be evicted? Returns the budget to write back (its disruption spent), None
    when no budget is touched; raises the StatusError the eviction subresource answers with."""
    if can_ignore_budget(pod):
        return None
    matching = budgets_for_eviction(pod, pdbs)
    if len(matching) > 1:
        raise errors.StatusError(500, "", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
    if not matching:
        return None
    pdb = matching[0]
    st = pdb.get("status") or {}
    if not W.is_ready(pod):
        policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy")
        desired = int(st.get("desiredHealthy", 0))
        if policy == "AlwaysAllow" or (int(st.get("currentHealthy", 0)) >= desired and desired > 0):
            return None
    name = pdb["metadata"]["name"]
    if int(st.get("observedGeneration", 0)) < int(pdb["metadata"].get("generation", 1)):
        raise _too_many(f"The disruption budget {name} is still being processed by the server.", 10)
    allowed = int(st.get("disruptionsAllowed", 0))
    if allowed < 0:
        raise errors.forbidden(f'poddisruptionbudget.policy "{name}" is forbidden: pdb disruptions allowed is negative')
    if len(st.get("disruptedPods") or {}) > MAX_DISRUPTED_PODS:
        raise errors.forbidden(f'poddisruptionbudget.policy "{name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller')
    if allowed == 0:
        raise _too_many(f"The disruption budget {name} needs {int(st.get('desiredHealthy', 0))} healthy pods "
                        f"and has {int(st.get('currentHealthy', 0))} currently", 0)
    new = copy.deepcopy(pdb)
    nst = new.setdefault("status", {})
    nst["disruptionsAllowed"] = allowed - 1
    if allowed - 1 == 0:
        nst["conditions"] = allowed_condition(nst, now)
    nst.setdefault("disruptedPods", {})[pod["metadata"]["name"]] = rfc3339(now)
    return new


def evict(server, ns: str, name: str, *, grace_period: int | None = None, dry_run: bool = False) -> dict:
    """POST pods/<name>/eviction against the in-process apiserver, in one transaction: the budget
    spent, the pod marked DisruptionTarget (EvictionByEvictionAPI), then deleted gracefully.
    Returns the Status the apiserver answers with; raises its StatusError."""
    pods, pdbs = server.resolve("pods"), server.resolve(PDB)
    now = server.now()
    with server.store.write() as t:
        pod = t.get("", "pods", ns, name)
        if pod is None:
            raise errors.not_found("", "pods", name)
        budget = eviction_decision(pod, t.list("policy", "poddisruptionbudgets", ns), now)
        if dry_run:
            return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
        if budget is not None:
            server.write_object(t, pdbs, budget, status=True)
        if not W.is_terminating(pod):
            marked = copy.deepcopy(pod)
            st = marked.setdefault("status", {})
            conds = [c for c in st.get("conditions") or () if c.get("type") != "DisruptionTarget"]
            conds.append({"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                          "lastTransitionTime": rfc3339(now), "reason": "EvictionByEvictionAPI",
                          "message": "Eviction API: evicting"})
            st["conditions"] = conds
            pod = server.write_object(t, pods, marked, status=True)
        server.remove_object(t, pods, pod, grace_period, None)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}


def controllers(cluster):
    return [DisruptionController()]
