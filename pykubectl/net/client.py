"""curl and nslookup as a pod (or the machine outside the cluster) runs them, over the simulated
network: `curl(view, pod, argv)` and `nslookup(view, pod, argv)` return (stdout, stderr,
exit_code) with the real tools' wording. `pod=None` means the learner's machine on the nodes'
network (`pykubectl sim curl`): no cluster DNS there, only its /etc/hosts (`sim hosts`) and
`--resolve`.

Randomness (kube-proxy's endpoint choice, canary weights) comes from a generator seeded by a
per-cluster request counter kept in the store, so a series of requests splits as iptables
would and the same series on the same cluster gives the same answers.
"""
from __future__ import annotations

import random
import re

COUNTER = "net.requests"
HOSTS = "net.hosts"          # store meta: JSON {name: ip} — the outside machine's /etc/hosts
_LAB_HOSTS = {"k8s-master": "192.168.0.100", "worker-1": "192.168.0.101", "worker-2": "192.168.0.102",
              "localhost": "127.0.0.1"}


class Usage(Exception):
    pass


class _Snapshot:
    """The view for one command's requests: objects do not change while curl runs, so reads are
    memoized (a 1,000-URL canary check would otherwise list every pod per request)."""

    def __init__(self, view):
        self._view, self._memo = view, {}
        self.txn = getattr(view, "txn", None)
        self.server = getattr(view, "server", None)

    def get(self, resource, ns, name):
        key = ("get", resource, ns, name)
        if key not in self._memo:
            self._memo[key] = self._view.get(resource, ns, name)
        return self._memo[key]

    def list(self, resource, ns=None, *, index=None, labels_eq=None):
        key = ("list", resource, ns, index, tuple(sorted((labels_eq or {}).items())))
        if key not in self._memo:
            self._memo[key] = self._view.list(resource, ns, index=index, labels_eq=labels_eq)
        return self._memo[key]


def rng_for(view) -> random.Random:
    """A generator for this command's requests; advances the cluster's request counter."""
    txn = getattr(view, "txn", None)
    n = 0
    try:
        n = int(txn.get_meta(COUNTER, "0"))
        txn.set_meta(COUNTER, str(n + 1))
    except Exception:
        pass
    return random.Random(f"pykubectl-net-{n}")


def outside_hosts(view) -> dict:
    import json
    hosts = dict(_LAB_HOSTS)
    try:
        hosts.update(json.loads(view.txn.get_meta(HOSTS, "{}") or "{}"))
    except Exception:
        pass
    return hosts


def parse_ipv4(s: str) -> str | None:
    """inet_aton's forms, as curl accepts them: a.b.c.d, a.b.c (c fills 16 bits), a.b, a."""
    if not re.fullmatch(r"\d+(\.\d+){0,3}", s):
        return None
    parts = [int(p) for p in s.split(".")]
    widths = {1: [32], 2: [8, 24], 3: [8, 8, 16], 4: [8, 8, 8, 8]}[len(parts)]
    n = 0
    for p, w in zip(parts, widths):
        if p >= 1 << w:
            return None
        n = (n << w) | p
    return ".".join(str((n >> s) & 255) for s in (24, 16, 8, 0))


def split_url(url: str):
    """(scheme, host, port, path) of a URL as curl reads it (no scheme → http)."""
    m = re.match(r"^(?:([a-zA-Z][a-zA-Z0-9+.-]*)://)?([^/:?#]*|\[[^\]]*\])(?::(\d*))?([/?#].*)?$", url)
    if not m:
        return None
    scheme = (m.group(1) or "http").lower()
    host = m.group(2)
    port = int(m.group(3)) if m.group(3) else (443 if scheme == "https" else 80)
    path = m.group(4) or "/"
    if path.startswith("?"):
        path = "/" + path
    return scheme, host, port, path.split("#", 1)[0]


# ---------------------------------------------------------------------------------------------
# curl

_NEEDS_ARG = {"-H": "header", "--header": "header", "-X": "method", "--request": "method", "-m": "max_time",
              "--max-time": "max_time", "-o": "output", "--output": "output", "-d": "data", "--data": "data",
              "--data-raw": "data", "--resolve": "resolve", "--cert": "cert", "--key": "key", "--cacert": "cacert",
              "-A": "agent", "--user-agent": "agent", "-w": "write_out", "--write-out": "write_out",
              "--connect-timeout": "max_time", "-b": "cookie", "--cookie": "cookie", "-E": "cert"}
