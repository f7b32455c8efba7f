"""kube-proxy (iptables mode): chain names hashed as kube-proxy hashes them, probabilities
printed as iptables-save prints them, the endpoint split those rules give (seeded, over 1,000
connections), the rules' shape for Services with and without endpoints and NodePorts, and the
node's Calico routes."""
import random

import pytest

from pykubectl.net.proxy import (cali_iface, choose, iptables_save, probability, routes, sep_chain,
                                 service_endpoints, svc_chain)
from tests.unit.test_net_dns import FakeView, endpoint_slice, service


@pytest.mark.parametrize("spn,proto,chain", [
    # names every kubeadm cluster shows
    ("default/kubernetes:https", "tcp", "KUBE-SVC-NPX46M4PTMTKRN6Y"),
    ("kube-system/kube-dns:dns", "udp", "KUBE-SVC-TCOU7JCQXEZGVUNU"),
    ("kube-system/kube-dns:dns-tcp", "tcp", "KUBE-SVC-ERIFXISQEP7F7OF4"),
    ("kube-system/kube-dns:metrics", "tcp", "KUBE-SVC-JD5MR3NA4I4DYORP"),
], ids=["kubernetes", "dns-udp", "dns-tcp", "metrics"])
def test_service_chain_names(spn, proto, chain):
    assert svc_chain(spn, proto) == chain


def test_endpoint_chain_depends_on_the_endpoint():
    a = sep_chain("default/web", "tcp", "20.0.0.1:8080")
    assert a.startswith("KUBE-SEP-") and len(a) == len("KUBE-SEP-") + 16
    assert a != sep_chain("default/web", "tcp", "20.0.0.2:8080")


@pytest.mark.parametrize("i,n,printed", [
    (0, 2, "0.50000000000"), (0, 3, "0.33333333349"), (1, 3, "0.50000000000"), (0, 5, "0.20000000019"),
    (0, 6, "0.16666666651"), (0, 7, "0.14285714272"),
], ids=["1of2", "1of3", "2of3", "1of5", "1of6", "1of7"])
def test_probability_as_iptables_prints_it(i, n, printed):
    assert probability(i, n) == printed


def test_three_endpoints_split_evenly_and_reproducibly():
    eps = ["a", "b", "c"]
    rng = random.Random(7)
    picks = [choose(eps, rng) for _ in range(1000)]
    counts = {e: picks.count(e) for e in eps}
    assert all(abs(c - 333) <= 50 for c in counts.values()), counts
    again = random.Random(7)
    assert [choose(eps, again) for _ in range(1000)] == picks


def test_client_ip_affinity_keeps_the_endpoint():
    eps = ["a", "b", "c"]
    rng = random.Random(1)
    assert len({choose(eps, rng, "192.168.0.1", affinity=True) for _ in range(50)}) == 1


def cluster_view():
    v = FakeView(
        service("web", cluster_ip="10.100.0.5"),
        endpoint_slice("web", [("20.0.0.1", True, None, "w1", "worker-1"), ("20.0.0.2", True, None, "w2", "worker-2"),
                               ("20.0.0.3", False, None, "w3", "worker-2")]),
        service("svc-nodeport", cluster_ip="10.100.0.6", type="NodePort",
                ports=[{"port": 8080, "targetPort": 8080, "nodePort": 31085, "protocol": "TCP"}]),
        service("headless1", cluster_ip="None"),
        {"kind": "Node", "metadata": {"name": "worker-1"},
         "status": {"addresses": [{"type": "InternalIP", "address": "192.168.0.101"}]}},
        {"kind": "Node", "metadata": {"name": "worker-2"},
         "status": {"addresses": [{"type": "InternalIP", "address": "192.168.0.102"}]}},
        {"kind": "BlockAffinity", "metadata": {"name": "w1"}, "spec": {"node": "worker-1", "cidr": "20.111.156.64/26"}},
        {"kind": "BlockAffinity", "metadata": {"name": "w2"}, "spec": {"node": "worker-2", "cidr": "20.109.5.0/26"}},
        {"kind": "Pod", "metadata": {"name": "pod1", "namespace": "default"}, "spec": {"nodeName": "worker-1"},
         "status": {"podIP": "20.111.156.66"}},
    )
    return v


def test_service_endpoints_read_from_slices():
    eps = service_endpoints(cluster_view(), "default", "web")
    assert [(e.ip, e.ready, e.pod) for e in eps] == [("20.0.0.1", True, ("default", "w1")),
                                                    ("20.0.0.2", True, ("default", "w2")),
                                                    ("20.0.0.3", False, ("default", "w3"))]


def test_iptables_save_shape():
    out = iptables_save(cluster_view(), "worker-1")
    lines = out.splitlines()
    sc = svc_chain("default/web", "tcp")
    nat = lines[lines.index("*nat"):]
    assert f"-A KUBE-SERVICES -d 10.100.0.5/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp --dport 80 -j {sc}" in nat
    # two ready endpoints: the first with probability 1/2, the last unconditional; the unready one absent
    rules = [l for l in nat if l.startswith(f"-A {sc} -m comment")]
    sep1, sep2 = sep_chain("default/web", "tcp", "20.0.0.1:8080"), sep_chain("default/web", "tcp", "20.0.0.2:8080")
    assert rules == [
        f'-A {sc} -m comment --comment "default/web -> 20.0.0.1:8080" -m statistic --mode random --probability 0.50000000000 -j {sep1}',
        f'-A {sc} -m comment --comment "default/web -> 20.0.0.2:8080" -j {sep2}']
    assert f'-A {sep1} -p tcp -m comment --comment "default/web" -m tcp -j DNAT --to-destination 20.0.0.1:8080' in nat
    assert f":{sep1} - [0:0]" in nat
    # the last rule of KUBE-SERVICES hands local traffic to KUBE-NODEPORTS
    svc_rules = [l for l in nat if l.startswith("-A KUBE-SERVICES")]
    assert svc_rules[-1].endswith("-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS")
    # a NodePort Service without endpoints is rejected in filter, not DNATed
    filt = lines[lines.index("*filter"):lines.index("*nat")]
    assert ('-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/svc-nodeport has no endpoints" '
            "-m addrtype --dst-type LOCAL -m tcp --dport 31085 -j REJECT --reject-with icmp-port-unreachable") in filt
    assert not any("svc-nodeport" in l for l in nat)
    assert not any("headless1" in l for l in lines)
    assert lines[0].startswith("# Generated by iptables-save v1.8.7 on ") and lines[-2] == "COMMIT"


def test_routes_on_a_worker():
    out = routes(cluster_view(), "worker-1").splitlines()
    assert out[:2] == ["Kernel IP routing table",
                       "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface"]
    assert out[2].split() == ["default", "_gateway", "0.0.0.0", "UG", "100", "0", "0", "enp0s3"]
    assert ["20.109.5.0", "worker-2", "255.255.255.192", "UG", "0", "0", "0", "tunl0"] in [l.split() for l in out]
    assert ["20.111.156.66", "0.0.0.0", "255.255.255.255", "UH", "0", "0", "0", cali_iface("default", "pod1")] in \
        [l.split() for l in out]
    assert cali_iface("default", "pod1").startswith("cali") and len(cali_iface("default", "pod1")) == 15
