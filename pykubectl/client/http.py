"""The Client interface over REST, for any API server (ours through `cluster serve`, or a real
one): the kubeconfig's credentials, JSON bodies, watch as a stream of JSON lines, Status errors
as StatusError, and the kinds from the server's discovery (cached on disk as kubectl does)."""
from __future__ import annotations

import json
import os

from pykubectl.api.errors import StatusError
from pykubectl.cli.errors import CLIError
from pykubectl.client.base import Client

JSON = "application/json"
AGGREGATED = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json")
DISCOVERY_TTL = 6 * 3600     # kubectl's disk cache keeps discovery for six hours
CONNECT_TIMEOUT = 5.0        # an unreachable server answers quickly, not after 30 s
USER_AGENT = "pykubectl/v1.32.4"
PATCH_TYPES = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
               "strategic": "application/strategic-merge-patch+json",
               "apply": "application/apply-patch+yaml"}
# client-go's wording for error responses that carry no Status (newUnstructuredResponseError)
_NO_STATUS = {400: ("BadRequest", "the server rejected our request for an unknown reason"),
              401: ("Unauthorized", "the server has asked for the client to provide credentials"),
              403: ("Forbidden", "the server does not allow access to the requested resource"),
              404: ("NotFound", "the server could not find the requested resource"),
              405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
              409: ("Conflict", "the server reported a conflict"),
              422: ("Invalid", "the server rejected our request due to an error in our request"),
              429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
              503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
              504: ("Timeout", "the server was unable to return a response in the time allotted, "
                           "but may still be processing the request")}


class Unreachable(CLIError):
    """No answer from the server: kubectl prints these lines without the `error: ` prefix."""

    prefix = ""


