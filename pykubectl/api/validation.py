"""Validation as the v1.32 apiserver does it, in two layers, both pure.

1. Decoding (`check_fields`): the request body against the official schemas, the way
   sigs.k8s.io/json decodes into the Go types. Unknown and duplicate fields are *strict* errors
   (refused under `fieldValidation=Strict`, warnings under `Warn`, dropped under `Ignore`); a value
   of the wrong JSON type is a decode error that no mode forgives.
2. Values (`validate`): the per-kind rules of pkg/apis/*/validation and apimachinery's name
   rules, with their wording, returning `FieldError`s the caller turns into a 422 Invalid.

The schemas' `required` lists are not used: the server enforces its own rules (a StatefulSet
without `serviceName` is valid). Fields the apiserver defaults (restartPolicy, protocol, type,
...) are checked only when present, so an object validates the same before and after defaulting.
"""
from __future__ import annotations

import functools
import re

from pykubectl.api.errors import FieldError, StatusError, bad_request
from pykubectl.api.typenames import json_kind

# =============================================================================================
# Layer 1: decoding
# =============================================================================================

# Types with their own UnmarshalJSON: their errors abort decoding and carry their own wording.
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_TIMES = ("io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime")
_ANY = ("io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray")
_INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}
_TYPE_AND_OBJECT_META = {
    "apiVersion": {"type": "string"}, "kind": {"type": "string"},
    "metadata": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}}
_MAX_STRICT_ERRORS = 100      # sigs.k8s.io/json stops collecting strict errors here


class _Abort(Exception):
    """An UnmarshalJSON error: decoding stops and this message is the whole error."""


class _Decoder:
    def __init__(self, typed: bool, duplicates):
        self.typed = typed                      # built-in kinds: report Go type errors too
        self.dups = list(dict.fromkeys(duplicates or ()))
        self.strict: list[str] = []
        self.type_error: str | None = None      # the first saved error, as decodeState.savedError

    def strict_error(self, msg: str):
        if msg not in self.strict and len(self.strict) < _MAX_STRICT_ERRORS:
            self.strict.append(msg)

    def save(self, value, go_type: str, struct: str | None, stack: list[str]):
        if self.type_error is None and self.typed:
            self.type_error = _type_error(value, go_type, struct, stack)


def _type_error(value: str, go_type: str, struct: str | None, stack: list[str]) -> str:
    """UnmarshalTypeError.Error(), with the context addErrorContext gives it."""
    where = f"Go struct field {struct}.{'.'.join(stack)}" if struct or stack else "Go value"
    return f"json: cannot unmarshal {value} into {where} of type {go_type}"


def _node(raw: dict | None) -> tuple[str | None, dict | None]:
    """(definition name, schema) of a property schema, following `$ref` / single `allOf`."""
    from pykubectl.api import schema as S
    name = None
    for _ in range(10):
        if raw is None:
            return name, None
        if "$ref" in raw:
            name = S.ref_name(raw["$ref"])
            raw = S.definition(name)
        elif "allOf" in raw and len(raw["allOf"]) == 1:
            raw = raw["allOf"][0]
        else:
            break
    return name, raw


def _type_of(sch: dict) -> str | None:
    t = sch.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t is None and "properties" in sch:
        return "object"
    return t


def _is_stringish(v) -> bool:
    # YAML timestamps arrive as datetime/date; kubectl sends them to the server as strings
    import datetime
    return isinstance(v, (str, datetime.date))


def _go_type(name: str | None, sch: dict | None) -> str:
    """The Go type a schema decodes into, as reflect.Type.String() prints it."""
    if name and sch is not None and _type_of(sch) == "object" and sch.get("properties"):
        return f"{name.rsplit('.', 2)[-2]}.{name.rsplit('.', 1)[-1]}"
    if name == _QUANTITY:
        return "resource.Quantity"
    if sch is None:
        return "interface {}"
    t = _type_of(sch)
    if t == "array":
        return "[]" + _go_type(*_node(sch.get("items")))
    if t == "object":
        ap = sch.get("additionalProperties")
        if isinstance(ap, dict):
            iname, isch = _node(ap)
            if iname == _QUANTITY:
                return "v1.ResourceList"
            return "map[string]" + _go_type(iname, isch)
        return "map[string]interface {}"
    if t == "string":
        return "[]uint8" if sch.get("format") == "byte" else "string"
    if t == "integer":
        return sch.get("format") or "int"
    if t == "number":
        return "float64"
    if t == "boolean":
        return "bool"
    return "interface {}"


def _number_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return repr(v) if isinstance(v, float) else str(v)


def _go_base64_error(s: str) -> str | None:
    """base64.StdEncoding's CorruptInputError for `s`, or None when it decodes."""
    import base64
    import binascii
    data = s.replace("\r", "").replace("\n", "")
    for i, c in enumerate(data):
        if not (c.isascii() and (c.isalnum() or c in "+/=")):
            return f"illegal base64 data at input byte {i}"
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        pad = data.find("=")
        at = pad if 0 <= pad < len(data) - 2 or (pad >= 0 and len(data) % 4) else len(data) - len(data) % 4
        return f"illegal base64 data at input byte {at}"
    return None


_NO = object()   # no stored value at this place


def _walk(d: _Decoder, v, name, sch, spath: str, struct, stack, old=_NO):
    if v is None:
        return          # null decodes to the zero value anywhere
    if old is not _NO and type(old) is type(v) and old == v:
        return          # as stored (a patch's untouched part): decoded when it was written
    if name == _QUANTITY:
        if isinstance(v, (dict, list, bool)) or not (_is_stringish(v) or isinstance(v, (int, float))):
            from pykubectl.api.quantity import ERR_FORMAT_WRONG
            raise _Abort(ERR_FORMAT_WRONG)
        from pykubectl.api.quantity import QuantityError, parse_quantity
        try:
            parse_quantity(v.strip() if isinstance(v, str) else v)
        except QuantityError as e:
            raise _Abort(str(e)) from None
        return
    # IntOrString and Time unmarshal through encoding/json; its UnmarshalTypeError aborts decoding
    # and then gets the field context of where it happened
    if name == _INT_OR_STRING:
        if isinstance(v, str):
            return
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _Abort(_type_error(json_kind(v), "int32", struct, stack))
        lo, hi = _INT_RANGES["int32"]
        if (isinstance(v, float) and not v.is_integer()) or not lo <= v <= hi:
            raise _Abort(_type_error(f"number {_number_text(v)}", "int32", struct, stack))
        return
    if name in _TIMES:
        if not _is_stringish(v):
            raise _Abort(_type_error(json_kind(v), "string", struct, stack))
        return
    if name in _ANY or sch is None:
        return
    if sch.get("x-kubernetes-int-or-string"):
        return
    t = _type_of(sch)
    if t is None:
        return
    if t == "object":
        if not isinstance(v, dict):
            d.save(json_kind(v), _go_type(name, sch), struct, stack)
            return
        props = sch.get("properties")
        if props:
            here = name.rsplit(".", 1)[-1] if name else struct
            preserve = sch.get("x-kubernetes-preserve-unknown-fields")
            olds = old if isinstance(old, dict) else {}
            for key, val in v.items():
                path = f"{spath}.{key}" if spath else key
                if key in props:
                    cname, csch = _node(props[key])
                    _walk(d, val, cname, csch, path, here, stack + [key], olds.get(key, _NO))
                    if path in d.dups:
                        d.dups.remove(path)
                        d.strict_error(f'duplicate field "{path}"')
                elif not preserve:
                    d.strict_error(f'unknown field "{path}"')
                    d.dups = [p for p in d.dups if not (p == path or p.startswith(path + ".")
                                                         or p.startswith(path + "["))]
            return
        ap = sch.get("additionalProperties")
        if isinstance(ap, dict):
            cname, csch = _node(ap)
            for key, val in v.items():
                path = f"{spath}.{key}" if spath else key
                _walk(d, val, cname, csch, path, struct, stack)
                if path in d.dups:
                    d.dups.remove(path)
                    d.strict_error(f'duplicate field "{path}"')
        return
    if t == "array":
        if not isinstance(v, list):
            if not (isinstance(v, str) and sch.get("format") == "byte"):
                d.save(json_kind(v), _go_type(name, sch), struct, stack)
            return
        iname, isch = _node(sch.get("items"))
        for i, item in enumerate(v):
            _walk(d, item, iname, isch, f"{spath}[{i}]", struct, stack)
        return
    if t == "string":
        if not _is_stringish(v):
            d.save(json_kind(v), _go_type(name, sch), struct, stack)
        elif sch.get("format") == "byte" and isinstance(v, str) and d.typed and d.type_error is None:
            d.type_error = _go_base64_error(v)
        return
    if t == "integer":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            d.save(json_kind(v), _go_type(name, sch), struct, stack)
            return
        lo, hi = _INT_RANGES.get(sch.get("format"), _INT_RANGES["int64"])
        if (isinstance(v, float) and not v.is_integer()) or not lo <= v <= hi:
            d.save(f"number {_number_text(v)}", _go_type(name, sch), struct, stack)
        return
    if t == "number":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            d.save(json_kind(v), "float64", struct, stack)
        return
    if t == "boolean":
        if not isinstance(v, bool):
            d.save(json_kind(v), "bool", struct, stack)


def _decode_failure(obj: dict, err: str) -> StatusError:
    # handlers.transformDecodeError
    kind = obj.get("kind") or ""
    version = str(obj.get("apiVersion") or "").rsplit("/", 1)[-1]
    return bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {err}')


def check_fields(obj: dict, schema: dict | None, mode: str, duplicates=(), old: dict | None = None) -> list[str]:
    """Decode `obj` against its kind's schema as the apiserver would.

    Returns the warnings (`unknown field "spec.bar"`) under `Warn`; raises a 400 BadRequest
    StatusError for a strict error under `Strict` and for a mistyped field under any mode.
    `old`: the stored object a patch was applied to; fields equal to it are not walked again.
    """
    if schema is None:
        return []
    typed = bool(schema.get("x-kubernetes-group-version-kind"))
    if not typed:
        # a custom resource's schema need not describe TypeMeta and ObjectMeta; the server does
        schema = dict(schema, properties=dict(schema.get("properties") or {}, **_TYPE_AND_OBJECT_META))
    root = None
    if typed:
        from pykubectl.api import schema as S
        gvk = schema["x-kubernetes-group-version-kind"][0]
        root = S.definition_name(gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
    d = _Decoder(typed, duplicates)
    try:
        _walk(d, obj, root, schema, "", None, [], _NO if old is None else old)
    except _Abort as e:
        raise _decode_failure(obj, str(e)) from None
    if d.type_error:
        raise _decode_failure(obj, d.type_error)
    for p in d.dups:          # duplicates the walk did not reach (e.g. under a free-form field)
        d.strict_error(f'duplicate field "{p}"')
    if not d.strict or mode == "Ignore":
        return []
    if mode == "Warn":
        return list(d.strict)
    raise _decode_failure(obj, "strict decoding error: " + ", ".join(d.strict))


# =============================================================================================
# Names and keys (apimachinery pkg/util/validation, pkg/api/validation/path)
# =============================================================================================

def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    eg = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {eg}regex used for validation is '{fmt}')"


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                      "or '-', and must start and end with an alphanumeric character")
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                          "characters, '-' or '.', and must start and end with an alphanumeric character")
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                      "start with an alphabetic character, and end with an alphanumeric character")
_WILDCARD_FMT = r"\*\." + _DNS1123_SUBDOMAIN_FMT
_WILDCARD_MSG = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
                 "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                 "alphanumeric character")
