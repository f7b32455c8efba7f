"""OpenAPI v3: the /openapi/v3 index and one document per built-in group-version, made from the
official v1.32 definitions. kubectl reads them to learn that PATCH takes `fieldValidation`
(server-side validation for apply/create) and for `explain`. Custom resources' group-versions
are left out of the index, so kubectl falls back to the Namespace document, as it does for a
CRD without a published schema."""
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


def _clean(o):
    # kubernetes-validate widens types to [t, "null"]; OpenAPI v3 documents name one type
    if isinstance(o, dict):
        out = {}
        for k, v in o.items():
            if k == "type" and isinstance(v, list):
                v = next((t for t in v if t != "null"), "string")
            out[k] = _clean(v)
        if "$ref" in out and len(out) > 1:
            # v3 documents wrap a described reference in allOf (kubectl explain follows it there)
            out = dict(out, allOf=[{"$ref": out.pop("$ref")}])
        return out
    if isinstance(o, list):
        return [_clean(x) for x in o]
    return o


@functools.lru_cache(maxsize=64)
def document(group: str, version: str) -> bytes:
    from pykubectl.api import schema
    from pykubectl.api.kinds import default_registry
    defs = schema.definitions()
    paths = {}
    wanted = []
    for k in default_registry().served_in(group, version):
        name = schema.definition_name(k.group, version, k.kind)
        if not name:
            continue
        wanted.append(name)
        prefix = "/" + _path(group, version)
        base = f"{prefix}/namespaces/{{namespace}}/{k.plural}" if k.namespaced else f"{prefix}/{k.plural}"
        gvk = {"group": k.group, "version": version, "kind": k.kind}
        ref = {"$ref": f"#/components/schemas/{name}"}
        ok = {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}}
        paths[base + "/{name}"] = {
            "get": {"operationId": f"read{k.kind}", "responses": ok, "x-kubernetes-action": "get",
                    "x-kubernetes-group-version-kind": gvk},
            "patch": {"operationId": f"patch{k.kind}", "parameters": _PARAMS, "responses": ok,
                      "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk},
        }
    # the definitions these kinds reach
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
    schemas = {n: _clean(defs[n]) for n in sorted(seen)}
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.4"},
           "paths": paths, "components": {"schemas": schemas}}
    return json.dumps(doc, separators=(",", ":")).replace('"#/$defs/', '"#/components/schemas/').encode()


def _hash(group: str, version: str) -> str:
    return hashlib.sha512(f"{group}/{version}/v1.32.4".encode()).hexdigest().upper()[:128]


def handle(ctx, req, parts):
    from pykubectl.server.routes import Response, json_response, not_found_page
    reg = ctx.server.registry_with_crds()
    gvs = _builtin_gvs(reg)
    if parts == ["openapi", "v3"]:
        return json_response({"paths": {_path(g, v): {"serverRelativeURL": f"/openapi/v3/{_path(g, v)}?hash={_hash(g, v)}"}
                                        for g, v in gvs}})
    if parts[:2] == ["openapi", "v3"]:
        rest = parts[2:]
        gv = None
        if len(rest) == 2 and rest[0] == "api":
            gv = ("", rest[1])
        elif len(rest) == 3 and rest[0] == "apis":
            gv = (rest[1], rest[2])
        if gv in gvs:
            return Response(200, document(*gv), "application/json",
                            [("Etag", f'"{_hash(*gv)}"')])
    return not_found_page()
