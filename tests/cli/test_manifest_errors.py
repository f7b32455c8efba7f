"""A manifest kubectl cannot use is refused in kubectl's words: by schema validation for apply,
create and replace (with the hint to turn it off), by the decoder for the others and with
--validate=false; standard input is called STDIN. Compared with the real kubectl v1.32 offline
(these errors come before any request)."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import real_kubectl


def kubectl_132() -> str | None:
    """The machine's kubectl v1.32 client itself: the gcloud dispatcher answers offline errors
    with its own `Error:` prefix, so take the versioned binary beside it when there is one."""
    k = real_kubectl()
    if k is None:
        return None
    beside = os.path.join(os.path.dirname(os.path.realpath(k)), "kubectl.1.32")
    return beside if os.path.exists(beside) else k


KUBECTL = kubectl_132()

DOCS = {
    "no-kind": "apiVersion: v1\nmetadata: {name: x}\n",
    "no-apiversion": "kind: ConfigMap\nmetadata: {name: x}\n",
    "a-list": "- a\n- b\n",
    "a-string": "just text\n",
}
VERBS = [("create", "--dry-run=client"), ("apply", "--dry-run=client"), ("create", "--validate=false"),
         ("delete",), ("label", "x=y"), ("annotate", "x=y")]
CASES = [(v, d, stdin) for v in VERBS for d in DOCS for stdin in (False, True)
         # without validation a kind-less-apiVersion document needs the server's discovery
         if not (d == "no-apiversion" and "--dry-run=client" not in v)]


@pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")
@pytest.mark.parametrize("verb,doc,stdin", CASES,
                         ids=[f"{' '.join(v)}-{d}-{'stdin' if s else 'file'}" for v, d, s in CASES])
def test_refused_as_kubectl_refuses(fresh, tmp_path, verb, doc, stdin):
    path = tmp_path / "m.yaml"
    path.write_text(DOCS[doc])
    args = [*verb, "-f", "-" if stdin else str(path)]
    want = subprocess.run([KUBECTL, *args], input=DOCS[doc] if stdin else None, capture_output=True,
                          text=True, timeout=60, env={"PATH": os.environ.get("PATH", ""),
                                                      "HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "none")})
    got = fresh(*args, input=DOCS[doc] if stdin else None)
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)
