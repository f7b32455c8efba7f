"""LIST through `cluster serve` as clients page it and stream it: the real kubectl's
`--chunk-size` pages (limit/continue) print what one unpaged list prints, the Python client's
pages add up to the unpaged list and are served as of their first page, and a list without a
limit (sent chunked as it is read) is the same JSON or Table as the same list read as one page.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import ssl

import pytest
import yaml

from tests.compat.serving import served_fixture

NAMESPACES = {"big-a": 20, "big-b": 16}   # a few dozen pods: several pages of 7


def _prepare(local):
    docs = []
    for ns, n in NAMESPACES.items():
        docs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for i in range(n):
            docs.append({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": f"p{i:02d}", "namespace": ns,
                                      "labels": {"app": "web" if i % 3 else "db"}},
                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    r = local("apply", "-f", "-", input="\n---\n".join(json.dumps(d) for d in docs))
    assert r.code == 0, r.err


served = served_fixture("biglists", _prepare)


@pytest.fixture(scope="module")
def tls(served):
    kc = yaml.safe_load(open(served.kubeconfig))
    paths = {}
    for name, data in (("ca", kc["clusters"][0]["cluster"]["certificate-authority-data"]),
                       ("crt", kc["users"][0]["user"]["client-certificate-data"]),
                       ("key", kc["users"][0]["user"]["client-key-data"])):
        paths[name] = os.path.join(served.home, f"biglists-{name}.pem")
        fd = os.open(paths[name], os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(base64.b64decode(data))
    ctx = ssl.create_default_context(cafile=paths["ca"])
    ctx.load_cert_chain(paths["crt"], paths["key"])
    return ctx


def _conn(served, tls):
    return http.client.HTTPSConnection("127.0.0.1", served.port, context=tls, timeout=30)


def _get(conn, path, accept="application/json", method="GET", body=None, ctype=None):
    headers = {"Accept": accept}
    if ctype:
        headers["Content-Type"] = ctype
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r, (json.loads(data) if data else None)


_TS = r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"'


def _same_clock(obj):
    """`obj` with its timestamps blanked: they leave shifted by the cluster clock's skew, which
    moves a second as real time passes between two requests."""
    return json.loads(re.sub(_TS, '"T"', json.dumps(obj)))


TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


# -- the real kubectl ---------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["get", "pods", "-A"],
    ["get", "pods", "-n", "big-a"],
    ["get", "pods", "-A", "-l", "app=web"],
    ["get", "pods", "-A", "--field-selector", "metadata.namespace!=big-a"],
    ["get", "pods", "-A", "-o", "name"],
    ["get", "pods", "-n", "big-b", "-o", "custom-columns=NAME:.metadata.name,APP:.metadata.labels.app"],
], ids=["all-namespaces", "one-namespace", "label-selector", "field-selector", "names", "custom-columns"])
def test_real_kubectl_pages_of_7_print_what_one_list_prints(served, args):
    whole = served.kubectl(*args, "--chunk-size=0")
    paged = served.kubectl(*args, "--chunk-size=7")
    assert whole.returncode == 0 and paged.returncode == 0, (whole.stderr, paged.stderr)
    assert paged.stdout == whole.stdout
    assert whole.stdout.count("p0") >= 7   # more than one page's worth was printed


def test_real_kubectl_json_pages_are_one_list(served):
    whole = served.kubectl("get", "pods", "-A", "-o", "json", "--chunk-size=0")
    paged = served.kubectl("get", "pods", "-A", "-o", "json", "--chunk-size=7")
    assert whole.returncode == 0 and paged.returncode == 0, (whole.stderr, paged.stderr)
    a, b = (_same_clock(json.loads(out.stdout)) for out in (whole, paged))
    assert [i["metadata"]["name"] for i in b["items"]] == [i["metadata"]["name"] for i in a["items"]]
    assert b["items"] == a["items"]


# -- the Python client --------------------------------------------------------------------

@pytest.fixture(scope="module")
def core(served):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes import client, config
    api = config.new_client_from_config(served.kubeconfig)
    yield client.CoreV1Api(api)
    api.close()


def _pages(core, limit, **kw):
    out, token, metas = [], None, []
    while True:
        lst = core.list_namespaced_pod("big-a", limit=limit, **({"_continue": token} if token else {}), **kw)
        out += [p.metadata.name for p in lst.items]
        metas.append(lst.metadata)
        token = lst.metadata._continue
        if not token:
            return out, metas


@pytest.mark.parametrize("limit", [1, 7, 20, 21, 500], ids=["1", "7", "exactly-all", "all-plus-1", "500"])
def test_python_client_pages_add_up_to_the_list(core, limit):
    whole = [p.metadata.name for p in core.list_namespaced_pod("big-a").items]
    names, metas = _pages(core, limit)
    assert names == whole
    assert len(metas) == max(1, -(-len(whole) // limit))
    # what is left after each page, as kube-apiserver counts it
    assert [m.remaining_item_count for m in metas[:-1]] == \
        [len(whole) - limit * (i + 1) for i in range(len(metas) - 1)]
    assert metas[-1].remaining_item_count is None
    # every page is at the first page's resourceVersion
    assert {m.resource_version for m in metas} == {metas[0].resource_version}


def test_later_pages_are_served_as_of_the_first(core):
    """Deleted, created and relabelled between pages: later pages still show the first page's
    revision (the label selector matched as it was then)."""
    sel = "app=web"
    before = [p.metadata.name for p in core.list_namespaced_pod("big-b", label_selector=sel).items]
    first = core.list_namespaced_pod("big-b", label_selector=sel, limit=4)
    core.delete_namespaced_pod("p14", "big-b", grace_period_seconds=0)
    core.patch_namespaced_pod("p13", "big-b", {"metadata": {"labels": {"app": "gone"}}})
    core.create_namespaced_pod("big-b", {"metadata": {"name": "p05a", "labels": {"app": "web"}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    names, token = [p.metadata.name for p in first.items], first.metadata._continue
    while token:
        lst = core.list_namespaced_pod("big-b", label_selector=sel, limit=4, _continue=token)
        assert lst.metadata.resource_version == first.metadata.resource_version
        names += [p.metadata.name for p in lst.items]
        token = lst.metadata._continue
    assert names == before
    now = [p.metadata.name for p in core.list_namespaced_pod("big-b", label_selector=sel).items]
    assert "p05a" in now and "p13" not in now and "p14" not in now


# -- streamed and whole lists agree ------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/v1/pods",
    "/api/v1/namespaces/big-a/pods",
    "/api/v1/pods?labelSelector=app%3Ddb",
    "/api/v1/namespaces",
    "/apis/apps/v1/deployments",
], ids=["pods-all-namespaces", "pods-one-namespace", "label-selector", "cluster-scoped", "group"])
@pytest.mark.parametrize("accept", ["application/json", TABLE], ids=["json", "table"])
def test_a_streamed_list_is_the_list_read_as_one_page(served, tls, path, accept):
    from pykubectl.server.lists import FLUSH
    conn = _conn(served, tls)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        r = conn.getresponse()
        raw = r.read()
        streamed = json.loads(raw)
        assert r.status == 200
        # sent as it is read past one chunk's worth; below it, whole with a length
        chunked = (r.getheader("Transfer-Encoding") or "").lower() == "chunked"
        assert chunked == (len(raw) > FLUSH + 2) or FLUSH <= len(raw) <= FLUSH + 2
        assert chunked or r.getheader("Content-Length") == str(len(raw))
        sep = "&" if "?" in path else "?"
        r2, page = _get(conn, f"{path}{sep}limit=100000", accept)   # one page: built whole
        assert r2.status == 200 and r2.getheader("Content-Length")
    finally:
        conn.close()
    assert _same_clock(streamed) == _same_clock(page)
    assert len(streamed.get("items", streamed.get("rows"))) >= 1


def test_a_list_never_read_leaves_the_connection_current(served, tls):
    """A HEAD of a list (its body never iterated) then a write and reads on the same connection:
    they see the write, so the list's read snapshot ended with the HEAD."""
    conn = _conn(served, tls)
    try:
        conn.request("HEAD", "/api/v1/namespaces/big-a/pods", headers={"Accept": "application/json"})
        r = conn.getresponse()
        assert r.status == 200 and r.read() == b""
        r, _ = _get(conn, "/api/v1/namespaces/big-a/pods/p01", method="PATCH",
                    body=b'{"metadata":{"labels":{"seen":"yes"}}}', ctype="application/merge-patch+json")
        assert r.status == 200
        r, pod = _get(conn, "/api/v1/namespaces/big-a/pods/p01")
        assert pod["metadata"]["labels"]["seen"] == "yes"
        r, lst = _get(conn, "/api/v1/namespaces/big-a/pods?labelSelector=seen%3Dyes")
        assert [p["metadata"]["name"] for p in lst["items"]] == ["p01"]
    finally:
        conn.close()


