"""A first kube-scheduler: filters (nodeName, cordon, nodeSelector, required node affinity,
untolerated NoSchedule/NoExecute taints, pod count) and a least-allocated score, with the
scheduler's FailedScheduling wording. The scheduling issue completes it (pod affinity, resource
fit, preferred terms, preemption)."""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Event, Put, make_key, split_key
from pykubectl.store.clock import rfc3339

SOURCE = {"component": "default-scheduler"}


def tolerates(tolerations, taint) -> bool:
    for tol in tolerations or ():
        if tol.get("effect") and tol["effect"] != taint.get("effect"):
            continue
        op = tol.get("operator", "Equal")
        if not tol.get("key") and op == "Exists":
            return True
        if tol.get("key") != taint.get("key"):
            continue
        if op == "Exists" or tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def untolerated(pod, node, effects=("NoSchedule", "NoExecute")):
    for taint in (node.get("spec") or {}).get("taints") or ():
        if taint.get("effect") in effects and not tolerates((pod.get("spec") or {}).get("tolerations"), taint):
            return taint
    return None


def _affinity_ok(pod, node) -> bool:
    spec = pod.get("spec") or {}
    labels = (node.get("metadata") or {}).get("labels") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if req:
        from pykubectl.api.selectors import node_selector_matches
        return node_selector_matches(req, node)
    return True


class Scheduler(Controller):
    name = "scheduler"
    manager = "kube-scheduler"
    watches = (("", "pods"), ("", "nodes"))

    def keys_for(self, type_, group, res, obj):
        meta = obj.get("metadata") or {}
        if res == "nodes":
            return ["*pending*"] if type_ != "DELETED" else []
        spec = obj.get("spec") or {}
        if type_ == "DELETED":
            return ["*pending*"]  # freed room may let a pending pod in
        if spec.get("nodeName") or meta.get("deletionTimestamp"):
            return []
        if spec.get("schedulerName", "default-scheduler") != "default-scheduler":
            return []
        return [make_key("", "pods", meta.get("namespace", ""), meta["name"])]

    def reconcile(self, key, view, now):
        if key == "*pending*":
            pods = [p for p in view.list("pods") if not (p.get("spec") or {}).get("nodeName")
                    and not p["metadata"].get("deletionTimestamp")]
        else:
            _, _, ns, name = split_key(key)
            p = view.get("pods", ns, name)
            pods = [p] if p else []
        nodes = view.list("nodes")
        actions = []
        for pod in pods:
            if (pod.get("spec") or {}).get("nodeName"):
                continue
            actions += self.schedule(pod, nodes, view, now)
        return actions

    def schedule(self, pod, nodes, view, now):
        reasons: dict[str, int] = {}
        fits = []
        for node in nodes:
            why = self.filter(pod, node, view)
            if why:
                reasons[why] = reasons.get(why, 0) + 1
            else:
                fits.append(node)
        pod = copy.deepcopy(pod)
        meta = pod["metadata"]
        if not fits:
            msg = (f"0/{len(nodes)} nodes are available: "
                   + ", ".join(sorted(f"{n} {r}" for r, n in reasons.items()))
                   + f". preemption: 0/{len(nodes)} nodes are available: {len(nodes)} Preemption is not helpful for scheduling.")
            cond = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": msg,
                    "lastProbeTime": None, "lastTransitionTime": rfc3339(now)}
            st = pod.setdefault("status", {})
            old = [c for c in st.get("conditions") or [] if c.get("type") == "PodScheduled"]
            if old and old[0].get("message") == msg:
                return []
            st["conditions"] = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"] + [cond]
            return [Put("pods", pod, status=True),
                    Event(pod, "Warning", "FailedScheduling", msg, dict(SOURCE))]
        counts = {}
        for p in view.list("pods"):
            n = (p.get("spec") or {}).get("nodeName")
            if n:
                counts[n] = counts.get(n, 0) + 1
        best = min(fits, key=lambda n: (counts.get(n["metadata"]["name"], 0), n["metadata"]["name"]))
        node_name = best["metadata"]["name"]
        pod["spec"]["nodeName"] = node_name
        st = pod.setdefault("status", {})
        st["conditions"] = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"] + [
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": rfc3339(now)}]
        return [Put("pods", pod),
                Event(pod, "Normal", "Scheduled",
                      f"Successfully assigned {meta.get('namespace')}/{meta['name']} to {node_name}", dict(SOURCE))]

    def filter(self, pod, node, view) -> str | None:
        """The first failing filter's reason, in the scheduler's wording, or None."""
        spec = pod.get("spec") or {}
        if (node.get("spec") or {}).get("unschedulable"):
            if not tolerates(spec.get("tolerations"), {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}):
                return "node(s) were unschedulable"
        if not _affinity_ok(pod, node):
            return "node(s) didn't match Pod's node affinity/selector"
        taint = untolerated(pod, node)
        if taint:
            return "node(s) had untolerated taint {" + f"{taint.get('key')}: {taint.get('value', '')}" + "}"
        return None


def controllers(cluster):
    return [Scheduler()]
