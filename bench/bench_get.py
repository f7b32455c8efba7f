"""`pykubectl get pods` (lab cluster, 50 pods) from a wheel install, side by side in one run with
the real kubectl's `config get-contexts` and `python3 -c pass`. Reports medians and ratios.

    python bench/bench_get.py [--runs 30] [--venv DIR]   (builds a wheel venv unless given one)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def real_kubectl(venv_bin: str) -> str | None:
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if os.path.abspath(p) != os.path.abspath(venv_bin))
    return shutil.which("kubectl", path=path)


def wheel_venv(work: str) -> str:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", f"{work}/dist", ROOT],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "venv", f"{work}/venv"], check=True)
    whl = [f for f in os.listdir(f"{work}/dist") if f.endswith(".whl")][0]
    subprocess.run([f"{work}/venv/bin/pip", "install", "-q", f"{work}/dist/{whl}"], check=True,
                   stdout=subprocess.DEVNULL)
    return f"{work}/venv"


def timeit(cmd, env, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--venv", default=None)
    ap.add_argument("--pods", type=int, default=50)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pyk-bench-")
    try:
        venv = args.venv or wheel_venv(work)
        pyk = os.path.join(venv, "bin", "pykubectl")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYKUBECTL_HOME=f"{work}/home", KUBECONFIG=f"{work}/kubeconfig", HOME=work)
        docs = "\n---\n".join(json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}"},
                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
                              for i in range(args.pods))
        subprocess.run([pyk, "apply", "-f", "-"], input=docs, text=True, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([pyk, "get", "pods"], env=env, check=True, stdout=subprocess.DEVNULL)  # warm, compile
        kubectl = real_kubectl(os.path.join(venv, "bin"))
        rows = {}
        for label, cmd in (("pykubectl get pods", [pyk, "get", "pods"]),
                           ("kubectl config get-contexts", [kubectl, "config", "get-contexts"] if kubectl else None),
                           ("python3 -c pass", [sys.executable, "-c", "pass"])):
            if cmd:
                rows[label] = statistics.median(timeit(cmd, env, args.runs))
        base = rows.get("kubectl config get-contexts")
        print(f"{'command':32} {'median ms':>10} {'vs kubectl':>11}")
        for label, ms in rows.items():
            ratio = f"{ms / base:.2f}x" if base else "-"
            print(f"{label:32} {ms:10.1f} {ratio:>11}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
