"""Conversion between the served versions of a kind, as the apiserver converts through its
internal version (kubernetes pkg/apis/autoscaling/v1/conversion.go for the HPA).

Only autoscaling HorizontalPodAutoscaler differs in shape between its served versions (v2, the
storage version, and v1); every other multi-version kind converts by renaming apiVersion.
autoscaling/v1 keeps what it cannot express in annotations, exactly as the apiserver does:
metrics other than a CPU utilization target (`autoscaling.alpha.kubernetes.io/metrics`), the
current metrics, the conditions, and `behavior` (as the internal Go struct marshals it, with
its field names capitalized). Converting back reads them and drops them.
"""
from __future__ import annotations

import copy
import json

METRICS = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"
ROUND_TRIP = (METRICS, BEHAVIOR, CURRENT_METRICS, CONDITIONS)
DEFAULT_CPU_UTILIZATION = 80


def convert(obj: dict, group: str, kind: str, version: str) -> dict:
    """`obj` (of any served version of group/kind) at `version`; a new dict, obj is left alone."""
    api_version = f"{group}/{version}" if group else version
    if obj.get("apiVersion") == api_version:
        return obj
    if reshaped(group, kind):
        src = (obj.get("apiVersion") or "").rpartition("/")[2]
        if src == "v1" and version == "v2":
            return hpa_v1_to_v2(obj)
        if src == "v2" and version == "v1":
            return hpa_v2_to_v1(obj)
    return dict(obj, apiVersion=api_version)


def _go_json(v) -> str:
    # encoding/json: compact, with <, > and & escaped
    s = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _drop_round_trip(meta: dict) -> dict:
    ann = meta.get("annotations")
    if ann and any(k in ann for k in ROUND_TRIP):
        ann = {k: v for k, v in ann.items() if k not in ROUND_TRIP}
        meta = dict(meta)
        if ann:
            meta["annotations"] = ann
        else:
            meta.pop("annotations")
    return meta


def _only(d: dict, *keys) -> dict:
    """The keys present (and not None), in the order given (Go's struct field order)."""
    return {k: d[k] for k in keys if d.get(k) is not None}


def _is_cpu_utilization(m: dict) -> bool:
    r = m.get("resource") or {}
    return (m.get("type") == "Resource" and r.get("name") == "cpu"
            and (r.get("target") or {}).get("averageUtilization") is not None)


# -- v2 -> v1 -------------------------------------------------------------------------------

def _metric_spec_to_v1(m: dict) -> dict:
    out = {"type": m.get("type")}
    t = m.get("type")
    if t == "Object" and m.get("object") is not None:
        o = m["object"]
        tgt, metric = o.get("target") or {}, o.get("metric") or {}
        out["object"] = _only({"target": _only(o.get("describedObject") or {}, "kind", "name", "apiVersion"),
                               "metricName": metric.get("name", ""), "targetValue": tgt.get("value") or "0",
                               "selector": metric.get("selector"), "averageValue": tgt.get("averageValue")},
                              "target", "metricName", "targetValue", "selector", "averageValue")
    elif t == "Pods" and m.get("pods") is not None:
        p = m["pods"]
        metric = p.get("metric") or {}
        out["pods"] = _only({"metricName": metric.get("name", ""),
                             "targetAverageValue": (p.get("target") or {}).get("averageValue") or "0",
                             "selector": metric.get("selector")}, "metricName", "targetAverageValue", "selector")
    elif t in ("Resource", "ContainerResource") and m.get(_field(t)) is not None:
        r = m[_field(t)]
        tgt = r.get("target") or {}
        out[_field(t)] = _only({"name": r.get("name", ""), "targetAverageUtilization": tgt.get("averageUtilization"),
                                "targetAverageValue": tgt.get("averageValue"), "container": r.get("container")},
                               "name", "targetAverageUtilization", "targetAverageValue",
                               *(("container",) if t == "ContainerResource" else ()))
        if t == "ContainerResource":
            out[_field(t)].setdefault("container", "")
    elif t == "External" and m.get("external") is not None:
        e = m["external"]
        tgt, metric = e.get("target") or {}, e.get("metric") or {}
        out["external"] = _only({"metricName": metric.get("name", ""), "metricSelector": metric.get("selector"),
                                 "targetValue": tgt.get("value"), "targetAverageValue": tgt.get("averageValue")},
                                "metricName", "metricSelector", "targetValue", "targetAverageValue")
    return out


