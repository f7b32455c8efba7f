"""The PV controller's matching rules as pure functions: which volume a claim binds to (pre-bound
first, then the smallest that fits class, access modes, volumeMode, selector and size), what
phase a volume is in, the default class, the NFS provisioner's names and the recycler's pod."""
import pytest

from pykubectl.storage import binding as b


def pvc(name="c", size="1Gi", modes=("ReadWriteOnce",), cls=None, mode=None, selector=None, uid="u1", ns="default"):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    if cls is not None:
        spec["storageClassName"] = cls
    if mode:
        spec["volumeMode"] = mode
    if selector:
        spec["selector"] = selector
    return {"metadata": {"name": name, "namespace": ns, "uid": uid}, "spec": spec}


def pv(name, size="1Gi", modes=("ReadWriteOnce",), cls="", labels=None, claim_ref=None, phase="Available",
       mode=None, affinity=None):
    spec = {"accessModes": list(modes), "capacity": {"storage": size}}
    if cls:
        spec["storageClassName"] = cls
    if claim_ref:
        spec["claimRef"] = claim_ref
    if mode:
        spec["volumeMode"] = mode
    if affinity:
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [affinity]}]}]}}
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": spec, "status": {"phase": phase}}


def node(name):
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}


MATCHES = [
    ("smallest fitting volume wins", pvc(size="3G", cls=""), [pv("a", "10G"), pv("b", "3G"), pv("c", "2G")], None, False, "b"),
    ("too small: none", pvc(size="3G", cls=""), [pv("a", "2G")], None, False, None),
    ("1Gi is more than 1G", pvc(size="1Gi", cls=""), [pv("a", "1G"), pv("b", "2G")], None, False, "b"),
    ("class must match", pvc(cls="fast"), [pv("a", cls="slow"), pv("b", cls="fast")], None, False, "b"),
    ("empty class binds only class-less", pvc(cls=""), [pv("a", cls="nfs-client")], None, False, None),
    ("access modes must include the claim's", pvc(modes=("ReadWriteMany",), cls=""),
     [pv("a"), pv("b", modes=("ReadWriteOnce", "ReadWriteMany"))], None, False, "b"),
    ("fewer extra modes first at equal size", pvc(cls=""),
     [pv("a", modes=("ReadWriteOnce", "ReadOnlyMany")), pv("b")], None, False, "b"),
    ("volumeMode must match", pvc(mode="Block", cls=""), [pv("a"), pv("b", mode="Block")], None, False, "b"),
    ("selector filters by labels", pvc(cls="", selector={"matchLabels": {"tier": "db"}}),
     [pv("a", "1Gi"), pv("b", "5Gi", labels={"tier": "db"})], None, False, "b"),
    ("volume claimed by another is skipped", pvc(cls=""),
     [pv("a", claim_ref={"namespace": "default", "name": "other"}), pv("b", "2Gi")], None, False, "b"),
    ("pre-bound volume wins over a smaller one", pvc(cls=""),
     [pv("a", "1Gi"), pv("b", "5Gi", claim_ref={"namespace": "default", "name": "c"})], None, False, "b"),
    ("pre-bound ignores class", pvc(cls="other"),
     [pv("b", "5Gi", claim_ref={"namespace": "default", "name": "c", "uid": "u1"})], None, False, "b"),
    ("pre-bound to an older claim's uid is not ours", pvc(cls=""),
     [pv("b", claim_ref={"namespace": "default", "name": "c", "uid": "old"})], None, False, None),
    ("released volume is not offered", pvc(cls=""), [pv("a", phase="Released")], None, False, None),
    ("delayed binding waits for a node", pvc(cls=""), [pv("a")], None, True, None),
    ("node affinity must admit the node", pvc(cls=""),
     [pv("a", affinity="worker-1"), pv("b", "2Gi", affinity="worker-2")], node("worker-2"), True, "b"),
]


@pytest.mark.parametrize("claim,volumes,nd,delay,want", [m[1:] for m in MATCHES], ids=[m[0] for m in MATCHES])
def test_find_best_match(claim, volumes, nd, delay, want):
    got = b.find_best_match(claim, volumes, nd, delay)
    assert (got or {}).get("metadata", {}).get("name") == want


