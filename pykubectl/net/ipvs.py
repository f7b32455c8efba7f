"""kube-proxy in ipvs mode, chosen by the kube-proxy ConfigMap (kube-system/kube-proxy,
config.conf `mode: ipvs`): the virtual servers `ipvsadm -Ln` lists on a node, and the few
iptables rules ipvs mode still writes, matching ipsets instead of one chain per Service
(pkg/proxy/ipvs/proxier.go, writeIptablesRules).

Virtual servers: every Service port's ClusterIP, externalIPs and LoadBalancer addresses, and its
NodePort on each of the node's own addresses (enp0s3 and Calico's tunl0), scheduler rr, Masq
forwarding, weight 1. With a traffic policy Local only the node's own endpoints are real
servers, or all of them when it has none (kubernetes#97081).
"""
from __future__ import annotations

import ipaddress

IPVS_HEADER = ("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
               "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")
_PROTO_ORDER = {"TCP": 6, "UDP": 17, "SCTP": 132}


def proxy_mode(view) -> str:
    """`iptables` or `ipvs`, as kube-proxy reads its configuration (empty means iptables)."""
    import yaml
    cm = view.get("configmaps", "kube-system", "kube-proxy") or {}
    text = (cm.get("data") or {}).get("config.conf") or ""
    try:
        cfg = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError:
        return "iptables"
    return "ipvs" if isinstance(cfg, dict) and cfg.get("mode") == "ipvs" else "iptables"


def node_addresses(view, node: str) -> list[str]:
    """The node's own IPv4 addresses that NodePorts bind: its InternalIP and tunl0 address."""
    n = view.get("nodes", "", node) or {}
    out = [a["address"] for a in (n.get("status") or {}).get("addresses") or [] if a.get("type") == "InternalIP"]
    tunl = ((n.get("metadata") or {}).get("annotations") or {}).get("projectcalico.org/IPv4IPIPTunnelAddr")
    return out + ([tunl] if tunl else [])


def virtual_servers(view, node: str) -> list[dict]:
    """[{proto, vip, port, persistent, kind, dests: [(ip, port)]}] on `node`, sorted as
    ipvsadm sorts them (protocol, address, port)."""
    from pykubectl.net.proxy import categorize, policies, service_endpoints, target_of
    out = []
    for svc in view.list("services"):
        spec, meta = svc.get("spec") or {}, svc["metadata"]
        cip = spec.get("clusterIP")
        if spec.get("type") == "ExternalName" or not cip or cip == "None":
            continue
        itp_local, etp_local = policies(spec)
        persistent = None
        if spec.get("sessionAffinity") == "ClientIP":
            persistent = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds") or 10800
        eps = service_endpoints(view, meta["namespace"], meta["name"])
        lb_ips = [i["ip"] for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
                  if i.get("ip")] if spec.get("type") == "LoadBalancer" else []
        for p in spec.get("ports") or []:
            proto = p.get("protocol") or "TCP"
            ported = [e for e in eps if target_of(e, p)]
            cluster, local = categorize(ported, node)

            def dests(only_local):
                chosen = local if only_local and local else cluster
                return sorted(((e.ip, target_of(e, p)) for e in chosen), key=lambda d: (ipaddress.ip_address(d[0]), d[1]))

            vips = [(cip, p["port"], itp_local, "cluster")]
            vips += [(ip, p["port"], etp_local, "external") for ip in spec.get("externalIPs") or []]
            vips += [(ip, p["port"], etp_local, "loadbalancer") for ip in lb_ips]
            if p.get("nodePort") and spec.get("type") in ("NodePort", "LoadBalancer"):
                vips += [(ip, p["nodePort"], etp_local, "nodeport") for ip in node_addresses(view, node)]
            for vip, port, only_local, kind in vips:
                out.append({"proto": proto, "vip": vip, "port": port, "persistent": persistent, "kind": kind,
                            "local": only_local, "dests": dests(only_local)})
    return sorted(out, key=lambda v: (_PROTO_ORDER.get(v["proto"], 255), ipaddress.ip_address(v["vip"]), v["port"]))


def ipvsadm(view, node: str, argv: list[str]):
    """`ipvsadm -Ln` as ipvsadm prints the table (an empty one in iptables mode):
    (stdout, stderr, exit_code)."""
    if proxy_mode(view) != "ipvs":
        return IPVS_HEADER, "", 0
    out = [IPVS_HEADER]
    for vs in virtual_servers(view, node):
        line = f"{vs['proto']}  {vs['vip']}:{vs['port']} rr"
        if vs["persistent"]:
            line += f" persistent {vs['persistent']}"
        out.append(line + "\n")
        for ip, port in vs["dests"]:
            out.append(f"  -> {f'{ip}:{port}':<28} {'Masq':<7} {1:<6} {0:<10} {0:<10}\n")
    return "".join(out), "", 0


