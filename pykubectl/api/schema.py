"""The official Kubernetes v1.32 OpenAPI definitions, read from `kubernetes-validate`'s data.

One source of truth for the API's shape: validation, patch strategies and merge keys, `explain`
and the served OpenAPI all read these definitions. The package's data files are located without
importing the package itself (its module imports jsonschema, which the CLI must not pay for).
A write needs only its kind's slice of them, cached as marshal under the data home.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import marshal
import os

K8S_VERSION = "v1.32.0"


def _data_dir() -> str:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("kubernetes-validate is not installed")
    base = list(spec.submodule_search_locations)[0]
    return os.path.join(base, "kubernetes-json-schema", f"{K8S_VERSION}-local")


# Definitions loaded so far, by name: a kind's slice (its definition and every one it reaches
# through $ref) or, once something needed it, the whole file.
_loaded: dict = {}
_sliced: set = set()   # kinds whose whole slice is in _loaded
_full = False


@functools.lru_cache(maxsize=1)
def definitions() -> dict:
    """All definitions, keyed by their OpenAPI name (`io.k8s.api.core.v1.Pod`)."""
    global _full
    defs = _cache_read("all.marshal")
    if not isinstance(defs, dict):
        with open(_definitions_path(), "rb") as f:
            defs = json.load(f)["$defs"]
        _cache_write("all.marshal", defs)
    _loaded.update(defs)
    _full = True
    return defs


def definition(name: str) -> dict | None:
    """One definition by name, from the slices already loaded before the whole file."""
    d = _loaded.get(name)
    if d is None and not _full:
        d = definitions().get(name)
    return d


def _definitions_path() -> str:
    return os.path.join(_data_dir(), "_definitions.json")


# -- the per-kind cache ---------------------------------------------------------------------
# Parsing the 1.3 MB definitions costs ~20 ms, paid by every write (validation, patch strategies,
# managedFields all need the kind's schema). A kind's slice (~120 definitions for a Pod) is written
# once as marshal, which loads in ~1 ms, under the data home; a missing or unwritable cache only
# means falling back to the file.

def _cache_dir() -> str | None:
    try:
        st = os.stat(_definitions_path())
    except (OSError, RuntimeError):
        return None
    from pykubectl.sim.clusters import data_home
    # the stamp changes with the package's data file and with marshal's format
    stamp = f"{K8S_VERSION}-{st.st_size}-{st.st_mtime_ns}-m{marshal.version}"
    return os.path.join(data_home(), "cache", f"schema-{stamp}")


def _cache_read(name: str):
    d = _cache_dir()
    if d is None:
        return None
    try:
        with open(os.path.join(d, name), "rb") as f:
            return marshal.loads(f.read())  # 7x faster than marshal.load(f), which reads piecemeal
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _cache_write(name: str, value, only_if_missing: bool = False) -> None:
    d = _cache_dir()
    if d is None or (only_if_missing and os.path.exists(os.path.join(d, name))):
        return
    try:
        os.makedirs(os.path.dirname(d), mode=0o700, exist_ok=True)  # private like the data home
        if not os.path.isdir(d):
            os.makedirs(d, mode=0o700, exist_ok=True)
            _prune_other_caches(d)
        tmp = os.path.join(d, f".{name}.{os.getpid()}")
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            marshal.dump(value, f)
        os.replace(tmp, os.path.join(d, name))  # atomic: concurrent commands never read half a file
    except OSError:
        pass


def _prune_other_caches(keep: str) -> None:
    """Another version's (or data file's) cache folders: an upgrade leaves them unread."""
    import shutil
    root = os.path.dirname(keep)
    for entry in os.listdir(root):
        path = os.path.join(root, entry)
        if entry.startswith("schema-") and path != keep:
            shutil.rmtree(path, ignore_errors=True)


def _closure(name: str) -> dict:
    """The definition `name` and every definition it reaches through $ref."""
    defs = definitions()
    out: dict = {}
    todo = [name]
    while todo:
        n = todo.pop()
        if n in out or n not in defs:
            continue
        out[n] = defs[n]
        stack = [defs[n]]
        while stack:
            x = stack.pop()
            if isinstance(x, dict):
                ref = x.get("$ref")
                if isinstance(ref, str):
                    todo.append(ref_name(ref))
                stack.extend(v for v in x.values() if isinstance(v, (dict, list)))
            elif isinstance(x, list):
                stack.extend(v for v in x if isinstance(v, (dict, list)))
    return out


def _load_slice(name: str) -> None:
    if name in _sliced:
        return
    part = None if _full else _cache_read(f"kind-{name}.marshal")
    if not isinstance(part, dict) or name not in part:
        part = _closure(name)
        _cache_write(f"kind-{name}.marshal", part, only_if_missing=_full)
    for k, v in part.items():
        _loaded.setdefault(k, v)
    _sliced.add(name)


def _build_gvk_index() -> dict:
    idx = {}
    for name, d in definitions().items():
        for gvk in d.get("x-kubernetes-group-version-kind") or ():
            key = (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
            # prefer the definition named after the kind (not e.g. DeleteOptions listed under every group)
            if key not in idx or name.rsplit(".", 1)[-1] == key[2]:
                idx[key] = name
    return idx


@functools.lru_cache(maxsize=1)
def _gvk_index() -> dict:
    idx = _cache_read("gvk-index.marshal")
    if not isinstance(idx, dict):
        idx = _build_gvk_index()
        _cache_write("gvk-index.marshal", idx)
    return idx


def definition_name(group: str, version: str, kind: str) -> str | None:
    """OpenAPI name of the top-level definition for a group/version/kind, or None."""
    return _gvk_index().get((group, version, kind))


def ref_name(ref: str) -> str:
    """`#/$defs/io.k8s.api.core.v1.Container` -> `io.k8s.api.core.v1.Container`."""
    return ref.rsplit("/", 1)[-1]


def resolve(schema: dict | None) -> dict | None:
    """Follow `$ref` (also wrapped in allOf) to the definition it names."""
    seen = 0
    while schema is not None and seen < 10:
        seen += 1
        if "$ref" in schema:
            schema = definition(ref_name(schema["$ref"]))
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema
    return schema


def field_schema(schema: dict | None, field: str) -> dict | None:
    """The (resolved) schema of `field` inside an object schema, or None when unknown."""
    schema = resolve(schema)
    if not schema:
        return None
    props = schema.get("properties") or {}
    if field in props:
        return resolve(props[field]) if "$ref" in props[field] else props[field]
    ap = schema.get("additionalProperties")
    if isinstance(ap, dict):
        return resolve(ap) if "$ref" in ap else ap
    return None


def items_schema(schema: dict | None) -> dict | None:
    schema = resolve(schema)
    if not schema:
        return None
    it = schema.get("items")
    if isinstance(it, dict):
        return resolve(it) if "$ref" in it else it
    return None


def patch_meta(schema: dict | None) -> tuple[str, str]:
    """(patch strategy, merge key) of a field's schema: ('merge', 'name') for containers."""
    if not schema:
        return "", ""
    return (schema.get("x-kubernetes-patch-strategy", ""), schema.get("x-kubernetes-patch-merge-key", ""))


def kind_schema(group: str, version: str, kind: str) -> dict | None:
    name = definition_name(group, version, kind)
    if not name:
        return None
    _load_slice(name)
    return _loaded.get(name)


def property_raw(schema: dict | None, field: str) -> dict | None:
    """A property's own schema, unresolved: where x-kubernetes-patch-* annotations live."""
    schema = resolve(schema)
    if not schema:
        return None
    props = schema.get("properties") or {}
    if field in props:
        return props[field]
    ap = schema.get("additionalProperties")
    return ap if isinstance(ap, dict) else None
