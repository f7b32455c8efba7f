"""kubectl's JSONPath dialect (client-go util/jsonpath as kubectl runs it): the expected texts
were taken from a real kubectl v1.32 (`create deployment --dry-run=client -o jsonpath=...`), and
the oracle test re-checks them against it when one is installed."""
from __future__ import annotations

import json
import subprocess

import pytest

from pykubectl.printers import jsonpath as J
from tests.conftest import real_kubectl

DEPLOY = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"creationTimestamp": None, "labels": {"app": "x"}, "name": "x"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "x"}}, "strategy": {},
             "template": {"metadata": {"creationTimestamp": None, "labels": {"app": "x"}},
                          "spec": {"containers": [
                              {"image": "nginx", "name": "nginx", "resources": {}},
                              {"image": "busybox", "name": "busybox", "resources": {}}]}}},
    "status": {},
}
KUBECTL_ARGS = ["create", "deployment", "x", "--image=nginx", "--image=busybox", "--replicas=3",
                "--dry-run=client"]

C = "{.spec.template.spec.containers"
CASES = [
    ("field", "{.metadata.name}", "x"),
    ("text-around", "name={.metadata.name}!", "name=x!"),
    ("wildcard-list", C + "[*].name}", "nginx busybox"),
    ("number", "{.spec.replicas}", "3"),
    ("map-as-json", "{.metadata.labels}", '{"app":"x"}'),
    ("null", "{.metadata.creationTimestamp}", "null"),
    ("missing-key-empty", "{.nope}", ""),
    ("missing-under-scalar", "{.spec.replicas.x}", ""),
    ("range", "{range" + C[1:] + "[*]}{.name}={.image}{\"\\n\"}{end}", "nginx=nginx\nbusybox=busybox\n"),
    ("range-then-text", "{range" + C[1:] + "[*]}[{.name}]{end} tail", "[nginx][busybox] tail"),
    ("empty-range", "{range" + C[1:] + "[?(@.name==\"zzz\")]}{.name}{end}after", "after"),
    ("nested-range", "{range" + C[1:] + "[*]}{.name}{range .ports[*]}{.x}{end}:{end}z", "nginx:busybox:z"),
    ("two-ranges", "{range" + C[1:] + "[*]}{.name}{end}{range" + C[1:] + "[*]}-{.image}{end}",
     "nginxbusybox-nginx-busybox"),
    ("filter-eq", C + "[?(@.name==\"busybox\")].image}", "busybox"),
    ("filter-ne", C + "[?(@.name!=\"busybox\")].image}", "nginx"),
    ("filter-lt-string", C + "[?(@.name<\"c\")].name}", "busybox"),
    ("filter-exists", C + "[?(@.image)].name}", "nginx busybox"),
    ("filter-missing-key-matches-nothing", C + "[?(@.nope==\"x\")].name}", ""),
    ("slice-negative", C + "[-1:].name}", "busybox"),
    ("slice-range", C + "[0:1].name}", "nginx"),
    ("slice-step", C + "[::2].name}", "nginx"),
    ("union", C + "[0,1].name}", "nginx busybox"),
    ("quoted-keys-union", C + "[0]['name','image']}", "nginx nginx"),
    ("recursive", "{..image}", "nginx busybox"),
    ("root-and-current", "{$.kind} {@.apiVersion}", "Deployment apps/v1"),
    ("quoted-literals", "{\"a\\tb\"}{'c'}", "a\tbc"),
    ("object-as-json", C + "[0]}", '{"image":"nginx","name":"nginx","resources":{}}'),
]


