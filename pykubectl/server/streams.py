"""The streaming subresources of pods, as the apiserver and the kubelet answer them: `log`
(text, followed while the container runs), `exec` and `attach` (WebSocket, `v5.channel.k8s.io`
or `v4.channel.k8s.io`: stdout/stderr channels, the final Status on channel 3) and
`portforward` (WebSocket `v4.channel.k8s.io`/`portforward.k8s.io`: per port a data and an error
channel, each opened by the port as 2 bytes little-endian; or, as the real kubectl speaks it,
SPDY/3.1 streams, on the upgraded connection or inside WebSocket binary messages: server/spdy.py).

The kubelet side (which container, its log lines, running a command in it, answering HTTP on a
pod's port) is here too, so `LocalClient` and the HTTP server give the same answers.
Bytes cross the shell's text boundary with `surrogateescape`, so a tar stream survives.
"""
from __future__ import annotations

import json
import time

from pykubectl.api import errors

ENC = "surrogateescape"
FOLLOW_POLL = 0.2


def _bad(msg: str) -> errors.StatusError:
    return errors.StatusError(400, "BadRequest", msg)


def _names(cs) -> str:
    return " ".join(c["name"] for c in cs or ())


# -- which container (the apiserver's pod REST) -----------------------------------------

def log_container(pod: dict, container: str) -> str:
    """The container a log/exec/attach request means: the only one when unnamed, else the
    apiserver's BadRequest."""
    spec = pod.get("spec") or {}
    name = pod["metadata"]["name"]
    if not container:
        cs = spec.get("containers") or []
        if len(cs) == 1:
            return cs[0]["name"]
        if not cs:
            raise _bad(f"pod {name} does not have a container")
        msg = f"a container name must be specified for pod {name}, choose one of: [{_names(cs)}]"
        if spec.get("initContainers"):
            msg += f" or one of the init containers: [{_names(spec['initContainers'])}]"
        if spec.get("ephemeralContainers"):
            msg += f" or one of the ephemeral containers: [{_names(spec['ephemeralContainers'])}]"
        raise _bad(msg)
    every = [c["name"] for k in ("containers", "initContainers", "ephemeralContainers")
             for c in spec.get(k) or ()]
    if container not in every:
        raise _bad(f"container {container} is not valid for pod {name}")
    return container


def _status_of(pod: dict, container: str) -> dict | None:
    st = pod.get("status") or {}
    return next((x for k in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses")
                 for x in st.get(k) or () if x.get("name") == container), None)


def running(pod: dict, container: str) -> bool:
    return "running" in ((_status_of(pod, container) or {}).get("state") or {})


# -- logs (the kubelet) ------------------------------------------------------------------

