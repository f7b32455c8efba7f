"""kube-scheduler v1.32's default profile, as a pure decider.

Filters run per node in the framework's order and a node reports only its first failure
(NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
PodTopologySpread, InterPodAffinity); the reasons are counted into the FitError message the
real scheduler puts in FailedScheduling events and the PodScheduled condition. Feasible nodes are
scored by the default plugins with their default weights; ties are broken deterministically
(fewest pods on the node, then node name) where kube-scheduler picks at random, so a script
places pods the same way every run. Preemption evicts lower-priority pods and nominates the node.

Unschedulable pods are retried, without being re-created, whenever a node or a pod changes
(what kube-scheduler's queueing hints do, coarsely).
"""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Delete, Event, Put, make_key, split_key
from pykubectl.store.clock import rfc3339

SOURCE = {"component": "default-scheduler"}
MAX_SCORE = 100
# request-less containers count this much when scoring (scheduler's util.DefaultMilliCPURequest
# and DefaultMemoryRequest), never when filtering
DEFAULT_MILLI_CPU = 100
DEFAULT_MEMORY = 200 * 1024 * 1024
WEIGHTS = {"TaintToleration": 3, "NodeAffinity": 2, "PodTopologySpread": 2, "InterPodAffinity": 2,
           "NodeResourcesFit": 1, "NodeResourcesBalancedAllocation": 1, "ImageLocality": 1}

# status codes, as the framework's: an UnschedulableAndUnresolvable node is not worth preempting on
UNSCHEDULABLE = "Unschedulable"
UNRESOLVABLE = "UnschedulableAndUnresolvable"

ERR_UNSCHEDULABLE = "node(s) were unschedulable"
ERR_NODE_NAME = "node(s) didn't match the requested node name"
ERR_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
ERR_PORTS = "node(s) didn't have free ports for the requested pod ports"
ERR_SPREAD = "node(s) didn't match pod topology spread constraints"
ERR_SPREAD_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"
ERR_POD_AFFINITY = "node(s) didn't match pod affinity rules"
ERR_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


# -- tolerations --------------------------------------------------------------------------

def tolerates_taint(tol: dict, taint: dict) -> bool:
    """corev1.Toleration.ToleratesTaint."""
    if tol.get("effect") and tol["effect"] != taint.get("effect"):
        return False
    if tol.get("key") and tol["key"] != taint.get("key"):
        return False
    op = tol.get("operator") or "Equal"
    if op == "Exists":
        return True
    return op == "Equal" and (tol.get("value") or "") == (taint.get("value") or "")


def tolerates(tolerations, taint) -> bool:
    return any(tolerates_taint(t, taint) for t in tolerations or ())


def untolerated(pod, node, effects=("NoSchedule", "NoExecute")):
    """The node's first taint with one of `effects` that the pod does not tolerate."""
    tols = (pod.get("spec") or {}).get("tolerations")
    for taint in (node.get("spec") or {}).get("taints") or ():
        if taint.get("effect") in effects and not tolerates(tols, taint):
            return taint
    return None


# -- resources ----------------------------------------------------------------------------

def _container_requests(c: dict, nonzero: bool) -> dict:
    from pykubectl.api.quantity import milli, value
    req = (c.get("resources") or {}).get("requests") or {}
    out = {}
    for k, v in req.items():
        out[k] = milli(v) if k == "cpu" else value(v)
    if nonzero:
        out.setdefault("cpu", DEFAULT_MILLI_CPU)
        out.setdefault("memory", DEFAULT_MEMORY)
    return out


def _add(into: dict, r: dict) -> dict:
    for k, v in r.items():
        into[k] = into.get(k, 0) + v
    return into


def _max(into: dict, r: dict) -> dict:
    for k, v in r.items():
        if v > into.get(k, 0):
            into[k] = v
    return into


