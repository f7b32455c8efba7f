"""Cluster DNS with CoreDNS's `kubernetes` plugin semantics, answered from the cluster's objects.

Records: `svc.ns.svc.cluster.local` (A = ClusterIP; headless = every ready endpoint; ExternalName
= CNAME), `hostname.svc.ns.svc.cluster.local` and `a-b-c-d.svc.ns.svc...` for a headless
Service's endpoints, `a-b-c-d.ns.pod.cluster.local` ("pods insecure"), SRV
`_port._proto.svc.ns.svc.cluster.local` for named ports; NXDOMAIN otherwise. A pod looks a name
up through its resolv.conf search list with ndots:5. Names outside the cluster come from a small
table of simulated external hosts.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

DOMAIN = "cluster.local"
NAMESERVER = "10.96.0.10"

# the outside world, simulated: names a learner of the notes reaches
EXTERNAL_HOSTS = {
    "github.github.io": ["185.199.108.153", "185.199.109.153", "185.199.110.153", "185.199.111.153"],
    "www.github.com": ["20.200.245.247"],
    "github.com": ["20.200.245.247"],
    "www.google.com": ["142.250.206.228"],
    "google.com": ["142.250.206.206"],
}


@dataclass
class Answer:
    name: str                                   # the name that was found (after the search list)
    addresses: list[str] = field(default_factory=list)
    cnames: list[tuple[str, str]] = field(default_factory=list)   # (alias, canonical)
    srv: list[tuple[int, int, int, str]] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)  # names that were NXDOMAIN on the way


def search_list(namespace: str) -> list[str]:
    return [f"{namespace}.svc.{DOMAIN}", f"svc.{DOMAIN}", DOMAIN]


def resolv_conf(pod: dict) -> str:
    """/etc/resolv.conf as the kubelet writes it for dnsPolicy ClusterFirst."""
    spec = pod.get("spec") or {}
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    if spec.get("dnsPolicy") == "Default" or (spec.get("hostNetwork") and spec.get("dnsPolicy") != "ClusterFirstWithHostNet"):
        return "nameserver 8.8.8.8\n"
    return f"search {' '.join(search_list(ns))}\nnameserver {NAMESERVER}\noptions ndots:5\n"


def _is_ip(s: str) -> bool:
    try:
        ipaddress.IPv4Address(s)
        return True
    except ValueError:
        return False


def _ready_ips(view, ns: str, svc: str) -> list[tuple[str, str | None]]:
    """(ip, hostname) of a Service's ready endpoints, from its EndpointSlices (else Endpoints)."""
    from pykubectl.net.proxy import service_endpoints
    return [(e.ip, e.hostname) for e in service_endpoints(view, ns, svc) if e.ready]


def lookup_fqdn(view, fqdn: str, qtype: str = "A") -> Answer | None:
    """One exact name, no search list: an Answer, or None for NXDOMAIN."""
    name = fqdn.rstrip(".").lower()
    if not name.endswith("." + DOMAIN):
        if name in EXTERNAL_HOSTS:
            return Answer(name, list(EXTERNAL_HOSTS[name]))
        return None
    labels = name[: -len(DOMAIN) - 1].split(".")
    if len(labels) == 3 and labels[2] == "pod":
        ip = labels[0].replace("-", ".")
        return Answer(name, [ip]) if _is_ip(ip) and view.get("namespaces", "", labels[1]) else None
    if len(labels) < 3 or labels[-1] != "svc":
        return None
    ns, svc_name = labels[-2], labels[-3]
    svc = view.get("services", ns, svc_name)
    if svc is None:
        return None
    spec = svc.get("spec") or {}
    rest = labels[:-3]
    if len(rest) == 2 and rest[0].startswith("_") and rest[1].startswith("_"):
        port, proto = rest[0][1:], rest[1][1:].upper()
        target = name[len(rest[0]) + len(rest[1]) + 2:]
        recs = [(0, 100, p.get("port"), target) for p in spec.get("ports") or []
                if p.get("name") == port and (p.get("protocol") or "TCP") == proto]
        return Answer(name, srv=recs) if recs else None
    headless = spec.get("clusterIP") == "None"
    if len(rest) == 1:
        if not headless:
            return None
        for ip, host in _ready_ips(view, ns, svc_name):
            if rest[0] == host or rest[0] == ip.replace(".", "-"):
                return Answer(name, [ip])
        return None
    if rest:
        return None
    if spec.get("type") == "ExternalName":
        target = (spec.get("externalName") or "").rstrip(".").lower()
        ans = lookup_fqdn(view, target) or Answer(target)
        return Answer(name, ans.addresses, [(name, target)] + ans.cnames)
    if headless:
        ips = sorted({ip for ip, _ in _ready_ips(view, ns, svc_name)})
        return Answer(name, ips) if ips else None
    return Answer(name, [spec["clusterIP"]]) if spec.get("clusterIP") else None


