"""SPDY/3.1 as Kubernetes' streaming subresources speak it (moby/spdystream on the client):
control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS,
WINDOW_UPDATE) and data frames, name/value header blocks compressed with zlib against SPDY/3's
predefined dictionary, one zlib stream per direction kept across frames.

Flow control is not enforced: spdystream neither sends WINDOW_UPDATE nor waits for one, and a
port-forward answer is small. The server side only: streams come from the client.
"""
from __future__ import annotations

import struct
import threading
import zlib

VERSION = 3
DATA = 0
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS = 1, 2, 3, 4
PING, GOAWAY, HEADERS, WINDOW_UPDATE = 6, 7, 8, 9
FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02

# RST_STREAM status codes
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM = 1, 2, 3
CANCEL, INTERNAL_ERROR = 5, 6
# GOAWAY status codes
GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, GOAWAY_INTERNAL_ERROR = 0, 1, 2

MAX_LENGTH = (1 << 24) - 1       # a frame's 24-bit length field
MAX_HEADERS = 1 << 20            # a decompressed header block bigger than this is an attack

# SPDY/3 draft section 2.6.10.1: the zlib dictionary for header blocks (1423 bytes, no NUL
# at the end, as moby/spdystream has it: a byte off and inflate fails with "need dictionary")
DICTIONARY = b"".join(struct.pack("!I", len(w)) + w for w in (
    b"options", b"head", b"post", b"put", b"delete", b"trace", b"accept", b"accept-charset",
    b"accept-encoding", b"accept-language", b"accept-ranges", b"age", b"allow",
    b"authorization", b"cache-control", b"connection", b"content-base", b"content-encoding",
    b"content-language", b"content-length", b"content-location", b"content-md5",
    b"content-range", b"content-type", b"date", b"etag", b"expect", b"expires", b"from",
    b"host", b"if-match", b"if-modified-since", b"if-none-match", b"if-range",
    b"if-unmodified-since", b"last-modified", b"location", b"max-forwards", b"pragma",
    b"proxy-authenticate", b"proxy-authorization", b"range", b"referer", b"retry-after",
    b"server", b"te", b"trailer", b"transfer-encoding", b"upgrade", b"user-agent", b"vary",
    b"via", b"warning", b"www-authenticate", b"method", b"get", b"status", b"200 OK",
    b"version", b"HTTP/1.1", b"url", b"public", b"set-cookie", b"keep-alive", b"origin")) + (
    b"100101201202205206300302303304305306307402405406407408409410411412413414415416"
    b"417502504505203 Non-Authoritative Information204 No Content301 Moved Permanently"
    b"400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error"
    b"501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct "
    b"Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,"
    b"image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,"
    b"publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")


class ProtocolError(Exception):
    """The peer broke SPDY/3.1; the session ends (with a GOAWAY when it can)."""


class Frame:
    """One frame, unpacked. `kind` is DATA or a control frame type; `value` is RST_STREAM's
    and GOAWAY's status, PING's id, WINDOW_UPDATE's delta; `settings` [(flags, id, value)]."""

    __slots__ = ("kind", "stream_id", "flags", "headers", "data", "value", "settings",
                 "associated", "priority")

    def __init__(self, kind, stream_id=0, flags=0, headers=None, data=b"", value=0, settings=(),
                 associated=0, priority=0):
        self.kind, self.stream_id, self.flags = kind, stream_id, flags
        self.headers = headers          # SYN_STREAM, SYN_REPLY, HEADERS: [(name, value)]
        self.data, self.value, self.settings = data, value, tuple(settings)
        self.associated, self.priority = associated, priority

    def __eq__(self, other):
        return isinstance(other, Frame) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self):
        return "Frame(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)

    def header(self, name: str, default: str = "") -> str:
        """The first value of a header (names are lower-case on the wire)."""
        return next((v for k, v in self.headers or () if k == name), default)


def pack_headers(headers) -> bytes:
    """A name/value block, uncompressed: a count, then length-prefixed names and values
    (several values of one name joined by NUL)."""
    out = [struct.pack("!I", len(headers))]
    for name, value in headers:
        for s in (name.lower().encode(), value.encode()):
            out.append(struct.pack("!I", len(s)) + s)
    return b"".join(out)


def unpack_headers(block: bytes) -> list[tuple[str, str]]:
    """The [(name, value)] of an uncompressed name/value block."""
    def take(pos):
        if pos + 4 > len(block):
            raise ProtocolError("truncated header block")
        n = struct.unpack_from("!I", block, pos)[0]
        if pos + 4 + n > len(block):
            raise ProtocolError("truncated header block")
        return block[pos + 4:pos + 4 + n], pos + 4 + n
    if len(block) < 4:
        raise ProtocolError("truncated header block")
    count = struct.unpack_from("!I", block)[0]
    pos, out = 4, []
    for _ in range(count):
        name, pos = take(pos)
        value, pos = take(pos)
        if not name or name != name.lower():
            raise ProtocolError("header was not lowercased")
        out.append((name.decode("latin-1"), value.decode("utf-8", "replace")))
    return out