_QUALIFIED_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                  "with an alphanumeric character")
_LABEL_VALUE_FMT = "(" + _QUALIFIED_FMT + ")?"
_LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, "
                    "'-', '_' or '.', and must start and end with an alphanumeric character")
_CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"


@functools.lru_cache(maxsize=None)
def _regex(fmt: str):
    # compiled on first use: most commands never validate anything
    return re.compile(fmt)


def _match(fmt: str, v: str) -> bool:
    return _regex(fmt).fullmatch(v) is not None


def dns1123_label(v: str) -> list[str]:
    errs = []
    if len(v) > 63:
        errs.append(_max_len(63))
    if not _match(_DNS1123_LABEL_FMT, v):
        errs.append(_regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def dns1123_subdomain(v: str) -> list[str]:
    errs = []
    if len(v) > 253:
        errs.append(_max_len(253))
    if not _match(_DNS1123_SUBDOMAIN_FMT, v):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def dns1035_label(v: str) -> list[str]:
    errs = []
    if len(v) > 63:
        errs.append(_max_len(63))
    if not _match(_DNS1035_LABEL_FMT, v):
        errs.append(_regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def wildcard_dns1123_subdomain(v: str) -> list[str]:
    errs = []
    if len(v) > 253:
        errs.append(_max_len(253))
    if not _match(_WILDCARD_FMT, v):
        errs.append(_regex_error(_WILDCARD_MSG, _WILDCARD_FMT, "*.example.com"))
    return errs


def path_segment_name(v: str) -> list[str]:
    if v in (".", ".."):
        return [f"may not be '{v}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in v]


def qualified_name(v: str) -> list[str]:
    """validation.IsQualifiedName: label keys, annotation keys, finalizers, resource names."""
    errs = []
    parts = v.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + m for m in dns1123_subdomain(prefix)]
    else:
        return ["a qualified name " + _regex_error(_QUALIFIED_MSG, _QUALIFIED_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len(63))
    if not _match(_QUALIFIED_FMT, name):
        errs.append("name part " + _regex_error(_QUALIFIED_MSG, _QUALIFIED_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value(v: str) -> list[str]:
    """validation.IsValidLabelValue."""
    errs = []
    if len(v) > 63:
        errs.append(_max_len(63))
    if not _match(_LABEL_VALUE_FMT, v):
        errs.append(_regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def config_map_key(v: str) -> list[str]:
    errs = []
    if len(v) > 253:
        errs.append(_max_len(253))
    if not _match(_CONFIG_KEY_FMT, v):
        errs.append(_regex_error(_CONFIG_KEY_MSG, _CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if v == ".":
        errs.append("must not be '.'")
    elif v == "..":
        errs.append("must not be '..'")
    elif v.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def port_name(v: str) -> list[str]:
    errs = []
    if len(v) > 15:
        errs.append(_max_len(15))
    if not re.fullmatch(r"[-a-z0-9]+", v):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", v):
        errs.append("must contain at least one letter (a-z)")
    if "--" in v:
        errs.append("must not contain consecutive hyphens")
    if v and (v[0] == "-" or v[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def port_num(v) -> list[str]:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 65535:
        return ["must be between 1 and 65535, inclusive"]
    return []


# Which rule names an object of each kind (the nameFn each Validate<Kind> passes to ValidateObjectMeta).
_NAME_RULES = {
    "Namespace": dns1123_label, "Service": dns1035_label,
    "Role": path_segment_name, "ClusterRole": path_segment_name,
    "RoleBinding": path_segment_name, "ClusterRoleBinding": path_segment_name,
}


def check_name(name: str, kind: str) -> list[str]:
    """The messages for an invalid `metadata.name` of `kind` (empty when valid)."""
    errs = _NAME_RULES.get(kind, dns1123_subdomain)(name)
    if kind == "CronJob" and len(name) > 52:
        # the Job names it creates append an 11-character suffix
        errs.append("must be no more than 52 characters")
    return errs


# =============================================================================================
# Helpers: errors, Go value printing, paths
# =============================================================================================

class _Go:
    """A value printed the way Go's %#v prints it (FieldError prints str() of non-strings)."""
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self):
        return self.text


def _q(s) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _go_string_map(m) -> _Go:
    if m is None:
        return _Go("map[string]string(nil)")
    return _Go("map[string]string{" + ", ".join(f"{_q(k)}:{_q(v)}" for k, v in sorted(m.items())) + "}")


def _go_strings(xs) -> str:
    if xs is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(_q(x) for x in xs) + "}"


def _go_label_selector(sel: dict) -> _Go:
    ml = sel.get("matchLabels")
    exprs = sel.get("matchExpressions")
    if exprs is None:
        me = "[]v1.LabelSelectorRequirement(nil)"
    else:
        me = "[]v1.LabelSelectorRequirement{" + ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{_q(e.get('key', ''))}, Operator:{_q(e.get('operator', ''))}, "
            f"Values:{_go_strings(e.get('values'))}}}" for e in exprs) + "}"
    return _Go(f"v1.LabelSelector{{MatchLabels:{_go_string_map(ml).text}, MatchExpressions:{me}}}")


def required(path: str, detail: str = "") -> FieldError:
    return FieldError("Required value", path, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError("Forbidden", path, detail)


def invalid(path: str, value, detail: str) -> FieldError:
    return FieldError("Invalid value", path, detail, value, True)


def not_supported(path: str, value, supported) -> FieldError:
    detail = "supported values: " + ", ".join(_q(s) for s in supported) if supported else ""
    return FieldError("Unsupported value", path, detail, value, True)


def duplicate(path: str, value) -> FieldError:
    return FieldError("Duplicate value", path, "", value, True)


def not_found(path: str, value) -> FieldError:
    return FieldError("Not found", path, "", value, True)


def too_long(path: str, max_bytes: int) -> FieldError:
    return FieldError("Too long", path, f"must have at most {max_bytes} bytes")


def _each(path: str, value, msgs) -> list[FieldError]:
    return [invalid(path, value, m) for m in msgs]


def _d(obj, *keys):
    """obj[k1][k2]... or None; tolerant of missing levels and nulls."""
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def _list(v) -> list:
    return v if isinstance(v, list) else []


def _map(v) -> dict:
    return v if isinstance(v, dict) else {}


def _nonneg(path: str, v) -> list[FieldError]:
    if isinstance(v, int) and not isinstance(v, bool) and v < 0:
        return [invalid(path, v, "must be greater than or equal to 0")]
    return []


def _quantity(v):
    """(value, canonical text) of a quantity, or None when it does not parse."""
    from pykubectl.api import quantity as Q
    try:
        return Q.parse_quantity(v), Q.canonical(v)
    except (Q.QuantityError, TypeError):
        return None


def _selector_matches(sel: dict, labels: dict) -> bool:
    for k, v in _map(sel.get("matchLabels")).items():
        if labels.get(k) != v:
            return False
    for e in _list(sel.get("matchExpressions")):
        key, op, vals = e.get("key"), e.get("operator"), _list(e.get("values"))
        if op == "In" and labels.get(key) not in vals:
            return False
        if op == "NotIn" and key in labels and labels[key] in vals:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


# =============================================================================================
# ObjectMeta
# =============================================================================================

_TOTAL_ANNOTATION_SIZE = 256 * 1024


def validate_labels(labels, path: str) -> list[FieldError]:
    errs = []
    for k, v in _map(labels).items():
        k = str(k)
        errs += _each(path, k, qualified_name(k))
        v = "" if v is None else str(v)        # a null map value decodes to ""
        errs += _each(path, v, label_value(v))
    return errs


def validate_annotations(annotations, path: str) -> list[FieldError]:
    errs, total = [], 0
    for k, v in _map(annotations).items():
        k = str(k)
        errs += _each(path, k, qualified_name(k.lower()))
        total += len(k) + len(str(v or ""))
    if total > _TOTAL_ANNOTATION_SIZE:
        errs.append(too_long(path, _TOTAL_ANNOTATION_SIZE))
    return errs


def validate_object_meta(meta: dict, namespaced: bool | None, path="metadata", kind: str = "") -> list[FieldError]:
    """ValidateObjectMeta: name (per `kind`'s rule), namespace, labels, annotations.

    `namespaced=None` checks a namespace's format only (the caller sets it from the request).
    """
    meta = _map(meta)
    errs = []
    name, gen = meta.get("name") or "", meta.get("generateName") or ""
    if gen:
        # a prefix may end in '-': maskTrailingDash, quirk included (it drops two characters)
        masked = gen[:-2] + "a" if len(gen) > 1 and gen.endswith("-") else gen
        errs += _each(f"{path}.generateName", gen, check_name(masked, kind))
    if not name:
        if not gen:
            errs.append(required(f"{path}.name", "name or generateName is required"))
    else:
        errs += _each(f"{path}.name", name, check_name(name, kind))
    ns = meta.get("namespace") or ""
    if namespaced:
        if not ns:
            errs.append(required(f"{path}.namespace"))
        else:
            errs += _each(f"{path}.namespace", ns, dns1123_label(ns))
    elif namespaced is False:
        if ns:
            errs.append(forbidden(f"{path}.namespace", "not allowed on this type"))
    elif ns:
        errs += _each(f"{path}.namespace", ns, dns1123_label(ns))
    errs += validate_labels(meta.get("labels"), f"{path}.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.annotations")
    # ValidateOwnerReferences reports at the list's path, without an index
    rp = f"{path}.ownerReferences"
    for ref in _list(meta.get("ownerReferences")):
        ref = _map(ref)
        if not str(ref.get("apiVersion") or "").rpartition("/")[2]:
            errs.append(invalid(f"{rp}.apiVersion", ref.get("apiVersion") or "", "version must not be empty"))
        for f in ("kind", "name", "uid"):
            if not ref.get(f):
                errs.append(invalid(f"{rp}.{f}", ref.get(f) or "", f"{f} must not be empty"))
    for f in _list(meta.get("finalizers")):
        errs += _each(f"{path}.finalizers", f, qualified_name(str(f)))
    return errs


def _validate_meta_update(new: dict, old: dict, path="metadata") -> list[FieldError]:
    errs = []
    for f in ("name", "namespace", "uid"):
        nv, ov = _d(new, f) or "", _d(old, f) or ""
        if f == "uid" and not nv:
            continue      # an update without a uid keeps the stored one
        if nv != ov:
            errs.append(invalid(f"{path}.{f}", nv, "field is immutable"))
    return errs


def _immutable(path: str, new, old, shown=None) -> list[FieldError]:
    if new != old:
        return [invalid(path, new if shown is None else shown, "field is immutable")]
    return []


# =============================================================================================
# Pods (pkg/apis/core/validation)
# =============================================================================================

_RESTART_POLICIES = ["Always", "OnFailure", "Never"]
_DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]
_PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                    "FileOrCreate", "Socket"]
_TOLERATION_OPS = ["Equal", "Exists"]
_TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]      # validateTaintEffect's order
_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


@functools.lru_cache(maxsize=None)
def _volume_sources(schema_name: str) -> tuple[str, ...]:
    """The volume-source fields of Volume / PersistentVolumeSpec, from the schema itself."""
    from pykubectl.api import schema as S
    props = (S.definition(schema_name) or {}).get("properties") or {}
    out = []
    for k, p in props.items():
        ref = _node(p)[0] or ""
        if ref.endswith("VolumeSource") or k in ("ephemeral", "local"):
            out.append(k)
    return tuple(out)


def _validate_volumes(vols, path: str) -> tuple[list[FieldError], set]:
    errs, names = [], set()
    sources = _volume_sources("io.k8s.api.core.v1.Volume")
    for i, vol in enumerate(_list(vols)):
        vp = f"{path}[{i}]"
        vol = _map(vol)
        name = vol.get("name") or ""
        if not name:
            errs.append(required(f"{vp}.name"))
        else:
            errs += _each(f"{vp}.name", name, dns1123_label(name))
            if name in names:
                errs.append(duplicate(f"{vp}.name", name))
        names.add(name)
        present = [s for s in sources if vol.get(s) is not None]
        if not present:
            errs.append(required(vp, "must specify a volume type"))
        for extra in present[1:]:
            errs.append(forbidden(f"{vp}.{extra}", "may not specify more than 1 volume type"))
        errs += _validate_volume_source(vol, vp)
    return errs, names


def _validate_volume_source(vol: dict, vp: str) -> list[FieldError]:
    errs = []
    hp = vol.get("hostPath")
    if isinstance(hp, dict):
        if not hp.get("path"):
            errs.append(required(f"{vp}.hostPath.path"))
        t = hp.get("type")
        if t is not None and t not in _HOST_PATH_TYPES:
            errs.append(not_supported(f"{vp}.hostPath.type", t, _HOST_PATH_TYPES))
    pvc = vol.get("persistentVolumeClaim")
    if isinstance(pvc, dict) and not pvc.get("claimName"):
        errs.append(required(f"{vp}.persistentVolumeClaim.claimName"))
    sec = vol.get("secret")
    if isinstance(sec, dict) and not sec.get("secretName"):
        errs.append(required(f"{vp}.secret.secretName"))
    cm = vol.get("configMap")
    if isinstance(cm, dict) and not cm.get("name"):
        errs.append(required(f"{vp}.configMap.name"))
    nfs = vol.get("nfs")
    if isinstance(nfs, dict):
        if not nfs.get("server"):
            errs.append(required(f"{vp}.nfs.server"))
        if not nfs.get("path"):
            errs.append(required(f"{vp}.nfs.path"))
        elif not str(nfs["path"]).startswith("/"):
            errs.append(invalid(f"{vp}.nfs.path", nfs["path"], "must be an absolute path"))
    return errs


def _port_num_or_name(path: str, port) -> list[FieldError]:
    if isinstance(port, str):
        msgs = port_name(port)
        return _each(path, port, msgs)
    # an absent IntOrString is the integer 0, which no rule accepts
    return _each(path, port or 0, port_num(port or 0))


def _validate_probe(probe, path: str, liveness_like: bool) -> list[FieldError]:
    if not isinstance(probe, dict):
        return []
    errs = []
    handlers = [h for h in ("exec", "httpGet", "tcpSocket", "grpc") if probe.get(h) is not None]
    if not handlers:
        errs.append(required(path, "must specify a handler type"))
    for extra in handlers[1:]:
        errs.append(forbidden(f"{path}.{extra}", "may not specify more than 1 handler type"))
    hg = probe.get("httpGet")
    if isinstance(hg, dict):
        errs += _port_num_or_name(f"{path}.httpGet.port", hg.get("port"))
        sch = hg.get("scheme")
        if sch is not None and sch not in ("HTTP", "HTTPS"):
            errs.append(not_supported(f"{path}.httpGet.scheme", sch, ["HTTP", "HTTPS"]))
    ts = probe.get("tcpSocket")
    if isinstance(ts, dict):
        errs += _port_num_or_name(f"{path}.tcpSocket.port", ts.get("port"))
    ex = probe.get("exec")
    if isinstance(ex, dict) and not ex.get("command"):
        errs.append(required(f"{path}.exec.command"))
    for f in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
              "failureThreshold", "terminationGracePeriodSeconds"):
        errs += _nonneg(f"{path}.{f}", probe.get(f))
    st = probe.get("successThreshold")
    if liveness_like and isinstance(st, int) and st != 1:
        errs.append(invalid(f"{path}.successThreshold", st, "must be 1"))
    return errs


def _validate_resources(res, path: str) -> list[FieldError]:
    errs = []
    res = _map(res)
    limits, requests = _map(res.get("limits")), _map(res.get("requests"))
    parsed_limits = {}
    for name, q in limits.items():
        lp = f"{path}.limits[{name}]"
        errs += _container_resource_name(name, lp)
        pq = _quantity(q)
        if pq is None:
            continue
        parsed_limits[name] = pq
        if pq[0] < 0:
            errs.append(invalid(lp, pq[1], "must be greater than or equal to 0"))
    for name, q in requests.items():
        rp = f"{path}.requests[{name}]"
        errs += _container_resource_name(name, rp)
        pq = _quantity(q)
        if pq is None:
            continue
        if pq[0] < 0:
            errs.append(invalid(rp, pq[1], "must be greater than or equal to 0"))
        lim = parsed_limits.get(name)
        if lim is None:
            continue
        overcommit = "/" not in name or name.startswith("kubernetes.io/")
        overcommit = overcommit and not name.startswith("hugepages-")
        if pq[0] != lim[0] and not overcommit:
            errs.append(invalid(f"{path}.requests", pq[1], f"must be equal to {name} limit of {lim[1]}"))
        elif pq[0] > lim[0]:
            errs.append(invalid(f"{path}.requests", pq[1],
                                f"must be less than or equal to {name} limit of {lim[1]}"))
    return errs


def _container_resource_name(name: str, path: str) -> list[FieldError]:
    errs = _each(path, name, qualified_name(name))
    if errs:
        return errs
    if "/" not in name:
        if name not in _STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            return [invalid(path, name, "must be a standard resource for containers")]
    return []


def _validate_containers(ctrs, path: str, volumes: set, names: set, init: bool) -> list[FieldError]:
    errs = []
    for i, c in enumerate(_list(ctrs)):
        cp = f"{path}[{i}]"
        c = _map(c)
        name = c.get("name") or ""
        if not name:
            errs.append(required(f"{cp}.name"))
        else:
            errs += _each(f"{cp}.name", name, dns1123_label(name))
            if name in names:
                errs.append(duplicate(f"{cp}.name", name))
        names.add(name)
        image = c.get("image")
        if not image:
            errs.append(required(f"{cp}.image"))
        elif image != image.strip():
            errs.append(invalid(f"{cp}.image", image, "must not have leading or trailing whitespace"))
        pp = c.get("imagePullPolicy")
        if pp is not None and pp not in _PULL_POLICIES:
            errs.append(not_supported(f"{cp}.imagePullPolicy", pp, _PULL_POLICIES))
        errs += _validate_container_ports(c.get("ports"), f"{cp}.ports")
        for j, env in enumerate(_list(c.get("env"))):
            if not _map(env).get("name"):
                errs.append(required(f"{cp}.env[{j}].name"))
        for j, vm in enumerate(_list(c.get("volumeMounts"))):
            vm = _map(vm)
            mp = f"{cp}.volumeMounts[{j}]"
            if not vm.get("name"):
                errs.append(required(f"{mp}.name"))
            elif vm["name"] not in volumes:
                errs.append(not_found(f"{mp}.name", vm["name"]))
            if not vm.get("mountPath"):
                errs.append(required(f"{mp}.mountPath"))
        if init and c.get("restartPolicy") != "Always":
            # only sidecars (restartPolicy: Always) may probe
            for probe in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if c.get(probe) is not None:
                    errs.append(forbidden(f"{cp}.{probe}", "may not be set for init containers without "
                                          "restartPolicy=Always"))
        else:
            errs += _validate_probe(c.get("livenessProbe"), f"{cp}.livenessProbe", True)
            errs += _validate_probe(c.get("readinessProbe"), f"{cp}.readinessProbe", False)
            errs += _validate_probe(c.get("startupProbe"), f"{cp}.startupProbe", True)
        errs += _validate_resources(c.get("resources"), f"{cp}.resources")
    return errs


def _validate_container_ports(ports, path: str) -> list[FieldError]:
    errs, seen = [], set()
    for i, p in enumerate(_list(ports)):
        pp = f"{path}[{i}]"
        p = _map(p)
        name = p.get("name")
        if name:
            msgs = port_name(name)
            if msgs:
                errs += _each(f"{pp}.name", name, msgs)
            elif name in seen:
                errs.append(duplicate(f"{pp}.name", name))
            else:
                seen.add(name)
        cport = p.get("containerPort")
        if not cport:
            errs.append(required(f"{pp}.containerPort"))
        else:
            errs += _each(f"{pp}.containerPort", cport, port_num(cport))
        if p.get("hostPort"):
            errs += _each(f"{pp}.hostPort", p["hostPort"], port_num(p["hostPort"]))
        proto = p.get("protocol")
        if proto is not None and proto not in _PROTOCOLS:
            errs.append(not_supported(f"{pp}.protocol", proto, _PROTOCOLS))
    return errs


def _go_toleration(t: dict) -> _Go:
    ts = t.get("tolerationSeconds")
    tss = "(*int64)(nil)" if ts is None else f"(*int64)({ts})"
    return _Go(f"core.Toleration{{Key:{_q(t.get('key') or '')}, Operator:{_q(t.get('operator') or '')}, "
               f"Value:{_q(t.get('value') or '')}, Effect:{_q(t.get('effect') or '')}, TolerationSeconds:{tss}}}")


def _validate_tolerations(tols, path: str) -> list[FieldError]:
    errs = []
    for i, t in enumerate(_list(tols)):
        tp = f"{path}[{i}]"
        t = _map(t)
        key, op, value, effect = t.get("key") or "", t.get("operator"), t.get("value") or "", t.get("effect")
        if key:
            errs += _each(f"{tp}.key", key, qualified_name(key))
        if not key and op != "Exists":
            errs.append(invalid(f"{tp}.operator", op or "",
                                "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(invalid(f"{tp}.effect", effect or "",
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in (None, "", "Equal"):
            msgs = label_value(value)
            if msgs:     # reported at .operator, joined, exactly as ValidateTolerations does
                errs.append(invalid(f"{tp}.operator", value, ";".join(msgs)))
        elif op == "Exists":
            if value:
                errs.append(invalid(f"{tp}.operator", _go_toleration(t),
                                    "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{tp}.operator", op, _TOLERATION_OPS))
        if effect:
            if effect not in _TAINT_EFFECTS:
                errs.append(not_supported(f"{tp}.effect", effect, _TAINT_EFFECTS))
    return errs


def _validate_node_selector_requirement(r: dict, path: str) -> list[FieldError]:
    errs = []
    op, vals = r.get("operator"), _list(r.get("values"))
    if op in ("In", "NotIn"):
        if not vals:
            errs.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if vals:
            errs.append(forbidden(f"{path}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    elif op in ("Gt", "Lt"):
        if len(vals) != 1:
            errs.append(required(f"{path}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    else:
        errs.append(invalid(f"{path}.operator", op or "", "not a valid selector operator"))
    errs += _each(f"{path}.key", r.get("key") or "", qualified_name(r.get("key") or ""))
    return errs


def validate_label_selector(sel, path: str) -> list[FieldError]:
    """metav1validation.ValidateLabelSelector."""
    errs = []
    if not isinstance(sel, dict):
        return errs
    errs += validate_labels(sel.get("matchLabels"), f"{path}.matchLabels")
    for i, r in enumerate(_list(sel.get("matchExpressions"))):
        rp = f"{path}.matchExpressions[{i}]"
        r = _map(r)
        op, vals = r.get("operator"), _list(r.get("values"))
        if op in ("In", "NotIn"):
            if not vals:
                errs.append(required(f"{rp}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if vals:
                errs.append(forbidden(f"{rp}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(f"{rp}.operator", op or "", "not a valid selector operator"))
        errs += _each(f"{rp}.key", r.get("key") or "", qualified_name(r.get("key") or ""))
        for j, v in enumerate(vals):
            errs += _each(f"{rp}.values[{j}]", v, label_value(str(v)))
    return errs


def _validate_affinity(aff, path: str) -> list[FieldError]:
    errs = []
    aff = _map(aff)
    na = _map(aff.get("nodeAffinity"))
    req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(req, dict):
        rp = f"{path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
        terms = _list(req.get("nodeSelectorTerms"))
        if not terms:
            errs.append(required(f"{rp}.nodeSelectorTerms", "must have at least one node selector term"))
        for i, term in enumerate(terms):
            for j, r in enumerate(_list(_map(term).get("matchExpressions"))):
                errs += _validate_node_selector_requirement(_map(r), f"{rp}.nodeSelectorTerms[{i}].matchExpressions[{j}]")
    for i, pref in enumerate(_list(na.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        pp = f"{path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
        w = _map(pref).get("weight")
        if not isinstance(w, int) or not 1 <= w <= 100:
            errs.append(invalid(f"{pp}.weight", w, "must be in the range 1-100"))
        for j, r in enumerate(_list(_d(pref, "preference", "matchExpressions"))):
            errs += _validate_node_selector_requirement(_map(r), f"{pp}.preference.matchExpressions[{j}]")
    for kind in ("podAffinity", "podAntiAffinity"):
        pa = _map(aff.get(kind))
        for i, term in enumerate(_list(pa.get("requiredDuringSchedulingIgnoredDuringExecution"))):
            tp = f"{path}.{kind}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"
            errs += _validate_pod_affinity_term(_map(term), tp)
        for i, wt in enumerate(_list(pa.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            tp = f"{path}.{kind}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            w = _map(wt).get("weight")
            if not isinstance(w, int) or not 1 <= w <= 100:
                errs.append(invalid(f"{tp}.weight", w, "must be in the range 1-100"))
            errs += _validate_pod_affinity_term(_map(_map(wt).get("podAffinityTerm")), f"{tp}.podAffinityTerm")
    return errs


def _validate_pod_affinity_term(term: dict, path: str) -> list[FieldError]:
    errs = validate_label_selector(term.get("labelSelector"), f"{path}.labelSelector")
    for ns in _list(term.get("namespaces")):
        errs += _each(f"{path}.namespace", ns, dns1123_label(ns))
    errs += validate_label_selector(term.get("namespaceSelector"), f"{path}.namespaceSelector")
    tk = term.get("topologyKey") or ""
    if not tk:
        errs.append(required(f"{path}.topologyKey", "can not be empty"))
    return errs + _each(f"{path}.topologyKey", tk, qualified_name(tk))


def validate_pod_spec(spec, path: str = "spec") -> list[FieldError]:
    """ValidatePodSpec, in its order: volumes, containers, policies, scheduling."""
    spec = _map(spec)
    errs, vols = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    names: set = set()
    errs += _validate_containers(spec.get("initContainers"), f"{path}.initContainers", vols, names, True)
    if not _list(spec.get("containers")):
        errs.append(required(f"{path}.containers"))
    errs += _validate_containers(spec.get("containers"), f"{path}.containers", vols, names, False)
    rp = spec.get("restartPolicy")
    if rp is not None and rp not in _RESTART_POLICIES:
        errs.append(not_supported(f"{path}.restartPolicy", rp, _RESTART_POLICIES))
    dp = spec.get("dnsPolicy")
    if dp is not None and dp not in _DNS_POLICIES:
        errs.append(not_supported(f"{path}.dnsPolicy", dp, _DNS_POLICIES))
    errs += validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    sa = spec.get("serviceAccountName")
    if sa:
        errs += _each(f"{path}.serviceAccountName", sa, dns1123_subdomain(sa))
    nn = spec.get("nodeName")
    if nn:
        errs += _each(f"{path}.nodeName", nn, dns1123_subdomain(nn))
    ads = spec.get("activeDeadlineSeconds")
    if ads is not None and (not isinstance(ads, int) or not 1 <= ads <= 2**31 - 1):
        errs.append(invalid(f"{path}.activeDeadlineSeconds", ads, "must be between 1 and 2147483647, inclusive"))
    for f in ("hostname", "subdomain"):
        if spec.get(f):
            errs += _each(f"{path}.{f}", spec[f], dns1123_label(spec[f]))
    errs += _validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    errs += _validate_affinity(spec.get("affinity"), f"{path}.affinity")
    pc = spec.get("priorityClassName")
    if pc:
        errs += _each(f"{path}.priorityClassName", pc, dns1123_subdomain(pc))
    return errs


def _validate_pod_template(tpl, path: str) -> list[FieldError]:
    tpl = _map(tpl)
    meta = _map(tpl.get("metadata"))
    errs = validate_labels(meta.get("labels"), f"{path}.metadata.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.metadata.annotations")
    errs += validate_pod_spec(tpl.get("spec"), f"{path}.spec")
    return errs


_UPDATABLE_POD_FIELDS = ",".join([
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
])


def _validate_pod_update(new: dict, old: dict) -> list[FieldError]:
    """ValidatePodUpdate: munge the updatable fields of the new spec into the old, then compare."""
    ns, os_ = _map(new.get("spec")), _map(old.get("spec"))
    for f in ("containers", "initContainers"):
        if len(_list(ns.get(f))) != len(_list(os_.get(f))):
            return [forbidden(f"spec.{f}", "pod updates may not add or remove containers")]
    errs = []
    ads_new, ads_old = ns.get("activeDeadlineSeconds"), os_.get("activeDeadlineSeconds")
    if ads_new is not None:
        if not 0 <= ads_new <= 2**31 - 1:
            return errs + [invalid("spec.activeDeadlineSeconds", ads_new, "must be between 0 and 2147483647, inclusive")]
        if ads_old is not None and ads_old < ads_new:
            return errs + [invalid("spec.activeDeadlineSeconds", ads_new, "must be less than or equal to previous value")]
    elif ads_old is not None:
        errs.append(invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"))
    munged = dict(ns)
    for f in ("containers", "initContainers"):
        if f in munged:
            olds = _list(os_.get(f))
            munged[f] = [dict(_map(c), image=_map(olds[i]).get("image")) for i, c in enumerate(_list(munged[f]))]
    old_cmp = dict(os_)
    for s in (munged, old_cmp):
        s.pop("activeDeadlineSeconds", None)
        s.pop("tolerations", None)
    errs += _validate_only_added_tolerations(_list(ns.get("tolerations")), _list(os_.get("tolerations")))
    tgp_old = os_.get("terminationGracePeriodSeconds")
    if isinstance(tgp_old, int) and tgp_old < 0 and ns.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = tgp_old
    if munged != old_cmp:
        errs.append(forbidden("spec", f"pod updates may not change fields other than {_UPDATABLE_POD_FIELDS}\n"
                              + _spec_diff("core.PodSpec", old_cmp, munged)))
    return errs


def _validate_only_added_tolerations(new: list, old: list) -> list[FieldError]:
    def norm(t):
        # an existing toleration may change its tolerationSeconds, nothing else; "" is unset in Go
        return {k: v for k, v in _map(t).items() if k != "tolerationSeconds" and v not in (None, "")}
    news = [norm(n) for n in new]
    if any(norm(o) not in news for o in old):
        return [forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds")]
    return []


def _spec_diff(type_name: str, old: dict, new: dict) -> str:
    """A short cmp.Diff-like rendering: the top-level fields that differ."""
    import json
    lines = [f"  {type_name}{{"]
    for k in sorted(set(old) | set(new)):
        if old.get(k) != new.get(k):
            goname = k[:1].upper() + k[1:]
            if k in old:
                lines.append(f"- \t{goname}: {json.dumps(old[k], sort_keys=True)},")
            if k in new:
                lines.append(f"+ \t{goname}: {json.dumps(new[k], sort_keys=True)},")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def _validate_pod(obj, old):
    errs = validate_pod_spec(obj.get("spec"))
    if old is not None:
        errs += _validate_pod_update(obj, old)
    return errs


# =============================================================================================
# Services, Endpoints
# =============================================================================================

_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
_NODE_PORT_RANGE = (30000, 32767)
_IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
_LINK_LOCAL_MULTICAST = {4: "224.0.0.0/24", 6: "ff02::/16"}


def _is_ip(s) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


def _cluster_ips(spec: dict) -> list:
    ips = spec.get("clusterIPs")
    if ips:
        return list(ips)
    return [spec["clusterIP"]] if spec.get("clusterIP") else []


def _validate_service(obj, old):
    """ValidateService, in its order; the nodePort range is the allocator's, checked last."""
    spec = _map(obj.get("spec"))
    errs = []
    stype = spec.get("type")
    ips = _cluster_ips(spec)
    headless = bool(ips) and ips[0] == "None"
    ports = _list(spec.get("ports"))
    if not ports and not headless and stype != "ExternalName":
        errs.append(required("spec.ports"))
    if stype == "ExternalName":
        if ips:
            errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        # the CNAME may end in a dot to mark it fully qualified
        ext = spec.get("externalName") or ""
        clean = ext[:-1] if ext.endswith(".") else ext
        if clean:
            errs += _each("spec.externalName", clean, dns1123_subdomain(clean))
        else:
            errs.append(required("spec.externalName"))
    names = set()
    for i, p in enumerate(ports):
        pp = f"spec.ports[{i}]"
        p = _map(p)
        name = p.get("name") or ""
        if len(ports) > 1 and not name:
            errs.append(required(f"{pp}.name"))
        elif name:
            errs += _each(f"{pp}.name", name, dns1123_label(name))
            if name in names:
                errs.append(duplicate(f"{pp}.name", name))
            names.add(name)
        port = p.get("port") or 0
        errs += _each(f"{pp}.port", port, port_num(port))
        proto = p.get("protocol")
        if proto is not None and proto not in _PROTOCOLS:
            errs.append(not_supported(f"{pp}.protocol", proto, _PROTOCOLS))
        if p.get("targetPort") is not None:
            errs += _port_num_or_name(f"{pp}.targetPort", p["targetPort"])
    errs += validate_labels(spec.get("selector"), "spec.selector")
    sa = spec.get("sessionAffinity")
    if sa is not None and sa not in ("ClientIP", "None"):
        errs.append(not_supported("spec.sessionAffinity", sa, ["ClientIP", "None"]))
    if stype != "ExternalName":
        for i, ip in enumerate(ips):
            if i == 0 and ip == "None":
                if len(ips) > 1:
                    errs.append(invalid("spec.clusterIPs", _Go(_go_strings(ips)), "'None' must be the first and only value"))
                continue
            if not _is_ip(ip):
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip, _IP_MSG))
    for i, ip in enumerate(_list(spec.get("externalIPs"))):
        if not _is_ip(ip):
            errs.append(invalid(f"spec.externalIPs[{i}]", ip, _IP_MSG))
    if stype is not None and stype not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, _SERVICE_TYPES))
    if stype in ("NodePort", "LoadBalancer") and headless:
        errs.append(invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {stype} services"))
    if stype == "ClusterIP":
        for i, p in enumerate(ports):
            if _map(p).get("nodePort"):
                errs.append(forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
    node_ports, seen = set(), set()
    for i, p in enumerate(ports):
        p = _map(p)
        np, proto = p.get("nodePort"), p.get("protocol") or "TCP"
        if np:
            if (np, proto) in node_ports:
                errs.append(duplicate(f"spec.ports[{i}].nodePort", np))
            node_ports.add((np, proto))
    for i, p in enumerate(ports):
        p = _map(p)
        key = (p.get("port"), p.get("protocol") or "TCP")
        if key in seen:
            errs.append(duplicate(f"spec.ports[{i}]", _Go(
                f'core.ServicePort{{Name:"", Protocol:{_q(key[1])}, AppProtocol:(*string)(nil), Port:{key[0]}, '
                'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')))
        seen.add(key)
    etp = spec.get("externalTrafficPolicy")
    if etp is not None and etp not in ("Cluster", "Local"):
        errs.append(not_supported("spec.externalTrafficPolicy", etp, ["Cluster", "Local"]))
    if old is not None:
        errs = _validate_service_update(spec, _map(old.get("spec"))) + errs
    if not errs and stype in ("NodePort", "LoadBalancer"):
        old_ports = {_map(p).get("nodePort") for p in _list(_d(old, "spec", "ports"))} if old else set()
        for i, p in enumerate(ports):
            np = _map(p).get("nodePort")
            if np and np not in old_ports and not _NODE_PORT_RANGE[0] <= np <= _NODE_PORT_RANGE[1]:
                # the NodePort allocator's refusal, which the REST storage reports as a field error
                errs.append(invalid(f"spec.ports[{i}].nodePort", np, "provided port is not in the valid range. "
                                    f"The range of valid ports is {_NODE_PORT_RANGE[0]}-{_NODE_PORT_RANGE[1]}"))
    return errs


def _validate_service_update(spec: dict, old: dict) -> list[FieldError]:
    # validateUpgradeDowngradeClusterIPs
    if "ExternalName" in (spec.get("type"), old.get("type")):
        return []
    new_ips, old_ips = _cluster_ips(spec), _cluster_ips(old)
    if new_ips[:1] == ["None"] and old_ips[:1] == ["None"]:
        return []
    shown = _Go(_go_strings(new_ips) if new_ips else "[]string(nil)")
    if not new_ips and old_ips:
        # an update that leaves clusterIP out keeps the allocated one (the REST strategy fills it)
        return []
    if len(new_ips) == len(old_ips):
        return [invalid(f"spec.clusterIPs[{i}]", shown, "may not change once set")
                for i, ip in enumerate(old_ips) if ip != new_ips[i]]
    if old_ips and new_ips and new_ips[0] != old_ips[0]:
        return [invalid("spec.clusterIPs[0]", shown, "may not change once set")]
    return []


def _validate_endpoints(obj, old):
    import ipaddress
    errs = []
    for i, ss in enumerate(_list(obj.get("subsets"))):
        sp = f"subsets[{i}]"
        ss = _map(ss)
        addrs, nr = _list(ss.get("addresses")), _list(ss.get("notReadyAddresses"))
        if not addrs and not nr:
            errs.append(required(sp, "must specify `addresses` or `notReadyAddresses`"))
        for field_name, lst in (("addresses", addrs), ("notReadyAddresses", nr)):
            for j, a in enumerate(lst):
                ip = _map(a).get("ip") or ""
                ap = f"{sp}.{field_name}[{j}].ip"
                # IsValidIPForLegacyField, then ValidateNonSpecialIP (which repeats the first check)
                if not _is_ip(ip):
                    errs += [invalid(ap, ip, _IP_MSG), invalid(ap, ip, "must be a valid IP address")]
                    continue
                addr = ipaddress.ip_address(ip)
                if addr.is_unspecified:
                    errs.append(invalid(ap, ip, f"may not be unspecified ({ip})"))
                if addr.is_loopback:
                    errs.append(invalid(ap, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
                if addr.is_link_local:
                    errs.append(invalid(ap, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
                if addr in ipaddress.ip_network(_LINK_LOCAL_MULTICAST[addr.version]):
                    errs.append(invalid(ap, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
        ports = _list(ss.get("ports"))
        for j, p in enumerate(ports):
            pp = f"{sp}.ports[{j}]"
            p = _map(p)
            name = p.get("name") or ""
            if len(ports) > 1 and not name:
                errs.append(required(f"{pp}.name"))
            elif name:
                errs += _each(f"{pp}.name", name, dns1123_label(name))
            errs += _each(f"{pp}.port", p.get("port") or 0, port_num(p.get("port") or 0))
            proto = p.get("protocol")
            if proto is not None and proto not in _PROTOCOLS:
                errs.append(not_supported(f"{pp}.protocol", proto, _PROTOCOLS))
    return errs


# =============================================================================================
# Storage: PVC, PV
# =============================================================================================

_ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
_RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"]
_VOLUME_MODES = ["Block", "Filesystem"]


def _positive_quantity(path: str, q) -> list[FieldError]:
    pq = _quantity(q)
    if pq is None:
        return []
    if pq[0] < 0:
        return [invalid(path, pq[1], "must be greater than or equal to 0")]
    if pq[0] == 0:
        return [invalid(path, pq[1], "must be greater than zero")]
    return []


def _validate_pvc_spec(spec, path: str) -> list[FieldError]:
    spec = _map(spec)
    errs = []
    modes = _list(spec.get("accessModes"))
    if not modes:
        errs.append(required(f"{path}.accessModes", "at least 1 access mode is required"))
    for m in modes:
        if m not in _ACCESS_MODES:
            errs.append(not_supported(f"{path}.accessModes", m, _ACCESS_MODES))
    errs += validate_label_selector(spec.get("selector"), f"{path}.selector")
    storage = _d(spec, "resources", "requests", "storage")
    if storage is None:
        errs.append(required(f"{path}.resources[storage]"))
    else:
        errs += _positive_quantity(f"{path}.resources[storage]", storage)
    sc = spec.get("storageClassName")
    if sc:
        errs += _each(f"{path}.storageClassName", sc, dns1123_subdomain(sc))
    vm = spec.get("volumeMode")
    if vm is not None and vm not in _VOLUME_MODES:
        errs.append(not_supported(f"{path}.volumeMode", vm, _VOLUME_MODES))
    return errs


def _validate_pvc(obj, old):
    errs = _validate_pvc_spec(obj.get("spec"), "spec")
    if old is not None:
        ns, os_ = dict(_map(obj.get("spec"))), dict(_map(old.get("spec")))
        for s in (ns, os_):
            s.pop("volumeAttributesClassName", None)
        bound = _d(old, "status", "phase") == "Bound"
        if bound:
            # only growing storage is allowed on a bound claim
            for s in (ns, os_):
                s["resources"] = dict(_map(s.get("resources")), requests=None)
        if not os_.get("volumeName") and ns.get("volumeName"):
            os_["volumeName"] = ns["volumeName"]      # binding sets it once
        if os_.get("storageClassName") is None and "storageClassName" in ns:
            os_["storageClassName"] = ns["storageClassName"]      # a class may be set once, from nil
        if ns != os_:
            errs.append(forbidden("spec", "spec is immutable after creation except resources.requests and "
                                  "volumeAttributesClassName for bound claims\n"
                                  + _spec_diff("core.PersistentVolumeClaimSpec", os_, ns)))
        new_size = _quantity(_d(obj, "spec", "resources", "requests", "storage") or 0)
        old_size = _quantity(_d(old, "spec", "resources", "requests", "storage") or 0)
        if new_size and old_size and new_size[0] < old_size[0]:
            errs.append(forbidden("spec.resources.requests.storage", "field can not be less than previous value"))
    return errs


def _validate_pv(obj, old):
    spec = _map(obj.get("spec"))
    errs = []
    modes = _list(spec.get("accessModes"))
    if not modes:
        errs.append(required("spec.accessModes"))
    for m in modes:
        if m not in _ACCESS_MODES:
            errs.append(not_supported("spec.accessModes", m, _ACCESS_MODES))
    cap = _map(spec.get("capacity"))
    if not cap:
        errs.append(required("spec.capacity"))
    elif "storage" not in cap or len(cap) > 1:
        errs.append(not_supported("spec.capacity", _Go("core.ResourceList{...}"), ["storage"]))
    else:
        errs += _positive_quantity("spec.capacity[storage]", cap["storage"])
    rp = spec.get("persistentVolumeReclaimPolicy")
    if rp is not None and rp not in _RECLAIM_POLICIES:
        errs.append(not_supported("spec.persistentVolumeReclaimPolicy", rp, _RECLAIM_POLICIES))
    sources = [s for s in _volume_sources("io.k8s.api.core.v1.PersistentVolumeSpec") if spec.get(s) is not None]
    if not sources:
        errs.append(required("spec", "must specify a volume type"))
    for extra in sources[1:]:
        errs.append(forbidden(f"spec.{extra}", "may not specify more than 1 volume type"))
    hp = spec.get("hostPath")
    if isinstance(hp, dict):
        if not hp.get("path"):
            errs.append(required("spec.hostPath.path"))
        t = hp.get("type")
        if t is not None and t not in _HOST_PATH_TYPES:
            errs.append(not_supported("spec.hostPath.type", t, _HOST_PATH_TYPES))
        if rp == "Recycle" and hp.get("path") == "/":
            errs.append(forbidden("spec.persistentVolumeReclaimPolicy",
                                  "may not be 'recycle' for a hostPath mount of '/'"))
    if rp == "Recycle" and sources and sources[0] not in ("hostPath", "nfs"):
        errs.append(forbidden("spec.persistentVolumeReclaimPolicy",
                              "may only be 'Delete' or 'Retain' for a volume source other than hostPath and nfs"))
    sc = spec.get("storageClassName")
    if sc:
        errs += _each("spec.storageClassName", sc, dns1123_subdomain(sc))
    vm = spec.get("volumeMode")
    if vm is not None and vm not in _VOLUME_MODES:
        errs.append(not_supported("spec.volumeMode", vm, _VOLUME_MODES))
    if old is not None:
        osrc = [s for s in _volume_sources("io.k8s.api.core.v1.PersistentVolumeSpec") if _d(old, "spec", s) is not None]
        for s in osrc:
            if spec.get(s) != _d(old, "spec", s):
                errs.append(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation\n"
                                      + _spec_diff("core.PersistentVolumeSource", {s: _d(old, 'spec', s)}, {s: spec.get(s)})))
                break
    return errs


def _validate_storage_class(obj, old):
    errs = []
    if not obj.get("provisioner"):
        errs.append(required("provisioner"))
    rp = obj.get("reclaimPolicy")
    if rp is not None and rp not in ("Delete", "Retain"):
        errs.append(not_supported("reclaimPolicy", rp, ["Delete", "Retain"]))
    vbm = obj.get("volumeBindingMode")
    if vbm is not None and vbm not in ("Immediate", "WaitForFirstConsumer"):
        errs.append(not_supported("volumeBindingMode", vbm, ["Immediate", "WaitForFirstConsumer"]))
    if old is not None:
        errs += _immutable("parameters", obj.get("parameters"), old.get("parameters"),
                           _go_string_map(obj.get("parameters")))
        errs += _immutable("provisioner", obj.get("provisioner") or "", old.get("provisioner") or "")
        errs += _immutable("reclaimPolicy", obj.get("reclaimPolicy") or "", old.get("reclaimPolicy") or "")
    return errs


# =============================================================================================
# Workloads (apps, batch, autoscaling)
# =============================================================================================

def _validate_selector_and_template(spec: dict, kind_word: str) -> list[FieldError]:
    """Selector required and matching the template, then the template (apps validation)."""
    errs = []
    sel = spec.get("selector")
    if sel is None:
        errs.append(required("spec.selector"))
    else:
        errs += validate_label_selector(sel, "spec.selector")
        if not _map(sel).get("matchLabels") and not _map(sel).get("matchExpressions"):
            errs.append(invalid("spec.selector", _go_label_selector(_map(sel)), f"empty selector is invalid for {kind_word}"))
    tpl = spec.get("template")
    if not isinstance(tpl, dict):
        errs.append(required("spec.template"))
        return errs
    labels = _map(_d(tpl, "metadata", "labels"))
    if isinstance(sel, dict) and (sel.get("matchLabels") or sel.get("matchExpressions")):
        if not _selector_matches(sel, labels):
            errs.append(invalid("spec.template.metadata.labels", _go_string_map(_d(tpl, "metadata", "labels")),
                                "`selector` does not match template `labels`"))
    if kind_word == "statefulset":
        # ValidatePodTemplateSpecForStatefulSet leaves the pod spec to the pods (its volumes come
        # from volumeClaimTemplates too) and checks labels at spec.template.labels
        errs += validate_labels(labels, "spec.template.labels")
        errs += validate_annotations(_d(tpl, "metadata", "annotations"), "spec.template.annotations")
    else:
        errs += _validate_pod_template(tpl, "spec.template")
    rp = _d(tpl, "spec", "restartPolicy")
    if rp is not None and rp != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", rp, ["Always"]))
    if _d(tpl, "spec", "activeDeadlineSeconds") is not None:
        errs.append(forbidden("spec.template.spec.activeDeadlineSeconds",
                              f"activeDeadlineSeconds in {_TEMPLATE_OWNER[kind_word]} is not Supported"))
    return errs


# Deployments share ValidatePodTemplateSpecForReplicaSet, hence its wording.
_TEMPLATE_OWNER = {"deployment": "ReplicaSet", "replicaset": "ReplicaSet", "daemonset": "DaemonSet",
                   "statefulset": "StatefulSet"}


def _replicas(spec: dict) -> list[FieldError]:
    return _nonneg("spec.replicas", spec.get("replicas"))


def _selector_immutable(obj, old) -> list[FieldError]:
    new_sel, old_sel = _d(obj, "spec", "selector"), _d(old, "spec", "selector")
    if new_sel != old_sel:
        return [invalid("spec.selector", _go_label_selector(_map(new_sel)), "field is immutable")]
    return []


def _validate_deployment(obj, old):
    spec = _map(obj.get("spec"))
    errs = _replicas(spec) + _validate_selector_and_template(spec, "deployment")
    strat = _map(spec.get("strategy"))
    st = strat.get("type")
    if st is not None and st not in ("Recreate", "RollingUpdate"):
        errs.append(not_supported("spec.strategy.type", st, ["Recreate", "RollingUpdate"]))
    if st == "Recreate" and strat.get("rollingUpdate") is not None:
        errs.append(forbidden("spec.strategy.rollingUpdate",
                              "may not be specified when strategy `type` is 'Recreate'"))
    for f in ("minReadySeconds", "revisionHistoryLimit"):
        errs += _nonneg(f"spec.{f}", spec.get(f))
    pds = spec.get("progressDeadlineSeconds")
    mrs = spec.get("minReadySeconds") or 0
    if isinstance(pds, int) and pds <= mrs:
        errs.append(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"))
    if old is not None:
        errs += _selector_immutable(obj, old)
    return errs


def _validate_replicaset(obj, old):
    spec = _map(obj.get("spec"))
    errs = _replicas(spec) + _nonneg("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += _validate_selector_and_template(spec, "replicaset")
    if old is not None:
        errs += _selector_immutable(obj, old)
    return errs


def _validate_daemonset(obj, old):
    spec = _map(obj.get("spec"))
    errs = _validate_selector_and_template(spec, "daemonset")
    st = _d(spec, "updateStrategy", "type")
    if st is not None and st not in ("OnDelete", "RollingUpdate"):
        errs.append(not_supported("spec.updateStrategy.type", st, ["OnDelete", "RollingUpdate"]))
    if old is not None:
        errs += _selector_immutable(obj, old)
    return errs


_STS_UPDATABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                  "persistentVolumeClaimRetentionPolicy", "minReadySeconds")


def _validate_statefulset(obj, old):
    """ValidateStatefulSetSpec: the pod spec itself is left to the pods it creates."""
    spec = _map(obj.get("spec"))
    errs = []
    pmp = spec.get("podManagementPolicy")
    if pmp is not None and pmp not in ("OrderedReady", "Parallel"):
        errs.append(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"))
    us = _map(spec.get("updateStrategy"))
    st = us.get("type")
    if st == "OnDelete" and us.get("rollingUpdate") is not None:
        errs.append(invalid("spec.updateStrategy.rollingUpdate", _Go("apps.RollingUpdateStatefulSetStrategy{...}"),
                            "only allowed for updateStrategy 'RollingUpdate'"))
    elif st == "RollingUpdate":
        errs += _nonneg("spec.updateStrategy.rollingUpdate.partition", _d(us, "rollingUpdate", "partition"))
    elif st is not None:
        errs.append(invalid("spec.updateStrategy", _Go(
            f"apps.StatefulSetUpdateStrategy{{Type:{_q(st)}, "
            "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}"), "must be 'RollingUpdate' or 'OnDelete'"))
    errs += _replicas(spec) + _nonneg("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += _validate_selector_and_template(spec, "statefulset")
    for f in ("whenDeleted", "whenScaled"):
        v = _d(spec, "persistentVolumeClaimRetentionPolicy", f)
        if v is not None and v not in ("Retain", "Delete"):
            errs.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{f}", v, ["Retain", "Delete"]))
    if old is not None:
        def strip(s):
            return {k: v for k, v in _map(s).items() if k not in _STS_UPDATABLE}
        if strip(obj.get("spec")) != strip(old.get("spec")):
            errs.append(forbidden("spec", "updates to statefulset spec for fields other than 'replicas', "
                                  "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                                  "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
    return errs


def _validate_job_spec(spec, path: str = "spec", selector_required=False) -> list[FieldError]:
    spec = _map(spec)
    errs = []
    for f in ("parallelism", "completions", "backoffLimit"):
        errs += _nonneg(f"{path}.{f}", spec.get(f))
    errs += _nonneg(f"{path}.activeDeadlineSeconds", spec.get("activeDeadlineSeconds"))
    sel = spec.get("selector")
    if sel is None and selector_required:
        errs.append(required(f"{path}.selector"))
    tpl = _map(spec.get("template"))
    if isinstance(sel, dict):
        errs += validate_label_selector(sel, f"{path}.selector")
        labels = _map(_d(tpl, "metadata", "labels"))
        if (sel.get("matchLabels") or sel.get("matchExpressions")) and not _selector_matches(sel, labels):
            errs.append(invalid(f"{path}.template.metadata.labels", _go_string_map(_d(tpl, "metadata", "labels")),
                                "`selector` does not match template `labels`"))
    errs += _validate_pod_template(tpl, f"{path}.template")
    rp = _d(tpl, "spec", "restartPolicy")
    if rp is not None and rp not in ("OnFailure", "Never"):
        if not rp:
            errs.append(required(f"{path}.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"'))
        else:
            errs.append(not_supported(f"{path}.template.spec.restartPolicy", rp, ["OnFailure", "Never"]))
    return errs


def _validate_job(obj, old):
    errs = _validate_job_spec(obj.get("spec"))
    if old is not None:
        ns, os_ = _map(obj.get("spec")), _map(old.get("spec"))
        errs += _immutable("spec.selector", ns.get("selector"), os_.get("selector"),
                           _go_label_selector(_map(ns.get("selector"))))
        if ns.get("template") != os_.get("template"):
            errs.append(invalid("spec.template", _Go("core.PodTemplateSpec{...}"), "field is immutable"))
        errs += _immutable("spec.completions", ns.get("completions"), os_.get("completions"))
    return errs


_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_CRON_NAMES = ({}, {}, {},
               {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
               {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())})


def cron_schedule_error(schedule: str) -> str | None:
    """robfig/cron's ParseStandard error for `schedule`, or None (the common cases)."""
    s = schedule.strip()
    if s.startswith("TZ=") or s.startswith("CRON_TZ="):
        _, _, s = s.partition(" ")
        s = s.strip()
    if s.startswith("@"):
        if s in _CRON_MACROS or s.startswith("@every "):
            return None
        return f"unrecognized descriptor: {s}"
    fields = s.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {schedule}"
    for f, (lo, hi), names in zip(fields, _CRON_RANGES, _CRON_NAMES):
        for part in f.split(","):
            rng, _, step = part.partition("/")
            if step and not step.isdigit():
                return f"failed to parse int from {step}: strconv.Atoi: parsing {_q(step)}: invalid syntax"
            if rng in ("*", "?"):
                continue
            bounds = rng.split("-")
            if len(bounds) > 2:
                return f"too many hyphens: {part}"
            vals = []
            for b in bounds:
                if b.lower() in names:
                    vals.append(names[b.lower()])
                elif b.isdigit():
                    vals.append(int(b))
                else:
                    return f"failed to parse int from {b}: strconv.Atoi: parsing {_q(b)}: invalid syntax"
            if vals[0] < lo:
                return f"beginning of range ({vals[0]}) below minimum ({lo}): {part}"
            if vals[-1] > hi:
                return f"end of range ({vals[-1]}) above maximum ({hi}): {part}"
            if vals[0] > vals[-1]:
                return f"beginning of range ({vals[0]}) beyond end of range ({vals[-1]}): {part}"
    return None


def _validate_cronjob(obj, old):
    spec = _map(obj.get("spec"))
    errs = []
    sched = spec.get("schedule") or ""
    if not sched:
        errs.append(required("spec.schedule"))
    else:
        err = cron_schedule_error(sched)
        if err:
            errs.append(invalid("spec.schedule", sched, err))
        if "TZ" in sched and (old is None or "TZ" not in (_d(old, "spec", "schedule") or "")):
            errs.append(invalid("spec.schedule", sched,
                                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
    cp = spec.get("concurrencyPolicy")
    if cp is not None and cp not in ("Allow", "Forbid", "Replace"):
        errs.append(not_supported("spec.concurrencyPolicy", cp, ["Allow", "Forbid", "Replace"]))
    errs += _nonneg("spec.startingDeadlineSeconds", spec.get("startingDeadlineSeconds"))
    errs += _nonneg("spec.successfulJobsHistoryLimit", spec.get("successfulJobsHistoryLimit"))
    errs += _nonneg("spec.failedJobsHistoryLimit", spec.get("failedJobsHistoryLimit"))
    errs += _validate_job_spec(_d(spec, "jobTemplate", "spec"), "spec.jobTemplate.spec")
    return errs


_METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]
_METRIC_FIELDS = {"Object": "object", "Pods": "pods", "Resource": "resource",
                  "ContainerResource": "containerResource", "External": "external"}


def _validate_metric_target(t, path: str) -> list[FieldError]:
    t = _map(t)
    errs = []
    tt = t.get("type") or ""
    if not tt:
        errs.append(required(f"{path}.type", "must specify a metric target type"))
    if tt not in ("Utilization", "Value", "AverageValue"):
        errs.append(invalid(f"{path}.type", tt, "must be either Utilization, Value, or AverageValue"))
    for f in ("value", "averageValue"):
        pq = _quantity(t[f]) if t.get(f) is not None else None
        if pq is not None and pq[0] <= 0:
            # *Quantity is a Stringer: printed bare
            errs.append(invalid(f"{path}.{f}", _Go(pq[1]), "must be positive"))
    au = t.get("averageUtilization")
    if isinstance(au, int) and au < 1:
        errs.append(invalid(f"{path}.averageUtilization", au, "must be greater than 0"))
    return errs


def _validate_metric(m: dict, mp: str) -> list[FieldError]:
    """validateMetricSpec: the type, exactly one source, and that source."""
    errs = []
    mt = m.get("type") or ""
    if not mt:
        errs.append(required(f"{mp}.type", "must specify a metric source type"))
    if mt not in _METRIC_TYPES:
        errs.append(not_supported(f"{mp}.type", mt, _METRIC_TYPES))
    present = [f for f in ("object", "pods", "resource", "containerResource", "external") if m.get(f) is not None]
    if present:
        src_field = present[0]
        src = _map(m[src_field])
        sp = f"{mp}.{src_field}"
        target = _map(src.get("target"))
        if src_field in ("resource", "containerResource"):
            if not src.get("name"):
                errs.append(required(f"{sp}.name", "must specify a resource name"))
            else:
                errs += _container_resource_name(src["name"], f"{sp}.name")
            if src_field == "containerResource" and not src.get("container"):
                errs.append(required(f"{sp}.container", "must specify a container"))
            errs += _validate_metric_target(target, f"{sp}.target")
            if target.get("averageUtilization") is None and target.get("averageValue") is None:
                errs.append(required(f"{sp}.target.averageUtilization",
                                     "must set either a target raw value or a target utilization"))
            if target.get("averageUtilization") is not None and target.get("averageValue") is not None:
                errs.append(forbidden(f"{sp}.target.averageValue",
                                      "may not set both a target raw value and a target utilization"))
        else:
            if not _d(src, "metric", "name"):
                errs.append(required(f"{sp}.metric.name", "must specify a metric name"))
            errs += _validate_metric_target(target, f"{sp}.target")
            if src_field == "pods" and target.get("averageValue") is None:
                errs.append(required(f"{sp}.target.averageValue", "must specify a positive target averageValue"))
            if src_field in ("object", "external") and target.get("value") is None \
                    and target.get("averageValue") is None:
                errs.append(required(f"{sp}.target.value", "must set either a target value or averageValue"))
    expected = _METRIC_FIELDS.get(mt)
    if expected is None:
        errs.append(not_supported(f"{mp}.type", mt, _METRIC_TYPES))
    elif m.get(expected) is None:
        errs.append(required(f"{mp}.{expected}", "must populate information for the given metric source"))
    if len(present) != 1:
        for f in present:
            if f != expected:
                errs.append(forbidden(f"{mp}.{f}", "must populate the given metric source only"))
    return errs


def _validate_hpa(obj, old):
    spec = _map(obj.get("spec"))
    errs = []
    mn, mx = spec.get("minReplicas"), spec.get("maxReplicas") or 0
    if isinstance(mn, int) and mn < 1:
        errs.append(invalid("spec.minReplicas", mn, "must be greater than or equal to 1"))
    if mx < 1:
        errs.append(invalid("spec.maxReplicas", mx, "must be greater than 0"))
    if isinstance(mn, int) and mx < mn:
        errs.append(invalid("spec.maxReplicas", mx, "must be greater than or equal to `minReplicas`"))
    ref = _map(spec.get("scaleTargetRef"))
    for f in ("kind", "name"):
        v = ref.get(f) or ""
        if not v:
            errs.append(required(f"spec.scaleTargetRef.{f}"))
        else:
            errs += _each(f"spec.scaleTargetRef.{f}", v, path_segment_name(v))
    for i, m in enumerate(_list(spec.get("metrics"))):
        errs += _validate_metric(_map(m), f"spec.metrics[{i}]")
    return errs


# =============================================================================================
# Networking
# =============================================================================================

_PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")


def _validate_ingress_backend(b, path: str) -> list[FieldError]:
    b = _map(b)
    svc, res = b.get("service"), b.get("resource")
    if svc is not None and res is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    errs = []
    if res is not None:
        res = _map(res)
        if res.get("apiGroup"):
            errs += _each(f"{path}.resource.apiGroup", res["apiGroup"], dns1123_subdomain(res["apiGroup"]))
        for f in ("kind", "name"):
            if not res.get(f):
                errs.append(required(f"{path}.resource.{f}", f"{f} is required"))
            else:
                errs += _each(f"{path}.resource.{f}", res[f], path_segment_name(res[f]))
        return errs
    if svc is None:
        return [invalid(path, "", "resource or service backend is required")]
    svc = _map(svc)
    name = svc.get("name") or ""
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs += _each(f"{path}.service.name", name, dns1035_label(name))
    port = _map(svc.get("port"))
    pname, pnum = port.get("name") or "", port.get("number") or 0
    if pname and pnum:
        errs.append(invalid(path, "", "cannot set both port name & port number"))
    elif pname:
        errs += _each(f"{path}.service.port.name", pname, port_name(pname))
    elif pnum:
        errs += _each(f"{path}.service.port.number", pnum, port_num(pnum))
    else:
        errs.append(required(path, "port name or number is required"))
    return errs


def _host_errors(host: str) -> list[str]:
    return wildcard_dns1123_subdomain(host) if "*" in host else dns1123_subdomain(host)


def _validate_ingress_path(p: dict, pp: str) -> list[FieldError]:
    pt, path = p.get("pathType"), p.get("path") or ""
    if not pt:
        return [required(f"{pp}.pathType", "pathType must be specified")]
    errs = []
    if pt in ("Exact", "Prefix"):
        if not path.startswith("/"):
            errs.append(invalid(f"{pp}.path", path, "must be an absolute path"))
        for seq in _INVALID_PATH_SEQUENCES:
            if path and seq in path:
                errs.append(invalid(f"{pp}.path", path, f"must not contain '{seq}'"))
        for suf in _INVALID_PATH_SUFFIXES:
            if path and path.endswith(suf):
                errs.append(invalid(f"{pp}.path", path, f"cannot end with '{suf}'"))
    elif pt == "ImplementationSpecific":
        if path and not path.startswith("/"):
            errs.append(invalid(f"{pp}.path", path, "must be an absolute path"))
    else:
        errs.append(not_supported(f"{pp}.pathType", pt, _PATH_TYPES))
    return errs + _validate_ingress_backend(p.get("backend"), f"{pp}.backend")


def _validate_ingress(obj, old):
    """ValidateIngressSpec (networking/validation), plus the create-time class annotation check."""
    spec = _map(obj.get("spec"))
    errs = []
    rules = spec.get("rules")
    if not rules and spec.get("defaultBackend") is None:
        shown = "[]networking.IngressRule(nil)" if rules is None else "[]networking.IngressRule{}"
        errs.append(invalid("spec", _Go(shown), "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend") is not None:
        errs += _validate_ingress_backend(spec["defaultBackend"], "spec.defaultBackend")
    for i, r in enumerate(_list(rules)):
        rp = f"spec.rules[{i}]"
        r = _map(r)
        host = r.get("host") or ""
        if host:
            if _is_ip(host):
                errs.append(invalid(f"{rp}.host", host, "must be a DNS name, not an IP address"))
            errs += _each(f"{rp}.host", host, _host_errors(host))
        http = r.get("http")
        if http is None:
            continue
        paths = _list(_map(http).get("paths"))
        if not paths:
            errs.append(required(f"{rp}.http.paths"))
        for j, p in enumerate(paths):
            errs += _validate_ingress_path(_map(p), f"{rp}.http.paths[{j}]")
    for i, t in enumerate(_list(spec.get("tls"))):
        t = _map(t)
        for j, h in enumerate(_list(t.get("hosts"))):
            errs += _each(f"spec.tls[{i}].hosts[{j}]", h or "", _host_errors(h or ""))
        if t.get("secretName"):
            errs += _each(f"spec.tls[{i}].secretName", t["secretName"], dns1123_subdomain(t["secretName"]))
    icn = spec.get("ingressClassName")
    if icn is not None:
        errs += _each("spec.ingressClassName", icn, dns1123_subdomain(icn))
    ann = _map(_d(obj, "metadata", "annotations")).get("kubernetes.io/ingress.class")
    if old is None and ann is not None and icn is not None and ann != icn:
        errs.append(invalid("annotations.kubernetes.io/ingress.class", ann,
                            "must match `ingressClassName` when both are specified"))
    return errs


def _validate_network_policy(obj, old):
    spec = _map(obj.get("spec"))
    errs = validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for i, pt in enumerate(_list(spec.get("policyTypes"))):
        if pt not in ("Ingress", "Egress"):
            errs.append(not_supported(f"spec.policyTypes[{i}]", pt, ["Egress", "Ingress"]))
    return errs


# =============================================================================================
# RBAC
# =============================================================================================

_RBAC_GROUP = "rbac.authorization.k8s.io"


def _validate_rules(rules, namespaced: bool, path="rules") -> list[FieldError]:
    errs = []
    for i, r in enumerate(_list(rules)):
        rp = f"{path}[{i}]"
        r = _map(r)
        if not r.get("verbs"):
            errs.append(required(f"{rp}.verbs", "verbs must contain at least one value"))
        urls = _list(r.get("nonResourceURLs"))
        if urls:
            if namespaced:
                errs.append(invalid(f"{rp}.nonResourceURLs", _Go(_go_strings(urls)),
                                    "namespaced rules cannot apply to non-resource URLs"))
            if r.get("apiGroups") or r.get("resources") or r.get("resourceNames"):
                errs.append(invalid(f"{rp}.nonResourceURLs", _Go(_go_strings(urls)),
                                    "rules cannot apply to both regular resources and non-resource URLs"))
            continue
        if not r.get("apiGroups"):
            errs.append(required(f"{rp}.apiGroups", "resource rules must supply at least one api group"))
        if not r.get("resources"):
            errs.append(required(f"{rp}.resources", "resource rules must supply at least one resource"))
    return errs


def _validate_role(obj, old):
    return _validate_rules(obj.get("rules"), True)


def _validate_cluster_role(obj, old):
    return _validate_rules(obj.get("rules"), False)


def _go_role_ref(ref: dict) -> _Go:
    return _Go(f"rbac.RoleRef{{APIGroup:{_q(ref.get('apiGroup') or '')}, Kind:{_q(ref.get('kind') or '')}, "
               f"Name:{_q(ref.get('name') or '')}}}")


def _validate_binding(obj, old, cluster: bool):
    ref = _map(obj.get("roleRef"))
    errs = []
    if (ref.get("apiGroup") or "") != _RBAC_GROUP:
        errs.append(not_supported("roleRef.apiGroup", ref.get("apiGroup") or "", [_RBAC_GROUP]))
    kinds = ["ClusterRole"] if cluster else ["Role", "ClusterRole"]
    if ref.get("kind") not in kinds:
        errs.append(not_supported("roleRef.kind", ref.get("kind") or "", kinds))
    name = ref.get("name") or ""
    if not name:
        errs.append(required("roleRef.name"))
    else:
        errs += _each("roleRef.name", name, path_segment_name(name))
    for i, s in enumerate(_list(obj.get("subjects"))):
        sp = f"subjects[{i}]"
        s = _map(s)
        sname, skind, sgroup = s.get("name") or "", s.get("kind"), s.get("apiGroup")
        if not sname:
            errs.append(required(f"{sp}.name"))
        if skind == "ServiceAccount":
            if sname:
                errs += _each(f"{sp}.name", sname, dns1123_subdomain(sname))
            if sgroup:
                errs.append(not_supported(f"{sp}.apiGroup", sgroup, [""]))
            if cluster and not s.get("namespace"):
                errs.append(required(f"{sp}.namespace"))
        elif skind in ("User", "Group"):
            if sgroup is not None and sgroup != _RBAC_GROUP:
                errs.append(not_supported(f"{sp}.apiGroup", sgroup, [_RBAC_GROUP]))
        else:
            errs.append(not_supported(f"{sp}.kind", skind or "", ["ServiceAccount", "User", "Group"]))
    if old is not None and _map(old.get("roleRef")) != ref:
        errs.append(invalid("roleRef", _go_role_ref(ref), "cannot change roleRef"))
    return errs


# =============================================================================================
# Config: Secret, ConfigMap, ServiceAccount; cluster: Namespace, Node
# =============================================================================================

_MAX_SECRET_SIZE = 1024 * 1024


def _validate_secret(obj, old):
    # stringData is merged into data before validation (the v1 -> internal conversion)
    # sizes in decoded bytes: data holds base64, stringData plain text
    sizes = {k: len(str(v or "")) * 3 // 4 for k, v in _map(obj.get("data")).items()}
    sizes.update({k: len(str(v or "").encode()) for k, v in _map(obj.get("stringData")).items()})
    data = {**_map(obj.get("data")), **_map(obj.get("stringData"))}
    errs = []
    for k in sorted(data, key=str):
        errs += _each(f"data[{k}]", str(k), config_map_key(str(k)))
    if sum(sizes.values()) > _MAX_SECRET_SIZE:
        errs.append(too_long("data", _MAX_SECRET_SIZE))
    stype = obj.get("type") or ""
    ann = _map(_d(obj, "metadata", "annotations"))
    if stype == "kubernetes.io/service-account-token":
        if not ann.get("kubernetes.io/service-account.name"):
            errs.append(required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif stype in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = ".dockercfg" if stype.endswith("dockercfg") else ".dockerconfigjson"
        if key not in data:
            errs.append(required(f"data[{key}]"))
    elif stype == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs += [required("data[username]"), required("data[password]")]
    elif stype == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            errs.append(required("data[ssh-privatekey]"))
    elif stype == "kubernetes.io/tls":
        for k in ("tls.crt", "tls.key"):
            if k not in data:
                errs.append(required(f"data[{k}]"))
    if old is not None:
        errs += _immutable("type", stype, old.get("type") or "")
        if old.get("immutable"):
            if obj.get("immutable") != old.get("immutable"):
                errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
            if _map(obj.get("data")) != _map(old.get("data")):
                errs.append(forbidden("data", "field is immutable when `immutable` is set"))
    return errs


def _validate_config_map(obj, old):
    # keys are strings on the wire (a YAML `1:` key reaches the server as "1")
    data = {str(k): v for k, v in _map(obj.get("data")).items()}
    binary = {str(k): v for k, v in _map(obj.get("binaryData")).items()}
    errs, total = [], 0
    for k in sorted(data):
        errs += _each(f"data[{k}]", k, config_map_key(k))
        if k in binary:
            errs.append(invalid(f"data[{k}]", k, "duplicate of key present in binaryData"))
        total += len(str(data[k] or ""))
    for k in sorted(binary):
        errs += _each(f"binaryData[{k}]", k, config_map_key(k))
        if k in data:
            errs.append(invalid(f"binaryData[{k}]", k, "duplicate of key present in data"))
        total += len(str(binary[k] or "")) * 3 // 4
    if total > _MAX_SECRET_SIZE:
        errs.append(too_long("", _MAX_SECRET_SIZE))
    if old is not None and old.get("immutable"):
        if obj.get("immutable") != old.get("immutable"):
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if _map(obj.get("data")) != _map(old.get("data")):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
        if _map(obj.get("binaryData")) != _map(old.get("binaryData")):
            errs.append(forbidden("binaryData", "field is immutable when `immutable` is set"))
    return errs


def _validate_namespace(obj, old):
    errs = []
    for i, f in enumerate(_list(_d(obj, "spec", "finalizers"))):
        errs += _each(f"spec.finalizers[{i}]", f, qualified_name(f))
    return errs


def _validate_node(obj, old):
    spec = _map(obj.get("spec"))
    errs = []
    for i, t in enumerate(_list(spec.get("taints"))):
        tp = f"spec.taints[{i}]"
        t = _map(t)
        key = t.get("key") or ""
        errs += _each(f"{tp}.key", key, qualified_name(key))
        msgs = label_value(t.get("value") or "")
        if msgs:
            errs.append(invalid(f"{tp}.value", t.get("value") or "", ";".join(msgs)))
        eff = t.get("effect")
        if not eff:
            errs.append(required(f"{tp}.effect"))
        elif eff not in _TAINT_EFFECTS:
            errs.append(not_supported(f"{tp}.effect", eff, _TAINT_EFFECTS))
    pc = spec.get("podCIDR")
    if pc:
        import ipaddress
        try:
            ipaddress.ip_network(pc, strict=False)
        except ValueError:
            errs.append(invalid("spec.podCIDR", pc, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
    return errs


# =============================================================================================
# Dispatch
# =============================================================================================

_VALIDATORS = {
    ("", "Pod"): _validate_pod,
    ("", "Service"): _validate_service,
    ("", "Endpoints"): _validate_endpoints,
    ("", "PersistentVolumeClaim"): _validate_pvc,
    ("", "PersistentVolume"): _validate_pv,
    ("", "Secret"): _validate_secret,
    ("", "ConfigMap"): _validate_config_map,
    ("", "Namespace"): _validate_namespace,
    ("", "Node"): _validate_node,
    ("apps", "Deployment"): _validate_deployment,
    ("apps", "ReplicaSet"): _validate_replicaset,
    ("apps", "DaemonSet"): _validate_daemonset,
    ("apps", "StatefulSet"): _validate_statefulset,
    ("batch", "Job"): _validate_job,
    ("batch", "CronJob"): _validate_cronjob,
    ("autoscaling", "HorizontalPodAutoscaler"): _validate_hpa,
    ("networking.k8s.io", "Ingress"): _validate_ingress,
    ("networking.k8s.io", "NetworkPolicy"): _validate_network_policy,
    ("storage.k8s.io", "StorageClass"): _validate_storage_class,
    (_RBAC_GROUP, "Role"): _validate_role,
    (_RBAC_GROUP, "ClusterRole"): _validate_cluster_role,
    (_RBAC_GROUP, "RoleBinding"): lambda o, old: _validate_binding(o, old, False),
    (_RBAC_GROUP, "ClusterRoleBinding"): lambda o, old: _validate_binding(o, old, True),
}


def _namespaced(api_version: str, kind: str) -> bool | None:
    try:
        from pykubectl.api import kinds
        return kinds.default_registry().for_gvk(api_version, kind).namespaced
    except Exception:   # unknown kind or registry unavailable: leave the namespace to the caller
        return None


def validate(obj: dict, old: dict | None = None, namespaced: bool | None = None) -> list[FieldError]:
    """The apiserver's value validation of `obj` (an update when `old` is given).

    Dispatches on apiVersion/kind; kinds without rules of their own get the ObjectMeta checks.
    `namespaced=None` looks the scope up in the kinds registry when it can.
    """
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0]
    kind = obj.get("kind") or ""
    if namespaced is None:
        namespaced = _namespaced(api_version, kind)
        # the request path fills an empty namespace before validation; do not double-report it
        if namespaced and not _d(obj, "metadata", "namespace"):
            namespaced = None
    errs = validate_object_meta(obj.get("metadata"), namespaced, "metadata", kind)
    if old is not None:
        errs = _validate_meta_update(_map(obj.get("metadata")), _map(old.get("metadata"))) + errs
    fn = _VALIDATORS.get((group, kind))
    if fn is not None:
        errs += fn(obj, old)
    # ErrorList.ToAggregate drops repeated messages (some rules report the same thing twice)
    seen, out = set(), []
    for e in errs:
        if str(e) not in seen:
            seen.add(str(e))
            out.append(e)
    return out