PHASES = [
    ("no claimRef", pv("a"), None, "Available"),
    ("pre-bound without uid waits", pv("a", claim_ref={"namespace": "default", "name": "c"}), None, "Available"),
    ("claim there", pv("a", claim_ref={"namespace": "default", "name": "c", "uid": "u1"}), pvc(), "Bound"),
    ("claim gone", pv("a", claim_ref={"namespace": "default", "name": "c", "uid": "u1"}), None, "Released"),
    ("claim recreated with a new uid", pv("a", claim_ref={"namespace": "default", "name": "c", "uid": "u0"}), pvc(),
     "Released"),
    ("failed stays failed", pv("a", phase="Failed", claim_ref={"namespace": "default", "name": "c", "uid": "u1"}),
     None, "Failed"),
]


@pytest.mark.parametrize("volume,claim,want", [p[1:] for p in PHASES], ids=[p[0] for p in PHASES])
def test_volume_phase(volume, claim, want):
    assert b.volume_phase(volume, claim) == want


def sc(name, default=None, created="2026-01-01T00:00:00Z"):
    ann = {b.DEFAULT_CLASS: default} if default is not None else {}
    return {"metadata": {"name": name, "annotations": ann, "creationTimestamp": created}}


DEFAULTS = [
    ("none marked", [sc("a"), sc("b", "false")], None),
    ("the marked one", [sc("a"), sc("b", "true")], "b"),
    ("newest of two defaults", [sc("a", "true", "2026-01-01T00:00:00Z"), sc("b", "true", "2026-01-02T00:00:00Z")], "b"),
    ("beta annotation counts", [{"metadata": {"name": "x", "annotations": {b.BETA_DEFAULT_CLASS: "true"}}}], "x"),
]


@pytest.mark.parametrize("classes,want", [d[1:] for d in DEFAULTS], ids=[d[0] for d in DEFAULTS])
def test_default_class(classes, want):
    assert (b.default_class(classes) or {}).get("metadata", {}).get("name") == want


FITS = [
    ("fits", pvc(cls=""), pv("a"), None),
    ("too small", pvc(size="2Gi", cls=""), pv("a"), "requested PV is too small"),
    ("class", pvc(cls="x"), pv("a"), "storageClassName does not match"),
    ("mode", pvc(cls="", mode="Block"), pv("a"), "incompatible volumeMode"),
    ("access", pvc(cls="", modes=("ReadWriteMany",)), pv("a"), "incompatible accessMode"),
]


@pytest.mark.parametrize("claim,volume,want", [f[1:] for f in FITS], ids=[f[0] for f in FITS])
def test_volume_fits_a_named_claim(claim, volume, want):
    assert b.volume_fits(claim, volume) == want


def test_claim_class_prefers_the_beta_annotation():
    c = pvc(cls="a")
    c["metadata"]["annotations"] = {b.BETA_CLASS: "b"}
    assert (b.claim_class(c), b.claim_class(pvc()), b.claim_class(pvc(cls="a"))) == ("b", "", "a")


NFS_CLASS = {"metadata": {"name": "nfs-client"}, "provisioner": "k8s-sigs.io/nfs-subdir-external-provisioner",
             "reclaimPolicy": "Delete", "parameters": {"archiveOnDelete": "false"}}

DIRS = [
    ("default naming", {}, "default-data-pvc-1"),
    ("pathPattern", {"pathPattern": "${.PVC.namespace}/${.PVC.name}"}, "default/data"),
    ("pathPattern with a label", {"pathPattern": "${.PVC.labels.app}-x"}, "web-x"),
]


@pytest.mark.parametrize("params,want", [d[1:] for d in DIRS], ids=[d[0] for d in DIRS])
def test_nfs_directory_name(params, want):
    from pykubectl.controllers.provisioner import directory_name
    c = pvc("data")
    c["metadata"]["labels"] = {"app": "web"}
    assert directory_name(c, "pvc-1", params) == want


def test_provisioned_volume_is_prebound_with_the_class_policy():
    from pykubectl.controllers.provisioner import provisioned_volume
    c = pvc("nfs-pvc", size="1G", cls="nfs-client", uid="abc")
    got = provisioned_volume(c, NFS_CLASS, "pvc-abc")
    assert got["metadata"] == {"name": "pvc-abc", "annotations": {
        "pv.kubernetes.io/provisioned-by": "k8s-sigs.io/nfs-subdir-external-provisioner"}}
    assert got["spec"]["nfs"] == {"path": "/nfs-share/default-nfs-pvc-pvc-abc", "server": "192.168.0.100"}
    assert (got["spec"]["persistentVolumeReclaimPolicy"], got["spec"]["capacity"], got["spec"]["claimRef"]["uid"]) == (
        "Delete", {"storage": "1G"}, "abc")