def container_lines(view, pod: dict, container: str, previous: bool) -> list[tuple[str, str]]:
    """[(timestamp, line)] of one container (its previous instance with `previous`), or the
    BadRequest the kubelet answers."""
    from pykubectl.runtime import logs
    name = pod["metadata"]["name"]
    cs = _status_of(pod, container)
    if previous:
        if cs is None or not (cs.get("lastState") or {}).get("terminated"):
            raise _bad(f'previous terminated container "{container}" in pod "{name}" not found')
        return logs.read(view, pod, container, int(cs.get("restartCount") or 0) - 1)
    state = (cs or {}).get("state") or {}
    if cs is None or "waiting" in state:
        reason = ((state.get("waiting") or {}).get("reason")) or "ContainerCreating"
        if reason in ("ContainerCreating", "PodInitializing"):
            raise _bad(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
        if reason in ("ErrImagePull", "ImagePullBackOff"):
            raise _bad(f'container "{container}" in pod "{name}" is waiting to start: trying and failing to pull image')
        if reason == "InvalidImageName":
            raise _bad(f'container "{container}" in pod "{name}" is waiting to start: image can\'t be pulled')
        # a container waiting out its back-off shows the logs of the one that just ended
        return logs.read(view, pod, container, max(int(cs.get("restartCount") or 0) - 1, 0))
    return logs.read(view, pod, container, int((cs or {}).get("restartCount") or 0))


def format_lines(lines, *, tail: int = -1, since: float | None = None, timestamps: bool = False,
                 prefix: str = "", shift: int = 0) -> str:
    """Lines as kubelet serves them: the since filter, then tail, then timestamps (moved by
    `shift` seconds: the server's clock edge) and a prefix."""
    from pykubectl.store.clock import parse_time
    if since is not None:
        lines = [ln for ln in lines if (parse_time(ln[0]) or 0) >= since]
    if tail >= 0:
        lines = lines[len(lines) - tail:] if tail else []
    out = []
    for ts, msg in lines:
        stamp = ""
        if timestamps:
            if shift:
                from pykubectl.server.routes import shift_times
                ts = shift_times(ts, shift)
            stamp = _nano(ts) + " "
        out.append(f"{prefix}{stamp}{msg}\n")
    return "".join(out)


def _nano(ts: str) -> str:
    # kubelet's timestamps are RFC3339Nano
    return ts[:-1] + ".000000000Z" if ts.endswith("Z") and "." not in ts else ts


def follow_logs(cluster, ns: str, name: str, container: str, *, follow=False, tail=-1, since=None,
                timestamps=False, previous=False, limit_bytes=0, prefix="", shift=0,
                poll=FOLLOW_POLL, sleep=time.sleep, until=None):
    """Text chunks of one container's log: what is there (tail/since applied), then, with
    `follow`, new lines while the container runs, driving the cluster's due timers between
    polls. An empty chunk means "nothing new yet" (a server checks its client then). The
    first read raises the kubelet's StatusError. `until()`: stop early when it says so."""
    from pykubectl.controllers.manager import View
    seen = None
    uid = None
    left = limit_bytes if limit_bytes > 0 else None
    while True:
        # the first read writes (the runtime's tables may not exist yet); polls only read
        with (cluster.store.write() if seen is None else cluster.store.read()) as t:
            view = View(t, cluster.apiserver)
            pod = view.get("pods", ns, name)
            if pod is None:
                if seen is None:
                    raise errors.not_found("", "pods", name)
                return
            if uid is not None and pod["metadata"].get("uid") != uid:
                return       # a new pod of that name is another story
            uid = pod["metadata"].get("uid")
            lines = container_lines(view, pod, container, previous)
            alive = follow and not previous and running(pod, container)
        new = lines if seen is None else lines[seen:]
        text = format_lines(new, tail=tail if seen is None else -1, since=since if seen is None else None,
                            timestamps=timestamps, prefix=prefix, shift=shift)
        seen = len(lines)
        if left is not None:
            text = text.encode()[:left].decode(errors="ignore")
            left -= len(text.encode())
        yield text
        if not alive or left == 0 or (until is not None and until()):
            return
        sleep(poll)
        cluster.reload_clock()
        cluster.reconcile()


# -- exec (the kubelet) ------------------------------------------------------------------

class KubeletError(Exception):
    """The kubelet refused a stream in plain text (no Status): kubectl prints
    `unable to upgrade connection: TEXT`."""

    def __init__(self, text: str, code: int = 404):
        super().__init__(text)
        self.text, self.code = text, code


def check_exec(pod: dict, container: str) -> str:
    """The container to exec in: the apiserver's BadRequest, or the kubelet's refusal."""
    container = log_container(pod, container)
    if not running(pod, container):
        raise KubeletError(f'container not found ("{container}")')
    return container


def run_in(cluster, ns: str, name: str, container: str, argv: list[str], stdin: bytes = b""):
    """Run argv in the container in one write transaction, then let the controllers see what
    it changed (a file a probe reads, /status500): (stdout bytes, stderr bytes, exit code)."""
    from pykubectl.controllers.manager import View
    from pykubectl.runtime import images, shell
    now = cluster.clock.now()
    with cluster.store.write() as t:
        view = View(t, cluster.apiserver)
        images.bind(view, now)
        pod = view.get("pods", ns, name)
        if pod is None:
            raise errors.not_found("", "pods", name)
        out, err, code = shell.run(view, pod, container, list(argv),
                                   (stdin or b"").decode("utf-8", ENC), now=now)
    cluster.engine.run()
    return out.encode("utf-8", ENC), err.encode("utf-8", ENC), code


def exit_status(code: int, argv) -> dict:
    """The Status the kubelet writes on the error channel when a command ends."""
    if not code:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[{' '.join(argv)}], exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def exit_code_of(status: dict) -> int | None:
    """The exit code a client reads from that Status (None: success)."""
    if status.get("status") == "Success":
        return None
    for c in (status.get("details") or {}).get("causes") or ():
        if c.get("reason") == "ExitCode":
            try:
                return int(c.get("message"))
            except (TypeError, ValueError):
                break
    return None


# -- port-forward: one pod port's HTTP, answered by the image -----------------------------

class HttpExchange:
    """Bytes in from a forwarded connection, answers out: each complete HTTP/1.x request is
    handed to the image's handler for that port (in a write transaction: handlers log and keep
    state). `closed` once a request asked for it or nothing listens."""

    def __init__(self, cluster, ns: str, name: str, port: int):
        self.cluster, self.ns, self.name, self.port = cluster, ns, name, int(port)
        self.buf = b""
        self.closed = False

    def feed(self, data: bytes) -> bytes:
        self.buf += data
        out = b""
        while not self.closed:
            req = _split_request(self.buf)
            if req is None:
                break
            method, path, headers, body, rest = req
            self.buf = rest
            out += self._answer(method, path, headers, body)
            if headers.get("connection", "").lower() == "close":
                self.closed = True
        return out

    def listening(self) -> bool:
        from pykubectl.runtime import images
        with self.cluster.store.read() as t:
            pod = t.get("", "pods", self.ns, self.name)
        return pod is not None and images.http_handler(pod, None, self.port) is not None

    def _answer(self, method, path, headers, body) -> bytes:
        from pykubectl.controllers.manager import View
        from pykubectl.net.request import REASONS
        from pykubectl.runtime import images
        now = self.cluster.clock.now()
        with self.cluster.store.write() as t:
            view = View(t, self.cluster.apiserver)
            pod = view.get("pods", self.ns, self.name)
            h = None if pod is None else images.http_handler(pod, None, self.port, view=view, now=now)
            if h is None:
                self.closed = True
                return b""
            status, hdrs, text = h(method, path, headers, body.decode("utf-8", "replace"))
        self.cluster.engine.run()
        payload = text.encode()
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, '')}"]
        lines += [f"{k.title()}: {v}" for k, v in (hdrs or {}).items() if k.lower() != "content-length"]
        lines.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else payload)


