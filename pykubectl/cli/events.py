"""kubectl events (pkg/cmd/events): events of a namespace (or all, or one object's), oldest
first, in kubectl's own five columns; -w streams new ones; -o prints them as objects."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning] [options]"
LONG = """Display events.

 Prints a table of the most important information about events. You can request events for a namespace, for all namespace, or filtered to only those pertaining to a specified resource."""
EXAMPLES = """  # List recent events in the default namespace
  kubectl events

  # List recent events in all namespaces
  kubectl events --all-namespaces

  # List recent events for the specified pod, then wait for more events and list them as they arrive
  kubectl events --for pod/web-pod-13je7 --watch

  # List recent events in YAML format
  kubectl events -oyaml

  # List recent only events of type 'Warning' or 'Normal'
  kubectl events --types=Warning,Normal
"""
FLAGS = [
    Flag("all-namespaces", "A", "bool", help="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("chunk-size", kind="int", default=500, help="Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future."),
    Flag("for", help="Filter events to only those pertaining to the specified resource."),
    Flag("no-headers", kind="bool", help="When using the default output format, don't print headers."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("types", kind="slice", help="Output only events of given types."),
    Flag("watch", "w", "bool", help="After listing the requested events, watch for more events."),
]

_ALLOWED = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"


# ---------------------------------------------------------------- pure logic

def _ts(value) -> float | None:
    from pykubectl.store.clock import parse_time
    return parse_time(value) if value else None


def event_time(ev: dict) -> float:
    """eventTime(): series.lastObservedTime, else lastTimestamp, else eventTime."""
    series = ev.get("series")
    if series:
        return _ts(series.get("lastObservedTime")) or 0.0
    return _ts(ev.get("lastTimestamp")) or _ts(ev.get("eventTime")) or 0.0


def sort_events(events: list[dict]) -> list[dict]:
    """SortableEvents: oldest first."""
    return sorted(events, key=event_time)


def _since(value, now: float) -> str:
    from pykubectl.printers.duration import human_duration
    t = _ts(value)
    return "<unknown>" if t is None else human_duration(now - t)


def interval(ev: dict, now: float) -> str:
    """getInterval: `5s`, or `2m (x3 over 10m)` for a repeated event."""
    first = _since(ev.get("eventTime"), now) if _ts(ev.get("eventTime")) else _since(ev.get("firstTimestamp"), now)
    series = ev.get("series")
    if series:
        return f"{_since(series.get('lastObservedTime'), now)} (x{int(series.get('count') or 0)} over {first})"
    if int(ev.get("count") or 0) > 1:
        return f"{_since(ev.get('lastTimestamp'), now)} (x{int(ev['count'])} over {first})"
    return first


def _cell(text: str) -> str:
    from pykubectl.printers.render import format_cell
    return format_cell(text or "")


def table_lines(events: list[dict], now: float, *, all_namespaces: bool, headers: bool) -> str:
    """The EventPrinter's tab-separated lines (before tabwriting)."""
    lines = []
    if headers:
        lines.append(("NAMESPACE\t" if all_namespaces else "") + "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE")
    for ev in events:
        inv = ev.get("involvedObject") or {}
        cells = [interval(ev, now), _cell(ev.get("type", "")), _cell(ev.get("reason", "")),
                 f"{_cell(inv.get('kind', ''))}/{_cell(inv.get('name', ''))}",
                 _cell((ev.get("message") or "").strip())]
        if all_namespaces:
            cells.insert(0, (ev.get("metadata") or {}).get("namespace", ""))
        lines.append("\t".join(cells))
    return "".join(line + "\n" for line in lines)


def type_filter(types: list[str]):
    """--types: a predicate on an event's type (case-insensitive); kubectl's error if invalid."""
    wanted = sorted(set(types))
    for t in wanted:
        if t.lower() not in ("normal", "warning"):
            raise CLIError("valid --types are Normal or Warning")
    return lambda et: not wanted or any(t.lower() == (et or "").lower() for t in wanted)


# ---------------------------------------------------------------- the command

def run(g, o, args):
    """List events."""
    # positional arguments are ignored, as cobra ignores them for this command
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    field_selector = _for_selector(client, o["for"]) if o["for"] else None
    printer = None
    if o.output or o.template:
        from pykubectl.cli.get import Printer
        printer = Printer(o.output or "go-template", o.template,
                          show_managed_fields=o.show_managed_fields,
                          allow_missing_keys=o.allow_missing_template_keys, allowed=_ALLOWED)
    keep = type_filter(o.types)
    kind = client.resolve("events")
    ns = None if o.all_namespaces else client.namespace
    lst = client.list(kind, ns, None, field_selector)
    events = [_typed(e) for e in lst["items"] if keep(e.get("type"))]
    out = sys.stdout
    from pykubectl.printers.render import tabwrite
    if o.watch:
        return _watch(client, o, kind, ns, field_selector, keep, events, printer,
                      lst["metadata"].get("resourceVersion"), g)
    if not events:
        if o.all_namespaces:
            sys.stderr.write("No events found.\n")
        else:
            sys.stderr.write(f"No events found in {client.namespace} namespace.\n")
        return
    events = sort_events(events)
    if printer is None:
        text = table_lines(events, client.now(), all_namespaces=o.all_namespaces, headers=not o.no_headers)
        out.write(tabwrite(text))
    else:
        doc = {"apiVersion": "v1", "items": events, "kind": "EventList", "metadata": {}}
        out.write(printer.print(doc, "event"))


def _typed(ev: dict) -> dict:
    if ev.get("kind") and ev.get("apiVersion"):
        return ev
    return dict(ev, apiVersion="v1", kind="Event")


def _for_selector(client, for_: str) -> str:
    """decodeResourceTypeName: `pod/web` -> involvedObject.kind=Pod,involvedObject.name=web."""
    if "/" not in for_:
        raise CLIError("--for must be in resource/name form")
    parts = for_.split("/")
    if len(parts) != 2:
        raise CLIError("arguments in resource/name form may not have more than one slash")
    kind = client.resolve(parts[0])
    return f"involvedObject.kind={kind.kind},involvedObject.name={parts[1]}"


def _watch(client, o, kind, ns, field_selector, keep, existing, printer, since, g):
    """A watch without a resourceVersion: the existing events first (as the apiserver's
    initial ADDED events, unsorted), then each new or updated one; deletions (the 1 h TTL)
    are not shown."""
    from pykubectl.cli.get import request_timeout
    from pykubectl.printers.render import tabwrite
    out = sys.stdout
    widths: list[int] = []
    headers = [printer is None and not o.no_headers]

    def emit(evs):
        if not evs:
            return
        if printer is None:
            from pykubectl.cli.get import fresh_now
            text = table_lines(evs, fresh_now(client), all_namespaces=o.all_namespaces, headers=headers[0])
            headers[0] = False
            out.write(tabwrite(text, widths))
        else:
            out.write("".join(printer.print(e, "event") for e in evs))
        out.flush()

    for ev in existing:
        emit([ev])
    try:
        for type_, ev in client.watch(kind, ns, since=since, field_selector=field_selector,
                                      timeout=request_timeout(g)):
            if type_ == "DELETED" or not keep(ev.get("type")):
                continue
            emit([_typed(ev)])
    except KeyboardInterrupt:
        from pykubectl.cli.errors import Printed
        raise Printed(1) from None
