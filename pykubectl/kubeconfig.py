"""Kubeconfig files as kubectl (client-go tools/clientcmd) finds, merges, reads and writes them.

Loading follows clientcmd's ClientConfigLoadingRules: --kubeconfig alone, else every file in
$KUBECONFIG, else the default file; for the named maps the first file to define a name wins,
missing files are skipped, and a file that does not decode fails with client-go's own words
(goyaml's, encoding/json's and encoding/base64's errors). Writes keep kubectl's layout (keys
sorted, empty lists as `null`, goyaml's quoting) and are atomic, 0600, under a file lock.

pykubectl's home differs on purpose: never ~/.kube/config, so a learner's real clusters are
never touched unless they point KUBECONFIG there.
"""
from __future__ import annotations

import os
import re

from pykubectl.api.errors import UserError

SECTIONS = ("clusters", "users", "contexts")
# The key under which each list entry of a section holds its body.
_BODY = {"clusters": "cluster", "users": "user", "contexts": "context", "extensions": "extension"}
LOCAL_EXTENSION = "pykubectl"


class KubeconfigError(UserError):
    """A kubeconfig that kubectl would refuse to load.

    `errors` holds one line per failing file. With one, kubectl prints "error: " + str(e);
    with several it prints them one per line without that prefix: `message()` gives either.
    `not_exist` marks an explicit --kubeconfig that does not exist (`config view` tolerates it).
    """

    def __init__(self, errors: list[str] | str, not_exist: bool = False):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.not_exist = not_exist
        super().__init__("\n".join(self.errors))

    @property
    def prefix(self) -> str:
        return "error: " if len(self.errors) == 1 else ""

    def message(self) -> str:
        """What kubectl writes to stderr (without the trailing newline)."""
        return self.prefix + str(self)


# -- where the files are ---------------------------------------------------------------------

def default_path(env=os.environ) -> str:
    """$PYKUBECTL_HOME/kubeconfig, else the platform's user config dir for pykubectl."""
    home = env.get("PYKUBECTL_HOME")
    if home:
        return os.path.join(home, "kubeconfig")
    import platformdirs

    return os.path.join(platformdirs.user_config_dir("pykubectl"), "config")


def config_paths(explicit: str | None, env=os.environ) -> list[str]:
    """The files to load, in precedence order, as clientcmd's loading rules choose them."""
    if explicit:
        return [explicit]
    value = env.get("KUBECONFIG", "")
    if value:
        seen: list[str] = []
        for p in value.split(os.pathsep):
            if p and p not in seen:
                seen.append(p)
        return seen
    return [default_path(env)]


# -- decoding one file -----------------------------------------------------------------------

def _go_base64_error(s: str) -> int | None:
    """Offset Go's base64.StdEncoding.DecodeString reports for `s`, or None if it decodes.

    Go skips CR and LF anywhere, requires padding, and reports trailing garbage after it.
    """
    src = s.encode()
    n = len(src)
    si = 0
    alphabet = _B64
    while True:
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return None
                return si - j
            c = src[si]
            si += 1
            if c in alphabet:
                j += 1
                continue
            if c in (10, 13):
                continue
            if c != 61:  # '='
                return si - 1
            if j in (0, 1):
                return si - 1
            if j == 2:
                while si < n and src[si] in (10, 13):
                    si += 1
                if si == n:
                    return n
                if src[si] != 61:
                    return si - 1
                si += 1
            while si < n and src[si] in (10, 13):
                si += 1
            return si if si < n else None


_B64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

# The Go types of clientcmd/api/v1, for encoding/json's type errors. A struct is
# ("struct", "Name", {json key: type}); lists and maps carry their Go type name.
_EXT = ("list", "[]v1.NamedExtension", ("struct", "NamedExtension",
                                         {"name": "string", "extension": "any"}, "v1.NamedExtension"))


def _struct(name, fields):
    return ("struct", name, fields, "v1." + name)


_CLUSTER = _struct("Cluster", {
    "server": "string", "tls-server-name": "string", "insecure-skip-tls-verify": "bool",
    "certificate-authority": "string", "certificate-authority-data": "bytes",
    "proxy-url": "string", "disable-compression": "bool", "extensions": _EXT})
