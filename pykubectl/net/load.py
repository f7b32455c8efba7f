"""Steady outside traffic in cluster time (`pykubectl sim load`), for the metrics HPA reads.

Storage: the cluster store's meta key `net.load`, a JSON list of registrations
    {"url": str, "namespace": str, "service": str, "port": int, "path": str,
     "rps": float, "start": float, "end": float}
with `start`/`end` in cluster seconds. The target Service is resolved once, when the load is
registered (the NodePort, or the Ingress backend the URL reaches); the requests are not
simulated one by one: at any moment each ready endpoint of the Service receives rps / n, the
expectation of kube-proxy's random split. Read it with `service_rps` / `pod_rps`.
"""
from __future__ import annotations

import json

KEY = "net.load"


def registrations(view) -> list[dict]:
    try:
        return json.loads(view.txn.get_meta(KEY, "[]") or "[]")
    except (ValueError, AttributeError):
        return []


KEEP_ENDED = 3600.0   # ended loads stay an hour: the usage model remembers recent traffic


def register(view, entry: dict) -> None:
    regs = [r for r in registrations(view) if r.get("end", 0) + KEEP_ENDED > entry["start"]] + [entry]
    view.txn.set_meta(KEY, json.dumps(regs, sort_keys=True))


def service_rps(view, now: float) -> dict[tuple[str, str], float]:
    """(namespace, service) -> requests per second arriving at `now`."""
    out: dict[tuple[str, str], float] = {}
    for r in registrations(view):
        if r["start"] <= now < r["end"]:
            k = (r["namespace"], r["service"])
            out[k] = out.get(k, 0.0) + float(r["rps"])
    return out


def pod_rps(view, now: float) -> dict[tuple[str, str], float]:
    """(namespace, pod) -> requests per second that pod serves at `now`."""
    from pykubectl.net.proxy import service_endpoints
    out: dict[tuple[str, str], float] = {}
    for (ns, svc), rps in service_rps(view, now).items():
        eps = [e for e in service_endpoints(view, ns, svc) if e.ready and e.pod]
        for e in eps:
            out[e.pod] = out.get(e.pod, 0.0) + rps / len(eps)
    return out


def target_service(view, url: str, hosts: dict):
    """(namespace, service, port, path) the outside machine's request to url reaches, or a
    message saying why nothing does."""
    from pykubectl.net.client import parse_ipv4, split_url
    from pykubectl.net.proxy import find_nodeport, node_ips
    parts = split_url(url)
    if parts is None:
        return f"URL using bad/illegal format or missing URL: {url}"
    scheme, host, port, path = parts
    ip = parse_ipv4(host) or hosts.get(host.lower())
    if ip is None:
        return f"Could not resolve host: {host}"
    if ip not in node_ips(view):
        return f"{host} is not a node of the cluster"
    svc, p = find_nodeport(view, port)
    if svc is None:
        return f"Failed to connect to {host} port {port}: Connection refused"
    ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
    labels = svc["metadata"].get("labels") or {}
    if labels.get("app.kubernetes.io/name") == "ingress-nginx":
        import random

        from pykubectl.net import ingress
        hit = ingress.route(view.list("ingresses.networking.k8s.io"), host if not parse_ipv4(host) else "", path, {},
                            random.Random(0))
        if hit is None:
            return f"no Ingress rule matches {host}{path}"
        ing, backend = hit
        ns, name = ing["metadata"]["namespace"], (backend.get("service") or {}).get("name")
        port_no = ((backend.get("service") or {}).get("port") or {}).get("number")
        return ns, name, port_no, path
    return ns, name, p.get("port"), path
