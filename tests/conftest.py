"""Shared fixtures: a private data home and kubeconfig per test (never the user's), the lab
cluster made once per session and copied, one helper to run the CLI, and the real kubectl.

With PYKUBECTL_TEST_VIA=http the same tests run through pykubectl's HTTP client: each local
cluster a test's kubeconfig names is served by `cluster serve` (started on first use) and every
command but the embedded-only groups (`cluster`, `sim`, `config`: they act on the local state or
the kubeconfig file itself) sees a kubeconfig pointing at those servers."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

import pytest

# Nothing a test runs in-process may touch the user's data home or kubeconfig: both point into
# a private folder for the whole session (subprocesses get their own through Kube.env).
_SESSION_HOME = tempfile.mkdtemp(prefix="pykubectl-tests-")
os.environ["PYKUBECTL_HOME"] = os.path.join(_SESSION_HOME, "data")
os.environ["KUBECONFIG"] = os.path.join(_SESSION_HOME, "kubeconfig")

VENV_BIN = os.path.dirname(sys.executable)
PYKUBECTL = os.path.join(VENV_BIN, "pykubectl")
VIA_HTTP = os.environ.get("PYKUBECTL_TEST_VIA") == "http"
EMBEDDED_VERBS = ("cluster", "sim", "config")
# tests that assert what only the embedded client can show, skipped under PYKUBECTL_TEST_VIA=http
# (node id prefix -> why); every other test must pass both ways
_VIRTUAL_TIMES = ("absolute times of a virtual clock: over HTTP the server shifts timestamps to the "
                  "client's wall clock (so ages are right), by a skew that moves each second")
EMBEDDED_ONLY = {
    "tests/cli/test_wait.py::test_unmet_fails_at_once_under_a_virtual_clock":
        "only the embedded client knows the clock is virtual; over HTTP wait sits out --timeout, as kubectl",
    "tests/cli/test_discovery_verbs.py::test_cluster_info_": "prints the lab's own URL, not the served port",
    "tests/cli/test_clusters.py::test_seeded_clusters_are_reproducible": _VIRTUAL_TIMES,
    "tests/cli/test_describe.py::test_describe_applied_pod_after_five_seconds": _VIRTUAL_TIMES,
    "tests/cli/test_events.py::test_repeated_event_shows_count_interval": _VIRTUAL_TIMES + " (it writes "
        "timestamps read from `sim now`)",
    "tests/cli/test_diff.py::test_changed_object_shows_a_unified_diff_and_exits_1": _VIRTUAL_TIMES +
        " (live and merged are read a moment apart)",
}
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
        self.servers: dict[str, tuple] = {}   # local cluster -> (`cluster serve` process, port)

    def __call__(self, *args: str, input: str | None = None, check: bool = False, timeout=120) -> Result:
        env = self.env
        if VIA_HTTP and args and args[0] not in EMBEDDED_VERBS \
                and not any(a == "--kubeconfig" or a.startswith("--kubeconfig=") for a in args):
            env = self.served_env()
        p = subprocess.run([PYKUBECTL, *args], input=input, capture_output=True, text=True,
                           env=env, timeout=timeout)
        r = Result(p.returncode, p.stdout, p.stderr)
        if check and r.code != 0:
            raise AssertionError(f"pykubectl {' '.join(args)} failed ({r.code}): {r.err}")
        return r

    def served_env(self) -> dict:
        """self.env with KUBECONFIG pointing at servers of the kubeconfig's local clusters (each
        started on first use); self.env when there is no local cluster yet."""
        import yaml
        from tests.compat import serving
        try:
            with open(self.kubeconfig) as f:
                kc = yaml.load(f, Loader=yaml.CSafeLoader) or {}
        except OSError:
            return self.env
        urls = {}
        for c in kc.get("clusters") or ():
            name = serving.local_cluster((c or {}).get("cluster") or {})
            state = os.path.join(self.env["PYKUBECTL_HOME"], "clusters", name or "", "state.db")
            if not name or not os.path.exists(state):
                continue
            if name not in self.servers or self.servers[name][0].poll() is not None:
                # `cluster serve` points the kubeconfig it reads at itself: give it a copy
                scratch = os.path.join(self.home, f"kubeconfig-serve-{name}")
                shutil.copyfile(self.kubeconfig, scratch)
                self.servers[name] = serving.start(dict(self.env, KUBECONFIG=scratch), name)
            urls[name] = f"https://127.0.0.1:{self.servers[name][1]}"
        if not urls:
            return self.env
        path = os.path.join(self.home, "kubeconfig-http")
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(serving.as_served(kc, urls), f)
        return dict(self.env, KUBECONFIG=path)

    def close(self) -> None:
        from tests.compat import serving
        for proc, _port in self.servers.values():
            serving.stop(proc)
        self.servers.clear()


def pytest_collection_modifyitems(config, items):
    if not VIA_HTTP:
        return
    for item in items:
        why = next((r for prefix, r in EMBEDDED_ONLY.items() if item.nodeid.startswith(prefix)), None)
        if why:
            item.add_marker(pytest.mark.skip(reason=f"embedded only: {why}"))


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
    k = Kube(home)
    yield k
    k.close()


@pytest.fixture
def fresh(tmp_path) -> Kube:
    """An empty home: no kubeconfig, no cluster."""
    home = str(tmp_path / "fresh")
    os.makedirs(home)
    k = Kube(home)
    yield k
    k.close()


@pytest.fixture
def cluster(tmp_path, lab_template):
    """The lab cluster in-process (apiserver core, store, engine) on a copy, virtual clock."""
    from pykubectl.sim.clusters import Cluster
    home = str(tmp_path / "home")
    shutil.copytree(lab_template, home)
    c = Cluster("kubernetes", {"PYKUBECTL_HOME": os.path.join(home, "data")})
    yield c
    c.close()


def manifest(name: str) -> str:
    return os.path.join(MANIFESTS, name)