@pytest.mark.parametrize("query,reason", [
    ("labelSelector=a%20b", "BadRequest"),
    ("fieldSelector=spec.bogus%3Dx", "BadRequest"),
    ("limit=5&continue=bogus", "BadRequest"),
], ids=["bad-label-selector", "unknown-field", "bad-continue"])
def test_a_bad_list_is_a_status_before_any_item(served, tls, query, reason):
    conn = _conn(served, tls)
    try:
        r, st = _get(conn, f"/api/v1/pods?{query}")
        assert r.status == 400 and st["kind"] == "Status" and st["reason"] == reason
        r, lst = _get(conn, "/api/v1/namespaces/big-a/pods?limit=2")   # the connection goes on
        assert r.status == 200 and len(lst["items"]) == 2
    finally:
        conn.close()


def test_pykubectl_http_client_reads_a_streamed_list(served):
    r = served.remote("get", "pods", "-A", "-o", "name")
    local = served.local("get", "pods", "-A", "-o", "name")
    assert r.code == 0, r.err
    assert r.out == local.out and "pod/p00" in r.out


# -- timestamps shifted in the encoded list ---------------------------------------------------

_SHIFTED = {"creationTimestamp": "2026-01-31T23:59:59Z",
            "conditions": [{"lastTransitionTime": "2026-02-28T00:00:00.123456Z"}],
            "quoted": 'started at "2026-01-01T00:00:00Z"',
            "2026-01-01T00:00:00Z": "a key stays",
            "suffix": "2026-01-01T00:00:00Zx", "unicode": "é 2026-01-01T00:00:00Z",
            "y2k": "1999-12-31T23:59:30.5Z", "n": 5, "none": None}


@pytest.mark.parametrize("delta", [0, 1, -3600, 40 * 86400], ids=["none", "1s", "minus-1h", "40-days"])
def test_shifting_encoded_json_is_shifting_the_object(delta):
    from pykubectl.server.routes import dumps, shift_json, shift_times
    assert shift_json(dumps(_SHIFTED), delta) == dumps(shift_times(_SHIFTED, delta))
    if delta:
        assert json.loads(shift_json(dumps(_SHIFTED), delta))["creationTimestamp"] != _SHIFTED["creationTimestamp"]
