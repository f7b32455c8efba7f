"""kubectl config: read and write kubeconfig files as kubectl does (pkg/cmd/config).

Works offline on any kubeconfig. Writes go to the file that holds the entry (else the first
file of the list), atomically, 0600, under a lock (`pykubectl/kubeconfig.py`)."""
from __future__ import annotations

import os
import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag, parse

USAGE = "kubectl config SUBCOMMAND"
LONG = """Modify kubeconfig files using subcommands like "kubectl config set current-context my-context".

 The loading order follows these rules:

  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.
  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.
  3.  Otherwise, ${HOME}/.kube/config is used and no merging takes place."""
FLAGS: list[Flag] = []
RAW_ARGS = True

# Go struct field order of clientcmd's v1 types, for JSON output
_ORDER = {
    "cluster": ["server", "tls-server-name", "insecure-skip-tls-verify", "certificate-authority",
                "certificate-authority-data", "proxy-url", "disable-compression", "extensions"],
    "user": ["client-certificate", "client-certificate-data", "client-key", "client-key-data", "token",
             "tokenFile", "as", "as-uid", "as-groups", "as-user-extra", "username", "password",
             "auth-provider", "exec", "extensions"],
    "context": ["cluster", "user", "namespace", "extensions"],
}
_SECRET_DATA = ("certificate-authority-data", "client-certificate-data", "client-key-data")
_SECRET_TEXT = ("token", "password")

_SUBCOMMANDS = ("current-context", "delete-cluster", "delete-context", "delete-user", "get-clusters",
                "get-contexts", "get-users", "rename-context", "set", "set-cluster", "set-context",
                "set-credentials", "unset", "use-context", "use", "view")


def run(g, o, args):
    from pykubectl.cli import subhelp
    if not args:
        # cobra's DefaultSubCommandRun: the group's help on stderr, exit 1
        sys.stderr.write(subhelp.text("config"))
        from pykubectl.cli.errors import Printed
        raise Printed(1)
    sub, rest = args[0], args[1:]
    if sub in ("-h", "--help") or (sub in _SUBCOMMANDS and ("-h" in rest or "--help" in rest)):
        name = "use-context" if sub == "use" else sub
        sys.stdout.write(subhelp.text(f"config {name}" if sub in _SUBCOMMANDS else "config"))
        return
    if sub not in _SUBCOMMANDS:
        raise CLIError(f'unknown command "{sub}" for "kubectl config"')
    fn = globals()["_" + sub.replace("-", "_")] if sub != "use" else _use_context
    fn(g, rest)


# -- loading ---------------------------------------------------------------------------

def _paths(g) -> list[str]:
    from pykubectl.kubeconfig import config_paths
    return config_paths(g.kubeconfig, g.env)


def _load(g):
    from pykubectl.kubeconfig import Kubeconfig
    return Kubeconfig.load(_paths(g), explicit=bool(g.kubeconfig), resolve=False)


def _flags(spec, args, sub):
    from pykubectl.cli.flags import FlagError
    try:
        return parse(spec, args)
    except FlagError as e:
        raise CLIError(f"{e}\nSee 'kubectl config {sub} --help' for usage.")


def _write(path: str, change) -> None:
    from pykubectl.kubeconfig import _locked_update
    _locked_update(path, change)


def _entries(config: dict, section: str) -> list[dict]:
    return [e for e in config.get(section) or [] if isinstance(e, dict)]


def _find(config: dict, section: str, name: str) -> dict | None:
    return next((e for e in _entries(config, section) if e.get("name") == name), None)


_BODY = {"clusters": "cluster", "users": "user", "contexts": "context"}


def _body(config: dict, section: str, name: str) -> dict:
    """The body (`cluster:`, `user:`, `context:`) of the named entry, appended when missing."""
    e = _find(config, section, name)
    if e is None:
        e = {"name": name}
        config[section] = config.get(section) or []   # `contexts: null` as kubectl writes it
        config[section].append(e)
    body = e.get(_BODY[section]) or {}
    e[_BODY[section]] = body
    return body

# -- read-only subcommands --------------------------------------------------------------


def _current_context(g, args):
    kc = _load(g)
    if not kc.current_context:
        raise CLIError("current-context is not set")
    sys.stdout.write(kc.current_context + "\n")


