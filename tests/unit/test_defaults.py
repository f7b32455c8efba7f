"""The apiserver's defaulting: what `get -o yaml` shows right after `apply` on a v1.32 cluster."""
import copy
import re

import pytest

from pykubectl.api.defaults import (
    admit_priority, apply_defaults, default_toleration_seconds, image_pull_policy,
)
from pykubectl.api.errors import StatusError


def get(obj, path):
    """`spec.containers[0].ports[0].protocol` -> value (KeyError when absent)."""
    cur = obj
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        cur = cur[int(part[1:-1])] if part.startswith("[") else cur[part]
    return cur


def has(obj, path):
    try:
        get(obj, path)
        return True
    except (KeyError, IndexError, TypeError):
        return False


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "nginx:1.25",
                                "ports": [{"containerPort": 80}],
                                "resources": {"limits": {"cpu": "0.5", "memory": "1024Mi"}},
                                "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                                "readinessProbe": {"httpGet": {"port": 80}},
                                "livenessProbe": {"grpc": {"port": 9000}, "periodSeconds": 5}}],
                "volumes": [{"name": "a"}, {"name": "h", "hostPath": {"path": "/tmp"}},
                            {"name": "cm", "configMap": {"name": "x"}},
                            {"name": "s", "secret": {"secretName": "x"}},
                            {"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}]}}

DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
          "spec": {"selector": {"matchLabels": {"a": "b"}},
                   "template": {"metadata": {"labels": {"a": "b"}},
                                "spec": {"containers": [{"name": "c", "image": "nginx",
                                                         "resources": {"limits": {"cpu": "1"}}}]}}}}

SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
       "spec": {"selector": {"a": "b"}, "ports": [{"port": 80}]}}


def with_(base, path, value):
    """A copy of `base` with `path` (dotted, existing parents) set to value."""
    obj = copy.deepcopy(base)
    *parents, last = path.split(".")
    cur = obj
    for p in parents:
        cur = cur.setdefault(p, {})
    cur[last] = value
    return obj