def _split_request(buf: bytes):
    """(method, path, headers, body, rest) of the first complete request in buf, or None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    parts = head[0].split(" ")
    headers = {}
    for ln in head[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length") or 0) if (headers.get("content-length") or "0").isdigit() else 0
    if len(buf) < end + 4 + n:
        return None
    body = buf[end + 4:end + 4 + n]
    return (parts[0] if parts else "GET"), (parts[1] if len(parts) > 1 else "/"), headers, body, buf[end + 4 + n:]


# -- the HTTP edge -------------------------------------------------------------------------

def handle(ctx, req, ns: str, name: str, sub: str):
    """GET .../pods/NAME/{log,exec,attach,portforward}."""
    from urllib.parse import parse_qs
    from pykubectl.server.routes import Response
    q = parse_qs(req.query, keep_blank_values=True)   # `command` and `ports` repeat
    one = {k: v[-1] for k, v in q.items()}
    pod = ctx.server.get(ctx.server.resolve("pods"), ns, name)
    if sub == "log":
        return log_response(ctx, req, ns, pod, one)
    try:
        if sub in ("exec", "attach"):
            return remotecommand_response(ctx, req, ns, pod, sub, q, one)
        return portforward_response(ctx, req, ns, pod, q)
    except KubeletError as e:
        return Response(e.code, (e.text + "\n").encode(), "text/plain; charset=utf-8")


def _truthy(v) -> bool:
    return str(v).lower() in ("true", "1")


def _int(q, key, default=None):
    v = q.get(key)
    if v in (None, ""):
        return default
    try:
        return int(v)
    except ValueError:
        raise _bad(f'{key}: Invalid value: "{v}": must be an integer') from None


def log_response(ctx, req, ns, pod, q):
    from pykubectl.server.routes import Response
    container = log_container(pod, q.get("container", ""))
    since = None
    skew = ctx.skew()
    if q.get("sinceSeconds"):
        since = ctx.cluster.clock.now() - _int(q, "sinceSeconds")
    elif q.get("sinceTime"):
        from pykubectl.store.clock import parse_time
        t = parse_time(q["sinceTime"])
        if t is None:
            raise _bad(f'parsing time "{q["sinceTime"]}" as "2006-01-02T15:04:05Z07:00": cannot parse')
        since = t + skew
    chunks = follow_logs(ctx.cluster, ns, pod["metadata"]["name"], container,
                         follow=_truthy(q.get("follow", "")), tail=_int(q, "tailLines", -1),
                         since=since, timestamps=_truthy(q.get("timestamps", "")),
                         previous=_truthy(q.get("previous", "")), limit_bytes=_int(q, "limitBytes", 0),
                         shift=-skew)
    first = next(chunks)          # the kubelet's errors come before any byte is sent
    ctype = "text/plain"
    if not _truthy(q.get("follow", "")):
        return Response(200, "".join([first, *chunks]).encode(), ctype)

    def stream():
        yield first.encode()
        for text in chunks:
            yield text.encode()
    return Response(200, stream=stream(), content_type=ctype)


def _upgrade_response(req, protocols, run):
    """A 101 whose connection `run(conn)` then owns; a 400 Status when it is no upgrade."""
    from pykubectl.server import websocket as ws
    from pykubectl.server.routes import Response
    _refuse_spdy(req)
    try:
        headers, proto = ws.server_handshake(req.headers, protocols)
    except ValueError as e:
        raise _bad(str(e) if "negotiate" in str(e) else "Upgrade request required") from None

    def upgrade(rfile, wfile, sock):
        conn = ws.Conn(rfile, wfile, client=False, protocol=proto)
        conn.sock = sock
        try:
            run(conn)
        except (EOFError, OSError, ws.ProtocolError):
            return
        conn.close()
        _drain(conn)
    resp = Response(101, b"", headers=headers)
    resp.upgrade = upgrade
    return resp


def _refuse_spdy(req) -> None:
    """exec and attach are WebSocket only (kubectl v1.32 tries it first; its SPDY fallback is
    for old servers): say plainly that SPDY is not spoken for them rather than half-speak it."""
    if req.header("upgrade").lower().startswith("spdy") or \
            "spdy" in req.header("sec-websocket-protocol").lower():
        raise _bad("SPDY/3.1 streams are not served here; this server speaks WebSocket "
                   "(v5.channel.k8s.io, v4.channel.k8s.io, portforward.k8s.io) only")


def _drain(conn) -> None:
    """Wait (briefly) for the client's close frame, so it reads everything we sent."""
    from pykubectl.server import websocket as ws
    try:
        for _ in range(64):
            op, _p = conn.recv()
            if op == ws.CLOSE:
                return
    except (EOFError, OSError, ws.ProtocolError):
        return


