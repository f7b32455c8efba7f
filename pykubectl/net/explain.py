"""`pykubectl sim explain svc/NAME`: which pods are a Service's endpoints (ready or not, and why
not ready) and, for every other pod of its namespace, why it is not one — the selector's keys
it fails, no IP yet, finished, terminating, no container port for a named targetPort. A
selector-less Service shows its hand-written Endpoints instead. The verdicts are the endpoints
controller's own (`controllers.endpoints.endpoint_verdict`), so explain and controller agree.
Pure: the caller passes the objects in.
"""
from __future__ import annotations


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _ports(spec: dict) -> str:
    out = []
    for p in spec.get("ports") or []:
        s = f"{p.get('port')}/{p.get('protocol') or 'TCP'}"
        if p.get("name"):
            s = f"{p['name']} {s}"
        s += f" -> {p.get('targetPort', p.get('port'))}"
        if p.get("nodePort") and spec.get("type") in ("NodePort", "LoadBalancer"):
            s += f" (nodePort {p['nodePort']})"
        out.append(s)
    return ", ".join(out) or "<none>"


def _header(svc: dict) -> list[str]:
    meta, spec = svc["metadata"], svc.get("spec") or {}
    typ = spec.get("type") or "ClusterIP"
    head = f"Service {meta.get('namespace')}/{meta['name']}: type {typ}"
    if typ == "ExternalName":
        return [head + f", external name {spec.get('externalName')}"]
    cip = spec.get("clusterIP")
    head += ", headless (clusterIP None)" if cip == "None" else f", cluster IP {cip or '<none>'}"
    sel = spec.get("selector")
    head += ", selector " + ",".join(f"{k}={v}" for k, v in sorted(sel.items())) if sel else ", no selector"
    out = [head, f"Ports: {_ports(spec)}"]
    if typ == "LoadBalancer":
        ips = [i.get("ip") or i.get("hostname") for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []]
        out.append("Load balancer: " + (", ".join(ips) if ips else
                                         "<pending> (no address pool: see `pykubectl sim --help`)"))
    if spec.get("externalTrafficPolicy") == "Local":
        out.append("externalTrafficPolicy: Local (from outside, only nodes with a ready endpoint answer, "
                   "and the client's address is kept)")
    if spec.get("internalTrafficPolicy") == "Local":
        out.append("internalTrafficPolicy: Local (a pod reaches only endpoints on its own node)")
    if spec.get("publishNotReadyAddresses"):
        out.append("publishNotReadyAddresses: true (not-ready and terminating pods are published as ready)")
    return out


def _endpoint_ports(ports: list[dict]) -> str:
    return ",".join(f"{p['port']}/{p['protocol']}" for p in ports)


def explain_service(svc: dict, pods: list[dict], endpoints: dict | None = None, events: list[dict] = ()) -> str:
    """The explanation, as text. `pods`: the pods of the Service's namespace; `endpoints`: the
    live Endpoints object of the same name, if any; `events`: the namespace's Events (a not-ready
    pod's last failed readiness probe is quoted from them)."""
    spec = svc.get("spec") or {}
    out = _header(svc) + [""]
    if spec.get("type") == "ExternalName":
        out.append(f"No endpoints: cluster DNS answers {svc['metadata']['name']} with a CNAME to "
                   f"{spec.get('externalName')}, and kube-proxy writes no rules for it.")
        return "\n".join(out) + "\n"
    if not spec.get("selector"):
        return "\n".join(out + _selectorless(svc, pods, endpoints)) + "\n"
    from pykubectl.net.membership import endpoint_verdict, pod_ready
    members, others = [], []
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        v = endpoint_verdict(svc, pod)
        (others if v.state == "excluded" else members).append((pod, v))
    if members:
        rows = [["POD", "IP", "NODE", "PORTS", "STATE"]]
        for pod, v in sorted(members, key=lambda m: (m[1].state != "ready", m[0]["status"]["podIP"])):
            state = "ready" if v.state == "ready" else "not ready"
            reasons = list(v.reasons)
            probe = _last_probe_failure(pod, events)
            if probe and not pod_ready(pod):
                reasons.append(f"last event: {probe}")
            if reasons:
                state += ": " + "; ".join(reasons)
            rows.append([pod["metadata"]["name"], pod["status"]["podIP"], (pod.get("spec") or {}).get("nodeName") or "-",
                         _endpoint_ports(v.ports), state])
        ready = sum(1 for _, v in members if v.state == "ready")
        who = ("cluster DNS answers with the ready ones' IPs" if spec.get("clusterIP") == "None"
               else "kube-proxy sends traffic to the ready ones only")
        out.append(f"Endpoints ({ready} ready, {len(members) - ready} not ready; {who}):")
        out += _table(rows)
    else:
        out.append("Endpoints: none (kube-proxy rejects connections to the Service: no endpoints)")
    out.append("")
    ns = svc["metadata"].get("namespace")
    if others:
        out.append(f"Other pods in namespace {ns}, and why they are not endpoints:")
        out += _table([["POD", "WHY NOT"]] + [[p["metadata"]["name"], "; ".join(v.reasons)] for p, v in others])
    else:
        out.append(f"No other pods in namespace {ns}.")
    stale = _stale(members, endpoints)
    if stale:
        out += ["", stale]
    return "\n".join(out) + "\n"


