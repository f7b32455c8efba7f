"""Scale: the lab plus NODES nodes (each with its DaemonSet pods) and PODS pods of Deployments.
Times to create the nodes, to create the Deployments and schedule and run their pods (`sim
advance`), then `get pod ONE`, `get pods -A`, `describe pod` against the same on the empty lab,
the database size and peak RSS, and an idle hour against an idle minute. Bounded: stops by itself past --minutes, reporting how far it
got. 127.0.0.1 only (no server).

The cluster is built in-process (the apiserver core and the reconcile engine, as a CLI command
runs them), so the setup can be batched as one `create -f` of a List could be: every object
written, then the engine run until quiet (`--per-request N`: the first N nodes one request and
one engine run each, as the CLI does today). The probes are CLI commands in subprocesses.

    python bench/bench_scale.py [--venv DIR] [--nodes 1000] [--pods 10000] [--replicas 100]
                                [--per-request 20] [--runs 5] [--minutes 25] [--keep DIR]
    python bench/bench_scale.py --probe DIR      # probe a kept cluster again (then idle advances)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import lab_env, loadavg  # noqa: E402


class OutOfTime(Exception):
    pass


# the probes are started by a small launcher: a child forked straight from this process (over
# 1 GiB by the end) would report this process's RSS as its own peak (ru_maxrss survives fork)
_LAUNCH = ("import resource, subprocess, sys\n"
           "r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,"
           " stderr=subprocess.PIPE, text=True)\n"
           "sys.stderr.write(r.stderr[-2000:])\n"
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
           "sys.exit(r.returncode)\n")


def run_rss(cmd, env) -> tuple[float, float]:
    """Wall ms (the launcher's own start included) and peak RSS (MiB) of one command."""
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], env=env, capture_output=True, text=True)
    ms = (time.perf_counter() - t) * 1000
    if p.returncode:
        raise SystemExit(f"{' '.join(cmd[1:])} failed: {p.stderr}")
    return ms, int(p.stdout.split()[-1]) / 1024


def median_rss(cmd, env, runs):
    rows = [run_rss(cmd, env) for _ in range(runs)]
    return statistics.median(r[0] for r in rows), max(r[1] for r in rows)


def node_docs(base: dict, start: int, n: int) -> list[dict]:
    """Copies of a lab worker, with status (a kubelet registers its node with it)."""
    docs = []
    for i in range(start, start + n):
        d = json.loads(json.dumps(base))
        name = f"scale-{i}"
        d["metadata"] = {"name": name, "labels": {**base["metadata"].get("labels", {}),
                                                  "kubernetes.io/hostname": name}}
        for f in ("podCIDR", "podCIDRs", "providerID"):
            d.get("spec", {}).pop(f, None)
        d["status"]["addresses"] = [{"type": "InternalIP", "address": f"10.200.{i // 250}.{i % 250 + 1}"},
                                    {"type": "Hostname", "address": name}]
        docs.append(d)
    return docs


def deployment(i: int, replicas: int) -> dict:
    labels = {"app": f"scale-{i}"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"scale-{i}", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def db_size(env) -> float:
    d = os.path.join(env["PYKUBECTL_HOME"], "clusters", "kubernetes")
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.startswith("state.db")) / 2**20


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Builder:
    """The cluster in-process: writes through the apiserver core, the engine run until quiet."""

    def __init__(self, env, deadline: float):
        from pykubectl.sim import clusters
        self.cluster = clusters.create_cluster("kubernetes", kubeconfig_path=env["KUBECONFIG"], clock="virtual",
                                               env=env)
        self.srv = self.cluster.apiserver
        self.deadline = deadline

    def check(self):
        if time.monotonic() > self.deadline:
            raise OutOfTime()

    def settle(self) -> None:
        # one engine run stops at its per-command budget (5 s); a batch needs several
        while self.cluster.engine.run():
            self.check()

    def add_node(self, doc: dict) -> None:
        kind = self.srv.resolve("nodes")
        out, _ = self.srv.create(kind, doc)
        # the core keeps a created object's status only through the status subresource
        out["status"] = doc["status"]
        self.srv.update(kind, out, subresource="status")

    def count_pods(self) -> dict:
        # in SQL: decoding 100,000 pods here would be this bench's own peak of memory, not the cluster's
        with self.cluster.store.read() as t:
            return dict(t.db.execute("SELECT json_extract(data, '$.status.phase'), COUNT(*) FROM objects"
                                     " WHERE grp='' AND res='pods' AND ns='default' GROUP BY 1").fetchall())


PROBES = [("get pod ONE", ["get", "pod", "-n", "kube-system", "etcd-k8s-master"]),
          ("get pods -A", ["get", "pods", "-A"]),
          ("describe pod ONE", ["describe", "pod", "-n", "kube-system", "etcd-k8s-master"])]


def idle_advances(pyk, env, deadline) -> None:
    # the first hour expires the Events of the burst above (their one-hour TTL); the second
    # has nothing left to do
    for d, note in (("1m", ""), ("1h", " (expires the burst's events)"), ("1h", " (again)")):
        if time.monotonic() > deadline:
            print(f"idle sim advance {d}{note}: not run (out of time)")
            continue
        ms, rss = run_rss([pyk, "sim", "advance", d], env)
        print(f"idle sim advance {d}{note}: {ms:.0f} ms, peak RSS {rss:.1f} MiB, load {loadavg()}", flush=True)