_FLAGS = {"-s": "silent", "--silent": "silent", "-S": "show_error", "--show-error": "show_error", "-i": "include",
          "--include": "include", "-I": "head", "--head": "head", "-k": "insecure", "--insecure": "insecure",
          "-O": "remote_name", "--remote-name": "remote_name", "-v": "verbose", "--verbose": "verbose",
          "-L": "location", "--location": "location", "-f": "fail", "--fail": "fail"}


def parse_curl(args: list[str]) -> dict:
    o = {"header": [], "resolve": [], "urls": [], "data": None, "method": None}
    it = iter(args)
    for a in it:
        if a in _NEEDS_ARG:
            try:
                v = next(it)
            except StopIteration:
                raise Usage(f"curl: option {a}: requires parameter")
            if _NEEDS_ARG[a] in ("header", "resolve"):
                o[_NEEDS_ARG[a]].append(v)
            else:
                o[_NEEDS_ARG[a]] = v
        elif a in _FLAGS:
            o[_FLAGS[a]] = True
        elif a.startswith("--") and "=" in a and a.split("=", 1)[0] in _NEEDS_ARG:
            k, v = a.split("=", 1)
            o.setdefault(_NEEDS_ARG[k], [])
            if _NEEDS_ARG[k] in ("header", "resolve"):
                o[_NEEDS_ARG[k]].append(v)
            else:
                o[_NEEDS_ARG[k]] = v
        elif a.startswith("-") and not a.startswith("--") and len(a) > 2:
            # bundled short options: -sk, -sSL, -Hfoo, -m5
            rest = a[1:]
            while rest:
                f = "-" + rest[0]
                rest = rest[1:]
                if f in _FLAGS:
                    o[_FLAGS[f]] = True
                elif f in _NEEDS_ARG:
                    v = rest or next(it, None)
                    if v is None:
                        raise Usage(f"curl: option {f}: requires parameter")
                    if _NEEDS_ARG[f] in ("header", "resolve"):
                        o[_NEEDS_ARG[f]].append(v)
                    else:
                        o[_NEEDS_ARG[f]] = v
                    rest = ""
                else:
                    raise Usage(f"curl: option {a}: is unknown")
        elif a.startswith("-") and a != "-":
            raise Usage(f"curl: option {a}: is unknown")
        else:
            o["urls"].append(a)
    return o


def _resolve_host(view, pod, host: str, port: int, resolves: list[str]):
    """An IPv4 address for host, or None (could not resolve)."""
    for r in resolves:
        parts = r.split(":")
        if len(parts) >= 3 and parts[0].lower() == host.lower() and parts[1] in (str(port), "*"):
            return parts[2]
    ip = parse_ipv4(host)
    if ip:
        return ip
    if pod is None:
        return outside_hosts(view).get(host.lower())
    from pykubectl.net.dns import resolve
    ans = resolve(view, host, pod["metadata"].get("namespace") or "default")
    return ans.addresses[0] if ans and ans.addresses else None


def _progress(total: int) -> str:
    head = ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
            "                                 Dload  Upload   Total   Spent    Left  Speed\n")
    speed = f"{total * 10 if total else 0}"
    line = (f"\r{100 if total else 0:>3} {total:>5}  {100 if total else 0:>3} {total:>5}    0     0 "
            f"{speed:>6}      0 --:--:-- --:--:-- --:--:-- {speed:>5}\n")
    return head + "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0" + line


