"""metrics.k8s.io/v1beta1 over HTTP, as metrics-server v0.7 serves it behind its APIService:
NodeMetrics and PodMetrics, get and list only, computed at request time by the simulated
metrics-server (`pykubectl.metrics.server`) rather than read from the store.

What metrics-server does and this follows: a list selects pods (nodes) by label and by
metadata field selectors, then keeps those with metrics; list items carry no kind/apiVersion
and the list metadata is empty; a get of an object without metrics is a 404 naming
`pods.metrics.k8s.io "<ns>/<name>"` (`nodes.metrics.k8s.io "<name>"`), of a missing object the
core resource's 404; watch and writes are not allowed (405).
"""
from __future__ import annotations

from pykubectl.api import errors

GROUP = "metrics.k8s.io"


def handle(ctx, req, kind, version: str, ns, name, q, watch: bool):
    from pykubectl.server.routes import json_response, status_response
    if req.method not in ("GET", "HEAD") or watch:
        return status_response(errors.StatusError(405, "MethodNotAllowed",
                                                  "the server does not allow this method on the requested resource"))
    core = ctx.server.resolve("pods" if kind.plural == "pods" else "nodes")
    now = ctx.cluster.clock.now()
    if name:
        objs = [ctx.server.get(core, ns, name)]   # the core 404 when the object is missing
    else:
        objs = ctx.server.list(core, ns, q.get("labelSelector") or None, None)["items"]
        objs = _by_metadata_fields(objs, q.get("fieldSelector") or "")
    metrics = _metrics(ctx, kind.plural, objs, ns, now)
    api_version = f"{GROUP}/{version}"
    if name:
        if not metrics:
            shown = f"{ns}/{name}" if kind.plural == "pods" else name
            raise errors.not_found(GROUP, kind.plural, shown)
        return json_response(ctx.out(dict(metrics[0], apiVersion=api_version)))
    items = [{k: v for k, v in m.items() if k not in ("kind", "apiVersion")} for m in metrics]
    from pykubectl.server.routes import table_for, wants_table
    if wants_table(req):
        return json_response(ctx.out(table_for(ctx, kind, items, {}, q)))
    return json_response(ctx.out({"kind": kind.list_kind, "apiVersion": api_version, "metadata": {},
                                  "items": items}))


def _by_metadata_fields(objs: list, field_selector: str) -> list:
    # metrics-server filters on the objects' metadata only (metadata.name, metadata.namespace)
    if not field_selector:
        return objs
    from pykubectl.api.selectors import SelectorError, parse_field_selector
    try:
        sel = parse_field_selector(field_selector)
    except SelectorError as e:
        raise errors.bad_request(str(e))
    return [o for o in objs if sel.matches({"metadata": o.get("metadata") or {}})]


def _metrics(ctx, plural: str, objs: list, ns, now: float) -> list:
    from pykubectl.controllers.manager import View
    from pykubectl.metrics.server import node_metrics, pod_metrics
    cluster = ctx.cluster
    with cluster.store.read() as t:
        view = View(t, cluster.apiserver)
        if plural == "pods":
            return pod_metrics(view, now, ns or None, pods=objs)
        wanted = {o["metadata"]["name"] for o in objs}
        return [m for m in node_metrics(view, now) if m["metadata"]["name"] in wanted]
