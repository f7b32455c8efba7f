"""The store: one SQLite database per cluster, as k3s keeps its state behind kine.

Objects are JSON rows keyed by (group, resource, namespace, name). A global revision (etcd-like)
becomes every object's resourceVersion. Each write appends to a change log that watches read and
that the reconcile engine consumes; the log is compacted, and a watch from a compacted revision
gets 410 Gone. Index tables serve what controllers and selectors query (labels, nodeName, owner).

Concurrency: `isolation_level=None` (we issue BEGIN ourselves), WAL, a generous busy timeout, and
every write transaction opened with BEGIN IMMEDIATE so it never has to upgrade a read lock (the
source of `database is locked` under concurrent writers). No read transaction is held open.
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager

# 2: unbound pods carry an ("unbound", "true") index entry, so the scheduler's check for pods
# waiting on room reads those, not every pod
# 3: the index table is also indexed by entry alone (k, v): the garbage collector's "who names
# this uid as owner?" asks across every resource, and scanned the whole table (12 ms a lookup at
# 10,000 pods, one per deleted object)
SCHEMA_VERSION = 3

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects(
    grp TEXT NOT NULL, res TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL,
    rev INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY(grp, res, ns, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx(
    grp TEXT NOT NULL, res TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL,
    k TEXT NOT NULL, v TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_kv ON idx(grp, res, k, v);
CREATE INDEX IF NOT EXISTS idx_obj ON idx(grp, res, ns, name);
CREATE INDEX IF NOT EXISTS idx_entry ON idx(k, v);
CREATE TABLE IF NOT EXISTS changes(
    rev INTEGER PRIMARY KEY, type TEXT NOT NULL,
    grp TEXT NOT NULL, res TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS timers(
    controller TEXT NOT NULL, key TEXT NOT NULL, due REAL NOT NULL,
    PRIMARY KEY(controller, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS timers_due ON timers(due);
"""

# how many changes the log keeps behind the oldest unreconciled one (etcd's compaction window)
KEEP_CHANGES = 5000


def fold_key(uid: str, reason, message) -> str:
    """An Event's involved object, reason and the start of its message: the recorder's lookup."""
    return f"{uid}|{reason or ''}|{(message or '')[:64]}"


def index_entries(res: str, obj: dict) -> list[tuple[str, str]]:
    """What the index tables hold for an object: labels, owners, and per-kind fields."""
    meta = obj.get("metadata") or {}
    out = [("l:" + k, str(v)) for k, v in (meta.get("labels") or {}).items()]
    for ref in meta.get("ownerReferences") or ():
        if ref.get("uid"):
            out.append(("owner", ref["uid"]))
            if ref.get("controller"):
                out.append(("controller", ref["uid"]))
    if res == "events":
        inv = obj.get("involvedObject") or {}
        if inv.get("uid"):
            out.append(("involved", inv["uid"]))
            # what the recorder folds a repeat into (events.py): not every event of the object
            out.append(("fold", fold_key(inv["uid"], obj.get("reason"), obj.get("message"))))
        last = obj.get("lastTimestamp")
        if isinstance(last, str) and len(last) >= 16:
            out.append(("lease", last[:16]))   # the lease window it expires with (events.py)
    if res == "pods":
        node = (obj.get("spec") or {}).get("nodeName")
        out.append(("nodeName", node) if node else ("unbound", "true"))
    return out


