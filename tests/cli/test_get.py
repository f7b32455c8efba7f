"""kubectl get end to end: -o jsonpath / custom-columns, --sort-by, --watch, and the rest of
get's behaviours a learner meets (names with selectors, several kinds, --show-kind, get all)."""
from __future__ import annotations

import subprocess
import time

import pytest

from tests.conftest import PYKUBECTL

NODES = "k8s-master worker-1 worker-2"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  labels: {{app: {app}}}\ndata:\n  size: \"{size}\"\n"


def _configmaps(kube, *specs):
    docs = "---\n".join(CM.format(name=n, app=a, size=s) for n, a, s in specs)
    kube("apply", "-f", "-", input=docs, check=True)


@pytest.mark.parametrize("args,out", [
    (["nodes", "-o", "jsonpath={.items[*].metadata.name}"], NODES),
    (["node", "worker-1", "-o", "jsonpath={.metadata.name}"], "worker-1"),
    (["nodes", "-o", 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}'],
     "k8s-master\t192.168.0.100\nworker-1\t192.168.0.101\nworker-2\t192.168.0.102\n"),
    (["node", "worker-1", "-o", "jsonpath={.metadata.labels.kubernetes\\.io/hostname}"], "worker-1"),
    (["nodes", "-o", "jsonpath-as-json={.items[0].metadata.name}"], '[\n    "k8s-master"\n]\n'),
    (["nodes", "-o", "jsonpath", "--template={.items[2].metadata.name}"], "worker-2"),
    (["nodes", "-o", "jsonpath={.kind}"], "List"),
], ids=["list-items", "single-object", "range-filter", "escaped-dot", "as-json", "template-flag", "list-kind"])
def test_jsonpath_output(kube, args, out):
    r = kube("get", *args)
    assert (r.code, r.out, r.err) == (0, out, "")


@pytest.mark.parametrize("args,err", [
    (["-o", "jsonpath={.a"], "error: error parsing jsonpath {.a, unclosed action\n"),
    (["-o", "jsonpath"], "error: template format specified but no template given\n"),
    (["-o", "jsonpath-file=/nonexistent"],
     "error: error reading --template /nonexistent, open /nonexistent: no such file or directory\n"),
    (["-o", "custom-columns=NAME"], "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>\n"),
    (["-o", "custom-columns="], "error: custom-columns format specified but no custom columns given\n"),
    (["-o", "foo"], 'error: unable to match a printer suitable for the output format "foo", allowed formats are: '
     "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,"
     "jsonpath-file,name,template,templatefile,wide,yaml\n"),
    (["--sort-by=.nope"], 'error: couldn\'t find any field with path "{.nope}" in the list of objects\n'),
], ids=["jsonpath-parse", "jsonpath-empty", "jsonpath-file-missing", "columns-no-colon", "columns-empty",
        "unknown-format", "sort-by-missing-field"])
def test_output_errors(kube, args, err):
    r = kube("get", "nodes", *args)
    assert (r.code, r.out, r.err) == (1, "", err)


def test_jsonpath_execution_error_shows_template_and_object(kube):
    r = kube("get", "node", "worker-1", "-o", "jsonpath={.spec[0]}")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith('error: error executing jsonpath "{.spec[0]}": Error executing template: '
                            "map[string]interface {} is not array or slice. Printing more information "
                            "for debugging the template:\n\ttemplate was:\n\t\t{.spec[0]}\n"
                            "\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{")


def test_jsonpath_file(kube, tmp_path):
    f = tmp_path / "t.jsonpath"
    f.write_text("{range .items[*]}{.metadata.name}{'\\n'}{end}")
    r = kube("get", "nodes", "-o", f"jsonpath-file={f}")
    assert (r.code, r.out) == (0, "k8s-master\nworker-1\nworker-2\n")


@pytest.mark.parametrize("args,out", [
    (["-o", "custom-columns=NAME:.metadata.name,IP:.status.addresses[0].address,TAINTS:.spec.taints[*].effect"],
     "NAME         IP              TAINTS\n"
     "k8s-master   192.168.0.100   NoSchedule\n"
     "worker-1     192.168.0.101   <none>\n"
     "worker-2     192.168.0.102   <none>\n"),
    (["-o", "custom-columns=NAME:metadata.name", "--no-headers"], "k8s-master\nworker-1\nworker-2\n"),
    (["worker-2", "-o", "custom-columns=NAME:{.metadata.name},CPU:.status.capacity.cpu"],
     "NAME       CPU\nworker-2   4\n"),
], ids=["list", "no-headers", "single-object"])
def test_custom_columns(kube, args, out):
    r = kube("get", "nodes", *args)
    assert (r.code, r.out, r.err) == (0, out, "")


