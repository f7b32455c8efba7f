"""Golden files: whole transcripts of scripted sessions on a seeded cluster with a virtual clock,
compared byte for byte with tests/golden/*.txt. A seeded cluster gives the same uids, names, IPs
and times on every run, so any change in what `sim explain`, `sim trace` or `explain` prints shows
up here as a diff. After an intended change, regenerate with PYKUBECTL_UPDATE_GOLDEN=1 and review
the diff of the golden files."""
from __future__ import annotations

import difflib
import os

import pytest

from tests.conftest import manifest

GOLDEN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden")

SCENARIOS = {
    # exercises 4-5: node affinity, required and preferred; the scheduler's reasons and scores
    "sim-explain-scheduling": [
        ("apply", "-f", manifest("04-pod-required.yaml")),
        ("apply", "-f", manifest("05-pod-preferred.yaml")),
        ("sim", "advance", "10s"),
        ("sim", "explain", "pod/pod-required"),
        ("sim", "explain", "pod/pod-preferred"),
        ("label", "node", "worker-2", "ch=a"),
        ("sim", "advance", "10s"),
        ("get", "pods", "-o", "wide"),
        ("sim", "explain", "pod/pod-required"),
    ],
    # the timeline of the same session, controller by controller
    "sim-trace": [
        ("apply", "-f", manifest("04-pod-required.yaml")),
        ("sim", "advance", "10s"),
        ("label", "node", "worker-2", "ch=a"),
        ("sim", "advance", "30s"),
        ("sim", "trace"),
    ],
    # exercise 11: a claim on the NFS class, and why it bound where it did
    "sim-explain-pvc": [
        ("apply", "-f", manifest("28-pvc-nfs.yaml")),
        ("sim", "advance", "10s"),
        ("sim", "explain-pvc", "pvc/nfs-pvc"),
    ],
    # kubectl explain from the v1.32 definitions
    "explain": [
        ("explain", "pods.spec.tolerations"),
        ("explain", "deployment.spec.strategy", "--recursive"),
    ],
}


def transcript(k, steps) -> str:
    out = []
    for args in steps:
        shown = " ".join(os.path.basename(a) if a.endswith(".yaml") else a for a in args)
        r = k(*args)
        out.append(f"$ kubectl {shown}\n" if args[0] not in ("sim", "cluster")
                   else f"$ pykubectl {shown}\n")
        out.append(r.out)
        if r.err:
            out.append("[stderr] " + r.err)
        if r.code:
            out.append(f"[exit {r.code}]\n")
    return "".join(out)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_golden(fresh, name):
    fresh("cluster", "create", "golden", "--seed", "7", "--clock", "virtual", "--context", "golden",
          check=True)
    fresh("config", "use-context", "golden", check=True)
    got = transcript(fresh, SCENARIOS[name])
    path = os.path.join(GOLDEN, name + ".txt")
    if os.environ.get("PYKUBECTL_UPDATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8") as f:
            f.write(got)
    with open(path, encoding="utf-8") as f:
        want = f.read()
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            "golden/" + name + ".txt", "this run"))
        pytest.fail("transcript differs from the golden file:\n" + diff)
