"""An autoscaling/v1 HPA through pykubectl's own verbs: created, re-applied and changed with
client-side apply, stored (and shown) as autoscaling/v2, as the apiserver converts it."""
from __future__ import annotations

import json

HPA_V1 = """\
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: %d
  targetCPUUtilizationPercentage: %d
"""


def test_v1_manifest_applies_and_reapplies(kube):
    kube("create", "deployment", "web", "--image=nginx", check=True)
    r = kube("apply", "-f", "-", input=HPA_V1 % (5, 50))
    assert (r.code, r.out, r.err) == (0, "horizontalpodautoscaler.autoscaling/web created\n", "")
    r = kube("apply", "-f", "-", input=HPA_V1 % (5, 50))
    assert (r.code, r.out, r.err) == (0, "horizontalpodautoscaler.autoscaling/web unchanged\n", "")
    r = kube("apply", "-f", "-", input=HPA_V1 % (7, 60))
    assert (r.code, r.out, r.err) == (0, "horizontalpodautoscaler.autoscaling/web configured\n", "")
    hpa = json.loads(kube("get", "hpa", "web", "-o", "json", check=True).out)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["maxReplicas"] == 7
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]
    assert kube("get", "hpa", "web", "--no-headers").out.split()[2] == "cpu:"
