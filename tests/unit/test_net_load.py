"""`sim load`'s registrations (store meta `net.load`): which Service a URL from outside reaches
(NodePort, or an Ingress backend), and the rate each ready endpoint serves over time."""
import pytest

from pykubectl.net.load import pod_rps, register, service_rps, target_service
from tests.unit.test_net_dns import FakeView, endpoint_slice, service


def world():
    v = FakeView(
        service("stateless-svc1", cluster_ip="10.100.0.8", type="NodePort",
                ports=[{"port": 8080, "targetPort": 8080, "nodePort": 30001, "protocol": "TCP"}]),
        endpoint_slice("stateless-svc1", [("20.0.0.1", True, None, "a", "worker-1"),
                                          ("20.0.0.2", True, None, "b", "worker-2"),
                                          ("20.0.0.3", False, None, "c", "worker-2")]),
        {"kind": "Node", "metadata": {"name": "k8s-master"},
         "status": {"addresses": [{"type": "InternalIP", "address": "192.168.0.100"}]}},
    )
    return v


@pytest.mark.parametrize("url,want", [
    ("http://192.168.0.100:30001/hostname", ("default", "stateless-svc1", 8080, "/hostname")),
    ("192.168.100:30001", ("default", "stateless-svc1", 8080, "/")),
    ("http://192.168.0.100:30002/", "Failed to connect to 192.168.0.100 port 30002: Connection refused"),
    ("http://nowhere:30001/", "Could not resolve host: nowhere"),
], ids=["nodeport", "short-ip", "no-nodeport", "unknown-host"])
def test_target_service(url, want):
    assert target_service(world(), url, {}) == want


def test_rates_split_over_ready_endpoints_within_the_window():
    v = world()
    register(v, {"url": "u", "namespace": "default", "service": "stateless-svc1", "port": 8080, "path": "/",
                 "rps": 100.0, "start": 10.0, "end": 610.0})
    assert service_rps(v, 5.0) == {}
    assert service_rps(v, 10.0) == {("default", "stateless-svc1"): 100.0}
    assert pod_rps(v, 300.0) == {("default", "a"): 50.0, ("default", "b"): 50.0}
    assert pod_rps(v, 610.0) == {}
