"""kube-scheduler v1.32's default profile, as a pure decider.

Filters run per node in the framework's order and a node reports only its first failure
(NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
VolumeBinding, VolumeZone, PodTopologySpread, InterPodAffinity); the reasons are counted into the
FitError message the real scheduler puts in FailedScheduling events and the PodScheduled
condition (a PreFilter's refusal, such as unbound immediate claims, is said once instead).
Feasible nodes are scored by the default plugins with their default weights, PodTopologySpread
with the system default constraints for pods a Service, ReplicaSet or StatefulSet selects; ties
are broken deterministically (fewest pods on the node, then node name) where kube-scheduler picks
at random, so a script places pods the same way every run. Preemption evicts lower-priority pods
and nominates the node.

VolumeBinding's Reserve/PreBind happen in the same pass: a chosen static volume is pre-bound to
its claim (claimRef), a claim to provision gets `volume.kubernetes.io/selected-node`; the PV
controller and the provisioner finish the binding. The pod binds at once when the lab's own
provisioner serves the class, else it waits unbound for an external one, as PreBind waits.

Unschedulable pods are retried, without being re-created, whenever a node, a pod, a claim, a
volume or a class changes (what kube-scheduler's queueing hints do, coarsely). Node-local
verdicts and raw scores are cached per node and pod spec until the node's pods change: the next
replica of a Deployment recomputes them only for the node the previous one went to.

InterPodAffinity is incremental, as kube-scheduler's PreFilter state: the Snapshot counts, per
distinct term, the placed pods it concerns per topology pair, and assume() updates the counts, so
a filter check is a lookup per term (AffinityState(scan=True) is the plain scan, for tests).
Within a process the Scheduler keeps every pod decoded across cycles, brought up to date from the
store's change log (a relist when the log cannot say), with each node's NodeInfo updated alongside
(a cycle's Snapshot copies them) and each stored pod version's footprint (requests, ports): a
cycle decodes and places only what changed.
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

_PARSED: dict = {}   # (requests, nonzero) -> parsed: replicas repeat the same few quantities


def _container_requests(c: dict, nonzero: bool) -> dict:
    req = (c.get("resources") or {}).get("requests") or {}
    key = (tuple(req.items()), nonzero)
    out = _PARSED.get(key)
    if out is None:
        from pykubectl.api.quantity import milli, value
        out = {k: (milli(v) if k == "cpu" else value(v)) for k, v in req.items()}
        if nonzero:
            out.setdefault("cpu", DEFAULT_MILLI_CPU)
            out.setdefault("memory", DEFAULT_MEMORY)
        if len(_PARSED) > 4096:
            _PARSED.clear()
        _PARSED[key] = out
    return dict(out)


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


_FOOTPRINTS: dict = {}   # (uid, resourceVersion) -> footprint: a stored version never changes


def footprint(pod: dict) -> tuple[dict, dict, list]:
    """What a placed pod takes from its node: (requests, cpu and memory with the scoring
    defaults, host ports). Kept per stored version: pods are placed and taken off again and
    again (a relist, preemption's what-ifs)."""
    m = pod["metadata"]
    key = (m.get("uid"), m.get("resourceVersion"))
    hit = _FOOTPRINTS.get(key) if key[0] and key[1] else None
    if hit is None:
        hit = (pod_requests(pod), {k: v for k, v in pod_requests(pod, True).items() if k in ("cpu", "memory")},
               host_ports(pod))
        if key[0] and key[1]:
            if len(_FOOTPRINTS) > 400_000:
                _FOOTPRINTS.clear()
            _FOOTPRINTS[key] = hit
    return hit


def _listing_order(pod: dict) -> tuple:
    m = pod["metadata"]
    return m.get("namespace") or "", m["name"]


def counted(pod: dict) -> bool:
    """Whether a pod on a node takes from it (finished pods do not)."""
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


class NodeInfo:
    """A node with the pods bound to it and what they ask for (the scheduler cache's NodeInfo)."""
    __slots__ = ("node", "name", "labels", "pods", "requested", "nonzero", "ports", "allocatable",
                 "affinity_pods", "scoring_pods", "taints", "unschedulable", "images", "_counts", "local")

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
        self.scoring_pods: list[dict] = []    # those whose terms weigh in InterPodAffinity's Score
        self.images = {n: int(i.get("sizeBytes") or 0) for i in st.get("images") or () for n in i.get("names") or ()}
        self._counts: dict = {}   # (namespace, selector) -> matching pods, until the pods change
        self.local: dict = {}     # pod shape -> [local filter verdict, local raw scores], likewise

    def count(self, ns: str, selector, sel_key) -> int:
        """countPodsMatchSelector: this namespace's pods the selector matches, terminating ones
        left out; an empty selector counts none."""
        k = (ns, sel_key)
        n = self._counts.get(k)
        if n is None:
            n = 0
            if not selector.empty():
                for p in self.pods:
                    m = p["metadata"]
                    if (m.get("namespace") or "") == ns and not m.get("deletionTimestamp") \
                            and selector.matches(m.get("labels")):
                        n += 1
            self._counts[k] = n
        return n

    def add(self, pod: dict) -> None:
        self.pods.append(pod)
        self._counts, self.local = {}, {}
        aff = (pod.get("spec") or {}).get("affinity") or {}
        if aff.get("podAffinity") or aff.get("podAntiAffinity"):
            self.affinity_pods.append(pod)
        # an existing pod's required anti-affinity only filters; its other terms score
        anti = aff.get("podAntiAffinity") or {}
        if aff.get("podAffinity") or anti.get("preferredDuringSchedulingIgnoredDuringExecution"):
            self.scoring_pods.append(pod)
        req, nonzero, ports = footprint(pod)
        _add(self.requested, req)
        _add(self.nonzero, nonzero)
        if ports:
            self.ports += ports

    def copy_from(self, kept: NodeInfo) -> None:
        """Take the pods (kept in listing order) and sums of a NodeInfo kept across cycles."""
        self.pods, self.affinity_pods = list(kept.pods), list(kept.affinity_pods)
        self.scoring_pods = list(kept.scoring_pods)
        self.requested, self.nonzero, self.ports = dict(kept.requested), dict(kept.nonzero), list(kept.ports)

    def remove(self, pod: dict) -> None:
        self.remove_all([pod])

    def remove_all(self, pods: list[dict]) -> None:
        """Take pods off the node (by uid), in one pass over its pods."""
        uids = {p["metadata"].get("uid") for p in pods}
        self.pods = [p for p in self.pods if p["metadata"].get("uid") not in uids]
        self._counts, self.local = {}, {}
        if self.affinity_pods:
            self.affinity_pods = [p for p in self.affinity_pods if p["metadata"].get("uid") not in uids]
        if self.scoring_pods:
            self.scoring_pods = [p for p in self.scoring_pods if p["metadata"].get("uid") not in uids]
        for pod in pods:
            req, nonzero, ports = footprint(pod)
            for k, v in req.items():
                self.requested[k] = self.requested.get(k, 0) - v
            for k, v in nonzero.items():
                self.nonzero[k] = self.nonzero.get(k, 0) - v
            for p in ports:
                if p in self.ports:
                    self.ports.remove(p)


class Snapshot:
    """Nodes, their pods and namespace labels at the start of a scheduling cycle; assume() records
    a placement so the next pod of the same cycle sees it."""

    def __init__(self, nodes: list[dict], pods: list[dict], namespaces: list[dict] = (),
                 storage: Storage | None = None, workloads: Workloads | None = None, kept: dict | None = None):
        """`kept`: node name -> NodeInfo holding that node's placed pods, kept up to date across
        cycles by the caller; copied instead of placing every pod again (`pods` then unread)."""
        self.storage = storage   # None: no pod of this cycle has claims, so none was loaded
        self.workloads = workloads
        self.infos = [NodeInfo(n) for n in sorted(nodes, key=lambda n: n["metadata"]["name"])]
        self.by_name = {i.name: i for i in self.infos}
        self.ns_labels = {n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in namespaces}
        self.next_start = 0   # where the next cycle starts looking (percentageOfNodesToScore)
        self._terms: dict = {}
        self._shapes: dict = {}
        self._domains: dict = {}
        self._image_nodes: dict = {}
        self._affinity: bool | None = None   # whether any pod has pod (anti-)affinity
        # InterPodAffinity's state, built on first use and kept up to date by assume():
        self._matches: dict = {}     # term signatures -> (terms, placed pods matching all per pair)
        self._existing = None        # term signature -> (term, pairs): placed pods' required anti-affinity
        self._scoring = None         # (signature, sign) -> (term, pairs): placed pods' scoring terms
        self.uids: set = set()       # placed pods (a pod never counts against itself)
        if kept is not None:
            for info in self.infos:
                k = kept.get(info.name)
                if k is not None:
                    info.copy_from(k)
                    self.uids.update(p["metadata"].get("uid") for p in k.pods)
            return
        for p in pods:
            node = (p.get("spec") or {}).get("nodeName")
            if not counted(p):
                continue
            if node in self.by_name:
                self.by_name[node].add(p)
                self.uids.add(p["metadata"].get("uid"))

    def terms(self, pod: dict, kind: str, required: bool) -> list:
        """An existing pod's affinity terms, parsed once per snapshot."""
        key = (pod["metadata"].get("uid"), kind, required)
        if key not in self._terms:
            self._terms[key] = _terms(pod, kind, required)
        return self._terms[key]

    def shape(self, pod: dict) -> int:
        """Pods alike in what the node-local filters and scores read get the same verdicts: an id
        for those fields (not the whole spec: each pod's token volume has its own random name,
        which would make every replica of a Deployment a shape of its own)."""
        import json
        spec = pod.get("spec") or {}

        def cs(key):
            return [(c.get("image"), c.get("resources"), c.get("ports"), c.get("restartPolicy"))
                    for c in spec.get(key) or ()]
        local = [spec.get("nodeName"), spec.get("nodeSelector"), spec.get("tolerations"),
                 (spec.get("affinity") or {}).get("nodeAffinity"), spec.get("overhead"),
                 spec.get("resources"), cs("containers"), cs("initContainers")]
        return self._shapes.setdefault(json.dumps(local, sort_keys=True, default=str), len(self._shapes))

    def has_affinity_pods(self) -> bool:
        """Whether any placed pod has pod (anti-)affinity terms (else InterPodAffinity is idle)."""
        if self._affinity is None:
            self._affinity = any(i.affinity_pods for i in self.infos)
        return self._affinity

    def image_nodes(self, image: str) -> int:
        """ImageStateSummary.NumNodes: how many nodes hold the image."""
        n = self._image_nodes.get(image)
        if n is None:
            n = self._image_nodes[image] = sum(1 for i in self.infos if image in i.images)
        return n

    def domain_counts(self, ns: str, c, keys: tuple) -> dict:
        """Matching pods per value of c.key, over the nodes carrying all `keys` (the constraint's
        inclusion policies must not depend on the pod); kept up to date by assume()."""
        k = (ns, c.sel_key, c.key, keys)
        hit = self._domains.get(k)
        if hit is None:
            counts: dict = {}
            for info in self.infos:
                if all(x in info.labels for x in keys):
                    v = info.labels[c.key]
                    counts[v] = counts.get(v, 0) + info.count(ns, c.selector, c.sel_key)
            hit = self._domains[k] = (c.selector, counts)
        return hit[1]

    def changed(self) -> None:
        """Pods were added to or removed from nodes directly (preemption's what-ifs): shared
        counts must be recomputed."""
        self._domains.clear()
        self._matches.clear()
        self._existing = self._scoring = None

    def match_counts(self, terms: list) -> dict:
        """Placed pods matching every one of `terms`, counted per (topologyKey, value) of each
        term's key on their node: the pairs InterPodAffinity's PreFilter counts for a pod's own
        terms. Computed once per distinct terms, then updated by assume()."""
        sig = tuple(t.sig for t in terms)
        hit = self._matches.get(sig)
        if hit is None:
            counts: dict = {}
            for info in self.infos:
                for p in info.pods:
                    self._count_match(terms, p, info.labels, counts)
            hit = self._matches[sig] = (terms, counts)
        return hit[1]

    def _count_match(self, terms, pod, labels, counts) -> None:
        ns_labels = self.ns_labels
        if all(t.matches(pod, ns_labels) for t in terms):
            for t in terms:
                if t.key in labels:
                    _inc(counts, (t.key, labels[t.key]))

    def existing_anti_index(self) -> dict:
        """The placed pods' required anti-affinity terms, equal ones merged: signature ->
        (term, {(topologyKey, value): how many}). A cycle matches each distinct term once."""
        if self._existing is None:
            self._existing = {}
            for info in self.infos:
                for p in info.affinity_pods:
                    self._index_terms(self._existing, p, info.labels, (("podAntiAffinity", True, 1),))
        return self._existing

    def scoring_index(self) -> dict:
        """The placed pods' terms InterPodAffinity's Score weighs against an incoming pod:
        (signature, sign) -> (term, {(topologyKey, value): how many})."""
        if self._scoring is None:
            self._scoring = {}
            for info in self.infos:
                for p in info.scoring_pods:
                    self._index_terms(self._scoring, p, info.labels, SCORING_TERMS)
        return self._scoring

    def _index_terms(self, index: dict, pod: dict, labels: dict, kinds) -> None:
        for kind, required, sign in kinds:
            for t in self.terms(pod, kind, required):
                if t.key in labels and t.weight:
                    k = (t.sig, t.weight * sign) if index is self._scoring else t.sig
                    hit = index.get(k)
                    if hit is None:
                        hit = index[k] = (t, {})
                    _inc(hit[1], (t.key, labels[t.key]))

    def assume(self, pod: dict, node: str) -> None:
        info = self.by_name.get(node)
        if info is None:
            return
        info.add(pod)
        m = pod["metadata"]
        self.uids.add(m.get("uid"))
        # add() appends: identity, not a deep comparison of every listed pod
        if info.affinity_pods and info.affinity_pods[-1] is pod:
            self._affinity = True
            if self._existing is not None:
                self._index_terms(self._existing, pod, info.labels, (("podAntiAffinity", True, 1),))
        if self._scoring is not None and info.scoring_pods and info.scoring_pods[-1] is pod:
            self._index_terms(self._scoring, pod, info.labels, SCORING_TERMS)
        for terms, counts in self._matches.values():
            self._count_match(terms, pod, info.labels, counts)
        for (ns, _, key, keys), (sel, counts) in self._domains.items():
            if (m.get("namespace") or "") == ns and not m.get("deletionTimestamp") and not sel.empty() \
                    and all(x in info.labels for x in keys) and sel.matches(m.get("labels")):
                counts[info.labels[key]] = counts.get(info.labels[key], 0) + 1


# -- pod affinity terms -------------------------------------------------------------------

# an existing pod's terms that weigh in InterPodAffinity's Score: (kind, required, sign); its
# required affinity counts with hardPodAffinityWeight 1
SCORING_TERMS = (("podAffinity", True, 1), ("podAffinity", False, 1), ("podAntiAffinity", False, -1))


class Term:
    """A PodAffinityTerm bound to the namespace of the pod that declares it."""
    __slots__ = ("key", "selector", "namespaces", "ns_selector", "weight", "sig")

    def __init__(self, term: dict, owner_ns: str, weight: int = 1):
        import json
        from pykubectl.api.selectors import from_label_selector, nothing
        # equal terms (a Deployment's replicas all carry the same) share their counts
        self.sig = (owner_ns, json.dumps(term, sort_keys=True, default=str))
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
    """InterPodAffinity's PreFilter: matching pods counted per topology pair. The counts come from
    the snapshot's incremental indexes (a lookup per term, as kube-scheduler's PreFilter state,
    read in place: valid until the snapshot's next assume); `scan=True` counts by visiting every
    placed pod, the plain reference the indexes must agree with."""

    def __init__(self, pod: dict, snap: Snapshot, scan: bool = False):
        self.affinity = _terms(pod, "podAffinity", True)
        self.anti = _terms(pod, "podAntiAffinity", True)
        ns_labels = snap.ns_labels
        self.self_match = bool(self.affinity) and all(t.matches(pod, ns_labels) for t in self.affinity)
        uid = pod["metadata"].get("uid")
        if scan or (uid and uid in snap.uids):
            # the pod is among the placed ones (a what-if): it must not count against itself
            aff, anti, existing = self._scanned = self._scan(pod, snap)
            self.affinity_counts = aff
            # (topologyKey, {(topologyKey, value): pods}) to look up, anti-affinity's and existing pods'
            self.anti_refs = [(t.key, anti) for t in self.anti] if anti else []
            self.existing_refs = [(k, existing) for k in {k for k, _ in existing}]
        else:
            self._scanned = None
            self.affinity_counts = snap.match_counts(self.affinity) if self.affinity else {}
            self.anti_refs = [(t.key, c) for t in self.anti for c in (snap.match_counts([t]),) if c]
            self.existing_refs = [(t.key, counts) for t, counts in snap.existing_anti_index().values()
                                  if counts and t.matches(pod, ns_labels)]
        self.active = bool(self.affinity or self.anti_refs or self.existing_refs)

    def pairs(self) -> tuple[dict, dict, dict]:
        """The PreFilter state as kube-scheduler keeps it: affinityCounts, antiAffinityCounts and
        existingAntiAffinityCounts per (topologyKey, value)."""
        if self._scanned is not None:
            return self._scanned
        anti: dict = {}
        for _, counts in self.anti_refs:      # one per term: equal terms each count their pods
            for kv, n in counts.items():
                _inc(anti, kv, n)
        existing: dict = {}
        for _, counts in self.existing_refs:
            for kv, n in counts.items():
                _inc(existing, kv, n)
        return dict(self.affinity_counts), anti, existing

    @staticmethod
    def _scan(pod: dict, snap: Snapshot) -> tuple[dict, dict, dict]:
        affinity = _terms(pod, "podAffinity", True)
        anti = _terms(pod, "podAntiAffinity", True)
        affinity_counts: dict = {}
        anti_counts: dict = {}
        existing_anti: dict = {}
        ns_labels = snap.ns_labels
        uid = pod["metadata"].get("uid")
        own = bool(affinity or anti)
        # neither this pod nor any placed one has affinity terms: nothing to count
        for info in (snap.infos if own or snap.has_affinity_pods() else ()):
            labels = info.labels
            for p in (info.pods if own else info.affinity_pods):
                if p["metadata"].get("uid") == uid and uid:
                    continue
                if affinity and all(t.matches(p, ns_labels) for t in affinity):
                    for t in affinity:
                        if t.key in labels:
                            _inc(affinity_counts, (t.key, labels[t.key]))
                for t in anti:
                    if t.key in labels and t.matches(p, ns_labels):
                        _inc(anti_counts, (t.key, labels[t.key]))
                for t in snap.terms(p, "podAntiAffinity", True):
                    if t.key in labels and t.matches(pod, ns_labels):
                        _inc(existing_anti, (t.key, labels[t.key]))
        return affinity_counts, anti_counts, existing_anti

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
        for key, counts in self.anti_refs:
            v = labels.get(key)
            if v is not None and counts.get((key, v), 0) > 0:
                return UNSCHEDULABLE, ERR_POD_ANTI_AFFINITY
        for key, counts in self.existing_refs:
            v = labels.get(key)
            if v is not None and counts.get((key, v), 0) > 0:
                return UNSCHEDULABLE, ERR_EXISTING_ANTI_AFFINITY
        return None


def _inc(d: dict, k, by=1) -> None:
    d[k] = d.get(k, 0) + by


# -- topology spread ----------------------------------------------------------------------

HOSTNAME = "kubernetes.io/hostname"
# the scheduler's system default constraints (PodTopologySpreadArgs.defaultingType System)
DEFAULT_SPREAD = (({"topologyKey": HOSTNAME, "maxSkew": 3, "whenUnsatisfiable": "ScheduleAnyway"}),
                  ({"topologyKey": "topology.kubernetes.io/zone", "maxSkew": 5, "whenUnsatisfiable": "ScheduleAnyway"}))


class Workloads:
    """The Services, ReplicationControllers, ReplicaSets and StatefulSets that helper.DefaultSelector
    reads to spread pods without constraints of their own."""

    def __init__(self, services=(), rcs=(), rss=(), stss=()):
        self.services: dict[str, list[dict]] = {}
        for s in services:
            self.services.setdefault(s["metadata"].get("namespace") or "", []).append(s)
        self.owners = {(kind, o["metadata"].get("namespace") or "", o["metadata"]["name"]): o
                       for kind, objs in (("v1/ReplicationController", rcs), ("apps/v1/ReplicaSet", rss),
                                          ("apps/v1/StatefulSet", stss)) for o in objs}


def default_selector(pod: dict, workloads: Workloads | None):
    """helper.DefaultSelector: the selectors of the Services selecting the pod merged, ANDed with
    its controller's (RC, RS or StatefulSet)."""
    from pykubectl.api.selectors import LabelSelector, from_label_selector, from_match_labels
    if workloads is None:
        return LabelSelector()
    meta = pod["metadata"]
    ns, labels = meta.get("namespace") or "", meta.get("labels") or {}
    merged: dict = {}
    for svc in workloads.services.get(ns, ()):
        sel = (svc.get("spec") or {}).get("selector")
        if sel and all(labels.get(k) == v for k, v in sel.items()):   # nil selectors match nothing
            merged.update(sel)
    owner = next((o for o in meta.get("ownerReferences") or () if o.get("controller")), None)
    obj = owner and workloads.owners.get((f"{owner.get('apiVersion')}/{owner.get('kind')}", ns, owner.get("name")))
    if obj is not None:
        sel = (obj.get("spec") or {}).get("selector")
        if owner.get("kind") == "ReplicationController":
            merged.update(sel or {})
        else:
            try:
                extra = from_label_selector(sel)
            except Exception:   # an invalid selector adds nothing, as LabelSelectorAsSelector's error does
                extra = LabelSelector()
            if not extra.nothing:
                return LabelSelector(list(from_match_labels(merged).requirements) + list(extra.requirements))
    return from_match_labels(merged)


class SpreadConstraint:
    """A topologySpreadConstraint with its selector parsed (matchLabelKeys' values ANDed in)."""
    __slots__ = ("key", "max_skew", "selector", "sel_key", "min_domains", "honor_affinity", "honor_taints")

    def __init__(self, c: dict, pod_labels: dict, selector=None):
        from pykubectl.api.selectors import EQUALS, LabelSelector, Requirement, from_label_selector
        self.key = c.get("topologyKey") or ""
        self.max_skew = int(c.get("maxSkew") or 1)
        sel = selector if selector is not None else from_label_selector(c.get("labelSelector"))
        keys = {k: pod_labels[k] for k in c.get("matchLabelKeys") or () if k in pod_labels}
        if keys and not sel.nothing:
            sel = LabelSelector(list(sel.requirements) + [Requirement(k, EQUALS, [v]) for k, v in keys.items()])
        self.selector = sel
        self.sel_key = (str(sel), sel.nothing)
        self.min_domains = int(c.get("minDomains") or 0)
        self.honor_affinity = (c.get("nodeAffinityPolicy") or "Honor") == "Honor"
        self.honor_taints = c.get("nodeTaintsPolicy") == "Honor"

    def pod_independent(self, selects_nodes: bool) -> bool:
        """Whether which nodes count does not depend on the incoming pod (then counts are shared)."""
        return not self.honor_taints and not (self.honor_affinity and selects_nodes)

    def includes(self, pod: dict, info: NodeInfo, selects_nodes: bool) -> bool:
        """matchNodeInclusionPolicies: whether the node's pods count toward its domain."""
        if self.honor_affinity and selects_nodes and not node_affinity_matches(pod, info.node):
            return False
        return not (self.honor_taints and untolerated(pod, info.node))


def spread_constraints(pod: dict, when: str, workloads: Workloads | None) -> list[SpreadConstraint]:
    """filterTopologySpreadConstraints for `when`, or the system defaults (with the pod's
    DefaultSelector) for a pod that declares no constraints."""
    labels = pod["metadata"].get("labels") or {}
    declared = (pod.get("spec") or {}).get("topologySpreadConstraints")
    if declared:
        return [SpreadConstraint(c, labels) for c in declared if c.get("whenUnsatisfiable") == when]
    if when != "ScheduleAnyway":
        return []
    sel = default_selector(pod, workloads)
    if sel.empty():
        return []
    return [SpreadConstraint(c, labels, sel) for c in DEFAULT_SPREAD]


class SpreadState:
    """PodTopologySpread's PreFilter for the pod's DoNotSchedule constraints."""

    def __init__(self, pod: dict, snap: Snapshot, selects_nodes: bool):
        ns = pod["metadata"].get("namespace") or ""
        self.constraints = []
        cons = spread_constraints(pod, "DoNotSchedule", None)
        keys = [c.key for c in cons]
        for c in cons:
            if c.pod_independent(selects_nodes):
                counts = snap.domain_counts(ns, c, tuple(keys))
            else:
                counts = {}
                for info in snap.infos:
                    # only nodes with every constraint's key, and passing its inclusion policies, count
                    if not all(k in info.labels for k in keys) or not c.includes(pod, info, selects_nodes):
                        continue
                    val = info.labels[c.key]
                    counts[val] = counts.get(val, 0) + info.count(ns, c.selector, c.sel_key)
            lowest = min(counts.values()) if counts else 0
            if c.min_domains and len(counts) < c.min_domains:
                lowest = 0
            selfm = 1 if c.selector.matches(pod["metadata"].get("labels") or {}) else 0
            self.constraints.append((c.key, c.max_skew, counts, lowest, selfm))

    def check(self, info: NodeInfo):
        for key, _, _, _, _ in self.constraints:
            if key not in info.labels:
                return UNRESOLVABLE, ERR_SPREAD_LABEL
        for key, skew, counts, lowest, selfm in self.constraints:
            if counts.get(info.labels[key], 0) + selfm - lowest > skew:
                return UNSCHEDULABLE, ERR_SPREAD
        return None


# -- volumes ------------------------------------------------------------------------------

ERR_VOLUME_NODE_CONFLICT = "node(s) had volume node affinity conflict"
ERR_VOLUME_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
ERR_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
ERR_VOLUME_ZONE = "node(s) had no available volume zone"
ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
# the topology labels VolumeZone compares (GA and the deprecated beta ones)
ZONE_LABELS = {"topology.kubernetes.io/zone": "topology.kubernetes.io/zone",
               "topology.kubernetes.io/region": "topology.kubernetes.io/region",
               "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
               "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region"}


def pod_claim_names(pod: dict) -> list[str]:
    """The claims a pod's volumes name (generic ephemeral volumes are not modelled)."""
    return [v["persistentVolumeClaim"]["claimName"] for v in (pod.get("spec") or {}).get("volumes") or ()
            if (v.get("persistentVolumeClaim") or {}).get("claimName")]


class Storage:
    """The claims, volumes and classes VolumeBinding reads, with what this cycle has assumed
    (the scheduler's PV and PVC assume caches)."""

    def __init__(self, claims=(), volumes=(), classes=()):
        self.claims = {(c["metadata"].get("namespace") or "", c["metadata"]["name"]): c for c in claims}
        self.volumes = {v["metadata"]["name"]: v for v in volumes}
        self.classes = {c["metadata"]["name"]: c for c in classes}

    def delay_binding(self, claim: dict) -> bool:
        """IsDelayBindingMode: the claim's class exists and waits for its first consumer."""
        from pykubectl.storage.binding import claim_class
        cls = self.classes.get(claim_class(claim))
        return (cls or {}).get("volumeBindingMode") == "WaitForFirstConsumer"

    def assume_volume(self, pv: dict) -> None:
        self.volumes[pv["metadata"]["name"]] = pv

    def assume_claim(self, claim: dict) -> None:
        m = claim["metadata"]
        self.claims[(m.get("namespace") or "", m["name"])] = claim


def claim_fully_bound(claim: dict) -> bool:
    """isPVCFullyBound: a volume name and the bind-completed annotation."""
    from pykubectl.storage.binding import BIND_COMPLETED
    return bool((claim.get("spec") or {}).get("volumeName")) and \
        BIND_COMPLETED in ((claim["metadata"].get("annotations")) or {})


def topology_matches(terms, labels: dict) -> bool:
    """MatchTopologySelectorTerms: a class's allowedTopologies (ORed terms, ANDed expressions)."""
    if not terms:
        return True
    return any(all(labels.get(e.get("key")) in (e.get("values") or ()) for e in t.get("matchLabelExpressions") or ())
               for t in terms)


class VolumeState:
    """VolumeBinding's PreFilter (the pod's claims sorted into bound and delayed; `error` when the
    pod cannot be scheduled anywhere) and VolumeZone's bound-volume topology."""

    def __init__(self, pod: dict, storage: Storage | None):
        from pykubectl.storage.binding import requested
        self.storage = storage
        self.error: str | None = None
        self.bound: list[tuple[dict, dict | None]] = []
        self.delayed: list[dict] = []
        self.zones: list[tuple[str, set]] = []
        names = pod_claim_names(pod)
        if not names or storage is None:
            return
        ns = pod["metadata"].get("namespace") or ""
        claims = []
        for name in names:
            claim = storage.claims.get((ns, name))
            if claim is None:
                self.error = f'persistentvolumeclaim "{name}" not found'
                return
            if (claim.get("status") or {}).get("phase") == "Lost":
                self.error = (f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume '
                              f'"{(claim.get("spec") or {}).get("volumeName", "")}"')
                return
            if claim["metadata"].get("deletionTimestamp"):
                self.error = f'persistentvolumeclaim "{name}" is being deleted'
                return
            claims.append(claim)
        immediate = False
        for claim in claims:
            if claim_fully_bound(claim):
                self.bound.append((claim, storage.volumes.get(claim["spec"]["volumeName"])))
            elif storage.delay_binding(claim) and not (claim.get("spec") or {}).get("volumeName"):
                self.delayed.append(claim)
            else:
                immediate = True   # pre-bound claims count as immediate ones too
        if immediate:
            self.error = ERR_UNBOUND_IMMEDIATE
            return
        self.delayed.sort(key=requested)   # smallest claims pick their volumes first
        for _, pv in self.bound:
            for key, value in ((pv or {}).get("metadata", {}).get("labels") or {}).items():
                if key in ZONE_LABELS:
                    self.zones.append((key, set(value.split("__"))))

    def find(self, node: dict):
        """FindPodVolumes: (reasons, static bindings [(claim, pv)], claims to provision)."""
        from pykubectl.storage.binding import SELECTED_NODE, claim_class, find_best_match, node_fits
        node_conflict = bind_conflict = pv_missing = False
        static: list = []
        provision: list = []
        for _, pv in self.bound:
            if pv is None:
                pv_missing = True
                break
            if not node_fits(pv, node):
                node_conflict = True
                break
        name = node["metadata"]["name"]
        to_match = []
        for claim in self.delayed:
            selected = (claim["metadata"].get("annotations") or {}).get(SELECTED_NODE)
            if selected is None:
                to_match.append(claim)
            elif selected != name:
                bind_conflict = True     # already promised to another node
                break
            else:
                provision.append(claim)
        if not bind_conflict:
            chosen: set = set()
            for claim in to_match:
                cls = claim_class(claim)
                pool = [v for n, v in self.storage.volumes.items() if n not in chosen
                        and ((v.get("spec") or {}).get("storageClassName") or "") == cls]
                pv = find_best_match(claim, pool, node, True)
                if pv is None:
                    provision.append(claim)
                else:
                    chosen.add(pv["metadata"]["name"])
                    static.append((claim, pv))
            labels = node["metadata"].get("labels") or {}
            for claim in provision:
                cls = self.storage.classes.get(claim_class(claim)) or {}
                if cls.get("provisioner") in (None, "", NO_PROVISIONER) or \
                        not topology_matches(cls.get("allowedTopologies"), labels):
                    bind_conflict = True
                    break
        reasons = [r for r, bad in ((ERR_VOLUME_NODE_CONFLICT, node_conflict),
                                    (ERR_VOLUME_BIND_CONFLICT, bind_conflict), (ERR_PV_NOT_EXIST, pv_missing)) if bad]
        return reasons, static, provision

    def zone_fits(self, labels: dict) -> bool:
        """VolumeZone's Filter: every bound volume's zone/region label admits the node's."""
        for key, values in self.zones:
            v = labels.get(key)
            if v is None:
                v = labels.get(ZONE_LABELS[key])
            if v is None or v not in values:
                return False
        return True


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
        self.nonzero_req = pod_requests(pod, True)
        self.tolerations = self.spec.get("tolerations")
        na = (self.spec.get("affinity") or {}).get("nodeAffinity") or {}
        self.selects_nodes = bool(self.spec.get("nodeSelector") or na.get("requiredDuringSchedulingIgnoredDuringExecution"))
        self.spread = SpreadState(pod, snap, self.selects_nodes)
        self.volumes = VolumeState(pod, snap.storage)
        self.preferred_nodes = na.get("preferredDuringSchedulingIgnoredDuringExecution") or ()
        self.shape = snap.shape(pod)

    def _local(self, info: NodeInfo) -> list:
        """What depends only on the node and this pod's spec, cached on the node until its pods
        change: a Deployment's next replica reuses every node's verdict but the last one's."""
        hit = info.local.get(self.shape)
        if hit is None:
            hit = info.local[self.shape] = [self._local_filter(info), None]
        return hit

    def filter(self, info: NodeInfo):
        """(plugin, code, [reasons]) of the first failing filter, or None when the node fits."""
        why = self._local(info)[0]
        if why:
            return why
        vols = self.volumes
        if vols.bound or vols.delayed:
            reasons = vols.find(info.node)[0]
            if reasons:
                return "VolumeBinding", UNRESOLVABLE, reasons
            if vols.zones and not vols.zone_fits(info.labels):
                return "VolumeZone", UNRESOLVABLE, [ERR_VOLUME_ZONE]
        if self.spread.constraints:
            bad = self.spread.check(info)
            if bad:
                return "PodTopologySpread", bad[0], [bad[1]]
        bad = self.affinity.check(info)
        if bad:
            return "InterPodAffinity", bad[0], [bad[1]]
        return None

    def _local_filter(self, info: NodeInfo):
        """NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit."""
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
        return None

    # -- scores -------------------------------------------------------------------------
    def scores(self, infos: list[NodeInfo]) -> dict[str, dict[str, int]]:
        """Per node, per plugin: the normalized score (0-100) before weights."""
        return score_table(infos, self.columns(infos))

    def columns(self, infos: list[NodeInfo]) -> dict[str, list[int]]:
        """Per plugin, the normalized scores of `infos` in order (lists: the hot path)."""
        taints, affinity, least, balanced, image = zip(*[self._local_scores(i) for i in infos])
        # TaintToleration and NodeAffinity normalize against the worst / best node
        top = max(taints)
        taint_col = [MAX_SCORE - MAX_SCORE * v // top for v in taints] if top else [MAX_SCORE] * len(infos)
        top = max(affinity)
        affinity_col = [MAX_SCORE * v // top for v in affinity] if top else [0] * len(infos)
        return {"TaintToleration": taint_col, "NodeAffinity": affinity_col,
                "PodTopologySpread": self._spread_score(infos), "InterPodAffinity": self._pod_affinity_score(infos),
                "NodeResourcesFit": list(least), "NodeResourcesBalancedAllocation": list(balanced),
                "ImageLocality": list(image)}

    def _local_scores(self, info: NodeInfo) -> tuple:
        """The node-local raw scores: untolerated PreferNoSchedule taints, preferred node affinity
        weight, LeastAllocated, BalancedAllocation and ImageLocality."""
        hit = self._local(info)
        if hit[1] is None:
            hit[1] = (self._taint_raw(info), self._node_affinity_raw(info), *self._resource_scores(info),
                      self._image_score(info))
        return hit[1]

    def _taint_raw(self, info: NodeInfo) -> int:
        if not info.taints:
            return 0
        tols = [t for t in self.spec.get("tolerations") or () if t.get("effect") in (None, "", "PreferNoSchedule")]
        return sum(1 for t in info.taints if t.get("effect") == "PreferNoSchedule" and not tolerates(tols, t))

    def _node_affinity_raw(self, info: NodeInfo) -> int:
        from pykubectl.api.selectors import node_selector_term_matches
        return sum(int(t.get("weight") or 0) for t in self.preferred_nodes
                   if t.get("weight") and node_selector_term_matches(t.get("preference") or {}, info.node))

    def _pod_affinity_score(self, infos, scan: bool = False) -> list[int]:
        """InterPodAffinity's Score: per topology pair, the weights of the pod's preferred terms
        times the placed pods they match, plus the placed pods' terms that match the pod; from
        the snapshot's indexes (`scan=True`: by visiting every placed pod, the reference)."""
        pod, snap, ns_labels = self.pod, self.snap, self.snap.ns_labels
        pref = _terms(pod, "podAffinity", False)
        anti = _terms(pod, "podAntiAffinity", False)
        topo: dict = {}
        if scan:
            if not pref and not anti and not any(i.scoring_pods for i in snap.infos):
                return [0] * len(infos)

            def process(terms, target, node_labels, sign):
                for t in terms:
                    if t.weight and t.key in node_labels and t.matches(target, ns_labels):
                        _inc(topo, (t.key, node_labels[t.key]), t.weight * sign)

            for info in snap.infos:
                if not info.labels:
                    continue
                for p in (info.pods if pref or anti else info.scoring_pods):
                    process(pref, p, info.labels, 1)
                    process(anti, p, info.labels, -1)
                    for kind, required, sign in SCORING_TERMS:
                        process(snap.terms(p, kind, required), pod, info.labels, sign)
        else:
            for terms, sign in ((pref, 1), (anti, -1)):
                for t in terms:
                    if t.weight:
                        for kv, n in snap.match_counts([t]).items():
                            _inc(topo, kv, t.weight * sign * n)
            for (_, weight), (t, counts) in snap.scoring_index().items():
                if t.matches(pod, ns_labels):
                    for kv, n in counts.items():
                        _inc(topo, kv, weight * n)
        if not topo:
            return [0] * len(infos)
        raw = [sum(topo.get(kv, 0) for kv in i.labels.items()) for i in infos]
        lo, hi = min(raw, default=0), max(raw, default=0)
        return [int(MAX_SCORE * (v - lo) / (hi - lo)) if hi > lo else 0 for v in raw]

    def _spread_score(self, infos) -> list[int]:
        """PodTopologySpread's Score: ScheduleAnyway constraints (or the system defaults) favour
        the domains with the fewest matching pods; normalized so the emptiest scores 100."""
        import math
        cons = spread_constraints(self.pod, "ScheduleAnyway", self.snap.workloads)
        out = [0] * len(infos)
        if not cons:
            return out
        ns = self.pod["metadata"].get("namespace") or ""
        require_all = bool(self.spec.get("topologySpreadConstraints"))   # system defaults do not
        keys = tuple(c.key for c in cons)
        # nodes without every key are ignored (score 0) under explicit constraints
        index = [n for n, i in enumerate(infos) if all(k in i.labels for k in keys)] if require_all \
            else range(len(infos))
        if not index:
            return out
        live = [infos[n] for n in index]
        raw = [0.0] * len(live)
        for c in cons:
            key, base = c.key, c.max_skew - 1
            if key == HOSTNAME:
                # per-node counts; the topology size is the number of scored nodes
                w = math.log(len(live) + 2)
                ck = (ns, c.sel_key)
                for n, i in enumerate(live):
                    if key in i.labels:
                        cnt = i._counts.get(ck)
                        raw[n] += (cnt if cnt is not None else i.count(ns, c.selector, c.sel_key)) * w + base
                continue
            if not any(key in i.labels for i in live):
                continue
            # the domains of the scored nodes (a node without the key is the "" domain)
            w = math.log(len({i.labels.get(key, "") for i in live}) + 2)
            if c.pod_independent(self.selects_nodes):
                counts = self.snap.domain_counts(ns, c, keys if require_all else (key,))
            else:
                counts = {}
                for info in self.snap.infos:
                    if all(k in info.labels for k in (keys if require_all else (key,))) \
                            and c.includes(self.pod, info, self.selects_nodes):
                        v = info.labels[key]
                        counts[v] = counts.get(v, 0) + info.count(ns, c.selector, c.sel_key)
            for n, i in enumerate(live):
                v = i.labels.get(key)
                if v is not None:
                    raw[n] += counts.get(v, 0) * w + base
        rounded = [math.floor(r + 0.5) for r in raw]   # Go's math.Round: halves away from zero
        lo, hi = min(rounded), max(rounded)
        for n, v in zip(index, rounded):
            out[n] = MAX_SCORE if hi == 0 else MAX_SCORE * (hi + lo - v) // hi
        return out

    def _image_score(self, info: NodeInfo) -> int:
        """ImageLocality: the sizes of the pod's images already on the node, each scaled by the
        share of nodes holding it, between 23 MiB and 1000 MiB per container."""
        if not info.images:
            return 0
        spec = self.spec
        images = [_normalized_image(c.get("image") or "")
                  for c in list(spec.get("initContainers") or ()) + list(spec.get("containers") or ())]
        total = len(self.snap.infos)
        s = sum(int(info.images[img] * (self.snap.image_nodes(img) / total)) for img in images if img in info.images)
        lo, hi = 23 * MB, 1000 * MB * len(images)
        return MAX_SCORE * (min(max(s, lo), hi) - lo) // (hi - lo)

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


MB = 1024 * 1024


def _normalized_image(name: str) -> str:
    """ImageLocality's normalizedImageName: a tag-less name gets `:latest` and nothing more, so
    `nginx` does not match the runtime's `docker.io/library/nginx:latest` (as in v1.32)."""
    return name + ":latest" if name.rfind(":") <= name.rfind("/") else name


class Result:
    """What a cycle decided: the node (or None), each rejected node's failure, each feasible
    node's scores."""

    def __init__(self):
        self.node: str | None = None
        self.failures: dict[str, tuple] = {}
        self.fits: list[NodeInfo] = []
        self.columns: dict[str, list[int]] = {}   # per plugin, the fits' normalized scores
        self.totals: dict[str, int] = {}
        self.pre_filter = ""          # a PreFilter's verdict for every node
        self.static: list = []        # VolumeBinding's (claim, volume) pairs for the chosen node
        self.provision: list = []     # and the claims to provision there

    @property
    def scores(self) -> dict[str, dict[str, int]]:
        """Each feasible node's normalized score per plugin."""
        return score_table(self.fits, self.columns) if self.fits else {}

    def total(self, node: str) -> int:
        return self.totals[node]


def score_table(infos: list, columns: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    return {i.name: {p: col[n] for p, col in columns.items()} for n, i in enumerate(infos)}


def weighted_totals(columns: dict[str, list[int]]) -> list[int]:
    """Each node's total: the plugins' normalized scores times their WEIGHTS (unrolled: this runs
    for every feasible node of every cycle)."""
    return [3 * t + 2 * (a + s + p) + f + b + i for t, a, s, p, f, b, i in zip(
        columns["TaintToleration"], columns["NodeAffinity"], columns["PodTopologySpread"], columns["InterPodAffinity"],
        columns["NodeResourcesFit"], columns["NodeResourcesBalancedAllocation"], columns["ImageLocality"])]


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
    if cyc.volumes.error:
        # a PreFilter rejection: every node gets the same status, the message is said once
        res.pre_filter = cyc.volumes.error
        res.failures = {i.name: ("VolumeBinding", UNRESOLVABLE, [res.pre_filter]) for i in snap.infos}
        return res
    fits = []
    infos, n = snap.infos, len(snap.infos)
    want = nodes_to_find(n)
    processed = 0
    # node-local filters, and InterPodAffinity's lookups when it is the only other one: the
    # local verdicts are cached per node and pod shape (the hot loop, so spelt out here)
    simple = not (cyc.volumes.bound or cyc.volumes.delayed or cyc.spread.constraints)
    check = cyc.affinity.check if simple and cyc.affinity.active else None
    shape = cyc.shape
    # round robin from where the last cycle stopped, until enough feasible nodes are found
    for i in range(n):
        info = infos[(snap.next_start + i) % n]
        processed += 1
        if simple:
            hit = info.local.get(shape)
            why = hit[0] if hit is not None else cyc._local(info)[0]
            if not why and check is not None:
                bad = check(info)
                if bad:
                    why = "InterPodAffinity", bad[0], [bad[1]]
        else:
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
    res.fits, res.columns = fits, cyc.columns(fits)
    # ties: fewest pods, then name (kube-scheduler picks uniformly at random among the best)
    totals = weighted_totals(res.columns)
    res.totals = {i.name: t for i, t in zip(fits, totals)}
    top = max(totals)
    best = min((i for i, t in zip(fits, totals) if t == top), key=lambda i: (len(i.pods), i.name))
    res.node = best.name
    if cyc.volumes.delayed:
        _, res.static, res.provision = cyc.volumes.find(best.node)
    return res


def histogram(reasons) -> str:
    counts: dict[str, int] = {}
    for r in reasons:
        counts[r] = counts.get(r, 0) + 1
    return ", ".join(sorted(f"{n} {r}" for r, n in counts.items()))


def fit_error(n_nodes: int, failures: dict, post_filter: str = "", pre_filter: str = "") -> str:
    """framework.FitError.Error(): a PreFilter's message once, else the per-node histogram."""
    msg = f"0/{n_nodes} nodes are available:"
    hist = pre_filter or histogram(r for _, _, reasons in failures.values() for r in reasons)
    if hist:
        msg += f" {hist}."
    if post_filter:
        msg += f" {post_filter}"   # PostFilter messages bring their own full stop
    return msg


def _fails(pod: dict, snap: Snapshot, info: NodeInfo):
    """The pod's first failing filter on `info` after its pods were changed in place."""
    snap.changed()
    return Cycle(pod, snap).filter(info)


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
        info.remove_all(lower)
        if _fails(pod, snap, info):
            for p in lower:
                info.add(p)
            snap.changed()
            statuses[info.name] = list(res.failures[info.name][2])
            continue
        victims = []
        for p in lower:   # reprieve, most important first
            info.add(p)
            if _fails(pod, snap, info):
                info.remove(p)
                victims.append(p)
        for p in victims:
            info.add(p)
        snap.changed()
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


def _revision(pod: dict) -> int:
    rv = pod["metadata"].get("resourceVersion") or ""
    return int(rv) if rv.isdigit() else 0


def _attempted(pod: dict) -> bool:
    """Tried and found unschedulable (PodScheduled False)."""
    return any(c.get("type") == "PodScheduled" and c.get("status") == "False"
               for c in (pod.get("status") or {}).get("conditions") or ())


class Scheduler(Controller):
    name = "scheduler"
    manager = "kube-scheduler"
    watches = (("", "pods"), ("", "nodes"), ("", "namespaces"), ("", "persistentvolumeclaims"),
               ("", "persistentvolumes"), ("storage.k8s.io", "storageclasses"))

    # pod changes read from the change log per cycle before a full relist is cheaper
    SYNC_LIMIT = 2000

    def __init__(self):
        # every pod as of a store revision, kept across cycles within the process (the
        # scheduler cache's informer): (revision, that revision's change row, {(ns, name): pod})
        self._pods: tuple | None = None
        # NodeInfos of those pods per node, updated with them: (nodes' versions, {name: NodeInfo})
        self._kept: tuple | None = None

    def observe(self, changes):
        """Keep the pods decoded in earlier cycles (and their NodeInfos) current from the
        engine's batches, so they do not fall behind the log's compaction between cycles."""
        from pykubectl.controllers.manager import fresh_changes
        cache = self._pods
        todo = fresh_changes(cache[:2], changes) if cache is not None else None
        if not todo:
            return
        pods = cache[2]
        kept = self._kept[1] if self._kept is not None else None
        for _, type_, grp, res, ns, name, obj in todo:
            if grp == "" and res == "pods":
                self._apply_change(pods, kept, type_, ns, name, obj)
        self._pods = (todo[-1][0], todo[-1], pods)

    @staticmethod
    def _apply_change(pods, kept, type_, ns, name, obj):
        old = pods.pop((ns, name), None) if type_ == "DELETED" else pods.get((ns, name))
        if type_ != "DELETED":
            pods[(ns, name)] = obj
        if kept is not None:
            _unplace(kept, old)
            _place(kept, obj if type_ != "DELETED" else None)

    def all_pods(self, view) -> list[dict]:
        """view.list("pods"), in its order, from the pods decoded in earlier cycles brought up to
        date with the pod changes since: a cycle decodes what changed, not every pod. A relist
        when the log cannot say (compacted past the cached revision, a rolled-back revision
        reused, too many changes) or the view is not the engine's."""
        pods = self.synced_pods(view)
        if pods is None:
            return view.list("pods")
        return [pods[k] for k in sorted(pods)]

    def synced_pods(self, view) -> dict | None:
        """The kept pods, (namespace, name) -> pod, brought up to date (None: not the engine's view)."""
        txn = getattr(view, "txn", None)
        if txn is None or not hasattr(txn, "changes_since"):
            return None
        rev = txn.revision()
        cache = self._pods
        pods = None
        if cache is not None and cache[1] is not None and rev >= cache[0] >= txn.compacted():
            crev, marker, pods = cache
            # the revision's own change still there and the same: no rollback rewrote history
            if crev and txn.changes_since(crev - 1, 1)[:1] != [marker]:
                pods = None
            elif rev > crev:
                changes = txn.changes_since(crev, self.SYNC_LIMIT, "", "pods")
                if len(changes) >= self.SYNC_LIMIT:
                    pods = None
                else:
                    kept = self._kept[1] if self._kept is not None else None
                    for _, type_, _, _, ns, name, obj in changes:
                        self._apply_change(pods, kept, type_, ns, name, obj)
        if pods is None:
            self._kept = None
            pods = {(p["metadata"].get("namespace") or "", p["metadata"]["name"]): p for p in view.list("pods")}
        marker = txn.changes_since(rev - 1, 1)[:1] if rev else [(0,)]   # revision 0: nothing to rewrite
        self._pods = (rev, marker[0] if marker and marker[0][0] == rev else None, pods)
        return pods

    def kept_nodes(self, nodes: list[dict], pods, pods_on=None) -> dict | None:
        """Per node, a NodeInfo of its placed pods kept across cycles (all_pods updates it from
        the pod changes): a cycle then copies per node instead of placing every pod. A node
        that changed gets a new NodeInfo with the pods of its old one; a new node, its pods from
        `pods_on(name)` (the store's nodeName index); without that, everything is rebuilt from
        the listing `pods` (a list, or a callable making it). None without kept pods (a view
        that is not the engine's)."""
        if self._pods is None:
            return None
        sig = {n["metadata"]["name"]: n["metadata"].get("resourceVersion") for n in nodes}
        if self._kept is not None and self._kept[0] == sig and None not in sig.values():
            return self._kept[1]
        kept = None
        if self._kept is not None and pods_on is not None and None not in sig.values():
            old_sig, old = self._kept
            kept = {}
            for n in nodes:
                name = n["metadata"]["name"]
                prev = old.get(name)
                if prev is not None and old_sig.get(name) == sig[name]:
                    kept[name] = prev
                    continue
                info = kept[name] = NodeInfo(n)
                if prev is not None:
                    info.copy_from(prev)
                else:
                    for p in sorted(pods_on(name), key=_listing_order):
                        if counted(p):
                            info.add(p)
        if kept is None:
            kept = {n["metadata"]["name"]: NodeInfo(n) for n in nodes}
            for p in (pods() if callable(pods) else pods):   # the listing, made only when needed
                _place(kept, p)
        self._kept = (sig, kept)
        return kept

    def keys_for(self, type_, group, res, obj):
        if res in ("nodes", "persistentvolumes", "storageclasses"):
            return [PENDING]      # a node added, relabelled, retainted or uncordoned; a volume or class
        if res == "namespaces":
            return [PENDING] if type_ != "DELETED" else []   # namespaceSelector terms
        if res == "persistentvolumeclaims":
            # a claim created, bound or given its selected node: the pods that use it
            meta = obj.get("metadata") or {}
            return [make_key("", res, meta.get("namespace", ""), meta["name"])] if type_ != "DELETED" else []
        meta = obj.get("metadata") or {}
        if type_ != "DELETED" and _schedulable(obj):
            return [make_key("", "pods", meta.get("namespace", ""), meta["name"])]
        # a pod bound, changed or gone may let an unschedulable one in (affinity, room, ports)
        return [PENDING]

    def reconcile(self, key, view, now):
        res = split_key(key)[1] if key != PENDING else ""
        if res == "persistentvolumeclaims":
            _, _, ns, claim = split_key(key)
            if not any(_schedulable(p) and claim in pod_claim_names(p)
                       for p in view.list("pods", ns, index=("unbound", "true"))):
                return []
        elif key != PENDING:
            _, _, ns, name = split_key(key)
            pod = view.get("pods", ns, name)
            if pod is None or not _schedulable(pod):
                return []   # bound already (often by this same batch) or gone: no listing
        elif not any(_attempted(p) for p in view.list("pods", index=("unbound", "true"))):
            return []   # PENDING with no pod waiting for room (the store indexes unbound pods)
        kept_pods = self.synced_pods(view)
        if kept_pods is None:
            pods = listing = view.list("pods")
        else:
            # every schedulable pod is unbound: the store's index gives them without a pass over
            # every kept pod; the full listing is made only if the NodeInfos must be rebuilt
            pods = view.list("pods", index=("unbound", "true"))
            listing = None
        if key == PENDING:
            todo = [p for p in pods if _schedulable(p) and _attempted(p)]
        elif res == "persistentvolumeclaims":
            todo = [p for p in pods if _schedulable(p) and (p["metadata"].get("namespace") or "") == ns
                    and claim in pod_claim_names(p)]
        else:
            # every pod not yet tried goes in this one cycle's snapshot, as the active queue would
            todo = [p for p in pods if _schedulable(p) and not _attempted(p)
                    or p["metadata"].get("uid") == pod["metadata"].get("uid")]
        if not todo:
            return []
        storage = None
        if any(pod_claim_names(p) for p in todo):
            storage = Storage(view.list("persistentvolumeclaims"), view.list("persistentvolumes"),
                              view.list("storageclasses.storage.k8s.io"))
        workloads = None
        if any(p["metadata"].get("labels") and not (p.get("spec") or {}).get("topologySpreadConstraints")
               for p in todo):
            # the system default spreading needs the Services and controllers selecting the pods
            workloads = Workloads(view.list("services"), view.list("replicationcontrollers"),
                                  view.list("replicasets.apps"), view.list("statefulsets.apps"))
        nodes = view.list("nodes")

        def everything():
            return listing if listing is not None else [kept_pods[k] for k in sorted(kept_pods)]
        kept = self.kept_nodes(nodes, everything, lambda name: view.list("pods", index=("nodeName", name)))
        snap = Snapshot(nodes, everything() if kept is None else (), view.list("namespaces"), storage, workloads, kept)
        actions = []
        # the scheduling queue's order: priority first, then the oldest (creationTimestamp has
        # whole seconds: pods created in the same second keep the order they were written in,
        # their resourceVersion, as the queue's enqueue timestamps would)
        for pod in sorted(todo, key=lambda p: (-pod_priority(p), p["metadata"].get("creationTimestamp") or "",
                                               _revision(p), p["metadata"]["name"])):
            actions += self.schedule(pod, snap, now)
        return actions

    def schedule(self, pod, snap, now):
        res = schedule_one(pod, snap)
        # spec and status get new values (never changed in place): copies one level deep suffice
        # (metadata too: the write stamps it, and the pod may be the one kept across cycles)
        pod = {**pod, "metadata": dict(pod["metadata"]), "spec": dict(pod.get("spec") or {}),
               "status": dict(pod.get("status") or {})}
        meta = pod["metadata"]
        st = pod["status"]
        if res.node is None:
            node, victims, post = preempt(pod, snap, res) if res.failures else (None, [], "")
            msg = fit_error(len(snap.infos), res.failures, post, res.pre_filter)
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
                    snap.changed()
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
        actions = self.bind_volumes(res, snap, node_name)
        if not all(_simulated_provisioner(snap.storage, c) for c in res.provision):
            # PreBind waits for an external provisioner this cluster does not run: the pod stays
            # unbound, and its claims' selected node keeps the next attempt on this node
            return actions
        pod["spec"]["nodeName"] = node_name
        st.pop("nominatedNodeName", None)
        st["conditions"] = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"] + [
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": rfc3339(now)}]
        return actions + [
                Put("pods", pod),
                Event(pod, "Normal", "Scheduled",
                      f"Successfully assigned {meta.get('namespace')}/{meta['name']} to {node_name}", dict(SOURCE))]

    @staticmethod
    def bind_volumes(res, snap, node_name) -> list:
        """VolumeBinding's Reserve and PreBind: the chosen volumes pre-bound to their claims
        (the PV controller then completes the binding), the other claims given the selected node
        (their provisioner then provisions for it)."""
        from pykubectl.storage import binding as b
        out = []
        for claim, pv in res.static:
            if b.bound_to(pv, claim) and (pv["spec"]["claimRef"].get("uid") == claim["metadata"].get("uid")):
                continue
            pv = copy.deepcopy(pv)   # GetBindVolumeToClaim
            if not pv["spec"].get("claimRef"):
                pv["metadata"].setdefault("annotations", {}).setdefault(b.BOUND_BY_CONTROLLER, "yes")
            pv["spec"]["claimRef"] = b.claim_ref(claim)
            snap.storage.assume_volume(pv)
            out.append(Put("persistentvolumes", pv))
        for claim in res.provision:
            if (claim["metadata"].get("annotations") or {}).get(b.SELECTED_NODE) == node_name:
                continue
            claim = copy.deepcopy(claim)
            claim["metadata"].setdefault("annotations", {})[b.SELECTED_NODE] = node_name
            snap.storage.assume_claim(claim)
            out.append(Put("persistentvolumeclaims", claim))
        return out


def _place(kept: dict, pod: dict | None) -> None:
    if pod is not None and counted(pod):
        info = kept.get((pod.get("spec") or {}).get("nodeName"))
        if info is not None:
            info.add(pod)
            # kept in listing order, as a fresh placement has them (preemption's victims follow it)
            for pods in (info.pods, info.affinity_pods, info.scoring_pods):
                if len(pods) > 1 and pods[-1] is pod and _listing_order(pods[-2]) > _listing_order(pod):
                    pods.sort(key=_listing_order)


def _unplace(kept: dict, pod: dict | None) -> None:
    if pod is not None and counted(pod):
        info = kept.get((pod.get("spec") or {}).get("nodeName"))
        if info is not None:
            info.remove(pod)


def _simulated_provisioner(storage: Storage, claim: dict) -> bool:
    """Whether a provisioner this cluster runs serves the claim's class, so binding completes
    within the same reconcile (the only one is the lab's NFS provisioner)."""
    from pykubectl.controllers.provisioner import PROVISIONER
    from pykubectl.storage.binding import claim_class
    return (storage.classes.get(claim_class(claim)) or {}).get("provisioner") == PROVISIONER


def controllers(cluster):
    return [Scheduler()]
