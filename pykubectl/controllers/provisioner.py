"""The lab's dynamic NFS provisioner, as nfs-subdir-external-provisioner v4 does it.

A claim the PV controller has handed to `k8s-sigs.io/nfs-subdir-external-provisioner` (its
storage-provisioner annotation) gets a PersistentVolume `pvc-<claim uid>`, pre-bound to it, whose
NFS path is a new directory `<export>/<namespace>-<claim>-<pv>` on the NFS server (or the class's
`pathPattern`); the PV controller then binds the two. When such a volume is Released with
reclaim policy Delete, the directory is removed, or renamed `archived-<dir>` when the class
says `archiveOnDelete: "true"` (`onDelete: retain` keeps it as it is), and the volume goes.
"""
from __future__ import annotations

import posixpath
import re

from pykubectl.controllers.manager import Controller, Create, Delete, Event, split_key
from pykubectl.storage import binding as b

PROVISIONER = "k8s-sigs.io/nfs-subdir-external-provisioner"
NFS_SERVER = "192.168.0.100"
NFS_PATH = "/nfs-share"


def _source(view):
    """The provisioner's event source: its pod's name, as the lib's leader identity spells it."""
    pods = view.list("pods", "nfs-provisioner", labels_eq={"app": "nfs-client-provisioner"})
    pod = pods[0]["metadata"]["name"] if pods else "nfs-client-provisioner"
    return {"component": f"{PROVISIONER}_{pod}_0f4a1c6e-2b59-4c8e-9d1a-6a3e5f7b8c90"}


def server_node(view, server: str) -> str | None:
    """The node that serves an NFS export: the one whose address the volume names."""
    for node in view.list("nodes"):
        for a in (node.get("status") or {}).get("addresses") or ():
            if a.get("address") == server or (a.get("type") == "Hostname" and a.get("address") == server):
                return node["metadata"]["name"]
        if node["metadata"]["name"] == server:
            return node["metadata"]["name"]
    return None


def directory_name(claim: dict, pv_name: str, params: dict) -> str:
    """The export subdirectory: pathPattern's ${.PVC.namespace}/${.PVC.name}/${.PVC.labels.x}/
    ${.PVC.annotations.x}, else `<namespace>-<name>-<pv>`."""
    m = claim["metadata"]
    pattern = params.get("pathPattern")
    if pattern:
        def sub(mo):
            path = mo.group(1).split(".")
            if path[:2] == ["PVC", "namespace"]:
                return m.get("namespace", "")
            if path[:2] == ["PVC", "name"]:
                return m["name"]
            if path[:2] == ["PVC", "labels"] and len(path) > 2:
                return (m.get("labels") or {}).get(".".join(path[2:]), "")
            if path[:2] == ["PVC", "annotations"] and len(path) > 2:
                return (m.get("annotations") or {}).get(".".join(path[2:]), "")
            return ""
        return re.sub(r"\$\{\.([^}]*)\}", sub, pattern).strip("/")
    return "-".join([m.get("namespace", ""), m["name"], pv_name])


def provisioned_volume(claim: dict, cls: dict, pv_name: str) -> dict:
    """The PersistentVolume the provisioner creates for a claim of class `cls`."""
    params = cls.get("parameters") or {}
    spec = claim.get("spec") or {}
    pv_spec = {
        "accessModes": list(spec.get("accessModes") or []),
        "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")},
        "claimRef": b.claim_ref(claim),
        "nfs": {"path": posixpath.join(NFS_PATH, directory_name(claim, pv_name, params)), "server": NFS_SERVER},
        "persistentVolumeReclaimPolicy": cls.get("reclaimPolicy") or "Delete",
        "storageClassName": cls["metadata"]["name"],
        "volumeMode": spec.get("volumeMode") or "Filesystem",
    }
    if cls.get("mountOptions"):
        pv_spec["mountOptions"] = list(cls["mountOptions"])
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": pv_name, "annotations": {b.PROVISIONED_BY: PROVISIONER}},
            "spec": pv_spec}


class NFSProvisioner(Controller):
    name = "nfs-subdir-external-provisioner"
    manager = "nfs-subdir-external-provisioner"
    watches = (("", "persistentvolumeclaims"), ("", "persistentvolumes"))

    def reconcile(self, key, view, now):
        _, res, ns, name = split_key(key)
        if res == "persistentvolumes":
            pv = view.get("persistentvolumes", "", name)
            return self._delete(pv, view, now) if pv is not None else []
        claim = view.get("persistentvolumeclaims", ns, name)
        return self._provision(claim, view, now) if claim is not None else []

    def _provision(self, claim, view, now):
        m = claim["metadata"]
        if (m.get("deletionTimestamp") or (claim.get("spec") or {}).get("volumeName")
                or (m.get("annotations") or {}).get(b.STORAGE_PROVISIONER) != PROVISIONER):
            return []
        cls = view.get("storageclasses.storage.k8s.io", "", b.claim_class(claim))
        if cls is None or cls.get("provisioner") != PROVISIONER:
            return []
        pv_name = f"pvc-{m['uid']}"
        if view.get("persistentvolumes", "", pv_name) is not None:
            return []
        pv = provisioned_volume(claim, cls, pv_name)
        node = server_node(view, NFS_SERVER)
        if node is not None:
            from pykubectl.runtime.fs import node_fs
            fs = node_fs(view, node, now)
            fs.mkdir(NFS_PATH)   # the export itself stays when its last subdirectory goes
            fs.mkdir(pv["spec"]["nfs"]["path"])
        src = _source(view)
        return [Event(claim, "Normal", "Provisioning",
                      f'External provisioner is provisioning volume for claim "{m["namespace"]}/{m["name"]}"', src),
                Create("persistentvolumes", pv),
                Event(claim, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {pv_name}", src)]

    def _delete(self, pv, view, now):
        m = pv["metadata"]
        if ((m.get("annotations") or {}).get(b.PROVISIONED_BY) != PROVISIONER or m.get("deletionTimestamp")
                or (pv.get("status") or {}).get("phase") != "Released"
                or (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") != "Delete"):
            return []
        nfs = (pv.get("spec") or {}).get("nfs") or {}
        cls = view.get("storageclasses.storage.k8s.io", "", b.volume_class(pv)) or {}
        params = cls.get("parameters") or {}
        node = server_node(view, nfs.get("server", ""))
        if node is not None and nfs.get("path"):
            from pykubectl.runtime.fs import node_fs
            from pykubectl.storage import dirs
            fs = node_fs(view, node, now)
            on_delete = (params.get("onDelete") or "").lower()
            if on_delete == "retain":
                pass
            elif on_delete != "delete" and (params.get("archiveOnDelete") or "").lower() == "true":
                parent, base = posixpath.split(nfs["path"].rstrip("/"))
                dirs.move(fs, nfs["path"], posixpath.join(parent, "archived-" + base))
            else:
                fs.remove(nfs["path"])
        return [Delete("persistentvolumes", "", m["name"], uid=m.get("uid"))]


def controllers(cluster):
    return [NFSProvisioner()]