def remotecommand_response(ctx, req, ns, pod, sub, q, one):
    from pykubectl.server import websocket as ws
    name = pod["metadata"]["name"]
    want = {k: _truthy(one.get(k, "")) for k in ("stdin", "stdout", "stderr", "tty")}
    if sub == "exec":
        argv = q.get("command") or []
        if not argv:
            raise _bad("you must specify at least one command for the container")
    else:
        argv = []
    if not (want["stdin"] or want["stdout"] or want["stderr"]):
        raise _bad("you must specify at least 1 of stdin, stdout, stderr")
    phase = (pod.get("status") or {}).get("phase")
    if sub == "attach" and phase in ("Succeeded", "Failed"):
        raise _bad(f"cannot attach a container in a completed pod; current phase is {phase}")
    container = check_exec(pod, one.get("container", ""))
    cluster = ctx.cluster
    tty = want["tty"]

    def write(conn, channel, data: bytes):
        if data:
            conn.send_channel(channel, data.replace(b"\n", b"\r\n") if tty else data)

    def run(conn):
        # as the kubelet: an empty frame on the lowest writable channel says "ready"
        first = ws.STDOUT if want["stdout"] else ws.STDERR if want["stderr"] else ws.ERROR
        conn.send_channel(first)
        if sub == "attach":
            code = _attach(conn, cluster, ns, name, container, want, write)
            status = exit_status(code, ["attach"]) if code else {"metadata": {}, "status": "Success"}
        elif tty and want["stdin"]:
            code = _interactive(conn, cluster, ns, name, container, argv)
            status = exit_status(code, argv)
        else:
            data = _read_stdin(conn) if want["stdin"] else b""
            out, err, code = run_in(cluster, ns, name, container, argv, data)
            # the shell keeps no interleaving: a complaint goes first, as tar's warning does
            if want["stderr"] or tty:
                write(conn, ws.STDOUT if tty else ws.STDERR, err)
            if want["stdout"]:
                write(conn, ws.STDOUT, out)
            status = exit_status(code, argv)
        conn.send_channel(ws.ERROR, json.dumps(status, separators=(",", ":")).encode())
    return _upgrade_response(req, ws.CHANNEL_PROTOCOLS, run)


