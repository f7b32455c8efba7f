"""kubectl's JSONPath dialect: a port of client-go `util/jsonpath` (parser.go, jsonpath.go).

It is not RFC JSONPath: templates mix text and `{...}` actions, `{range}`/`{end}` loop,
`[?(@.x=="y")]` filters compare with Go template rules, a missing key yields nothing (kubectl
always allows missing keys), maps and lists print as compact JSON and scalars as Go prints
them. Go iterates maps in random order; we use sorted keys so output is stable.
Also here: kubectl's `RelaxedJSONPathExpression` (custom columns, --sort-by) and the printer's
error texts (`error parsing jsonpath ...`, `error executing jsonpath ...`).
"""
from __future__ import annotations

import re

from pykubectl.printers.tables import go_json_float, go_text


class JSONPathError(Exception):
    """A parse or evaluation error, worded as client-go words it."""


_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$", re.S)
_EOF = ""


# Nodes are small lists: [type, ...]. ("list", nodes) holds a sequence.
def _list():
    return ["list", []]


class Parser:
    """client-go's jsonpath.Parser: text and `{action}` blocks into a tree of nodes."""

    def __init__(self, text: str):
        self.input = text
        self.pos = 0
        self.start = 0
        self.root = _list()
        self._parse_text(self.root)

    # -- scanning
    def _next(self) -> str:
        if self.pos >= len(self.input):
            self._width = 0
            return _EOF
        self._width = 1
        self.pos += 1
        return self.input[self.pos - 1]

    def _peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else _EOF

    def _backup(self):
        self.pos -= self._width

    def _consume(self) -> str:
        v = self.input[self.start:self.pos]
        self.start = self.pos
        return v

    # -- grammar (iterative where Go recurses tail-wise, to spare Python's stack)
    def _parse_text(self, cur):
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    cur[1].append(["text", self._consume()])
                self.pos += 1
                self._consume()
                node = _list()
                cur[1].append(node)
                self._parse_inside(node)
                return
            if self._next() == _EOF:
                break
        if self.pos > self.start:
            cur[1].append(["text", self._consume()])

    def _parse_inside(self, cur):
        while True:
            rest = self.input[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self._consume()
                return self._parse_text(self.root)
            if rest.startswith("[?("):
                self._parse_filter(cur)
                continue
            if rest.startswith(".."):
                if cur[1] and cur[1][-1][0] == "recursive":
                    raise JSONPathError("invalid multiple recursive descent")
                self.pos += 2
                self._consume()
                cur[1].append(["recursive"])
                if _is_alnum(self._peek()):
                    self._parse_field(cur)
                continue
            r = self._next()
            if r == _EOF or r in "\r\n":
                raise JSONPathError("unclosed action")
            if r == " " or r in "@$":
                self._consume()
            elif r == "[":
                self._parse_array(cur)
            elif r in "\"'":
                self._parse_quote(cur, r)
            elif r == ".":
                self._parse_field(cur)
            elif r in "+-" or r.isdigit():
                self._backup()
                self._parse_number(cur)
            elif _is_alnum(r):
                self._backup()
                self._parse_identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: {_go_unicode(r)}")

    def _parse_identifier(self, cur):
        while True:
            r = self._next()
            if _is_terminator(r):
                if r != _EOF:
                    self._backup()
                break
        value = self._consume()
        if value in ("true", "false"):
            cur[1].append(["bool", value == "true"])
        else:
            cur[1].append(["identifier", value])

    def _parse_number(self, cur):
        if self._peek() in ("+", "-"):
            self._next()
        while True:
            r = self._next()
            if r != "." and not r.isdigit():
                if r != _EOF:
                    self._backup()
                break
        value = self._consume()
        try:
            cur[1].append(["int", int(value)])
            return
        except ValueError:
            pass
        try:
            cur[1].append(["float", float(value)])
        except ValueError:
            raise JSONPathError(f"cannot parse number {value}") from None

    def _parse_array(self, cur):
        while True:
            r = self._next()
            if r in (_EOF, "\n"):
                raise JSONPathError("unterminated array")
            if r == "]":
                break
        text = self._consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            union = [_parse_action(f"[{p.strip(' ')}]") for p in parts]
            cur[1].append(["union", union])
            return
        m = _DICT_KEY.match(text)
        if m:
            cur[1].extend(_parse_action("." + m.group(1))[1])
            return
        m = _SLICE.match(text)
        if not m:
            raise JSONPathError(f"invalid array index {text}")
        params = []   # [known, value, derived] x 3
        groups = list(m.groups())
        for i in range(3):
            v = groups[i] or ""
            if v:
                if i > 0:
                    v = v[1:]
                if i > 0 and v == "":
                    params.append([False, 0])
                else:
                    try:
                        params.append([True, int(v)])
                    except ValueError:
                        raise JSONPathError(f"array index {v} is not a number") from None
            elif i == 1:
                params.append([True, params[0][1] + 1])
            else:
                params.append([False, 0])
        cur[1].append(["array", params])

    def _parse_filter(self, cur):
        self.pos += 3
        self._consume()
        begin = end = False
        pair = ""
        while True:
            r = self._next()
            if r in (_EOF, "\n"):
                raise JSONPathError("unterminated filter")
            if r in "\"'":
                if not begin:
                    begin, pair = True, r
                    continue
                if self.input[self.pos - 2] != "\\" and r == pair:
                    end = True
            elif r == ")":
                if begin == end:
                    break
        if self._next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self._consume()[:-2]
        m = _FILTER.match(text)
        if m is None:
            cur[1].append(["filter", _parse_action(text), _list(), "exists"])
        else:
            cur[1].append(["filter", _parse_action(m.group(1)), _parse_action(m.group(3)), m.group(2)])

    def _parse_quote(self, cur, end):
        while True:
            r = self._next()
            if r in (_EOF, "\n"):
                raise JSONPathError("unterminated quoted string")
            if r == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        try:
            s = _unquote(value)
        except ValueError as e:
            raise JSONPathError(f"unquote string {value} error {e}") from None
        cur[1].append(["text", s])

    def _parse_field(self, cur):
        self._consume()
        while True:
            r = self._next()
            if r == "\\":
                self._next()
            elif _is_terminator(r):
                if r != _EOF:
                    self._backup()
                break
        value = self._consume()
        if value == "*":
            cur[1].append(["wildcard"])
        else:
            cur[1].append(["field", value.replace("\\", "")])


def _parse_action(text: str):
    """parseAction: the list node inside `{text}`."""
    return Parser("{" + text + "}").root[1][0]


def _is_terminator(r: str) -> bool:
    return r == _EOF or r in " \t\r\n.,[]$@{}"


def _is_alnum(r: str) -> bool:
    return r != _EOF and (r == "_" or r.isalpha() or r.isdigit())


def _go_unicode(r: str) -> str:
    """Go's %#U: U+0023 '#'."""
    return f"U+{ord(r):04X} '{r}'"


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", "'": "'", '"': '"'}


def _unquote(s: str) -> str:
    """UnquoteExtend: strconv.Unquote that also accepts single quotes."""
    if len(s) < 2 or s[0] != s[-1] or s[0] not in "\"'":
        raise ValueError("invalid syntax")
    quote, body = s[0], s[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == quote:
            raise ValueError("invalid syntax")
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(body):
            raise ValueError("invalid syntax")
        e = body[i + 1]
        if e in _ESCAPES and (e not in "'\"" or e == quote):
            out.append(_ESCAPES[e])
            i += 2
        elif e in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[e]
            try:
                out.append(chr(int(body[i + 2:i + 2 + n], 16)))
            except ValueError:
                raise ValueError("invalid syntax") from None
            i += 2 + n
        elif e in "01234567":
            try:
                out.append(chr(int(body[i + 1:i + 4], 8)))
            except ValueError:
                raise ValueError("invalid syntax") from None
            i += 4
        else:
            raise ValueError("invalid syntax")
    return "".join(out)


# ---------------------------------------------------------------- evaluation

def _children(v) -> list:
    if isinstance(v, dict):
        return [v[k] for k in sorted(v)]
    if isinstance(v, list):
        return list(v)
    if isinstance(v, str):
        return list(v.encode())    # Go indexes a string by bytes
    return []


_INT, _FLOAT, _STR, _BOOL = "int", "float", "string", "bool"


def _basic_kind(v) -> str:
    if isinstance(v, bool):
        return _BOOL
    if isinstance(v, int):
        return _INT
    if isinstance(v, float):
        return _FLOAT
    if isinstance(v, str):
        return _STR
    raise JSONPathError("invalid type for comparison")


def _compare(op: str, left, right) -> bool:
    """The forked text/template comparison functions (eq, ne, lt, le, gt, ge)."""
    k1, k2 = _basic_kind(left), _basic_kind(right)
    if k1 != k2:
        raise JSONPathError("incompatible types for comparison")

    def less():
        if k1 == _BOOL:
            raise JSONPathError("invalid type for comparison")
        return left < right

    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return less()
    if op == "<=":
        return less() or left == right
    if op == ">":
        return not (less() or left == right)
    if op == ">=":
        return not less()
    raise JSONPathError(f"unrecognized filter operator {op}")


def _blocks(nodes: list, i: int) -> tuple[list, int]:
    """Group `{range X}...{end}` into ["range", X, body] items (ranges nest); returns the
    block and the index of the `{end}` that closed it (len(nodes) at the end of input)."""
    block = []
    while i < len(nodes):
        node = nodes[i]
        head = node[1][0] if node[0] == "list" and node[1] else None
        if head == ["identifier", "end"]:
            return block, i
        if head == ["identifier", "range"]:
            body, i = _blocks(nodes, i + 1)
            block.append(["range", ["list", node[1][1:]], body])
        else:
            block.append(node)
        i += 1
    return block, i


class JSONPath:
    """One parsed template. `find_results(data)` gives client-go's [][]value; `execute(data)`
    the text kubectl prints."""

    def __init__(self, template: str, *, allow_missing_keys: bool = True, output_json: bool = False):
        self.template = template
        self.allow_missing_keys = allow_missing_keys
        self.output_json = output_json
        self.root = Parser(template).root

    def find_results(self, data) -> list[list]:
        """One list of values per action (and per text), ranges expanded."""
        block, rest = _blocks(self.root[1], 0)
        if rest < len(self.root[1]):
            raise JSONPathError("not in range, nothing to end")
        return self._eval_block(block, data)

    def _eval_block(self, block: list, cur) -> list[list]:
        full: list[list] = []
        for item in block:
            if item[0] == "range":
                for value in self._walk([cur], item[1]):
                    full.extend(self._eval_block(item[2], value))
            else:
                full.append(self._walk([cur], item))
        return full

    def execute(self, data) -> str:
        return "".join(self.print_results(r) for r in self.find_results(data))

    def print_results(self, results: list) -> str:
        if self.output_json:
            return _json_indent(results) + "\n"
        out = []
        for i, r in enumerate(results):
            text = _json_compact(r) if isinstance(r, (dict, list)) or r is None else go_text(r)
            out.append(text if i == len(results) - 1 else text + " ")
        return "".join(out)

    def _walk(self, values: list, node) -> list:
        t = node[0]
        if t == "list":
            for n in node[1]:
                values = self._walk(values, n)
            return values
        if t == "text":
            return [node[1]]
        if t == "field":
            return self._field(values, node[1])
        if t == "array":
            return self._array(values, node[1])
        if t == "filter":
            return self._filter(values, node)
        if t in ("int", "float", "bool"):
            return [node[1] for _ in values]
        if t == "wildcard":
            return [c for v in values if v is not None for c in _children(v)]
        if t == "recursive":
            return self._recursive(values)
        if t == "union":
            return [r for lst in node[1] for r in self._walk(values, lst)]
        if t == "identifier":
            return self._identifier(values, node[1])
        raise JSONPathError(f"unexpected Node {node}")

    def _identifier(self, values, name):
        if name in ("range", "end"):   # only meaningful first in an action (see _blocks)
            return values
        raise JSONPathError(f"unrecognized identifier {name}")

    def _field(self, values, name):
        out = []
        for v in values:
            if isinstance(v, dict) and name in v:
                out.append(v[name])
        if not out and values and not self.allow_missing_keys:
            raise JSONPathError(f"{name} is not found")
        return out

    def _array(self, values, params):
        out = []
        for v in values:
            if v is None:
                continue
            if not isinstance(v, list):
                from pykubectl.api.typenames import go_type
                raise JSONPathError(f"{go_type(v) or '<invalid reflect.Value>'} is not array or slice")
            n = len(v)
            start = params[0][1] if params[0][0] else 0
            if start < 0:
                start += n
            stop = params[1][1] if params[1][0] else n
            if stop < 0:
                stop += n
            if stop != start:
                if start < 0 or start >= n:
                    raise JSONPathError(f"array index out of bounds: index {start}, length {n}")
                if stop > n:
                    raise JSONPathError(f"array index out of bounds: index {stop - 1}, length {n}")
            if start < 0 or stop < start:
                # Go's reflect.Slice panics here; kubectl dies with it
                raise JSONPathError(f"slice bounds out of range [{start}:{stop}]")
            if params[2][0]:
                step = params[2][1]
                out.extend(v[start:stop][::step] if step > 0 else v[start:stop])
            else:
                out.extend(v[start:stop])
        return out

    def _recursive(self, values):
        out = []
        for v in values:
            if v is None:
                continue
            kids = _children(v)
            if kids:
                out.append(v)
                out.extend(self._recursive(kids))
        return out

    def _filter(self, values, node):
        _, left_node, right_node, op = node
        out = []
        for v in values:
            if not isinstance(v, list):
                raise JSONPathError(f"{go_text(v)} is not array or slice and cannot be filtered")
            for item in v:
                lefts = self._walk([item], left_node)
                if op == "exists":
                    if lefts:
                        out.append(item)
                    continue
                if not lefts:
                    continue       # a missing key matches nothing (missing keys allowed)
                if len(lefts) != 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self._walk([item], right_node)
                if len(rights) != 1:
                    raise JSONPathError("can only compare one element at a time")
                if _compare(op, lefts[0], rights[0]):
                    out.append(item)
        return out


# ---------------------------------------------------------------- JSON and Go text

def _go_json(obj, indent):
    from json.encoder import _make_iterencode, encode_basestring  # type: ignore[attr-defined]
    sep = (",", ": ") if indent else (",", ":")
    text = "".join(_make_iterencode({}, _no_default, encode_basestring, indent, go_json_float,
                                    sep[1], sep[0], True, False, True)(obj, 0))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _no_default(o):
    raise TypeError(f"cannot encode {type(o).__name__}")


def _json_compact(obj) -> str:
    """json.Marshal: sorted keys, no spaces, HTML-safe."""
    if isinstance(obj, str):
        return _go_json([obj], None)[1:-1]
    return _go_json(obj, None)


def _json_indent(obj) -> str:
    return _go_json(obj, "    ")


def go_quote(s: str) -> str:
    """strconv.Quote (%q)."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def go_sharp_v(v) -> str:
    """fmt's %#v of decoded JSON (what kubectl shows as the object given to the engine)."""
    if isinstance(v, dict):
        inner = ", ".join(f"{go_quote(str(k))}:{_sharp_elem(v[k])}" for k in sorted(v))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(v, list):
        return "[]interface {}{" + ", ".join(_sharp_elem(x) for x in v) + "}"
    if isinstance(v, str):
        return go_quote(v)
    if v is None:
        return "<nil>"
    return go_text(v)


def _sharp_elem(v) -> str:
    return "interface {}(nil)" if v is None else go_sharp_v(v)


# ---------------------------------------------------------------- kubectl's use of it

_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")


def relaxed(path: str) -> str:
    """RelaxedJSONPathExpression: `.a.b`, `a.b`, `{a.b}` -> `{.a.b}`."""
    if not path:
        return path
    m = _RELAXED.match(path)
    if m is None:
        raise JSONPathError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'")
    return "{." + (m.group(1) or m.group(2)) + "}"


def printer(template: str, *, as_json: bool = False) -> JSONPath:
    """NewJSONPathPrinter, with kubectl's parse-error text (ValueError carries it)."""
    if not template:
        raise ValueError("template format specified but no template given")
    try:
        return JSONPath(template, output_json=as_json)
    except JSONPathError as e:
        raise ValueError(f"error parsing jsonpath {template}, {e}\n") from None


def print_obj(jp: JSONPath, obj) -> str:
    """JSONPathPrinter.PrintObj: the text, or ValueError with kubectl's execution-error text."""
    try:
        return jp.execute(obj)
    except JSONPathError as e:
        buf = (f"Error executing template: {e}. Printing more information for debugging the template:\n"
               f"\ttemplate was:\n\t\t{jp.template}\n"
               f"\tobject given to jsonpath engine was:\n\t\t{go_sharp_v(obj)}\n\n")
        raise ValueError(f"error executing jsonpath {go_quote(jp.template)}: {buf}\n") from None
