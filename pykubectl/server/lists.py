"""LIST through the server without holding the whole list: one page, or a stream.

`ApiServer.list` decodes a whole resource into one Python list (10,000 pods: ~450 MiB), and the
paged list used to do that for every page, then slice. Here rows are read through one cursor
in (namespace, name) order from one read snapshot:
- with `limit`, the page starts after the continue token's key (in SQL, not by decoding the
  rows before it) and stops at limit + 1 objects, so memory follows the page size (kubectl
  sends limit=500);
- without it, the response is written as the rows are read (chunked), the read snapshot held
  until the last item is sent, as kube-apiserver streams a list from its watch cache.
Later pages are served as of the first page's revision: the change log's states at that
revision (`Txn.states_at`) replace or restore the rows changed since, merged in key order.
"""
from __future__ import annotations

import json
import threading
from itertools import islice

from pykubectl.api import errors

FLUSH = 64 * 1024   # bytes gathered before a chunk is written (one TLS record write each)


def _selectors(kind, q):
    """(label selector, field selector, label equalities, field index) or a 400 StatusError."""
    from pykubectl.api.selectors import (SelectorError, check_field_selector, parse_field_selector,
                                         parse_label_selector)
    from pykubectl.apiserver.core import _field_index
    lsel = fsel = eq = index = None
    if q.get("labelSelector"):
        try:
            lsel = parse_label_selector(q["labelSelector"])
        except SelectorError as e:
            raise errors.bad_request(str(e))
        eq = getattr(lsel, "equalities", lambda: None)()
    if q.get("fieldSelector"):
        try:
            fsel = parse_field_selector(q["fieldSelector"])
            check_field_selector(kind.plural if not kind.group else kind.resource, fsel)
        except SelectorError as e:
            raise errors.bad_request(str(e))
        index = _field_index(kind, fsel)
    return lsel, fsel, eq, index


def _rows(db, kind, ns, eq, index, start):
    """((ns, name), JSON text) of the stored rows after `start`, in key order."""
    from pykubectl.store.stream import query
    sql, args = query(kind.group, kind.plural, ns, index, eq, "object")
    cols = "SELECT o.ns, o.name, o.data FROM"
    sql = cols + sql.split(" FROM", 1)[1]
    if start is not None:
        # row values compare as the ORDER BY sorts: no row before the token is read
        sql = sql.replace(" ORDER BY ", " AND (o.ns, o.name) > (?, ?) ORDER BY ", 1)
        args = args + [start[0], start[1]]
    cur = db.execute(sql, args)
    try:
        for ns_, name, data in cur:
            yield (ns_ or "", name), data
    finally:
        cur.close()


def objects(db, kind, ns, lsel, fsel, eq, index, start=None, states=None, schema=None):
    """The list's objects after key `start`, selected; with `states` ((ns, name) -> object or
    None, from Txn.states_at) as of that revision instead of now."""
    from pykubectl.server.watch import _matches
    loads = json.loads
    pending = sorted(k for k in (states or {}) if start is None or k > start)
    i = 0

    def keep(o):
        if o is None or not _matches(o, ns, lsel, fsel):
            return None
        if schema is not None:
            from pykubectl.api import crd_schema
            crd_schema.default(o, schema)
        return o

    rows = _rows(db, kind, ns, eq, index, start)
    try:
        for key, data in rows:
            while i < len(pending) and pending[i] < key:   # gone since: as it was then
                o = keep(states[pending[i]])
                i += 1
                if o is not None:
                    yield o
            if i < len(pending) and pending[i] == key:     # changed since: as it was then
                o = keep(states[key])
                i += 1
            else:
                o = keep(loads(data))
            if o is not None:
                yield o
        while i < len(pending):
            o = keep(states[pending[i]])
            i += 1
            if o is not None:
                yield o
    finally:
        rows.close()


def _remaining(db, kind, ns, last, states) -> int:
    """How many objects follow key `last` (no selectors), as of the page's revision."""
    from pykubectl.store.stream import query
    sql, args = query(kind.group, kind.plural, ns, None, None, "name")
    sql = "SELECT COUNT(*) FROM" + sql.split(" FROM", 1)[1].replace(
        " ORDER BY o.ns, o.name", " AND (o.ns, o.name) > (?, ?)")
    n = db.execute(sql, args + [last[0], last[1]]).fetchone()[0]
    for key, then in (states or {}).items():
        if key <= last or (ns is not None and key[0] != ns):
            continue
        now = db.execute("SELECT 1 FROM objects WHERE grp=? AND res=? AND ns=? AND name=?",
                         (kind.group, kind.plural, key[0], key[1])).fetchone() is not None
        n += (then is not None) - now
    return n


# (revision, group, resource, namespace, last key served) -> objects after it, as of that
# revision: a page's count is the previous page's less its length, not a COUNT of the rest
# (~150 ms at 10,000 pods, once a page). Bounded; a miss counts.
_REMAINING: dict = {}
_REMAINING_MAX = 256
_REMAINING_LOCK = threading.Lock()   # connections are threads


