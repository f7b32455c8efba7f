"""The REST surface over the apiserver core: one `handle(ctx, req)` per HTTP request.

Authentication happened in the transport (http.py); authorization comes first here, before
routing, as in kube-apiserver's filter chain (a nonexistent resource is still a 403 for a user
who may not touch it). Timestamps leave shifted back by the cluster clock's skew and enter
shifted forward by it, so a client computing ages from its own wall clock sees cluster ages.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from pykubectl.api import errors

JSON = "application/json"
TABLE_ACCEPT = "as=Table"
_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


class Request:
    __slots__ = ("method", "path", "query", "headers", "body", "user")

    def __init__(self, method, path, query="", headers=None, body=b"", user=None):
        self.method, self.path, self.query = method, path, query
        self.headers = headers or {}
        self.body = body
        self.user = user

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


class Response:
    __slots__ = ("code", "body", "content_type", "headers", "stream", "upgrade")

    def __init__(self, code=200, body=b"", content_type=JSON, headers=None, stream=None):
        self.code, self.body, self.content_type = code, body, content_type
        self.headers = headers or []
        self.stream = stream   # an iterable of bytes chunks (a watch, a list): sent chunked
        self.upgrade = None    # a 101's (rfile, wfile, socket) -> None: owns the connection after it


def dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(obj, code=200, headers=None, content_type=JSON) -> Response:
    return Response(code, dumps(obj), content_type, headers)


def status_response(e: errors.StatusError) -> Response:
    return json_response(e.status(), e.code)


def not_found_page() -> Response:
    return Response(404, b"404 page not found\n", "text/plain; charset=utf-8",
                    [("X-Content-Type-Options", "nosniff")])


# -- the clock edge -------------------------------------------------------------------

def shift_times(o, delta: int):
    """Every RFC 3339 timestamp in `o` moved by `delta` seconds (a copy; o is left alone)."""
    if not delta:
        return o
    import calendar
    import time

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str) and len(v) >= 20 and v[10:11] == "T" and v[-1] == "Z" and _TS.match(v):
            # whole seconds move; the fraction (micro- or nanoseconds) is kept as written
            t = calendar.timegm(time.strptime(v[:19], "%Y-%m-%dT%H:%M:%S")) + delta
            return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + v[19:]
        return v
    return walk(o)


# a timestamp string value in compact JSON: not a key (":" follows), not inside another string
# (an escaped quote precedes)
_TS_JSON = re.compile(rb'(?<!\\)"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)((?:\.\d+)?Z)"(?!:)')


def shift_json(body: bytes, delta: int) -> bytes:
    """`dumps(shift_times(o, delta))` from `dumps(o)`: the same timestamps moved, found by a
    regex in the encoded bytes instead of a walk of every value (a page of 500 pods: ~20 ms
    instead of ~400). Each distinct timestamp is converted once."""
    if not delta:
        return body
    import calendar
    import time
    memo: dict = {}

    def repl(m):
        s = m.group(1)
        out = memo.get(s)
        if out is None:
            t = calendar.timegm((int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]),
                                 int(s[14:16]), int(s[17:19]), 0, 0, 0)) + delta
            out = memo[s] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)).encode()
        return b'"' + out + m.group(2) + b'"'
    return _TS_JSON.sub(repl, body)


class Context:
    """One connection's view of the cluster (its own Cluster: SQLite connections stay per thread)."""

    def __init__(self, cluster):
        self.cluster = cluster
        self._policy = None
        self._policy_rev = None
        self.streams = False   # the transport sends `Response.stream` (http.py): lists may use it

    @property
    def server(self):
        return self.cluster.apiserver

    def sync(self):
        """What the CLI does before answering: pick up clock moves, run what fell due."""
        self.cluster.reload_clock()
        self.cluster.reconcile()

    def skew(self) -> int:
        # rounded up: clients truncate ages (HumanDuration), so a timestamp shifted by the
        # rounded-up skew reads as the cluster's age, never a second short of it
        import math
        return math.ceil(self.cluster.clock.skew())

    def out(self, obj):
        return shift_times(obj, -self.skew())

    def out_json(self, obj) -> bytes:
        """`dumps(self.out(obj))`, shifting in the encoded bytes (big lists)."""
        return shift_json(dumps(obj), -self.skew())

    def into(self, obj):
        return shift_times(obj, self.skew())

    def policy(self):
        from pykubectl.apiserver.auth import Policy
        with self.cluster.store.read() as t:
            rev = t.revision()
            if self._policy is None or rev != self._policy_rev:
                g = "rbac.authorization.k8s.io"
                self._policy = Policy(t.list(g, "clusterroles"), t.list(g, "clusterrolebindings"),
                                      t.list(g, "roles"), t.list(g, "rolebindings"))
                self._policy_rev = rev
        return self._policy


