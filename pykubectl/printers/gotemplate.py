"""Go text/template as `kubectl -o go-template=` runs it (cli-runtime's GoTemplatePrinter).

kubectl hands the template the object as decoded JSON (apimachinery's json turns integral
numbers into int64), names the template "output", adds `base64decode` and `exists`, and sets
`missingkey=default` (missing keys print `<no value>`) or `missingkey=error`. Users' scripts
compare the exact text, so values print as Go's fmt prints them (`map[a:1 b:x]`, `[x y]`,
`<nil>`, `1e+06`) and errors carry text/template's wording and `output:LINE:COL` positions.

Covered: text, `{{- -}}` trimming, comments, pipelines, variables (`:=`, `=`), fields and chains,
if/else if/else, range (lists, maps in key order, ints; `$i, $e :=`; else; break/continue), with,
and the functions and, or, not, eq, ne, lt, le, gt, ge, len, index, print, printf, println,
base64decode, exists. Not covered: define/template/block, html/js/urlquery/call/slice.
"""
from __future__ import annotations

import base64
import re

__all__ = ["TemplateError", "ExecError", "parse", "execute", "go_value"]

NAME = "output"


class TemplateError(ValueError):
    """A parse error: `template: output:LINE: msg`."""


class ExecError(ValueError):
    """An execution error: `template: output:L:C: executing "output" at <node>: msg`; `partial`
    is what the template had written before it (Go's template writes as it goes)."""

    partial = ""


# ---------------------------------------------------------------- Go's fmt, as %v prints values

def go_float(f: float) -> str:
    """fmt's %v of a float64: strconv's shortest 'g' (exponent form below 1e-4 and from 1e+06)."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    from decimal import Decimal
    sign, digits, exp = Decimal(repr(f)).normalize().as_tuple()
    ds = "".join(map(str, digits)) or "0"
    if ds == "0":
        return "-0" if sign else "0"
    x = len(ds) + exp - 1          # decimal exponent of the first digit
    if x < -4 or x >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        s = f"{mant}e{'-' if x < 0 else '+'}{abs(x):02d}"
    elif exp >= 0:
        s = ds + "0" * exp
    elif x >= 0:
        s = ds[:x + 1] + "." + ds[x + 1:]
    else:
        s = "0." + "0" * (-x - 1) + ds
    return ("-" if sign else "") + s


def go_value(v, top: bool = True) -> str:
    """fmt.Sprint of a decoded-JSON value; a nil at the top is text/template's `<no value>`."""
    if v is None:
        return "<no value>" if top else "<nil>"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value(v[k], False)}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(go_value(x, False) for x in v) + "]"
    return str(v)


def _type_name(v) -> str:
    # a template's own integer constant is a Go int; data's numbers are int64/float64
    if isinstance(v, GoInt):
        return "int"
    from pykubectl.api.typenames import go_type
    return go_type(v) or "interface {}"


