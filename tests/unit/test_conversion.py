"""autoscaling/v1 <-> v2 HorizontalPodAutoscaler conversion, as the apiserver converts through
its internal version: the v1 CPU target becomes a Resource metric (80% when unset), and what v1
cannot express travels in the autoscaling.alpha.kubernetes.io/* annotations, written in the
apiserver's exact encoding and read back (then dropped) on the way to v2."""
from __future__ import annotations

import copy
import json

import pytest

from pykubectl.api.conversion import BEHAVIOR, CONDITIONS, CURRENT_METRICS, METRICS, convert

REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
T = "2026-01-01T00:05:00Z"


def v1(spec=None, status=None, annotations=None):
    meta = {"name": "web", "namespace": "default"}
    if annotations:
        meta["annotations"] = annotations
    obj = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": meta,
           "spec": dict({"scaleTargetRef": REF, "maxReplicas": 5}, **(spec or {}))}
    if status is not None:
        obj["status"] = status
    return obj


def v2(spec=None, status=None, annotations=None):
    obj = v1(None, status, annotations)
    obj["apiVersion"] = "autoscaling/v2"
    obj["spec"] = dict({"scaleTargetRef": REF, "maxReplicas": 5}, **(spec or {}))
    return obj


CPU = lambda pct: {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": pct}}}
MEMORY_AVG = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}
PODS = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}}
OBJECT = {"type": "Object", "object": {"describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "main"},
                                       "metric": {"name": "requests"}, "target": {"type": "Value", "value": "2k"}}}
EXTERNAL = {"type": "External", "external": {"metric": {"name": "queue", "selector": {"matchLabels": {"q": "jobs"}}},
                                             "target": {"type": "AverageValue", "averageValue": "30"}}}
