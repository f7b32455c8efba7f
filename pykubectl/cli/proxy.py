"""kubectl proxy: the cluster's API on a local HTTP port, behind kubectl's request filter.

For a local cluster the API is served in-process as the kubeconfig's admin (what the proxy's
forwarded requests would authenticate as). For any other context the requests are forwarded to
its server with the kubeconfig's credentials (client certificate, token, impersonation), as
kubectl's proxy does, responses streamed back as they come (watches). The filter is kubectl's
FilterServer: Go regexps, unanchored, comma-separated lists; a rejected request gets `403` and
the body `Forbidden`.
"""
from __future__ import annotations

import re
import sys
from http.server import ThreadingHTTPServer

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag
from pykubectl.server.http import NoDelayHandler

DEFAULT_ACCEPT_HOSTS = r"^localhost$,^127\.0\.0\.1$,^\[::1\]$"
DEFAULT_REJECT_PATHS = r"^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach"

USAGE = "kubectl proxy [--port=PORT] [--www=static-dir] [--www-prefix=prefix] [--api-prefix=prefix] [options]"
LONG = """Creates a proxy server or application-level gateway between localhost and the Kubernetes API server. It also allows serving static content over specified HTTP path. All incoming data enters through one port and gets forwarded to the remote Kubernetes API server port, except for the path matching the static content path."""
EXAMPLES = """  # To proxy all of the Kubernetes API and nothing else
  kubectl proxy --api-prefix=/
  
  # To proxy only part of the Kubernetes API and also some static files
  # You can get pods info with 'curl localhost:8001/api/v1/pods'
  kubectl proxy --www=/my/files --www-prefix=/static/ --api-prefix=/api/
  
  # To proxy the entire Kubernetes API at a different root
  # You can get pods info with 'curl localhost:8001/custom/api/v1/pods'
  kubectl proxy --api-prefix=/custom/
  
  # Run a proxy to the Kubernetes API server on port 8011, serving static content from ./local/www/
  kubectl proxy --port=8011 --www=./local/www/
  
  # Run a proxy to the Kubernetes API server on an arbitrary local port
  # The chosen port for the server will be output to stdout
  kubectl proxy --port=0
  
  # Run a proxy to the Kubernetes API server, changing the API prefix to k8s-api
  # This makes e.g. the pods API available at localhost:8001/k8s-api/v1/pods/
  kubectl proxy --api-prefix=/k8s-api
"""
FLAGS = [
    Flag("accept-hosts", default=DEFAULT_ACCEPT_HOSTS, help="Regular expression for hosts that the proxy should accept."),
    Flag("accept-paths", default="^.*", help="Regular expression for paths that the proxy should accept."),
    Flag("address", default="127.0.0.1", help="The IP address on which to serve on."),
    Flag("api-prefix", default="/", help="Prefix to serve the proxied API under."),
    Flag("append-server-path", kind="bool", help="If true, enables automatic path appending of the kube context server path to each request."),
    Flag("disable-filter", kind="bool", help="If true, disable request filtering in the proxy. This is dangerous, and can leave you vulnerable to XSRF attacks, when used with an accessible port."),
    Flag("keepalive", kind="duration", default="0s", help="keepalive specifies the keep-alive period for an active network connection. Set to 0 to disable keepalive."),
    Flag("port", "p", "int", default=8001, help="The port on which to run the proxy. Set to 0 to pick a random port."),
    Flag("reject-methods", default="^$", help="Regular expression for HTTP methods that the proxy should reject (example --reject-methods='POST,PUT,PATCH'). "),
    Flag("reject-paths", default=DEFAULT_REJECT_PATHS, help="Regular expression for paths that the proxy should reject. Paths specified here will be rejected even accepted by --accept-paths."),
    Flag("unix-socket", "u", help="Unix socket on which to run the proxy."),
    Flag("www", "w", help="Also serve static files from the given directory under the specified prefix."),
    Flag("www-prefix", "P", default="/static/", help="Prefix to serve static files under, if static file directory is specified."),
]

# an anchor or empty group directly quantified: valid in Go (RE2), "nothing to repeat" in Python
_QUANTIFIED_EMPTY = re.compile(r"(?<!\\)(\^|\$)(?=[*+?{])")


class RegexpError(Exception):
    pass


