"""A custom resource against its CRD version's structural schema, as the apiextensions-apiserver does it.

Four steps, all pure, on the decoded object (a dict):

- `prune`: drop fields the schema does not declare (k8s.io/apiextensions-apiserver
  pkg/apiserver/schema/pruning), returning their paths (`spec.foo`, `spec.items[0].x`), which
  become `unknown field "spec.foo"` strict errors, warnings, or nothing by fieldValidation.
  `x-kubernetes-preserve-unknown-fields: true` keeps a level's undeclared fields;
  `x-kubernetes-embedded-resource` keeps apiVersion/kind/metadata as at the root.
- `default`: schema `default:`s and the pruning of nulls a non-nullable field cannot hold
  (pkg/apiserver/schema/defaulting), on every decode (request bodies and reads from storage).
- `validate`: kube-openapi's schema validator as ValidateCustomResource runs it, with its field
  paths (`spec.items.0.name`: items are `.N` there) and its messages turned into field errors
  the way kubeOpenAPIResultToFieldErrors does.
- `cel_rules`: `x-kubernetes-validations` are not evaluated here; the caller warns with them.

Not modelled: formats other than int-or-string, multipleOf, uniqueItems, min/maxProperties,
allOf/anyOf/oneOf/not, list-type (set/map) uniqueness, and CEL itself.
"""
from __future__ import annotations

import copy
import re

from pykubectl.api.errors import FieldError

_META_FIELDS = ("apiVersion", "kind", "metadata")


def version_schema(crd: dict, version: str) -> dict | None:
    """`schema.openAPIV3Schema` of the CRD's `version` (v1 per-version, or the v1beta1 top-level one)."""
    spec = crd.get("spec") or {}
    for v in spec.get("versions") or ():
        if v.get("name") == version:
            s = (v.get("schema") or spec.get("validation") or {}).get("openAPIV3Schema")
            return s if isinstance(s, dict) else None
    return None


def _props(s: dict | None) -> dict:
    p = (s or {}).get("properties")
    return p if isinstance(p, dict) else {}


def _additional(s: dict | None) -> dict | None:
    ap = (s or {}).get("additionalProperties")
    return ap if isinstance(ap, dict) else None


def _items(s: dict | None) -> dict | None:
    it = (s or {}).get("items")
    return it if isinstance(it, dict) else None


# =============================================================================================
# Pruning
# =============================================================================================

def prune(obj, schema: dict | None, *, root: bool = True) -> list[str]:
    """Delete undeclared fields from `obj` in place; return their paths in the pruner's spelling."""
    if root:
        schema = dict(schema or {}, **{"x-kubernetes-embedded-resource": True})
    out: list[str] = []
    _prune(obj, schema, "", out)
    return out


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _prune(x, s: dict | None, path: str, out: list[str]) -> None:
    # pruning.go prune(): a nil schema drops every field below it; preserve-unknown-fields
    # (skipPrune) keeps undeclared fields but still prunes inside declared ones
    preserve = bool(s and s.get("x-kubernetes-preserve-unknown-fields"))
    if isinstance(x, dict):
        if s is None:
            for k in list(x):
                out.append(_join(path, k))
                del x[k]
            return
        embedded = s.get("x-kubernetes-embedded-resource")
        props, ap = _props(s), _additional(s)
        for k in list(x):
            if embedded and k in _META_FIELDS:
                continue
            if k in props:
                _prune(x[k], props[k], _join(path, k), out)
            elif ap is not None:
                _prune(x[k], ap, _join(path, k), out)
            elif not preserve:
                out.append(_join(path, k))
                del x[k]
    elif isinstance(x, list):
        item = _items(s)
        if s is not None and preserve and item is None:
            return
        for i, v in enumerate(x):
            _prune(v, item, f"{path}[{i}]", out)


# =============================================================================================
# Defaulting
# =============================================================================================

def default(obj, schema: dict | None) -> None:
    """Drop nulls that a non-nullable field without a default cannot hold, then fill `default:`s."""
    _prune_nulls(obj, schema)
    _default(obj, schema)


def _child(s: dict | None, k: str) -> dict | None:
    props = _props(s)
    return props[k] if k in props else _additional(s)


def _prune_nulls(x, s: dict | None) -> None:
    if s is None:
        return
    if isinstance(x, dict):
        for k in list(x):
            c = _child(s, k)
            if c is None:
                continue
            if x[k] is None and not c.get("nullable") and "default" not in c:
                del x[k]
            else:
                _prune_nulls(x[k], c)
    elif isinstance(x, list):
        for v in x:
            _prune_nulls(v, _items(s))


