"""kubectl's human-readable rendering of a meta.k8s.io/v1 Table.

What cli-runtime's table printer does on the client side (`decorateTable`, `printTable`): a
NAMESPACE column first with -A, the `pod/` kind prefix on the name column, -L label columns
and then LABELS last, headers uppercased, priority-1 columns only with -o wide. The text then
goes through a port of Go's text/tabwriter with kubectl's settings (`printers.GetNewTabWriter`:
minwidth 6, tabwidth 4, padding 3, padded with spaces), byte for byte: every column but the
last is padded, so an empty last cell leaves the previous column's padding behind.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable


from pykubectl.printers.tables import format_labels, go_float, go_text

# printers.GetNewTabWriter
TAB_MINWIDTH = 6
TAB_PADDING = 3


def tabwrite(text: str, remembered: list[int] | None = None, *, minwidth: int = TAB_MINWIDTH,
             padding: int = TAB_PADDING) -> str:
    """Go's tabwriter.Writer over `text` (padchar ' '; kubectl's get settings by default,
    describe passes its own minwidth 0 / padding 2): a column block is a run of consecutive lines
    having a cell in that column; the last cell of a line never pads.

    `remembered`, when given, carries column widths from one flush to the next, as the
    liggitt/tabwriter fork kubectl uses does for `get --watch` (widths never shrink).
    """
    lines = [line.split("\t") for line in text.split("\n")]
    if remembered is None:
        fast = _uniform(lines, minwidth, padding)
        if fast is not None:
            return fast
    out: list[str] = []
    widths: list[int] = []

    def write_lines(line0: int, line1: int) -> None:
        for i in range(line0, line1):
            cells = lines[i]
            for j, cell in enumerate(cells):
                out.append(cell)
                if j < len(widths) and j < len(cells) - 1:
                    out.append(" " * (widths[j] - len(cell)))
            if i + 1 < len(lines):
                out.append("\n")

    def fmt(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            # a cell in this column: the lines before it are done
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, len(lines[this][column]) + padding)
                this += 1
            if remembered is not None:
                if column < len(remembered):
                    width = max(width, remembered[column])
                    remembered[column] = width
                else:
                    remembered.append(width)
            widths.append(width)
            fmt(line0, this)
            widths.pop()
            line0 = this
        write_lines(line0, line1)

    fmt(0, len(lines))
    return "".join(out)


_SPECIAL = re.compile("[\f\n\r\x1b]")


def _uniform(lines: list[list[str]], minwidth: int, padding: int) -> str | None:
    """tabwrite's answer when every line has the same cells (a table: one column block each),
    computed column-wise (get -A writes 10,000 lines); None for any other shape."""
    body = lines[:-1] if lines[-1] == [""] else lines
    n = len(body[0]) if body else 0
    if n < 2 or any(len(cells) != n for cells in body):
        return None
    widths = [max(minwidth, max(map(len, col)) + padding) for col in list(zip(*body))[:-1]]
    line = "".join(f"{{:<{w}}}" for w in widths) + "{}"
    text = "\n".join(line.format(*cells) for cells in body)
    return text + "\n" if len(body) < len(lines) else text


def format_cell(cell) -> str:
    """One cell as printTable writes it: nil is empty, text is cut at the first line break."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        if not _SPECIAL.search(cell):
            return cell     # the common case, in one scan (get -A formats every cell)
        text = cell
        cut = min((i for i in (text.find("\f"), text.find("\n"), text.find("\r")) if i >= 0),
                  default=-1)
        if cut >= 0:
            return _escape(text[:cut]) + "..."
        return _escape(text)
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return _escape(go_float(cell))
    if isinstance(cell, (dict, list)):
        return _escape(go_text(cell))
    return _escape(str(cell))


def _escape(text: str) -> str:
    # printers.WriteEscaped: no terminal control sequences from the server reach the terminal
    if "\x1b" in text or "\r" in text:
        text = text.replace("\x1b", "^[").replace("\r", "\\r")
    return text


