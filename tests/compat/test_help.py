"""Help as kubectl prints it: for these verbs `pykubectl VERB --help` is byte for byte what the
machine's kubectl v1.32 prints (long text, examples with cobra's indented blank lines, options
sorted by name with pflag's value rendering, usage). Runs offline: help never contacts a server."""
from __future__ import annotations

import subprocess

import pytest

from tests.conftest import real_kubectl

KUBECTL = real_kubectl()

VERBS = ["label", "annotate", "taint", "scale", "exec", "wait", "describe", "patch", "cordon",
         "uncordon", "drain", "expose", "autoscale", "top", "edit", "replace", "version",
         "api-resources", "explain", "events", "diff", "proxy"]


@pytest.mark.skipif(not KUBECTL, reason="no real kubectl on PATH")
@pytest.mark.parametrize("verb", VERBS)
def test_help_is_kubectls(fresh, verb):
    want = subprocess.run([KUBECTL, *verb.split(), "--help"], capture_output=True, text=True,
                          env=fresh.env, timeout=60)
    got = fresh(*verb.split(), "--help")
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)


SUBCOMMANDS = ["rollout", "rollout status", "rollout history", "rollout undo", "rollout restart",
               "rollout pause", "rollout resume", "set", "set image", "set env", "set resources",
               "config", "config view", "config use-context", "config use", "config get-contexts",
               "config set-context", "config set-cluster", "config set-credentials", "config set",
               "config unset", "config rename-context", "config delete-context",
               "config current-context", "auth", "auth can-i", "auth whoami", "create secret",
               "create service"]


@pytest.mark.skipif(not KUBECTL, reason="no real kubectl on PATH")
@pytest.mark.parametrize("path", SUBCOMMANDS)
def test_subcommand_help_is_kubectls(fresh, path):
    want = subprocess.run([KUBECTL, *path.split(), "--help"], capture_output=True, text=True,
                          env=fresh.env, timeout=60)
    got = fresh(*path.split(), "--help")
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)


@pytest.mark.skipif(not KUBECTL, reason="no real kubectl on PATH")
@pytest.mark.parametrize("group", ["config", "auth", "rollout", "set"])
def test_a_bare_group_prints_its_help_as_kubectl(fresh, group):
    want = subprocess.run([KUBECTL, group], capture_output=True, text=True, env=fresh.env, timeout=60)
    got = fresh(group)
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)


@pytest.mark.parametrize("path", ["create deployment", "create configmap", "create secret tls",
                                  "create service nodeport", "create token", "create job"])
def test_generator_help_offers_only_what_pykubectl_parses(fresh, path):
    from pykubectl.cli import create
    out = fresh(*path.split(), "--help").out
    want_head = subprocess.run([KUBECTL, *path.split(), "--help"], capture_output=True, text=True,
                               env=fresh.env, timeout=60).stdout.split("\nOptions:\n")[0] if KUBECTL else None
    head, opts = out.split("\nOptions:\n")
    if want_head is not None:
        assert head == want_head
    sub = path.split(" ", 1)[1]
    parsed = {f.name for f in create.FLAGS if f.dest in set(create._SUB[sub][0]) | create._COMMON_DESTS}
    listed = {line.split("--", 1)[1].split("=", 1)[0] for line in opts.splitlines()
              if line.startswith("    -") and "--" in line}
    assert listed and listed <= parsed | {"output"}