def _default(x, s: dict | None) -> None:
    # defaulting/algorithm.go Default(): a property's default fills a missing key (or a null
    # the field cannot hold); then the walk descends, so defaults inside defaults apply too
    if s is None:
        return
    if isinstance(x, dict):
        for k, p in _props(s).items():
            if not isinstance(p, dict) or "default" not in p or p["default"] is None:
                continue
            if k not in x or (x[k] is None and not p.get("nullable")):
                x[k] = copy.deepcopy(p["default"])
        for k, v in x.items():
            _default(v, _child(s, k))
    elif isinstance(x, list):
        for v in x:
            _default(v, _items(s))


# =============================================================================================
# Validation (kube-openapi pkg/validation/validate + kubeOpenAPIResultToFieldErrors)
# =============================================================================================

def _types(s: dict) -> list[str]:
    if s.get("x-kubernetes-int-or-string"):
        return ["integer", "string"]   # ConvertJSONSchemaProps: type [integer, string]
    t = s.get("type")
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return [t] if isinstance(t, str) and t else []


def _json_type(v) -> str:
    """kube-openapi's schemaInfoForType for a decoded JSON value."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "string"


def _gofmt(n) -> str:
    """Go's %v of a float64 bound (`1`, `1.5`, `1e+21`)."""
    if isinstance(n, bool):
        return "true" if n else "false"
    if isinstance(n, float) and n.is_integer() and abs(n) < 1e21:
        return str(int(n))
    return str(n)


def validate(obj, schema: dict | None) -> list[FieldError]:
    """The field errors of `obj` (already pruned and defaulted) against the schema."""
    errs: list[FieldError] = []
    if isinstance(schema, dict):
        _validate(obj, schema, "", errs, root=True)
    return errs


def _invalid(path: str, value, msg: str) -> FieldError:
    return FieldError("Invalid value", path, f"{path or '.'} in body {msg}", value, True)


def _validate(v, s: dict, path: str, errs: list[FieldError], root=False) -> None:
    types = _types(s)
    jt = _json_type(v)
    if v is None:
        if types and "null" not in types and not s.get("nullable"):
            errs.append(_invalid(path, "null", f"must be of type {','.join(types)}: \"null\""))
        return
    if types:
        ok = (jt in types or (jt == "integer" and "number" in types)
              or (jt == "number" and "integer" in types and float(v).is_integer()))
        if not ok:
            errs.append(_invalid(path, jt, f"must be of type {','.join(types)}: \"{jt}\""))
            return
    if "enum" in s and isinstance(s["enum"], list) and not any(_equal(v, e) for e in s["enum"]):
        from pykubectl.api.validation import not_supported
        import json
        errs.append(not_supported(path, v, [e if isinstance(e, str) else json.dumps(e) for e in s["enum"]]))
    if jt == "string":
        _validate_string(v, s, path, errs)
    elif jt in ("integer", "number"):
        _validate_number(v, s, path, errs)
    elif jt == "array":
        _validate_array(v, s, path, errs)
    elif jt == "object":
        _validate_object(v, s, path, errs, root)


def _equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def _validate_string(v: str, s: dict, path: str, errs) -> None:
    n = len(v)    # go-openapi counts runes (utf8.RuneCountInString)
    if isinstance(s.get("maxLength"), int) and n > s["maxLength"]:
        from pykubectl.api.validation import too_long
        errs.append(too_long(path, s["maxLength"]))
    if isinstance(s.get("minLength"), int) and n < s["minLength"]:
        errs.append(_invalid(path, v, f"should be at least {s['minLength']} chars long"))
    pat = s.get("pattern")
    if isinstance(pat, str):
        try:
            if re.search(pat, v) is None:
                errs.append(_invalid(path, v, f"should match '{pat}'"))
        except re.error:
            pass    # the CRD's own validation refuses patterns Go cannot compile


def _validate_number(v, s: dict, path: str, errs) -> None:
    mx, mn = s.get("maximum"), s.get("minimum")
    if isinstance(mx, (int, float)) and not isinstance(mx, bool):
        if s.get("exclusiveMaximum") and v >= mx:
            errs.append(_invalid(path, v, f"should be less than {_gofmt(float(mx))}"))
        elif not s.get("exclusiveMaximum") and v > mx:
            errs.append(_invalid(path, v, f"should be less than or equal to {_gofmt(float(mx))}"))
    if isinstance(mn, (int, float)) and not isinstance(mn, bool):
        if s.get("exclusiveMinimum") and v <= mn:
            errs.append(_invalid(path, v, f"should be greater than {_gofmt(float(mn))}"))
        elif not s.get("exclusiveMinimum") and v < mn:
            errs.append(_invalid(path, v, f"should be greater than or equal to {_gofmt(float(mn))}"))


