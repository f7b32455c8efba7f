"""Shared by the benchmarks: a wheel venv, a lab home, `cluster serve` with a kubeconfig the real
kubectl can use, timing with the load average beside each figure. 127.0.0.1 only."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

from bench_get import real_kubectl, wheel_venv  # noqa: F401  (re-exported)


def lab_env(work: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "KUBECONFIG")}
    env.update(PYKUBECTL_HOME=f"{work}/home", KUBECONFIG=f"{work}/kubeconfig", HOME=work)
    return env


def pods_yaml(n: int, prefix: str = "p", node: str | None = None) -> str:
    docs = []
    for i in range(n):
        spec = {"containers": [{"name": "c", "image": "nginx"}]}
        if node:
            spec["nodeName"] = node
        docs.append(json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"{prefix}{i}"},
                                "spec": spec}))
    return "\n---\n".join(docs)


def loadavg() -> str:
    return "%.1f" % os.getloadavg()[0]


def timed(cmd, env, runs: int, input: str | None = None) -> tuple[float, str]:
    """Median wall time in ms over runs, and the 1-minute load average when they finished."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, input=input, text=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out), loadavg()


class Served:
    """`pykubectl cluster serve --port 0` and a kubeconfig for the real kubectl pointing at it."""

    def __init__(self, pyk: str, env: dict, work: str):
        self.proc = subprocess.Popen([pyk, "cluster", "serve", "--port", "0"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"https://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.stop()
            raise SystemExit(f"cluster serve did not start: {line!r}")
        self.port = int(m.group(1))
        self.url = f"https://127.0.0.1:{self.port}"
        self.kubeconfig = f"{work}/kubeconfig-served"
        shutil.copy(env["KUBECONFIG"], self.kubeconfig)

    def point(self, kubectl: str, env: dict):
        subprocess.run([kubectl, "--kubeconfig", self.kubeconfig, "config", "set-cluster", "kubernetes",
                        f"--server={self.url}"], env=env, check=True, capture_output=True)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def floor(env, runs) -> tuple[float, str]:
    return timed([sys.executable, "-c", "pass"], env, runs)
