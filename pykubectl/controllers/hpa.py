"""The Horizontal Pod Autoscaler controller (kube-controller-manager's horizontal-pod-autoscaler):
every 15 s it reads the target's scale and the metrics-server's samples, computes the desired
replica count (`pykubectl.metrics.replicas`), stabilizes and rate-limits it, rescales the target,
and writes status, conditions and events as v1.32 does.

Ticking only while something can change: an HPA syncs on its 15 s grid while load is registered
in its namespace, a recommendation is held back (stabilization window, scale-rate limits) or its
pods are still coming up; otherwise it sleeps until its spec, its target, its pods or a load
registration wakes it (then it syncs at its next grid tick). The controller's in-memory state in
kube (recommendations, scale events) lives in the store's meta table, per HPA."""
from __future__ import annotations

import copy
import json
import math

from pykubectl.controllers.manager import Controller, Event, Put, Timer, make_key, split_key
from pykubectl.metrics import replicas as R
from pykubectl.metrics.traffic import HPA_CONTROLLER, active_services
from pykubectl.store.clock import rfc3339

SYNC_SECONDS = 15.0
SOURCE = {"component": "horizontal-pod-autoscaler"}
TARGETS = {("apps", "Deployment"): "deployments.apps", ("apps", "ReplicaSet"): "replicasets.apps",
           ("apps", "StatefulSet"): "statefulsets.apps", ("", "ReplicationController"): "replicationcontrollers"}
_FAILED = {"Pods": ("FailedGetPodsMetric", "pods"), "Object": ("FailedGetObjectMetric", "object"),
           "External": ("FailedGetExternalMetric", "external")}


def state_key(ns, name):
    return f"hpa.state|{ns}|{name}"


def v2_spec(hpa: dict) -> dict:
    """The spec in autoscaling/v2 shape (a v1 object's targetCPUUtilizationPercentage as a metric)."""
    spec = copy.deepcopy(hpa.get("spec") or {})
    if hpa.get("apiVersion") == "autoscaling/v1" or "targetCPUUtilizationPercentage" in spec:
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec.pop("targetCPUUtilizationPercentage", 80)}}}]
    return spec


def set_condition(conds: list, type_, status, reason, message, now):
    for c in conds:
        if c["type"] == type_:
            break
    else:
        c = {"type": type_}
        conds.append(c)
    if c.get("status") != status:
        c["lastTransitionTime"] = rfc3339(now)
    c.update(status=status, reason=reason, message=message)


def next_tick(last, now):
    if last is None:
        return now
    return last + SYNC_SECONDS * max(1, math.ceil((now - last) / SYNC_SECONDS - 1e-9))


