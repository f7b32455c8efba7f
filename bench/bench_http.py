"""`pykubectl cluster serve` throughput on 127.0.0.1: requests per second for GET (one pod), LIST
(pods of a namespace, 50 pods) and PATCH (a merge patch of one label) with 1, 4 and 16 concurrent
clients (threads, one keep-alive TLS connection each, admin client certificate). Each cell is
bounded by --requests and --seconds. Then watch fan-out: --watchers concurrent watches of the
namespace's pods while one client patches a pod --patches times; events/s delivered to all
watchers together and the latency from a patch's request to each watcher's event (median, p95).

    python bench/bench_http.py [--venv DIR] [--requests 300] [--seconds 8] [--watchers 50] [--patches 40]

With --big-home HOME --big-kubeconfig FILE (a prepared cluster, e.g. /tmp/scale/clone.sh's copy of
lab + 1,000 nodes + 10,000 pods; it is served, so use a copy), only the big list: the real
kubectl's `get pods -A` (pages of 500, then --chunk-size=0) against `cluster serve` on it, wall
time and the server's peak RSS (VmHWM) after each.
"""
from __future__ import annotations

import argparse
import base64
import statistics
import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time

import yaml

from common import Served, lab_env, loadavg, pods_yaml, wheel_venv


def tls_context(work: str, kubeconfig: str) -> ssl.SSLContext:
    kc = yaml.safe_load(open(kubeconfig))
    user = kc["users"][0]["user"]
    cluster = kc["clusters"][0]["cluster"]
    paths = {}
    for name, data in (("ca", cluster["certificate-authority-data"]),
                       ("crt", user["client-certificate-data"]), ("key", user["client-key-data"])):
        paths[name] = os.path.join(work, f"bench-{name}.pem")
        fd = os.open(paths[name], os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(base64.b64decode(data))
    ctx = ssl.create_default_context(cafile=paths["ca"])
    ctx.load_cert_chain(paths["crt"], paths["key"])
    return ctx


OPS = {
    "GET pod": ("GET", "/api/v1/namespaces/default/pods/p1", None, None),
    "LIST pods": ("GET", "/api/v1/namespaces/default/pods", None, None),
    "PATCH pod": ("PATCH", "/api/v1/namespaces/default/pods/p1", "application/merge-patch+json", "patch"),
}


def run_cell(port, ctx, op, clients, total, seconds) -> tuple[float, int, int, float]:
    method, path, ctype, body = OPS[op]
    lock = threading.Lock()
    state = {"left": total, "done": 0, "errors": 0, "connect_ms": 0.0}
    deadline = time.perf_counter() + seconds

    def worker(n):
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
        t0 = time.perf_counter()
        try:
            conn.connect()   # TCP + TLS, timed apart: a dropped SYN shows here as ~1000 ms
        except OSError:
            pass
        with lock:
            state["connect_ms"] = max(state["connect_ms"], (time.perf_counter() - t0) * 1000)
        i = 0
        while time.perf_counter() < deadline:
            with lock:
                if state["left"] <= 0:
                    break
                state["left"] -= 1
            i += 1
            data = json.dumps({"metadata": {"labels": {"n": f"{n}-{i}"}}}).encode() if body else None
            headers = {"Accept": "application/json"}
            if ctype:
                headers["Content-Type"] = ctype
            try:
                conn.request(method, path, body=data, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status < 300
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
            with lock:
                state["done" if ok else "errors"] += 1
        conn.close()

    t = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    return state["done"] / elapsed, state["done"], state["errors"], state["connect_ms"]


def watch_fanout(port, ctx, watchers: int, patches: int, seconds: float) -> dict:
    """Watchers stream pod events while one client patches p1's label `seq` patches times; every
    wait is bounded (the watch's timeoutSeconds, socket timeouts, the join)."""
    sent: dict[str, float] = {}
    got: list[tuple[str, float]] = []
    lock = threading.Lock()
    ready = threading.Barrier(watchers + 1, timeout=60)
    errors = [0]
    path = (f"/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dp1"
            f"&resourceVersion={{rv}}&timeoutSeconds={int(seconds) + 30}")

    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
    conn.request("GET", "/api/v1/namespaces/default/pods/p1", headers={"Accept": "application/json"})
    rv = json.loads(conn.getresponse().read())["metadata"]["resourceVersion"]

    def watcher():
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=seconds + 30)
        try:
            c.request("GET", path.format(rv=rv), headers={"Accept": "application/json"})
            r = c.getresponse()
            ready.wait()
            need = patches
            while need:
                line = r.readline()
                if not line:
                    break
                if not line.strip():
                    continue
                seq = (json.loads(line)["object"]["metadata"].get("labels") or {}).get("seq")
                if seq and seq.startswith("w"):
                    with lock:
                        got.append((seq, time.perf_counter()))
                    need -= 1
        except (OSError, http.client.HTTPException, ValueError, threading.BrokenBarrierError):
            with lock:
                errors[0] += 1
        finally:
            c.close()

    threads = [threading.Thread(target=watcher, daemon=True) for _ in range(watchers)]
    for th in threads:
        th.start()
    ready.wait()
    t0 = time.perf_counter()
    for i in range(patches):
        seq = f"w{i}"
        sent[seq] = time.perf_counter()
        conn.request("PATCH", "/api/v1/namespaces/default/pods/p1",
                     body=json.dumps({"metadata": {"labels": {"seq": seq}}}).encode(),
                     headers={"Content-Type": "application/merge-patch+json", "Accept": "application/json"})
        conn.getresponse().read()
    deadline = t0 + seconds + 30
    for th in threads:
        th.join(max(0.0, deadline - time.perf_counter()))
    elapsed = max((t for _, t in got), default=t0) - t0
    conn.close()
    lat = sorted((t - sent[s]) * 1000 for s, t in got if s in sent)
    return {"events": len(got), "expected": watchers * patches, "errors": errors[0],
            "events_s": len(got) / elapsed if elapsed > 0 else 0.0,
            "p50_ms": statistics.median(lat) if lat else float("nan"),
            "p95_ms": lat[int(len(lat) * 0.95) - 1] if lat else float("nan")}


def peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))


