"""RFC 6455 framing and the Kubernetes channel protocol as `server/websocket.py` and
`server/streams.py` speak them: the RFC's own examples, lengths at the encoding boundaries,
masking rules per side, fragmentation and control frames, subprotocol negotiation, and the
kubelet's exit Status."""
import io

import pytest

from pykubectl.server import streams
from pykubectl.server import websocket as ws


def test_accept_key_is_the_rfc_example():
    # RFC 6455 section 1.3
    assert ws.accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize("raw,expected", [
    (bytes([0x81, 0x05]) + b"Hello", (True, ws.TEXT, b"Hello")),
    (bytes([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]), (True, ws.TEXT, b"Hello")),
    (bytes([0x01, 0x03]) + b"Hel", (False, ws.TEXT, b"Hel")),
    (bytes([0x89, 0x05]) + b"Hello", (True, ws.PING, b"Hello")),
], ids=["unmasked-text", "masked-text", "first-fragment", "ping"])
def test_rfc_example_frames(raw, expected):
    assert ws.read_frame(io.BytesIO(raw)) == expected


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000],
                         ids=["empty", "one", "7-bit-max", "16-bit-min", "16-bit-max", "64-bit-min", "large"])
@pytest.mark.parametrize("mask", [False, True], ids=["server", "client"])
def test_round_trip_at_length_boundaries(size, mask):
    payload = bytes(i % 251 for i in range(size))
    frame = ws.encode(ws.BINARY, payload, mask=mask)
    assert ws.read_frame(io.BytesIO(frame), require_mask=mask) == (True, ws.BINARY, payload)
    header = 2 + (0 if size < 126 else 2 if size < 65536 else 8) + (4 if mask else 0)
    assert len(frame) == header + size


@pytest.mark.parametrize("raw,require_mask", [
    (ws.encode(ws.BINARY, b"x", mask=False), True),
    (ws.encode(ws.BINARY, b"x", mask=True), False),
    (bytes([0xC1, 0x00]), None),
    (bytes([0x09, 0x00]), None),
    (bytes([0x89, 0x7E, 0x00, 0x80]) + b"x" * 128, None),
], ids=["server-gets-unmasked", "client-gets-masked", "reserved-bit", "fragmented-ping", "long-ping"])
def test_protocol_violations(raw, require_mask):
    with pytest.raises(ws.ProtocolError):
        ws.read_frame(io.BytesIO(raw), require_mask=require_mask)


def test_truncated_frame_is_eof():
    with pytest.raises(EOFError):
        ws.read_frame(io.BytesIO(ws.encode(ws.BINARY, b"abcdef")[:4]))


def _server_conn(*frames):
    """A server-side Conn reading the given client frames; its replies are in .wfile."""
    return ws.Conn(io.BytesIO(b"".join(frames)), io.BytesIO(), client=False)


def _sent(conn):
    r = io.BytesIO(conn.wfile.getvalue())
    out = []
    while r.tell() < len(conn.wfile.getvalue()):
        out.append(ws.read_frame(r, require_mask=False))
    return out


def test_fragments_join_and_pings_are_answered_between_them():
    c = _server_conn(ws.encode(ws.BINARY, b"\x00ab", mask=True, fin=False),
                     ws.encode(ws.PING, b"hb", mask=True),
                     ws.encode(ws.CONT, b"cd", mask=True))
    assert c.recv() == (ws.BINARY, b"\x00abcd")
    assert _sent(c) == [(True, ws.PONG, b"hb")]


def test_close_is_echoed_once():
    c = _server_conn(ws.encode(ws.CLOSE, b"\x03\xe8bye", mask=True))
    assert c.recv() == (ws.CLOSE, b"\x03\xe8bye")
    c.close()
    assert _sent(c) == [(True, ws.CLOSE, b"\x03\xe8")]


def test_client_frames_are_masked():
    c = ws.Conn(io.BytesIO(), io.BytesIO(), client=True)
    c.send_channel(ws.STDIN, b"hello")
    raw = c.wfile.getvalue()
    assert raw[1] & 0x80 and b"hello" not in raw
    assert ws.read_frame(io.BytesIO(raw), require_mask=True) == (True, ws.BINARY, b"\x00hello")


@pytest.mark.parametrize("offered,supported,chosen", [
    ("v5.channel.k8s.io", ws.CHANNEL_PROTOCOLS, "v5.channel.k8s.io"),
    ("v4.channel.k8s.io, v5.channel.k8s.io", ws.CHANNEL_PROTOCOLS, "v5.channel.k8s.io"),
    ("v4.channel.k8s.io,channel.k8s.io", ws.CHANNEL_PROTOCOLS, "v4.channel.k8s.io"),
    ("base64.channel.k8s.io", ws.CHANNEL_PROTOCOLS, None),
    ("portforward.k8s.io", ws.PORTFORWARD_PROTOCOLS, "portforward.k8s.io"),
], ids=["v5", "server-prefers-v5", "v4", "unsupported", "portforward"])
def test_choose_protocol(offered, supported, chosen):
    assert ws.choose_protocol(offered, supported) == chosen


