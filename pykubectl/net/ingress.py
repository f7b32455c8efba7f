"""The ingress-nginx controller's routing, as its generated nginx.conf behaves.

A server per host (rules without a host go to the catch-all server `_`); in a server, Exact
paths first, then the longest Prefix/ImplementationSpecific match; nothing matched → the default
backend's 404; a backend Service without endpoints → 503. Canary Ingresses (annotation
`nginx.ingress.kubernetes.io/canary: "true"`) attach to the main Ingress of the same host and path
and win, in nginx's precedence: canary-by-header (value, pattern, or always/never), then
canary-by-cookie (always/never), then canary-weight out of canary-weight-total. One canary per
host and path: with several, the oldest (then by namespace/name) applies, and `canary_conflicts`
says which were ignored. TLS hosts get an http → https 308 redirect.
"""
from __future__ import annotations

import re

A = "nginx.ingress.kubernetes.io/"


def _page(code: int, title: str) -> str:
    return (f"<html>\r\n<head><title>{code} {title}</title></head>\r\n<body>\r\n<center><h1>{code} {title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def _error(code: int, title: str, extra=()):
    from pykubectl.net.request import Response
    body = _page(code, title)
    return Response(code, [("Content-Type", "text/html"), ("Content-Length", str(len(body))), *extra,
                           ("Connection", "keep-alive")], body)


def _ann(ing: dict) -> dict:
    return (ing.get("metadata") or {}).get("annotations") or {}


def is_controller_pod(pod: dict) -> bool:
    """A pod of the ingress-nginx controller (by its chart's labels)."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return labels.get("app.kubernetes.io/name") == "ingress-nginx" and labels.get("app.kubernetes.io/component") == "controller"


def is_nginx(ing: dict) -> bool:
    spec = ing.get("spec") or {}
    cls = spec.get("ingressClassName") or _ann(ing).get("kubernetes.io/ingress.class")
    return cls == "nginx"


def is_canary(ing: dict) -> bool:
    return _ann(ing).get(A + "canary") == "true"


def path_matches(path_type: str, rule_path: str, req_path: str) -> bool:
    req_path = req_path.split("?", 1)[0] or "/"
    if path_type == "Exact":
        return req_path == rule_path
    if path_type == "Prefix":
        p = rule_path.rstrip("/")
        return p == "" or req_path == p or req_path.startswith(p + "/")
    return req_path.startswith(rule_path or "/")


def _entries(ingresses: list[dict]):
    """(host, path, pathType, ingress, backend) for every path of every nginx Ingress."""
    for ing in ingresses:
        if not is_nginx(ing):
            continue
        for rule in (ing.get("spec") or {}).get("rules") or []:
            for p in ((rule.get("http") or {}).get("paths")) or []:
                yield (rule.get("host") or "_", p.get("path") or "/", p.get("pathType") or "Prefix", ing, p.get("backend") or {})


def _order(ing: dict):
    m = ing["metadata"]
    return (m.get("creationTimestamp") or "", m.get("namespace") or "", m["name"])


def canary_conflicts(ingresses: list[dict]) -> list[tuple[dict, dict]]:
    """(ignored canary, the canary applied instead) for each host and path with two canaries."""
    seen, out = {}, []
    for host, path, _, ing, _ in sorted(_entries(ingresses), key=lambda e: _order(e[3])):
        if is_canary(ing):
            key = (host, path)
            if key in seen and seen[key] is not ing:
                out.append((ing, seen[key]))
            seen.setdefault(key, ing)
    return out


def canary_wins(ing: dict, headers: dict, rng) -> bool:
    a = _ann(ing)
    hname = a.get(A + "canary-by-header")
    if hname:
        got = headers.get(hname.lower())
        if got is not None:
            if a.get(A + "canary-by-header-value"):
                if got == a[A + "canary-by-header-value"]:
                    return True
            elif a.get(A + "canary-by-header-pattern"):
                try:
                    if re.search(a[A + "canary-by-header-pattern"], got):
                        return True
                except re.error:
                    pass
            elif got == "always":
                return True
            elif got == "never":
                return False
    cname = a.get(A + "canary-by-cookie")
    if cname:
        cookies = dict(c.strip().split("=", 1) for c in headers.get("cookie", "").split(";") if "=" in c)
        v = cookies.get(cname)
        if v == "always":
            return True
        if v == "never":
            return False
    try:
        weight = int(a.get(A + "canary-weight", "0"))
        total = int(a.get(A + "canary-weight-total", "100"))
    except ValueError:
        return False
    return weight > 0 and rng.random() * total < weight


def route(ingresses: list[dict], host: str, path: str, headers: dict, rng):
    """(ingress, backend) serving host+path, or None for the default backend."""
    entries = list(_entries(ingresses))
    hostname = host.split(":")[0].lower()
    server = hostname if any(h == hostname for h, *_ in entries) else "_"
    mains = [e for e in entries if e[0] == server and not is_canary(e[3])]
    hits = [e for e in mains if path_matches(e[2], e[1], path)]
    if not hits:
        return None
    # nginx: exact locations first, then the longest prefix
    hits.sort(key=lambda e: (e[2] != "Exact", -len(e[1]), _order(e[3])))
    host_, rpath, _, ing, backend = hits[0]
    canaries = sorted((e for e in entries if e[0] == host_ and e[1] == rpath and is_canary(e[3])),
                      key=lambda e: _order(e[3]))
    if canaries and canary_wins(canaries[0][3], headers, rng):
        return canaries[0][3], canaries[0][4]
    return ing, backend


def tls_for(ingresses: list[dict], host: str):
    """(ingress, secretName) whose tls section covers host."""
    hostname = host.split(":")[0].lower()
    for ing in sorted((i for i in ingresses if is_nginx(i)), key=_order):
        for t in (ing.get("spec") or {}).get("tls") or []:
            if hostname in [h.lower() for h in t.get("hosts") or []]:
                return ing, t.get("secretName")
    return None


def serve(view, req, rng, https: bool = False):
    from pykubectl.net.request import via_service
    ingresses = view.list("ingresses.networking.k8s.io")
    tls = tls_for(ingresses, req.host)
    cert = None
    if https:
        secret = None
        if tls and tls[1]:
            secret = view.get("secrets", tls[0]["metadata"]["namespace"], tls[1])
        ok = secret is not None and secret.get("type") == "kubernetes.io/tls"
        # without a valid secret the controller serves its own "Kubernetes Ingress Controller Fake Certificate"
        cert = {"self_signed": True, "hosts": [req.host.split(":")[0]] if ok else ["ingress.local"], "fake": not ok}
    elif tls:
        loc = f"https://{req.host}{req.path}"
        return _error(308, "Permanent Redirect", [("Location", loc)])
    hit = route(ingresses, req.host, req.path, req.headers, rng)
    if hit is None:
        resp = _error(404, "Not Found")
    else:
        ing, backend = hit
        svc_ref = backend.get("service") or {}
        ns = ing["metadata"]["namespace"]
        svc = view.get("services", ns, svc_ref.get("name", ""))
        port = None
        if svc is not None:
            want = svc_ref.get("port") or {}
            for p in (svc.get("spec") or {}).get("ports") or []:
                if p.get("port") == want.get("number") or (want.get("name") and p.get("name") == want.get("name")):
                    port = p
        resp = None
        if svc is not None and port is not None:
            from pykubectl.net.request import NetError
            from dataclasses import replace
            r = via_service(view, svc, port, replace(req, scheme="http"), rng)
            resp = None if isinstance(r, NetError) else r
        if resp is None:
            resp = _error(503, "Service Temporarily Unavailable")
    resp.cert = cert
    return resp