def _read_stdin(conn) -> bytes:
    """Everything sent on stdin until v5's close of it (or the connection's end)."""
    from pykubectl.server import websocket as ws
    data = []
    while True:
        try:
            op, msg = conn.recv()
        except EOFError:
            break
        if op == ws.CLOSE:
            break
        if not msg:
            continue
        if msg[0] == ws.STDIN:
            data.append(msg[1:])
        elif msg[0] == ws.STREAM_CLOSE and msg[1:2] == bytes([ws.STDIN]):
            break
    return b"".join(data)


def _interactive(conn, cluster, ns, name, container, argv) -> int:
    """`exec -it ... sh`: a terminal echoing keys, each line run as `sh -c LINE`."""
    from pykubectl.server import websocket as ws
    shell = argv[0].rsplit("/", 1)[-1] if argv else "sh"
    if shell not in ("sh", "bash", "ash") or "-c" in argv:
        out, err, code = run_in(cluster, ns, name, container, argv)
        conn.send_channel(ws.STDOUT, (out + err).replace(b"\n", b"\r\n"))
        return code
    prompt = f"root@{name}:/# ".encode() if shell == "bash" else b"# "
    conn.send_channel(ws.STDOUT, prompt)
    line = b""
    code = 0
    while True:
        op, msg = conn.recv()
        if op == ws.CLOSE:
            return code
        if not msg or msg[0] != ws.STDIN:
            if msg[:2] == bytes([ws.STREAM_CLOSE, ws.STDIN]):
                return code
            continue
        for b in msg[1:]:
            ch = bytes([b])
            if ch in (b"\r", b"\n"):
                conn.send_channel(ws.STDOUT, b"\r\n")
                text = line.decode("utf-8", "replace").strip()
                line = b""
                if text == "exit" or text.startswith("exit "):
                    parts = text.split()
                    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else code
                if text:
                    out, err, code = run_in(cluster, ns, name, container, ["sh", "-c", text])
                    conn.send_channel(ws.STDOUT, (out + err).replace(b"\n", b"\r\n") or b"")
                conn.send_channel(ws.STDOUT, prompt)
            elif ch == b"\x04" and not line:       # ^D on an empty line
                return code
            elif ch in (b"\x7f", b"\x08"):
                if line:
                    line = line[:-1]
                    conn.send_channel(ws.STDOUT, b"\b \b")
            elif ch == b"\x03":                    # ^C drops the line
                line = b""
                conn.send_channel(ws.STDOUT, b"^C\r\n" + prompt)
            else:
                line += ch
                conn.send_channel(ws.STDOUT, ch)


