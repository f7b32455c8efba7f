"""Discovery documents from the kinds registry (built-ins plus the cluster's CRDs): the legacy
/api, /apis, /api/v1, /apis/<g>/<v> and the aggregated v2 lists kubectl 1.32 asks for first."""
from __future__ import annotations

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.4",
    "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335", "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:02:27Z", "goVersion": "go1.23.6", "compiler": "gc",
    "platform": "linux/amd64",
}

_GET_PATCH_UPDATE = ("get", "patch", "update")
_CONNECT = ("create", "delete", "get", "patch", "update")


def _subresource(kind, sub: str, version: str) -> tuple[str, str, str, tuple]:
    """(group, version, kind, verbs) a subresource answers with in `version`, as the apiserver
    reports it."""
    same = (kind.group, version, kind.kind)
    table = {
        "status": same + (_GET_PATCH_UPDATE,),
        "scale": ("autoscaling", "v1", "Scale", _GET_PATCH_UPDATE),
        "log": ("", "v1", "Pod", ("get",)),
        "exec": ("", "v1", "PodExecOptions", ("create", "get")),
        "attach": ("", "v1", "PodAttachOptions", ("create", "get")),
        "portforward": ("", "v1", "PodPortForwardOptions", ("create", "get")),
        "binding": ("", "v1", "Binding", ("create",)),
        "eviction": ("policy", "v1", "Eviction", ("create",)),
        "ephemeralcontainers": same + (_GET_PATCH_UPDATE,),
        "finalize": ("", "v1", "Namespace", ("update",)),
        "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
        "approval": same + (_GET_PATCH_UPDATE,),
        "proxy": ("", "v1", f"{kind.kind}ProxyOptions", _CONNECT),
    }
    return table.get(sub, same + (_GET_PATCH_UPDATE,))


def version_doc() -> dict:
    return dict(VERSION)


def api_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "192.168.0.100:6443"}]}


def _gv(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def api_group_list(registry) -> dict:
    groups = []
    for group, versions in registry.groups():
        if not group:
            continue
        vs = [{"groupVersion": _gv(group, v), "version": v} for v in versions]
        groups.append({"name": group, "versions": vs, "preferredVersion": vs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry, group: str) -> dict | None:
    for g, versions in registry.groups():
        if g == group and group:
            vs = [{"groupVersion": _gv(group, v), "version": v} for v in versions]
            return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs,
                    "preferredVersion": vs[0]}
    return None


def api_resource_list(registry, group: str, version: str) -> dict | None:
    kinds = registry.served_in(group, version)
    if not kinds:
        return None
    resources = []
    for k in sorted(kinds, key=lambda k: k.plural):
        r = {"name": k.plural, "singularName": k.singular, "namespaced": k.namespaced,
             "kind": k.kind, "verbs": list(k.verbs)}
        if k.short_names:
            r["shortNames"] = list(k.short_names)
        if k.categories:
            r["categories"] = list(k.categories)
        resources.append(r)
        for sub in k.subresources:
            sg, sv, sk, verbs = _subresource(k, sub, version)
            s = {"name": f"{k.plural}/{sub}", "singularName": "", "namespaced": k.namespaced}
            if (sg, sv) != (group, version):
                s["group"], s["version"] = sg, sv
            s["kind"] = sk
            s["verbs"] = list(verbs)
            resources.append(s)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": _gv(group, version),
            "resources": resources}


def _aggregated_resource(k, version: str) -> dict:
    r = {"resource": k.plural,
         "responseKind": {"group": k.group, "version": version, "kind": k.kind},
         "scope": "Namespaced" if k.namespaced else "Cluster",
         "singularResource": k.singular, "verbs": list(k.verbs)}
    if k.short_names:
        r["shortNames"] = list(k.short_names)
    if k.categories:
        r["categories"] = list(k.categories)
    subs = []
    for sub in k.subresources:
        sg, sv, sk, verbs = _subresource(k, sub, version)
        subs.append({"subresource": sub, "responseKind": {"group": sg, "version": sv, "kind": sk},
                     "verbs": list(verbs)})
    if subs:
        r["subresources"] = subs
    return r


def aggregated(registry, legacy: bool) -> dict:
    """The APIGroupDiscoveryList of /api (legacy=True) or /apis."""
    items = []
    for group, versions in registry.groups():
        if bool(group) == legacy:
            continue
        vs = []
        for v in versions:
            res = [_aggregated_resource(k, v) for k in sorted(registry.served_in(group, v), key=lambda k: k.plural)]
            vs.append({"version": v, "resources": res, "freshness": "Current"})
        meta = {"creationTimestamp": None}
        if group:
            meta = {"name": group, "creationTimestamp": None}
        items.append({"metadata": meta, "versions": vs})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


def wants_aggregated(accept: str) -> bool:
    for part in (accept or "").split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if part.strip().startswith("application/json") and "as=APIGroupDiscoveryList" in params \
                and "v=v2" in params and "g=apidiscovery.k8s.io" in params:
            return True
    return False
