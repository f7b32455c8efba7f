"""Bad input through the CLI: every refused input answers with kubectl's kind of error (one line
on stderr unless kubectl itself prints more), a non-zero exit, never a traceback, and the cluster's
state unchanged."""
from __future__ import annotations

import json
import random

import pytest

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ok"},
       "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def _pod(**over):
    d = json.loads(json.dumps(POD))
    for path, v in over.items():
        cur = d
        keys = path.split("__")
        for k in keys[:-1]:
            cur = cur[k]
        cur[keys[-1]] = v
    return json.dumps(d)


def _big_cm(size: int) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
                       "data": {"k": "x" * size}})


# (id, file content (str or bytes), lines on stderr (apply, create), expected stderr (None: any)).
# kubectl prints several lines only where it does: "ensure CRDs are installed first", one line
# per cause of an Invalid status.
FILES = [
    ("yaml-unclosed-flow", "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n", 1, None),
    ("yaml-tab-indent", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n", 1, None),
    ("yaml-bad-mapping", "apiVersion: v1\nkind: Pod\n  metadata: x\n: y\n", 1, None),
    ("json-truncated", '{"apiVersion": "v1", "kind": "Pod",', 1, None),
    ("json-trailing-comma", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},}', 1, None),
    ("scalar-document", "hello\n", 1, None),
    ("list-document", "- a\n- b\n", 1, None),
    ("missing-kind", "apiVersion: v1\nmetadata:\n  name: x\n", 1, None),
    ("missing-apiversion", "kind: Pod\nmetadata:\n  name: x\n", 1, None),
    ("unknown-kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x\n", 2, None),
    ("unknown-version", "apiVersion: apps/v9\nkind: Deployment\nmetadata:\n  name: x\n", 2, None),
    ("containers-not-a-list", _pod(spec__containers="nginx"), 1, None),
    ("name-wrong-type", _pod(metadata__name=7), 1, None),
    ("labels-wrong-type", _pod(metadata__labels=["a"]), 1, None),
    ("unknown-field", _pod(spec__containerz=[]), 1, None),
    ("invalid-name", _pod(metadata__name="Bad_Name"), 1, None),
    ("name-too-long", _pod(metadata__name="a" * 254), 1, None),
    ("invalid-label-value", _pod(metadata__labels={"a": "-bad-"}), 1, None),
    ("no-containers", _pod(spec__containers=[]), 1, None),
    ("replicas-string", json.dumps({"apiVersion": "apps/v1", "kind": "Deployment",
                                    "metadata": {"name": "d"}, "spec": {"replicas": "three"}}), 1, None),
    ("binary-file", bytes(range(256)) * 8, 1, None),
    ("nul-bytes", b"apiVersion: v1\x00\x00kind: Pod\n", 1, None),
    # decoded, then the object's own error: apply's is kubectl's four-line "retrieving current configuration"
    ("utf16-file", "apiVersion: v1\nkind: Pod\n".encode("utf-16"), (4, 1), None),
    ("configmap-over-1mib", _big_cm(1024 * 1024 + 1), (3, 1), None),
    ("configmap-over-1.5mib", _big_cm(1572864 + 10), (3, 1), None),
    ("configmap-over-3mib", _big_cm(3 * 1024 * 1024 + 10), (3, 1), None),
]


def _params(rows):
    """Rows are (id, *values) tuples or pytest.param(id, *values, marks=...)."""
    out = []
    for row in rows:
        values, marks = (row.values, row.marks) if hasattr(row, "marks") else (row, ())
        out.append(pytest.param(*values[1:], id=values[0], marks=marks))
    return out


@pytest.mark.parametrize("verb", ["apply", "create"])
@pytest.mark.parametrize("content,lines,expected", _params(FILES))
def test_bad_manifest_file(cli, tmp_path, verb, content, lines, expected):
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = cli.fingerprint()
    r = cli(verb, "-f", str(path))
    if isinstance(lines, tuple):   # apply also sends the last-applied annotation: one more cause
        lines = lines[verb == "create"]
    _refused(r, lines, expected)
    assert cli.fingerprint() == before


