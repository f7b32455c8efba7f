"""A pod's QoS class, as `pkg/apis/core/helper/qos` (v1.32) computes it.

Only cpu and memory count. Guaranteed: every container (init containers included) has non-zero
cpu and memory limits, and the summed requests equal the summed limits for each resource.
BestEffort: no non-zero request or limit anywhere. Anything else is Burstable. With the
PodLevelResources feature gate (alpha, off by default in v1.32) a pod-level `spec.resources`
decides instead.
"""
from __future__ import annotations

from fractions import Fraction

from pykubectl.api.quantity import QuantityError, parse_quantity

GUARANTEED, BURSTABLE, BEST_EFFORT = "Guaranteed", "Burstable", "BestEffort"
_QOS_RESOURCES = ("cpu", "memory")


def _add(total: dict, resources: dict | None) -> set[str]:
    """Add the positive cpu/memory quantities to `total`; return the names seen."""
    seen = set()
    for name, q in (resources or {}).items():
        if name not in _QOS_RESOURCES:
            continue
        try:
            v = parse_quantity(q)
        except QuantityError:
            continue
        if v > 0:
            seen.add(name)
            total[name] = total.get(name, Fraction(0)) + v
    return seen


def _safe(q) -> Fraction:
    try:
        return parse_quantity(q)
    except QuantityError:
        return Fraction(0)


def _pod_level_requests(spec: dict, pod_res: dict) -> dict:
    """Pod-level requests as defaultPodRequests completes them: a resource limited at pod level
    but not requested takes the containers' effective request, or else the limit."""
    req = dict(pod_res.get("requests") or {})
    for name, lim in (pod_res.get("limits") or {}).items():
        if name in req or name not in _QOS_RESOURCES:
            continue
        regular = sum((_safe(c["resources"]["requests"][name])
                       for c in spec.get("containers") or []
                       if name in ((c.get("resources") or {}).get("requests") or {})), Fraction(0))
        init = max((_safe(c["resources"]["requests"][name])
                    for c in spec.get("initContainers") or []
                    if name in ((c.get("resources") or {}).get("requests") or {})), default=Fraction(0))
        effective = max(regular, init)
        req[name] = effective if effective else lim
    return req


def compute_pod_qos(pod: dict, pod_level_resources: bool = False) -> str:
    """ComputePodQOS on a stored (defaulted) pod."""
    spec = pod.get("spec") or {}
    requests: dict = {}
    limits: dict = {}
    guaranteed = True
    pod_res = spec.get("resources")
    if pod_level_resources and pod_res is not None:
        _add(requests, _pod_level_requests(spec, pod_res))
        if pod_res.get("limits"):
            if not {"cpu", "memory"} <= _add(limits, pod_res.get("limits")):
                guaranteed = False
    else:
        # ephemeral containers cannot have resources, so they never count
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            res = c.get("resources") or {}
            lim = res.get("limits") or {}
            # the apiserver copies limits into missing requests on create; do the same so an
            # undefaulted pod classifies like the stored one
            req = {**lim, **(res.get("requests") or {})}
            _add(requests, req)
            if not {"cpu", "memory"} <= _add(limits, lim):
                guaranteed = False
    if not requests and not limits:
        return BEST_EFFORT
    if guaranteed:
        for name, r in requests.items():
            if limits.get(name) != r:
                guaranteed = False
                break
    if guaranteed and len(requests) == len(limits):
        return GUARANTEED
    return BURSTABLE


def qos_class(pod: dict) -> str:
    """GetPodQOS: `status.qosClass` once set (it never changes afterwards), else computed."""
    return ((pod.get("status") or {}).get("qosClass")) or compute_pod_qos(pod)