class HorizontalPodAutoscaler(Controller):
    name = HPA_CONTROLLER
    manager = "kube-controller-manager"
    watches = (("autoscaling", "horizontalpodautoscalers"), ("apps", "deployments"), ("apps", "replicasets"),
               ("apps", "statefulsets"), ("", "replicationcontrollers"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "horizontalpodautoscalers":
            return super().keys_for(type_, group, res, obj)
        return [f"ns|{(obj.get('metadata') or {}).get('namespace') or ''}"]

    def reconcile(self, key, view, now):
        if key.startswith(("ns|", "load|")):
            # something an HPA reads changed: wake this namespace's HPAs at their next tick
            ns = key.split("|")[1]
            out = []
            for h in view.list("horizontalpodautoscalers.autoscaling", ns):
                st = self._state(view, ns, h["metadata"]["name"])
                out.append(Timer(make_key("autoscaling", "horizontalpodautoscalers", ns, h["metadata"]["name"]),
                                 next_tick(st.get("last"), now)))
            return out
        _, _, ns, name = split_key(key)
        hpa = view.get("horizontalpodautoscalers.autoscaling", ns, name)
        if hpa is None or hpa["metadata"].get("deletionTimestamp"):
            view.txn.set_meta(state_key(ns, name), "{}")
            return []
        st = self._state(view, ns, name)
        if st.get("uid") != hpa["metadata"].get("uid"):
            st = {"uid": hpa["metadata"].get("uid")}
        gen = hpa["metadata"].get("generation")
        last = st.get("last")
        if last is not None and now < last + SYNC_SECONDS - 1e-6 and st.get("gen") == gen:
            return [Timer(key, next_tick(last, now))]
        actions, busy = self.sync(hpa, view, now, st)
        st.update(last=now, gen=gen)
        view.txn.set_meta(state_key(ns, name), json.dumps(st))
        if busy:
            actions.append(Timer(key, now + SYNC_SECONDS))
        return actions

    def _state(self, view, ns, name):
        return json.loads(view.txn.get_meta(state_key(ns, name), "{}") or "{}")

    # -- reconcileAutoscaler -------------------------------------------------------------
    def sync(self, hpa, view, now, st):
        """One sync: (actions, whether to tick again in 15 s)."""
        ns = hpa["metadata"]["namespace"]
        spec = v2_spec(hpa)
        status = copy.deepcopy(hpa.get("status") or {})
        conds = status.setdefault("conditions", [])
        actions = []
        ref = spec.get("scaleTargetRef") or {}
        api_version = ref.get("apiVersion", "")
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        resource = TARGETS.get((group, ref.get("kind")))
        target = view.get(resource, ns, ref.get("name", "")) if resource else None
        if target is None:
            msg = (f'{resource} "{ref.get("name", "")}" not found' if resource else
                   f'unable to determine resource for scale target reference: no matches for kind "{ref.get("kind", "")}" in group "{group}"')
            actions.append(Event(hpa, "Warning", "FailedGetScale", msg, SOURCE))
            set_condition(conds, "AbleToScale", "False", "FailedGetScale",
                          f"the HPA controller was unable to get the target's current scale: {msg}", now)
            return actions + self._write(hpa, status), False
        set_condition(conds, "AbleToScale", "True", "SucceededGetScale",
                      "the HPA controller was able to get the target's current scale", now)
        tspec = target.get("spec") or {}
        current = int(tspec.get("replicas", 1) if tspec.get("replicas") is not None else 1)
        recs = st.setdefault("recs", [])
        if not recs:
            recs.append([now, current])           # recordInitialRecommendation
        min_r = spec.get("minReplicas")
        min_r = 1 if min_r is None else int(min_r)
        max_r = int(spec.get("maxReplicas") or 0)
        busy = False
        rescale, reason, metric_statuses = True, "", status.get("currentMetrics") or []
        desired = 0
        if current == 0 and min_r != 0:
            desired, rescale = 0, False
            set_condition(conds, "ScalingActive", "False", "ScalingDisabled",
                          "scaling is disabled since the replica count of the target is zero", now)
        elif current > max_r:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", max_r
        elif current < min_r:
            reason, desired = "Current number of replicas below Spec.MinReplicas", min_r
        else:
            pods = self._pods(view, target)
            proposal, metric_name, metric_statuses, events, busy, err = self._metrics(hpa, spec, pods, current, view, now, conds)
            actions += events
            if proposal == -1:
                status["currentMetrics"] = metric_statuses
                status["currentReplicas"] = current
                actions.append(Event(hpa, "Warning", "FailedComputeMetricsReplicas", err, SOURCE))
                return actions + self._write(hpa, self._clean(status)), busy
            desired = proposal
            if desired > current:
                reason = f"{metric_name} above target"
            if desired < current:
                reason = "All metrics below target"
            pre = desired
            behavior = spec.get("behavior")
            if behavior is None:
                stab, st["recs"] = R.stabilize(recs, pre, now)
                if stab != pre:
                    set_condition(conds, "AbleToScale", "True", "ScaleDownStabilized",
                                  "recent recommendations were higher than current one, applying the highest recent recommendation", now)
                else:
                    set_condition(conds, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now)
                desired, lim_reason, lim_msg = R.convert_with_rules(current, stab, min_r, max_r)
            else:
                behavior = copy.deepcopy(behavior)
                from pykubectl.api.defaults import hpa_scale_down_rules, hpa_scale_up_rules
                behavior["scaleUp"] = hpa_scale_up_rules(behavior.get("scaleUp"))
                behavior["scaleDown"] = hpa_scale_down_rules(behavior.get("scaleDown"))
                down_w = behavior["scaleDown"].get("stabilizationWindowSeconds")
                down_w = R.DOWNSCALE_STABILIZATION if down_w is None else down_w
                stab, sreason, smsg, st["recs"] = R.stabilize_with_behaviors(
                    recs, current, pre, behavior["scaleUp"]["stabilizationWindowSeconds"], down_w, now)
                if stab != pre:
                    set_condition(conds, "AbleToScale", "True", sreason, smsg, now)
                else:
                    set_condition(conds, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now)
                desired, lim_reason, lim_msg = R.convert_with_behavior_rate(
                    current, stab, min_r, max_r, behavior, st.get("up", []), st.get("down", []), now)
            set_condition(conds, "ScalingLimited", "False" if desired == stab else "True", lim_reason, lim_msg, now)
            rescale = desired != current
            # a held-back recommendation, or one that differs from what runs, needs another look
            window = max(R.DOWNSCALE_STABILIZATION, *(((behavior or {}).get(d) or {}).get("stabilizationWindowSeconds") or 0
                                                     for d in ("scaleUp", "scaleDown")))
            busy = busy or stab != pre or desired != stab or any(n != pre for t, n in st["recs"] if t > now - window)
        if rescale:
            target = copy.deepcopy(target)
            target["spec"]["replicas"] = desired
            actions.append(Put(resource, target))
            set_condition(conds, "AbleToScale", "True", "SucceededRescale",
                          f"the HPA controller was able to update the target scale to {desired}", now)
            actions.append(Event(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}", SOURCE))
            if spec.get("behavior") is not None:
                key = "up" if desired > current else "down"
                keep = max([p["periodSeconds"] for d in ("scaleUp", "scaleDown")
                            for p in (spec["behavior"].get(d) or {}).get("policies") or ()] + [60])
                st[key] = [e for e in st.get(key, []) if e[0] > now - keep] + [[now, abs(desired - current)]]
            status["lastScaleTime"] = rfc3339(now)
            busy = True
        else:
            desired = current
        status["currentReplicas"] = current
        status["desiredReplicas"] = desired
        status["currentMetrics"] = metric_statuses
        busy = busy or bool(active_services(view, now, ns, horizon=SYNC_SECONDS))
        return actions + self._write(hpa, self._clean(status)), busy

    @staticmethod
    def _clean(status):
        return {k: v for k, v in status.items() if v not in (None, [], 0) or k == "desiredReplicas"}

    def _write(self, hpa, status):
        if hpa.get("apiVersion") == "autoscaling/v1":
            status = self._v1_status(status)
        if status == (hpa.get("status") or {}):
            return []
        hpa = copy.deepcopy(hpa)
        hpa["status"] = status
        return [Put("horizontalpodautoscalers.autoscaling", hpa, status=True)]

    @staticmethod
    def _v1_status(status):
        out = {k: status[k] for k in ("currentReplicas", "desiredReplicas", "lastScaleTime") if k in status}
        for m in status.get("currentMetrics") or ():
            cur = (m.get("resource") or {}).get("current") or {}
            if cur.get("averageUtilization") is not None:
                out["currentCPUUtilizationPercentage"] = cur["averageUtilization"]
        return out

    def _pods(self, view, target):
        from pykubectl.api.selectors import from_label_selector
        sel = (target.get("spec") or {}).get("selector")
        if target.get("kind") == "ReplicationController":
            sel = {"matchLabels": sel or {}}
        matcher = from_label_selector(sel)
        return [p for p in view.list("pods", target["metadata"]["namespace"])
                if matcher.matches(p["metadata"].get("labels") or {})]

    # -- computeReplicasForMetrics --------------------------------------------------------
    def _metrics(self, hpa, spec, pods, current, view, now, conds):
        """(replicas or -1, metric name, statuses, events, busy, error message)."""
        from pykubectl.api.quantity import milli
        from pykubectl.metrics.server import pod_metrics, scrape_time
        specs = spec.get("metrics") or []
        statuses = [{"type": ""} for _ in specs]
        events, busy = [], False
        replicas, metric, invalid, first = 0, "", 0, None
        samples = None
        for i, m in enumerate(specs):
            t = m.get("type")
            try:
                if t in ("Resource", "ContainerResource"):
                    field = "resource" if t == "Resource" else "containerResource"
                    src = m.get(field) or {}
                    rname, container = src.get("name", ""), src.get("container", "") if t == "ContainerResource" else ""
                    if samples is None:
                        samples = pod_metrics(view, now, pods=pods)
                        busy = busy or len(samples) < sum(1 for p in pods if not p["metadata"].get("deletionTimestamp"))
                    values = {}
                    for pm in samples:
                        cs = [c for c in pm["containers"] if not container or c["name"] == container]
                        if not cs:
                            continue
                        tot = sum(milli(c["usage"].get(rname, "0")) for c in cs)
                        values[pm["metadata"]["name"]] = (tot, scrape_time(now), 15.0)
                    target = src.get("target") or {}
                    what = "container resource" if t == "ContainerResource" else "resource"
                    try:
                        if target.get("averageValue") is not None:
                            try:
                                n, raw = R.plain_replicas(current, milli(target["averageValue"]), rname, pods, values, now)
                            except R.MetricError as e:
                                raise R.MetricError(f"failed to get {rname} usage: {e}")
                            name = f"{rname} {what}"
                            cur = {"averageValue": _milli_quantity(raw)}
                        elif target.get("averageUtilization") is not None:
                            try:
                                n, util, raw = R.resource_replicas(current, int(target["averageUtilization"]), rname,
                                                                   pods, values, now, container)
                            except R.MetricError as e:
                                raise R.MetricError(f"failed to get {rname} utilization: {e}")
                            name = f"{rname} {what} utilization (percentage of request)"
                            cur = {"averageUtilization": util, "averageValue": _milli_quantity(raw)}
                        else:
                            raise R.MetricError("invalid resource metric source: neither an average utilization target "
                                                "nor an average value (usage) target was set")
                    except R.MetricError as e:
                        reason = "FailedGetContainerResourceMetric" if t == "ContainerResource" else "FailedGetResourceMetric"
                        events.append(Event(hpa, "Warning", reason, str(e), SOURCE))
                        raise _Failed(("ScalingActive", "False", reason, f"the HPA was unable to compute the replica count: {e}"),
                                      f"failed to get {rname} {what} metric value: {e}")
                    st = {"name": rname, "current": cur}
                    if container:
                        st["container"] = container
                    statuses[i] = {"type": t, field: st}
                elif t in _FAILED:
                    reason, word = _FAILED[t]
                    src = m.get(word) or {}
                    mname = (src.get("metric") or {}).get("name", "")
                    if t == "External":
                        inner = (f"unable to get external metric {hpa['metadata']['namespace']}/{mname}/nil: unable to fetch metrics from "
                                 "external metrics API: no external metrics API (external.metrics.k8s.io) registered")
                    else:
                        inner = (f"unable to get metric {mname}: unable to fetch metrics from custom metrics API: "
                                 "no custom metrics API (custom.metrics.k8s.io) registered")
                    events.append(Event(hpa, "Warning", reason, inner, SOURCE))
                    raise _Failed(("ScalingActive", "False", reason, f"the HPA was unable to compute the replica count: {inner}"),
                                  f"failed to get {word} metric value: {inner}")
                else:
                    raise _Failed(("ScalingActive", "False", "InvalidMetricSourceType",
                                   f'the HPA was unable to compute the replica count: unknown metric source type "{t}"'),
                                  f'unknown metric source type "{t}"')
            except _Failed as f:
                if invalid == 0:
                    first = f
                invalid += 1
                continue
            if replicas == 0 or n > replicas:
                replicas, metric = n, name
        err = ""
        if first is not None:
            err = f"invalid metrics ({invalid} invalid out of {len(specs)}), first error is: {first.message}"
        if invalid >= len(specs) or (invalid > 0 and replicas < current):
            set_condition(conds, *first.condition, now)
            return -1, "", statuses, events, busy, err
        set_condition(conds, "ScalingActive", "True", "ValidMetricFound",
                      f"the HPA was able to successfully calculate a replica count from {metric}", now)
        return replicas, metric, statuses, events, busy, err


class _Failed(Exception):
    def __init__(self, condition, message):
        super().__init__(message)
        self.condition, self.message = condition, message


def _milli_quantity(v: int) -> str:
    """resource.NewMilliQuantity(v, DecimalSI).String(): "18m", "9313280" (whole values lose the m)."""
    return str(v // 1000) if v % 1000 == 0 else f"{v}m"


def controllers(cluster):
    return [HorizontalPodAutoscaler()]
