"""Cluster DNS names as CoreDNS answers them, through a pod's search path (ndots:5), over a
small fake cluster: ClusterIP, headless (every ready endpoint, hostname.subdomain), pod A
records, ExternalName CNAMEs, SRV for named ports, NXDOMAIN."""
import pytest

from pykubectl.net.dns import lookup_fqdn, resolv_conf, resolve


class FakeTxn:
    """Store meta keys, and a database for the runtime's files (the images log requests)."""

    def __init__(self):
        import sqlite3
        self.db = sqlite3.connect(":memory:")
        self.meta = {}

    def get_meta(self, key, default=None):
        return self.meta.get(key, default)

    def set_meta(self, key, value):
        self.meta[key] = str(value)


class FakeView:
    """Just what the net package reads: get/list by resource, namespace and labels."""

    def __init__(self, *objs):
        self.objs = {}
        self.txn = FakeTxn()
        for o in objs:
            self.add(o)

    def add(self, o):
        res = {"Service": "services", "Pod": "pods", "Namespace": "namespaces", "Node": "nodes", "Secret": "secrets",
               "EndpointSlice": "endpointslices.discovery.k8s.io", "Ingress": "ingresses.networking.k8s.io",
               "BlockAffinity": "blockaffinities.crd.projectcalico.org"}[o["kind"]]
        m = o["metadata"]
        self.objs[(res, m.get("namespace", ""), m["name"])] = o

    def get(self, resource, ns, name):
        return self.objs.get((resource, ns or "", name))

    def list(self, resource, ns=None, index=None, labels_eq=None):
        out = []
        for (r, n, _), o in self.objs.items():
            if r != resource or (ns is not None and n != ns):
                continue
            if any((o["metadata"].get("labels") or {}).get(k) != v for k, v in (labels_eq or {}).items()):
                continue
            if index and index[0] == "nodeName" and (o.get("spec") or {}).get("nodeName") != index[1]:
                continue
            out.append(o)
        return out


def service(name, ns="default", cluster_ip="10.100.0.5", ports=None, **spec):
    return {"kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"clusterIP": cluster_ip, "ports": ports or [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
                     **spec}}


def endpoint_slice(svc, endpoints, ns="default", ports=None):
    """endpoints: (ip, ready, hostname, pod name, node)."""
    return {"kind": "EndpointSlice",
            "metadata": {"name": f"{svc}-abcde", "namespace": ns, "labels": {"kubernetes.io/service-name": svc}},
            "ports": ports or [{"name": "", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "conditions": {"ready": ready},
                           **({"hostname": h} if h else {}), "nodeName": node,
                           "targetRef": {"kind": "Pod", "name": pod, "namespace": ns}}
                          for ip, ready, h, pod, node in endpoints]}


def lab_view():
    return FakeView(
        {"kind": "Namespace", "metadata": {"name": "default"}},
        service("clusterip1", cluster_ip="10.105.135.231"),
        service("headless1", cluster_ip="None"),
        endpoint_slice("headless1", [("20.111.156.67", True, "pod-a", "pod4", "worker-1"),
                                     ("20.109.5.3", True, None, "pod5", "worker-2"),
                                     ("20.109.5.9", False, None, "pod6", "worker-2")]),
        service("externalname1", type="ExternalName", externalName="github.github.io.", cluster_ip=None),
        service("web", ns="shop", cluster_ip="10.100.9.9",
                ports=[{"name": "http", "port": 80, "protocol": "TCP"}]),
    )


@pytest.mark.parametrize("name,ns,found,addresses", [
    ("clusterip1", "default", "clusterip1.default.svc.cluster.local", ["10.105.135.231"]),
    ("clusterip1.default", "default", "clusterip1.default.svc.cluster.local", ["10.105.135.231"]),
    ("clusterip1.default.svc", "default", "clusterip1.default.svc.cluster.local", ["10.105.135.231"]),
    ("clusterip1.default.svc.cluster.local", "default", "clusterip1.default.svc.cluster.local", ["10.105.135.231"]),
    ("web.shop", "default", "web.shop.svc.cluster.local", ["10.100.9.9"]),
    ("headless1", "default", "headless1.default.svc.cluster.local", ["20.109.5.3", "20.111.156.67"]),
    ("pod-a.headless1", "default", "pod-a.headless1.default.svc.cluster.local", ["20.111.156.67"]),
    ("20-109-5-3.headless1", "default", "20-109-5-3.headless1.default.svc.cluster.local", ["20.109.5.3"]),
    ("20-109-5-11.default.pod.cluster.local", "default", "20-109-5-11.default.pod.cluster.local", ["20.109.5.11"]),
    ("github.github.io", "default", "github.github.io",
     ["185.199.108.153", "185.199.109.153", "185.199.110.153", "185.199.111.153"]),
], ids=["short", "svc.ns", "svc.ns.svc", "fqdn", "other-namespace", "headless-ready-only", "hostname.subdomain",
        "dashed-ip-under-headless", "pod-record", "external"])
def test_a_records(name, ns, found, addresses):
    ans = resolve(lab_view(), name, ns)
    assert (ans.name, ans.addresses) == (found, addresses)


@pytest.mark.parametrize("name,ns", [
    ("clusterip2", "default"),
    ("clusterip1", "shop"),             # the search list starts in the pod's own namespace
    ("pod-x.headless1", "default"),
    ("20-109-5-11.nowhere.pod.cluster.local", "default"),
    ("web.shop.svc.cluster.local.extra", "default"),
], ids=["unknown-service", "other-namespace-short-name", "unknown-hostname", "pod-record-bad-namespace", "junk"])
def test_nxdomain(name, ns):
    assert resolve(lab_view(), name, ns) is None


def test_externalname_is_a_cname():
    ans = resolve(lab_view(), "externalname1", "default")
    assert ans.cnames == [("externalname1.default.svc.cluster.local", "github.github.io")]
    assert "185.199.110.153" in ans.addresses


def test_srv_for_named_ports_only():
    ans = lookup_fqdn(lab_view(), "_http._tcp.web.shop.svc.cluster.local")
    assert ans.srv == [(0, 100, 80, "web.shop.svc.cluster.local")]
    assert lookup_fqdn(lab_view(), "_https._tcp.web.shop.svc.cluster.local") is None


@pytest.mark.parametrize("spec,want", [
    ({}, "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"),
    ({"dnsPolicy": "Default"}, "nameserver 8.8.8.8\n"),
], ids=["cluster-first", "default-policy"])
def test_resolv_conf(spec, want):
    assert resolv_conf({"metadata": {"namespace": "shop"}, "spec": spec}) == want
