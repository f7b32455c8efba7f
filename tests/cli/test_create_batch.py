"""`create -f` of many objects: the control plane reconciles once after the command's writes,
not after each one, except where a later object needs the controllers' answer to an earlier one
(a namespace's default ServiceAccount, which pod admission looks up)."""
import os

import pytest

NS_AND_POD = """\
apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
  namespace: team
spec:
  containers:
  - name: c
    image: nginx
"""

def pods_list(n):
    items = ",".join('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b%d"},'
                     '"spec":{"containers":[{"name":"c","image":"nginx"}]}}' % i for i in range(n))
    return '{"apiVersion":"v1","kind":"List","items":[%s]}' % items


def test_a_pod_after_its_namespace_finds_the_default_service_account(kube, tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(NS_AND_POD)
    r = kube("create", "-f", str(f))
    assert (r.code, r.out, r.err) == (0, "namespace/team created\npod/solo created\n", "")


def test_the_whole_list_is_reconciled_before_the_command_returns(kube, tmp_path):
    f = tmp_path / "list.json"
    f.write_text(pods_list(5))
    r = kube("create", "-f", str(f))
    assert r.code == 0 and r.out.count(" created\n") == 5
    # straight from the store, with no command in between that could reconcile
    from pykubectl.store.sqlite import Store
    s = Store(os.path.join(kube.home, "data", "clusters", "kubernetes", "state.db"))
    try:
        assert s.meta("reconciled") == s.meta("revision")
        with s.read() as t:
            assert all(p["spec"].get("nodeName") for p in t.list("", "pods", "default")
                       if p["metadata"]["name"].startswith("b"))
    finally:
        s.close()


@pytest.mark.parametrize("batched,runs", [(False, 4), (True, 1)], ids=["one-by-one", "batched"])
def test_a_batch_reconciles_once(cluster, monkeypatch, batched, runs):
    from contextlib import nullcontext

    from pykubectl.client.local import LocalClient
    client = LocalClient(cluster)
    calls = []
    real = cluster.reconcile
    monkeypatch.setattr(cluster, "reconcile", lambda: calls.append(1) or real())
    client._synced = True   # the read-side sync is not what is counted
    kind = client.resolve("pods")
    with client.batch() if batched else nullcontext():
        for i in range(4):
            client.create(kind, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"q{i}"},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}, "default")
    assert len(calls) == runs
    pods = [p for p in client.list(kind, "default")["items"] if p["metadata"]["name"].startswith("q")]
    assert len(pods) == 4 and all(p["spec"].get("nodeName") for p in pods)
