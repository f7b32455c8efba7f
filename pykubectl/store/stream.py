"""Lists read one object at a time, for readers whose memory must not grow with the list.

`Txn.list` decodes a whole resource into one Python list: at 10,000 pods that is ~450 MiB before
the first line is printed. A table needs each object only long enough to compute its cells, so
`get` reads through a cursor instead (as kubectl reads a chunked list and keeps only cells).
The query is `Txn.list`'s (`query`), with the same ordering (namespace, name) and index joins.

What to decode is the caller's choice (`fields`):
- "object": the object as stored;
- "table": without metadata.managedFields — no printer reads it, and it is a third of a pod's
  JSON; SQLite's json_remove copies the rest of the text verbatim, so what is decoded is equal;
- "name": nothing decoded; a stub object with the row's name and namespace (what `-o name`
  prints), valid only when nothing else is filtered on.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

FIELDS = ("object", "table", "name")


def query(grp: str, res: str, ns: str | None, index, labels_eq, fields: str = "object",
          without: str | None = None) -> tuple[str, list]:
    """The SQL of a listing (Txn.list's too): narrowed by one index entry and label equalities,
    `without` objects having an index entry of that key, in (namespace, name) order."""
    if fields == "name":
        cols = "o.ns, o.name"
    elif fields == "table":
        cols = "json_remove(o.data, '$.metadata.managedFields')"
    else:
        cols = "o.data"
    sql = f"SELECT {cols} FROM objects o"
    args: list = []
    probes = ([index] if index else []) + [("l:" + k, str(v)) for k, v in (labels_eq or {}).items()]
    for n, (k, v) in enumerate(probes, 1):
        sql += (f" JOIN idx i{n} ON i{n}.grp=o.grp AND i{n}.res=o.res AND i{n}.ns=o.ns"
                f" AND i{n}.name=o.name AND i{n}.k=? AND i{n}.v=?")
        args += [k, v]
    sql += " WHERE o.grp=? AND o.res=?"
    args += [grp, res]
    if ns is not None:
        sql += " AND o.ns=?"
        args.append(ns)
    if without:
        sql += (" AND NOT EXISTS (SELECT 1 FROM idx w WHERE w.grp=o.grp AND w.res=o.res AND w.ns=o.ns"
                " AND w.name=o.name AND w.k=?)")
        args.append(without)
    return sql + " ORDER BY o.ns, o.name", args


def iter_objects(db, grp: str, res: str, ns: str | None = None, *, index=None,
                 labels_eq: dict | None = None, fields: str = "object") -> Iterator[dict]:
    """Objects of a resource in (namespace, name) order, decoded one at a time. `db` is a
    connection inside a read transaction that stays open while this is consumed (so the
    objects are one snapshot, like a list at one resourceVersion)."""
    if fields not in FIELDS:
        raise ValueError(f"fields must be one of {FIELDS}")
    sql, args = query(grp, res, ns, index, labels_eq, fields)
    cur = db.execute(sql, args)   # stepped one row at a time as it is iterated
    try:
        if fields == "name":
            for ns_, name in cur:
                yield {"metadata": {"name": name, "namespace": ns_} if ns_ else {"name": name}}
            return
        loads = json.loads
        for (data,) in cur:
            yield loads(data)
    finally:
        cur.close()
