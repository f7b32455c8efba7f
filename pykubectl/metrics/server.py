"""The simulated metrics-server (v0.7, --metric-resolution=15s): what `metrics.k8s.io/v1beta1`
answers at a moment, in closed form from the usage model.

It scrapes every SCRAPE_SECONDS on the cluster clock's 15 s grid; a sample is the model's usage at
that scrape. A container needs two scrapes to have a CPU rate, so a pod shows up once it has been
running for one full scrape interval; pods that are not running have no metrics."""
from __future__ import annotations

import math

from pykubectl.metrics import model
from pykubectl.store.clock import parse_time, rfc3339

SCRAPE_SECONDS = 15.0


def scrape_time(now: float) -> float:
    return math.floor(now / SCRAPE_SECONDS) * SCRAPE_SECONDS


def _started(cs: dict) -> float | None:
    return parse_time(((cs.get("state") or {}).get("running") or {}).get("startedAt"))


def pod_usage(pod: dict, rps: tuple[float, float], at: float) -> dict[str, model.Usage] | None:
    """Per-container usage sampled at scrape time `at`, or None when the pod has no metrics yet."""
    st = pod.get("status") or {}
    if st.get("phase") != "Running" or pod["metadata"].get("deletionTimestamp"):
        return None
    running = {cs["name"]: _started(cs) for cs in st.get("containerStatuses") or ()}
    out = {}
    for c in (pod.get("spec") or {}).get("containers") or ():
        started = running.get(c["name"])
        if started is None or started > at - SCRAPE_SECONDS:
            return None
        out[c["name"]] = model.container_usage(c, *rps)
    return out or None


def pod_metrics(view, now: float, ns: str | None = None, pods: list[dict] | None = None) -> list[dict]:
    """PodMetrics objects (metrics.k8s.io/v1beta1) for the pods that have metrics."""
    from pykubectl.metrics.traffic import per_pod_rps
    at = scrape_time(now)
    if pods is None:
        pods = view.list("pods", ns)
    rates = per_pod_rps(view, at, ns)
    out = []
    for p in pods:
        m = p["metadata"]
        usage = pod_usage(p, rates.get((m.get("namespace"), m["name"]), (0.0, 0.0)), at)
        if usage is None:
            continue
        out.append({"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                    "metadata": {"name": m["name"], "namespace": m.get("namespace"),
                                 "creationTimestamp": rfc3339(now), "labels": m.get("labels") or {}},
                    "timestamp": rfc3339(at), "window": f"{int(SCRAPE_SECONDS)}s",
                    "containers": [{"name": n, "usage": {"cpu": f"{u.cpu_milli * 1000000}n",
                                                         "memory": f"{u.memory // 1024}Ki"}}
                                   for n, u in usage.items()]})
    return out


def node_metrics(view, now: float) -> list[dict]:
    """NodeMetrics: the pods' usage on each node plus the node's own overhead."""
    from pykubectl.api.quantity import milli, value
    at = scrape_time(now)
    per_node: dict[str, list[int]] = {}
    for pm in pod_metrics(view, now):
        pod = view.get("pods", pm["metadata"]["namespace"], pm["metadata"]["name"])
        node = ((pod or {}).get("spec") or {}).get("nodeName")
        tot = per_node.setdefault(node, [0, 0])
        for c in pm["containers"]:
            tot[0] += milli(c["usage"]["cpu"])
            tot[1] += value(c["usage"]["memory"])
    out = []
    for n in view.list("nodes"):
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in (n.get("status") or {}).get("conditions") or ())
        if not ready:
            continue
        name = n["metadata"]["name"]
        cpu, mem = per_node.get(name, [0, 0])
        out.append({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                    "metadata": {"name": name, "creationTimestamp": rfc3339(now),
                                 "labels": n["metadata"].get("labels") or {}},
                    "timestamp": rfc3339(at), "window": f"{int(SCRAPE_SECONDS)}s",
                    "usage": {"cpu": f"{(cpu + model.NODE_OVERHEAD[0]) * 1000000}n",
                              "memory": f"{(mem + model.NODE_OVERHEAD[1]) // 1024}Ki"}})
    return out
