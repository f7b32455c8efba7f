"""Scale: the lab plus NODES nodes and PODS pods (bare pods left to the scheduler). Times to create,
to schedule and run (`sim advance`), then `get pod ONE`, `get pods -A`, `describe pod` against the
same on the empty lab, the database size, the peak RSS of each command, and an idle hour against
an idle minute. Bounded by the counts you give; 127.0.0.1 only (no server).

    python bench/bench_scale.py [--venv DIR] [--nodes 1000] [--pods 10000] [--runs 5] [--chunks 1]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from common import lab_env, loadavg, pods_yaml, wheel_venv


def run_rss(cmd, env, input=None) -> tuple[float, float]:
    """Wall ms and peak RSS (MiB) of one command."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE if input else subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if input:
        p.stdin.write(input)
        p.stdin.close()
    _, status, ru = os.wait4(p.pid, 0)
    ms = (time.perf_counter() - t) * 1000
    err = p.stderr.read()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit(f"{' '.join(cmd[1:])} failed: {err[-2000:]}")
    return ms, ru.ru_maxrss / 1024


def median_rss(cmd, env, runs):
    rows = [run_rss(cmd, env) for _ in range(runs)]
    return statistics.median(r[0] for r in rows), max(r[1] for r in rows)


def nodes_yaml(pyk, env, n: int) -> str:
    base = json.loads(subprocess.run([pyk, "get", "node", "worker-1", "-o", "json"], env=env, check=True,
                                     capture_output=True, text=True).stdout)
    docs = []
    for i in range(n):
        d = json.loads(json.dumps(base))
        name = f"scale-{i}"
        d["metadata"] = {"name": name, "labels": {**base["metadata"].get("labels", {}),
                                                  "kubernetes.io/hostname": name}}
        d.get("spec", {}).pop("podCIDR", None)
        d.get("spec", {}).pop("podCIDRs", None)
        d.get("spec", {}).pop("providerID", None)
        st = d.get("status", {})
        st["addresses"] = [{"type": "InternalIP", "address": f"10.200.{i // 250}.{i % 250 + 1}"},
                           {"type": "Hostname", "address": name}]
        docs.append(json.dumps(d))
    return "\n---\n".join(docs)


def db_size(env) -> float:
    d = os.path.join(env["PYKUBECTL_HOME"], "clusters", "kubernetes")
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.startswith("state.db")) / 2**20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=None)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chunks", type=int, default=1, help="create the pods in this many commands")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pyk-bench-scale-")
    try:
        venv = args.venv or wheel_venv(work)
        pyk = os.path.join(venv, "bin", "pykubectl")
        env = lab_env(work)
        subprocess.run([pyk, "cluster", "create", "kubernetes", "--clock", "virtual"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        one = ["get", "pod", "-n", "kube-system", "etcd-k8s-master"]
        probes = [("get pod ONE", one), ("get pods -A", ["get", "pods", "-A"]),
                  ("describe pod ONE", ["describe", "pod", "-n", "kube-system", "etcd-k8s-master"])]
        empty = {label: median_rss([pyk, *a], env, args.runs) for label, a in probes}
        empty_db = db_size(env)
        print(f"nodes +{args.nodes}, pods +{args.pods}, runs {args.runs}, cpus {os.cpu_count()}")
        steps = []
        if args.nodes:
            ms, rss = run_rss([pyk, "create", "-f", "-"], env, nodes_yaml(pyk, env, args.nodes))
            steps.append((f"create {args.nodes} nodes", ms, rss, loadavg()))
        # in chunks, so the cost per pod can be seen growing with the pods already there
        per = -(-args.pods // max(1, args.chunks))
        for start in range(0, args.pods, per):
            n = min(per, args.pods - start)
            docs = pods_yaml(start + n, prefix="s").split("\n---\n")[start:]
            ms, rss = run_rss([pyk, "create", "-f", "-"], env, "\n---\n".join(docs))
            steps.append((f"create pods {start + 1}-{start + n}", ms, rss, loadavg()))
            print(f"  pods {start + 1}-{start + n}: {ms / n:.0f} ms per pod", flush=True)
        ms, rss = run_rss([pyk, "sim", "advance", "30s"], env)
        steps.append(("sim advance 30s (schedule+run)", ms, rss, loadavg()))
        running = subprocess.run([pyk, "get", "pods", "--field-selector=status.phase=Running", "-o", "name"],
                                 env=env, check=True, capture_output=True, text=True).stdout.count("\n")
        for label, ms, rss, la in steps:
            print(f"{label:34} {ms / 1000:9.1f} s  peak RSS {rss:7.1f} MiB  load {la}")
        print(f"pods Running in default after 30s: {running}/{args.pods}")
        print(f"{'command':20} {'empty ms':>9} {'scaled ms':>10} {'ratio':>6} {'RSS MiB':>8} {'load':>5}")
        for label, a in probes:
            ms, rss = median_rss([pyk, *a], env, args.runs)
            print(f"{label:20} {empty[label][0]:9.1f} {ms:10.1f} {ms / empty[label][0]:6.2f} {rss:8.1f} {loadavg():>5}")
        print(f"database: {empty_db:.1f} MiB empty lab, {db_size(env):.1f} MiB scaled")
        # the first hour expires the events of the burst above (Events' one-hour TTL); the second
        # hour has nothing left to do
        for d, note in (("1m", ""), ("1h", " (expires the burst's events)"), ("1h", " (again)")):
            ms, rss = run_rss([pyk, "sim", "advance", d], env)
            print(f"idle sim advance {d}{note}: {ms:.0f} ms, peak RSS {rss:.1f} MiB, load {loadavg()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
