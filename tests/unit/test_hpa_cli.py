"""The HPA controller and `kubectl autoscale` through the CLI: conditions and events as
kube-controller-manager words them, behavior policies, and autoscale's checks and output."""
import os
import subprocess
import sys

import pytest

from tests.conftest import manifest

HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: h
spec:
  minReplicas: 2
  maxReplicas: 10
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
  metrics: %s
%s"""
CPU50 = "[{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]"


def conditions(kube):
    r = kube("get", "hpa", "h", "-o", "jsonpath={range .status.conditions[*]}{.type}={.status}/{.reason};{end}")
    assert r.code == 0, r.err
    return r.out


def load(kube, svc, rps, seconds):
    code = ("from pykubectl.sim.clusters import Cluster; from pykubectl.metrics.traffic import register;"
            f"register(Cluster('kubernetes'), 'default', {svc!r}, {rps}, {seconds})")
    p = subprocess.run([sys.executable, "-c", code], env=kube.env, capture_output=True, text=True,
                       cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("target, metrics, want_cond, want_event", [
    ("missing", CPU50, "AbleToScale=False/FailedGetScale;",
     'FailedGetScale: deployments.apps "missing" not found'),
    ("stateless-cpu1", "[{type: Pods, pods: {metric: {name: http_requests}, target: {type: AverageValue, averageValue: '1'}}}]",
     "AbleToScale=True/SucceededGetScale;ScalingActive=False/FailedGetPodsMetric;",
     "FailedGetPodsMetric: unable to get metric http_requests: unable to fetch metrics from custom metrics API: "
     "no custom metrics API (custom.metrics.k8s.io) registered"),
    ("stateless-memory1", CPU50, "AbleToScale=True/SucceededGetScale;ScalingActive=False/FailedGetResourceMetric;",
     "FailedGetResourceMetric: failed to get cpu utilization: missing request for cpu in container container of Pod "),
], ids=["no-target", "pods-metric-unavailable", "no-cpu-request"])
def test_unable_to_scale(kube, target, metrics, want_cond, want_event):
    kube("apply", "-f", manifest("46-deploy-svc-cpu.yaml"), "-f", manifest("48-deploy-svc-memory.yaml"), check=True)
    kube("apply", "-f", "-", input=HPA % (target, metrics, ""), check=True)
    kube("sim", "advance", "45s", check=True)
    assert conditions(kube) == want_cond
    ev = kube("get", "events", "--field-selector", "involvedObject.name=h", "-o",
              "custom-columns=R:.reason,M:.message", "--no-headers")
    lines = [" ".join(line.split(None, 1)[0:1]) + ": " + line.split(None, 1)[1].strip() for line in ev.out.splitlines()]
    assert any(line.startswith(want_event) for line in lines), lines


def test_behavior_policy_limits_scale_up(kube):
    behavior = """  behavior:
    scaleUp:
      policies: [{type: Pods, value: 1, periodSeconds: 60}]
"""
    kube("apply", "-f", manifest("46-deploy-svc-cpu.yaml"), check=True)
    kube("apply", "-f", "-", input=HPA % ("stateless-cpu1", CPU50, behavior), check=True)
    kube("sim", "advance", "45s", check=True)
    load(kube, "stateless-svc1", 100, 600)
    kube("sim", "advance", "15s", check=True)
    # 180% wants 8; one pod per minute allows 3
    assert kube("get", "deploy", "stateless-cpu1", "-o", "jsonpath={.spec.replicas}").out == "3"
    assert "ScalingLimited=True/ScaleUpLimit;" in conditions(kube)
    kube("sim", "advance", "30s", check=True)
    assert kube("get", "deploy", "stateless-cpu1", "-o", "jsonpath={.spec.replicas}").out == "3"
    kube("sim", "advance", "30s", check=True)
    assert kube("get", "deploy", "stateless-cpu1", "-o", "jsonpath={.spec.replicas}").out == "4"


def test_autoscale_creates_a_working_hpa(kube):
    kube("apply", "-f", manifest("46-deploy-svc-cpu.yaml"), check=True)
    r = kube("autoscale", "deployment", "stateless-cpu1", "--min=2", "--max=5", "--cpu-percent=50",
             "--dry-run=client", "-o", "yaml")
    assert r.out == """apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  creationTimestamp: null
  name: stateless-cpu1
spec:
  maxReplicas: 5
  minReplicas: 2
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: stateless-cpu1
  targetCPUUtilizationPercentage: 50
status:
  currentReplicas: 0
  desiredReplicas: 0
""", r.err
    r = kube("autoscale", "deploy/stateless-cpu1", "--max=5", "--cpu-percent=50")
    assert r.out == "horizontalpodautoscaler.autoscaling/stateless-cpu1 autoscaled\n", r.err
    kube("sim", "advance", "45s", check=True)
    r = kube("get", "hpa", "--no-headers")
    assert r.out.split()[:6] == ["stateless-cpu1", "Deployment/stateless-cpu1", "cpu:", "10%/50%", "1", "5"]


@pytest.mark.parametrize("args, err", [
    (["deploy", "stateless-cpu1"], "error: --max=MAXPODS is required and must be at least 1, max: -1\n"),
    (["deploy", "stateless-cpu1", "--max=2", "--min=3"],
     "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 3\n"),
    (["svc", "stateless-svc1", "--max=2"],
     "error: cannot autoscale a Service: could not find scale subresource for /v1, Resource=services in discovery information\n"),
    (["deploy", "nope", "--max=2"], 'Error from server (NotFound): deployments.apps "nope" not found\n'),
], ids=["no-max", "max-below-min", "not-scalable", "not-found"])
def test_autoscale_refuses(kube, args, err):
    kube("apply", "-f", manifest("46-deploy-svc-cpu.yaml"), check=True)
    r = kube("autoscale", *args)
    assert (r.code, r.err) == (1, err)


def test_explain_shows_inputs_and_result(kube):
    kube("apply", "-f", manifest("46-deploy-svc-cpu.yaml"), "-f", manifest("47-hpa-cpu.yaml"), check=True)
    kube("sim", "advance", "45s", check=True)
    load(kube, "stateless-svc1", 100, 600)
    code = ("from pykubectl.sim.clusters import Cluster; from pykubectl.controllers.manager import View;"
            "from pykubectl.metrics.explain import explain_hpa; c = Cluster('kubernetes');\n"
            "with c.store.read() as t:\n"
            " v = View(t, c.apiserver); h = v.get('horizontalpodautoscalers.autoscaling', 'default', 'hpa-resource-cpu')\n"
            " print(explain_hpa(v, h, c.clock.now()), end='')")
    p = subprocess.run([sys.executable, "-c", code], env=kube.env, capture_output=True, text=True,
                       cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[1] == "target Deployment/stateless-cpu1: 2 replicas (min 2, max 10)"
    assert lines[2].startswith("load: 100 rps to service default/stateless-svc1 until ")
    assert [line.split(": ", 1)[1] for line in lines if line.startswith("  pod ")] == \
        ["ready=True usage=18m request=10m"] * 2
    assert lines[-1] == "result: scale to 4 replicas"


@pytest.mark.parametrize("argv", [["top", "--help"], ["top", "pod", "--help"], ["top", "node", "-h"],
                                  ["autoscale", "--help"]], ids=["top", "top-pod", "top-node", "autoscale"])
def test_help_matches_kubectl(fresh, argv):
    from tests.conftest import real_kubectl
    kubectl = real_kubectl()
    if kubectl is None:
        pytest.skip("no real kubectl")
    want = subprocess.run([kubectl, *argv], capture_output=True, text=True).stdout
    assert fresh(*argv).out == want
