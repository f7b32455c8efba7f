"""kube-proxy in iptables mode: which endpoint a packet to a Service reaches, and the rules it
writes on each node (`iptables_save`), plus the node's routing table as Calico programs it
(`routes`).

Endpoints come from EndpointSlices (what kube-proxy watches), so a selector-less Service's
hand-written Endpoints reach traffic only through the mirroring controller. Chain names are
hashed as kube-proxy hashes them (`portProtoHash`: base32 of sha256, 16 characters). The
traffic path picks an endpoint by walking the KUBE-SVC chain's `statistic --probability` rules
with a seeded random source, so a split is the split iptables would give.

External destinations: spec.externalIPs and LoadBalancer addresses jump from KUBE-SERVICES to
the KUBE-EXT chain; with spec.loadBalancerSourceRanges a LoadBalancer address jumps to a KUBE-FW
chain instead, which passes the listed sources on to KUBE-EXT and lets the rest fall through
un-DNATed to KUBE-PROXY-FIREWALL's DROP (v1.32 writes no KUBE-MARK-DROP any more).
NodePorts are not subject to the source ranges, as in kube-proxy.
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
from dataclasses import dataclass, field

SLICES = "endpointslices.discovery.k8s.io"
CLUSTER_CIDR = "20.96.0.0/12"


@dataclass
class Endpoint:
    ip: str
    ports: dict = field(default_factory=dict)   # port name -> (port, protocol)
    ready: bool = True
    hostname: str | None = None
    node: str | None = None
    pod: tuple[str, str] | None = None          # (namespace, name)


def service_endpoints(view, ns: str, svc: str) -> list[Endpoint]:
    """A Service's endpoints as kube-proxy sees them (all EndpointSlices labelled for it)."""
    out, seen = [], set()
    for sl in view.list(SLICES, ns, labels_eq={"kubernetes.io/service-name": svc}):
        ports = {(p.get("name") or ""): (p.get("port"), p.get("protocol") or "TCP") for p in sl.get("ports") or []}
        for e in sl.get("endpoints") or []:
            cond = e.get("conditions") or {}
            ready = cond.get("ready") is not False
            for ip in e.get("addresses") or []:
                if ip in seen:
                    continue
                seen.add(ip)
                ref = e.get("targetRef") or {}
                pod = (ref.get("namespace") or ns, ref["name"]) if ref.get("kind") == "Pod" else None
                out.append(Endpoint(ip, ports, ready, e.get("hostname"), e.get("nodeName"), pod))
    return sorted(out, key=lambda e: e.ip)


# ---------------------------------------------------------------------------------------------
# chain names and rule arithmetic

def _hash16(s: str) -> str:
    return base64.b32encode(hashlib.sha256(s.encode()).digest()).decode()[:16]


def port_name(ns: str, svc: str, port: dict) -> str:
    """ServicePortName.String(): ns/svc, plus :portname when the port is named."""
    return f"{ns}/{svc}" + (f":{port['name']}" if port.get("name") else "")


def svc_chain(spn: str, proto: str) -> str:
    return "KUBE-SVC-" + _hash16(spn + proto.lower())


def ext_chain(spn: str, proto: str) -> str:
    return "KUBE-EXT-" + _hash16(spn + proto.lower())


def fw_chain(spn: str, proto: str) -> str:
    return "KUBE-FW-" + _hash16(spn + proto.lower())


def svl_chain(spn: str, proto: str) -> str:
    return "KUBE-SVL-" + _hash16(spn + proto.lower())


def sep_chain(spn: str, proto: str, endpoint: str) -> str:
    return "KUBE-SEP-" + _hash16(spn + proto.lower() + endpoint)


def probability(i: int, n: int) -> str:
    """The probability of rule i of n as iptables-save prints it: kube-proxy writes
    %0.10f of 1/(n-i); the kernel keeps it as a fraction of 2^31 and iptables prints %.11f."""
    p = float(f"{1.0 / (n - i):0.10f}")
    return f"{round(p * 0x80000000) / 0x80000000:.11f}"


def choose(endpoints: list, rng, client_ip: str | None = None, affinity: bool = False):
    """Walk the KUBE-SVC chain: rule i matches with its printed probability, the last always.
    With sessionAffinity ClientIP a client keeps its endpoint (kube-proxy's `recent` match),
    simulated by hashing the client address."""
    if not endpoints:
        return None
    if affinity and client_ip:
        return endpoints[int(hashlib.sha256(client_ip.encode()).hexdigest(), 16) % len(endpoints)]
    n = len(endpoints)
    for i, ep in enumerate(endpoints):
        if i == n - 1 or rng.random() < float(probability(i, n)):
            return ep
    return endpoints[-1]


