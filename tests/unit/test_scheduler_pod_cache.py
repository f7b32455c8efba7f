"""The scheduler's pods kept across cycles within a process: after any sequence of writes (other
processes' included), a rollback, a compaction or a burst of changes, `all_pods` gives exactly
what listing the store gives, and a cycle decodes only the pods that changed."""
import pytest

from pykubectl.controllers.scheduler import Scheduler
from pykubectl.store.sqlite import Store


class TxnView:
    """The engine View's two parts the scheduler's pod cache uses."""

    def __init__(self, txn):
        self.txn = txn
        self.lists = 0

    def list(self, resource, ns=None, **_):
        assert resource == "pods"
        self.lists += 1
        return self.txn.list("", "pods", ns)


def pod(name, ns="default", node=None, label="x"):
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "uid": f"uid-{ns}-{name}", "labels": {"v": label}},
            "spec": spec, "status": {}}


def put(t, p, type_="MODIFIED"):
    t.put("", "pods", p, type_)


def delete(t, name, ns="default"):
    t.delete("", "pods", t.get("", "pods", ns, name))


def other(t, name):
    """A change to something else: moves the revision past the pods'."""
    t.put("", "nodes", {"metadata": {"name": name}}, "ADDED")


# each step runs in its own write transaction, then the cache is compared with a fresh list
STEPS = {
    "adds": [lambda t: [put(t, pod(f"p{i}"), "ADDED") for i in range(5)]],
    "modify-bind-and-relabel": [lambda t: [put(t, pod(f"p{i}"), "ADDED") for i in range(3)],
                                lambda t: put(t, pod("p1", node="n1")),
                                lambda t: put(t, pod("p2", label="y"))],
    "deletes": [lambda t: [put(t, pod(f"p{i}"), "ADDED") for i in range(4)],
                lambda t: delete(t, "p0"), lambda t: delete(t, "p3")],
    "namespaces-sort-as-listed": [lambda t: [put(t, pod(n, ns), "ADDED") for ns in ("zz", "a", "default")
                                             for n in ("b", "a", "B")]],
    "other-kinds-only": [lambda t: put(t, pod("p0"), "ADDED"), lambda t: other(t, "n1"), lambda t: other(t, "n2")],
    "delete-then-recreate": [lambda t: put(t, pod("p0"), "ADDED"), lambda t: delete(t, "p0"),
                             lambda t: put(t, pod("p0", label="again"), "ADDED")],
}


@pytest.mark.parametrize("steps", list(STEPS.values()), ids=list(STEPS))
def test_cached_pods_equal_a_fresh_list(tmp_path, steps):
    store = Store(str(tmp_path / "state.db"))
    sched = Scheduler()
    with store.write() as t:
        assert sched.all_pods(TxnView(t)) == []
    for step in steps:
        with store.write() as t:
            step(t)
        with store.write() as t:
            view = TxnView(t)
            got = sched.all_pods(view)
            assert got == t.list("", "pods")
            assert view.lists == 0   # brought up to date from the change log, nothing relisted


def test_a_rolled_back_revision_reused_is_noticed(tmp_path):
    store = Store(str(tmp_path / "state.db"))
    sched = Scheduler()
    with store.write() as t:
        put(t, pod("p0"), "ADDED")
    with pytest.raises(RuntimeError):
        with store.write() as t:
            put(t, pod("ghost"), "ADDED")
            assert [p["metadata"]["name"] for p in sched.all_pods(TxnView(t))] == ["ghost", "p0"]
            raise RuntimeError("the engine's step failed")
    with store.write() as t:
        put(t, pod("real"), "ADDED")   # takes the ghost's revision
    with store.write() as t:
        view = TxnView(t)
        assert [p["metadata"]["name"] for p in sched.all_pods(view)] == ["p0", "real"]
        assert view.lists == 1


