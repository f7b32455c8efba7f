"""Recycling (reclaim policy Recycle), as kube-controller-manager's recycler does it.

A Released volume with policy Recycle gets a pod `recycler-for-<pv>` in `default` (kubelet runs
it like any pod) that mounts the volume at /scrub and runs
`test -e /scrub && find /scrub -mindepth 1 -delete && ...`. Once its container runs, the volume's
contents are scrubbed (on the node it ran on for hostPath, on the NFS server for nfs), the pod
completes, its events are forwarded to the volume as `RecyclerPod` ("Recycler pod: ..."), the pod
is deleted, a `VolumeRecycled` event says "Volume recycled" and the volume is Available again
(its claimRef cleared when the controller had bound it, else only its uid).
"""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Create, Delete, Event, Put, split_key
from pykubectl.controllers.pv_binder import SOURCE, set_phase, volume_key
from pykubectl.storage import binding as b
from pykubectl.store.clock import rfc3339

POD_PREFIX = "recycler-for-"
POD_NAMESPACE = "default"
IMAGE = "registry.k8s.io/build-image/debian-base:bookworm-v1.0.4"
SCRUB = 'test -e /scrub && find /scrub -mindepth 1 -delete && test -z "$(ls -A /scrub)" || exit 1'


def recycler_pod(pv: dict) -> dict:
    """NewPersistentVolumeRecyclerPodTemplate with the volume's source and name filled in."""
    spec = pv.get("spec") or {}
    source = {k: copy.deepcopy(spec[k]) for k in ("hostPath", "nfs") if spec.get(k) is not None}
    # a hostPath source's `type` belongs to the volume, the recycler mounts the path as it is
    if "hostPath" in source:
        source["hostPath"] = {"path": source["hostPath"]["path"]}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": POD_PREFIX + pv["metadata"]["name"], "namespace": POD_NAMESPACE},
            "spec": {"activeDeadlineSeconds": 60, "restartPolicy": "Never",
                     "volumes": [{"name": "vol", **source}],
                     "containers": [{"name": "pv-recycler", "image": IMAGE, "command": ["/bin/sh"],
                                     "args": ["-c", SCRUB],
                                     "volumeMounts": [{"name": "vol", "mountPath": "/scrub"}]}]}}


def completed_status(pod: dict, now: float) -> dict:
    """The pod's status once the scrub script has exited 0 (restartPolicy Never: Succeeded)."""
    st = copy.deepcopy(pod.get("status") or {})
    for cs in st.get("containerStatuses") or ():
        started = ((cs.get("state") or {}).get("running") or {}).get("startedAt")
        term = {"exitCode": 0, "finishedAt": rfc3339(now), "reason": "Completed"}
        if cs.get("containerID"):
            term["containerID"] = cs["containerID"]
        if started:
            term["startedAt"] = started
        cs.update({"state": {"terminated": term}, "ready": False, "started": False})
    st["phase"] = "Succeeded"
    for c in st.get("conditions") or ():
        if c.get("type") in ("Ready", "ContainersReady"):
            c.update({"status": "False", "reason": "PodCompleted", "lastTransitionTime": rfc3339(now)})
            c.pop("message", None)
    return st


def scrub_target(view, pv: dict, pod: dict) -> tuple[str, str] | None:
    """(node, path) of the files the recycler pod clears."""
    spec = pv.get("spec") or {}
    if spec.get("hostPath"):
        node = (pod.get("spec") or {}).get("nodeName")
        return (node, spec["hostPath"]["path"]) if node else None
    if spec.get("nfs"):
        from pykubectl.controllers.provisioner import server_node
        node = server_node(view, spec["nfs"].get("server", ""))
        return (node, spec["nfs"]["path"]) if node else None
    return None


