"""The scheduler's VolumeBinding and VolumeZone plugins over made-up claims, volumes and classes
(bound volumes' node affinity, delayed binding to local volumes or provisioning, the PreFilter's
refusals and their FitError wording), and one WaitForFirstConsumer claim end to end through the
CLI: Pending with the PV controller's event until its pod is scheduled, then Bound on that node."""
import json

import pytest

from pykubectl.controllers.scheduler import Snapshot, Storage, fit_error, preempt, schedule_one
from tests.unit.test_scheduler import lab, pod

LOCAL = "kubernetes.io/no-provisioner"
NFS = "k8s-sigs.io/nfs-subdir-external-provisioner"


def sc(name, provisioner=LOCAL, mode="WaitForFirstConsumer", topologies=None):
    c = {"metadata": {"name": name}, "provisioner": provisioner, "volumeBindingMode": mode}
    if topologies:
        c["allowedTopologies"] = [{"matchLabelExpressions": [{"key": k, "values": v} for k, v in topologies.items()]}]
    return c


def pvc(name, cls="local", size="1Gi", volume=None, selected=None, phase="Pending", deleting=False):
    meta = {"name": name, "namespace": "default", "uid": f"uid-{name}"}
    if volume and phase == "Bound":
        meta["annotations"] = {"pv.kubernetes.io/bind-completed": "yes"}
    if selected:
        meta.setdefault("annotations", {})["volume.kubernetes.io/selected-node"] = selected
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}, "storageClassName": cls}
    if volume:
        spec["volumeName"] = volume
    return {"metadata": meta, "spec": spec, "status": {"phase": phase}}


def pv(name, on=None, cls="local", size="1Gi", claim=None, labels=None):
    spec = {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}, "storageClassName": cls,
            "local": {"path": "/mnt/disks/" + name}}
    if on:
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [on]}]}]}}
    if claim:
        spec["claimRef"] = {"namespace": "default", "name": claim, "uid": f"uid-{claim}"}
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": spec,
            "status": {"phase": "Bound" if claim else "Available"}}


