"""Ages the way kubectl shows them: apimachinery's `duration.HumanDuration`.

"5s", "2m30s", "10m", "3h5m", "4d", "2y10d": about 2-3 significant figures. The caller passes
`now`; nothing here reads the clock, so every AGE is testable.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone


def human_duration(seconds: float) -> str:
    """`duration.HumanDuration` for a duration in seconds."""
    # Go truncates toward zero: -1.5s is "-1" and tolerated as clock skew ("0s").
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    total = math.floor(seconds)
    minutes = total // 60
    if minutes < 10:
        s = total % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = total // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def parse_time(ts: str | None) -> datetime | None:
    """An RFC 3339 timestamp (metav1.Time or MicroTime) as an aware datetime; None if unset."""
    if not ts:
        return None
    s = ts.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    # fromisoformat in 3.11 accepts any number of fraction digits except more than 6
    if "." in s:
        head, _, rest = s.partition(".")
        frac = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, tz = rest[:i], rest[i:]
        s = f"{head}.{frac[:6].ljust(6, '0')}{tz}" if frac else head + tz
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    if dt.year == 1 and dt.month == 1 and dt.day == 1 and dt.hour == dt.minute == dt.second == 0:
        return None  # Go's zero time: metav1.Time.IsZero()
    return dt


def since(ts: str | None, now: datetime) -> float | None:
    """Seconds from `ts` to `now`, or None when `ts` is unset or unparsable."""
    dt = parse_time(ts)
    if dt is None:
        return None
    return (now - dt).total_seconds()


def age(ts: str | None, now: datetime) -> str:
    """`translateTimestampSince`: "<unknown>" for a zero timestamp."""
    secs = since(ts, now)
    if secs is None:
        return "<unknown>"
    return human_duration(secs)