def go_regexp(expr: str) -> re.Pattern:
    """Compile a Go (RE2) regexp as Python's re, for the subset kubectl's filters use."""
    py = _QUANTIFIED_EMPTY.sub(lambda m: "(?:" + m.group(1) + ")", expr)
    try:
        return re.compile(py)
    except re.error as e:
        raise RegexpError(_go_error(expr, e))


def _go_error(expr: str, e: re.error) -> str:
    msg = str(e.msg)
    if "unterminated character set" in msg:
        return f"error parsing regexp: missing closing ]: `{expr[expr.index('['):] if '[' in expr else expr}`"
    if "missing )" in msg:
        return f"error parsing regexp: missing closing ): `{expr}`"
    if "unbalanced parenthesis" in msg:
        return f"error parsing regexp: unexpected ): `{expr}`"
    return f"error parsing regexp: {msg}: `{expr}`"


def regexp_list(value: str) -> list[re.Pattern]:
    """kubectl's MakeRegexpArray: comma-separated expressions."""
    return [go_regexp(x) for x in value.split(",")]


def _matches(s: str, regexps) -> bool:
    return any(r.search(s) for r in regexps)


class Filter:
    """kubectl's proxy.FilterServer.accept, plus the API prefix and static files."""

    def __init__(self, accept_paths, reject_paths, accept_hosts, reject_methods, *, disabled=False,
                 api_prefix="/", www=None, www_prefix="/static/"):
        self.accept_paths, self.reject_paths = accept_paths, reject_paths
        self.accept_hosts, self.reject_methods = accept_hosts, reject_methods
        self.disabled = disabled
        self.api_prefix = api_prefix if api_prefix.endswith("/") else api_prefix + "/"
        self.www, self.www_prefix = www, www_prefix if www_prefix.endswith("/") else www_prefix + "/"

    def accept(self, method: str, path: str, host: str) -> bool:
        if self.disabled:
            return True
        if _matches(path, self.reject_paths) or _matches(method, self.reject_methods):
            return False
        return _matches(path, self.accept_paths) and _matches(host, self.accept_hosts)

    def __call__(self, method: str, path: str, host_header: str):
        """A Response to send instead, or the API path to serve (a str)."""
        from pykubectl.server.routes import Response, not_found_page
        if self.www and path.startswith(self.www_prefix):
            return self._static(path[len(self.www_prefix):])
        if not self.accept(method, path, _split_host(host_header)):
            return Response(403, b"Forbidden\n", "text/plain; charset=utf-8",
                            [("X-Content-Type-Options", "nosniff")])
        if not path.startswith(self.api_prefix) and path + "/" != self.api_prefix:
            return not_found_page()
        return "/" + path[len(self.api_prefix):]

    def _static(self, rel: str):
        import mimetypes
        import os
        from pykubectl.server.routes import Response, not_found_page
        root = os.path.abspath(self.www)
        full = os.path.abspath(os.path.join(root, rel))
        if full != root and not full.startswith(root + os.sep):
            return not_found_page()
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        try:
            with open(full, "rb") as f:
                data = f.read()
        except OSError:
            return not_found_page()
        ctype = mimetypes.guess_type(full)[0] or "application/octet-stream"
        return Response(200, data, ctype)


def _split_host(host: str) -> str:
    # kubectl's extractHost: net.SplitHostPort's host, or the whole header when that fails
    if host.startswith("["):
        end = host.find("]")
        if end > 0 and host[end + 1:end + 2] == ":" and "]" not in host[end + 1:]:
            return host[1:end]
        return host
    if host.count(":") == 1:
        return host.split(":")[0]
    return host


def _fatal(msg: str):
    # kubectl exits through klog.Fatal here: an F-line on stderr, exit 255
    import os
    import time
    t = time.time()
    lt = time.gmtime(t)
    sys.stderr.write(f"F{lt.tm_mon:02d}{lt.tm_mday:02d} {time.strftime('%H:%M:%S', lt)}."
                     f"{int((t % 1) * 1e6):06d} {os.getpid():>7} proxy_server.go:83] {msg}\n")
    from pykubectl.cli.errors import Printed
    raise Printed(255)


