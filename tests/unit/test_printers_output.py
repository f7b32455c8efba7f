"""-o yaml, -o json and -o name, byte for byte as kubectl v1.32 prints them.

Every expected string below was printed by the real kubectl (`create configmap --from-literal
... --dry-run=client -o yaml`, `annotate --local -f ... -o yaml|json`) for the same data.
"""
from __future__ import annotations

import pytest

from pykubectl.printers.output import as_list, name_line, to_json, to_yaml

# value -> how kubectl -o yaml writes `k: <value>`
SCALARS = [
    ("plain", "word", "k: word\n"),
    ("int-like", "80", 'k: "80"\n'),
    ("bool-y", "y", 'k: "y"\n'),
    ("bool-yes", "yes", 'k: "yes"\n'),
    ("bool-Off", "Off", 'k: "Off"\n'),
    ("bool-ON", "ON", 'k: "ON"\n'),
    ("true", "true", 'k: "true"\n'),
    ("TRUE", "TRUE", 'k: "TRUE"\n'),
    ("null-word", "null", 'k: "null"\n'),
    ("tilde", "~", 'k: "~"\n'),
    ("empty", "", 'k: ""\n'),
    ("NaN-is-a-string", "NaN", "k: NaN\n"),
    ("nul", "nul", "k: nul\n"),
    ("date", "2024-01-01", 'k: "2024-01-01"\n'),
    ("timestamp-short-fields", "2024-1-2T3:04:05Z", 'k: "2024-1-2T3:04:05Z"\n'),
    ("timestamp-space", "2024-01-01 10:00:00", 'k: "2024-01-01 10:00:00"\n'),
    ("not-a-date", "2024-13-01", "k: 2024-13-01\n"),
    ("hex", "0x1f", 'k: "0x1f"\n'),
    ("bare-0x", "0x", "k: 0x\n"),
    ("octal-0o", "0o17", 'k: "0o17"\n'),
    ("binary", "0b101", 'k: "0b101"\n'),
    ("leading-zero-float", "08", 'k: "08"\n'),
    ("double-zero", "00", 'k: "00"\n'),
    ("exponent", "1e3", 'k: "1e3"\n'),
    ("incomplete-exponent", "1e", "k: 1e\n"),
    ("dot-float", ".5", 'k: ".5"\n'),
    ("dot", ".", "k: .\n"),
    ("dot-e5", ".e5", "k: .e5\n"),
    ("trailing-dot", "1.", 'k: "1."\n'),
    ("neg-dot-float", "-.5", 'k: "-.5"\n'),
    ("plus-inf", "+.inf", 'k: "+.inf"\n'),
    ("underscores", "1_000", 'k: "1_000"\n'),
    ("double-underscore", "1__0", 'k: "1__0"\n'),
    ("leading-underscore", "_1", "k: _1\n"),
    ("int64-overflow", "9223372036854775808", 'k: "9223372036854775808"\n'),
    ("uint64-overflow-is-float", "18446744073709551616", 'k: "18446744073709551616"\n'),
    ("negative", "-1", 'k: "-1"\n'),
    ("plus", "+1", 'k: "+1"\n'),
    ("base60", "1:20", 'k: "1:20"\n'),
    ("base60-twice", "1:2:3", 'k: "1:2:3"\n'),
    ("colon-space", "x: y", "k: 'x: y'\n"),
    ("trailing-colon", "x:", "k: 'x:'\n"),
    ("leading-colon", ":x", "k: :x\n"),
    ("apostrophe", "it's: x", "k: 'it''s: x'\n"),
    ("quoted", "'x'", "k: '''x'''\n"),
    ("double-quoted", '"x"', "k: '\"x\"'\n"),
    ("star", "*", "k: '*'\n"),
    ("star-prefix", "*a", "k: '*a'\n"),
    ("star-suffix", "a*", "k: a*\n"),
    ("dash", "-", "k: '-'\n"),
    ("dash-space", "- a", "k: '- a'\n"),
    ("hash", "#comment", "k: '#comment'\n"),
    ("space-hash", "a #b", "k: 'a #b'\n"),
    ("url", "http://a.b/c?d=e#f", "k: http://a.b/c?d=e#f\n"),
    ("flow-chars", "[x]", "k: '[x]'\n"),
    ("at", "@x", "k: '@x'\n"),
    ("merge-key", "<<", "k: <<\n"),
    ("leading-space", " lead", "k: ' lead'\n"),
    ("trailing-space", "trailing ", "k: 'trailing '\n"),
    ("tab", "tab\there", 'k: "tab\\there"\n'),
    ("crlf", "a\r\nb", 'k: "a\\r\\nb"\n'),
    ("unicode", "é ü 한국어", "k: é ü 한국어\n"),
    ("astral-plane-escaped", "emoji \U0001F600", 'k: "emoji \\U0001F600"\n'),
    ("nbsp", "x\u00a0y", "k: x\u00a0y\n"),
    ("literal-strip", "l1\nl2", "k: |-\n  l1\n  l2\n"),
    ("literal-clip", "a\n", "k: |\n  a\n"),
    ("literal-keep", "a\n\n", "k: |+\n  a\n\n"),
    ("literal-indent-indicator", "  x\ny", "k: |2-\n    x\n  y\n"),
    ("space-before-newline", "x \ny", 'k: "x \\ny"\n'),
    ("folded-single-quoted", "word " * 40,
     "k: 'word word word word word word word word word word word word word word word word\n"
     "  word word word word word word word word word word word word word word word word\n"
     "  word word word word word word word word '\n"),
    ("folded-double-quoted", "long " * 30 + "\n",
     'k: "long long long long long long long long long long long long long long long long\n'
     '  long long long long long long long long long long long long long long \\n"\n'),
    ("long-word-not-folded", "x" * 100, "k: " + "x" * 100 + "\n"),
]