def test_recycler_pod_is_the_controller_managers_template():
    from pykubectl.controllers.pv_recycler import recycler_pod
    vol = pv("pv-recycle1")
    vol["spec"]["hostPath"] = {"path": "/tmp/recycle", "type": "DirectoryOrCreate"}
    pod = recycler_pod(vol)
    assert pod["metadata"] == {"name": "recycler-for-pv-recycle1", "namespace": "default"}
    assert pod["spec"]["volumes"] == [{"name": "vol", "hostPath": {"path": "/tmp/recycle"}}]
    c = pod["spec"]["containers"][0]
    assert (c["name"], c["command"], c["args"][1], pod["spec"]["restartPolicy"]) == (
        "pv-recycler", ["/bin/sh"],
        'test -e /scrub && find /scrub -mindepth 1 -delete && test -z "$(ls -A /scrub)" || exit 1', "Never")


def sized(size, cls="nfs-client", phase="Bound", have="1G"):
    c = pvc(size=size, cls=cls)
    c["status"] = {"phase": phase, "capacity": {"storage": have}}
    return c


EXPANDABLE = {"metadata": {"name": "grow"}, "allowVolumeExpansion": True}
CLASSES = {"nfs-client": {"metadata": {"name": "nfs-client"}}, "grow": EXPANDABLE}
RESIZE = [
    ("shrinking or same size is not this check's business", sized("1G"), sized("1G"), None),
    ("growing without allowVolumeExpansion", sized("1G"), sized("2G"), "forbidden"),
    ("growing with allowVolumeExpansion", sized("1G", "grow"), sized("2G", "grow"), None),
    ("class-less claims never grow", sized("1G", ""), sized("2G", ""), "forbidden"),
    ("unknown class", sized("1G", "gone"), sized("2G", "gone"), "forbidden"),
]


@pytest.mark.parametrize("old,new,want", [r[1:] for r in RESIZE], ids=[r[0] for r in RESIZE])
def test_resize_admission(old, new, want):
    from pykubectl.storage.resize import FORBIDDEN, resize_forbidden
    assert resize_forbidden(old, new, CLASSES.get) == (FORBIDDEN if want else None)


@pytest.mark.parametrize("claim_,volume_,want", [
    (sized("2G"), pv("a", "1G"), True),
    (sized("1G"), pv("a", "1G"), False),
    (sized("2G", phase="Pending"), pv("a", "1G"), False),
], ids=["asks for more", "has what it asks", "not bound"])
def test_waiting_for_expansion(claim_, volume_, want):
    from pykubectl.storage.resize import waiting_for_expansion
    assert waiting_for_expansion(claim_, volume_) is want


def test_explain_claim_says_why_each_volume_is_or_is_not_chosen():
    from pykubectl.storage.explain import explain_claim
    c = pvc("pvc-recycle1", size="3G", cls="")
    vols = [pv("big", "10G"), pv("fit", "3G"), pv("small", "1G"), pv("nfs", "5G", cls="nfs-client"),
            pv("taken", "3G", claim_ref={"namespace": "default", "name": "other"})]
    assert explain_claim(c, vols, []) == (
        "persistentvolumeclaim/pvc-recycle1 in default: Pending, requests 3G ReadWriteOnce Filesystem, "
        "no class (binds only volumes without one)\n"
        "  big: fits\n"
        "  fit: fits: chosen (pre-bound, else the smallest that fits)\n"
        '  nfs: storageClassName "nfs-client" is not the claim\'s ""\n'
        "  small: too small (1G < 3G)\n"
        "  taken: claimed by default/other\n")


def test_explain_claim_names_the_provisioner_when_nothing_fits():
    from pykubectl.storage.explain import explain_claim
    late = {"metadata": {"name": "late"}, "provisioner": "example.com/p", "volumeBindingMode": "WaitForFirstConsumer"}
    assert explain_claim(pvc("w", cls="late"), [], [late]).splitlines()[1:] == [
        "  no PersistentVolumes exist",
        "  no volume fits: class late provisions one with example.com/p (WaitForFirstConsumer: "
        "waits for a pod using the claim to be scheduled)"]
