"""Volume expansion after a claim's storage request grows (v1.32, RecoverVolumeExpansionFailure on):
kube-controller-manager's expand controller, the CSI external-resizer and the kubelet's part.

Who resizes depends on the volume, as in a real cluster:
- A CSI volume (the PV's `spec.csi`): the expand controller names the driver in the claim's
  `volume.kubernetes.io/storage-resizer` annotation; the driver's external-resizer marks the
  claim Resizing (allocatedResources, allocatedResourceStatuses ControllerResizeInProgress, event
  Resizing), expands the volume (the PV's capacity grows; NodeResizePending, condition
  FileSystemResizePending, event FileSystemResizeRequired); the kubelet then grows the file
  system the next time a running pod mounts the claim (at once if one already does): the claim's
  status.capacity follows and the conditions go (event FileSystemResizeSuccessful).
- Any other volume (the lab's NFS volumes, hostPath, local): no plugin can expand it, so the
  expand controller only says "waiting for an external controller to expand this PVC" (the PV
  controller's sync emits it) and the claim keeps its old capacity. That is what the lab really
  does: nfs-subdir-external-provisioner ships no resizer, and the lab's `nfs-client` class does
  not even allow expansion (the admission plugin refuses the edit).

Not modelled: expansion failures and their recovery (ControllerResizeInfeasible, shrinking
back), offline-only drivers, and the per-driver choice to skip node expansion."""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Event, Put, Timer, make_key, split_key
from pykubectl.storage import binding as b
from pykubectl.store.clock import parse_time, rfc3339

RESIZER_ANNOTATION = "volume.kubernetes.io/storage-resizer"
CONTROLLER_EXPAND_SECONDS = 2.0    # ControllerExpandVolume's round trip to the storage backend
FS_PENDING = "Waiting for user to (re-)start a pod to finish file system resize of volume on node."
PVC = "persistentvolumeclaims"


def _resizer_source(driver: str) -> dict:
    return {"component": f"external-resizer {driver}"}


def _condition(type_: str, now: float, message: str = "") -> dict:
    c = {"type": type_, "status": "True", "lastProbeTime": None, "lastTransitionTime": rfc3339(now)}
    if message:
        c["message"] = message
    return c


def _storage_state(claim: dict) -> str | None:
    return ((claim.get("status") or {}).get("allocatedResourceStatuses") or {}).get("storage")


def _without_conditions(st: dict, *types: str) -> None:
    conds = [c for c in st.get("conditions") or () if c.get("type") not in types]
    if conds:
        st["conditions"] = conds
    else:
        st.pop("conditions", None)


def resize_step(claim: dict, pv: dict, mounted_on: str | None, now: float):
    """The next step of a CSI volume's expansion: (new claim or None, new PV or None, events
    [(object, reason, message, source)], wake-up time or None)."""
    driver = ((pv.get("spec") or {}).get("csi") or {}).get("driver")
    if not driver or (claim.get("status") or {}).get("phase") != "Bound":
        return None, None, [], None
    want = (claim.get("spec") or {}).get("resources", {}).get("requests", {}).get("storage")
    state = _storage_state(claim)
    new = copy.deepcopy(claim)
    st = new.setdefault("status", {})
    events = []
    if state is None:
        if b.requested(claim) <= b.storage_bytes(st.get("capacity")):
            return None, None, [], None
        ann = new["metadata"].setdefault("annotations", {})
        ann[RESIZER_ANNOTATION] = driver
        st["allocatedResources"] = {"storage": want}
        st["allocatedResourceStatuses"] = {"storage": "ControllerResizeInProgress"}
        _without_conditions(st, "Resizing")
        st.setdefault("conditions", []).append(_condition("Resizing", now))
        events.append((claim, "Resizing", f"External resizer is resizing volume {pv['metadata']['name']}",
                       _resizer_source(driver)))
        return new, None, events, now + CONTROLLER_EXPAND_SECONDS
    if state == "ControllerResizeInProgress":
        started = next((parse_time(c.get("lastTransitionTime")) for c in st.get("conditions") or ()
                        if c.get("type") == "Resizing"), None) or now
        if now < started + CONTROLLER_EXPAND_SECONDS:
            return None, None, [], started + CONTROLLER_EXPAND_SECONDS
        new_pv = copy.deepcopy(pv)
        new_pv["spec"].setdefault("capacity", {})["storage"] = st.get("allocatedResources", {}).get("storage", want)
        st["allocatedResourceStatuses"] = {"storage": "NodeResizePending"}
        _without_conditions(st, "Resizing")
        st.setdefault("conditions", []).append(_condition("FileSystemResizePending", now, FS_PENDING))
        events.append((claim, "FileSystemResizeRequired", "Require file system resize of volume on node",
                       _resizer_source(driver)))
        return new, new_pv, events, None
    if state == "NodeResizePending" and mounted_on is not None:
        st["capacity"] = dict(st.get("capacity") or {}, storage=st.get("allocatedResources", {}).get("storage", want))
        statuses = dict(st.get("allocatedResourceStatuses") or {})
        statuses.pop("storage", None)
        if statuses:
            st["allocatedResourceStatuses"] = statuses
        else:
            st.pop("allocatedResourceStatuses", None)
        _without_conditions(st, "FileSystemResizePending", "Resizing")
        events.append((claim, "FileSystemResizeSuccessful",
                       f'MountVolume.NodeExpandVolume succeeded for volume "{pv["metadata"]["name"]}" {mounted_on}',
                       {"component": "kubelet", "host": mounted_on}))
        return new, None, events, None
    return None, None, [], None


