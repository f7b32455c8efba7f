"""The Deployment controller in-process on a copy of the lab cluster (virtual clock): the
ReplicaSet it makes, a rolling update of 10 replicas stepping as kube-controller-manager's
sync/rolling code does (surge and unavailable bounds held at every moment), Recreate, pause,
revisionHistoryLimit, revisions, conditions, and the lab's Deployments left untouched."""
import re

import pytest

from pykubectl.controllers.deployment import fenceposts


def deploy(name, replicas=1, image="nginx", strategy=None, **spec):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
         "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"containers": [{"name": "c", "image": image}]}}, **spec}}
    if strategy:
        d["spec"]["strategy"] = strategy
    return d


def set_image(c, name, image):
    c.apiserver.patch(c.apiserver.resolve("deploy"), "default", name, "strategic",
                      {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}})


def replica_sets(c, name):
    items = c.apiserver.list(c.apiserver.resolve("rs"), "default")["items"]
    return sorted((r for r in items if r["metadata"]["name"].startswith(name + "-")),
                  key=lambda r: int(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]))


def scaling_events(c, name):
    evs = [e for e in c.apiserver.list(c.apiserver.resolve("events"), "default")["items"]
           if e["involvedObject"]["name"] == name and e["reason"] == "ScalingReplicaSet"]
    evs.sort(key=lambda e: (e["firstTimestamp"], int(e["metadata"]["resourceVersion"])))
    return [e["message"] for e in evs]


@pytest.mark.parametrize("replicas,surge,unavailable,expected", [
    (10, None, None, (3, 2)),
    (4, None, None, (1, 1)),
    (1, None, None, (1, 0)),
    (3, 0, 0, (0, 1)),
    (10, "50%", 1, (5, 1)),
], ids=["25%-of-10", "25%-of-4", "25%-of-1", "both-zero-means-one-unavailable", "percent-and-int"])
def test_fenceposts(replicas, surge, unavailable, expected):
    ru = {k: v for k, v in (("maxSurge", surge), ("maxUnavailable", unavailable)) if v is not None}
    d = deploy("x", replicas, strategy={"type": "RollingUpdate", "rollingUpdate": ru})
    assert fenceposts(d) == expected


