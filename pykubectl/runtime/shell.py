"""The tiny shell behind `kubectl exec`, exec probes and `sim ssh`.

`run(view, pod, container, argv, stdin="")` runs argv in a simulated container and returns
(stdout, stderr, exit_code); `run_on_node(view, node, argv)` does the same on a node's disk.
Built-ins: cat, ls, touch, echo, mkdir, rm, sh -c (with `;` `&&` `||` `>` `>>`), env, printenv,
hostname, sleep, date, true, false, exit, pwd. curl and nslookup belong to the networking
simulation (`pykubectl.net.client`), imported lazily. Messages follow GNU coreutils, or
busybox's for busybox/alpine images.
"""
from __future__ import annotations

import shlex

from pykubectl.runtime import fs as rfs

NOT_FOUND = 127


class Ctx:
    def __init__(self, view, files, now, *, flavor="gnu", env=None, hostname="", pod=None, container=None,
                 shell="sh"):
        self.view, self.files, self.now, self.flavor = view, files, now, flavor
        self.env = dict(env or {})
        self.hostname, self.pod, self.container, self.shell = hostname, pod, container, shell
        self.out: list[str] = []
        self.err: list[str] = []


def _now(view, now):
    if now is not None:
        return now
    from pykubectl.runtime import images
    return images._bound.get("now", 0.0)


def container_env(view, pod: dict, c: dict) -> dict:
    """The environment a container sees: PATH, HOSTNAME, its env (literal values, ConfigMap /
    Secret keys, the downward API), envFrom, and the service variables kubelet injects are left
    to the networking simulation."""
    import base64
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOSTNAME": pod["metadata"]["name"]}
    ns = pod["metadata"].get("namespace") or "default"

    def lookup(kind, name, key):
        try:
            obj = view.get(kind, ns, name) or {}
        except Exception:
            obj = {}
        v = (obj.get("data") or {}).get(key)
        if v is not None and kind == "secrets":
            v = base64.b64decode(v).decode("utf-8", "replace")
        return v

    for ef in c.get("envFrom") or []:
        pre = ef.get("prefix") or ""
        src = ef.get("configMapRef") or ef.get("secretRef") or {}
        kind = "configmaps" if "configMapRef" in ef else "secrets"
        try:
            obj = view.get(kind, ns, src.get("name")) or {}
        except Exception:
            obj = {}
        for k, v in (obj.get("data") or {}).items():
            env[pre + k] = base64.b64decode(v).decode("utf-8", "replace") if kind == "secrets" else v
    for e in c.get("env") or []:
        if "value" in e:
            env[e["name"]] = str(e["value"])
            continue
        vf = e.get("valueFrom") or {}
        v = None
        if "configMapKeyRef" in vf:
            v = lookup("configmaps", vf["configMapKeyRef"].get("name"), vf["configMapKeyRef"].get("key"))
        elif "secretKeyRef" in vf:
            v = lookup("secrets", vf["secretKeyRef"].get("name"), vf["secretKeyRef"].get("key"))
        elif "fieldRef" in vf:
            v = _field(pod, vf["fieldRef"].get("fieldPath", ""))
        env[e["name"]] = "" if v is None else str(v)
    return env


def _field(pod, path):
    return rfs.field_value(pod, path)


def run(view, pod: dict, container: str, argv: list[str], stdin: str = "", now: float | None = None):
    """Run argv in pod's container: (stdout, stderr, exit_code)."""
    from pykubectl.runtime import images
    spec = pod.get("spec") or {}
    c = next((x for k in ("containers", "initContainers", "ephemeralContainers") for x in spec.get(k) or []
              if x.get("name") == container), {})
    now = _now(view, now)
    ctx = Ctx(view, rfs.PodFS(view, pod, container, now), now,
              flavor=images.behaviour(c.get("image", "")).get("shell", "gnu"),
              env=container_env(view, pod, c), hostname=pod["metadata"]["name"], pod=pod, container=container)
    code = _exec(ctx, [str(a) for a in argv], stdin, top=True)
    return "".join(ctx.out), "".join(ctx.err), code


