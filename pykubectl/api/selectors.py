"""Label selectors, field selectors and node selectors, as apimachinery parses and matches them.

Label selectors follow `labels/selector.go` (the lexer/parser behind `kubectl get -l`, the
canonical string `describe` prints after "Selector:"), field selectors `fields/selector.go`
(`--field-selector`), and node selectors the scheduler's `nodeaffinity` helper. Error messages
are apimachinery's, word for word, because users see them through the apiserver.
"""
from __future__ import annotations

import re

from pykubectl.api.errors import UserError


class SelectorError(UserError, ValueError):
    """An unparsable or unsupported selector; the message is the apiserver's."""


# ---------------------------------------------------------------------------------------------
# name and value validation, needed for the parser's messages: validation.py's rules (apimachinery
# util/validation), imported on first use so that commands parsing no selector never load them

def qualified_name_errors(value: str) -> list[str]:
    """validation.IsQualifiedName: the messages for a bad label key (empty when valid)."""
    from pykubectl.api.validation import qualified_name
    return qualified_name(value)


def label_value_errors(value: str) -> list[str]:
    """validation.IsValidLabelValue: the messages for a bad label value (empty when valid)."""
    from pykubectl.api.validation import label_value
    return label_value(value)


def _quote(v) -> str:
    if isinstance(v, list):
        return "[]string{" + ", ".join(_quote(x) for x in v) + "}"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _invalid(path: str, value, detail: str) -> str:
    # field.Invalid(...).Error(); a nil path prints as "<nil>"
    return f"{path}: Invalid value: {_quote(value)}: {detail}"


# ---------------------------------------------------------------------------------------------
# label selectors

# selection.Operator strings
IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "in", "notin", "=", "==", "!="
EXISTS, DOES_NOT_EXIST, GT, LT = "exists", "!", "gt", "lt"
_BINARY_OPS = [IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GT, LT]


