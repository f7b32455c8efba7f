"""kubectl's -o yaml, -o json and -o name, byte for byte.

-o yaml: sigs.k8s.io/yaml marshals the object to JSON, reads that back with go-yaml v2 and
emits it. So keys are sorted (go-yaml's natural order: `p9` before `p10`), sequences under a
key are not indented, strings are quoted exactly when go-yaml's resolver would read them back
as something else (`"80"`, `"true"`, `"y"`, `""`, timestamps, `"1:20"`), text with a newline
is a literal block, and long plain text folds at 80 columns. libyaml (PyYAML's emitter, from
which go-yaml was ported) makes the same layout decisions, so only the resolver and the key
order are ours.

-o json: kubectl prints what it decoded from the server (unstructured maps), so keys are
sorted, indented by 4 spaces, with Go's escaping of <, > and & and its float formatting; one
trailing newline.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.encoder import _make_iterencode, encode_basestring  # type: ignore[attr-defined]

from pykubectl.printers.tables import go_float, go_json_float

# ---------------------------------------------------------------- YAML (go-yaml v2 rules)

_BOOL_NULL = frozenset("""y Y yes Yes YES n N no No NO true True TRUE false False FALSE
    on On ON off Off OFF ~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF
    -.inf -.Inf -.INF""".split())
_HINTED = frozenset("+-0123456789yYnNtTfFoO~.")
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_DOT_FLOAT = re.compile(r"^\.[0-9]+([eE][-+]?[0-9]+)?$")
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-]\d{2}:\d{2})"
    r"| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?)?$")
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def _go_parses_int(plain: str) -> bool:
    """strconv.ParseInt(plain, 0, 64) or ParseUint(plain, 0, 64) succeeds."""
    sign = plain[:1] in ("+", "-")
    s = plain[1:] if sign else plain
    if not s:
        return False
    base = 10
    if s[0] == "0":
        if len(s) >= 3 and s[1] in "bB":
            base, s = 2, s[2:]
        elif len(s) >= 3 and s[1] in "oO":
            base, s = 8, s[2:]
        elif len(s) >= 3 and s[1] in "xX":
            base, s = 16, s[2:]
        else:
            base, s = 8, s[1:]
    if not all(ch in _DIGITS[base] for ch in s):
        return False
    n = int(s, base) if s else 0
    if plain.startswith("-"):
        return n <= 2 ** 63
    return n < 2 ** 63 or (not sign and n < 2 ** 64)


def _go_timestamp(s: str) -> bool:
    m = _TIMESTAMP.match(s)
    if not m:
        return False
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1 <= month <= 12:
        return False
    import calendar
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    hms = [g for g in m.groups()[3:] if g is not None]
    if hms:
        h, mi, sec = (int(x) for x in hms)
        if h > 23 or mi > 59 or sec > 59:
            return False
    return True


def _go_resolves_to_non_string(s: str) -> bool:
    """Whether go-yaml v2's resolver would read `s`, unquoted, as anything but a string."""
    if s == "":
        return True  # null
    hint = s[0]
    if hint not in _HINTED:
        return False
    if s in _BOOL_NULL:
        return True
    if hint == ".":
        return bool(_DOT_FLOAT.match(s))
    if hint in "yYnNtTfFoO~":
        return False
    if _go_timestamp(s):
        return True
    plain = s.replace("_", "")
    return _go_parses_int(plain) or bool(_YAML_FLOAT.match(plain))


def _str_style(s: str) -> str | None:
    if "\n" in s:
        return "|"
    if s and s[0] not in _HINTED:
        return None  # cannot resolve to anything but a string (the common case)
    if _go_resolves_to_non_string(s) or (":" in s and _BASE60_FLOAT.match(s)):
        return '"'
    return None  # plain; the emitter falls back to quotes when plain is not allowed


def _cmp_go_keys(a: str, b: str) -> int:
    """go-yaml v2's keyList.Less for two strings: letters sort before other runes, and runs of
    digits compare as numbers (`a9` < `a10`). Digit values use Go's `r - '0'` arithmetic."""
    ar, br = a, b
    for i in range(min(len(ar), len(br))):
        if ar[i] == br[i]:
            continue
        al, bl = ar[i].isalpha(), br[i].isalpha()
        if al and bl:
            return -1 if ar[i] < br[i] else 1
        if al or bl:
            return -1 if bl else 1
        an = bn = 0
        if ar[i] == "0" or br[i] == "0":
            j = i - 1
            while j >= 0 and ar[j].isdecimal():
                if ar[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(ar) and ar[ai].isdecimal():
            an = an * 10 + (ord(ar[ai]) - 48)
            ai += 1
        bi = i
        while bi < len(br) and br[bi].isdecimal():
            bn = bn * 10 + (ord(br[bi]) - 48)
            bi += 1
        if an != bn:
            return -1 if an < bn else 1
        if ai != bi:
            return -1 if ai < bi else 1
        return -1 if ar[i] < br[i] else 1
    if len(ar) != len(br):
        return -1 if len(ar) < len(br) else 1
    return 0


def _sorted_keys(mapping: dict) -> list:
    keys = list(mapping)
    if all(isinstance(k, str) and k.isascii() and k.isalpha() for k in keys):
        return sorted(keys)  # letters only: go-yaml's order is plain rune order
    import functools
    return sorted(keys, key=functools.cmp_to_key(lambda a, b: _cmp_go_keys(str(a), str(b))))


def _yaml_float(v: float) -> str:
    s = go_float(v)
    return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(s, s)


def _emitter_and_events():
    """PyYAML's emitter and event classes, imported on first use: ~10 ms that only -o yaml pays
    (a `create` that prints `configmap/x created` imports this module too)."""
    import yaml.events
    try:
        from yaml._yaml import CEmitter as emitter  # libyaml: what go-yaml was ported from
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        from yaml.emitter import Emitter as emitter
    return emitter, yaml.events


def _emit_value(emit, v, ev) -> None:
    """Events for one value. Every scalar is an untagged, implicit scalar whose style we pick:
    the emitter then adds no tag, and only downgrades plain to quoted where YAML requires."""
    if isinstance(v, str):
        emit(ev.ScalarEvent(None, None, (True, True), v, style=_str_style(v)))
    elif isinstance(v, dict):
        emit(ev.MappingStartEvent(None, None, True, flow_style=False))
        for k in _sorted_keys(v):
            _emit_value(emit, k if isinstance(k, str) else str(k), ev)
            _emit_value(emit, v[k], ev)
        emit(ev.MappingEndEvent())
    elif isinstance(v, (list, tuple)):
        emit(ev.SequenceStartEvent(None, None, True, flow_style=False))
        for item in v:
            _emit_value(emit, item, ev)
        emit(ev.SequenceEndEvent())
    else:
        if v is None:
            text = "null"
        elif isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, int):
            text = str(v)
        elif isinstance(v, float):
            text = _yaml_float(v)
        else:
            raise TypeError(f"cannot print {type(v).__name__} as YAML")
        emit(ev.ScalarEvent(None, None, (True, True), text))


