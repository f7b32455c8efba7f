"""The storage controllers in-process on a copy of the lab cluster (virtual clock): dynamic NFS
provisioning and its directories, reclaim policies (Retain, Delete, Recycle), pre-binding,
the default class, WaitForFirstConsumer, and the pvc-/pv-protection finalizers."""

import pytest


def k(c, name):
    return c.apiserver.resolve(name)


def create(c, obj, ns="default"):
    kind = k(c, obj["kind"])
    out, _ = c.apiserver.create(kind, obj, ns if kind.namespaced else None)
    c.engine.run()
    return out


def get(c, res, name, ns="default"):
    kind = k(c, res)
    try:
        return c.apiserver.get(kind, ns if kind.namespaced else None, name)
    except Exception:
        return None


def delete(c, res, name, ns="default"):
    kind = k(c, res)
    c.apiserver.delete(kind, ns if kind.namespaced else None, name)
    c.engine.run()


def phase(obj):
    return None if obj is None else ("Terminating" if obj["metadata"].get("deletionTimestamp")
                                     else obj["status"]["phase"])


def claim(name, size="1G", cls=None, volume=None):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if cls is not None:
        spec["storageClassName"] = cls
    if volume:
        spec["volumeName"] = volume
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec}


def volume(name, size="3G", policy="Retain", path="/tmp/data", cls=None):
    spec = {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": policy, "hostPath": {"path": path}}
    if cls:
        spec["storageClassName"] = cls
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name}, "spec": spec}


def pod(name, claim_name, node="worker-1"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeSelector": {"kubernetes.io/hostname": node}, "terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "c", "image": "kubetm/init",
                                     "volumeMounts": [{"name": "v", "mountPath": "/data"}]}],
                     "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": claim_name}}]}}


def fs_of(c, txn, node="k8s-master"):
    from pykubectl.controllers.manager import View
    from pykubectl.runtime.fs import node_fs
    return node_fs(View(txn, c.apiserver), node)


