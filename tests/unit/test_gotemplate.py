"""kubectl's go-template printer (Go text/template over the object as decoded JSON): the expected
texts were taken from a real kubectl v1.32 (`create deployment --dry-run=client -o go-template=`),
and the oracle test re-checks them against it when one is installed."""
from __future__ import annotations

import subprocess

import pytest

from pykubectl.printers import gotemplate as GT
from tests.conftest import real_kubectl

DEPLOY = {
    "kind": "Deployment", "apiVersion": "apps/v1",
    "metadata": {"name": "x", "creationTimestamp": None, "labels": {"app": "x"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "x"}},
             "template": {"metadata": {"creationTimestamp": None, "labels": {"app": "x"}},
                          "spec": {"containers": [
                              {"name": "nginx", "image": "nginx", "resources": {}},
                              {"name": "busybox", "image": "busybox", "resources": {}}]}},
             "strategy": {}},
    "status": {},
}
KUBECTL_ARGS = ["create", "deployment", "x", "--image=nginx", "--image=busybox", "--replicas=3",
                "--dry-run=client"]
C = ".spec.template.spec.containers"

CASES = [
    ("field", "{{.metadata.name}}", "x"),
    ("number-int", "{{.spec.replicas}}", "3"),
    ("map-as-go-prints-it", "{{.metadata}}", "map[creationTimestamp:<nil> labels:map[app:x] name:x]"),
    ("list-as-go-prints-it", "{{" + C + "}}",
     "[map[image:nginx name:nginx resources:map[]] map[image:busybox name:busybox resources:map[]]]"),
    ("missing-key", "{{.nope}}|{{.nope.deeper}}|{{index .metadata.labels \"nope\"}}", "<no value>|<no value>|<no value>"),
    ("range-newline", "{{range " + C + "}}{{.name}}{{\"\\n\"}}{{end}}", "nginx\nbusybox\n"),
    ("range-index-elem", "{{range $i, $c := " + C + "}}{{$i}}:{{$c.image}} {{end}}", "0:nginx 1:busybox "),
    ("range-map-sorted", "{{range $k, $v := .spec.selector.matchLabels}}{{$k}}={{$v}}{{end}}", "app=x"),
    ("range-else", "{{range .status.conditions}}{{.type}}{{else}}none{{end}}", "none"),
    ("range-continue", "{{range " + C + "}}{{if eq .name \"nginx\"}}{{continue}}{{end}}{{.name}}{{end}}", "busybox"),
    ("outer-variable", "{{$n := .metadata.name}}{{range " + C + "}}{{$n}}/{{.name}} {{end}}", "x/nginx x/busybox "),
    ("root-variable", "{{range " + C + "}}{{$.kind}} {{end}}", "Deployment Deployment "),
    ("if-else-if", "{{if eq .spec.replicas 1}}one{{else if eq .spec.replicas 3}}three{{else}}?{{end}}", "three"),
    ("with", "{{with .metadata.labels}}{{.app}}{{end}}{{with .status.x}}no{{else}}empty{{end}}", "xempty"),
    ("index-len", "{{index .metadata.labels \"app\"}} {{len " + C + "}} {{(index " + C + " 1).name}}", "x 2 busybox"),
    ("eq-many-ne-lt", "{{eq .kind \"Pod\" \"Deployment\"}} {{ne .kind \"Pod\"}} {{lt 1 2}} {{ge 3 3}} {{gt \"b\" \"a\"}}",
     "true true true true true"),
    ("eq-missing-is-false", "{{eq .nope \"x\"}} {{eq .nope nil}}", "false true"),
    ("and-or-not", "{{and 1 0}} {{or 0 \"\" \"x\"}} {{not true}}", "0 x false"),
    ("printf", "{{printf \"%s-%d-%5.2f|%-4s|%x|%q\" .metadata.name .spec.replicas 1.5 \"a\" 255 .kind}}",
     "x-3- 1.50|a   |ff|\"Deployment\""),
    ("printf-wrong-verb", "{{printf \"%d %s\" \"x\" 3}}", "%!d(string=x) %!s(int=3)"),
    ("print-println", "{{print 1 2 \"a\" 3}}|{{println 1 \"b\"}}", "1 2a3|1 b\n"),
    ("pipe", "{{.metadata.name | printf \"%s!\" | len}}", "2"),
    ("base64decode", "{{\"aGVsbG8=\" | base64decode}}", "hello"),
    ("floats-as-go-prints-them", "{{1e6}} {{0.000001}} {{1.5}} {{1234567.5}}", "1e+06 1e-06 1.5 1.2345675e+06"),
    ("trim-markers", "{{- range " + C + " }}\n  {{ .name -}}\n{{ end }}", "\n  nginx\n  busybox"),
    ("comments", "{{/* c */}}a{{- /* d */ -}}  b", "ab"),
]

PARSE_ERRORS = [
    ("unknown-function", "{{foo}}", 'template: output:1: function "foo" not defined'),
    ("unclosed-action", "{{.metadata.name", "template: output:1: unclosed action"),
    ("stray-end", "{{end}}", "template: output:1: unexpected {{end}}"),
    ("missing-end", "{{if .x}}", "template: output:1: unexpected EOF"),
    ("undefined-variable", "{{$x}}", 'template: output:1: undefined variable "$x"'),
]