_AUTHINFO = _struct("AuthInfo", {
    "client-certificate": "string", "client-certificate-data": "bytes", "client-key": "string",
    "client-key-data": "bytes", "token": "string", "tokenFile": "string", "as": "string",
    "as-uid": "string", "as-groups": ("list", "[]string", "string"),
    "as-user-extra": ("map", "map[string][]string", ("list", "[]string", "string")),
    "username": "string", "password": "string",
    "auth-provider": _struct("AuthProviderConfig", {
        "name": "string", "config": ("map", "map[string]string", "string")}),
    "exec": _struct("ExecConfig", {
        "command": "string", "args": ("list", "[]string", "string"),
        "env": ("list", "[]v1.ExecEnvVar", _struct("ExecEnvVar", {"name": "string", "value": "string"})),
        "apiVersion": "string", "installHint": "string", "provideClusterInfo": "bool",
        "interactiveMode": ("named", "v1.ExecInteractiveMode")}),
    "extensions": _EXT})
_CONTEXT = _struct("Context", {"cluster": "string", "user": "string", "namespace": "string",
                               "extensions": _EXT})
_CONFIG = _struct("Config", {
    "kind": "string", "apiVersion": "string",
    "preferences": _struct("Preferences", {"colors": "bool", "extensions": _EXT}),
    "clusters": ("list", "[]v1.NamedCluster", _struct("NamedCluster", {"name": "string", "cluster": _CLUSTER})),
    "users": ("list", "[]v1.NamedAuthInfo", _struct("NamedAuthInfo", {"name": "string", "user": _AUTHINFO})),
    "contexts": ("list", "[]v1.NamedContext", _struct("NamedContext", {"name": "string", "context": _CONTEXT})),
    "current-context": "string", "extensions": _EXT})


def _json_kind(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _type_name(t) -> str:
    if isinstance(t, str):
        return {"bytes": "[]uint8"}.get(t, t)
    return t[3] if t[0] == "struct" else t[1]


def _decode_error(value, t, struct: str, path: list[str]) -> str | None:
    """The first error encoding/json reports decoding `value` into Go type `t`, in key order."""
    if value is None or t == "any":
        return None

    def mismatch(what=None):
        return (f"json: cannot unmarshal {what or _json_kind(value)} into Go struct field "
                f"{struct}.{'.'.join(path)} of type {_type_name(t)}")

    kind = t if isinstance(t, str) else t[0]
    if kind in ("string", "named"):
        return None if isinstance(value, str) else mismatch()
    if kind == "bool":
        return None if isinstance(value, bool) else mismatch()
    if kind == "bytes":
        if isinstance(value, str):
            off = _go_base64_error(value)
            return None if off is None else f"illegal base64 data at input byte {off}"
        if isinstance(value, list):  # a JSON array decodes element-wise into []uint8
            for item in value:
                if item is None or (isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 255):
                    continue
                what = f"number {_go_number(item)}" if _json_kind(item) == "number" else _json_kind(item)
                return (f"json: cannot unmarshal {what} into Go struct field "
                        f"{struct}.{'.'.join(path)} of type uint8")
            return None
        return mismatch()
    if kind == "list":
        if not isinstance(value, list):
            return mismatch()
        for item in value:
            err = _decode_error(item, t[2], struct, path)
            if err:
                return err
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return mismatch()
        for k in sorted(value, key=str):
            err = _decode_error(value[k], t[2], struct, path)
            if err:
                return err
        return None
    # struct: unknown keys are ignored (the codec is not strict); sigs.k8s.io/yaml hands the
    # decoder JSON with sorted keys, so the first error is the first in key order.
    if not isinstance(value, dict):
        return mismatch()
    for k in sorted(value, key=str):
        if k in t[2]:
            err = _decode_error(value[k], t[2][k], t[1], path + [k])
            if err:
                return err
    return None


def _go_number(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _yaml_error(e, text: str) -> str:
    """goyaml v2's wording for a libyaml error (which PyYAML's C loader gives us verbatim)."""
    import yaml

    problem = getattr(e, "problem", None) or "unknown problem parsing YAML content"
    if isinstance(e, yaml.composer.ComposerError) and problem == "found undefined alias":
        m = re.match(r"\*([^\s,\[\]{}]*)", text[e.problem_mark.index:]) if e.problem_mark else None
        return f"yaml: unknown anchor '{m.group(1) if m else ''}' referenced"
    line = 0
    pm, cm = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
    if pm is not None and pm.line != 0:
        # goyaml's parser.fail(): scanner errors do not count the line they stopped on yet.
        line = pm.line + (1 if isinstance(e, yaml.scanner.ScannerError) else 0)
    elif cm is not None and cm.line != 0:
        line = cm.line
    return f"yaml: line {line}: {problem}" if line else f"yaml: {problem}"


def _plain_str_loader():
    """A C-accelerated safe loader that, like goyaml v2, also reads y/n as booleans and
    leaves timestamps as strings (client-go sees them as JSON strings)."""
    import yaml

    class Loader(yaml.CSafeLoader):
        pass

    # goyaml has no "=" value type either.
    dropped = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")
    Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag not in dropped]
                                      for k, v in yaml.CSafeLoader.yaml_implicit_resolvers.items()}
    bool_rx = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE"
                         r"|on|On|ON|off|Off|OFF)$")
    for first in "yYnN":
        Loader.yaml_implicit_resolvers[first] = [("tag:yaml.org,2002:bool", bool_rx)] + [
            r for r in Loader.yaml_implicit_resolvers.get(first, []) if r[0] != "tag:yaml.org,2002:bool"]

    def construct_bool(loader, node):
        return node.value in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")

    def construct_binary(loader, node):
        import base64
        import binascii

        try:
            return base64.b64decode(loader.construct_scalar(node), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raise _GoYAMLError("!!binary value contains invalid base64 data") from None

    def construct_untagged(loader, node):
        # goyaml ignores tags it does not know and keeps the node's plain value.
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)
    Loader.add_constructor("tag:yaml.org,2002:binary", construct_binary)
    Loader.add_constructor(None, construct_untagged)
    return Loader