def target_of(ep: Endpoint, svc_port: dict) -> int | None:
    """The endpoint port serving a Service port (matched by the port's name)."""
    got = ep.ports.get(svc_port.get("name") or "")
    if got:
        return got[0]
    tp = svc_port.get("targetPort")
    return tp if isinstance(tp, int) else None


# ---------------------------------------------------------------------------------------------
# the traffic path's lookups

def find_service_by_ip(view, ip: str, port: int):
    """(Service, its port) whose ClusterIP (or externalIPs) and port match, or (svc, None) when
    the IP is a Service's but not the port, or (None, None)."""
    hit = None
    for svc in view.list("services"):
        spec = svc.get("spec") or {}
        ips = [spec.get("clusterIP")] + list(spec.get("externalIPs") or [])
        ips += [i.get("ip") for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []]
        if ip in ips and ip != "None":
            hit = svc
            for p in spec.get("ports") or []:
                if p.get("port") == port and (p.get("protocol") or "TCP") == "TCP":
                    return svc, p
    return hit, None


def find_nodeport(view, port: int):
    for svc in view.list("services"):
        spec = svc.get("spec") or {}
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            for p in spec.get("ports") or []:
                if p.get("nodePort") == port:
                    return svc, p
    return None, None


def find_health_check_port(view, port: int):
    for svc in view.list("services"):
        if (svc.get("spec") or {}).get("healthCheckNodePort") == port:
            return svc
    return None


def node_ips(view) -> dict[str, str]:
    """InternalIP -> node name."""
    out = {}
    for n in view.list("nodes"):
        for a in (n.get("status") or {}).get("addresses") or []:
            if a.get("type") == "InternalIP":
                out[a["address"]] = n["metadata"]["name"]
    return out


# ---------------------------------------------------------------------------------------------
# iptables-save

def _services(view):
    return sorted(view.list("services"), key=lambda s: (s["metadata"]["namespace"], s["metadata"]["name"]))


def _table(name: str, builtins: list[str], chains: dict[str, list[str]], when: str) -> list[str]:
    """One table as iptables-save prints it: built-in chains first, then the others by name,
    each chain's rules together."""
    user = sorted(c for c in chains if c not in builtins)
    out = [f"# Generated by iptables-save v1.8.7 on {when}", f"*{name}"]
    out += [f":{c} ACCEPT [0:0]" for c in builtins] + [f":{c} - [0:0]" for c in user]
    for c in builtins + user:
        out += [f"-A {c} {r}" for r in chains.get(c, [])]
    return out + ["COMMIT", f"# Completed on {when}"]


def categorize(endpoints: list[Endpoint], node: str | None) -> tuple[list[Endpoint], list[Endpoint]]:
    """CategorizeEndpoints: (cluster endpoints, this node's endpoints), ready ones only."""
    ready = [e for e in endpoints if e.ready]
    return ready, [e for e in ready if node is not None and e.node == node]


def policies(spec: dict) -> tuple[bool, bool]:
    """(internal policy Local, external policy Local) as kube-proxy reads them."""
    external = spec.get("type") in ("NodePort", "LoadBalancer") or bool(spec.get("externalIPs"))
    return (spec.get("internalTrafficPolicy") == "Local",
            external and spec.get("externalTrafficPolicy") == "Local")