@pytest.mark.parametrize("case", ["compacted-past-the-cache", "more-changes-than-the-sync-limit"])
def test_relists_when_the_log_cannot_say(tmp_path, case):
    store = Store(str(tmp_path / "state.db"))
    sched = Scheduler()
    sched.SYNC_LIMIT = 5
    with store.write() as t:
        put(t, pod("p0"), "ADDED")
        sched.all_pods(TxnView(t))
    with store.write() as t:
        for i in range(1, 8):
            put(t, pod(f"p{i}"), "ADDED")
        if case == "compacted-past-the-cache":
            t.set_meta("reconciled", t.revision())
            t.compact(keep=0)
    with store.write() as t:
        view = TxnView(t)
        assert sched.all_pods(view) == t.list("", "pods")
        assert view.lists == 1


def test_the_bound_pod_written_by_a_cycle_leaves_the_cached_one_alone(tmp_path):
    """schedule() writes a copy: the pod kept across cycles is not stamped in place."""
    store = Store(str(tmp_path / "state.db"))
    node = {"metadata": {"name": "n1", "labels": {"kubernetes.io/hostname": "n1"}}, "spec": {},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}
    from pykubectl.controllers.scheduler import Snapshot
    sched = Scheduler()
    with store.write() as t:
        put(t, pod("p0"), "ADDED")
        cached = sched.all_pods(TxnView(t))[0]
        before = repr(cached)
        actions = sched.schedule(cached, Snapshot([node], []), 0.0)
        bound = next(a.obj for a in actions if getattr(a, "obj", {}).get("spec", {}).get("nodeName"))
        bound["metadata"]["resourceVersion"] = "999"   # what the write's stamp does
        assert repr(cached) == before


def sized(rv, cpu, port=None, uid="uid-a"):
    c = {"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}
    if port:
        c["ports"] = [{"containerPort": 80, "hostPort": port}]
    return {"metadata": {"name": "a", "namespace": "default", "uid": uid, "resourceVersion": rv},
            "spec": {"containers": [c], "nodeName": "n1"}, "status": {"phase": "Running"}}


# (id, pods placed in turn on one node, its requested cpu in millicores, host ports)
FOOTPRINTS = [
    ("same-version-twice", [sized("5", "100m"), sized("5", "100m", uid="uid-b")], 200, []),
    ("new-version-new-requests", [sized("5", "100m"), sized("6", "300m")], 400, []),
    ("no-version-computed-each-time", [sized(None, "250m"), sized(None, "500m", uid="uid-b")], 750, []),
    ("ports-kept-per-version", [sized("7", "100m", 8080)], 100, [("TCP", "0.0.0.0", 8080)]),
]


@pytest.mark.parametrize("pods,cpu,ports", [c[1:] for c in FOOTPRINTS], ids=[c[0] for c in FOOTPRINTS])
def test_node_usage_from_kept_footprints(pods, cpu, ports):
    from pykubectl.controllers.scheduler import NodeInfo
    info = NodeInfo({"metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "4"}}})
    for p in pods:
        info.add(p)
    assert (info.requested["cpu"], info.ports) == (cpu, ports)
    for p in pods:
        info.remove(p)
    assert (info.requested["cpu"], info.ports) == (0, [])


def node_obj(name, zone="z1"):
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "zone": zone}}, "spec": {},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}


