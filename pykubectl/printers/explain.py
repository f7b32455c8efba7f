"""`kubectl explain`'s default output: the OpenAPI v3 "plaintext" template of kubectl v1.32
(`pkg/explain/v2/templates/plaintext.tmpl`), ported to Python.

The template walks OpenAPI v3 schemas as the apiserver serves them, where a field that refers
to another type is `{"description": ..., "allOf": [{"$ref": ...}]}`. Our definitions (from
kubernetes-validate) put `$ref` next to `description` instead, and spell types as
`["string", "null"]`; `_v3` turns them into the served shape so every rule of the template
(descriptions of a field *and* of its type, `<PodSpec>` type names, cycle detection on refs)
applies unchanged. Pure: the caller passes the schema and a ref resolver.
"""
from __future__ import annotations

from collections.abc import Callable

Resolver = Callable[[str], "dict | None"]


class ExplainError(Exception):
    """The template's `throw`: kubectl prints it as `error: <message>`, after whatever the
    template had already written (`partial`)."""

    def __init__(self, message: str, partial: str = ""):
        super().__init__(message)
        self.partial = partial


def wrap(text: str, limit: int) -> str:
    """mitchellh/go-wordwrap's WrapString (v1.0.1), rune for rune: breaks only at white space,
    keeps existing line breaks, lets a word longer than the limit overflow."""
    out: list[str] = []
    current = 0
    word: list[str] = []
    space: list[str] = []
    for ch in text:
        if ch == "\n":
            if not word:
                if current + len(space) > limit:
                    current = 0
                else:
                    out.extend(space)
            else:
                out.extend(space)
                out.extend(word)
                word = []
            space = []
            out.append(ch)
            current = 0
        elif ch.isspace() and ch != "\xa0":
            if not space or word:
                current += len(space) + len(word)
                out.extend(space)
                out.extend(word)
                space, word = [], []
            space.append(ch)
        else:
            word.append(ch)
            if current + len(space) + len(word) > limit and len(word) < limit:
                out.append("\n")
                current = 0
                space = []
    if not word:
        if current + len(space) <= limit:
            out.extend(space)
    else:
        out.extend(space)
        out.extend(word)
    return "".join(out)


def indent(amount: int, text: str) -> str:
    pad = " " * amount
    return pad + text.replace("\n", "\n" + pad)


def _v3(schema):
    """A schema in the shape the apiserver serves it (see module docstring)."""
    if not isinstance(schema, dict):
        return schema
    s = schema
    t = s.get("type")
    if isinstance(t, list):
        kinds = [x for x in t if x != "null"]
        s = dict(s)
        if kinds:
            s["type"] = kinds[0]
        else:
            del s["type"]
    if "$ref" in s and len(s) > 1:
        s = dict(s)
        s["allOf"] = [{"$ref": s.pop("$ref")}]
    return s


