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

from common import Served, floor, lab_env, loadavg, pods_yaml, real_kubectl, wheel_venv

ONE_POD = pods_yaml(1, prefix="bench-one")


def cases(pod: str):
    # (label, args, stdin); args may depend on the side ("ours"/"theirs"): the changing label
    # has each side set the value the other did not, so every run of either changes the pod
    return [
        ("get pods", ["get", "pods"], None),
        ("get pods -o wide", ["get", "pods", "-o", "wide"], None),
        (f"describe pod {pod}", ["describe", "pod", pod], None),
        ("apply -f (one pod)", ["apply", "-f", "-"], ONE_POD),
        (f"label pod {pod} --overwrite (same value)", ["label", "pod", pod, "bench=x", "--overwrite"], None),
        ("label pod p2 --overwrite (a change)",
         lambda side: ["label", "pod", "p2", f"flip={'ours' if side == 'ours' else 'theirs'}", "--overwrite"], None),
    ]


def interleaved(ours_cmd, theirs_cmd, env, kenv, runs, stdin):
    """Medians (ms) of both sides, run alternately so both see the same machine; the load
    average at the end."""
    import statistics
    import time
    a, b = [], []
    for _ in range(runs):
        for cmd, e, out in ((ours_cmd, env, a), (theirs_cmd, kenv, b)):
            t = time.perf_counter()
            subprocess.run(cmd, env=e, input=stdin, text=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            out.append((time.perf_counter() - t) * 1000)
    return statistics.median(a), statistics.median(b), loadavg()


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
        def argv(a, side):
            return a(side) if callable(a) else a
        for _, a, stdin in cases("p1"):
            for cmd in ([pyk, *argv(a, "ours")], [*theirs, *argv(a, "theirs")]):
                subprocess.run(cmd, env=kenv, input=stdin, text=True, check=True, capture_output=True)
        print(f"pods in the lab: {args.pods}; runs per figure: {args.runs} (the two sides alternate); "
              f"cpus: {os.cpu_count()}")
        print(f"{'command':44} {'pykubectl ms':>12} {'kubectl ms':>11} {'load':>5} {'ratio':>6}")
        for label, a, stdin in cases("p1"):
            ours, their, load = interleaved([pyk, *argv(a, "ours")], [*theirs, *argv(a, "theirs")], env, kenv,
                                            args.runs, stdin)
            print(f"{label:44} {ours:12.1f} {their:11.1f} {load:>5} {ours / their:6.2f}")
            sys.stdout.flush()
        ms, l = floor(env, args.runs)
        print(f"{'python3 -c pass (floor)':34} {ms:12.1f} {l:>5}")
    finally:
        if served:
            served.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
