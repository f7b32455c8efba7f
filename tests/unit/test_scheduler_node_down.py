"""A node whose kubelet stopped (`sim node down`), in-process on a copy of the lab (virtual
clock): its pods stay on it through the grace period and the 300 s unreachable toleration, and
the evicted pods' replacements land elsewhere; the evicted pods themselves must then stay
Terminating (Ready False until then), since no kubelet confirms their end."""

import pytest

from pykubectl.controllers.manager import View
from pykubectl.controllers.node_lifecycle import heartbeat_patch, heartbeat_stopped


def heartbeat(c, name, up):
    srv = c.apiserver
    srv.patch(srv.resolve("leases.coordination.k8s.io"), "kube-node-lease", name, "merge",
              heartbeat_patch(up, c.clock.now()))
    c.reconcile()


def stopped(c, name):
    with c.store.write() as t:
        return heartbeat_stopped(View(t, c.apiserver), name)


def pods(c):
    """name -> (node, Terminating?, Ready condition) of the default namespace's pods."""
    srv = c.apiserver
    items = srv.list(srv.resolve("pods"), "default")
    items = items["items"] if isinstance(items, dict) else items
    return {p["metadata"]["name"]: (p["spec"].get("nodeName"), bool(p["metadata"].get("deletionTimestamp")),
                                    next((x["status"] for x in p["status"].get("conditions") or () if x["type"] == "Ready"), None))
            for p in items}


def pod(name, node):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]}}


@pytest.mark.parametrize("up,want", [(False, True), (True, False)], ids=["down", "back-up"])
def test_heartbeat_stopped(cluster, up, want):
    heartbeat(cluster, "worker-1", up=False)
    if up:
        heartbeat(cluster, "worker-1", up=True)
    assert (stopped(cluster, "worker-1"), stopped(cluster, "worker-2")) == (want, False)


def test_pods_of_a_down_node_stay_until_evicted_and_are_replaced_elsewhere(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("deployments.apps"), {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}},
        "default")
    cluster.advance(5)
    assert sorted(n for n, _, _ in pods(cluster).values()) == ["worker-1", "worker-2"]   # default spreading
    heartbeat(cluster, "worker-1", up=False)
    cluster.advance(50 + 299)
    assert sorted((n, t) for n, t, _ in pods(cluster).values()) == [("worker-1", False), ("worker-2", False)]
    cluster.advance(1)
    # the evicted pod's replacement cannot go to the unreachable node
    live = [n for n, t, _ in pods(cluster).values() if not t]
    assert live == ["worker-2", "worker-2"]


def test_pods_of_a_down_node_are_not_ready_then_stay_terminating(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("pods"), pod("w1", "worker-1"), "default")
    cluster.advance(5)
    heartbeat(cluster, "worker-1", up=False)
    cluster.advance(50)
    assert pods(cluster)["w1"] == ("worker-1", False, "False")
    cluster.advance(300 + 60)
    assert pods(cluster)["w1"][:2] == ("worker-1", True)
