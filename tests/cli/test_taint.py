"""kubectl taint end to end: the exercises' lines, the tainted / untainted / modified outcomes,
the node's resulting taint list, and kubectl's refusals (compared with the real kubectl offline)."""
import json
import os
import subprocess

import pytest

from tests.conftest import real_kubectl


def taints(kube, node="worker-1"):
    return json.loads(kube("get", "node", node, "-o", "json").out).get("spec", {}).get("taints", [])


GPU = ["taint", "nodes", "worker-1", "hw=gpu:NoSchedule"]

# (steps before, command, exit code, stdout, stderr, taints of worker-1 afterwards)
CASES = [
    ([], GPU, 0, "node/worker-1 tainted\n", "",
     [{"key": "hw", "value": "gpu", "effect": "NoSchedule"}]),
    ([GPU], ["taint", "nodes", "worker-1", "hw=gpu:NoSchedule-"], 0, "node/worker-1 untainted\n", "", []),
    ([GPU], ["taint", "nodes", "worker-1", "hw-"], 0, "node/worker-1 untainted\n", "", []),
    ([GPU], GPU, 1, "", "error: node worker-1 already has hw taint(s) with same effect(s) and --overwrite is false\n",
     [{"key": "hw", "value": "gpu", "effect": "NoSchedule"}]),
    ([GPU], ["taint", "nodes", "worker-1", "hw=cpu:NoSchedule", "--overwrite"], 0, "node/worker-1 modified\n", "",
     [{"key": "hw", "value": "cpu", "effect": "NoSchedule"}]),
    ([GPU], ["taint", "nodes", "worker-1", "hw:NoExecute"], 0, "node/worker-1 tainted\n", "",
     [{"key": "hw", "effect": "NoExecute"}, {"key": "hw", "value": "gpu", "effect": "NoSchedule"}]),
    ([GPU], ["taint", "nodes", "worker-1", "hw:NoSchedule-", "ssd=yes:PreferNoSchedule"], 0,
     "node/worker-1 modified\n", "", [{"key": "ssd", "value": "yes", "effect": "PreferNoSchedule"}]),
    ([], ["taint", "nodes", "worker-1", "x:NoSchedule-"], 1, "", 'error: taint "x:NoSchedule" not found\n', []),
    ([], ["taint", "nodes", "worker-1", "x-"], 1, "", 'error: taint "x:" not found\n', []),
    ([], GPU + ["--dry-run=client"], 0, "node/worker-1 tainted (dry run)\n", "", []),
    ([], GPU + ["--dry-run=server"], 0, "node/worker-1 tainted (server dry run)\n", "", []),
    ([], GPU + ["-o", "name"], 0, "node/worker-1\n", "", [{"key": "hw", "value": "gpu", "effect": "NoSchedule"}]),
    ([], ["taint", "nodes", "nope", "hw=gpu:NoSchedule"], 1, "", 'Error from server (NotFound): nodes "nope" not found\n', []),
    ([], ["taint", "pods", "x", "a=b:NoSchedule"], 1, "", "error: invalid resource type pods, only node types are supported\n", []),
    ([], ["taint", "nodes", "a=b:NoSchedule"], 1, "",
     "error: at least one resource name must be specified since 'all' parameter is not set\n", []),
    ([], ["taint", "nodes", "worker-1", "a=b:NoSchedule", "a-"], 1, "",
     'error: can not both modify and remove the following taint(s) in the same command: {"a":""}\n', []),
    ([], ["taint", "nodes", "--all", "-l", "a=b", "k:NoSchedule"], 1, "",
     "error: setting 'all' parameter with a non empty selector is prohibited\n", []),
]


@pytest.mark.parametrize("before,cmd,code,out,err,after", CASES,
                         ids=[" ".join(c[1][3:]) + (" (after hw=gpu)" if c[0] else "") for c in CASES])
def test_taint(kube, before, cmd, code, out, err, after):
    for step in before:
        kube(*step, check=True)
    r = kube(*cmd)
    assert (r.code, r.out, r.err) == (code, out, err)
    assert taints(kube) == after


def test_taint_by_selector_and_all(kube):
    r = kube("taint", "nodes", "-l", "kubernetes.io/hostname=worker-2", "zone=b:PreferNoSchedule")
    assert (r.code, r.out) == (0, "node/worker-2 tainted\n"), r.err
    assert taints(kube, "worker-2") == [{"key": "zone", "value": "b", "effect": "PreferNoSchedule"}]
    r = kube("taint", "nodes", "--all", "maint=yes:NoSchedule", "--dry-run=client")
    assert r.out == ("node/k8s-master tainted (dry run)\nnode/worker-1 tainted (dry run)\n"
                     "node/worker-2 tainted (dry run)\n")


OFFLINE = [
    ["taint", "nodes", "n1", "hw=gpu:Bad"],
    ["taint", "nodes", "n1", "hw=gpu"],
    ["taint", "nodes", "n1"],
    ["taint", "nodes"],
    ["taint", "nodes", "n1", "a=b:NoSchedule", "a=c:NoSchedule"],
    ["taint", "nodes", "n1", "a=b=c:NoSchedule"],
    ["taint", "nodes", "n1", "a=b c:NoSchedule"],
    ["taint", "nodes", "n1", "a:b:c"],
    ["taint", "nodes", "n1", "a=b:NoSchedule", "n2"],
]


@pytest.mark.skipif(real_kubectl() is None, reason="no real kubectl")
@pytest.mark.parametrize("cmd", OFFLINE, ids=[" ".join(c[2:]) for c in OFFLINE])
def test_client_side_refusals_match_real_kubectl(kube, tmp_path, cmd):
    cfg = tmp_path / "unreachable"
    cfg.write_text("apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'https://127.0.0.1:1'}\n  name: c\n"
                   "contexts:\n- context: {cluster: c, user: u}\n  name: x\ncurrent-context: x\n"
                   "users:\n- name: u\n  user: {token: t}\n")
    env = dict(os.environ, KUBECONFIG=str(cfg), HOME=str(tmp_path))
    want = subprocess.run([real_kubectl(), *cmd], capture_output=True, text=True, env=env, timeout=30)
    got = kube(*cmd)
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)