def curl(view, pod, argv: list[str]):
    """curl over the simulated network: (stdout, stderr, exit_code)."""
    from pykubectl.net.request import NetError, Request, send
    try:
        o = parse_curl(list(argv[1:]))
    except Usage as e:
        return "", f"{e}\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2
    if not o["urls"]:
        return "", "curl: try 'curl --help' or 'curl --manual' for more information\n", 2
    rng = rng_for(view)
    view = _Snapshot(view)
    client_ip = ((pod or {}).get("status") or {}).get("podIP") or "192.168.0.1"
    out, err, code = [], [], 0
    quiet = o.get("silent") and not o.get("show_error")

    def fail(n, msg):
        if not quiet:
            err.append(f"curl: ({n}) {msg}\n")
        return n

    for url in o["urls"]:
        parts = split_url(url)
        if parts is None:
            code = fail(3, "URL using bad/illegal format or missing URL")
            continue
        scheme, host, port, path = parts
        if scheme not in ("http", "https"):
            code = fail(1, f'Protocol "{scheme}" not supported or disabled in libcurl')
            continue
        headers = {}
        for h in o["header"]:
            if ":" in h:
                k, v = h.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        method = o["method"] or ("HEAD" if o.get("head") else "POST" if o["data"] is not None else "GET")
        host_hdr = headers.get("host") or (host if port == (443 if scheme == "https" else 80) else f"{host}:{port}")
        hops = 0
        while True:
            ip = _resolve_host(view, pod, host, port, o["resolve"])
            if ip is None:
                code = fail(6, f"Could not resolve host: {host}")
                break
            if o.get("verbose"):
                err.append(f"*   Trying {ip}:{port}...\n")
            req = Request(method, scheme, host_hdr, path, {**headers, "host": host_hdr}, o["data"] or "", client_ip,
                          _client_cert(o, pod))
            r = send(view, ip, port, req, rng)
            if isinstance(r, NetError):
                if r.kind == "refused":
                    code = fail(7, f"Failed to connect to {host} port {port} after 0 ms: Connection refused")
                elif r.kind == "tls-wrong-version":
                    code = fail(35, "error:0A00010B:SSL routines::wrong version number")
                else:
                    ms = int(float(o.get("max_time") or 0) * 1000) or 130000
                    code = fail(28, f"Failed to connect to {host} port {port} after {ms} ms: Connection timed out"
                                if not o.get("max_time") else f"Connection timed out after {ms + 1} milliseconds")
                break
            if scheme == "https":
                if r.cert is None:
                    code = fail(35, "error:0A00010B:SSL routines::wrong version number")
                    break
                if not o.get("insecure"):
                    code = fail(60, "SSL certificate problem: self-signed certificate\n"
                                    "More details here: https://curl.se/docs/sslcerts.html\n\n"
                                    "curl failed to verify the legitimacy of the server and therefore could not\n"
                                    "establish a secure connection to it. To learn more about this situation and\n"
                                    "how to fix it, please visit the web page mentioned above.")
                    break
            if o.get("verbose"):
                err.append(f"* Connected to {host} ({ip}) port {port} (#0)\n> {method} {path} HTTP/1.1\r\n"
                           f"> Host: {host_hdr}\r\n> User-Agent: curl/7.81.0\r\n> Accept: */*\r\n>\r\n"
                           f"< HTTP/1.1 {r.status} {r.reason}\r\n"
                           + "".join(f"< {k}: {v}\r\n" for k, v in r.headers) + "<\r\n")
            loc = next((v for k, v in r.headers if k.lower() == "location"), None)
            if o.get("include") or o.get("head"):
                out.append(f"HTTP/1.1 {r.status} {r.reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers) + "\r\n")
            if o.get("location") and loc and r.status in (301, 302, 303, 307, 308) and hops < 50:
                nxt = split_url(loc)
                if nxt:
                    scheme, host, port, path = nxt
                    host_hdr = host if port == (443 if scheme == "https" else 80) else f"{host}:{port}"
                    hops += 1
                    continue
            if o.get("fail") and r.status >= 400:
                code = fail(22, f"The requested URL returned error: {r.status}")
                break
            body = "" if method == "HEAD" else r.body
            if o.get("remote_name") or o.get("output"):
                name = o.get("output") or path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
                if not name:
                    code = fail(23, "Remote file name has no length!")
                    break
                _save(view, pod, name, body)
                if not o.get("silent"):
                    err.append(_progress(len(body.encode())))
            else:
                if not o.get("silent") and pod is not None:
                    # stdout is a pipe under exec: curl shows its progress meter on stderr
                    err.append(_progress(len(body.encode())))
                out.append(body)
            break
    return "".join(out), "".join(err), code


def _save(view, pod, name: str, body: str) -> None:
    """-O/-o: the file lands in the container's filesystem (or nowhere for the outside machine)."""
    if pod is None:
        return
    try:
        from pykubectl.runtime import fs
        c = ((pod.get("spec") or {}).get("containers") or [{}])[0].get("name")
        fs.container_fs(view, pod, c).write("/" + name.lstrip("/"), body)
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------
# nslookup (busybox)

_QTYPES = ("A", "AAAA", "ANY", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT")
_NSLOOKUP_USAGE = ("BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\n"
                   "Query DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n")


def nslookup(view, pod, argv: list[str]):
    """busybox nslookup against the cluster DNS: (stdout, stderr, exit_code). Options precede
    the name (`-type=srv`, `-querytype=`, `-debug`, `-port=`, `-retry=`, `-timeout=`); the
    records print as busybox's parse_reply prints them."""
    from pykubectl.net.dns import NAMESERVER, resolve
    args = list(argv[1:])
    qtypes = []
    while args and args[0].startswith("-"):
        opt, _, val = args.pop(0)[1:].partition("=")
        if opt in ("type", "querytype"):
            if val.upper() not in _QTYPES:
                return "", f'nslookup: invalid query type "{val}"\n', 1
            if val.upper() not in qtypes:
                qtypes.append(val.upper())
        elif opt not in ("debug", "port", "retry", "t", "timeout"):
            return "", _NSLOOKUP_USAGE, 1
    if not args or len(args) > 2:
        return "", _NSLOOKUP_USAGE, 1
    name = args[0]
    ns = ((pod or {}).get("metadata") or {}).get("namespace") or "default"
    head = f"Server:\t\t{NAMESERVER}\nAddress:\t{NAMESERVER}:53\n\n"
    # one reply per query type, in busybox's table order; an empty NOERROR reply prints nothing.
    # Without -type busybox asks A and AAAA; the IPv4 cluster's AAAA reply is empty.
    out, code = [head], 0
    for qt in [q for q in _QTYPES if q in (qtypes or ["A"])]:
        ans = resolve(view, name, ns, "A" if qt == "ANY" else qt)
        if ans is None:
            out.append(f"** server can't find {name}: NXDOMAIN\n\n")
            code = 1
            continue
        if not ans.name.endswith(".cluster.local"):
            out.append("Non-authoritative answer:\n")   # forwarded upstream: no AA bit
        for alias, canon in ans.cnames:
            out.append(f"{alias}\tcanonical name = {canon}\n")
        if qt in ("A", "ANY"):
            shown = ans.cnames[-1][1] if ans.cnames else ans.name
            out += [f"Name:\t{shown}\nAddress: {ip}\n" for ip in ans.addresses]
        for prio, weight, port, target in ans.srv:
            out.append(f"{ans.name}\tservice = {prio} {weight} {port} {target}\n")
        out.append("\n")
    return "".join(out), "", code


# ---------------------------------------------------------------------------------------------
# wget (busybox)

def wget(view, pod, argv: list[str]):
    """busybox wget: -q, -O FILE (- for stdout), -T SECS, -S, --spider; (stdout, stderr, exit_code)."""
    from pykubectl.net.request import NetError, Request, send
    args, quiet, out_file, spider, urls = list(argv[1:]), False, None, False, []
    it = iter(args)
    for a in it:
        if a == "-q":
            quiet = True
        elif a == "-O":
            out_file = next(it, "-")
        elif a.startswith("-O"):
            out_file = a[2:]
        elif a in ("-qO-", "-qO"):
            quiet, out_file = True, "-" if a == "-qO-" else next(it, "-")
        elif a == "--spider":
            spider = True
        elif a == "-T":
            next(it, None)
        elif a.startswith("-"):
            continue
        else:
            urls.append(a)
    if not urls:
        return "", "BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-T SEC] URL...\n", 1
    rng = rng_for(view)
    snap = _Snapshot(view)
    client_ip = ((pod or {}).get("status") or {}).get("podIP") or "192.168.0.1"
    out, err = [], []
    for url in urls:
        parts = split_url(url)
        if parts is None:
            return "".join(out), "".join(err) + f"wget: bad address '{url}'\n", 1
        scheme, host, port, path = parts
        ip = _resolve_host(snap, pod, host, port, [])
        if ip is None:
            return "".join(out), "".join(err) + f"wget: bad address '{host}'\n", 1
        if not quiet:
            err.append(f"Connecting to {host}{'' if port == 80 else f':{port}'} ({ip}:{port})\n")
        hdr_host = host if port == 80 else f"{host}:{port}"
        r = send(snap, ip, port, Request("GET", scheme, hdr_host, path, {"host": hdr_host}, "", client_ip), rng)
        if isinstance(r, NetError):
            msg = "Connection refused" if r.kind == "refused" else "Connection timed out"
            return "".join(out), "".join(err) + f"wget: can't connect to remote host ({ip}): {msg}\n", 1
        if r.status >= 400:
            return "".join(out), "".join(err) + f"wget: server returned error: HTTP/1.1 {r.status} {r.reason}\n", 1
        if spider:
            continue
        name = out_file or (path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "index.html")
        if name == "-":
            out.append(r.body)
        else:
            _save(view, pod, name, r.body)
            if not quiet:
                err.append(f"saving to '{name}'\n{name:<20} 100% |********************************| "
                           f"{len(r.body.encode()):>5}  0:00:00 ETA\n'{name}' saved\n")
        if out_file == "-" and not quiet:
            err.append("writing to stdout\n-                    100% |********************************| "
                       f"{len(r.body.encode()):>5}  0:00:00 ETA\nwritten to stdout\n")
    return "".join(out), "".join(err), 0


def _client_cert(o, pod) -> str:
    """curl's --cert file (PEM), read from the learner's machine (sim curl) — not from a pod."""
    path = o.get("cert")
    if not path or pod is not None:
        return ""
    try:
        with open(path.split(":", 1)[0]) as f:
            return f.read()
    except OSError:
        return ""
