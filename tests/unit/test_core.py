"""The apiserver core's generic semantics, in-process on a copy of the lab cluster (virtual clock):
optimistic concurrency, generateName, spec/status and generation, graceful deletion, finalizers,
dry runs, managedFields, watches from the change log, the reconcile engine's quiet path."""

import pytest

from pykubectl.api.errors import StatusError


def kind(c, name):
    return c.apiserver.resolve(name)


def cm(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def deploy(name, replicas=1):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def test_stale_resource_version_is_a_conflict(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "configmaps")
    obj, _ = srv.create(k, cm("a", x="1"), "default")
    stale = dict(obj, data={"x": "2"})
    srv.update(k, stale, "default")
    with pytest.raises(StatusError) as e:
        srv.update(k, dict(obj, data={"x": "3"}), "default")
    assert e.value.code == 409
    assert e.value.message == ('Operation cannot be fulfilled on configmaps "a": the object has been modified; '
                               'please apply your changes to the latest version and try again')
    assert srv.get(k, "default", "a")["data"] == {"x": "2"}


def test_resource_version_is_the_store_revision_and_moves_with_each_write(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "configmaps")
    a, _ = srv.create(k, cm("a"), "default")
    b, _ = srv.create(k, cm("b"), "default")
    assert int(b["metadata"]["resourceVersion"]) > int(a["metadata"]["resourceVersion"])
    assert srv.list(k, "default")["metadata"]["resourceVersion"] >= b["metadata"]["resourceVersion"]


def test_generate_name_uid_and_creation_timestamp(cluster):
    srv = cluster.apiserver
    obj, _ = srv.create(kind(cluster, "cm"), {"apiVersion": "v1", "kind": "ConfigMap",
                                              "metadata": {"generateName": "web-"}}, "default")
    name = obj["metadata"]["name"]
    assert name.startswith("web-") and len(name) == 9
    assert all(ch in "bcdfghjklmnpqrstvwxz2456789" for ch in name[4:])
    assert len(obj["metadata"]["uid"]) == 36
    assert obj["metadata"]["creationTimestamp"].endswith("Z")


def test_already_exists(cluster):
    srv = cluster.apiserver
    srv.create(kind(cluster, "cm"), cm("a"), "default")
    with pytest.raises(StatusError) as e:
        srv.create(kind(cluster, "cm"), cm("a"), "default")
    assert (e.value.code, e.value.reason, e.value.message) == (409, "AlreadyExists", 'configmaps "a" already exists')


def test_generation_moves_with_spec_only_and_status_is_its_own_subresource(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "deploy")
    d, _ = srv.create(k, dict(deploy("web"), status={"replicas": 9}), "default")
    assert d["metadata"]["generation"] == 1
    assert "status" not in d or d["status"].get("replicas") != 9     # status is not set on create
    d2, _ = srv.update(k, dict(d, status={"replicas": 5}), "default")
    assert d2["metadata"]["generation"] == 1 and d2.get("status", {}).get("replicas") != 5
    d3, _ = srv.update(k, dict(d2, status={"replicas": 5}), "default", subresource="status")
    assert d3["status"]["replicas"] == 5 and d3["metadata"]["generation"] == 1
    d4, _ = srv.patch(k, "default", "web", "merge", {"spec": {"replicas": 3}})
    assert d4["metadata"]["generation"] == 2 and d4["status"]["replicas"] == 5


def test_dry_run_writes_nothing(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "cm")
    with cluster.store.read() as t:
        rev = t.revision()
    out, _ = srv.create(k, cm("dry"), "default", dry_run=True)
    assert out["metadata"]["name"] == "dry"
    with cluster.store.read() as t:
        assert t.revision() == rev
    with pytest.raises(StatusError):
        srv.get(k, "default", "dry")


def test_finalizers_hold_deletion_until_removed(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "cm")
    obj = cm("held")
    obj["metadata"]["finalizers"] = ["example.com/hold"]
    srv.create(k, obj, "default")
    srv.delete(k, "default", "held")
    live = srv.get(k, "default", "held")
    assert live["metadata"]["deletionTimestamp"]
    live["metadata"]["finalizers"] = []
    srv.update(k, live, "default")
    with pytest.raises(StatusError) as e:
        srv.get(k, "default", "held")
    assert e.value.code == 404


def test_scheduled_pod_deletion_is_graceful_for_images_ignoring_sigterm(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "pods")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"},
           "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "kubetm/app"}]}}
    srv.create(k, pod, "default")
    cluster.advance(5)
    assert srv.get(k, "default", "app")["status"]["phase"] == "Running"
    srv.delete(k, "default", "app")
    cluster.engine.run()
    live = srv.get(k, "default", "app")
    assert live["metadata"]["deletionGracePeriodSeconds"] == 30
    cluster.advance(29)
    assert srv.get(k, "default", "app")["metadata"]["deletionTimestamp"]
    cluster.advance(2)
    with pytest.raises(StatusError):
        srv.get(k, "default", "app")


def test_managed_fields_record_the_manager(cluster):
    srv = cluster.apiserver
    obj, _ = srv.create(kind(cluster, "cm"), cm("m", a="1"), "default", field_manager="kubectl-create")
    mf = obj["metadata"]["managedFields"]
    assert mf[0]["manager"] == "kubectl-create" and mf[0]["operation"] == "Update"
    assert "f:a" in mf[0]["fieldsV1"]["f:data"]


def test_server_side_apply_conflict_and_force(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "cm")
    srv.patch(k, "default", "s", "apply", cm("s", a="1"), field_manager="alice")
    with pytest.raises(StatusError) as e:
        srv.patch(k, "default", "s", "apply", cm("s", a="2"), field_manager="bob")
    assert e.value.code == 409
    assert 'conflict with "alice"' in e.value.message
    out, _ = srv.patch(k, "default", "s", "apply", cm("s", a="2"), field_manager="bob", force=True)
    assert out["data"]["a"] == "2"
    assert {m["manager"] for m in out["metadata"]["managedFields"]} >= {"bob"}


def test_watch_reads_the_change_log_and_refuses_compacted_revisions(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "cm")
    with cluster.store.read() as t:
        start = t.revision()
    srv.create(k, cm("w1"), "default")
    srv.update(k, dict(srv.get(k, "default", "w1"), data={"x": "1"}), "default")
    srv.delete(k, "default", "w1")
    events = [(typ, o["metadata"]["name"]) for typ, o in srv.watch(k, "default", start, timeout=0.3)
              if o["metadata"]["name"] == "w1"]
    assert events == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    with cluster.store.write() as t:
        t.set_meta("compacted", t.revision())
    with pytest.raises(StatusError) as e:
        list(srv.watch(k, "default", start, timeout=0.1))
    assert e.value.code == 410 and e.value.message.startswith("too old resource version")


def test_a_quiet_cluster_does_no_controller_work(cluster):
    cluster.reconcile()
    with cluster.store.read() as t:
        rev = t.revision()
    assert cluster.reconcile() == 0
    cluster.apiserver.list(kind(cluster, "pods"))
    with cluster.store.read() as t:
        assert t.revision() == rev


def test_events_expire_after_an_hour(cluster):
    srv = cluster.apiserver
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "e"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    srv.create(kind(cluster, "pods"), pod, "default")
    cluster.advance(5)
    evk = kind(cluster, "events")
    mine = lambda: [e for e in srv.list(evk, "default")["items"] if e["involvedObject"]["name"] == "e"]
    assert mine()
    cluster.advance(3590)
    assert mine(), "an Event lives at least its hour"
    # the lease it shares with its minute's Events lasts the hour plus the 60 s reuse window
    cluster.advance(70)
    assert not mine()


def _pods(cluster, n):
    """n nginx pods m0..m{n-1} in default, created in one burst (one lease window of Events)."""
    for i in range(n):
        cluster.apiserver.create(kind(cluster, "pods"), {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"m{i}"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}, "default")


def test_a_minutes_events_expire_together_in_one_step(cluster):
    from pykubectl.controllers.events import lease_key
    srv = cluster.apiserver
    _pods(cluster, 30)
    cluster.advance(5)
    evk = kind(cluster, "events")
    events = srv.list(evk, "default")["items"]
    minutes = {lease_key(e["lastTimestamp"]) for e in events}
    with cluster.store.read() as t:
        timers = [k for c, k, _ in t.due_timers(float("inf"), 100000) if c == "event-ttl"]
    # one expiry timer per lease window, not one per Event
    assert len(events) > 30 and sorted(timers) == sorted(minutes)
    cluster.advance(3660)
    assert srv.list(evk, "default")["items"] == []


def test_a_large_lease_window_expires_in_bounded_chunks(cluster, monkeypatch):
    from pykubectl.controllers.events import EventTTL
    monkeypatch.setattr(EventTTL, "CHUNK", 7)
    srv = cluster.apiserver
    _pods(cluster, 12)
    cluster.advance(5)
    evk = kind(cluster, "events")
    assert len(srv.list(evk, "default")["items"]) > 7
    cluster.advance(3660)
    assert srv.list(evk, "default")["items"] == []


def test_namespace_lifecycle_refuses_content_in_missing_namespace(cluster):
    with pytest.raises(StatusError) as e:
        cluster.apiserver.create(kind(cluster, "cm"), cm("x"), "nope")
    assert (e.value.code, e.value.message) == (404, 'namespaces "nope" not found')


@pytest.mark.parametrize("policy,owner_gone,child_gone,child_has_owner", [
    ("Background", True, True, None),
    ("Foreground", True, True, None),
    ("Orphan", True, False, False),
], ids=["background", "foreground", "orphan"])
def test_deletion_propagation(cluster, policy, owner_gone, child_gone, child_has_owner):
    srv = cluster.apiserver
    k = kind(cluster, "cm")
    owner, _ = srv.create(k, cm("owner"), "default")
    child = cm("child")
    child["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                             "uid": owner["metadata"]["uid"], "blockOwnerDeletion": True}]
    srv.create(k, child, "default")
    srv.delete(k, "default", "owner", propagation=policy)
    cluster.engine.run()   # no clock movement needed: each step is driven by the change before it

    def exists(name):
        try:
            return srv.get(k, "default", name)
        except StatusError:
            return None
    assert (exists("owner") is None) == owner_gone
    live = exists("child")
    assert (live is None) == child_gone
    if child_has_owner is not None:
        assert ("ownerReferences" in live["metadata"]) == child_has_owner


def test_growing_a_claim_whose_class_cannot_expand_is_forbidden(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "pvc")
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                    "storageClassName": "nfs-client"}}
    srv.create(k, pvc, "default")
    cluster.engine.run()
    with pytest.raises(StatusError) as e:
        srv.patch(k, "default", "data", "merge", {"spec": {"resources": {"requests": {"storage": "2Gi"}}}})
    assert (e.value.code, e.value.message) == (403, 'persistentvolumeclaims "data" is forbidden: only dynamically '
                                               'provisioned pvc can be resized and the storageclass that provisions '
                                               'the pvc must support resize')