def _mounting_node(view, claim: dict) -> str | None:
    """A node where a running pod mounts the claim (the kubelet that grows its file system)."""
    ns, name = claim["metadata"].get("namespace") or "", claim["metadata"]["name"]
    for pod in view.list("pods", ns):
        if (pod.get("status") or {}).get("phase") != "Running" or pod["metadata"].get("deletionTimestamp"):
            continue
        if any((v.get("persistentVolumeClaim") or {}).get("claimName") == name
               for v in (pod.get("spec") or {}).get("volumes") or ()):
            return (pod.get("spec") or {}).get("nodeName")
    return None


class VolumeResizer(Controller):
    name = "volume-resizer"
    manager = "csi-resizer"
    watches = (("", PVC), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "pods":
            m = obj.get("metadata") or {}
            return [make_key("", PVC, m.get("namespace") or "", v["persistentVolumeClaim"]["claimName"])
                    for v in (obj.get("spec") or {}).get("volumes") or ()
                    if (v.get("persistentVolumeClaim") or {}).get("claimName")]
        return super().keys_for(type_, group, res, obj)

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        claim = view.get(PVC, ns, name)
        vname = ((claim or {}).get("spec") or {}).get("volumeName")
        if claim is None or not vname or claim["metadata"].get("deletionTimestamp"):
            return []
        pv = view.get("persistentvolumes", "", vname)
        if pv is None or not b.bound_to(pv, claim):
            return []
        mounted = _mounting_node(view, claim) if _storage_state(claim) == "NodeResizePending" else None
        new_claim, new_pv, events, wake = resize_step(claim, pv, mounted, now)
        actions: list = []
        if new_pv is not None:
            actions.append(Put("persistentvolumes", new_pv))
        if new_claim is not None:
            # (a controller's status write carries its metadata too: the resizer annotation)
            actions.append(Put(PVC, new_claim, status=True))
        actions += [Event(obj, "Normal", reason, msg, src) for obj, reason, msg, src in events]
        if events and events[-1][1] == "FileSystemResizeSuccessful":
            pod = self._pod_on(view, claim, mounted)
            if pod is not None:
                actions.append(Event(pod, "Normal", "FileSystemResizeSuccessful", events[-1][2], events[-1][3]))
        if wake is not None:
            actions.append(Timer(key, wake))
        return actions

    @staticmethod
    def _pod_on(view, claim, node):
        for pod in view.list("pods", claim["metadata"].get("namespace") or ""):
            if (pod.get("spec") or {}).get("nodeName") == node and any(
                    (v.get("persistentVolumeClaim") or {}).get("claimName") == claim["metadata"]["name"]
                    for v in (pod.get("spec") or {}).get("volumes") or ()):
                return pod
        return None


def controllers(cluster):
    return [VolumeResizer()]