def run_on_node(view, node: str, argv: list[str], now: float | None = None, stdin: str = ""):
    """Run argv on a node's disk (an Ubuntu host): (stdout, stderr, exit_code)."""
    now = _now(view, now)
    ctx = Ctx(view, rfs.node_fs(view, node, now), now, flavor="gnu",
              env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME": node,
                   "HOME": "/root", "USER": "root"}, hostname=node, shell="bash")
    code = _exec(ctx, [str(a) for a in argv], stdin, top=True)
    return "".join(ctx.out), "".join(ctx.err), code


# -- the shell ------------------------------------------------------------------------------

def _exec(ctx: Ctx, argv: list[str], stdin: str, top: bool = False) -> int:
    if not argv:
        return 0
    name = argv[0].rsplit("/", 1)[-1]
    if name in ("sh", "bash", "ash", "dash"):
        if len(argv) >= 3 and argv[1] == "-c":
            return script(ctx, argv[2])
        if len(argv) == 1:
            return script(ctx, stdin)
        return 0
    fn = BUILTINS.get(name)
    if fn is None and name in ("curl", "nslookup", "wget"):
        fn = _net(name)
    if fn is None:
        if top:
            # exec without a shell: the runtime cannot start the binary
            ctx.out.append(f'OCI runtime exec failed: exec failed: unable to start container process: exec: "{argv[0]}": '
                           f'executable file not found in $PATH: unknown\r\n')
            return 126
        ctx.err.append(_not_found(ctx, argv[0]))
        return NOT_FOUND
    return fn(ctx, argv[1:], stdin)


def _not_found(ctx, cmd):
    if ctx.shell == "bash":
        return f"bash: {cmd}: command not found\n"
    if ctx.flavor == "busybox":
        return f"sh: {cmd}: not found\n"
    return f"sh: 1: {cmd}: not found\n"


def _net(name):
    def call(ctx, args, stdin):
        try:
            from pykubectl.net import client as net
            fn = getattr(net, name)
        except (ImportError, AttributeError):
            ctx.err.append(_not_found(ctx, name))
            return NOT_FOUND
        from pykubectl.runtime import images
        images.bind(ctx.view, ctx.now)
        out, err, code = fn(ctx.view, ctx.pod, [name, *args])
        ctx.out.append(out)
        ctx.err.append(err)
        return code
    return call


def _split(text: str) -> list[list[str]]:
    """Words and operators (; && || > >> |) of a script, one list per simple command."""
    lex = shlex.shlex(text, posix=True, punctuation_chars=";&|><")
    lex.whitespace_split = True
    lex.commenters = "#"
    toks = list(lex)
    return toks


def script(ctx: Ctx, text: str) -> int:
    try:
        toks = _split(text.replace("\n", " ; "))
    except ValueError:
        ctx.err.append(f"sh: 1: Syntax error: Unterminated quoted string\n")
        return 2
    code = 0
    cmd: list[str] = []
    skip = False
    pending = ";"
    i = 0
    while True:
        tok = toks[i] if i < len(toks) else ";"
        if tok in (";", "&&", "||", "&") or i >= len(toks):
            if cmd:
                run_it = pending == ";" or (pending == "&&" and code == 0) or (pending == "||" and code != 0)
                if run_it:
                    code = _simple(ctx, cmd)
                    if ctx.env.get("__exit__") is not None:
                        return int(ctx.env.pop("__exit__"))
            cmd = []
            pending = ";" if tok in (";", "&") else tok
            if i >= len(toks):
                return code
        else:
            cmd.append(tok)
        i += 1


