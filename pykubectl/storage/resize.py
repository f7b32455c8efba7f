"""Volume expansion rules: the PersistentVolumeClaimResize admission check and whether a bound
claim waits for an expansion (kube-controller-manager's volume_expand hands it to an external
resizer; the lab's NFS provisioner has none, so the claim keeps waiting)."""
from __future__ import annotations

from pykubectl.storage.binding import capacity, claim_class, requested, storage_bytes

FORBIDDEN = ("only dynamically provisioned pvc can be resized and "
             "the storageclass that provisions the pvc must support resize")


def resize_forbidden(old: dict, new: dict, get_class) -> str | None:
    """None when the update may pass, else the Forbidden message. Only growth is checked;
    `get_class(name) -> StorageClass | None`."""
    if requested(new) <= requested(old):
        return None
    cls_new, cls_old = claim_class(new), claim_class(old)
    if not cls_new or not cls_old or cls_new != cls_old:
        return FORBIDDEN
    sc = get_class(cls_new)
    if sc is None or not sc.get("allowVolumeExpansion"):
        return FORBIDDEN
    return None


def waiting_for_expansion(claim: dict, pv: dict | None) -> bool:
    """A bound claim asking for more than it has (and than its volume has)."""
    if pv is None or (claim.get("status") or {}).get("phase") != "Bound":
        return False
    have = storage_bytes((claim.get("status") or {}).get("capacity"))
    return requested(claim) > have and requested(claim) > capacity(pv)
