"""The HPA's arithmetic against hand-computed cases (kube-controller-manager v1.32's
replica_calculator.go and horizontal.go): tolerance, missing and unready pods, stabilization,
scale-rate limits and behavior policies."""
import pytest

from pykubectl.metrics import replicas as R
from pykubectl.store.clock import rfc3339

NOW = 10_000.0


def pod(name, *, phase="Running", ready=True, started=NOW - 600, ready_at=None, cpu="10m", memory=None, deleting=False):
    req = {"cpu": cpu} if cpu else {}
    if memory:
        req["memory"] = memory
    p = {"metadata": {"name": name}, "spec": {"containers": [{"name": "c", "resources": {"requests": req}}]},
         "status": {"phase": phase, "startTime": rfc3339(started),
                    "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                    "lastTransitionTime": rfc3339(ready_at if ready_at is not None else started + 2)}]}}
    if deleting:
        p["metadata"]["deletionTimestamp"] = rfc3339(NOW)
    return p


def m(v):
    return (v, NOW - 5, 15.0)


@pytest.mark.parametrize("pods, metrics, current, want", [
    # 2 pods at 18m of a 10m request: 180% against 50% -> ceil(3.6 x 2) = 8
    ([pod("a"), pod("b")], {"a": m(18), "b": m(18)}, 2, (8, 180, 18)),
    # 53% is within the 0.1 tolerance of 50%: stay
    ([pod("a"), pod("b"), pod("c")], {"a": m(5), "b": m(5), "c": m(6)}, 3, (3, 53, 5)),
    # 55%: |1 - 1.1| is 0.10000000000000009 in float64, just outside the tolerance, as in Go
    ([pod("a"), pod("b")], {"a": m(5), "b": m(6)}, 2, (3, 55, 5)),
    # 10% -> ceil(0.2 x 2) = 1 (min replicas are applied later)
    ([pod("a"), pod("b")], {"a": m(1), "b": m(1)}, 2, (1, 10, 1)),
    # two new pods without metrics while scaling up count as 0: (19+19)/40 = 95%... -> 47%: within tolerance
    ([pod("a"), pod("b"), pod("c"), pod("d")], {"a": m(10), "b": m(9)}, 4, (4, 95, 9)),
    # a missing pod while scaling down counts at max(100%, target) of its request: (1+1+10)/30 = 40% -> 3
    ([pod("a"), pod("b"), pod("c")], {"a": m(1), "b": m(1)}, 3, (3, 10, 1)),
    # a pending pod is unready: scale-up counts it as 0 -> (30+30+0)/30 = 200%/50% -> 12
    ([pod("a"), pod("b"), pod("p", phase="Pending")], {"a": m(30), "b": m(30)}, 3, (12, 300, 30)),
    # a terminating pod is ignored altogether
    ([pod("a"), pod("x", deleting=True)], {"a": m(20), "x": m(100)}, 2, (4, 200, 20)),
    # within the CPU initialization period a sample taken before readiness + window is ignored
    ([pod("a"), pod("new", started=NOW - 20, ready_at=NOW - 10)], {"a": m(20), "new": m(2)}, 2, (4, 200, 20)),
], ids=["scale-up-180", "within-tolerance", "tolerance-edge-float", "scale-down", "missing-on-scale-up-holds",
        "missing-on-scale-down", "pending-counts-zero", "terminating-ignored", "young-sample-ignored"])
def test_resource_utilization_replicas(pods, metrics, current, want):
    assert R.resource_replicas(current, 50, "cpu", pods, metrics, NOW) == want


@pytest.mark.parametrize("pods, metrics, message", [
    ([pod("a")], {}, "unable to get metrics for resource cpu: no metrics returned from resource metrics API"),
    ([pod("a", cpu=None, memory="10Mi")], {"a": m(5)}, "missing request for cpu in container c of Pod a"),
    ([pod("p", phase="Pending")], {"p": m(5)}, "did not receive metrics for targeted pods (pods might be unready)"),
], ids=["no-metrics", "no-request", "only-unready"])
def test_resource_replicas_errors(pods, metrics, message):
    with pytest.raises(R.MetricError) as e:
        R.resource_replicas(2, 50, "cpu", pods, metrics, NOW)
    assert str(e.value) == message


MI = 1024 * 1024 * 1000     # one Mi as a milli-value


@pytest.mark.parametrize("usage, current, want", [
    ([9 * MI, 9 * MI], 2, (4, 9 * MI)),        # 9Mi average against 5Mi: ceil(1.8 x 2)
    ([5 * MI, 5.4 * MI], 2, (2, int(5.2 * MI))),   # 4% over: tolerance
    ([2 * MI, 2 * MI, 2 * MI], 3, (2, 2 * MI)),    # ceil(0.4 x 3)
], ids=["memory-up", "memory-tolerance", "memory-down"])
def test_average_value_replicas(usage, current, want):
    pods = [pod(f"p{i}", memory="10Mi") for i in range(len(usage))]
    metrics = {f"p{i}": m(int(u)) for i, u in enumerate(usage)}
    assert R.plain_replicas(current, 5 * MI, "memory", pods, metrics, NOW) == want


@pytest.mark.parametrize("recs, desired, want", [
    ([[NOW - 200, 8], [NOW - 100, 6]], 2, 8),    # the highest recommendation of the last 5 minutes
    ([[NOW - 400, 8], [NOW - 100, 2]], 2, 2),    # 8 is older than the window
    ([[NOW - 10, 3]], 5, 5),                     # scale-up is never held back
], ids=["held", "expired", "up"])
def test_downscale_stabilization(recs, desired, want):
    got, new = R.stabilize(recs, desired, NOW)
    assert got == want
    assert [NOW, desired] in new and len(new) == len(recs) + (0 if any(t < NOW - 300 for t, _ in recs) else 1)


@pytest.mark.parametrize("current, desired, lo, hi, want", [
    (2, 8, 2, 10, (4, "ScaleUpLimit")),          # max(2 x 2, 4)
    (4, 20, 2, 10, (8, "ScaleUpLimit")),
    (8, 20, 2, 10, (10, "TooManyReplicas")),
    (4, 1, 2, 10, (2, "TooFewReplicas")),
    (4, 3, 2, 10, (3, "DesiredWithinRange")),
], ids=["up-limit-4", "up-limit-double", "max", "min", "within"])
def test_convert_with_rules(current, desired, lo, hi, want):
    n, reason, _ = R.convert_with_rules(current, desired, lo, hi)
    assert (n, reason) == want


DEFAULT_UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
              "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                           {"type": "Percent", "value": 100, "periodSeconds": 15}]}
DEFAULT_DOWN = {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


@pytest.mark.parametrize("current, desired, up, down, up_events, want", [
    (2, 9, DEFAULT_UP, DEFAULT_DOWN, [], (6, "ScaleUpLimit")),                # max(2+4, 2x2)
    (6, 9, DEFAULT_UP, DEFAULT_DOWN, [[NOW - 5, 4]], (6, "ScaleUpLimit")),    # 4 added this period already
    (2, 9, dict(DEFAULT_UP, selectPolicy="Min"), DEFAULT_DOWN, [], (4, "ScaleUpLimit")),
    (2, 9, dict(DEFAULT_UP, selectPolicy="Disabled"), DEFAULT_DOWN, [], (2, "ScaleUpLimit")),
    (10, 2, DEFAULT_UP, {"selectPolicy": "Max", "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
     [], (9, "ScaleDownLimit")),
    (10, 2, DEFAULT_UP, {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]},
     [], (5, "ScaleDownLimit")),
    (10, 2, DEFAULT_UP, DEFAULT_DOWN, [], (2, "DesiredWithinRange")),
], ids=["default-up", "period-used", "min-policy", "disabled", "pods-down", "percent-down", "default-down"])
def test_behavior_rate(current, desired, up, down, up_events, want):
    n, reason, _ = R.convert_with_behavior_rate(current, desired, 1, 20, {"scaleUp": up, "scaleDown": down},
                                                up_events, [], NOW)
    assert (n, reason) == want


@pytest.mark.parametrize("recs, current, desired, up_w, want", [
    ([[NOW - 100, 8]], 8, 2, 0, (8, "ScaleDownStabilized")),
    ([[NOW - 100, 3]], 3, 9, 120, (3, "ScaleUpStabilized")),   # a 2-minute scale-up window holds 3
    ([[NOW - 400, 8]], 8, 2, 0, (2, "ScaleDownStabilized")),
], ids=["down-held", "up-window", "down-expired"])
def test_stabilize_with_behaviors(recs, current, desired, up_w, want):
    rec, reason, _, _ = R.stabilize_with_behaviors(recs, current, desired, up_w, 300, NOW)
    assert (rec, reason) == want
