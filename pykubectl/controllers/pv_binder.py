"""The PersistentVolume controller (kube-controller-manager's persistentvolume-binder) with the
pvc-protection and pv-protection controllers.

Claims bind to the best matching volume (`storage.binding.find_best_match`) or, when none fits
and their class names an external provisioner, get the provisioner annotations and wait for
it; volumes go Available -> Bound -> Released when their claim goes, then are reclaimed:
Retain keeps them Released, Delete removes them (hostPath under /tmp, or through their external
provisioner), Recycle is `pv_recycler`'s. Claims without a class get the default one (the
DefaultStorageClass admission / retroactive assignment). A claim of a WaitForFirstConsumer class
binds only to a volume pre-bound to it: it waits (WaitForFirstConsumer, or WaitForPodScheduled
naming its pending pods) until the scheduler pre-binds one or gives the claim the selected-node
annotation that sends it to its provisioner. The protection finalizers are added on first sight
and removed once nothing uses the object: a claim a pod still mounts stays
Terminating until the pod is gone; a Bound volume stays Terminating until it is released.
"""
from __future__ import annotations

import copy
import re

from pykubectl.controllers.manager import Controller, Delete, Event, Put, make_key, split_key
from pykubectl.storage import binding as b
from pykubectl.store.clock import rfc3339

SOURCE = {"component": "persistentvolume-controller"}
EXPAND_SOURCE = {"component": "volume_expand"}
PVC_KEY = ("", "persistentvolumeclaims")
PV_KEY = ("", "persistentvolumes")
CONTROL_PLANE_NODE = "k8s-master"
USERS = "#users"   # a claim key queued because a pod using it changed


def claim_key(ns: str, name: str) -> str:
    return make_key("", "persistentvolumeclaims", ns, name)


def volume_key(name: str) -> str:
    return make_key("", "persistentvolumes", "", name)


def pod_claims(pod: dict) -> list[str]:
    return [v["persistentVolumeClaim"]["claimName"] for v in (pod.get("spec") or {}).get("volumes") or ()
            if (v.get("persistentVolumeClaim") or {}).get("claimName")]