def _pod(name, node=None):
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


# the index tables answer `spec.nodeName=X` and `involvedObject.uid=X`; every other term, and
# the empty value (an unbound pod has no index entry), must still be answered exactly
@pytest.mark.parametrize("selector,names", [
    ("spec.nodeName=worker-1", ["on-w1"]),
    ("spec.nodeName=worker-2", ["on-w2"]),
    ("spec.nodeName=", ["unbound"]),
    ("spec.nodeName!=worker-1", ["on-w2", "unbound"]),
    ("spec.nodeName=worker-1,metadata.name=on-w2", []),
    ("spec.nodeName=nowhere", []),
], ids=["node-w1", "node-w2", "node-empty", "node-not-w1", "node-and-other-name", "node-unknown"])
def test_field_selector_on_node_name(cluster, selector, names):
    srv = cluster.apiserver
    pods = kind(cluster, "pods")
    for p in (_pod("on-w1", "worker-1"), _pod("on-w2", "worker-2"), _pod("unbound")):
        srv.create(pods, p, "default")
    got = srv.list(pods, "default", field_selector=selector)["items"]
    assert [o["metadata"]["name"] for o in got] == names


def test_field_selector_on_an_events_involved_object(cluster):
    srv = cluster.apiserver
    pods, events = kind(cluster, "pods"), kind(cluster, "events")
    a, _ = srv.create(pods, _pod("a"), "default")
    b, _ = srv.create(pods, _pod("b"), "default")
    for name, pod in (("ev-a", a), ("ev-b", b)):
        srv.create(events, {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
                            "involvedObject": {"kind": "Pod", "namespace": "default", "name": pod["metadata"]["name"],
                                               "uid": pod["metadata"]["uid"]},
                            "reason": "Test", "message": "m", "type": "Normal"}, "default")
    sel = f"involvedObject.uid={a['metadata']['uid']}"
    assert [e["metadata"]["name"] for e in srv.list(events, "default", field_selector=sel)["items"]] == ["ev-a"]
    sel = f"involvedObject.uid={a['metadata']['uid']},involvedObject.name=b"
    assert srv.list(events, "default", field_selector=sel)["items"] == []


def test_resolve_sees_a_new_custom_resource_after_its_crd_is_created(cluster):
    srv = cluster.apiserver
    from pykubectl.api.kinds import UnknownResource
    with pytest.raises(UnknownResource):
        srv.resolve("widgets")
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    srv.create(kind(cluster, "customresourcedefinitions"), crd)
    assert srv.resolve("widgets").kind == "Widget"
    assert srv.resolve("pods") is srv.resolve("pods")   # memoized


def test_writes_never_share_structure_with_the_caller(cluster):
    srv = cluster.apiserver
    k = kind(cluster, "configmaps")
    body = cm("shared", x="1")
    body["metadata"]["labels"] = {"a": "1"}
    out, _ = srv.create(k, body, "default")
    out["metadata"]["labels"]["a"] = "changed"
    body["data"]["x"] = "changed"
    stored = srv.get(k, "default", "shared")
    assert stored["metadata"]["labels"] == {"a": "1"} and stored["data"] == {"x": "1"}
    assert "uid" not in body["metadata"]
