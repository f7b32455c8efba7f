"""LoadBalancer Services and traffic policies over a small fake cluster: MetalLB's pool
(ranges, CIDRs, requested addresses, auto-assign) and the controller's decisions; the node that
announces an address; externalTrafficPolicy / internalTrafficPolicy Local on the traffic path
and in iptables-save (KUBE-EXT / KUBE-SVL, DROP "has no local endpoints", the health check
port); kube-proxy's masquerade as NetworkPolicy ipBlocks see it (node IP, tunl0 address, or the
client's own address)."""
import pytest

from pykubectl.net import lb
from pykubectl.net.client import curl
from pykubectl.net.proxy import ext_chain, iptables_save, svc_chain, svl_chain
from tests.unit.test_net_dns import FakeView, endpoint_slice

POOL = {"data": {"config": "address-pools:\n- name: default\n  protocol: layer2\n  addresses:\n"
                           "  - 192.168.0.200-192.168.0.202\n- name: reserved\n  auto-assign: false\n"
                           "  addresses:\n  - 192.168.0.240/30\n"}}


def lb_svc(name="web", ip=None, pool=None, created="2026-01-01T00:00:00Z"):
    s = {"metadata": {"name": name, "namespace": "default", "creationTimestamp": created, "annotations": {}},
         "spec": {"type": "LoadBalancer"}}
    if ip:
        s["spec"]["loadBalancerIP"] = ip
    if pool:
        s["metadata"]["annotations"][lb.ANN_POOL] = pool
    return s


@pytest.mark.parametrize("svc,taken,want", [
    (lb_svc(), set(), ("192.168.0.200", "")),
    (lb_svc(), {"192.168.0.200"}, ("192.168.0.201", "")),
    (lb_svc(), {"192.168.0.200", "192.168.0.201", "192.168.0.202"},
     (None, 'Failed to allocate IP for "default/web": no available IPs')),
    (lb_svc(ip="192.168.0.242"), set(), ("192.168.0.242", "")),
    (lb_svc(ip="192.168.0.242"), {"192.168.0.242"},
     (None, 'Failed to allocate IP for "default/web": ["192.168.0.242"] is already in use')),
    (lb_svc(ip="10.0.0.1"), set(), (None, 'Failed to allocate IP for "default/web": ["10.0.0.1"] is not allowed in config')),
    (lb_svc(pool="reserved"), set(), ("192.168.0.240", "")),
    (lb_svc(pool="nope"), set(), (None, 'Failed to allocate IP for "default/web": unknown pool "nope"')),
], ids=["lowest-free", "next-free", "exhausted", "requested", "requested-taken", "requested-outside",
        "named-pool-without-auto-assign", "unknown-pool"])
def test_allocation(svc, taken, want):
    assert lb.allocate(svc, lb.parse_pools(POOL), taken) == want


@pytest.mark.parametrize("config,msg", [
    ("address-pools:\n- addresses: [192.168.0.1-192.168.0.2]\n", "parsing address pool #1: missing pool name"),
    ("address-pools:\n- name: p\n  addresses: [192.168.0.9-192.168.0.2]\n", 'invalid CIDR or range "192.168.0.9-192.168.0.2"'),
    ("address-pools:\n- name: p\n  protocol: bgp\n  addresses: [192.168.0.1/32]\n", 'unknown protocol "bgp"'),
], ids=["no-name", "backwards-range", "bgp"])
def test_bad_pool_configs(config, msg):
    with pytest.raises(lb.PoolError, match=msg.replace("[", r"\[").replace("(", r"\(")):
        lb.parse_pools({"data": {"config": config}})


def test_no_configmap_means_no_pool():
    assert lb.parse_pools(None) == []


# ---------------------------------------------------------------------------------------------
# the controller's decisions

class View:
    def __init__(self, objs):
        self.objs = objs

    def get(self, resource, ns, name):
        return self.objs.get((resource, ns, name))

    def list(self, resource, ns=None, index=None, labels_eq=None):
        return [o for (r, n, _), o in self.objs.items() if r == resource and (ns is None or n == ns)]