class PVRecycler(Controller):
    name = "persistentvolume-recycler"
    watches = (("", "persistentvolumes"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        name = (obj.get("metadata") or {}).get("name", "")
        if res == "pods":
            ns = (obj.get("metadata") or {}).get("namespace")
            return [volume_key(name[len(POD_PREFIX):])] if ns == POD_NAMESPACE and name.startswith(POD_PREFIX) else []
        return [volume_key(name)]

    def reconcile(self, key, view, now):
        _, _, _, name = split_key(key)
        pv = view.get("persistentvolumes", "", name)
        pod = view.get("pods", POD_NAMESPACE, POD_PREFIX + name)
        if pv is None or pv["metadata"].get("deletionTimestamp"):
            return [Delete("pods", POD_NAMESPACE, POD_PREFIX + name)] if pod is not None and _ours(pod) else []
        spec, phase = pv.get("spec") or {}, (pv.get("status") or {}).get("phase")
        if spec.get("persistentVolumeReclaimPolicy") != "Recycle" or phase != "Released":
            return []
        if not (spec.get("hostPath") or spec.get("nfs")):
            msg = "No recycler plugin found for the volume!"
            pv = copy.deepcopy(pv)
            set_phase(pv, "Failed", now, with_transition=True)
            pv["status"]["message"] = msg
            return [Put("persistentvolumes", pv), Event(pv, "Warning", "VolumeFailedRecycle", msg, SOURCE)]
        if pod is None:
            return [Create("pods", recycler_pod(pv))]
        if pod["metadata"].get("deletionTimestamp"):
            return []
        pst = (pod.get("status") or {}).get("phase")
        if pst == "Running":
            target = scrub_target(view, pv, pod)
            if target is not None:
                from pykubectl.runtime.fs import node_fs
                from pykubectl.storage import dirs
                dirs.clear(node_fs(view, target[0], now), target[1])
            pod = copy.deepcopy(pod)
            pod["status"] = completed_status(pod, now)
            return [Put("pods", pod, status=True)]
        if pst == "Succeeded":
            return self._finish(pv, pod, view, now)
        if pst == "Failed":
            msg = "Recycle failed: pod failed, pod.Status.Message unknown."
            pv = copy.deepcopy(pv)
            set_phase(pv, "Failed", now, with_transition=True)
            pv["status"]["message"] = msg
            return [Delete("pods", POD_NAMESPACE, pod["metadata"]["name"]), Put("persistentvolumes", pv),
                    Event(pv, "Warning", "VolumeFailedRecycle", msg, SOURCE)]
        return []

    def _finish(self, pv, pod, view, now):
        out = []
        pname = pod["metadata"]["name"]
        evs = [e for e in view.list("events", POD_NAMESPACE)
               if (e.get("involvedObject") or {}).get("name") == pname
               and (e.get("involvedObject") or {}).get("uid") == pod["metadata"].get("uid")]
        evs.sort(key=lambda e: (e.get("firstTimestamp") or e.get("eventTime") or "", e["metadata"].get("creationTimestamp") or ""))
        for e in evs:
            out.append(Event(pv, e.get("type", "Normal"), "RecyclerPod", "Recycler pod: " + e.get("message", ""), SOURCE))
        pv = copy.deepcopy(pv)
        ann = pv["metadata"].get("annotations") or {}
        if ann.get(b.BOUND_BY_CONTROLLER) == "yes":
            pv["spec"].pop("claimRef", None)
            ann.pop(b.BOUND_BY_CONTROLLER)
            if not ann:
                pv["metadata"].pop("annotations", None)
        elif pv["spec"].get("claimRef"):
            pv["spec"]["claimRef"].pop("uid", None)
        set_phase(pv, "Available", now, with_transition=True)
        return out + [Delete("pods", POD_NAMESPACE, pname, uid=pod["metadata"].get("uid")),
                      Event(pv, "Normal", "VolumeRecycled", "Volume recycled", SOURCE),
                      Put("persistentvolumes", pv)]


def _ours(pod) -> bool:
    return [c.get("name") for c in (pod.get("spec") or {}).get("containers") or ()] == ["pv-recycler"]


def controllers(cluster):
    return [PVRecycler()]
