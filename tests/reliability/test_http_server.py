"""`cluster serve` under bad requests: malformed JSON, a wrong content type, an oversized body, a
client that sends half a request and stalls. Each gets a Status error and the server answers the
next request."""
from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl

import pytest
import yaml

from tests.compat.serving import serve

CM = "/api/v1/namespaces/default/configmaps"



@pytest.fixture(scope="module")
def server(tmp_path_factory, lab_template):
    import shutil
    from tests.conftest import Kube
    home = str(tmp_path_factory.mktemp("httpbad") / "home")
    shutil.copytree(lab_template, home)
    kube = Kube(home)
    kc = yaml.safe_load(open(kube.kubeconfig))
    paths = {}
    for name, data in (("ca", kc["clusters"][0]["cluster"]["certificate-authority-data"]),
                       ("crt", kc["users"][0]["user"]["client-certificate-data"]),
                       ("key", kc["users"][0]["user"]["client-key-data"])):
        paths[name] = os.path.join(home, f"{name}.pem")
        with open(paths[name], "wb") as f:
            f.write(base64.b64decode(data))
    ctx = ssl.create_default_context(cafile=paths["ca"])
    ctx.load_cert_chain(paths["crt"], paths["key"])
    with serve(kube.env) as port:
        yield port, ctx


def _req(server, method, path, body=None, ctype="application/json"):
    port, ctx = server
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=20)
    try:
        headers = {"Accept": "application/json"}
        if ctype:
            headers["Content-Type"] = ctype
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        conn.close()


def _cm(name, size=0):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                       "data": {"k": "x" * size}}).encode()


@pytest.mark.parametrize("method,body,ctype,code,reason", [
    ("POST", b'{"apiVersion": "v1", "kind": "ConfigMap",', "application/json", 400, "BadRequest"),
    ("POST", b"\x00\xff\xfe binary", "application/json", 400, "BadRequest"),
    ("POST", _cm("wrong-ctype"), "text/plain", 415, "UnsupportedMediaType"),
    ("POST", _cm("huge", 3 * 1024 * 1024 + 100), "application/json", 413, "RequestEntityTooLarge"),
    ("PATCH", b'{"data": {"a": "b"}}', "application/xml", 415, "UnsupportedMediaType"),
], ids=["truncated-json", "binary-body", "text-plain", "over-3MiB", "patch-xml"])
def test_bad_request_is_a_status_and_the_server_stays_up(server, method, body, ctype, code, reason):
    path = CM if method == "POST" else f"{CM}/nope"
    status, st = _req(server, method, path, body, ctype)
    assert status == code, st
    assert st["kind"] == "Status" and st["code"] == code and st["status"] == "Failure", st
    if reason != "RequestEntityTooLarge":
        assert st.get("reason", "") in (reason, ""), st
    assert _req(server, "GET", "/api/v1/namespaces/default")[0] == 200


def test_over_3mib_wording(server):
    status, st = _req(server, "POST", CM, _cm("huge2", 3 * 1024 * 1024 + 100))
    assert (status, st["message"]) == (413, "Request entity too large: limit is 3145728")


def test_a_stalled_client_does_not_block_others(server):
    port, ctx = server
    raw = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                          server_hostname="127.0.0.1")
    try:
        raw.sendall(b"POST " + CM.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 1000\r\n\r\n{\"apiVersion\"")
        assert _req(server, "GET", "/api/v1/namespaces/default")[0] == 200
    finally:
        raw.close()
    assert _req(server, "GET", "/api/v1/namespaces/default")[0] == 200


def test_the_listen_backlog_takes_a_crowd_connecting_at_once():
    """socketserver listens with a backlog of 5: the 6th client connecting at the same moment
    had its SYN dropped and retried 1 s later (16 clients: GET fell from ~900 to ~130 req/s)."""
    from pykubectl.server.http import Server
    assert Server.request_queue_size >= 128


@pytest.mark.parametrize("clients", [16, 40], ids=["16-clients", "40-clients"])
def test_clients_connecting_at_once_are_all_answered(server, clients):
    """Each connects at the same moment (a barrier), reads one object and a page of a list on
    its own keep-alive connection: every answer a 200 with what was asked."""
    import threading
    port, ctx = server
    start = threading.Barrier(clients, timeout=30)
    got, lock = [], threading.Lock()

    def client():
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
        try:
            start.wait()
            conn.request("GET", "/api/v1/namespaces/default", headers={"Accept": "application/json"})
            r = conn.getresponse()
            one = (r.status, json.loads(r.read())["metadata"]["name"])
            conn.request("GET", "/api/v1/namespaces?limit=2", headers={"Accept": "application/json"})
            r = conn.getresponse()
            two = (r.status, len(json.loads(r.read())["items"]))
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as e:
            one = two = (type(e).__name__, None)
        finally:
            conn.close()
        with lock:
            got.append((one, two))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert got == [((200, "default"), (200, 2))] * clients