@pytest.mark.parametrize("value, want", [s[1:] for s in SCALARS], ids=[s[0] for s in SCALARS])
def test_yaml_string_quoting(value, want):
    assert to_yaml({"k": value}) == want


@pytest.mark.parametrize("value, want", [
    (True, "k: true\n"), (None, "k: null\n"), (80, "k: 80\n"), (1.5, "k: 1.5\n"), (2.0, "k: 2\n"),
    (1234567.0, "k: 1.234567e+06\n"), ({}, "k: {}\n"), ([], "k: []\n"),
], ids=["bool", "null", "int", "float", "integral-float", "large-float", "empty-map", "empty-list"])
def test_yaml_other_scalars(value, want):
    assert to_yaml({"k": value}) == want


def test_yaml_key_order_is_go_yaml_natural_order():
    keys = ["a10", "a9", "a09", "a-b", "ab", "a_b", "a.b", "A", "z", "a1b", "a01", "a001", "0a", "9", "10",
            "a0", "a00", "n"]
    out = to_yaml({k: "v" for k in keys})
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "0a", "\"9\"", "\"10\"", "A", "a-b", "a.b", "a_b", "a0", "a00", "a1b", "a01", "a001", "a9", "a09",
        "a10", "ab", "\"n\"", "z"]


DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"annotations": {"x": "y"}, "name": "stateless-cpu1"},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"resource": "cpu"}},
             "template": {"metadata": {"labels": {"resource": "cpu"}},
                          "spec": {"containers": [{"image": "kubetm/app:v1", "name": "container",
                                                   "resources": {"limits": {"cpu": "20m"}, "requests": {"cpu": "10m"}}}]}}},
}


def test_yaml_document_ending_in_kept_newlines_has_no_end_marker():
    assert to_yaml({"status": {"message": "a\n\n"}}) == "status:\n  message: |+\n    a\n\n"


def test_yaml_document_layout():
    assert to_yaml(DEPLOYMENT) == (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  annotations:\n"
        "    x: \"y\"\n"
        "  name: stateless-cpu1\n"
        "spec:\n"
        "  replicas: 2\n"
        "  selector:\n"
        "    matchLabels:\n"
        "      resource: cpu\n"
        "  template:\n"
        "    metadata:\n"
        "      labels:\n"
        "        resource: cpu\n"
        "    spec:\n"
        "      containers:\n"
        "      - image: kubetm/app:v1\n"
        "        name: container\n"
        "        resources:\n"
        "          limits:\n"
        "            cpu: 20m\n"
        "          requests:\n"
        "            cpu: 10m\n")


HPA = {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
       "metadata": {"name": "hpa-resource-cpu", "annotations": {"x": "y"}},
       "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "stateless-cpu1"},
                "minReplicas": 2, "maxReplicas": 10,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                    "type": "Utilization", "averageUtilization": 50}}}]}}


def test_json_layout_sorted_keys_four_spaces():
    assert to_json(HPA) == """{
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {
        "annotations": {
            "x": "y"
        },
        "name": "hpa-resource-cpu"
    },
    "spec": {
        "maxReplicas": 10,
        "metrics": [
            {
                "resource": {
                    "name": "cpu",
                    "target": {
                        "averageUtilization": 50,
                        "type": "Utilization"
                    }
                },
                "type": "Resource"
            }
        ],
        "minReplicas": 2,
        "scaleTargetRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "stateless-cpu1"
        }
    }
}
"""


@pytest.mark.parametrize("value, want", [
    ("<&>é", '"\\u003c\\u0026\\u003eé"'), ("a\u2028b", '"a\\u2028b"'), ("tab\t\b\f", '"tab\\t\\b\\f"'),
    (None, "null"), (True, "true"), (2.0, "2"), (0.5, "0.5"), (1e-7, "1e-7"), (1e21, "1e+21"),
    (0.00001, "0.00001"), ([], "[]"), ({}, "{}"),
], ids=["html-escape", "line-separator", "control", "null", "bool", "integral-float", "float",
        "tiny-float", "huge-float", "small-float-fixed", "empty-list", "empty-object"])
def test_json_scalars(value, want):
    assert to_json({"k": value}) == '{\n    "k": ' + want + "\n}\n"


def test_list_wrapper():
    objs = [{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a"}}]
    assert as_list(objs) == {"apiVersion": "v1", "items": objs, "kind": "List",
                             "metadata": {"resourceVersion": ""}}
    assert to_yaml(as_list(objs)) == (
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n"
        "kind: List\nmetadata:\n  resourceVersion: \"\"\n")


@pytest.mark.parametrize("kind_group, obj, operation, want", [
    ("", {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "x"}}, "", "pod/x\n"),
    ("", {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "d"}}, "", "deployment.apps/d\n"),
    ("Ingress.networking.k8s.io", {"metadata": {"name": "i"}}, "", "ingress.networking.k8s.io/i\n"),
    ("", {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}}, "created", "configmap/c created\n"),
    ("", {"kind": "IPPool", "apiVersion": "crd.projectcalico.org/v1", "metadata": {"name": "p"}}, "",
     "ippool.crd.projectcalico.org/p\n"),
], ids=["core", "apps", "explicit-group-kind", "with-operation", "custom-resource"])
def test_name_line(kind_group, obj, operation, want):
    assert name_line(kind_group, obj, operation) == want


def test_name_line_without_kind_is_an_error():
    with pytest.raises(ValueError, match="missing kind for resource with name x"):
        name_line("", {"metadata": {"name": "x"}})
