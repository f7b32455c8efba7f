"""The Endpoints / EndpointSlice controllers: which pods land under addresses or
notReadyAddresses (pure), and, in-process on the lab cluster, the objects they write, the
mirroring of a selector-less Service's hand-written Endpoints, and leaving the lab's system
Endpoints alone."""
import os
import shutil

import pytest

from pykubectl.controllers.endpoints import EndpointsController, desired_subsets, slice_endpoints
from pykubectl.controllers.manager import Engine, all_controllers
from pykubectl.sim.clusters import Cluster


def pod(name, ip="20.111.156.70", ready=True, labels=None, phase="Running", ports=(), hostname=None,
        subdomain=None, deleting=False):
    p = {"metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "labels": labels or {"app": "web"}},
         "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "kubetm/app", "ports": list(ports)}]},
         "status": {"phase": phase, "podIP": ip,
                    "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}
    if hostname:
        p["spec"]["hostname"] = hostname
    if subdomain:
        p["spec"]["subdomain"] = subdomain
    if deleting:
        p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return p


def svc(name="web", target=8080, pnr=False, port_name=None):
    p = {"port": 80, "targetPort": target, "protocol": "TCP"}
    if port_name:
        p["name"] = port_name
    spec = {"selector": {"app": "web"}, "ports": [p]}
    if pnr:
        spec["publishNotReadyAddresses"] = True
    return {"metadata": {"name": name, "namespace": "default"}, "spec": spec}


def ips(subsets, key):
    return [a["ip"] for ss in subsets for a in ss.get(key, [])]


@pytest.mark.parametrize("pods,service,ready,not_ready", [
    ([pod("a", "20.0.0.2"), pod("b", "20.0.0.1")], svc(), ["20.0.0.1", "20.0.0.2"], []),
    ([pod("a", "20.0.0.2"), pod("b", "20.0.0.1", ready=False)], svc(), ["20.0.0.2"], ["20.0.0.1"]),
    ([pod("a", ready=False)], svc(pnr=True), ["20.111.156.70"], []),
    ([pod("a", labels={"app": "other"})], svc(), [], []),
    ([pod("a", ip=None)], svc(), [], []),
    ([pod("a", phase="Succeeded")], svc(), [], []),
    ([pod("a", deleting=True)], svc(), [], []),
    # a named targetPort the pod does not declare: the pod has no port for it
    ([pod("a")], svc(target="http"), [], []),
], ids=["ready-sorted-by-ip", "not-ready-apart", "publish-not-ready", "selector-miss", "no-ip-yet",
        "terminal-phase", "terminating", "unknown-named-port"])
def test_addresses_and_not_ready_addresses(pods, service, ready, not_ready):
    subsets = desired_subsets(service, pods)
    assert ips(subsets, "addresses") == ready
    assert ips(subsets, "notReadyAddresses") == not_ready


@pytest.mark.parametrize("service,pod_ports,want", [
    (svc(target=8080), [], [{"port": 8080, "protocol": "TCP"}]),
    (svc(target="web", port_name="http"), [{"name": "web", "containerPort": 9000}],
     [{"name": "http", "port": 9000, "protocol": "TCP"}]),
], ids=["numbered", "named-resolved-per-pod"])
def test_target_ports(service, pod_ports, want):
    assert desired_subsets(service, [pod("a", ports=pod_ports)])[0]["ports"] == want


def test_hostname_only_for_the_matching_subdomain_and_target_ref():
    subsets = desired_subsets(svc("headless1"), [pod("a", hostname="pod-a", subdomain="headless1"),
                                                 pod("b", "20.0.0.9", hostname="pod-b", subdomain="other")])
    addrs = {a["ip"]: a for a in subsets[0]["addresses"]}
    assert addrs["20.111.156.70"]["hostname"] == "pod-a"
    assert "hostname" not in addrs["20.0.0.9"]
    assert addrs["20.0.0.9"]["targetRef"] == {"kind": "Pod", "name": "b", "namespace": "default", "uid": "uid-b"}
    assert addrs["20.0.0.9"]["nodeName"] == "worker-1"


def test_slice_endpoints_conditions():
    subsets = desired_subsets(svc(), [pod("a", "20.0.0.1"), pod("b", "20.0.0.2", ready=False)])
    eps, ports = slice_endpoints(subsets)
    assert [(e["addresses"], e["conditions"]) for e in eps] == [
        (["20.0.0.1"], {"ready": True, "serving": True, "terminating": False}),
        (["20.0.0.2"], {"ready": False, "serving": False, "terminating": False})]
    assert ports == [{"name": "", "port": 8080, "protocol": "TCP"}]


# ---------------------------------------------------------------------------------------------
# in-process on the lab cluster

@pytest.fixture
def cluster(tmp_path, lab_template):
    home = str(tmp_path / "home")
    shutil.copytree(lab_template, home)
    c = Cluster("kubernetes", {"PYKUBECTL_HOME": os.path.join(home, "data")})
    ctrls = all_controllers(c)
    if not any(isinstance(x, EndpointsController) for x in ctrls):
        ctrls.append(EndpointsController())
    c._engine = Engine(c, controllers=ctrls)
    yield c
    c.close()


def create(c, resource, obj, ns="default"):
    return c.apiserver.create(c.apiserver.resolve(resource), obj, ns)[0]


def get(c, resource, name, ns="default"):
    from pykubectl.api.errors import StatusError
    try:
        return c.apiserver.get(c.apiserver.resolve(resource), ns, name)
    except StatusError:
        return None


def slices(c, name, ns="default"):
    k = c.apiserver.resolve("endpointslices.discovery.k8s.io")
    return [s for s in c.apiserver.list(k, ns)["items"]
            if s["metadata"].get("labels", {}).get("kubernetes.io/service-name") == name]


def app_pod(name, labels):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "container", "image": "kubetm/app"}]}}


