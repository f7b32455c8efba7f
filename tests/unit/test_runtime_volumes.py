"""Volumes kubelet fills from the API (downwardAPI, projected sources, ConfigMaps, Secrets) as a
container's files, and the image's own root directories, through the tiny shell."""
import base64

import pytest

from pykubectl.runtime import shell
from tests.unit.test_runtime import FakeView, make_pod

LABELS = {"zone": "us-est-coast", "cluster": "test-cluster1"}
DOWNWARD = {"name": "podinfo", "downwardAPI": {"items": [
    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
    {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}},
    {"path": "zone", "fieldRef": {"fieldPath": "metadata.labels['zone']"}},
    {"path": "ip", "fieldRef": {"fieldPath": "status.podIP"}},
    {"path": "cpu_limit", "resourceFieldRef": {"containerName": "c", "resource": "limits.cpu", "divisor": "1m"}},
    {"path": "mem_limit", "resourceFieldRef": {"containerName": "c", "resource": "limits.memory", "divisor": "1Mi"}},
    {"path": "cpu_request", "resourceFieldRef": {"containerName": "c", "resource": "requests.cpu"}},
    {"path": "node_mem", "resourceFieldRef": {"containerName": "c", "resource": "limits.ephemeral-storage",
                                              "divisor": "1Gi"}},
]}}
PROJECTED = {"name": "all", "projected": {"sources": [
    {"secret": {"name": "s", "items": [{"key": "username", "path": "my-group/my-username"}]}},
    {"configMap": {"name": "cm", "items": [{"key": "config", "path": "my-group/my-config"}]}},
    {"downwardAPI": {"items": [{"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}},
]}}
OBJECTS = {("secrets", "s"): {"data": {"username": base64.b64encode(b"admin").decode()}},
           ("configmaps", "cm"): {"data": {"config": "x=1"}},
           ("nodes", "worker-1"): {"status": {"allocatable": {"ephemeral-storage": "20Gi"}}}}


def pod_with_volumes():
    pod = make_pod("busybox", [DOWNWARD, PROJECTED],
                   [{"name": "podinfo", "mountPath": "/etc/podinfo"}, {"name": "all", "mountPath": "/projected"}])
    pod["metadata"].update(labels=dict(LABELS), annotations={"build": "two", "note": 'say "hi"'})
    pod["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "250m", "memory": "64Mi"},
                                                 "requests": {"cpu": "100m"}}
    return pod


@pytest.mark.parametrize("argv,out", [
    (["cat", "/etc/podinfo/labels"], 'cluster="test-cluster1"\nzone="us-est-coast"'),
    (["cat", "/etc/podinfo/annotations"], 'build="two"\nnote="say \\"hi\\""'),
    (["cat", "/etc/podinfo/zone"], "us-est-coast"),
    (["cat", "/etc/podinfo/ip"], "20.0.0.5"),
    (["cat", "/etc/podinfo/cpu_limit"], "250"),
    (["cat", "/etc/podinfo/mem_limit"], "64"),
    (["cat", "/etc/podinfo/cpu_request"], "1"),
    (["cat", "/etc/podinfo/node_mem"], "20"),
    (["ls", "/projected", "/projected/my-group"], "/projected:\nmy-group\nname\n\n/projected/my-group:\nmy-config\nmy-username\n"),
    (["cat", "/projected/my-group/my-username"], "admin"),
    (["cat", "/projected/my-group/my-config"], "x=1"),
    (["cat", "/projected/name"], "p"),
], ids=["labels", "annotations-quoted", "one-label", "pod-ip", "cpu-limit-millis", "memory-limit-mi",
        "cpu-request-rounded-up", "unset-limit-is-allocatable", "projected-tree", "projected-secret",
        "projected-configmap", "projected-downward"])
def test_volume_files(argv, out):
    assert shell.run(FakeView(dict(OBJECTS)), pod_with_volumes(), "c", argv, now=5.0) == (out, "", 0)


def test_downward_files_follow_the_pod_and_are_read_only():
    v = FakeView(dict(OBJECTS))
    pod = pod_with_volumes()
    pod["metadata"]["labels"]["zone"] = "eu"
    assert shell.run(v, pod, "c", ["cat", "/etc/podinfo/zone"])[0] == "eu"
    assert shell.run(v, pod, "c", ["rm", "/etc/podinfo/zone"]) == \
        ("", "rm: can't remove '/etc/podinfo/zone': Read-only file system\n", 1)


@pytest.mark.parametrize("argv,expected", [
    (["touch", "/tmp/x"], ("", "", 0)),
    (["ls", "/"], ("bin\ndev\netc\nhome\nproc\nprojected\nroot\nrun\nsys\ntmp\nusr\nvar\n", "", 0)),
    (["sh", "-c", "rm -r /tmp; touch /tmp/x"], ("", "touch: /tmp/x: No such file or directory\n", 1)),
], ids=["tmp-exists", "root-listing", "removed-dir-stays-gone"])
def test_image_root_directories(argv, expected):
    pod = make_pod("busybox", [PROJECTED], [{"name": "all", "mountPath": "/projected"}])
    assert shell.run(FakeView(dict(OBJECTS)), pod, "c", argv, now=1.0) == expected