class Framer:
    """Frames to bytes and back for one side of a session: each direction keeps its own zlib
    stream (the peer's deflate state spans every header block it sends)."""

    def __init__(self):
        self._deflate = zlib.compressobj(9, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY,
                                         zdict=DICTIONARY)
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)

    def compress(self, headers) -> bytes:
        raw = pack_headers(headers)
        return self._deflate.compress(raw) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    def decompress(self, data: bytes) -> list[tuple[str, str]]:
        try:
            raw = self._inflate.decompress(data, MAX_HEADERS)
        except zlib.error as e:
            raise ProtocolError(f"header block: {e}") from None
        if self._inflate.unconsumed_tail:
            raise ProtocolError("header block too large")
        return unpack_headers(raw)

    def encode(self, f: Frame) -> bytes:
        if f.kind == DATA:
            return _head(struct.pack("!I", f.stream_id & 0x7FFFFFFF), f.flags, f.data)
        if f.kind == SYN_STREAM:
            body = struct.pack("!IIBB", f.stream_id, f.associated, (f.priority & 7) << 5, 0) + \
                self.compress(f.headers or [])
        elif f.kind in (SYN_REPLY, HEADERS):
            body = struct.pack("!I", f.stream_id) + self.compress(f.headers or [])
        elif f.kind in (RST_STREAM, WINDOW_UPDATE):
            body = struct.pack("!II", f.stream_id, f.value)
        elif f.kind == GOAWAY:
            body = struct.pack("!II", f.stream_id, f.value)   # stream_id: the last one accepted
        elif f.kind == PING:
            body = struct.pack("!I", f.value)
        elif f.kind == SETTINGS:
            body = struct.pack("!I", len(f.settings)) + b"".join(
                struct.pack("!I", (fl << 24) | sid) + struct.pack("!I", v) for fl, sid, v in f.settings)
        else:
            raise ValueError(f"unknown frame type {f.kind}")
        return _head(struct.pack("!HH", 0x8000 | VERSION, f.kind), f.flags, body)

    def read(self, read_exact) -> Frame:
        """The next frame; `read_exact(n)` returns n bytes or raises EOFError."""
        head = read_exact(8)
        flags, length = head[4], int.from_bytes(head[5:8], "big")
        body = read_exact(length) if length else b""
        if not head[0] & 0x80:
            return Frame(DATA, struct.unpack_from("!I", head)[0] & 0x7FFFFFFF, flags, data=body)
        version, kind = struct.unpack_from("!HH", head)
        if version & 0x7FFF != VERSION:
            raise ProtocolError(f"unsupported SPDY version {version & 0x7FFF}")

        def need(n):
            if len(body) < n:
                raise ProtocolError("invalid control frame")
        if kind == SYN_STREAM:
            need(10)
            sid, assoc = struct.unpack_from("!II", body)
            return Frame(kind, sid & 0x7FFFFFFF, flags, headers=self.decompress(body[10:]),
                         associated=assoc & 0x7FFFFFFF, priority=body[8] >> 5)
        if kind in (SYN_REPLY, HEADERS):
            need(4)
            return Frame(kind, struct.unpack_from("!I", body)[0] & 0x7FFFFFFF, flags,
                         headers=self.decompress(body[4:]))
        if kind in (RST_STREAM, WINDOW_UPDATE, GOAWAY):
            need(8)
            sid, value = struct.unpack_from("!II", body)
            return Frame(kind, sid & 0x7FFFFFFF, flags,
                         value=value & 0x7FFFFFFF if kind == WINDOW_UPDATE else value)
        if kind == PING:
            need(4)
            return Frame(kind, flags=flags, value=struct.unpack_from("!I", body)[0])
        if kind == SETTINGS:
            need(4)
            n = struct.unpack_from("!I", body)[0]
            need(4 + 8 * n)
            entries = []
            for i in range(n):
                a, v = struct.unpack_from("!II", body, 4 + 8 * i)
                entries.append((a >> 24, a & 0xFFFFFF, v))
            return Frame(kind, flags=flags, settings=entries)
        # an unknown control frame type is ignored (SPDY/3 section 2.2.1): CREDENTIAL too
        return Frame(kind, flags=flags, data=body)


def _head(prefix: bytes, flags: int, body: bytes) -> bytes:
    if len(body) > MAX_LENGTH:
        raise ValueError("frame too large")
    return prefix + bytes([flags]) + len(body).to_bytes(3, "big") + body


class Session:
    """The server end of a SPDY session over `read_exact(n)` and `write(bytes)`: frames in,
    PINGs answered; replies, data and resets out (sends serialized by a lock)."""

    def __init__(self, read_exact, write):
        self._read_exact, self._write = read_exact, write
        self.framer = Framer()
        self._lock = threading.Lock()
        self.last_stream = 0

    def send(self, frame: Frame) -> None:
        with self._lock:   # the deflate stream's order is the wire's order
            self._write(self.framer.encode(frame))

    def next_frame(self) -> Frame:
        """The next frame the caller must act on (PINGs are echoed here); EOFError at the end."""
        while True:
            f = self.framer.read(self._read_exact)
            if f.kind == PING:
                if f.value % 2:   # the client's ping (odd id): echoed; ours would be even
                    self.send(f)
                continue
            if f.kind == SYN_STREAM:
                self.last_stream = max(self.last_stream, f.stream_id)
            return f

    def reply(self, stream_id: int, headers=(), fin: bool = False) -> None:
        self.send(Frame(SYN_REPLY, stream_id, FLAG_FIN if fin else 0, headers=list(headers)))

    def data(self, stream_id: int, data: bytes = b"", fin: bool = False) -> None:
        for i in range(0, len(data), 1 << 16):   # frames stay well under the 24-bit limit
            last = i + (1 << 16) >= len(data)
            self.send(Frame(DATA, stream_id, FLAG_FIN if fin and last else 0, data=data[i:i + (1 << 16)]))
        if not data:
            self.send(Frame(DATA, stream_id, FLAG_FIN if fin else 0))

    def reset(self, stream_id: int, status: int = CANCEL) -> None:
        self.send(Frame(RST_STREAM, stream_id, value=status))

    def goaway(self, status: int = GOAWAY_OK) -> None:
        self.send(Frame(GOAWAY, self.last_stream, value=status))
