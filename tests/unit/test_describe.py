"""describe's pure describers on fixed objects and a fixed `now`: golden strings derived from
kubectl's describe.go (PrefixWriter levels, tabwriter minwidth 0 / padding 2, `<none>` rules)."""
from datetime import datetime, timedelta, timezone

import pytest

from pykubectl.printers import describe as D

NOW = datetime(2026, 1, 1, 0, 10, 0, tzinfo=timezone.utc)


def ts(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ctx(events=None, **extra):
    return D.Ctx(NOW, events, timezone.utc, **extra)


@pytest.mark.parametrize("text, want", [
    ("a:\tb\nlonger:\tc\n", "a:       b\nlonger:  c\n"),
    # a line without tabs ends the column block: the next block aligns on its own
    ("a:\tb\nplain\nlonger:\tc\n", "a:  b\nplain\nlonger:  c\n"),
    # the last cell of a line is never padded, even when empty
    ("x\t\nxyz\tv\n", "x    \nxyz  v\n"),
    ("  Type\tStatus\n  Ready \tTrue \n", "  Type    Status\n  Ready   True \n"),
], ids=["aligned", "block-broken", "empty-last-cell", "indented-table"])
def test_tabwriter_matches_go(text, want):
    assert D.tabwrite(text) == want


@pytest.mark.parametrize("stamp, tz, want", [
    ("2026-01-01T00:00:00Z", timezone.utc, "Thu, 01 Jan 2026 00:00:00 +0000"),
    ("2025-12-31T23:44:05Z", timezone(timedelta(hours=9)), "Thu, 01 Jan 2026 08:44:05 +0900"),
    ("2025-07-04T12:00:00Z", timezone(timedelta(hours=-4, minutes=-30)), "Fri, 04 Jul 2025 07:30:00 -0430"),
    (None, timezone.utc, "Mon, 01 Jan 0001 00:00:00 +0000"),
], ids=["utc", "east", "west-half-hour", "zero-time"])
def test_rfc1123z(stamp, tz, want):
    assert D.rfc1123z(stamp, tz) == want


def _block(fn, *args):
    w = D.Writer()
    fn(w, *args)
    return w.result()


@pytest.mark.parametrize("labels, want", [
    (None, "Labels:\t<none>\n"),
    ({"b": "2", "a": "1"}, "Labels:\ta=1\n\tb=2\n"),
], ids=["none", "sorted"])
def test_labels_block(labels, want):
    w = D.Writer()
    D.labels_multiline(w, "Labels", labels)
    assert "".join(w.parts) == want


@pytest.mark.parametrize("annotations, want", [
    ({}, "Annotations:  <none>\n"),
    ({D.LAST_APPLIED: "{}"}, "Annotations:  <none>\n"),
    ({"b": "x", "a": "y\n"}, "Annotations:  a: y\n              b: x\n"),
    ({"k": "line1\nline2"}, "Annotations:  k:\n                line1\n                line2\n"),
    ({"k": "v" * 150}, "Annotations:  k:\n                " + "v" * 138 + "...\n"),
], ids=["none", "last-applied-skipped", "sorted-trailing-newline-trimmed", "multiline", "long-cut"])
def test_annotations_block(annotations, want):
    assert _block(D.annotations_multiline, "Annotations", annotations) == want


@pytest.mark.parametrize("toleration, want", [
    ({"key": "CriticalAddonsOnly", "operator": "Exists"}, "CriticalAddonsOnly op=Exists"),
    ({"operator": "Exists"}, "op=Exists"),
    ({"key": "k", "value": "v", "effect": "NoSchedule", "operator": "Equal"}, "k=v:NoSchedule"),
    ({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
      "tolerationSeconds": 300}, "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"),
], ids=["key-exists", "tolerate-everything", "key-value-effect", "for-seconds"])
def test_toleration_line(toleration, want):
    assert _block(D.tolerations_multiline, "Tolerations", [toleration]) == f"Tolerations:  {want}\n"


def _event(reason, age_min, count=1, first_min=None, type_="Normal", source="kubelet", msg="m"):
    return {"type": type_, "reason": reason, "count": count, "message": msg,
            "firstTimestamp": ts(first_min if first_min is not None else age_min),
            "lastTimestamp": ts(age_min), "source": {"component": source},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default", "uid": "u1"}}


@pytest.mark.parametrize("events, want", [
    ([], "Events:  <none>\n"),
    ([_event("Started", 1), _event("Scheduled", 2, source="default-scheduler", msg="Successfully assigned")],
     "Events:\n"
     "  Type    Reason     Age   From               Message\n"
     "  ----    ------     ----  ----               -------\n"
     "  Normal  Scheduled  2m    default-scheduler  Successfully assigned\n"
     "  Normal  Started    60s   kubelet            m\n"),
    ([_event("Unhealthy", 0.5, count=3, first_min=2, type_="Warning", msg=" Readiness probe failed: \n")],
     "Events:\n"
     "  Type     Reason     Age               From     Message\n"
     "  ----     ------     ----              ----     -------\n"
     "  Warning  Unhealthy  30s (x3 over 2m)  kubelet  Readiness probe failed:\n"),
], ids=["none", "sorted-by-last-seen", "folded-count"])
def test_events(events, want):
    assert _block(lambda w: D.describe_events(events, w, NOW)) == want


def test_event_series_uses_last_observed_time():
    e = {"type": "Normal", "reason": "R", "message": "x", "eventTime": ts(5) .replace("Z", ".000000Z"),
         "series": {"count": 4, "lastObservedTime": ts(1).replace("Z", ".000000Z")},
         "reportingComponent": "ctrl"}
    out = _block(lambda w: D.describe_events([e], w, NOW))
    assert out.splitlines()[-1] == "  Normal  R       60s (x4 over 5m)  ctrl  x"


POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "uid": "u1", "labels": {"app": "web"},
                 "creationTimestamp": ts(5),
                 "ownerReferences": [{"kind": "ReplicaSet", "name": "web-rs", "controller": True, "uid": "r"}]},
    "spec": {
        "nodeName": "worker-1", "serviceAccountName": "default", "priority": 0,
        "containers": [{
            "name": "c", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}],
            "command": ["sh", "-c"], "args": ["echo a\necho b"],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m", "memory": "64Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                              "initialDelaySeconds": 3, "timeoutSeconds": 1, "periodSeconds": 10,
                              "successThreshold": 1, "failureThreshold": 3},
            "env": [{"name": "A", "value": "1"},
                    {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
                    {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "S", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "k"}}}],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/cfg", "readOnly": True}],
        }],
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cm"}}],
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": 300}],
    },
    "status": {
        "phase": "Running", "hostIP": "192.168.0.101", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}],
        "startTime": ts(5),
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "c", "ready": True, "restartCount": 1, "containerID": "containerd://abc",
                               "imageID": "docker.io/library/nginx@sha256:1",
                               "state": {"running": {"startedAt": ts(4)}},
                               "lastState": {"terminated": {"exitCode": 137, "reason": "Error",
                                                            "startedAt": ts(5), "finishedAt": ts(4)}}}],
    },
}