_META_NOT_OBJECT = "metadata is not an object"
_NO_NAME = "metadata without a name"
_NAME_OBJECT = "metadata.name is an object"
# (id, verb, document, xfail reason or None): shapes that broke one verb and not the other
BY_VERB = [
    ("metadata-int-apply", "apply", _pod(metadata=7), None),
    ("metadata-int-create", "create", _pod(metadata=7), None),
    ("no-name-apply", "apply", _pod(metadata={}), None),
    ("no-name-create", "create", _pod(metadata={}), None),
    ("name-object-apply", "apply", _pod(metadata__name={"a": "b"}), None),
    ("name-object-create", "create", _pod(metadata__name={"a": "b"}), None),
    ("namespace-int", "apply", _pod(metadata__namespace=5), None),
    ("spec-string", "apply", _pod(spec="s"), None),
]


@pytest.mark.parametrize("verb,doc", [
    pytest.param(v, d, id=i, marks=[pytest.mark.xfail(strict=True, reason=x)] if x else [])
    for i, v, d, x in BY_VERB])
def test_malformed_object_shapes(cli, tmp_path, verb, doc):
    path = tmp_path / "bad.json"
    path.write_text(doc)
    before = cli.fingerprint()
    r = cli(verb, "-f", str(path))
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err
    assert r.code != 0 and r.err.startswith(("error: ", "Error from server", "The ")), r.err
    assert cli.fingerprint() == before


# (id, argv, lines, expected stderr or None)
ARGS = [
    ("unknown-type", ("get", "widgets"), 1, 'error: the server doesn\'t have a resource type "widgets"\n'),
    ("unknown-verb", ("frobnicate",), 1, None),
    ("selector-unclosed-set", ("get", "pods", "-l", "a in (b"), 1, None),
    ("selector-bad-key", ("get", "pods", "-l", "bad key=v"), 1, None),
    ("selector-double-op", ("delete", "pods", "-l", "a==b==c"), 1, None),
    ("field-selector-bad", ("get", "pods", "--field-selector", "spec.nodeName"), 1, None),
    ("field-selector-unknown-field", ("get", "pods", "--field-selector", "spec.bogus=x"), 1, None),
    ("label-bad-key", ("label", "node", "k8s-master", "bad key!=v"), 1, None),
    ("label-bad-value", ("label", "node", "k8s-master", "a=-bad-"), 1, None),
    ("label-missing-object", ("label", "pod", "nope", "a=b"), 1, None),
    ("annotate-no-change-spec", ("annotate", "node", "k8s-master"), 1, None),
    ("create-deploy-bad-name", ("create", "deployment", "Bad_Name", "--image=nginx"), 1, None),
    ("create-ns-upper", ("create", "namespace", "UPPER"), 1, None),
    ("scale-negative", ("scale", "deployment", "coredns", "-n", "kube-system", "--replicas=-1"), 1, None),
    ("scale-not-a-number", ("scale", "deployment", "coredns", "-n", "kube-system", "--replicas=x"), 2, None),
    ("patch-bad-json", ("patch", "node", "k8s-master", "-p", "{bad"), 1, None),
    ("patch-json-bad-op", ("patch", "node", "k8s-master", "--type=json", "-p", '[{"op":"nope","path":"/x"}]'), 1, None),
    ("patch-wrong-type", ("patch", "node", "k8s-master", "-p", '{"spec":{"unschedulable":"yes"}}'), 1, None),
    ("patch-bad-type", ("patch", "node", "k8s-master", "--type=xml", "-p", "{}"), 1, None),
    ("flag-missing-value", ("get", "pods", "-o"), 2, None),
    ("bad-output-format", ("get", "pods", "-o", "nope"), 1, None),
    ("bad-jsonpath", ("get", "pods", "-o", "jsonpath={.items[", ), 1, None),
    ("file-not-found", ("apply", "-f", "/nonexistent/x.yaml"), 1, None),
    ("taint-bad-effect", ("taint", "node", "k8s-master", "a=b:Sometimes"), 2,
     "error: invalid taint effect: Sometimes, unsupported taint effect\nSee 'kubectl taint -h' for help and examples\n"),
    ("delete-no-args", ("delete", "pods"), 1, None),
]