CASES = [
    # Pod
    ("pod", POD, "spec.restartPolicy", "Always"),
    ("pod", POD, "spec.dnsPolicy", "ClusterFirst"),
    ("pod", POD, "spec.terminationGracePeriodSeconds", 30),
    ("pod", POD, "spec.schedulerName", "default-scheduler"),
    ("pod", POD, "spec.securityContext", {}),
    ("pod", POD, "spec.enableServiceLinks", True),
    ("pod", POD, "spec.containers[0].terminationMessagePath", "/dev/termination-log"),
    ("pod", POD, "spec.containers[0].terminationMessagePolicy", "File"),
    ("pod", POD, "spec.containers[0].imagePullPolicy", "IfNotPresent"),
    ("pod", POD, "spec.containers[0].ports[0].protocol", "TCP"),
    ("pod", POD, "spec.containers[0].resources.limits", {"cpu": "500m", "memory": "1Gi"}),
    ("pod", POD, "spec.containers[0].resources.requests", {"cpu": "500m", "memory": "1Gi"}),
    ("pod", POD, "spec.containers[0].env[0].valueFrom.fieldRef.apiVersion", "v1"),
    ("pod", POD, "spec.containers[0].readinessProbe",
     {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1, "periodSeconds": 10,
      "successThreshold": 1, "failureThreshold": 3}),
    ("pod", POD, "spec.containers[0].livenessProbe.periodSeconds", 5),
    ("pod", POD, "spec.containers[0].livenessProbe.grpc.service", ""),
    ("pod", POD, "spec.volumes[0].emptyDir", {}),
    ("pod", POD, "spec.volumes[1].hostPath.type", ""),
    ("pod", POD, "spec.volumes[2].configMap.defaultMode", 420),
    ("pod", POD, "spec.volumes[3].secret.defaultMode", 420),
    ("pod", POD, "spec.volumes[4].projected.defaultMode", 420),
    ("pod", POD, "spec.volumes[4].projected.sources[0].serviceAccountToken.expirationSeconds", 3600),
    ("pod-given-values-kept", with_(POD, "spec.restartPolicy", "Never"), "spec.restartPolicy", "Never"),
    ("pod-service-account-mirrored", with_(POD, "spec.serviceAccountName", "sa"), "spec.serviceAccount", "sa"),
    ("pod-host-network", with_(POD, "spec.hostNetwork", True), "spec.containers[0].ports[0].hostPort", 80),
    # Deployment
    ("deploy", DEPLOY, "spec.replicas", 1),
    ("deploy", DEPLOY, "spec.strategy",
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
    ("deploy", DEPLOY, "spec.revisionHistoryLimit", 10),
    ("deploy", DEPLOY, "spec.progressDeadlineSeconds", 600),
    ("deploy", DEPLOY, "spec.template.metadata.creationTimestamp", None),
    ("deploy", DEPLOY, "spec.template.spec.containers[0].imagePullPolicy", "Always"),
    ("deploy", DEPLOY, "spec.template.spec.restartPolicy", "Always"),
    ("deploy-recreate", with_(DEPLOY, "spec.strategy", {"type": "Recreate"}), "spec.strategy", {"type": "Recreate"}),
    # Service
    ("svc", SVC, "spec.type", "ClusterIP"),
    ("svc", SVC, "spec.sessionAffinity", "None"),
    ("svc", SVC, "spec.ports[0]", {"port": 80, "protocol": "TCP", "targetPort": 80}),
    ("svc", SVC, "spec.ipFamilyPolicy", "SingleStack"),
    ("svc", SVC, "spec.ipFamilies", ["IPv4"]),
    ("svc", SVC, "spec.internalTrafficPolicy", "Cluster"),
    ("svc", SVC, "status", {"loadBalancer": {}}),
    ("svc-nodeport", with_(SVC, "spec.type", "NodePort"), "spec.externalTrafficPolicy", "Cluster"),
    ("svc-lb", with_(SVC, "spec.type", "LoadBalancer"), "spec.allocateLoadBalancerNodePorts", True),
    ("svc-client-ip", with_(SVC, "spec.sessionAffinity", "ClientIP"), "spec.sessionAffinityConfig",
     {"clientIP": {"timeoutSeconds": 10800}}),
    ("svc-named-target", with_(SVC, "spec.ports", [{"port": 80, "targetPort": "http"}]),
     "spec.ports[0].targetPort", "http"),
    ("svc-headless-no-selector",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "h"}, "spec": {"clusterIP": "None"}},
     "spec.ipFamilyPolicy", "RequireDualStack"),
    # Jobs
    ("job", {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
             "spec": {"template": {"metadata": {"labels": {"x": "y"}}, "spec": {"containers": [], "restartPolicy": "Never"}}}},
     "spec.backoffLimit", 6),
    ("cronjob", {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
                 "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}},
     "spec.concurrencyPolicy", "Allow"),
    # others
    ("secret", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}, "type", "Opaque"),
    ("namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nm-01"}},
     "metadata.labels", {"kubernetes.io/metadata.name": "nm-01"}),
    ("namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nm-01"}}, "spec.finalizers", ["kubernetes"]),
    ("namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nm-01"}}, "status.phase", "Active"),
    ("pvc", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
             "spec": {"resources": {"requests": {"storage": "1024Mi"}}}}, "spec.resources.requests.storage", "1Gi"),
    ("pvc", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"}, "spec": {}},
     "spec.volumeMode", "Filesystem"),
    ("pv", {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "v"},
            "spec": {"hostPath": {"path": "/x"}}}, "spec.persistentVolumeReclaimPolicy", "Retain"),
    ("pv", {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "v"},
            "spec": {"hostPath": {"path": "/x"}}}, "spec.hostPath.type", ""),
    ("pv", {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "v"}, "spec": {}}, "status.phase", "Pending"),
    ("endpoints", {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e"},
                   "subsets": [{"addresses": [{"ip": "1.2.3.4"}], "ports": [{"port": 80}]}]},
     "subsets[0].ports[0].protocol", "TCP"),
    ("node", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "status": {"capacity": {"cpu": "2"}}},
     "status.allocatable", {"cpu": "2"}),
    ("rolebinding", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
                     "roleRef": {"kind": "Role", "name": "r"}, "subjects": [{"kind": "User", "name": "u"}]},
     "subjects[0].apiGroup", "rbac.authorization.k8s.io"),
    ("rolebinding", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
                     "roleRef": {"kind": "Role", "name": "r"}, "subjects": []}, "roleRef.apiGroup", "rbac.authorization.k8s.io"),
    ("storageclass", {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "sc"},
                      "provisioner": "x"}, "reclaimPolicy", "Delete"),
    ("storageclass", {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "sc"},
                      "provisioner": "x"}, "volumeBindingMode", "Immediate"),
    ("ingress", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}, "spec": {}},
     "status", {"loadBalancer": {}}),
    ("hpa-v1", {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
                "spec": {"maxReplicas": 3}}, "spec.minReplicas", 1),
]