def _service_rules(view, svc: dict, node: str, nat: dict, filt: dict, node_ip: str | None = None) -> None:
    """One Service's rules on `node`, as syncProxyRules writes them (pkg/proxy/iptables)."""
    spec, meta = svc.get("spec") or {}, svc["metadata"]
    ns, name = meta["namespace"], meta["name"]
    cip = spec.get("clusterIP")
    if spec.get("type") == "ExternalName" or not cip or cip == "None":
        return
    itp_local, etp_local = policies(spec)
    lb_ips = [i.get("ip") for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
              if i.get("ip")] if spec.get("type") == "LoadBalancer" else []
    ext_ips = list(spec.get("externalIPs") or [])
    affinity = spec.get("sessionAffinity") == "ClientIP"
    sticky = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds") or 10800
    all_eps = service_endpoints(view, ns, name)
    for p in spec.get("ports") or []:
        proto = (p.get("protocol") or "TCP").lower()
        spn = port_name(ns, name, p)
        port = p["port"]
        ported = [(e, target_of(e, p)) for e in all_eps]
        cluster, local = categorize([e for e, t in ported if t], node)
        dest = {e.ip: f"{e.ip}:{t}" for e, t in ported if t}
        has_eps = bool(cluster)
        has_internal = has_eps and (bool(local) or not itp_local)
        has_external = has_eps and (bool(local) or not etp_local)
        np = p.get("nodePort") if spec.get("type") in ("NodePort", "LoadBalancer") else None
        externally = bool(np or lb_ips or ext_ips)
        sc, svl, xc = svc_chain(spn, proto), svl_chain(spn, proto), ext_chain(spn, proto)
        internal_chain = svl if itp_local else sc
        external_chain = svl if etp_local else sc
        if not has_eps:
            int_target = ext_target = "REJECT --reject-with icmp-port-unreachable"
            int_comment = ext_comment = f"{spn} has no endpoints"
        else:
            int_target = ext_target = "DROP"
            int_comment = ext_comment = f"{spn} has no local endpoints"
        dport = f"-m {proto} --dport {port}"
        if has_internal:
            nat["KUBE-SERVICES"].append(f'-d {cip}/32 -p {proto} -m comment --comment "{spn} cluster IP" {dport} -j {internal_chain}')
        else:
            filt["KUBE-SERVICES"].append(f'-d {cip}/32 -p {proto} -m comment --comment "{int_comment}" {dport} -j {int_target}')
        for ip in ext_ips:
            if has_eps:
                nat["KUBE-SERVICES"].append(f'-d {ip}/32 -p {proto} -m comment --comment "{spn} external IP" {dport} -j {xc}')
            if not has_external:
                filt["KUBE-EXTERNAL-SERVICES"].append(
                    f'-d {ip}/32 -p {proto} -m comment --comment "{ext_comment}" {dport} -j {ext_target}')
        ranges = source_ranges(spec)
        uses_fw = has_eps and bool(lb_ips) and bool(ranges)
        fc = fw_chain(spn, proto)
        for ip in lb_ips:
            if has_eps:
                nat["KUBE-SERVICES"].append(f'-d {ip}/32 -p {proto} -m comment --comment "{spn} loadbalancer IP" '
                                            f"{dport} -j {fc if uses_fw else xc}")
            if uses_fw:
                filt["KUBE-PROXY-FIREWALL"].append(f'-d {ip}/32 -p {proto} -m comment --comment "{spn} traffic not '
                                                   f'accepted by {fc}" {dport} -j DROP')
        if not has_external:
            for ip in lb_ips:
                filt["KUBE-EXTERNAL-SERVICES"].append(
                    f'-d {ip}/32 -p {proto} -m comment --comment "{ext_comment}" {dport} -j {ext_target}')
        if np:
            if has_eps:
                nat["KUBE-NODEPORTS"].append(f'-p {proto} -m comment --comment "{spn}" -m {proto} --dport {np} -j {xc}')
            if not has_external:
                filt["KUBE-EXTERNAL-SERVICES"].append(
                    f'-p {proto} -m comment --comment "{ext_comment}" -m addrtype --dst-type LOCAL '
                    f'-m {proto} --dport {np} -j {ext_target}')
        hc = spec.get("healthCheckNodePort")
        if hc:
            filt["KUBE-NODEPORTS"].append(f'-p tcp -m comment --comment "{spn} health check node port" -m tcp --dport {hc} -j ACCEPT')
        if has_internal:
            nat[internal_chain].append(f'! -s {CLUSTER_CIDR} -d {cip}/32 -p {proto} -m comment --comment "{spn} cluster IP" '
                                       f'{dport} -j KUBE-MARK-MASQ')
        if has_eps and externally:
            if not etp_local:
                nat[xc].append(f'-m comment --comment "masquerade traffic for {spn} external destinations" -j KUBE-MARK-MASQ')
            else:
                nat[xc] += [f'-s {CLUSTER_CIDR} -m comment --comment "pod traffic for {spn} external destinations" -j {sc}',
                            f'-m comment --comment "masquerade LOCAL traffic for {spn} external destinations" '
                            "-m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
                            f'-m comment --comment "route LOCAL traffic for {spn} external destinations" '
                            f"-m addrtype --src-type LOCAL -j {sc}"]
            if has_external:
                nat[xc].append(f"-j {external_chain}")
        if uses_fw:
            nat[fc] = _firewall_rules(spn, ranges, lb_ips, node_ip, xc)
        # UsesClusterEndpoints / UsesLocalEndpoints: an externally reachable port keeps the
        # cluster chain even with policy Local, for the short-circuit rules above
        uses_cluster = bool(cluster) and (not itp_local or externally)
        uses_local = bool(local) and (itp_local or (externally and etp_local))
        reachable = []
        if uses_cluster:
            _endpoint_rules(nat, sc, spn, proto, cluster, dest, affinity, sticky)
            reachable += cluster
        if uses_local:
            _endpoint_rules(nat, svl, spn, proto, local, dest, affinity, sticky)
            reachable += [e for e in local if e not in reachable]
        for e in reachable:
            sepc = sep_chain(spn, proto, dest[e.ip])
            recent = f" -m recent --set --name {sepc} --mask 255.255.255.255 --rsource" if affinity else ""
            nat[sepc] += [f'-s {e.ip}/32 -m comment --comment "{spn}" -j KUBE-MARK-MASQ',
                          f'-p {proto} -m comment --comment "{spn}"{recent} -m {proto} -j DNAT --to-destination {dest[e.ip]}']


