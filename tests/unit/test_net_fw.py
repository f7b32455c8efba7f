"""kube-proxy's load-balancer firewall and external IPs (iptables mode, v1.32): the KUBE-FW chain
written for spec.loadBalancerSourceRanges with KUBE-PROXY-FIREWALL's DROP behind it, the
KUBE-SERVICES rules for spec.externalIPs, and what the simulated traffic path does with them.

`sim curl` comes from 192.168.0.1 (the learner's machine on the nodes' network); pods come from
their pod IP. An external IP is reached from outside only when a node owns the address."""
import pytest

from pykubectl.net.client import curl
from pykubectl.net.proxy import ext_chain, firewall_allows, fw_chain, iptables_save, svc_chain
from tests.unit.test_net_lb import CLIENT, OUTSIDE, world

SPN = "default/web"
FW, XC, SC = fw_chain(SPN, "tcp"), ext_chain(SPN, "tcp"), svc_chain(SPN, "tcp")


def with_spec(**spec):
    v = world(**{k: spec.pop(k) for k in ("etp", "lb_ip") if k in spec})
    v.objs[("services", "default", "web")]["spec"].update(spec)
    return v


def test_firewall_chain_name_is_hashed_like_the_others():
    assert FW.startswith("KUBE-FW-") and FW[8:] == XC[9:] == SC[9:] and len(FW) == 24


@pytest.mark.parametrize("ranges,node,fw_rules", [
    (["10.0.0.0/8"], "worker-1",
     [f'-A {FW} -s 10.0.0.0/8 -m comment --comment "{SPN} loadbalancer IP" -j {XC}']),
    # host bits are dropped as Go's ParseCIDR drops them; spaces trimmed
    ([" 10.1.2.3/8", "203.0.113.7/32"], "worker-1",
     [f'-A {FW} -s 10.0.0.0/8 -m comment --comment "{SPN} loadbalancer IP" -j {XC}',
      f'-A {FW} -s 203.0.113.7/32 -m comment --comment "{SPN} loadbalancer IP" -j {XC}']),
    # a range holding the node's own address also lets the LB address itself through
    (["192.168.0.0/24"], "worker-1",
     [f'-A {FW} -s 192.168.0.0/24 -m comment --comment "{SPN} loadbalancer IP" -j {XC}',
      f'-A {FW} -s 192.168.0.200/32 -m comment --comment "{SPN} loadbalancer IP" -j {XC}']),
    # IPv6 ranges belong to the other family's proxier
    (["10.0.0.0/8", "fd00::/64"], "worker-2",
     [f'-A {FW} -s 10.0.0.0/8 -m comment --comment "{SPN} loadbalancer IP" -j {XC}']),
], ids=["one-range", "canonical-cidrs", "node-in-range", "ipv6-ignored"])
def test_firewall_chain(ranges, node, fw_rules):
    lines = iptables_save(with_spec(loadBalancerSourceRanges=ranges), node).splitlines()
    assert [ln for ln in lines if ln.startswith(f"-A {FW} ")] == fw_rules + [
        f'-A {FW} -m comment --comment "other traffic to {SPN} will be dropped by KUBE-PROXY-FIREWALL"']
    assert f":{FW} - [0:0]" in lines
    assert (f'-A KUBE-SERVICES -d 192.168.0.200/32 -p tcp -m comment --comment "{SPN} loadbalancer IP" '
            f"-m tcp --dport 80 -j {FW}") in lines
    assert [ln for ln in lines if ln.startswith("-A KUBE-PROXY-FIREWALL ")] == [
        f'-A KUBE-PROXY-FIREWALL -d 192.168.0.200/32 -p tcp -m comment --comment "{SPN} traffic not accepted by {FW}" '
        "-m tcp --dport 80 -j DROP"]


@pytest.mark.parametrize("spec", [
    {},                                                                   # no ranges
    {"lb_ip": None, "loadBalancerSourceRanges": ["10.0.0.0/8"]},         # no address yet
], ids=["no-ranges", "pending-address"])
def test_no_firewall_chain(spec):
    text = iptables_save(with_spec(**spec), "worker-1")
    assert "KUBE-FW-" not in text and "-A KUBE-PROXY-FIREWALL " not in text


def test_no_firewall_chain_without_endpoints():
    v = with_spec(loadBalancerSourceRanges=["10.0.0.0/8"])
    del v.objs[("endpointslices.discovery.k8s.io", "default", "web-abcde")]
    text = iptables_save(v, "worker-1")
    assert "KUBE-FW-" not in text
    assert (f'-A KUBE-EXTERNAL-SERVICES -d 192.168.0.200/32 -p tcp -m comment --comment "{SPN} has no endpoints" '
            "-m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable") in text


@pytest.mark.parametrize("ranges,source,node_ip,ok", [
    ([], "203.0.113.9", None, True),
    (["10.0.0.0/8"], "10.20.30.40", None, True),
    (["10.0.0.0/8"], "192.168.0.1", None, False),
    (["192.168.0.1/32", "10.0.0.0/8"], "192.168.0.1", None, True),
    (["0.0.0.0/0"], "198.51.100.1", None, True),
    (["10.0.0.0/8"], "192.168.0.200", "192.168.0.101", False),
    (["192.168.0.0/28"], "192.168.0.200", "192.168.0.1", True),
], ids=["no-ranges", "inside", "outside", "second-range", "everything", "vip-source-node-outside",
        "vip-source-node-inside"])