@pytest.mark.parametrize("name,obj,path,expected", CASES, ids=[f"{c[0]}:{c[2]}" for c in CASES])
def test_default_value(name, obj, path, expected):
    out = apply_defaults(copy.deepcopy(obj))
    assert get(out, path) == expected


def test_template_requests_are_not_copied_from_limits():
    out = apply_defaults(copy.deepcopy(DEPLOY))
    assert get(out, "spec.template.spec.containers[0].resources") == {"limits": {"cpu": "1"}}
    assert not has(out, "spec.template.spec.enableServiceLinks")


def test_statefulset_as_stored():
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
           "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "v"},
                                              "spec": {"resources": {"requests": {"storage": "1G"}}}}]}}
    out = apply_defaults(sts)
    spec = out["spec"]
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["volumeClaimTemplates"][0] == {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "v", "creationTimestamp": None},
        "spec": {"resources": {"requests": {"storage": "1G"}}, "volumeMode": "Filesystem"},
        "status": {"phase": "Pending"}}


def test_statefulset_explicit_rolling_update_type_stays_bare():
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
           "spec": {"updateStrategy": {"type": "RollingUpdate"}, "template": {"spec": {"containers": []}}}}
    assert apply_defaults(sts)["spec"]["updateStrategy"] == {"type": "RollingUpdate"}


def test_daemonset():
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
          "spec": {"template": {"spec": {"containers": []}}}}
    spec = apply_defaults(ds)["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert spec["revisionHistoryLimit"] == 10


@pytest.mark.parametrize("spec,expected", [
    ({}, {"completions": 1, "parallelism": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
          "suspend": False, "podReplacementPolicy": "TerminatingOrFailed"}),
    ({"parallelism": 3}, {"parallelism": 3, "backoffLimit": 6, "completionMode": "NonIndexed",
                          "suspend": False, "podReplacementPolicy": "TerminatingOrFailed"}),
    ({"podFailurePolicy": {"rules": []}}, {"completions": 1, "parallelism": 1, "backoffLimit": 6,
                                           "completionMode": "NonIndexed", "suspend": False,
                                           "podReplacementPolicy": "Failed"}),
], ids=["bare", "parallel-without-completions", "with-pod-failure-policy"])
def test_job_spec(spec, expected):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {**spec, "template": {"spec": {"containers": [], "restartPolicy": "Never"}}}}
    out = apply_defaults(job)["spec"]
    out.pop("template")
    out.pop("podFailurePolicy", None)
    assert out == expected


