"""Fields the emulator stores but does not act on are named in one warning per write."""
from __future__ import annotations

import textwrap

import pytest

from pykubectl.api import unmodelled

POD_SPEC = {
    "securityContext": {"runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
    "hostPID": True,
    "containers": [{"name": "a", "image": "nginx"},
                   {"name": "b", "image": "nginx", "securityContext": {"privileged": True},
                    "workingDir": "/srv"}],
    "initContainers": [{"name": "i", "image": "busybox", "volumeDevices": [{"name": "d", "devicePath": "/dev/x"}]}],
    "volumes": [{"name": "c", "emptyDir": {}}, {"name": "d", "csi": {"driver": "x"}},
                {"name": "e", "persistentVolumeClaim": {"claimName": "p"}}],
}

CASES = [
    ("pod", "Pod", {"spec": POD_SPEC}, [
        "spec.hostPID", "spec.securityContext.runAsUser", "spec.securityContext.seccompProfile",
        "spec.initContainers[0].volumeDevices", "spec.containers[1].securityContext",
        "spec.containers[1].workingDir", "spec.volumes[1].csi"]),
    ("deployment-template", "Deployment", {"spec": {"template": {"spec": {"hostIPC": True, "containers": []}}}},
     ["spec.template.spec.hostIPC"]),
    ("cronjob-template", "CronJob",
     {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"runtimeClassName": "gvisor"}}}}}},
     ["spec.jobTemplate.spec.template.spec.runtimeClassName"]),
    ("modelled-only", "Pod", {"spec": {"containers": [{"name": "a", "image": "nginx",
                                                        "terminationMessagePath": "/dev/termination-log"}],
                                       "volumes": [{"name": "h", "hostPath": {"path": "/x"}}]}}, []),
    ("empty-values-are-unset", "Pod", {"spec": {"securityContext": {}, "hostPID": False,
                                                 "containers": [{"name": "a", "securityContext": {}}]}}, []),
    ("other-kinds-untouched", "Service", {"spec": {"hostPID": True}}, []),
    ("malformed-spec", "Pod", {"spec": ["not", "a", "map"]}, []),
]


@pytest.mark.parametrize("kind,obj,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_fields(kind, obj, want):
    assert unmodelled.fields(kind, obj) == want


def test_an_update_warns_only_about_what_it_adds():
    old = {"spec": {"hostPID": True, "containers": []}}
    new = {"spec": {"hostPID": True, "hostIPC": True, "containers": []}}
    assert unmodelled.warnings("Pod", new, old) == [
        "pykubectl does not model spec.hostIPC: accepted and stored, but without effect in the "
        "simulated cluster"]
    assert unmodelled.warnings("Pod", old, old) == []


MANIFEST = textwrap.dedent("""\
    apiVersion: v1
    kind: Pod
    metadata:
      name: secure
    spec:
      securityContext:
        runAsUser: 1000
      containers:
      - name: app
        image: nginx
""")


def test_apply_create_and_replace_warn_once(kube):
    r = kube("apply", "-f", "-", input=MANIFEST)
    assert (r.code, r.out) == (0, "pod/secure created\n")
    assert r.err == ("Warning: pykubectl does not model spec.securityContext.runAsUser: accepted and "
                     "stored, but without effect in the simulated cluster\n")
    # the same object again: nothing new is set, nothing to say
    r = kube("apply", "-f", "-", input=MANIFEST)
    assert (r.code, r.out, r.err) == (0, "pod/secure unchanged\n", "")
    r = kube("label", "pod", "secure", "tier=web")
    assert (r.code, r.err) == (0, "")
    # and the object is stored as written
    r = kube("get", "pod", "secure", "-o", "jsonpath={.spec.securityContext.runAsUser}")
    assert r.out == "1000"
