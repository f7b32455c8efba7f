"""Probe outcomes in closed form.

A probe runs at start + initialDelaySeconds + k * periodSeconds. Its answer depends on facts
that carry their own timestamps (a file's mtime on a node, the moment kubetm/app was sent
/status500), so `outcome` returns not only ok/failed but since when that answer has held; the
kubelet then knows every probe's result between two visible transitions without replaying them,
and sets timers only where something shows (an Unhealthy event, Ready flipping, a restart).
"""
from __future__ import annotations

import math

DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1,
            "successThreshold": 1, "failureThreshold": 3}
MAX_EVENTS_PER_STEP = 50


def field(probe: dict, name: str) -> int:
    v = probe.get(name)
    return int(DEFAULTS[name] if v in (None, 0) and name != "initialDelaySeconds" else (v or 0))


def probe_time(start: float, probe: dict, k: int) -> float:
    return start + field(probe, "initialDelaySeconds") + k * field(probe, "periodSeconds")


def first_index_at_or_after(start: float, probe: dict, t: float) -> int:
    """Smallest k with probe_time(k) >= t."""
    base = start + field(probe, "initialDelaySeconds")
    if t <= base:
        return 0
    k = math.ceil((t - base) / field(probe, "periodSeconds") - 1e-9)
    return max(k, 0)


def last_index_at_or_before(start: float, probe: dict, t: float) -> int:
    """Largest k with probe_time(k) <= t (-1 when none yet)."""
    base = start + field(probe, "initialDelaySeconds")
    if t < base:
        return -1
    return int(math.floor((t - base) / field(probe, "periodSeconds") + 1e-9))


def _port(c: dict, port) -> int | None:
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    for p in c.get("ports") or []:
        if p.get("name") == port:
            return int(p.get("containerPort"))
    return None


def outcome(view, pod: dict, c: dict, probe: dict, now: float) -> tuple[bool, float | None, str]:
    """(ok, since, message) of the probe as things stand at `now`. `since` is when this answer
    began (None: as long as the container has run)."""
    from pykubectl.runtime import images
    ip = (pod.get("status") or {}).get("podIP") or ""
    known = images.parse(c.get("image", ""))[0] in images.CATALOGUE
    if "exec" in probe:
        from pykubectl.runtime import fs, shell
        argv = [str(a) for a in (probe["exec"].get("command") or [])]
        tool = argv[0].rsplit("/", 1)[-1] if argv else ""
        if tool not in shell.BUILTINS and tool not in ("sh", "bash", "ash", "dash"):
            # the image's own health tool (calico-node -felix-live, ...): it answers healthy
            return True, None, ""
        out, err, code = shell.run(view, pod, c["name"], argv, now=now)
        since = None
        files = fs.PodFS(view, pod, c["name"], now)
        for a in argv[1:]:
            if a.startswith("/"):
                s = files.since(a)
                if s is not None:
                    since = s if since is None else max(since, s)
        return code == 0, since, (out + err).strip()
    if not known:
        # an image outside the catalogue is a healthy long-running process serving its probes
        return True, None, ""
    if "httpGet" in probe:
        hg = probe["httpGet"]
        port = _port(c, hg.get("port"))
        path = hg.get("path") or "/"
        host = hg.get("host") or ip
        h = images.http_handler(pod, c["name"], port, view=view, now=now) if port else None
        if h is None:
            return False, None, f'Get "http://{host}:{port}{path}": dial tcp {host}:{port}: connect: connection refused'
        if path == "/health" and images.behaviour(c.get("image", "")).get("pages") == "app":
            since = images.status500_since(view, pod, c["name"])
            if since is not None:
                return False, since, "HTTP probe failed with statuscode: 500"
            return True, None, ""
        status, _, _ = h("GET", path, {}, "")
        if 200 <= status < 400:
            return True, None, ""
        return False, None, f"HTTP probe failed with statuscode: {status}"
    if "tcpSocket" in probe:
        port = _port(c, probe["tcpSocket"].get("port"))
        host = probe["tcpSocket"].get("host") or ip
        if port and images.serves(c.get("image", ""), port):
            return True, None, ""
        return False, None, f"dial tcp {host}:{port}: connect: connection refused"
    if "grpc" in probe:
        port = probe["grpc"].get("port")
        if images.serves(c.get("image", ""), port):
            return True, None, ""
        return False, None, f'timeout: failed to connect service "{ip}:{port}" within 1s: context deadline exceeded'
    return True, None, ""


# -- what the kubelet already reported (its in-memory prober state, kept in the store) --------

_DDL = ("CREATE TABLE IF NOT EXISTS kubelet_probes(uid TEXT NOT NULL, container TEXT NOT NULL, "
        "probe TEXT NOT NULL, last REAL NOT NULL, PRIMARY KEY(uid, container, probe))")


def _db(view):
    from pykubectl.runtime.fs import db_of
    db = db_of(view)
    db.execute(_DDL)
    return db


def last_reported(view, uid: str, container: str, probe: str) -> float | None:
    r = _db(view).execute("SELECT last FROM kubelet_probes WHERE uid=? AND container=? AND probe=?",
                          (uid, container, probe)).fetchone()
    return r[0] if r else None


def set_reported(view, uid: str, container: str, probe: str, at: float) -> None:
    _db(view).execute("INSERT OR REPLACE INTO kubelet_probes VALUES(?,?,?,?)", (uid, container, probe, at))


def forget(view, uid: str) -> None:
    _db(view).execute("DELETE FROM kubelet_probes WHERE uid=?", (uid,))
