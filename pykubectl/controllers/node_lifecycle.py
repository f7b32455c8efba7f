"""The node lifecycle and taint eviction controllers of kube-controller-manager v1.32.

Node health: a kubelet's heartbeats are steady, so they are not replayed; a node's Lease in
kube-node-lease carries `pykubectl.io/heartbeat: stopped` once `sim node down` stops them, with
renewTime frozen at that moment. After the 50 s node-monitor grace period the node's conditions go
Unknown ("Kubelet stopped posting node status.") and it gets the `node.kubernetes.io/unreachable`
NoSchedule and NoExecute taints; `sim node up` restores both.

Taint eviction: a pod on a node with a NoExecute taint it does not tolerate is deleted at once; one
that tolerates every such taint for a while (tolerationSeconds) is deleted when the shortest of
those runs out, counted from the taint's timeAdded (else from when the controller saw it); each
deletion has a Normal TaintManagerEviction event "Marking for deletion Pod ns/name".
"""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Delete, Event, Put, Timer, make_key, split_key
from pykubectl.controllers.scheduler import tolerates_taint
from pykubectl.store.clock import parse_time, rfc3339, rfc3339_micro

GRACE_PERIOD = 50.0     # --node-monitor-grace-period
HEARTBEAT = "pykubectl.io/heartbeat"
LEASE_NS = "kube-node-lease"
UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_SOURCE = {"component": "taint-eviction-controller"}
NODE_SOURCE = {"component": "node-controller"}
# what a healthy kubelet reports, restored when heartbeats resume
HEALTHY = {
    "Ready": ("True", "KubeletReady", "kubelet is posting ready status"),
    "MemoryPressure": ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    "DiskPressure": ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    "PIDPressure": ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
}


def heartbeat_patch(up: bool, now: float) -> dict:
    """The merge patch `sim node down|up` sends to the node's Lease."""
    return {"metadata": {"annotations": {HEARTBEAT: None if up else "stopped"}},
            "spec": {"renewTime": rfc3339_micro(now)}}


def heartbeat_stopped(view, node_name: str) -> bool:
    """Whether `sim node down` stopped the node's kubelet. An unreachable kubelet does nothing for
    its pods: no status, no probes, no container stops and no final deletion, so a pod evicted
    from the node stays Terminating in the API until the node comes back."""
    lease = view.get("leases.coordination.k8s.io", LEASE_NS, node_name)
    return lease is not None and (lease["metadata"].get("annotations") or {}).get(HEARTBEAT) == "stopped"


# -- taint eviction -------------------------------------------------------------------------

def eviction_due(pod: dict, node: dict, now: float) -> float | None:
    """When the pod must go because of the node's NoExecute taints: `now` if one is not tolerated,
    the end of the shortest tolerationSeconds otherwise, None if tolerated for ever."""
    taints = [t for t in (node.get("spec") or {}).get("taints") or () if t.get("effect") == "NoExecute"]
    if not taints:
        return None
    tols = (pod.get("spec") or {}).get("tolerations") or ()
    due = None
    for taint in taints:
        used = [t for t in tols if tolerates_taint(t, taint)]
        if not used:
            return now
        secs = [t["tolerationSeconds"] for t in used if t.get("tolerationSeconds") is not None]
        if len(secs) < len(used):
            continue  # one toleration without a limit tolerates for ever
        start = parse_time(taint.get("timeAdded")) or now
        at = start + max(0, min(int(s) for s in secs))
        due = at if due is None else min(due, at)
    return due


def evict(pod: dict, now: float) -> list:
    meta = pod["metadata"]
    ns, name = meta.get("namespace", ""), meta["name"]
    pod = copy.deepcopy(pod)
    st = pod.setdefault("status", {})
    st["conditions"] = [c for c in st.get("conditions") or () if c.get("type") != "DisruptionTarget"] + [{
        "type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
        "message": "Taint manager: deleting due to NoExecute taint",
        "lastProbeTime": None, "lastTransitionTime": rfc3339(now)}]
    return [Event(pod, "Normal", "TaintManagerEviction", f"Marking for deletion Pod {ns}/{name}", dict(TAINT_SOURCE)),
            Put("pods", pod, status=True),
            Delete("pods", ns, name, uid=meta.get("uid"))]


