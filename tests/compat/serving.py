"""Starting and stopping `pykubectl cluster serve` for tests: a free 127.0.0.1 port, bounded,
always killed at the end; and the kubeconfig that points a client at it as an API server."""
from __future__ import annotations

import contextlib
import re
import signal
import subprocess

from tests.conftest import PYKUBECTL

LOCAL_MARK = "pykubectl"   # pykubectl.kubeconfig.LOCAL_EXTENSION


def start(env: dict, name: str | None = None) -> tuple[subprocess.Popen, int]:
    """`cluster serve [name] --port 0` with env: the process and the port it bound."""
    proc = subprocess.Popen([PYKUBECTL, "cluster", "serve", *([name] if name else []), "--port", "0"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"https://127\.0\.0\.1:(\d+)", line)
    if not m:
        err = proc.stderr.read() if proc.poll() is not None else ""
        stop(proc)
        raise AssertionError(f"no banner: {line!r} {err}")
    return proc, int(m.group(1))


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    for f in (proc.stdout, proc.stderr):
        if f:
            f.close()


@contextlib.contextmanager
def serve(env: dict, name: str | None = None):
    """Run `cluster serve --port 0` with env; yields the port it bound."""
    proc, port = start(env, name)
    try:
        yield port
    finally:
        stop(proc)


def local_cluster(entry: dict) -> str | None:
    """The pykubectl cluster a kubeconfig cluster entry is marked with, if any."""
    for ext in entry.get("extensions") or ():
        if isinstance(ext, dict) and ext.get("name") == LOCAL_MARK:
            name = (ext.get("extension") or {}).get("cluster")
            if isinstance(name, str):
                return name
    return None


def as_served(kc: dict, urls: dict[str, str]) -> dict:
    """A copy of kubeconfig `kc` whose cluster entries for the local clusters in `urls` (name ->
    URL) point at their servers and carry no local mark, so pykubectl talks HTTP to them."""
    import copy
    kc = copy.deepcopy(kc)
    for c in kc.get("clusters") or ():
        body = c.get("cluster") or {}
        name = local_cluster(body)
        if name in urls:
            body["server"] = urls[name]
            body.pop("extensions", None)
    return kc
