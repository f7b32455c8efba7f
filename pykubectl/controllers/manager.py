"""The reconcile engine: the control plane's controllers, run after each command.

The change log is the work queue: every write appends a change, and the engine consumes changes
past the `reconciled` mark, handing each changed key to the controllers that watch its resource.
Timers (a probe due, a grace period ending, a backoff expiring) live in the store too. One engine
step runs in one write transaction that also moves the mark, so a crash loses nothing and two
processes never reconcile the same change twice; the next command resumes the work.

A controller is a pure decider: `reconcile(key, view, now) -> [actions]`. Only visible transitions
are scheduled as timers; steady periodic work is computed in closed form by the controllers.
A command that changes nothing and finds no timer due does no controller work at all.
"""
from __future__ import annotations

import time

from pykubectl.api import errors

# -- actions --------------------------------------------------------------------------
# Plain classes rather than dataclasses: importing dataclasses pulls in inspect (~15 ms), paid by
# every write that reaches the engine.


class _Action:
    __slots__ = ()

    def __eq__(self, other):
        return type(other) is type(self) and all(
            getattr(self, f) == getattr(other, f) for f in self.__slots__)

    def __repr__(self):
        args = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__slots__)
        return f"{type(self).__name__}({args})"


class Put(_Action):
    """Create or update an object (status=True: through the status subresource)."""
    __slots__ = ("resource", "obj", "status")

    def __init__(self, resource: str, obj: dict, status: bool = False):
        self.resource = resource  # group-qualified plural: "pods", "deployments.apps"
        self.obj = obj
        self.status = status


class Create(_Action):
    __slots__ = ("resource", "obj")

    def __init__(self, resource: str, obj: dict):
        self.resource = resource
        self.obj = obj


class Delete(_Action):
    __slots__ = ("resource", "namespace", "name", "grace_period", "propagation", "uid")

    def __init__(self, resource: str, namespace: str, name: str, grace_period: int | None = None,
                 propagation: str | None = None, uid: str | None = None):
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.grace_period = grace_period
        self.propagation = propagation
        self.uid = uid  # only if it is still this object


class Timer(_Action):
    """Wake this controller for key at cluster time `at`."""
    __slots__ = ("key", "at")

    def __init__(self, key: str, at: float):
        self.key = key
        self.at = at


class Event(_Action):
    """An Event about an object, folded into an existing one as kubelet's recorder does."""
    __slots__ = ("involved", "type", "reason", "message", "source", "field_path", "at")

    def __init__(self, involved: dict, type: str, reason: str, message: str, source: dict | None = None,
                 field_path: str = "", at: float | None = None):
        self.involved = involved  # the object
        self.type = type          # Normal | Warning
        self.reason = reason
        self.message = message
        self.source = {} if source is None else source  # {"component": "kubelet", "host": "worker-1"}
        self.field_path = field_path
        self.at = at              # defaults to the step's now


class View:
    """Read access to the cluster for deciders, inside the engine's transaction."""

    def __init__(self, txn, server):
        self.txn = txn
        self.server = server

    def kind(self, resource: str):
        return self.server.resolve(resource)

    def get(self, resource: str, ns: str, name: str) -> dict | None:
        k = self.kind(resource)
        return self.txn.get(k.group, k.plural, ns if k.namespaced else "", name)

    def list(self, resource: str, ns: str | None = None, *, index=None, labels_eq=None,
             without=None) -> list[dict]:
        k = self.kind(resource)
        return self.txn.list(k.group, k.plural, ns if k.namespaced else None,
                             index=index, labels_eq=labels_eq, without=without)


    def names(self, resource: str, index: tuple[str, str], limit: int | None = None) -> list[tuple[str, str]]:
        """(namespace, name) of the objects with an index entry, unread and in no order."""
        k = self.kind(resource)
        return self.txn.names(k.group, k.plural, index, limit)


