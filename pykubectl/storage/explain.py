"""`sim explain pvc/NAME`: how the PV controller judges each volume for a claim, in words.
Pure: the claim, volumes and classes in, text out."""
from __future__ import annotations

from pykubectl.storage import binding as b


def _size(obj_res: dict | None) -> str:
    return str((obj_res or {}).get("storage", "0"))


def verdict(claim: dict, pv: dict) -> str:
    """Why a volume is not a candidate for the claim, or "fits"."""
    spec = pv.get("spec") or {}
    if (pv.get("metadata") or {}).get("deletionTimestamp"):
        return "being deleted"
    if b.bound_to(pv, claim):
        return "pre-bound to this claim (claimRef)"
    ref = spec.get("claimRef")
    if ref:
        return f"claimed by {ref.get('namespace', '')}/{ref.get('name', '')}"
    phase = (pv.get("status") or {}).get("phase", "")
    if phase not in ("Available", "Pending", ""):
        return f"phase {phase}"
    if b.volume_class(pv) != b.claim_class(claim):
        return f'storageClassName "{b.volume_class(pv)}" is not the claim\'s "{b.claim_class(claim)}"'
    want = set((claim.get("spec") or {}).get("accessModes") or ())
    if not want <= set(spec.get("accessModes") or ()):
        return "access modes " + (",".join(spec.get("accessModes") or ()) or "<none>") + " lack " + ",".join(sorted(want))
    if (spec.get("volumeMode") or "Filesystem") != ((claim.get("spec") or {}).get("volumeMode") or "Filesystem"):
        return "volumeMode differs"
    if b.capacity(pv) < b.requested(claim):
        return f"too small ({_size(spec.get('capacity'))} < {_size(((claim.get('spec') or {}).get('resources') or {}).get('requests'))})"
    if not b.selector_ok(claim, pv):
        return "labels do not match the claim's selector"
    return "fits"


def explain_claim(claim: dict, volumes: list[dict], classes: list[dict]) -> str:
    m, spec = claim["metadata"], claim.get("spec") or {}
    cls = b.claim_class(claim)
    lines = [f"persistentvolumeclaim/{m['name']} in {m.get('namespace', '')}: "
             f"{(claim.get('status') or {}).get('phase', 'Pending')}, requests "
             f"{_size((spec.get('resources') or {}).get('requests'))} "
             f"{','.join(spec.get('accessModes') or ())} {spec.get('volumeMode') or 'Filesystem'}, "
             + (f'class "{cls}"' if cls else 'no class (binds only volumes without one)')]
    if spec.get("volumeName"):
        lines.append(f"  bound to (or names) volume {spec['volumeName']}")
    best = b.find_best_match(claim, volumes)
    for pv in sorted(volumes, key=lambda v: v["metadata"]["name"]):
        v = verdict(claim, pv)
        if best is not None and pv["metadata"]["name"] == best["metadata"]["name"] and not spec.get("volumeName"):
            v += ": chosen (pre-bound, else the smallest that fits)"
        lines.append(f"  {pv['metadata']['name']}: {v}")
    if not volumes:
        lines.append("  no PersistentVolumes exist")
    sc = next((c for c in classes if c["metadata"]["name"] == cls), None)
    if best is None and not spec.get("volumeName"):
        if not cls:
            lines.append("  no volume fits and no class is set: the claim stays Pending until one is created")
        elif sc is None:
            lines.append(f'  storageclass "{cls}" does not exist: nothing can provision it')
        else:
            mode = sc.get("volumeBindingMode") or "Immediate"
            lines.append(f"  no volume fits: class {cls} provisions one with {sc.get('provisioner')} ({mode}"
                         + (": waits for a pod using the claim to be scheduled" if mode == "WaitForFirstConsumer" else "")
                         + ")")
    return "\n".join(lines) + "\n"
