"""The cluster's two clocks.

*Real* (the default): wall time plus an offset kept in the cluster, so `sleep 30` works as in a
real cluster and `sim advance 30s` adds to the offset. *Virtual*: time moves only by
`sim advance`, for golden tests. Nothing else in pykubectl reads the wall clock for cluster time.
Timestamps leave the API shifted back by `skew()`, so a client computing ages from its own wall
clock (a real kubectl) sees the cluster's ages.
"""
from __future__ import annotations

import re
import time

# a virtual cluster starts at a fixed, recognisable moment unless told otherwise
VIRTUAL_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z


class Clock:
    def __init__(self, mode: str = "real", offset: float = 0.0, virtual_now: float | None = None,
                 wall=time.time):
        if mode not in ("real", "virtual"):
            raise ValueError(f"unknown clock {mode!r}")
        self.mode = mode
        self.offset = offset
        self.virtual_now = VIRTUAL_EPOCH if virtual_now is None else virtual_now
        self._wall = wall

    @classmethod
    def from_meta(cls, get, wall=time.time) -> "Clock":
        """Build from the store's meta values (get(key, default))."""
        mode = get("clock", "real")
        vn = get("virtual_now", None)
        return cls(mode, float(get("clock_offset", "0") or 0), float(vn) if vn else None, wall)

    def to_meta(self) -> dict:
        return {"clock": self.mode, "clock_offset": repr(self.offset),
                "virtual_now": repr(self.virtual_now)}

    def now(self) -> float:
        if self.mode == "virtual":
            return self.virtual_now
        return self._wall() + self.offset

    def set(self, t: float) -> None:
        """Move the clock to cluster time t (never backwards)."""
        if t <= self.now():
            return
        if self.mode == "virtual":
            self.virtual_now = t
        else:
            self.offset = t - self._wall()

    def skew(self) -> float:
        """Cluster time minus wall time: what timestamps lose at the API edge."""
        return self.now() - self._wall()


def rfc3339(t: float) -> str:
    """A metav1.Time: seconds precision, UTC, `Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def rfc3339_micro(t: float) -> str:
    """A metav1.MicroTime (Events' eventTime, Leases)."""
    from datetime import datetime, timezone   # lazily: every command imports this module
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(s: str | None) -> float | None:
    if not s:
        return None
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    from datetime import datetime
    return datetime.fromisoformat(s).timestamp()


_DUR = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(s: str) -> float:
    """Go's time.ParseDuration (plus `d`): "30s", "1m30s", "1.5h", "10m". Raises ValueError."""
    text = s.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    pos, total = 0, 0.0
    for m in _DUR.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f'time: invalid duration "{s}"')
    return total