def _metric_status_to_v1(m: dict) -> dict:
    out = {"type": m.get("type")}
    t = m.get("type")
    if t == "Object" and m.get("object") is not None:
        o = m["object"]
        cur, metric = o.get("current") or {}, o.get("metric") or {}
        out["object"] = _only({"target": _only(o.get("describedObject") or {}, "kind", "name", "apiVersion"),
                               "metricName": metric.get("name", ""), "currentValue": cur.get("value") or "0",
                               "selector": metric.get("selector"), "averageValue": cur.get("averageValue")},
                              "target", "metricName", "currentValue", "selector", "averageValue")
    elif t == "Pods" and m.get("pods") is not None:
        p = m["pods"]
        metric = p.get("metric") or {}
        out["pods"] = _only({"metricName": metric.get("name", ""),
                             "currentAverageValue": (p.get("current") or {}).get("averageValue") or "0",
                             "selector": metric.get("selector")}, "metricName", "currentAverageValue", "selector")
    elif t in ("Resource", "ContainerResource") and m.get(_field(t)) is not None:
        r = m[_field(t)]
        cur = r.get("current") or {}
        out[_field(t)] = _only({"name": r.get("name", ""), "currentAverageUtilization": cur.get("averageUtilization"),
                                "currentAverageValue": cur.get("averageValue") or "0",
                                "container": r.get("container", "")},
                               "name", "currentAverageUtilization", "currentAverageValue",
                               *(("container",) if t == "ContainerResource" else ()))
    elif t == "External" and m.get("external") is not None:
        e = m["external"]
        cur, metric = e.get("current") or {}, e.get("metric") or {}
        out["external"] = _only({"metricName": metric.get("name", ""), "metricSelector": metric.get("selector"),
                                 "currentValue": cur.get("value") or "0", "currentAverageValue": cur.get("averageValue")},
                                "metricName", "metricSelector", "currentValue", "currentAverageValue")
    return out


def _field(t: str) -> str:
    return {"ContainerResource": "containerResource"}.get(t, t.lower())


def _behavior_internal(b: dict) -> dict:
    # json.Marshal of the internal HorizontalPodAutoscalerBehavior: no json tags, so Go field
    # names, and every field present (nil pointers and slices as null)
    def rules(r):
        if r is None:
            return None
        pols = r.get("policies")
        return {"StabilizationWindowSeconds": r.get("stabilizationWindowSeconds"),
                "SelectPolicy": r.get("selectPolicy"),
                "Policies": None if pols is None else [
                    {"Type": p.get("type", ""), "Value": p.get("value", 0), "PeriodSeconds": p.get("periodSeconds", 0)}
                    for p in pols]}
    return {"ScaleUp": rules(b.get("scaleUp")), "ScaleDown": rules(b.get("scaleDown"))}


def _condition_v1(c: dict) -> dict:
    return {"type": c.get("type", ""), "status": c.get("status", ""),
            "lastTransitionTime": c.get("lastTransitionTime"),
            **_only(c, "reason", "message")}