class Requirement:
    """One `key op values` term of a label selector."""

    __slots__ = ("key", "op", "values")

    def __init__(self, key: str, op: str, values=()):
        self.key = key
        self.op = op
        self.values = list(values)

    @classmethod
    def new(cls, key: str, op: str, values=(), path: str | None = None) -> "Requirement":
        """labels.NewRequirement: validate, raising SelectorError with the aggregated messages."""
        values = list(values)
        errs = []
        kp = f"{path}.key" if path else "key"
        vp = f"{path}.values" if path else "values"
        ke = qualified_name_errors(key)
        if ke:
            errs.append(_invalid(kp, key, "; ".join(ke)))
        if op in (IN, NOT_IN):
            if not values:
                errs.append(_invalid(vp, values, "for 'in', 'notin' operators, values set can't be empty"))
        elif op in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
            if len(values) != 1:
                errs.append(_invalid(vp, values, "exact-match compatibility requires one single value"))
        elif op in (EXISTS, DOES_NOT_EXIST):
            if values:
                errs.append(_invalid(vp, values, "values set must be empty for exists and does not exist"))
        elif op in (GT, LT):
            if len(values) != 1:
                errs.append(_invalid(vp, values, "for 'Gt', 'Lt' operators, exactly one value is required"))
            for i, v in enumerate(values):
                if _go_int(v) is None:
                    errs.append(_invalid(f"{vp}[{i}]", v, "for 'Gt', 'Lt' operators, the value must be an integer"))
        else:
            supported = ", ".join(f'"{o}"' for o in _BINARY_OPS + [EXISTS, DOES_NOT_EXIST])
            errs.append(f'{path + "." if path else ""}operator: Unsupported value: "{op}": '
                        f"supported values: {supported}")
        for i, v in enumerate(values):
            ve = label_value_errors(v)
            if ve:
                errs.append(_invalid(f"{vp}[{i}][{key}]", v, "; ".join(ve)))
        if errs:
            raise SelectorError(errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")
        return cls(key, op, values)

    def matches(self, labels: dict) -> bool:
        has = self.key in labels
        if self.op in (IN, EQUALS, DOUBLE_EQUALS):
            return has and labels[self.key] in self.values
        if self.op in (NOT_IN, NOT_EQUALS):
            return not has or labels[self.key] not in self.values
        if self.op == EXISTS:
            return has
        if self.op == DOES_NOT_EXIST:
            return not has
        if self.op in (GT, LT):
            if not has or len(self.values) != 1:
                return False
            lv, rv = _go_int(labels[self.key]), _go_int(self.values[0])
            if lv is None or rv is None:
                return False
            return lv > rv if self.op == GT else lv < rv
        return False

    def __str__(self):
        if self.op == DOES_NOT_EXIST:
            return "!" + self.key
        if self.op == EXISTS:
            return self.key
        sym = {EQUALS: "=", DOUBLE_EQUALS: "==", NOT_EQUALS: "!=", IN: " in ", NOT_IN: " notin ",
               GT: ">", LT: "<"}[self.op]
        vals = ",".join(sorted(self.values)) if len(self.values) > 1 else "".join(self.values)
        if self.op in (IN, NOT_IN):
            vals = f"({vals})"
        return f"{self.key}{sym}{vals}"

    def __repr__(self):
        return f"Requirement({self.key!r}, {self.op!r}, {self.values!r})"

    def __eq__(self, other):
        return isinstance(other, Requirement) and (self.key, self.op, self.values) == (
            other.key, other.op, other.values)


def _go_int(s: str) -> int | None:
    """strconv.ParseInt(s, 10, 64), or None."""
    if not re.fullmatch(r"[+-]?[0-9]+", s or ""):
        return None
    n = int(s)
    return n if -(2**63) <= n < 2**63 else None


class LabelSelector:
    """A conjunction of requirements; `nothing=True` is labels.Nothing() (a nil LabelSelector)."""

    __slots__ = ("requirements", "nothing")

    def __init__(self, requirements=(), nothing: bool = False):
        # sorted by key (stable), as labels.Parse and Selector.Add keep them
        self.requirements = sorted(requirements, key=lambda r: r.key)
        self.nothing = nothing

    def matches(self, labels: dict | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def empty(self) -> bool:
        """True when the selector does not restrict anything (Everything)."""
        return not self.nothing and not self.requirements

    def equalities(self) -> dict[str, str] | None:
        """The `key=value` pairs every match must carry (RequiresExactMatch), for an index lookup;
        None when there are none."""
        eq = {r.key: r.values[0] for r in self.requirements
              if r.op in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1}
        return eq or None

    def __str__(self):
        return ",".join(str(r) for r in self.requirements)

    def __repr__(self):
        return "LabelSelector(nothing)" if self.nothing else f"LabelSelector({str(self)!r})"

    def __eq__(self, other):
        return isinstance(other, LabelSelector) and (self.requirements, self.nothing) == (
            other.requirements, other.nothing)


def everything() -> LabelSelector:
    return LabelSelector()


def nothing() -> LabelSelector:
    return LabelSelector(nothing=True)


# lexer tokens
_ERR, _EOS, _CLOSE, _COMMA, _NOT, _DEQ, _EQ, _GT, _ID, _IN, _LT, _NEQ, _NOTIN, _OPEN = range(14)
_STRING2TOKEN = {")": _CLOSE, ",": _COMMA, "!": _NOT, "==": _DEQ, "=": _EQ, ">": _GT, "in": _IN,
                 "<": _LT, "!=": _NEQ, "notin": _NOTIN, "(": _OPEN}
_SPECIAL = set("=!(),><")
_WS = set(" \t\r\n")


def _lex(s: str) -> list[tuple[int, str]]:
    items, pos, n = [], 0, len(s)
    while True:
        while pos < n and s[pos] in _WS:
            pos += 1
        if pos >= n:
            items.append((_EOS, ""))
            return items
        if s[pos] in _SPECIAL:
            # longest run of special symbols that still forms a token ("!=", "==")
            buf, last = "", None
            while pos < n and s[pos] in _SPECIAL:
                buf += s[pos]
                if buf in _STRING2TOKEN:
                    last = (_STRING2TOKEN[buf], buf)
                    pos += 1
                elif last is not None:
                    break
                else:
                    pos += 1
            items.append(last if last else (_ERR, f"error expected: keyword found '{buf}'"))
        else:
            start = pos
            while pos < n and s[pos] not in _SPECIAL and s[pos] not in _WS:
                pos += 1
            word = s[start:pos]
            items.append((_STRING2TOKEN.get(word, _ID), word))


class _Parser:
    def __init__(self, s: str):
        self.items = _lex(s)
        self.pos = 0

    def lookahead(self, values: bool = True):
        tok, lit = self.items[self.pos]
        if values and tok in (_IN, _NOTIN):
            tok = _ID
        return tok, lit

    def consume(self, values: bool = True):
        tok, lit = self.lookahead(values)
        self.pos += 1
        return tok, lit

    def parse(self) -> list[Requirement]:
        reqs = []
        while True:
            tok, lit = self.lookahead()
            if tok in (_ID, _NOT):
                try:
                    reqs.append(self.requirement())
                except SelectorError as e:
                    raise SelectorError(f"unable to parse requirement: {e}") from None
                t, l = self.consume()
                if t == _EOS:
                    return reqs
                if t == _COMMA:
                    t2, l2 = self.lookahead()
                    if t2 not in (_ID, _NOT):
                        raise SelectorError(f"found '{l2}', expected: identifier after ','")
                else:
                    raise SelectorError(f"found '{l}', expected: ',' or 'end of string'")
            elif tok == _EOS:
                return reqs
            else:
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def requirement(self) -> Requirement:
        op = None
        tok, lit = self.consume()
        if tok == _NOT:
            op = DOES_NOT_EXIST
            tok, lit = self.consume()
        if tok != _ID:
            raise SelectorError(f"found '{lit}', expected: identifier")
        key = lit
        ke = qualified_name_errors(key)
        if ke:
            raise SelectorError(_invalid("<nil>", key, "; ".join(ke)))
        if self.lookahead()[0] in (_EOS, _COMMA):
            op = op or EXISTS
        if op in (EXISTS, DOES_NOT_EXIST):
            return Requirement.new(key, op, [])
        tok, lit = self.consume(values=False)
        op = {_IN: IN, _EQ: EQUALS, _DEQ: DOUBLE_EQUALS, _GT: GT, _LT: LT, _NOTIN: NOT_IN,
              _NEQ: NOT_EQUALS}.get(tok)
        if op is None:
            raise SelectorError(f"found '{lit}', expected: {', '.join(_BINARY_OPS)}")
        values = self.set_values() if op in (IN, NOT_IN) else self.exact_value()
        return Requirement.new(key, op, sorted(values))

    def set_values(self) -> set[str]:
        tok, lit = self.consume()
        if tok != _OPEN:
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok in (_ID, _COMMA):
            s = self.identifiers()
            if self.consume()[0] != _CLOSE:
                raise SelectorError(f"found '{lit}', expected: ')'")
            return s
        if tok == _CLOSE:
            self.consume()
            return {""}
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def identifiers(self) -> set[str]:
        s: set[str] = set()
        while True:
            tok, lit = self.consume()
            if tok == _ID:
                s.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == _COMMA:
                    continue
                if tok2 == _CLOSE:
                    return s
                raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                if not s:
                    s.add("")
                tok2, _ = self.lookahead()
                if tok2 == _CLOSE:
                    s.add("")
                    return s
                if tok2 == _COMMA:
                    self.consume()
                    s.add("")
            else:
                raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> set[str]:
        tok, _ = self.lookahead()
        if tok in (_EOS, _COMMA):
            return {""}
        tok, lit = self.consume()
        if tok == _ID:
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")


def parse_label_selector(s: str) -> LabelSelector:
    """labels.Parse: `a=b,c!=d,e in (x,y),!f,g` (what `kubectl -l` sends)."""
    return LabelSelector(_Parser(s or "").parse())


def from_match_labels(m: dict | None) -> LabelSelector:
    """labels.SelectorFromSet: a Service's or ReplicationController's map selector (empty: everything)."""
    return LabelSelector(Requirement(k, EQUALS, [str(v)]) for k, v in (m or {}).items())


_EXPR_OPS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def from_label_selector(sel: dict | None) -> LabelSelector:
    """metav1.LabelSelectorAsSelector: None selects nothing, {} everything."""
    if sel is None:
        return nothing()
    labels = sel.get("matchLabels") or {}
    exprs = sel.get("matchExpressions") or []
    if not labels and not exprs:
        return everything()
    reqs = [Requirement.new(k, EQUALS, [str(v)]) for k, v in labels.items()]
    for e in exprs:
        op = e.get("operator")
        if op not in _EXPR_OPS:
            raise SelectorError(f'"{op}" is not a valid label selector operator')
        reqs.append(Requirement.new(e.get("key") or "", _EXPR_OPS[op], e.get("values") or []))
    return LabelSelector(reqs)


def format_labels(m: dict | None) -> str:
    """labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty (describe's Selector of a Service)."""
    if not m:
        return "<none>"
    return ",".join(f"{k}={m[k]}" for k in sorted(m))


# ---------------------------------------------------------------------------------------------
# field selectors

_FIELD_OPS = ("!=", "==", "=")


def _split_terms(s: str) -> list[str]:
    """Split on commas not escaped by a backslash."""
    if not s:
        return []
    terms, start, escaped = [], 0, False
    for i, c in enumerate(s):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append(s[start:i])
            start = i + 1
    terms.append(s[start:])
    return terms


def _split_term(term: str):
    for i in range(len(term)):
        for op in _FIELD_OPS:
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape(s: str) -> str:
    """fields.UnescapeValue: backslash escapes only `\\`, `,` and `=`; bare `,` and `=` are errors."""
    if not any(c in s for c in "\\,="):
        return s
    out, in_slash = [], False
    for c in s:
        if in_slash:
            if c not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c in ",=":
            # Go formats the rune with %v, which prints its code point
            raise SelectorError(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if in_slash:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


class FieldSelector:
    """A conjunction of `field=value` / `field!=value` terms."""

    __slots__ = ("requirements",)

    def __init__(self, requirements=()):
        self.requirements: list[tuple[str, str, str]] = list(requirements)

    def matches(self, obj: dict, fields: dict | None = None) -> bool:
        """Match against `fields` (a fields.Set) or the object's selectable fields."""
        if fields is None:
            fields = selectable_fields(obj)
        for field, op, want in self.requirements:
            got = fields.get(field, "")
            if (got == want) != (op != "!="):
                return False
        return True

    def empty(self) -> bool:
        return not self.requirements

    def __str__(self):
        return ",".join(f"{f}{'!=' if op == '!=' else '='}{_escape(v)}" for f, op, v in self.requirements)

    def __repr__(self):
        return f"FieldSelector({str(self)!r})"


def parse_field_selector(s: str) -> FieldSelector:
    """fields.ParseSelector: `metadata.name=x,status.phase!=Running,spec.nodeName=`."""
    reqs = []
    for part in sorted(_split_terms(s or "")):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise SelectorError(f"invalid selector: '{s}'; can't understand '{part}'")
        lhs, op, rhs = split
        reqs.append((lhs, "!=" if op == "!=" else "=", _unescape(rhs)))
    return FieldSelector(reqs)


# Field labels the resources with their own conversion function accept (pkg/apis/*/v1/
# conversion.go), keyed by group-qualified resource as errors.qualified() names it; every other
# resource accepts only metadata.name and metadata.namespace (DefaultMetaV1FieldSelectorConversion).
SUPPORTED_FIELDS: dict[str, set[str]] = {
    "pods": {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
             "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
             "status.podIP", "status.podIPs", "status.nominatedNodeName"},
    "nodes": {"metadata.name", "spec.unschedulable"},
    "replicationcontrollers": {"metadata.name", "metadata.namespace", "status.replicas"},
    "events": {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
               "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
               "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
               "metadata.namespace", "metadata.name"},
    "namespaces": {"status.phase", "metadata.name"},
    "secrets": {"type", "metadata.namespace", "metadata.name"},
    "services": {"metadata.name", "metadata.namespace", "spec.clusterIP", "spec.type"},
    "replicasets.apps": {"metadata.name", "metadata.namespace", "status.replicas"},
    "jobs.batch": {"metadata.name", "metadata.namespace", "status.successful"},
    "certificatesigningrequests.certificates.k8s.io": {"metadata.name", "spec.signerName"},
}
# the Pod conversion also accepts an old name and rewrites it
_FIELD_ALIASES = {("pods", "spec.host"): "spec.nodeName"}
_DEFAULT_FIELDS = ("metadata.name", "metadata.namespace")


def check_field_selector(resource: str, sel: FieldSelector | str) -> FieldSelector:
    """Check a field selector against what `resource` (`pods`, `jobs.batch`) can be filtered on,
    raising the apiserver's message; aliases (`spec.host`) are rewritten in place."""
    if isinstance(sel, str):
        sel = parse_field_selector(sel)
    allowed = SUPPORTED_FIELDS.get(resource)
    out = []
    for field, op, v in sel.requirements:
        if allowed is None:
            if field not in _DEFAULT_FIELDS:
                raise SelectorError(f'"{field}" is not a known field selector: only '
                                    f'"{_DEFAULT_FIELDS[0]}", "{_DEFAULT_FIELDS[1]}"')
        else:
            field = _FIELD_ALIASES.get((resource, field), field)
            if field not in allowed:
                raise SelectorError(f"field label not supported: {field}")
        out.append((field, op, v))
    sel.requirements = out
    return sel


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def selectable_fields(obj: dict) -> dict[str, str]:
    """The fields.Set the apiserver filters an object on (ToSelectableFields / GetAttrs per kind)."""
    kind = obj.get("kind") or ""
    meta = obj.get("metadata") or {}
    f = {"metadata.name": meta.get("name") or ""}
    if meta.get("namespace"):
        f["metadata.namespace"] = meta["namespace"]
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    if kind == "Pod":
        ips = [p.get("ip", "") for p in status.get("podIPs") or []]
        f.update({"spec.nodeName": spec.get("nodeName") or "",
                  "spec.restartPolicy": spec.get("restartPolicy") or "",
                  "spec.schedulerName": spec.get("schedulerName") or "",
                  "spec.serviceAccountName": spec.get("serviceAccountName") or "",
                  "spec.hostNetwork": _text(bool(spec.get("hostNetwork"))),
                  "status.phase": status.get("phase") or "",
                  "status.podIP": status.get("podIP") or "",
                  # the apiserver indexes the podIPs by joining them
                  "status.podIPs": ",".join(ips),
                  "status.nominatedNodeName": status.get("nominatedNodeName") or ""})
    elif kind == "Node":
        f["spec.unschedulable"] = _text(bool(spec.get("unschedulable")))
    elif kind in ("ReplicationController", "ReplicaSet"):
        f["status.replicas"] = str(status.get("replicas") or 0)
    elif kind == "Job":
        f["status.successful"] = str(status.get("succeeded") or 0)
    elif kind == "Namespace":
        f["status.phase"] = status.get("phase") or ""
    elif kind == "Secret":
        f["type"] = obj.get("type") or ""
    elif kind == "Service":
        f["spec.clusterIP"] = spec.get("clusterIP") or ""
        f["spec.type"] = spec.get("type") or ""
    elif kind == "Event":
        inv = obj.get("involvedObject") or {}
        for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"):
            f[f"involvedObject.{k}"] = inv.get(k) or ""
        f["reason"] = obj.get("reason") or ""
        f["reportingComponent"] = obj.get("reportingComponent") or ""
        f["source"] = (obj.get("source") or {}).get("component") or ""
        f["type"] = obj.get("type") or ""
    elif kind == "CertificateSigningRequest":
        f["spec.signerName"] = spec.get("signerName") or ""
    return f


# ---------------------------------------------------------------------------------------------
# node selectors (nodeAffinity requiredDuringSchedulingIgnoredDuringExecution)

_NODE_OPS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST,
             "Gt": GT, "Lt": LT}


def _node_requirement(expr: dict) -> Requirement:
    op = _NODE_OPS.get(expr.get("operator"))
    if op is None:
        raise SelectorError(f'operator: Unsupported value: "{expr.get("operator")}"')
    return Requirement.new(expr.get("key") or "", op, expr.get("values") or [])


def node_selector_term_matches(term: dict, node: dict) -> bool:
    """One NodeSelectorTerm: all matchExpressions (on labels) and matchFields (metadata.name)
    must hold; an empty or invalid term matches nothing."""
    exprs = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not exprs and not fields:
        return False
    meta = node.get("metadata") or {}
    try:
        if exprs:
            reqs = [_node_requirement(e) for e in exprs]
            if not LabelSelector(reqs).matches(meta.get("labels") or {}):
                return False
        for fe in fields:
            # only metadata.name is supported, with In/NotIn and exactly one value
            vals = fe.get("values") or []
            if fe.get("key") != "metadata.name" or fe.get("operator") not in ("In", "NotIn") or len(vals) != 1:
                return False
            name = meta.get("name") or ""
            if (name in vals) != (fe["operator"] == "In"):
                return False
    except SelectorError:
        return False
    return True


def node_selector_matches(node_selector: dict | None, node: dict) -> bool:
    """A NodeSelector: its terms are ORed; no terms matches nothing."""
    terms = (node_selector or {}).get("nodeSelectorTerms") or []
    return any(node_selector_term_matches(t or {}, node) for t in terms)