def source_ranges(spec: dict) -> list:
    """spec.loadBalancerSourceRanges as kube-proxy (iptables, IPv4) keeps them: parsed as
    networks (host bits dropped, as Go's ParseCIDR does), other families and garbage left out."""
    out = []
    for r in spec.get("loadBalancerSourceRanges") or []:
        try:
            net = ipaddress.ip_network(str(r).strip(), strict=False)
        except ValueError:
            continue
        if net.version == 4:
            out.append(net)
    return out


def _src(net) -> str:
    # iptables-save leaves out a source of 0.0.0.0/0: it matches everything
    return "" if net.prefixlen == 0 else f"-s {net} "


def _firewall_rules(spn: str, ranges: list, lb_ips: list[str], node_ip: str | None, xc: str) -> list[str]:
    """The KUBE-FW chain: each source range to the EXT chain; the LB addresses themselves too when
    a range holds this node (a VIP bound locally loops back with itself as source); everything
    else falls off the end, undNATed, into KUBE-PROXY-FIREWALL's DROP."""
    rules = [f'{_src(n)}-m comment --comment "{spn} loadbalancer IP" -j {xc}' for n in ranges]
    me = ipaddress.ip_address(node_ip) if node_ip else None
    if me is not None and any(me in n for n in ranges):
        rules += [f'-s {ip}/32 -m comment --comment "{spn} loadbalancer IP" -j {xc}' for ip in lb_ips]
    return rules + [f'-m comment --comment "other traffic to {spn} will be dropped by KUBE-PROXY-FIREWALL"']


def firewall_allows(spec: dict, source: str, node_ip: str | None = None, lb_ips=()) -> bool:
    """Whether the KUBE-FW chain passes a packet from `source` to a LoadBalancer address (True
    when the Service has no source ranges: no firewall chain)."""
    ranges = source_ranges(spec)
    if not ranges:
        return True
    try:
        a = ipaddress.ip_address(source)
    except ValueError:
        return False
    if any(a in n for n in ranges):
        return True
    me = ipaddress.ip_address(node_ip) if node_ip else None
    return source in lb_ips and me is not None and any(me in n for n in ranges)


def _endpoint_rules(nat, chain, spn, proto, eps, dest, affinity, sticky) -> None:
    """writeServiceToEndpointRules: affinity checks first, then the probability walk."""
    n = len(eps)
    if affinity:
        for e in eps:
            sepc = sep_chain(spn, proto, dest[e.ip])
            nat[chain].append(f'-m comment --comment "{spn} -> {dest[e.ip]}" -m recent --rcheck --seconds {sticky} '
                              f"--reap --name {sepc} --mask 255.255.255.255 --rsource -j {sepc}")
    for i, e in enumerate(eps):
        sepc = sep_chain(spn, proto, dest[e.ip])
        stat = f" -m statistic --mode random --probability {probability(i, n)}" if i < n - 1 else ""
        nat[chain].append(f'-m comment --comment "{spn} -> {dest[e.ip]}"{stat} -j {sepc}')