POD_WANT = """\
Name:             web
Namespace:        default
Priority:         0
Service Account:  default
Node:             worker-1/192.168.0.101
Start Time:       Thu, 01 Jan 2026 00:05:00 +0000
Labels:           app=web
Annotations:      <none>
Status:           Running
IP:               10.0.0.5
IPs:
  IP:           10.0.0.5
Controlled By:  ReplicaSet/web-rs
Containers:
  c:
    Container ID:  containerd://abc
    Image:         nginx
    Image ID:      docker.io/library/nginx@sha256:1
    Port:          80/TCP
    Host Port:     0/TCP
    Command:
      sh
      -c
    Args:
      echo a
      echo b
    State:          Running
      Started:      Thu, 01 Jan 2026 00:06:00 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    137
      Started:      Thu, 01 Jan 2026 00:05:00 +0000
      Finished:     Thu, 01 Jan 2026 00:06:00 +0000
    Ready:          True
    Restart Count:  1
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:     250m
      memory:  64Mi
    Liveness:  http-get http://:8080/healthz delay=3s timeout=1s period=10s #success=1 #failure=3
    Environment:
      A:     1
      NODE:   (v1:spec.nodeName)
      POD:   web (v1:metadata.name)
      S:     <set to the key 'k' in secret 'sec'>  Optional: false
    Mounts:
      /cfg from cfg (ro)
      /data from data (rw)
Conditions:
  Type    Status
  Ready   True 
Volumes:
  data:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  <unset>
  cfg:
    Type:        ConfigMap (a volume populated by a ConfigMap)
    Name:        cm
    Optional:    false
QoS Class:       Burstable
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
Events:          <none>
"""


