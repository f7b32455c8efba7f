"""Watch over HTTP: one JSON event per line, streamed chunked, from the store's change log.

`resourceVersion` unset or "0" starts with a synthetic ADDED per existing object (as the watch
cache does); a revision older than the compacted log gets an ERROR event carrying 410 Expired.
While waiting the server drives the cluster's due timers, so pods start for a watching client.
"""
from __future__ import annotations

import threading
import time

from pykubectl.api import errors

POLL = 0.1
BOOKMARK_EVERY = 5.0


def watch_response(ctx, req, kind, version, ns, name, q):
    from pykubectl.server.routes import Response, wants_table
    lsel = fsel = None
    if q.get("labelSelector"):
        from pykubectl.api.selectors import SelectorError, parse_label_selector
        try:
            lsel = parse_label_selector(q["labelSelector"])
        except SelectorError as e:
            raise errors.bad_request(str(e))
    fs = q.get("fieldSelector") or ""
    if name:
        fs = ",".join(x for x in (fs, f"metadata.name={name}") if x)
    if fs:
        from pykubectl.api.selectors import SelectorError, parse_field_selector
        try:
            fsel = parse_field_selector(fs)
        except SelectorError as e:
            raise errors.bad_request(str(e))
    timeout = q.get("timeoutSeconds")
    timeout = float(timeout) if timeout not in (None, "") else None
    rv = q.get("resourceVersion") or ""
    bookmarks = q.get("allowWatchBookmarks", "").lower() in ("true", "1")
    if rv not in ("", "0") and not rv.isdigit():
        raise errors.bad_request(f'invalid resource version: strconv.ParseUint: parsing "{rv}": invalid syntax')
    table = q if wants_table(req) else None
    return Response(200, stream=_events(ctx, kind, version, ns, lsel, fsel, rv, timeout, bookmarks, table))


def _matches(obj, ns, lsel, fsel) -> bool:
    meta = obj.get("metadata") or {}
    if ns is not None and meta.get("namespace", "") != ns:
        return False
    if lsel is not None and not lsel.matches(meta.get("labels") or {}):
        return False
    if fsel is not None and not fsel.matches(obj):
        return False
    return True


def _events(ctx, kind, version, ns, lsel, fsel, rv, timeout, bookmarks, table):
    from pykubectl.server.routes import _at_version, dumps, table_for
    ns = ns if kind.namespaced else None
    store = ctx.cluster.store

    def event(type_, obj):
        obj = _at_version(obj, kind, version, ctx)
        if table is not None:
            obj = table_for(ctx, kind, [obj], {"resourceVersion": obj["metadata"].get("resourceVersion", "")}, table)
        return dumps({"type": type_, "object": ctx.out(obj)}) + b"\n"

    if rv in ("", "0"):
        lst = ctx.server.list(kind, ns)
        rev = int(lst["metadata"]["resourceVersion"])
        for obj in lst["items"]:
            if _matches(obj, ns, lsel, fsel):
                yield event("ADDED", obj)
    else:
        rev = int(rv)
    end = None if timeout is None else time.monotonic() + timeout
    last_sent = time.monotonic()
    top = None
    while end is None or time.monotonic() < end:
        # an idle poll is one cheap read of the revision, not a transaction (50 watchers poll 500x/s)
        batch = []
        if top is None or int(store.meta("revision", "0")) > rev:
            with store.read() as t:
                compacted = t.compacted()
                if rev < compacted:
                    st = errors.gone(f"too old resource version: {rev} ({compacted})").status()
                    yield dumps({"type": "ERROR", "object": st}) + b"\n"
                    return
                batch = t.changes_since(rev, 500, kind.group, kind.plural)
                top = t.revision()
        for r, type_, _g, _r, _ns, _name, obj in batch:
            rev = r
            if _matches(obj, ns, lsel, fsel):
                last_sent = time.monotonic()
                yield event(type_, obj)
        if batch:
            continue
        rev = max(rev, top)
        if bookmarks and time.monotonic() - last_sent >= BOOKMARK_EVERY:
            last_sent = time.monotonic()
            yield dumps({"type": "BOOKMARK", "object": {
                "kind": kind.kind, "apiVersion": kind.api_version,
                "metadata": {"resourceVersion": str(rev), "creationTimestamp": None}}}) + b"\n"
        else:
            yield b""   # lets the transport notice a client that went away
        _sync(ctx)
        time.sleep(POLL if end is None else max(0.0, min(POLL, end - time.monotonic())))


_synced: dict = {}   # cluster folder -> when a watcher last drove its timers
_sync_lock = threading.Lock()


def _sync(ctx):
    """Drive due timers once per POLL for all of a process's watchers, not once per watcher."""
    now, key = time.monotonic(), getattr(ctx.cluster, "dir", None)
    with _sync_lock:
        if now - _synced.get(key, 0.0) < POLL:
            return
        _synced[key] = now
    ctx.sync()


def list_as_of(ctx, kind, ns, items: list, rev: int, label_selector: str | None,
               field_selector: str | None) -> list | None:
    """`items` (a list as of now) turned into the same list as of revision `rev`, from the
    change log: a paged list's later pages show what its first page saw. None once compacted."""
    with ctx.cluster.store.read() as t:
        states = t.states_at(kind.group, kind.plural, rev)
    if states is None:
        return None
    if not states:
        return items
    lsel = fsel = None
    if label_selector:
        from pykubectl.api.selectors import parse_label_selector
        lsel = parse_label_selector(label_selector)
    if field_selector:
        from pykubectl.api.selectors import parse_field_selector
        fsel = parse_field_selector(field_selector)
    ns = (ns or None) if kind.namespaced else None
    by_key = {((o["metadata"].get("namespace") or ""), o["metadata"]["name"]): o for o in items}
    for key, obj in states.items():
        if obj is None or not _matches(obj, ns, lsel, fsel):
            by_key.pop(key, None)
        else:
            by_key[key] = obj
    return [by_key[k] for k in sorted(by_key)]