# ---------------------------------------------------------------- lexer

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))
  | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<dot>\.)
  | (?P<variable>\$[A-Za-z0-9_]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
""", re.X)

_KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break",
             "continue", "nil", "true", "false"}


class _Tok:
    __slots__ = ("typ", "val", "pos")

    def __init__(self, typ, val, pos):
        self.typ, self.val, self.pos = typ, val, pos


def _lex(src: str):
    """The template as ("text", s, pos) and ("action", [tokens], pos) items, trim markers applied."""
    items: list = []
    i, n = 0, len(src)
    trim_next = False
    while i < n:
        j = src.find("{{", i)
        text = src[i:] if j < 0 else src[i:j]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        trim_next = False
        if j < 0:
            if text:
                items.append(("text", text, i))
            break
        k = j + 2
        if src.startswith("- ", k) or src.startswith("-\t", k) or src.startswith("-\n", k) or src.startswith("-\r", k):
            text = text.rstrip(" \t\r\n")
            k += 2
        if text:
            items.append(("text", text, i))
        line = src.count("\n", 0, j) + 1
        if src.startswith("/*", k):
            end = src.find("*/", k + 2)
            if end < 0:
                raise TemplateError(f"template: {NAME}:{line}: unclosed comment")
            m = re.match(r"(\s+-)?}}", src[end + 2:])
            if not m:
                raise TemplateError(f"template: {NAME}:{line}: comment ends before closing delimiter")
            trim_next = bool(m.group(1))
            i = end + 2 + m.end()
            continue
        toks: list[_Tok] = []
        while True:
            if k >= n:
                raise TemplateError(f"template: {NAME}:{line}: unclosed action")
            if src.startswith("}}", k):
                k += 2
                break
            m = re.match(r"\s+-}}", src[k:])
            if m:
                trim_next = True
                k += m.end()
                break
            m = _TOKEN.match(src, k)
            if not m:
                raise TemplateError(f"template: {NAME}:{line}: unexpected {src[k]!r} in command".replace("'", '"'))
            if m.lastgroup != "space":
                toks.append(_Tok(m.lastgroup, m.group(), k))
            k = m.end()
        items.append(("action", toks, j))
        i = k
    return items


# ---------------------------------------------------------------- parser

class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.items = _lex(src)
        self.i = 0
        self.vars = [["$"]]

    def line(self, pos: int) -> int:
        return self.src.count("\n", 0, pos) + 1

    def err(self, pos: int, msg: str):
        raise TemplateError(f"template: {NAME}:{self.line(pos)}: {msg}")

    def parse(self):
        body, stop = self.list_until()
        if stop is not None:
            self.err(stop[1], f"unexpected {{{{{stop[0]}}}}}")
        return body

    def list_until(self):
        """Nodes up to an {{end}} or {{else ...}}; returns (nodes, (keyword, pos, tokens)|None)."""
        nodes: list = []
        while self.i < len(self.items):
            kind, val, pos = self.items[self.i]
            self.i += 1
            if kind == "text":
                nodes.append(("text", val))
                continue
            toks = val
            if not toks:
                self.err(pos, "missing value for command")
            head = toks[0]
            if head.typ == "ident" and head.val in ("end", "else"):
                return nodes, (head.val, pos, toks[1:])
            if head.typ == "ident" and head.val in ("if", "range", "with"):
                nodes.append(self.control(head.val, toks[1:], pos))
            elif head.typ == "ident" and head.val in ("break", "continue"):
                nodes.append((head.val,))
            elif head.typ == "ident" and head.val in ("define", "template", "block"):
                self.err(pos, f"{{{{{head.val}}}}} is not supported by pykubectl's go-template")
            else:
                nodes.append(("action", self.pipeline(toks, pos, "command")))
        return nodes, None

    def control(self, word: str, toks, pos):
        self.vars.append([])
        pipe = self.pipeline(toks, pos, word)
        body, stop = self.list_until()
        self.vars.pop()
        if stop is None:
            self.err(len(self.src), "unexpected EOF")
        els = None
        if stop[0] == "else":
            rest = stop[2]
            if rest and rest[0].typ == "ident" and rest[0].val in ("if", "with") and word != "range":
                # `else if` / `else with` is the same as else {{if}} ... {{end}} nested,
                # sharing the outer {{end}}
                els = [self.control(rest[0].val, rest[1:], stop[1])]
            else:
                if rest:
                    self.err(stop[1], f"unexpected {rest[0].val!r} in else".replace("'", '"'))
                self.vars.append([])
                els, stop2 = self.list_until()
                self.vars.pop()
                if stop2 is None:
                    self.err(len(self.src), "unexpected EOF")
                if stop2[0] != "end":
                    self.err(stop2[1], "expected end; found {{else}}")
        return (word, pipe, body, els, pos)

    def pipeline(self, toks, pos, context):
        decl: list[str] = []
        assign = False
        j = 0
        # `$x :=`, `$i, $e :=`, `$x =`
        if toks and toks[0].typ == "variable":
            if len(toks) > 1 and toks[1].typ in ("declare", "assign"):
                decl, assign, j = [toks[0].val], toks[1].typ == "assign", 2
            elif len(toks) > 3 and toks[1].typ == "comma" and toks[2].typ == "variable" and toks[3].typ in ("declare", "assign"):
                decl, assign, j = [toks[0].val, toks[2].val], toks[3].typ == "assign", 4
        for v in decl:
            if assign:
                self.lookup(v, pos)
            else:
                self.vars[-1].append(v)
        cmds = []
        cur: list = []
        sub = toks[j:]
        k = 0
        while k < len(sub):
            t = sub[k]
            if t.typ == "pipe":
                if not cur:
                    self.err(t.pos, "missing command")
                cmds.append(cur)
                cur = []
                k += 1
                continue
            node, k = self.operand(sub, k, pos)
            cur.append(node)
        if cur:
            cmds.append(cur)
        elif cmds:
            self.err(pos, "missing command")
        if not cmds:
            self.err(pos, f"missing value for {context}")
        return (decl, assign, cmds)

    def lookup(self, name, pos):
        for scope in reversed(self.vars):
            if name in scope:
                return
        self.err(pos, f"undefined variable \"{name}\"")

    def operand(self, toks, k, pos):
        """One argument: a term followed by any `.field` chain. Nodes are tuples ending in pos."""
        t = toks[k]
        k += 1
        if t.typ == "field":
            names = [t.val[1:]]
            chained = False
            while k < len(toks) and toks[k].typ == "field" and toks[k].pos == toks[k - 1].pos + len(toks[k - 1].val):
                names.append(toks[k].val[1:])
                if not chained:
                    chained, start = True, toks[k].pos
                k += 1
            return ("field", names, start if chained else t.pos), k
        if t.typ == "dot":
            return ("dot", t.pos), k
        if t.typ == "variable":
            self.lookup(t.val, t.pos)
            node = ("var", t.val, t.pos)
        elif t.typ == "lparen":
            depth, m = 1, k
            while m < len(toks) and depth:
                depth += {"lparen": 1, "rparen": -1}.get(toks[m].typ, 0)
                m += 1
            if depth:
                self.err(t.pos, "unclosed left paren")
            node = ("pipe", self.pipeline(toks[k:m - 1], t.pos, "command"), t.pos)
            k = m
        elif t.typ == "rparen":
            self.err(t.pos, "unexpected right paren")
        elif t.typ in ("string", "raw"):
            node = ("lit", _unquote(t.val), t.pos)
        elif t.typ == "char":
            node = ("lit", ord(_unquote('"' + t.val[1:-1] + '"')), t.pos)
        elif t.typ == "number":
            node = ("lit", _number(t.val), t.pos)
        elif t.typ == "ident":
            if t.val in ("true", "false"):
                node = ("lit", t.val == "true", t.pos)
            elif t.val == "nil":
                node = ("nil", t.pos)
            elif t.val in _KEYWORDS:
                self.err(t.pos, f"unexpected <{t.val}> in command")
            elif t.val not in FUNCS:
                self.err(t.pos, f"function \"{t.val}\" not defined")
            else:
                node = ("func", t.val, t.pos)
        else:
            self.err(t.pos, f"unexpected \"{t.val}\" in command")
        fields = []
        while k < len(toks) and toks[k].typ == "field" and toks[k].pos == toks[k - 1].pos + len(toks[k - 1].val):
            fields.append(toks[k].val[1:])
            k += 1
        if fields:
            if node[0] == "var":
                node = ("var", node[1], node[2], fields)
            else:
                node = ("chain", node, fields, toks[k - len(fields)].pos)
        return node, k


def _unquote(s: str) -> str:
    if s[0] == "`":
        return s[1:-1]
    import json
    try:
        return json.loads(s)
    except ValueError:
        return s[1:-1].encode("utf-8").decode("unicode_escape")


class GoInt(int):
    """An integer constant written in the template: Go's `int`, where JSON numbers are int64."""


def _number(s: str):
    t = s.replace("_", "")
    if not t.lower().lstrip("+-").startswith("0x") and any(c in t for c in ".eE"):
        return float(t)     # Go's idealConstant: a constant with . or e is a float64
    return GoInt(int(t, 0))


def parse(src: str):
    """A parsed template (raises TemplateError with Go's words)."""
    return _Parser(src).parse()


# ---------------------------------------------------------------- execution

class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def _truth(v) -> bool:
    if v is None:
        return False
    if isinstance(v, (bool, int, float, str, list, dict)):
        return bool(v)
    return True


def _kind(v):
    if v is None:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return "other"


class _Exec:
    def __init__(self, src: str, data, missing_error: bool):
        self.src, self.data, self.missing_error = src, data, missing_error
        self.out: list[str] = []
        self.vars: list[tuple[str, object]] = [("$", data)]

    def fail(self, pos: int, node_text: str, msg: str):
        line = self.src.count("\n", 0, pos) + 1
        nl = self.src.rfind("\n", 0, pos)
        col = pos if nl < 0 else pos - nl - 1
        raise ExecError(f'template: {NAME}:{line}:{col}: executing "{NAME}" at <{node_text}>: {msg}')

    def text_of(self, node) -> str:
        t = node[0]
        if t == "field":
            return "." + ".".join(node[1])
        if t == "dot":
            return "."
        if t == "var":
            return node[1] + "".join("." + f for f in (node[3] if len(node) > 3 else []))
        if t == "lit":
            v = node[1]
            if isinstance(v, str):
                import json
                return json.dumps(v)
            return go_value(v)
        if t == "nil":
            return "nil"
        if t == "func":
            return node[1]
        if t == "chain":
            return self.text_of(node[1]) + "".join("." + f for f in node[2])
        if t == "pipe":
            return "(" + self.pipe_text(node[1]) + ")"
        return "?"

    @staticmethod
    def pos_of(node) -> int:
        return node[3] if node[0] == "chain" else node[2] if node[0] in ("field", "var", "func", "lit", "pipe") else node[1]

    def pipe_text(self, pipe) -> str:
        decl, assign, cmds = pipe
        s = " | ".join(" ".join(self.text_of(a) for a in c) for c in cmds)
        if decl:
            s = ", ".join(decl) + (" = " if assign else " := ") + s
        return s

    # walking the tree
    def walk(self, nodes, dot):
        for node in nodes:
            t = node[0]
            if t == "text":
                self.out.append(node[1])
            elif t == "action":
                v = self.pipeline(node[1], dot)
                if not node[1][0]:      # a declaration prints nothing
                    self.out.append(go_value(v))
            elif t in ("if", "with"):
                mark = len(self.vars)
                v = self.pipeline(node[1], dot)
                if _truth(v):
                    self.walk(node[2], v if t == "with" else dot)
                elif node[3] is not None:
                    self.walk(node[3], dot)
                del self.vars[mark:]
            elif t == "range":
                self.range_(node, dot)
            elif t == "break":
                raise _Break()
            elif t == "continue":
                raise _Continue()

    def range_(self, node, dot):
        _, pipe, body, els, pos = node
        decl = pipe[0]
        mark = len(self.vars)
        v = self.pipeline(([], False, pipe[2]), dot)
        if isinstance(v, dict):
            pairs = [(k, v[k]) for k in sorted(v)]
        elif isinstance(v, list):
            pairs = list(enumerate(v))
        elif v is None:
            pairs = []
        else:
            # kubectl v1.32's text/template predates range-over-int
            head = pipe[2][-1][0]
            self.fail(self.pos_of(head), self.text_of(head), f"range can't iterate over {go_value(v)}")
        for key, elem in pairs:
            del self.vars[mark:]
            if len(decl) == 1:
                self.vars.append((decl[0], elem))
            elif len(decl) == 2:
                self.vars.append((decl[0], key))
                self.vars.append((decl[1], elem))
            try:
                self.walk(body, elem)
            except _Break:
                break
            except _Continue:
                continue
        del self.vars[mark:]
        if not pairs and els is not None:
            self.walk(els, dot)

    def pipeline(self, pipe, dot):
        decl, assign, cmds = pipe
        value = _NOFINAL
        for cmd in cmds:
            value = self.command(cmd, dot, value)
        if decl:
            if assign:
                for i in range(len(self.vars) - 1, -1, -1):
                    if self.vars[i][0] == decl[0]:
                        self.vars[i] = (decl[0], value)
                        break
            else:
                self.vars.append((decl[0], value))
        return value

    def var(self, name):
        for n, v in reversed(self.vars):
            if n == name:
                return v
        return None

    def command(self, cmd, dot, final):
        head = cmd[0]
        t = head[0]
        args = cmd[1:]
        if t == "func":
            return self.call(head, args, dot, final, cmd)
        given = bool(args) or final is not _NOFINAL
        if given and (t in ("field", "chain") or (t == "var" and len(head) > 3)):
            names = head[1] if t == "field" else head[2] if t == "chain" else head[3]
            self.fail(self.pos_of(head), self.text_of(head), f"{names[-1]} is not a method but has arguments")
        if given:
            self.fail(self.pos_of(head), self.text_of(head),
                      f"can't give argument to non-function {self.text_of(head)}")
        return self.arg(head, dot)

    def arg(self, node, dot):
        t = node[0]
        if t == "field":
            return self.fields(dot, node[1], node[2], node)
        if t == "dot":
            return dot
        if t == "var":
            v = self.var(node[1])
            if len(node) > 3:
                v = self.fields(v, node[3], node[2], node)
            return v
        if t == "lit":
            return node[1]
        if t == "nil":
            return None
        if t == "pipe":
            return self.pipeline(node[1], dot)
        if t == "chain":
            return self.fields(self.arg(node[1], dot), node[2], node[3], node)
        if t == "func":
            return self.call(node, [], dot, _NOFINAL, [node])
        return None

    def fields(self, recv, names, pos, node):
        for name in names:
            if isinstance(recv, dict):
                if name in recv:
                    recv = recv[name]
                elif self.missing_error:
                    self.fail(pos, self.text_of(node), f'map has no entry for key "{name}"')
                else:
                    recv = None
            elif recv is None:
                if self.missing_error:
                    self.fail(pos, self.text_of(node), f'nil data; no entry for key "{name}"')
                return None
            else:
                self.fail(pos, self.text_of(node), f"can't evaluate field {name} in type interface {{}}")
        return recv

    def call(self, head, args, dot, final, cmd):
        name, pos = head[1], head[2]
        text = " ".join(self.text_of(a) for a in cmd)
        if name in ("and", "or"):
            # short-circuit: Go evaluates arguments only as needed
            vals = list(args)
            if not vals and final is _NOFINAL:
                self.fail(pos, text, f"wrong number of args for {name}: want at least 1 got 0")
            v = None
            items = [("node", a) for a in vals] + ([("val", final)] if final is not _NOFINAL else [])
            for kind, a in items:
                v = self.arg(a, dot) if kind == "node" else a
                if _truth(v) != (name == "and"):
                    return v
            return v
        vals = [self.arg(a, dot) for a in args]
        if final is not _NOFINAL:
            vals.append(final)
        try:
            return FUNCS[name](*vals)
        except _FuncError as e:
            self.fail(pos, text, f"error calling {name}: {e}")
        except TypeError:
            self.fail(pos, text, f"wrong number of args for {name}: got {len(vals)}")


_NOFINAL = object()


class _FuncError(Exception):
    pass


# ---------------------------------------------------------------- built-in functions

def _cmp_kinds(a, b):
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        raise _FuncError("incompatible types for comparison")
    if ka in ("other", "invalid"):
        raise _FuncError("invalid type for comparison")
    return ka


def _eq(a, *bs):
    if not bs:
        raise _FuncError("missing argument for comparison")
    if isinstance(a, (list, dict)):
        raise _FuncError("invalid type for comparison")
    for b in bs:
        ka, kb = _kind(a), _kind(b)
        if ka != kb:
            if ka != "invalid" and kb != "invalid":
                raise _FuncError("incompatible types for comparison")
            continue
        if a == b:
            return True
    return False


def _ne(a, b):
    return not _eq(a, b)


def _lt(a, b):
    k = _cmp_kinds(a, b)
    if k == "bool":
        raise _FuncError("invalid type for comparison")
    return a < b


def _le(a, b):
    return _lt(a, b) or _eq(a, b)


def _gt(a, b):
    return not _le(a, b)


def _ge(a, b):
    return not _lt(a, b)


def _not(a):
    return not _truth(a)


def _len(a):
    if isinstance(a, str):
        return len(a.encode("utf-8"))
    if isinstance(a, (list, dict)):
        return len(a)
    raise _FuncError(f"len of type {_type_name(a)}" if a is not None else "len of nil pointer")


def _index(item, *idx):
    for i in idx:
        if isinstance(item, dict):
            if not isinstance(i, str):
                raise _FuncError(f"value has type {_type_name(i)}; should be string")
            item = item.get(i)
        elif isinstance(item, (list, str)):
            if not isinstance(i, int) or isinstance(i, bool):
                raise _FuncError(f"cannot index slice/array with type {_type_name(i)}")
            if i < 0 or i >= len(item):
                raise _FuncError(f"index out of range: {i}")
            item = item[i] if isinstance(item, list) else item.encode("utf-8")[i]
        elif item is None:
            raise _FuncError("index of untyped nil")
        else:
            raise _FuncError(f"can't index item of type {_type_name(item)}")
    return item


def _sprint(*args) -> str:
    # fmt.Sprint: a space between operands when neither side is a string
    out = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_value(a, False))
    return "".join(out)