def _get_contexts(g, args):
    o, names = _flags([Flag("output", "o"), Flag("no-headers", kind="bool")], args, "get-contexts")
    kc = _load(g)
    ctxs = kc.contexts()
    if o.output and o.output != "name":
        raise CLIError(f"output must be one of '' or 'name': {o.output}")
    chosen = sorted(ctxs) if not names else names
    missing = [n for n in names if n not in ctxs]
    if o.output == "name":
        for n in chosen:
            if n in ctxs:
                sys.stdout.write(n + "\n")
    else:
        from pykubectl.printers.render import tabwrite
        rows = [] if o.no_headers else ["CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE"]
        for n in chosen:
            c = ctxs.get(n)
            if c is None:
                continue
            star = "*" if n == kc.current_context else ""
            rows.append(f"{star}\t{n}\t{c.get('cluster', '')}\t{c.get('user', '')}\t{c.get('namespace', '')}")
        sys.stdout.write(tabwrite("".join(r + "\n" for r in rows)))
    if missing:
        raise CLIError(f"context {missing[0]} not found")


def _get_clusters(g, args):
    kc = _load(g)
    sys.stdout.write("NAME\n" + "".join(n + "\n" for n in sorted(kc.clusters())))


def _get_users(g, args):
    kc = _load(g)
    sys.stdout.write("NAME\n" + "".join(n + "\n" for n in sorted(kc.users())))


def _view(g, args):
    spec = [Flag("minify", kind="bool"), Flag("flatten", kind="bool"), Flag("raw", kind="bool"),
            Flag("merge", kind="bool", default=True), Flag("output", "o", default="yaml"),
            Flag("template")]
    o, _ = _flags(spec, args, "view")
    kc = _load(g)
    cfg = {"kind": "Config", "apiVersion": "v1", "preferences": dict(kc.preferences),
           "clusters": [{"name": n, "cluster": dict(b)} for n, b in sorted(kc.clusters().items())],
           "users": [{"name": n, "user": dict(b)} for n, b in sorted(kc.users().items())],
           "contexts": [{"name": n, "context": dict(b)} for n, b in sorted(kc.contexts().items())],
           "current-context": kc.current_context}
    if o.minify:
        name = g.context or kc.current_context
        if not name:
            raise CLIError("current-context must exist in order to minify")
        ctx = kc.context(name)
        if ctx is None:
            raise CLIError(f'cannot locate context {name}')
        cfg["contexts"] = [{"name": name, "context": dict(ctx)}]
        cfg["clusters"] = [e for e in cfg["clusters"] if e["name"] == ctx.get("cluster")]
        cfg["users"] = [e for e in cfg["users"] if e["name"] == ctx.get("user")]
        cfg["current-context"] = name
    if o.flatten:
        _flatten(cfg, kc)
    if not (o.raw or o.flatten):
        for e in cfg["clusters"] + cfg["users"]:
            body = e.get("cluster", e.get("user"))
            for k in _SECRET_DATA:
                if body.get(k):
                    body[k] = "DATA+OMITTED"
            for k in _SECRET_TEXT:
                if body.get(k):
                    body[k] = "REDACTED"
    out = o.output
    if out == "json":
        import json
        sys.stdout.write(json.dumps(_go_order(cfg), indent=4) + "\n")
    elif out.startswith("jsonpath="):
        from pykubectl.printers import jsonpath
        sys.stdout.write(jsonpath.render(out[len("jsonpath="):], cfg) if hasattr(jsonpath, "render")
                         else _simple_jsonpath(out[len("jsonpath="):], cfg))
    elif out in ("yaml", ""):
        from pykubectl.kubeconfig import dump
        sys.stdout.write(dump(cfg))
    else:
        raise CLIError(f'unable to match a printer suitable for the output format "{out}", allowed formats are: json,jsonpath,jsonpath-as-json,jsonpath-file,yaml')


def _simple_jsonpath(expr, cfg):
    raise CLIError("jsonpath output is not available")


def _flatten(cfg, kc):
    """Embed the files entries name, each relative path read from its own file's folder."""
    import base64
    files = {"clusters": {"certificate-authority": "certificate-authority-data"},
             "users": {"client-certificate": "client-certificate-data", "client-key": "client-key-data"}}
    for section, pairs in files.items():
        for e in cfg[section]:
            body = e[_BODY[section]]
            for path_key, data_key in pairs.items():
                p = body.pop(path_key, None)
                if p:
                    p = os.path.join(os.path.dirname(os.path.abspath(kc.file_for(section, e["name"]))), p)
                    with open(p, "rb") as f:
                        body[data_key] = base64.b64encode(f.read()).decode()