def _simple(ctx: Ctx, words: list[str]) -> int:
    """One simple command with its redirections."""
    redirect = None
    out_words = []
    k = 0
    while k < len(words):
        w = words[k]
        if w in (">", ">>") and k + 1 < len(words):
            redirect = (words[k + 1], w == ">>")
            k += 2
            continue
        if w == "|":       # pipes: the last command's output wins, fed the first's
            k += 1
            continue
        out_words.append(_expand(ctx, w))
        k += 1
    if redirect:
        saved = ctx.out
        ctx.out = []
        code = _exec(ctx, out_words, "")
        data = "".join(ctx.out)
        ctx.out = saved
        path = rfs.norm(redirect[0])
        try:
            if ctx.files.kind(path.rsplit("/", 1)[0] or "/") != "d":
                raise FileNotFoundError
            ctx.files.write(path, data, append=redirect[1])
        except FileNotFoundError:
            ctx.err.append(f"sh: 1: cannot create {redirect[0]}: Directory nonexistent\n")
            return 2
        except PermissionError:
            ctx.err.append(f"sh: 1: cannot create {redirect[0]}: Read-only file system\n")
            return 2
        return code
    if out_words and out_words[0] == "exit":
        ctx.env["__exit__"] = out_words[1] if len(out_words) > 1 and out_words[1].isdigit() else "0"
        return int(ctx.env["__exit__"])
    return _exec(ctx, out_words, "")


def _expand(ctx, w):
    import re
    return re.sub(r"\$\{?(\w+)\}?", lambda m: ctx.env.get(m.group(1), ""), w)


# -- built-ins --------------------------------------------------------------------------------

def _msg(ctx, gnu, busybox):
    ctx.err.append((busybox if ctx.flavor == "busybox" else gnu) + "\n")


def _cat(ctx, args, stdin):
    if not args:
        ctx.out.append(stdin)
        return 0
    code = 0
    for a in args:
        k = ctx.files.kind(a)
        if k == "f":
            ctx.out.append(ctx.files.read(a) or "")
        elif k == "d":
            _msg(ctx, f"cat: {a}: Is a directory", f"cat: read error: Is a directory")
            code = 1
        else:
            _msg(ctx, f"cat: {a}: No such file or directory", f"cat: can't open '{a}': No such file or directory")
            code = 1
    return code


def _ls(ctx, args, stdin):
    flags = [a for a in args if a.startswith("-")]
    paths = [a for a in args if not a.startswith("-")] or ["."]
    long = any("l" in f for f in flags)
    code = 0
    shown = []
    for p in paths:
        path = "/" if p == "." else p
        k = ctx.files.kind(path)
        if k is None:
            _msg(ctx, f"ls: cannot access '{p}': No such file or directory", f"ls: {p}: No such file or directory")
            code = 2
            continue
        names = ctx.files.listdir(path) if k == "d" else [p]
        shown.append((p, names))
    for i, (p, names) in enumerate(shown):
        if len(shown) > 1:
            ctx.out.append(("\n" if i else "") + f"{p}:\n")
        for n in names:
            ctx.out.append((f"-rw-r--r-- 1 root root 0 {n}\n" if long else f"{n}\n"))
    return code


def _touch(ctx, args, stdin):
    code = 0
    for a in args:
        if a.startswith("-"):
            continue
        parent = rfs.norm(a).rsplit("/", 1)[0] or "/"
        try:
            if ctx.files.kind(parent) != "d":
                raise FileNotFoundError
            ctx.files.touch(a)
        except FileNotFoundError:
            _msg(ctx, f"touch: cannot touch '{a}': No such file or directory", f"touch: {a}: No such file or directory")
            code = 1
        except PermissionError:
            _msg(ctx, f"touch: cannot touch '{a}': Read-only file system", f"touch: {a}: Read-only file system")
            code = 1
    return code


def _mkdir(ctx, args, stdin):
    parents = any(a in ("-p", "--parents") for a in args)
    code = 0
    for a in (x for x in args if not x.startswith("-")):
        k = ctx.files.kind(a)
        parent = rfs.norm(a).rsplit("/", 1)[0] or "/"
        try:
            if k is not None:
                if parents and k == "d":
                    continue
                _msg(ctx, f"mkdir: cannot create directory '{a}': File exists", f"mkdir: can't create directory '{a}': File exists")
                code = 1
            elif not parents and ctx.files.kind(parent) != "d":
                _msg(ctx, f"mkdir: cannot create directory '{a}': No such file or directory",
                     f"mkdir: can't create directory '{a}': No such file or directory")
                code = 1
            else:
                ctx.files.mkdir(a)
        except PermissionError:
            _msg(ctx, f"mkdir: cannot create directory '{a}': Read-only file system",
                 f"mkdir: can't create directory '{a}': Read-only file system")
            code = 1
    return code


