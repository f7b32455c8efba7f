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