class _GoYAMLError(Exception):
    """A goyaml decode error raised from inside a constructor, in goyaml's words."""


_LOADER = None


def parse(text: str) -> dict:
    """Decode one kubeconfig file's text as clientcmd.Load does; raise KubeconfigError(msg)."""
    import yaml

    global _LOADER
    if _LOADER is None:
        _LOADER = _plain_str_loader()
    if not text:
        return {}
    try:
        docs = yaml.load_all(text, Loader=_LOADER)
        data = next(iter(docs), None)  # goyaml reads only the first document
    except yaml.YAMLError as e:
        raise KubeconfigError(_yaml_error(e, text)) from None
    except _GoYAMLError as e:
        raise KubeconfigError(f"yaml: {e}") from None
    if data is None:
        return {}
    data = _stringify_keys(data)
    if not isinstance(data, dict):
        raise KubeconfigError(
            f"couldn't get version/kind; json parse error: json: cannot unmarshal {_json_kind(data)} into Go "
            'value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
            'Kind string "json:\\"kind,omitempty\\"" }')
    for key in ("apiVersion", "kind"):
        v = data.get(key)
        if v is not None and not isinstance(v, str):
            raise KubeconfigError(f"couldn't get version/kind; json parse error: json: cannot unmarshal "
                                  f"{_json_kind(v)} into Go struct field .{key} of type string")
    version, kind = data.get("apiVersion") or "v1", data.get("kind") or "Config"
    if (version, kind) != ("v1", "Config"):
        raise KubeconfigError(f'no kind "{kind}" is registered for version "{version}" in scheme '
                              '"k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50"')
    err = _decode_error(data, _CONFIG, "Config", [])
    if err:
        raise KubeconfigError(err)
    for section in (*SECTIONS, "extensions"):
        names = [e.get("name") or "" for e in data.get(section) or [] if isinstance(e, dict)]
        dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if dup is not None:
            raise KubeconfigError(_duplicate_error(section, dup, data[section]))
    return data


def _duplicate_error(section: str, name: str, entries: list) -> str:
    # client-go prints the whole list with Go's %v (struct fields in declaration order).
    named, internal = {"clusters": ("NamedCluster", "api.Cluster"), "users": ("NamedAuthInfo", "api.AuthInfo"),
                       "contexts": ("NamedContext", "api.Context"),
                       "extensions": ("NamedExtension", "runtime.Object")}[section]
    entry_type = (_EXT if section == "extensions" else _CONFIG[2][section])[2]
    items = " ".join(_go_v(e, entry_type) for e in entries)
    return (f"error converting *[]{named} into *map[string]*{internal}: "
            f'duplicate name "{name}" in list: [{items}]')