def hpa_v2_to_v1(obj: dict) -> dict:
    """An autoscaling/v2 HorizontalPodAutoscaler as autoscaling/v1."""
    spec, status = obj.get("spec") or {}, obj.get("status")
    meta = _drop_round_trip(obj.get("metadata") or {})
    ann = dict(meta.get("annotations") or {})
    metrics = spec.get("metrics") or []
    out_spec = {"scaleTargetRef": spec.get("scaleTargetRef") or {}}
    out_spec.update(_only(spec, "minReplicas", "maxReplicas"))
    cpu = next((m for m in metrics if _is_cpu_utilization(m)), None)
    if cpu is not None:
        out_spec["targetCPUUtilizationPercentage"] = cpu["resource"]["target"]["averageUtilization"]
    other = [_metric_spec_to_v1(m) for m in metrics if not _is_cpu_utilization(m)]
    if other:
        ann[METRICS] = _go_json(other)
    st = status or {}
    current = st.get("currentMetrics") or []
    if current:
        ann[CURRENT_METRICS] = _go_json([_metric_status_to_v1(m) for m in current])
    if spec.get("behavior") is not None:
        ann[BEHAVIOR] = _go_json(_behavior_internal(spec["behavior"]))
    if st.get("conditions"):
        ann[CONDITIONS] = _go_json([_condition_v1(c) for c in st["conditions"]])
    if ann:
        meta = dict(meta, annotations=ann)
    out = {k: copy.deepcopy(v) for k, v in obj.items() if k not in ("metadata", "spec", "status")}
    out["apiVersion"] = "autoscaling/v1"
    out["metadata"] = copy.deepcopy(meta)
    out["spec"] = copy.deepcopy(out_spec)
    if status is not None:
        out_status = _only(st, "observedGeneration", "lastScaleTime")
        out_status["currentReplicas"] = st.get("currentReplicas", 0)
        out_status["desiredReplicas"] = st.get("desiredReplicas", 0)
        for m in current:
            if m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu":
                util = ((m["resource"].get("current") or {}).get("averageUtilization"))
                if util is not None:
                    out_status["currentCPUUtilizationPercentage"] = util
        out["status"] = out_status
    return _ordered(out)


# -- v1 -> v2 -------------------------------------------------------------------------------

def _target(**kw) -> dict:
    return {k: v for k, v in kw.items() if v is not None}


def _metric_spec_to_v2(m: dict) -> dict:
    t = m.get("type")
    out = {"type": t}
    if t == "Object" and m.get("object") is not None:
        o = m["object"]
        avg = o.get("averageValue")
        out["object"] = {"describedObject": o.get("target") or {},
                         "target": _target(type="Value" if avg is None else "AverageValue",
                                           value=o.get("targetValue") or "0", averageValue=avg),
                         "metric": _target(name=o.get("metricName", ""), selector=o.get("selector"))}
    elif t == "Pods" and m.get("pods") is not None:
        p = m["pods"]
        out["pods"] = {"metric": _target(name=p.get("metricName", ""), selector=p.get("selector")),
                       "target": {"type": "AverageValue", "averageValue": p.get("targetAverageValue") or "0"}}
    elif t in ("Resource", "ContainerResource") and m.get(_field(t)) is not None:
        r = m[_field(t)]
        util = r.get("targetAverageUtilization")
        out[_field(t)] = _target(name=r.get("name", ""),
                                 target=_target(type="AverageValue" if util is None else "Utilization",
                                                averageUtilization=util, averageValue=r.get("targetAverageValue")),
                                 container=r.get("container") if t == "ContainerResource" else None)
    elif t == "External" and m.get("external") is not None:
        e = m["external"]
        value = e.get("targetValue")
        out["external"] = {"metric": _target(name=e.get("metricName", ""), selector=e.get("metricSelector")),
                           "target": _target(type="AverageValue" if value is None else "Value", value=value,
                                             averageValue=e.get("targetAverageValue"))}
    return out


def _metric_status_to_v2(m: dict) -> dict:
    t = m.get("type")
    out = {"type": t}
    if t == "Object" and m.get("object") is not None:
        o = m["object"]
        out["object"] = {"metric": _target(name=o.get("metricName", ""), selector=o.get("selector")),
                         "current": _target(value=o.get("currentValue") or "0", averageValue=o.get("averageValue")),
                         "describedObject": o.get("target") or {}}
    elif t == "Pods" and m.get("pods") is not None:
        p = m["pods"]
        out["pods"] = {"metric": _target(name=p.get("metricName", ""), selector=p.get("selector")),
                       "current": {"averageValue": p.get("currentAverageValue") or "0"}}
    elif t in ("Resource", "ContainerResource") and m.get(_field(t)) is not None:
        r = m[_field(t)]
        out[_field(t)] = _target(name=r.get("name", ""),
                                 current=_target(averageValue=r.get("currentAverageValue") or "0",
                                                 averageUtilization=r.get("currentAverageUtilization")),
                                 container=r.get("container") if t == "ContainerResource" else None)
    elif t == "External" and m.get("external") is not None:
        e = m["external"]
        out["external"] = {"metric": _target(name=e.get("metricName", ""), selector=e.get("metricSelector")),
                           "current": _target(value=e.get("currentValue") or "0",
                                              averageValue=e.get("currentAverageValue"))}
    return out