# -- entry point ----------------------------------------------------------------------

def handle(ctx: Context, req: Request) -> Response:
    from pykubectl.apiserver import auth
    try:
        if req.user is None:
            raise auth.unauthorized()
        ctx.sync()
        imp_user = req.header("impersonate-user")
        imp_groups = req.headers.get("impersonate-group*") or []
        if imp_user or imp_groups:
            req.user = auth.impersonate(ctx.policy(), req.user, imp_user, imp_groups)
        attrs = auth.request_attributes(req.user, req.method, req.path, req.query)
        allowed, reason = ctx.policy().authorize(attrs)
        if not allowed:
            raise auth.forbidden(attrs, reason)
        return route(ctx, req)
    except errors.StatusError as e:
        return status_response(e)


def route(ctx: Context, req: Request) -> Response:
    from pykubectl.server import discovery as D
    path = req.path.rstrip("/") or "/"
    parts = [p for p in path.split("/") if p]
    if path == "/version":
        # the apiserver writes this one document indented
        return Response(200, json.dumps(D.version_doc(), indent=2).encode(), JSON)
    if path in ("/healthz", "/readyz", "/livez"):
        return Response(200, b"ok", "text/plain; charset=utf-8", [("X-Content-Type-Options", "nosniff")])
    if parts[:1] == ["openapi"]:
        from pykubectl.server import openapi
        return openapi.handle(ctx, req, parts)
    if not parts or parts[0] not in ("api", "apis"):
        return not_found_page()
    reg = ctx.server.registry_with_crds()
    accept = req.header("accept")
    if parts == ["api"] or parts == ["apis"]:
        if D.wants_aggregated(accept):
            return json_response(D.aggregated(reg, parts == ["api"]), content_type=D.AGGREGATED_V2)
        return json_response(D.api_versions() if parts == ["api"] else D.api_group_list(reg))
    if parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    else:
        if len(parts) == 2:
            doc = D.api_group(reg, parts[1])
            return json_response(doc) if doc else not_found_page()
        group, version, rest = parts[1], parts[2], parts[3:]
    if not rest:
        doc = D.api_resource_list(reg, group, version)
        return json_response(doc) if doc else not_found_page()
    return resource_request(ctx, req, reg, group, version, rest)


def _query(req) -> dict:
    return {k: v[-1] for k, v in parse_qs(req.query, keep_blank_values=True).items()}