class _Doc:
    def __init__(self, resolver: Resolver):
        self._resolver = resolver

    def resolve(self, ref) -> dict | None:
        if not isinstance(ref, str) or not ref:
            return None
        return _v3(self._resolver(ref))

    # --- the template's named templates -----------------------------------------------------

    def type_guess(self, s: dict) -> str:
        s = _v3(s)
        if s.get("items"):
            return "[]" + self.type_guess(s["items"])
        ap = s.get("additionalProperties")
        if ap and isinstance(ap, dict):
            return "map[string]" + self.type_guess(ap)
        if s.get("allOf") and not s.get("properties") and len(s["allOf"]) == 1:
            return self.type_guess(s["allOf"][0])
        if s.get("$ref"):
            ref = s["$ref"]
            target = self.resolve(ref)
            if not target or not target.get("type") or target.get("type") == "object":
                return ref.split("/")[-1].split(".")[-1] or "Object"
            return target["type"]
        if s.get("type") == "object":
            return "Object"
        return s.get("type") or "Object"

    def description(self, s: dict) -> str:
        s = _v3(s)
        s = self.resolve(s.get("$ref")) or s
        out = ""
        if s.get("description"):
            out += s["description"] + "\n"
        for sub in s.get("allOf") or ():
            out += self.description(sub)
        if s.get("items"):
            out += self.description(s["items"])
        ap = s.get("additionalProperties")
        if ap and isinstance(ap, dict):
            out += self.description(ap)
        return out

    @staticmethod
    def enum(s: dict, long_view: bool, limit: int, indent_amount: int = 0) -> str:
        values = s.get("enum")
        if not values:
            return ""
        out = "ENUM:" if long_view else "\n" + " " * indent_amount + "enum: "
        for i, v in enumerate(values):
            if limit > -1 and i >= limit:
                out += ", ...."
                break
            if i > 0 and not long_view:
                out += ", "
            elif long_view:
                out += "\n    "
            out += '""' if v == "" else _go_text(v)
        return out

    def field_detail(self, parent: dict, name: str, short: bool, level: int) -> str:
        amount = level * 2
        fs = _v3((parent.get("properties") or {})[name])
        out = indent(amount, name) + "\t<" + self.type_guess(fs) + ">"
        if name in (parent.get("required") or ()):
            out += " -required-"
        out += self.enum(fs, False, 4, amount)
        out += "\n"
        if not short:
            out += indent(amount + 2, wrap(fs.get("description") or "<no description>", 78 - amount))
            out += "\n\n"
        return out

    def field_list(self, s: dict, level: int, recursive: bool, history: frozenset) -> str:
        s = _v3(s)
        ref = s.get("$ref") or ""
        if ref and ref in history:
            return ""   # a cycle
        history = history | {ref}
        resolved = self.resolve(ref) or s
        out = ""
        props = resolved.get("properties") or {}
        for name in sorted(props):
            out += self.field_detail(resolved, name, recursive, level)
            if recursive:
                out += self.field_list(props[name], level + 1, recursive, history)
        for sub in resolved.get("allOf") or ():
            out += self.field_list(sub, level, recursive, history)
        if resolved.get("items"):
            out += self.field_list(resolved["items"], level, recursive, history)
        ap = resolved.get("additionalProperties")
        if ap and isinstance(ap, dict):
            out += self.field_list(ap, level, recursive, history)
        return out

    def output(self, s: dict, path: list[str], recursive: bool, history: frozenset) -> str:
        s = _v3(s)
        ref = s.get("$ref") or ""
        nxt = history | {ref}
        resolved = self.resolve(ref) or s
        if not path:
            out = "DESCRIPTION:\n"
            out += indent(4, wrap(self.description(resolved) or "<empty>", 76)) + "\n"
            fields = self.field_list(resolved, 1, recursive, frozenset())
            if fields:
                out += "FIELDS:\n" + fields
            return out
        if ref and ref in history:
            return ""
        props = resolved.get("properties") or {}
        if props and props.get(path[0]):
            sub = _v3(props[path[0]])
            out = ""
            if len(path) == 1:
                out += f"FIELD: {path[0]} <{self.type_guess(sub)}>\n"
                out += self.enum(sub, True, -1) + "\n\n"
            return out + self.output(sub, path[1:], recursive, frozenset())
        if resolved.get("items"):
            return self.output(resolved["items"], path, recursive, nxt)
        ap = resolved.get("additionalProperties")
        if ap and isinstance(ap, dict):
            return self.output(ap, path, recursive, nxt)
        for sub in resolved.get("allOf") or ():
            out = self.output(sub, path, recursive, nxt)
            if out:
                return out
        return ""


def _go_text(v) -> str:
    """An enum value as Go's template prints a decoded JSON value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "<nil>"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def explain(group: str, version: str, kind: str, schema: dict, field_path: list[str],
            recursive: bool, resolver: Resolver) -> str:
    """The whole `kubectl explain` text for one kind's schema and a field path."""
    head = f"GROUP:      {group}\n" if group else ""
    head += f"KIND:       {kind}\nVERSION:    {version}\n\n"
    body = _Doc(resolver).output(schema, list(field_path), recursive, frozenset())
    if not body:
        raise ExplainError(f'field "{field_path[-1]}" does not exist', head)
    return head + body + "\n"