def label_headers(label_columns: Iterable[str]) -> list[str]:
    """formatLabelHeaders: `-L app.kubernetes.io/name` heads a column NAME."""
    return [key.split("/")[-1].upper() for key in label_columns]


def _row_metadata(row: dict) -> dict | None:
    obj = row.get("object")
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return None
    return obj["metadata"]


def render_table(table: dict, *, wide: bool = False, no_headers: bool = False,
                 namespace_column: bool = False, kind_prefix: str = "", show_labels: bool = False,
                 label_columns: Iterable[str] = (), sort_key: Callable[[dict], object] | None = None,
                 remembered_widths: list[int] | None = None) -> str:
    """The text `kubectl get` prints for a Table (empty when it has no rows).

    kind_prefix is the lowercased GroupKind (`pod`, `deployment.apps`); sort_key orders the
    Table's rows (each a dict with `cells` and `object`).
    """
    text = table_text(table, wide=wide, no_headers=no_headers, namespace_column=namespace_column,
                      kind_prefix=kind_prefix, show_labels=show_labels,
                      label_columns=label_columns, sort_key=sort_key)
    return tabwrite(text, remembered_widths) if text else ""


def table_text(table: dict, *, wide: bool = False, no_headers: bool = False,
               namespace_column: bool = False, kind_prefix: str = "", show_labels: bool = False,
               label_columns: Iterable[str] = (), sort_key=None) -> str:
    """The tab-separated text kubectl hands its tabwriter (see render_table)."""
    label_columns = list(label_columns)
    columns = list(table.get("columnDefinitions") or ())
    rows = table.get("rows") or ()
    if sort_key is not None:
        rows = sorted(rows, key=sort_key)

    name_col = -1
    if kind_prefix:
        for i, c in enumerate(columns):
            if c.get("format") == "name" and c.get("type") == "string":
                name_col = i
                break
    decorated_cols = []
    if namespace_column:
        decorated_cols.append({"name": "Namespace", "type": "string"})
    decorated_cols += columns
    decorated_cols += [{"name": h, "type": "string"} for h in label_headers(label_columns)]
    if show_labels:
        decorated_cols.append({"name": "Labels", "type": "string"})
    width = len(decorated_cols)
    shown_cols = [i for i, c in enumerate(decorated_cols) if wide or not c.get("priority")]

    # rows may be a generator (get's streaming path): each row becomes its line of text at
    # once, so only the text is kept, as kubectl's tabwriter keeps only cells
    lines = []
    if not no_headers:
        lines.append("\t".join(decorated_cols[i].get("name", "").upper() for i in shown_cols))
    any_row = False
    for r in rows:
        any_row = True
        cells = list(r.get("cells") or ())
        if name_col != -1 and name_col < len(cells):
            cells[name_col] = f"{kind_prefix.lower()}/{format_cell(cells[name_col])}"
        meta = _row_metadata(r)
        if meta is None:
            if namespace_column:
                cells.insert(0, None)
            # decorateTable's fill loop re-reads len(cells) as it appends: it adds only half
            # of the missing cells, rounded up; kept for byte-for-byte output
            missing = width - len(cells)
            cells += [None] * max(0, (missing + 1) // 2)
        else:
            if namespace_column:
                cells.insert(0, meta.get("namespace", ""))
            labels = meta.get("labels") or {}
            cells += [labels.get(k, "") for k in label_columns]
            if show_labels:
                cells.append(format_labels(labels))
        n = len(cells)
        lines.append("\t".join(format_cell(cells[i]) for i in shown_cols if i < n))
    if not any_row:
        return ""
    return "\n".join(lines) + "\n"


def render_many(sections: list[str], *, no_headers: bool = False) -> str:
    """Several kinds' tables: kubectl separates them with a blank line (none with
    --no-headers), and a kind that printed nothing gets no separator."""
    return ("" if no_headers else "\n").join(s for s in sections if s)
