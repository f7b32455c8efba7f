"""LoadBalancer Services on bare metal, as MetalLB (layer 2) serves them: without an address
pool a LoadBalancer Service stays `<pending>`, as on any cluster without a cloud provider; with
one, each gets an address from it in status.loadBalancer.ingress and one node (the speaker's
pick) answers ARP for it, so `sim curl` reaches it through that node's kube-proxy rules.

The pool is MetalLB's ConfigMap configuration (metallb < 0.13), ConfigMap `config` in namespace
`metallb-system`, key `config`:

    address-pools:
    - name: default
      protocol: layer2
      addresses:
      - 192.168.0.200-192.168.0.250      # a range, or a CIDR such as 192.168.0.240/28
      auto-assign: true                  # false: only Services that ask for the pool or an IP

A Service asks for an address with `spec.loadBalancerIP` or the
`metallb.universe.tf/loadBalancerIPs` annotation, and for a pool with
`metallb.universe.tf/address-pool`. spec.loadBalancerSourceRanges is enforced by kube-proxy on
the announcing node (net/proxy.py's KUBE-FW chain), not by MetalLB. Pure: the caller passes the
objects in.
"""
from __future__ import annotations

import ipaddress

POOL_NAMESPACE = "metallb-system"
POOL_CONFIGMAP = "config"
ANN_POOL = "metallb.universe.tf/address-pool"
ANN_IPS = "metallb.universe.tf/loadBalancerIPs"
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"


class Pool:
    """One address pool. (A plain class: dataclasses costs ~6 ms of import, and the MetalLB
    controller, which imports this module, runs on every ConfigMap and Service write.)"""
    __slots__ = ("name", "ranges", "auto_assign")

    def __init__(self, name: str, ranges: list | None = None, auto_assign: bool = True):
        self.name = name
        self.ranges = [] if ranges is None else ranges   # [(first, last)] as IPv4Address
        self.auto_assign = auto_assign

    def __eq__(self, other):
        return isinstance(other, Pool) and (self.name, self.ranges, self.auto_assign) == \
            (other.name, other.ranges, other.auto_assign)

    def __repr__(self):
        return f"Pool(name={self.name!r}, ranges={self.ranges!r}, auto_assign={self.auto_assign!r})"

    def contains(self, ip: str) -> bool:
        try:
            a = ipaddress.IPv4Address(ip)
        except ValueError:
            return False
        return any(lo <= a <= hi for lo, hi in self.ranges)

    def addresses(self):
        for lo, hi in self.ranges:
            for n in range(int(lo), int(hi) + 1):
                yield str(ipaddress.IPv4Address(n))


class PoolError(ValueError):
    pass


def parse_pools(configmap: dict | None) -> list[Pool]:
    """The address pools of MetalLB's ConfigMap (none when it is missing); PoolError for a
    configuration MetalLB would refuse."""
    import yaml
    if configmap is None:
        return []
    text = (configmap.get("data") or {}).get("config") or ""
    try:
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as e:
        raise PoolError(f"could not parse config: {e}")
    pools = []
    for i, p in enumerate(doc.get("address-pools") or []):
        name = p.get("name") or ""
        if not name:
            raise PoolError(f"parsing address pool #{i + 1}: missing pool name")
        if (p.get("protocol") or "layer2") != "layer2":
            raise PoolError(f'parsing address pool #{i + 1}: unknown protocol "{p.get("protocol")}"'
                            " (the simulation speaks layer2 only)")
        pool = Pool(name, auto_assign=p.get("auto-assign", True) is not False)
        for cidr in p.get("addresses") or []:
            pool.ranges.append(_parse_range(str(cidr), name))
        pools.append(pool)
    return pools


def _parse_range(s: str, pool: str):
    try:
        if "-" in s:
            lo, hi = (ipaddress.IPv4Address(x.strip()) for x in s.split("-", 1))
            if hi < lo:
                raise ValueError
            return lo, hi
        net = ipaddress.IPv4Network(s.strip(), strict=False)
        return net.network_address, net.broadcast_address
    except ValueError:
        raise PoolError(f'parsing address pool "{pool}": invalid CIDR or range "{s}"')


def requested_ips(svc: dict) -> list[str]:
    ann = ((svc.get("metadata") or {}).get("annotations") or {}).get(ANN_IPS)
    if ann:
        return [x.strip() for x in ann.split(",") if x.strip()]
    ip = (svc.get("spec") or {}).get("loadBalancerIP")
    return [ip] if ip else []


def allocate(svc: dict, pools: list[Pool], taken: set[str]) -> tuple[str | None, str]:
    """(address, "") or (None, why not) for one Service, as MetalLB's allocator decides: the
    requested address if a pool holds it and it is free, else the lowest free address of the
    requested pool, else of the first auto-assign pool that has one."""
    ns_name = f"{svc['metadata'].get('namespace')}/{svc['metadata']['name']}"
    want_pool = ((svc.get("metadata") or {}).get("annotations") or {}).get(ANN_POOL)
    req = requested_ips(svc)
    if req:
        ip = req[0]
        pool = next((p for p in pools if p.contains(ip)), None)
        if pool is None:
            return None, f'Failed to allocate IP for "{ns_name}": ["{ip}"] is not allowed in config'
        if ip in taken:
            return None, f'Failed to allocate IP for "{ns_name}": ["{ip}"] is already in use'
        return ip, ""
    if want_pool:
        cands = [p for p in pools if p.name == want_pool]
        if not cands:
            return None, f'Failed to allocate IP for "{ns_name}": unknown pool "{want_pool}"'
    else:
        cands = [p for p in pools if p.auto_assign]
    for p in cands:
        for ip in p.addresses():
            if ip not in taken:
                return ip, ""
    return None, f'Failed to allocate IP for "{ns_name}": no available IPs'


def ingress_ips(svc: dict) -> list[str]:
    return [i["ip"] for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [] if i.get("ip")]


def announcing_node(svc: dict, nodes: list[dict], local_endpoint_nodes: set[str]) -> str | None:
    """The node whose speaker answers ARP for the Service's address: with
    externalTrafficPolicy Local only a node with a ready local endpoint may announce (MetalLB
    checks the endpoints); nodes labelled exclude-from-external-load-balancers never announce;
    the simulation takes the first eligible Ready node by name."""
    local = (svc.get("spec") or {}).get("externalTrafficPolicy") == "Local"
    names = []
    for n in nodes:
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in (n.get("status") or {}).get("conditions") or [])
        # kubeadm labels control-plane nodes so that load balancers leave them out
        excluded = EXCLUDE_LABEL in ((n.get("metadata") or {}).get("labels") or {})
        if ready and not excluded:
            names.append(n["metadata"]["name"])
    if local:
        names = [n for n in names if n in local_endpoint_nodes]
    return sorted(names)[0] if names else None