def test_endpoints_and_slice_follow_the_pods(cluster):
    create(cluster, "services", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "endpoint1"},
                                 "spec": {"selector": {"svc": "endpoint"}, "ports": [{"port": 8080}]}})
    cluster.reconcile()
    ep = get(cluster, "endpoints", "endpoint1")
    assert "subsets" not in ep
    create(cluster, "pods", app_pod("pod7", {"svc": "endpoint"}))
    cluster.advance(5)
    ip = get(cluster, "pods", "pod7")["status"]["podIP"]
    ep = get(cluster, "endpoints", "endpoint1")
    assert ep["subsets"][0]["addresses"][0]["ip"] == ip
    assert ep["subsets"][0]["ports"] == [{"port": 8080, "protocol": "TCP"}]
    [sl] = slices(cluster, "endpoint1")
    assert sl["metadata"]["name"].startswith("endpoint1-")
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert sl["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert sl["endpoints"][0]["addresses"] == [ip]
    cluster.apiserver.delete(cluster.apiserver.resolve("pods"), "default", "pod7", grace_period=0)
    cluster.advance(1)
    assert "subsets" not in get(cluster, "endpoints", "endpoint1")
    assert slices(cluster, "endpoint1")[0].get("endpoints") in (None, [])
    # deleting the Service takes its Endpoints (and, through the owner reference, its slice)
    cluster.apiserver.delete(cluster.apiserver.resolve("services"), "default", "endpoint1")
    cluster.advance(1)
    assert get(cluster, "endpoints", "endpoint1") is None
    assert slices(cluster, "endpoint1") == []


def test_hand_written_endpoints_are_mirrored_but_not_the_kubernetes_service(cluster):
    create(cluster, "services", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "endpoint2"},
                                 "spec": {"ports": [{"port": 8080}]}})
    create(cluster, "endpoints", {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "endpoint2"},
                                  "subsets": [{"addresses": [{"ip": "20.109.5.9"}], "ports": [{"port": 8080}]}]})
    cluster.reconcile()
    [sl] = slices(cluster, "endpoint2")
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslicemirroring-controller.k8s.io"
    assert sl["endpoints"][0]["addresses"] == ["20.109.5.9"]
    assert [s["metadata"]["name"] for s in slices(cluster, "kubernetes")] == ["kubernetes"]


class FakeView:
    """Just what the controller reads: get/list by resource, namespace and labels."""

    def __init__(self, objs):
        self.objs = objs   # {(resource, ns, name): obj}

    def get(self, resource, ns, name):
        return self.objs.get((resource, ns, name))

    def list(self, resource, ns=None, index=None, labels_eq=None):
        return [o for (r, n, _), o in self.objs.items() if r == resource and (ns is None or n == ns)
                and all((o["metadata"].get("labels") or {}).get(k) == v for k, v in (labels_eq or {}).items())]


def test_existing_endpoints_with_the_same_members_are_adopted_unchanged():
    # as the lab blueprint writes them: no uids in targetRef, ports in another order
    service = svc("kube-dns")
    service["spec"]["ports"] = [{"name": "dns", "port": 53, "targetPort": 53, "protocol": "UDP"},
                                {"name": "dns-tcp", "port": 53, "targetPort": 53, "protocol": "TCP"}]
    pods = [pod("coredns-a", "20.108.82.194"), pod("coredns-b", "20.108.82.195")]
    ep = {"metadata": {"name": "kube-dns", "namespace": "default"},
          "subsets": [{"addresses": [{"ip": "20.108.82.195", "targetRef": {"kind": "Pod", "name": "coredns-b"}},
                                     {"ip": "20.108.82.194", "targetRef": {"kind": "Pod", "name": "coredns-a"}}],
                       "ports": [{"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                                 {"name": "dns", "port": 53, "protocol": "UDP"}]}]}
    eps, ports = slice_endpoints(ep["subsets"])
    sl = {"metadata": {"name": "kube-dns-x", "namespace": "default",
                       "labels": {"kubernetes.io/service-name": "kube-dns",
                                  "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
          "endpoints": eps, "ports": ports}
    view = FakeView({("services", "default", "kube-dns"): service, ("endpoints", "default", "kube-dns"): ep,
                     ("endpointslices.discovery.k8s.io", "default", "kube-dns-x"): sl,
                     **{("pods", "default", p["metadata"]["name"]): p for p in pods}})
    assert EndpointsController().reconcile("|services|default|kube-dns", view, 0.0) == []
    # one pod goes unready: both objects are rewritten
    pods[0]["status"]["conditions"][0]["status"] = "False"
    kinds = [type(a).__name__ for a in EndpointsController().reconcile("|services|default|*", view, 0.0)]
    assert kinds == ["Put", "Put"]
