"""The real kubectl v1.32 against `pykubectl cluster serve`: it must print what pykubectl prints.

One server per module on a free 127.0.0.1 port, bounded and killed at teardown; the kubeconfig
is a copy of the lab's with the server URL moved to that port.
"""
from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.compat.serving import ServedLab, served_fixture
from tests.conftest import manifest, real_kubectl

KUBECTL = real_kubectl()
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")
TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


class Served(ServedLab):
    def ca(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=os.path.join(self.home, "data", "clusters",
                                                              "kubernetes", "pki", "ca.crt"))
        return ctx

    def http(self, path, token=None, method="GET", body=None):
        req = urllib.request.Request(self.url + path, method=method, data=body)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, context=self.ca(), timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())


served = served_fixture("served", cls=Served)


@pytest.mark.parametrize("args", [
    ("get", "pods", "-A"),
    ("get", "nodes", "-o", "wide"),
    ("get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"),
    ("get", "deployments", "-A"),
    ("get", "services", "-A", "-o", "wide"),
    ("get", "namespaces"),
    ("get", "pods", "-A", "--chunk-size=4"),
], ids=["pods-A", "nodes-wide", "label-selector", "deployments-A", "services-wide", "namespaces",
        "paginated"])
def test_tables_match_pykubectl(served, args):
    ours = served.local(*args)
    theirs = served.kubectl(*args)
    assert theirs.returncode == 0, theirs.stderr
    assert theirs.stdout == ours.out
    assert ours.out.strip()


def test_pod_yaml_matches_up_to_the_clock_edge(served):
    # timestamps leave the server shifted back by the virtual clock's skew, nothing else differs
    ours = served.local("get", "pod", "-n", "kube-system", "etcd-k8s-master", "-o", "yaml").out
    theirs = served.kubectl("get", "pod", "-n", "kube-system", "etcd-k8s-master", "-o", "yaml").stdout
    assert TS.sub("T", theirs) == TS.sub("T", ours)
    assert "creationTimestamp" in theirs


@pytest.mark.parametrize("args,err", [
    (("get", "pod", "nope"), 'Error from server (NotFound): pods "nope" not found\n'),
    (("get", "deployment", "nope", "-n", "kube-system"),
     'Error from server (NotFound): deployments.apps "nope" not found\n'),
    (("get", "widgets"), 'error: the server doesn\'t have a resource type "widgets"\n'),
], ids=["pod-404", "deployment-404", "unknown-type"])
def test_errors_are_kubectls(served, args, err):
    p = served.kubectl(*args)
    assert (p.returncode, p.stderr) == (1, err)


def test_version_and_discovery(served):
    p = served.kubectl("version", "-o", "json")
    assert json.loads(p.stdout)["serverVersion"]["minor"] == "32"
    p = served.kubectl("api-resources", "--api-group=apps", "--no-headers")
    names = [line.split()[0] for line in p.stdout.splitlines()]
    assert names == ["controllerrevisions", "daemonsets", "deployments", "replicasets", "statefulsets"]


def test_apply_and_watch(served):
    w = subprocess.Popen(served.kubectl_argv("get", "pods", "-n", "default", "-w", "--request-timeout=20s"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=served.kubectl_env())
    try:
        time.sleep(1.0)
        p = served.kubectl("apply", "-f", manifest("06-web1.yaml"))
        assert (p.returncode, p.stdout) == (0, "pod/web1 created\n"), p.stderr
        p = served.kubectl("apply", "-f", manifest("06-web1.yaml"))
        assert p.stdout == "pod/web1 unchanged\n"
        time.sleep(1.5)
    finally:
        w.terminate()
        out, _ = w.communicate(timeout=10)
    assert re.search(r"^web1\s+0/1\s+Pending\s+0\s+\d+s$", out, re.M), out
    assert served.local("get", "pod", "web1", "-o", "name").out == "pod/web1\n"


def _sa_token(served, ns, name):
    from pykubectl import pki
    pkidir = os.path.join(served.home, "data", "clusters", "kubernetes", "pki")
    uid = served.local("get", "sa", name, "-n", ns, "-o", "json")
    sa_uid = json.loads(uid.out)["metadata"]["uid"]
    with open(os.path.join(pkidir, "sa.key")) as f:
        key = f.read()
    return pki.sign_token(key, pki.service_account_claims(ns, name, sa_uid))


def test_rbac_with_bearer_tokens(served):
    status, body = served.http("/api/v1/namespaces/default/pods")
    assert (status, body["reason"], body["message"]) == (401, "Unauthorized", "Unauthorized")
    token = _sa_token(served, "default", "default")
    status, body = served.http("/api/v1/namespaces/default/pods", token)
    assert status == 403
    assert body["message"] == ('pods is forbidden: User "system:serviceaccount:default:default" cannot '
                               'list resource "pods" in API group "" in the namespace "default"')
    status, body = served.http("/apis/apps/v1/namespaces/default/deployments/web", token)
    assert body["message"] == ('deployments.apps "web" is forbidden: User "system:serviceaccount:default:default" '
                               'cannot get resource "deployments" in API group "apps" in the namespace "default"')
    assert body["details"] == {"name": "web", "group": "apps", "kind": "deployments"}
    status, body = served.http("/api/v1/nodes", token)
    assert body["message"].endswith('cannot list resource "nodes" in API group "" at the cluster scope')
    rbac = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: default}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods, namespace: default}
