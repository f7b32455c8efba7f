"""The DaemonSet controller in-process on a copy of the lab cluster (virtual clock): one pod per
eligible node (the control plane's taint keeps it off unless tolerated; nodeSelector narrows),
pods pinned by a matchFields node affinity and given the daemon tolerations, a rolling update one
node at a time, and the lab's calico-node and kube-proxy left as they are."""

import pytest


def ds(name, image="nginx", **pod_spec):
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": image}], **pod_spec}}}}


def nodes_of(c, name):
    return sorted(p["spec"].get("nodeName") for p in c.apiserver.list(c.apiserver.resolve("pods"), "default")["items"]
                  if p["metadata"]["name"].startswith(name + "-") and not p["metadata"].get("deletionTimestamp"))


@pytest.mark.parametrize("pod_spec,nodes", [
    ({}, ["worker-1", "worker-2"]),
    ({"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]},
     ["k8s-master", "worker-1", "worker-2"]),
    ({"nodeSelector": {"kubernetes.io/hostname": "worker-2"}}, ["worker-2"]),
], ids=["workers-only-by-taint", "toleration-adds-control-plane", "node-selector"])
def test_one_pod_per_eligible_node(cluster, pod_spec, nodes):
    srv = cluster.apiserver
    srv.create(srv.resolve("ds"), ds("agent", **pod_spec), "default")
    cluster.advance(3)
    assert nodes_of(cluster, "agent") == nodes
    st = srv.get(srv.resolve("ds"), "default", "agent")["status"]
    n = len(nodes)
    assert st == {"currentNumberScheduled": n, "desiredNumberScheduled": n, "numberAvailable": n,
                  "numberMisscheduled": 0, "numberReady": n, "observedGeneration": 1, "updatedNumberScheduled": n}


def test_pods_are_pinned_and_tolerate_node_conditions(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("ds"), ds("agent"), "default")
    cluster.engine.run()
    pod = next(p for p in srv.list(srv.resolve("pods"), "default")["items"] if p["metadata"]["name"].startswith("agent-"))
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}]}]
    keys = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert {("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/unschedulable", "NoSchedule")} <= keys
    assert pod["metadata"]["labels"]["pod-template-generation"] == "1"
    assert "controller-revision-hash" in pod["metadata"]["labels"]


def test_rolling_update_replaces_one_node_at_a_time(cluster):
    srv = cluster.apiserver
    k = srv.resolve("ds")
    srv.create(k, ds("agent"), "default")
    cluster.advance(3)
    srv.patch(k, "default", "agent", "strategic",
              {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    seen = []
    for _ in range(4):
        cluster.engine.run()
        images = sorted(p["spec"]["containers"][0]["image"] for p in srv.list(srv.resolve("pods"), "default")["items"]
                        if p["metadata"]["name"].startswith("agent-") and not p["metadata"].get("deletionTimestamp"))
        seen.append(images)
        cluster.advance(2.5)
    assert seen[0] == ["nginx", "nginx:1.27"] and seen[-1] == ["nginx:1.27", "nginx:1.27"]
    revs = [r for r in srv.list(srv.resolve("controllerrevisions"), "default")["items"]
            if r["metadata"]["name"].startswith("agent-")]
    assert sorted(r["revision"] for r in revs) == [1, 2]


def test_lab_daemonsets_are_left_as_they_are(cluster):
    from pykubectl.controllers.daemonset import DaemonSetController
    from pykubectl.controllers.manager import Timer, View, make_key
    c = DaemonSetController()
    with cluster.store.write() as t:
        view = View(t, cluster.apiserver)
        lab = view.list("daemonsets.apps")
        assert sorted(d["metadata"]["name"] for d in lab) == ["calico-node", "kube-proxy"]
        for obj in lab:
            key = make_key("apps", "daemonsets", obj["metadata"]["namespace"], obj["metadata"]["name"])
            assert [a for a in c.reconcile(key, view, cluster.clock.now()) if not isinstance(a, Timer)] == [], key


def _agent_pods(c):
    return [p for p in c.apiserver.list(c.apiserver.resolve("pods"), "default")["items"]
            if p["metadata"]["name"].startswith("agent-") and not p["metadata"].get("deletionTimestamp")]


def test_max_surge_starts_the_new_pod_beside_the_old_one(cluster):
    srv = cluster.apiserver
    k = srv.resolve("ds")
    d = ds("agent")
    d["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    d["spec"]["minReadySeconds"] = 10
    srv.create(k, d, "default")
    cluster.advance(15)
    srv.patch(k, "default", "agent", "strategic",
              {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    cluster.engine.run()
    by_node = {}
    for p in _agent_pods(cluster):
        by_node.setdefault(p["spec"].get("nodeName") or p["spec"]["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchFields"][0]["values"][0],
            []).append(p["spec"]["containers"][0]["image"])
    # one node surges (old and new side by side), the other waits: never fewer than 2 old-or-available
    assert sorted(sorted(v) for v in by_node.values()) == [["nginx"], ["nginx", "nginx:1.27"]]
    st = srv.get(k, "default", "agent")["status"]
    assert st["numberAvailable"] == 2
    for _ in range(12):
        cluster.advance(5)
        # the old pod on a node stays until the new one beside it is available: every node
        # keeps an available pod at every step
        from pykubectl.controllers.daemonset import _pod_node
        from pykubectl.controllers.workload_common import is_available
        now = cluster.clock.now()
        assert {_pod_node(p) for p in _agent_pods(cluster) if is_available(p, 10, now)} == {"worker-1", "worker-2"}
    assert sorted(p["spec"]["containers"][0]["image"] for p in _agent_pods(cluster)) == ["nginx:1.27", "nginx:1.27"]


@pytest.mark.parametrize("hashes,surge,kept", [
    (["old", "old"], False, 1),
    (["old", "new", "new"], True, 2),
    (["old", "old", "new"], True, 2),
], ids=["no-surge-keeps-one", "surge-keeps-oldest-new-and-old", "surge-drops-second-old"])
def test_extra_pods_on_a_node(hashes, surge, kept):
    from pykubectl.controllers.daemonset import _extra_pods
    pods = [{"metadata": {"name": f"p{i}", "creationTimestamp": f"2026-01-01T00:00:0{i}Z",
                          "labels": {"controller-revision-hash": h}}, "status": {}} for i, h in enumerate(hashes)]
    assert len(pods) - len(_extra_pods(pods, "new", surge)) == kept
