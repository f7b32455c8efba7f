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
    client_cert: str = ""          # PEM of curl's --cert, for the apiserver's x509 authentication
    origin_ip: str = ""            # the sender's own address when client_ip is a SNAT address


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


def to_pod(view, pod: dict, port: int, req: Request, rng):
    """Deliver to a pod's port: a Response, or NetError when nothing listens there."""
    if (pod.get("status") or {}).get("phase") != "Running" or (pod["metadata"].get("deletionTimestamp")):
        return NetError("refused")
    from pykubectl.net import ingress
    if ingress.is_controller_pod(pod) and port in (80, 443):
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


def via_service(view, svc: dict, port: dict, req: Request, rng, entry_node: str | None = None,
                external: bool = False, lb_ip: str | None = None):
    """Through kube-proxy's rules on `entry_node` (the node the packet enters: the client pod's,
    the NodePort's, or the node announcing a LoadBalancer address): the traffic policies pick
    the candidate endpoints (Local: that node's only; none there: DROP, the client times out),
    the KUBE-SVC/KUBE-SVL walk picks one, and traffic that kube-proxy masquerades reaches the
    pod from the node's address (its tunl0 address when the pod is on another node). A packet
    for a LoadBalancer address (`lb_ip`) first passes the KUBE-FW chain of
    spec.loadBalancerSourceRanges: a source outside them is dropped (the client times out); the
    source is the sender's own address, a pod's IP in the cluster, 192.168.0.1 for `sim curl`."""
    from pykubectl.net.proxy import categorize, choose, firewall_allows, node_ips, policies, service_endpoints, target_of
    meta, spec = svc["metadata"], svc.get("spec") or {}
    eps = [e for e in service_endpoints(view, meta["namespace"], meta["name"]) if target_of(e, port)]
    cluster, local = categorize(eps, entry_node)
    if not cluster:
        return NetError("refused")      # kube-proxy's REJECT for a Service without endpoints
    if lb_ip is not None:
        node_ip = {n: i for i, n in node_ips(view).items()}.get(entry_node or "")
        lb_ips = [i.get("ip") for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []]
        if not firewall_allows(spec, req.client_ip, node_ip, lb_ips):
            return NetError("timeout")  # fell off KUBE-FW-…: KUBE-PROXY-FIREWALL's DROP
    itp_local, etp_local = policies(spec)
    from_pod = _pod_by_ip(view, req.client_ip) is not None
    if external and not from_pod:
        # traffic from outside: Cluster spreads it over every endpoint, masqueraded; Local keeps
        # the client's address but only this node's endpoints answer
        cands, snat = (local, False) if etp_local else (cluster, True)
    elif external:
        # a pod dialling a NodePort or LoadBalancer address is short-circuited to the cluster
        # chain; only policy Cluster's EXT chain marks it for masquerade
        cands, snat = cluster, not etp_local
    else:
        cands = local if itp_local and entry_node else cluster
        snat = not from_pod and entry_node is not None   # `! -s <pod CIDR> ... -j KUBE-MARK-MASQ`
    if not cands:
        from pykubectl.net.ipvs import proxy_mode
        if proxy_mode(view) != "ipvs":
            return NetError("timeout")  # "has no local endpoints": DROP
        cands = cluster                 # ipvs mode falls back to every endpoint (kubernetes#97081)
    ep = choose(cands, rng, req.client_ip, spec.get("sessionAffinity") == "ClientIP")
    if snat and entry_node:
        from dataclasses import replace
        req = replace(req, client_ip=snat_address(view, entry_node, ep.node), origin_ip=req.origin_ip or req.client_ip)
    return send(view, ep.ip, target_of(ep, port), req, rng, via_proxy=True)


def snat_address(view, node: str, endpoint_node: str | None) -> str:
    """MASQUERADE's source address on `node`: its own IP towards a local pod, its Calico tunnel
    address (tunl0) towards a pod on another node."""
    from pykubectl.net.proxy import node_ips
    n = view.get("nodes", "", node) or {}
    tunl = ((n.get("metadata") or {}).get("annotations") or {}).get("projectcalico.org/IPv4IPIPTunnelAddr")
    if endpoint_node != node and tunl:
        return tunl
    return {name: ip for ip, name in node_ips(view).items()}.get(node, "")


def _entry_node(view, svc: dict, req: Request, ip: str = "") -> str | None:
    """Where a packet for a Service address enters kube-proxy: the client pod's node (its own
    rules DNAT whatever Service address it dials); from outside, for an external IP, the node
    owning that address (none when no node does: kube-proxy answers wherever the packet lands,
    but the simulation's lab network routes an address only to the node that holds it); for a
    LoadBalancer address, the node announcing it (MetalLB layer 2)."""
    client = _pod_by_ip(view, req.client_ip)
    if client is not None:
        return (client.get("spec") or {}).get("nodeName")
    from pykubectl.net.proxy import node_ips
    if ip in ((svc.get("spec") or {}).get("externalIPs") or []):
        return node_ips(view).get(ip)
    from pykubectl.net.lb import announcing_node
    from pykubectl.net.proxy import service_endpoints
    m = svc["metadata"]
    local = {e.node for e in service_endpoints(view, m["namespace"], m["name"]) if e.ready and e.node}
    return announcing_node(svc, view.list("nodes"), local)