def _last_probe_failure(pod: dict, events) -> str:
    """The message of the pod's latest `Unhealthy` readiness event, if any."""
    uid, name = pod["metadata"].get("uid"), pod["metadata"]["name"]
    best = None
    for e in events or ():
        io = e.get("involvedObject") or {}
        msg = e.get("message") or ""
        if io.get("kind") != "Pod" or io.get("name") != name or (uid and io.get("uid") not in (None, uid)):
            continue
        if e.get("reason") == "Unhealthy" and msg.startswith("Readiness probe"):
            when = e.get("lastTimestamp") or e.get("eventTime") or ""
            if best is None or when >= best[0]:
                best = (when, msg.strip())
    return best[1] if best else ""


def _stale(members, endpoints) -> str:
    """A note when the live Endpoints object does not (yet) hold what the controller would write."""
    if endpoints is None:
        return "Note: no Endpoints object exists yet; the endpoints controller writes it on its next pass."
    want = {(p["status"]["podIP"], v.state == "ready") for p, v in members}
    have = {(a.get("ip"), key == "addresses") for ss in endpoints.get("subsets") or []
            for key in ("addresses", "notReadyAddresses") for a in ss.get(key) or []}
    if want != have:
        return "Note: the live Endpoints object differs; the endpoints controller has not caught up yet."
    return ""


def _selectorless(svc: dict, pods: list[dict], endpoints: dict | None) -> list[str]:
    name = svc["metadata"]["name"]
    out = ["No selector: the endpoints controller leaves this Service alone. Its Endpoints object is",
           "written by hand, and the EndpointSlice mirroring controller copies it into an EndpointSlice",
           "for kube-proxy.", ""]
    if endpoints is None:
        return out + [f"No Endpoints object named {name}: the Service has no endpoints (kube-proxy rejects "
                      "connections to it)."]
    by_ip = {(p.get("status") or {}).get("podIP"): p for p in pods if (p.get("status") or {}).get("podIP")}
    rows = [["IP", "PORTS", "STATE", "WHAT IS THERE"]]
    for ss in endpoints.get("subsets") or []:
        ports = ",".join(f"{p.get('port')}/{p.get('protocol') or 'TCP'}" for p in ss.get("ports") or [])
        for key, state in (("addresses", "ready"), ("notReadyAddresses", "not ready")):
            for a in ss.get(key) or []:
                pod = by_ip.get(a.get("ip"))
                if pod is not None:
                    what = f"pod {pod['metadata']['name']}"
                elif _pod_network(a.get("ip")):
                    what = "no pod has this IP (nothing answers)"
                else:
                    what = "an address outside the pod network"
                rows.append([a.get("ip", ""), ports or "<none>", state, what])
    if len(rows) == 1:
        return out + [f"Endpoints {name} lists no addresses: the Service has no endpoints."]
    return out + [f"Endpoints {name} (hand-written):"] + _table(rows)


def _pod_network(ip: str | None) -> bool:
    import ipaddress
    from pykubectl.net.proxy import CLUSTER_CIDR
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(CLUSTER_CIDR)
    except ValueError:
        return False
