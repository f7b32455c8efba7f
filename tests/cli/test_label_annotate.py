"""kubectl label / annotate end to end: the output lines, the refusals kubectl makes before
sending anything (compared with the real kubectl where it answers offline), and the merge patch
reaching the object."""
import json
import os
import subprocess

import pytest

from tests.conftest import real_kubectl

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx
"""


def labels(kube, *ref):
    return json.loads(kube("get", *ref, "-o", "json").out)["metadata"].get("labels", {})


def annotations(kube, *ref):
    return json.loads(kube("get", *ref, "-o", "json").out)["metadata"].get("annotations", {})


# (steps before, command, exit code, stdout, stderr)
LABEL_CASES = [
    ([], ["label", "nodes", "worker-1", "kr=az-1"], 0, "node/worker-1 labeled\n", ""),
    ([["label", "nodes", "worker-1", "kr=az-1"]], ["label", "nodes", "worker-1", "kr=az-2"], 1, "",
     "error: 'kr' already has a value (az-1), and --overwrite is false\n"),
    ([["label", "nodes", "worker-1", "kr=az-1"]], ["label", "nodes", "worker-1", "kr=az-2", "--overwrite"], 0,
     "node/worker-1 labeled\n", ""),
    ([["label", "nodes", "worker-1", "kr=az-1"]], ["label", "--overwrite", "node/worker-1", "kr=az-1"], 0,
     "node/worker-1 not labeled\n", ""),
    ([["label", "nodes", "worker-1", "kr=az-1"]], ["label", "nodes", "worker-1", "kr-"], 0,
     "node/worker-1 unlabeled\n", ""),
    ([], ["label", "nodes", "worker-1", "kr-"], 0, 'label "kr" not found.\nnode/worker-1 not labeled\n', ""),
    ([], ["label", "nodes", "worker-1", "kr=az-1", "--dry-run=client"], 0, "node/worker-1 labeled (dry run)\n", ""),
    ([], ["label", "nodes", "worker-1", "kr=az-1", "--dry-run=server"], 0,
     "node/worker-1 labeled (server dry run)\n", ""),
    ([], ["label", "nodes", "worker-1", "kr=az-1", "-o", "name"], 0, "node/worker-1\n", ""),
    ([], ["label", "nodes", "-l", "kubernetes.io/hostname=worker-2", "zone=b"], 0, "node/worker-2 labeled\n", ""),
    ([], ["label", "nodes", "--all", "zone=b", "--dry-run=client"], 0,
     "node/k8s-master labeled (dry run)\nnode/worker-1 labeled (dry run)\nnode/worker-2 labeled (dry run)\n", ""),
    ([], ["label", "pod", "nope", "a=b"], 1, "", 'Error from server (NotFound): pods "nope" not found\n'),
    ([], ["label", "nodes", "worker-1", "kr=az-1", "--resource-version=1"], 1, "",
     'Error from server (Conflict): Operation cannot be fulfilled on nodes "worker-1": the object has been '
     "modified; please apply your changes to the latest version and try again\n"),
    ([], ["label", "nodes", "worker-1", "worker-2", "kr=az-1", "--resource-version=1"], 1, "",
     "error: --resource-version may only be used with a single resource\n"),
    ([], ["label", "nodes", "kr=az-1"], 1, "", "error: resource(s) were provided, but no name was specified\n"),
    ([["label", "nodes", "worker-1", "kr=az-1"]], ["label", "nodes", "worker-1", "--list"], 0,
     "beta.kubernetes.io/arch=amd64\nbeta.kubernetes.io/os=linux\nkr=az-1\nkubernetes.io/arch=amd64\n"
     "kubernetes.io/hostname=worker-1\nkubernetes.io/os=linux\n", ""),
    ([], ["label", "nodes", "worker-1", "Bad Key=x"], 1, "",
     'The Node "worker-1" is invalid: metadata.labels: Invalid value: "Bad Key": name part '
     "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
     "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
     "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\n"),
]


@pytest.mark.parametrize("before,cmd,code,out,err", LABEL_CASES,
                         ids=[" ".join(c[1][1:]) + (" (after label)" if c[0] else "") for c in LABEL_CASES])
def test_label(kube, before, cmd, code, out, err):
    for step in before:
        kube(*step, check=True)
    r = kube(*cmd)
    assert (r.code, r.out, r.err) == (code, out, err)


def test_label_changes_reach_the_object_and_dry_runs_do_not(kube):
    kube("label", "nodes", "worker-1", "kr=az-1", check=True)
    kube("label", "nodes", "worker-1", "other=x", "--dry-run=server", check=True)
    kube("label", "nodes", "worker-1", "more=y", "--dry-run=client", check=True)
    got = labels(kube, "node", "worker-1")
    assert got["kr"] == "az-1" and "other" not in got and "more" not in got
    kube("label", "nodes", "worker-1", "kr-", check=True)
    assert "kr" not in labels(kube, "node", "worker-1")


def test_label_from_file_and_output_yaml(kube, tmp_path):
    f = tmp_path / "pod.yaml"
    f.write_text(POD)
    kube("apply", "-f", str(f), check=True)
    r = kube("label", "-f", str(f), "tier=front")
    assert (r.code, r.out, r.err) == (0, "pod/web labeled\n", "")
    assert labels(kube, "pod", "web") == {"app": "web", "tier": "front"}
    r = kube("label", "pod", "web", "tier=back", "--overwrite", "-o", "yaml")
    assert r.code == 0 and "    tier: back\n" in r.out and "managedFields" not in r.out


def test_label_list_many_prints_a_heading_per_object(kube):
    r = kube("label", "nodes", "worker-1", "worker-2", "--list")
    assert r.code == 0
    assert r.out.startswith("Listing labels for Node./worker-1:\n beta.kubernetes.io/arch=amd64\n")
    assert "Listing labels for Node./worker-2:\n" in r.out


ANNOTATE_CASES = [
    ([], ["annotate", "node", "worker-1", "team=blue"], 0, "node/worker-1 annotated\n", ""),
    ([["annotate", "node", "worker-1", "team=blue"]], ["annotate", "node", "worker-1", "team=red"], 1, "",
     "error: --overwrite is false but found the following declared annotation(s): 'team' already has a value (blue)\n"),
    ([["annotate", "node", "worker-1", "team=blue"]], ["annotate", "node", "worker-1", "team=red", "--overwrite"], 0,
     "node/worker-1 annotated\n", ""),
    ([["annotate", "node", "worker-1", "team=blue"]], ["annotate", "node/worker-1", "team-"], 0,
     "node/worker-1 annotated\n", ""),
    ([], ["annotate", "node", "worker-1", "kubernetes.io/change-cause=x", "--dry-run=client"], 0,
     "node/worker-1 annotated (dry run)\n", ""),
    ([], ["annotate", "node", "worker-1", "note=a b c", "-o", "name"], 0, "node/worker-1\n", ""),
    ([], ["annotate", "pods", "nope", "a=b"], 1, "", 'Error from server (NotFound): pods "nope" not found\n'),
]


@pytest.mark.parametrize("before,cmd,code,out,err", ANNOTATE_CASES,
                         ids=[" ".join(c[1][1:]) + (" (after annotate)" if c[0] else "") for c in ANNOTATE_CASES])
def test_annotate(kube, before, cmd, code, out, err):
    for step in before:
        kube(*step, check=True)
    r = kube(*cmd)
    assert (r.code, r.out, r.err) == (code, out, err)


def test_annotate_sets_and_removes(kube):
    kube("annotate", "node", "worker-1", "note=a b c", "team=blue", check=True)
    got = annotations(kube, "node", "worker-1")
    assert got["note"] == "a b c" and got["team"] == "blue"
    kube("annotate", "node", "worker-1", "note-", check=True)
    assert "note" not in annotations(kube, "node", "worker-1")


# refused before any request: the real kubectl answers these offline, word for word
OFFLINE = [
    ["label", "pods", "foo", "a=b=c"],
    ["label", "pods", "foo", "a=b", "c"],
    ["label", "pods", "foo"],
    ["label", "pods", "foo", "a=b", "a-"],
    ["label", "pods", "foo", "a=b", "--list", "-o", "yaml"],
    ["label", "pods", "foo", "a=b c"],
    ["label", "pods", "foo", "a=b", "--all", "-l", "x=y"],
    ["annotate", "pods", "foo", "a"],
    ["annotate", "pods", "foo", "a=1", "a-"],
    ["annotate", "pods", "foo", "a=x", "b"],
]


@pytest.mark.skipif(real_kubectl() is None, reason="no real kubectl")
@pytest.mark.parametrize("cmd", OFFLINE, ids=[" ".join(c) for c in OFFLINE])
def test_client_side_refusals_match_real_kubectl(kube, tmp_path, cmd):
    cfg = tmp_path / "unreachable"
    cfg.write_text("apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'https://127.0.0.1:1'}\n  name: c\n"
                   "contexts:\n- context: {cluster: c, user: u}\n  name: x\ncurrent-context: x\n"
                   "users:\n- name: u\n  user: {token: t}\n")
    env = dict(os.environ, KUBECONFIG=str(cfg), HOME=str(tmp_path))
    want = subprocess.run([real_kubectl(), *cmd], capture_output=True, text=True, env=env, timeout=30)
    got = kube(*cmd)
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)


def test_local_works_on_the_file_only(kube, tmp_path):
    f = tmp_path / "pod.yaml"
    f.write_text(POD)
    r = kube("label", "--local", "-f", str(f), "tier=front", "-o", "yaml")
    assert r.code == 0 and "    tier: front\n" in r.out, r.err
    r = kube("annotate", "--local", "-f", str(f), "note=x")
    assert (r.code, r.out) == (0, "pod/web annotated\n"), r.err
    assert kube("get", "pod", "web").code == 1        # nothing was sent
    r = kube("label", "--local", "pod", "web", "a=b")
    assert (r.code, r.err) == (1, "error: can only use local files by -f pod.yaml or --filename=pod.json when --local=true is set\n")
