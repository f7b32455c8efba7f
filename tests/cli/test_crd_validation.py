"""`pykubectl apply` of custom resources validated against their CRD's schema: the exact output of
a refused, a pruned and a defaulted write, as kubectl v1.32 prints the apiserver's answers."""
import os

import pytest

from tests.conftest import real_kubectl

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, enum: [red, blue], default: red}
"""

CEL_CRD = CRD.replace("required: [size]", "required: [size]\n            x-kubernetes-validations:\n"
                                          "            - rule: self.size <= 10")


def widget(spec: str) -> str:
    return f"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {spec}\n"


@pytest.mark.parametrize("spec, flags, code, out, err", [
    ("{size: 2}", (), 0, "widget.example.com/w created\n", ""),
    ("{size: big}", (), 1, "",
     'The Widget "w" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: '
     '"string"\n'),
    ("{color: pink}", (), 1, "",
     'The Widget "w" is invalid: \n* spec.color: Unsupported value: "pink": supported values: "red", "blue"\n'
     "* spec.size: Required value\n"),
    ("{size: 0}", (), 1, "",
     'The Widget "w" is invalid: spec.size: Invalid value: 0: spec.size in body should be greater than or equal '
     "to 1\n"),
    ("{size: 2, foo: 1}", (), 1, "",
     'Error from server (BadRequest): error when creating "{path}": Widget in version "v1" cannot be handled as a '
     'Widget: strict decoding error: unknown field "spec.foo"\n'),
    ("{size: 2, foo: 1}", ("--validate=warn",), 0, "widget.example.com/w created\n",
     'Warning: unknown field "spec.foo"\n'),
    ("{size: 2, foo: 1}", ("--validate=false",), 0, "widget.example.com/w created\n", ""),
    ("{size: 2, foo: 1}", ("--server-side",), 1, "",
     "Error from server: failed to create typed patch object (default/w; example.com/v1, Kind=Widget): "
     ".spec.foo: field not declared in schema\n"),
], ids=["valid", "mistyped", "enum-and-required", "minimum", "strict-unknown-field", "warn-unknown-field",
        "ignore-unknown-field", "server-side-unknown-field"])
def test_apply_custom_resource(kube, tmp_path, spec, flags, code, out, err):
    kube("apply", "-f", "-", input=CRD, check=True)
    path = tmp_path / "w.yaml"
    path.write_text(widget(spec))
    r = kube("apply", "-f", str(path), *flags)
    err = err.replace("{path}", str(path))
    assert (r.code, r.out, r.err) == (code, out, err)


def test_applied_resource_is_pruned_and_defaulted(kube):
    kube("apply", "-f", "-", input=CRD, check=True)
    kube("apply", "-f", "-", "--validate=false", input=widget("{size: 2, foo: 1}"), check=True)
    r = kube("get", "widget", "w", "-o", "jsonpath={.spec}")
    assert r.out == '{"color":"red","size":2}'


def test_cel_rules_are_named_in_a_warning(kube):
    kube("apply", "-f", "-", input=CEL_CRD, check=True)
    r = kube("apply", "-f", "-", input=widget("{size: 20}"))
    assert (r.code, r.out) == (0, "widget.example.com/w created\n")
    assert r.err == ("Warning: x-kubernetes-validations are not enforced by pykubectl (CEL is not modelled): "
                     "spec: 'self.size <= 10'\n")


COMPAT = [
    ("mistyped", "{size: big}", ()),
    ("enum", "{size: 2, color: pink}", ()),
    ("strict-unknown-field", "{size: 2, foo: 1}", ()),
    ("server-side-unknown-field", "{size: 2, foo: 1}", ("--server-side",)),
    ("warn-unknown-field", "{size: 2, foo: 1}", ("--validate=warn",)),
]


@pytest.mark.skipif(real_kubectl() is None, reason="no real kubectl on PATH")
def test_real_kubectl_gets_the_same_answers(kube, tmp_path):
    """The real kubectl v1.32 against `cluster serve` prints what pykubectl prints for each case
    (each tool writes its own twin file and object, `w-k` / `w-p`, so neither sees the other's)."""
    import subprocess
    import yaml
    from tests.compat.serving import serve
    kube("apply", "-f", "-", input=CRD, check=True)
    with serve(kube.env) as port:
        kc = str(tmp_path / "kubeconfig-served")
        with open(kube.kubeconfig) as f, open(kc, "w") as g:
            yaml.safe_dump(yaml.safe_load(f), g)
        kubectl = [real_kubectl(), "--kubeconfig", kc]
        env = {"PATH": os.environ.get("PATH", ""), "HOME": kube.home}
        subprocess.run([*kubectl, "config", "set-cluster", "kubernetes", f"--server=https://127.0.0.1:{port}"],
                       check=True, capture_output=True, timeout=30, env=env)
        for case, spec, flags in COMPAT:
            answers = []
            for who in ("k", "p"):
                path = tmp_path / f"{case}-{who}.yaml"
                path.write_text(widget(spec).replace("name: w\n", f"name: {case}-{who}\n"))
                if who == "k":
                    r = subprocess.run([*kubectl, "apply", "-f", str(path), *flags], capture_output=True, text=True,
                                       timeout=30, env=env)
                    code, out, err = r.returncode, r.stdout, r.stderr
                else:
                    r = kube("apply", "-f", str(path), *flags)
                    code, out, err = r.code, r.out, r.err
                answers.append((code, out.replace(f"{case}-{who}", "W"), err.replace(f"{case}-{who}", "W")))
            assert answers[0] == answers[1], case
