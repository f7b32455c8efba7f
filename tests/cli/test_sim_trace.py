"""pykubectl sim trace: the controllers' timeline, from the change log and Events, on the lab
cluster's virtual clock (a golden timeline: names' random suffixes and IPs normalized)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from pykubectl.cli import sim_trace as T
from tests.conftest import Result

# `sim trace` is a click command the lead registers under `sim`; run it as main would
_RUN = """import sys
from pykubectl.cli import errors as E, main, sim_trace
g, rest = main.split_globals(sys.argv[1:])
try:
    code = main._run_click(sim_trace.command, "sim trace", rest, g)
except BaseException as e:
    code = E.handle(e, sys.stderr)
sys.exit(code)
"""


def trace(kube, *args) -> Result:
    p = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True,
                       env=kube.env, timeout=60)
    return Result(p.returncode, p.stdout, p.stderr)


def normalized(text: str) -> str:
    text = re.sub(r"web-([0-9a-f]{8,10})-[a-z0-9]{5}", r"web-\1-xxxxx", text)
    return re.sub(r"\b\d+\.\d+\.\d+\.\d+\b", "IP", text)


def test_deployment_timeline(kube):
    kube("create", "deployment", "web", "--image=nginx", check=True)
    kube("sim", "advance", "5s", check=True)
    r = trace(kube)
    assert (r.code, r.err) == (0, "")
    lines = normalized(r.out).splitlines()
    rs = re.search(r"replicaset\.apps/(web-[0-9a-f]+)", r.out).group(1)
    pod = "pod/" + rs + "-xxxxx"
    body = [re.sub(r"\s{2,}", " | ", ln.strip()) for ln in lines]
    assert body[0] == "TIME | WHO | OBJECT | WHAT"
    want = [
        "00:00:00 | kubectl-create | deployment.apps/web | created",
        f"00:00:00 | deployment-controller | deployment.apps/web | ScalingReplicaSet: Scaled up replica set {rs} from 0 to 1",
        f"00:00:00 | replicaset-controller | replicaset.apps/{rs} | SuccessfulCreate: Created pod: {rs}-xxxxx",
        f"00:00:00 | default-scheduler | {pod} | Scheduled: Successfully assigned default/{rs}-xxxxx to NODE",
        "00:00:00 | kubelet (NODE) | " + pod + ' | Pulling: Pulling image "nginx"',
        f"00:00:02 | kubelet (NODE) | {pod} | pod IP IP",
        f"00:00:02 | kubelet (NODE) | {pod} | phase Pending -> Running",
        f"00:00:02 | kubelet (NODE) | {pod} | Ready False -> True",
        "00:00:02 | kubelet (NODE) | " + pod + ' | Pulled: Successfully pulled image "nginx" in 2s (2s including waiting). Image size: 72188133 bytes.',
        f"00:00:02 | kubelet (NODE) | {pod} | Created: Created container: nginx",
        f"00:00:02 | kubelet (NODE) | {pod} | Started: Started container nginx",
        f"00:00:02 | replicaset-controller | replicaset.apps/{rs} | ready 1/1",
        "00:00:02 | deployment-controller | deployment.apps/web | ready 1/1",
    ]
    assert [re.sub(r"worker-\d|k8s-master", "NODE", ln) for ln in body[1:]] == want


def test_scale_and_delete_are_traced(kube):
    kube("create", "deployment", "web", "--image=nginx", check=True)
    kube("sim", "advance", "5s", check=True)
    kube("scale", "deployment", "web", "--replicas=2", check=True)
    kube("sim", "advance", "5s", check=True)
    r = trace(kube, "--since", "5s")
    assert r.code == 0
    whats = [re.split(r"\s{2,}", ln.strip())[1:] for ln in normalized(r.out).splitlines()[1:]]
    assert ["deployment.apps/web", "replicas 1 -> 2"] in [w[1:] for w in whats]
    assert any(w[0] == "deployment-controller" and "Scaled up replica set" in w[2] and "from 1 to 2" in w[2] for w in whats)
    assert ["deployment-controller", "deployment.apps/web", "ready 2/2"] in whats
    # --since leaves out what happened before the window
    assert ["kubectl-create", "deployment.apps/web", "created"] not in whats


def test_nothing_happened_yet(kube):
    r = trace(kube)
    assert (r.code, r.out, r.err) == (0, "No controller activity found\n", "")


@pytest.mark.parametrize("since,err", [("soon", 'error: time: invalid duration "soon"\n'),
                                       ("-5s", "error: --since must not be negative\n")],
                         ids=["not-a-duration", "negative"])
def test_bad_since(kube, since, err):
    r = trace(kube, "--since", since)
    assert (r.code, r.out, r.err) == (1, "", err)


ENDPOINTS_OLD = {"subsets": [{"addresses": [{"ip": "10.0.0.1", "targetRef": {"name": "a"}}]}]}
ENDPOINTS_NEW = {"subsets": [{"addresses": [{"ip": "10.0.0.2", "targetRef": {"name": "b"}}]}]}


CLIENT = {"name": "start", "managedFields": [{"manager": "kubectl-create", "time": "2026-01-01T00:00:00Z"}],
          "creationTimestamp": "2026-01-01T00:00:00Z"}


def _ch(rev, typ, res, name, obj, grp=""):
    return (rev, typ, grp, res, "default", name, obj)


def changes(*entries):
    """A client's first write, then the entries (the trace starts at a client's write)."""
    return [_ch(0, "ADDED", "configmaps", "start", {"metadata": CLIENT, "kind": "ConfigMap"}), *entries]


ROWS = [
    ("endpoints", changes(_ch(1, "MODIFIED", "endpoints", "svc", dict(ENDPOINTS_OLD, kind="Endpoints", metadata={"name": "svc"})),
                          _ch(2, "MODIFIED", "endpoints", "svc", dict(ENDPOINTS_NEW, kind="Endpoints", metadata={"name": "svc"}))),
     [("endpoint-controller", "endpoints/svc", "endpoint added 10.0.0.2 (pod/b)"),
      ("endpoint-controller", "endpoints/svc", "endpoint removed 10.0.0.1 (pod/a)")]),
    ("bring-up-is-not-traced",
     [_ch(1, "ADDED", "configmaps", "x", {"metadata": {"name": "x", "creationTimestamp": "2026-01-01T00:00:00Z"}}),
      _ch(2, "ADDED", "pods", "p", {"metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z",
                                                 "managedFields": [{"manager": "kube-controller-manager"}]}})], []),
    ("node-cordoned",
     changes(_ch(1, "MODIFIED", "nodes", "w1", {"metadata": {"name": "w1"}, "spec": {}}),
      _ch(2, "MODIFIED", "nodes", "w1", {"metadata": {"name": "w1", "managedFields": [
          {"manager": "kubectl-cordon", "time": "2026-01-01T00:00:05Z"}]}, "spec": {"unschedulable": True}})),
     [("kubectl-cordon", "node/w1", "cordoned")]),
    ("event-repeats-counted",
     changes(_ch(1, "ADDED", "events", "e", {"metadata": {"name": "e"}, "count": 1, "reason": "Unhealthy",
                                      "message": "Liveness probe failed", "lastTimestamp": "2026-01-01T00:00:10Z",
                                      "source": {"component": "kubelet", "host": "worker-1"},
                                      "involvedObject": {"kind": "Pod", "apiVersion": "v1", "name": "p"}}),
      _ch(2, "MODIFIED", "events", "e", {"metadata": {"name": "e"}, "count": 3, "reason": "Unhealthy",
                                         "message": "Liveness probe failed", "lastTimestamp": "2026-01-01T00:00:30Z",
                                         "source": {"component": "kubelet", "host": "worker-1"},
                                         "involvedObject": {"kind": "Pod", "apiVersion": "v1", "name": "p"}})),
     [("kubelet (worker-1)", "pod/p", "Unhealthy: Liveness probe failed"),
      ("kubelet (worker-1)", "pod/p", "Unhealthy: Liveness probe failed (x3)")]),
]


@pytest.mark.parametrize("changes,want", [c[1:] for c in ROWS], ids=[c[0] for c in ROWS])
def test_trace_rows(changes, want):
    rows = T.trace_rows(changes, now=1767225700.0)
    assert [r[1:] for r in rows if r[2] != "configmap/start"] == want


def test_namespace_filter_keeps_cluster_scoped_objects():
    other = _ch(1, "ADDED", "configmaps", "x", {"kind": "ConfigMap", "metadata": dict(CLIENT, name="x", namespace="kube-system")})
    other = (1, "ADDED", "", "configmaps", "kube-system", "x", other[6])
    node = _ch(2, "ADDED", "nodes", "n", {"kind": "Node", "metadata": dict(CLIENT, name="n")})
    node = (2, "ADDED", "", "nodes", "", "n", node[6])
    rows = T.trace_rows(changes(other, node), now=1767225700.0, namespace="default")
    assert [r[2] for r in rows] == ["configmap/start", "node/n"]
    rows = T.trace_rows(changes(other, node), now=1767225700.0)
    assert [r[2] for r in rows] == ["configmap/start", "configmap/x", "node/n"]
