"""SPDY/3.1 framing (server/spdy.py) and the kubelet's portforward.k8s.io on top of it
(server/streams.py): frames round-trip, the wire bytes are SPDY/3's, header blocks share one
zlib stream per direction, and a forwarded connection answers as kubectl expects."""
from __future__ import annotations

import io
import zlib

import pytest

from pykubectl.server import spdy
from pykubectl.server.spdy import Frame


def _reader(data: bytes):
    buf = io.BytesIO(data)

    def read_exact(n):
        out = buf.read(n)
        if len(out) < n:
            raise EOFError
        return out
    return read_exact


FRAMES = [
    Frame(spdy.DATA, 1, data=b"GET / HTTP/1.1\r\n\r\n"),
    Frame(spdy.DATA, 3, spdy.FLAG_FIN),
    Frame(spdy.SYN_STREAM, 1, headers=[("streamtype", "error"), ("port", "80"), ("requestid", "0")]),
    Frame(spdy.SYN_STREAM, 5, spdy.FLAG_UNIDIRECTIONAL, headers=[("a", "x\x00y")], associated=3, priority=7),
    Frame(spdy.SYN_REPLY, 1, headers=[]),
    Frame(spdy.HEADERS, 1, spdy.FLAG_FIN, headers=[("status", "200 OK")]),
    Frame(spdy.RST_STREAM, 7, value=spdy.CANCEL),
    Frame(spdy.SETTINGS, settings=[(1, 4, 100), (0, 7, 65536)]),
    Frame(spdy.PING, value=1),
    Frame(spdy.GOAWAY, 9, value=2),
    Frame(spdy.WINDOW_UPDATE, 1, value=65536),
]


@pytest.mark.parametrize("frame", FRAMES, ids=[
    "data", "data-fin", "syn-stream", "syn-stream-assoc-priority", "syn-reply-empty", "headers",
    "rst-stream", "settings", "ping", "goaway", "window-update"])
def test_frames_round_trip(frame):
    out, into = spdy.Framer(), spdy.Framer()
    assert into.read(_reader(out.encode(frame))) == frame


@pytest.mark.parametrize("frame, wire", [
    (Frame(spdy.PING, value=1), "80030006 00000004 00000001"),
    (Frame(spdy.DATA, 3, spdy.FLAG_FIN, data=b"hi"), "00000003 01000002 6869"),
    (Frame(spdy.RST_STREAM, 5, value=spdy.PROTOCOL_ERROR), "80030003 00000008 00000005 00000001"),
    (Frame(spdy.GOAWAY, 9, value=0), "80030007 00000008 00000009 00000000"),
    (Frame(spdy.WINDOW_UPDATE, 1, value=1024), "80030009 00000008 00000001 00000400"),
    (Frame(spdy.SETTINGS, settings=[(1, 4, 100)]), "80030004 0000000c 00000001 01000004 00000064"),
], ids=["ping", "data-fin", "rst-stream", "goaway", "window-update", "settings"])
def test_wire_bytes_are_spdy3(frame, wire):
    assert spdy.Framer().encode(frame).hex() == wire.replace(" ", "")


def test_the_dictionary_is_spdy3s():
    # zlib names the dictionary by its Adler-32 in the stream header: spdystream checks it
    assert len(spdy.DICTIONARY) == 1423
    assert zlib.adler32(spdy.DICTIONARY) == 0xE3C6A7C2
    block = spdy.Framer().compress([("port", "80")])
    assert block[2:6] == (0xE3C6A7C2).to_bytes(4, "big")


@pytest.mark.parametrize("headers", [
    [],
    [("streamtype", "data"), ("port", "8080"), ("requestid", "12")],
    [("x-many", "a\x00b\x00c"), ("empty", "")],
    [("long", "v" * 70000)],
], ids=["none", "portforward", "nul-joined-and-empty", "long-value"])
def test_header_blocks_round_trip_through_the_dictionary(headers):
    raw = spdy.pack_headers(headers)
    assert spdy.unpack_headers(raw) == headers
    assert spdy.Framer().decompress(spdy.Framer().compress(headers)) == headers


def test_one_zlib_stream_per_direction_spans_frames():
    # the second block refers back to the first: it inflates only on the same stream
    out = spdy.Framer()
    first = out.encode(FRAMES[2])
    second = out.encode(Frame(spdy.SYN_STREAM, 3, headers=[("streamtype", "data"), ("port", "80"),
                                                           ("requestid", "0")]))
    into = spdy.Framer()
    read = _reader(first + second)
    assert into.read(read).header("streamtype") == "error"
    assert into.read(read).header("streamtype") == "data"
    with pytest.raises(spdy.ProtocolError):
        spdy.Framer().read(_reader(second))


@pytest.mark.parametrize("wire, message", [
    ("80020001 0000000a 00000001 00000000 0000", "unsupported SPDY version 2"),
    ("80030001 00000002 0000", "invalid control frame"),
    ("80030002 00000005 00000001 00", "header block"),
], ids=["spdy2", "short-syn-stream", "garbage-header-block"])
def test_broken_frames_are_protocol_errors(wire, message):
    with pytest.raises(spdy.ProtocolError, match=message):
        spdy.Framer().read(_reader(bytes.fromhex(wire.replace(" ", ""))))


