"""The scheduler's own speed: one scheduling pass of the `scheduler` controller (filters, scores,
the default topology spreading, the Put/Event actions it returns) over a generated blueprint held
in memory, with no store writes, so the figure is the decision's cost alone.

  1. a Deployment's pods (owned by its ReplicaSet: the system default spreading applies), with
     requests, onto N nodes in 4 zones;
  2. pods with required anti-affinity per hostname (one per node) onto N fresh nodes.

Pods per second of wall time and of CPU time (on a shared machine the load average says how far
apart they are), peak RSS (getrusage), beside a baseline measured in the same run: the real
`kubectl version --client` and `python3 -c pass` process times. Bounded: `--quick` is 100 nodes /
1,000 pods / 100 anti-affinity pods; the full run is 1,000 / 10,000 / 1,000.

  python bench/bench_scheduler.py [--quick] [--nodes N --pods N --anti N] [--scheduler OLD.py]

`--scheduler` loads another scheduler.py (e.g. `git show HEAD:pykubectl/controllers/scheduler.py`
saved to a file) in place of the package's, the rest of the tree unchanged: a before/after pair
on the same machine minutes apart.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

ZONES = ("zone-a", "zone-b", "zone-c", "zone-d")
RS_UID = "rs-uid-web"


class MemoryView:
    """The slice of the engine's View the scheduler reads, over plain lists."""

    def __init__(self, objects: dict[str, list[dict]]):
        self.objects = objects
        self.pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in objects["pods"]}

    def get(self, resource, ns, name):
        if resource == "pods":
            return self.pods.get((ns, name))
        return next((o for o in self.objects.get(resource, ()) if o["metadata"]["name"] == name), None)

    def list(self, resource, ns=None, *, index=None, labels_eq=None):
        items = self.objects.get(resource, [])
        return [o for o in items if ns is None or o["metadata"].get("namespace") == ns]


def make_nodes(n: int, prefix: str) -> list[dict]:
    return [{"apiVersion": "v1", "kind": "Node",
             "metadata": {"name": f"{prefix}{i:04d}", "labels": {
                 "kubernetes.io/hostname": f"{prefix}{i:04d}", "kubernetes.io/os": "linux",
                 "topology.kubernetes.io/zone": ZONES[i % len(ZONES)]}},
             "spec": {},
             "status": {"allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi"},
                        "images": [{"names": ["docker.io/library/nginx:1.27", "nginx:1.27"], "sizeBytes": 72 * 2**20}]
                        if i % 3 == 0 else []}}
            for i in range(n)]


def make_pods(n: int, prefix: str, anti: bool) -> list[dict]:
    out = []
    for i in range(n):
        spec = {"containers": [{"name": "c", "image": "nginx:1.27",
                                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}
        labels = {"app": "anti" if anti else "web", "pod-template-hash": "7957885594"}
        meta = {"name": f"{prefix}-{i:05d}", "namespace": "default", "uid": f"{prefix}-uid-{i}", "labels": labels,
                "creationTimestamp": "2026-01-01T00:00:00Z"}
        if anti:
            spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "anti"}}}]}}
        else:
            meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7957885594",
                                        "uid": RS_UID, "controller": True}]
        out.append({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": {"phase": "Pending"}})
    return out


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def schedule_all(nodes, pods) -> tuple[float, float, int, int]:
    """One scheduler pass over every pending pod: (wall s, CPU s, pods bound, nodes used)."""
    from pykubectl.controllers.manager import Put, make_key
    from pykubectl.controllers.scheduler import Scheduler
    rs = {"metadata": {"name": "web-7957885594", "namespace": "default", "uid": RS_UID},
          "spec": {"selector": {"matchLabels": {"app": "web", "pod-template-hash": "7957885594"}}}}
    view = MemoryView({"pods": pods, "nodes": nodes, "namespaces": [{"metadata": {"name": "default"}}],
                       "replicasets.apps": [rs]})
    first = pods[0]["metadata"]
    t, cpu = time.perf_counter(), time.process_time()
    actions = Scheduler().reconcile(make_key("", "pods", "default", first["name"]), view, 0.0)
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    bound = [a.obj["spec"]["nodeName"] for a in actions if isinstance(a, Put) and a.obj["spec"].get("nodeName")]
    return secs, cpu, len(bound), len(set(bound))


def baseline(cmd: list[str], runs: int) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 nodes, 1,000 pods, 100 anti-affinity pods")
    ap.add_argument("--nodes", type=int)
    ap.add_argument("--pods", type=int)
    ap.add_argument("--anti", type=int)
    ap.add_argument("--runs", type=int, default=5, help="baseline process runs")
    ap.add_argument("--scheduler", metavar="FILE", help="a scheduler.py to load in place of the package's")
    a = ap.parse_args()
    if a.scheduler:
        import importlib.util
        spec = importlib.util.spec_from_file_location("pykubectl.controllers.scheduler", a.scheduler)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
    nodes_n = a.nodes or (100 if a.quick else 1000)
    pods_n = min(a.pods or (1000 if a.quick else 10000), 20000)
    anti_n = min(a.anti or (100 if a.quick else 1000), nodes_n)
    load = "%.1f" % os.getloadavg()[0]
    kubectl = baseline(["/usr/bin/kubectl", "version", "--client"], a.runs) if os.path.exists("/usr/bin/kubectl") else None
    floor = baseline([sys.executable, "-c", "pass"], a.runs)
    before = rss_mib()

    nodes, pods = make_nodes(nodes_n, "node-"), make_pods(pods_n, "web", anti=False)
    generated = rss_mib()
    secs, cpu, bound, used = schedule_all(nodes, pods)
    peak1 = rss_mib()
    print(f"deployment: {bound}/{pods_n} pods onto {used}/{nodes_n} nodes in {secs:.2f} s wall = {bound / secs:.0f} "
          f"pods/s; {cpu:.2f} s CPU = {bound / cpu:.0f} pods per CPU-second; peak RSS {peak1:.0f} MiB "
          f"(blueprint {generated - before:.0f} MiB); load {load}")

    nodes2, pods2 = make_nodes(nodes_n, "anti-"), make_pods(anti_n, "anti", anti=True)
    secs2, cpu2, bound2, used2 = schedule_all(nodes2, pods2)
    print(f"anti-affinity: {bound2}/{anti_n} pods onto {used2} nodes in {secs2:.2f} s wall = {bound2 / secs2:.0f} "
          f"pods/s; {cpu2:.2f} s CPU = {bound2 / cpu2:.0f} pods per CPU-second; peak RSS {rss_mib():.0f} MiB; "
          f"load {'%.1f' % os.getloadavg()[0]}")
    print(f"baseline: kubectl version --client {kubectl:.1f} ms" if kubectl else "baseline: no /usr/bin/kubectl",
          f"| python3 -c pass {floor:.1f} ms ({a.runs} runs, medians, wall)")
    ok = bound == pods_n and bound2 == anti_n and used2 == anti_n
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