def _validate_array(v: list, s: dict, path: str, errs) -> None:
    n = len(v)
    if isinstance(s.get("maxItems"), int) and n > s["maxItems"]:
        mx = s["maxItems"]
        errs.append(FieldError("Too many", path, f"must have at most {mx} item{'' if mx == 1 else 's'}", n, True))
    if isinstance(s.get("minItems"), int) and n < s["minItems"]:
        errs.append(_invalid(path, n, f"should have at least {s['minItems']} items"))
    item = _items(s)
    if item is not None:
        for i, x in enumerate(v):
            _validate(x, item, f"{path}.{i}" if path else str(i), errs)


def _validate_object(v: dict, s: dict, path: str, errs, root: bool) -> None:
    # kube-openapi's objectValidator: the properties first (in Go map order there, the
    # object's order here), then the required ones that are missing
    props, ap = _props(s), _additional(s)
    for k, x in v.items():
        if (root or s.get("x-kubernetes-embedded-resource")) and k == "metadata":
            continue    # ObjectMeta is validated by the apiserver's own rules, not the schema
        c = props.get(k) if k in props else ap
        if isinstance(c, dict):
            _validate(x, c, _join(path, k), errs)
    for k in s.get("required") or ():
        if k not in v:
            errs.append(FieldError("Required value", _join(path, k)))


# =============================================================================================
# CEL rules (not evaluated)
# =============================================================================================

def cel_rules(schema: dict | None, path: str = "") -> list[tuple[str, str]]:
    """(field path, rule) of every `x-kubernetes-validations` entry in the schema."""
    out: list[tuple[str, str]] = []
    if not isinstance(schema, dict):
        return out
    for r in schema.get("x-kubernetes-validations") or ():
        if isinstance(r, dict) and r.get("rule"):
            out.append((path or "<root>", r["rule"]))
    for k, p in _props(schema).items():
        out += cel_rules(p, _join(path, k))
    if _additional(schema) is not None:
        out += cel_rules(_additional(schema), f"{path}[*]" if path else "[*]")
    if _items(schema) is not None:
        out += cel_rules(_items(schema), f"{path}[*]" if path else "[*]")
    return out


def cel_warning(schema: dict | None) -> str | None:
    """One warning naming the CEL rules this write is not checked against, or None."""
    rules = cel_rules(schema)
    if not rules:
        return None
    named = ", ".join(f"{p}: {r!r}" for p, r in rules)
    return f"x-kubernetes-validations are not enforced by pykubectl (CEL is not modelled): {named}"


# =============================================================================================
# The decode step a write goes through
# =============================================================================================

def decode(obj: dict, schema: dict | None, mode: str, *, strict=()) -> list[str]:
    """Prune and default `obj` in place as the CR decoder does; return the warnings.

    `strict` are the strict errors already found in metadata (`unknown field "metadata.foo"`).
    Under `Strict` these and the undeclared fields are a 400 BadRequest (`strict decoding error:
    unknown field "spec.foo"`); under `Warn` each is a warning; under `Ignore` they vanish silently.
    """
    unknown = list(strict) + [f'unknown field "{p}"' for p in prune(obj, schema)]
    warnings: list[str] = []
    if unknown and mode == "Strict":
        from pykubectl.api.validation import _decode_failure
        raise _decode_failure(obj, "strict decoding error: " + ", ".join(unknown))
    if mode == "Warn":
        warnings += unknown
    default(obj, schema)
    cel = cel_warning(schema)
    if cel:
        warnings.append(cel)
    return warnings


def undeclared_for_apply(obj: dict, schema: dict | None) -> list[str]:
    """Undeclared fields of a server-side apply body, in structured-merge-diff's spelling
    (`.spec.foo`): its typed conversion refuses them whatever fieldValidation says."""
    return ["." + p for p in prune(copy.deepcopy(obj), schema)]


def apply_error(kind, ns: str, name: str, paths: list[str]):
    """The 500 the apiserver answers for an apply body with undeclared fields: the typed
    conversion's plain error, which has no Status reason (kubernetes/kubernetes#122480)."""
    from pykubectl.api.errors import StatusError
    where = f"{ns if kind.namespaced else ''}/{name}"
    gvk = f"{kind.group}/{kind.version}, Kind={kind.kind}"
    errs = [f"{p}: field not declared in schema" for p in paths]
    body = errs[0] if len(errs) == 1 else "\n".join(["errors:"] + ["  " + e for e in errs])
    return StatusError(500, "", f"failed to create typed patch object ({where}; {gvk}): {body}")
