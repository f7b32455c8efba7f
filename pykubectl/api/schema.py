"""The official Kubernetes v1.32 OpenAPI definitions, read from `kubernetes-validate`'s data.

One source of truth for the API's shape: validation, patch strategies and merge keys, `explain`
and the served OpenAPI all read these definitions. The package's data files are located without
importing the package itself (its module imports jsonschema, which the CLI must not pay for).
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os

K8S_VERSION = "v1.32.0"


def _data_dir() -> str:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("kubernetes-validate is not installed")
    base = list(spec.submodule_search_locations)[0]
    return os.path.join(base, "kubernetes-json-schema", f"{K8S_VERSION}-local")


@functools.lru_cache(maxsize=1)
def definitions() -> dict:
    """All definitions, keyed by their OpenAPI name (`io.k8s.api.core.v1.Pod`)."""
    with open(os.path.join(_data_dir(), "_definitions.json"), "rb") as f:
        return json.load(f)["$defs"]


@functools.lru_cache(maxsize=1)
def _gvk_index() -> dict:
    idx = {}
    for name, d in definitions().items():
        for gvk in d.get("x-kubernetes-group-version-kind") or ():
            key = (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
            # prefer the definition named after the kind (not e.g. DeleteOptions listed under every group)
            if key not in idx or name.rsplit(".", 1)[-1] == key[2]:
                idx[key] = name
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
            schema = definitions().get(ref_name(schema["$ref"]))
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
    return definitions().get(name) if name else None


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
