"""kube-proxy in ipvs mode, switched on by its ConfigMap: `ipvsadm -Ln` as ipvsadm prints the
table (sorted by protocol, address, port; ClusterIP, LoadBalancer and NodePort virtual servers;
persistence for ClientIP affinity; Local policies), the ipset-matching iptables rules, and the
empty table in iptables mode."""
import pytest

from pykubectl.net.ipvs import ipvsadm, iptables_save, proxy_mode
from pykubectl.net.node import iptables_save as ssh_iptables_save
from tests.unit.test_net_lb import world

HEADER = ("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")


def kube_proxy(mode):
    return {"kind": "ConfigMap", "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
            "data": {"config.conf": f"apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: {mode}\n"}}


def ipvs_world(**kw):
    v = world(**kw)
    v.objs[("configmaps", "kube-system", "kube-proxy")] = kube_proxy("ipvs")
    return v


def dest(ip_port):
    return f"  -> {ip_port:<28} Masq    1      0          0         \n"


@pytest.mark.parametrize("mode,want", [("ipvs", "ipvs"), ("iptables", "iptables"), ('""', "iptables")],
                         ids=["ipvs", "iptables", "empty-is-iptables"])
def test_mode_from_the_configmap(mode, want):
    v = world()
    v.objs[("configmaps", "kube-system", "kube-proxy")] = kube_proxy(mode)
    assert proxy_mode(v) == want


def test_iptables_mode_has_an_empty_table():
    assert ipvsadm(world(), "worker-1", ["ipvsadm", "-Ln"]) == (HEADER, "", 0)


def test_virtual_servers_sorted_with_their_real_servers():
    out, err, code = ipvsadm(ipvs_world(), "worker-1", ["ipvsadm", "-Ln"])
    assert (err, code) == ("", 0)
    assert out == (HEADER
                   + "TCP  10.100.0.5:80 rr\n" + dest("20.109.5.10:8080")
                   + "TCP  20.111.156.64:31000 rr\n" + dest("20.109.5.10:8080")
                   + "TCP  192.168.0.101:31000 rr\n" + dest("20.109.5.10:8080")
                   + "TCP  192.168.0.200:80 rr\n" + dest("20.109.5.10:8080"))


def test_client_ip_affinity_is_persistent():
    v = ipvs_world(lb_ip=None)
    v.objs[("services", "default", "web")]["spec"].update(
        sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 600}})
    assert "TCP  10.100.0.5:80 rr persistent 600\n" in ipvsadm(v, "worker-1", ["ipvsadm", "-Ln"])[0]


def test_local_policy_uses_local_endpoints_or_falls_back_to_all():
    v = ipvs_world(etp="Local")
    v.add({"kind": "EndpointSlice", "metadata": {"name": "web-local", "namespace": "default",
                                                 "labels": {"kubernetes.io/service-name": "web"}},
           "ports": [{"name": "", "port": 8080, "protocol": "TCP"}],
           "endpoints": [{"addresses": ["20.111.156.80"], "conditions": {"ready": True}, "nodeName": "worker-1",
                          "targetRef": {"kind": "Pod", "name": "w1", "namespace": "default"}}]})
    out = ipvsadm(v, "worker-1", ["ipvsadm", "-Ln"])[0]
    # the NodePort on worker-1 answers with worker-1's endpoint only; the ClusterIP with both
    assert ("TCP  192.168.0.101:31000 rr\n" + dest("20.111.156.80:8080")) in out
    assert ("TCP  10.100.0.5:80 rr\n" + dest("20.109.5.10:8080") + dest("20.111.156.80:8080")) in out
    # on the control plane, with no local endpoint, every endpoint (kubernetes#97081)
    out = ipvsadm(v, "k8s-master", ["ipvsadm", "-Ln"])[0]
    assert ("TCP  192.168.0.100:31000 rr\n" + dest("20.109.5.10:8080") + dest("20.111.156.80:8080")) in out


def test_ipvs_mode_iptables_rules_match_ipsets():
    lines = iptables_save(ipvs_world(etp="Local"), "worker-2", "Thu Jan  1 00:00:00 2026").splitlines()
    nat = lines[lines.index("*nat"):]
    assert ('-A KUBE-SERVICES ! -s 20.96.0.0/12 -m comment --comment "Kubernetes service cluster ip + port for '
            'masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ') in nat
    assert ('-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set '
            "KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER") in nat
    assert ('-A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with '
            'externalTrafficPolicy=local" -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN') in nat
    assert ('-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with '
            'externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN') in nat
    assert [l for l in nat if l.startswith("-A KUBE-SERVICES")][-2:] == [
        "-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT",
        "-A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT"]
    assert not any(l.startswith((":KUBE-SVC-", ":KUBE-SEP-")) for l in lines)


def test_sim_ssh_iptables_save_follows_the_mode():
    out, _, _ = ssh_iptables_save(ipvs_world(), "worker-1", ["iptables-save"])
    assert "KUBE-CLUSTER-IP" in out and "KUBE-SVC-" not in out
    out, _, _ = ssh_iptables_save(world(), "worker-1", ["iptables-save"])
    assert "KUBE-SVC-" in out and "KUBE-CLUSTER-IP" not in out
