"""The server loop: a threading HTTP/1.1 server on 127.0.0.1, TLS with the cluster's serving
certificate and optional client certificates (`cluster serve`), or plain HTTP for `proxy`.

Each connection opens its own `Cluster` (SQLite connections stay with their thread) and closes
it when the connection ends. TCP_NODELAY: without it every small response waits ~40 ms for
the client's delayed ACK.
"""
from __future__ import annotations

import itertools
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pykubectl.server.routes import Context, Request, Response, handle


MAX_BODY = 3 * 1024 * 1024   # kube-apiserver's default request body limit


class Config:
    """What every connection needs: the cluster to open, how to authenticate, an optional filter."""

    def __init__(self, cluster_name, env, *, tls=None, ca_pem=None, sa_pub=None, identity=None,
                 request_filter=None):
        self.cluster_name = cluster_name
        self.env = env
        self.tls = tls                  # an ssl.SSLContext, or None for plain HTTP
        self.ca_pem = ca_pem
        self.sa_pub = sa_pub
        self.identity = identity        # a fixed User (proxy: the kubeconfig's admin)
        self.request_filter = request_filter   # (method, path, host) -> Response | path to serve


def tls_context(cluster) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cluster.pki_path("apiserver.crt"), cluster.pki_path("apiserver.key"))
    ctx.load_verify_locations(cluster.pki_path("ca.crt"))
    ctx.verify_mode = ssl.CERT_OPTIONAL   # a client may instead bring a bearer token
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def cluster_config(cluster, env) -> Config:
    with open(cluster.pki_path("sa.pub")) as f:
        sa_pub = f.read()
    return Config(cluster.name, env, tls=tls_context(cluster), ca_pem=cluster.ca_pem(), sa_pub=sa_pub)


class NoDelayHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with TCP_NODELAY (without it each small answer waits ~40 ms for Nagle's
    algorithm) and a 300 s idle timeout; `wrap` may replace the socket (TLS) before use."""
    protocol_version = "HTTP/1.1"
    server_version = "pykubectl"
    sys_version = ""

    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request.settimeout(300)
        self.wrap()
        super().setup()

    def wrap(self):
        pass


class Handler(NoDelayHandler):
    def wrap(self):
        if self.server.config.tls is not None:
            self.request = self.server.config.tls.wrap_socket(self.request, server_side=True)

    def setup(self):
        super().setup()
        from pykubectl.sim.clusters import Cluster
        cfg = self.server.config
        self.ctx = Context(Cluster(cfg.cluster_name, cfg.env))
        self.ctx.streams = True

    def finish(self):
        try:
            super().finish()
        finally:
            ctx = getattr(self, "ctx", None)
            if ctx is not None:
                ctx.cluster.close()

    def send_response(self, code, message=None):
        # as Go's net/http: a status line and Date, no Server header
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def log_message(self, format, *args):   # quiet, as the apiserver is at -v=0
        pass

    def _user(self):
        cfg = self.server.config
        if cfg.identity is not None:
            return cfg.identity
        from datetime import datetime, timezone
        from pykubectl.apiserver import auth
        now = datetime.now(timezone.utc)   # certificates and tokens keep the real clock
        authz = self.headers.get("Authorization") or ""
        if authz[:7].lower() == "bearer ":
            return auth.from_token(cfg.sa_pub, authz[7:].strip(), now, self._sa_uid)
        if isinstance(self.connection, ssl.SSLSocket):
            der = self.connection.getpeercert(binary_form=True)
            if der:
                return auth.from_certificate(cfg.ca_pem, der, now)
        return None

    def _sa_uid(self, ns, name):
        with self.ctx.cluster.store.read() as t:
            sa = t.get("", "serviceaccounts", ns, name)
        return None if sa is None else sa["metadata"].get("uid")

    def _serve(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            # as kube-apiserver's MaxRequestBodyBytes: refused, never decoded
            from pykubectl.api.errors import StatusError
            from pykubectl.server.routes import status_response
            self.close_connection = True
            left = min(length, 64 * MAX_BODY)   # drain (bounded) so the client reads our answer
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
            self._send(status_response(StatusError(413, "RequestEntityTooLarge",
                                                   f"Request entity too large: limit is {MAX_BODY}")))
            return
        body = self.rfile.read(length) if length else b""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = self._read_chunked()   # kubectl streams `--raw -f FILE` bodies
            if body is None:
                from pykubectl.api.errors import StatusError
                from pykubectl.server.routes import status_response
                self.close_connection = True
                self._send(status_response(StatusError(413, "RequestEntityTooLarge",
                                                       f"Request entity too large: limit is {MAX_BODY}")))
                return
        cfg = self.server.config
        resp = None
        if cfg.request_filter is not None:
            resp = cfg.request_filter(self.command, path, self.headers.get("Host") or "")
            if isinstance(resp, str):   # the filter let it through, maybe under another path
                path, resp = resp, None
        if resp is None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["impersonate-group*"] = self.headers.get_all("Impersonate-Group") or []
            try:
                req = Request(self.command, path, query, headers, body, self._user())
                resp = handle(self.ctx, req)
            except Exception as e:   # never a traceback to the client: a 500 Status instead
                from pykubectl.api.errors import StatusError
                from pykubectl.server.routes import status_response
                resp = status_response(StatusError(500, "InternalError",
                                                   f"Internal error occurred: {type(e).__name__}: {e}"))
        self._send(resp)

    def _read_chunked(self) -> bytes | None:
        """A chunked request body (None past MAX_BODY); trailers are read and dropped."""
        parts, size = [], 0
        while True:
            line = self.rfile.readline(1024)
            try:
                n = int(line.split(b";", 1)[0].strip() or b"0", 16)
            except ValueError:   # not chunked after all: what came so far, and no reuse
                self.close_connection = True
                return b"".join(parts)
            if n == 0:
                while self.rfile.readline(1024).strip():
                    pass
                return b"".join(parts)
            size += n
            if size > MAX_BODY:
                return None
            parts.append(self.rfile.read(n))
            self.rfile.readline(1024)   # the CRLF after each chunk

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _send(self, resp: Response):
        if resp.upgrade is not None:   # a WebSocket: the 101, then the connection is its own
            self.send_response(resp.code)
            for k, v in resp.headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.flush()
            self.close_connection = True
            resp.upgrade(self.rfile, self.wfile, self.connection)
            return
        self.send_response(resp.code)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in resp.headers:
            self.send_header(k, v)
        if resp.stream is None:
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
            return
        try:
            if getattr(resp.stream, "short_is_whole", False):
                # a list that fits in its first chunk goes with a Content-Length, as before
                # lists were streamed (a client reads it in one piece)
                it = iter(resp.stream)
                first = next(it, b"")
                second = next(it, None)
                if second is None:
                    self.send_header("Content-Length", str(len(first)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(first)
                    return
                resp.stream = _Chained((first, second), it, resp.stream)
            self._send_chunked(resp)
        finally:
            close = getattr(resp.stream, "close", None)
            if close is not None:   # a list's read snapshot ends here, sent or not
                close()

    def _send_chunked(self, resp: Response):
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            for chunk in resp.stream:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    # idle: probe the peer without sending anything it would see
                    if _peer_closed(self.connection):
                        return
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        except Exception as e:
            from pykubectl.api.errors import StatusError
            from pykubectl.server.routes import dumps
            st = e.status() if isinstance(e, StatusError) else \
                StatusError(500, "InternalError", f"Internal error occurred: {e}").status()
            chunk = dumps({"type": "ERROR", "object": st}) + b"\n"
            try:
                self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
            except OSError:
                pass
            self.close_connection = True


class _Chained:
    """Chunks already read, then the rest of a stream; closing closes the stream."""

    def __init__(self, head, rest, stream):
        self._it = itertools.chain(head, rest)
        self.close = stream.close

    def __iter__(self):
        return self._it


def _peer_closed(sock) -> bool:
    """During a watch a client sends nothing: anything readable (a FIN, a TLS close_notify)
    means it went away."""
    import select
    try:
        r, _, _ = select.select([sock], [], [], 0)
        return bool(r)
    except (OSError, ValueError):
        return True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default listen backlog is 5: a 6th client connecting at the same moment
    # has its SYN dropped and the kernel retries it only after 1 s (16 clients starting at
    # once took ~1 s to connect, GET fell from ~900 to ~130 req/s). Go listens with somaxconn.
    request_queue_size = 4096

    def __init__(self, address, config: Config):
        self.config = config
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        pass   # a client that hung up mid-handshake is not worth a traceback


def make_server(host: str, port: int, config: Config) -> Server:
    return Server((host, port), config)


def serve_in_thread(server: Server) -> threading.Thread:
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    t.start()
    return t


def serve_until_stopped(srv) -> None:
    """Serve until Ctrl-C or SIGTERM (both end it the same way), then close the socket."""
    import signal

    def _interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
