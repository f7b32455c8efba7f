"""Exercise 17 (networking), the parts Foundation II can run: the kubeadm-config ConfigMap."""
import yaml


def test_kubeadm_config_configmap(kube):
    r = kube("--namespace", "kube-system", "get", "configmap", "kubeadm-config", "-o", "yaml")
    assert r.code == 0, r.err
    cm = yaml.safe_load(r.out)
    assert cm["kind"] == "ConfigMap" and cm["metadata"]["namespace"] == "kube-system"
    cfg = yaml.safe_load(cm["data"]["ClusterConfiguration"])
    assert cfg["networking"] == {"dnsDomain": "cluster.local", "podSubnet": "20.96.0.0/12",
                                 "serviceSubnet": "10.96.0.0/12"}
    assert cfg["kubernetesVersion"].startswith("v1.32")
    # kubectl prints -o yaml with keys sorted and the manifest's multi-line string as a block
    assert r.out.startswith("apiVersion: v1\ndata:\n  ClusterConfiguration: |\n")


def test_system_pods_and_nodes_as_installed(kube):
    r = kube("get", "nodes")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [l.split()[:3] for l in lines[1:]] == [["k8s-master", "Ready", "control-plane"],
                                                  ["worker-1", "Ready", "<none>"],
                                                  ["worker-2", "Ready", "<none>"]]
    pods = kube("get", "pods", "-n", "kube-system", "-o", "wide").out.splitlines()[1:]
    on = {}
    for line in pods:
        cols = line.split()
        on.setdefault(cols[6], []).append(cols[0])
    # the workers start equally loaded: only the DaemonSets' pods
    assert sorted(n.rsplit("-", 1)[0] for n in on["worker-1"]) == ["calico-node", "kube-proxy"]
    assert sorted(n.rsplit("-", 1)[0] for n in on["worker-2"]) == ["calico-node", "kube-proxy"]
    assert any(n.startswith("coredns-") for n in on["k8s-master"])


def test_describe_ippool(kube):
    r = kube("describe", "IPPool")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "Name:         default-ipv4-ippool"
    assert "API Version:  crd.projectcalico.org/v1" in lines
    assert "Kind:         IPPool" in lines
    assert "  Cidr:           20.96.0.0/12" in lines
    assert "  Block Size:     26" in lines
    assert lines[-1] == "Events:           <none>"


def test_labels_and_taints_as_the_notes_type_them(kube):
    assert kube("label", "nodes", "worker-1", "kr=az-1").out == "node/worker-1 labeled\n"
    assert kube("label", "nodes", "worker-2", "us=az-1").out == "node/worker-2 labeled\n"
    assert kube("get", "nodes", "-l", "kr=az-1", "-o", "name").out == "node/worker-1\n"
    assert kube("taint", "nodes", "worker-1", "hw=gpu:NoSchedule").out == "node/worker-1 tainted\n"
    r = kube("taint", "nodes", "worker-1", "hw=gpu:NoSchedule")
    assert (r.code, r.err) == (1, "error: node worker-1 already has hw taint(s) with same effect(s) and --overwrite is false\n")
    assert kube("taint", "nodes", "worker-1", "hw=gpu:NoSchedule-").out == "node/worker-1 untainted\n"