def test_custom_columns_file_always_has_headers(kube, tmp_path):
    f = tmp_path / "cols"
    f.write_text("NAME   IP\n.metadata.name   .status.addresses[0].address\n")
    r = kube("get", "nodes", "-o", f"custom-columns-file={f}", "--no-headers")
    assert r.out.splitlines()[:2] == ["NAME         IP", "k8s-master   192.168.0.100"]


@pytest.mark.parametrize("args,out", [
    (["--sort-by=.metadata.name", "-o", "name"],
     "configmap/c1\nconfigmap/c2\nconfigmap/c10\nconfigmap/kube-root-ca.crt\n"),
    (["--sort-by={.data.size}", "-o", "name", "-l", "app"], "configmap/c2\nconfigmap/c10\nconfigmap/c1\n"),
    (["--sort-by=.data.size", "-l", "app", "-o", "custom-columns=N:.metadata.name,S:.data.size"],
     "N     S\nc2    500m\nc10   2\nc1    1Ki\n"),
    (["--sort-by=.metadata.labels.app", "-l", "app"],
     "NAME   DATA   AGE\nc10    1      0s\nc2     1      0s\nc1     1      0s\n"),
    (["--sort-by=.metadata.name", "-l", "app", "-o", "jsonpath={.items[*].metadata.name}"], "c1 c2 c10"),
], ids=["names-natural-order", "quantities-by-value", "custom-columns", "table", "jsonpath"])
def test_sort_by(kube, args, out):
    _configmaps(kube, ("c10", "a", "2"), ("c2", "b", "500m"), ("c1", "c", "1Ki"))
    r = kube("get", "cm", *args)
    assert (r.code, r.out, r.err) == (0, out, "")


def test_sort_by_quantity_on_nodes(kube):
    r = kube("get", "nodes", "--sort-by=.status.capacity.memory", "-o", "name")
    mem = {n: kube("get", "node", n, "-o", "jsonpath={.status.capacity.memory}").out for n in NODES.split()}
    from pykubectl.api.quantity import parse_quantity
    assert r.out == "".join(f"node/{n}\n" for n in sorted(mem, key=lambda n: parse_quantity(mem[n])))


@pytest.mark.parametrize("args,err", [
    (["cm", "c1", "-l", "app=a"], "error: name cannot be provided when a selector is specified\n"),
    (["cm", "c1", "--field-selector", "metadata.name=c1"], "error: name cannot be provided when a selector is specified\n"),
    (["cm/c1", "-l", "app=a"], "error: selectors and the all flag cannot be used when passing resource/name arguments\n"),
    (["cm,sa", "-w"], "error: watch is only supported on individual resources and resource collections, but a list of resources is found\n"),
], ids=["name-and-label-selector", "name-and-field-selector", "type-slash-name-and-selector", "watch-two-kinds"])
def test_argument_errors(kube, args, err):
    r = kube("get", *args)
    assert (r.code, r.out, r.err) == (1, "", err)


@pytest.mark.parametrize("args,out,err", [
    (["cm,sa", "-o", "name"], "configmap/kube-root-ca.crt\nserviceaccount/default\n", ""),
    (["nodes", "--show-kind", "-o", "custom-columns=N:.metadata.name", "--no-headers"],
     "k8s-master\nworker-1\nworker-2\n", ""),
    (["pod", "nope", "--ignore-not-found"], "", ""),
    (["pods", "--ignore-not-found"], "", ""),
    (["pod", "nope", "--ignore-not-found", "-o", "yaml"], "", ""),
    (["sa", "--show-kind", "--chunk-size=10"], "NAME                     SECRETS   AGE\nserviceaccount/default   0         20m\n", ""),
], ids=["name-several-kinds", "show-kind-ignored-by-columns", "ignore-not-found-named", "ignore-not-found-list",
        "ignore-not-found-yaml", "show-kind-and-chunk-size"])
def test_get_behaviours(kube, args, out, err):
    r = kube("get", *args)
    assert (r.code, r.out, r.err) == (0, out, err)


CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, categories: [all]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""


def test_get_all_includes_custom_resources_in_category_all(kube):
    kube("apply", "-f", "-", input=CRD, check=True)
    kube("apply", "-f", "-", input="apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n", check=True)
    r = kube("get", "all", "-o", "name")
    assert (r.code, r.out) == (0, "service/kubernetes\nwidget.example.com/w1\n")