def test_cronjob_job_template_gets_no_job_defaults():
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
          "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}}
    spec = apply_defaults(cj)["spec"]
    assert (spec["suspend"], spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (False, 3, 1)
    assert "backoffLimit" not in spec["jobTemplate"]["spec"]
    assert spec["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
      "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                   {"type": "Percent", "value": 100, "periodSeconds": 15}]}
DOWN = {"selectPolicy": "Max",   # no stabilizationWindowSeconds: the controller flag decides
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


@pytest.mark.parametrize("spec,path,expected", [
    ({"maxReplicas": 5}, "minReplicas", 1),
    ({"maxReplicas": 5}, "metrics",
     [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
    ({"maxReplicas": 5, "behavior": {}}, "behavior", {"scaleUp": UP, "scaleDown": DOWN}),
    ({"maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}},
     "behavior.scaleDown", {**DOWN, "stabilizationWindowSeconds": 60}),
    ({"maxReplicas": 5, "behavior": {"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}},
     "behavior.scaleUp", {**UP, "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}),
], ids=["min-replicas", "default-metric", "behavior-filled", "behavior-partial", "policies-kept"])
def test_hpa_v2(spec, path, expected):
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": spec}
    assert get(apply_defaults(hpa)["spec"], path) == expected


def test_hpa_v2_without_behavior_stays_without():
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
           "spec": {"maxReplicas": 5}}
    assert "behavior" not in apply_defaults(hpa)["spec"]


@pytest.mark.parametrize("obj", [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}},
    {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"x": 1}},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}, "rules": []},
], ids=["configmap", "custom-resource", "role"])
def test_kinds_without_defaults_untouched(obj):
    assert apply_defaults(copy.deepcopy(obj)) == obj


def test_defaulting_is_idempotent():
    once = apply_defaults(copy.deepcopy(POD))
    assert apply_defaults(copy.deepcopy(once)) == once


@pytest.mark.parametrize("image,policy", [
    ("nginx", "Always"),
    ("nginx:latest", "Always"),
    ("nginx:1.25", "IfNotPresent"),
    ("kubetm/app:v1", "IfNotPresent"),
    ("kubetm/app", "Always"),
    ("localhost:5000/app", "Always"),
    ("localhost:5000/app:v2", "IfNotPresent"),
    ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ("registry.k8s.io/pause:3.9", "IfNotPresent"),
    ("Nginx", "IfNotPresent"),       # does not parse: the Go code ignores the error
    ("", "IfNotPresent"),
], ids=lambda v: v[:30] or "empty")
def test_image_pull_policy(image, policy):
    assert image_pull_policy(image) == policy


@pytest.mark.parametrize("tolerations,keys", [
    (None, ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]),
    ([{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}],
     ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]),
    ([{"operator": "Exists"}], [None]),
    ([{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoSchedule"}],
     ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]),
], ids=["none", "not-ready-tolerated", "tolerates-everything", "other-effect"])
def test_default_toleration_seconds(tolerations, keys):
    pod = {"spec": {"containers": []}}
    if tolerations is not None:
        pod["spec"]["tolerations"] = tolerations
    out = default_toleration_seconds(pod)["spec"].get("tolerations", [])
    assert [t.get("key") for t in out] == keys
    for t in out[len(tolerations or []):]:
        assert t == {"key": t["key"], "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}


@pytest.mark.parametrize("spec,classes,expected", [
    ({}, [], {"priority": 0, "preemptionPolicy": "PreemptLowerPriority"}),
    ({"priorityClassName": "high"}, [{"metadata": {"name": "high"}, "value": 1000}],
     {"priorityClassName": "high", "priority": 1000, "preemptionPolicy": "PreemptLowerPriority"}),
    ({}, [{"metadata": {"name": "dflt"}, "value": 5, "globalDefault": True, "preemptionPolicy": "Never"}],
     {"priorityClassName": "dflt", "priority": 5, "preemptionPolicy": "Never"}),
    ({"priorityClassName": "system-node-critical"}, [],
     {"priorityClassName": "system-node-critical", "priority": 2000001000, "preemptionPolicy": "PreemptLowerPriority"}),
], ids=["no-class", "named-class", "global-default", "system-class"])
def test_admit_priority(spec, classes, expected):
    pod = {"metadata": {"name": "p"}, "spec": dict(spec)}
    assert admit_priority(pod, classes)["spec"] == expected


@pytest.mark.parametrize("spec,message", [
    ({"priorityClassName": "nope"}, 'pods "p" is forbidden: no PriorityClass with name nope was found'),
    ({"priority": 7}, 'pods "p" is forbidden: the integer value of priority (7) must not be provided in pod '
                      'spec; priority admission controller computed 0 from the given PriorityClass name'),
], ids=["unknown-class", "mismatched-priority"])
def test_admit_priority_errors(spec, message):
    with pytest.raises(StatusError) as e:
        admit_priority({"metadata": {"name": "p"}, "spec": spec}, [])
    assert (e.value.code, e.value.message) == (403, message)