CONTAINER = {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                                                                "target": {"type": "Utilization", "averageUtilization": 70}}}
BEHAVIOR_V2 = {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                           "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                        {"type": "Percent", "value": 100, "periodSeconds": 15}]},
               "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
                             "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}
COND = {"type": "AbleToScale", "status": "True", "lastTransitionTime": T, "reason": "ReadyForNewScale",
        "message": "recommended size matches current size"}


@pytest.mark.parametrize("src,expected", [
    (v1({"targetCPUUtilizationPercentage": 60}), v2({"metrics": [CPU(60)]})),
    (v1(), v2({"metrics": [CPU(80)]})),
    (v1({"minReplicas": 2, "targetCPUUtilizationPercentage": 50},
        {"currentReplicas": 3, "desiredReplicas": 4, "currentCPUUtilizationPercentage": 75}),
     v2({"minReplicas": 2, "metrics": [CPU(50)]},
        {"currentReplicas": 3, "desiredReplicas": 4, "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 75}}}]})),
    (v1({"targetCPUUtilizationPercentage": 50}, {"currentReplicas": 0, "desiredReplicas": 0}),
     v2({"metrics": [CPU(50)]}, {"desiredReplicas": 0})),
    (v1({}, None, {METRICS: '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]',
                   "team": "a"}),
     v2({"metrics": [MEMORY_AVG]}, None, {"team": "a"})),
    (v1({"targetCPUUtilizationPercentage": 50}, None,
        {METRICS: '[{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]'}),
     v2({"metrics": [PODS, CPU(50)]})),
    (v1({}, None, {BEHAVIOR: '{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":null,"Policies":null}}'}),
     v2({"behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}, "metrics": [CPU(80)]})),
    (v1({}, None, {METRICS: "not json"}), v2({"metrics": [CPU(80)]})),
], ids=["cpu-target", "default-80", "status-cpu", "zero-replicas-omitted-in-v2", "metrics-annotation",
        "annotation-then-cpu", "behavior-annotation", "undecodable-annotation-ignored"])
def test_v1_to_v2(src, expected):
    before = copy.deepcopy(src)
    assert convert(src, "autoscaling", "HorizontalPodAutoscaler", "v2") == expected
    assert src == before


def test_v2_to_v1_keeps_what_v1_cannot_say_in_the_apiservers_annotations():
    hpa = v2({"minReplicas": 2, "metrics": [CPU(50), MEMORY_AVG], "behavior": BEHAVIOR_V2},
             {"currentReplicas": 2, "desiredReplicas": 3, "conditions": [COND], "currentMetrics": [
                 {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 90, "averageValue": "9m"}}},
                 {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "52Mi"}}}]})
    out = convert(hpa, "autoscaling", "HorizontalPodAutoscaler", "v1")
    assert out["spec"] == {"scaleTargetRef": REF, "minReplicas": 2, "maxReplicas": 5,
                           "targetCPUUtilizationPercentage": 50}
    assert out["status"] == {"currentReplicas": 2, "desiredReplicas": 3, "currentCPUUtilizationPercentage": 90}
    assert out["metadata"]["annotations"] == {
        METRICS: '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]',
        CURRENT_METRICS: '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":90,"currentAverageValue":"9m"}},'
                         '{"type":"Resource","resource":{"name":"memory","currentAverageValue":"52Mi"}}]',
        BEHAVIOR: '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},'
                  '{"Type":"Percent","Value":100,"PeriodSeconds":15}]},"ScaleDown":{"StabilizationWindowSeconds":300,'
                  '"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}}',
        CONDITIONS: '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-01T00:05:00Z",'
                    '"reason":"ReadyForNewScale","message":"recommended size matches current size"}]',
    }
    assert list(out) == ["apiVersion", "kind", "metadata", "spec", "status"]


@pytest.mark.parametrize("hpa", [
    v2({"metrics": [CPU(50)]}),
    v2({"minReplicas": 3, "metrics": [MEMORY_AVG, PODS, OBJECT, EXTERNAL, CONTAINER, CPU(40)]}),
    v2({"metrics": [MEMORY_AVG], "behavior": BEHAVIOR_V2}, {"desiredReplicas": 1, "conditions": [COND]}),
    v2({"metrics": [CPU(70)]}, {"currentReplicas": 2, "desiredReplicas": 2, "lastScaleTime": T, "observedGeneration": 4,
                                "currentMetrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"}, "current": {"averageValue": "7"}}}]}),
], ids=["cpu-only", "every-metric-type", "behavior-and-conditions", "status"])
def test_v2_round_trips_through_v1(hpa):
    there = convert(hpa, "autoscaling", "HorizontalPodAutoscaler", "v1")
    assert there["apiVersion"] == "autoscaling/v1" and "metrics" not in there["spec"]
    back = convert(there, "autoscaling", "HorizontalPodAutoscaler", "v2")
    # the CPU utilization target comes back last, as the apiserver appends it after the others
    expected = copy.deepcopy(hpa)
    ms = expected["spec"]["metrics"]
    expected["spec"]["metrics"] = [m for m in ms if m["type"] != "Resource" or m["resource"]["name"] != "cpu"] + \
        [m for m in ms if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
    assert back == expected


@pytest.mark.parametrize("obj,to", [
    (v2({"metrics": [CPU(50)]}, None, {METRICS: "[]", CONDITIONS: "[]", "keep": "me"}), "v1"),
    (v1({"targetCPUUtilizationPercentage": 50}, None, {CURRENT_METRICS: "[]", "keep": "me"}), "v2"),
], ids=["stale-annotations-on-v2", "v1-annotations-dropped-in-v2"])
def test_round_trip_annotations_are_never_kept_from_the_source(obj, to):
    out = convert(obj, "autoscaling", "HorizontalPodAutoscaler", to)
    assert out["metadata"]["annotations"] == {"keep": "me"}


@pytest.mark.parametrize("obj,group,kind,version,api_version", [
    ({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"}},
     "autoscaling", "HorizontalPodAutoscaler", "v2", "autoscaling/v2"),
    ({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "x"}, "spec": {"schedule": "* * * * *"}},
     "batch", "CronJob", "v1beta1", "batch/v1beta1"),
], ids=["same-version-untouched", "other-kinds-renamed"])
def test_other_conversions_rename_only(obj, group, kind, version, api_version):
    out = convert(obj, group, kind, version)
    assert out["apiVersion"] == api_version
    assert {k: v for k, v in out.items() if k != "apiVersion"} == {k: v for k, v in obj.items() if k != "apiVersion"}


def test_annotations_escape_html_as_go_does():
    hpa = v2({"metrics": [{"type": "External", "external": {"metric": {"name": "a<b&c>"},
                                                              "target": {"type": "Value", "value": "1"}}}]})
    ann = convert(hpa, "autoscaling", "HorizontalPodAutoscaler", "v1")["metadata"]["annotations"][METRICS]
    assert "a\\u003cb\\u0026c\\u003e" in ann
    assert json.loads(ann)[0]["external"]["metricName"] == "a<b&c>"