def user(*claims):
    return pod("p", volumes=[{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims])


def run(claims, volumes, classes, p=None, nodes=None):
    snap = Snapshot(nodes or lab(), [], [], Storage(claims, volumes, classes))
    return snap, schedule_one(p or user("data"), snap)


TAINT = "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
# (id, claims, volumes, classes, node chosen, FitError without the preemption part)
CASES = [
    ("bound-local-volume-pins-its-node", [pvc("data", volume="v2", phase="Bound")], [pv("v2", "worker-2", claim="data")],
     [sc("local")], "worker-2", None),
    ("bound-volume-on-the-tainted-node", [pvc("data", volume="vm", phase="Bound")], [pv("vm", "k8s-master", claim="data")],
     [sc("local")], None, f"0/3 nodes are available: {TAINT}, 2 node(s) had volume node affinity conflict."),
    ("bound-to-a-missing-volume", [pvc("data", volume="gone", phase="Bound")], [], [sc("local")], None,
     f"0/3 nodes are available: {TAINT}, 2 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)."),
    ("unbound-immediate-claim", [pvc("data", cls="fast")], [], [sc("fast", NFS, "Immediate")], None,
     "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."),
    ("claim-of-a-missing-class-is-immediate", [pvc("data", cls="nope")], [], [], None,
     "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."),
    ("missing-claim", [], [], [], None, '0/3 nodes are available: persistentvolumeclaim "data" not found.'),
    ("claim-being-deleted", [pvc("data", deleting=True)], [], [sc("local")], None,
     '0/3 nodes are available: persistentvolumeclaim "data" is being deleted.'),
    ("lost-claim", [pvc("data", volume="v9", phase="Lost")], [], [sc("local")], None,
     '0/3 nodes are available: persistentvolumeclaim "data" bound to non-existent persistentvolume "v9".'),
    ("delayed-claim-finds-the-local-volume", [pvc("data")], [pv("v1", "worker-2")], [sc("local")], "worker-2", None),
    ("delayed-claim-skips-too-small-volumes", [pvc("data", size="5Gi")], [pv("v1", "worker-1", size="1Gi"), pv("v2", "worker-2", size="10Gi")],
     [sc("local")], "worker-2", None),
    ("delayed-claim-no-volume-no-provisioner", [pvc("data")], [pv("v1", "worker-1", cls="other")], [sc("local")], None,
     f"0/3 nodes are available: {TAINT}, 2 node(s) didn't find available persistent volumes to bind."),
    ("delayed-claim-taken-volume", [pvc("data")], [pv("v1", "worker-1", claim="someone")], [sc("local")], None,
     f"0/3 nodes are available: {TAINT}, 2 node(s) didn't find available persistent volumes to bind."),
    ("delayed-claim-provisioned-anywhere", [pvc("data", cls="nfs")], [], [sc("nfs", NFS)], "worker-1", None),
    ("provisioning-limited-by-allowed-topologies", [pvc("data", cls="nfs")], [],
     [sc("nfs", NFS, topologies={"kubernetes.io/hostname": ["worker-2"]})], "worker-2", None),
    ("selected-node-keeps-the-claim-there", [pvc("data", cls="nfs", selected="worker-2")], [], [sc("nfs", NFS)], "worker-2", None),
    ("two-claims-one-volume-each", [pvc("data"), pvc("logs")], [pv("v1", "worker-1"), pv("v2", "worker-2"), pv("v3", "worker-2")],
     [sc("local")], "worker-2", None),
    ("volume-zone-of-a-bound-volume", [pvc("data", volume="z", phase="Bound")],
     [pv("z", claim="data", labels={"topology.kubernetes.io/zone": "eu-1b__eu-1c"})], [sc("local")], "worker-2", None),
    ("volume-zone-nowhere", [pvc("data", volume="z", phase="Bound")],
     [pv("z", claim="data", labels={"topology.kubernetes.io/zone": "us-2"})], [sc("local")], None,
     f"0/3 nodes are available: {TAINT}, 2 node(s) had no available volume zone."),
]


def zoned():
    nodes = lab()
    nodes[1]["metadata"]["labels"]["topology.kubernetes.io/zone"] = "eu-1a"
    nodes[2]["metadata"]["labels"]["topology.kubernetes.io/zone"] = "eu-1b"
    return nodes


@pytest.mark.parametrize("claims,volumes,classes,where,msg", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_volume_binding_filter(claims, volumes, classes, where, msg):
    p = user("data", "logs") if len(claims) == 2 else user("data")
    snap, res = run(claims, volumes, classes, p, zoned())
    assert res.node == where
    if msg is not None:
        assert fit_error(3, res.failures, "", res.pre_filter) == msg


def test_unresolvable_volume_failures_are_not_worth_preempting():
    snap, res = run([pvc("data", volume="gone", phase="Bound")], [], [sc("local")])
    _, _, post = preempt(user("data"), snap, res)
    assert fit_error(3, res.failures, post, res.pre_filter) == (
        f"0/3 nodes are available: {TAINT}, 2 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s). "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


BINDINGS = [
    ("static-binding-to-the-local-volume", [pvc("data")], [pv("v1", "worker-2")], [sc("local")], [("data", "v1")], []),
    ("provisioning-on-the-chosen-node", [pvc("data", cls="nfs")], [], [sc("nfs", NFS)], [], ["data"]),
    ("bound-claims-need-nothing", [pvc("data", volume="v2", phase="Bound")], [pv("v2", "worker-2", claim="data")], [sc("local")], [], []),
]


@pytest.mark.parametrize("claims,volumes,classes,static,provision", [b[1:] for b in BINDINGS], ids=[b[0] for b in BINDINGS])
def test_what_the_chosen_node_needs_bound(claims, volumes, classes, static, provision):
    _, res = run(claims, volumes, classes)
    assert [(c["metadata"]["name"], v["metadata"]["name"]) for c, v in res.static] == static
    assert [c["metadata"]["name"] for c in res.provision] == provision


def test_an_assumed_volume_is_not_offered_to_the_next_claim():
    from pykubectl.controllers.scheduler import Scheduler
    snap = Snapshot(lab(), [], [], Storage([pvc("a"), pvc("b")], [pv("v1", "worker-2")], [sc("local")]))
    first = schedule_one(pod("p1", volumes=[{"name": "a", "persistentVolumeClaim": {"claimName": "a"}}]), snap)
    puts = Scheduler.bind_volumes(first, snap, first.node)
    assert (first.node, puts[0].obj["spec"]["claimRef"]["name"]) == ("worker-2", "a")
    second = schedule_one(pod("p2", volumes=[{"name": "b", "persistentVolumeClaim": {"claimName": "b"}}]), snap)
    assert second.node is None


WFFC = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-late
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-w2
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: local-late
  local: {path: /mnt/disks/d1}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [worker-2]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: local-late
  resources: {requests: {storage: 1Gi}}
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: nginx
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data}
"""


def test_wait_for_first_consumer_end_to_end(kube):
    kube("apply", "-f", "-", input=WFFC, check=True)
    assert kube("get", "pvc", "data", "-o", "jsonpath={.status.phase}").out == "Pending"
    events = kube("get", "events", "--field-selector", "involvedObject.name=data", "-o", "json").out
    assert [(e["reason"], e["message"]) for e in json.loads(events)["items"]] == [
        ("WaitForFirstConsumer", "waiting for first consumer to be created before binding")]
    kube("apply", "-f", "-", input=POD, check=True)
    claim = json.loads(kube("get", "pvc", "data", "-o", "json").out)
    # a static binding: the scheduler pre-binds the volume, so no selected-node annotation
    assert (claim["status"]["phase"], claim["spec"]["volumeName"],
            "volume.kubernetes.io/selected-node" in claim["metadata"]["annotations"]) == ("Bound", "local-w2", False)
    assert kube("get", "pod", "app", "-o", "jsonpath={.spec.nodeName}").out == "worker-2"
    assert kube("get", "pv", "local-w2", "-o", "jsonpath={.status.phase} {.spec.claimRef.name}").out == "Bound data"


NFS_LATE = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: nfs-late
provisioner: k8s-sigs.io/nfs-subdir-external-provisioner
volumeBindingMode: WaitForFirstConsumer
"""

CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: nfs-late
  resources: {requests: {storage: 1Gi}}
"""


def events_of(kube, name):
    items = json.loads(kube("get", "events", "--field-selector", f"involvedObject.name={name}", "-o", "json").out)["items"]
    return [(e["reason"], e["message"]) for e in items]


def test_pod_waits_for_its_claim_then_provisioning_follows_the_chosen_node(kube):
    kube("apply", "-f", "-", input=NFS_LATE + "---\n" + POD, check=True)
    assert kube("get", "pod", "app", "-o", "jsonpath={.spec.nodeName}").out == ""
    assert ("FailedScheduling", '0/3 nodes are available: persistentvolumeclaim "data" not found. preemption: '
            "0/3 nodes are available: 3 Preemption is not helpful for scheduling.") in events_of(kube, "app")
    kube("apply", "-f", "-", input=CLAIM, check=True)
    claim = json.loads(kube("get", "pvc", "data", "-o", "json").out)
    node = kube("get", "pod", "app", "-o", "jsonpath={.spec.nodeName}").out
    assert (claim["status"]["phase"], claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"]) == (
        "Bound", node)
    reasons = [r for r, _ in events_of(kube, "data")]
    assert reasons[-3:] == ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]


class FakeView:
    def __init__(self, **objects):
        self.objects = objects

    def get(self, resource, ns, name):
        return next((o for o in self.objects.get(resource, ()) if o["metadata"]["name"] == name
                     and o["metadata"].get("namespace", "") == ns), None)

    def list(self, resource, ns=None, **_):
        return [o for o in self.objects.get(resource, ()) if ns is None or o["metadata"].get("namespace") == ns]


PREBIND = [
    # (id, class provisioner, the pod bound in the same pass?)
    ("lab-provisioner-binds-at-once", NFS, True),
    ("external-provisioner-keeps-the-pod-waiting", "ebs.csi.aws.com", False),
]


@pytest.mark.parametrize("provisioner,bound", [p[1:] for p in PREBIND], ids=[p[0] for p in PREBIND])
def test_prebind_hands_the_claim_its_node(provisioner, bound):
    from pykubectl.controllers.manager import Put
    from pykubectl.controllers.scheduler import Scheduler
    p = user("data")
    view = FakeView(pods=[p], nodes=lab(), persistentvolumeclaims=[pvc("data", cls="late")],
                    **{"storageclasses.storage.k8s.io": [sc("late", provisioner)]})
    puts = [a.obj for a in Scheduler().reconcile("|pods|default|p", view, 0.0) if isinstance(a, Put)]
    claim = next(o for o in puts if o["metadata"]["name"] == "data")
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "worker-1"
    assert [o["spec"].get("nodeName") for o in puts if o["metadata"]["name"] == "p"] == (["worker-1"] if bound else [])
