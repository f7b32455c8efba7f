"""The StatefulSet controller in-process on a copy of the lab cluster (virtual clock): ordinal
pods one at a time (OrderedReady) or all at once (Parallel), highest ordinal removed first and
fully gone before the next, PVCs from volumeClaimTemplates that outlive scale-down, the
ControllerRevision, rolling updates by ordinal with a partition, and status."""

import pytest


def sts(name, replicas, policy=None, claims=False, image="kubetm/app", **spec):
    s = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
         "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"terminationGracePeriodSeconds": 10,
                                        "containers": [{"name": "c", "image": image}]}}, **spec}}
    if policy:
        s["spec"]["podManagementPolicy"] = policy
    if claims:
        s["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1G"}}}}]
    return s


def pods(c, name):
    """{pod name: phase, or 'Terminating'}"""
    out = {}
    for p in c.apiserver.list(c.apiserver.resolve("pods"), "default")["items"]:
        if p["metadata"]["name"].startswith(name + "-"):
            out[p["metadata"]["name"]] = "Terminating" if p["metadata"].get("deletionTimestamp") else p["status"].get("phase")
    return out


@pytest.mark.parametrize("policy,timeline", [
    ("OrderedReady", [{"db-0": "Pending"},
                      {"db-0": "Running", "db-1": "Pending"},
                      {"db-0": "Running", "db-1": "Running", "db-2": "Pending"},
                      {"db-0": "Running", "db-1": "Running", "db-2": "Running"}]),
    ("Parallel", [{"db-0": "Pending", "db-1": "Pending", "db-2": "Pending"},
                  {"db-0": "Running", "db-1": "Running", "db-2": "Running"}]),
], ids=["ordered-ready-one-after-another", "parallel-all-at-once"])
def test_scale_up(cluster, policy, timeline):
    srv = cluster.apiserver
    srv.create(srv.resolve("sts"), sts("db", 3, policy), "default")
    cluster.engine.run()
    seen = []
    for _ in timeline:
        seen.append(pods(cluster, "db"))
        cluster.advance(2)
    assert seen == timeline


@pytest.mark.parametrize("policy,timeline", [
    # kubetm/app ignores SIGTERM: each pod takes its 10 s grace period
    ("OrderedReady", [{"db-0": "Running", "db-1": "Running", "db-2": "Terminating"},
                      {"db-0": "Running", "db-1": "Terminating"},
                      {"db-0": "Terminating"},
                      {}]),
    ("Parallel", [{"db-0": "Terminating", "db-1": "Terminating", "db-2": "Terminating"}, {}, {}, {}]),
], ids=["ordered-ready-highest-first-each-gone-before-next", "parallel-all-at-once"])
def test_scale_down_to_zero(cluster, policy, timeline):
    srv = cluster.apiserver
    k = srv.resolve("sts")
    srv.create(k, sts("db", 3, policy), "default")
    cluster.advance(10)
    srv.patch(k, "default", "db", "merge", {"spec": {"replicas": 0}})
    cluster.engine.run()
    seen = []
    for _ in timeline:
        seen.append(pods(cluster, "db"))
        cluster.advance(10.5)
    assert seen == timeline
    assert [e["message"] for e in srv.list(srv.resolve("events"), "default")["items"]
            if e["involvedObject"]["name"] == "db" and e["reason"] == "SuccessfulDelete"][0] == \
        "delete Pod db-2 in StatefulSet db successful"


def test_pod_identity_labels_and_claims(cluster):
    srv = cluster.apiserver
    s, _ = srv.create(srv.resolve("sts"), sts("db", 1, claims=True, serviceName="db-headless"), "default")
    cluster.advance(3)
    pod = srv.get(srv.resolve("pods"), "default", "db-0")
    [rev] = [r for r in srv.list(srv.resolve("controllerrevisions"), "default")["items"]
             if r["metadata"]["name"].startswith("db-")]
    assert pod["spec"]["hostname"] == "db-0" and pod["spec"]["subdomain"] == "db-headless"
    assert pod["metadata"]["labels"] == {"app": "db", "statefulset.kubernetes.io/pod-name": "db-0",
                                         "apps.kubernetes.io/pod-index": "0",
                                         "controller-revision-hash": rev["metadata"]["name"]}
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}} in pod["spec"]["volumes"]
    pvc = srv.get(srv.resolve("pvc"), "default", "data-db-0")
    assert pvc["metadata"]["labels"] == {"app": "db"} and "ownerReferences" not in pvc["metadata"]
    assert rev["revision"] == 1 and rev["metadata"]["ownerReferences"][0]["uid"] == s["metadata"]["uid"]
    st = srv.get(srv.resolve("sts"), "default", "db")["status"]
    assert st == {"replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "updatedReplicas": 1,
                  "availableReplicas": 1, "observedGeneration": 1, "currentRevision": rev["metadata"]["name"],
                  "updateRevision": rev["metadata"]["name"], "collisionCount": 0}


