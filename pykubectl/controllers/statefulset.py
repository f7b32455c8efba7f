"""The StatefulSet controller (kube-controller-manager's statefulset-controller), after
pkg/controller/statefulset: pods `<set>-<ordinal>` with stable hostnames under the governing
Service, one PersistentVolumeClaim `<template>-<set>-<ordinal>` per volumeClaimTemplate (kept on
scale-down and deletion unless persistentVolumeClaimRetentionPolicy says Delete),
ControllerRevisions named `<set>-<hash>`.

OrderedReady creates ordinal i only once every lower ordinal is Running and Ready, and removes the
highest ordinal first, waiting for each pod to be fully gone (its grace period) before the next;
Parallel does both at once. RollingUpdate replaces pods from the highest ordinal down to the
partition, one at a time; OnDelete only replaces pods the user deleted."""
from __future__ import annotations

import copy
import re

from pykubectl.controllers import workload_common as W
from pykubectl.controllers.manager import Controller, Create, Delete, Event, Put, Timer, split_key

REVISION_LABEL = "controller-revision-hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
SRC = {"component": "statefulset-controller"}


def ordinal_of(set_name: str, pod_name: str) -> int | None:
    m = re.fullmatch(re.escape(set_name) + r"-(\d+)", pod_name)
    return int(m.group(1)) if m else None


def claim_name(template_name: str, set_name: str, ordinal: int) -> str:
    return f"{template_name}-{set_name}-{ordinal}"


def revision_data(sts: dict) -> dict:
    """What a StatefulSet ControllerRevision stores: the template as a replacing patch."""
    tmpl = copy.deepcopy(sts["spec"].get("template") or {})
    tmpl["$patch"] = "replace"
    return {"spec": {"template": tmpl}}


def _replicas(sts) -> int:
    r = sts["spec"].get("replicas")
    return 1 if r is None else int(r)


def _running_ready(pod) -> bool:
    return W.is_running_and_ready(pod) and not W.is_terminating(pod)