def health_check(view, svc: dict, node: str) -> Response:
    """kube-proxy's health check server on a Service's healthCheckNodePort (service_health.go)."""
    from pykubectl.net.proxy import service_endpoints
    m = svc["metadata"]
    count = sum(1 for e in service_endpoints(view, m["namespace"], m["name"]) if e.ready and e.node == node)
    body = (f'{{\n\t"service": {{\n\t\t"namespace": "{m["namespace"]}",\n\t\t"name": "{m["name"]}"\n\t}},\n'
            f'\t"localEndpoints": {count},\n\t"serviceProxyHealthy": true\n}}')
    return Response(200 if count else 503, [("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
                                            ("X-Load-Balancing-Endpoint-Weight", str(count)),
                                            ("Content-Length", str(len(body)))], body,
                    reason="OK" if count else "Service Unavailable")


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
    from pykubectl.net.proxy import find_health_check_port, find_nodeport, find_service_by_ip, node_ips
    if port == 6443 and ip in _control_plane_ips(view):
        return apiserver(view, req)
    if not via_proxy:
        nodes = node_ips(view)
        if ip in nodes:
            # KUBE-SERVICES' external IP rules come before its NodePort tail call
            svc, p = find_service_by_ip(view, ip, port)
            if svc is not None and p is not None:
                return via_service(view, svc, p, req, rng, _entry_node(view, svc, req, ip), external=True)
            svc, p = find_nodeport(view, port)
            if svc is not None:
                return via_service(view, svc, p, req, rng, nodes[ip], external=True)
            hc = find_health_check_port(view, port)
            if hc is not None:
                return health_check(view, hc, nodes[ip])
            return NetError("refused")
        svc, p = find_service_by_ip(view, ip, port)
        if svc is not None:
            # a VIP answers only on its ports: anything else has no rule and goes nowhere
            if not p:
                return NetError("timeout")
            spec = svc.get("spec") or {}
            external = ip != spec.get("clusterIP")
            entry = _entry_node(view, svc, req, ip)
            if entry is None and ip in (spec.get("externalIPs") or []) and _pod_by_ip(view, req.client_ip) is None:
                # an external IP no node owns: nothing routes it to the cluster from outside
                return NetError("timeout")
            lb_ip = ip if ip not in (spec.get("externalIPs") or []) and external else None
            return via_service(view, svc, p, req, rng, entry, external, lb_ip)
    pod = _pod_by_ip(view, ip)
    outside = pod is None and (any(ip in ips for ips in EXTERNAL_HOSTS.values()) or not _in_cluster_ranges(ip))
    if pod is None and not outside:
        return NetError("timeout")
    from pykubectl.net.policy import allowed
    sender = req.origin_ip or req.client_ip
    # the sender's egress rules see the pod it really is; the receiver's ingress rules see the
    # source address that arrives (a node's, after kube-proxy's masquerade)
    if not allowed(view, _pod_by_ip(view, sender), sender, pod, ip, port,
                   seen=(_pod_by_ip(view, req.client_ip), req.client_ip)):
        return NetError("timeout")      # Calico drops what policies deny
    return to_pod(view, pod, port, req, rng) if pod is not None else external_reply(ip, port, req)


def _in_cluster_ranges(ip: str) -> bool:
    import ipaddress
    a = ipaddress.ip_address(ip)
    return any(a in ipaddress.ip_network(n) for n in ("20.96.0.0/12", "10.96.0.0/12", "192.168.0.0/24"))


def _control_plane_ips(view) -> set:
    out = set()
    for n in view.list("nodes"):
        if "node-role.kubernetes.io/control-plane" in ((n.get("metadata") or {}).get("labels") or {}):
            out.update(a.get("address") for a in (n.get("status") or {}).get("addresses") or ()
                       if a.get("type") == "InternalIP")
    return out


def apiserver(view, req: Request):
    """kube-apiserver on the control-plane node, answered in-process by the same routes that
    `cluster serve` uses: x509 (curl's --cert) or bearer-token authentication, then RBAC."""
    import base64
    import re
    from datetime import datetime, timezone
    from pykubectl.apiserver import auth
    from pykubectl.server import routes
    if req.scheme != "https":
        return Response(400, [("Content-Type", "text/plain; charset=utf-8")],
                        "Client sent an HTTP request to an HTTPS server.\n")
    cluster = view.server.cluster
    now = datetime.now(timezone.utc)   # certificates and tokens keep the real clock
    user = None
    authz = req.headers.get("authorization", "")
    if authz[:7].lower() == "bearer ":
        try:
            with open(cluster.pki_path("sa.pub")) as f:
                sa_pub = f.read()
        except OSError:
            sa_pub = ""

        def sa_uid(ns, name):
            sa = view.get("serviceaccounts", ns, name)
            return None if sa is None else sa["metadata"].get("uid")
        user = auth.from_token(sa_pub, authz[7:].strip(), now, sa_uid)
    elif req.client_cert:
        m = re.search(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", req.client_cert, re.S)
        if m:
            der = base64.b64decode("".join(m.group(1).split()))
            user = auth.from_certificate(cluster.ca_pem() or "", der, now)
    path, _, query = req.path.partition("?")
    headers = {k.lower(): v for k, v in req.headers.items()}
    sreq = routes.Request(req.method, path, query, headers, req.body.encode(), user)
    resp = routes.handle(routes.Context(cluster), sreq)
    body = resp.body.decode("utf-8", "replace") if isinstance(resp.body, bytes) else (resp.body or "")
    if resp.content_type.startswith("application/json") and body:
        # kube-apiserver pretty-prints JSON for curl's user agent (isPrettyPrint)
        import json
        try:
            body = json.dumps(json.loads(body), indent=2, ensure_ascii=False) + "\n"
        except ValueError:
            pass
    hdrs = [("Audit-Id", "00000000-0000-0000-0000-000000000000"), ("Cache-Control", "no-cache, private"),
            ("Content-Type", resp.content_type)] + list(resp.headers or [])
    return Response(resp.code, hdrs, body, cert={"self_signed": False, "hosts": ["192.168.0.100"]})
