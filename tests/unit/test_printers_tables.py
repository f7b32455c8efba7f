"""Server-side table rows, cell by cell, as printers.go (v1.32) computes them.

Each case builds the object a user would have in the cluster and checks the cells `kubectl get`
shows for it. `NOW` is fixed: ages are computed against it, never the clock.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pykubectl.printers import tables
from pykubectl.printers.duration import age, human_duration
from pykubectl.printers.tables import columns, row, table

NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
T0 = "2024-01-01T11:50:00Z"  # 10m before NOW


def meta(name="x", ns="default", **kw):
    m = {"name": name, "namespace": ns, "creationTimestamp": T0}
    m.update(kw)
    return m


# ---------------------------------------------------------------- HumanDuration

@pytest.mark.parametrize("seconds, want", [
    (0, "0s"), (-1.5, "0s"), (-2, "<invalid>"), (5, "5s"), (119.9, "119s"), (120, "2m"),
    (150, "2m30s"), (599, "9m59s"), (600, "10m"), (179 * 60 + 59, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 5 * 60, "3h5m"), (8 * 3600, "8h"), (47 * 3600 + 3599, "47h"), (48 * 3600, "2d"),
    (4 * 86400 + 5 * 3600, "4d5h"), (8 * 86400, "8d"), (729 * 86400, "729d"),
    (730 * 86400, "2y"), ((730 + 10) * 86400, "2y10d"), (8 * 365 * 86400, "8y"),
], ids=lambda v: str(v))
def test_human_duration(seconds, want):
    assert human_duration(seconds) == want


@pytest.mark.parametrize("ts, want", [
    (None, "<unknown>"), ("", "<unknown>"), ("0001-01-01T00:00:00Z", "<unknown>"),
    ("2024-01-01T11:59:55Z", "5s"), ("2024-01-01T11:59:55.123456Z", "4s"),
    ("2024-01-01T12:00:01Z", "0s"), ("2024-01-01T12:00:05Z", "<invalid>"),
    ("2023-12-20T00:00:00Z", "12d"), ("2024-01-01T20:00:00+09:00", "60m"), ("2024-01-01T08:59:00Z", "3h1m"),
], ids=["none", "empty", "zero-time", "seconds", "micro-time", "skew-tolerated", "future", "days",
        "offset", "hours-minutes"])
def test_age(ts, want):
    assert age(ts, NOW) == want


# ---------------------------------------------------------------- pods

def pod(status=None, spec=None, **m):
    sp = {"containers": [{"name": "c", "image": "nginx"}], "nodeName": "worker-1"}
    sp.update(spec or {})
    return {"metadata": meta("p", **m), "spec": sp, "status": status or {"phase": "Pending"}}


def cs(name="c", ready=False, restarts=0, state=None, last=None, **kw):
    s = {"name": name, "ready": ready, "restartCount": restarts, "state": state or {}}
    if last:
        s["lastState"] = {"terminated": {"exitCode": 1, "finishedAt": last}}
    s.update(kw)
    return s


RUNNING = {"running": {"startedAt": T0}}

POD_CASES = [
    ("pending-unscheduled", pod(spec={"nodeName": None}), ["0/1", "Pending", "0"]),
    ("container-creating", pod({"phase": "Pending", "containerStatuses": [
        cs(state={"waiting": {"reason": "ContainerCreating"}})]}), ["0/1", "ContainerCreating", "0"]),
    ("running", pod({"phase": "Running", "containerStatuses": [cs(ready=True, state=RUNNING)]}),
     ["1/1", "Running", "0"]),
    ("restart-with-age", pod({"phase": "Running", "containerStatuses": [
        cs(ready=True, restarts=1, state=RUNNING, last="2024-01-01T11:59:55Z")]}),
     ["1/1", "Running", "1 (5s ago)"]),
    ("crashloop", pod({"phase": "Running", "containerStatuses": [
        cs(restarts=5, state={"waiting": {"reason": "CrashLoopBackOff"}}, last="2024-01-01T11:58:00Z")]}),
     ["0/1", "CrashLoopBackOff", "5 (2m ago)"]),
    ("err-image-pull", pod({"phase": "Pending", "containerStatuses": [
        cs(state={"waiting": {"reason": "ErrImagePull"}})]}), ["0/1", "ErrImagePull", "0"]),
    ("completed", pod({"phase": "Succeeded", "containerStatuses": [
        cs(state={"terminated": {"exitCode": 0, "reason": "Completed"}})]}), ["0/1", "Completed", "0"]),
    ("exit-code-no-reason", pod({"phase": "Failed", "containerStatuses": [
        cs(state={"terminated": {"exitCode": 2}})]}), ["0/1", "ExitCode:2", "0"]),
    ("signal", pod({"phase": "Failed", "containerStatuses": [
        cs(state={"terminated": {"exitCode": 137, "signal": 9}})]}), ["0/1", "Signal:9", "0"]),
    ("completed-but-one-running-ready", pod(
        {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [
            cs("a", state={"terminated": {"exitCode": 0, "reason": "Completed"}}),
            cs("b", ready=True, state=RUNNING)]},
        spec={"containers": [{"name": "a"}, {"name": "b"}]}), ["1/2", "Running", "0"]),
    ("completed-but-one-running-not-ready", pod(
        {"phase": "Running", "containerStatuses": [
            cs("a", state={"terminated": {"exitCode": 0, "reason": "Completed"}}),
            cs("b", ready=True, state=RUNNING)]},
        spec={"containers": [{"name": "a"}, {"name": "b"}]}), ["1/2", "NotReady", "0"]),
    ("init-running", pod({"phase": "Pending", "initContainerStatuses": [cs("i", state=RUNNING)],
                          "containerStatuses": [cs(state={"waiting": {"reason": "PodInitializing"}})]},
                         spec={"initContainers": [{"name": "i"}, {"name": "j"}]}),
     ["0/1", "Init:0/2", "0"]),
    ("init-second-of-two", pod({"phase": "Pending", "initContainerStatuses": [
        cs("i", state={"terminated": {"exitCode": 0}}), cs("j", state=RUNNING)]},
        spec={"initContainers": [{"name": "i"}, {"name": "j"}]}), ["0/1", "Init:1/2", "0"]),
    ("init-error", pod({"phase": "Pending", "initContainerStatuses": [
        cs("i", restarts=3, state={"terminated": {"exitCode": 1, "reason": "Error"}})]},
        spec={"initContainers": [{"name": "i"}]}), ["0/1", "Init:Error", "3"]),
    ("init-exit-code", pod({"phase": "Pending", "initContainerStatuses": [
        cs("i", state={"terminated": {"exitCode": 3}})]}, spec={"initContainers": [{"name": "i"}]}),
     ["0/1", "Init:ExitCode:3", "0"]),
    ("init-crashloop", pod({"phase": "Pending", "initContainerStatuses": [
        cs("i", state={"waiting": {"reason": "CrashLoopBackOff"}})]},
        spec={"initContainers": [{"name": "i"}]}), ["0/1", "Init:CrashLoopBackOff", "0"]),
    ("sidecar-counts-as-container", pod(
        {"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}],
         "initContainerStatuses": [cs("s", ready=True, started=True, restarts=1, state=RUNNING)],
         "containerStatuses": [cs(ready=True, state=RUNNING)]},
        spec={"initContainers": [{"name": "s", "restartPolicy": "Always"}]}), ["2/2", "Running", "1"]),
    ("terminating", pod({"phase": "Running", "containerStatuses": [cs(ready=True, state=RUNNING)]},
                        deletionTimestamp="2024-01-01T11:59:00Z"), ["1/1", "Terminating", "0"]),
    ("terminal-phase-not-terminating", pod({"phase": "Succeeded"}, deletionTimestamp=T0),
     ["0/1", "Succeeded", "0"]),
    ("node-lost-reason", pod({"phase": "Running", "reason": "NodeLost"}), ["0/1", "NodeLost", "0"]),
    ("node-lost-deleting-is-unknown", pod({"phase": "Running", "reason": "NodeLost"},
                                          deletionTimestamp=T0), ["0/1", "Unknown", "0"]),
    ("evicted", pod({"phase": "Failed", "reason": "Evicted"}), ["0/1", "Evicted", "0"]),
    ("scheduling-gated", pod({"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
     ["0/1", "SchedulingGated", "0"]),
]


@pytest.mark.parametrize("obj, want", [c[1:] for c in POD_CASES], ids=[c[0] for c in POD_CASES])
def test_pod_ready_status_restarts(obj, want):
    cells = row("pods", obj, NOW)
    assert cells[1:4] == want
    assert cells[0] == "p" and cells[4] == "10m"


@pytest.mark.parametrize("status, spec, want", [
    ({"phase": "Pending"}, {"nodeName": None}, ["<none>", "<none>", "<none>", "<none>"]),
    ({"phase": "Running", "podIP": "20.96.1.5", "podIPs": [{"ip": "20.96.1.5"}, {"ip": "fd00::5"}],
      "nominatedNodeName": "worker-2"}, {}, ["20.96.1.5", "worker-1", "worker-2", "<none>"]),
    ({"phase": "Running", "conditions": [{"type": "www.example.com/feature-1", "status": "True"}]},
     {"readinessGates": [{"conditionType": "www.example.com/feature-1"},
                         {"conditionType": "www.example.com/feature-2"}]},
     ["<none>", "worker-1", "<none>", "1/2"]),
], ids=["nothing-yet", "ip-node-nominated", "readiness-gates"])
def test_pod_wide_cells(status, spec, want):
    assert row("pods", pod(status, spec), NOW)[5:] == want


def test_pod_table_has_completed_condition_and_partial_metadata():
    t = table("pods", [pod({"phase": "Succeeded"})], NOW)
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert [c["name"] for c in t["columnDefinitions"]] == [
        "Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]
    assert [c["priority"] for c in t["columnDefinitions"]] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert t["columnDefinitions"][0]["format"] == "name"
    assert t["columnDefinitions"][0]["description"].startswith("Name must be unique within a namespace.")
    r = t["rows"][0]
    assert r["conditions"] == [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                "message": "The pod has completed successfully."}]
    assert r["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                           "metadata": meta("p")}


# ---------------------------------------------------------------- everything else, cell by cell

def node(labels=None, unschedulable=False, ready="True"):
    conds = [{"type": "Ready", "status": ready}] if ready else []
    return {"metadata": meta("worker-1", ns=None, labels=labels or {}),
            "spec": {"unschedulable": unschedulable},
            "status": {"conditions": conds, "nodeInfo": {"kubeletVersion": "v1.32.0"},
                       "addresses": [{"type": "InternalIP", "address": "192.168.0.101"},
                                     {"type": "Hostname", "address": "worker-1"}]}}


def svc(type_="ClusterIP", ports=(), **spec):
    sp = {"type": type_, "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "ports": list(ports)}
    sp.update(spec)
    return {"metadata": meta("s"), "spec": sp, "status": spec.pop("status", {})}


def hpa(metrics, current=(), min_replicas=2):
    spec = {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 10, "metrics": metrics}
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    return {"metadata": meta("h"), "spec": spec,
            "status": {"currentReplicas": 2, "currentMetrics": list(current)}}


def cpu(target=50):
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                       "averageUtilization": target}}}


def cpu_now(pct):
    return {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": pct}}}


def job(status, spec=None, **m):
    sp = {"completions": 1, "parallelism": 1, "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}},
          "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}}}
    sp.update(spec or {})
    return {"metadata": meta("j", **m), "spec": sp, "status": status}


ROW_CASES = [
    ("node-control-plane", "nodes", node({"node-role.kubernetes.io/control-plane": "",
                                          "kubernetes.io/role": "master"}),
     ["worker-1", "Ready", "control-plane,master", "10m", "v1.32.0", "192.168.0.101", "<none>",
      "<unknown>", "<unknown>", "<unknown>"]),
    ("node-cordoned-notready", "nodes", node(unschedulable=True, ready="False"),
     ["worker-1", "NotReady,SchedulingDisabled", "<none>", "10m", "v1.32.0", "192.168.0.101",
      "<none>", "<unknown>", "<unknown>", "<unknown>"]),
    ("node-no-conditions", "nodes", node(ready=None),
     ["worker-1", "Unknown", "<none>", "10m", "v1.32.0", "192.168.0.101", "<none>", "<unknown>",
      "<unknown>", "<unknown>"]),
    ("service-clusterip", "services", svc(ports=[{"port": 80, "protocol": "TCP"}], selector={"app": "web"}),
     ["s", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "10m", "app=web"]),
    ("service-headless-no-ports", "services", svc(clusterIP="None", clusterIPs=["None"]),
     ["s", "ClusterIP", "None", "<none>", "<none>", "10m", "<none>"]),
    ("service-nodeport", "services", svc("NodePort", [{"port": 80, "nodePort": 31085, "protocol": "TCP"},
                                                      {"port": 53, "protocol": "UDP"}]),
     ["s", "NodePort", "10.96.0.10", "<none>", "80:31085/TCP,53/UDP", "10m", "<none>"]),
    ("service-lb-pending", "services", svc("LoadBalancer", [{"port": 80, "nodePort": 30001, "protocol": "TCP"}]),
     ["s", "LoadBalancer", "10.96.0.10", "<pending>", "80:30001/TCP", "10m", "<none>"]),
    ("service-lb-ingress-and-external-ips", "services",
     {**svc("LoadBalancer", externalIPs=["1.2.3.4"]),
      "status": {"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}, {"hostname": "lb.example.com"}]}}},
     ["s", "LoadBalancer", "10.96.0.10", "5.6.7.8,lb.example.com,1.2.3.4", "<none>", "10m", "<none>"]),
    ("service-externalname", "services", svc("ExternalName", externalName="www.google.com", clusterIPs=[],
                                             clusterIP=""),
     ["s", "ExternalName", "<none>", "www.google.com", "<none>", "10m", "<none>"]),
    ("endpoints-none", "endpoints", {"metadata": meta("e")}, ["e", "<none>", "10m"]),
    ("endpoints-more", "endpoints", {"metadata": meta("e"), "subsets": [
        {"addresses": [{"ip": f"20.96.1.{i}"} for i in range(3)],
         "ports": [{"name": "http", "port": 8080}, {"name": "https", "port": 8443}]}]},
     ["e", "20.96.1.0:8080,20.96.1.1:8080,20.96.1.2:8080 + 3 more...", "10m"]),
    ("endpoints-headless-no-ports", "endpoints", {"metadata": meta("e"), "subsets": [
        {"addresses": [{"ip": "20.96.1.5"}]}]}, ["e", "20.96.1.5", "10m"]),
    ("endpointslice", "endpointslices.discovery.k8s.io", {
        "metadata": meta("e-abc"), "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
        "endpoints": [{"addresses": [f"20.96.1.{i}"]} for i in range(4)]},
     ["e-abc", "IPv4", "8080", "20.96.1.0,20.96.1.1,20.96.1.2 + 1 more...", "10m"]),
    ("endpointslice-empty", "endpointslices.discovery.k8s.io", {"metadata": meta("e-x"), "addressType": "IPv4"},
     ["e-x", "IPv4", "<unset>", "<unset>", "10m"]),
    ("namespace", "namespaces", {"metadata": meta("dev", ns=None), "status": {"phase": "Active"}},
     ["dev", "Active", "10m"]),
    ("configmap", "configmaps", {"metadata": meta("cm"), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}},
     ["cm", 3, "10m"]),
    ("secret", "secrets", {"metadata": meta("sec"), "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}},
     ["sec", "kubernetes.io/tls", 2, "10m"]),
    ("serviceaccount", "serviceaccounts", {"metadata": meta("default")}, ["default", 0, "10m"]),
    ("deployment", "deployments.apps", {
        "metadata": meta("web"), "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["fe", "be"]}]},
            "template": {"spec": {"containers": [{"name": "a", "image": "kubetm/app:v1"}, {"name": "b", "image": "busybox"}]}}},
        "status": {"readyReplicas": 1, "updatedReplicas": 3, "availableReplicas": 1}},
     ["web", "1/3", 3, 1, "10m", "a,b", "kubetm/app:v1,busybox", "app=web,tier in (be,fe)"]),
    ("deployment-no-status", "deployments.apps", {"metadata": meta("web"), "spec": {"replicas": 2, "template": {}}},
     ["web", "0/2", 0, 0, "10m", "", "", ""]),
    ("replicaset", "replicasets.apps", {
        "metadata": meta("web-7d9"), "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                                              "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
        "status": {"replicas": 2, "readyReplicas": 1}},
     ["web-7d9", 2, 2, 1, "10m", "c", "nginx", "app=web"]),
    ("statefulset", "statefulsets.apps", {
        "metadata": meta("db"), "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c", "image": "mysql"}]}}},
        "status": {"readyReplicas": 2}}, ["db", "2/3", "10m", "c", "mysql"]),
    ("daemonset", "daemonsets.apps", {
        "metadata": meta("kube-proxy", ns="kube-system"),
        "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                 "template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                                       "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.32.0"}]}}},
        "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 3,
                   "updatedNumberScheduled": 3, "numberAvailable": 3}},
     ["kube-proxy", 3, 3, 3, 3, 3, "kubernetes.io/os=linux", "10m", "kube-proxy",
      "registry.k8s.io/kube-proxy:v1.32.0", "k8s-app=kube-proxy"]),
    ("replicationcontroller", "replicationcontrollers", {
        "metadata": meta("rc"), "spec": {"replicas": 2, "selector": {"app": "x"},
                                         "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
        "status": {"replicas": 2, "readyReplicas": 2}}, ["rc", 2, 2, 2, "10m", "c", "nginx", "app=x"]),
    ("job-running", "jobs.batch", job({"startTime": "2024-01-01T11:59:00Z", "active": 1}),
     ["j", "Running", "0/1", "60s", "10m", "c", "busybox", "batch.kubernetes.io/controller-uid=u1"]),
    ("job-complete", "jobs.batch", job({"startTime": "2024-01-01T11:50:00Z", "completionTime": "2024-01-01T11:50:12Z",
                                        "succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}),
     ["j", "Complete", "1/1", "12s", "10m", "c", "busybox", "batch.kubernetes.io/controller-uid=u1"]),
    ("job-failed-parallel", "jobs.batch", job({"conditions": [{"type": "Failed", "status": "True"}]},
                                              {"completions": None, "parallelism": 3}),
     ["j", "Failed", "0/1 of 3", "", "10m", "c", "busybox", "batch.kubernetes.io/controller-uid=u1"]),
    ("job-suspended", "jobs.batch", job({"conditions": [{"type": "Suspended", "status": "True"}]}),
     ["j", "Suspended", "0/1", "", "10m", "c", "busybox", "batch.kubernetes.io/controller-uid=u1"]),
    ("job-terminating", "jobs.batch", job({}, deletionTimestamp=T0),
     ["j", "Terminating", "0/1", "", "10m", "c", "busybox", "batch.kubernetes.io/controller-uid=u1"]),
    ("cronjob", "cronjobs.batch", {
        "metadata": meta("cj"), "spec": {"schedule": "*/1 * * * *", "suspend": False, "jobTemplate": {"spec": {
            "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}},
        "status": {"active": [{"name": "cj-1"}], "lastScheduleTime": "2024-01-01T11:59:00Z"}},
     ["cj", "*/1 * * * *", "<none>", "False", 1, "60s", "10m", "c", "busybox", "<none>"]),
    ("hpa-cpu-current", "horizontalpodautoscalers.autoscaling", hpa([cpu()], [cpu_now(180)]),
     ["h", "Deployment/d", "cpu: 180%/50%", "2", 10, 2, "10m"]),
    ("hpa-cpu-unknown", "horizontalpodautoscalers.autoscaling", hpa([cpu()], min_replicas=None),
     ["h", "Deployment/d", "cpu: <unknown>/50%", "<unset>", 10, 2, "10m"]),
    ("hpa-memory-average-value", "horizontalpodautoscalers.autoscaling", hpa(
        [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "50Mi"}}}],
        [{"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "12Mi"}}}]),
     ["h", "Deployment/d", "memory: 12Mi/50Mi", "2", 10, 2, "10m"]),
    ("hpa-three-metrics", "horizontalpodautoscalers.autoscaling", hpa(
        [cpu(50), cpu(60), {"type": "Pods", "pods": {"target": {"averageValue": "1k"}}}]),
     ["h", "Deployment/d", "cpu: <unknown>/50%, cpu: <unknown>/60% + 1 more...", "2", 10, 2, "10m"]),
    ("hpa-none", "horizontalpodautoscalers.autoscaling", hpa([]),
     ["h", "Deployment/d", "<none>", "2", 10, 2, "10m"]),
    ("hpa-v1-object", "horizontalpodautoscalers.autoscaling", {
        "metadata": meta("h"), "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "minReplicas": 1,
                                        "maxReplicas": 5, "targetCPUUtilizationPercentage": 80},
        "status": {"currentReplicas": 1, "currentCPUUtilizationPercentage": 12}},
     ["h", "Deployment/d", "cpu: 12%/80%", "1", 5, 1, "10m"]),
    ("ingress", "ingresses.networking.k8s.io", {
        "metadata": meta("ing"), "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["a"]}], "rules": [
            {"host": "a.com"}, {"host": "b.com"}, {}, {"host": "c.com"}, {"host": "d.com"}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "192.168.0.102"}, {"ip": "192.168.0.101"}]}}},
     ["ing", "nginx", "a.com,b.com,c.com + 2 more...", "192.168.0.101,192.168.0.102", "80, 443", "10m"]),
    ("ingress-defaults", "ingresses.networking.k8s.io", {"metadata": meta("ing"), "spec": {}},
     ["ing", "<none>", "*", "", "80", "10m"]),
    ("ingressclass", "ingressclasses.networking.k8s.io", {
        "metadata": meta("nginx", ns=None), "spec": {"controller": "k8s.io/ingress-nginx",
                                                     "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p"}}},
     ["nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/p", "10m"]),
    ("networkpolicy-all-pods", "networkpolicies.networking.k8s.io", {"metadata": meta("np"), "spec": {"podSelector": {}}},
     ["np", "<none>", "10m"]),
    ("pv-terminating", "persistentvolumes", {
        "metadata": meta("pv", ns=None, deletionTimestamp=T0, annotations={"volume.beta.kubernetes.io/storage-class": "old"}),
        "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"],
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "nfs-client"},
        "status": {"phase": "Released"}},
     ["pv", "5Gi", "RWO,RWX,RWOP", "Retain", "Terminating", "", "old", "<unset>", "", "10m", "<unset>"]),
    ("pv-capacity-canonical", "persistentvolumes", {
        "metadata": meta("pv2", ns=None), "spec": {"capacity": {"storage": "1024Mi"}, "accessModes": ["ReadWriteOnce"],
                                                   "persistentVolumeReclaimPolicy": "Delete", "volumeMode": "Filesystem",
                                                   "claimRef": {"namespace": "default", "name": "c"}},
        "status": {"phase": "Bound"}},
     ["pv2", "1Gi", "RWO", "Delete", "Bound", "default/c", "", "<unset>", "", "10m", "Filesystem"]),
    ("pvc-pending", "persistentvolumeclaims", {
        "metadata": meta("pvc"), "spec": {"resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "nfs-client"},
        "status": {"phase": "Pending"}},
     ["pvc", "Pending", "", "", "", "nfs-client", "<unset>", "10m", "<unset>"]),
    ("pvc-bound", "persistentvolumeclaims", {
        "metadata": meta("pvc"), "spec": {"volumeName": "pvc-123", "storageClassName": "nfs-client", "volumeMode": "Filesystem"},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteMany"], "capacity": {"storage": "1Gi"}}},
     ["pvc", "Bound", "pvc-123", "1Gi", "RWX", "nfs-client", "<unset>", "10m", "Filesystem"]),
    ("storageclass-default", "storageclasses.storage.k8s.io", {
        "metadata": meta("nfs-client", ns=None, annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
        "provisioner": "k8s-sigs.io/nfs-subdir-external-provisioner", "allowVolumeExpansion": True},
     ["nfs-client (default)", "k8s-sigs.io/nfs-subdir-external-provisioner", "Delete", "Immediate", True, "10m"]),
    ("event-core", "events", {
        "metadata": meta("p.1"), "involvedObject": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{c}"},
        "type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container\n",
        "source": {"component": "kubelet", "host": "worker-1"}, "count": 4,
        "firstTimestamp": "2024-01-01T11:50:00Z", "lastTimestamp": "2024-01-01T11:59:30Z"},
     ["30s", "Warning", "BackOff", "pod/p", "spec.containers{c}", "kubelet, worker-1",
      "Back-off restarting failed container", "10m", 4, "p.1"]),
    ("event-new-api-series", "events", {
        "metadata": meta("p.2"), "involvedObject": {"kind": "Node"}, "type": "Normal", "reason": "R",
        "eventTime": "2024-01-01T11:55:00.000000Z", "reportingComponent": "ctrl", "reportingInstance": "i",
        "series": {"count": 3, "lastObservedTime": "2024-01-01T11:59:59.000000Z"}},
     ["1s", "Normal", "R", "node", "", "ctrl, i", "", "5m", 3, "p.2"]),
    ("event-events-k8s-io", "events.events.k8s.io", {
        "metadata": meta("p.3"), "regarding": {"kind": "Deployment", "name": "web"}, "type": "Normal",
        "reason": "ScalingReplicaSet", "note": "Scaled up replica set web-1 to 3", "reportingController": "deployment-controller",
        "eventTime": None, "deprecatedFirstTimestamp": T0, "deprecatedLastTimestamp": T0, "deprecatedCount": 1},
     ["10m", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller",
      "Scaled up replica set web-1 to 3", "10m", 1, "p.3"]),
    ("rolebinding", "rolebindings.rbac.authorization.k8s.io", {
        "metadata": meta("rb"), "roleRef": {"kind": "Role", "name": "r1"},
        "subjects": [{"kind": "User", "name": "dev"}, {"kind": "Group", "name": "g"},
                     {"kind": "ServiceAccount", "name": "sa1", "namespace": "nm-01"},
                     {"kind": "ServiceAccount", "name": "sa2", "namespace": "nm-02"}]},
     ["rb", "Role/r1", "10m", "dev", "g", "nm-01/sa1, nm-02/sa2"]),
    ("clusterrolebinding-no-subjects", "clusterrolebindings.rbac.authorization.k8s.io", {
        "metadata": meta("crb", ns=None), "roleRef": {"kind": "ClusterRole", "name": "view"}},
     ["crb", "ClusterRole/view", "10m", "", "", ""]),
    ("controllerrevision", "controllerrevisions.apps", {
        "metadata": meta("db-5d8", ownerReferences=[{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "controller": True}]),
        "revision": 2}, ["db-5d8", "statefulset.apps/db", 2, "10m"]),
    ("resourcequota", "resourcequotas", {
        "metadata": meta("q"), "status": {"hard": {"requests.cpu": "1", "limits.memory": "2Gi", "pods": "10", "limits.cpu": "2"},
                                          "used": {"requests.cpu": "500m", "pods": "3"}}},
     ["q", "pods: 3/10, requests.cpu: 500m/1", "limits.cpu: 0/2, limits.memory: 0/2Gi", "10m"]),
    ("pdb", "poddisruptionbudgets.policy", {
        "metadata": meta("pdb"), "spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}},
     ["pdb", "50%", "N/A", 1, "10m"]),
    ("priorityclass", "priorityclasses.scheduling.k8s.io", {
        "metadata": meta("system-node-critical", ns=None), "value": 2000001000, "preemptionPolicy": "PreemptLowerPriority"},
     ["system-node-critical", 2000001000, False, "10m", "PreemptLowerPriority"]),
    ("lease", "leases.coordination.k8s.io", {
        "metadata": meta("worker-1", ns="kube-node-lease"), "spec": {"holderIdentity": "worker-1"}},
     ["worker-1", "worker-1", "10m"]),
    ("apiservice-local", "apiservices.apiregistration.k8s.io", {
        "metadata": meta("v1.", ns=None), "spec": {}, "status": {"conditions": [{"type": "Available", "status": "True"}]}},
     ["v1.", "Local", "True", "10m"]),
    ("apiservice-unavailable", "apiservices.apiregistration.k8s.io", {
        "metadata": meta("v1beta1.metrics.k8s.io", ns=None), "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}},
        "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}},
     ["v1beta1.metrics.k8s.io", "kube-system/metrics-server", "False (MissingEndpoints)", "10m"]),
    ("role-default-table", "roles.rbac.authorization.k8s.io", {"metadata": meta("r1")}, ["r1", "2024-01-01T11:50:00Z"]),
    ("limitrange-default-table", "limitranges", {"metadata": meta("lr")}, ["lr", "2024-01-01T11:50:00Z"]),
    ("crd-default-table", "customresourcedefinitions.apiextensions.k8s.io", {
        "metadata": meta("ippools.crd.projectcalico.org", ns=None, creationTimestamp="2023-12-20T01:02:03Z")},
     ["ippools.crd.projectcalico.org", "2023-12-20T01:02:03Z"]),
    ("custom-resource-age", "ippools.crd.projectcalico.org", {"metadata": meta("default-ipv4-ippool", ns=None)},
     ["default-ipv4-ippool", "10m"]),
]


@pytest.mark.parametrize("resource, obj, want", [c[1:] for c in ROW_CASES], ids=[c[0] for c in ROW_CASES])
def test_row_cells(resource, obj, want):
    cells = row(resource, obj, NOW)
    assert cells == want
    assert len(cells) == len(columns(resource))


CRD_COLUMNS = [
    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
    {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
    {"name": "CIDR", "type": "string", "jsonPath": ".spec.cidr", "priority": 1},
    {"name": "Tags", "type": "string", "jsonPath": ".spec.tags"},
    {"name": "Enabled", "type": "boolean", "jsonPath": ".spec.enabled"},
    {"name": "Started", "type": "date", "jsonPath": ".status.startTime"},
]


@pytest.mark.parametrize("obj, want", [
    ({"metadata": meta("a"), "spec": {"replicas": 3, "cidr": "20.96.0.0/12", "tags": ["x", "y"], "enabled": True},
      "status": {"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}],
                 "startTime": "2024-01-01T11:00:00Z"}},
     ["a", 3, "True", "20.96.0.0/12", "[x y]", True, "60m"]),
    ({"metadata": meta("b"), "spec": {"replicas": 1.0, "enabled": "yes"}, "status": {"startTime": "bad"}},
     ["b", 1, None, None, None, None, "<invalid>"]),
], ids=["all-columns", "missing-and-mistyped"])
def test_custom_resource_printer_columns(obj, want):
    assert row("widgets.example.com", obj, NOW, crd_columns=CRD_COLUMNS) == want
    cols = columns("widgets.example.com", crd_columns=CRD_COLUMNS)
    assert [(c.name, c.type, c.priority) for c in cols] == [
        ("Name", "string", 0), ("Replicas", "integer", 0), ("Ready", "string", 0), ("CIDR", "string", 1),
        ("Tags", "string", 0), ("Enabled", "boolean", 0), ("Started", "date", 0)]


@pytest.mark.parametrize("resource, names", [
    ("jobs.batch", ["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"]),
    ("cronjobs.batch", ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age",
                        "Containers", "Images", "Selector"]),
    ("events", ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen",
                "Count", "Name"]),
    ("persistentvolumeclaims", ["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
                                "VolumeAttributesClass", "Age", "VolumeMode"]),
    ("roles.rbac.authorization.k8s.io", ["Name", "Created At"]),
    ("somethings.example.com", ["Name", "Age"]),
], ids=["jobs", "cronjobs", "events", "pvc", "default-table", "custom-resource"])
def test_column_names(resource, names):
    assert [c.name for c in columns(resource)] == names


def test_every_builtin_column_has_a_description():
    missing = [(r, c.name) for r in tables._REGISTRY for c in columns(r) if not c.description]
    assert missing == []


def test_table_include_object_and_list_meta():
    obj = {"metadata": meta("cm"), "data": {}}
    t = table("configmaps", [obj], NOW, list_meta={"resourceVersion": "42"}, include_object="Object")
    assert t["metadata"] == {"resourceVersion": "42"}
    assert t["rows"] == [{"cells": ["cm", 0, "10m"], "object": obj}]
    assert "object" not in table("configmaps", [obj], NOW, include_object="None")["rows"][0]