def resource_request(ctx, req, reg, group, version, rest) -> Response:
    q = _query(req)
    watch = False
    if rest[0] == "watch":
        watch, rest = True, rest[1:]
    ns = None
    if rest and rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
        ns, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return not_found_page()
    plural = rest[0]
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    kind = next((k for k in reg.served_in(group, version) if k.plural == plural), None)
    if kind is None or (sub and sub not in kind.subresources):
        return not_found_page()
    if ns is not None and not kind.namespaced:
        return not_found_page()
    if kind.namespaced and name and ns is None and not (kind.plural == "namespaces"):
        return not_found_page()
    watch = watch or q.get("watch", "").lower() in ("true", "1")
    m = req.method
    if (group, plural) in REVIEWS:
        if m != "POST" or name:
            return not_found_page()
        return review(ctx, req, kind, version, ns)
    if group == "metrics.k8s.io":   # metrics-server's APIService: computed, never stored
        from pykubectl.server import metrics_api
        return metrics_api.handle(ctx, req, kind, version, ns, name, q, watch)
    if sub == "scale" and not kind.crd:
        return scale(ctx, req, kind, ns, name, q)
    if sub in ("log", "exec", "attach", "portforward") and plural == "pods" and not group:
        from pykubectl.server import streams
        return streams.handle(ctx, req, ns, name, sub)
    ctype = req.header("content-type").split(";", 1)[0].strip()
    if m in ("POST", "PUT") and ctype not in ("", "application/json", "application/yaml",
                                             "application/vnd.kubernetes.protobuf", "*/*"):
        raise errors.StatusError(415, "UnsupportedMediaType",
                                 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf')
    if req.header("content-type").startswith("application/vnd.kubernetes.protobuf"):
        # the real kubectl sends its create generators' objects as protobuf: decode to JSON
        from pykubectl.server import protobuf
        protobuf.rewrite_as_json(req)
    if m in ("GET", "HEAD"):
        if watch:
            from pykubectl.server import watch as W
            return W.watch_response(ctx, req, kind, version, ns, name, q)
        if name:
            if sub not in (None, "status", "ephemeralcontainers"):
                return not_found_page()
            obj = ctx.server.get(kind, ns, name)
            return _object_response(ctx, req, kind, version, obj, q, single=True)
        return _list(ctx, req, kind, version, ns, q)
    if m == "POST" and not name:
        body = ctx.into(_from_version(_body(req), kind, version))
        obj, warnings = ctx.server.create(kind, body, ns, dry_run=_dry(q),
                                          field_validation=q.get("fieldValidation") or "Strict",
                                          field_manager=q.get("fieldManager", ""))
        return _written(ctx, kind, version, obj, warnings, q, 201)
    if m == "POST" and name and sub in ("eviction", "token"):
        obj, warnings = ctx.server.create_subresource(kind, ns, name, sub, ctx.into(_body(req)), dry_run=_dry(q))
        return _written(ctx, kind, version, obj, warnings, q, 201)
    if m == "DELETE" and not name:
        return _delete_collection(ctx, req, kind, version, ns, q)
    if m == "PUT" and name and sub in (None, "status", "ephemeralcontainers"):
        body = ctx.into(_from_version(_body(req), kind, version))
        if ((body.get("metadata") or {}).get("name") or name) != name:
            raise errors.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                     % (body["metadata"]["name"], name))
        body.setdefault("metadata", {})["name"] = name
        obj, warnings = ctx.server.update(kind, body, ns, subresource=sub, dry_run=_dry(q),
                                          field_validation=q.get("fieldValidation") or "Strict",
                                          field_manager=q.get("fieldManager", ""))
        return _written(ctx, kind, version, obj, warnings, q, 200)
    if m == "PATCH" and name and sub in (None, "status", "ephemeralcontainers"):
        ctype = req.header("content-type").split(";")[0].strip()
        patch_type = {"application/json-patch+json": "json", "application/merge-patch+json": "merge",
                      "application/strategic-merge-patch+json": "strategic",
                      "application/apply-patch+yaml": "apply"}.get(ctype)
        if patch_type is None:
            raise errors.StatusError(415, "UnsupportedMediaType",
                                     "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
        body = ctx.into(_body(req, yaml_ok=patch_type == "apply"))
        if _converted(kind, version):
            if patch_type != "apply":
                return _patch_at_version(ctx, kind, version, ns, name, patch_type, body, sub, q)
            body = _from_version(body, kind, version)   # applied configuration, converted whole
        obj, warnings = ctx.server.patch(kind, ns, name, patch_type, body, subresource=sub,
                                         dry_run=_dry(q), field_manager=q.get("fieldManager", ""),
                                         force=q.get("force", "").lower() in ("true", "1"),
                                         field_validation=q.get("fieldValidation") or "Strict")
        return _written(ctx, kind, version, obj, warnings, q, 200)
    if m == "DELETE" and name and not sub:
        opts = _delete_options(req, q)
        dry = opts["dry_run"]
        obj = ctx.server.delete(kind, ns, name, **opts)
        if not dry:
            ctx.cluster.engine.run()
        try:
            still = ctx.server.get(kind, ns, name)
        except errors.StatusError:
            still = None
        if still is not None and still["metadata"].get("uid") == obj["metadata"].get("uid") and not dry:
            return _object_response(ctx, req, kind, version, still, q, single=True, code=202)
        if kind.plural == "pods" and not kind.group or dry:
            return _object_response(ctx, req, kind, version, obj, q, single=True)
        details = {"name": name}
        if kind.group:
            details["group"] = kind.group
        details["kind"] = kind.plural
        details["uid"] = obj["metadata"].get("uid", "")
        return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Success", "details": details})
    return json_response(errors.StatusError(405, "MethodNotAllowed",
                                            "the server does not allow this method on the requested resource").status(), 405)


def _delete_options(req, q) -> dict:
    """DeleteOptions from the body (kubectl, client-go) or the query (curl, the Python client)."""
    opts = _body(req) if req.body.strip() else {}
    grace = opts.get("gracePeriodSeconds", q.get("gracePeriodSeconds"))
    propagation = opts.get("propagationPolicy") or q.get("propagationPolicy")
    orphan = opts.get("orphanDependents", q.get("orphanDependents"))
    if orphan not in (None, "") and not propagation:   # the deprecated spelling
        propagation = "Orphan" if orphan in (True, "true") else "Background"
    return {"grace_period": None if grace in (None, "") else int(grace), "propagation": propagation,
            "dry_run": _dry(q) or "All" in (opts.get("dryRun") or []),
            "preconditions": opts.get("preconditions") or None}


def _delete_collection(ctx, req, kind, version, ns, q) -> Response:
    """DELETE on a collection: each selected object deleted as by its own DELETE; the answer is
    the list of what was deleted (as each stood after its deletion)."""
    opts = _delete_options(req, q)
    opts.pop("preconditions")
    lst = ctx.server.list(kind, ns, q.get("labelSelector") or None, q.get("fieldSelector") or None)
    items = []
    for o in lst["items"]:
        try:
            items.append(ctx.server.delete(kind, o["metadata"].get("namespace"), o["metadata"]["name"], **opts))
        except errors.StatusError as e:
            if e.code != 404:   # gone meanwhile (a controller, the GC): not an error
                raise
    if not opts["dry_run"]:
        ctx.cluster.engine.run()
    api_version = f"{kind.group}/{version}" if kind.group else version
    return json_response(ctx.out({"kind": kind.list_kind, "apiVersion": api_version,
                                  "metadata": {"resourceVersion": lst["metadata"].get("resourceVersion", "")},
                                  "items": [_at_version(o, kind, version, ctx) for o in items]}))


def _dry(q) -> bool:
    return q.get("dryRun") == "All"


def _body(req, yaml_ok=False) -> dict:
    try:
        if yaml_ok:
            import yaml
            obj = yaml.load(req.body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        else:
            obj = json.loads(req.body or b"null")
    except Exception as e:  # the decoder's complaint goes back as a 400
        raise errors.bad_request(f"error decoding request body: {e}")
    if not isinstance(obj, (dict, list)):
        raise errors.bad_request("the request body must be an object")
    return obj


def _written(ctx, kind, version, obj, warnings, q, code) -> Response:
    if not _dry(q):
        ctx.cluster.engine.run()
    headers = [("Warning", '299 - "%s"' % w.replace('"', '\\"')) for w in warnings or ()]
    out = ctx.out(_at_version(obj, kind, version, ctx))
    return json_response(out, code, headers)


def _at_version(obj: dict, kind, version: str, ctx=None) -> dict:
    """`obj` (stored at the preferred version) at another served version, converted as the
    apiserver does. With `ctx`, timestamps the conversion writes into annotations are the
    client's, like every other timestamp leaving (the caller shifts the rest)."""
    if version != kind.version:
        from pykubectl.api.conversion import convert
        if ctx is not None and _converted(kind, version):
            return ctx.into(convert(ctx.out(obj), kind.group, kind.kind, version))
        obj = convert(obj, kind.group, kind.kind, version)
    return obj


def _converted(kind, version: str) -> bool:
    from pykubectl.api.conversion import reshaped
    return version != kind.version and reshaped(kind.group, kind.kind)


def _from_version(body, kind, version: str):
    """A request body written at `version`, at the storage version (decoded, then converted)."""
    if not _converted(kind, version) or not isinstance(body, dict):
        return body
    from pykubectl.api.conversion import convert
    body = dict(body)
    body.setdefault("apiVersion", f"{kind.group}/{version}")
    return convert(body, kind.group, kind.kind, kind.version)


def _patch_at_version(ctx, kind, version, ns, name, patch_type, body, sub, q) -> Response:
    """A patch written against another version's shape: applied to the object converted to that
    version, then stored back converted (optimistically, on the resourceVersion read)."""
    from pykubectl.api import patch as P
    from pykubectl.api import schema
    current = _at_version(ctx.server.get(kind, ns, name), kind, version)
    try:
        if patch_type == "json":
            new = P.json_patch(current, body)
        elif patch_type == "merge":
            new = P.merge_patch(current, body)
        else:
            new = P.strategic_merge_patch(current, body, schema.kind_schema(kind.group, version, kind.kind))
    except P.PatchError as e:
        raise e.status_error()
    new = _from_version(new, kind, version)
    new["metadata"]["resourceVersion"] = current["metadata"].get("resourceVersion")
    obj, warnings = ctx.server.update(kind, new, ns, subresource=sub, dry_run=_dry(q),
                                      field_validation=q.get("fieldValidation") or "Strict",
                                      field_manager=q.get("fieldManager", ""))
    return _written(ctx, kind, version, obj, warnings, q, 200)


def wants_table(req) -> bool:
    accept = req.header("accept")
    return TABLE_ACCEPT in accept and "g=meta.k8s.io" in accept


def crd_columns(ctx, kind):
    if not kind.crd:
        return None
    with ctx.cluster.store.read() as t:
        crd = t.get("apiextensions.k8s.io", "customresourcedefinitions", "", f"{kind.plural}.{kind.group}")
    for v in ((crd or {}).get("spec") or {}).get("versions") or ():
        if v.get("name") == kind.version:
            return v.get("additionalPrinterColumns")
    return None


def table_for(ctx, kind, objs, list_meta, q) -> dict:
    from datetime import datetime, timezone
    from pykubectl.printers import tables
    now = datetime.fromtimestamp(ctx.cluster.clock.now(), timezone.utc)
    return tables.table(kind.resource, objs, now, crd_columns(ctx, kind), list_meta=list_meta,
                        include_object=q.get("includeObject") or "Metadata")


def _object_response(ctx, req, kind, version, obj, q, single=False, code=200) -> Response:
    obj = _at_version(obj, kind, version, ctx)
    if wants_table(req):
        tbl = table_for(ctx, kind, [obj], {"resourceVersion": obj["metadata"].get("resourceVersion", "")}, q)
        return json_response(ctx.out(tbl), code)
    return json_response(ctx.out(obj), code)


# -- list, with limit/continue ---------------------------------------------------------

def _encode_continue(rev: int, ns: str, name: str) -> str:
    import base64
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rev, "start": f"{ns}/{name}\x00"},
                     separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    """(revision of the first page, -1 for "the latest"; the last key served)."""
    import base64
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        d = json.loads(raw)
        if d.get("v") != "meta.k8s.io/v1" or not isinstance(d.get("rv"), int) or d["rv"] == 0:
            raise ValueError
        ns, _, name = d["start"].rstrip("\x00").partition("/")
        return d["rv"], (ns, name)
    except Exception:
        raise errors.bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")


# etcd3 store's inconsistentContinue
_CONTINUE_TOO_OLD = ("The provided continue parameter is too old to display a consistent list result. "
                     "You can start a new list without the continue parameter, or use the continue token "
                     "in this response to retrieve the remainder of the results. Continuing with the "
                     "provided token results in an inconsistent list - objects that were created, "
                     "modified, or deleted between the time the first chunk was returned and now may "
                     "show up in the list.")


def _list(ctx, req, kind, version, ns, q) -> Response:
    # a page read after its continue key, or the whole list streamed: never all of it in memory
    from pykubectl.server.lists import list_response
    return list_response(ctx, req, kind, version, ns, q)


# -- reviews: created, answered, never stored ------------------------------------------

REVIEWS = {("authorization.k8s.io", "selfsubjectaccessreviews"),
           ("authorization.k8s.io", "subjectaccessreviews"),
           ("authorization.k8s.io", "localsubjectaccessreviews"),
           ("authorization.k8s.io", "selfsubjectrulesreviews"),
           ("authentication.k8s.io", "selfsubjectreviews")}


def _review_body(req, kind) -> dict:
    if req.header("content-type").startswith("application/vnd.kubernetes.protobuf"):
        from pykubectl.server import protobuf
        try:
            _av, k, raw = protobuf.unwrap(req.body)
            return protobuf.decode_review(k or kind.kind, raw)
        except (ValueError, IndexError) as e:
            raise errors.bad_request(f"error decoding request body: {e}")
    return _body(req)


def review(ctx, req, kind, version, ns) -> Response:
    from pykubectl.apiserver import auth
    body = _review_body(req, kind)
    spec, status = auth.answer_review(ctx.policy, req.user, kind.plural, body.get("spec") or {}, ns)
    out = {"kind": kind.kind, "apiVersion": f"{kind.group}/{version}",
           "metadata": {"creationTimestamp": None}}
    if kind.plural != "selfsubjectreviews":
        out["spec"] = spec
    out["status"] = status
    return json_response(out, 201)


# -- the scale subresource (autoscaling/v1 Scale over spec.replicas) -------------------

def _scale_of(obj: dict) -> dict:
    from pykubectl.printers.tables import format_label_selector
    meta = obj["metadata"]
    sel = (obj.get("spec") or {}).get("selector")
    if isinstance(sel, dict) and "matchLabels" not in sel and "matchExpressions" not in sel:
        sel = {"matchLabels": sel}   # a ReplicationController's selector is a plain map
    status = {"replicas": (obj.get("status") or {}).get("replicas", 0)}
    if sel:
        status["selector"] = format_label_selector(sel)
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta},
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)}, "status": status}