def resolve(view, name: str, namespace: str = "default", qtype: str = "A") -> Answer | None:
    """What a pod's resolver finds for `name`: the search list first when the name has fewer
    than 5 dots (ndots:5) and is not absolute; None when every candidate is NXDOMAIN."""
    if _is_ip(name):
        return Answer(name, [name])
    absolute = name.endswith(".")
    bare = name.rstrip(".")
    cands = [bare] if absolute else (
        [f"{bare}.{s}" for s in search_list(namespace)] + [bare] if bare.count(".") < 5
        else [bare] + [f"{bare}.{s}" for s in search_list(namespace)])
    tried = []
    for c in cands:
        ans = lookup_fqdn(view, c) if qtype == "A" else query(view, c, qtype)
        if ans is not None:
            ans.tried = tried
            return ans
        tried.append(c)
    return None


def query(view, fqdn: str, qtype: str) -> Answer | None:
    """One exact name and record type, as CoreDNS answers it: None for NXDOMAIN, an Answer with
    only the records of that type otherwise (none at all: NOERROR with an empty answer).
    SRV: one record per port of a ClusterIP Service (`_port._proto` narrows to that named
    port), one per ready endpoint and port of a headless one, weights 100/n as CoreDNS splits
    them; CNAME: an ExternalName's target only; AAAA and the rest: nothing (IPv4 cluster)."""
    qtype = qtype.upper()
    if qtype == "A":
        return lookup_fqdn(view, fqdn)
    name = fqdn.rstrip(".").lower()
    if qtype != "SRV":
        found = lookup_fqdn(view, name)
        if found is None:
            return None
        if qtype == "CNAME":
            return Answer(found.name, cnames=found.cnames[:1])
        return Answer(found.name)
    return _srv(view, name)


def _srv(view, name: str) -> Answer | None:
    if not name.endswith("." + DOMAIN):
        return Answer(name) if name in EXTERNAL_HOSTS else None
    labels = name[: -len(DOMAIN) - 1].split(".")
    if len(labels) < 3 or labels[-1] != "svc":
        return lookup_fqdn(view, name) and Answer(name)
    ns, svc_name, rest = labels[-2], labels[-3], labels[:-3]
    svc = view.get("services", ns, svc_name)
    if svc is None:
        return None
    spec = svc.get("spec") or {}
    ports = spec.get("ports") or []
    if len(rest) == 2 and rest[0].startswith("_") and rest[1].startswith("_"):
        port, proto = rest[0][1:], rest[1][1:].upper()
        ports = [p for p in ports if p.get("name") == port and (p.get("protocol") or "TCP") == proto]
        if not ports:
            return None
    elif rest:
        return lookup_fqdn(view, name) and Answer(name)
    if spec.get("type") == "ExternalName":
        return Answer(name)
    base = f"{svc_name}.{ns}.svc.{DOMAIN}"
    if spec.get("clusterIP") == "None":
        targets = [f"{host or ip.replace('.', '-')}.{base}" for ip, host in _ready_ips(view, ns, svc_name)]
    else:
        targets = [base]
    recs = [(p.get("port"), t) for t in sorted(targets) for p in ports]
    weight = 100 // len(recs) if recs else 0
    return Answer(name, srv=[(0, weight, port, t) for port, t in recs])


def pod_dns_name(ip: str, namespace: str) -> str:
    return f"{ip.replace('.', '-')}.{namespace}.pod.{DOMAIN}"
