"""`pykubectl proxy`: kubectl's request filter (Go regexps), its 403, its banner and errors,
checked against the machine's kubectl proxy where it can answer without a cluster.
Every server is on 127.0.0.1, bounded, and stopped at the end of its test."""
from __future__ import annotations

import http.client
import json
import re
import subprocess
from contextlib import contextmanager

import pytest

from tests.conftest import PYKUBECTL, real_kubectl

from pykubectl.cli.proxy import DEFAULT_ACCEPT_HOSTS, DEFAULT_REJECT_PATHS, Filter, go_regexp, regexp_list


def _filter(accept_hosts=DEFAULT_ACCEPT_HOSTS, accept_paths="^.*", reject_paths=DEFAULT_REJECT_PATHS,
            reject_methods="^$"):
    return Filter(regexp_list(accept_paths), regexp_list(reject_paths), regexp_list(accept_hosts),
                  regexp_list(reject_methods))


@pytest.mark.parametrize("kw,method,path,host,accepted", [
    ({}, "GET", "/api/v1/pods", "127.0.0.1", True),
    ({}, "GET", "/api/v1/pods", "localhost", True),
    ({}, "GET", "/api/v1/pods", "::1", False),
    ({}, "GET", "/api/v1/pods", "[::1]", True),
    ({}, "GET", "/api/v1/pods", "evil.com", False),
    ({}, "POST", "/api/v1/namespaces/default/pods/web/exec", "127.0.0.1", False),
    ({}, "GET", "/api/v1/namespaces/default/pods/web/attach", "127.0.0.1", False),
    ({}, "GET", "/api/v1/namespaces/default/pods/web/log", "127.0.0.1", True),
    ({"accept_hosts": "^*$"}, "GET", "/api/v1/pods", "evil.com", True),
    ({"accept_hosts": "example"}, "GET", "/", "www.example.com", True),
    ({"accept_paths": "^/api/v1/namespaces/default"}, "GET", "/api/v1/nodes", "localhost", False),
    ({"reject_methods": "POST,PUT,PATCH"}, "PUT", "/api/v1/pods", "localhost", False),
    ({"reject_methods": "POST,PUT,PATCH"}, "GET", "/api/v1/pods", "localhost", True),
], ids=["ip", "localhost", "ipv6-unbracketed", "ipv6", "other-host", "exec", "attach", "log",
        "any-host-go-star", "unanchored-host", "accept-paths", "reject-methods", "method-allowed"])
def test_filter(kw, method, path, host, accepted):
    assert _filter(**kw).accept(method, path, host) is accepted


@pytest.mark.parametrize("expr,text,match", [
    ("^*$", "anything", True), ("$+", "x", True), (r"^\[::1\]$", "[::1]", True), ("a|b", "cab", True),
], ids=["star-after-caret", "plus-after-dollar", "escaped-brackets", "unanchored"])
def test_go_regexp(expr, text, match):
    assert bool(go_regexp(expr).search(text)) is match


@contextmanager
def _running(argv, env):
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        m = re.fullmatch(r"Starting to serve on 127\.0\.0\.1:(\d+)\n", line)
        assert m, (line, p.stderr.read() if p.poll() is not None else "")
        yield int(m.group(1))
    finally:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