def test_pod_golden():
    assert D.describe("pods", POD, ctx(events=[])) == POD_WANT


def test_pod_without_event_search_has_no_events_section():
    assert "Events:" not in D.describe("pods", POD, ctx(events=None))


@pytest.mark.parametrize("probe, want", [
    ({"exec": {"command": ["cat", "/tmp/ready"]}}, "exec [cat /tmp/ready] "),
    ({"httpGet": {"port": "http", "path": "/", "scheme": "HTTPS"}}, "http-get https://:http/ "),
    ({"httpGet": {"host": "10.0.0.1", "port": 80, "scheme": "HTTP"}}, "http-get http://10.0.0.1:80 "),
    ({"tcpSocket": {"port": 3306}}, "tcp-socket :3306 "),
], ids=["exec", "named-port-https", "host-no-path", "tcp"])
def test_probe_text(probe, want):
    assert D._probe(probe).startswith(want + "delay=0s")


def _slice(svc, port_name, port, eps):
    return {"metadata": {"labels": {"kubernetes.io/service-name": svc}},
            "ports": [{"name": port_name, "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "conditions": {"ready": ready}} for ip, ready in eps]}


@pytest.mark.parametrize("slices, want", [
    ([], "<none>"),
    ([_slice("s", "", 80, [("10.0.0.1", True), ("10.0.0.2", False)])], "10.0.0.1:80"),
    ([_slice("s", "", 80, [(f"10.0.0.{i}", True) for i in range(1, 6)])],
     "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..."),
    ([_slice("s", "other", 80, [("10.0.0.1", True)])], ""),
], ids=["no-slices", "not-ready-skipped", "more", "other-port-name"])
def test_format_endpoint_slices(slices, want):
    assert D.format_endpoint_slices(slices, {""}) == want


SVC = {"metadata": {"name": "web", "namespace": "default", "uid": "s1"},
       "spec": {"type": "NodePort", "selector": {"app": "web"}, "clusterIP": "10.96.0.10",
                "clusterIPs": ["10.96.0.10"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP", "nodePort": 30080}],
                "sessionAffinity": "None", "externalTrafficPolicy": "Cluster",
                "internalTrafficPolicy": "Cluster"}}

SVC_WANT = """\
Name:                     web
Namespace:                default
Labels:                   <none>
Annotations:              <none>
Selector:                 app=web
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.0.10
IPs:                      10.96.0.10
Port:                     <unset>  80/TCP
TargetPort:               8080/TCP
NodePort:                 <unset>  30080/TCP
Endpoints:                10.0.0.1:8080
Session Affinity:         None
External Traffic Policy:  Cluster
Internal Traffic Policy:  Cluster
Events:                   <none>
"""


def test_service_golden():
    slices = [_slice("web", "", 8080, [("10.0.0.1", True)])]
    assert D.describe("services", SVC, ctx(events=[], endpointslices=slices)) == SVC_WANT


def test_secret_shows_sizes_never_values():
    secret = {"metadata": {"name": "s", "namespace": "default"}, "type": "Opaque",
              "data": {"password": "cGFzc3dvcmQ=", "user": "YWRtaW4="}}
    assert D.describe("secrets", secret, ctx()) == (
        "Name:         s\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\n"
        "Type:  Opaque\n\nData\n====\npassword:  8 bytes\nuser:      5 bytes\n")


@pytest.mark.parametrize("field, want", [
    ("apiVersion", "API Version"), ("ipipMode", "Ipip Mode"), ("cidr", "Cidr"),
    ("natOutgoing", "Nat Outgoing"), ("uid", "UID"), ("creationTimestamp", "Creation Timestamp"),
    ("HTTPServer", "HTTP Server"), ("k8s-app", "k8s-app"), ("my_field", "my_field"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_smart_label(field, want):
    assert D.smart_label(field) == want


def test_generic_describer_for_a_custom_resource():
    pool = {"apiVersion": "crd.projectcalico.org/v1", "kind": "IPPool",
            "metadata": {"name": "default-ipv4-ippool", "generation": 1, "uid": "x",
                         "managedFields": [{"manager": "m"}]},
            "spec": {"cidr": "20.96.0.0/12", "ipipMode": "Always", "natOutgoing": True,
                     "allowedUses": ["Workload", "Tunnel"], "blockSize": 26}}
    assert D.describe("ippools.crd.projectcalico.org", pool, ctx(events=[])) == """\
Name:         default-ipv4-ippool
Namespace:    
Labels:       <none>
Annotations:  <none>
API Version:  crd.projectcalico.org/v1
Kind:         IPPool
Metadata:
  Generation:  1
  UID:         x
Spec:
  Allowed Uses:
    Workload
    Tunnel
  Block Size:    26
  Cidr:          20.96.0.0/12
  Ipip Mode:     Always
  Nat Outgoing:  true
Events:          <none>
"""


def _rs(name, uid_owner, image, replicas, created):
    return {"metadata": {"name": name, "creationTimestamp": created,
                         "ownerReferences": [{"controller": True, "uid": uid_owner}]},
            "spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "w", "pod-template-hash": name}},
                                                        "spec": {"containers": [{"name": "c", "image": image}]}}},
            "status": {"replicas": replicas}}


def test_deployment_old_and_new_replicasets():
    d = {"metadata": {"name": "w", "namespace": "default", "uid": "d1", "creationTimestamp": ts(9)},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "w"}},
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                  "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": [{"name": "c", "image": "v2"}]}}},
         "status": {"replicas": 2, "updatedReplicas": 2, "availableReplicas": 2,
                    "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}}
    rss = [_rs("w-1", "d1", "v1", 0, ts(9)), _rs("w-2", "d1", "v2", 2, ts(3)), _rs("x-1", "other", "v2", 1, ts(1))]
    out = D.describe("deployments.apps", d, ctx(events=[], replicasets=rss))
    assert "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n" in out
    assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n" in out
    assert ("Conditions:\n  Type           Status  Reason\n  ----           ------  ------\n"
            "  Available      True    MinimumReplicasAvailable\n") in out
    assert "OldReplicaSets:  w-1 (0/0 replicas created)\nNewReplicaSet:   w-2 (2/2 replicas created)\n" in out


@pytest.mark.parametrize("rules, want", [
    ([{"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list"]}],
     [("pods", "[]", "[]", "[get list]"), ("services", "[]", "[]", "[get list]")]),
    ([{"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update"]},
      {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get"]}],
     [("deployments.apps/scale", "[]", "[]", "[update get]")]),
    ([{"nonResourceURLs": ["/healthz"], "verbs": ["get"]},
      {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a", "b"], "verbs": ["get"]}],
     [("", "[/healthz]", "[]", "[get]"), ("secrets", "[]", "[a]", "[get]"), ("secrets", "[]", "[b]", "[get]")]),
], ids=["broken-down", "verbs-merged", "urls-and-names"])
def test_policy_rules(rules, want):
    got = [(D._combine_resource_group(r.get("resources"), r.get("apiGroups")), D.golist(r.get("nonResourceURLs")),
            D.golist(r.get("resourceNames")), D.golist(r.get("verbs"))) for r in D.compact_rules(rules)]
    assert got == want


def test_node_allocated_resources():
    node = {"metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/control-plane": ""},
                         "creationTimestamp": ts(60)},
            "spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]},
            "status": {"allocatable": {"cpu": "2", "memory": "1Gi", "pods": "110", "example.com/gpu": "1"},
                       "addresses": [{"type": "InternalIP", "address": "192.168.0.100"}]}}
    pod = {"metadata": {"name": "p", "namespace": "ns", "creationTimestamp": ts(2)},
           "spec": {"containers": [{"resources": {"requests": {"cpu": "500m", "memory": "256Mi"},
                                                  "limits": {"memory": "512Mi"}}},
                                   {"resources": {"requests": {"cpu": "250m"}}}]}}
    out = D.describe("nodes", node, ctx(events=[], node_pods=[pod]))
    assert out.startswith("Name:               n1\nRoles:              control-plane\n")
    assert "Taints:             node-role.kubernetes.io/control-plane:NoSchedule\n" in out
    # the pod table aligns with the System Info block above it, as kubectl's does
    assert "  ns                          p       750m (37%)    0 (0%)      256Mi (25%)      512Mi (50%)    2m\n" in out
    assert ("  Resource           Requests     Limits\n  --------           --------     ------\n"
            "  cpu                750m (37%)   0 (0%)\n  memory             256Mi (25%)  512Mi (50%)\n"
            "  ephemeral-storage  0 (0%)       0 (0%)\n  example.com/gpu    0            0\n") in out


def test_related_events_match_name_uid_and_kind():
    obj = {"kind": "Deployment", "metadata": {"name": "w", "namespace": "default", "uid": "d1"}}
    evs = [{"involvedObject": {"kind": "Deployment", "name": "w", "namespace": "default", "uid": "d1"}, "reason": "a"},
           {"involvedObject": {"kind": "ReplicaSet", "name": "w", "namespace": "default", "uid": "d1"}, "reason": "b"},
           {"involvedObject": {"kind": "Deployment", "name": "w", "namespace": "default", "uid": "old"}, "reason": "c"}]
    assert [e["reason"] for e in D.related_events(obj, evs, "Deployment")] == ["a"]
    assert [e["reason"] for e in D.related_events(obj, evs, None)] == ["a", "b"]


def test_network_policy():
    np_ = {"metadata": {"name": "db", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z"},
           "spec": {"podSelector": {}, "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "a"}},
                                           "podSelector": {"matchLabels": {"role": "api"}}}],
                                 "ports": [{"port": 5432, "protocol": "TCP"}, {"port": 8000, "endPort": 8080}]}]}}
    assert D.describe("networkpolicies.networking.k8s.io", np_, ctx(events=[])) == """\
Name:         db
Namespace:    default
Created on:   2026-01-01 00:00:00 +0000 UTC
Labels:       <none>
Annotations:  <none>
Spec:
  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)
  Allowing ingress traffic:
    To Port: 5432/TCP
    To Port Range: 8000-8080/TCP
    From:
      NamespaceSelector: team=a
      PodSelector: role=api
  Not affecting egress traffic
  Policy Types: Ingress
"""


@pytest.mark.parametrize("value, want", [
    ("plain", "plain"), ("\x1b[31mred", "^[[31mred"), ("a\rb", "a\\rb"),
], ids=["plain", "escape-sequence", "carriage-return"])
def test_terminal_escaping(value, want):
    secret = {"metadata": {"name": "s", "namespace": "d", "labels": {"k": value}}, "type": "Opaque"}
    assert f"Labels:       k={want}\n" in D.describe("secrets", secret, ctx())