def reconcile(objs, key="||services||*"):
    from pykubectl.controllers.metallb import MetalLBController
    from pykubectl.controllers.manager import Event, Put
    acts = MetalLBController().reconcile(key.replace("||services||", "|services||"), View(objs), 0.0)
    puts = {a.obj["metadata"]["name"]: a.obj["status"]["loadBalancer"] for a in acts if isinstance(a, Put)}
    events = [(a.involved["metadata"]["name"], a.reason, a.message) for a in acts if isinstance(a, Event)]
    return puts, events


def test_pending_without_a_pool_then_assigned_oldest_first():
    a, b = lb_svc("a", created="2026-01-01T00:00:01Z"), lb_svc("b", created="2026-01-01T00:00:00Z")
    objs = {("services", "default", "a"): a, ("services", "default", "b"): b}
    assert reconcile(objs) == ({}, [])
    objs[("configmaps", "metallb-system", "config")] = POOL
    puts, events = reconcile(objs)
    assert puts == {"b": {"ingress": [{"ip": "192.168.0.200", "ipMode": "VIP"}]},
                    "a": {"ingress": [{"ip": "192.168.0.201", "ipMode": "VIP"}]}}
    assert ("a", "IPAllocated", 'Assigned IP ["192.168.0.201"]') in events


def test_a_service_that_stops_being_a_load_balancer_gives_its_address_back():
    s = lb_svc("a")
    s["spec"]["type"] = "ClusterIP"
    s["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.0.200"}]}}
    objs = {("services", "default", "a"): s, ("configmaps", "metallb-system", "config"): POOL}
    assert reconcile(objs) == ({"a": {}}, [])


def test_exhausted_pool_is_a_warning():
    objs = {("configmaps", "metallb-system", "config"): {"data": {"config": "address-pools:\n- name: one\n"
                                                                            "  addresses: [192.168.0.200/32]\n"}}}
    for n in ("a", "b"):
        objs[("services", "default", n)] = lb_svc(n, created=f"2026-01-01T00:00:0{'ab'.index(n)}Z")
    puts, events = reconcile(objs)
    assert list(puts) == ["a"]
    assert ("b", "AllocationFailed", 'Failed to allocate IP for "default/b": no available IPs') in events


# ---------------------------------------------------------------------------------------------
# traffic policies on the path and in the rules

