"""OpenAPI v3: the /openapi/v3 index and one document per group-version. Built-in ones are made
from the official v1.32 definitions; a custom resource's from its CRD's openAPIV3Schema, as the
apiextensions-apiserver's builder makes them (ObjectMeta and TypeMeta spliced in, a List schema,
`x-kubernetes-group-version-kind`). kubectl reads them to learn that PATCH takes
`fieldValidation` (server-side validation for apply/create) and for `explain`."""
from __future__ import annotations

import functools
import hashlib
import json

_REF = '"$ref": "#/$defs/'
_PARAMS = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
           for n in ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")]


def _path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _builtin_gvs(registry) -> list[tuple[str, str]]:
    out = []
    for group, versions in registry.groups():
        for v in versions:
            if any(not k.crd for k in registry.served_in(group, v)):
                out.append((group, v))
    return out


def _clean(o, names=False):
    # kubernetes-validate widens types to [t, "null"]; OpenAPI v3 documents name one type.
    # Under `properties` the keys are field names, not keywords (JSONSchemaProps has a `$ref`).
    if isinstance(o, dict):
        if names:
            return {k: _clean(v) for k, v in o.items()}
        out = {}
        for k, v in o.items():
            if k == "type" and isinstance(v, list):
                v = next((t for t in v if t != "null"), "string")
            out[k] = _clean(v, names=k in ("properties", "patternProperties"))
        if "$ref" in out and len(out) > 1:
            # v3 documents wrap a described reference in allOf (kubectl explain follows it there)
            out = dict(out, allOf=[{"$ref": out.pop("$ref")}])
        return out
    if isinstance(o, list):
        return [_clean(x) for x in o]
    return o


def _object_paths(k, version: str, name: str) -> dict:
    """The get and patch operations of one kind's object path (what kubectl looks for)."""
    prefix = "/" + _path(k.group, version)
    base = f"{prefix}/namespaces/{{namespace}}/{k.plural}" if k.namespaced else f"{prefix}/{k.plural}"
    gvk = {"group": k.group, "version": version, "kind": k.kind}
    ref = {"$ref": f"#/components/schemas/{name}"}
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}}
    return {base + "/{name}": {
        "get": {"operationId": f"read{k.kind}", "responses": ok, "x-kubernetes-action": "get",
                "x-kubernetes-group-version-kind": gvk},
        "patch": {"operationId": f"patch{k.kind}", "parameters": _PARAMS, "responses": ok,
                  "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk},
    }}


def _reachable(defs: dict, wanted) -> set:
    """The names of the definitions `wanted` reach through $ref."""
    seen, todo = set(), list(wanted)
    while todo:
        n = todo.pop()
        if n in seen or n not in defs:
            continue
        seen.add(n)
        text = json.dumps(defs[n])
        i = 0
        while True:
            i = text.find(_REF, i)
            if i < 0:
                break
            j = text.index('"', i + len(_REF))
            todo.append(text[i + len(_REF):j])
            i = j
    return seen


def _dumps(doc: dict) -> bytes:
    return json.dumps(doc, separators=(",", ":")).replace('"#/$defs/', '"#/components/schemas/').encode()


@functools.lru_cache(maxsize=64)
def document(group: str, version: str) -> bytes:
    from pykubectl.api import schema
    from pykubectl.api.kinds import default_registry
    defs = schema.definitions()
    paths = {}
    wanted = []
    for k in default_registry().served_in(group, version):
        name = schema.definition_name(k.group, version, k.kind)
        if name:
            wanted.append(name)
            paths.update(_object_paths(k, version, name))
    schemas = {n: _clean(defs[n]) for n in sorted(_reachable(defs, wanted))}
    return _dumps({"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.4"},
                   "paths": paths, "components": {"schemas": schemas}})


# -- custom resources ------------------------------------------------------------------

_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_OBJECT_META_DOC = ("Standard object's metadata. More info: "
                    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
_LIST_META_DOC = ("Standard list metadata. More info: "
                  "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")
_TYPE_META = {
    "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
                   "type": "string"},
    "kind": {"description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
             "type": "string"},
}

# the builder's own wording for an embedded object's type fields
_EMBEDDED_TYPE_META = {
    "apiVersion": {"description": "apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
                   "type": "string"},
    "kind": {"description": "kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
             "type": "string"},
}


def rest_friendly_name(group: str, version: str, kind: str) -> str:
    """kube-openapi's ToRESTFriendlyName: the group's DNS labels reversed, `org.example.v1.Widget`."""
    return ".".join(list(reversed(group.split("."))) + [version, kind])


def _meta_ref(name: str, doc: str) -> dict:
    return {"allOf": [{"$ref": f"#/$defs/{_META}{name}"}], "default": {}, "description": doc}


def _embedded(s):
    # x-kubernetes-embedded-resource: a whole object inside (apiVersion, kind and metadata added)
    if isinstance(s, dict):
        out = {k: _embedded(v) if k in ("items", "additionalProperties") else v for k, v in s.items()}
        if isinstance(s.get("properties"), dict):
            out["properties"] = {k: _embedded(v) for k, v in s["properties"].items()}
        if s.get("x-kubernetes-embedded-resource") is True:
            props = dict(out.get("properties") or {})
            props.update(_EMBEDDED_TYPE_META)
            props["metadata"] = _meta_ref("ObjectMeta", _OBJECT_META_DOC)
            out["properties"] = props
            out["required"] = list(out.get("required") or []) + [
                f for f in ("kind", "apiVersion") if f not in (out.get("required") or [])]
        return out
    return s


