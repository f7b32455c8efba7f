"""Taint-based eviction and node health: when a NoExecute taint evicts a pod (table-driven over
tolerations), then in-process on a copy of the lab cluster (virtual clock) the eviction timing and
events, and `sim node down|up`'s 50 s grace period, unreachable taints and recovery."""

import pytest

from pykubectl.controllers.node_lifecycle import eviction_due, heartbeat_patch

NOW = 1000.0


def taint(key, effect="NoExecute", value=None, added=None):
    t = {"key": key, "effect": effect}
    if value:
        t["value"] = value
    if added:
        t["timeAdded"] = added
    return t


def tol(key, seconds=None, effect="NoExecute", op="Exists"):
    t = {"key": key, "operator": op, "effect": effect}
    if seconds is not None:
        t["tolerationSeconds"] = seconds
    return t


DUE = [
    ("no-noexecute-taint", [taint("a", "NoSchedule")], [], None),
    ("untolerated-at-once", [taint("a")], [], NOW),
    ("tolerated-for-ever", [taint("a")], [tol("a")], None),
    ("tolerated-30s-from-now", [taint("a")], [tol("a", 30)], NOW + 30),
    ("counted-from-time-added", [taint("a", added="1970-01-01T00:16:00Z")], [tol("a", 300)], 960.0 + 300),
    ("shortest-of-two-taints", [taint("a"), taint("b")], [tol("a", 300), tol("b", 30)], NOW + 30),
    ("one-tolerated-one-not", [taint("a"), taint("b")], [tol("a", 300)], NOW),
    ("unlimited-toleration-wins", [taint("a")], [tol("a", 10), tol("a")], None),
    ("noschedule-toleration-does-not-count", [taint("a")], [tol("a", effect="NoSchedule")], NOW),
    ("zero-seconds", [taint("a")], [tol("a", 0)], NOW),
]


@pytest.mark.parametrize("taints,tols,due", [d[1:] for d in DUE], ids=[d[0] for d in DUE])
def test_eviction_due(taints, tols, due):
    pod = {"spec": {"tolerations": tols}}
    node = {"spec": {"taints": taints}}
    assert eviction_due(pod, node, NOW) == due


def on_worker2(name, tolerations=None):
    spec = {"nodeSelector": {"kubernetes.io/hostname": "worker-2"}, "terminationGracePeriodSeconds": 0,
            "containers": [{"name": "c", "image": "nginx"}]}
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def names(c, ns="default", node=None):
    pods = c.apiserver.list(c.apiserver.resolve("pods"), ns)["items"]
    return sorted(p["metadata"]["name"] for p in pods if node is None or p["spec"].get("nodeName") == node)


def events(c, reason):
    evs = c.apiserver.list(c.apiserver.resolve("events"), "default")["items"]
    return sorted((e["message"], e["source"].get("component")) for e in evs if e["reason"] == reason)


def test_noexecute_taint_evicts_at_once_and_after_toleration_seconds(cluster):
    srv = cluster.apiserver
    pods = srv.resolve("pods")
    srv.create(pods, on_worker2("stays", [tol("out-of-disk")]), "default")
    srv.create(pods, on_worker2("pod1", [tol("out-of-disk", 30)]), "default")
    srv.create(pods, on_worker2("pod2"), "default")
    cluster.advance(5)
    system_before = names(cluster, "kube-system", "worker-2")
    srv.patch(srv.resolve("nodes"), None, "worker-2", "merge",
              {"spec": {"taints": [{"key": "out-of-disk", "value": "True", "effect": "NoExecute"}]}})
    cluster.reconcile()
    assert names(cluster) == ["pod1", "stays"]
    assert events(cluster, "TaintManagerEviction") == [
        ("Marking for deletion Pod default/pod2", "taint-eviction-controller")]
    cluster.advance(29)
    assert names(cluster) == ["pod1", "stays"]
    cluster.advance(1)
    assert names(cluster) == ["stays"]
    assert events(cluster, "TaintManagerEviction")[0] == (
        "Marking for deletion Pod default/pod1", "taint-eviction-controller")
    # DaemonSet pods tolerate every taint
    assert names(cluster, "kube-system", "worker-2") == system_before != []


def node_state(c, name):
    n = c.apiserver.get(c.apiserver.resolve("nodes"), None, name)
    ready = next(x for x in n["status"]["conditions"] if x["type"] == "Ready")
    return ready["status"], ready["reason"], [(t["key"], t["effect"]) for t in n["spec"].get("taints") or ()]


def heartbeat(c, name, up):
    srv = c.apiserver
    srv.patch(srv.resolve("leases.coordination.k8s.io"), "kube-node-lease", name, "merge",
              heartbeat_patch(up, c.clock.now()))
    c.reconcile()


def test_node_down_goes_unknown_after_grace_period_and_comes_back(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("pods"), on_worker2("web"), "default")
    cluster.advance(5)
    heartbeat(cluster, "worker-2", up=False)
    cluster.advance(49)
    assert node_state(cluster, "worker-2") == ("True", "KubeletReady", [])
    cluster.advance(1)
    assert node_state(cluster, "worker-2") == ("Unknown", "NodeStatusUnknown", [
        ("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")])
    web = srv.get(srv.resolve("pods"), "default", "web")
    assert [c["status"] for c in web["status"]["conditions"] if c["type"] == "Ready"] == ["False"]
    # the default 300 s toleration of unreachable runs out
    cluster.advance(299)
    assert names(cluster) == ["web"]
    cluster.advance(1)
    # terminationGracePeriodSeconds 0: the eviction deletes at once, kubelet or not
    assert names(cluster) == []
    heartbeat(cluster, "worker-2", up=True)
    assert node_state(cluster, "worker-2") == ("True", "KubeletReady", [])


def test_unreachable_node_gets_no_new_pods(cluster):
    srv = cluster.apiserver
    heartbeat(cluster, "worker-1", up=False)
    cluster.advance(60)
    srv.create(srv.resolve("pods"), {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}, "default")
    cluster.reconcile()
    assert srv.get(srv.resolve("pods"), "default", "p")["spec"]["nodeName"] == "worker-2"