def _attach(conn, cluster, ns, name, container, want, write) -> int:
    """What the container's process writes from now on, until it ends or the client leaves."""
    import select
    from pykubectl.server import websocket as ws
    def client_left():
        if conn.sock is None:
            return False
        try:
            r, _, _ = select.select([conn.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        if not r:
            return False
        try:
            op, msg = conn.recv()   # stdin or a resize while attached: not delivered
        except (EOFError, OSError, ws.ProtocolError):
            return True
        return op == ws.CLOSE
    for text in follow_logs(cluster, ns, name, container, follow=True, tail=0, until=client_left):
        write(conn, ws.STDOUT if want["stdout"] else ws.STDERR, text.encode())
    with cluster.store.read() as t:
        pod = t.get("", "pods", ns, name)
    term = ((_status_of(pod or {}, container) or {}).get("state") or {}).get("terminated") or {}
    return int(term.get("exitCode") or 0)


def portforward_response(ctx, req, ns, pod, q):
    from pykubectl.server import websocket as ws
    cluster = ctx.cluster
    name = pod["metadata"]["name"]
    if req.header("upgrade").lower().startswith("spdy/"):
        return _spdy_response(req, cluster, ns, name)
    offered = [p.strip() for p in req.header("sec-websocket-protocol").split(",")]
    if SPDY_TUNNEL in offered:
        return _spdy_tunnel_response(req, cluster, ns, name)
    ports = []
    for v in q.get("ports") or []:
        for p in v.split(","):
            try:
                ports.append(int(p))
            except ValueError:
                raise _bad(f'invalid port "{p}"') from None
    if not ports:
        raise _bad("query parameter \"port\" is required")

    def run(conn):
        import struct
        exchanges = {}
        for i, port in enumerate(ports):
            # each channel opens with its port, little-endian (the protocol's only framing)
            conn.send_channel(2 * i, struct.pack("<H", port))
            conn.send_channel(2 * i + 1, struct.pack("<H", port))
            exchanges[2 * i] = HttpExchange(cluster, ns, name, port)
        while True:
            op, msg = conn.recv()
            if op == ws.CLOSE:
                return
            if not msg or msg[0] not in exchanges:
                continue
            ex = exchanges[msg[0]]
            if not ex.listening():
                conn.send_channel(msg[0] + 1, _refused(ex.port, name).encode())
                continue
            out = ex.feed(msg[1:])
            if out:
                conn.send_channel(msg[0], out)
    return _upgrade_response(req, ws.PORTFORWARD_PROTOCOLS, run)


def _refused(port: int, name: str) -> str:
    """What the kubelet writes on a port's error stream when nothing listens there."""
    return (f"error forwarding port {port} to pod {name}, uid : failed to connect to "
            f"localhost:{port} inside namespace: connection refused")


# -- port-forward over SPDY/3.1: the real kubectl's protocol ------------------------------

PORTFORWARD_V1 = "portforward.k8s.io"
SPDY_TUNNEL = "SPDY/3.1+" + PORTFORWARD_V1   # SPDY inside WebSocket binary messages (1.31+)
IDLE_TIMEOUT = 4 * 3600                       # the kubelet's streaming-connection-idle-timeout


def _spdy_response(req, cluster, ns, name):
    """`Upgrade: SPDY/3.1`: the 101 as the kubelet's httpstream handshake writes it, then
    SPDY on the raw connection."""
    from pykubectl.server import websocket as ws
    from pykubectl.server.routes import Response
    offered = [p.strip() for p in req.header("x-stream-protocol-version").split(",") if p.strip()]
    if offered and PORTFORWARD_V1 not in offered:
        raise _bad(f"unable to upgrade: unable to negotiate protocol: client supports {offered}, "
                   f"server supports {[PORTFORWARD_V1]}")

    def upgrade(rfile, wfile, sock):
        def write(data):
            wfile.write(data)
            wfile.flush()
        try:
            _serve_spdy(sock, lambda n: ws._read_exact(rfile, n), write, cluster, ns, name)
        except OSError:   # the client went away mid-write
            return
    resp = Response(101, b"", headers=[("Connection", "Upgrade"), ("Upgrade", "SPDY/3.1"),
                                       ("X-Stream-Protocol-Version", PORTFORWARD_V1)])
    resp.upgrade = upgrade
    return resp


def _spdy_tunnel_response(req, cluster, ns, name):
    """SPDY/3.1 carried in WebSocket binary messages: the client may split a frame across
    messages or pack several in one, so the messages are one byte stream."""
    from pykubectl.server import websocket as ws
    from pykubectl.server.routes import Response
    try:
        headers, proto = ws.server_handshake(req.headers, (SPDY_TUNNEL,))
    except ValueError:
        raise _bad("Upgrade request required") from None

    def upgrade(rfile, wfile, sock):
        conn = ws.Conn(rfile, wfile, client=False, protocol=proto)
        conn.sock = sock
        buf = bytearray()
        peer_closed = []

        def read_exact(n):
            while len(buf) < n:
                op, msg = conn.recv()
                if op == ws.CLOSE:   # recv() has echoed it: nothing more to wait for
                    peer_closed.append(True)
                    raise EOFError("websocket closed")
                buf.extend(msg)
            out = bytes(buf[:n])
            del buf[:n]
            return out
        try:
            _serve_spdy(sock, read_exact, lambda data: conn.send(ws.BINARY, data), cluster, ns, name)
        except (OSError, ws.ProtocolError):
            return
        if not peer_closed:
            sock.settimeout(5)   # no longer idle-long: the close handshake is quick or never
            conn.close()
            _drain(conn)
    resp = Response(101, b"", headers=headers)
    resp.upgrade = upgrade
    return resp


def _serve_spdy(sock, read_exact, write, cluster, ns, name) -> None:
    """The kubelet's portforward.k8s.io over one SPDY session: per forwarded connection the
    client opens an error stream and a data stream (headers streamtype, port, requestid);
    data-stream bytes go to the image's handler for that port, its answers come back on the
    data stream; nothing listening is said on the error stream. Both end with a FIN."""
    from pykubectl.server import spdy
    try:
        sock.settimeout(IDLE_TIMEOUT)
    except (OSError, AttributeError):
        pass
    session = spdy.Session(read_exact, write)
    pairs: dict[str, dict] = {}          # requestid -> {"error": sid, "data": sid, "port": n}
    exchanges: dict[int, tuple] = {}     # data stream id -> (HttpExchange, its pair)

    def finish(pair):
        if pair.get("done"):
            return
        pair["done"] = True
        pairs.pop(pair["id"], None)      # the id may come again for a later connection
        exchanges.pop(pair["data"], None)
        session.data(pair["data"], fin=True)
        session.data(pair["error"], fin=True)

    try:
        while True:
            try:
                f = session.next_frame()
            except EOFError:
                return
            if f.kind == spdy.SYN_STREAM:
                kind, port = f.header("streamtype"), f.header("port")
                if kind not in ("error", "data") or not port.isdigit():
                    session.reset(f.stream_id, spdy.PROTOCOL_ERROR)
                    continue
                session.reply(f.stream_id)
                pair = pairs.setdefault(f.header("requestid"), {"id": f.header("requestid")})
                pair[kind], pair["port"] = f.stream_id, int(port)
                if "error" not in pair or "data" not in pair:
                    continue
                ex = HttpExchange(cluster, ns, name, pair["port"])
                if not ex.listening():
                    session.data(pair["error"], _refused(ex.port, name).encode())
                    finish(pair)
                    continue
                exchanges[pair["data"]] = (ex, pair)
            elif f.kind == spdy.DATA and f.stream_id in exchanges:
                ex, pair = exchanges[f.stream_id]
                out = ex.feed(f.data) if f.data else b""
                if out:
                    session.data(pair["data"], out)
                if ex.closed or f.fin:   # the answer is whole, or the client sends no more
                    finish(pair)
            elif f.kind == spdy.RST_STREAM:
                gone = exchanges.pop(f.stream_id, None)
                if gone:
                    gone[1]["done"] = True
                    pairs.pop(gone[1]["id"], None)
            elif f.kind == spdy.GOAWAY:
                return
    except spdy.ProtocolError:
        session.goaway(spdy.GOAWAY_PROTOCOL_ERROR)
