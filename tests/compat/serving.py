"""Starting and stopping `pykubectl cluster serve` for compat tests: a free 127.0.0.1 port,
bounded, always killed at the end."""
from __future__ import annotations

import contextlib
import re
import signal
import subprocess

from tests.conftest import PYKUBECTL


@contextlib.contextmanager
def serve(env: dict):
    """Run `cluster serve --port 0` with env; yields the port it bound."""
    proc = subprocess.Popen([PYKUBECTL, "cluster", "serve", "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"https://127\.0\.0\.1:(\d+)", line)
        assert m, f"no banner: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        yield int(m.group(1))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