def _remaining_after(db, kind, ns, rev, start, last, served, states) -> int:
    with _REMAINING_LOCK:
        prev = _REMAINING.pop((rev, kind.group, kind.plural, ns, start), None) if start is not None else None
    n = prev - served if prev is not None else _remaining(db, kind, ns, last, states)
    with _REMAINING_LOCK:
        while len(_REMAINING) >= _REMAINING_MAX:
            del _REMAINING[next(iter(_REMAINING))]
        _REMAINING[(rev, kind.group, kind.plural, ns, last)] = n
    return n


def list_response(ctx, req, kind, version, ns, q):
    """The answer to a LIST (JSON or a Table): a page when `limit` is set, else a stream."""
    from pykubectl.server.routes import (_CONTINUE_TOO_OLD, Response, _at_version, _decode_continue,
                                         _encode_continue, json_response, table_for, wants_table)
    lsel, fsel, eq, index = _selectors(kind, q)
    raw_limit = q.get("limit") or "0"
    limit = int(raw_limit) if raw_limit.isdigit() else 0
    start = first_rev = None
    if q.get("continue"):
        first_rev, start = _decode_continue(q["continue"])
    ns = (ns or None) if kind.namespaced else None
    schema = ctx.server._crd_schema(kind) if kind.crd else None
    table = wants_table(req)

    def out(o):
        if version != kind.version:
            o = _at_version(o, kind, version, ctx)
        return ctx.out_json(o)

    reading = ctx.cluster.store.read()
    t = reading.__enter__()
    handed_over = False
    try:
        rev = t.revision()
        states = None
        if start is not None and 0 < first_rev < rev:
            # later pages as of the first page's revision, or refused with a token to go on
            # inconsistently once the log no longer reaches back to it
            states = t.states_at(kind.group, kind.plural, first_rev)
            if states is None:
                st = errors.gone(_CONTINUE_TOO_OLD).status()
                st["metadata"] = {"continue": _encode_continue(-1, *start)}
                return json_response(st, 410)
            rev = first_rev
        meta = {"resourceVersion": str(rev)}
        objs = objects(t.db, kind, ns, lsel, fsel, eq, index, start, states, schema)
        if limit:
            page = list(islice(objs, limit + 1))
            objs.close()
            if len(page) > limit:
                page = page[:limit]
                last = page[-1]["metadata"]
                key = (last.get("namespace", ""), last["name"])
                meta["continue"] = _encode_continue(rev, key[0], key[1])
                if lsel is None and fsel is None:
                    meta["remainingItemCount"] = _remaining_after(t.db, kind, ns, rev, start, key,
                                                                  len(page), states)
            if version != kind.version:
                page = [_at_version(o, kind, version, ctx) for o in page]
            if table:
                doc = table_for(ctx, kind, page, meta, q)
            else:
                doc = {"kind": kind.list_kind, "apiVersion": _api_version(kind, version),
                       "metadata": meta, "items": page}
            return Response(200, ctx.out_json(doc))
        stream = Stream(_chunks(ctx, kind, version, q, meta, objs, out, table), objs, reading)
        handed_over = True
        if not ctx.streams:   # an in-process caller (sim curl) reads `body`
            try:
                return Response(200, b"".join(stream))
            finally:
                stream.close()
        return Response(200, stream=stream)
    finally:
        if not handed_over:
            reading.__exit__(None, None, None)


def _api_version(kind, version):
    return f"{kind.group}/{version}" if kind.group else version


class Stream:
    """A response body being read from a snapshot: iterated by the transport, which closes it
    when done or when the client goes away (even before the first chunk: a generator never
    started would not run its cleanup, and the connection would stay inside the snapshot)."""

    short_is_whole = True   # the transport may read two chunks ahead to send one Content-Length

    def __init__(self, chunks, objs, reading):
        self._chunks, self._objs, self._reading = chunks, objs, reading

    def __iter__(self):
        return self._chunks

    def close(self):
        if self._reading is not None:
            reading, self._reading = self._reading, None
            try:
                self._chunks.close()
                self._objs.close()
            finally:
                reading.__exit__(None, None, None)


def _chunks(ctx, kind, version, q, meta, objs, out, table):
    """The list's bytes in chunks of about FLUSH bytes."""
    from pykubectl.server.routes import _at_version, dumps
    if table:
        from datetime import datetime, timezone
        from pykubectl.printers import tables
        from pykubectl.server.routes import crd_columns
        cols = crd_columns(ctx, kind)
        now = datetime.fromtimestamp(ctx.cluster.clock.now(), timezone.utc)
        include = q.get("includeObject") or "Metadata"
        head = dumps(tables.table(kind.resource, [], now, cols, list_meta=meta, include_object=include))
        if version != kind.version:
            objs = (_at_version(o, kind, version, ctx) for o in objs)
        items = (ctx.out_json(r) for r in tables.table_rows(kind.resource, objs, now, cols,
                                                            include_object=include))
    else:
        head = dumps({"kind": kind.list_kind, "apiVersion": _api_version(kind, version),
                      "metadata": meta, "items": []})
        items = (out(o) for o in objs)
    # "rows" / "items" is the last key: open it and write the elements as they are read
    assert head.endswith(b"[]}")
    buf = [head[:-2]]
    size = len(buf[0])
    sep = b""
    for b in items:
        buf.append(sep)
        buf.append(b)
        sep = b","
        size += len(b) + 1
        if size >= FLUSH:
            yield b"".join(buf)
            buf, size = [], 0
    buf.append(b"]}")
    yield b"".join(buf)