def test_dynamic_provisioning_binds_at_once_and_deletes_its_directory(cluster):
    created = create(cluster, claim("data", cls="nfs-client"))
    pv_name = f"pvc-{created['metadata']['uid']}"
    c = get(cluster, "persistentvolumeclaims", "data")
    pv = get(cluster, "persistentvolumes", pv_name)
    assert (phase(c), c["spec"]["volumeName"], phase(pv)) == ("Bound", pv_name, "Bound")
    assert c["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert pv["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    path = f"/nfs-share/default-data-{pv_name}"
    with cluster.store.read() as t:
        assert fs_of(cluster, t).kind(path) == "d"
    delete(cluster, "persistentvolumeclaims", "data")
    assert get(cluster, "persistentvolumes", pv_name) is None
    with cluster.store.read() as t:
        fs = fs_of(cluster, t)
        assert (fs.kind(path), fs.kind("/nfs-share")) == (None, "d")


def test_archive_on_delete_renames_the_directory(cluster):
    sc = get(cluster, "storageclasses", "nfs-client", None)
    sc["parameters"] = {"archiveOnDelete": "true"}
    sc["metadata"]["name"] = "nfs-archive"
    for f in ("uid", "resourceVersion", "creationTimestamp", "annotations", "managedFields"):
        sc["metadata"].pop(f, None)
    create(cluster, sc)
    uid = create(cluster, claim("keep", cls="nfs-archive"))["metadata"]["uid"]
    with cluster.store.write() as t:
        fs_of(cluster, t).write(f"/nfs-share/default-keep-pvc-{uid}/a.txt", "hi")
    delete(cluster, "persistentvolumeclaims", "keep")
    with cluster.store.read() as t:
        fs = fs_of(cluster, t)
        assert fs.kind(f"/nfs-share/default-keep-pvc-{uid}") is None
        assert fs.read(f"/nfs-share/archived-default-keep-pvc-{uid}/a.txt") == "hi"


RECLAIM = [
    ("retain stays released", "Retain", "/tmp/r", "Released"),
    ("delete under /tmp removes the volume", "Delete", "/tmp/d", None),
    ("delete elsewhere fails", "Delete", "/data/d", "Failed"),
]


@pytest.mark.parametrize("policy,path,want", [r[1:] for r in RECLAIM], ids=[r[0] for r in RECLAIM])
def test_reclaim_policies(cluster, policy, path, want):
    create(cluster, volume("v1", policy=policy, path=path))
    assert phase(get(cluster, "persistentvolumes", "v1")) == "Available"
    create(cluster, claim("c1", size="3G", cls=""))
    assert phase(get(cluster, "persistentvolumes", "v1")) == "Bound"
    delete(cluster, "persistentvolumeclaims", "c1")
    cluster.advance(30)
    pv = get(cluster, "persistentvolumes", "v1")
    assert phase(pv) == want
    if want == "Failed":
        assert pv["status"]["message"] == "host_path deleter only supports /tmp/.+ but received provided /data/d"


def test_recycle_scrubs_with_a_recycler_pod_then_volume_is_available(cluster):
    create(cluster, volume("pv-r", policy="Recycle", path="/tmp/recycle"))
    create(cluster, claim("pvc-r", size="3G", cls=""))
    delete(cluster, "persistentvolumeclaims", "pvc-r")
    assert phase(get(cluster, "persistentvolumes", "pv-r")) == "Released"
    rp = get(cluster, "pods", "recycler-for-pv-r")
    node = rp["spec"]["nodeName"]
    with cluster.store.write() as t:
        fs_of(cluster, t, node).write("/tmp/recycle/old.txt", "x")
    cluster.advance(5)
    pv = get(cluster, "persistentvolumes", "pv-r")
    assert (phase(pv), pv["spec"].get("claimRef")) == ("Available", None)
    assert get(cluster, "pods", "recycler-for-pv-r") is None
    with cluster.store.read() as t:
        assert fs_of(cluster, t, node).listdir("/tmp/recycle") == []
    reasons = [e["reason"] for e in cluster.apiserver.list(k(cluster, "events"), "default")["items"]
               if e["involvedObject"]["name"] == "pv-r"]
    assert reasons[-1] == "VolumeRecycled" and "RecyclerPod" in reasons
    # and it binds again
    create(cluster, claim("pvc-r2", size="3G", cls=""))
    assert phase(get(cluster, "persistentvolumeclaims", "pvc-r2")) == "Bound"


def test_claim_without_class_gets_the_default(cluster):
    create(cluster, claim("plain"))
    c = get(cluster, "persistentvolumeclaims", "plain")
    assert (c["spec"]["storageClassName"], phase(c)) == ("nfs-client", "Bound")


PREBOUND = [
    ("names an available volume", "v1", "Bound"),
    ("names a missing volume", "nope", "Pending"),
]


@pytest.mark.parametrize("name,want", [p[1:] for p in PREBOUND], ids=[p[0] for p in PREBOUND])
def test_claim_naming_its_volume(cluster, name, want):
    create(cluster, volume("v1", size="5G"))
    create(cluster, volume("v0", size="3G"))
    create(cluster, claim("c", size="3G", cls="", volume=name))
    assert phase(get(cluster, "persistentvolumeclaims", "c")) == want
    assert phase(get(cluster, "persistentvolumes", "v0")) == "Available"


def test_wait_for_first_consumer_binds_when_a_pod_is_scheduled(cluster):
    sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "late"},
          "provisioner": "k8s-sigs.io/nfs-subdir-external-provisioner", "volumeBindingMode": "WaitForFirstConsumer"}
    create(cluster, sc)
    create(cluster, claim("w", cls="late"))
    cluster.advance(5)
    assert phase(get(cluster, "persistentvolumeclaims", "w")) == "Pending"
    create(cluster, pod("consumer", "w"))
    cluster.advance(3)
    c = get(cluster, "persistentvolumeclaims", "w")
    assert (phase(c), c["metadata"]["annotations"]["volume.kubernetes.io/selected-node"]) == ("Bound", "worker-1")


def test_claim_in_use_stays_terminating_until_its_pod_is_gone(cluster):
    create(cluster, claim("used", cls="nfs-client"))
    create(cluster, pod("user", "used"))
    cluster.advance(3)
    delete(cluster, "persistentvolumeclaims", "used")
    cluster.advance(10)
    assert phase(get(cluster, "persistentvolumeclaims", "used")) == "Terminating"
    delete(cluster, "pods", "user")
    cluster.advance(1)
    assert get(cluster, "persistentvolumeclaims", "used") is None


def test_bound_volume_stays_terminating_until_released(cluster):
    create(cluster, volume("held", policy="Retain"))
    create(cluster, claim("h", size="3G", cls=""))
    delete(cluster, "persistentvolumes", "held")
    assert phase(get(cluster, "persistentvolumes", "held")) == "Terminating"
    delete(cluster, "persistentvolumeclaims", "h")
    assert get(cluster, "persistentvolumes", "held") is None


def test_a_path_in_a_claim_mount_lives_on_the_nfs_server(cluster):
    from pykubectl.storage.mounts import locate
    uid = create(cluster, claim("nfs-pvc", cls="nfs-client"))["metadata"]["uid"]
    create(cluster, pod("p", "nfs-pvc"))
    p = get(cluster, "pods", "p")
    with cluster.store.read() as t:
        from pykubectl.controllers.manager import View
        view = View(t, cluster.apiserver)
        assert locate(view, p, "c", "/data/sub/a.txt") == ("k8s-master", f"/nfs-share/default-nfs-pvc-pvc-{uid}/sub/a.txt")
        assert locate(view, p, "c", "/etc/hosts") is None
