"""Exercise 13 (API access), the parts answered in-process: `sim curl` with the kubeconfig's
client certificate against the simulated master's apiserver, and a ServiceAccount's token
allowed to list its namespace's pods and refused services (RBAC before routing)."""
import base64
import json

import yaml

from tests.conftest import manifest

API = "https://192.168.0.100:6443"


def _kubeconfig_cert(kube, tmp_path):
    cfg = yaml.safe_load(open(kube.kubeconfig))
    user = cfg["users"][0]["user"]
    crt, key = tmp_path / "client.crt", tmp_path / "client.key"
    crt.write_bytes(base64.b64decode(user["client-certificate-data"]))
    key.write_bytes(base64.b64decode(user["client-key-data"]))
    return str(crt), str(key)


def test_client_certificate_from_the_kubeconfig_reaches_the_master(kube, tmp_path):
    crt, key = _kubeconfig_cert(kube, tmp_path)
    r = kube("sim", "curl", "--cert", crt, "--key", key, "-k", f"{API}/api/v1/nodes")
    assert r.code == 0, r.err
    nodes = json.loads(r.out)
    assert nodes["kind"] == "NodeList"
    assert [n["metadata"]["name"] for n in nodes["items"]] == ["k8s-master", "worker-1", "worker-2"]
    assert r.out.startswith('{\n  "kind": "NodeList"')   # pretty-printed for curl, as the apiserver does
    anon = kube("sim", "curl", "-k", f"{API}/api/v1/nodes")
    assert json.loads(anon.out)["code"] == 401


def test_service_account_token_and_rbac(kube):
    kube("create", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata:\n  name: nm-01\n", check=True)
    kube("apply", "-f", manifest("32-secret-nm-01.yaml"), check=True)
    kube("apply", "-f", manifest("33-rbac-nm-01.yaml"), check=True)
    sec = json.loads(kube("get", "secret", "nm-01-secret", "-n", "nm-01", "-o", "json").out)
    token = base64.b64decode(sec["data"]["token"]).decode()
    auth = ["-H", f"Authorization: Bearer {token}", "-k"]
    pods = kube("sim", "curl", *auth, f"{API}/api/v1/namespaces/nm-01/pods")
    assert json.loads(pods.out)["kind"] == "PodList", pods.out
    svc = json.loads(kube("sim", "curl", *auth, f"{API}/api/v1/namespaces/nm-01/service").out)
    assert svc["code"] == 403 and svc["reason"] == "Forbidden"
    assert 'User "system:serviceaccount:nm-01:default" cannot list resource "service"' in svc["message"]