subjects:
- {kind: ServiceAccount, name: default, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
"""
    p = served.kubectl("apply", "-f", "-", input=rbac)
    assert p.returncode == 0, p.stderr
    status, body = served.http("/api/v1/namespaces/default/pods", token)
    assert (status, body["kind"]) == (200, "PodList")
    status, body = served.http("/api/v1/namespaces/kube-system/pods", token)
    assert status == 403
    status, body = served.http("/version", token)
    assert (status, body["minor"]) == (200, "32")


@pytest.mark.parametrize("args,out,code", [
    (("auth", "can-i", "list", "pods"), "yes\n", 0),
    (("auth", "can-i", "list", "secrets", "--as=system:serviceaccount:kube-system:coredns"), "no\n", 1),
    (("auth", "can-i", "list", "endpoints", "--as=system:serviceaccount:kube-system:coredns"), "yes\n", 0),
    (("auth", "whoami"), "ATTRIBUTE   VALUE\nUsername    kubernetes-admin\n"
                         "Groups      [kubeadm:cluster-admins system:authenticated]\n", 0),
    (("auth", "whoami", "--as=bob", "--as-group=devs"),
     "ATTRIBUTE   VALUE\nUsername    bob\nGroups      [devs system:authenticated]\n", 0),
], ids=["can-i-admin", "can-i-sa-no", "can-i-sa-yes", "whoami", "whoami-impersonated"])
def test_auth_commands(served, args, out, code):
    p = served.kubectl(*args)
    assert (p.returncode, p.stdout) == (code, out), p.stderr


def test_impersonated_request_is_authorized_as_that_user(served):
    p = served.kubectl("get", "secrets", "-n", "kube-system", "--as=system:serviceaccount:default:nobody")
    assert p.returncode == 1
    assert p.stderr == ('Error from server (Forbidden): secrets is forbidden: User '
                        '"system:serviceaccount:default:nobody" cannot list resource "secrets" in API group "" '
                        'in the namespace "kube-system"\n')


def _admin_tls(served) -> ssl.SSLContext:
    """A client context with the kubeconfig admin's certificate."""
    import base64
    import yaml
    user = yaml.safe_load(open(served.kubeconfig))["users"][0]["user"]
    paths = []
    for field, fname in (("client-certificate-data", "admin.crt"), ("client-key-data", "admin.key")):
        path = os.path.join(served.home, fname)
        with open(path, "wb") as f:
            f.write(base64.b64decode(user[field]))
        paths.append(path)
    ctx = served.ca()
    ctx.load_cert_chain(*paths)
    return ctx


def _watch(served, query) -> list[dict]:
    req = urllib.request.Request(served.url + "/api/v1/namespaces/default/configmaps?watch=true&" + query)
    with urllib.request.urlopen(req, context=_admin_tls(served), timeout=10) as r:
        assert r.headers["Transfer-Encoding"] == "chunked"
        return [json.loads(x) for x in r.read().decode().splitlines()]


def test_watch_events_and_410(served):
    first = _watch(served, "timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in first] == [("ADDED", "kube-root-ca.crt")]
    since = first[0]["object"]["metadata"]["resourceVersion"]
    served.local("create", "configmap", "watched", "--from-literal=a=b", check=True)
    events = _watch(served, f"resourceVersion={since}&timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events][-1] == ("ADDED", "watched")
    from pykubectl.store.sqlite import Store
    store = Store(os.path.join(served.home, "data", "clusters", "kubernetes", "state.db"))
    with store.write() as t:
        t.set_meta("compacted", int(since) + 1)
    store.close()
    events = _watch(served, f"resourceVersion={since}&timeoutSeconds=1")
    assert [e["type"] for e in events] == ["ERROR"]
    st = events[0]["object"]
    assert (st["code"], st["reason"], st["message"]) == (410, "Expired", f"too old resource version: {since} ({int(since) + 1})")


def test_scale_subresource(served):
    p = served.kubectl("scale", "deployment", "-n", "kube-system", "metrics-server", "--replicas=2")
    assert (p.returncode, p.stdout) == (0, "deployment.apps/metrics-server scaled\n"), p.stderr
    p = served.kubectl("get", "--raw", "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server/scale")
    scale = json.loads(p.stdout)
    assert (scale["kind"], scale["spec"], scale["status"]["selector"]) == (
        "Scale", {"replicas": 2}, "k8s-app=metrics-server")
    args = ("get", "deployment", "-n", "kube-system", "metrics-server")
    assert served.kubectl(*args).stdout == served.local(*args).out