def _terminated(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def claim_users(view, claim: dict) -> list[dict]:
    """Pods that still use the claim (pvc-protection's notion: not finished)."""
    m = claim["metadata"]
    return [p for p in view.list("pods", m["namespace"])
            if m["name"] in pod_claims(p) and not _terminated(p)]


def set_phase(obj: dict, phase: str, now: float, with_transition: bool = False) -> None:
    st = obj.setdefault("status", {})
    if st.get("phase") != phase:
        st["phase"] = phase
        if with_transition:
            # PersistentVolumeLastPhaseTransitionTime (GA in 1.31): volumes only
            st["lastPhaseTransitionTime"] = rfc3339(now)


class PVBinder(Controller):
    name = "persistentvolume-binder"
    watches = (PVC_KEY, PV_KEY, ("", "pods"), ("storage.k8s.io", "storageclasses"))

    def keys_for(self, type_, group, res, obj):
        m = obj.get("metadata") or {}
        if res == "persistentvolumeclaims":
            keys = [claim_key(m.get("namespace", ""), m["name"])]
            vn = (obj.get("spec") or {}).get("volumeName")
            return keys + ([volume_key(vn)] if vn else [])
        if res == "persistentvolumes":
            keys = [volume_key(m["name"])]
            ref = (obj.get("spec") or {}).get("claimRef")
            return keys + ([claim_key(ref.get("namespace", ""), ref["name"])] if ref and ref.get("name") else [])
        if res == "pods":
            # pvc-protection's interest only: the PV controller itself does not watch pods
            return [claim_key(m.get("namespace", ""), c) + USERS for c in pod_claims(obj)]
        return []   # a new default class: claims waiting for one are re-queued by their next change

    def reconcile(self, key, view, now):
        users = key.endswith(USERS)
        _, res, ns, name = split_key(key.removesuffix(USERS))
        if res == "persistentvolumes":
            pv = view.get("persistentvolumes", "", name)
            return self.sync_volume(pv, view, now) if pv is not None else []
        claim = view.get("persistentvolumeclaims", ns, name)
        if claim is None or (users and not claim["metadata"].get("deletionTimestamp")):
            return []
        return self.sync_claim(claim, view, now)

    # -- claims ---------------------------------------------------------------------------
    def sync_claim(self, claim, view, now):
        m = claim["metadata"]
        fins = list(m.get("finalizers") or ())
        if m.get("deletionTimestamp"):
            if b.PVC_PROTECTION in fins and not claim_users(view, claim):
                claim = copy.deepcopy(claim)
                claim["metadata"]["finalizers"] = [f for f in fins if f != b.PVC_PROTECTION]
                return [Put("persistentvolumeclaims", claim)]
            return []
        claim = copy.deepcopy(claim)
        spec = claim.setdefault("spec", {})
        changed = False
        if b.PVC_PROTECTION not in fins:
            claim["metadata"]["finalizers"] = fins + [b.PVC_PROTECTION]
            changed = True
        if "storageClassName" not in spec and b.BETA_CLASS not in (m.get("annotations") or {}):
            dflt = b.default_class(view.list("storageclasses.storage.k8s.io"))
            if dflt is not None:
                spec["storageClassName"] = dflt["metadata"]["name"]
                changed = True
        if spec.get("volumeName"):
            return self._sync_named_claim(claim, view, now, changed)
        return self._sync_unbound_claim(claim, view, now, changed)

    def _sync_named_claim(self, claim, view, now, changed):
        vname = claim["spec"]["volumeName"]
        pv = view.get("persistentvolumes", "", vname)
        phase = (claim.get("status") or {}).get("phase")
        keep = [Put("persistentvolumeclaims", claim)] if changed else []
        if pv is None:
            if phase == "Bound":
                set_phase(claim, "Lost", now)
                return [Put("persistentvolumeclaims", claim),
                        Event(claim, "Warning", "ClaimLost",
                              "Bound claim has lost its PersistentVolume. Data on the volume is lost!", SOURCE)]
            if phase == "Lost":
                return keep
            return keep + [Event(claim, "Normal", "FailedBinding", f'volume "{vname}" not found', SOURCE)]
        ref = (pv.get("spec") or {}).get("claimRef")
        if ref and not b.bound_to(pv, claim):
            if phase == "Bound":
                set_phase(claim, "Lost", now)
                return [Put("persistentvolumeclaims", claim),
                        Event(claim, "Warning", "ClaimMisbound",
                              "Two claims are bound to the same volume, this one is bound incorrectly", SOURCE)]
            return keep + [Event(claim, "Warning", "FailedBinding",
                                "volume \"%s\" already bound to a different claim." % vname, SOURCE)]
        from pykubectl.storage.resize import waiting_for_expansion
        if ref and waiting_for_expansion(claim, pv):
            return keep + [Event(claim, "Normal", "ExternalExpanding",
                                 "waiting for an external controller to expand this PVC", EXPAND_SOURCE)]
        why = None if ref else b.volume_fits(claim, pv)
        if why:
            return keep + [
                Event(claim, "Warning", "VolumeMismatch", "Cannot bind to requested volume \"%s\": %s" % (vname, why), SOURCE)]
        return self._bind(claim, pv, now)

    def _sync_unbound_claim(self, claim, view, now, changed):
        cls_name = b.claim_class(claim)
        cls = view.get("storageclasses.storage.k8s.io", "", cls_name) if cls_name else None
        delay = (cls or {}).get("volumeBindingMode") == "WaitForFirstConsumer"
        # no node here: a delayed claim binds only to a volume the scheduler pre-bound to it
        pv = b.find_best_match(claim, view.list("persistentvolumes"), None, delay)
        if pv is not None:
            return self._bind(claim, pv, now)
        out = []
        ann = claim["metadata"].setdefault("annotations", {})
        if delay and b.SELECTED_NODE not in ann:
            out.append(self._unscheduled_event(claim, view))
        elif cls is not None and cls.get("provisioner") and cls.get("provisioner") != "kubernetes.io/no-provisioner":
            prov = cls["provisioner"]
            if ann.get(b.STORAGE_PROVISIONER) != prov:
                ann[b.BETA_STORAGE_PROVISIONER] = prov
                ann[b.STORAGE_PROVISIONER] = prov
                changed = True
            if changed:
                out.append(Event(claim, "Normal", "ExternalProvisioning",
                                 f"Waiting for a volume to be created either by the external provisioner '{prov}' "
                                 "or manually by the system administrator. If volume creation is delayed, please "
                                 "verify that the provisioner is running and correctly registered.", SOURCE))
        else:
            msg = ("no persistent volumes available for this claim and no storage class is set" if not cls_name
                   else f'storageclass.storage.k8s.io "{cls_name}" not found' if cls is None
                   else "no volume plugin matched name: " + str(cls.get("provisioner")))
            out.append(Event(claim, "Normal" if not cls_name else "Warning",
                             "FailedBinding" if not cls_name else "ProvisioningFailed", msg, SOURCE))
        if not claim["metadata"].get("annotations"):
            claim["metadata"].pop("annotations", None)
        return ([Put("persistentvolumeclaims", claim)] if changed else []) + out

    @staticmethod
    def _unscheduled_event(claim, view):
        """emitEventForUnboundDelayBindingClaim: which pods, if any, the claim waits for."""
        names = sorted(p["metadata"]["name"] for p in claim_users(view, claim)
                       if not (p.get("spec") or {}).get("nodeName"))
        if not names:
            return Event(claim, "Normal", "WaitForFirstConsumer",
                         "waiting for first consumer to be created before binding", SOURCE)
        msg = (f"waiting for pod {names[0]} to be scheduled" if len(names) == 1
               else f"waiting for pods {','.join(names)} to be scheduled")
        return Event(claim, "Normal", "WaitForPodScheduled", msg, SOURCE)

    def _bind(self, claim, pv, now):
        """bind(): the volume's claimRef and phase, then the claim's volumeName and phase."""
        out = []
        pv = copy.deepcopy(pv)
        pspec = pv.setdefault("spec", {})
        if not b.bound_to(pv, claim) or not (pspec.get("claimRef") or {}).get("uid"):
            if not pspec.get("claimRef"):
                pv["metadata"].setdefault("annotations", {})[b.BOUND_BY_CONTROLLER] = "yes"
            pspec["claimRef"] = b.claim_ref(claim)
        set_phase(pv, "Bound", now, with_transition=True)
        out.append(Put("persistentvolumes", pv))
        ann = claim["metadata"].setdefault("annotations", {})
        if claim["spec"].get("volumeName") != pv["metadata"]["name"]:
            claim["spec"]["volumeName"] = pv["metadata"]["name"]
            ann[b.BOUND_BY_CONTROLLER] = "yes"
        ann[b.BIND_COMPLETED] = "yes"
        st = claim.setdefault("status", {})
        if st.get("phase") != "Bound":
            # updateClaimStatus copies modes and capacity only on the transition to Bound: a
            # volume grown by the resizer reaches the claim when its file system is resized
            st["accessModes"] = list(pspec.get("accessModes") or [])
            st["capacity"] = dict(pspec.get("capacity") or {})
        st["phase"] = "Bound"
        out.append(Put("persistentvolumeclaims", claim))
        return out

    # -- volumes --------------------------------------------------------------------------
    def sync_volume(self, pv, view, now):
        m = pv["metadata"]
        fins = list(m.get("finalizers") or ())
        pv = copy.deepcopy(pv)
        ref = (pv.get("spec") or {}).get("claimRef")
        claim = view.get("persistentvolumeclaims", ref.get("namespace", ""), ref["name"]) if ref and ref.get("name") else None
        phase = b.volume_phase(pv, claim)
        if m.get("deletionTimestamp"):
            # pv-protection: a Bound volume is in use; anything else may go
            if b.PV_PROTECTION in fins and phase != "Bound":
                pv["metadata"]["finalizers"] = [f for f in fins if f != b.PV_PROTECTION]
                return [Put("persistentvolumes", pv)]
            return []
        changed = False
        if b.PV_PROTECTION not in fins:
            pv["metadata"]["finalizers"] = fins + [b.PV_PROTECTION]
            changed = True
        old_phase = (pv.get("status") or {}).get("phase")
        out = []
        if phase == "Bound" and claim is not None and not (claim.get("spec") or {}).get("volumeName"):
            # the claim has not caught up yet (it binds on its own sync): hold the volume for it
            phase = old_phase if old_phase in ("Available", "Bound") else "Available"
        if phase != old_phase:
            set_phase(pv, phase, now, with_transition=True)
            changed = True
        if phase == "Released" and old_phase != "Released":
            out += self._reclaim(pv, view, now)
        elif phase == "Released" and (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete":
            out += self._reclaim(pv, view, now)
        return ([Put("persistentvolumes", pv)] if changed else []) + out

    def _reclaim(self, pv, view, now):
        spec = pv.get("spec") or {}
        policy = spec.get("persistentVolumeReclaimPolicy", "Retain")
        name = pv["metadata"]["name"]
        if policy != "Delete":
            return []   # Retain stays Released; Recycle is pv_recycler's
        if (pv["metadata"].get("annotations") or {}).get(b.PROVISIONED_BY):
            return []   # its external provisioner deletes it
        hp = (spec.get("hostPath") or {}).get("path")
        if hp is not None:
            if not re.match(r"^/tmp/.+", hp):
                return self._fail(pv, now, "VolumeFailedDelete", f"host_path deleter only supports /tmp/.+ but received provided {hp}")
            # the in-tree hostPath deleter runs in kube-controller-manager: on the control plane
            from pykubectl.runtime.fs import node_fs
            node_fs(view, CONTROL_PLANE_NODE, now).remove(hp)
            return [Delete("persistentvolumes", "", name, uid=pv["metadata"].get("uid"))]
        return self._fail(pv, now, "VolumeFailedDelete",
                          f'error getting deleter volume plugin for volume "{name}": no deletable volume plugin matched')

    @staticmethod
    def _fail(pv, now, reason, message):
        set_phase(pv, "Failed", now, with_transition=True)
        pv["status"]["message"] = message
        return [Event(pv, "Warning", reason, message, SOURCE)]


def controllers(cluster):
    return [PVBinder()]
