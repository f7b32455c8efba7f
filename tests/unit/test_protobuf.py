"""Reading kubectl's protobuf request bodies: the envelope, the field numbers of each message,
Go's always-written empty fields dropped except where a pointer says a zero was meant.

The captured bodies are what the real kubectl v1.32 posted for the command in each id.
"""
from __future__ import annotations

import pytest

from pykubectl.server import protobuf

CAPTURED = {
    "create namespace ns1":
        "6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a0032003800420012"
        "001a020a001a002200",
    "create configmap cm1 --from-literal=a=b --from-literal=c=d":
        "6b3873000a0f0a0276311209436f6e6669674d617012250a130a03636d3112001a0022002a003200380042001206"
        "0a016112016212060a01631201641a002200",
    "create deployment d1 --image=nginx --replicas=2 --port=80":
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b4010a1d0a02643112001a0022002a003200"
        "380042005a090a03617070120264311284010802120b0a090a03617070120264311a6b0a1b0a0012001a0022002a"
        "003200380042005a090a0361707012026431124c122e0a056e67696e7812056e67696e782a00320a0a0010001850"
        "22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a01"
        "00c2010022020a00280038001a0c0800100018002000280038001a002200",
    "create poddisruptionbudget pdb1 --selector=app=x --min-available=1":
        "6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412380a140a047064"
        "623112001a0022002a0032003800420012140a06080010011a00120a0a080a036170701201781a0a080018002000"
        "280030001a002200",
    "create token sa1 --duration=1h --audience=x":
        "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374"
        "12200a100a0012001a0022002a0032003800420012060a017820901c1a040a0012001a002200",
    "autoscale deploy d --name=h2 --max=3 --cpu-percent=50":
        "6b3873000a290a0e6175746f7363616c696e672f76311217486f72697a6f6e74616c506f644175746f7363616c"
        "6572123a0a120a02683212001a0022002a00320038004200121e0a180a0a4465706c6f796d656e741201641a07"
        "617070732f7631180320321a04180020001a002200",
}

EXPECTED = {
    "create namespace ns1": {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "ns1"}},
    "create configmap cm1 --from-literal=a=b --from-literal=c=d":
        {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cm1"}, "data": {"a": "b", "c": "d"}},
    "create deployment d1 --image=nginx --replicas=2 --port=80": {
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": "d1", "labels": {"app": "d1"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "d1"}},
                 "template": {"metadata": {"labels": {"app": "d1"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                                       "ports": [{"containerPort": 80}]}]}}}},
    "create poddisruptionbudget pdb1 --selector=app=x --min-available=1": {
        "kind": "PodDisruptionBudget", "apiVersion": "policy/v1", "metadata": {"name": "pdb1"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "x"}}}},
    "create token sa1 --duration=1h --audience=x": {
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "spec": {"audiences": ["x"], "expirationSeconds": 3600}},
    "autoscale deploy d --name=h2 --max=3 --cpu-percent=50": {
        "kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1", "metadata": {"name": "h2"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d", "apiVersion": "apps/v1"},
                 "maxReplicas": 3, "targetCPUUtilizationPercentage": 50}},
}


@pytest.mark.parametrize("command", list(CAPTURED), ids=["-".join(c.split()[:2]) for c in CAPTURED])
def test_bodies_the_real_kubectl_sent(command):
    assert protobuf.decode(bytes.fromhex(CAPTURED[command])) == EXPECTED[command]


# -- a tiny encoder, to state each case in the wire format's own terms -------------------

def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f(num: int, v) -> bytes:
    if isinstance(v, int):
        return varint(num << 3) + varint(v)
    if isinstance(v, str):
        v = v.encode()
    return varint(num << 3 | 2) + varint(len(v)) + v


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return protobuf.MAGIC + f(1, f(1, api_version) + f(2, kind)) + f(2, raw) + f(3, b"") + f(4, b"")


def entry(k: str, v) -> bytes:
    return f(1, k) + f(2, v)


