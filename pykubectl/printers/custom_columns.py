"""kubectl's -o custom-columns / custom-columns-file (cli-runtime `CustomColumnsPrinter`).

Each column is a header and a relaxed JSONPath (`.metadata.name`, `{.metadata.name}`,
`metadata.name`); several results join with commas, none gives `<none>`, values print as Go's
fmt.Sprint prints them (`map[a:b]`, `[x y]`). The text goes through kubectl's tabwriter.
"""
from __future__ import annotations

from pykubectl.printers.jsonpath import JSONPath, JSONPathError, relaxed
from pykubectl.printers.render import _escape, tabwrite
from pykubectl.printers.tables import go_text


class Column:
    __slots__ = ("header", "field_spec")

    def __init__(self, header: str, field_spec: str):
        self.header, self.field_spec = header, field_spec

    def __repr__(self):
        return f"Column({self.header!r}, {self.field_spec!r})"


def from_spec(spec: str) -> list[Column]:
    """NewCustomColumnsPrinterFromSpec: `NAME:.metadata.name,IP:.status.podIP`.
    ValueError carries kubectl's message."""
    if not spec:
        raise ValueError("custom-columns format specified but no custom columns given")
    cols = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise ValueError(f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        cols.append(Column(header, _relaxed(path)))
    return cols


def from_template(text: str) -> list[Column]:
    """NewCustomColumnsPrinterFromTemplate: a line of headers and a line of paths."""
    lines = text.split("\n")
    if not text or not lines:
        raise ValueError("invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.")
    if len(lines) < 2 or (len(lines) == 2 and lines[1] == ""):
        raise ValueError("invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.")
    headers, specs = lines[0].split(), lines[1].split()
    if len(headers) != len(specs):
        raise ValueError(f"number of headers ({len(headers)}) and field specifications ({len(specs)}) don't match")
    return [Column(h, _relaxed(s)) for h, s in zip(headers, specs)]


def _relaxed(path: str) -> str:
    try:
        return relaxed(path)
    except JSONPathError as e:
        raise ValueError(str(e)) from None


def _parsers(columns: list[Column]) -> list[JSONPath]:
    try:
        return [JSONPath(c.field_spec) for c in columns]
    except JSONPathError as e:
        raise ValueError(str(e)) from None


def row(parsers: list[JSONPath], obj: dict) -> list[str]:
    """printOneObject's cells."""
    cells = []
    for p in parsers:
        try:
            values = p.find_results(obj)
        except JSONPathError as e:
            raise ValueError(str(e)) from None
        texts = [] if values and values[0] else ["<none>"]
        texts += [_escape(go_text(v)) for vs in values for v in vs]
        cells.append(",".join(texts))
    return cells


def text(columns: list[Column], objs: list[dict], *, no_headers: bool = False) -> str:
    """The tab-separated lines for objs (headers first unless no_headers), before tabwriting."""
    parsers = _parsers(columns)
    lines = [] if no_headers else ["\t".join(c.header for c in columns)]
    lines += ["\t".join(row(parsers, o)) for o in objs]
    return "".join(line + "\n" for line in lines)


def render(columns: list[Column], objs: list[dict], *, no_headers: bool = False,
           remembered_widths: list[int] | None = None) -> str:
    """What kubectl prints for objs with these columns."""
    return tabwrite(text(columns, objs, no_headers=no_headers), remembered_widths)
