"""WebSocket (RFC 6455) as the Kubernetes streaming subresources use it: the upgrade handshake,
frames both ways (a client masks, a server does not), and Kubernetes' channel framing on top
(`v5.channel.k8s.io`: every binary message starts with its channel byte; 255 closes one).

Small on purpose: one message at a time, no extensions (no permessage-deflate: it is never
offered back), text and binary alike handed over as bytes.
"""
from __future__ import annotations

import base64
import hashlib
import os
import struct
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_MESSAGE = 64 * 1024 * 1024    # refuse anything bigger: a broken or hostile peer

# Kubernetes' remotecommand channels
STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
STREAM_CLOSE = 255                # v5: [255, channel] half-closes that channel
CHANNEL_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
PORTFORWARD_PROTOCOLS = ("v4.channel.k8s.io", "portforward.k8s.io")


class ProtocolError(Exception):
    """The peer broke RFC 6455; the connection ends with close code 1002."""


def accept_key(key: str) -> str:
    """Sec-WebSocket-Accept for a client's Sec-WebSocket-Key."""
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode()).digest()).decode()


def new_key() -> str:
    return base64.b64encode(os.urandom(16)).decode()


def choose_protocol(offered: str, supported) -> str | None:
    """The first of `supported` among the comma-separated `offered` (the server's preference)."""
    names = [p.strip() for p in (offered or "").split(",") if p.strip()]
    return next((p for p in supported if p in names), None)


def is_upgrade(headers: dict) -> bool:
    return (headers.get("upgrade", "").lower() == "websocket"
            and "upgrade" in headers.get("connection", "").lower())


def encode(opcode: int, payload: bytes = b"", mask: bool = False, fin: bool = True) -> bytes:
    """One frame; a client's frames are masked with a fresh key."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head.append(bit | n)
    elif n < 1 << 16:
        head.append(bit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(bit | 127)
        head += struct.pack("!Q", n)
    if not mask:
        return bytes(head) + payload
    key = os.urandom(4)
    return bytes(head) + key + _xor(payload, key)


def _xor(data: bytes, key: bytes) -> bytes:
    if not data:
        return b""
    # whole-buffer XOR through big integers: fast enough for a tar of a few megabytes
    k = (key * (len(data) // 4 + 1))[:len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(len(data), "big")


def _read_exact(rfile, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = rfile.read(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


def read_frame(rfile, require_mask: bool | None = None) -> tuple[bool, int, bytes]:
    """(fin, opcode, payload) of the next frame. `require_mask`: True on a server (clients must
    mask), False on a client (servers must not), None to accept both."""
    b0, b1 = _read_exact(rfile, 2)
    if b0 & 0x70:
        raise ProtocolError("reserved bits set")
    fin, opcode, masked, n = bool(b0 & 0x80), b0 & 0x0F, bool(b1 & 0x80), b1 & 0x7F
    if require_mask is not None and masked != require_mask:
        raise ProtocolError("frame masking is wrong for this side")
    if n == 126:
        n = struct.unpack("!H", _read_exact(rfile, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", _read_exact(rfile, 8))[0]
    if opcode >= 0x8 and (n > 125 or not fin):
        raise ProtocolError("bad control frame")
    if n > MAX_MESSAGE:
        raise ProtocolError("message too big")
    key = _read_exact(rfile, 4) if masked else b""
    payload = _read_exact(rfile, n)
    return fin, opcode, (_xor(payload, key) if masked else payload)


class Conn:
    """One WebSocket connection over a file pair. `recv()` answers pings itself and returns the
    next whole data message, or (CLOSE, payload) once; sends are serialized by a lock."""

    def __init__(self, rfile, wfile, *, client: bool, protocol: str = ""):
        self.rfile, self.wfile, self.client, self.protocol = rfile, wfile, client, protocol
        self.sock = None         # the socket underneath, when a caller wants to poll it
        self._lock = threading.Lock()
        self.closed = False      # a close frame was sent

    def send(self, opcode: int, payload: bytes = b"") -> None:
        frame = encode(opcode, payload, mask=self.client)
        with self._lock:
            self.wfile.write(frame)
            self.wfile.flush()

    def send_channel(self, channel: int, data: bytes = b"") -> None:
        self.send(BINARY, bytes([channel]) + data)

    def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.send(CLOSE, struct.pack("!H", code) + reason.encode())
        except OSError:
            pass

    def recv(self) -> tuple[int, bytes]:
        parts: list[bytes] = []
        first = None
        size = 0
        while True:
            fin, opcode, payload = read_frame(self.rfile, require_mask=not self.client)
            if opcode == PING:
                self.send(PONG, payload)
                continue
            if opcode == PONG:
                continue
            if opcode == CLOSE:
                if not self.closed:   # echo the close, as RFC 6455 asks
                    self.close(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000)
                return CLOSE, payload
            if opcode == CONT:
                if first is None:
                    raise ProtocolError("continuation without a message")
            elif first is not None:
                raise ProtocolError("new message inside a fragmented one")
            else:
                first = opcode
            size += len(payload)
            if size > MAX_MESSAGE:
                raise ProtocolError("message too big")
            parts.append(payload)
            if fin:
                return first, b"".join(parts)


def server_handshake(headers: dict, supported) -> tuple[list[tuple[str, str]], str]:
    """(response headers of the 101, chosen subprotocol) for an upgrade request's headers
    (lower-case names); ValueError when it is not a usable WebSocket upgrade."""
    key = headers.get("sec-websocket-key", "")
    if not is_upgrade(headers) or not key:
        raise ValueError("not a websocket upgrade")
    if headers.get("sec-websocket-version", "13").strip() != "13":
        raise ValueError("unsupported websocket version")
    offered = headers.get("sec-websocket-protocol", "")
    proto = choose_protocol(offered, supported)
    if offered.strip() and proto is None:
        raise ValueError(f"unable to upgrade: unable to negotiate protocol: client supports "
                         f"{[p.strip() for p in offered.split(',')]}, server supports {list(supported)}")
    out = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
           ("Sec-WebSocket-Accept", accept_key(key))]
    if proto:
        out.append(("Sec-WebSocket-Protocol", proto))
    return out, proto or ""


def client_request(host: str, path: str, protocols, headers=()) -> tuple[bytes, str]:
    """(the GET that asks for an upgrade, its key) for a client."""
    key = new_key()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
             f"Sec-WebSocket-Protocol: {', '.join(protocols)}"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), key
