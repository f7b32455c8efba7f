"""The pods/ephemeralcontainers subresource (what `kubectl debug` patches): through it only
spec.ephemeralContainers changes, existing ephemeral containers are never removed or changed,
and a new one follows the rules of ValidatePodEphemeralContainersUpdate."""
from __future__ import annotations

import copy

from pykubectl.api.errors import FieldError

# Container fields an ephemeral container may not set (validateEphemeralContainers)
_FORBIDDEN = ("ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resources",
              "resizePolicy", "restartPolicy")


def merge_ephemeral(old: dict, new: dict) -> dict:
    """The stored pod with only the request's spec.ephemeralContainers taken."""
    out = copy.deepcopy(old)
    eph = (new.get("spec") or {}).get("ephemeralContainers")
    if eph:
        out.setdefault("spec", {})["ephemeralContainers"] = copy.deepcopy(eph)
    else:
        out.get("spec", {}).pop("ephemeralContainers", None)
    return out


def validate_ephemeral_update(new: dict, old: dict) -> list[FieldError]:
    path = "spec.ephemeralContainers"
    spec, ospec = new.get("spec") or {}, old.get("spec") or {}
    eph = spec.get("ephemeralContainers") or []
    before = {c.get("name"): c for c in ospec.get("ephemeralContainers") or ()}
    now = {c.get("name"): c for c in eph}
    errs = []
    for name, c in before.items():
        if name not in now:
            errs.append(FieldError("Forbidden", path, f'existing ephemeral containers "{name}" may not be removed\n'))
        elif now[name] != c:
            errs.append(FieldError("Forbidden", path, f'existing ephemeral containers "{name}" may not be changed\n'))
    if errs:
        return errs
    regular = [c.get("name") for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])]
    seen = set(regular)
    for i, c in enumerate(eph):
        at = f"{path}[{i}]"
        name = c.get("name")
        if name in before:
            seen.add(name)
            continue
        if not name:
            errs.append(FieldError("Required value", f"{at}.name"))
        elif name in seen:
            errs.append(FieldError("Duplicate value", f"{at}.name", value=name, has_value=True))
        seen.add(name)
        if not c.get("image"):
            errs.append(FieldError("Required value", f"{at}.image"))
        for f in _FORBIDDEN:
            if c.get(f):
                errs.append(FieldError("Forbidden", f"{at}.{f}", "cannot be set for an Ephemeral Container"))
        target = c.get("targetContainerName")
        if target and target not in regular:
            errs.append(FieldError("Not found", f"{at}.targetContainerName", value=target, has_value=True))
    return errs