class Informer:
    """Every object of one resource, decoded once and kept across engine steps within the
    process, brought up to date from the change log (client-go's informer cache): a controller
    that looks at every node on every change then decodes what changed, not every object.
    The objects are shared: callers must not change them (copy first, as with an informer).
    Relists when the log cannot say: compacted past the kept revision, that revision's own
    change row differs (a rolled-back transaction's revision reused), or too many changes."""

    SYNC_LIMIT = 2000

    def __init__(self, group: str, res: str, index=None, indexed_only: bool = False):
        self.group, self.res = group, res
        self._index = index      # obj -> an index value (or None), e.g. its controller's uid
        # keep only objects with an index value (list() then answers only `by`): a controller
        # that wants the pods of its own kind need not hold every pod
        self._indexed_only = indexed_only
        self._rev = None         # (revision, its change row) the objects are as of
        self._objs: dict = {}    # (ns, name) -> obj
        self._by: dict = {}      # index value -> {(ns, name): obj}

    def _sync(self, txn) -> None:
        rev = txn.revision()
        kept = self._rev
        if kept is not None and kept[1] is not None and rev >= kept[0] >= txn.compacted() \
                and (not kept[0] or txn.changes_since(kept[0] - 1, 1)[:1] == [kept[1]]):
            if rev > kept[0]:
                changes = txn.changes_since(kept[0], self.SYNC_LIMIT, self.group, self.res)
                if len(changes) >= self.SYNC_LIMIT:
                    kept = None
                else:
                    for _, type_, _, _, ns, name, obj in changes:
                        self._drop((ns, name))
                        if type_ != "DELETED":
                            self._add((ns, name), obj)
        else:
            kept = None
        if kept is None:
            self._objs, self._by = {}, {}
            for o in txn.list(self.group, self.res):
                self._add((o["metadata"].get("namespace") or "", o["metadata"]["name"]), o)
        row = txn.changes_since(rev - 1, 1)[:1] if rev else [(0,)]   # revision 0: nothing to rewrite
        self._rev = (rev, row[0] if row and row[0][0] == rev else None)

    def feed(self, changes: list) -> None:
        """Take the engine's batch of changes (the watch an informer has): kept objects stay
        current without reading the log again, and do not fall behind its compaction when many
        other changes pass between two of this controller's reconciles."""
        todo = fresh_changes(self._rev, changes)
        if todo is None:
            return
        for _, type_, grp, res, ns, name, obj in todo:
            if grp == self.group and res == self.res:
                self._drop((ns, name))
                if type_ != "DELETED":
                    self._add((ns, name), obj)
        if todo:
            self._rev = (todo[-1][0], todo[-1])

    def _add(self, k, obj) -> None:
        v = self._index(obj) if self._index is not None else None
        if v is None and self._indexed_only:
            return
        self._objs[k] = obj
        if v is not None:
            self._by.setdefault(v, {})[k] = obj

    def _drop(self, k) -> None:
        old = self._objs.pop(k, None)
        if old is not None and self._index is not None:
            v = self._index(old)
            if v is not None:
                self._by.get(v, {}).pop(k, None)

    def list(self, view, by=None) -> list[dict]:
        """The objects in listing order (namespace, name); with `by`, those whose index value it is."""
        txn = getattr(view, "txn", None)
        if txn is None or not hasattr(txn, "changes_since"):
            objs = view.list(self.res if not self.group else f"{self.res}.{self.group}")
            return objs if by is None else [o for o in objs if self._index(o) == by]
        self._sync(txn)
        if by is None and self._indexed_only:
            raise ValueError("an indexed_only informer lists by index value")
        objs = self._objs if by is None else self._by.get(by, {})
        return [objs[k] for k in sorted(objs)]


def fresh_changes(kept, changes: list) -> list | None:
    """Of an engine batch (committed changes in revision order), those after a cache's kept
    (revision, change row): None when the batch does not join up with it (a gap, or the kept
    revision's row differs: a rolled-back transaction's revision reused), left to the cache's
    own sync from the log. Revisions are contiguous: each has exactly one change row."""
    if kept is None or kept[1] is None or not changes:
        return None
    rev, first, last = kept[0], changes[0][0], changes[-1][0]
    if rev < first - 1:
        return None
    if rev >= first:
        if rev > last:
            return []
        if changes[rev - first] != kept[1]:
            return None
    return changes[rev - first + 1:]


def make_key(group: str, res: str, ns: str, name: str) -> str:
    return f"{group}|{res}|{ns}|{name}"


def split_key(key: str) -> tuple[str, str, str, str]:
    g, r, n, name = key.split("|", 3)
    return g, r, n, name


class Controller:
    """Base: watch some resources; by default a change enqueues the changed object's key."""
    name = "controller"
    watches: tuple[tuple[str, str], ...] = ()

    def keys_for(self, type_: str, group: str, res: str, obj: dict) -> list[str]:
        m = obj.get("metadata") or {}
        return [make_key(group, res, m.get("namespace") or "", m.get("name"))]

    def reconcile(self, key: str, view: View, now: float) -> list:
        return []

    def observe(self, changes: list) -> None:
        """Every batch of changes the engine reads, before any reconcile (for caches)."""


