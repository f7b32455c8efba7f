"""get's streaming path: a table (or -o name) of a list is printed from objects read one at a
time (LocalClient.list_stream), where it used to decode the whole list first. What it prints
must be exactly what the list path prints, and its memory must not grow with the decoded list.

The list path is still there (clients without list_stream, --sort-by): each case runs the
command twice in-process on the same quiet cluster (virtual clock), once with list_stream
hidden, and compares exit code, stdout and stderr."""
from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import sys
import tracemalloc

import pytest

from tests.conftest import Result

PODS = {"default": 180, "team-a": 60}     # by namespace; `empty-ns` has none
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}
spec:
  replicas: {n}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, tier: {tier}}}}}
    spec:
      containers: [{{name: c, image: nginx}}]
"""


@pytest.fixture(scope="module")
def big_home(tmp_path_factory, lab_template):
    """The lab plus a few hundred pods from Deployments, reconciled until quiet."""
    home = str(tmp_path_factory.mktemp("streaming") / "home")
    shutil.copytree(lab_template, home)
    import yaml
    from pykubectl.sim.clusters import Cluster
    c = Cluster("kubernetes", {"PYKUBECTL_HOME": os.path.join(home, "data")})
    srv = c.apiserver
    for ns in ("team-a", "empty-ns"):
        srv.create(srv.resolve("namespaces"), {"apiVersion": "v1", "kind": "Namespace",
                                               "metadata": {"name": ns}})
    for ns, n in PODS.items():
        for i, part in enumerate((n // 2, n - n // 2)):
            doc = DEPLOY.format(name=f"web{i}", ns=ns, n=part, tier="front" if i else "back")
            srv.create(srv.resolve("deployments.apps"), yaml.load(doc, Loader=yaml.CSafeLoader))
    c.reconcile()
    while c.engine.run():
        pass
    c.close()
    return home


class InProc:
    """pykubectl.cli.main.run in this process (so list_stream can be hidden), stdio captured."""

    def __init__(self, home, monkeypatch, capsys):
        self.mp, self.capsys = monkeypatch, capsys
        monkeypatch.setenv("PYKUBECTL_HOME", os.path.join(home, "data"))
        monkeypatch.setenv("KUBECONFIG", os.path.join(home, "kubeconfig"))
        monkeypatch.setenv("HOME", home)
        monkeypatch.delenv("PYKUBECTL_TEST_VIA", raising=False)
        self.db = os.path.join(home, "data", "clusters", "kubernetes", "state.db")

    def __call__(self, *args: str) -> Result:
        from pykubectl.cli.main import run
        self.capsys.readouterr()
        self.mp.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
        code = run(list(args))
        cap = self.capsys.readouterr()
        return Result(code, cap.out, cap.err)

    def list_path(self, *args: str) -> Result:
        """The same command through the list path (a client that cannot stream)."""
        from pykubectl.client.local import LocalClient
        with self.mp.context() as m:
            m.delattr(LocalClient, "list_stream")
            return self(*args)


@pytest.fixture
def cli(big_home, monkeypatch, capsys):
    k = InProc(big_home, monkeypatch, capsys)
    k("get", "pods")      # any pending reconcile happens here, not between the two runs
    return k


@pytest.mark.parametrize("args", [
    ["pods", "-A"],
    ["pods", "-A", "-o", "wide"],
    ["pods", "-A", "-o", "name"],
    ["pods", "-A", "--show-labels"],
    ["pods", "-A", "-L", "app,tier", "--no-headers"],
    ["pods"],
    ["pods", "-n", "team-a", "-o", "wide"],
    ["pods", "-l", "tier=front", "-A"],
    ["pods", "-A", "--field-selector", "spec.nodeName=worker-1"],
    ["pods,deployments,rs", "-A"],
    ["pods,deployments", "-n", "team-a", "-o", "name"],
    ["pods", "-A", "--show-kind"],
    ["events", "-A"],
    ["nodes"],
    ["pods", "-A", "-o", "json"],
    ["pods", "-n", "team-a", "-o", "yaml"],
    ["pods", "-n", "team-a", "-o", "yaml", "--show-managed-fields"],
    ["pods,deployments", "-n", "team-a", "-o", "json"],
    ["nodes", "-o", "yaml"],
], ids=["all-namespaces", "wide", "name", "show-labels", "label-columns-no-headers", "default-ns",
        "one-ns-wide", "label-selector", "field-selector-indexed", "several-kinds", "several-kinds-name",
        "show-kind", "events", "cluster-scoped", "json", "yaml", "yaml-managed-fields",
        "several-kinds-json", "cluster-scoped-yaml"])
def test_stream_prints_what_the_list_path_prints(cli, args):
    streamed = cli("get", *args)
    assert streamed.code == 0 and streamed.out.count("\n") > 3, streamed
    assert streamed == cli.list_path("get", *args)


@pytest.mark.parametrize("args,err", [
    (["pods", "-n", "empty-ns"], "No resources found in empty-ns namespace.\n"),
    (["pods", "-n", "empty-ns", "-o", "wide"], "No resources found in empty-ns namespace.\n"),
    (["pods", "-A", "-l", "app=nothing"], "No resources found\n"),
    (["pods", "-n", "empty-ns", "-o", "name"], ""),
    (["pods", "-A", "-l", "a in (b"], "Error from server (BadRequest): unable to parse requirement: "
     "found '', expected: ',' or ')'\n"),
], ids=["empty-namespace", "empty-namespace-wide", "empty-selection", "empty-name", "bad-selector"])
def test_nothing_to_print_matches_the_list_path(cli, args, err):
    streamed = cli("get", *args)
    assert (streamed.out, streamed.err) == ("", err)
    assert streamed == cli.list_path("get", *args)


@pytest.mark.parametrize("args,out", [
    (["-o", "json"], '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n'
                     '    "metadata": {\n        "resourceVersion": "RV"\n    }\n}\n'),
    (["-o", "yaml"], 'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: "RV"\n'),
], ids=["json", "yaml"])
def test_empty_list_as_json_or_yaml(cli, args, out):
    streamed = cli("get", "pods", "-n", "empty-ns", *args)
    assert streamed.code == 0 and streamed.err == ""
    assert re.fullmatch(re.escape(out).replace("RV", "[0-9]+"), streamed.out), streamed.out
    assert streamed == cli.list_path("get", "pods", "-n", "empty-ns", *args)


class _Sink:
    """stdout that keeps nothing: what a command holds is then only what it builds itself."""

    def __init__(self):
        self.lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        return len(text)

    def flush(self):
        pass


def _stored_json_bytes(db: str) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT sum(length(data)) FROM objects WHERE grp='' AND res='pods'").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("output", [[], ["-o", "wide"], ["-o", "name"], ["-o", "json"]],
                         ids=["table", "wide", "name", "json"])
def test_peak_memory_stays_below_the_lists_json(cli, output):
    """Decoded, a pod takes several times its JSON: a printer holding the decoded list peaks
    above the list's stored JSON; one holding only cells and text (or one object's text, for
    -o json, written as it goes) stays well below it."""
    cli("get", "pods", "-A", *output)          # imports and caches warmed outside the measure
    budget = _stored_json_bytes(cli.db)

    def peak(run) -> int:
        sink = _Sink()
        with cli.mp.context() as m:
            m.setattr(sys, "stdout", sink)
            tracemalloc.start()
            try:
                assert run("get", "pods", "-A", *output).code == 0
                used = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert sink.lines > sum(PODS.values())
        return used
    assert peak(cli) < budget / 2
    assert peak(cli.list_path) > budget      # the old way, for contrast: the test can fail


class _CountingJSON:
    """store.stream's json module, counting the objects lists decode."""

    def __init__(self):
        import json
        self.decoded, self._loads = 0, json.loads

    def loads(self, text):
        self.decoded += 1
        return self._loads(text)


