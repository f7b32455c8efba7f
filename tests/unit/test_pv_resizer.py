"""Volume expansion: a CSI volume's claim goes Resizing, then FileSystemResizePending with the PV
grown, then (when a running pod mounts it) its capacity follows, each step with the events the
external-resizer and the kubelet record; an NFS volume (the lab's provisioner has no resizer)
only waits; the lab's nfs-client class refuses the edit."""

import pytest

from pykubectl.api.errors import StatusError
from pykubectl.controllers.pv_resizer import FS_PENDING, resize_step

NOW = 1_700_000_000.0


def claim(want="2Gi", have="1Gi", state=None, conditions=()):
    st = {"phase": "Bound", "capacity": {"storage": have}}
    if state:
        st["allocatedResources"] = {"storage": want}
        st["allocatedResourceStatuses"] = {"storage": state}
    if conditions:
        st["conditions"] = [{"type": t, "status": "True", "lastTransitionTime": at} for t, at in conditions]
    return {"metadata": {"name": "data", "namespace": "default"},
            "spec": {"resources": {"requests": {"storage": want}}, "volumeName": "pv-1"}, "status": st}


def volume(driver="hostpath.csi.k8s.io", nfs=False):
    spec = {"capacity": {"storage": "1Gi"}}
    spec.update({"nfs": {"server": "192.168.0.100", "path": "/x"}} if nfs else {"csi": {"driver": driver, "volumeHandle": "h"}})
    return {"metadata": {"name": "pv-1"}, "spec": spec}


@pytest.mark.parametrize("c,pv,mounted,now,want", [
    (claim(), volume(), None, NOW, ("ControllerResizeInProgress", ["Resizing"], "1Gi", None, ["Resizing"], NOW + 2)),
    (claim(state="ControllerResizeInProgress", conditions=[("Resizing", "2023-11-14T22:13:20Z")]), volume(), None, NOW + 1,
     None),
    (claim(state="ControllerResizeInProgress", conditions=[("Resizing", "2023-11-14T22:13:20Z")]), volume(), None, NOW + 2,
     ("NodeResizePending", ["FileSystemResizePending"], "1Gi", "2Gi", ["FileSystemResizeRequired"], None)),
    (claim(state="NodeResizePending", conditions=[("FileSystemResizePending", "2023-11-14T22:13:20Z")]), volume(), None, NOW,
     None),
    (claim(state="NodeResizePending", conditions=[("FileSystemResizePending", "2023-11-14T22:13:20Z")]), volume(),
     "worker-1", NOW, (None, [], "2Gi", None, ["FileSystemResizeSuccessful"], None)),
    (claim(), volume(nfs=True), None, NOW, None),
    (claim(want="1Gi"), volume(), None, NOW, None),
], ids=["starts-resizing", "controller-expanding", "controller-done", "waits-for-a-pod", "kubelet-grows-fs",
        "nfs-has-no-resizer", "nothing-to-do"])
def test_resize_steps(c, pv, mounted, now, want):
    new, new_pv, events, wake = resize_step(c, pv, mounted, now)
    if want is None:
        assert new is None and new_pv is None and events == []
        return
    state, conds, cap, pv_cap, reasons, at = want
    st = new["status"]
    assert (st.get("allocatedResourceStatuses") or {}).get("storage") == state
    assert [x["type"] for x in st.get("conditions") or ()] == conds
    assert st["capacity"]["storage"] == cap
    assert (new_pv["spec"]["capacity"]["storage"] if new_pv else None) == pv_cap
    assert [e[1] for e in events] == reasons
    assert wake == at


def test_event_wording():
    _, _, events, _ = resize_step(claim(), volume(), None, NOW)
    assert events[0][2:] == ("External resizer is resizing volume pv-1", {"component": "external-resizer hostpath.csi.k8s.io"})
    pending = claim(state="ControllerResizeInProgress", conditions=[("Resizing", "2023-11-14T22:13:20Z")])
    new, _, _, _ = resize_step(pending, volume(), None, NOW + 5)
    assert new["status"]["conditions"][0]["message"] == FS_PENDING
    done = claim(state="NodeResizePending", conditions=[("FileSystemResizePending", "2023-11-14T22:13:20Z")])
    _, _, events, _ = resize_step(done, volume(), "worker-2", NOW)
    assert events[0][2] == 'MountVolume.NodeExpandVolume succeeded for volume "pv-1" worker-2'


