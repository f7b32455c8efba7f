"""`kubectl config ...` differentially against the real kubectl: the same command sequence on two
copies of the same kubeconfig gives the same output, exit code and file bytes."""
import os
import shutil
import subprocess

import pytest

from tests.conftest import PYKUBECTL, real_kubectl

KUBECTL = real_kubectl()
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")

BASE = """apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Zm9v
    server: https://127.0.0.1:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: YmFy
    client-key-data: YmF6
"""

SEQUENCES = {
    "read-only": [["config", "current-context"], ["config", "get-contexts"], ["config", "get-contexts", "-o", "name"],
                  ["config", "get-clusters"], ["config", "get-users"], ["config", "view"],
                  ["config", "view", "--raw"], ["config", "view", "--minify"], ["config", "view", "-o", "json"],
                  ["config", "get-contexts", "nope"]],
    "contexts": [["config", "set-context", "ctx2", "--cluster=kubernetes", "--user=kubernetes-admin", "--namespace=ns1"],
                 ["config", "set-context", "ctx2", "--namespace=ns2"], ["config", "use-context", "ctx2"],
                 ["config", "get-contexts"], ["config", "set-context", "--current", "--namespace=x"],
                 ["config", "rename-context", "ctx2", "ctx3"], ["config", "rename-context", "nope", "x"],
                 ["config", "use-context", "nope"], ["config", "delete-context", "nope"],
                 ["config", "use-context", "kubernetes-admin@kubernetes"], ["config", "delete-context", "ctx3"],
                 ["config", "view"]],
    "clusters-users": [["config", "set-cluster", "c2", "--server=https://127.0.0.1:7000"],
                       ["config", "set-cluster", "c2", "--insecure-skip-tls-verify=true"],
                       ["config", "set-credentials", "u2", "--token=abc"],
                       ["config", "set-credentials", "u3", "--username=a", "--password=b"],
                       ["config", "set-credentials", "u4", "--token=t", "--username=a"],
                       ["config", "view"], ["config", "view", "-o", "json"],
                       ["config", "delete-cluster", "c2"], ["config", "delete-user", "u2"],
                       ["config", "delete-cluster", "nope"], ["config", "delete-user", "nope"], ["config", "view", "--raw"]],
    "set-unset": [["config", "set", "contexts.kubernetes-admin@kubernetes.namespace", "foo"],
                  ["config", "get-contexts"],
                  ["config", "unset", "contexts.kubernetes-admin@kubernetes.namespace"],
                  ["config", "set", "clusters.kubernetes.server", "https://127.0.0.1:9999"],
                  ["config", "unset", "nope.x"], ["config", "set", "current-context", "other"],
                  ["config", "current-context"], ["config", "view"]],
    # certificate paths as clientcmd writes them (relative below the kubeconfig's folder,
    # absolute elsewhere), embedding a missing file, and sections kubectl itself writes as null
    "paths-and-null-sections": [
        ["config", "set-cluster", "c", "--certificate-authority=DIR/ca.crt"],
        ["config", "set-cluster", "e", "--certificate-authority=DIR/sub/../ca.crt"],
        ["config", "set-cluster", "f", "--certificate-authority=/etc/hostname"],
        ["config", "set-cluster", "d", "--certificate-authority=DIR/nope.crt", "--embed-certs"],
        ["config", "set-context", "k", "--cluster=c"],
        ["config", "set-credentials", "u", "--client-certificate=DIR/ca.crt", "--client-key=DIR/sub/../ca.crt"],
        ["config", "set-credentials", "v", "--client-certificate=DIR/nope.crt", "--embed-certs"],
        ["config", "view"], ["config", "use-context", "k"], ["config", "view", "--minify", "--flatten"]],
}
BASES = {"paths-and-null-sections": "apiVersion: v1\nkind: Config\ncontexts: null\nclusters: null\nusers: null\n"}


def _run(binary, args, kubeconfig, home):
    env = {"PATH": os.environ["PATH"], "HOME": home, "KUBECONFIG": kubeconfig,
           "PYKUBECTL_HOME": os.path.join(home, "data")}
    p = subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_same_as_real_kubectl(name, tmp_path):
    results = {}
    for who, binary in (("real", KUBECTL), ("ours", PYKUBECTL)):
        d = tmp_path / who
        d.mkdir()
        cfg = d / "config"
        cfg.write_text(BASES.get(name, BASE))
        os.chmod(cfg, 0o600)
        (d / "ca.crt").write_text("x\n")
        (d / "sub").mkdir()
        outs = []
        for args in SEQUENCES[name]:
            rc, out, err = _run(binary, [a.replace("DIR", str(d)) for a in args], str(cfg), str(d))
            outs.append((args, rc, out.replace(str(d), "DIR"), err.replace(str(d), "DIR")))
        outs.append(("file", cfg.read_text()))
        results[who] = outs
    for real, ours in zip(results["real"], results["ours"]):
        assert ours == real, f"\nreal: {real!r}\nours: {ours!r}"


def test_the_notes_multicluster_file_is_refused_as_kubectl_refuses_it(tmp_path):
    from tests.conftest import manifest
    src = manifest("31-kubeconfig-multi-cluster.yaml")
    out = {}
    for who, binary in (("real", KUBECTL), ("ours", PYKUBECTL)):
        d = tmp_path / who
        d.mkdir()
        cfg = d / "config"
        shutil.copy(src, cfg)
        rc, o, e = _run(binary, ["config", "get-contexts"], str(cfg), str(d))
        out[who] = (rc, o, e.replace(str(d), "DIR"))
    assert out["ours"] == out["real"]
    assert out["ours"][0] == 1 and "illegal base64 data at input byte 20" in out["ours"][2]
