"""A PATCH that changes nothing (`label` of the value a label has, `apply` of an unchanged
object's patch) is answered from a read: the object and its resourceVersion come back as they
are and nothing is written (the store's revision stays). Anything else still takes the write
path, with its errors worded there."""
import pytest

from pykubectl.api.errors import StatusError

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


@pytest.fixture
def web(cluster):
    srv = cluster.apiserver
    kind = srv.resolve("pods")
    srv.create(kind, POD, "default")
    cluster.engine.run()
    return cluster, srv, kind


def revision(cluster) -> int:
    return int(cluster.store.meta("revision"))


def rv(obj) -> str:
    return obj["metadata"]["resourceVersion"]


NOOPS = [
    ("merge", {"metadata": {"labels": {"app": "web"}}}),
    ("merge", {}),
    ("merge", {"metadata": {"labels": {"gone": None}}}),
    ("json", [{"op": "test", "path": "/metadata/labels/app", "value": "web"}]),
    ("json", [{"op": "replace", "path": "/spec/containers/0/image", "value": "nginx"}]),
    ("strategic", {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
]
NOOP_IDS = ["label-same-value", "empty-merge", "remove-absent-label", "json-test-only",
            "json-replace-same", "strategic-same-image"]


@pytest.mark.parametrize("patch_type,body", NOOPS, ids=NOOP_IDS)
@pytest.mark.parametrize("dry_run", [False, True], ids=["real", "dry-run"])
def test_noop_patch_writes_nothing(web, patch_type, body, dry_run):
    cluster, srv, kind = web
    before = srv.get(kind, "default", "web")
    rev = revision(cluster)
    out, warnings = srv.patch(kind, "default", "web", patch_type, body, field_manager="kubectl-label",
                              dry_run=dry_run)
    assert revision(cluster) == rev
    assert rv(out) == rv(before) and out == before and warnings == []


def test_noop_patch_opens_no_write_transaction(web, monkeypatch):
    # another writer may hold the database (a long `create -f`): a no-op still answers at once
    cluster, srv, kind = web

    def busy():
        raise AssertionError("a write transaction was opened")
    monkeypatch.setattr(cluster.store, "write", busy)
    out, _ = srv.patch(kind, "default", "web", "merge", {"metadata": {"labels": {"app": "web"}}})
    assert out["metadata"]["labels"] == {"app": "web"}


def test_noop_patch_carrying_the_current_resource_version(web):
    cluster, srv, kind = web
    cur = rv(srv.get(kind, "default", "web"))
    rev = revision(cluster)
    out, _ = srv.patch(kind, "default", "web", "merge", {"metadata": {"resourceVersion": cur}})
    assert (revision(cluster), rv(out)) == (rev, cur)


# (patch type, body, status code expected or None for a write that moves the revision)
WRITES = [
    ("merge", {"metadata": {"labels": {"app": "api"}}}, None),
    ("json", [{"op": "add", "path": "/metadata/labels/tier", "value": "front"}], None),
    ("merge", {"metadata": {"resourceVersion": "1"}}, 409),
    ("json", [{"op": "test", "path": "/metadata/labels/app", "value": "api"}], 422),
    ("strategic", {"spec": {"containers": [{"name": "c", "image": 7}]}}, 400),
]
WRITE_IDS = ["label-change", "json-add", "stale-resource-version", "json-test-fails", "mistyped-image"]


@pytest.mark.parametrize("patch_type,body,code", WRITES, ids=WRITE_IDS)
def test_other_patches_take_the_write_path(web, patch_type, body, code):
    cluster, srv, kind = web
    rev = revision(cluster)
    if code is None:
        out, _ = srv.patch(kind, "default", "web", patch_type, body)
        assert revision(cluster) == rev + 1 and rv(out) == str(rev + 1)
    else:
        with pytest.raises(StatusError) as e:
            srv.patch(kind, "default", "web", patch_type, body)
        assert e.value.code == code and revision(cluster) == rev


def test_noop_patch_of_a_missing_object_is_not_found(web):
    _, srv, kind = web
    with pytest.raises(StatusError) as e:
        srv.patch(kind, "default", "nope", "merge", {})
    assert e.value.code == 404


def test_label_with_the_same_value_leaves_the_object_alone(kube):
    kube("run", "web", "--image=nginx", "--labels=app=web", check=True)
    rv0 = kube("get", "pod", "web", "-o", "jsonpath={.metadata.resourceVersion}", check=True).out
    r = kube("label", "pod", "web", "app=web", "--overwrite")
    assert (r.code, r.out, r.err) == (0, "pod/web not labeled\n", "")
    assert kube("get", "pod", "web", "-o", "jsonpath={.metadata.resourceVersion}").out == rv0


@pytest.mark.parametrize("labels,engine_built", [({"app": "web"}, False), ({"app": "api"}, True)],
                         ids=["same-value", "new-value"])
def test_local_client_runs_the_engine_only_after_a_change(web, labels, engine_built):
    from pykubectl.client.local import LocalClient
    cluster, _, kind = web
    cluster._engine = None   # as in a fresh command
    LocalClient(cluster).patch(kind, "default", "web", "merge", {"metadata": {"labels": labels}})
    assert (cluster._engine is not None) == engine_built
