"""What the write verbs import: every command pays its imports (PyYAML ~10 ms, click more), so
the verbs never import click (only `cluster` and `sim` are click groups) and a JSON manifest or
patch body never imports PyYAML. Also: JSON read without PyYAML means what PyYAML would read."""
import json

import pytest

from pykubectl import yamlio
from tests.conftest import VIA_HTTP

POD = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}})


def imported(stderr: str) -> set[str]:
    """Top-level packages named by -X importtime's lines."""
    out = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            out.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return out


NEITHER = ("click", "yaml")
# (command, stdin, packages it must not import)
WRITES = [
    (["apply", "-f", "-"], POD, NEITHER),
    (["label", "pod", "web", "tier=front"], None, NEITHER),
    (["label", "pod", "web", "tier=front", "--overwrite"], None, NEITHER),   # now a no-op
    (["annotate", "pod", "web", "note=x"], None, NEITHER),
    (["patch", "pod", "web", "-p", '{"metadata":{"labels":{"x":"y"}}}'], None, NEITHER),
    # (printers/output.py imports PyYAML at its top: `create` pays it for now)
    (["create", "configmap", "cm", "--from-literal=a=b"], None, ("click",)),
    (["delete", "configmap", "cm"], None, NEITHER),
]
IDS = ["apply-json", "label", "label-noop", "annotate", "patch-json", "create-configmap", "delete"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, lab_template):
    """Each write, in order on one lab, with the modules it imported."""
    import shutil
    from tests.conftest import Kube
    home = str(tmp_path_factory.mktemp("imports") / "home")
    shutil.copytree(lab_template, home)
    kube = Kube(home)
    kube("apply", "-f", "-", input=POD, check=True)
    out = []
    for args, stdin, _ in WRITES:
        kube.env["PYTHONPROFILEIMPORTTIME"] = "1"
        r = kube(*args, input=stdin)
        del kube.env["PYTHONPROFILEIMPORTTIME"]
        out.append(r)
    yield out
    kube.close()


@pytest.mark.skipif(VIA_HTTP, reason="the in-process client's imports; over HTTP the served kubeconfig is parsed "
                                       "with PyYAML (kubeconfig.parse)")
@pytest.mark.parametrize("i", range(len(WRITES)), ids=IDS)
def test_write_verbs_import_neither_click_nor_yaml(runs, i):
    r = runs[i]
    assert r.code == 0, r.err
    assert not set(WRITES[i][2]) & imported(r.err)


# JSON texts a user may pass: what json reads must be what the YAML loader reads
JSON_TEXTS = [
    '{"a": {"b": [1, 2.5, true, false, null]}}',
    '[{"op": "replace", "path": "/spec/replicas", "value": 3}]',
    '{"unicode": "h\\u00e9llo", "empty": {}, "list": []}',
    '{"a": NaN, "b": Infinity}',
    '  {"lead": "whitespace"}\n',
]


@pytest.mark.parametrize("text", JSON_TEXTS, ids=["nested", "json-patch", "unicode", "nan-as-string", "padded"])
def test_json_reads_as_yaml_would(text):
    import yaml
    assert yamlio.load_one(text) == yaml.load(text, Loader=yamlio._loader_class())
    docs = yamlio.load_documents(text)
    if isinstance(yaml.load(text, Loader=yamlio._loader_class()), dict):
        assert docs == [(yaml.load(text, Loader=yamlio._loader_class()), [])]


@pytest.mark.parametrize("text,want", [("{a: b} # flow YAML", {"a": "b"}), ("[1, 2,]", [1, 2])],
                         ids=["flow-yaml", "trailing-comma"])
def test_not_quite_json_falls_back_to_yaml(text, want):
    assert yamlio.load_one(text) == want