def _behavior_v2(b: dict) -> dict | None:
    def rules(r):
        if not isinstance(r, dict):
            return None
        out = {}
        if r.get("StabilizationWindowSeconds") is not None:
            out["stabilizationWindowSeconds"] = r["StabilizationWindowSeconds"]
        if r.get("SelectPolicy") is not None:
            out["selectPolicy"] = r["SelectPolicy"]
        if r.get("Policies") is not None:
            out["policies"] = [{"type": p.get("Type", ""), "value": p.get("Value", 0),
                                "periodSeconds": p.get("PeriodSeconds", 0)} for p in r["Policies"]]
        return out
    out = {k: v for k, v in (("scaleUp", rules(b.get("ScaleUp"))), ("scaleDown", rules(b.get("ScaleDown"))))
           if v is not None}
    return out or None   # an empty behavior is not set, as the apiserver compares to the zero value


def _annotation(ann: dict, key: str):
    # the apiserver ignores an annotation it cannot decode
    try:
        return json.loads(ann[key]) if key in ann else None
    except (TypeError, ValueError):
        return None


def hpa_v1_to_v2(obj: dict) -> dict:
    """An autoscaling/v1 HorizontalPodAutoscaler as autoscaling/v2."""
    spec, status = obj.get("spec") or {}, obj.get("status")
    orig_ann = (obj.get("metadata") or {}).get("annotations") or {}
    meta = _drop_round_trip(obj.get("metadata") or {})
    out_spec = {"scaleTargetRef": spec.get("scaleTargetRef") or {}}
    out_spec.update(_only(spec, "minReplicas", "maxReplicas"))
    metrics = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}}]
    other = _annotation(orig_ann, METRICS)
    if isinstance(other, list):
        metrics = [_metric_spec_to_v2(m) for m in other if isinstance(m, dict)] + metrics[:1]
    behavior = _annotation(orig_ann, BEHAVIOR)
    if isinstance(behavior, dict) and _behavior_v2(behavior):
        out_spec["behavior"] = _behavior_v2(behavior)
    if not metrics:
        # v1's implicit default, made explicit as the apiserver does
        metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    out_spec["metrics"] = metrics
    out = {k: copy.deepcopy(v) for k, v in obj.items() if k not in ("metadata", "spec", "status")}
    out["apiVersion"] = "autoscaling/v2"
    out["metadata"] = copy.deepcopy(meta)
    out["spec"] = copy.deepcopy(out_spec)
    if status is not None:
        st = status
        out_status = _only(st, "observedGeneration", "lastScaleTime")
        if st.get("currentReplicas"):   # omitempty in v2, not in v1
            out_status["currentReplicas"] = st["currentReplicas"]
        out_status["desiredReplicas"] = st.get("desiredReplicas", 0)
        current = None
        if st.get("currentCPUUtilizationPercentage") is not None:
            current = [{"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": st["currentCPUUtilizationPercentage"]}}}]
        from_ann = _annotation(orig_ann, CURRENT_METRICS)
        if isinstance(from_ann, list):
            current = [_metric_status_to_v2(m) for m in from_ann if isinstance(m, dict)]
        if current:
            out_status["currentMetrics"] = current
        conds = _annotation(orig_ann, CONDITIONS)
        if isinstance(conds, list) and conds:
            out_status["conditions"] = [_condition_v1(c) for c in conds if isinstance(c, dict)]
        out["status"] = out_status
    return _ordered(out)


def _ordered(obj: dict) -> dict:
    # apiVersion, kind, metadata, spec, status first, as the apiserver writes them
    head = {k: obj[k] for k in ("apiVersion", "kind", "metadata", "spec", "status") if k in obj}
    head.update({k: v for k, v in obj.items() if k not in head})
    return head


def reshaped(group: str, kind: str) -> bool:
    """True when the kind's served versions differ in more than their apiVersion."""
    return (group, kind) == ("autoscaling", "HorizontalPodAutoscaler")