def big_list(pyk: str, home: str, kubeconfig: str, work: str) -> None:
    from common import real_kubectl
    kubectl = real_kubectl(os.path.dirname(pyk))
    if kubectl is None:
        raise SystemExit("no real kubectl on PATH")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.update(PYKUBECTL_HOME=home, KUBECONFIG=kubeconfig, HOME=work)
    served = Served(pyk, env, work)
    try:
        served.point(kubectl, env)
        kenv = {"PATH": os.environ.get("PATH", ""), "HOME": work}
        print(f"server started: peak RSS {peak_rss_kib(served.proc.pid) / 1024:.0f} MiB", flush=True)
        for extra in ([], [], ["--chunk-size=0"]):
            t = time.perf_counter()
            p = subprocess.run([kubectl, "--kubeconfig", served.kubeconfig, "get", "pods", "-A", *extra,
                                "--request-timeout=600s"], env=kenv, capture_output=True, text=True)
            dt = time.perf_counter() - t
            print(f"kubectl get pods -A {' '.join(extra) or '(pages of 500)':16} exit {p.returncode}"
                  f" {dt:7.2f} s {len(p.stdout.splitlines()):6} lines; server peak RSS so far"
                  f" {peak_rss_kib(served.proc.pid) / 1024:.0f} MiB; load {loadavg()}", flush=True)
    finally:
        served.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=None)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--watchers", type=int, default=50)
    ap.add_argument("--patches", type=int, default=40)
    ap.add_argument("--skip-rps", action="store_true", help="only the watch fan-out")
    ap.add_argument("--big-home", help="a prepared cluster's PYKUBECTL_HOME: only the big list")
    ap.add_argument("--big-kubeconfig", help="its kubeconfig")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pyk-bench-http-")
    served = None
    try:
        venv = args.venv or wheel_venv(work)
        pyk = os.path.join(venv, "bin", "pykubectl")
        if args.big_home:
            big_list(pyk, args.big_home, args.big_kubeconfig, work)
            return
        env = lab_env(work)
        subprocess.run([pyk, "apply", "-f", "-"], input=pods_yaml(50), text=True, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        served = Served(pyk, env, work)
        ctx = tls_context(work, env["KUBECONFIG"])
        print(f"requests per cell <= {args.requests}, seconds per cell <= {args.seconds}; cpus: {os.cpu_count()}")
        print(f"{'operation':12} {'clients':>7} {'req/s':>8} {'ok':>5} {'errors':>6} {'connect max ms':>14}"
              f" {'load':>5}")
        for op in ([] if args.skip_rps else OPS):
            for clients in (1, 4, 16):
                rps, ok, errors, conn_ms = run_cell(served.port, ctx, op, clients, args.requests, args.seconds)
                print(f"{op:12} {clients:7} {rps:8.1f} {ok:5} {errors:6} {conn_ms:14.0f} {loadavg():>5}",
                      flush=True)
        if args.watchers:
            w = watch_fanout(served.port, ctx, args.watchers, args.patches, args.seconds)
            print(f"watch fan-out: {args.watchers} watchers x {args.patches} patches: {w['events']}/{w['expected']}"
                  f" events, {w['events_s']:.1f} events/s, latency p50 {w['p50_ms']:.0f} ms"
                  f" p95 {w['p95_ms']:.0f} ms, errors {w['errors']}, load {loadavg()}", flush=True)
    finally:
        if served:
            served.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
