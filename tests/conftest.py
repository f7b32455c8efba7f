"""Shared fixtures: a private data home and kubeconfig per test (never the user's), the lab
cluster made once per session and copied, one helper to run the CLI, and the real kubectl."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

import pytest

VENV_BIN = os.path.dirname(sys.executable)
PYKUBECTL = os.path.join(VENV_BIN, "pykubectl")
MANIFESTS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "exercises", "manifests")
if not os.path.isdir(MANIFESTS):
    MANIFESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "exercises", "manifests"))


def real_kubectl() -> str | None:
    """The real kubectl, found on PATH with the venv left out."""
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if os.path.abspath(p) != os.path.abspath(VENV_BIN))
    return shutil.which("kubectl", path=path)


@dataclass
class Result:
    code: int
    out: str
    err: str


class Kube:
    """Runs pykubectl as a user would, in an environment of its own."""

    def __init__(self, home: str):
        self.home = home
        self.kubeconfig = os.path.join(home, "kubeconfig")
        self.env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG",)}
        self.env.update(PYKUBECTL_HOME=os.path.join(home, "data"), KUBECONFIG=self.kubeconfig,
                        HOME=home, PYTHONDONTWRITEBYTECODE="1")

    def __call__(self, *args: str, input: str | None = None, check: bool = False, timeout=120) -> Result:
        p = subprocess.run([PYKUBECTL, *args], input=input, capture_output=True, text=True,
                           env=self.env, timeout=timeout)
        r = Result(p.returncode, p.stdout, p.stderr)
        if check and r.code != 0:
            raise AssertionError(f"pykubectl {' '.join(args)} failed ({r.code}): {r.err}")
        return r


@pytest.fixture(scope="session")
def lab_template(tmp_path_factory):
    """The lab cluster, created once (virtual clock) and copied into each test's home."""
    home = str(tmp_path_factory.mktemp("labtemplate"))
    k = Kube(home)
    k("cluster", "create", "kubernetes", "--clock", "virtual", "--context", "kubernetes-admin@kubernetes",
      check=True)
    return home


@pytest.fixture
def kube(tmp_path, lab_template) -> Kube:
    home = str(tmp_path / "home")
    shutil.copytree(lab_template, home)
    return Kube(home)


@pytest.fixture
def fresh(tmp_path) -> Kube:
    """An empty home: no kubeconfig, no cluster."""
    home = str(tmp_path / "fresh")
    os.makedirs(home)
    return Kube(home)


def manifest(name: str) -> str:
    return os.path.join(MANIFESTS, name)