@pytest.mark.parametrize("what,most", [
    ("pod", 20),             # the pod's own events, not every event of its namespace (~900)
    ("rs", 90 + 90 + 20),    # its 90 pods (by its selector) and its events (one per pod
                             # created), not all 180 pods and the namespace's ~1,000 events
    ("node", 120 + 20),      # the node's pods (spec.nodeName) and its events
], ids=["pod-events-by-uid", "replicaset-pods-by-selector", "node-pods-by-nodename"])
def test_describe_reads_only_what_concerns_the_object(cli, what, most):
    pod = cli("get", "pods", "-o", "name").out.split()[0].split("/")[1]
    name = {"pod": pod, "rs": pod.rsplit("-", 1)[0], "node": "worker-1"}[what]
    from pykubectl.store import stream
    counting = _CountingJSON()
    with cli.mp.context() as m:
        m.setattr(stream, "json", counting)
        r = cli("describe", what, name)
    assert r.code == 0 and r.err == "", r
    assert 0 < counting.decoded <= most
    if what == "pod":
        assert f"Successfully assigned default/{pod} to " in r.out
    if what == "rs":     # every pod it controls is still counted
        counts = re.search(r"Pods Status:\s+(\d+) Running / (\d+) Waiting / (\d+) Succeeded / (\d+) Failed", r.out)
        assert counts and sum(map(int, counts.groups())) == PODS["default"] // 2, r.out
