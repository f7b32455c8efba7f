"""Outside traffic as the usage model sees it. The registrations are the networking side's
(`pykubectl.net.load`, meta key `net.load`, written by `pykubectl sim load`): each ready endpoint
of the target Service serves rps / n, kube-proxy's random split on average. This module adds
what metrics need on top: the highest rate a pod served recently (memory is held for
MEM_HOLD_SECONDS), and waking the HPA controller when a load starts, ends and stops holding
memory, so autoscalers that sat idle look again.

What `sim load` must call after `net.load.register(view, entry)`: `wake_hpas(view.txn, entry)`.
`register_load(...)` does both, for callers of our own (tests)."""
from __future__ import annotations

from pykubectl.metrics.model import MEM_HOLD_SECONDS

HPA_CONTROLLER = "horizontal-pod-autoscaler"


def loads(view) -> list[dict]:
    from pykubectl.net import load
    return load.registrations(view)


def wake_hpas(txn, entry: dict) -> None:
    """Timers for the HPA controller at the moments a load changes what pods use."""
    for at in (entry["start"], entry["end"], entry["end"] + MEM_HOLD_SECONDS):
        txn.set_timer(HPA_CONTROLLER, f"load|{entry['namespace']}|{at}", at)
    # and the kubelet, whose OOM killer acts when what a pod serves rises
    txn.set_timer("kubelet", f"load|{entry['namespace']}|{entry['start']}", entry["start"])


def register_load(view, namespace: str, service: str, rps: float, start: float, duration: float,
                  url: str = "") -> dict:
    """Record `rps` requests per second to Service namespace/service over [start, start+duration)."""
    from pykubectl.net import load
    entry = {"url": url, "namespace": namespace, "service": service, "port": None, "path": "/",
             "rps": float(rps), "start": float(start), "end": float(start + duration)}
    load.register(view, entry)
    wake_hpas(view.txn, entry)
    return entry


def register(cluster, namespace: str, service: str, rps: float, duration: float, url: str = "") -> dict:
    """register_load starting at the cluster's now, in a transaction of its own."""
    from pykubectl.controllers.manager import View
    now = cluster.clock.now()
    with cluster.store.write() as t:
        return register_load(View(t, cluster.apiserver), namespace, service, rps, now, duration, url)


def load_at(view, service: str, t: float) -> float:
    """Requests per second reaching Service "namespace/name" at cluster time t."""
    from pykubectl.net import load
    ns, _, name = service.partition("/")
    return load.service_rps(view, t).get((ns, name), 0.0)


def active_services(view, t: float, ns: str | None = None, horizon: float = 0.0) -> list[dict]:
    """Loads active at t, or starting/ending (memory hold included) within `horizon` of t."""
    return [r for r in loads(view) if (ns is None or r["namespace"] == ns)
            and r["start"] <= t + horizon and r["end"] + MEM_HOLD_SECONDS + horizon > t]


def pod_rps(view, t: float) -> dict[tuple[str, str], float]:
    """(namespace, pod) -> rps at t: `net.load.pod_rps` (ready EndpointSlice endpoints); a
    Service with no EndpointSlice at all (no endpoints controller running) falls back to its
    ready pods by selector, which is what the slices would list."""
    from pykubectl.net import load
    out = load.pod_rps(view, t)
    served = {(ns, svc) for (ns, svc) in load.service_rps(view, t)
              if view.list("endpointslices.discovery.k8s.io", ns, labels_eq={"kubernetes.io/service-name": svc})}
    for (ns, svc), rps in load.service_rps(view, t).items():
        if (ns, svc) in served:
            continue
        obj = view.get("services", ns, svc)
        eps = ready_endpoints(view, obj) if obj else []
        for p in eps:
            k = (ns, p["metadata"]["name"])
            out[k] = out.get(k, 0.0) + rps / len(eps)
    return out


def ready_endpoints(view, svc: dict) -> list[dict]:
    """Pods a Service selects that are ready, running and not terminating."""
    from pykubectl.controllers import workload_common as W
    sel = (svc.get("spec") or {}).get("selector") or {}
    if not sel:
        return []
    return [p for p in view.list("pods", svc["metadata"]["namespace"], labels_eq=sel)
            if W.is_ready(p) and not W.is_terminating(p) and (p.get("status") or {}).get("phase") == "Running"]


def per_pod_rps(view, t: float, ns: str | None = None) -> dict[tuple[str, str], tuple[float, float]]:
    """{(namespace, pod): (rps now, highest rps within the last MEM_HOLD_SECONDS)}."""
    recent = [r for r in loads(view) if (ns is None or r["namespace"] == ns)
              and r["start"] <= t and r["end"] + MEM_HOLD_SECONDS > t]
    if not recent:
        return {}
    now = pod_rps(view, t)
    out = {k: (v, v) for k, v in now.items()}
    # loads are steady between registrations' ends: the rate just before each recent end is the peak
    for m in {r["end"] - 1e-6 for r in recent if t - MEM_HOLD_SECONDS < r["end"] <= t}:
        for k, v in pod_rps(view, m).items():
            cur, peak = out.get(k, (0.0, 0.0))
            out[k] = (cur, max(peak, v))
    return out
