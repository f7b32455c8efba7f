"""The SQLite store: revisions as resourceVersions, the change log, indexes, timers, modes."""
import contextlib
import os
import stat

import pytest

from pykubectl.store.sqlite import Store


def pod(name, ns="default", labels=None, node=None):
    o = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns}}
    if labels:
        o["metadata"]["labels"] = labels
    if node:
        o["spec"] = {"nodeName": node}
    return o


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "state.db"))
    yield s
    s.close()


def test_file_is_private(store, tmp_path):
    store.db
    mode = stat.S_IMODE(os.stat(tmp_path / "state.db").st_mode)
    assert mode == 0o600


def test_each_write_takes_the_next_revision(store):
    with store.write() as t:
        a = t.put("", "pods", pod("a"), "ADDED")
        b = t.put("", "pods", pod("b"), "ADDED")
    assert (a["metadata"]["resourceVersion"], b["metadata"]["resourceVersion"]) == ("1", "2")
    with store.read() as t:
        assert t.revision() == 2
        assert t.get("", "pods", "default", "a")["metadata"]["resourceVersion"] == "1"


def test_rollback_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.write() as t:
            t.put("", "pods", pod("a"), "ADDED")
            raise RuntimeError("boom")
    with store.read() as t:
        assert t.get("", "pods", "default", "a") is None
        assert t.revision() == 0


def test_change_log_records_types_in_order(store):
    with store.write() as t:
        t.put("", "pods", pod("a"), "ADDED")
        t.put("", "pods", pod("a"), "MODIFIED")
        t.delete("", "pods", pod("a"))
    with store.read() as t:
        ch = t.changes_since(0)
    assert [(c[0], c[1], c[5]) for c in ch] == [(1, "ADDED", "a"), (2, "MODIFIED", "a"), (3, "DELETED", "a")]


@pytest.mark.parametrize("labels_eq,index,ns,expected", [
    ({"app": "web"}, None, None, ["a", "c"]),
    ({"app": "web", "tier": "fe"}, None, None, ["a"]),
    (None, ("nodeName", "worker-1"), None, ["a", "b"]),
    ({"app": "web"}, None, "other", ["c"]),
    (None, None, "default", ["a", "b"]),
], ids=["one-label", "two-labels", "node-index", "label-in-namespace", "namespace"])
def test_list_narrows_by_index(store, labels_eq, index, ns, expected):
    with store.write() as t:
        t.put("", "pods", pod("a", labels={"app": "web", "tier": "fe"}, node="worker-1"), "ADDED")
        t.put("", "pods", pod("b", labels={"app": "db"}, node="worker-1"), "ADDED")
        t.put("", "pods", pod("c", ns="other", labels={"app": "web"}), "ADDED")
    with store.read() as t:
        got = [o["metadata"]["name"] for o in t.list("", "pods", ns, index=index, labels_eq=labels_eq)]
    assert got == expected


def test_compaction_keeps_unreconciled_changes(store):
    with store.write() as t:
        for i in range(20):
            t.put("", "pods", pod(f"p{i}"), "ADDED")
        t.set_meta("reconciled", 5)
        t.compact(keep=3)
        assert t.compacted() == 5
        assert t.changes_since(0)[0][0] == 6


def test_timers_fire_in_due_order_and_only_move_earlier(store):
    with store.write() as t:
        t.set_timer("kubelet", "k1", 50.0)
        t.set_timer("kubelet", "k1", 80.0)   # later: ignored
        t.set_timer("kubelet", "k2", 10.0)
        assert t.due_timers(40.0) == [("kubelet", "k2", 10.0)]
        assert t.due_timers(60.0) == [("kubelet", "k2", 10.0), ("kubelet", "k1", 50.0)]
    assert store.pending_work(5.0) is False
    assert store.pending_work(10.0) is True


def test_dependents_found_by_owner_uid(store):
    child = pod("c")
    child["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "rs", "uid": "u-1"}]
    with store.write() as t:
        t.put("", "pods", child, "ADDED")
        assert t.dependents("u-1") == [("", "pods", "default", "c")]


@pytest.mark.parametrize("writes,rollback,expected", [
    (1, False, 1), (3, False, 3), (2, True, 0),
], ids=["one-write", "three-writes", "rolled-back"])
def test_the_revision_seen_inside_and_after_a_write_transaction(store, writes, rollback, expected):
    seen = []
    with pytest.raises(RuntimeError) if rollback else contextlib.nullcontext():
        with store.write() as t:
            for i in range(writes):
                t.put("", "pods", pod(f"p{i}"), "ADDED")
                with store.read() as nested:      # a nested read shares the transaction
                    seen.append((t.revision(), nested.revision()))
            if rollback:
                raise RuntimeError("abort")
    assert seen == [(i + 1, i + 1) for i in range(writes)]
    with store.read() as t:
        assert t.revision() == expected
    with store.write() as t:
        assert t.put("", "pods", pod("next"), "ADDED")["metadata"]["resourceVersion"] == str(expected + 1)


def _unbound(store):
    with store.read() as t:
        return [p["metadata"]["name"] for p in t.list("", "pods", index=("unbound", "true"))]


def test_unbound_pods_are_indexed_until_bound(store):
    with store.write() as t:
        t.put("", "pods", pod("waiting"), "ADDED")
        t.put("", "pods", pod("placed", node="worker-1"), "ADDED")
        t.put("", "pods", pod("later"), "ADDED")
    assert _unbound(store) == ["later", "waiting"]
    with store.write() as t:
        t.put("", "pods", pod("later", node="worker-2"), "MODIFIED")
        t.delete("", "pods", pod("waiting"))
    assert _unbound(store) == []


@pytest.mark.parametrize("old_version", ["1", "2", None], ids=["schema-1", "schema-2", "no-schema-row"])
def test_a_store_from_an_older_version_is_migrated_on_open(tmp_path, old_version):
    path = str(tmp_path / "state.db")
    s = Store(path)
    with s.write() as t:
        t.put("", "pods", pod("waiting"), "ADDED")
        t.put("", "pods", pod("placed", node="worker-1"), "ADDED")
    # what a version-1 store holds: no unbound entries
    if old_version != "2":
        s.db.execute("DELETE FROM idx WHERE k='unbound'")
    s.db.execute("DROP INDEX idx_entry")
    if old_version is None:
        s.db.execute("DELETE FROM meta WHERE key='schema'")
    else:
        s.db.execute("UPDATE meta SET value=? WHERE key='schema'", (old_version,))
    s.close()
    s = Store(path)
    try:
        assert _unbound(s) == ["waiting"]
        assert s.meta("schema") == "3"
        # the garbage collector's owner lookup is served by an index, not a scan of the table
        plan = s.db.execute("EXPLAIN QUERY PLAN SELECT grp, res, ns, name FROM idx WHERE k='owner' AND v='u'").fetchall()
        assert "USING INDEX idx_entry" in " ".join(str(r[-1]) for r in plan)
    finally:
        s.close()
    s = Store(path)   # a second open finds nothing to migrate
    try:
        assert _unbound(s) == ["waiting"]
    finally:
        s.close()