def _go_v(v, t) -> str:
    """fmt's %v of a decoded value of Go type `t` (approximate for pointers and raw JSON)."""
    kind = t if isinstance(t, str) else t[0]
    if kind == "struct":
        if t[1] in ("AuthProviderConfig", "ExecConfig"):  # pointer fields: fmt prints an address
            return "<nil>" if v is None else "0xc000000000"
        v = v or {}
        return "{" + " ".join(_go_v(v.get(k), ft) for k, ft in t[2].items()) + "}"
    if kind == "list":
        return "[" + " ".join(_go_v(x, t[2]) for x in v or []) + "]"
    if kind == "map":
        return "map[" + " ".join(f"{k}:{_go_v(v[k], t[2])}" for k in sorted(v or {})) + "]"
    if kind == "bytes":
        import base64

        raw = base64.b64decode(v) if isinstance(v, str) else bytes(v or [])
        return "[" + " ".join(str(b) for b in raw) + "]"
    if kind == "bool":
        return "true" if v else "false"
    if kind == "any":
        import json

        raw = json.dumps(v, separators=(",", ":")).encode() if v is not None else b""
        return "{[" + " ".join(str(b) for b in raw) + "] <nil>}"
    return "" if v is None else str(v)


def _stringify_keys(v):
    # sigs.k8s.io/yaml turns non-string map keys into strings before JSON decoding.
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else _scalar_text(k)): _stringify_keys(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_stringify_keys(x) for x in v]
    return v


def _scalar_text(k) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    return "null" if k is None else str(k)


def _read(path: str) -> str | None:
    """The file's text; None when it does not exist; KubeconfigError for other read errors."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise KubeconfigError(f"read {path}: is a directory") from None
    except NotADirectoryError:
        return None
    except PermissionError:
        raise KubeconfigError(f"open {path}: permission denied") from None
    return data.decode("utf-8", errors="replace")


def _load_file(path: str) -> dict | None:
    """A file's decoded data, through a private JSON cache keyed by the file's identity, so the
    common command (nothing changed) pays neither YAML's import nor its parse."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    cache = _cache_file(path) if st is not None else None
    key = [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino] if st is not None else None
    if cache:
        import json
        try:
            with open(cache, encoding="utf-8") as f:
                c = json.load(f)
            if c.get("path") == path and c.get("key") == key:
                return c["data"]
        except (OSError, ValueError, AttributeError):
            pass
    text = _read(path)
    data = None if text is None else parse(text)
    if cache and data is not None:
        _write_cache(cache, {"path": path, "key": key, "data": data})
    return data


def _cache_file(path: str) -> str | None:
    home = os.environ.get("PYKUBECTL_HOME")
    if not home:
        try:
            import platformdirs
        except ImportError:  # pragma: no cover
            return None
        home = platformdirs.user_data_dir("pykubectl")
    # the path itself, escaped, names the entry (hashlib would cost every command start-up time)
    flat = os.path.abspath(path).replace("%", "%25").replace(os.sep, "%2F")
    if len(flat) > 200:  # keep within a file name's limit
        import hashlib
        flat = hashlib.sha256(flat.encode()).hexdigest()
    return os.path.join(home, "cache", f"kubeconfig-{flat}.json")


def _write_cache(cache: str, content: dict) -> None:
    import json
    try:
        blob = json.dumps(content)
    except (TypeError, ValueError):
        return
    write_private(cache, blob)