def probe_kept(args) -> None:
    """The probes on a cluster an earlier `--keep` run built, beside a fresh empty lab."""
    deadline = time.monotonic() + args.minutes * 60
    bindir = os.path.join(args.venv, "bin") if args.venv else os.path.dirname(sys.executable)
    pyk = os.path.join(bindir, "pykubectl")
    kept = lab_env(args.probe)
    empty_dir = tempfile.mkdtemp(prefix="pyk-bench-empty-")
    try:
        empty = lab_env(empty_dir)
        from pykubectl.sim import clusters
        os.environ.update(PYKUBECTL_HOME=empty["PYKUBECTL_HOME"], KUBECONFIG=empty["KUBECONFIG"])
        clusters.create_cluster("kubernetes", kubeconfig_path=empty["KUBECONFIG"], clock="virtual", env=empty).close()
        print(f"probing {args.probe} ({db_size(kept):.1f} MiB database), start "
              f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {loadavg()}", flush=True)
        print(f"{'command':20} {'empty ms':>9} {'scaled ms':>10} {'ratio':>6} {'RSS MiB':>8} {'load':>5}")
        for label, a in PROBES:
            e_ms, _ = median_rss([pyk, *a], empty, args.runs)
            ms, rss = median_rss([pyk, *a], kept, args.runs)
            print(f"{label:20} {e_ms:9.1f} {ms:10.1f} {ms / e_ms:6.2f} {rss:8.1f} {loadavg():>5}", flush=True)
        idle_advances(pyk, kept, deadline)
        print(f"end {time.strftime('%H:%M:%S', time.gmtime())} UTC")
    finally:
        shutil.rmtree(empty_dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=None, help="where bin/pykubectl is (default: this interpreter's)")
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--replicas", type=int, default=100, help="pods per Deployment")
    ap.add_argument("--per-request", type=int, default=20, help="first nodes created one engine run each")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=25.0)
    ap.add_argument("--keep", default=None, help="build in this folder and keep it (to probe it again later)")
    ap.add_argument("--probe", default=None, help="no build: probe a folder an earlier --keep run left "
                    "(against a fresh empty lab), then the idle advances")
    args = ap.parse_args()
    if args.probe:
        return probe_kept(args)
    deadline = time.monotonic() + args.minutes * 60
    work = args.keep or tempfile.mkdtemp(prefix="pyk-bench-scale-")
    os.makedirs(work, exist_ok=True)
    bindir = os.path.join(args.venv, "bin") if args.venv else os.path.dirname(sys.executable)
    pyk = os.path.join(bindir, "pykubectl")
    env = lab_env(work)
    os.environ.update(PYKUBECTL_HOME=env["PYKUBECTL_HOME"], KUBECONFIG=env["KUBECONFIG"])
    print(f"nodes +{args.nodes}, pods +{args.pods}, cpus {os.cpu_count()}, start {time.strftime('%H:%M:%S', time.gmtime())}"
          f" UTC, load {loadavg()}", flush=True)
    steps = []

    def step(label, t0, n=None):
        s = time.perf_counter() - t0
        per = f"{s / n * 1000:8.1f} ms" if n else " " * 11
        steps.append((label, s, per, rss_mib(), loadavg()))
        print(f"  {label:44} {s:8.1f} s {per}  RSS {rss_mib():6.1f} MiB  load {loadavg()}", flush=True)

    try:
        b = Builder(env, deadline)
        probes = PROBES
        empty = {label: median_rss([pyk, *a], env, args.runs) for label, a in probes}
        empty_db = db_size(env)
        with b.cluster.store.read() as t:
            base = t.get("", "nodes", "", "worker-1")
        done = 0
        try:
            k = min(args.per_request, args.nodes)
            if k:
                t0 = time.perf_counter()
                for d in node_docs(base, 0, k):
                    b.add_node(d)
                    b.settle()
                    done += 1
                step(f"nodes 1-{k}, one engine run each", t0, k)
            # the rest in batches of 250, each one engine run to quiet
            while done < args.nodes:
                n = min(250, args.nodes - done)
                t0 = time.perf_counter()
                for d in node_docs(base, done, n):
                    b.add_node(d)
                b.settle()
                step(f"nodes {done + 1}-{done + n}, batched", t0, n)
                done += n
            t0 = time.perf_counter()
            b.cluster.advance(30)
            step("sim advance 30s (daemon pods run)", t0)
            made = 0
            while made < args.pods:
                # 1,000 pods' Deployments per batch, so the cost can be seen growing
                t0 = time.perf_counter()
                batch = 0
                while batch < 1000 and made < args.pods:
                    r = min(args.replicas, args.pods - made)
                    b.srv.create(b.srv.resolve("deployments"), deployment(made // args.replicas, r))
                    made += r
                    batch += r
                b.settle()
                step(f"pods {made - batch + 1}-{made}: Deployments created, scheduled", t0, batch)
            t0 = time.perf_counter()
            b.cluster.advance(30)
            b.settle()
            step("sim advance 30s (pods run)", t0)
        except OutOfTime:
            print(f"  stopped after {args.minutes} minutes: {done} nodes of {args.nodes}", flush=True)
        b.cluster.close()
        print(f"pods in default by phase: {b.count_pods()}", flush=True)
        print(f"{'command':20} {'empty ms':>9} {'scaled ms':>10} {'ratio':>6} {'RSS MiB':>8} {'load':>5}")
        for label, a in probes:
            ms, rss = median_rss([pyk, *a], env, args.runs)
            print(f"{label:20} {empty[label][0]:9.1f} {ms:10.1f} {ms / empty[label][0]:6.2f} {rss:8.1f} {loadavg():>5}",
                  flush=True)
        print(f"database: {empty_db:.1f} MiB empty lab, {db_size(env):.1f} MiB scaled")
        print(f"peak RSS of the building process: {rss_mib():.1f} MiB", flush=True)
        idle_advances(pyk, env, deadline)
        print(f"end {time.strftime('%H:%M:%S', time.gmtime())} UTC")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