class HttpClient(Client):
    def __init__(self, server: str, namespace: str = "default", *, ca_data: bytes | None = None,
                 insecure: bool = False, tls_server_name: str | None = None,
                 cert_pem: bytes | None = None, key_pem: bytes | None = None,
                 token: str | None = None, basic: tuple[str, str] | None = None,
                 as_user: str | None = None, as_groups=(), timeout: float | None = None,
                 cache_dir: str | None = None, clock=None):
        from urllib.parse import urlsplit
        u = urlsplit(server if "://" in server else "https://" + server)
        self.scheme = u.scheme or "https"
        self.host = u.hostname or "localhost"
        self.port = u.port or (443 if self.scheme == "https" else 80)
        self.prefix = u.path.rstrip("/")
        self.namespace = namespace or "default"
        self.timeout = timeout
        self.cache_dir = cache_dir
        self._clock = clock
        self._tls = (ca_data, insecure, tls_server_name, cert_pem, key_pem)
        self._ssl = None
        self._conn = None
        self._registry = None
        self._fresh = False   # the registry came from the server during this command
        self.headers = {"User-Agent": USER_AGENT}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif basic:
            import base64
            self.headers["Authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
        self.impersonate = [("Impersonate-User", as_user)] if as_user else []
        self.impersonate += [("Impersonate-Group", grp) for grp in as_groups or ()]

    # -- transport ----------------------------------------------------------------------
    def _ssl_context(self):
        if self._ssl is None:
            import ssl
            ca_data, insecure, _name, cert_pem, key_pem = self._tls
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if insecure:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            elif ca_data:
                ctx.load_verify_locations(cadata=ca_data.decode())
            else:
                ctx.load_default_certs()
            if cert_pem and key_pem:
                _load_cert_chain(ctx, cert_pem, key_pem)
            self._ssl = ctx
        return self._ssl

    def _connect(self, timeout):
        import http.client
        if self.scheme == "https":
            name = self._tls[2]
            cls = _named_connection(name) if name else http.client.HTTPSConnection
            return cls(self.host, self.port, timeout=timeout, context=self._ssl_context())
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def _unreachable(self, e: BaseException) -> Unreachable:
        import socket
        import ssl
        addr = f"{self.host}:{self.port}"
        if isinstance(e, ConnectionRefusedError):
            return Unreachable(f"The connection to the server {addr} was refused - "
                               "did you specify the right host or port?")
        if isinstance(e, (socket.timeout, TimeoutError)):
            return Unreachable(f"Unable to connect to the server: dial tcp {addr}: i/o timeout")
        if isinstance(e, ssl.SSLCertVerificationError):
            why = "x509: certificate signed by unknown authority" \
                if "unable to get local issuer" in str(e) or "self-signed" in str(e) \
                else f"x509: {e.verify_message}"
            return Unreachable(f"Unable to connect to the server: tls: failed to verify certificate: {why}")
        if isinstance(e, socket.gaierror):
            return Unreachable(f"Unable to connect to the server: dial tcp: lookup {self.host}: no such host")
        return Unreachable(f"Unable to connect to the server: {e}")

    def _send(self, method, path, query=None, body=None, ctype=None, accept=JSON, stream=False,
              timeout=None):
        """The response object of one request (status not checked); transport errors become
        kubectl's connection messages."""
        import http.client
        from urllib.parse import urlencode
        url = self.prefix + path
        if query:
            url += "?" + urlencode([(k, v) for k, v in query.items() if v not in (None, "")])
        headers = dict(self.headers, Accept=accept)
        if body is not None:
            headers["Content-Type"] = ctype or JSON
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        for attempt in (0, 1):
            conn = self._conn if not stream else None
            reused = conn is not None
            if conn is None:
                conn = self._connect(CONNECT_TIMEOUT)
            try:
                conn.putrequest(method, url, skip_accept_encoding=True)
                for k, v in list(headers.items()) + self.impersonate:
                    conn.putheader(k, v)
                if data is not None:
                    conn.putheader("Content-Length", str(len(data)))
                conn.endheaders(data)
                if conn.sock is not None:
                    # connected: now wait as long as the request may take
                    conn.sock.settimeout(timeout if timeout is not None else self.timeout)
                resp = conn.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                conn.close()
                self._conn = None
                if reused and attempt == 0:
                    continue   # a kept-alive connection the server closed meanwhile
                raise self._unreachable(e) from None
            except OSError as e:
                conn.close()
                self._conn = None
                raise self._unreachable(e) from None
            if not stream:
                self._conn = conn
            return resp
        raise AssertionError("unreachable")

    def _call(self, method, path, query=None, body=None, ctype=None, accept=JSON):
        """(decoded JSON body, warnings) of a successful request; a StatusError otherwise."""
        resp = self._send(method, path, query, body, ctype, accept)
        raw = resp.read()
        warnings = _warnings(resp.headers.get_all("Warning") or [])
        if resp.status >= 300:
            raise _error(resp.status, raw)
        try:
            return (json.loads(raw) if raw else {}), warnings
        except ValueError:
            raise StatusError(500, "InternalError",
                              f"the server returned a body that is not JSON: {raw[:80]!r}") from None

    # -- paths --------------------------------------------------------------------------
    def _path(self, kind, ns=None, name=None, sub=None) -> str:
        p = f"/apis/{kind.group}/{kind.version}" if kind.group else f"/api/{kind.version}"
        if kind.namespaced and ns:
            p += f"/namespaces/{_seg(ns)}"
        p += f"/{kind.plural}"
        if name is not None:
            p += f"/{_seg(name)}"
            if sub:
                p += f"/{sub}"
        return p

    def _ns(self, kind, ns, obj=None):
        if not kind.namespaced:
            return None
        return ns or ((obj or {}).get("metadata") or {}).get("namespace") or self.namespace

    # -- discovery ----------------------------------------------------------------------
    def registry(self):
        if self._registry is None:
            docs = self._cached_discovery()
            if docs is None:
                docs = self._fetch_discovery()
            self._registry = registry_from_discovery(docs)
        return self._registry

    registry_with_crds = registry

    def _cache_path(self) -> str | None:
        if not self.cache_dir:
            return None
        return os.path.join(self.cache_dir, f"{self.host}_{self.port}", "servergroups.json")

    def _cached_discovery(self):
        path = self._cache_path()
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            if self._now_wall() - float(data["fetched"]) < DISCOVERY_TTL:
                return data["docs"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def _fetch_discovery(self) -> list[dict]:
        docs = []
        for root in ("/api", "/apis"):
            resp = self._send("GET", root, accept=AGGREGATED)
            raw = resp.read()
            if resp.status >= 300:
                raise _error(resp.status, raw)
            doc = json.loads(raw)
            if doc.get("kind") != "APIGroupDiscoveryList":
                doc = self._legacy_discovery(root, doc)
            docs.append(doc)
        self._fresh = True
        path = self._cache_path()
        if path:
            from pykubectl.kubeconfig import write_private
            write_private(path, json.dumps({"fetched": self._now_wall(), "docs": docs}))
        return docs

    def _legacy_discovery(self, root, doc) -> dict:
        """An aggregated list built from the per-version documents (servers before v1.26)."""
        if root == "/api":
            groups = [("", [{"version": v} for v in doc.get("versions") or ()])]
        else:
            groups = [(g["name"], [{"version": v["version"]} for v in g.get("versions") or ()])
                      for g in doc.get("groups") or ()]
        items = []
        for group, versions in groups:
            vs = []
            for v in versions:
                lst, _w = self._call("GET", f"/api/{v['version']}" if not group else f"/apis/{group}/{v['version']}")
                res, subs = [], {}
                for r in lst.get("resources") or ():
                    base, _, sub = r["name"].partition("/")
                    if sub:
                        subs.setdefault(base, []).append({"subresource": sub})
                        continue
                    res.append({"resource": base, "responseKind": {"kind": r.get("kind", "")},
                                "scope": "Namespaced" if r.get("namespaced") else "Cluster",
                                "singularResource": r.get("singularName") or r.get("kind", "").lower(),
                                "verbs": r.get("verbs") or [], "shortNames": r.get("shortNames") or [],
                                "categories": r.get("categories") or []})
                for r in res:
                    r["subresources"] = subs.get(r["resource"], [])
                vs.append({"version": v["version"], "resources": res})
            items.append({"metadata": {"name": group}, "versions": vs})
        return {"kind": "APIGroupDiscoveryList", "items": items}

    def _refresh(self) -> bool:
        """Fetch discovery again unless this command already did (a type may be new: a CRD)."""
        if self._fresh:
            return False
        self._registry = registry_from_discovery(self._fetch_discovery())
        return True

    def resolve(self, arg):
        from pykubectl.api.kinds import UnknownResource
        try:
            return self.registry().resolve(arg)
        except UnknownResource:
            if not self._refresh():
                raise
            return self._registry.resolve(arg)

    def for_gvk(self, api_version, kind):
        from pykubectl.api.kinds import NoKindMatch
        try:
            found = self.registry().for_gvk(api_version, kind)
        except NoKindMatch:
            if not self._refresh():
                raise
            found = self._registry.for_gvk(api_version, kind)
        # a manifest is sent to its own version's endpoints (kubectl's REST mapping), which the
        # server converts: an autoscaling/v1 HPA is not a valid autoscaling/v2 body
        version = api_version.rpartition("/")[2]
        if version == found.version:
            return found
        from pykubectl.api.kinds import Kind
        return Kind(found.group, version, found.kind, found.plural, found.singular, found.namespaced,
                    found.short_names, found.categories, found.verbs, found.subresources,
                    found.versions, found.crd)

    def schema_for(self, kind):
        """The official definitions stand for the server's OpenAPI for built-in kinds."""
        if kind.crd:
            return None
        from pykubectl.api import schema
        return schema.kind_schema(kind.group, kind.version, kind.kind)

    @property
    def server(self):
        # verbs that ask the local apiserver for its registry or schemas get them from here
        return self

    # -- time ---------------------------------------------------------------------------
    def _now_wall(self) -> float:
        if self._clock is not None:
            return self._clock()
        import time
        return time.time()

    def now(self):
        # the server shifts its timestamps to our wall clock (a real one is on it)
        return self._now_wall()

    # -- reads --------------------------------------------------------------------------
    def get(self, kind, ns, name):
        return self._call("GET", self._path(kind, self._ns(kind, ns), name))[0]

    def list(self, kind, ns=None, label_selector=None, field_selector=None):
        q = {"labelSelector": label_selector, "fieldSelector": field_selector}
        return self._call("GET", self._path(kind, ns if kind.namespaced else None), q)[0]

    def watch(self, kind, ns=None, since=None, label_selector=None, field_selector=None, timeout=None):
        """(type, object) for each change after resourceVersion `since` (now when None)."""
        ns = ns if kind.namespaced else None
        if since is None:
            since = self._call("GET", self._path(kind, ns), {"limit": "1"})[0]["metadata"].get("resourceVersion")
        q = {"watch": "true", "resourceVersion": since, "allowWatchBookmarks": "false",
             "labelSelector": label_selector, "fieldSelector": field_selector}
        if timeout is not None:
            q["timeoutSeconds"] = str(max(1, int(timeout)))
        resp = self._send("GET", self._path(kind, ns), q, stream=True,
                          timeout=None if timeout is None else timeout + 5)
        if resp.status >= 300:
            raise _error(resp.status, resp.read())
        return _events(resp)

    # -- writes -------------------------------------------------------------------------
    @staticmethod
    def _write_query(dry_run=False, field_validation=None, field_manager="", force=False):
        q = {}
        if dry_run:
            q["dryRun"] = "All"
        if field_manager:
            q["fieldManager"] = field_manager
        if field_validation:
            q["fieldValidation"] = field_validation
        if force:
            q["force"] = "true"
        return q

    def create(self, kind, obj, ns=None, *, dry_run=False, field_validation="Strict",
               field_manager="", duplicates=(), subresource=None):
        ns = self._ns(kind, ns, obj)
        q = self._write_query(dry_run, field_validation, field_manager)
        if subresource:
            name = obj.get("metadata", {}).get("name")
            return self._call("POST", self._path(kind, ns, name, subresource), q, obj)
        return self._call("POST", self._path(kind, ns), q, obj)

    _REVIEW_KINDS = {"selfsubjectreviews": ("authentication.k8s.io", "SelfSubjectReview"),
                     "selfsubjectrulesreviews": ("authorization.k8s.io", "SelfSubjectRulesReview"),
                     "selfsubjectaccessreviews": ("authorization.k8s.io", "SelfSubjectAccessReview")}

    def review(self, plural: str, spec: dict, ns: str = "") -> dict:
        """A Self*Review's status from the server (POST, as kubectl's auth verbs do)."""
        group, kind = self._REVIEW_KINDS[plural]
        body = {"kind": kind, "apiVersion": f"{group}/v1", "metadata": {}, "spec": spec}
        out, _ = self._call("POST", f"/apis/{group}/v1/{plural}", None, body)
        return out.get("status") or {}

    def update(self, kind, obj, ns=None, *, subresource=None, dry_run=False,
               field_validation="Strict", field_manager="", duplicates=()):
        ns = self._ns(kind, ns, obj)
        name = (obj.get("metadata") or {}).get("name", "")
        q = self._write_query(dry_run, field_validation, field_manager)
        return self._call("PUT", self._path(kind, ns, name, subresource), q, obj)

    def patch(self, kind, ns, name, patch_type, body, *, subresource=None, dry_run=False,
              field_manager="", force=False, field_validation="Strict"):
        ns = self._ns(kind, ns)
        q = self._write_query(dry_run, field_validation, field_manager, force and patch_type == "apply")
        return self._call("PATCH", self._path(kind, ns, name, subresource), q, body,
                          ctype=PATCH_TYPES[patch_type])

    def delete(self, kind, ns, name, *, grace_period=None, propagation=None, dry_run=False,
               preconditions=None):
        opts = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if grace_period is not None:
            opts["gracePeriodSeconds"] = grace_period
        if propagation:
            opts["propagationPolicy"] = propagation
        if dry_run:
            opts["dryRun"] = ["All"]
        if preconditions:
            opts["preconditions"] = preconditions
        return self._call("DELETE", self._path(kind, self._ns(kind, ns), name), None, opts)[0]


    # -- streams: pods/log over HTTP, exec/attach/portforward over WebSocket --------------
    def logs(self, ns, pod, container, *, follow=False, tail=-1, since_seconds=None,
             since_time=None, timestamps=False, previous=False, limit_bytes=0):
        q = {"container": container, "follow": "true" if follow else None,
             "tailLines": str(tail) if tail >= 0 else None,
             "sinceSeconds": None if since_seconds is None else str(int(since_seconds)),
             "sinceTime": since_time, "timestamps": "true" if timestamps else None,
             "previous": "true" if previous else None,
             "limitBytes": str(limit_bytes) if limit_bytes > 0 else None}
        resp = self._send("GET", self._path(self.resolve("pods"), ns, pod, "log"), q, accept="*/*",
                          stream=True, timeout=None if follow else self.timeout)
        if resp.status >= 300:
            raise _error(resp.status, resp.read())
        return _text_chunks(resp)

    def _websocket(self, ns, pod, sub, query, protocols):
        """A WebSocket Conn to pods/NAME/SUB; a refused upgrade raises what kubectl prints."""
        from urllib.parse import urlencode
        from pykubectl.server import websocket as ws
        conn = self._connect(CONNECT_TIMEOUT)
        try:
            conn.connect()
        except OSError as e:
            raise self._unreachable(e) from None
        sock = conn.sock
        sock.settimeout(None)
        url = self.prefix + self._path(self.resolve("pods"), ns, pod, sub) + "?" + urlencode(query)
        data, key = ws.client_request(f"{self.host}:{self.port}", url, protocols,
                                      list(self.headers.items()) + self.impersonate)
        sock.sendall(data)
        rfile = sock.makefile("rb")
        status = rfile.readline().decode("latin-1").split(" ", 2)
        headers = {}
        while True:
            line = rfile.readline().decode("latin-1").strip()
            if not line:
                break
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        code = int(status[1]) if len(status) > 1 and status[1].isdigit() else 0
        if code != 101:
            n = int(headers.get("content-length") or 0)
            body = rfile.read(n) if n else b""
            sock.close()
            if body.lstrip().startswith(b"{"):
                raise _error(code, body)
            # the kubelet refuses in plain text
            raise CLIError("unable to upgrade connection: " + body.decode(errors="replace").strip())
        if headers.get("sec-websocket-accept") != ws.accept_key(key):
            sock.close()
            raise CLIError("unable to upgrade connection: bad Sec-WebSocket-Accept")
        return ws.Conn(rfile, sock.makefile("wb"), client=True,
                       protocol=headers.get("sec-websocket-protocol", ""))

    def exec(self, ns, pod, container, argv, stdin=None, tty=False):
        from pykubectl.server import streams, websocket as ws
        q = [("command", a) for a in argv] + ([("container", container)] if container else [])
        q += [("stdin", "true")] if stdin is not None else []
        q += [("stdout", "true")] + ([("tty", "true")] if tty else [("stderr", "true")])
        # stdin needs v5's close-stdin message: without it the command would wait forever
        conn = self._websocket(ns, pod, "exec", q, ws.CHANNEL_PROTOCOLS[:1] if stdin is not None
                               else ws.CHANNEL_PROTOCOLS)
        if stdin is not None:
            for i in range(0, len(stdin), 1 << 16):
                conn.send_channel(ws.STDIN, stdin[i:i + (1 << 16)])
            conn.send(ws.BINARY, bytes([ws.STREAM_CLOSE, ws.STDIN]))
        out, err, status = _demux(conn)
        st = json.loads(status) if status.strip() else {"status": "Success"}
        code = streams.exit_code_of(st)
        if code is None and st.get("status") != "Success":
            raise StatusError.from_status(st)
        return out, err, code or 0

    def attach(self, ns, pod, container):
        from pykubectl.server import websocket as ws
        q = ([("container", container)] if container else []) + [("stdout", "true"), ("stderr", "true")]
        conn = self._websocket(ns, pod, "attach", q, ws.CHANNEL_PROTOCOLS)
        return _demux_text(conn)

    def portforward(self, ns, pod, port):
        from pykubectl.server import websocket as ws
        conn = self._websocket(ns, pod, "portforward", [("ports", str(port))], ws.PORTFORWARD_PROTOCOLS)
        return HttpTunnel(conn)


# -- helpers ---------------------------------------------------------------------------

def _seg(s: str) -> str:
    from urllib.parse import quote
    return quote(s, safe="")


def _warnings(values) -> list[str]:
    """The text of `Warning: 299 - "text"` headers (RFC 7234), as kubectl prints them."""
    out = []
    for v in values:
        v = v.strip()
        parts = v.split(" ", 2)
        if len(parts) == 3 and parts[2].startswith('"'):
            text = parts[2]
            end = text.rfind('"')
            out.append(text[1:end].replace('\\"', '"').replace("\\\\", "\\"))
        else:
            out.append(v)
    return out


def _error(code: int, raw: bytes) -> StatusError:
    try:
        st = json.loads(raw)
    except ValueError:
        st = None
    if isinstance(st, dict) and st.get("kind") == "Status":
        return StatusError.from_status(st)
    if code in _NO_STATUS:
        return StatusError(code, *_NO_STATUS[code])
    if code == 500:
        body = json.dumps(raw.decode(errors="replace").strip(), ensure_ascii=False)
        return StatusError(code, "InternalError",
                           f"an error on the server ({body}) has prevented the request from succeeding")
    return StatusError(code, "", f"the server responded with the status code {code} "
                                 "but did not return more information")


def _events(resp):
    """Decode a watch stream: one JSON event per line; an ERROR event raises its Status."""
    import socket
    try:
        while True:
            try:
                line = resp.readline()
            except (socket.timeout, TimeoutError, OSError):
                return
            if not line:
                return
            line = line.strip()
            if not line:
                continue
            ev = json.loads(line)
            if ev.get("type") == "ERROR":
                raise StatusError.from_status(ev.get("object") or {})
            if ev.get("type") == "BOOKMARK":
                continue
            yield ev.get("type"), ev.get("object")
    finally:
        resp.close()


def registry_from_discovery(docs: list[dict]):
    """A kinds Registry from the APIGroupDiscoveryList documents of /api and /apis; the first
    version listed for a group is its preferred one."""
    from pykubectl.api.kinds import BUILTIN, Kind, Registry
    builtin = {(k.group, k.plural) for k in BUILTIN}
    found: dict = {}
    for doc in docs:
        for item in doc.get("items") or ():
            group = (item.get("metadata") or {}).get("name", "")
            for v in item.get("versions") or ():
                for r in v.get("resources") or ():
                    key = (group, r["resource"])
                    if key in found:
                        found[key]["versions"].append(v["version"])
                        continue
                    found[key] = {"r": r, "version": v["version"], "versions": [v["version"]]}
    kinds = []
    for (group, plural), e in found.items():
        r = e["r"]
        kinds.append(Kind(group=group, version=e["version"], kind=(r.get("responseKind") or {}).get("kind", ""),
                          plural=plural, singular=r.get("singularResource") or plural,
                          namespaced=r.get("scope") == "Namespaced",
                          short_names=tuple(r.get("shortNames") or ()),
                          categories=tuple(r.get("categories") or ()), verbs=tuple(r.get("verbs") or ()),
                          subresources=tuple(s["subresource"] for s in r.get("subresources") or ()),
                          versions=tuple(e["versions"]), crd=(group, plural) not in builtin))
    return Registry(kinds)


def _load_cert_chain(ctx, cert_pem: bytes, key_pem: bytes):
    """ssl wants files: write the pair to a private temporary file just long enough to load it."""
    import tempfile
    fd, path = tempfile.mkstemp(prefix="pykubectl-cert-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(cert_pem.rstrip(b"\n") + b"\n" + key_pem)
        ctx.load_cert_chain(path)
    finally:
        os.unlink(path)


def _named_connection(name: str):
    """An HTTPS connection whose TLS handshake names `name` (kubeconfig tls-server-name): the
    certificate is checked against it, while the socket goes to the URL's host."""
    import http.client

    class Named(http.client.HTTPSConnection):
        def connect(self):
            http.client.HTTPConnection.connect(self)
            self.sock = self._context.wrap_socket(self.sock, server_hostname=name)
    return Named


def from_kubeconfig(cluster: dict, user: dict, g, namespace: str, cache_dir: str | None) -> HttpClient:
    """An HttpClient for a kubeconfig cluster and user entry, with the global flags' overrides
    (--server, --token, --insecure-skip-tls-verify, --as, --as-group, --request-timeout)."""
    import base64

    def data(entry, key, file_key):
        if entry.get(key):
            try:
                return base64.b64decode(entry[key])
            except ValueError:
                raise CLIError(f"illegal base64 data in {key}") from None
        if entry.get(file_key):
            try:
                with open(entry[file_key], "rb") as f:
                    return f.read()
            except OSError as e:
                raise CLIError(f"unable to read {file_key} {entry[file_key]} for {e.strerror.lower()}") from None
        return None

    user = user or {}
    server = g.server or cluster.get("server") or ""
    if not server:
        raise CLIError("no server found for cluster")
    insecure = bool(g.insecure or cluster.get("insecure-skip-tls-verify"))
    token = g.token or user.get("token")
    if not token and user.get("tokenFile"):
        try:
            with open(user["tokenFile"], encoding="utf-8") as f:
                token = f.read().strip()
        except OSError:
            token = None
    basic = (user["username"], user.get("password", "")) if user.get("username") else None
    cert_pem = data(user, "client-certificate-data", "client-certificate")
    key_pem = data(user, "client-key-data", "client-key")
    if user.get("exec") and not token and not cert_pem:
        token, cert_pem, key_pem = exec_credential(user["exec"], g.env)
    return HttpClient(
        server, namespace,
        ca_data=None if insecure else data(cluster, "certificate-authority-data", "certificate-authority"),
        insecure=insecure, tls_server_name=cluster.get("tls-server-name"),
        cert_pem=cert_pem, key_pem=key_pem, token=token, basic=basic,
        as_user=g.as_user or user.get("as"), as_groups=g.as_group or user.get("as-groups") or (),
        timeout=_request_timeout(g.request_timeout), cache_dir=cache_dir)


def _request_timeout(v) -> float | None:
    """--request-timeout: 0 means none; a bare number is seconds; else a Go duration."""
    if v in (None, "", "0"):
        return None
    try:
        return float(v)
    except ValueError:
        from pykubectl.store.clock import parse_duration
        return parse_duration(v) or None


def exec_credential(spec: dict, env) -> tuple[str | None, bytes | None, bytes | None]:
    """(token, client cert, client key) from a kubeconfig `exec` credential plugin (the way
    EKS, GKE and AKS clusters log in): the command prints an ExecCredential."""
    import subprocess
    cmd = spec.get("command") or ""
    api_version = spec.get("apiVersion") or "client.authentication.k8s.io/v1"
    penv = dict(env)
    penv.update({e["name"]: e.get("value", "") for e in spec.get("env") or () if isinstance(e, dict)})
    penv["KUBERNETES_EXEC_INFO"] = json.dumps({"kind": "ExecCredential", "apiVersion": api_version,
                                               "spec": {"interactive": False}})
    what = "Unable to connect to the server: getting credentials: "
    try:
        p = subprocess.run([cmd, *(spec.get("args") or ())], env=penv, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise Unreachable(f"{what}exec: executable {cmd} not found") from None
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Unreachable(f"{what}exec: {e}") from None
    if p.returncode != 0:
        raise Unreachable(f"{what}exec: executable {cmd} failed with exit code {p.returncode}")
    try:
        st = json.loads(p.stdout).get("status") or {}
    except (ValueError, AttributeError):
        raise Unreachable(f"{what}decoding stdout: couldn't get version/kind; json parse error") from None
    cert, key = st.get("clientCertificateData"), st.get("clientKeyData")
    return st.get("token") or None, cert.encode() if cert else None, key.encode() if key else None


# -- stream helpers ----------------------------------------------------------------------

def _text_chunks(resp):
    import codecs
    dec = codecs.getincrementaldecoder("utf-8")("replace")
    try:
        while True:
            data = resp.read1(1 << 16)
            if not data:
                break
            yield dec.decode(data)
        yield dec.decode(b"", final=True)
    finally:
        resp.close()


def _demux(conn):
    """(stdout, stderr, error channel) of a finished remote command."""
    from pykubectl.server import websocket as ws
    parts = {ws.STDOUT: [], ws.STDERR: [], ws.ERROR: []}
    try:
        while True:
            op, msg = conn.recv()
            if op == ws.CLOSE:
                break
            if msg and msg[0] in parts:
                parts[msg[0]].append(msg[1:])
    except (EOFError, OSError):
        pass
    conn.close()
    return tuple(b"".join(parts[c]) for c in (ws.STDOUT, ws.STDERR, ws.ERROR))


def _demux_text(conn):
    from pykubectl.server import websocket as ws
    try:
        while True:
            op, msg = conn.recv()
            if op == ws.CLOSE:
                return
            if msg[:1] in (b"\x01", b"\x02") and len(msg) > 1:
                yield msg[1:].decode("utf-8", "replace")
    except (EOFError, OSError):
        return
    finally:
        conn.close()


class HttpTunnel:
    """A forwarded connection over a portforward WebSocket (one port: data channel 0, error
    channel 1, each opened by the port number); a reader thread collects what comes back."""

    def __init__(self, conn):
        import threading
        self.conn = conn
        self._out = []
        self._lock = threading.Lock()
        self.closed = False
        self.error = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        from pykubectl.server import websocket as ws
        opened = set()
        try:
            while True:
                op, msg = self.conn.recv()
                if op == ws.CLOSE or not msg:
                    break
                ch, data = msg[0], msg[1:]
                if ch not in opened:
                    opened.add(ch)     # the port, as the protocol announces each channel
                    continue
                if ch == 0:
                    with self._lock:
                        self._out.append(data)
                elif ch == 1 and data:
                    self.error = data.decode(errors="replace")
                    break
        except (EOFError, OSError):
            pass
        self.closed = True

    def send(self, data: bytes) -> None:
        try:
            self.conn.send_channel(0, data)
        except OSError:
            self.closed = True

    def pending(self) -> bytes:
        with self._lock:
            out, self._out = b"".join(self._out), []
        return out

    def close(self) -> None:
        self.conn.close()
        self.closed = True