def test_creates_its_replicaset_with_hash_revision_and_conditions(cluster):
    srv = cluster.apiserver
    d, _ = srv.create(srv.resolve("deploy"), deploy("web", 3), "default")
    cluster.advance(3)
    [rs] = replica_sets(cluster, "web")
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{6,10}", h)
    assert rs["metadata"]["name"] == f"web-{h}"
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash": h}}
    assert rs["metadata"]["annotations"] == {"deployment.kubernetes.io/desired-replicas": "3",
                                             "deployment.kubernetes.io/max-replicas": "4",
                                             "deployment.kubernetes.io/revision": "1"}
    assert rs["metadata"]["ownerReferences"][0]["uid"] == d["metadata"]["uid"]
    live = srv.get(srv.resolve("deploy"), "default", "web")
    assert live["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    st = live["status"]
    assert {k: st[k] for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")} == \
        {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        ("Progressing", "True", "NewReplicaSetAvailable", f'ReplicaSet "web-{h}" has successfully progressed.')]
    assert scaling_events(cluster, "web") == [f"Scaled up replica set web-{h} from 0 to 3"]


def test_rolling_update_of_10_steps_within_bounds(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("deploy"), deploy("web", 10), "default")
    cluster.advance(3)
    set_image(cluster, "web", "nginx:1.27")
    cluster.engine.run()
    for _ in range(16):
        rss = replica_sets(cluster, "web")
        # maxSurge 3: never more than 13 pods wanted; maxUnavailable 2: never fewer than 8 available
        assert sum(r["spec"]["replicas"] for r in rss) <= 13
        assert sum((r.get("status") or {}).get("availableReplicas", 0) for r in rss) >= 8
        cluster.advance(0.5)
    old, new = replica_sets(cluster, "web")
    o, n = old["metadata"]["name"], new["metadata"]["name"]
    assert scaling_events(cluster, "web") == [
        f"Scaled up replica set {o} from 0 to 10",
        f"Scaled up replica set {n} from 0 to 3", f"Scaled down replica set {o} from 10 to 8",
        f"Scaled up replica set {n} from 3 to 5", f"Scaled down replica set {o} from 8 to 3",
        f"Scaled up replica set {n} from 5 to 10", f"Scaled down replica set {o} from 3 to 0"]
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (0, 10)
    live = srv.get(srv.resolve("deploy"), "default", "web")
    assert live["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert live["status"]["conditions"][-1]["reason"] == "NewReplicaSetAvailable"


def test_recreate_scales_old_to_zero_before_the_new_one(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("deploy"), deploy("web", 2, strategy={"type": "Recreate"}), "default")
    cluster.advance(3)
    set_image(cluster, "web", "nginx:1.27")
    cluster.advance(3)
    old, new = replica_sets(cluster, "web")
    assert scaling_events(cluster, "web")[1:] == [
        f"Scaled down replica set {old['metadata']['name']} from 2 to 0",
        f"Scaled up replica set {new['metadata']['name']} from 0 to 2"]


def test_paused_deployment_makes_no_new_replicaset_until_resumed(cluster):
    srv = cluster.apiserver
    k = srv.resolve("deploy")
    srv.create(k, deploy("web", 2), "default")
    cluster.advance(3)
    srv.patch(k, "default", "web", "merge", {"spec": {"paused": True}})
    set_image(cluster, "web", "nginx:1.27")
    cluster.advance(3)
    assert len(replica_sets(cluster, "web")) == 1
    srv.patch(k, "default", "web", "merge", {"spec": {"paused": False}})
    cluster.advance(6)
    assert [r["spec"]["replicas"] for r in replica_sets(cluster, "web")] == [0, 2]


def test_scaling_updates_the_replicaset_and_its_annotations(cluster):
    srv = cluster.apiserver
    k = srv.resolve("deploy")
    srv.create(k, deploy("web", 2), "default")
    cluster.advance(3)
    srv.patch(k, "default", "web", "merge", {"spec": {"replicas": 5}})
    cluster.advance(3)
    [rs] = replica_sets(cluster, "web")
    assert rs["spec"]["replicas"] == 5 and rs["status"]["availableReplicas"] == 5
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"
    assert scaling_events(cluster, "web")[-1] == f"Scaled up replica set {rs['metadata']['name']} from 2 to 5"


@pytest.mark.parametrize("limit,kept", [(1, 2), (0, 1)], ids=["limit-1", "limit-0"])
def test_revision_history_limit(cluster, limit, kept):
    srv = cluster.apiserver
    srv.create(srv.resolve("deploy"), deploy("web", 1, revisionHistoryLimit=limit), "default")
    cluster.advance(3)
    for tag in ("1.25", "1.26", "1.27"):
        set_image(cluster, "web", f"nginx:{tag}")
        cluster.advance(5)
    rss = replica_sets(cluster, "web")
    assert len(rss) == kept
    assert rss[-1]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert rss[-1]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4"


def test_rolling_back_reuses_the_old_replicaset_with_a_new_revision(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("deploy"), deploy("web", 1), "default")
    cluster.advance(3)
    first = replica_sets(cluster, "web")[0]["metadata"]["name"]
    set_image(cluster, "web", "nginx:1.27")
    cluster.advance(5)
    set_image(cluster, "web", "nginx")
    cluster.advance(5)
    rss = replica_sets(cluster, "web")
    assert rss[-1]["metadata"]["name"] == first
    assert rss[-1]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert rss[-1]["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"


def test_lab_deployments_and_their_replicasets_are_left_as_they_are(cluster):
    from pykubectl.controllers.deployment import DeploymentController
    from pykubectl.controllers.manager import Timer, View, make_key
    c = DeploymentController()
    with cluster.store.write() as t:
        view = View(t, cluster.apiserver)
        lab = view.list("deployments.apps")
        assert len(lab) >= 4
        for obj in lab:
            key = make_key("apps", "deployments", obj["metadata"]["namespace"], obj["metadata"]["name"])
            assert [a for a in c.reconcile(key, view, cluster.clock.now()) if not isinstance(a, Timer)] == [], key


def test_scaling_during_a_rollout_is_proportional(cluster):
    """10 replicas mid-rollout (old 8, new 5 of max 13) scaled to 20: max becomes 25, and the
    12 added split by the ReplicaSets' shares (8/13 and 5/13 of 25, rounded)."""
    srv = cluster.apiserver
    k = srv.resolve("deploy")
    srv.create(k, deploy("web", 10, image="kubetm/app"), "default")
    cluster.advance(3)
    set_image(cluster, "web", "kubetm/app:v2")
    cluster.engine.run()
    assert [r["spec"]["replicas"] for r in replica_sets(cluster, "web")] == [8, 5]
    srv.patch(k, "default", "web", "merge", {"spec": {"replicas": 20}})
    cluster.engine.run()
    old, new = replica_sets(cluster, "web")
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (15, 10)
    assert scaling_events(cluster, "web")[-2:] == [
        f"Scaled up replica set {old['metadata']['name']} from 8 to 15",
        f"Scaled up replica set {new['metadata']['name']} from 5 to 10"]