def _rm(ctx, args, stdin):
    flags = "".join(a[1:] for a in args if a.startswith("-"))
    code = 0
    for a in (x for x in args if not x.startswith("-")):
        k = ctx.files.kind(a)
        if k is None:
            if "f" not in flags:
                _msg(ctx, f"rm: cannot remove '{a}': No such file or directory", f"rm: can't remove '{a}': No such file or directory")
                code = 1
        elif k == "d" and "r" not in flags.lower():
            _msg(ctx, f"rm: cannot remove '{a}': Is a directory", f"rm: '{a}' is a directory")
            code = 1
        else:
            try:
                ctx.files.remove(a)
            except PermissionError:
                _msg(ctx, f"rm: cannot remove '{a}': Read-only file system", f"rm: can't remove '{a}': Read-only file system")
                code = 1
    return code


def _echo(ctx, args, stdin):
    nl = True
    if args and args[0] == "-n":
        nl, args = False, args[1:]
    ctx.out.append(" ".join(args) + ("\n" if nl else ""))
    return 0


def _env(ctx, args, stdin):
    ctx.out.append("".join(f"{k}={v}\n" for k, v in ctx.env.items() if not k.startswith("__")))
    return 0


def _printenv(ctx, args, stdin):
    if not args:
        return _env(ctx, args, stdin)
    code = 0
    for a in args:
        if a in ctx.env:
            ctx.out.append(ctx.env[a] + "\n")
        else:
            code = 1
    return code


def _hostname(ctx, args, stdin):
    ctx.out.append(ctx.hostname + "\n")
    return 0


def _date(ctx, args, stdin):
    import datetime
    d = datetime.datetime.fromtimestamp(ctx.now, datetime.timezone.utc)
    ctx.out.append(d.strftime("%a %b %e %H:%M:%S UTC %Y") + "\n")
    return 0


def _sleep(ctx, args, stdin):
    return 0      # simulated time does not pass inside one exec


def _true(ctx, args, stdin):
    return 0


def _false(ctx, args, stdin):
    return 1


def _pwd(ctx, args, stdin):
    ctx.out.append("/\n")
    return 0


BUILTINS = {"cat": _cat, "ls": _ls, "touch": _touch, "mkdir": _mkdir, "rm": _rm, "echo": _echo, "env": _env,
            "printenv": _printenv, "hostname": _hostname, "date": _date, "sleep": _sleep, "true": _true,
            "false": _false, "pwd": _pwd, ":": _true}


# -- tar and test: what `kubectl cp` runs in a container -------------------------------------
# Streams are text here: bytes ride through as UTF-8 with surrogateescape (the exec edge
# decodes and encodes them the same way); file contents are stored as UTF-8 text.

