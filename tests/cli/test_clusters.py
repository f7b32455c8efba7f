"""Local clusters: create, list, switch by context, reset, delete — each with its own state."""
import json
import os
import stat


def test_create_list_switch_reset_delete(kube):
    r = kube("cluster", "create", "cluster-a", "--context", "context-a", "--clock", "virtual")
    assert (r.code, r.out) == (0, 'Cluster "cluster-a" created.\n'), r.err
    assert kube("cluster", "list").out == "cluster-a\nkubernetes\n"
    cfg = open(kube.kubeconfig).read()
    assert "current-context: context-a" in cfg
    assert stat.S_IMODE(os.stat(kube.kubeconfig).st_mode) == 0o600
    # objects live in one cluster only
    kube("create", "-f", "-", input='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"only-a"}}', check=True)
    assert kube("get", "cm", "only-a", "--context", "kubernetes-admin@kubernetes").code == 1
    assert kube("get", "cm", "only-a", "-o", "name").out == "configmap/only-a\n"
    # a second cluster gets its own port in its server URL
    servers = {c["name"]: c["cluster"]["server"] for c in _config(kube)["clusters"]}
    assert servers["kubernetes"] == "https://127.0.0.1:6443"
    assert servers["cluster-a"].startswith("https://127.0.0.1:") and servers["cluster-a"] != servers["kubernetes"]
    # reset brings back the freshly installed cluster
    r = kube("cluster", "reset", "cluster-a")
    assert r.code == 0, r.err
    assert kube("get", "cm", "only-a").code == 1
    r = kube("cluster", "delete", "cluster-a")
    assert (r.code, r.out) == (0, 'Cluster "cluster-a" deleted.\n')
    assert kube("cluster", "list").out == "kubernetes\n"
    assert "context-a" not in open(kube.kubeconfig).read()


def test_create_existing_cluster_is_refused(kube):
    r = kube("cluster", "create", "kubernetes")
    assert (r.code, r.err) == (1, 'error: cluster "kubernetes" already exists\n')


def test_explicit_kubeconfig_that_does_not_exist(kube, tmp_path):
    missing = str(tmp_path / "nope")
    r = kube("get", "pods", "--kubeconfig", missing)
    assert r.code == 1
    assert r.err == f"error: stat {missing}: no such file or directory\n"


def test_unknown_context(kube):
    r = kube("get", "pods", "--context", "nope")
    assert r.code == 1
    assert r.err == 'Error in configuration: context was not found for specified context: nope\n'


def test_unknown_cluster_and_user_flags(kube):
    assert kube("get", "pods", "--cluster", "nope").err == 'error: no server found for cluster "nope"\n'
    assert kube("get", "pods", "--user", "nope").err == 'error: auth info "nope" does not exist\n'


def _config(kube):
    import yaml
    return yaml.safe_load(open(kube.kubeconfig))


def test_seeded_clusters_are_reproducible(fresh):
    outs = []
    for name in ("s1", "s2"):
        r = fresh("cluster", "create", name, "--seed", "7")
        assert r.code == 0, r.err
        fresh("create", "-f", "-", input='{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-"},'
              '"spec":{"containers":[{"name":"c","image":"nginx"}]}}', check=True)
        fresh("sim", "advance", "10s", check=True)
        pods = json.loads(fresh("get", "pods", "-o", "json").out)["items"]
        nodes = json.loads(fresh("get", "nodes", "-o", "json").out)["items"]
        outs.append(([(p["metadata"]["name"], p["metadata"]["uid"], p["status"]["podIP"],
                       p["spec"]["nodeName"], p["metadata"]["creationTimestamp"]) for p in pods],
                     [n["metadata"]["uid"] for n in nodes]))
    assert outs[0] == outs[1]
    assert outs[0][0]


def test_two_clusters_switch_by_use_context(kube):
    for c in ("a", "b"):
        r = kube("cluster", "create", f"cluster-{c}", "--context", f"context-{c}", "--clock", "virtual")
        assert r.code == 0, r.err
    kube("create", "-f", "-", input='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"in-b"}}', check=True)
    r = kube("config", "use-context", "context-a")
    assert r.out == 'Switched to context "context-a".\n'
    assert kube("get", "cm", "in-b").code == 1
    assert kube("get", "cm", "in-b", "--context", "context-b", "-o", "name").out == "configmap/in-b\n"
    assert kube("config", "current-context").out == "context-a\n"
    kube("config", "use-context", "context-b", check=True)
    assert kube("get", "cm", "in-b", "-o", "name").out == "configmap/in-b\n"
    assert kube("get", "nodes", "-o", "name").out.split() == ["node/k8s-master", "node/worker-1", "node/worker-2"]