def node(name, ip, tunl, labels=None):
    return {"kind": "Node", "metadata": {"name": name, "labels": labels or {},
                                         "annotations": {"projectcalico.org/IPv4IPIPTunnelAddr": tunl}},
            "status": {"addresses": [{"type": "InternalIP", "address": ip}],
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def app_pod(name, ip, on, labels=None):
    return {"kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": labels or {"app": "web"}},
            "spec": {"nodeName": on, "containers": [{"name": "c", "image": "kubetm/app"}]},
            "status": {"phase": "Running", "podIP": ip}}


def world(etp="Cluster", itp="Cluster", lb_ip="192.168.0.200", hc=None):
    spec = {"type": "LoadBalancer", "clusterIP": "10.100.0.5", "selector": {"app": "web"},
            "externalTrafficPolicy": etp, "internalTrafficPolicy": itp,
            "ports": [{"port": 80, "targetPort": 8080, "nodePort": 31000, "protocol": "TCP"}]}
    if hc:
        spec["healthCheckNodePort"] = hc
    svc = {"kind": "Service", "metadata": {"name": "web", "namespace": "default"}, "spec": spec,
           "status": {"loadBalancer": {"ingress": [{"ip": lb_ip}]} if lb_ip else {}}}
    return FakeView(
        node("k8s-master", "192.168.0.100", "20.108.82.192",
             {"node.kubernetes.io/exclude-from-external-load-balancers": ""}),
        node("worker-1", "192.168.0.101", "20.111.156.64"), node("worker-2", "192.168.0.102", "20.109.5.0"),
        svc, endpoint_slice("web", [("20.109.5.10", True, None, "w2", "worker-2")]),
        app_pod("w2", "20.109.5.10", "worker-2"),
        app_pod("client", "20.111.156.70", "worker-1", {"role": "client"}),
    )


OUTSIDE = None
CLIENT = {"metadata": {"name": "client", "namespace": "default"}, "spec": {"nodeName": "worker-1"},
          "status": {"podIP": "20.111.156.70"}}


@pytest.mark.parametrize("etp,itp,pod,url,ok", [
    ("Cluster", "Cluster", OUTSIDE, "192.168.0.101:31000/hostname", True),
    ("Local", "Cluster", OUTSIDE, "192.168.0.101:31000/hostname", False),   # no endpoint on worker-1: DROP
    ("Local", "Cluster", OUTSIDE, "192.168.0.102:31000/hostname", True),
    # MetalLB announces from a node with a local endpoint, so the address works with Local too
    ("Local", "Cluster", OUTSIDE, "192.168.0.200/hostname", True),
    ("Cluster", "Local", CLIENT, "10.100.0.5/hostname", False),             # the client's node has none
    ("Cluster", "Cluster", CLIENT, "10.100.0.5/hostname", True),
    # a pod dialling a NodePort is short-circuited to the cluster chain whatever the policy
    ("Local", "Cluster", CLIENT, "192.168.0.101:31000/hostname", True),
], ids=["nodeport-cluster", "nodeport-local-elsewhere", "nodeport-local-here", "lb-ip-local",
        "internal-local-none-here", "internal-cluster", "pod-to-nodeport-local"])
def test_traffic_policies(etp, itp, pod, url, ok):
    out, err, code = curl(world(etp, itp), pod, ["curl", "-sS", "-m", "1", url])
    assert (out == "Hostname : w2\n") is ok, err
    if not ok:
        assert code == 28


def only_from(cidr):
    return {"kind": "NetworkPolicy", "metadata": {"name": "only", "namespace": "default"},
            "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                     "ingress": [{"from": [{"ipBlock": {"cidr": cidr}}]}]}}


@pytest.mark.parametrize("etp,url,seen", [
    # Cluster: masqueraded on worker-1, the pod on worker-2 sees worker-1's tunl0 address
    ("Cluster", "192.168.0.101:31000/hostname", "20.111.156.64/32"),
    # ... and on worker-2 itself, worker-2's own address
    ("Cluster", "192.168.0.102:31000/hostname", "192.168.0.102/32"),
    # Local keeps the client's address (the outside machine)
    ("Local", "192.168.0.102:31000/hostname", "192.168.0.1/32"),
], ids=["cluster-cross-node-tunl0", "cluster-same-node-ip", "local-client-ip"])
def test_what_an_ipblock_sees_after_kube_proxy(etp, url, seen):
    for cidr, ok in ((seen, True), ("10.0.0.0/8", False)):
        v = world(etp)
        v.objs[("networkpolicies.networking.k8s.io", "default", "only")] = only_from(cidr)
        out, _, code = curl(v, None, ["curl", "-s", "-m", "1", url])
        assert (code == 0) is ok, (cidr, code)


def test_iptables_for_external_traffic_policy_local():
    spn, sc, xc, sl = "default/web", svc_chain("default/web", "tcp"), ext_chain("default/web", "tcp"), svl_chain("default/web", "tcp")
    here = iptables_save(world("Local", hc=32000), "worker-2").splitlines()
    assert f'-A {xc} -s 20.96.0.0/12 -m comment --comment "pod traffic for {spn} external destinations" -j {sc}' in here
    assert (f'-A {xc} -m comment --comment "masquerade LOCAL traffic for {spn} external destinations" '
            "-m addrtype --src-type LOCAL -j KUBE-MARK-MASQ") in here
    assert f"-A {xc} -j {sl}" in here
    assert any(line.startswith(f'-A {sl} -m comment --comment "{spn} -> 20.109.5.10:8080" -j KUBE-SEP-') for line in here)
    assert (f'-A KUBE-SERVICES -d 192.168.0.200/32 -p tcp -m comment --comment "{spn} loadbalancer IP" '
            f"-m tcp --dport 80 -j {xc}") in here
    assert (f'-A KUBE-NODEPORTS -p tcp -m comment --comment "{spn} health check node port" '
            "-m tcp --dport 32000 -j ACCEPT") in here
    elsewhere = iptables_save(world("Local"), "worker-1").splitlines()
    assert f"-A {xc} -j {sl}" not in elsewhere and f":{sl} - [0:0]" not in elsewhere
    assert (f'-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "{spn} has no local endpoints" '
            "-m addrtype --dst-type LOCAL -m tcp --dport 31000 -j DROP") in elsewhere
    assert (f'-A KUBE-EXTERNAL-SERVICES -d 192.168.0.200/32 -p tcp -m comment --comment "{spn} has no local endpoints" '
            "-m tcp --dport 80 -j DROP") in elsewhere


def test_iptables_for_internal_traffic_policy_local():
    spn, sl = "default/web", svl_chain("default/web", "tcp")
    here = iptables_save(world(itp="Local", lb_ip=None), "worker-2").splitlines()
    assert (f'-A KUBE-SERVICES -d 10.100.0.5/32 -p tcp -m comment --comment "{spn} cluster IP" '
            f"-m tcp --dport 80 -j {sl}") in here
    assert (f'-A {sl} ! -s 20.96.0.0/12 -d 10.100.0.5/32 -p tcp -m comment --comment "{spn} cluster IP" '
            "-m tcp --dport 80 -j KUBE-MARK-MASQ") in here
    elsewhere = iptables_save(world(itp="Local", lb_ip=None), "worker-1").splitlines()
    assert (f'-A KUBE-SERVICES -d 10.100.0.5/32 -p tcp -m comment --comment "{spn} has no local endpoints" '
            "-m tcp --dport 80 -j DROP") in elsewhere


@pytest.mark.parametrize("on,status,count", [("192.168.0.102", 200, 1), ("192.168.0.101", 503, 0)],
                         ids=["node-with-endpoint", "node-without"])
def test_health_check_node_port(on, status, count):
    out, _, code = curl(world("Local", hc=32000), None, ["curl", "-s", "-i", f"{on}:32000/"])
    assert out.startswith(f"HTTP/1.1 {status} ")
    assert f"X-Load-Balancing-Endpoint-Weight: {count}\r\n" in out
    assert out.endswith(f'"localEndpoints": {count},\n\t"serviceProxyHealthy": true\n}}')


def test_session_affinity_rules():
    v = world(lb_ip=None)
    svc = v.objs[("services", "default", "web")]
    svc["spec"].update(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 10800}})
    lines = iptables_save(v, "worker-1").splitlines()
    sc = svc_chain("default/web", "tcp")
    assert any(line.startswith(f'-A {sc} -m comment --comment "default/web -> 20.109.5.10:8080" -m recent --rcheck '
                               "--seconds 10800 --reap --name KUBE-SEP-") for line in lines)
    assert any("-m recent --set --name KUBE-SEP-" in line and "--to-destination 20.109.5.10:8080" in line for line in lines)


def test_announcing_node_skips_excluded_and_follows_local_endpoints():
    nodes = [node("k8s-master", "192.168.0.100", "x", {"node.kubernetes.io/exclude-from-external-load-balancers": ""}),
             node("worker-1", "192.168.0.101", "y"), node("worker-2", "192.168.0.102", "z")]
    cluster = {"spec": {"externalTrafficPolicy": "Cluster"}}
    assert lb.announcing_node(cluster, nodes, set()) == "worker-1"
    assert lb.announcing_node({"spec": {"externalTrafficPolicy": "Local"}}, nodes, {"worker-2"}) == "worker-2"
    assert lb.announcing_node({"spec": {"externalTrafficPolicy": "Local"}}, nodes, set()) is None