def _schema_version(db: sqlite3.Connection) -> int | None:
    """The store's layout version; None when the database has no tables yet."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    except sqlite3.OperationalError:
        return None
    return int(row[0]) if row else 1


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a store written by an older pykubectl to SCHEMA_VERSION (once; concurrent openers
    queue on the write lock and the second finds nothing to do)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if _schema_version(db) < 2:
            rows = db.execute("SELECT ns, name, data FROM objects WHERE grp='' AND res='pods'").fetchall()
            db.executemany("INSERT INTO idx VALUES('', 'pods', ?, ?, 'unbound', 'true')",
                           [(ns, name) for ns, name, data in rows
                            if not (json.loads(data).get("spec") or {}).get("nodeName")])
        if _schema_version(db) < 3:
            db.execute("CREATE INDEX IF NOT EXISTS idx_entry ON idx(k, v)")
        db.execute("INSERT OR REPLACE INTO meta VALUES('schema', ?)", (str(SCHEMA_VERSION),))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Store:
    """A cluster's database. Cheap to open; the connection is made on first use."""

    def __init__(self, path: str):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._data_version = None

    # -- connection -----------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            new = not os.path.exists(self.path)
            if new:
                # create 0600 before SQLite does, so the file never exists with looser bits
                fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
                os.close(fd)
            db = sqlite3.connect(self.path, isolation_level=None, timeout=60.0,
                                 check_same_thread=False)
            db.execute("PRAGMA busy_timeout=60000")
            if new or db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = None if new else _schema_version(db)
            if version is not None and version < SCHEMA_VERSION:
                _migrate(db)
            if version is None:
                db.execute("BEGIN IMMEDIATE")
                for stmt in _DDL.strip().split(";"):
                    if stmt.strip():
                        db.execute(stmt)
                db.execute("INSERT OR IGNORE INTO meta VALUES('revision', '0')")
                db.execute("INSERT OR IGNORE INTO meta VALUES('reconciled', '0')")
                db.execute("INSERT OR IGNORE INTO meta VALUES('compacted', '0')")
                db.execute("INSERT OR IGNORE INTO meta VALUES('schema', ?)", (str(SCHEMA_VERSION),))
                db.execute("COMMIT")
            for suffix in ("-wal", "-shm"):
                p = self.path + suffix
                if os.path.exists(p):
                    try:
                        os.chmod(p, 0o600)
                    except OSError:
                        pass
            self._db = db
        return self._db

    def close(self):
        if self._db is not None:
            self._db.close()
            self._db = None

    def data_version(self) -> int:
        """Changes whenever another connection commits (PRAGMA data_version)."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    # -- transactions ---------------------------------------------------------------
    @contextmanager
    def write(self):
        """A write transaction: BEGIN IMMEDIATE, so concurrent writers queue instead of failing."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        txn = Txn(db)
        try:
            yield txn
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")

    @contextmanager
    def read(self):
        """A short read snapshot (a list and its revision agree)."""
        db = self.db
        if db.in_transaction:
            # inside the engine's write transaction: read what it sees
            yield Txn(db)
            return
        db.execute("BEGIN")
        try:
            yield Txn(db)
        finally:
            db.execute("COMMIT")

    def meta(self, key: str, default=None):
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def pending_work(self, now: float) -> bool:
        """True when the reconcile engine has something to do: unreconciled changes or a timer due."""
        row = self.db.execute(
            "SELECT (SELECT value FROM meta WHERE key='revision'),"
            " (SELECT value FROM meta WHERE key='reconciled'),"
            " (SELECT MIN(due) FROM timers)").fetchone()
        rev, rec, due = int(row[0]), int(row[1]), row[2]
        return rev > rec or (due is not None and due <= now)

    def next_timer(self) -> float | None:
        row = self.db.execute("SELECT MIN(due) FROM timers").fetchone()
        return row[0]