def write_private(path: str, text: str) -> None:
    """Write a cache file best effort: 0600 in a 0700 folder (caches hold keys and tokens),
    atomic; one that cannot be written is skipped."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass


# -- the merged view -------------------------------------------------------------------------

_PATH_FIELDS = {"clusters": ("certificate-authority",),
                "users": ("client-certificate", "client-key", "tokenFile")}


class Kubeconfig:
    """The merged configuration of several kubeconfig files, as clientcmd builds it."""

    def __init__(self, paths: list[str], files: dict[str, dict], explicit: bool = False,
                 resolve: bool = True):
        self.paths = list(paths)
        self.explicit = explicit
        self._files = files  # path -> decoded data, for the files that exist
        self._maps: dict[str, dict[str, dict]] = {s: {} for s in (*SECTIONS, "extensions")}
        self._origin: dict[tuple[str, str], str] = {}
        self.current_context = ""
        self.preferences: dict = {}
        for path in self.paths:
            data = files.get(path)
            if data is None:
                continue
            if not self.current_context and data.get("current-context"):
                self.current_context = data["current-context"]
            for k, v in (data.get("preferences") or {}).items():
                self.preferences.setdefault(k, v)
            for section in self._maps:
                for entry in data.get(section) or []:
                    if not isinstance(entry, dict):
                        continue
                    name = entry.get("name") or ""
                    if name in self._maps[section]:
                        continue  # the first file to define a name wins, whole entry
                    body = dict(entry.get(_BODY[section]) or {})
                    if resolve:
                        _resolve_paths(section, body, path)
                    self._maps[section][name] = body
                    self._origin[(section, name)] = path

    @classmethod
    def load(cls, paths: list[str], *, explicit: bool = False, resolve: bool = True) -> "Kubeconfig":
        """Load and merge `paths`; `explicit` (a --kubeconfig file) must exist. Relative file
        references are resolved against their file's folder unless `resolve` is False (the
        `config` verbs show and edit them as written: clientcmd's DoNotResolvePaths)."""
        if explicit and paths and not os.path.exists(paths[0]):
            raise KubeconfigError(f"stat {paths[0]}: no such file or directory", not_exist=True)
        files, errors = {}, []
        for path in paths:
            if not path:
                continue
            try:
                data = _load_file(path)
            except KubeconfigError as e:
                errors.append(f'error loading config file "{path}": {e}')
                continue
            if data is not None:
                files[path] = data
        if errors:
            raise KubeconfigError(list(dict.fromkeys(errors)))
        return cls(paths, files, explicit, resolve)

    def contexts(self) -> dict[str, dict]:
        return self._maps["contexts"]

    def clusters(self) -> dict[str, dict]:
        return self._maps["clusters"]

    def users(self) -> dict[str, dict]:
        return self._maps["users"]

    def extensions(self) -> dict[str, object]:
        return self._maps["extensions"]

    def context(self, name: str | None = None) -> dict | None:
        """The named context (default: the current one), or None."""
        name = self.current_context if name is None else name
        return self._maps["contexts"].get(name) if name else None

    def cluster(self, name: str) -> dict | None:
        return self._maps["clusters"].get(name)

    def user(self, name: str) -> dict | None:
        return self._maps["users"].get(name)

    def default_file(self) -> str:
        """Where clientcmd writes something new: the explicit file, else the first existing
        file of the list, else the first of the list."""
        if self.explicit:
            return self.paths[0]
        for p in self.paths:
            if p and p in self._files:
                return p
        return self.paths[0]

    def file_for(self, section: str, name: str = "") -> str:
        """The file a write to `section` entry `name` goes to, as `kubectl config set-*` picks it:
        the file that defines it, else default_file(). Section "current-context": the first file
        that sets one."""
        if self.explicit:
            return self.paths[0]
        if section == "current-context":
            for p in self.paths:
                if (self._files.get(p) or {}).get("current-context"):
                    return p
            return self.default_file()
        return self._origin.get((section, name)) or self.default_file()


def _resolve_paths(section: str, body: dict, path: str) -> None:
    # clientcmd resolves relative file references against the kubeconfig's own directory.
    base = os.path.dirname(os.path.abspath(path))
    for key in _PATH_FIELDS.get(section, ()):
        v = body.get(key)
        if isinstance(v, str) and v and not os.path.isabs(v):
            body[key] = os.path.join(base, v)


def local_cluster_name(cluster_entry: dict | None) -> str | None:
    """The pykubectl cluster a kubeconfig cluster entry points at, or None for a real cluster."""
    for ext in (cluster_entry or {}).get("extensions") or []:
        if isinstance(ext, dict) and ext.get("name") == LOCAL_EXTENSION:
            body = ext.get("extension")
            if isinstance(body, dict) and isinstance(body.get("cluster"), str):
                return body["cluster"]
    return None


def local_cluster_extension(name: str) -> list[dict]:
    """The `extensions` value that marks a kubeconfig cluster entry as pykubectl's `name`."""
    return [{"name": LOCAL_EXTENSION, "extension": {"cluster": name}}]


# -- writing -----------------------------------------------------------------------------------

def empty_config() -> dict:
    return {"apiVersion": "v1", "kind": "Config", "preferences": {}, "clusters": [], "users": [],
            "contexts": [], "current-context": ""}


