"""The event recorder and the Events' one-hour TTL.

Events are ordinary objects. As client-go's recorder does, a repeat of the same event (same
object, type, reason, message and source) folds into the existing one: its count goes up and
lastTimestamp moves, which is what `kubectl describe` shows as `(x3 over 2m)`.

Expiry is the apiserver's event lease: events are stored under an etcd lease of the TTL plus a
reuse window (`--lease-reuse-duration-seconds`, 60 s), and every event written within one
window shares the lease, so a window's events go together, 3600-3660 s after their last write.
Here a window is a UTC minute: an Event carries a ("lease", minute of lastTimestamp) index
entry and one timer per minute deletes that minute's Events in one engine step.
"""
from __future__ import annotations

from pykubectl.controllers.manager import Controller, Delete, Timer, split_key
from pykubectl.store.clock import parse_time, rfc3339

EVENT_TTL = 3600.0
LEASE_REUSE = 60.0


def record(server, t, ev, now: float) -> dict:
    inv = ev.involved
    meta = inv.get("metadata") or {}
    ns = meta.get("namespace") or "default"
    uid = meta.get("uid", "")
    existing = None
    if uid:
        from pykubectl.store.sqlite import fold_key
        for e in t.list("", "events", ns, index=("fold", fold_key(uid, ev.reason, ev.message))):
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
    window = int(now // LEASE_REUSE) * LEASE_REUSE
    t.set_timer(EventTTL.name, lease_key(out["lastTimestamp"]), window + LEASE_REUSE + EVENT_TTL)
    return out


def lease_key(last_timestamp: str) -> str:
    """The timer key of the lease an Event written at last_timestamp (RFC 3339) shares: its
    minute, which is also the store's ("lease", ...) index value for the Event."""
    return "lease|" + last_timestamp[:16]


class EventTTL(Controller):
    """Deletes Events an hour after they were last written, a lease window at a time, as the
    apiserver's etcd leases do."""
    name = "event-ttl"
    watches = ()
    # per engine step: no more than the step's batch of changes (200), so the DELETED changes the
    # expiry writes are consumed as fast as they come instead of piling up behind it
    CHUNK = 200

    def reconcile(self, key, view, now):
        if key.startswith("lease|"):
            minute = key[len("lease|"):]
            # a burst's window can hold hundreds of thousands: a chunk per engine step, so one
            # transaction (and the memory of one listing) stays bounded
            events = view.names("events", ("lease", minute), limit=self.CHUNK)
            out = [Delete("events", ns, name) for ns, name in events]
            if len(events) >= self.CHUNK:
                out.append(Timer(key, now))
            return out
        # one timer per Event (stores written before leases): that Event alone
        _, _, ns, name = split_key(key)
        ev = view.get("events", ns, name)
        if ev is None:
            return []
        last = parse_time(ev.get("lastTimestamp")) or 0
        if last + EVENT_TTL <= now:
            return [Delete("events", ns, name)]
        return [Timer(key, last + EVENT_TTL)]