EXEC_ERRORS = [
    ("field-of-string", "{{.metadata.name.foo}}",
     'template: output:1:11: executing "output" at <.metadata.name.foo>: can\'t evaluate field foo in type interface {}'),
    ("compare-int-float", "{{lt .spec.replicas 2.5}}",
     'template: output:1:2: executing "output" at <lt .spec.replicas 2.5>: error calling lt: incompatible types for comparison'),
    ("index-out-of-range", "{{index " + C + " 5}}",
     'template: output:1:2: executing "output" at <index .spec.template.spec.containers 5>: error calling index: index out of range: 5'),
    ("len-of-int", "{{len 3}}", 'template: output:1:2: executing "output" at <len 3>: error calling len: len of type int'),
    ("bad-base64", "{{ \"!!\" | base64decode }}",
     'template: output:1:10: executing "output" at <base64decode>: error calling base64decode: base64 decode failed: illegal base64 data at input byte 0'),
    ("field-with-args", "{{.spec.replicas 1}}",
     'template: output:1:7: executing "output" at <.spec.replicas>: replicas is not a method but has arguments'),
    ("range-over-int", "{{range 3}}{{.}}{{end}}", 'template: output:1:8: executing "output" at <3>: range can\'t iterate over 3'),
]


def render(src, data=DEPLOY, **kw):
    return GT.execute(GT.parse(src), src, data, **kw)


@pytest.mark.parametrize("src,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_renders_as_kubectl_does(src, want):
    assert render(src) == want


@pytest.mark.parametrize("src,want", [c[1:] for c in PARSE_ERRORS], ids=[c[0] for c in PARSE_ERRORS])
def test_parse_errors_in_go_words(src, want):
    with pytest.raises(GT.TemplateError) as e:
        GT.parse(src)
    assert str(e.value) == want


@pytest.mark.parametrize("src,want", [c[1:] for c in EXEC_ERRORS], ids=[c[0] for c in EXEC_ERRORS])
def test_exec_errors_in_go_words(src, want):
    with pytest.raises(GT.ExecError) as e:
        render(src)
    assert str(e.value) == want


def test_missingkey_error_when_missing_keys_are_not_allowed():
    with pytest.raises(GT.ExecError) as e:
        render("{{.metadata.name}}|{{.nope}}", allow_missing_keys=False)
    assert str(e.value) == 'template: output:1:21: executing "output" at <.nope>: map has no entry for key "nope"'
    assert e.value.partial == "x|"


@pytest.mark.skipif(not real_kubectl(), reason="no real kubectl")
@pytest.mark.parametrize("src,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_oracle_real_kubectl(src, want):
    p = subprocess.run([real_kubectl(), *KUBECTL_ARGS, "-o", "go-template=" + src],
                       capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout) == (0, want)


# ---------------------------------------------------------------- through `get` (end to end)

GET = [
    ("inline", ["get", "nodes", "-o", 'go-template={{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}'],
     0, "k8s-master\nworker-1\nworker-2\n", ""),
    ("template-flag", ["get", "ns", "default", "--template", "{{.metadata.name}}"], 0, "default", ""),
    ("template-with-output", ["get", "ns", "default", "-o", "template", "--template={{.kind}}"], 0, "Namespace", ""),
    ("parse-error", ["get", "ns", "default", "-o", "go-template={{nope}}"], 1, "",
     'error: error parsing template {{nope}}, template: output:1: function "nope" not defined\n'),
    ("no-template", ["get", "ns", "-o", "go-template"], 1, "",
     "error: template format specified but no template given\n"),
    ("missing-file", ["get", "ns", "-o", "go-template-file=/nonexistent/t"], 1, "",
     "error: error reading --template /nonexistent/t, open /nonexistent/t: no such file or directory\n"),
]


@pytest.mark.parametrize("args,code,out,err", [c[1:] for c in GET], ids=[c[0] for c in GET])
def test_get_output_go_template(kube, args, code, out, err):
    r = kube(*args)
    assert (r.code, r.out, r.err) == (code, out, err)


def test_get_exec_error_prints_kubectl_debugging_then_fails(kube):
    r = kube("get", "ns", "default", "-o", "go-template={{.metadata.name}}|{{.kind.x}}")
    assert r.code == 1
    assert r.out.startswith('default|Error executing template: template: output:1:26: executing "output" at <.kind.x>: '
                            "can't evaluate field x in type interface {}. Printing more information for debugging the template:\n"
                            "\ttemplate was:\n\t\t{{.metadata.name}}|{{.kind.x}}\n\traw data was:\n\t\t{\"apiVersion\":\"v1\"")
    assert "\tobject given to template engine was:\n\t\tmap[apiVersion:v1 kind:Namespace metadata:map[" in r.out
    assert r.err == ('error: error executing template "{{.metadata.name}}|{{.kind.x}}": template: output:1:26: '
                     "executing \"output\" at <.kind.x>: can't evaluate field x in type interface {}\n")


def test_get_go_template_file(kube, tmp_path):
    f = tmp_path / "t.tmpl"
    f.write_text("{{range .items}}{{.metadata.name}} {{end}}")
    r = kube("get", "nodes", "-o", f"go-template-file={f}")
    assert (r.code, r.out, r.err) == (0, "k8s-master worker-1 worker-2 ", "")