# -- on the cluster ---------------------------------------------------------------------


def _setup(srv, driver_pv):
    srv.create(srv.resolve("storageclasses"), {
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "expandable"},
        "provisioner": "hostpath.csi.k8s.io", "allowVolumeExpansion": True})
    srv.create(srv.resolve("persistentvolumes"), {
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-1"},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": "expandable",
                 **driver_pv}})
    srv.create(srv.resolve("pvc"), {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "expandable",
                 "resources": {"requests": {"storage": "1Gi"}}}}, "default")


def _grow(c, size):
    c.apiserver.patch(c.apiserver.resolve("pvc"), "default", "data", "merge",
                      {"spec": {"resources": {"requests": {"storage": size}}}})
    c.engine.run()


def _events(srv):
    return [(e["reason"], e["message"]) for e in sorted(srv.list(srv.resolve("events"), "default")["items"],
                                                         key=lambda e: e["metadata"]["creationTimestamp"])
            if e["involvedObject"]["name"] == "data"]


def test_csi_claim_grows_once_a_pod_mounts_it(cluster):
    srv = cluster.apiserver
    _setup(srv, {"csi": {"driver": "hostpath.csi.k8s.io", "volumeHandle": "vol-1"}})
    cluster.advance(2)
    _grow(cluster, "2Gi")
    pvc = srv.get(srv.resolve("pvc"), "default", "data")
    assert [c["type"] for c in pvc["status"]["conditions"]] == ["Resizing"]
    assert pvc["metadata"]["annotations"]["volume.kubernetes.io/storage-resizer"] == "hostpath.csi.k8s.io"
    cluster.advance(3)
    pvc = srv.get(srv.resolve("pvc"), "default", "data")
    assert [c["type"] for c in pvc["status"]["conditions"]] == ["FileSystemResizePending"]
    assert srv.get(srv.resolve("pv"), "", "pv-1")["spec"]["capacity"]["storage"] == "2Gi"
    srv.create(srv.resolve("pods"), {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user"}, "spec": {
        "containers": [{"name": "c", "image": "nginx", "volumeMounts": [{"name": "d", "mountPath": "/data"}]}],
        "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}}, "default")
    cluster.advance(10)
    pvc = srv.get(srv.resolve("pvc"), "default", "data")
    assert pvc["status"]["capacity"]["storage"] == "2Gi"
    assert "conditions" not in pvc["status"] and "allocatedResourceStatuses" not in pvc["status"]
    reasons = [r for r, _ in _events(srv)]
    assert reasons[-3:] == ["Resizing", "FileSystemResizeRequired", "FileSystemResizeSuccessful"]


def test_capacity_waits_for_the_file_system(cluster):
    srv = cluster.apiserver
    _setup(srv, {"csi": {"driver": "hostpath.csi.k8s.io", "volumeHandle": "vol-1"}})
    cluster.advance(2)
    _grow(cluster, "2Gi")
    cluster.advance(3)
    assert srv.get(srv.resolve("pvc"), "default", "data")["status"]["capacity"]["storage"] == "1Gi"


def test_nfs_claim_only_waits(cluster):
    srv = cluster.apiserver
    _setup(srv, {"nfs": {"server": "192.168.0.100", "path": "/nfs-share/x"}})
    cluster.advance(2)
    _grow(cluster, "2Gi")
    cluster.advance(30)
    pvc = srv.get(srv.resolve("pvc"), "default", "data")
    assert pvc["status"]["capacity"]["storage"] == "1Gi" and "conditions" not in pvc["status"]
    assert ("ExternalExpanding", "waiting for an external controller to expand this PVC") in _events(srv)


def test_lab_nfs_client_class_refuses_expansion(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("pvc"), {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}}}, "default")
    cluster.advance(5)
    with pytest.raises(StatusError) as e:
        _grow(cluster, "2Gi")
    assert e.value.code == 403 and "the storageclass that provisions the pvc must support resize" in e.value.message