def run(g, o, args):
    """Run a proxy to the Kubernetes API server."""
    if args:
        raise CLIError(f"unknown command {args[0]!r} for \"kubectl proxy\"")
    if o.unix_socket:
        raise CLIError("--unix-socket is not supported by pykubectl proxy")
    try:
        filt = Filter(regexp_list(o.accept_paths), regexp_list(o.reject_paths),
                      regexp_list(o.accept_hosts), regexp_list(o.reject_methods),
                      disabled=o.disable_filter, api_prefix=o.api_prefix or "/",
                      www=o.www or None, www_prefix=o.www_prefix)
    except RegexpError as e:
        _fatal(f"Error compiling re: {e}")
    from pykubectl.cli.context import client as make_client
    from pykubectl.server import http
    upstream = make_client(g)
    try:
        cluster = upstream.cluster
    except AttributeError:
        cluster = None   # a remote API server: forward to it, as kubectl proxy does
    try:
        if cluster is None:
            srv = ForwardingServer((o.address, o.port), upstream, filt)
        else:
            from pykubectl.apiserver.auth import User
            cfg = http.Config(cluster.name, g.env, identity=User("kubernetes-admin", ["kubeadm:cluster-admins"]),
                              request_filter=filt)
            cluster.close()
            srv = http.make_server(o.address, o.port, cfg)
    except OSError as e:
        why = (e.strerror or str(e)).lower()
        raise CLIError(f"listen tcp {o.address}:{o.port}: bind: {why}")
    host, port = srv.server_address[:2]
    sys.stdout.write(f"Starting to serve on {host}:{port}\n")
    sys.stdout.flush()
    from pykubectl.server.http import serve_until_stopped
    serve_until_stopped(srv)


# -- forwarding to a remote API server ------------------------------------------------------

# hop-by-hop headers (RFC 7230 6.1): never forwarded, in either direction
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authorization", "proxy-authenticate", "host", "content-length"}


class ForwardingHandler(NoDelayHandler):
    def log_message(self, format, *args):
        pass

    def _serve(self):
        from pykubectl.server.routes import Response
        srv = self.server
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        out = srv.request_filter(self.command, path, self.headers.get("Host") or "")
        if isinstance(out, Response):
            return self._reply(out.code, [("Content-Type", out.content_type), *out.headers], out.body)
        try:
            resp, conn = self._upstream(out + ("?" + query if query else ""), body)
        except Exception as e:   # as kubectl's responder: http.Error(w, err.Error(), 500)
            return self._reply(500, [("Content-Type", "text/plain; charset=utf-8"),
                                     ("X-Content-Type-Options", "nosniff")], f"{e}\n".encode())
        try:
            self._relay(resp)
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _upstream(self, path: str, body: bytes | None):
        up = self.server.upstream
        from pykubectl.client.http import CONNECT_TIMEOUT
        conn = up._connect(CONNECT_TIMEOUT)
        conn.putrequest(self.command, up.prefix + path, skip_host=False, skip_accept_encoding=True)
        sent = set()
        for k, v in self.headers.items():
            if k.lower() not in _HOP:
                conn.putheader(k, v)
                sent.add(k.lower())
        # the kubeconfig's credentials, unless the client brought its own (as client-go's
        # bearer round tripper leaves an Authorization header alone)
        for k, v in list(up.headers.items()) + up.impersonate:
            if k.lower() not in sent or k.lower().startswith("impersonate-"):
                conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        if conn.sock is not None:
            conn.sock.settimeout(None)   # a watch may stay quiet for long
        return conn.getresponse(), conn

    def _reply(self, code, headers, body: bytes):
        self.send_response_only(code)
        if not any(k.lower() == "date" for k, _ in headers):
            self.send_header("Date", self.date_time_string())
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _relay(self, resp):
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP]
        if resp.getheader("Content-Length") is not None or self.command == "HEAD" \
                or resp.status in (204, 304):
            return self._reply(resp.status, headers, resp.read())
        self.send_response_only(resp.status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            while True:
                chunk = resp.read1(1 << 16)
                if not chunk:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True


class ForwardingServer(ThreadingHTTPServer):
    """kubectl proxy's server for a remote context: filter, then forward with credentials."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, upstream, request_filter):
        self.upstream, self.request_filter = upstream, request_filter
        super().__init__(address, ForwardingHandler)

    def handle_error(self, request, client_address):
        pass   # a client that hung up is not worth a traceback