def pod_requests(pod: dict, nonzero: bool = False) -> dict:
    """resourcehelper.PodRequests: containers summed, init containers as a running maximum
    (sidecars, restartPolicy Always, add up), plus overhead. cpu in millicores, others in units."""
    from pykubectl.api.quantity import milli, value
    spec = pod.get("spec") or {}
    total: dict = {}
    for c in spec.get("containers") or ():
        _add(total, _container_requests(c, nonzero))
    sidecars: dict = {}
    peak: dict = {}
    for c in spec.get("initContainers") or ():
        r = _container_requests(c, nonzero)
        if c.get("restartPolicy") == "Always":
            _add(total, r)
            _add(sidecars, r)
            _max(peak, sidecars)
        else:
            _max(peak, _add(dict(sidecars), r))
    _max(total, peak)
    for k, v in (spec.get("overhead") or {}).items():
        total[k] = total.get(k, 0) + (milli(v) if k == "cpu" else value(v))
    return total


def host_ports(pod: dict) -> list[tuple[str, str, int]]:
    out = []
    for c in (pod.get("spec") or {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("hostPort"):
                out.append((p.get("protocol") or "TCP", p.get("hostIP") or "0.0.0.0", int(p["hostPort"])))
    return out


class NodeInfo:
    """A node with the pods bound to it and what they ask for (the scheduler cache's NodeInfo)."""
    __slots__ = ("node", "name", "labels", "pods", "requested", "nonzero", "ports", "allocatable",
                 "affinity_pods", "taints", "unschedulable")

    def __init__(self, node: dict):
        from pykubectl.api.quantity import milli, value
        self.node = node
        self.name = node["metadata"]["name"]
        self.labels = node["metadata"].get("labels") or {}
        self.taints = (node.get("spec") or {}).get("taints") or []
        self.unschedulable = bool((node.get("spec") or {}).get("unschedulable"))
        st = node.get("status") or {}
        alloc = st.get("allocatable") or st.get("capacity") or {}
        self.allocatable = {k: (milli(v) if k == "cpu" else value(v)) for k, v in alloc.items()}
        self.pods: list[dict] = []
        self.requested: dict = {}
        self.nonzero: dict = {}
        self.ports: list = []
        self.affinity_pods: list[dict] = []   # the few with pod (anti-)affinity: most cycles need only these

    def add(self, pod: dict) -> None:
        self.pods.append(pod)
        aff = (pod.get("spec") or {}).get("affinity") or {}
        if aff.get("podAffinity") or aff.get("podAntiAffinity"):
            self.affinity_pods.append(pod)
        _add(self.requested, pod_requests(pod))
        _add(self.nonzero, {k: v for k, v in pod_requests(pod, True).items() if k in ("cpu", "memory")})
        self.ports += host_ports(pod)

    def remove(self, pod: dict) -> None:
        uid = pod["metadata"].get("uid")
        self.pods = [p for p in self.pods if p["metadata"].get("uid") != uid]
        self.affinity_pods = [p for p in self.affinity_pods if p["metadata"].get("uid") != uid]
        for k, v in pod_requests(pod).items():
            self.requested[k] = self.requested.get(k, 0) - v
        for k, v in pod_requests(pod, True).items():
            if k in ("cpu", "memory"):
                self.nonzero[k] = self.nonzero.get(k, 0) - v
        for p in host_ports(pod):
            if p in self.ports:
                self.ports.remove(p)


class Snapshot:
    """Nodes, their pods and namespace labels at the start of a scheduling cycle; assume() records
    a placement so the next pod of the same cycle sees it."""

    def __init__(self, nodes: list[dict], pods: list[dict], namespaces: list[dict] = ()):
        self.infos = [NodeInfo(n) for n in sorted(nodes, key=lambda n: n["metadata"]["name"])]
        self.by_name = {i.name: i for i in self.infos}
        self.ns_labels = {n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in namespaces}
        self.next_start = 0   # where the next cycle starts looking (percentageOfNodesToScore)
        self._terms: dict = {}
        for p in pods:
            node = (p.get("spec") or {}).get("nodeName")
            if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            if node in self.by_name:
                self.by_name[node].add(p)

    def terms(self, pod: dict, kind: str, required: bool) -> list:
        """An existing pod's affinity terms, parsed once per snapshot."""
        key = (pod["metadata"].get("uid"), kind, required)
        if key not in self._terms:
            self._terms[key] = _terms(pod, kind, required)
        return self._terms[key]

    def assume(self, pod: dict, node: str) -> None:
        if node in self.by_name:
            self.by_name[node].add(pod)


# -- pod affinity terms -------------------------------------------------------------------

class Term:
    """A PodAffinityTerm bound to the namespace of the pod that declares it."""
    __slots__ = ("key", "selector", "namespaces", "ns_selector", "weight")

    def __init__(self, term: dict, owner_ns: str, weight: int = 1):
        from pykubectl.api.selectors import from_label_selector, nothing
        self.key = term.get("topologyKey") or ""
        sel = term.get("labelSelector")
        self.selector = from_label_selector(sel) if sel is not None else nothing()
        nss = term.get("namespaces") or []
        nsel = term.get("namespaceSelector")
        self.ns_selector = from_label_selector(nsel) if nsel is not None else None
        self.namespaces = set(nss) if (nss or nsel is not None) else {owner_ns}
        self.weight = weight

    def matches(self, pod: dict, ns_labels: dict) -> bool:
        meta = pod["metadata"]
        ns = meta.get("namespace") or ""
        if ns not in self.namespaces and not (self.ns_selector is not None
                                              and self.ns_selector.matches(ns_labels.get(ns) or {})):
            return False
        return self.selector.matches(meta.get("labels") or {})


def _terms(pod: dict, kind: str, required: bool) -> list[Term]:
    aff = ((pod.get("spec") or {}).get("affinity") or {}).get(kind) or {}
    ns = pod["metadata"].get("namespace") or ""
    if required:
        return [Term(t, ns) for t in aff.get("requiredDuringSchedulingIgnoredDuringExecution") or ()]
    return [Term(w.get("podAffinityTerm") or {}, ns, int(w.get("weight") or 0))
            for w in aff.get("preferredDuringSchedulingIgnoredDuringExecution") or ()]


class AffinityState:
    """InterPodAffinity's PreFilter: matching pods counted per topology pair."""

    def __init__(self, pod: dict, snap: Snapshot):
        self.affinity = _terms(pod, "podAffinity", True)
        self.anti = _terms(pod, "podAntiAffinity", True)
        self.affinity_counts: dict = {}
        self.anti_counts: dict = {}
        self.existing_anti: dict = {}
        ns_labels = snap.ns_labels
        uid = pod["metadata"].get("uid")
        own = bool(self.affinity or self.anti)
        for info in snap.infos:
            labels = info.labels
            for p in (info.pods if own else info.affinity_pods):
                if p["metadata"].get("uid") == uid and uid:
                    continue
                if self.affinity and all(t.matches(p, ns_labels) for t in self.affinity):
                    for t in self.affinity:
                        if t.key in labels:
                            _inc(self.affinity_counts, (t.key, labels[t.key]))
                for t in self.anti:
                    if t.key in labels and t.matches(p, ns_labels):
                        _inc(self.anti_counts, (t.key, labels[t.key]))
                for t in snap.terms(p, "podAntiAffinity", True):
                    if t.key in labels and t.matches(pod, ns_labels):
                        _inc(self.existing_anti, (t.key, labels[t.key]))
        self.self_match = bool(self.affinity) and all(t.matches(pod, ns_labels) for t in self.affinity)

    def check(self, info: NodeInfo):
        labels = info.labels
        if self.affinity:
            exist = True
            for t in self.affinity:
                if t.key not in labels:
                    return UNRESOLVABLE, ERR_POD_AFFINITY
                if self.affinity_counts.get((t.key, labels[t.key]), 0) <= 0:
                    exist = False
            # the first pod of a group with affinity to itself may go anywhere with the topologies
            if not exist and not (not self.affinity_counts and self.self_match):
                return UNRESOLVABLE, ERR_POD_AFFINITY
        if self.anti_counts:
            for t in self.anti:
                if t.key in labels and self.anti_counts.get((t.key, labels[t.key]), 0) > 0:
                    return UNSCHEDULABLE, ERR_POD_ANTI_AFFINITY
        if self.existing_anti:
            for kv in labels.items():
                if self.existing_anti.get(kv, 0) > 0:
                    return UNSCHEDULABLE, ERR_EXISTING_ANTI_AFFINITY
        return None


def _inc(d: dict, k, by=1) -> None:
    d[k] = d.get(k, 0) + by


# -- topology spread ----------------------------------------------------------------------

class SpreadState:
    """PodTopologySpread's PreFilter for the pod's DoNotSchedule constraints."""

    def __init__(self, pod: dict, snap: Snapshot):
        from pykubectl.api.selectors import from_label_selector
        spec = pod.get("spec") or {}
        ns = pod["metadata"].get("namespace") or ""
        self.constraints = []
        for c in spec.get("topologySpreadConstraints") or ():
            if c.get("whenUnsatisfiable") != "DoNotSchedule":
                continue
            sel = from_label_selector(c.get("labelSelector")) if c.get("labelSelector") is not None else None
            key = c.get("topologyKey") or ""
            counts: dict = {}
            for info in snap.infos:
                if key not in info.labels:
                    continue
                # nodeAffinityPolicy Honor (the default): only nodes the pod could select count
                if (c.get("nodeAffinityPolicy") or "Honor") == "Honor" and not node_affinity_matches(pod, info.node):
                    continue
                if c.get("nodeTaintsPolicy") == "Honor" and untolerated(pod, info.node):
                    continue
                val = info.labels[key]
                counts.setdefault(val, 0)
                if sel is None:
                    continue
                for p in info.pods:
                    if (p["metadata"].get("namespace") or "") == ns and not p["metadata"].get("deletionTimestamp") \
                            and sel.matches(p["metadata"].get("labels") or {}):
                        counts[val] += 1
            lowest = min(counts.values()) if counts else 0
            if c.get("minDomains") and len(counts) < int(c["minDomains"]):
                lowest = 0
            selfm = 1 if sel is not None and sel.matches(pod["metadata"].get("labels") or {}) else 0
            self.constraints.append((key, int(c.get("maxSkew") or 1), counts, lowest, selfm))

    def check(self, info: NodeInfo):
        for key, _, _, _, _ in self.constraints:
            if key not in info.labels:
                return UNRESOLVABLE, ERR_SPREAD_LABEL
        for key, skew, counts, lowest, selfm in self.constraints:
            if counts.get(info.labels[key], 0) + selfm - lowest > skew:
                return UNSCHEDULABLE, ERR_SPREAD
        return None


# -- filters ------------------------------------------------------------------------------

def node_affinity_matches(pod: dict, node: dict) -> bool:
    """nodeSelector and required node affinity (NodeAffinity's Filter)."""
    spec = pod.get("spec") or {}
    labels = (node.get("metadata") or {}).get("labels") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if req is not None:
        from pykubectl.api.selectors import node_selector_matches
        return node_selector_matches(req, node)
    return True


def fit_reasons(pod_req: dict, info: NodeInfo) -> list[str]:
    """NodeResourcesFit's Filter: every insufficient resource, pods first."""
    out = []
    alloc = info.allocatable
    if len(info.pods) + 1 > alloc.get("pods", 110):
        out.append("Too many pods")
    for res in ("cpu", "memory", "ephemeral-storage"):
        want = pod_req.get(res, 0)
        if want > 0 and want > alloc.get(res, 0) - info.requested.get(res, 0):
            out.append(f"Insufficient {res}")
    for res, want in pod_req.items():
        if res in ("cpu", "memory", "ephemeral-storage") or not want:
            continue
        if want > alloc.get(res, 0) - info.requested.get(res, 0):
            out.append(f"Insufficient {res}")
    return out


def ports_conflict(want: list, used: list) -> bool:
    for proto, ip, port in want:
        for uproto, uip, uport in used:
            if proto == uproto and port == uport and (ip == uip or "0.0.0.0" in (ip, uip)):
                return True
    return False


class Cycle:
    """One scheduling attempt of one pod against a snapshot: filters, scores, the decision."""

    def __init__(self, pod: dict, snap: Snapshot):
        self.pod = pod
        self.snap = snap
        self.spec = pod.get("spec") or {}
        self.req = pod_requests(pod)
        self.ports = host_ports(pod)
        self.affinity = AffinityState(pod, snap)
        self.spread = SpreadState(pod, snap)
        self.nonzero_req = pod_requests(pod, True)
        self.tolerations = self.spec.get("tolerations")
        na = (self.spec.get("affinity") or {}).get("nodeAffinity") or {}
        self.selects_nodes = bool(self.spec.get("nodeSelector") or na.get("requiredDuringSchedulingIgnoredDuringExecution"))
        self.preferred_nodes = na.get("preferredDuringSchedulingIgnoredDuringExecution") or ()

    def filter(self, info: NodeInfo):
        """(plugin, code, [reasons]) of the first failing filter, or None when the node fits."""
        spec = self.spec
        if info.unschedulable and not tolerates(
                self.tolerations, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}):
            return "NodeUnschedulable", UNRESOLVABLE, [ERR_UNSCHEDULABLE]
        if spec.get("nodeName") and spec["nodeName"] != info.name:
            return "NodeName", UNRESOLVABLE, [ERR_NODE_NAME]
        for taint in info.taints:
            if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(self.tolerations, taint):
                return "TaintToleration", UNRESOLVABLE, [
                    "node(s) had untolerated taint {" + f"{taint.get('key')}: {taint.get('value') or ''}" + "}"]
        if self.selects_nodes and not node_affinity_matches(self.pod, info.node):
            return "NodeAffinity", UNRESOLVABLE, [ERR_AFFINITY]
        if self.ports and ports_conflict(self.ports, info.ports):
            return "NodePorts", UNSCHEDULABLE, [ERR_PORTS]
        fit = fit_reasons(self.req, info)
        if fit:
            return "NodeResourcesFit", UNSCHEDULABLE, fit
        bad = self.spread.check(info)
        if bad:
            return "PodTopologySpread", bad[0], [bad[1]]
        bad = self.affinity.check(info)
        if bad:
            return "InterPodAffinity", bad[0], [bad[1]]
        return None

    # -- scores -------------------------------------------------------------------------
    def scores(self, infos: list[NodeInfo]) -> dict[str, dict[str, int]]:
        """Per node, per plugin: the normalized score (0-100) before weights."""
        out = {i.name: {} for i in infos}
        self._taint_score(infos, out)
        self._node_affinity_score(infos, out)
        self._pod_affinity_score(infos, out)
        for i in infos:
            o = out[i.name]
            o["NodeResourcesFit"], o["NodeResourcesBalancedAllocation"] = self._resource_scores(i)
        return out

    def _taint_score(self, infos, out):
        tols = [t for t in self.spec.get("tolerations") or () if t.get("effect") in (None, "", "PreferNoSchedule")]
        raw = {i.name: sum(1 for t in i.taints
                           if t.get("effect") == "PreferNoSchedule" and not tolerates(tols, t)) for i in infos}
        top = max(raw.values(), default=0)
        for n, v in raw.items():
            out[n]["TaintToleration"] = MAX_SCORE - (MAX_SCORE * v // top if top else 0)

    def _node_affinity_score(self, infos, out):
        from pykubectl.api.selectors import node_selector_term_matches
        pref = self.preferred_nodes
        if not pref:
            for i in infos:
                out[i.name]["NodeAffinity"] = 0
            return
        raw = {i.name: sum(int(t.get("weight") or 0) for t in pref
                           if t.get("weight") and node_selector_term_matches(t.get("preference") or {}, i.node))
               for i in infos}
        top = max(raw.values(), default=0)
        for n, v in raw.items():
            out[n]["NodeAffinity"] = MAX_SCORE * v // top if top else 0

    def _pod_affinity_score(self, infos, out):
        pod, ns_labels = self.pod, self.snap.ns_labels
        pref = _terms(pod, "podAffinity", False)
        anti = _terms(pod, "podAntiAffinity", False)
        topo: dict = {}

        def process(terms, target, node_labels, sign):
            for t in terms:
                if t.weight and t.key in node_labels and t.matches(target, ns_labels):
                    _inc(topo, (t.key, node_labels[t.key]), t.weight * sign)

        for info in self.snap.infos:
            if not info.labels:
                continue
            for p in (info.pods if pref or anti else info.affinity_pods):
                process(pref, p, info.labels, 1)
                process(anti, p, info.labels, -1)
                process(self.snap.terms(p, "podAffinity", True), pod, info.labels, 1)  # hardPodAffinityWeight 1
                process(self.snap.terms(p, "podAffinity", False), pod, info.labels, 1)
                process(self.snap.terms(p, "podAntiAffinity", False), pod, info.labels, -1)
        raw = {i.name: sum(topo.get(kv, 0) for kv in i.labels.items()) for i in infos}
        lo, hi = min(raw.values(), default=0), max(raw.values(), default=0)
        for n, v in raw.items():
            out[n]["InterPodAffinity"] = int(MAX_SCORE * (v - lo) / (hi - lo)) if topo and hi > lo else 0

    def _resource_scores(self, info: NodeInfo) -> tuple[int, int]:
        """NodeResourcesFit's LeastAllocated (request-less containers counted at their defaults)
        and NodeResourcesBalancedAllocation (actual requests), over cpu and memory."""
        alloc, nonzero, requested, want, req = info.allocatable, info.nonzero, info.requested, self.nonzero_req, self.req
        least = 0
        fr = []
        for res in ("cpu", "memory"):
            cap = alloc.get(res, 0)
            used = nonzero.get(res, 0) + want.get(res, 0)
            least += 0 if cap == 0 or used > cap else (cap - used) * MAX_SCORE // cap
            if cap:
                fr.append(min(1.0, (requested.get(res, 0) + req.get(res, 0)) / cap))
        std = abs(fr[0] - fr[1]) / 2 if len(fr) == 2 else 0.0
        return least // 2, int((1 - std) * MAX_SCORE)


class Result:
    """What a cycle decided: the node (or None), each rejected node's failure, each feasible
    node's scores."""

    def __init__(self):
        self.node: str | None = None
        self.failures: dict[str, tuple] = {}
        self.scores: dict[str, dict[str, int]] = {}

    def total(self, node: str) -> int:
        return sum(WEIGHTS[p] * s for p, s in self.scores[node].items())


def nodes_to_find(n: int, percentage: int = 0) -> int:
    """numFeasibleNodesToFind: every node below 100, else an adaptive share (at least 100)."""
    if n < 100 or percentage >= 100:
        return n
    if not percentage:
        percentage = max(5, 50 - n // 125)
    return max(100, n * percentage // 100)


def schedule_one(pod: dict, snap: Snapshot) -> Result:
    cyc = Cycle(pod, snap)
    res = Result()
    fits = []
    infos, n = snap.infos, len(snap.infos)
    want = nodes_to_find(n)
    processed = 0
    # round robin from where the last cycle stopped, until enough feasible nodes are found
    for i in range(n):
        info = infos[(snap.next_start + i) % n]
        processed += 1
        why = cyc.filter(info)
        if why:
            res.failures[info.name] = why
        else:
            fits.append(info)
            if len(fits) >= want:
                break
    snap.next_start = (snap.next_start + processed) % n if n else 0
    if not fits:
        return res
    res.scores = cyc.scores(fits)
    # ties: fewest pods, then name (kube-scheduler picks uniformly at random among the best)
    totals = {name: sum(WEIGHTS[p] * v for p, v in sc.items()) for name, sc in res.scores.items()}
    best = min(fits, key=lambda i: (-totals[i.name], len(i.pods), i.name))
    res.node = best.name
    return res


def histogram(reasons) -> str:
    counts: dict[str, int] = {}
    for r in reasons:
        counts[r] = counts.get(r, 0) + 1
    return ", ".join(sorted(f"{n} {r}" for r, n in counts.items()))


def fit_error(n_nodes: int, failures: dict, post_filter: str = "") -> str:
    """framework.FitError.Error()."""
    msg = f"0/{n_nodes} nodes are available:"
    hist = histogram(r for _, _, reasons in failures.values() for r in reasons)
    if hist:
        msg += f" {hist}."
    if post_filter:
        msg += f" {post_filter}"   # PostFilter messages bring their own full stop
    return msg


def pod_priority(pod: dict) -> int:
    return int((pod.get("spec") or {}).get("priority") or 0)


def preempt(pod: dict, snap: Snapshot, res: Result):
    """DefaultPreemption: (node, victims, message). Victims are the fewest lower-priority pods
    whose removal lets the pod fit, highest-priority ones reprieved first."""
    n = len(snap.infos)
    if (pod.get("spec") or {}).get("preemptionPolicy") == "Never":
        return None, [], "preemption: not eligible due to preemptionPolicy=Never."
    prio = pod_priority(pod)
    nom = (pod.get("status") or {}).get("nominatedNodeName")
    if nom in snap.by_name and (res.failures.get(nom) or ("", UNSCHEDULABLE))[1] != UNRESOLVABLE and any(
            p["metadata"].get("deletionTimestamp") and pod_priority(p) < prio for p in snap.by_name[nom].pods):
        # victims of an earlier round are still going: wait for them rather than preempt more
        return None, [], "preemption: not eligible due to a terminating pod on the nominated node."
    statuses: dict[str, list[str]] = {}
    candidates = []
    for info in snap.infos:
        plugin, code, _ = res.failures.get(info.name, ("", UNRESOLVABLE, []))
        if code == UNRESOLVABLE:
            statuses[info.name] = [NOT_HELPFUL]
            continue
        lower = sorted((p for p in info.pods if pod_priority(p) < prio),
                       key=lambda p: -pod_priority(p))
        if not lower:
            statuses[info.name] = [NO_VICTIMS]
            continue
        for p in lower:
            info.remove(p)
        if Cycle(pod, snap).filter(info):
            for p in lower:
                info.add(p)
            statuses[info.name] = list(res.failures[info.name][2])
            continue
        victims = []
        for p in lower:   # reprieve, most important first
            info.add(p)
            if Cycle(pod, snap).filter(info):
                info.remove(p)
                victims.append(p)
        for p in victims:
            info.add(p)
        candidates.append((info.name, victims))
    if candidates:
        # fewest high-priority victims, then fewest victims, then name
        node, victims = min(candidates, key=lambda c: (max(pod_priority(v) for v in c[1]) if c[1] else -2**31,
                                                       sum(pod_priority(v) for v in c[1]), len(c[1]), c[0]))
        return node, victims, ""
    # the preemption dry run's own FitError
    return None, [], "preemption: " + fit_error(n, {k: ("", "", v) for k, v in statuses.items()})


# -- the controller -----------------------------------------------------------------------

PENDING = "*pending*"


def _schedulable(pod: dict) -> bool:
    spec = pod.get("spec") or {}
    return (not spec.get("nodeName") and not pod["metadata"].get("deletionTimestamp")
            and (spec.get("schedulerName") or "default-scheduler") == "default-scheduler"
            and not spec.get("schedulingGates")
            and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"))


def _attempted(pod: dict) -> bool:
    """Tried and found unschedulable (PodScheduled False)."""
    return any(c.get("type") == "PodScheduled" and c.get("status") == "False"
               for c in (pod.get("status") or {}).get("conditions") or ())


class Scheduler(Controller):
    name = "scheduler"
    manager = "kube-scheduler"
    watches = (("", "pods"), ("", "nodes"), ("", "namespaces"))

    def keys_for(self, type_, group, res, obj):
        if res == "nodes":
            return [PENDING]      # a node added, relabelled, retainted or uncordoned
        if res == "namespaces":
            return [PENDING] if type_ != "DELETED" else []   # namespaceSelector terms
        meta = obj.get("metadata") or {}
        if type_ != "DELETED" and _schedulable(obj):
            return [make_key("", "pods", meta.get("namespace", ""), meta["name"])]
        # a pod bound, changed or gone may let an unschedulable one in (affinity, room, ports)
        return [PENDING]

    def reconcile(self, key, view, now):
        if key != PENDING:
            _, _, ns, name = split_key(key)
            pod = view.get("pods", ns, name)
            if pod is None or not _schedulable(pod):
                return []   # bound already (often by this same batch) or gone: no listing
        pods = view.list("pods")
        if key == PENDING:
            todo = [p for p in pods if _schedulable(p) and _attempted(p)]
        else:
            # every pod not yet tried goes in this one cycle's snapshot, as the active queue would
            todo = [p for p in pods if _schedulable(p) and not _attempted(p)
                    or p["metadata"].get("uid") == pod["metadata"].get("uid")]
        if not todo:
            return []
        snap = Snapshot(view.list("nodes"), pods, view.list("namespaces"))
        actions = []
        # the scheduling queue's order: priority first, then the oldest
        for pod in sorted(todo, key=lambda p: (-pod_priority(p), p["metadata"].get("creationTimestamp") or "",
                                               p["metadata"]["name"])):
            actions += self.schedule(pod, snap, now)
        return actions

    def schedule(self, pod, snap, now):
        res = schedule_one(pod, snap)
        pod = copy.deepcopy(pod)
        meta = pod["metadata"]
        st = pod.setdefault("status", {})
        if res.node is None:
            node, victims, post = preempt(pod, snap, res) if res.failures else (None, [], "")
            msg = fit_error(len(snap.infos), res.failures, post)
            actions = []
            if node:
                for v in victims:
                    vm = v["metadata"]
                    marked = copy.deepcopy(v)
                    vst = marked.setdefault("status", {})
                    vst["conditions"] = [c for c in vst.get("conditions") or () if c.get("type") != "DisruptionTarget"] + [{
                        "type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
                        "message": "default-scheduler: preempting to accommodate a higher priority pod",
                        "lastProbeTime": None, "lastTransitionTime": rfc3339(now)}]
                    actions += [Event(v, "Normal", "Preempted",
                                      f"Preempted by pod {meta.get('uid')} on node {node}", dict(SOURCE)),
                                Put("pods", marked, status=True),
                                Delete("pods", vm.get("namespace", ""), vm["name"], uid=vm.get("uid"))]
                    snap.by_name[node].remove(v)
            old = [c for c in st.get("conditions") or [] if c.get("type") == "PodScheduled"]
            if old and old[0].get("message") == msg and old[0].get("status") == "False" \
                    and (not node or st.get("nominatedNodeName") == node):
                return actions
            cond = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": msg,
                    "lastProbeTime": None,
                    "lastTransitionTime": old[0].get("lastTransitionTime") if old and old[0].get("status") == "False"
                    else rfc3339(now)}
            st["conditions"] = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"] + [cond]
            if node:
                st["nominatedNodeName"] = node
            return [Put("pods", pod, status=True), *actions,
                    Event(pod, "Warning", "FailedScheduling", msg, dict(SOURCE))]
        node_name = res.node
        snap.assume(pod, node_name)
        pod["spec"]["nodeName"] = node_name
        st.pop("nominatedNodeName", None)
        st["conditions"] = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"] + [
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": rfc3339(now)}]
        return [Put("pods", pod),
                Event(pod, "Normal", "Scheduled",
                      f"Successfully assigned {meta.get('namespace')}/{meta['name']} to {node_name}", dict(SOURCE))]


def controllers(cluster):
    return [Scheduler()]