def iptables_save(view, node: str, when: str = "Thu Jan  1 00:00:00 2026") -> str:
    """The mangle, filter and nat tables kube-proxy (iptables mode) keeps on `node`, as
    iptables-save prints them. Nodes differ only where a traffic policy is Local (their own
    endpoints in KUBE-SVL chains, DROP where they have none)."""
    from collections import defaultdict
    nat = defaultdict(list)
    for c in ("KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-SERVICES"):
        nat[c] = []
    nat["PREROUTING"] = ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES']
    nat["OUTPUT"] = ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES']
    nat["POSTROUTING"] = ['-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING']
    nat["KUBE-MARK-MASQ"] = ["-j MARK --set-xmark 0x4000/0x4000"]
    nat["KUBE-POSTROUTING"] = ["-m mark ! --mark 0x4000/0x4000 -j RETURN", "-j MARK --set-xmark 0x4000/0x0",
                               '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully']
    filt = defaultdict(list)
    filt["INPUT"] = ['-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
                     '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
                     '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
                     "-j KUBE-FIREWALL"]
    filt["FORWARD"] = ['-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
                       '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
                       '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
                       '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES']
    filt["OUTPUT"] = ['-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
                      '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
                      "-j KUBE-FIREWALL"]
    for c in ("KUBE-EXTERNAL-SERVICES", "KUBE-KUBELET-CANARY", "KUBE-NODEPORTS", "KUBE-PROXY-CANARY",
              "KUBE-PROXY-FIREWALL", "KUBE-SERVICES"):
        filt[c] = []
    filt["KUBE-FIREWALL"] = ['! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" '
                             "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"]
    filt["KUBE-FORWARD"] = ["-m conntrack --ctstate INVALID -m nfacct --nfacct-name  ct_state_invalid_dropped_pkts -j DROP",
                            '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
                            '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']
    node_ip = {name: ip for ip, name in node_ips(view).items()}.get(node)
    for svc in _services(view):
        _service_rules(view, svc, node, nat, filt, node_ip)
    nat["KUBE-SERVICES"].append('-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule '
                                'in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
    mangle = {"KUBE-IPTABLES-HINT": [], "KUBE-KUBELET-CANARY": [], "KUBE-PROXY-CANARY": []}
    out = _table("mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"], mangle, when)
    out += _table("filter", ["INPUT", "FORWARD", "OUTPUT"], filt, when)
    out += _table("nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"], nat, when)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# routes (Calico, IPIP)

def cali_iface(namespace: str, pod: str) -> str:
    """Calico's host-side veth name: cali + the first 11 hex digits of sha1(namespace.pod)."""
    return "cali" + hashlib.sha1(f"{namespace}.{pod}".encode()).hexdigest()[:11]


def _blocks(view) -> dict[str, str]:
    out = {}
    for ba in view.list("blockaffinities.crd.projectcalico.org"):
        spec = ba.get("spec") or {}
        if spec.get("node") and spec.get("cidr"):
            out[spec["node"]] = spec["cidr"]
    return out


def routes(view, node: str, numeric: bool = False) -> str:
    """`route` (net-tools) on a node: the default route, tunl0 routes to the other nodes' pod
    blocks, the local block's blackhole, one cali… route per local pod, the node network."""
    ips = {name: ip for ip, name in node_ips(view).items()}
    me = ips.get(node)
    rows = [("0.0.0.0" if numeric else "default", "192.168.0.1" if numeric else "_gateway", "0.0.0.0", "UG", "100", "enp0s3")]
    blocks = _blocks(view)
    local = []
    for other, cidr in sorted(blocks.items(), key=lambda kv: ipaddress.ip_network(kv[1])):
        net = ipaddress.ip_network(cidr)
        if other == node:
            rows.append((str(net.network_address), "0.0.0.0", str(net.netmask), "U", "0", "*"))
        else:
            gw = ips.get(other, "0.0.0.0")
            rows.append((str(net.network_address), gw if numeric else other, str(net.netmask), "UG", "0", "tunl0"))
    for pod in view.list("pods", index=("nodeName", node)):
        st, spec = pod.get("status") or {}, pod.get("spec") or {}
        if st.get("podIP") and not spec.get("hostNetwork") and st.get("podIP") != me:
            local.append((st["podIP"], "0.0.0.0", "255.255.255.255", "UH", "0",
                          cali_iface(pod["metadata"]["namespace"], pod["metadata"]["name"])))
    rows += sorted(local, key=lambda r: ipaddress.ip_address(r[0]))
    rows.append(("192.168.0.0", "0.0.0.0", "255.255.255.0", "U", "100", "enp0s3"))
    rows.sort(key=lambda r: (r[0] not in ("default", "0.0.0.0"),
                             ipaddress.ip_address("0.0.0.0" if r[0] == "default" else r[0])))
    out = ["Kernel IP routing table",
           "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface"]
    for d, g, m, f, metric, iface in rows:
        out.append(f"{d:<15} {g:<15} {m:<15} {f:<5} {metric:<6} {'0':<6} {'0':>3} {iface}")
    return "\n".join(out) + "\n"