MESSAGE_CASES = [
    # (id, message, raw bytes, expected JSON)
    ("pointer-zero-kept", "DeploymentSpec", f(1, 0), {"replicas": 0}),
    ("value-zero-dropped", "DeploymentSpec", f(5, 0) + f(7, 0), {}),
    ("negative-int", "PodSpec", f(4, -1), {"terminationGracePeriodSeconds": -1}),
    ("pointer-false-kept", "ServiceAccount", f(4, 0), {"automountServiceAccountToken": False}),
    ("repeated-strings", "PolicyRule", f(1, "get") + f(1, "list") + f(3, "pods"),
     {"verbs": ["get", "list"], "resources": ["pods"]}),
    ("int-or-string-int", "ServicePort", f(3, 80) + f(4, f(1, 0) + f(2, 8080) + f(3, "")),
     {"port": 80, "targetPort": 8080}),
    ("int-or-string-string", "ServicePort", f(3, 80) + f(4, f(1, 1) + f(2, 0) + f(3, "http")),
     {"port": 80, "targetPort": "http"}),
    ("bytes-map-base64", "Secret", f(2, entry("k", b"\x00\xff")), {"data": {"k": "AP8="}}),
    ("quantity-map", "ResourceRequirements", f(1, entry("cpu", f(1, "500m"))),
     {"limits": {"cpu": "500m"}}),
    ("time", "ObjectMeta", f(1, "x") + f(8, f(1, 1700000000) + f(2, 0)),
     {"name": "x", "creationTimestamp": "2023-11-14T22:13:20Z"}),
    ("zero-time-dropped", "ObjectMeta", f(1, "x") + f(8, f(1, 0) + f(2, 0)), {"name": "x"}),
    ("embedded-inlined", "EnvVar", f(1, "A") + f(3, f(4, f(1, f(1, "sec")) + f(2, "key"))),
     {"name": "A", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "key"}}}),
    ("volume-source-inlined", "Volume", f(1, "data") + f(2, f(2, f(1, ""))),
     {"name": "data", "emptyDir": {}}),
    ("packed-ints", "PodSecurityContext", f(4, varint(1000) + varint(2000)),
     {"supplementalGroups": [1000, 2000]}),
    ("unknown-field-ignored", "NamespaceSpec", f(1, "kubernetes") + f(99, "x"),
     {"finalizers": ["kubernetes"]}),
]


@pytest.mark.parametrize("message,raw,expected", [c[1:] for c in MESSAGE_CASES],
                         ids=[c[0] for c in MESSAGE_CASES])
def test_messages(message, raw, expected):
    assert protobuf.decode_message(message, raw) == expected


@pytest.mark.parametrize("api_version,kind,raw,expected", [
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding",
     f(1, f(1, "crb")) + f(2, f(1, "User") + f(2, "rbac.authorization.k8s.io") + f(3, "jane"))
     + f(3, f(1, "rbac.authorization.k8s.io") + f(2, "ClusterRole") + f(3, "view")),
     {"metadata": {"name": "crb"},
      "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"}],
      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}}),
    ("policy/v1", "Eviction", f(1, f(1, "web-1") + f(3, "default")) + f(2, f(1, 0)),
     {"metadata": {"name": "web-1", "namespace": "default"}, "deleteOptions": {"gracePeriodSeconds": 0}}),
    ("batch/v1", "CronJob", f(1, f(1, "cj")) + f(2, f(1, "*/1 * * * *") + f(7, 0)),
     {"metadata": {"name": "cj"}, "spec": {"schedule": "*/1 * * * *", "failedJobsHistoryLimit": 0}}),
], ids=["clusterrolebinding", "eviction", "cronjob"])
def test_envelopes(api_version, kind, raw, expected):
    assert protobuf.decode(envelope(api_version, kind, raw)) == {"kind": kind, "apiVersion": api_version, **expected}


@pytest.mark.parametrize("body,error", [
    (b'{"kind":"Namespace"}', "not a Kubernetes protobuf message"),
    (envelope("v1", "Pod", b""), "no protobuf decoding for v1, Kind=Pod"),
    (envelope("autoscaling/v2", "HorizontalPodAutoscaler", b""),
     "no protobuf decoding for autoscaling/v2, Kind=HorizontalPodAutoscaler"),
    (envelope("v1", "Namespace", f(1, b"\x0a\x05ab")), "truncated message"),
    (protobuf.MAGIC + f(1, f(1, "v1") + f(2, "Namespace")) + f(3, "gzip"), "unsupported content encoding 'gzip'"),
], ids=["json", "unknown-kind", "unknown-version", "truncated", "encoded"])
def test_unreadable_bodies(body, error):
    with pytest.raises(ValueError, match=error):
        protobuf.decode(body)


def test_reviews_still_decode():
    raw = f(2, f(1, f(1, "default") + f(2, "get") + f(5, "pods")))
    assert protobuf.decode_review("SelfSubjectAccessReview", raw) == {
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}}}
