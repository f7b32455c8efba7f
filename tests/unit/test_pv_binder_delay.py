"""The PV controller with WaitForFirstConsumer classes, in-process on a copy of the lab (virtual
clock): it never binds a delayed claim to a free volume itself (the scheduler picks, by pre-binding
one or by the selected-node annotation), and its event says what the claim waits for."""

import pytest


def create(c, obj, ns="default"):
    kind = c.apiserver.resolve(obj["kind"])
    c.apiserver.create(kind, obj, ns if kind.namespaced else None)
    c.engine.run()


def get(c, res, name, ns="default"):
    kind = c.apiserver.resolve(res)
    return c.apiserver.get(kind, ns if kind.namespaced else None, name)


def claim_events(c, name):
    evs = c.apiserver.list(c.apiserver.resolve("events"), "default")
    evs = evs["items"] if isinstance(evs, dict) else evs
    return [(e["reason"], e["message"]) for e in evs if e["involvedObject"]["name"] == name]


LATE = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "late"},
        "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"}
NFS_LATE = {**LATE, "metadata": {"name": "nfs-late"}, "provisioner": "k8s-sigs.io/nfs-subdir-external-provisioner"}


def claim(name="data", cls="late", annotations=None):
    meta = {"name": name}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                     "resources": {"requests": {"storage": "1Gi"}}}}


def local_pv(name="v1", node="worker-1"):
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": "late",
                     "local": {"path": "/mnt/disks/" + name},
                     "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                         {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}}}


def user(name, claim_name="data", **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}],
                     "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim_name}}], **spec}}


def test_a_free_volume_is_left_to_the_scheduler(cluster):
    create(cluster, LATE)
    create(cluster, local_pv())
    create(cluster, claim())
    cluster.advance(30)
    assert (get(cluster, "pvc", "data")["status"]["phase"], get(cluster, "pv", "v1")["status"]["phase"]) == (
        "Pending", "Available")
    assert claim_events(cluster, "data") == [
        ("WaitForFirstConsumer", "waiting for first consumer to be created before binding")]


@pytest.mark.parametrize("pods,want", [
    (["a"], "waiting for pod a to be scheduled"),
    (["b", "a"], "waiting for pods a,b to be scheduled"),
], ids=["one-pod", "two-pods-sorted"])
def test_claim_names_the_pods_it_waits_for(cluster, pods, want):
    create(cluster, LATE)
    for p in pods:   # nowhere to go: the claim's only volume would be on a node that does not exist
        create(cluster, user(p, nodeSelector={"disk": "none"}))
    create(cluster, claim())
    assert claim_events(cluster, "data")[-1] == ("WaitForPodScheduled", want)


def test_selected_node_hands_the_claim_to_its_provisioner(cluster):
    create(cluster, NFS_LATE)
    create(cluster, claim(cls="nfs-late", annotations={"volume.kubernetes.io/selected-node": "worker-2"}))
    c = get(cluster, "pvc", "data")
    assert (c["status"]["phase"], c["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"]) == (
        "Bound", "k8s-sigs.io/nfs-subdir-external-provisioner")


def test_scheduled_pod_binds_the_local_volume_of_its_node(cluster):
    create(cluster, LATE)
    create(cluster, local_pv("v1", "worker-1"))
    create(cluster, local_pv("v2", "worker-2"))
    create(cluster, claim())
    create(cluster, user("app", nodeSelector={"kubernetes.io/hostname": "worker-2"}))
    assert get(cluster, "pods", "app")["spec"]["nodeName"] == "worker-2"
    assert (get(cluster, "pvc", "data")["spec"]["volumeName"], get(cluster, "pv", "v1")["status"]["phase"]) == (
        "v2", "Available")
