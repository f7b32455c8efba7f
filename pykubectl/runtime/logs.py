"""Container logs: lines a simulated process wrote, kept per container instance in its writable
layer (so `--previous` reads the instance before the last restart)."""
from __future__ import annotations

LOG_PATH = "/.pykubectl/stdout"


def _fs(view, pod, container, restarts=None, now=0.0):
    from pykubectl.runtime import fs
    if restarts is None:
        return fs.container_fs(view, pod, container, now)
    return fs.FS(fs.db_of(view), f"pod/{pod['metadata'].get('uid')}/ctr/{container}/{restarts}", now)


def append(view, pod: dict, container: str, now: float, line: str) -> None:
    from pykubectl.store.clock import rfc3339
    f = _fs(view, pod, container, now=now)
    # no kubelet wake-up for a log line: write through the bare FS
    from pykubectl.runtime import fs
    fs.FS(f.db, f.scope, now).write(LOG_PATH, f"{rfc3339(now)} {line}\n", append=True)


def read(view, pod: dict, container: str, restarts: int) -> list[tuple[str, str]]:
    """[(rfc3339 timestamp, line)] of one container instance."""
    text = _fs(view, pod, container, restarts).read(LOG_PATH) or ""
    out = []
    for ln in text.splitlines():
        ts, _, msg = ln.partition(" ")
        out.append((ts, msg))
    return out
