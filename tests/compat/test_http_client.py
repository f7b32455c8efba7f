"""pykubectl's HTTP client against `pykubectl cluster serve`: the same verbs, driven over REST
with the kubeconfig's credentials, must print what the in-process client prints.

One server per module on a free 127.0.0.1 port; `remote` is pykubectl with a kubeconfig whose
cluster entry is the served URL (no local-cluster mark), `local` the same cluster in-process.
"""
from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess

import pytest
import yaml

from tests.compat.serving import served_fixture
from tests.conftest import PYKUBECTL, Kube, manifest


AGE = re.compile(r"\b\d+[smhd](\d+[smh])?\b")


def _ages(text: str) -> str:
    # ages come from the client's wall clock against shifted timestamps: a second may differ,
    # and with it the width of a column
    return re.sub(r"[ ]+", " ", AGE.sub("<age>", text))


def _kubeconfig_for(src: str, dst: str, url: str, change_user=None) -> None:
    """The lab kubeconfig pointed at `url`, without the mark that makes it a local cluster."""
    with open(src) as f:
        kc = yaml.safe_load(f)
    for c in kc["clusters"]:
        c["cluster"]["server"] = url
        c["cluster"].pop("extensions", None)
    if change_user:
        for u in kc["users"]:
            change_user(u["user"])
    with open(dst, "w") as f:
        yaml.safe_dump(kc, f)


def _runner(home: str, kubeconfig: str) -> Kube:
    k = Kube(home)
    k.kubeconfig = kubeconfig
    k.env["KUBECONFIG"] = kubeconfig
    return k


served = served_fixture("httpclient")


@pytest.mark.parametrize("args", [
    ("get", "pods", "-A"),
    ("get", "nodes", "-o", "wide"),
    ("get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"),
    ("get", "deploy,svc", "-n", "kube-system"),
    ("get", "pod", "etcd-k8s-master", "-n", "kube-system", "-o", "jsonpath={.spec.nodeName}"),
    ("get", "ns", "kube-system", "-o", "name"),
    ("api-resources", "--api-group=apps"),
    ("describe", "node", "k8s-worker1"),
    ("get", "pod", "nope"),
    ("get", "widgets"),
], ids=["pods-A", "nodes-wide", "label-selector", "two-types", "jsonpath", "name", "api-resources",
        "describe-node", "not-found", "unknown-type"])
def test_reads_print_what_the_local_client_prints(served, args):
    ours, theirs = served.local(*args), served.remote(*args)
    assert (theirs.code, _ages(theirs.out), theirs.err) == (ours.code, _ages(ours.out), ours.err)
    assert ours.out or ours.err


def test_writes_round_trip(served):
    h = served.remote
    steps = [
        (("apply", "-f", manifest("06-web1.yaml")), 0, "pod/web1 created\n", ""),
        (("apply", "-f", manifest("06-web1.yaml")), 0, "pod/web1 unchanged\n", ""),
        (("label", "pod", "web1", "tier=front"), 0, "pod/web1 labeled\n", ""),
        (("get", "pod", "web1", "-o", "jsonpath={.metadata.labels.tier}"), 0, "front", ""),
        (("annotate", "pod", "web1", "note=hi"), 0, "pod/web1 annotated\n", ""),
        (("create", "deployment", "web", "--image=nginx", "--replicas=2"), 0,
         "deployment.apps/web created\n", ""),
        (("scale", "deployment", "web", "--replicas=3"), 0, "deployment.apps/web scaled\n", ""),
        (("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"), 0, "3", ""),
        (("create", "deployment", "web", "--image=nginx"), 1, "",
         'error: failed to create deployment: deployments.apps "web" already exists\n'),
        (("patch", "deploy", "web", "-p", '{"spec":{"replicas":1}}'), 0,
         "deployment.apps/web patched\n", ""),
        (("create", "configmap", "cm1", "--from-literal=a=b", "--dry-run=server"), 0,
         "configmap/cm1 created (server dry run)\n", ""),
        (("get", "configmap", "cm1"), 1, "", 'Error from server (NotFound): configmaps "cm1" not found\n'),
        (("delete", "pod", "web1", "--wait=false"), 0, 'pod "web1" deleted\n', ""),
        (("delete", "deploy", "web"), 0, 'deployment.apps "web" deleted\n', ""),
    ]
    for args, code, out, err in steps:
        r = h(*args)
        assert (r.code, r.out, r.err) == (code, out, err), args
    assert served.local("get", "deploy", "web").code == 1