@pytest.mark.parametrize("template,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_jsonpath_text(template, want):
    assert J.print_obj(J.printer(template), DEPLOY) == want


AS_JSON = [
    ("values", C + "[*].name}", '[\n    "nginx",\n    "busybox"\n]\n'),
    ("missing", "{.nope}", "[]\n"),
    ("map", "{.metadata.labels}", '[\n    {\n        "app": "x"\n    }\n]\n'),
    ("one-array-per-action", "{.kind}{.spec.replicas}", '[\n    "Deployment"\n]\n[\n    3\n]\n'),
]


@pytest.mark.parametrize("template,want", [c[1:] for c in AS_JSON], ids=[c[0] for c in AS_JSON])
def test_jsonpath_as_json(template, want):
    assert J.print_obj(J.printer(template, as_json=True), DEPLOY) == want


PARSE_ERRORS = [
    ("unclosed", "{.a", "unclosed action"),
    ("bad-char", "{#}", "unrecognized character in action: U+0023 '#'"),
    ("nested-brace", "{.kind} {{.kind}}", "unrecognized character in action: U+007B '{'"),
    ("bare-index-name", "{.metadata[name]}", "invalid array index name"),
    ("double-quoted-index", '{.metadata["name"]}', 'invalid array index "name"'),
    ("unterminated-array", "{.a[0}", "unterminated array"),
    ("unterminated-filter", "{.a[?(@.x==1}", "unterminated filter"),
    ("double-recursive", "{....a}", "invalid multiple recursive descent"),
]


@pytest.mark.parametrize("template,why", [c[1:] for c in PARSE_ERRORS], ids=[c[0] for c in PARSE_ERRORS])
def test_parse_errors_carry_kubectls_text(template, why):
    with pytest.raises(ValueError) as e:
        J.printer(template)
    assert str(e.value) == f"error parsing jsonpath {template}, {why}\n"


EXEC_ERRORS = [
    ("index-on-map", "{.spec[0]}", "map[string]interface {} is not array or slice"),
    ("out-of-bounds", C + "[5]}", "array index out of bounds: index 5, length 2"),
    ("negative-out-of-bounds", C + "[-3]}", "array index out of bounds: index -1, length 2"),
    ("filter-on-scalar", "{.spec.replicas[?(@>1)]}", "3 is not array or slice and cannot be filtered"),
    ("compare-string-with-int", C + "[?(@.name==3)]}", "incompatible types for comparison"),
    ("end-without-range", "{end}", "not in range, nothing to end"),
    ("unknown-identifier", "{x}", "unrecognized identifier x"),
]


@pytest.mark.parametrize("template,why", [c[1:] for c in EXEC_ERRORS], ids=[c[0] for c in EXEC_ERRORS])
def test_execution_errors_carry_kubectls_text(template, why):
    with pytest.raises(ValueError) as e:
        J.print_obj(J.printer(template), DEPLOY)
    msg = str(e.value)
    assert msg.startswith(f'error executing jsonpath {J.go_quote(template)}: Error executing template: {why}. '
                          "Printing more information for debugging the template:\n\ttemplate was:\n\t\t")
    assert '"labels":map[string]interface {}{"app":"x"}' in msg and msg.endswith("}\n\n\n")


def test_missing_keys_are_errors_when_not_allowed():
    jp = J.printer("{.nope}")
    jp.allow_missing_keys = False
    with pytest.raises(ValueError, match="nope is not found"):
        J.print_obj(jp, DEPLOY)


@pytest.mark.parametrize("path,want", [
    (".metadata.name", "{.metadata.name}"),
    ("metadata.name", "{.metadata.name}"),
    ("{.metadata.name}", "{.metadata.name}"),
    ("{metadata.name}", "{.metadata.name}"),
], ids=["dot", "bare", "braced", "braced-bare"])
def test_relaxed_expression(path, want):
    assert J.relaxed(path) == want


def test_relaxed_expression_refuses_nested_braces():
    with pytest.raises(J.JSONPathError, match="unexpected path string"):
        J.relaxed("{.a}}")


ORACLE = CASES + \
         [(i, t, None) for i, t, _ in PARSE_ERRORS + EXEC_ERRORS]


@pytest.mark.skipif(real_kubectl() is None, reason="no real kubectl")
@pytest.mark.parametrize("template", [c[1] for c in ORACLE], ids=[c[0] for c in ORACLE])
def test_same_as_real_kubectl(template):
    k = real_kubectl()
    obj = json.loads(subprocess.run([k, *KUBECTL_ARGS, "-o", "json"], capture_output=True,
                                    text=True, check=True).stdout)
    assert obj == DEPLOY
    r = subprocess.run([k, *KUBECTL_ARGS, "-o", f"jsonpath={template}"], capture_output=True, text=True)
    try:
        got = (0, J.print_obj(J.printer(template), obj), "")
    except ValueError as e:
        got = (1, "", f"error: {e}")
    assert got == (r.returncode, r.stdout, r.stderr)
