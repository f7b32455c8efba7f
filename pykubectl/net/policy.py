"""NetworkPolicy as Calico enforces it on the simulated traffic path: a connection from a source
(a pod, or an address outside the pod network) to a destination (a pod, or an outside address)
on a port is allowed only if the source's egress policies and the destination's ingress
policies both allow it. A pod no policy selects (for that direction) is open. Denied packets
are dropped, so clients time out.
"""
from __future__ import annotations

import ipaddress


def _selects(sel: dict | None, labels: dict | None) -> bool:
    from pykubectl.api.selectors import SelectorError, from_label_selector
    try:
        return from_label_selector(sel if sel is not None else {}).matches(labels or {})
    except SelectorError:
        return False


def policy_types(pol: dict) -> list[str]:
    """spec.policyTypes, defaulted as the apiserver does: Ingress, plus Egress when egress rules exist."""
    spec = pol.get("spec") or {}
    if spec.get("policyTypes"):
        return spec["policyTypes"]
    return ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def _ns_labels(view, ns: str) -> dict:
    obj = view.get("namespaces", "", ns) or {}
    return {**((obj.get("metadata") or {}).get("labels") or {}), "kubernetes.io/metadata.name": ns}


def _peer_matches(view, peer: dict, pol_ns: str, other_pod: dict | None, other_ip: str) -> bool:
    if "ipBlock" in peer:
        blk = peer["ipBlock"] or {}
        try:
            a = ipaddress.ip_address(other_ip)
            if a not in ipaddress.ip_network(blk.get("cidr", ""), strict=False):
                return False
            return not any(a in ipaddress.ip_network(x, strict=False) for x in blk.get("except") or [])
        except ValueError:
            return False
    if other_pod is None:
        return False
    meta = other_pod["metadata"]
    if "namespaceSelector" in peer:
        if not _selects(peer["namespaceSelector"], _ns_labels(view, meta.get("namespace") or "")):
            return False
    elif meta.get("namespace") != pol_ns:
        return False
    return "podSelector" not in peer or _selects(peer["podSelector"], meta.get("labels"))


def _port_matches(rule_ports, port: int, proto: str, dst_pod: dict | None) -> bool:
    if not rule_ports:
        return True
    for rp in rule_ports:
        if (rp.get("protocol") or "TCP") != proto:
            continue
        want = rp.get("port")
        if want is None:
            return True
        if isinstance(want, str) and not want.isdigit():
            names = [p.get("containerPort") for c in ((dst_pod or {}).get("spec") or {}).get("containers") or []
                     for p in c.get("ports") or [] if p.get("name") == want]
            if port in names:
                return True
            continue
        lo, hi = int(want), int(rp.get("endPort") or want)
        if lo <= port <= hi:
            return True
    return False


def _direction_allows(view, pod: dict, direction: str, other_pod, other_ip: str, port: int, proto: str,
                      dst_pod) -> bool:
    ns = pod["metadata"].get("namespace") or "default"
    relevant = [p for p in view.list("networkpolicies.networking.k8s.io", ns)
                if direction in policy_types(p) and _selects((p.get("spec") or {}).get("podSelector"),
                                                             pod["metadata"].get("labels"))]
    if not relevant:
        return True
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for pol in relevant:
        for rule in (pol.get("spec") or {}).get(key) or []:
            peers = rule.get(peers_key)
            if peers and not any(_peer_matches(view, peer, ns, other_pod, other_ip) for peer in peers):
                continue
            if _port_matches(rule.get("ports"), port, proto, dst_pod):
                return True
    return False


def allowed(view, src_pod: dict | None, src_ip: str, dst_pod: dict | None, dst_ip: str, port: int,
            proto: str = "TCP", seen: tuple | None = None) -> bool:
    """Whether Calico lets src → dst:port through. `seen`: (pod, ip) the destination sees as the
    source when it differs from the sender (kube-proxy masqueraded it to a node address)."""
    if src_pod is not None and not _direction_allows(view, src_pod, "Egress", dst_pod, dst_ip, port, proto, dst_pod):
        return False
    in_pod, in_ip = seen if seen is not None else (src_pod, src_ip)
    if dst_pod is not None and not _direction_allows(view, dst_pod, "Ingress", in_pod, in_ip, port, proto, dst_pod):
        return False
    return True