def _go_order(cfg):
    def order(body, kind):
        keys = _ORDER[kind]
        return {k: body[k] for k in keys if k in body and body[k] not in ("", None, False, [], {})} | \
            {k: v for k, v in body.items() if k not in keys}
    out = {"kind": cfg["kind"], "apiVersion": cfg["apiVersion"], "preferences": cfg["preferences"],
           "clusters": [{"name": e["name"], "cluster": order(e["cluster"], "cluster")} for e in cfg["clusters"]],
           "users": [{"name": e["name"], "user": order(e["user"], "user")} for e in cfg["users"]],
           "contexts": [{"name": e["name"], "context": order(e["context"], "context")} for e in cfg["contexts"]],
           "current-context": cfg["current-context"]}
    return out


# -- writing subcommands ------------------------------------------------------------------

def _use_context(g, args):
    if len(args) != 1:
        raise CLIError("Unexpected args: " + str(args[1:]) if args else "empty context names are not allowed")
    name = args[0]
    kc = _load(g)
    if name not in kc.contexts():
        raise CLIError(f'no context exists with the name: "{name}"')
    path = kc.file_for("current-context")
    _write(path, lambda c: c.__setitem__("current-context", name))
    sys.stdout.write(f'Switched to context "{name}".\n')


def _set_context(g, args):
    spec = [Flag("current", kind="bool"), Flag("cluster"), Flag("user"), Flag("namespace")]
    o, names = _flags(spec, args, "set-context")
    kc = _load(g)
    if o.current:
        if names:
            raise CLIError("you cannot specify a context name and --current")
        if not kc.current_context:
            raise CLIError("no current context is set")
        name = kc.current_context
    else:
        if len(names) != 1:
            raise CLIError("Unexpected args: []" if not names else f"Unexpected args: {names[1:]}")
        name = names[0]
    # the global -n / --cluster / --user were taken out of argv; they are this verb's flags here
    fields = {"cluster": o.cluster if "cluster" in o.changed else g.cluster,
              "user": o.user if "user" in o.changed else g.user,
              "namespace": o.namespace if "namespace" in o.changed else g.namespace}
    exists = name in kc.contexts()
    path = kc.file_for("contexts", name)

    def change(cfg):
        body = _body(cfg, "contexts", name)
        for k, v in fields.items():
            if v is not None:
                body[k] = v
    _write(path, change)
    sys.stdout.write(f'Context "{name}" {"modified" if exists else "created"}.\n')


def _rename_context(g, args):
    if len(args) != 2:
        raise CLIError("Unexpected args: " + str(args))
    old, new = args
    kc = _load(g)
    path = kc.file_for("contexts", old)
    if old not in kc.contexts():
        raise CLIError(f'cannot rename the context "{old}", it\'s not in {path}')
    if new in kc.contexts():
        raise CLIError(f'cannot rename the context "{old}", the context "{new}" already exists in {kc.file_for("contexts", new)}')

    def change(cfg):
        e = _find(cfg, "contexts", old)
        e["name"] = new
        if cfg.get("current-context") == old:
            cfg["current-context"] = new
    _write(path, change)
    sys.stdout.write(f'Context "{old}" renamed to "{new}".\n')


def _delete(section: str, word: str):
    def fn(g, args):
        if len(args) != 1:
            raise CLIError(f"Unexpected args: {args}")
        name = args[0]
        kc = _load(g)
        path = kc.file_for(section, name)
        names = {"contexts": kc.contexts, "clusters": kc.clusters, "users": kc.users}[section]()
        if name not in names:
            raise CLIError(f"cannot delete {word} {name}, not in {path}")

        def change(cfg):
            cfg[section] = [e for e in _entries(cfg, section) if e.get("name") != name]
        _write(path, change)
        if section == "contexts" and kc.current_context == name:
            sys.stderr.write("warning: this removed your active context, use \"kubectl config use-context\" to select a different one\n")
        sys.stdout.write(f"deleted {word} {name} from {path}\n")
    return fn


_delete_context = _delete("contexts", "context")
_delete_cluster = _delete("clusters", "cluster")
_delete_user = _delete("users", "user")


def _read_file_b64(path):
    import base64
    try:
        with open(path, "rb") as f:
            return base64.b64encode(f.read()).decode()
    except OSError as e:
        raise CLIError(f"error reading {path}: {e.strerror.lower() if e.strerror else e}")


def _file_or_data(body: dict, key: str, path: str, embed: bool, kubeconfig: str) -> None:
    """`<key>: <path>`, or with --embed-certs `<key>-data: <the file, base64>`; either replaces
    the other, as set-cluster and set-credentials do. The path is written as clientcmd's
    RelativizePathWithNoBacksteps writes it: relative to the kubeconfig's folder when it lies
    below it, absolute otherwise."""
    if embed:
        if not os.path.exists(path):
            raise CLIError(f"could not stat {key} file {path}: stat {path}: no such file or directory")
        body[key + "-data"] = _read_file_b64(path)
        body.pop(key, None)
    else:
        full = os.path.abspath(path)
        rel = os.path.relpath(full, os.path.dirname(os.path.abspath(kubeconfig)))
        body[key] = full if rel == ".." or rel.startswith(".." + os.sep) else rel
        body.pop(key + "-data", None)