def iptables_save(view, node: str, when: str) -> str:
    """The filter and nat tables of a node whose kube-proxy runs in ipvs mode: rules match the
    KUBE-* ipsets; no per-Service chains."""
    from pykubectl.net.proxy import CLUSTER_CIDR, _table
    servers = virtual_servers(view, node)
    kinds = {vs["kind"] for vs in servers}
    lb_local = any(vs["kind"] == "loadbalancer" and vs["local"] for vs in servers)
    np_local = any(vs["kind"] == "nodeport" and vs["local"] and vs["proto"] == "TCP" for vs in servers)
    np_tcp = any(vs["kind"] == "nodeport" and vs["proto"] == "TCP" for vs in servers)
    loopback = any(_is_local_dest(view, node, ip) for vs in servers for ip, _ in vs["dests"])

    def setrule(comment, name, match, target, proto=""):
        p = f"-p {proto} " if proto else ""
        return f'{p}-m comment --comment "{comment}" -m set --match-set {name} {match} -j {target}'

    nat = {"PREROUTING": ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES'],
           "OUTPUT": ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES'],
           "POSTROUTING": ['-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING'],
           "KUBE-KUBELET-CANARY": [], "KUBE-LOAD-BALANCER": [], "KUBE-MARK-MASQ": ["-j MARK --set-xmark 0x4000/0x4000"],
           "KUBE-NODE-PORT": [], "KUBE-POSTROUTING": [], "KUBE-SERVICES": ["-s 127.0.0.0/8 -j RETURN"]}
    if loopback:
        nat["KUBE-POSTROUTING"].append(setrule("Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose",
                                               "KUBE-LOOP-BACK", "dst,dst,src", "MASQUERADE"))
    nat["KUBE-POSTROUTING"] += ["-m mark ! --mark 0x4000/0x4000 -j RETURN", "-j MARK --set-xmark 0x4000/0x0",
                                '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully']
    if "loadbalancer" in kinds:
        nat["KUBE-SERVICES"].append(setrule("Kubernetes service lb portal", "KUBE-LOAD-BALANCER", "dst,dst", "KUBE-LOAD-BALANCER"))
    if lb_local:
        nat["KUBE-LOAD-BALANCER"].append(setrule("Kubernetes service load balancer ip + port with externalTrafficPolicy=local",
                                                 "KUBE-LOAD-BALANCER-LOCAL", "dst,dst", "RETURN"))
    if np_local:
        nat["KUBE-NODE-PORT"].append(setrule("Kubernetes nodeport TCP port with externalTrafficPolicy=local",
                                             "KUBE-NODE-PORT-LOCAL-TCP", "dst", "RETURN", "tcp"))
    if np_tcp:
        nat["KUBE-NODE-PORT"].append(setrule("Kubernetes nodeport TCP port for masquerade purpose",
                                             "KUBE-NODE-PORT-TCP", "dst", "KUBE-MARK-MASQ", "tcp"))
    if "cluster" in kinds:
        nat["KUBE-SERVICES"].append(f"! -s {CLUSTER_CIDR} " + setrule(
            "Kubernetes service cluster ip + port for masquerade purpose", "KUBE-CLUSTER-IP", "dst,dst", "KUBE-MARK-MASQ"))
    if "external" in kinds:
        ext = setrule("Kubernetes service external ip + port for masquerade and filter purpose", "KUBE-EXTERNAL-IP",
                      "dst,dst", "KUBE-MARK-MASQ")
        base = ext.rsplit(" -j ", 1)[0]
        nat["KUBE-SERVICES"] += [ext, base.replace("-m set", "-m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -m set", 1)
                                 + " -j ACCEPT", base + " -m addrtype --dst-type LOCAL -j ACCEPT"]
    nat["KUBE-SERVICES"].append("-m addrtype --dst-type LOCAL -j KUBE-NODE-PORT")
    nat["KUBE-LOAD-BALANCER"].append("-j KUBE-MARK-MASQ")
    if "cluster" in kinds:
        nat["KUBE-SERVICES"].append("-m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT")
    if "loadbalancer" in kinds:
        nat["KUBE-SERVICES"].append("-m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT")
    filt = {"INPUT": ['-m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER',
                      '-m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
                      '-m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT', "-j KUBE-FIREWALL"],
            "FORWARD": ['-m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
                        '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD'],
            "OUTPUT": ['-m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER', "-j KUBE-FIREWALL"],
            "KUBE-FIREWALL": ['! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" '
                              "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"],
            "KUBE-FORWARD": ['-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
                             '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate '
                             "RELATED,ESTABLISHED -j ACCEPT"],
            "KUBE-IPVS-FILTER": ["-m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN",
                                 "-m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN",
                                 "-m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN",
                                 "-m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN",
                                 "-m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN",
                                 "-m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst "
                                 "-j REJECT --reject-with icmp-port-unreachable"],
            "KUBE-IPVS-OUT-FILTER": [], "KUBE-KUBELET-CANARY": [],
            "KUBE-NODE-PORT": [setrule("Kubernetes health check node port", "KUBE-HEALTH-CHECK-NODE-PORT", "dst", "ACCEPT")],
            "KUBE-PROXY-FIREWALL": [], "KUBE-SOURCE-RANGES-FIREWALL": ["-j DROP"]}
    out = _table("mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
                 {"KUBE-IPTABLES-HINT": [], "KUBE-KUBELET-CANARY": [], "KUBE-PROXY-CANARY": []}, when)
    out += _table("filter", ["INPUT", "FORWARD", "OUTPUT"], filt, when)
    out += _table("nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"], nat, when)
    return "\n".join(out) + "\n"


def _is_local_dest(view, node: str, ip: str) -> bool:
    for pod in view.list("pods", index=("nodeName", node)):
        if (pod.get("status") or {}).get("podIP") == ip:
            return True
    return False
