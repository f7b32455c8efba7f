"""kubectl wait against the lab cluster (virtual clock: waiting cannot move time, so an unmet
condition fails at once with kubectl's timeout message instead of hanging)."""
from __future__ import annotations

import time

import pytest

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: app
    image: nginx
"""


@pytest.fixture
def pod(kube):
    kube("apply", "-f", "-", input=POD, check=True)
    return kube


MET = [
    ("condition-ready", ["--for=condition=Ready", "pod/web"], "pod/web condition met\n"),
    ("condition-case-folded", ["--for=condition=ready=TRUE", "pod", "web"], "pod/web condition met\n"),
    ("condition-false", ["--for=condition=Unknown=false", "pod/web", "--timeout=0"], None),
    ("jsonpath-value", ["--for=jsonpath={.status.phase}=Running", "pod/web"], "pod/web condition met\n"),
    ("jsonpath-quoted-value", ["--for=jsonpath={.status.phase}='Running'", "pod/web"], "pod/web condition met\n"),
    ("jsonpath-exists", ["--for=jsonpath=.status.podIP", "pod/web"], "pod/web condition met\n"),
    ("jsonpath-filter", ['--for=jsonpath={.status.conditions[?(@.type=="Ready")].status}=True', "pod/web"],
     "pod/web condition met\n"),
    ("by-selector", ["--for=condition=Ready", "pods", "-l", "app=web"], "pod/web condition met\n"),
    ("create", ["--for=create", "pod/web"], "pod/web condition met\n"),
    ("output-name", ["--for=condition=Ready", "pod/web", "-o", "name"], "pod/web\n"),
    ("output-jsonpath", ["--for=condition=Ready", "pod/web", "-o", "jsonpath={.metadata.name}"], "web"),
]


@pytest.mark.parametrize("args,want", [c[1:] for c in MET], ids=[c[0] for c in MET])
def test_met_after_the_pod_started(pod, args, want):
    pod("sim", "advance", "5s", check=True)
    r = pod("wait", *args)
    if want is None:            # no such condition: not met
        assert (r.code, r.out, r.err) == (1, "", "error: condition not met for pods/web\n")
    else:
        assert (r.code, r.out, r.err) == (0, want, "")


UNMET = [
    ("timeout-default", ["--for=condition=Ready", "pod/web"], "error: timed out waiting for the condition on pods/web\n"),
    ("timeout-given", ["--for=condition=Ready", "pod/web", "--timeout=60s"],
     "error: timed out waiting for the condition on pods/web\n"),
    ("timeout-zero-checks-once", ["--for=condition=Ready", "pod/web", "--timeout=0"],
     "error: condition not met for pods/web\n"),
    ("jsonpath-not-yet", ["--for=jsonpath={.status.phase}=Running", "pod/web"],
     "error: timed out waiting for the condition on pods/web\n"),
    ("delete-while-present", ["--for=delete", "pod/web", "--timeout=10s"],
     "error: timed out waiting for the condition on pods/web\n"),
    ("delete-timeout-zero", ["--for=delete", "pod/web", "--timeout=0"], "error: condition not met for pods/web\n"),
]


@pytest.mark.parametrize("args,want", [c[1:] for c in UNMET], ids=[c[0] for c in UNMET])
def test_unmet_fails_at_once_under_a_virtual_clock(pod, args, want):
    t0 = time.monotonic()
    r = pod("wait", *args)
    assert (r.code, r.out, r.err) == (1, "", want)
    assert time.monotonic() - t0 < 10


ERRORS = [
    ("no-for", ["pod/web"], 'error: unrecognized condition: ""\n'),
    ("bad-for", ["--for=ready", "pod/web"], 'error: unrecognized condition: "ready"\n'),
    ("jsonpath-empty-value", ["--for=jsonpath={.status.phase}=", "pod/web"],
     "error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3\n"),
    ("jsonpath-too-many", ["--for=jsonpath={.a}=b=c", "pod/web"],
     "error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'\n"),
    ("jsonpath-nested", ["--for=jsonpath={.metadata.labels}=x", "pod/web"],
     "error: jsonpath leads to a nested object or list which is not supported\n"),
    ("not-found", ["--for=condition=Ready", "pod/nope"], 'Error from server (NotFound): pods "nope" not found\n'),
    ("no-match", ["--for=condition=Ready", "pods", "-l", "app=zzz"], "error: no matching resources found\n"),
    ("no-name", ["--for=condition=Ready", "pods"], "error: resource(s) were provided, but no name was specified\n"),
    ("bad-timeout", ["--for=delete", "pod/web", "--timeout=soon"],
     'error: invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"\nSee \'kubectl wait --help\' for usage.\n'),
]


@pytest.mark.parametrize("args,want", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors_in_kubectl_words(pod, args, want):
    r = pod("wait", *args)
    assert (r.code, r.out, r.err) == (1, "", want)


def test_delete_of_an_absent_object_is_met_silently(kube):
    r = kube("wait", "--for=delete", "pod/nope")
    assert (r.code, r.out, r.err) == (0, "", "")


def test_delete_met_once_the_object_is_gone(kube):
    # kubetm/app ignores SIGTERM: the pod stays Terminating for its whole grace period
    kube("apply", "-f", "-", input=POD.replace("nginx", "kubetm/app"), check=True)
    kube("sim", "advance", "5s", check=True)
    kube("delete", "pod/web", "--wait=false", check=True)
    before = kube("wait", "--for=delete", "pod/web")
    assert (before.code, before.out, before.err) == (1, "", "error: timed out waiting for the condition on pods/web\n")
    kube("sim", "advance", "40s", check=True)
    r = kube("wait", "--for=delete", "pod/web")
    assert (r.code, r.out, r.err) == (0, "", "")


def test_deployment_available(kube):
    kube("create", "deployment", "web", "--image=nginx", check=True)
    kube("sim", "advance", "10s", check=True)
    r = kube("wait", "--for=condition=Available", "deployment/web")
    assert (r.code, r.out, r.err) == (0, "deployment.apps/web condition met\n", "")


def test_real_clock_waits_while_the_kubelet_starts_the_pod(fresh):
    fresh("cluster", "create", "kubernetes", check=True)      # a real clock by default
    fresh("apply", "-f", "-", input=POD.replace("nginx", "kubetm/app"), check=True)
    t0 = time.monotonic()
    r = fresh("wait", "--for=condition=Ready", "pod/web", "--timeout=30s")
    assert (r.code, r.out, r.err) == (0, "pod/web condition met\n", "")
    assert time.monotonic() - t0 > 0.5       # the 2 s image pull passed while we waited
    fresh("delete", "pod/web", "--wait=false", check=True)
    t0 = time.monotonic()
    r = fresh("wait", "--for=delete", "pod/web", "--timeout=1s")
    assert (r.code, r.out, r.err) == (1, "", "error: timed out waiting for the condition on pods/web\n")
    assert 0.9 < time.monotonic() - t0 < 10