def _set_cluster(g, args):
    spec = [Flag("server"), Flag("certificate-authority"), Flag("embed-certs", kind="bool"),
            Flag("insecure-skip-tls-verify", kind="bool"), Flag("tls-server-name"), Flag("proxy-url")]
    o, names = _flags(spec, args, "set-cluster")
    if len(names) != 1:
        raise CLIError(f"Unexpected args: {names}")
    name = names[0]
    server = o.server if "server" in o.changed else g.server
    kc = _load(g)
    path = kc.file_for("clusters", name)

    def change(cfg):
        body = _body(cfg, "clusters", name)
        if server is not None:
            body["server"] = server
        if "insecure_skip_tls_verify" in o.changed or g.insecure:
            body["insecure-skip-tls-verify"] = o.insecure_skip_tls_verify or g.insecure
            if body["insecure-skip-tls-verify"]:
                body.pop("certificate-authority", None)
                body.pop("certificate-authority-data", None)
        if "tls_server_name" in o.changed:
            body["tls-server-name"] = o.tls_server_name
        if "proxy_url" in o.changed:
            body["proxy-url"] = o.proxy_url
        if "certificate_authority" in o.changed:
            _file_or_data(body, "certificate-authority", o.certificate_authority, o.embed_certs, path)
            body.pop("insecure-skip-tls-verify", None)
    _write(path, change)
    sys.stdout.write(f'Cluster "{name}" set.\n')


def _set_credentials(g, args):
    spec = [Flag("client-certificate"), Flag("client-key"), Flag("embed-certs", kind="bool"),
            Flag("token"), Flag("username"), Flag("password")]
    o, names = _flags(spec, args, "set-credentials")
    if len(names) != 1:
        raise CLIError(f"Unexpected args: {names}")
    name = names[0]
    token = o.token if "token" in o.changed else g.token
    if token is not None and ("username" in o.changed or "password" in o.changed):
        raise CLIError("you cannot specify more than one authentication method at the same time: --token, --username/--password")
    kc = _load(g)
    path = kc.file_for("users", name)

    def change(cfg):
        body = _body(cfg, "users", name)
        for flag, key in (("client_certificate", "client-certificate"), ("client_key", "client-key")):
            if flag in o.changed:
                _file_or_data(body, key, o[flag], o.embed_certs, path)
        if token is not None:
            body["token"] = token
            body.pop("username", None)
            body.pop("password", None)
        if "username" in o.changed:
            body["username"] = o.username
        if "password" in o.changed:
            body["password"] = o.password
    _write(path, change)
    sys.stdout.write(f'User "{name}" set.\n')


def _split_property(prop: str) -> list[str]:
    # kubectl splits on dots, names may not contain dots unless in [..] (not supported here)
    return [p for p in prop.split(".")]


def _set(g, args):
    o, rest = _flags([Flag("set-raw-bytes", kind="bool")], args, "set")
    if len(rest) != 2:
        raise CLIError(f"Unexpected args: {rest}")
    prop, value = rest
    _set_property(g, prop, value, unset=False)
    sys.stdout.write(f'Property "{prop}" set.\n')


def _unset(g, args):
    if len(args) != 1:
        raise CLIError(f"Unexpected args: {args}")
    _set_property(g, args[0], None, unset=True)
    sys.stdout.write(f'Property "{args[0]}" unset.\n')


def _set_property(g, prop: str, value, unset: bool):
    parts = _split_property(prop)
    kc = _load(g)
    if parts == ["current-context"]:
        path = kc.file_for("current-context")
        _write(path, lambda c: c.__setitem__("current-context", "" if unset else value))
        return
    if len(parts) < 3 or parts[0] not in ("clusters", "users", "contexts"):
        raise CLIError(f"unable to parse {prop} after [] at api.Config")
    section, field = parts[0], parts[-1]
    name = ".".join(parts[1:-1])
    path = kc.file_for(section, name)

    def change(cfg):
        if unset and _find(cfg, section, name) is None:
            raise CLIError(f"current map key `{name}` is invalid")
        body = _body(cfg, section, name)
        if unset:
            body.pop(field, None)
        elif field == "insecure-skip-tls-verify":
            body[field] = value.lower() == "true"
        else:
            body[field] = value
    _write(path, change)