def _request(port, method, path, host=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Host": host} if host else {}
        c.request(method, path, headers=headers)
        r = c.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        c.close()


REQUESTS = [
    ("GET", "/api/v1/pods", "evil.com:8001"),
    ("GET", "/api/v1/pods", "evil.com"),
    ("GET", "/api/v1/pods", "[::1]:8001"),
    ("POST", "/api/v1/namespaces/default/pods/web/exec", None),
    ("GET", "/api/v1/namespaces/default/pods/web/attach?stdin=true", None),
]


def test_proxy_serves_and_filters_like_kubectl(kube):
    with _running([PYKUBECTL, "proxy", "--port=0"], kube.env) as port:
        status, ctype, body = _request(port, "GET", "/api/v1/namespaces/kube-system/pods?limit=1")
        assert (status, json.loads(body)["kind"]) == (200, "PodList")
        status, _, body = _request(port, "GET", "/version")
        assert json.loads(body)["minor"] == "32"
        ours = [_request(port, *r) for r in REQUESTS]
    assert all(o == (403, "text/plain; charset=utf-8", b"Forbidden\n") for o in ours)
    kubectl = real_kubectl()
    if kubectl:
        # the machine's kubectl proxy, with the same kubeconfig, answers these itself
        with _running([kubectl, "proxy", "--port=0"], kube.env) as port:
            theirs = [_request(port, *r) for r in REQUESTS]
        assert theirs == ours


def test_proxy_api_prefix(kube):
    with _running([PYKUBECTL, "proxy", "--port=0", "--api-prefix=/k8s-api"], kube.env) as port:
        status, _, body = _request(port, "GET", "/k8s-api/api/v1/namespaces")
        assert (status, json.loads(body)["kind"]) == (200, "NamespaceList")
        assert _request(port, "GET", "/api/v1/namespaces")[0] == 404


@pytest.mark.parametrize("args,code,err", [
    (["--address=192.168.0.100"], 1, "error: listen tcp 192.168.0.100:8001: bind: cannot assign requested address\n"),
    (["--accept-hosts=[", "--port=0"], 255, "proxy_server.go:83] Error compiling re: error parsing regexp: missing closing ]: `[`\n"),
], ids=["address-not-local", "bad-regexp"])
def test_proxy_errors(kube, args, code, err):
    r = kube("proxy", *args, timeout=20)
    assert r.code == code
    assert r.err.endswith(err)
    assert r.out == ""


# -- a remote context: forwarded with the kubeconfig's credentials ---------------------------

@pytest.fixture(scope="module")
def remote(tmp_path_factory, lab_template):
    """An environment whose kubeconfig names a pykubectl `cluster serve` as an ordinary remote
    server (no local-cluster mark): the proxy must forward to it."""
    from tests.compat.serving import served_lab
    with served_lab(tmp_path_factory, lab_template, "proxyremote") as lab:
        yield lab.remote.env


def _call(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        h = dict(headers or {})
        if body is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
        r = c.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        c.close()


SAME_ANSWERS = [
    ("GET", "/api/v1/namespaces/kube-system/pods/etcd-k8s-master"),
    ("GET", "/api/v1/namespaces/default/pods/nope"),
    ("GET", "/apis/apps/v1/namespaces/kube-system/deployments?labelSelector=k8s-app%3Dkube-dns"),
    ("GET", "/version"),
    ("GET", "/nothing-here"),
    ("GET", "/api/v1/namespaces/default/pods/web/exec"),
]


def test_remote_proxy_answers_as_kubectl_proxy_does(remote):
    with _running([PYKUBECTL, "proxy", "--port=0"], remote) as port:
        ours = [_call(port, *r) for r in SAME_ANSWERS]
    assert [o[0] for o in ours] == [200, 404, 200, 200, 404, 403]
    assert json.loads(ours[0][2])["metadata"]["name"] == "etcd-k8s-master"
    assert json.loads(ours[1][2])["reason"] == "NotFound"
    kubectl = real_kubectl()
    if kubectl:
        with _running([kubectl, "proxy", "--port=0"], remote) as port:
            theirs = [_call(port, *r) for r in SAME_ANSWERS]
        # timestamps leave shifted by the virtual clock's skew, which moves with the wall clock
        ts = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
        assert [(c, t, ts.sub(b"T", b)) for c, t, b in theirs] == [(c, t, ts.sub(b"T", b)) for c, t, b in ours]


def test_remote_proxy_forwards_writes_and_watches_with_the_kubeconfigs_identity(remote):
    with _running([PYKUBECTL, "proxy", "--port=0"], remote) as port:
        status, _, body = _call(port, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        assert (status, json.loads(body)["status"]["userInfo"]["username"]) == (201, "kubernetes-admin")
        rv = json.loads(_call(port, "GET", "/api/v1/namespaces/default/configmaps")[2])["metadata"]["resourceVersion"]
        status, _, body = _call(port, "POST", "/api/v1/namespaces/default/configmaps",
                                {"metadata": {"name": "via-proxy"}, "data": {"a": "1"}})
        assert status == 201 and json.loads(body)["metadata"]["uid"]
        status, _, _ = _call(port, "DELETE", "/api/v1/namespaces/default/configmaps/via-proxy")
        assert status == 200
        # a watch is streamed through (chunked) and ends at the server's timeout
        status, _, body = _call(port, "GET", f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}"
                                             "&timeoutSeconds=1")
        events = [(e["type"], e["object"]["metadata"]["name"]) for e in map(json.loads, body.splitlines())]
        assert (status, events) == (200, [("ADDED", "via-proxy"), ("DELETED", "via-proxy")])
        # a client's own credentials are left alone: a bad token is the server's 401
        status, _, body = _call(port, "GET", "/api/v1/namespaces", headers={"Authorization": "Bearer nope"})
        assert (status, json.loads(body)["reason"]) == (401, "Unauthorized")


def test_real_kubectl_reads_through_the_remote_proxy(remote):
    kubectl = real_kubectl()
    if not kubectl:
        pytest.skip("no real kubectl on PATH")
    with _running([PYKUBECTL, "proxy", "--port=0"], remote) as port:
        p = subprocess.run([kubectl, "-s", f"http://127.0.0.1:{port}", "get", "deployments", "-n", "kube-system",
                            "-o", "name"], capture_output=True, text=True, timeout=30,
                           env={"PATH": remote["PATH"], "HOME": remote["HOME"]})
    assert p.returncode == 0, p.stderr
    assert p.stdout == ("deployment.apps/calico-kube-controllers\ndeployment.apps/coredns\n"
                        "deployment.apps/metrics-server\n")