@pytest.mark.parametrize("policy,left", [(None, True), ({"whenScaled": "Delete"}, False)],
                         ids=["claims-outlive-scale-down", "retention-policy-delete-on-scale"])
def test_claims_on_scale_down(cluster, policy, left):
    srv = cluster.apiserver
    extra = {"persistentVolumeClaimRetentionPolicy": policy} if policy else {}
    srv.create(srv.resolve("sts"), sts("db", 1, claims=True, image="nginx", **extra), "default")
    cluster.advance(3)
    srv.patch(srv.resolve("sts"), "default", "db", "merge", {"spec": {"replicas": 0}})
    cluster.advance(3)
    assert pods(cluster, "db") == {}
    names = [p["metadata"]["name"] for p in srv.list(srv.resolve("pvc"), "default")["items"]]
    assert ("data-db-0" in names) is left


@pytest.mark.parametrize("partition,updated", [(0, ["db-0", "db-1", "db-2"]), (2, ["db-2"])],
                         ids=["all-ordinals", "partition-2"])
def test_rolling_update_by_ordinal(cluster, partition, updated):
    srv = cluster.apiserver
    k = srv.resolve("sts")
    srv.create(k, sts("db", 3, image="nginx", updateStrategy={
        "type": "RollingUpdate", "rollingUpdate": {"partition": partition}}), "default")
    cluster.advance(8)
    srv.patch(k, "default", "db", "strategic",
              {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    cluster.advance(12)
    images = {p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
              for p in srv.list(srv.resolve("pods"), "default")["items"] if p["metadata"]["name"].startswith("db-")}
    assert sorted(n for n, i in images.items() if i == "nginx:1.27") == updated
    deletes = [e["message"] for e in srv.list(srv.resolve("events"), "default")["items"]
               if e["involvedObject"]["name"] == "db" and e["reason"] == "SuccessfulDelete"]
    assert deletes == [f"delete Pod {n} in StatefulSet db successful" for n in reversed(updated)]


# kubernetes pkg/controller/statefulset TestStatefulSetCompatibility: a real cluster named this
# StatefulSet's revision test-c77f6d978 (FNV-32 of the revision's JSON patch, then "0")
COMPAT_RAW = ('{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"test":"value"},'
              '"creationTimestamp":null,"labels":{"app":"foo"}},"spec":{"containers":[{"image":"test",'
              '"imagePullPolicy":"Always","name":"test","resources":{},"terminationMessagePath":'
              '"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst",'
              '"restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},'
              '"terminationGracePeriodSeconds":30}}}}')


@pytest.mark.parametrize("probe,name", [(0, "c77f6d978"), (1, "c77f6d979"), (None, "6b48d6f566")],
                         ids=["collision-0", "collision-1", "no-probe"])
def test_revision_hash_matches_kube(probe, name):
    import json

    from pykubectl.controllers.workload_common import go_json, hash_controller_revision
    data = json.loads(COMPAT_RAW)
    assert go_json(data).decode() == COMPAT_RAW
    assert hash_controller_revision(data, probe) == name


def test_revision_name_on_the_cluster_matches_kube(cluster):
    srv = cluster.apiserver
    s = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "test"},
         "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "foo"}},
                  "template": {"metadata": {"labels": {"app": "foo"}, "annotations": {"test": "value"}},
                               "spec": {"containers": [{"name": "test", "image": "test"}]}}}}
    srv.create(srv.resolve("statefulsets.apps"), s, "default")
    cluster.engine.run()
    st = srv.get(srv.resolve("statefulsets.apps"), "default", "test")["status"]
    assert st["updateRevision"] == "test-c77f6d978"


@pytest.mark.parametrize("template,collision", [({"spec": {"containers": [{"name": "a", "image": "nginx"}]}}, None),
                                                ({"spec": {"containers": [{"name": "a", "image": "nginx"}]}}, 1),
                                                ({"metadata": {"labels": {"app": "x"}}}, None)],
                         ids=["plain", "with-collision", "labels"])
def test_pod_template_hash_shape(template, collision):
    from pykubectl.controllers.workload_common import compute_hash
    h = compute_hash(template, collision)
    assert 8 <= len(h) <= 10 and set(h) <= set("456789bcdf")
    assert h == compute_hash(template, collision)
    assert h != compute_hash(template, (collision or 0) + 2)
