"""The real kubectl as the oracle for pykubectl's own printers: after the notes' manifests are
applied, `kubectl describe` / `get -o wide` run by the real kubectl against `cluster serve` must
print what pykubectl prints. Timestamps differ by design (the server shifts them to the client's
wall clock, pykubectl prints cluster time), so they and ages are masked before comparing."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.compat.test_real_kubectl import KUBECTL, served  # noqa: F401  (module fixture)
from tests.conftest import PYKUBECTL, manifest

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")

MASKS = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "TIME"),
    (re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}"), "DATE"),
    (re.compile(r"(?<=\s)(\d+d)?(\d+h)?(\d+m)?(\d+s)?(?=[\s)])"), ""),   # ages: 19s, 5m2s, 65m, 3d
]
# (ConfigMaps and Secrets with several keys are left out: kubectl prints their keys in Go's random
# map order, pykubectl sorted.)
MANIFESTS = ["01-readiness", "14-svc-clusterip1", "16-request-pod", "28-pvc-nfs", "35-replicaset-statefulset",
             "39-ingress-loadbalancing", "46-deploy-svc-cpu", "47-hpa-cpu"]
DESCRIBE = ["pod pod1", "pod -n kube-system", "node", "svc svc-readiness", "svc -A", "deploy -A", "rs -A",
            "sts", "ds -n kube-system", "ingress", "hpa", "pvc", "pv", "sc", "ns", "sa -A", "cm kube-root-ca.crt",
            "ep -A", "endpointslice -A", "ippool", "crd ippools.crd.projectcalico.org", "priorityclass",
            "apiservice", "ingressclass", "role -A", "clusterrole view", "clusterrolebinding kubeadm:cluster-admins",
            "rolebinding -n kube-system", "lease -A"]
GET = ["pods -A -o wide", "nodes -o wide", "svc -A -o wide", "deploy,rs,sts -A -o wide", "ds -A", "ep -A",
       "ingress", "hpa", "pv,pvc", "sc", "ns", "events -A"]


def _mask(text: str) -> str:
    for rx, rep in MASKS:
        text = rx.sub(rep, text)
    return re.sub(r"[ \t]+\n", "\n", text)


@pytest.fixture(scope="module")
def loaded(served):  # noqa: F811
    for m in MANIFESTS:
        served.local("apply", "-f", manifest(f"{m}.yaml"))
    served.local("sim", "advance", "20s", check=True)
    return served


def _both(s, args: str):
    ours = subprocess.run([PYKUBECTL, *args.split()], capture_output=True, text=True, env=s.local.env, timeout=60)
    real = s.kubectl(*args.split(), timeout=60)
    return _mask(ours.stdout + ours.stderr), _mask(real.stdout + real.stderr)


@pytest.mark.parametrize("what", DESCRIBE)
def test_describe_as_the_real_kubectl_prints_it(loaded, what):
    ours, real = _both(loaded, f"describe {what}")
    assert ours == real


@pytest.mark.parametrize("what", GET)
def test_get_as_the_real_kubectl_prints_it(loaded, what):
    ours, real = _both(loaded, f"get {what}")
    assert ours == real
