"""Exercise 14 (StatefulSet), manifests 35-38, as a learner types it: ReplicaSet pods get random
suffixes, StatefulSet pods `stateful-db-0,1,2` come one after another, scaling to 0 removes the
highest ordinal first, and the volumeClaimTemplate's PVC survives scale-down. (The DNS part
belongs to the networking issue.)"""
import re

from tests.conftest import manifest


def names(kube, *args):
    r = kube("get", "pods", "--no-headers", *args)
    assert r.code == 0, r.err
    return {line.split()[0]: line.split()[2] for line in r.out.splitlines()}


def test_replicaset_and_statefulset_pods(kube):
    r = kube("apply", "-f", manifest("35-replicaset-statefulset.yaml"))
    assert r.out == "replicaset.apps/replica-web created\nstatefulset.apps/stateful-db created\n", r.err
    kube("sim", "advance", "3s", check=True)
    pods = names(kube)
    [web] = [n for n in pods if n.startswith("replica-web-")]
    assert re.fullmatch(r"replica-web-[bcdfghjklmnpqrstvwxz2456789]{5}", web)
    assert pods["stateful-db-0"] == "Running"

    assert kube("scale", "statefulset", "stateful-db", "--replicas=3").out == "statefulset.apps/stateful-db scaled\n"
    seen = [names(kube, "-l", "type=db")]
    for _ in range(2):
        kube("sim", "advance", "2s", check=True)
        seen.append(names(kube, "-l", "type=db"))
    assert seen == [{"stateful-db-0": "Running", "stateful-db-1": "ContainerCreating"},
                    {"stateful-db-0": "Running", "stateful-db-1": "Running", "stateful-db-2": "ContainerCreating"},
                    {"stateful-db-0": "Running", "stateful-db-1": "Running", "stateful-db-2": "Running"}]
    r = kube("get", "statefulset", "stateful-db")
    assert r.out.splitlines()[1].split()[:2] == ["stateful-db", "3/3"]

    kube("scale", "statefulset", "stateful-db", "--replicas=0", check=True)
    # kubetm/app ignores SIGTERM: each pod takes its full 10 s grace period, highest ordinal first
    seen = [names(kube, "-l", "type=db")]
    for _ in range(3):
        kube("sim", "advance", "10s", check=True)
        seen.append(names(kube, "-l", "type=db"))
    assert seen == [{"stateful-db-0": "Running", "stateful-db-1": "Running", "stateful-db-2": "Terminating"},
                    {"stateful-db-0": "Running", "stateful-db-1": "Terminating"},
                    {"stateful-db-0": "Terminating"},
                    {}]
    r = kube("get", "events", "--field-selector", "involvedObject.name=stateful-db", "-o",
             "custom-columns=REASON:.reason,MESSAGE:.message", "--no-headers")
    msgs = [line.split(None, 1)[1] for line in r.out.splitlines()]
    assert msgs == [f"create Pod stateful-db-{i} in StatefulSet stateful-db successful" for i in range(3)] + \
        [f"delete Pod stateful-db-{i} in StatefulSet stateful-db successful" for i in (2, 1, 0)]


def test_volume_claim_template_pvc_survives_scale_down(kube):
    r = kube("apply", "-f", manifest("37-statefulset-pvc.yaml"), "-f", manifest("38-stateful-headless.yaml"))
    assert r.code == 0, r.err
    kube("sim", "advance", "3s", check=True)
    pod = kube("get", "pod", "stateful-pvc-0", "-o",
               "jsonpath={.spec.hostname}.{.spec.subdomain} {.spec.volumes[0].persistentVolumeClaim.claimName}")
    assert pod.out == "stateful-pvc-0.stateful-headless volume-stateful-pvc-0"
    kube("scale", "statefulset", "stateful-pvc", "--replicas=0", check=True)
    kube("sim", "advance", "11s", check=True)
    assert "stateful-pvc-0" not in names(kube)
    r = kube("get", "pvc", "volume-stateful-pvc-0", "-o", "name")
    assert r.out == "persistentvolumeclaim/volume-stateful-pvc-0\n", r.err
