"""The simulated path of one HTTP request: destination address → (NodePort | Service VIP →
kube-proxy's endpoint choice) → pod → the image's handler (or the ingress-nginx controller's
routing), or the network error a real client would see. Nothing opens a socket.
"""
from __future__ import annotations

from dataclasses import dataclass, field

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 308: "Permanent Redirect",
           400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Timeout"}


@dataclass
class Request:
    method: str
    scheme: str
    host: str                      # the Host header (may carry :port)
    path: str
    headers: dict = field(default_factory=dict)   # lower-case names
    body: str = ""
    client_ip: str = ""


@dataclass
class Response:
    status: int
    headers: list = field(default_factory=list)   # [(name, value)]
    body: str = ""
    reason: str = ""
    cert: dict | None = None       # https: {"self_signed": bool, "hosts": [...]}

    def __post_init__(self):
        if not self.reason:
            self.reason = REASONS.get(self.status, "")


@dataclass
class NetError:
    kind: str                      # "refused" | "timeout" | "unreachable"


def _pod_by_ip(view, ip: str):
    for p in view.list("pods"):
        st = p.get("status") or {}
        if st.get("podIP") == ip and not (p.get("spec") or {}).get("hostNetwork"):
            return p
    return None


def _is_ingress_controller(pod: dict) -> bool:
    labels = pod["metadata"].get("labels") or {}
    return labels.get("app.kubernetes.io/name") == "ingress-nginx" and labels.get("app.kubernetes.io/component") == "controller"


def to_pod(view, pod: dict, port: int, req: Request, rng):
    """Deliver to a pod's port: a Response, or NetError when nothing listens there."""
    if (pod.get("status") or {}).get("phase") != "Running" or (pod["metadata"].get("deletionTimestamp")):
        return NetError("refused")
    if _is_ingress_controller(pod) and port in (80, 443):
        from pykubectl.net import ingress
        return ingress.serve(view, req, rng, https=(port == 443))
    from pykubectl.runtime import images
    h = images.http_handler(pod, None, port, view=view)
    if h is None:
        return NetError("refused")
    if req.scheme == "https":
        # the app speaks plain HTTP: a TLS ClientHello gets garbage back
        return NetError("tls-wrong-version")
    status, headers, body = h(req.method, req.path, dict(req.headers), req.body)
    hdrs = [(k.title() if k.islower() else k, v) for k, v in (headers or {}).items()]
    return Response(status, hdrs, body)


def via_service(view, svc: dict, port: dict, req: Request, rng):
    from pykubectl.net.proxy import choose, service_endpoints, target_of
    meta, spec = svc["metadata"], svc.get("spec") or {}
    eps = [e for e in service_endpoints(view, meta["namespace"], meta["name"]) if e.ready and target_of(e, port)]
    if not eps:
        return NetError("refused")      # kube-proxy's REJECT for a Service without endpoints
    ep = choose(eps, rng, req.client_ip, spec.get("sessionAffinity") == "ClientIP")
    return send(view, ep.ip, target_of(ep, port), req, rng, via_proxy=True)


def external_reply(ip: str, port: int, req: Request) -> Response:
    """A host outside the cluster, simulated: it answers every path."""
    host = req.host.split(":")[0]
    body = (f"<!DOCTYPE html>\n<html>\n<head><title>{host}</title></head>\n<body>\n"
            f"<p>Simulated external host {ip}:{port} answered {req.method} {req.path}</p>\n</body>\n</html>\n")
    return Response(200, [("Server", "GitHub.com"), ("Content-Type", "text/html; charset=utf-8"),
                          ("Content-Length", str(len(body.encode())))], body)


def send(view, ip: str, port: int, req: Request, rng, via_proxy: bool = False):
    """One TCP connection to ip:port carrying req."""
    from pykubectl.net.dns import EXTERNAL_HOSTS
    from pykubectl.net.proxy import find_nodeport, find_service_by_ip, node_ips
    if not via_proxy:
        if ip in node_ips(view):
            svc, p = find_nodeport(view, port)
            if svc is not None:
                return via_service(view, svc, p, req, rng)
            return NetError("refused")
        svc, p = find_service_by_ip(view, ip, port)
        if svc is not None:
            # a VIP answers only on its ports: anything else has no rule and goes nowhere
            return via_service(view, svc, p, req, rng) if p else NetError("timeout")
    pod = _pod_by_ip(view, ip)
    outside = pod is None and (any(ip in ips for ips in EXTERNAL_HOSTS.values()) or not _in_cluster_ranges(ip))
    if pod is None and not outside:
        return NetError("timeout")
    from pykubectl.net.policy import allowed
    if not allowed(view, _pod_by_ip(view, req.client_ip), req.client_ip, pod, ip, port):
        return NetError("timeout")      # Calico drops what policies deny
    return to_pod(view, pod, port, req, rng) if pod is not None else external_reply(ip, port, req)


def _in_cluster_ranges(ip: str) -> bool:
    import ipaddress
    a = ipaddress.ip_address(ip)
    return any(a in ipaddress.ip_network(n) for n in ("20.96.0.0/12", "10.96.0.0/12", "192.168.0.0/24"))
