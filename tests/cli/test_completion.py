"""Shell completion: the scripts under completions/ are `pykubectl completion SHELL`'s output,
and bash completion is exercised in a real bash (COMP_WORDS/COMP_CWORD, then the function), with
candidates coming from the CLI's tables, the lab cluster and the kubeconfig."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import VENV_BIN

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "completions", "pykubectl.bash")
BIN = os.path.dirname(shutil.which("pykubectl") or os.path.join(ROOT, ".venv", "bin", "pykubectl"))


def bash_complete(kube, *words: str) -> list[str]:
    """COMPREPLY for `pykubectl WORDS`, the last word being the one completed."""
    arr = " ".join("'" + w.replace("'", "'\\''") + "'" for w in ("pykubectl", *words))
    prog = (f"source {SCRIPT}\nCOMP_WORDS=({arr}); COMP_CWORD={len(words)}\n"
            "_pykubectl_complete\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = dict(kube.env, PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""))
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    return [ln for ln in p.stdout.splitlines() if ln]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, lab_template):
    """One lab cluster for the whole module, with a deployment's pods to complete."""
    from tests.conftest import Kube
    home = str(tmp_path_factory.mktemp("completion") / "home")
    shutil.copytree(lab_template, home)
    k = Kube(home)
    k("create", "deployment", "web", "--image=nginx", check=True)
    k("create", "configmap", "settings", "--from-literal=a=b", check=True)
    yield k
    k.close()   # the servers PYKUBECTL_TEST_VIA=http started for it


CASES = [
    ("verbs", ["ge"], ["get"]),
    ("verbs-several", ["de"], ["debug", "delete", "describe"]),
    ("kinds", ["get", "deploy"], ["deployments.apps"]),
    ("kinds-core", ["get", "configm"], ["configmaps"]),
    ("names", ["get", "configmaps", "set"], ["settings"]),
    ("names-of-short-name", ["describe", "deploy", ""], ["web"]),
    ("type-slash-name", ["get", "deploy/w"], ["deploy/web"]),
    ("names-in-namespace-flag", ["-n", "kube-system", "get", "deploy", "cor"], ["coredns"]),
    ("namespaces", ["get", "pods", "-n", "kube-"], ["kube-node-lease", "kube-public", "kube-system"]),
    ("namespaces-after-equals", ["get", "pods", "--namespace", "=", "kube-s"], ["kube-system"]),
    ("contexts", ["config", "use-context", ""], ["kubernetes-admin@kubernetes"]),
    ("context-flag", ["get", "pods", "--context", "kub"], ["kubernetes-admin@kubernetes"]),
    ("verb-flags", ["get", "pods", "--all-n"], ["--all-namespaces"]),
    ("global-flags", ["get", "--kubec"], ["--kubeconfig"]),
    ("names-after-a-flag-value", ["get", "-o", "yaml", "configmaps", "se"], ["settings"]),
    ("output-formats", ["get", "pods", "-o", "y"], ["yaml"]),
    ("nodes-for-cordon", ["cordon", "worker"], ["worker-1", "worker-2"]),
    ("subcommands", ["rollout", "st"], ["status"]),
    ("rollout-names", ["rollout", "status", "deployment", ""], ["web"]),
    ("click-groups", ["cluster", "cr"], ["create"]),
    ("shells", ["completion", ""], ["bash", "zsh", "fish"]),
    ("explain-kinds-only", ["explain", "cronj"], ["cronjobs.batch"]),
    ("unknown-verb-offers-nothing", ["frobnicate", ""], []),
    ("unknown-kind-offers-nothing", ["get", "frobs", ""], []),
]


@pytest.mark.parametrize("words,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bash_completion(lab, words, want):
    assert bash_complete(lab, *words) == want


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_in_repo_are_the_generated_ones(fresh, shell):
    r = fresh("completion", shell)
    with open(os.path.join(ROOT, "completions", f"pykubectl.{shell}"), encoding="utf-8") as f:
        assert (r.code, r.out, r.err) == (0, f.read(), "")


def test_bash_script_is_valid_bash():
    p = subprocess.run(["bash", "-n", SCRIPT], capture_output=True, text=True)
    assert (p.returncode, p.stderr) == (0, "")


ERRORS = [
    ("no-shell", [], "error: Shell not specified.\nSee 'kubectl completion -h' for help and examples\n"),
    ("bad-shell", ["tcsh"], 'error: Unsupported shell type "tcsh".\nSee \'kubectl completion -h\' for help and examples\n'),
    ("two-shells", ["bash", "zsh"], "error: Too many arguments. Expected only the shell type.\nSee 'kubectl completion -h' for help and examples\n"),
]


@pytest.mark.parametrize("args,want", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors_in_kubectl_words(fresh, args, want):
    r = fresh("completion", *args)
    assert (r.code, r.out, r.err) == (1, "", want)


def test_complete_without_a_cluster_offers_verbs_and_never_fails(fresh):
    r = fresh("completion", "__complete", "--", "get", "pods", "")
    assert (r.code, r.out, r.err) == (0, "", "")
    r = fresh("completion", "__complete", "--", "ver")
    assert (r.code, r.out) == (0, "version\n")
