"""metrics.k8s.io/v1beta1 over HTTP, as metrics-server serves it behind its APIService: the real
kubectl's `top` against `pykubectl cluster serve` prints what `pykubectl top` prints, pykubectl's
own `top` reads the same API from a remote server, and the API answers as metrics-server does
(list shape, 404 wording, read-only).

One server per module on a free 127.0.0.1 port, killed at teardown; the lab runs the notes' CPU
deployment under `sim load`, so usage is not only the idle baseline.
"""
from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request

import pytest
import yaml

from tests.compat.serving import ServedLab, served_fixture
from tests.conftest import manifest


class Served(ServedLab):
    def http(self, path, method="GET"):
        pki = os.path.join(self.home, "data", "clusters", "kubernetes", "pki")
        ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
        with open(self.kubeconfig) as f:
            user = yaml.safe_load(f)["users"][0]["user"]
        import base64
        import tempfile
        with tempfile.NamedTemporaryFile("wb", suffix=".pem") as cert:
            cert.write(base64.b64decode(user["client-certificate-data"]))
            cert.write(base64.b64decode(user["client-key-data"]))
            cert.flush()
            ctx.load_cert_chain(cert.name)
        req = urllib.request.Request(self.url + path, method=method,
                                     data=b"{}" if method in ("POST", "PUT") else None,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())


def _under_load(local):
    local("apply", "-f", manifest("46-deploy-svc-cpu.yaml"), check=True)
    local("sim", "advance", "2m", check=True)
    local("sim", "load", "http://192.168.0.100:30001", "--rps", "40", "--for", "10m", check=True)
    local("sim", "advance", "30s", check=True)


served = served_fixture("metricsapi", prepare=_under_load, cls=Served)


TOP = [
    ("top", "pods"),
    ("top", "pods", "-A"),
    ("top", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"),
    ("top", "pods", "-l", "resource=cpu", "--containers"),
    ("top", "pods", "-A", "--sum", "--no-headers"),
    ("top", "pods", "-A", "--containers", "--sum"),
    ("top", "pod", "etcd-k8s-master", "-n", "kube-system", "--containers"),
    ("top", "nodes"),
    ("top", "nodes", "--sort-by=memory"),
    # ties broken where Go's (unstable) sort.Sort leaves them
    ("top", "pods", "-A", "--sort-by=cpu"),
    ("top", "pods", "-A", "--containers", "--sort-by=memory"),
    ("top", "node", "worker-1", "--show-capacity"),
]
TOP_IDS = ["pods", "pods-A", "label", "containers", "sum-no-headers", "containers-sum", "one-pod", "nodes", "nodes-by-memory", "pods-by-cpu",
           "containers-by-memory", "one-node"]


@pytest.mark.parametrize("args", TOP, ids=TOP_IDS)
def test_real_kubectl_top_prints_what_pykubectl_prints(served, args):
    theirs = served.kubectl(*args)
    ours = served.local(*args)
    assert theirs.returncode == 0, theirs.stderr
    assert (theirs.stdout, theirs.stderr) == (ours.out, ours.err)


def test_usage_follows_the_load(served):
    rows = [line.split() for line in served.local("top", "pods", "-l", "resource=cpu", "--no-headers").out.splitlines()]
    assert len(rows) == 2
    # 40 rps shared by two pods: above the idle baseline, capped at the 20m limit
    assert all(2 < int(cpu[:-1]) <= 20 for _name, cpu, _mem in rows)


@pytest.mark.parametrize("args", TOP + [("top", "pod", "nope"), ("top", "node", "nope")],
                         ids=TOP_IDS + ["missing-pod", "missing-node"])
def test_pykubectl_top_reads_the_metrics_api_over_http(served, args):
    over_http = served.remote(*args)
    assert (over_http.code, over_http.out, over_http.err) == (lambda r: (r.code, r.out, r.err))(served.local(*args))


@pytest.mark.parametrize("args,err", [
    (("top", "pod", "nope"), 'Error from server (NotFound): pods "nope" not found\n'),
    (("top", "node", "nope"), 'Error from server (NotFound): nodes "nope" not found\n'),
], ids=["missing-pod", "missing-node"])
def test_top_of_a_missing_object(served, args, err):
    theirs = served.kubectl(*args)
    assert (theirs.returncode, theirs.stderr) == (1, err)
    assert served.local(*args).err == err


def test_list_is_shaped_as_metrics_server_answers(served):
    code, lst = served.http("/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns")
    assert (code, lst["kind"], lst["apiVersion"], lst["metadata"]) == (
        200, "PodMetricsList", "metrics.k8s.io/v1beta1", {})
    assert len(lst["items"]) == 2
    item = lst["items"][0]
    assert "kind" not in item and item["window"] == "15s"
    assert item["metadata"]["labels"]["k8s-app"] == "kube-dns"
    assert item["containers"][0]["usage"]["cpu"].endswith("n")
    assert item["containers"][0]["usage"]["memory"].endswith("Ki")
    code, one = served.http("/apis/metrics.k8s.io/v1beta1/nodes/worker-1")
    assert (code, one["kind"], one["metadata"]["name"]) == (200, "NodeMetrics", "worker-1")
    code, lst = served.http("/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.namespace%3Dkube-system,"
                            "metadata.name%3Detcd-k8s-master")
    assert [i["metadata"]["name"] for i in lst["items"]] == ["etcd-k8s-master"]


@pytest.mark.parametrize("path,method,code,message", [
    ("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope", "GET", 404, 'pods "nope" not found'),
    ("/apis/metrics.k8s.io/v1beta1/nodes", "POST", 405, "the server does not allow this method on the requested resource"),
    ("/apis/metrics.k8s.io/v1beta1/nodes?watch=true", "GET", 405, "the server does not allow this method on the requested resource"),
], ids=["missing-pod", "create", "watch"])
def test_errors_are_metrics_servers(served, path, method, code, message):
    got, st = served.http(path, method)
    assert (got, st["kind"], st["message"]) == (code, "Status", message)


def test_pod_without_metrics_is_a_metrics_404(served):
    served.local("run", "fresh", "--image=nginx", check=True)
    code, st = served.http("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/fresh")
    assert (code, st["reason"], st["message"]) == (404, "NotFound", 'pods.metrics.k8s.io "default/fresh" not found')
    assert st["details"] == {"name": "default/fresh", "group": "metrics.k8s.io", "kind": "pods"}
    served.local("delete", "pod", "fresh", "--now", check=True)


def test_discovery_lists_the_metrics_api(served):
    p = served.kubectl("api-resources", "--api-group=metrics.k8s.io", "--no-headers")
    assert [line.split()[0] for line in p.stdout.splitlines()] == ["nodes", "pods"]
