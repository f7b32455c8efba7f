"""The ReplicaSet / ReplicationController controller in-process on a copy of the lab cluster
(virtual clock): random-suffix pod names, controller references, status counts, events, which
pods a scale-down removes first, and that the lab's own ReplicaSets are left as they are."""
import re

import pytest

from pykubectl.controllers.replicaset import deletion_order


def rs(name, replicas=2, kind="ReplicaSet", min_ready=0):
    tmpl = {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    if kind == "ReplicaSet":
        spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": tmpl}
        if min_ready:
            spec["minReadySeconds"] = min_ready
        return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name}, "spec": spec}
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"app": name}, "template": tmpl}}


def pods_of(c, name):
    return [p for p in c.apiserver.list(c.apiserver.resolve("pods"), "default")["items"]
            if p["metadata"]["name"].startswith(name + "-")]


def events_of(c, name):
    return [(e["reason"], e["message"], e["source"]["component"])
            for e in c.apiserver.list(c.apiserver.resolve("events"), "default")["items"]
            if e["involvedObject"]["name"] == name]


@pytest.mark.parametrize("kind,resource,component", [
    ("ReplicaSet", "replicasets.apps", "replicaset-controller"),
    ("ReplicationController", "replicationcontrollers", "replication-controller"),
], ids=["replicaset", "replicationcontroller"])
def test_creates_pods_with_random_suffixes_owner_refs_and_events(cluster, kind, resource, component):
    srv = cluster.apiserver
    owner, _ = srv.create(srv.resolve(resource), rs("web", 3, kind), "default")
    cluster.engine.run()
    pods = pods_of(cluster, "web")
    assert len(pods) == 3
    for p in pods:
        assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{5}", p["metadata"]["name"])
        assert p["metadata"]["ownerReferences"] == [{
            "apiVersion": owner["apiVersion"], "kind": kind, "name": "web", "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}]
        assert p["metadata"]["labels"] == {"app": "web"}
    assert sorted(events_of(cluster, "web")) == sorted(
        ("SuccessfulCreate", f"Created pod: {p['metadata']['name']}", component) for p in pods)


@pytest.mark.parametrize("after,status", [
    (0, {"replicas": 2, "fullyLabeledReplicas": 2, "observedGeneration": 1}),
    (3, {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "observedGeneration": 1}),
    (12, {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
          "observedGeneration": 1}),
], ids=["created", "ready-not-yet-available", "available-after-minReadySeconds"])
def test_status_counts(cluster, after, status):
    srv = cluster.apiserver
    srv.create(srv.resolve("rs"), rs("web", 2, min_ready=10), "default")
    cluster.engine.run()
    cluster.advance(after)
    assert srv.get(srv.resolve("rs"), "default", "web")["status"] == status


def test_replaces_a_deleted_pod_and_scales_down(cluster):
    srv = cluster.apiserver
    k = srv.resolve("rs")
    srv.create(k, rs("web", 2), "default")
    cluster.advance(3)
    gone = pods_of(cluster, "web")[0]["metadata"]["name"]
    srv.delete(srv.resolve("pods"), "default", gone, grace_period=0)
    cluster.engine.run()
    names = [p["metadata"]["name"] for p in pods_of(cluster, "web")]
    assert len(names) == 2 and gone not in names
    srv.patch(k, "default", "web", "merge", {"spec": {"replicas": 0}})
    cluster.advance(1)
    assert pods_of(cluster, "web") == []
    assert srv.get(k, "default", "web")["status"] == {"replicas": 0, "observedGeneration": 2}
    assert [e[0] for e in events_of(cluster, "web")].count("SuccessfulDelete") == 2


def _pod(name, node="", phase="Running", ready=True, ready_at="2026-01-01T00:00:00Z", created="2026-01-01T00:00:00Z",
         restarts=0):
    p = {"metadata": {"name": name, "creationTimestamp": created},
         "spec": {"nodeName": node} if node else {},
         "status": {"phase": phase, "containerStatuses": [{"restartCount": restarts}]}}
    if ready:
        p["status"]["conditions"] = [{"type": "Ready", "status": "True", "lastTransitionTime": ready_at}]
    return p


@pytest.mark.parametrize("pods,first", [
    ([_pod("bound", "w1"), _pod("unbound", phase="Pending", ready=False)], "unbound"),
    ([_pod("running", "w1"), _pod("pending", "w1", phase="Pending", ready=False)], "pending"),
    ([_pod("ready", "w1"), _pod("unready", "w1", ready=False)], "unready"),
    ([_pod("alone", "w2"), _pod("doubled", "w1"), _pod("x", "w1")], "doubled"),
    ([_pod("old", "w1", ready_at="2026-01-01T00:00:00Z"), _pod("young", "w2", ready_at="2026-01-01T00:05:00Z")], "young"),
    ([_pod("calm", "w1"), _pod("crashy", "w2", restarts=3)], "crashy"),
    ([_pod("older", "w1", created="2026-01-01T00:00:00Z"), _pod("newer", "w2", created="2026-01-01T00:01:00Z")], "newer"),
], ids=["unscheduled-first", "pending-before-running", "not-ready-before-ready", "doubled-up-node-first",
        "ready-for-less-time-first", "more-restarts-first", "newer-first"])
def test_deletion_order(pods, first):
    assert deletion_order(pods, pods)[0]["metadata"]["name"] == first


def test_lab_replicasets_are_left_as_they_are(cluster):
    """Reconciling every system ReplicaSet of the lab changes nothing."""
    from pykubectl.controllers.manager import Timer, View, make_key
    from pykubectl.controllers.replicaset import ReplicaSetController
    c = ReplicaSetController()
    with cluster.store.write() as t:
        view = View(t, cluster.apiserver)
        lab = view.list("replicasets.apps")
        assert len(lab) >= 4
        for obj in lab:
            key = make_key("apps", "replicasets", obj["metadata"]["namespace"], obj["metadata"]["name"])
            assert [a for a in c.reconcile(key, view, cluster.clock.now()) if not isinstance(a, Timer)] == []
