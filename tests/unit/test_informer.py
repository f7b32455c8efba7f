"""The engine's Informer: objects of one resource kept across steps and brought up to date from
the change log must always equal a fresh listing, through creates, updates that move an object
between index values, deletes, a rolled-back transaction that reuses revisions, and compaction
past the kept revision."""

import pytest

from pykubectl.controllers.manager import Informer, View


def pod(name, owner=None, ns="default"):
    meta = {"name": name, "namespace": ns}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": owner,
                                    "uid": owner + "-uid", "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": [{"name": "c", "image": "x"}]}}


def owner_uid(p):
    for r in p["metadata"].get("ownerReferences") or ():
        if r.get("controller"):
            return r["uid"]
    return None


def put(t, p, type_="ADDED"):
    t.put("", "pods", p, type_)


def create_two(t):
    put(t, pod("a", "ds1"))
    put(t, pod("b", "ds2"))


def move_a_to_ds2(t):
    put(t, pod("a", "ds2"), "MODIFIED")


def delete_b(t):
    t.delete("", "pods", t.get("", "pods", "default", "b"))


def other_namespace(t):
    put(t, pod("c", "ds1", ns="kube-public"))


def names(objs):
    return [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objs]


@pytest.mark.parametrize("writes", [
    [create_two],
    [create_two, move_a_to_ds2],
    [create_two, delete_b],
    [create_two, other_namespace, move_a_to_ds2, delete_b],
], ids=["create", "update-moves-index", "delete", "mixed"])
def test_kept_objects_equal_a_fresh_listing(cluster, writes):
    inf = Informer("", "pods", index=owner_uid)
    store = cluster.store
    for w in [lambda t: None] + writes:
        with store.write() as t:
            w(t)
            view = View(t, cluster.apiserver)
            assert inf.list(view) == t.list("", "pods")
            for uid in ("ds1-uid", "ds2-uid"):
                assert names(inf.list(view, by=uid)) == names(o for o in t.list("", "pods") if owner_uid(o) == uid)


def test_rolled_back_revisions_are_not_trusted(cluster):
    inf = Informer("", "pods", index=owner_uid)
    store = cluster.store
    with pytest.raises(RuntimeError):
        with store.write() as t:
            put(t, pod("ghost", "ds1"))
            assert "ghost" in [n for _, n in names(inf.list(View(t, cluster.apiserver), by="ds1-uid"))]
            raise RuntimeError("rolled back")
    with store.write() as t:
        put(t, pod("real", "ds2"))   # reuses the rolled-back revision
        view = View(t, cluster.apiserver)
        assert inf.list(view) == t.list("", "pods")
        assert inf.list(view, by="ds1-uid") == []


def test_compaction_past_the_kept_revision_relists(cluster):
    inf = Informer("", "pods", index=owner_uid)
    store = cluster.store
    with store.write() as t:
        inf.list(View(t, cluster.apiserver))
    with store.write() as t:
        put(t, pod("late", "ds1"))
        t.set_meta("reconciled", t.revision())
        t.compact(keep=0)
        assert t.compacted() == t.revision()
        assert names(inf.list(View(t, cluster.apiserver), by="ds1-uid")) == [("default", "late")]


class _ForeignView:
    """A view that is not the engine's (no change log): the informer lists through it."""

    def __init__(self, pods):
        self.pods = pods

    def list(self, resource, ns=None, **kw):
        assert resource == "pods"
        return list(self.pods)


def test_a_view_without_a_change_log_is_listed():
    inf = Informer("", "pods", index=owner_uid)
    pods = [pod("a", "ds1"), pod("b", "ds2")]
    assert inf.list(_ForeignView(pods), by="ds2-uid") == [pods[1]]


def test_indexed_only_keeps_just_the_indexed_objects(cluster):
    inf = Informer("", "pods", index=lambda p: owner_uid(p) if owner_uid(p) == "ds1-uid" else None,
                   indexed_only=True)
    with cluster.store.write() as t:
        create_two(t)
        put(t, pod("plain"))
        view = View(t, cluster.apiserver)
        assert names(inf.list(view, by="ds1-uid")) == [("default", "a")]
        assert inf.list(view, by="ds2-uid") == []
        assert len(inf._objs) == 1
        with pytest.raises(ValueError):
            inf.list(view)
        move_a_to_ds2(t)
        assert inf.list(view, by="ds1-uid") == [] and inf._objs == {}


def _batch(t, since):
    return t.changes_since(since, 100000)


def test_engine_batches_keep_it_current_past_compaction_without_a_relist(cluster, monkeypatch):
    from pykubectl.store import sqlite
    inf = Informer("", "pods", index=owner_uid)
    store = cluster.store
    with store.write() as t:
        inf.list(View(t, cluster.apiserver))
        start = t.revision()
    with store.write() as t:
        create_two(t)
        other_namespace(t)
        move_a_to_ds2(t)
        delete_b(t)
        inf.feed(_batch(t, start))   # what the engine hands its observers
        t.set_meta("reconciled", t.revision())
        t.compact(keep=1)            # the log no longer holds what the informer missed
    relists = []
    real = sqlite.Txn.list
    monkeypatch.setattr(sqlite.Txn, "list", lambda self, g, r, *a, **k: relists.append(r) or real(self, g, r, *a, **k))
    with store.write() as t:
        got = inf.list(View(t, cluster.apiserver))
        assert relists == []
        assert got == real(t, "", "pods")
        assert names(inf.list(View(t, cluster.apiserver), by="ds2-uid")) == [("default", "a")]
    assert relists == []


def test_a_batch_that_does_not_join_up_is_ignored(cluster):
    inf = Informer("", "pods", index=owner_uid)
    store = cluster.store
    with store.write() as t:
        inf.list(View(t, cluster.apiserver))
        start = t.revision()
    with store.write() as t:
        create_two(t)
        mid = t.revision()
        other_namespace(t)
        inf.feed(_batch(t, mid))     # starts after a change the informer never saw
        assert inf._rev[0] == start
        view = View(t, cluster.apiserver)
        assert inf.list(view) == t.list("", "pods")


def test_a_batch_reusing_a_rolled_back_revision_is_not_trusted(cluster):
    inf = Informer("", "pods", index=owner_uid)
    store = cluster.store
    with store.write() as t:
        start = t.revision()
    with pytest.raises(RuntimeError):
        with store.write() as t:
            put(t, pod("ghost", "ds1"))
            inf.list(View(t, cluster.apiserver))
            raise RuntimeError("rolled back")
    with store.write() as t:
        put(t, pod("real", "ds2"))   # reuses the ghost's revision
        inf.feed(_batch(t, start))
        view = View(t, cluster.apiserver)
        assert inf.list(view) == t.list("", "pods")
        assert inf.list(view, by="ds1-uid") == []
