"""pykubectl (wheel install, in-process cluster) beside the real kubectl talking to
`pykubectl cluster serve` on the same cluster (lab + 50 pods), in one run: medians, ratios
pykubectl/kubectl, `python3 -c pass` as the floor, the load average beside every figure.

    python bench/bench_side_by_side.py [--runs 15] [--venv DIR] [--pods 50]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from common import Served, floor, lab_env, pods_yaml, real_kubectl, timed, wheel_venv

ONE_POD = pods_yaml(1, prefix="bench-one")


def cases(pod: str):
    # (label, args, stdin); label toggles between two values so every run changes something
    return [
        ("get pods", ["get", "pods"], None),
        ("get pods -o wide", ["get", "pods", "-o", "wide"], None),
        (f"describe pod {pod}", ["describe", "pod", pod], None),
        ("apply -f (one pod)", ["apply", "-f", "-"], ONE_POD),
        (f"label pod {pod} --overwrite", ["label", "pod", pod, "bench=x", "--overwrite"], None),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--venv", default=None)
    ap.add_argument("--pods", type=int, default=50)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pyk-bench-")
    served = None
    try:
        venv = args.venv or wheel_venv(work)
        pyk = os.path.join(venv, "bin", "pykubectl")
        kubectl = real_kubectl(os.path.join(venv, "bin"))
        if not kubectl:
            raise SystemExit("no real kubectl on PATH")
        env = lab_env(work)
        subprocess.run([pyk, "apply", "-f", "-"], input=pods_yaml(args.pods), text=True, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([pyk, "sim", "advance", "10s"], env=env, check=True, stdout=subprocess.DEVNULL)
        served = Served(pyk, env, work)
        served.point(kubectl, env)
        kenv = dict(env)
        theirs = [kubectl, "--kubeconfig", served.kubeconfig]
        # warm both: byte-compiled modules, kubectl's discovery cache (as for any user after one command)
        for _, a, stdin in cases("p1"):
            for cmd in ([pyk, *a], [*theirs, *a]):
                subprocess.run(cmd, env=kenv, input=stdin, text=True, check=True, capture_output=True)
        print(f"pods in the lab: {args.pods}; runs per figure: {args.runs}; cpus: {os.cpu_count()}")
        print(f"{'command':34} {'pykubectl ms':>12} {'load':>5} {'kubectl ms':>11} {'load':>5} {'ratio':>6}")
        for label, a, stdin in cases("p1"):
            ours, l1 = timed([pyk, *a], env, args.runs, stdin)
            their, l2 = timed([*theirs, *a], kenv, args.runs, stdin)
            print(f"{label:34} {ours:12.1f} {l1:>5} {their:11.1f} {l2:>5} {ours / their:6.2f}")
            sys.stdout.flush()
        ms, l = floor(env, args.runs)
        print(f"{'python3 -c pass (floor)':34} {ms:12.1f} {l:>5}")
    finally:
        if served:
            served.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
