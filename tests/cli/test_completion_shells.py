"""Completion in real zsh and fish: the scripts of `pykubectl completion zsh|fish` loaded into the
shells themselves. fish through its own completion entry point (`complete -C`), zsh interactively
in a tmux pane (compinit, a typed line, <TAB>, the screen read back). Skipped where a shell is not
installed (CI installs both)."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import pytest

# the same module-scoped lab (a deployment and a configmap to complete) as the bash tests
from tests.cli.test_completion import ROOT, lab  # noqa: F401,F811
from tests.conftest import VENV_BIN

FISH = shutil.which("fish")
ZSH = shutil.which("zsh")
TMUX = shutil.which("tmux")


def _env(kube) -> dict:
    return dict(kube.env, PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""))


FISH_CASES = [
    ("verbs", "pykubectl ge", ["get"]),
    ("verbs-several", "pykubectl de", ["debug", "delete", "describe"]),
    ("kinds", "pykubectl get configm", ["configmaps"]),
    ("names", "pykubectl get configmaps se", ["settings"]),
    ("namespaces", "pykubectl get pods -n kube-", ["kube-node-lease", "kube-public", "kube-system"]),
    ("names-in-namespace", "pykubectl -n kube-system get deploy cor", ["coredns"]),
    ("contexts", "pykubectl config use-context ", ["kubernetes-admin@kubernetes"]),
    ("verb-flags", "pykubectl get pods --all-n", ["--all-namespaces"]),
    ("output-formats", "pykubectl get pods -o y", ["yaml"]),
    ("nodes", "pykubectl cordon worker", ["worker-1", "worker-2"]),
    ("click-groups", "pykubectl cluster cr", ["create"]),
    ("unknown-verb", "pykubectl frobnicate ", []),
]


@pytest.mark.skipif(not FISH, reason="fish is not installed")
@pytest.mark.parametrize("line,want", [c[1:] for c in FISH_CASES], ids=[c[0] for c in FISH_CASES])
def test_fish_completion(lab, line, want):
    script = os.path.join(ROOT, "completions", "pykubectl.fish")
    p = subprocess.run([FISH, "--no-config", "-c", f"source {script}; complete -C '{line}'"],
                       capture_output=True, text=True, env=_env(lab), timeout=60)
    assert p.returncode == 0, p.stderr
    # fish prints "candidate<TAB>description"; ours carry no description
    assert sorted(ln.split("\t")[0] for ln in p.stdout.splitlines() if ln) == want


class ZshPane:
    """An interactive zsh in a private tmux server, with compinit and the pykubectl script."""

    def __init__(self, kube, tmp):
        self.sock = "pyk-" + uuid.uuid4().hex[:8]
        rc = os.path.join(tmp, ".zshrc")
        with open(rc, "w", encoding="utf-8") as f:
            f.write("PS1='%% '\nautoload -U compinit; compinit -u -D\n"
                    f"source {os.path.join(ROOT, 'completions', 'pykubectl.zsh')}\n")
        env = dict(_env(kube), ZDOTDIR=tmp, TERM="xterm")
        subprocess.run([TMUX, "-L", self.sock, "new-session", "-d", "-x", "150", "-y", "30",
                        f"{ZSH} -i"], env=env, check=True, timeout=30)
        self.wait(lambda s: s.rstrip().endswith("%"))

    def screen(self) -> str:
        return subprocess.run([TMUX, "-L", self.sock, "capture-pane", "-p"], capture_output=True,
                              text=True, timeout=30).stdout

    def wait(self, ready, timeout=30.0) -> str:
        end = time.monotonic() + timeout
        while True:
            s = self.screen()
            if ready(s) or time.monotonic() > end:
                return s
            time.sleep(0.1)

    def complete(self, line: str, ready) -> str:
        subprocess.run([TMUX, "-L", self.sock, "send-keys", line, "Tab"], check=True, timeout=30)
        s = self.wait(ready)
        subprocess.run([TMUX, "-L", self.sock, "send-keys", "C-u"], check=True, timeout=30)
        subprocess.run([TMUX, "-L", self.sock, "send-keys", "C-l"], check=True, timeout=30)
        self.wait(lambda s: s.strip() == "%")
        return s

    def close(self):
        subprocess.run([TMUX, "-L", self.sock, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def zsh(lab, tmp_path_factory):
    pane = ZshPane(lab, str(tmp_path_factory.mktemp("zdot")))
    yield pane
    pane.close()


ZSH_CASES = [
    # one candidate: zsh completes the word in the line
    ("verb", "pykubectl ge", "% pykubectl get "),
    ("namespace", "pykubectl get pods -n kube-sy", "% pykubectl get pods -n kube-system "),
    ("name", "pykubectl get configmaps se", "% pykubectl get configmaps settings "),
    ("deployment-in-namespace", "pykubectl -n kube-system get deploy cor",
     "% pykubectl -n kube-system get deploy coredns "),
]


@pytest.mark.skipif(not (ZSH and TMUX), reason="zsh or tmux is not installed")
@pytest.mark.parametrize("typed,line", [c[1:] for c in ZSH_CASES], ids=[c[0] for c in ZSH_CASES])
def test_zsh_completes_the_word(zsh, typed, line):
    def first(s):
        return (s.splitlines() or [""])[0].rstrip()
    s = zsh.complete(typed, lambda s: first(s) == line.rstrip())
    assert first(s) == line.rstrip(), s


@pytest.mark.skipif(not (ZSH and TMUX), reason="zsh or tmux is not installed")
def test_zsh_lists_several_candidates(zsh):
    s = zsh.complete("pykubectl get pods -n kube-", lambda s: "kube-system" in s and "kube-public" in s)
    listed = " ".join(s.splitlines()[1:]).split()
    assert {"kube-node-lease", "kube-public", "kube-system"} <= set(listed), s