def test_uppercase_header_names_are_refused():
    raw = b"\x00\x00\x00\x01" + b"\x00\x00\x00\x04Port" + b"\x00\x00\x00\x0280"
    with pytest.raises(spdy.ProtocolError, match="lowercased"):
        spdy.unpack_headers(raw)


# -- the kubelet's portforward.k8s.io over a session ---------------------------------------

class FakeExchange:
    """The image behind a port: 8080 answers each request whole; nothing else listens."""

    def __init__(self, cluster, ns, name, port):
        self.port, self.closed, self.buf = port, False, b""

    def listening(self):
        return self.port == 8080

    def feed(self, data):
        self.buf += data
        if b"\r\n\r\n" not in self.buf:
            return b""
        self.closed = b"close" in self.buf
        self.buf = b""
        return b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"


class FakeSock:
    def settimeout(self, t):
        pass


def _pair(client, port, rid, first_sid):
    return [client.encode(Frame(spdy.SYN_STREAM, first_sid, headers=[
                ("streamtype", "error"), ("port", str(port)), ("requestid", rid)])),
            client.encode(Frame(spdy.DATA, first_sid, spdy.FLAG_FIN)),
            client.encode(Frame(spdy.SYN_STREAM, first_sid + 2, headers=[
                ("streamtype", "data"), ("port", str(port)), ("requestid", rid)]))]


def _serve(monkeypatch, frames) -> list[Frame]:
    from pykubectl.server import streams
    monkeypatch.setattr(streams, "HttpExchange", FakeExchange)
    wrote = []
    streams._serve_spdy(FakeSock(), _reader(b"".join(frames)), wrote.append, None, "default", "app")
    into, read = spdy.Framer(), _reader(b"".join(wrote))
    out = []
    for _ in wrote:
        out.append(into.read(read))
    return out


def _brief(frames):
    return [(f.kind, f.stream_id, f.fin, f.data if f.kind == spdy.DATA else f.value) for f in frames]


REPLY1, REPLY3 = (spdy.SYN_REPLY, 1, False, 0), (spdy.SYN_REPLY, 3, False, 0)
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"


@pytest.mark.parametrize("port, request_data, fin, expect", [
    (8080, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", False,
     [REPLY1, REPLY3, (spdy.DATA, 3, False, ANSWER), (spdy.DATA, 3, True, b""), (spdy.DATA, 1, True, b"")]),
    (8080, b"GET / HTTP/1.1\r\n\r\n", True,
     [REPLY1, REPLY3, (spdy.DATA, 3, False, ANSWER), (spdy.DATA, 3, True, b""), (spdy.DATA, 1, True, b"")]),
    (8080, b"GET / HTTP/1.1\r\n\r\n", False,
     [REPLY1, REPLY3, (spdy.DATA, 3, False, ANSWER)]),
    (81, b"", False,
     [REPLY1, REPLY3, (spdy.DATA, 1, False, b"error forwarding port 81 to pod app, uid : failed to connect "
                                            b"to localhost:81 inside namespace: connection refused"),
      (spdy.DATA, 3, True, b""), (spdy.DATA, 1, True, b"")]),
], ids=["connection-close-ends-both-streams", "client-fin-ends-both-streams", "keep-alive-stays-open",
        "nothing-listening-on-the-error-stream"])
def test_a_forwarded_connection(monkeypatch, port, request_data, fin, expect):
    client = spdy.Framer()
    frames = _pair(client, port, "0", 1)
    if request_data or fin:
        frames.append(client.encode(Frame(spdy.DATA, 3, spdy.FLAG_FIN if fin else 0, data=request_data)))
    assert _brief(_serve(monkeypatch, frames)) == expect


def test_pings_are_echoed_and_bad_streams_reset(monkeypatch):
    client = spdy.Framer()
    frames = [client.encode(Frame(spdy.PING, value=1)),
              client.encode(Frame(spdy.SYN_STREAM, 1, headers=[("streamtype", "bogus"), ("port", "80")])),
              client.encode(Frame(spdy.SYN_STREAM, 3, headers=[("streamtype", "data"), ("port", "x")]))]
    assert _brief(_serve(monkeypatch, frames)) == [
        (spdy.PING, 0, False, 1), (spdy.RST_STREAM, 1, False, spdy.PROTOCOL_ERROR),
        (spdy.RST_STREAM, 3, False, spdy.PROTOCOL_ERROR)]


def test_two_connections_share_one_session(monkeypatch):
    client = spdy.Framer()
    req = b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
    frames = _pair(client, 8080, "0", 1) + _pair(client, 8080, "1", 5)
    frames += [client.encode(Frame(spdy.DATA, 7, data=req)), client.encode(Frame(spdy.DATA, 3, data=req))]
    answers = [(f.stream_id, f.data) for f in _serve(monkeypatch, frames) if f.kind == spdy.DATA and f.data]
    assert answers == [(7, ANSWER), (3, ANSWER)]


def test_a_broken_session_says_goaway(monkeypatch):
    frames = [bytes.fromhex("8002000100000000")]
    got = _serve(monkeypatch, frames)
    assert _brief(got) == [(spdy.GOAWAY, 0, False, spdy.GOAWAY_PROTOCOL_ERROR)]