def test_firewall_verdicts(ranges, source, node_ip, ok):
    spec = {"loadBalancerSourceRanges": ranges}
    assert firewall_allows(spec, source, node_ip, ["192.168.0.200"]) is ok


@pytest.mark.parametrize("ranges,pod,ok", [
    (["192.168.0.0/24"], OUTSIDE, True),
    (["192.168.0.1/32"], OUTSIDE, True),
    (["10.0.0.0/8"], OUTSIDE, False),
    # pods are filtered too: their own address is the source kube-proxy sees
    (["192.168.0.0/24"], CLIENT, False),
    (["20.96.0.0/12"], CLIENT, True),
], ids=["lab-network", "learner-host", "elsewhere-dropped", "pod-dropped", "pod-cidr-allowed"])
def test_traffic_to_the_lb_address(ranges, pod, ok):
    out, err, code = curl(with_spec(loadBalancerSourceRanges=ranges), pod,
                          ["curl", "-sS", "-m", "2", "http://192.168.0.200/hostname"])
    if ok:
        assert (out, code) == ("Hostname : w2\n", 0), err
    else:
        assert (out, err, code) == ("", "curl: (28) Connection timed out after 2001 milliseconds\n", 28)


def test_node_ports_ignore_source_ranges():
    out, _, code = curl(with_spec(loadBalancerSourceRanges=["10.0.0.0/8"]), None,
                        ["curl", "-s", "192.168.0.101:31000/hostname"])
    assert (out, code) == ("Hostname : w2\n", 0)


# ---------------------------------------------------------------------------------------------
# external IPs

@pytest.mark.parametrize("etp,node,nat,filt", [
    ("Cluster", "worker-1",
     [f'-A KUBE-SERVICES -d 192.168.0.150/32 -p tcp -m comment --comment "{SPN} external IP" -m tcp --dport 80 -j {XC}'],
     []),
    ("Local", "worker-1",
     [f'-A KUBE-SERVICES -d 192.168.0.150/32 -p tcp -m comment --comment "{SPN} external IP" -m tcp --dport 80 -j {XC}'],
     [f'-A KUBE-EXTERNAL-SERVICES -d 192.168.0.150/32 -p tcp -m comment --comment "{SPN} has no local endpoints" '
      "-m tcp --dport 80 -j DROP"]),
], ids=["cluster", "local-no-endpoint-here"])
def test_external_ip_rules(etp, node, nat, filt):
    lines = iptables_save(with_spec(etp=etp, lb_ip=None, externalIPs=["192.168.0.150"]), node).splitlines()
    assert [ln for ln in lines if "external IP" in ln] == nat
    assert [ln for ln in lines if ln.startswith("-A KUBE-EXTERNAL-SERVICES -d 192.168.0.150/32")] == filt


@pytest.mark.parametrize("ext_ip,etp,pod,url,ok", [
    # a node's own address: that node receives the packet and its KUBE-SERVICES rule DNATs it
    ("192.168.0.101", "Cluster", OUTSIDE, "http://192.168.0.101/hostname", True),
    ("192.168.0.102", "Local", OUTSIDE, "http://192.168.0.102/hostname", True),
    ("192.168.0.101", "Local", OUTSIDE, "http://192.168.0.101/hostname", False),   # no endpoint on worker-1
    # an address no node owns is not routed to the cluster from outside ...
    ("192.168.0.150", "Cluster", OUTSIDE, "http://192.168.0.150/hostname", False),
    # ... but a pod's own node rewrites it on the way out
    ("192.168.0.150", "Cluster", CLIENT, "http://192.168.0.150/hostname", True),
    ("192.168.0.150", "Local", CLIENT, "http://192.168.0.150/hostname", True),
], ids=["node-ip", "node-ip-local-here", "node-ip-local-elsewhere", "unowned-from-outside", "unowned-from-pod",
        "unowned-from-pod-local"])
def test_traffic_to_an_external_ip(ext_ip, etp, pod, url, ok):
    v = with_spec(etp=etp, lb_ip=None, externalIPs=[ext_ip])
    v.objs[("services", "default", "web")]["spec"]["type"] = "ClusterIP"
    out, err, code = curl(v, pod, ["curl", "-sS", "-m", "1", url])
    if ok:
        assert (out, code) == ("Hostname : w2\n", 0), err
    else:
        assert code == 28 and out == "", (out, err)


def test_a_node_ip_external_ip_other_ports_still_reach_node_ports():
    v = with_spec(lb_ip=None, externalIPs=["192.168.0.101"])
    out, _, code = curl(v, None, ["curl", "-s", "192.168.0.101:31000/hostname"])
    assert (out, code) == ("Hostname : w2\n", 0)
    _, _, code = curl(v, None, ["curl", "-s", "192.168.0.101:8081/"])
    assert code == 7