def placed(name, node=None, cpu="100m", phase="Running", anti=False, port=None):
    p = sized("0", cpu, port, uid=f"uid-{name}")
    p["metadata"].update(name=name, labels={"app": "web"})
    del p["metadata"]["resourceVersion"]
    p["spec"].pop("nodeName")
    if node:
        p["spec"]["nodeName"] = node
    if anti:
        p["spec"]["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "zone", "labelSelector": {"matchLabels": {"app": "web"}}}]}}
    p["status"]["phase"] = phase
    return p


def view_of(info):
    uids = lambda ps: [p["metadata"]["uid"] for p in ps]   # noqa: E731
    return (uids(info.pods), uids(info.affinity_pods), uids(info.scoring_pods),
            {k: v for k, v in info.requested.items() if v}, {k: v for k, v in info.nonzero.items() if v},
            sorted(info.ports))


# each step in its own transaction; after each, the kept NodeInfos must equal a fresh placement
KEPT_STEPS = {
    "bind-move-finish-delete": [
        lambda t: [t.put("", "nodes", node_obj(n), "ADDED") for n in ("n1", "n2")],
        lambda t: [put(t, placed(f"p{i}", "n1" if i % 2 else "n2", cpu=f"{100 * (i + 1)}m"), "ADDED") for i in range(4)],
        lambda t: put(t, placed("q", None), "ADDED"),
        lambda t: put(t, placed("q", "n2", cpu="300m", port=8080)),
        lambda t: put(t, placed("p1", "n1", phase="Succeeded")),
        lambda t: delete(t, "p2"),
        lambda t: put(t, placed("a", "n1", anti=True), "ADDED"),
    ],
    "node-changed-rebuilds": [
        lambda t: [t.put("", "nodes", node_obj(n), "ADDED") for n in ("n1", "n2")],
        lambda t: put(t, placed("p0", "n1"), "ADDED"),
        lambda t: t.put("", "nodes", node_obj("n2", zone="z2"), "MODIFIED"),
        lambda t: put(t, placed("p1", "n2"), "ADDED"),
        lambda t: t.delete("", "nodes", t.get("", "nodes", "", "n1")),
        lambda t: put(t, placed("p2", "n1"), "ADDED"),   # bound to a node that is gone
        lambda t: t.put("", "nodes", node_obj("n1"), "ADDED"),   # and back: its pods with it
        lambda t: t.put("", "nodes", node_obj("n3"), "ADDED"),
    ],
}


@pytest.mark.parametrize("incremental", [False, True], ids=["rebuilt", "per-node"])
@pytest.mark.parametrize("steps", list(KEPT_STEPS.values()), ids=list(KEPT_STEPS))
def test_kept_node_infos_equal_a_fresh_placement(tmp_path, steps, incremental):
    from pykubectl.controllers.scheduler import Snapshot
    store = Store(str(tmp_path / "state.db"))
    sched = Scheduler()
    for step in steps:
        with store.write() as t:
            step(t)
        with store.write() as t:
            pods = sched.all_pods(TxnView(t))
            nodes = t.list("", "nodes")
            on = (lambda name: t.list("", "pods", index=("nodeName", name))) if incremental else None
            kept = sched.kept_nodes(nodes, pods, on)
            fresh, copied = Snapshot(nodes, pods), Snapshot(nodes, pods, kept=kept)
            assert [view_of(i) for i in copied.infos] == [view_of(i) for i in fresh.infos]
            assert copied.uids == fresh.uids


@pytest.mark.parametrize("case", ["compacted-past-the-cache", "more-changes-than-the-sync-limit"])
def test_engine_batches_keep_it_current_where_the_log_alone_could_not(tmp_path, case):
    """Fed the engine's change batches (observe), the cache needs no relist even when the log
    was compacted past it or more changes passed than a sync reads."""
    store = Store(str(tmp_path / "state.db"))
    sched = Scheduler()
    sched.SYNC_LIMIT = 5
    with store.write() as t:
        put(t, pod("p0"), "ADDED")
        sched.all_pods(TxnView(t))
        start = t.revision()
    with store.write() as t:
        for i in range(1, 8):
            put(t, pod(f"p{i}", node="n1" if i % 2 else None), "ADDED")
        delete(t, "p3")
        sched.observe(t.changes_since(start, 1000))
        if case == "compacted-past-the-cache":
            t.set_meta("reconciled", t.revision())
            t.compact(keep=1)
    with store.write() as t:
        view = TxnView(t)
        assert sched.all_pods(view) == t.list("", "pods")
        assert view.lists == 0
