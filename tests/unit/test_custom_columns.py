"""-o custom-columns as cli-runtime's CustomColumnsPrinter prints: relaxed paths, several values
joined by commas, `<none>` for nothing, Go's fmt.Sprint for maps and lists, tabwriter layout."""
from __future__ import annotations

import pytest

from pykubectl.printers import custom_columns as CC

PODS = [
    {"metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
     "spec": {"nodeName": "worker-1", "containers": [{"name": "a", "image": "nginx"},
                                                     {"name": "b", "image": "busybox"}]},
     "status": {"podIP": "20.96.0.5"}},
    {"metadata": {"name": "db-long-name"},
     "spec": {"containers": [{"name": "db", "image": "postgres"}]}, "status": {}},
]


@pytest.mark.parametrize("spec,want", [
    ("NAME:.metadata.name,NODE:.spec.nodeName",
     "NAME           NODE\nweb            worker-1\ndb-long-name   <none>\n"),
    ("IMAGES:.spec.containers[*].image",
     "IMAGES\nnginx,busybox\npostgres\n"),
    ("N:metadata.name,IP:{.status.podIP}",
     "N              IP\nweb            20.96.0.5\ndb-long-name   <none>\n"),
    ("LABELS:.metadata.labels",
     "LABELS\nmap[app:web tier:front]\n<none>\n"),
    ("C:.spec.containers[0]",
     "C\nmap[image:nginx name:a]\nmap[image:postgres name:db]\n"),
    ("FIRST:.spec.containers[?(@.name==\"b\")].image",
     "FIRST\nbusybox\n<none>\n"),
], ids=["two-columns-none", "several-values-comma", "relaxed-paths", "map-as-go-prints", "object-cell",
        "filter"])
def test_render(spec, want):
    assert CC.render(CC.from_spec(spec), PODS) == want


def test_no_headers():
    assert CC.render(CC.from_spec("NAME:.metadata.name"), PODS, no_headers=True) == "web\ndb-long-name\n"


@pytest.mark.parametrize("spec,msg", [
    ("", "custom-columns format specified but no custom columns given"),
    ("NAME", "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"),
    ("A:.a,B", "unexpected custom-columns spec: B, expected <header>:<json-path-expr>"),
    ("A:{.a}}", "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"),
], ids=["empty", "no-colon", "second-no-colon", "nested-braces"])
def test_spec_errors(spec, msg):
    with pytest.raises(ValueError) as e:
        CC.from_spec(spec)
    assert str(e.value) == msg


@pytest.mark.parametrize("text,want", [
    ("NAME   NODE\n.metadata.name   .spec.nodeName\n", ["NAME", "NODE"]),
    ("NAME\tIMAGE\n{.metadata.name} {.spec.containers[0].image}", ["NAME", "IMAGE"]),
], ids=["spaces", "tabs-and-braces"])
def test_template_file(text, want):
    cols = CC.from_template(text)
    assert [c.header for c in cols] == want
    assert CC.render(cols, PODS[:1]).splitlines()[1].split()[0] == "web"


@pytest.mark.parametrize("text,msg", [
    ("", "invalid template, missing header line"),
    ("NAME\n", "invalid template, missing spec line"),
    ("NAME NODE\n.metadata.name\n", "number of headers (2) and field specifications (1) don't match"),
], ids=["empty", "headers-only", "count-mismatch"])
def test_template_file_errors(text, msg):
    with pytest.raises(ValueError) as e:
        CC.from_template(text)
    assert str(e.value).startswith(msg)


def test_widths_are_remembered_across_calls():
    widths: list[int] = []
    cols = CC.from_spec("NAME:.metadata.name,NODE:.spec.nodeName")
    first = CC.render(cols, PODS[1:], remembered_widths=widths)
    second = CC.render(cols, PODS[:1], no_headers=True, remembered_widths=widths)
    assert first == "NAME           NODE\ndb-long-name   <none>\n"
    assert second == "web            worker-1\n"