class TaintEviction(Controller):
    name = "taint-eviction"
    manager = "kube-controller-manager"
    watches = (("", "nodes"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        meta = obj.get("metadata") or {}
        if type_ == "DELETED":
            return []
        if res == "nodes":
            if any(t.get("effect") == "NoExecute" for t in (obj.get("spec") or {}).get("taints") or ()):
                return [make_key("", "nodes", "", meta["name"])]
            return []
        if (obj.get("spec") or {}).get("nodeName") and not meta.get("deletionTimestamp"):
            return [make_key("", "pods", meta.get("namespace", ""), meta["name"])]
        return []

    def reconcile(self, key, view, now):
        fired = "@" in key   # a tolerationSeconds timer, keyed by its own due time
        _, res, ns, name = split_key(key.split("@", 1)[0])
        if res == "nodes":
            node = view.get("nodes", "", name)
            if node is None:
                return []
            pods = view.list("pods", index=("nodeName", name))
        else:
            pod = view.get("pods", ns, name)
            if pod is None or not (pod.get("spec") or {}).get("nodeName"):
                return []
            node = view.get("nodes", "", pod["spec"]["nodeName"])
            if node is None:
                return []
            pods = [pod]
        out = []
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            due = eviction_due(pod, node, now)
            if due is None:
                continue
            if due <= now or fired:
                out += evict(pod, now)
            else:
                m = pod["metadata"]
                out.append(Timer(make_key("", "pods", m.get("namespace", ""), m["name"]) + f"@{due:.3f}", due))
        return out


# -- node health ------------------------------------------------------------------------------

class NodeLifecycle(Controller):
    name = "node-lifecycle"
    manager = "kube-controller-manager"
    watches = (("", "nodes"), ("coordination.k8s.io", "leases"))

    def keys_for(self, type_, group, res, obj):
        meta = obj.get("metadata") or {}
        if type_ == "DELETED":
            return []
        if res == "leases" and meta.get("namespace") != LEASE_NS:
            return []
        return [make_key("", "nodes", "", meta["name"])]

    def reconcile(self, key, view, now):
        name = split_key(key)[3]
        node = view.get("nodes", "", name)
        lease = view.get("leases.coordination.k8s.io", LEASE_NS, name)
        if node is None or lease is None:
            return []
        stopped = heartbeat_stopped(view, name)
        conds = (node.get("status") or {}).get("conditions") or []
        ready = next((c for c in conds if c.get("type") == "Ready"), {})
        taints = (node.get("spec") or {}).get("taints") or []
        has_taint = any(t.get("key") == UNREACHABLE for t in taints)
        if stopped:
            deadline = (parse_time((lease.get("spec") or {}).get("renewTime")) or now) + GRACE_PERIOD
            if now < deadline:
                return [Timer(key, deadline)]
            if ready.get("status") != "Unknown":
                return self._unknown(node, view, now)
            if not has_taint:
                node = copy.deepcopy(node)
                node["spec"]["taints"] = taints + [
                    {"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": rfc3339(now)},
                    {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": rfc3339(now)}]
                return [Put("nodes", node)]
            return []
        if ready.get("status") == "Unknown":
            return self._healthy(node, now)
        if has_taint:
            node = copy.deepcopy(node)
            node["spec"]["taints"] = [t for t in taints if t.get("key") != UNREACHABLE] or None
            if node["spec"]["taints"] is None:
                del node["spec"]["taints"]
            return [Put("nodes", node)]
        return []

    def _unknown(self, node, view, now):
        node = copy.deepcopy(node)
        for c in node["status"].get("conditions") or ():
            if c.get("type") in HEALTHY:
                c.update(status="Unknown", reason="NodeStatusUnknown", message="Kubelet stopped posting node status.",
                         lastTransitionTime=rfc3339(now))
        name = node["metadata"]["name"]
        out = [Put("nodes", node, status=True),
               Event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady", dict(NODE_SOURCE))]
        # MarkPodsNotReady
        for pod in view.list("pods", index=("nodeName", name)):
            pod = copy.deepcopy(pod)
            changed = False
            for c in (pod.get("status") or {}).get("conditions") or ():
                if c.get("type") == "Ready" and c.get("status") != "False":
                    c.update(status="False", lastTransitionTime=rfc3339(now))
                    c.pop("reason", None)
                    c.pop("message", None)
                    changed = True
            if changed:
                out += [Put("pods", pod, status=True),
                        Event(pod, "Warning", "NodeNotReady", "Node is not ready", dict(NODE_SOURCE))]
        return out

    def _healthy(self, node, now):
        node = copy.deepcopy(node)
        for c in node["status"].get("conditions") or ():
            if c.get("type") in HEALTHY:
                status, reason, msg = HEALTHY[c["type"]]
                c.update(status=status, reason=reason, message=msg, lastHeartbeatTime=rfc3339(now),
                         lastTransitionTime=rfc3339(now))
        name = node["metadata"]["name"]
        return [Put("nodes", node, status=True),
                Event(node, "Normal", "NodeReady", f"Node {name} status is now: NodeReady",
                      {"component": "kubelet", "host": name})]


def controllers(cluster):
    return [NodeLifecycle(), TaintEviction()]