def _sprintln(*args) -> str:
    return " ".join(go_value(a, False) for a in args) + "\n"


_VERB = re.compile(r"%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])")


def sprintf(fmt: str, *args) -> str:
    """fmt.Sprintf for the verbs templates use: %s %v %d %q %f %g %e %x %X %o %t %c %%."""
    import json
    out, ai, pos = [], 0, 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if ai >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        a = args[ai]
        ai += 1
        bad = f"%!{verb}({_type_name(a) if a is not None else '<nil>'}={go_value(a, False)})" if a is not None else f"%!{verb}(<nil>)"
        # Go's flags in Python's format-spec order: align, sign, alternate form, zero pad
        spec = ("<" if "-" in flags else "") + ("+" if "+" in flags else " " if " " in flags else "") \
            + ("#" if "#" in flags else "") + ("0" if "0" in flags and "-" not in flags else "") \
            + (width if width and width != "*" else "") + ("." + prec if prec not in (None, "*") else "")
        if verb in "sv":
            s = go_value(a, False) if verb == "v" or not isinstance(a, str) else a
            if verb == "s" and not isinstance(a, (str, list, dict)):
                if a is None:
                    s = "%!s(<nil>)"
                elif not isinstance(a, str):
                    s = f"%!s({_type_name(a)}={go_value(a, False)})"
            if prec is not None and verb == "s":
                s = s[:int(prec)]
            out.append(_pad(s, flags, width))
        elif verb == "q":
            out.append(_pad(json.dumps(a, ensure_ascii=False) if isinstance(a, str) else bad, flags, width))
        elif verb in "dxXoc" and isinstance(a, int) and not isinstance(a, bool):
            if verb == "c":
                out.append(_pad(chr(a), flags, width))
            else:
                out.append(format(a, spec + verb))
        elif verb in "xX" and isinstance(a, str):
            out.append(_pad(a.encode("utf-8").hex() if verb == "x" else a.encode("utf-8").hex().upper(), flags, width))
        elif verb in "feEgG" and isinstance(a, (int, float)) and not isinstance(a, bool):
            if prec is None and verb in "gG":
                out.append(_pad(go_float(float(a)), flags, width))
            else:
                s = format(float(a), spec + ("" if prec is not None or verb not in "fF" else ".6") + verb)
                out.append(s)
        elif verb == "t" and isinstance(a, bool):
            out.append(_pad("true" if a else "false", flags, width))
        else:
            out.append(bad)
    out.append(fmt[pos:])
    if ai < len(args):
        extra = ", ".join(f"{_type_name(a)}={go_value(a, False)}" if a is not None else "<nil>" for a in args[ai:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(s: str, flags: str, width) -> str:
    if not width or width == "*":
        return s
    w = int(width)
    return s.ljust(w) if "-" in flags else s.rjust(w)


def _printf(fmt, *args):
    if not isinstance(fmt, str):
        raise _FuncError(f"wrong type for value; expected string; got {_type_name(fmt)}")
    return sprintf(fmt, *args)


def _base64decode(v):
    if not isinstance(v, str):
        raise _FuncError(f"wrong type for value; expected string; got {_type_name(v)}")
    import binascii
    try:
        return base64.b64decode(v.encode("ascii"), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        bad = next((i for i, c in enumerate(v) if c not in
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="), len(v) - len(v) % 4)
        raise _FuncError(f"base64 decode failed: illegal base64 data at input byte {bad}") from None


def _exists(item, *idx):
    # kubectl's `exists`: true if the chain of keys/indices is present
    for i in idx:
        if isinstance(item, dict) and isinstance(i, str) and i in item:
            item = item[i]
        elif isinstance(item, list) and isinstance(i, int) and 0 <= i < len(item):
            item = item[i]
        else:
            return False
    return True


FUNCS = {
    "and": None, "or": None, "not": _not, "eq": _eq, "ne": _ne, "lt": _lt, "le": _le,
    "gt": _gt, "ge": _ge, "len": _len, "index": _index, "print": _sprint, "printf": _printf,
    "println": _sprintln, "base64decode": _base64decode, "exists": _exists,
}


def execute(tree, src: str, data, *, allow_missing_keys: bool = True) -> str:
    """The text the template writes for data (raises ExecError with Go's words)."""
    ex = _Exec(src, data, not allow_missing_keys)
    try:
        ex.walk(tree, data)
    except (_Break, _Continue):
        pass
    except ExecError as e:
        e.partial = "".join(ex.out)
        raise
    return "".join(ex.out)


class Template:
    """A parsed go-template kept with its source, as kubectl's printer keeps rawTemplate."""

    def __init__(self, src: str):
        self.src = src
        self.tree = parse(src)
        self.allow_missing_keys = True

    def render(self, data) -> str:
        return execute(self.tree, self.src, data, allow_missing_keys=self.allow_missing_keys)
