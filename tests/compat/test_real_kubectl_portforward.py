"""The real kubectl v1.32's `port-forward` against `pykubectl cluster serve`: SPDY/3.1 inside a
WebSocket (its default since 1.31) and plain SPDY/3.1 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false,
its fallback), the simulated image answering behind the local port.

Bounded everywhere: kubectl is killed at the end of each test, every read has a timeout, and
only 127.0.0.1 is dialled.
"""
from __future__ import annotations

import queue
import re
import threading
import urllib.error
import urllib.request

import pytest

from tests.compat.serving import served_fixture
from tests.compat.test_real_kubectl_streams import KUBECTL, Served, running

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")

TRANSPORTS = {"websocket": {}, "spdy": {"KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"}}


served = served_fixture("served-portforward", cls=Served, prepare=running(
    ("run", "web", "--image=nginx"), ("run", "app", "--image=kubetm/app"), ("sim", "advance", "3s")))


class Forward:
    """`kubectl port-forward` running: its local port once it said so, its output lines."""

    def __init__(self, served, transport: str, *args):
        import subprocess
        env = dict(served.env("real"), **TRANSPORTS[transport])
        self.proc = subprocess.Popen(served.argv("real", "port-forward", *args), env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out, self.err = queue.Queue(), queue.Queue()
        for stream, q in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=lambda s=stream, q=q: [q.put(ln) for ln in s], daemon=True).start()

    def line(self, timeout=20.0) -> str:
        try:
            return self.out.get(timeout=timeout)
        except queue.Empty:
            return ""

    def errors(self, timeout=10.0) -> str:
        try:
            return self.err.get(timeout=timeout)
        except queue.Empty:
            return ""

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def forward(served):
    running = []

    def start(transport, *args):
        running.append(Forward(served, transport, *args))
        return running[-1]
    yield start
    for f in running:
        f.stop()


def _local_port(line: str, remote: int) -> int:
    m = re.fullmatch(rf"Forwarding from 127\.0\.0\.1:(\d+) -> {remote}\n", line)
    assert m, line
    return int(m.group(1))


def _get(port: int, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as r:
        return r.status, r.read().decode()


@pytest.mark.parametrize("transport", list(TRANSPORTS))
@pytest.mark.parametrize("pod, remote, path, expect", [
    ("app", 8080, "/hostname", "Hostname : app\n"),
    ("web", 80, "/", "<title>Welcome to nginx!</title>"),
], ids=["kubetm-app", "nginx"])
def test_port_forward_reaches_the_image(served, forward, transport, pod, remote, path, expect):
    f = forward(transport, f"pod/{pod}", f":{remote}")
    port = _local_port(f.line(), remote)
    assert f.line() == f"Forwarding from [::1]:{port} -> {remote}\n"
    status, body = _get(port, path)
    assert status == 200 and expect in body
    assert f.line() == f"Handling connection for {port}\n"
    # a second connection over the same session: a new pair of streams
    assert _get(port, path) == (status, body)


@pytest.mark.parametrize("transport", list(TRANSPORTS))
def test_nothing_listening_is_said_on_the_error_stream(served, forward, transport):
    f = forward(transport, "pod/app", ":81")
    port = _local_port(f.line(), 81)
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        _get(port, "/")
    # kubectl's HandleError line (klog prefix, then the kubelet's text), and it gives up
    assert f.errors().endswith(
        f'"Unhandled Error" err="an error occurred forwarding {port} -> 81: error forwarding port 81 '
        f'to pod app, uid : failed to connect to localhost:81 inside namespace: connection refused"\n')
    assert f.errors() == "error: lost connection to pod\n"
    assert f.proc.wait(timeout=10) == 1