class Txn:
    """Operations inside one transaction. Objects are plain dicts."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        # the revision as this transaction last read or wrote it: a write transaction holds the
        # lock, so only it moves the revision (written through, for nested reads), and every
        # write would otherwise read it back first
        self._rev: int | None = None

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str, default=None):
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (key, str(value)))
        if key == "revision":
            self._rev = int(value)

    def revision(self) -> int:
        if self._rev is None:
            self._rev = int(self.get_meta("revision", "0"))
        return self._rev

    def _next_rev(self) -> int:
        rev = self.revision() + 1
        self.set_meta("revision", rev)
        return rev

    # -- reads ------------------------------------------------------------------------
    def get(self, grp: str, res: str, ns: str, name: str) -> dict | None:
        row = self.db.execute("SELECT data FROM objects WHERE grp=? AND res=? AND ns=? AND name=?",
                              (grp, res, ns, name)).fetchone()
        return json.loads(row[0]) if row else None

    def list(self, grp: str, res: str, ns: str | None = None, *,
             index: tuple[str, str] | None = None, labels_eq: dict | None = None,
             without: str | None = None) -> list[dict]:
        """Objects of a resource, optionally in one namespace and narrowed by one index entry
        and by label equalities (the rest of a selector is applied by the caller); `without`: only
        those with no index entry of that key (e.g. "controller": pods no controller owns)."""
        from pykubectl.store.stream import query
        sql, args = query(grp, res, ns, index, labels_eq, without=without)
        return [json.loads(r[0]) for r in self.db.execute(sql, args)]

    def names(self, grp: str, res: str, index: tuple[str, str], limit: int | None = None) -> list[tuple[str, str]]:
        """(namespace, name) of the objects with this index entry, from the index alone (no
        object read or decoded, no order)."""
        sql = "SELECT ns, name FROM idx WHERE grp=? AND res=? AND k=? AND v=?"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return list(self.db.execute(sql, (grp, res, index[0], index[1])))

    def count(self, grp: str, res: str, ns: str | None = None) -> int:
        if ns is None:
            return self.db.execute("SELECT COUNT(*) FROM objects WHERE grp=? AND res=?",
                                   (grp, res)).fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM objects WHERE grp=? AND res=? AND ns=?",
                               (grp, res, ns)).fetchone()[0]

    def namespaces_with_objects(self, ns: str) -> list[tuple[str, str]]:
        return list(self.db.execute("SELECT DISTINCT grp, res FROM objects WHERE ns=?", (ns,)))

    def dependents(self, owner_uid: str) -> list[tuple[str, str, str, str]]:
        """(group, resource, namespace, name) of every object naming owner_uid as an owner."""
        return list(self.db.execute(
            "SELECT grp, res, ns, name FROM idx WHERE k='owner' AND v=?", (owner_uid,)))

    # -- writes -----------------------------------------------------------------------
    def _stamp(self, obj: dict) -> tuple[str, str, int, str]:
        """Give obj the next revision as its resourceVersion: (namespace, name, rev, JSON)."""
        meta = obj["metadata"]
        rev = self._next_rev()
        meta["resourceVersion"] = str(rev)
        return meta.get("namespace") or "", meta["name"], rev, json.dumps(obj, separators=(",", ":"))

    def put(self, grp: str, res: str, obj: dict, type_: str) -> dict:
        """Store obj (ADDED or MODIFIED), stamping a fresh resourceVersion; returns it."""
        ns, name, rev, data = self._stamp(obj)
        self.db.execute("INSERT OR REPLACE INTO objects VALUES(?,?,?,?,?,?)",
                        (grp, res, ns, name, rev, data))
        self._unindex(grp, res, ns, name)
        ents = index_entries(res, obj)
        if ents:
            self.db.executemany("INSERT INTO idx VALUES(?,?,?,?,?,?)",
                                [(grp, res, ns, name, k, v) for k, v in ents])
        self.db.execute("INSERT INTO changes VALUES(?,?,?,?,?,?,?)",
                        (rev, type_, grp, res, ns, name, data))
        return obj

    def delete(self, grp: str, res: str, obj: dict) -> None:
        # a DELETED event carries the object's last state with the deletion's revision
        ns, name, rev, data = self._stamp(obj)
        self.db.execute("DELETE FROM objects WHERE grp=? AND res=? AND ns=? AND name=?",
                        (grp, res, ns, name))
        self._unindex(grp, res, ns, name)
        self.db.execute("INSERT INTO changes VALUES(?,?,?,?,?,?,?)",
                        (rev, "DELETED", grp, res, ns, name, data))

    def _unindex(self, grp, res, ns, name) -> None:
        self.db.execute("DELETE FROM idx WHERE grp=? AND res=? AND ns=? AND name=?",
                        (grp, res, ns, name))

    # -- change log -------------------------------------------------------------------
    def changes_since(self, rev: int, limit: int = 1000, grp=None, res=None) -> list[tuple]:
        """(rev, type, grp, res, ns, name, obj) after rev, oldest first."""
        if grp is None:
            cur = self.db.execute("SELECT * FROM changes WHERE rev>? ORDER BY rev LIMIT ?",
                                  (rev, limit))
        else:
            cur = self.db.execute(
                "SELECT * FROM changes WHERE rev>? AND grp=? AND res=? ORDER BY rev LIMIT ?",
                (rev, grp, res, limit))
        return [(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in cur]

    def states_at(self, grp: str, res: str, rev: int) -> dict[tuple[str, str], dict | None] | None:
        """For each object of a resource changed after `rev`, its state at `rev` ((ns, name) ->
        object, or None when it did not exist then), read from the change log: what a paged
        list needs to serve its later pages as of its first. None when the log no longer holds
        it (compacted), as etcd cannot read at a compacted revision."""
        if rev < self.compacted():
            return None
        before: dict = {}   # the last change at or before rev, left undecoded
        first_after: dict = {}
        for r, type_, ns, name, data in self.db.execute(
                "SELECT rev, type, ns, name, data FROM changes WHERE grp=? AND res=? ORDER BY rev",
                (grp, res)):
            if r <= rev:
                before[(ns, name)] = (type_, data)
            elif (ns, name) not in first_after:
                first_after[(ns, name)] = type_
        out: dict = {}
        for key, type_ in first_after.items():
            if key in before:
                t, data = before[key]
                out[key] = None if t == "DELETED" else json.loads(data)
            elif type_ == "ADDED":
                out[key] = None
            else:
                return None   # it existed at rev, written before the log's oldest entry
        return out

    def compacted(self) -> int:
        return int(self.get_meta("compacted", "0"))

    def compact(self, keep: int = KEEP_CHANGES) -> None:
        """Drop change-log entries no watcher can still ask for (never unreconciled ones)."""
        upto = min(self.revision() - keep, int(self.get_meta("reconciled", "0")))
        if upto > self.compacted():
            self.db.execute("DELETE FROM changes WHERE rev<=?", (upto,))
            self.set_meta("compacted", upto)

    # -- timers -----------------------------------------------------------------------
    def set_timer(self, controller: str, key: str, due: float) -> None:
        """Schedule (or move earlier) a controller's wake-up for a key."""
        row = self.db.execute("SELECT due FROM timers WHERE controller=? AND key=?",
                              (controller, key)).fetchone()
        if row is None or due < row[0]:
            self.db.execute("INSERT OR REPLACE INTO timers VALUES(?,?,?)", (controller, key, due))

    def clear_timer(self, controller: str, key: str) -> None:
        self.db.execute("DELETE FROM timers WHERE controller=? AND key=?", (controller, key))

    def due_timers(self, now: float, limit: int = 500) -> list[tuple[str, str, float]]:
        return list(self.db.execute(
            "SELECT controller, key, due FROM timers WHERE due<=? ORDER BY due LIMIT ?",
            (now, limit)))

    def next_timer(self) -> float | None:
        return self.db.execute("SELECT MIN(due) FROM timers").fetchone()[0]