class StatefulSetController(Controller):
    name = "statefulset-controller"
    watches = (("apps", "statefulsets"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "pods":
            return W.owner_key(obj, (("apps", "StatefulSet"),))
        return super().keys_for(type_, group, res, obj)

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        sts = view.get("statefulsets.apps", ns, name)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return []
        actions: list = []
        spec = sts["spec"]
        update_rev, revisions, rev_actions = self._revisions(sts, view)
        actions += rev_actions
        status = sts.get("status") or {}
        current_name = status.get("currentRevision") or update_rev["metadata"]["name"]
        current_rev = next((r for r in revisions if r["metadata"]["name"] == current_name), update_rev)

        pods = {}
        for p in W.owned(view, "pods", sts):
            o = ordinal_of(name, p["metadata"]["name"])
            if o is not None:
                pods[o] = p
        n = _replicas(sts)
        start = int((spec.get("ordinals") or {}).get("start") or 0)
        want = range(start, start + n)
        monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
        strategy = (spec.get("updateStrategy") or {})
        steps = self._scale(sts, view, pods, want, monotonic, current_rev, update_rev, now)
        if steps is not None:
            actions += steps
        else:
            actions += self._update(sts, pods, want, strategy, update_rev, monotonic)
        actions += self._status(sts, pods, current_rev, update_rev, strategy, now)
        return actions

    # -- revisions --------------------------------------------------------------------
    def _revisions(self, sts, view):
        data = revision_data(sts)
        revisions = sorted(W.owned(view, "controllerrevisions.apps", sts), key=lambda r: int(r.get("revision") or 0))
        for r in revisions:
            if r.get("data") == data:
                return r, revisions, []
        collision = int((sts.get("status") or {}).get("collisionCount") or 0)
        h = W.hash_controller_revision(data, collision)
        name = f"{sts['metadata']['name']}-{h}"
        labels = dict((((sts["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}))
        labels[REVISION_LABEL] = h
        rev = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
               "metadata": {"name": name, "namespace": sts["metadata"]["namespace"], "labels": labels,
                            "ownerReferences": [W.new_controller_ref(sts)]},
               "data": data, "revision": max((int(r.get("revision") or 0) for r in revisions), default=0) + 1}
        return rev, revisions + [rev], [Create("controllerrevisions.apps", rev)]

    # -- pods -------------------------------------------------------------------------
    def _new_pod(self, sts, ordinal, rev):
        name = f"{sts['metadata']['name']}-{ordinal}"
        tmpl = rev["data"]["spec"]["template"] if rev is not None else sts["spec"].get("template") or {}
        tmpl = {k: v for k, v in tmpl.items() if k != "$patch"}
        pod = W.pod_from_template(tmpl, sts, name, labels={POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal),
                                                           REVISION_LABEL: rev["metadata"]["name"]})
        spec = pod["spec"]
        spec["hostname"] = name
        if sts["spec"].get("serviceName"):
            spec["subdomain"] = sts["spec"]["serviceName"]
        claims = sts["spec"].get("volumeClaimTemplates") or []
        if claims:
            names = {c["metadata"]["name"] for c in claims}
            vols = [v for v in spec.get("volumes") or () if v.get("name") not in names]
            vols = [{"name": c["metadata"]["name"], "persistentVolumeClaim": {
                "claimName": claim_name(c["metadata"]["name"], sts["metadata"]["name"], ordinal)}} for c in claims] + vols
            spec["volumes"] = vols
        return pod

    def _claims(self, sts, view, ordinal, pod_name):
        out = []
        policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        for c in sts["spec"].get("volumeClaimTemplates") or ():
            cname = claim_name(c["metadata"]["name"], sts["metadata"]["name"], ordinal)
            if view.get("persistentvolumeclaims", sts["metadata"]["namespace"], cname) is not None:
                continue
            labels = {**((c.get("metadata") or {}).get("labels") or {}),
                      **((sts["spec"].get("selector") or {}).get("matchLabels") or {})}
            pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                   "metadata": {"name": cname, "namespace": sts["metadata"]["namespace"], "labels": labels},
                   "spec": copy.deepcopy(c.get("spec") or {})}
            if (c.get("metadata") or {}).get("annotations"):
                pvc["metadata"]["annotations"] = dict(c["metadata"]["annotations"])
            if policy.get("whenDeleted") == "Delete":
                ref = W.new_controller_ref(sts)
                ref.pop("controller")
                pvc["metadata"]["ownerReferences"] = [ref]
            out += [Create("persistentvolumeclaims", pvc),
                    Event(sts, "Normal", "SuccessfulCreate",
                          f"create Claim {cname} Pod {pod_name} in StatefulSet {sts['metadata']['name']} success", SRC)]
        return out

    def _scale(self, sts, view, pods, want, monotonic, current_rev, update_rev, now):
        """Create missing and delete condemned pods; None when nothing is to be done."""
        name = sts["metadata"]["name"]
        ns = sts["metadata"]["namespace"]
        actions: list = []
        for o in want:
            p = pods.get(o)
            if p is not None and (p.get("status") or {}).get("phase") == "Failed" and not W.is_terminating(p):
                actions += [Delete("pods", ns, p["metadata"]["name"], uid=p["metadata"].get("uid")),
                            Event(sts, "Normal", "SuccessfulDelete",
                                  f"delete Pod {p['metadata']['name']} in StatefulSet {name} successful", SRC)]
                if monotonic:
                    return actions
                continue
            if p is None:
                # a pod below the partition keeps the current revision
                rev = update_rev
                strategy = sts["spec"].get("updateStrategy") or {}
                part = int(((strategy.get("rollingUpdate") or {}).get("partition")) or 0)
                if strategy.get("type") == "OnDelete" or o < part:
                    rev = current_rev
                pod = self._new_pod(sts, o, rev)
                actions += self._claims(sts, view, o, pod["metadata"]["name"])
                actions += [Create("pods", pod), Event(sts, "Normal", "SuccessfulCreate",
                                                       f"create Pod {pod['metadata']['name']} in StatefulSet {name} successful", SRC)]
                if monotonic:
                    return actions
                continue
            if monotonic and not _running_ready(p):
                return actions or []
        condemned = sorted((o for o in pods if o not in want), reverse=True)
        if monotonic and any(W.is_terminating(p) for p in pods.values()):
            return actions or ([] if condemned else None)
        for o in condemned:
            p = pods[o]
            if W.is_terminating(p):
                continue
            actions += [Delete("pods", ns, p["metadata"]["name"], uid=p["metadata"].get("uid")),
                        Event(sts, "Normal", "SuccessfulDelete",
                              f"delete Pod {p['metadata']['name']} in StatefulSet {name} successful", SRC)]
            actions += self._claim_cleanup(sts, o, scaled_down=True)
            if monotonic:
                return actions
        return actions or None

    def _claim_cleanup(self, sts, ordinal, scaled_down):
        policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        if not scaled_down or policy.get("whenScaled") != "Delete":
            return []
        return [Delete("persistentvolumeclaims", sts["metadata"]["namespace"],
                       claim_name(c["metadata"]["name"], sts["metadata"]["name"], ordinal))
                for c in sts["spec"].get("volumeClaimTemplates") or ()]

    def _update(self, sts, pods, want, strategy, update_rev, monotonic):
        if strategy.get("type") == "OnDelete":
            return []
        if any(not _running_ready(pods[o]) for o in want if o in pods):
            return []
        part = int(((strategy.get("rollingUpdate") or {}).get("partition")) or 0)
        for o in sorted(want, reverse=True):
            if o < part or o not in pods:
                continue
            p = pods[o]
            if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) != update_rev["metadata"]["name"]:
                return [Delete("pods", sts["metadata"]["namespace"], p["metadata"]["name"], uid=p["metadata"].get("uid")),
                        Event(sts, "Normal", "SuccessfulDelete",
                              f"delete Pod {p['metadata']['name']} in StatefulSet {sts['metadata']['name']} successful", SRC)]
        return []

    # -- status -----------------------------------------------------------------------
    def _status(self, sts, pods, current_rev, update_rev, strategy, now):
        min_ready = int(sts["spec"].get("minReadySeconds") or 0)
        cur, upd = current_rev["metadata"]["name"], update_rev["metadata"]["name"]
        st = {"replicas": len(pods), "readyReplicas": 0, "currentReplicas": 0, "updatedReplicas": 0,
              "availableReplicas": 0}
        for p in pods.values():
            if W.is_running_and_ready(p):
                st["readyReplicas"] += 1
                if W.is_available(p, min_ready, now):
                    st["availableReplicas"] += 1
            if not W.is_terminating(p):
                rev = (p["metadata"].get("labels") or {}).get(REVISION_LABEL)
                st["currentReplicas"] += rev == cur
                st["updatedReplicas"] += rev == upd
        if (strategy.get("type", "RollingUpdate") == "RollingUpdate" and st["updatedReplicas"] == st["replicas"]
                and st["readyReplicas"] == st["replicas"] and st["replicas"] == _replicas(sts)):
            cur = upd
            st["currentReplicas"] = st["updatedReplicas"]
        old = sts.get("status") or {}
        new = {k: v for k, v in st.items() if v or k in ("replicas", "availableReplicas")}
        new.update({"observedGeneration": sts["metadata"].get("generation", 1), "currentRevision": cur,
                    "updateRevision": upd, "collisionCount": int(old.get("collisionCount") or 0)})
        actions = []
        wake = W.available_at(list(pods.values()), min_ready, now)
        if wake is not None:
            actions.append(Timer(W.make_key("apps", "statefulsets", sts["metadata"]["namespace"], sts["metadata"]["name"]), wake))
        if new != old:
            sts = copy.deepcopy(sts)
            sts["status"] = new
            actions.append(Put("statefulsets.apps", sts, status=True))
        return actions


def controllers(cluster):
    return [StatefulSetController()]