def to_yaml(obj) -> str:
    """kubectl -o yaml."""
    import io
    stream = io.StringIO()
    emitter_class, ev = _emitter_and_events()
    emitter = emitter_class(stream, allow_unicode=True, width=80, indent=2)
    emit = emitter.emit
    emit(ev.StreamStartEvent())
    emit(ev.DocumentStartEvent(explicit=False))
    _emit_value(emit, obj, ev)
    emit(ev.DocumentEndEvent(explicit=False))
    emit(ev.StreamEndEvent())
    text = stream.getvalue()
    # libyaml ends a document whose last scalar keeps its trailing newlines (`|+`) with an
    # explicit "..." marker; go-yaml (ported from an older libyaml) does not
    if text.endswith("\n...\n"):
        text = text[:-4]
    return text


# ---------------------------------------------------------------- JSON (encoding/json rules)

class _GoJSONEncoder(json.JSONEncoder):
    """MarshalIndent(obj, "", "    ") of decoded JSON: sorted keys, Go's float text."""

    def iterencode(self, o, _one_shot=False):
        return _make_iterencode({}, self.default, encode_basestring, "    ", go_json_float,
                                ": ", ",", True, False, _one_shot)(o, 0)


_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_HTML_RE = re.compile("[<>&\u2028\u2029]")


def to_json(obj) -> str:
    """kubectl -o json."""
    text = "".join(_GoJSONEncoder().iterencode(obj))
    # these characters can only occur inside strings, so a global replace is exact
    if _HTML_RE.search(text):
        text = _HTML_RE.sub(lambda m: _HTML_ESCAPES[m.group()], text)
    return text + "\n"


# ---------------------------------------------------------------- lists and names

def as_list(objs: list[dict]) -> dict:
    """Several objects as kubectl prints them with -o yaml/json."""
    return {"apiVersion": "v1", "items": list(objs), "kind": "List",
            "metadata": {"resourceVersion": ""}}


def list_pieces(fmt: str, items, resource_version) -> Iterator[str]:
    """to_json / to_yaml (fmt) of as_list(items) with metadata.resourceVersion
    `resource_version()` (asked once the items are done), text piece by piece: one per item,
    each rendered where the whole list would render it, so no more than one is held."""
    render = to_json if fmt == "json" else to_yaml
    items = iter(items)
    first = next(items, None)
    if first is None:
        yield render(dict(as_list([]), metadata={"resourceVersion": resource_version()}))
        return
    if fmt == "json":
        # {"items": [X]} is '{\n    "items": [\n' X '\n    ]\n}\n'; items join with ",\n"
        cut_head, cut_tail, sep, zero = len('{\n    "items": [\n'), -len('\n    ]\n}\n'), ",\n", "        0"
    else:
        # {"items": [X]} is 'items:\n' X; block sequence items follow each other
        cut_head, cut_tail, sep, zero = len("items:\n"), None, "", "- 0\n"

    def piece(obj) -> str:
        return render({"items": [obj]})[cut_head:cut_tail]

    def frame(rv: str) -> tuple[str, str]:
        head, _, tail = render(dict(as_list([0]), metadata={"resourceVersion": rv})).partition(zero)
        return head, tail
    yield frame("")[0] + piece(first)
    for obj in items:
        yield sep + piece(obj)
    yield frame(resource_version())[1]


def name_line(kind_group: str, obj: dict, operation: str = "") -> str:
    """-o name: `pod/x`, `deployment.apps/x` (and `deployment.apps/x created` with an
    operation), newline-terminated. kind_group is the GroupKind (`Deployment.apps`, `pod`);
    empty takes it from the object's kind and apiVersion."""
    if kind_group:
        kind, _, group = kind_group.partition(".")
    else:
        kind = obj.get("kind", "")
        api_version = obj.get("apiVersion", "")
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    if not kind:
        name = (obj.get("metadata") or {}).get("name", "")
        raise ValueError(f"missing kind for resource with name {name}")
    prefix = f"{kind.lower()}.{group}" if group else kind.lower()
    suffix = f" {operation}" if operation else ""
    return f"{prefix}/{(obj.get('metadata') or {}).get('name', '')}{suffix}\n"
