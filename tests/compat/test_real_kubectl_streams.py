"""The streaming verbs against `pykubectl cluster serve`: the real kubectl v1.32 (pods/log over
HTTP; exec, cp and attach over WebSocket `v5.channel.k8s.io`; port-forward over SPDY/3.1 in a
WebSocket) and pykubectl through its HTTP client must print what pykubectl prints in-process.

One server per module on a free 127.0.0.1 port, started after the pods are running (virtual
clock). Everything that waits is bounded: a follow or an attach is killed once its line came.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest

from tests.compat.serving import ServedLab, served_fixture
from tests.conftest import PYKUBECTL, real_kubectl

KUBECTL = real_kubectl()


class Served(ServedLab):
    """Runs a verb as `who`: the real kubectl, pykubectl over HTTP, or pykubectl in-process."""

    def argv(self, who: str, *args) -> list[str]:
        if who == "real":
            return self.kubectl_argv(*args)
        return [PYKUBECTL, *args]

    def env(self, who: str) -> dict:
        if who == "real":
            return self.kubectl_env()
        return self.remote.env if who == "http" else self.local.env

    def __call__(self, who: str, *args, input: str | None = None, timeout=60):
        p = subprocess.run(self.argv(who, *args), capture_output=True, text=True, input=input,
                           env=self.env(who), timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def popen(self, who: str, *args):
        return subprocess.Popen(self.argv(who, *args), env=self.env(who), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)


WHO = [pytest.param("real", marks=pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")),
       "http"]


def running(*commands):
    """A served_fixture `prepare` that runs these pykubectl commands (pods started, in order)."""
    def prepare(local):
        for args in commands:
            local(*args, check=True)
    return prepare


served = served_fixture("served-streams", cls=Served, prepare=running(
    ("run", "web", "--image=nginx"), ("run", "app", "--image=kubetm/app"),
    ("run", "bb", "--image=busybox", "--", "sleep", "3600"),
    ("run", "three", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo one; echo two; echo three"),
    ("sim", "advance", "3s"), ("run", "later", "--image=nginx")))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("args", [
    ("logs", "three"),
    ("logs", "three", "--tail=2"),
    ("logs", "three", "--tail=0"),
    ("logs", "three", "-f"),
    ("logs", "three", "--limit-bytes=6"),
    ("logs", "pod/three", "-c", "three"),
    ("logs", "later"),
    ("logs", "three", "--previous"),
    ("logs", "nothere"),
    ("exec", "web", "--", "echo", "hi"),
    ("exec", "web", "--", "sh", "-c", "echo out; exit 2"),
    ("exec", "web", "--", "cat", "/nope"),
    ("exec", "web", "--", "hostname"),
    ("exec", "later", "--", "ls"),
    ("exec", "web", "-c", "nope", "--", "ls"),
    ("exec", "three", "--", "ls"),
    ("attach", "three"),
], ids=["logs", "tail", "tail-0", "follow-ended", "limit-bytes", "container", "waiting", "no-previous",
        "no-pod", "exec-echo", "exec-exit-2", "exec-stderr", "exec-hostname", "exec-waiting",
        "exec-unknown-container", "exec-completed", "attach-completed"])
def test_streams_print_what_the_local_client_prints(served, who, args):
    ours = served("local", *args)
    theirs = served(who, *args)
    assert theirs == ours
    assert ours[1] or ours[2] or "--tail=0" in args


@pytest.mark.parametrize("who", WHO)
def test_exec_passes_stdin(served, who):
    assert served(who, "exec", "-i", "bb", "--", "cat", input="line one\nline two\n") == \
        (0, "line one\nline two\n", "")


@pytest.mark.parametrize("who", WHO)
def test_cp_both_ways(served, who, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha\n")
    (src / "sub" / "b.txt").write_text("beta\n")
    dest = f"/tmp/{who}"
    assert served(who, "cp", str(src), f"web:{dest}") == (0, "", "")
    assert served("local", "exec", "web", "--", "cat", f"{dest}/a.txt", f"{dest}/sub/b.txt")[1] == "alpha\nbeta\n"
    back = tmp_path / "back"
    code, out, err = served(who, "cp", f"web:{dest}", str(back))
    assert (code, out, err) == (0, "tar: Removing leading `/' from member names\n", "")
    assert (back / "a.txt").read_text() == "alpha\n" and (back / "sub" / "b.txt").read_text() == "beta\n"


def _readline(p, timeout=20.0) -> str:
    """One line of a child's stdout, or "" when none came in time."""
    import threading
    got = []
    t = threading.Thread(target=lambda: got.append(p.stdout.readline()), daemon=True)
    t.start()
    t.join(timeout)
    return got[0] if got else ""


def _wget(served, path: str):
    ip = served("local", "get", "pod", "app", "-o", "jsonpath={.status.podIP}")[1]
    assert served("local", "exec", "bb", "--", "wget", "-qO-", f"{ip}:8080{path}")[0] == 0


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("verb", ["logs-f", "attach"])
def test_follow_and_attach_show_new_lines(served, who, verb):
    import queue
    import threading
    args = ("logs", "-f", "app", "--tail=0") if verb == "logs-f" else ("attach", "app")
    p = served.popen(who, *args)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in p.stdout], daemon=True).start()
    try:
        # requests until the client shows one: it may take a moment to connect, and what came
        # before it connected is not shown (tail 0, attach)
        for i in range(20):
            _wget(served, f"/{who}-{verb}-{i}")
            try:
                first = lines.get(timeout=1.0)
                break
            except queue.Empty:
                continue
        else:
            pytest.fail(f"{verb} showed nothing")
        _wget(served, f"/{who}-{verb}-last")
        assert lines.get(timeout=20) == f"GET /{who}-{verb}-last\n"
        assert first.startswith(f"GET /{who}-{verb}-")
    finally:
        p.kill()
        p.wait(timeout=10)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("who", WHO)
def test_port_forward_through_the_api_server(served, who):
    # the real kubectl tunnels SPDY/3.1 in a WebSocket; pykubectl speaks portforward.k8s.io
    port = _free_port()
    p = served.popen(who, "port-forward", "pod/app", f"{port}:8080")
    try:
        assert _readline(p) == f"Forwarding from 127.0.0.1:{port} -> 8080\n"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /hostname HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data = b""
            while not data.endswith(b"Hostname : app\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"\r\n\r\nHostname : app\n")
    finally:
        p.kill()
        p.communicate(timeout=10)


def _in_terminal(argv, env, keys, settle=1.0, timeout=30.0) -> tuple[str, int]:
    """Run argv on a pseudo-terminal, typing `keys` one by one: (what the terminal showed, exit code)."""
    import pty
    import select
    pid, fd = pty.fork()
    if pid == 0:   # the child: the CLI on the terminal
        os.execve(argv[0], argv, env)
    shown = b""

    def pump(seconds):
        nonlocal shown
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    shown += os.read(fd, 4096)
                except OSError:
                    return
    pump(settle * 2)
    for k in keys:
        os.write(fd, k)
        pump(settle)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            pump(0.2)
            return shown.decode(errors="replace"), os.waitstatus_to_exitcode(status)
        pump(0.2)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return shown.decode(errors="replace"), -1


@pytest.mark.parametrize("who", WHO)
def test_exec_it_is_a_small_terminal(served, who):
    shown, code = _in_terminal(served.argv(who, "exec", "-it", "web", "--", "sh"), served.env(who),
                               [b"hostname\r", b"exit 3\r"])
    assert code == 3
    assert shown.replace("\r\n", "\n").endswith("# hostname\nweb\n# exit 3\ncommand terminated with exit code 3\n")