def _tar(ctx, args, stdin):
    import io
    import tarfile
    opts, rest = _tar_args(args)
    if opts is None:
        _msg(ctx, "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options",
             "tar: need -c, -x or -t")
        return 2
    mode, archive, cwd, paths = opts["mode"], opts["file"], opts["dir"], rest
    if archive not in ("-", None):
        _msg(ctx, f"tar: {archive}: Cannot open: Read-only file system", f"tar: can't open '{archive}': Read-only file system")
        return 2
    if cwd and ctx.files.kind(cwd) != "d":
        _msg(ctx, f"tar: {cwd}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now",
             f"tar: can't change directory to '{cwd}': No such file or directory")
        return 2
    base = cwd or "/"
    if mode == "c":
        if not paths:
            _msg(ctx, "tar: Cowardly refusing to create an empty archive", "tar: empty archive")
            return 2
        buf = io.BytesIO()
        code = 0
        warned = False
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
            for p in paths:
                full = rfs.norm(p, base)
                if ctx.files.kind(full) is None:
                    _msg(ctx, f"tar: {p}: Cannot stat: No such file or directory",
                         f"tar: {p}: No such file or directory")
                    code = 2 if ctx.flavor != "busybox" else 1
                    continue
                if p.startswith("/") and not warned:
                    _msg(ctx, "tar: Removing leading `/' from member names",
                         "tar: removing leading '/' from member names")
                    warned = True
                _tar_add(ctx, tf, full, p.lstrip("/") or ".")
        if code and ctx.flavor != "busybox":
            ctx.err.append("tar: Exiting with failure status due to previous errors\n")
        ctx.out.append(buf.getvalue().decode("utf-8", "surrogateescape"))
        return code
    data = stdin.encode("utf-8", "surrogateescape")
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r")
        members = tf.getmembers()
    except tarfile.TarError:
        _msg(ctx, "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors",
             "tar: short read")
        return 2
    for m in members:
        name = m.name.lstrip("/")
        target = rfs.norm(name, base)
        if mode == "t":
            ctx.out.append(m.name + ("/" if m.isdir() and not m.name.endswith("/") else "") + "\n")
            continue
        try:
            if m.isdir():
                ctx.files.mkdir(target)
            elif m.isfile():
                parent = target.rsplit("/", 1)[0] or "/"
                if ctx.files.kind(parent) != "d":
                    ctx.files.mkdir(parent)
                raw = tf.extractfile(m).read()
                ctx.files.write(target, raw.decode("utf-8", "replace"))
        except PermissionError:
            _msg(ctx, f"tar: {name}: Cannot open: Read-only file system",
                 f"tar: can't open '{name}': Read-only file system")
            return 2
    return 0


def _tar_args(args):
    """({mode, file, dir}, paths) from GNU-style bundled or dashed options; None when no mode."""
    opts = {"mode": None, "file": None, "dir": None}
    rest = []
    words = list(args)
    first = True
    while words:
        w = words.pop(0)
        if w.startswith("--"):
            if w.startswith("--directory="):
                opts["dir"] = w.split("=", 1)[1]
            elif w.startswith("--file="):
                opts["file"] = w.split("=", 1)[1]
            continue          # --no-same-owner, --no-same-permissions: nothing to keep here
        bundle = w[1:] if w.startswith("-") and len(w) > 1 else (w if first and not w.startswith("/") else None)
        first = False
        if bundle is None:
            rest.append(w)
            continue
        for ch in bundle:
            if ch in "cxt":
                opts["mode"] = ch
            elif ch == "f":
                opts["file"] = words.pop(0) if words else "-"
            elif ch == "C":
                opts["dir"] = words.pop(0) if words else None
    if opts["mode"] is None:
        return None, rest
    return opts, rest


def _tar_add(ctx, tf, full, name):
    import io
    import tarfile
    kind = ctx.files.kind(full)
    info = tarfile.TarInfo(name)
    info.mtime = int(ctx.now)
    if kind == "d":
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tf.addfile(info)
        for child in ctx.files.listdir(full):
            _tar_add(ctx, tf, full.rstrip("/") + "/" + child, name.rstrip("/") + "/" + child)
        return
    data = (ctx.files.read(full) or "").encode()
    info.size, info.mode = len(data), 0o644
    tf.addfile(info, io.BytesIO(data))


def _test(ctx, args, stdin):
    if args and args[-1] == "]":
        args = args[:-1]
    if len(args) == 2 and args[0] in ("-d", "-f", "-e"):
        k = ctx.files.kind(args[1])
        return 0 if (k == "d" if args[0] == "-d" else k == "f" if args[0] == "-f" else k is not None) else 1
    if len(args) == 2 and args[0] in ("-n", "-z"):
        return 0 if bool(args[1]) == (args[0] == "-n") else 1
    if len(args) == 3 and args[1] in ("=", "==", "!="):
        return 0 if (args[0] == args[2]) == (args[1] != "!=") else 1
    return 0 if len(args) == 1 and args[0] else 1


BUILTINS.update({"tar": _tar, "test": _test, "[": _test})
