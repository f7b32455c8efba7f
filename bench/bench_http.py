"""`pykubectl cluster serve` throughput on 127.0.0.1: requests per second for GET (one pod), LIST
(pods of a namespace, 50 pods) and PATCH (a merge patch of one label) with 1, 4 and 16 concurrent
clients (threads, one keep-alive TLS connection each, admin client certificate). Each cell is
bounded by --requests and --seconds.

    python bench/bench_http.py [--venv DIR] [--requests 300] [--seconds 8]
"""
from __future__ import annotations

import argparse
import base64
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


def run_cell(port, ctx, op, clients, total, seconds) -> tuple[float, int, int]:
    method, path, ctype, body = OPS[op]
    lock = threading.Lock()
    state = {"left": total, "done": 0, "errors": 0}
    deadline = time.perf_counter() + seconds

    def worker(n):
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
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
    return state["done"] / elapsed, state["done"], state["errors"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=None)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=8)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pyk-bench-http-")
    served = None
    try:
        venv = args.venv or wheel_venv(work)
        pyk = os.path.join(venv, "bin", "pykubectl")
        env = lab_env(work)
        subprocess.run([pyk, "apply", "-f", "-"], input=pods_yaml(50), text=True, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        served = Served(pyk, env, work)
        ctx = tls_context(work, env["KUBECONFIG"])
        print(f"requests per cell <= {args.requests}, seconds per cell <= {args.seconds}; cpus: {os.cpu_count()}")
        print(f"{'operation':12} {'clients':>7} {'req/s':>8} {'ok':>5} {'errors':>6} {'load':>5}")
        for op in OPS:
            for clients in (1, 4, 16):
                rps, ok, errors = run_cell(served.port, ctx, op, clients, args.requests, args.seconds)
                print(f"{op:12} {clients:7} {rps:8.1f} {ok:5} {errors:6} {loadavg():>5}", flush=True)
    finally:
        if served:
            served.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