def dump(config: dict) -> str:
    """Serialize like `kubectl config view --raw`: sorted keys, block style, empty lists `null`."""
    import yaml

    out = dict(config)
    for section in SECTIONS:
        if not out.get(section):
            out[section] = None
    out.setdefault("current-context", "")
    out.setdefault("preferences", {})
    return yaml.dump(out, Dumper=_dumper(), default_flow_style=False, sort_keys=True,
                     allow_unicode=True, indent=2)


_DUMPER = None


def _dumper():
    """A dumper whose string quoting follows goyaml v2: double quotes for a string that would
    read back as another type, a literal block for multi-line text, else plain (or single quotes
    when plain is impossible, the emitter's own choice, same as libyaml's)."""
    import yaml

    global _DUMPER
    if _DUMPER is not None:
        return _DUMPER
    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    resolver = yaml.resolver.Resolver()
    extra = re.compile(r"^(?:y|Y|n|N|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$")

    class Dumper(base):
        pass

    def represent_str(dumper, s):
        tag = resolver.resolve(yaml.ScalarNode, s, (True, False))
        if tag != "tag:yaml.org,2002:str" or extra.match(s):
            style = '"'
        elif "\n" in s:
            style = "|"
        else:
            style = None
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)

    Dumper.add_representer(str, represent_str)
    _DUMPER = Dumper
    return Dumper


def _locked_update(path: str, change) -> None:
    """Read-modify-write `path` under an exclusive flock on a sibling lock file."""
    import fcntl

    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    # Not "<file>.lock": kubectl creates that one with O_EXCL and would refuse to run while it
    # exists, so pykubectl's long-lived lock file must not take its name.
    lock_path = os.path.join(directory, "." + os.path.basename(path) + ".pykubectl-lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        text = _read(path)
        data = parse(text) if text else {}
        config = empty_config()
        config.update(data)
        change(config)
        # kubectl converts the lists to maps and back, so it always writes them sorted by name,
        # and marshals each entry from its Go struct (see _normalize).
        for section in (*SECTIONS, "extensions"):
            if config.get(section):
                entries = [_normalize(section, e) for e in config[section] if isinstance(e, dict)]
                config[section] = sorted(entries, key=lambda e: e["name"])
        _write_atomic(path, dump(config))
    finally:
        os.close(fd)  # closing releases the flock


def _write_atomic(path: str, text: str) -> None:
    import tempfile

    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fchmod(f.fileno(), 0o600)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the rename is done either way


# Fields of the v1 structs marshalled without `omitempty`: always written, even when empty.
_ALWAYS = {"clusters": {"server": ""}, "contexts": {"cluster": "", "user": ""}}


def _normalize(section: str, entry: dict) -> dict:
    """An entry as encoding/json writes it from the v1 struct: empty `omitempty` fields dropped,
    the others present."""
    body = entry.get(_BODY[section])
    if section == "extensions":
        return {"name": entry.get("name") or "", "extension": body}
    body = dict(body) if isinstance(body, dict) else {}
    always = _ALWAYS.get(section, {})
    body = {k: v for k, v in body.items() if k in always or v not in ("", False, None, [], {})}
    for k, v in always.items():
        if body.get(k) is None:
            body[k] = v
    return {"name": entry.get("name") or "", _BODY[section]: body}


def _put(config: dict, section: str, name: str, body: dict) -> None:
    entries = [e for e in config.get(section) or [] if not (isinstance(e, dict) and e.get("name") == name)]
    entries.append({"name": name, _BODY[section]: body})
    config[section] = entries


def upsert(path: str, *, cluster: tuple[str, dict] | None = None, user: tuple[str, dict] | None = None,
           context: tuple[str, dict] | None = None, current_context: str | None = None) -> None:
    """Add or replace named entries (and optionally current-context) in one kubeconfig file."""
    def change(config):
        for section, item in (("clusters", cluster), ("users", user), ("contexts", context)):
            if item is not None:
                _put(config, section, item[0], item[1])
        if current_context is not None:
            config["current-context"] = current_context

    _locked_update(path, change)


def remove(path: str, *, clusters=(), users=(), contexts=()) -> None:
    """Delete named entries from one kubeconfig file; current-context is cleared if it named
    a removed context."""
    def change(config):
        for section, names in (("clusters", clusters), ("users", users), ("contexts", contexts)):
            names = set(names)
            config[section] = [e for e in config.get(section) or []
                               if not (isinstance(e, dict) and e.get("name") in names)]
        if config.get("current-context") in set(contexts):
            config["current-context"] = ""

    _locked_update(path, change)