def scale(ctx, req, kind, ns, name, q) -> Response:
    obj = ctx.server.get(kind, ns, name)
    current = _scale_of(obj)
    if req.method in ("GET", "HEAD"):
        return json_response(ctx.out(current))
    if req.method == "PUT":
        new = _body(req)
    elif req.method == "PATCH":
        from pykubectl.api import patch as P
        ctype = req.header("content-type").split(";")[0].strip()
        body = _body(req)
        try:
            if ctype == "application/json-patch+json":
                new = P.json_patch(current, body)
            elif ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
                new = P.merge_patch(current, body)
            else:
                raise errors.StatusError(415, "UnsupportedMediaType",
                                         "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
        except P.PatchError as e:
            raise e.status_error()
    else:
        return not_found_page()
    replicas = (new.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise errors.bad_request("spec.replicas: the replica count must be an integer")
    rv = (new.get("metadata") or {}).get("resourceVersion")
    if rv and rv != obj["metadata"].get("resourceVersion"):
        raise errors.conflict(kind.group, kind.plural, name,
                              "the object has been modified; please apply your changes to the latest version and try again")
    out, _w = ctx.server.patch(kind, ns, name, "merge", {"spec": {"replicas": replicas}}, dry_run=_dry(q),
                               field_manager=q.get("fieldManager", ""))
    if not _dry(q):
        ctx.cluster.engine.run()
    return json_response(ctx.out(_scale_of(out)))