def test_get_from_file_prints_the_named_objects(kube, tmp_path):
    _configmaps(kube, ("c1", "a", "1"))
    f = tmp_path / "cm.yaml"
    f.write_text(CM.format(name="c1", app="a", size="1"))
    r = kube("get", "-f", str(f), "-o", "jsonpath={.kind}/{.metadata.name}")
    assert (r.code, r.out) == (0, "ConfigMap/c1")


# ---------------------------------------------------------------- --watch

class Watcher:
    """`pykubectl get ... --request-timeout` in the background, its output read as it comes.
    A watch starts from its list's resourceVersion, so once the list is printed no later change
    can be missed; with --watch-only nothing is printed first, so we wait longer."""

    def __init__(self, kube, *args, cmd="get"):
        import threading
        self.p = subprocess.Popen([PYKUBECTL, cmd, *args, "--request-timeout=8s"], env=kube.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._t = threading.Thread(target=lambda: self.lines.extend(iter(self.p.stdout.readline, "")))
        self._t.start()

    def wait_for_lines(self, n: int, limit: float = 15.0):
        end = time.monotonic() + limit
        while len(self.lines) < n and time.monotonic() < end:
            time.sleep(0.05)
        if n == 0:
            time.sleep(4.0)    # nothing to see: give the watcher time to list and start watching

    def result(self):
        self.p.wait(timeout=60)
        self._t.join()
        return self.p.returncode, "".join(self.lines), self.p.stderr.read()


@pytest.mark.parametrize("args,first,out", [
    (["cm", "-w", "-l", "app"], 2, "NAME          DATA   AGE\nc0-existing   1      0s\nc1            1      0s\n"),
    (["cm", "--watch-only"], 0, "NAME   DATA   AGE\nc1     1      0s\n"),
    (["cm", "-w", "-o", "name"], 2, "configmap/c0-existing\nconfigmap/kube-root-ca.crt\nconfigmap/c1\n"),
    (["cm", "-w", "-o", "jsonpath={.metadata.name}{\"\\n\"}", "-l", "app"], 1, "c0-existing\nc1\n"),
    (["cm", "c0-existing", "-w", "-o", "name"], 1, "configmap/c0-existing\n"),
    (["cm", "--watch-only", "--output-watch-events", "-o", "jsonpath={.type} {.object.metadata.name}"], 0, "ADDED c1"),
], ids=["table-then-change", "watch-only", "name", "jsonpath-with-selector", "named-object-ignores-others",
        "watch-events"])
def test_watch_prints_changes_until_request_timeout(kube, args, first, out):
    _configmaps(kube, ("c0-existing", "a", "1"))
    w = Watcher(kube, *args)
    w.wait_for_lines(first)
    _configmaps(kube, ("c1", "a", "1"))
    assert w.result() == (0, out, "")


def test_watch_table_keeps_column_widths(kube):
    _configmaps(kube, ("c0", "a", "1"))
    w = Watcher(kube, "cm", "-w", "-l", "app")
    w.wait_for_lines(2)
    _configmaps(kube, ("a-much-longer-configmap-name", "a", "1"))
    _configmaps(kube, ("c1", "a", "1"))
    assert w.result()[1] == ("NAME   DATA   AGE\n"
                             "c0     1      0s\n"
                             "a-much-longer-configmap-name   1      0s\n"
                             "c1                             1      0s\n")


# ---------------------------------------------------------------- sorting rules (pure)

@pytest.mark.parametrize("a,b,less", [
    ("pod2", "pod10", True),
    ("pod10", "pod2", False),
    ("a01", "a1", False),
    ("a1", "a01", True),
    ("1x", "x", True),
    ("abc", "abd", True),
    ("ab", "abc", True),
], ids=["digits-as-numbers", "digits-as-numbers-reverse", "more-zeros-after", "fewer-zeros-first",
        "digits-before-letters", "bytewise", "prefix-first"])
def test_natural_order(a, b, less):
    from pykubectl.cli.get import natural_less
    assert natural_less(a, b) is less


@pytest.mark.parametrize("values,want", [
    (["1Gi", "500Mi", "2"], ["2", "500Mi", "1Gi"]),
    ([3, 1.5, 2], [1.5, 2, 3]),
    (["2026-01-01T00:00:10Z", "2026-01-01T00:00:09Z"], ["2026-01-01T00:00:09Z", "2026-01-01T00:00:10Z"]),
    ([None, "b", "a"], [None, "a", "b"]),
], ids=["quantities", "numbers", "timestamps", "missing-first"])
def test_sort_objects(values, want):
    from pykubectl.cli.get import sort_objects
    objs = [{"v": v} if v is not None else {} for v in values]
    assert [o.get("v") for o in sort_objects(objs, ".v")] == want