def crd_schema(crd: dict, version: str) -> tuple[str, dict, str, dict]:
    """(name, schema, list name, list schema) of one CRD version, as the builder makes them."""
    spec = crd.get("spec") or {}
    group, names = spec.get("group", ""), spec.get("names") or {}
    kind, plural = names.get("kind", ""), names.get("plural", "")
    list_kind = names.get("listKind") or kind + "List"
    raw = None
    for v in spec.get("versions") or ():
        if v.get("name") == version:
            raw = ((v.get("schema") or {}).get("openAPIV3Schema"))
    raw = raw or ((spec.get("validation") or {}).get("openAPIV3Schema"))
    gvk = {"group": group, "version": version, "kind": kind}
    if raw:
        s = _embedded(json.loads(json.dumps(raw)))
        props = dict(s.get("properties") or {})
        props["metadata"] = _meta_ref("ObjectMeta", _OBJECT_META_DOC)
        props.update(_TYPE_META)
        s["properties"] = props
    else:
        s = {"type": "object"}
    s["x-kubernetes-group-version-kind"] = [gvk]
    name = rest_friendly_name(group, version, kind)
    lst = {"description": f"{list_kind} is a list of {kind}", "required": ["items"],
           "properties": {
               "items": {"type": "array", "items": {"$ref": f"#/$defs/{name}"},
                         "description": f"List of {plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"},
               "metadata": _meta_ref("ListMeta", _LIST_META_DOC), **_TYPE_META},
           "type": "object",
           "x-kubernetes-group-version-kind": [dict(gvk, kind=list_kind)]}
    return name, s, rest_friendly_name(group, version, list_kind), lst


_crd_docs: dict = {}   # (group, version, the CRDs' uids and resourceVersions) -> document bytes


def crd_document(crds: list, group: str, version: str) -> bytes:
    """The document of a custom group-version from the CRDs that serve it."""
    key = (group, version, tuple((c["metadata"].get("uid"), c["metadata"].get("resourceVersion")) for c in crds))
    doc = _crd_docs.get(key)
    if doc is not None:
        return doc
    from pykubectl.api import schema
    from pykubectl.api.kinds import kind_from_crd
    defs = schema.definitions()
    paths, schemas = {}, {}
    for crd in crds:
        k = kind_from_crd(crd)
        name, s, list_name, lst = crd_schema(crd, version)
        schemas[name], schemas[list_name] = s, lst
        paths.update(_object_paths(k, version, name))
    for n in _reachable(defs, [_META + "ObjectMeta", _META + "ListMeta", _META + "Status",
                               _META + "Patch", _META + "DeleteOptions"]):
        schemas[n] = _clean(defs[n])
    doc = _dumps({"openapi": "3.0.0", "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
                  "paths": paths, "components": {"schemas": dict(sorted(schemas.items()))}})
    if len(_crd_docs) > 64:
        _crd_docs.clear()
    _crd_docs[key] = doc
    return doc


def _hash(group: str, version: str) -> str:
    return _digest(f"{group}/{version}/v1.32.4".encode())


def _digest(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest().upper()[:128]


def _crds_by_gv(ctx) -> dict:
    """(group, version) -> the CRDs serving it, from the store."""
    with ctx.cluster.store.read() as t:
        crds = t.list("apiextensions.k8s.io", "customresourcedefinitions")
    out: dict = {}
    for crd in crds:
        spec = crd.get("spec") or {}
        for v in spec.get("versions") or ():
            if v.get("served"):
                out.setdefault((spec.get("group", ""), v["name"]), []).append(crd)
    return out


def handle(ctx, req, parts):
    from pykubectl.server.routes import Response, json_response, not_found_page
    reg = ctx.server.registry_with_crds()
    gvs = _builtin_gvs(reg)
    if parts[:2] != ["openapi", "v3"]:
        return not_found_page()
    custom = {gv: crds for gv, crds in _crds_by_gv(ctx).items() if gv not in gvs}
    if parts == ["openapi", "v3"]:
        index = {_path(g, v): f"/openapi/v3/{_path(g, v)}?hash={_hash(g, v)}" for g, v in gvs}
        for (g, v), crds in custom.items():
            index[_path(g, v)] = f"/openapi/v3/{_path(g, v)}?hash={_digest(crd_document(crds, g, v))}"
        return json_response({"paths": {p: {"serverRelativeURL": u} for p, u in sorted(index.items())}})
    rest = parts[2:]
    gv = None
    if len(rest) == 2 and rest[0] == "api":
        gv = ("", rest[1])
    elif len(rest) == 3 and rest[0] == "apis":
        gv = (rest[1], rest[2])
    if gv in gvs:
        return Response(200, document(*gv), "application/json", [("Etag", f'"{_hash(*gv)}"')])
    if gv in custom:
        doc = crd_document(custom[gv], *gv)
        return Response(200, doc, "application/json", [("Etag", f'"{_digest(doc)}"')])
    return not_found_page()
