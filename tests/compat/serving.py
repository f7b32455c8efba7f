"""Starting and stopping `pykubectl cluster serve` for tests: a free 127.0.0.1 port, bounded,
always killed at the end; the kubeconfig that points a client at it as an API server; and the
module fixture the compat tests share (a copy of the lab, served, with that kubeconfig)."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess

import pytest

from tests.conftest import PYKUBECTL, Kube, real_kubectl

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


class ServedLab:
    """A copy of the lab cluster while `cluster serve` serves it. `local` runs pykubectl on the
    embedded cluster, `remote` runs it through its HTTP client, and `kubeconfig` is the file the
    real kubectl and `remote` read: the lab's, pointed at the server, without the local mark."""

    def __init__(self, local: Kube, port: int):
        import yaml
        self.local, self.port, self.home = local, port, local.home
        self.url = f"https://127.0.0.1:{port}"
        with open(local.kubeconfig) as f:
            kc = yaml.safe_load(f)
        urls = {name: self.url for c in kc.get("clusters") or ()
                if (name := local_cluster((c or {}).get("cluster") or {}))}
        self.kubeconfig = os.path.join(self.home, "kubeconfig-served")
        fd = os.open(self.kubeconfig, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(as_served(kc, urls), f)
        self.remote = Kube(self.home)
        self.remote.kubeconfig = self.remote.env["KUBECONFIG"] = self.kubeconfig

    def kubectl_argv(self, *args: str) -> list[str]:
        exe = real_kubectl()
        if exe is None:
            pytest.skip("no real kubectl on PATH")
        return [exe, "--kubeconfig", self.kubeconfig, *args]

    def kubectl_env(self) -> dict:
        """The real kubectl's environment: nothing of pykubectl's (no KUBECONFIG, its own HOME)."""
        return {"PATH": os.environ.get("PATH", ""), "HOME": self.home}

    def kubectl(self, *args: str, input: str | None = None, timeout=60, env: dict | None = None
                ) -> subprocess.CompletedProcess:
        """The real kubectl against the server (`env`: variables added to its environment)."""
        return subprocess.run(self.kubectl_argv(*args), capture_output=True, text=True, input=input,
                              env={**self.kubectl_env(), **(env or {})}, timeout=timeout)


@contextlib.contextmanager
def served_lab(tmp_path_factory, lab_template: str, label: str, prepare=None, cls=ServedLab):
    """A copy of the lab in a temp home named after `label`, `prepare(local Kube)` run on it,
    then served: yields a `cls` (a ServedLab); every server is stopped on the way out."""
    home = str(tmp_path_factory.mktemp(label) / "home")
    shutil.copytree(lab_template, home)
    local = Kube(home)
    try:
        if prepare is not None:
            prepare(local)
        with serve(local.env) as port:
            lab = cls(local, port)
            try:
                yield lab
            finally:
                lab.remote.close()
    finally:
        local.close()   # servers PYKUBECTL_TEST_VIA=http started for `local`


def served_fixture(label: str, prepare=None, cls=ServedLab):
    """A module-scoped `served` fixture over served_lab (one server a module)."""
    @pytest.fixture(scope="module")
    def served(tmp_path_factory, lab_template):
        with served_lab(tmp_path_factory, lab_template, label, prepare, cls) as lab:
            yield lab
    return served