def test_invalid_object_reports_the_servers_causes(served):
    r = served.remote("create", "deployment", "Bad_Name", "--image=nginx")
    local = served.local("create", "deployment", "Bad_Name", "--image=nginx")
    assert (r.code, r.err) == (local.code, local.err)
    assert r.err.startswith('error: failed to create deployment: Deployment.apps "Bad_Name" is invalid: '
                            'metadata.name: Invalid value: "Bad_Name"')


def test_watch_streams_changes(served):
    w = subprocess.Popen([PYKUBECTL, "get", "configmaps", "-w", "--output-watch-events",
                          "--request-timeout=6s"], env=served.remote.env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = w.stdout.readline()   # the table of what exists, then events
        served.local("create", "configmap", "watched", "--from-literal=a=b", check=True)
        out, err = w.communicate(timeout=30)
    finally:
        if w.poll() is None:
            w.kill()
            w.wait()
    assert re.search(r"^ADDED\s+watched\s+1\s+\d+s$", first + out, re.M), (first, out, err)


def test_impersonation_and_token_credentials(served, tmp_path):
    # --as is sent as Impersonate-User: an unbound user may not list pods
    r = served.remote("get", "pods", "--as=nobody")
    assert (r.code, r.err) == (1, 'Error from server (Forbidden): pods is forbidden: User "nobody" '
                                   'cannot list resource "pods" in API group "" in the namespace "default"\n')
    r = served.remote("auth", "whoami", "--as=jane", "--as-group=devs", "-o", "jsonpath={.status.userInfo}")
    if r.code == 0:   # auth whoami lands with another engineer
        assert '"username":"jane"' in r.out
    # a bearer token the server does not know
    kc = str(tmp_path / "kc-token")

    def token_user(u):
        u.pop("client-certificate-data", None)
        u.pop("client-key-data", None)
        u["token"] = "not-a-token"
    _kubeconfig_for(served.local.kubeconfig, kc, f"https://127.0.0.1:{served.port}", token_user)
    r = _runner(served.local.home, kc)("get", "ns", "default")
    # kubectl words it `error: You must be logged in to the server (Unauthorized)`: the error
    # boundary (cli/errors.py) renders every Status alike for now
    assert (r.code, r.out) == (1, "")
    assert r.err.endswith("Unauthorized\n")


def test_client_certificate_from_files_and_insecure(served, tmp_path):
    kc = str(tmp_path / "kc-files")

    def files(u):
        for key in ("client-certificate", "client-key"):
            p = tmp_path / key
            p.write_bytes(base64.b64decode(u.pop(key + "-data")))
            u[key] = str(p)
    _kubeconfig_for(served.local.kubeconfig, kc, f"https://127.0.0.1:{served.port}", files)
    with open(kc) as f:
        d = yaml.safe_load(f)
    d["clusters"][0]["cluster"].pop("certificate-authority-data")
    d["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True
    with open(kc, "w") as f:
        yaml.safe_dump(d, f)
    r = _runner(served.local.home, kc)("get", "ns", "default", "-o", "name")
    assert (r.code, r.out, r.err) == (0, "namespace/default\n", "")


def test_unknown_ca_is_refused(served, tmp_path):
    kc = str(tmp_path / "kc-noca")

    def noop(u):
        pass
    _kubeconfig_for(served.local.kubeconfig, kc, f"https://127.0.0.1:{served.port}", noop)
    with open(kc) as f:
        d = yaml.safe_load(f)
    d["clusters"][0]["cluster"].pop("certificate-authority-data")
    with open(kc, "w") as f:
        yaml.safe_dump(d, f)
    r = _runner(served.local.home, kc)("get", "ns")
    assert r.code == 1
    assert r.err.endswith("Unable to connect to the server: tls: failed to verify certificate: "
                          "x509: certificate signed by unknown authority\n")


def test_unreachable_server_answers_quickly(served, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # closed when the block ends: nothing listens there
    kc = str(tmp_path / "kc-closed")
    _kubeconfig_for(served.local.kubeconfig, kc, f"https://127.0.0.1:{port}")
    r = _runner(served.local.home, kc)("get", "pods", timeout=15)
    assert r.code == 1
    assert r.err.endswith(f"The connection to the server 127.0.0.1:{port} was refused - "
                          "did you specify the right host or port?\n")


CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""


def test_discovery_is_cached_and_refreshed_for_new_types(served):
    h = served.remote
    assert h("get", "ns", "default", "-o", "name").out == "namespace/default\n"
    cache = os.path.join(h.home, "data", "cache", "discovery", f"127.0.0.1_{served.port}", "servergroups.json")
    assert os.path.exists(cache)
    assert oct(os.stat(cache).st_mode & 0o777) == "0o600"
    # a type the cached discovery does not know yet: looked up again, then found
    r = h("apply", "-f", "-", input=CRD)
    assert (r.code, r.out) == (0, "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n")
    r = h("get", "wd")
    assert (r.code, r.out, r.err) == (0, "", "No resources found in default namespace.\n")
    h("delete", "crd", "widgets.example.com")


@pytest.mark.parametrize("headers,expected", [
    (['299 - "unknown field \\"spec.foo\\""'], ['unknown field "spec.foo"']),
    (['299 - "a"', '299 - "b"'], ["a", "b"]),
    (["free text"], ["free text"]),
], ids=["escaped-quotes", "several", "not-rfc7234"])
def test_warning_headers(headers, expected):
    from pykubectl.client.http import _warnings
    assert _warnings(headers) == expected


@pytest.mark.parametrize("code,body,reason,message", [
    (404, b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound",'
          b'"message":"pods \\"x\\" not found","code":404}', "NotFound", 'pods "x" not found'),
    (404, b"404 page not found\n", "NotFound", "the server could not find the requested resource"),
    (500, b"boom\n", "InternalError", 'an error on the server ("boom") has prevented the request from succeeding'),
    (418, b"", "", "the server responded with the status code 418 but did not return more information"),
], ids=["status-body", "plain-404", "plain-500", "other-code"])
def test_error_responses(code, body, reason, message):
    from pykubectl.client.http import _error
    e = _error(code, body)
    assert (e.code, e.reason, e.message) == (code, reason, message)


def test_exec_credential_plugin(served, tmp_path):
    # the plugin hands back the admin's client certificate, as cloud login helpers hand tokens
    with open(served.local.kubeconfig) as f:
        user = yaml.safe_load(f)["users"][0]["user"]
    cred = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {
        "clientCertificateData": base64.b64decode(user["client-certificate-data"]).decode(),
        "clientKeyData": base64.b64decode(user["client-key-data"]).decode()}}
    plugin = tmp_path / "login"
    plugin.write_text("#!/bin/sh\ntest -n \"$KUBERNETES_EXEC_INFO\" || exit 3\ncat <<'EOF'\n"
                      + json.dumps(cred) + "\nEOF\n")
    plugin.chmod(0o755)
    kc = str(tmp_path / "kc-exec")

    def exec_user(u):
        u.clear()
        u["exec"] = {"apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin),
                     "interactiveMode": "Never"}
    _kubeconfig_for(served.local.kubeconfig, kc, f"https://127.0.0.1:{served.port}", exec_user)
    r = _runner(served.local.home, kc)("get", "ns", "kube-system", "-o", "name")
    assert (r.code, r.out, r.err) == (0, "namespace/kube-system\n", "")
    plugin.write_text("#!/bin/sh\nexit 4\n")
    r = _runner(served.local.home, kc)("get", "ns")
    assert r.code == 1
    assert r.err.endswith(f"Unable to connect to the server: getting credentials: exec: executable {plugin} "
                          "failed with exit code 4\n")
