"""kubectl get's human-readable output, byte for byte.

The expected strings were printed by the real kubectl v1.32 against a throwaway local server
that answered with the very Tables `tables.table()` builds from these objects, so they check
the client side: decoration (NAMESPACE, kind prefix, -L, LABELS), headers, wide columns and
the tabwriter's spacing, trailing blanks included.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pykubectl.printers.render import format_cell, render_many, render_table, tabwrite
from pykubectl.printers.tables import table

NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
T0 = "2024-01-01T11:50:00Z"


def meta(name, ns="default", labels=None, ts=T0, **kw):
    m = {"name": name, "creationTimestamp": ts}
    if ns:
        m["namespace"] = ns
    if labels is not None:
        m["labels"] = labels
    m.update(kw)
    return m


PODS = [
    {"metadata": meta("web-1", labels={"app": "web", "tier": "fe"}),
     "spec": {"nodeName": "worker-1", "containers": [{"name": "c"}]},
     "status": {"phase": "Running", "podIPs": [{"ip": "20.96.1.5"}], "containerStatuses": [
         {"name": "c", "ready": True, "restartCount": 1, "state": {"running": {"startedAt": T0}},
          "lastState": {"terminated": {"exitCode": 137, "finishedAt": "2024-01-01T11:59:55Z"}}}]}},
    {"metadata": meta("pending-pod-with-a-long-name", labels={}),
     "spec": {"containers": [{"name": "c"}, {"name": "d"}]}, "status": {"phase": "Pending"}},
    {"metadata": meta("init", ns="kube-system", labels={"app": "x"}),
     "spec": {"nodeName": "worker-2", "initContainers": [{"name": "i"}], "containers": [{"name": "c"}]},
     "status": {"phase": "Pending",
                "initContainerStatuses": [{"name": "i", "state": {"running": {}}, "restartCount": 0}],
                "containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "PodInitializing"}}}]}},
    {"metadata": meta("crash", labels={"app": "web"}),
     "spec": {"nodeName": "worker-1", "containers": [{"name": "c"}]},
     "status": {"phase": "Running", "podIPs": [{"ip": "20.96.2.9"}], "containerStatuses": [
         {"name": "c", "ready": False, "restartCount": 5, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
          "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-01-01T11:58:00Z"}}}]}},
]
DEFAULT_PODS = [p for p in PODS if p["metadata"]["namespace"] == "default"]
SERVICES = [
    {"metadata": meta("kubernetes", labels={"component": "apiserver"}),
     "spec": {"type": "ClusterIP", "clusterIPs": ["10.96.0.1"], "ports": [{"port": 443, "protocol": "TCP"}]}},
    {"metadata": meta("np", labels={}),
     "spec": {"type": "NodePort", "clusterIPs": ["10.96.5.5"], "selector": {"app": "web"},
              "ports": [{"port": 80, "nodePort": 31085, "protocol": "TCP"},
                        {"port": 443, "nodePort": 31086, "protocol": "TCP"}]}},
    {"metadata": meta("ext"), "spec": {"type": "ExternalName", "externalName": "www.google.com"}},
]
NODES = [
    {"metadata": meta("k8s-master", ns=None, ts="2023-12-20T00:00:00Z",
                      labels={"node-role.kubernetes.io/control-plane": ""}),
     "spec": {}, "status": {"conditions": [{"type": "Ready", "status": "True"}],
                            "addresses": [{"type": "InternalIP", "address": "192.168.0.100"}],
                            "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Ubuntu 22.04.3 LTS",
                                         "kernelVersion": "5.15.0-91-generic",
                                         "containerRuntimeVersion": "containerd://1.7.2"}}},
    {"metadata": meta("worker-1", ns=None, labels={}, ts="2023-12-20T00:00:00Z"), "spec": {"unschedulable": True},
     "status": {"conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": "192.168.0.101"}],
                "nodeInfo": {"kubeletVersion": "v1.32.0"}}},
]
EVENTS = [
    {"metadata": meta("web-1.17a"), "involvedObject": {"kind": "Pod", "name": "web-1"}, "type": "Normal",
     "reason": "Scheduled", "message": "Successfully assigned default/web-1 to worker-1",
     "source": {"component": "default-scheduler"}, "firstTimestamp": "2024-01-01T11:55:00Z",
     "lastTimestamp": "2024-01-01T11:55:00Z", "count": 1},
    {"metadata": meta("web-1.17b"), "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{c}"},
     "type": "Warning", "reason": "Unhealthy", "message": "", "source": {"component": "kubelet", "host": "worker-1"},
     "firstTimestamp": "2024-01-01T11:50:00Z", "lastTimestamp": "2024-01-01T11:59:30Z", "count": 7},
]
DEPLOYS = [{"metadata": meta("web", labels={"app": "web"}),
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": [{"name": "c", "image": "kubetm/app:v1"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}]
PVS = [{"metadata": meta("pv-1", ns=None),
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce", "ReadWriteMany"],
                 "persistentVolumeReclaimPolicy": "Recycle", "claimRef": {"namespace": "default", "name": "pvc-1"},
                 "storageClassName": "", "volumeMode": "Filesystem"}, "status": {"phase": "Bound"}}]
HPAS = [{"metadata": meta("hpa-cpu"),
         "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "stateless-cpu1"}, "minReplicas": 2, "maxReplicas": 10,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]},
         "status": {"currentReplicas": 2, "currentMetrics": [
             {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 180}}}]}}]
SCS = [{"metadata": meta("nfs-client", ns=None, annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
        "provisioner": "k8s-sigs.io/nfs-subdir-external-provisioner", "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate"}]
ENDPOINTS = [{"metadata": meta("endpoint1"), "subsets": [
    {"addresses": [{"ip": f"20.96.1.{i}"} for i in range(5)], "ports": [{"port": 8080}]}]}]


GOLDEN = [
    ("pods-all-namespaces-wide-labels", "pods", PODS, dict(namespace_column=True, wide=True, show_labels=True),
     "NAMESPACE     NAME                           READY   STATUS             RESTARTS     AGE   IP          NODE       NOMINATED NODE   READINESS GATES   LABELS\n"
     "default       web-1                          1/1     Running            1 (5s ago)   10m   20.96.1.5   worker-1   <none>           <none>            app=web,tier=fe\n"
     "default       pending-pod-with-a-long-name   0/2     Pending            0            10m   <none>      <none>     <none>           <none>            <none>\n"
     "kube-system   init                           0/1     Init:0/1           0            10m   <none>      worker-2   <none>           <none>            app=x\n"
     "default       crash                          0/1     CrashLoopBackOff   5 (2m ago)   10m   20.96.2.9   worker-1   <none>           <none>            app=web\n"),
    ("pods-label-columns-no-headers", "pods", DEFAULT_PODS, dict(label_columns=["app", "missing/x"], no_headers=True),
     "web-1                          1/1   Running            1 (5s ago)   10m   web   \n"
     "pending-pod-with-a-long-name   0/2   Pending            0            10m         \n"
     "crash                          0/1   CrashLoopBackOff   5 (2m ago)   10m   web   \n"),
    ("nodes-wide", "nodes", NODES, dict(wide=True),
     "NAME         STATUS                     ROLES           AGE   VERSION   INTERNAL-IP     EXTERNAL-IP   OS-IMAGE             KERNEL-VERSION      CONTAINER-RUNTIME\n"
     "k8s-master   Ready                      control-plane   12d   v1.32.0   192.168.0.100   <none>        Ubuntu 22.04.3 LTS   5.15.0-91-generic   containerd://1.7.2\n"
     "worker-1     Ready,SchedulingDisabled   <none>          12d   v1.32.0   192.168.0.101   <none>        <unknown>            <unknown>           <unknown>\n"),
    ("services", "services", SERVICES, {},
     "NAME         TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)                      AGE\n"
     "kubernetes   ClusterIP      10.96.0.1    <none>           443/TCP                      10m\n"
     "np           NodePort       10.96.5.5    <none>           80:31085/TCP,443:31086/TCP   10m\n"
     "ext          ExternalName   <none>       www.google.com   <none>                       10m\n"),
    ("events-empty-last-cell", "events", EVENTS, {},
     "LAST SEEN   TYPE      REASON      OBJECT      MESSAGE\n"
     "5m          Normal    Scheduled   pod/web-1   Successfully assigned default/web-1 to worker-1\n"
     "30s         Warning   Unhealthy   pod/web-1   \n"),
    ("events-wide", "events", EVENTS, dict(wide=True),
     "LAST SEEN   TYPE      REASON      OBJECT      SUBOBJECT            SOURCE              MESSAGE                                           FIRST SEEN   COUNT   NAME\n"
     "5m          Normal    Scheduled   pod/web-1                        default-scheduler   Successfully assigned default/web-1 to worker-1   5m           1       web-1.17a\n"
     "30s         Warning   Unhealthy   pod/web-1   spec.containers{c}   kubelet, worker-1                                                     10m          7       web-1.17b\n"),
    ("deployments-wide", "deployments.apps", DEPLOYS, dict(wide=True),
     "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES          SELECTOR\n"
     "web    2/3     3            2           10m   c            kubetm/app:v1   app=web\n"),
    ("pv-empty-middle-cells", "persistentvolumes", PVS, {},
     "NAME   CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM           STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n"
     "pv-1   1Gi        RWO,RWX        Recycle          Bound    default/pvc-1                  <unset>                          10m\n"),
    ("hpa-targets", "horizontalpodautoscalers.autoscaling", HPAS, {},
     "NAME      REFERENCE                   TARGETS         MINPODS   MAXPODS   REPLICAS   AGE\n"
     "hpa-cpu   Deployment/stateless-cpu1   cpu: 180%/50%   2         10        2          10m\n"),
    ("storageclass-default", "storageclasses.storage.k8s.io", SCS, {},
     "NAME                   PROVISIONER                                   RECLAIMPOLICY   VOLUMEBINDINGMODE   ALLOWVOLUMEEXPANSION   AGE\n"
     "nfs-client (default)   k8s-sigs.io/nfs-subdir-external-provisioner   Delete          Immediate           false                  10m\n"),
    ("roles-default-table", "roles.rbac.authorization.k8s.io", [{"metadata": meta("r1")}], {},
     "NAME   CREATED AT\n"
     "r1     2024-01-01T11:50:00Z\n"),
    ("endpoints-more", "endpoints", ENDPOINTS, {},
     "NAME        ENDPOINTS                                                  AGE\n"
     "endpoint1   20.96.1.0:8080,20.96.1.1:8080,20.96.1.2:8080 + 2 more...   10m\n"),
]


@pytest.mark.parametrize("resource, objs, opts, want", [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN])
def test_render_matches_kubectl(resource, objs, opts, want):
    assert render_table(table(resource, objs, NOW), **opts) == want


def test_several_kinds_with_kind_prefix_and_blank_line():
    pods = render_table(table("pods", DEFAULT_PODS, NOW), kind_prefix="pod")
    svcs = render_table(table("services", SERVICES, NOW), kind_prefix="service")
    assert render_many([pods, svcs]) == (
        "NAME                               READY   STATUS             RESTARTS     AGE\n"
        "pod/web-1                          1/1     Running            1 (5s ago)   10m\n"
        "pod/pending-pod-with-a-long-name   0/2     Pending            0            10m\n"
        "pod/crash                          0/1     CrashLoopBackOff   5 (2m ago)   10m\n"
        "\n"
        "NAME                 TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)                      AGE\n"
        "service/kubernetes   ClusterIP      10.96.0.1    <none>           443/TCP                      10m\n"
        "service/np           NodePort       10.96.5.5    <none>           80:31085/TCP,443:31086/TCP   10m\n"
        "service/ext          ExternalName   <none>       www.google.com   <none>                       10m\n")


def test_several_kinds_without_headers_have_no_blank_line():
    pods = render_table(table("pods", DEFAULT_PODS, NOW), kind_prefix="pod", no_headers=True)
    svcs = render_table(table("services", SERVICES, NOW), kind_prefix="service", no_headers=True)
    assert render_many([pods, "", svcs], no_headers=True) == (
        "pod/web-1                          1/1   Running            1 (5s ago)   10m\n"
        "pod/pending-pod-with-a-long-name   0/2   Pending            0            10m\n"
        "pod/crash                          0/1   CrashLoopBackOff   5 (2m ago)   10m\n"
        "service/kubernetes   ClusterIP      10.96.0.1   <none>           443/TCP                      10m\n"
        "service/np           NodePort       10.96.5.5   <none>           80:31085/TCP,443:31086/TCP   10m\n"
        "service/ext          ExternalName   <none>      www.google.com   <none>                       10m\n")


def test_group_kind_prefix_and_namespace_with_labels():
    out = render_table(table("deployments.apps", DEPLOYS, NOW), kind_prefix="deployment.apps",
                       namespace_column=True, show_labels=True)
    assert out == ("NAMESPACE   NAME                  READY   UP-TO-DATE   AVAILABLE   AGE   LABELS\n"
                   "default     deployment.apps/web   2/3     3            2           10m   app=web\n")


def test_empty_table_prints_nothing():
    assert render_table(table("pods", [], NOW)) == ""
    assert render_many(["", ""]) == ""


def test_sort_key_orders_rows():
    t = table("pods", DEFAULT_PODS, NOW)
    out = render_table(t, sort_key=lambda r: r["cells"][0], no_headers=True)
    assert [line.split()[0] for line in out.splitlines()] == ["crash", "pending-pod-with-a-long-name", "web-1"]


@pytest.mark.parametrize("text, want", [
    ("a\tb\n", "a     b\n"),                      # minwidth 6 even for a short column
    ("abcd\tb\n", "abcd   b\n"),                  # padding 3
    ("abcdefgh\tb\nx\ty\n", "abcdefgh   b\nx          y\n"),
    ("a\t\n", "a     \n"),                       # an empty last cell keeps the padding
    ("h1\th2\nonly\n", "h1    h2\nonly\n"),      # a line without the column ends the block
    ("한국어\tx\n", "한국어   x\n"),                # widths count runes, not bytes
], ids=["minwidth", "padding", "widest-cell", "trailing-blank", "block-ends", "runes"])
def test_tabwriter(text, want):
    assert tabwrite(text) == want


def test_remembered_widths_never_shrink():
    widths: list[int] = []
    assert tabwrite("NAME\tAGE\nlong-pod-name\t1s\n", widths) == "NAME            AGE\nlong-pod-name   1s\n"
    assert tabwrite("x\t2s\n", widths) == "x               2s\n"


@pytest.mark.parametrize("cell, want", [
    (None, ""), ("plain", "plain"), ("two\nlines", "two..."), ("cr\rhere", "cr..."), (True, "true"),
    (False, "false"), (3, "3"), (1.5, "1.5"), (2.0, "2"), ("esc\x1b[31m", "esc^[[31m"),
], ids=["nil", "string", "newline", "carriage-return", "true", "false", "int", "float", "float-int",
        "escape"])
def test_format_cell(cell, want):
    assert format_cell(cell) == want


def test_row_without_metadata_gets_empty_decorations():
    t = {"columnDefinitions": [{"name": "Name", "type": "string", "format": "name"}],
         "rows": [{"cells": ["x"]}]}
    assert render_table(t, namespace_column=True, show_labels=True) == (
        "NAMESPACE   NAME   LABELS\n"
        "            x      \n")
