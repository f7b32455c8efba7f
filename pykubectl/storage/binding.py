"""How the PersistentVolume controller matches claims and volumes (pkg/controller/volume/
persistentvolume: `findMatchingVolume`, `syncVolume`), as pure functions over plain objects.

A claim binds to a volume pre-bound to it (the volume's claimRef names it) if that one fits;
otherwise to the smallest Available, unclaimed volume of the same class whose access modes
include the claim's, whose volumeMode and labels (the claim's selector) match and whose capacity
covers the request. `storageClassName: ""` asks for class-less volumes only.
"""
from __future__ import annotations

BETA_CLASS = "volume.beta.kubernetes.io/storage-class"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
SELECTED_NODE = "volume.kubernetes.io/selected-node"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"


def _meta(obj) -> dict:
    return obj.get("metadata") or {}


def _ann(obj) -> dict:
    return _meta(obj).get("annotations") or {}


def claim_class(claim: dict) -> str:
    """GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName."""
    ann = _ann(claim)
    if BETA_CLASS in ann:
        return ann[BETA_CLASS]
    return (claim.get("spec") or {}).get("storageClassName") or ""


def volume_class(pv: dict) -> str:
    ann = _ann(pv)
    if BETA_CLASS in ann:
        return ann[BETA_CLASS]
    return (pv.get("spec") or {}).get("storageClassName") or ""


def default_class(classes: list[dict]) -> dict | None:
    """The default StorageClass; with several, the newest (then by name), as since v1.26."""
    marked = [c for c in classes
              if _ann(c).get(DEFAULT_CLASS) == "true" or _ann(c).get(BETA_DEFAULT_CLASS) == "true"]
    if not marked:
        return None
    marked.sort(key=lambda c: (_meta(c).get("creationTimestamp") or "", _meta(c).get("name", "")), reverse=True)
    return marked[0]


def storage_bytes(obj_resources: dict | None):
    from pykubectl.api.quantity import parse_quantity
    q = (obj_resources or {}).get("storage")
    if q is None:
        return 0
    try:
        return parse_quantity(str(q))
    except ValueError:
        return 0


def requested(claim: dict):
    return storage_bytes(((claim.get("spec") or {}).get("resources") or {}).get("requests"))


def capacity(pv: dict):
    return storage_bytes((pv.get("spec") or {}).get("capacity"))


def bound_to(pv: dict, claim: dict) -> bool:
    """isVolumeBoundToClaim: claimRef names the claim (and its uid, when the ref carries one)."""
    ref = (pv.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    m = _meta(claim)
    if ref.get("name") != m.get("name") or (ref.get("namespace") or "") != (m.get("namespace") or ""):
        return False
    return not ref.get("uid") or ref.get("uid") == m.get("uid")


def _modes_ok(claim: dict, pv: dict) -> bool:
    want = set((claim.get("spec") or {}).get("accessModes") or ())
    return want <= set((pv.get("spec") or {}).get("accessModes") or ())


def _mode(obj) -> str:
    return (obj.get("spec") or {}).get("volumeMode") or "Filesystem"


def selector_ok(claim: dict, pv: dict) -> bool:
    sel = (claim.get("spec") or {}).get("selector")
    if not sel:
        return True
    from pykubectl.api.selectors import from_label_selector
    return from_label_selector(sel).matches(_meta(pv).get("labels") or {})


def node_fits(pv: dict, node: dict | None) -> bool:
    """The volume's nodeAffinity admits the node (no node: not yet known, fits)."""
    req = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required"))
    if not req or node is None:
        return True
    from pykubectl.api.selectors import node_selector_matches
    return node_selector_matches(req, node)


def find_best_match(claim: dict, volumes: list[dict], node: dict | None = None,
                    delay_binding: bool = False) -> dict | None:
    """findMatchingVolume: a volume pre-bound to the claim, else the smallest fitting one."""
    want = requested(claim)
    cls = claim_class(claim)
    # kubectl's index walks access-mode sets from the fewest modes up: among equal sizes the
    # volume with fewer extra modes wins
    candidates = sorted(volumes, key=lambda v: (len((v.get("spec") or {}).get("accessModes") or ()),))
    best = None
    for pv in candidates:
        if _meta(pv).get("deletionTimestamp") or not _modes_ok(claim, pv):
            continue
        if capacity(pv) < want or _mode(pv) != _mode(claim):
            continue
        if bound_to(pv, claim):
            if node_fits(pv, node):
                return pv
            continue
        if node is None and delay_binding:
            continue
        if (pv.get("spec") or {}).get("claimRef"):
            continue
        if (pv.get("status") or {}).get("phase", "Available") not in ("Available", "Pending"):
            continue
        if not selector_ok(claim, pv) or volume_class(pv) != cls or not node_fits(pv, node):
            continue
        if best is None or capacity(pv) < capacity(best):
            best = pv
    return best


def volume_fits(claim: dict, pv: dict) -> str | None:
    """checkVolumeSatisfyClaim for a claim that names its volume: None, or why not."""
    if capacity(pv) < requested(claim):
        return "requested PV is too small"
    if volume_class(pv) != claim_class(claim):
        return "storageClassName does not match"
    if _mode(pv) != _mode(claim):
        return "incompatible volumeMode"
    if not _modes_ok(claim, pv):
        return "incompatible accessMode"
    return None


def claim_ref(claim: dict) -> dict:
    m = _meta(claim)
    return {"kind": "PersistentVolumeClaim", "namespace": m.get("namespace", ""), "name": m["name"],
            "uid": m.get("uid", ""), "apiVersion": "v1", "resourceVersion": m.get("resourceVersion", "")}


def volume_phase(pv: dict, claim: dict | None) -> str:
    """syncVolume's verdict: Available (no claimRef, or pre-bound to a claim not yet there),
    Bound (its claim exists), Released (its claim is gone); Failed stays Failed."""
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    ref = spec.get("claimRef")
    if status.get("phase") == "Failed":
        return "Failed"
    if not ref:
        return "Available"
    if claim is None or (ref.get("uid") and _meta(claim).get("uid") != ref.get("uid")):
        # a pre-bound ref without a uid waits for its claim
        return "Available" if not ref.get("uid") else "Released"
    return "Bound"
