"""The event recorder and the Events' one-hour TTL.

Events are ordinary objects. As client-go's recorder does, a repeat of the same event (same
object, type, reason, message and source) folds into the existing one: its count goes up and
lastTimestamp moves, which is what `kubectl describe` shows as `(x3 over 2m)`.
"""
from __future__ import annotations

from pykubectl.controllers.manager import Controller, Delete, split_key
from pykubectl.store.clock import parse_time, rfc3339

EVENT_TTL = 3600.0


def record(server, t, ev, now: float) -> dict:
    inv = ev.involved
    meta = inv.get("metadata") or {}
    ns = meta.get("namespace") or "default"
    uid = meta.get("uid", "")
    existing = None
    if uid:
        for e in t.list("", "events", ns, index=("involved", uid)):
            if (e.get("reason") == ev.reason and e.get("message") == ev.message
                    and e.get("type") == ev.type and (e.get("source") or {}) == ev.source
                    and (e.get("involvedObject") or {}).get("fieldPath", "") == ev.field_path):
                existing = e
                break
    kind = server.resolve("events")
    if existing is not None:
        existing["count"] = int(existing.get("count") or 1) + 1
        existing["lastTimestamp"] = rfc3339(now)
        out = server.write_object(t, kind, existing, manager=ev.source.get("component", "") or "kube-controller-manager")
    else:
        involved = {"kind": inv.get("kind"), "namespace": meta.get("namespace"),
                    "name": meta.get("name"), "uid": uid, "apiVersion": inv.get("apiVersion"),
                    "resourceVersion": meta.get("resourceVersion")}
        if ev.field_path:
            involved["fieldPath"] = ev.field_path
        involved = {k: v for k, v in involved.items() if v}
        # kube names events <object>.<nanotime hex>; the revision keeps same-moment events apart
        name = f"{meta.get('name')}.{int(now * 1e9) + t.revision():x}"[:253]
        obj = {"apiVersion": "v1", "kind": "Event",
               "metadata": {"name": name, "namespace": ns},
               "involvedObject": involved, "reason": ev.reason, "message": ev.message,
               "source": ev.source, "firstTimestamp": rfc3339(now), "lastTimestamp": rfc3339(now),
               "count": 1, "type": ev.type, "eventTime": None,
               "reportingComponent": ev.source.get("component", ""),
               "reportingInstance": ev.source.get("host", "")}
        out = server.create_in(t, kind, obj, manager=ev.source.get("component", "") or "kube-controller-manager")
    t.set_timer(EventTTL.name, f"|events|{ns}|{out['metadata']['name']}", now + EVENT_TTL)
    return out


class EventTTL(Controller):
    """Deletes an Event an hour after it was last seen, as the apiserver's etcd lease does."""
    name = "event-ttl"
    watches = ()

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        ev = view.get("events", ns, name)
        if ev is None:
            return []
        last = parse_time(ev.get("lastTimestamp")) or 0
        if last + EVENT_TTL <= now:
            return [Delete("events", ns, name)]
        from pykubectl.controllers.manager import Timer
        return [Timer(key, last + EVENT_TTL)]