def all_controllers(cluster=None) -> list[Controller]:
    from pykubectl.controllers import registry
    return registry.controllers(cluster)


class Engine:
    """Runs controllers until nothing changes or the per-command budget is spent."""

    def __init__(self, cluster, controllers=None, budget_seconds: float = 5.0, batch: int = 200):
        self.cluster = cluster
        self.server = cluster.apiserver
        self._controllers = controllers
        self._registry = None
        self.budget = budget_seconds
        self.batch = batch

    @property
    def controllers(self):
        if self._controllers is None:
            self._controllers = self._lazy().all()
        return self._controllers

    @property
    def observers(self):
        """The controllers that keep caches fed from the change batches (those built so far)."""
        built = self._controllers if self._controllers is not None else self._lazy().built()
        return [c for c in built if type(c).observe is not Controller.observe]

    def _lazy(self):
        if self._registry is None:
            from pykubectl.controllers.registry import Lazy
            self._registry = Lazy(self.cluster)
        return self._registry

    def _for_work(self, changes, due) -> list:
        """The controllers a batch concerns; only their modules are imported (registry.Lazy)."""
        if self._controllers is not None:   # given (tests) or asked for in full
            return self._controllers
        return self._lazy().for_work({(c[2], c[3]) for c in changes}, {d[0] for d in due}, changes)

    def run(self, now: float | None = None) -> int:
        """Reconcile until quiet; returns the number of steps that did work."""
        store = self.cluster.store
        deadline = time.monotonic() + self.budget
        steps = 0
        while time.monotonic() < deadline:
            t_now = self.cluster.clock.now() if now is None else now
            if not store.pending_work(t_now):
                break
            if not self._step(t_now):
                break
            steps += 1
        return steps

    def _step(self, now: float) -> bool:
        store = self.cluster.store
        with store.write() as t:
            mark = int(t.get_meta("reconciled", "0"))
            changes = t.changes_since(mark, self.batch)
            due = t.due_timers(now)
            if not changes and not due:
                return False
            controllers = self._for_work(changes, due)
            by_res: dict[tuple[str, str], list[Controller]] = {}
            for c in controllers:
                for gr in c.watches:
                    by_res.setdefault(tuple(gr), []).append(c)
            if changes:
                for c in self.observers:
                    c.observe(changes)
            work: dict[tuple[str, str], None] = {}
            for rev, type_, grp, res, ns, name, obj in changes:
                for c in by_res.get((grp, res), []) + by_res.get(("*", "*"), []):
                    for key in c.keys_for(type_, grp, res, obj):
                        work[(c.name, key)] = None
            for cname, key, _due in due:
                t.clear_timer(cname, key)
                work[(cname, key)] = None
            names = {c.name: c for c in controllers}
            view = View(t, self.server)
            for cname, key in work:
                c = names.get(cname)
                if c is None:
                    continue
                for action in c.reconcile(key, view, now) or ():
                    self.apply(t, c, action, now)
            if changes:
                t.set_meta("reconciled", changes[-1][0])
            t.compact()
        return True

    # -- applying actions ---------------------------------------------------------------
    def apply(self, t, controller: Controller, action, now: float) -> None:
        srv = self.server
        try:
            if isinstance(action, Timer):
                t.set_timer(controller.name, action.key, action.at)
            elif isinstance(action, Put):
                srv.write_object(t, srv.resolve(action.resource), action.obj, status=action.status,
                                 manager=getattr(controller, "manager", "kube-controller-manager"))
            elif isinstance(action, Create):
                srv.create_in(t, srv.resolve(action.resource), action.obj,
                              manager=getattr(controller, "manager", "kube-controller-manager"))
            elif isinstance(action, Delete):
                kind = srv.resolve(action.resource)
                cur = t.get(kind.group, kind.plural, action.namespace if kind.namespaced else "", action.name)
                if cur is not None and (action.uid is None or cur["metadata"].get("uid") == action.uid):
                    srv.remove_object(t, kind, cur, action.grace_period, action.propagation, owned=True)
            elif isinstance(action, Event):
                from pykubectl.controllers.events import record
                record(srv, t, action, now if action.at is None else action.at)
        except errors.StatusError:
            # a controller lost a race (conflict, already exists, gone): it will be re-queued by
            # the change that beat it, as client-go's workqueue retries
            pass
