"""The HPA's arithmetic as kube-controller-manager v1.32 does it (pkg/controller/podautoscaler:
replica_calculator.go and horizontal.go), pure: no store, no clock.

Metrics are {pod name: (milli-value, sample timestamp, window seconds)}; pods are API dicts."""
from __future__ import annotations

import math

TOLERANCE = 0.1
CPU_INITIALIZATION_PERIOD = 300.0
DELAY_OF_INITIAL_READINESS_STATUS = 30.0
DOWNSCALE_STABILIZATION = 300.0
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0
INT32_MAX, INT32_MIN = 2**31 - 1, -2**31


class MetricError(Exception):
    """A replica count could not be computed; the message is the controller's wording."""


def _ready_condition(pod):
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return c
    return None


def group_pods(pods, metrics, resource, now):
    """groupPods: (ready count, unready names, missing names, ignored names)."""
    from pykubectl.store.clock import parse_time
    ready, unready, missing, ignored = 0, set(), set(), set()
    for pod in pods:
        name, st = pod["metadata"]["name"], pod.get("status") or {}
        if pod["metadata"].get("deletionTimestamp") or st.get("phase") == "Failed":
            ignored.add(name)
            continue
        if st.get("phase") == "Pending":
            unready.add(name)
            continue
        metric = metrics.get(name)
        if metric is None:
            missing.add(name)
            continue
        if resource == "cpu":
            cond, start = _ready_condition(pod), parse_time(st.get("startTime"))
            if cond is None or start is None:
                is_unready = True
            else:
                changed = parse_time(cond.get("lastTransitionTime")) or 0.0
                if start + CPU_INITIALIZATION_PERIOD > now:
                    # still initialising: ignore unready pods and samples from before readiness
                    is_unready = cond.get("status") == "False" or metric[1] < changed + metric[2]
                else:
                    # ignore a pod that is unready and has never been ready
                    is_unready = cond.get("status") == "False" and start + DELAY_OF_INITIAL_READINESS_STATUS > changed
            if is_unready:
                unready.add(name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def pod_requests(pods, resource, container=""):
    """calculatePodRequests: milli-value of each pod's requests (regular and sidecar containers)."""
    from pykubectl.api.quantity import milli
    out = {}
    for pod in pods:
        spec = pod.get("spec") or {}
        cs = list(spec.get("containers") or ()) + [c for c in spec.get("initContainers") or ()
                                                    if c.get("restartPolicy") == "Always"]
        total = 0
        for c in cs:
            if container and c["name"] != container:
                continue
            req = ((c.get("resources") or {}).get("requests") or {}).get(resource)
            if req is None:
                raise MetricError(f"missing request for {resource} in container {c['name']} "
                                  f"of Pod {pod['metadata']['name']}")
            total += milli(req)
        out[pod["metadata"]["name"]] = total
    return out


def utilization_ratio(metrics, requests, target):
    """GetResourceUtilizationRatio: (ratio, utilization %, raw average milli-value)."""
    total = req_total = n = 0
    for name, m in metrics.items():
        if name not in requests:
            continue
        total += m[0]
        req_total += requests[name]
        n += 1
    if req_total == 0:
        raise MetricError("no metrics returned matched known pods")
    util = (total * 100) // req_total
    return util / target, util, total // n


def usage_ratio(metrics, target):
    """GetMetricUsageRatio: (ratio, average milli-value)."""
    usage = sum(m[0] for m in metrics.values()) // len(metrics)
    return usage / target, usage


def _adjust(current, ratio, ready, unready, missing, metrics, fill_missing_below, recompute, tolerance):
    """The part shared by both calculators: missing and unready pods, in the direction of the
    change, keep the controller from over-reacting."""
    scale_up_unready = bool(unready) and ratio > 1.0
    if not scale_up_unready and not missing:
        if abs(1.0 - ratio) <= tolerance:
            return current
        return math.ceil(ratio * ready)
    metrics = dict(metrics)
    if missing:
        for name in missing:
            if ratio < 1.0:
                metrics[name] = (fill_missing_below(name), 0.0, 0.0)
            elif ratio > 1.0:
                metrics[name] = (0, 0.0, 0.0)
    if scale_up_unready:
        for name in unready:
            metrics[name] = (0, 0.0, 0.0)
    new_ratio = recompute(metrics)
    if abs(1.0 - new_ratio) <= tolerance or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current
    new = math.ceil(new_ratio * len(metrics))
    if (new_ratio < 1.0 and new > current) or (new_ratio > 1.0 and new < current):
        return current
    return new


def resource_replicas(current, target_util, resource, pods, metrics, now, container="", tolerance=TOLERANCE):
    """GetResourceReplicas: (replicas, utilization %, raw average milli-value)."""
    if not metrics:
        raise MetricError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    if not pods:
        raise MetricError("no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = group_pods(pods, metrics, resource, now)
    metrics = {k: v for k, v in metrics.items() if k not in ignored and k not in unready}
    requests = pod_requests(pods, resource, container)
    if not metrics:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, util, raw = utilization_ratio(metrics, requests, target_util)
    fallback = max(100, target_util)
    n = _adjust(current, ratio, ready, unready, missing, metrics,
                lambda name: requests[name] * fallback // 100,
                lambda m: utilization_ratio(m, requests, target_util)[0], tolerance)
    return n, util, raw


def plain_replicas(current, target_milli, resource, pods, metrics, now, tolerance=TOLERANCE):
    """calcPlainMetricReplicas (AverageValue targets): (replicas, average milli-value)."""
    if not metrics:
        raise MetricError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    if not pods:
        raise MetricError("no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = group_pods(pods, metrics, resource, now)
    metrics = {k: v for k, v in metrics.items() if k not in ignored and k not in unready}
    if not metrics:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, usage = usage_ratio(metrics, target_milli)
    n = _adjust(current, ratio, ready, unready, missing, metrics, lambda name: target_milli,
                lambda m: usage_ratio(m, target_milli)[0], tolerance)
    return n, usage


# -- normalization ------------------------------------------------------------------------

def stabilize(recs, desired, now, window=DOWNSCALE_STABILIZATION):
    """stabilizeRecommendation (no behavior): (recommendation, new recs list)."""
    best, recs, old = desired, [list(r) for r in recs], None
    for i, (t, n) in enumerate(recs):
        if t < now - window:
            old = i
        elif n > best:
            best = n
    if old is not None:
        recs[old] = [now, desired]
    else:
        recs.append([now, desired])
    return best, recs


def convert_with_rules(current, desired, min_replicas, max_replicas):
    """convertDesiredReplicasWithRules: (replicas, condition reason, message)."""
    up_limit = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
    if max_replicas > up_limit:
        max_allowed, reason, msg = up_limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
    else:
        max_allowed, reason, msg = max_replicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
    if min_replicas == 0:
        min_allowed, min_msg = 1, "the desired replica count is zero"
    else:
        min_allowed, min_msg = min_replicas, "the desired replica count is less than the minimum replica count"
    if desired < min_allowed:
        return min_allowed, "TooFewReplicas", min_msg
    if desired > max_allowed:
        return max_allowed, reason, msg
    return desired, "DesiredWithinRange", "the desired count is within the acceptable range"


def stabilize_with_behaviors(recs, current, desired, up_window, down_window, now):
    """stabilizeRecommendationWithBehaviors: (recommendation, reason, message, new recs)."""
    up, down, recs, old = desired, desired, [list(r) for r in recs], None
    for i, (t, n) in enumerate(recs):
        if t > now - up_window:
            up = min(n, up)
        if t > now - down_window:
            down = max(n, down)
        if t < now - up_window and t < now - down_window:
            old = i
    rec = max(current, up)
    rec = min(rec, down)
    if old is not None:
        recs[old] = [now, desired]
    else:
        recs.append([now, desired])
    if desired >= current:
        return rec, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation", recs
    return rec, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation", recs


def _changes_in(period, events, now):
    return sum(c for t, c in events if t > now - period)


def scale_up_limit(current, up_events, down_events, rules, now):
    """calculateScaleUpLimitWithScalingRules."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    result, pick = (INT32_MAX, min) if select == "Min" else (INT32_MIN, max)
    for p in rules.get("policies") or ():
        start = current - _changes_in(p["periodSeconds"], up_events, now) + _changes_in(p["periodSeconds"], down_events, now)
        proposed = start + p["value"] if p["type"] == "Pods" else math.ceil(start * (1 + p["value"] / 100))
        result = pick(result, proposed)
    return result


def scale_down_limit(current, up_events, down_events, rules, now):
    """calculateScaleDownLimitWithBehaviors."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    result, pick = (INT32_MIN, max) if select == "Min" else (INT32_MAX, min)
    for p in rules.get("policies") or ():
        start = current - _changes_in(p["periodSeconds"], up_events, now) + _changes_in(p["periodSeconds"], down_events, now)
        proposed = start - p["value"] if p["type"] == "Pods" else int(start * (1 - p["value"] / 100))
        result = pick(result, proposed)
    return result


def convert_with_behavior_rate(current, desired, min_replicas, max_replicas, behavior, up_events, down_events, now):
    """convertDesiredReplicasWithBehaviorRate: (replicas, reason, message)."""
    if desired > current:
        limit = max(scale_up_limit(current, up_events, down_events, behavior["scaleUp"], now), current)
        if max_replicas > limit:
            max_allowed, reason, msg = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
        else:
            max_allowed, reason, msg = max_replicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
        if desired > max_allowed:
            return max_allowed, reason, msg
    elif desired < current:
        limit = min(scale_down_limit(current, up_events, down_events, behavior["scaleDown"], now), current)
        if min_replicas < limit:
            min_allowed, reason, msg = limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
        else:
            min_allowed, reason, msg = min_replicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
        if desired < min_allowed:
            return min_allowed, reason, msg
    return desired, "DesiredWithinRange", "the desired count is within the acceptable range"
