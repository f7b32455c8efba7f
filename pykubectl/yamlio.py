"""Reading manifests as Kubernetes does.

libyaml's C parser is required: the pure-Python scanner refuses a tab after a value (manifest
`01` has one), which kubectl's go-yaml accepts. Scalars resolve as YAML 1.1 minus timestamps:
sigs.k8s.io/yaml turns YAML into JSON, so an unquoted date stays a string. Duplicate keys are
recorded (the apiserver's strict decoding refuses them) instead of silently overwritten.
"""
from __future__ import annotations

import json

from pykubectl.api.errors import UserError


class ManifestError(UserError):
    """A document that is not YAML/JSON; message as kubectl prints it."""


_LOADER = None


def _loader_class():
    """The manifest loader, built on first use: importing PyYAML costs ~10 ms that a JSON
    manifest (and every command that reads none) need not pay."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml
    try:
        base = yaml.CSafeLoader
    except AttributeError as e:  # pragma: no cover - guarded by the package's requirements
        raise ImportError("pykubectl needs PyYAML built with libyaml (yaml.CSafeLoader)") from e

    class _Loader(base):
        def __init__(self, stream):
            super().__init__(stream)
            self._duplicates = []

    # drop the timestamp resolver: "2024-01-01" stays a string, as sigs.k8s.io/yaml keeps it
    _Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in lst if tag != "tag:yaml.org,2002:timestamp"]
        for ch, lst in base.yaml_implicit_resolvers.items()
    }
    _Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    _LOADER = _Loader
    return _Loader


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = {}
    for knode, vnode in node.value:
        key = loader.construct_object(knode, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            import yaml
            raise yaml.constructor.ConstructorError(None, None, "found unhashable key", knode.start_mark)
        if isinstance(key, bool):
            key = "true" if key else "false"
        elif not isinstance(key, str):
            key = str(key)
        if key in out:
            loader._duplicates.append((id(out), key))
        out[key] = loader.construct_object(vnode, deep=True)
    return out


def _walk_duplicates(obj, dupes: set, path: str, out: list):
    if isinstance(obj, dict):
        for k in dict.fromkeys(k for (i, k) in dupes if i == id(obj)):
            out.append(f"{path}.{k}" if path else k)
        for k, v in obj.items():
            _walk_duplicates(v, dupes, f"{path}.{k}" if path else k, out)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _walk_duplicates(v, dupes, f"{path}[{i}]", out)


def load_documents(text: str, source: str = "") -> list[tuple[dict, list[str]]]:
    """Every non-empty document as (object, duplicate field paths). `kind: List` is kept whole."""
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            obj = json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_not_json)
        except ValueError:
            pass  # YAML is a superset: let the YAML parser word the error
        else:
            docs = obj if isinstance(obj, list) else [obj]
            return [(_strip_dupes(d), _json_dupes(d)) for d in docs if d]
    import yaml
    loader = _loader_class()(text)
    out = []
    try:
        while loader.check_data():
            loader._duplicates = []
            doc = loader.get_data()
            if doc is None:
                continue
            dupes: list[str] = []
            _walk_duplicates(doc, set(loader._duplicates), "", dupes)
            out.append((doc, dupes))
    except yaml.YAMLError as e:
        raise ManifestError(_yaml_error(e, source)) from None
    finally:
        loader.dispose()
    return out


def _yaml_error(e, source: str) -> str:
    import yaml
    if isinstance(e, yaml.reader.ReaderError):
        # go-yaml's words for what libyaml's reader refuses
        why = "control characters are not allowed" if isinstance(e.character, str) and e.character < " " \
            else "invalid leading UTF-8 octet"
        return f"error converting YAML to JSON: yaml: {why}"
    mark = getattr(e, "problem_mark", None)
    line = mark.line + 1 if mark else 0
    problem = getattr(e, "problem", None) or str(e)
    where = f' "{source}"' if source else ""
    return f"error converting YAML to JSON: yaml: line {line}: {problem}{where and ''}"


def _not_json(name: str):
    # NaN / Infinity are Python's extensions of JSON: as YAML they are plain strings
    raise ValueError(name)


class _DupDict(dict):
    pass


def _json_pairs(pairs):
    d = _DupDict()
    dup = []
    for k, v in pairs:
        if k in d:
            dup.append(k)
        d[k] = v
    if dup:
        d._dup = dup
    return d


def _json_dupes(obj, path="") -> list[str]:
    out = []
    if isinstance(obj, dict):
        for k in getattr(obj, "_dup", ()):
            out.append(f"{path}.{k}" if path else k)
        for k, v in obj.items():
            out += _json_dupes(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _json_dupes(v, f"{path}[{i}]")
    return out


def _strip_dupes(obj):
    if isinstance(obj, dict):
        return {k: _strip_dupes(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_strip_dupes(v) for v in obj]
    return obj


def load_one(text: str):
    """A single YAML value (kubeconfig, patch bodies): plain data, no duplicate tracking."""
    if text.lstrip().startswith(("{", "[")):
        try:   # JSON (most patch bodies) without importing PyYAML
            return json.loads(text, parse_constant=_not_json)
        except ValueError:
            pass  # YAML is a superset: flow style, comments
    import yaml
    try:
        return yaml.load(text, Loader=_loader_class())
    except yaml.YAMLError as e:
        raise ManifestError(_yaml_error(e, "")) from None