@pytest.mark.parametrize("argv,lines,expected", [a[1:] for a in ARGS], ids=[a[0] for a in ARGS])
def test_bad_arguments(cli, argv, lines, expected):
    before = cli.fingerprint()
    r = cli(*argv)
    _refused(r, lines, expected)
    assert cli.fingerprint() == before


def _gen_value(rng: random.Random, depth: int):
    pick = rng.randrange(9 if depth < 3 else 6)
    if pick == 0:
        return rng.choice([None, True, False])
    if pick == 1:
        return rng.choice([0, -1, 2**31, 2**63, 1.5, float("1e308")])
    if pick == 2:
        return rng.choice(["", "x", "Bad_Name", "a" * 300, "ñ", "{{", "- a", "\u0000"])
    if pick in (3, 4, 5):
        return rng.choice(["nginx", "c", "100m", "1Gi", "Always", "TCP"])
    if pick in (6, 7):
        return {rng.choice(["name", "image", "spec", "metadata", "labels", "containers", "ports", "x"]):
                _gen_value(rng, depth + 1) for _ in range(rng.randrange(1, 4))}
    return [_gen_value(rng, depth + 1) for _ in range(rng.randrange(0, 3))]


def _generated(seed: int) -> str:
    """A manifest that starts as a valid Pod and has 1-3 fields replaced by random values."""
    rng = random.Random(seed)
    d = json.loads(json.dumps(POD))
    d["metadata"]["name"] = f"gen-{seed}"
    for _ in range(rng.randint(1, 3)):
        targets = [d, d.get("metadata"), d.get("spec")]
        if isinstance(d.get("spec"), dict) and isinstance(d["spec"].get("containers"), list) \
                and d["spec"]["containers"] and isinstance(d["spec"]["containers"][0], dict):
            targets.append(d["spec"]["containers"][0])
        target = rng.choice([t for t in targets if isinstance(t, dict)])
        key = rng.choice([k for k in target] + ["labels", "ports", "resources", "replicas", "x"])
        target[key] = _gen_value(rng, 0)
    return json.dumps(d)


# seeds whose manifest hits a bug named in BY_VERB (kept strict: they pass once it is fixed)
_SEED_BUGS: dict = {}   # seeds 5, 6, 22, 26 once hit internal errors (fixed)


# hypothesis is not installed in the venv: a seeded generator, bounded to a fixed set of examples.
@pytest.mark.parametrize("seed", [
    pytest.param(s, id=f"seed{s}", marks=[pytest.mark.xfail(strict=True, reason=_SEED_BUGS[s] + ": internal error")]
                 if s in _SEED_BUGS else []) for s in range(40)])
def test_generated_manifests(cli, tmp_path, seed):
    path = tmp_path / "gen.json"
    path.write_text(_generated(seed))
    before = cli.fingerprint()
    r = cli("apply", "-f", str(path))
    assert "Traceback" not in r.err + r.out
    assert "internal error" not in r.err, r.err
    if r.code == 0:
        assert r.out.endswith((" created\n", " configured\n", " unchanged\n")), r.out
        assert cli.fingerprint() != before
    else:
        assert r.err.strip(), "non-zero exit without a message"
        assert r.err.startswith(("error: ", "Error from server", "The ")), r.err
        assert cli.fingerprint() == before


def _refused(r, lines, expected):
    assert "Traceback" not in r.err + r.out, r.err
    assert "internal error" not in r.err, r.err
    assert r.code != 0, (r.out, r.err)
    assert r.err.endswith("\n") and r.err.count("\n") == lines, r.err
    assert r.err.startswith(("error: ", "Error from server", "The ")), r.err
    if expected is not None:
        assert r.err == expected