@pytest.mark.parametrize("headers,ok", [
    ({"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-protocol": "v5.channel.k8s.io"}, True),
    ({"upgrade": "websocket", "connection": "keep-alive, Upgrade", "sec-websocket-key": "a2V5"}, True),
    ({"connection": "Upgrade", "sec-websocket-key": "a2V5"}, False),
    ({"upgrade": "websocket", "connection": "Upgrade"}, False),
    ({"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-key": "a2V5",
      "sec-websocket-protocol": "SPDY/3.1+portforward.k8s.io"}, False),
], ids=["v5", "no-protocol-offered", "no-upgrade", "no-key", "nothing-in-common"])
def test_server_handshake(headers, ok):
    if not ok:
        with pytest.raises(ValueError):
            ws.server_handshake(headers, ws.CHANNEL_PROTOCOLS)
        return
    out, proto = ws.server_handshake(headers, ws.CHANNEL_PROTOCOLS)
    assert ("Sec-WebSocket-Accept", ws.accept_key(headers["sec-websocket-key"])) in out
    assert proto == ("v5.channel.k8s.io" if "sec-websocket-protocol" in headers else "")


@pytest.mark.parametrize("code,argv,status,back", [
    (0, ["ls"], {"metadata": {}, "status": "Success"}, None),
    (2, ["sh", "-c", "exit 2"], {"metadata": {}, "status": "Failure",
                                 "message": "command terminated with non-zero exit code: error executing "
                                            "command [sh -c exit 2], exit code 2",
                                 "reason": "NonZeroExitCode",
                                 "details": {"causes": [{"reason": "ExitCode", "message": "2"}]}}, 2),
], ids=["success", "exit-2"])
def test_exit_status_round_trip(code, argv, status, back):
    assert streams.exit_status(code, argv) == status
    assert streams.exit_code_of(status) == back


LINES = [("2026-01-01T00:00:01Z", "one"), ("2026-01-01T00:00:05Z", "two"), ("2026-01-01T00:00:09Z", "three")]


@pytest.mark.parametrize("kw,text", [
    ({}, "one\ntwo\nthree\n"),
    ({"tail": 2}, "two\nthree\n"),
    ({"tail": 0}, ""),
    ({"since": 1767225605.0}, "two\nthree\n"),
    ({"since": 1767225605.0, "tail": 1}, "three\n"),
    ({"tail": 1, "timestamps": True}, "2026-01-01T00:00:09.000000000Z three\n"),
    ({"tail": 1, "timestamps": True, "shift": -3600}, "2025-12-31T23:00:09.000000000Z three\n"),
    ({"tail": 1, "prefix": "[pod/a/b] "}, "[pod/a/b] three\n"),
], ids=["all", "tail", "tail-0", "since", "since-then-tail", "timestamps", "timestamps-shifted", "prefix"])
def test_format_lines(kw, text):
    assert streams.format_lines(LINES, **kw) == text


def _pod(containers, inits=()):
    return {"metadata": {"name": "p"}, "spec": {"containers": [{"name": c} for c in containers],
                                                "initContainers": [{"name": c} for c in inits]}}


@pytest.mark.parametrize("pod,asked,answer", [
    (_pod(["a"]), "", "a"),
    (_pod(["a", "b"]), "b", "b"),
    (_pod(["a"], ["i"]), "i", "i"),
    (_pod(["a", "b"]), "", "a container name must be specified for pod p, choose one of: [a b]"),
    (_pod(["a", "b"], ["i"]), "", "a container name must be specified for pod p, choose one of: [a b] "
                                  "or one of the init containers: [i]"),
    (_pod(["a"]), "x", "container x is not valid for pod p"),
], ids=["only-one", "named", "init", "ambiguous", "ambiguous-with-inits", "unknown"])
def test_log_container(pod, asked, answer):
    from pykubectl.api.errors import StatusError
    try:
        assert streams.log_container(pod, asked) == answer
    except StatusError as e:
        assert (e.code, e.message) == (400, answer)


@pytest.mark.parametrize("buf,parsed", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", ("GET", "/", {"host": "x"}, b"", b"")),
    (b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET", ("POST", "/a", {"content-length": "3"}, b"abc", b"GET")),
    (b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nab", None),
    (b"GET / HTTP/1.1\r\nHost: x\r\n", None),
], ids=["get", "body-then-next", "body-incomplete", "headers-incomplete"])
def test_split_request(buf, parsed):
    assert streams._split_request(buf) == parsed
