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
