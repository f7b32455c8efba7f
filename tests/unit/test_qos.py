"""QoS classes as the apiserver assigns them (status.qosClass) and describe prints them."""
import pytest

from pykubectl.api.qos import compute_pod_qos, qos_class


def c(requests=None, limits=None):
    res = {}
    if requests is not None:
        res["requests"] = requests
    if limits is not None:
        res["limits"] = limits
    return {"name": "c", "image": "nginx", "resources": res}


def pod(*containers, init=(), pod_resources=None):
    spec = {"containers": list(containers)}
    if init:
        spec["initContainers"] = list(init)
    if pod_resources is not None:
        spec["resources"] = pod_resources
    return {"kind": "Pod", "spec": spec}


FULL = {"cpu": "500m", "memory": "128Mi"}


@pytest.mark.parametrize("p,expected", [
    (pod(c()), "BestEffort"),
    (pod(c(), c()), "BestEffort"),
    (pod(c(requests={"cpu": "0"})), "BestEffort"),                  # zero quantities do not count
    (pod(c(requests={"ephemeral-storage": "1Gi"})), "BestEffort"),  # only cpu and memory count
    (pod(c(requests=FULL, limits=FULL)), "Guaranteed"),
    (pod(c(limits=FULL)), "Guaranteed"),                            # requests default to limits
    (pod(c(requests={"cpu": "0.5", "memory": "128Mi"}, limits=FULL)), "Guaranteed"),  # equal values
    (pod(c(requests={"cpu": "250m", "memory": "128Mi"}, limits=FULL)), "Burstable"),
    (pod(c(limits={"cpu": "1"})), "Burstable"),                     # memory limit missing
    (pod(c(requests={"cpu": "10m"})), "Burstable"),
    (pod(c(limits=FULL), c()), "Burstable"),                        # one container without limits
    (pod(c(limits=FULL), c(limits=FULL)), "Guaranteed"),
    (pod(c(limits=FULL), init=[c()]), "Burstable"),                 # init containers count
    (pod(c(limits=FULL), init=[c(limits={"cpu": "1", "memory": "1Gi"})]), "Guaranteed"),
    (pod(c(), init=[c(requests={"memory": "1Mi"})]), "Burstable"),
    (pod(c(requests={"cpu": "0"}, limits=FULL)), "Burstable"),      # explicit zero request
], ids=["no-resources", "two-empty", "zero-request", "non-qos-resource", "equal", "limits-only",
        "equal-different-spelling", "request-below-limit", "cpu-limit-only", "request-only",
        "mixed-containers", "two-guaranteed", "init-without-limits", "init-guaranteed",
        "init-request-only", "explicit-zero-request"])
def test_compute_pod_qos(p, expected):
    assert compute_pod_qos(p) == expected


@pytest.mark.parametrize("p,gate,expected", [
    (pod(c(), pod_resources={"limits": FULL}), True, "Guaranteed"),
    (pod(c(), pod_resources={"limits": FULL}), False, "BestEffort"),   # gate off in v1.32
    (pod(c(limits=FULL), pod_resources={"requests": {"cpu": "1"}}), True, "Burstable"),
    (pod(c(), pod_resources={"limits": {"cpu": "1"}}), True, "Burstable"),
], ids=["pod-level-guaranteed", "pod-level-gate-off", "pod-level-requests-only", "pod-level-cpu-only"])
def test_pod_level_resources(p, gate, expected):
    assert compute_pod_qos(p, pod_level_resources=gate) == expected


def test_status_qos_class_wins():
    p = pod(c(limits=FULL))
    p["status"] = {"qosClass": "Burstable"}
    assert qos_class(p) == "Burstable"
    assert qos_class(pod(c(limits=FULL))) == "Guaranteed"
