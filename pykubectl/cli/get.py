"""kubectl get: fetch (options) -> filter (server side) -> print (printers/)."""
from __future__ import annotations

import sys


from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import Flag


def parse_resource_args(client, args: list[str]) -> list[tuple[object, list[str]]]:
    """kubectl's resource builder: `pods`, `pods,svc`, `pod x y`, `pod/x svc/y`, `all`."""
    if not args:
        raise CLIError("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.")
    out: list[tuple[object, list[str]]] = []
    if any("/" in a for a in args):
        for a in args:
            if "/" not in a:
                raise CLIError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
            typ, _, name = a.partition("/")
            kind = client.resolve(typ)
            if out and out[-1][0] is kind:
                out[-1][1].append(name)
            else:
                out.append((kind, [name]))
        return out
    types, names = args[0], args[1:]
    kinds = []
    for typ in types.split(","):
        if not typ:
            continue
        if typ == "all":
            kinds.extend(_category(client, "all"))
        else:
            kinds.append(client.resolve(typ))
    if names and len(kinds) > 1:
        raise CLIError("you must specify only one resource")
    return [(k, list(names)) for k in kinds]


def _category(client, name):
    # custom resources join a category through their CRD's spec.names.categories
    server = getattr(client, "server", None)
    return server.registry_with_crds().category(name) if server is not None else []


USAGE = "kubectl get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]"
LONG = """Display one or many resources.

 Prints a table of the most important information about the specified resources. You can filter the list using a label selector and the --selector flag. If the desired resource type is namespaced you will only see results in the current namespace unless you pass --all-namespaces.

 By specifying the output as 'template' and providing a Go template as the value of the --template flag, you can filter the attributes of the fetched resources.

Use "kubectl api-resources" for a complete list of supported resources."""
EXAMPLES = """  # List all pods in ps output format
  kubectl get pods

  # List all pods in ps output format with more information (such as node name)
  kubectl get pods -o wide

  # List a single replication controller with specified NAME in ps output format
  kubectl get replicationcontroller web

  # List deployments in JSON output format, in the "v1" version of the "apps" API group
  kubectl get deployments.v1.apps -o json

  # List a single pod in JSON output format
  kubectl get -o json pod web-pod-13je7

  # List a pod identified by type and name specified in "pod.yaml" in JSON output format
  kubectl get -f pod.yaml -o json

  # List resource information in custom columns
  kubectl get pod test-pod -o custom-columns=CONTAINER:.spec.containers[0].name,IMAGE:.spec.containers[0].image

  # List all replication controllers and services together in ps output format
  kubectl get rc,services

  # List one or more resources by their type and names
  kubectl get rc/web service/frontend pods/web-pod-13je7

  # List all pods existing in all namespaces
  kubectl get pods --all-namespaces
"""
FLAGS = [
    Flag("all-namespaces", "A", "bool", help="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("chunk-size", kind="int", default=500, help="Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future."),
    Flag("field-selector", help="Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to get from a server."),
    Flag("ignore-not-found", kind="bool", help="If the requested object does not exist the command will return exit code 0."),
    Flag("label-columns", "L", "slice", help="Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2..."),
    Flag("no-headers", kind="bool", help="When using the default or custom-column output format, don't print headers (default print headers)."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide). See custom columns [https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template [http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template [https://kubernetes.io/docs/reference/kubectl/jsonpath/]."),
    Flag("output-watch-events", kind="bool", help="Output watch event objects when --watch or --watch-only is used. Existing objects are output as initial ADDED events."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("server-print", kind="bool", default=True, help="If true, have the server return the appropriate table output. Supports extension APIs and CRDs."),
    Flag("show-kind", kind="bool", help="If present, list the resource type for the requested object(s)."),
    Flag("show-labels", kind="bool", help="When printing, show all labels as the last column (default hide labels column)."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("sort-by", help="If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("watch", "w", "bool", help="After listing/getting the requested object, watch for changes."),
    Flag("watch-only", kind="bool", help="Watch for changes to the requested object(s), without listing/getting first."),
]

_ALLOWED = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
_JSONPATH_FORMATS = ("jsonpath", "jsonpath-as-json", "jsonpath-file")
_COLUMN_FORMATS = ("custom-columns", "custom-columns-file")
_GO_TEMPLATE_FORMATS = ("go-template", "go-template-file", "template", "templatefile")


class Printer:
    """kubectl's non-table printers (-o yaml|json|name|jsonpath*|custom-columns*|go-template*) as
    one object with `print(obj_or_list) -> str`; built before any request so a bad template fails
    first.
    `allowed` is the formats the command offers (for the no-match error)."""

    def __init__(self, output: str, template: str = "", *, no_headers: bool = False,
                 show_managed_fields: bool = False, allow_missing_keys: bool = True,
                 allowed: str = _ALLOWED):
        self.no_headers = no_headers
        self.show_managed_fields = show_managed_fields
        self._count = 0
        fmt, value = output, template
        if not template:
            fmt, eq, value = output.partition("=")
            if not eq:
                fmt, value = output, ""
        if fmt in ("yaml", "json", "name"):
            self.fmt = fmt
        elif fmt in _JSONPATH_FORMATS:
            self.fmt = "jsonpath"
            if not value:
                raise CLIError("template format specified but no template given")
            if fmt == "jsonpath-file":
                value = _read_template(value, "error reading --template")
            from pykubectl.printers import jsonpath as J
            try:
                self.jsonpath = J.printer(value, as_json=(fmt == "jsonpath-as-json"))
            except ValueError as e:
                raise CLIError(_one_newline(str(e))) from None
            self.jsonpath.allow_missing_keys = allow_missing_keys
        elif fmt in _COLUMN_FORMATS and "custom-columns" in allowed:
            self.fmt = "custom-columns"
            from pykubectl.printers import custom_columns as CC
            if not value:
                raise CLIError("custom-columns format specified but no custom columns given")
            try:
                if fmt == "custom-columns-file":
                    self.columns = CC.from_template(_read_template(value, "error reading template"))
                    self.no_headers = False   # kubectl's file printer always prints headers
                else:
                    self.columns = CC.from_spec(value)
            except ValueError as e:
                raise CLIError(_one_newline(str(e))) from None
        elif fmt in _GO_TEMPLATE_FORMATS:
            self.fmt = "go-template"
            if not value:
                raise CLIError("template format specified but no template given")
            if fmt in ("go-template-file", "templatefile"):
                value = _read_template(value, "error reading --template")
            from pykubectl.printers import gotemplate as GT
            try:
                self.gotemplate = GT.Template(value)
            except GT.TemplateError as e:
                raise CLIError(f"error parsing template {value}, {e}") from None
            self.gotemplate.allow_missing_keys = allow_missing_keys
        else:
            raise CLIError(f"unable to match a printer suitable for the output format \"{output}\", allowed formats are: {allowed}")

    def print(self, doc: dict, kind_name: str = "") -> str:
        """Text for one object or a List (kubectl prints a List's items where it applies)."""
        from pykubectl.printers import output as P
        if self.fmt in ("yaml", "json"):
            if not self.show_managed_fields:
                doc = _omit_managed_fields(doc)
            if self.fmt == "json":
                return P.to_json(doc)
            self._count += 1
            # the YAML printer separates the documents it prints (a watch prints many)
            return ("---\n" if self._count > 1 else "") + P.to_yaml(doc)
        items = doc["items"] if _is_list(doc) else [doc]
        if self.fmt == "name":
            return "".join(P.name_line(kind_name, o) for o in items)
        if self.fmt == "go-template":
            return self._go_template(doc)
        if self.fmt == "jsonpath":
            from pykubectl.printers import jsonpath as J
            try:
                return J.print_obj(self.jsonpath, doc)
            except ValueError as e:
                raise CLIError(_one_newline(str(e))) from None
        from pykubectl.printers import custom_columns as CC
        try:
            text = CC.text(self.columns, items, no_headers=self.no_headers or self._count > 0)
        except ValueError as e:
            raise CLIError(str(e)) from None
        self._count += 1
        return text

    def _go_template(self, doc: dict) -> str:
        from pykubectl.printers import gotemplate as GT
        try:
            return self.gotemplate.render(doc)
        except GT.ExecError as e:
            # kubectl's GoTemplatePrinter writes this to the output stream before failing
            import json
            import sys
            raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            sys.stdout.write(f"{e.partial}Error executing template: {e}. Printing more information for debugging the template:\n"
                             f"\ttemplate was:\n\t\t{self.gotemplate.src}\n\traw data was:\n\t\t{raw}\n"
                             f"\tobject given to template engine was:\n\t\t{GT.go_value(doc, False)}\n\n")
            raise CLIError(f"error executing template {json.dumps(self.gotemplate.src, ensure_ascii=False)}: {e}") from None

    def render(self, text: str, widths: list[int] | None = None) -> str:
        """custom-columns text goes through kubectl's tabwriter; the rest prints as is."""
        if self.fmt != "custom-columns":
            return text
        from pykubectl.printers.render import tabwrite
        return tabwrite(text, widths)


def _one_newline(msg: str) -> str:
    # kubectl's messages that end in "\n" are printed without another one; our error
    # boundary always adds one
    return msg[:-1] if msg.endswith("\n") else msg


def _read_template(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise CLIError(f"{what} {path}, open {path}: {_go_os_error(e)}") from None


def _go_os_error(e: OSError) -> str:
    import errno
    return {errno.ENOENT: "no such file or directory", errno.EACCES: "permission denied",
            errno.EISDIR: "is a directory"}.get(e.errno, e.strerror or str(e))


def _is_list(doc) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("items"), list) and "kind" in doc \
        and str(doc.get("kind", "")).endswith("List")


def _omit_managed_fields(doc: dict) -> dict:
    def strip(o):
        meta = o.get("metadata")
        if isinstance(meta, dict) and "managedFields" in meta:
            o = dict(o, metadata={k: v for k, v in meta.items() if k != "managedFields"})
        return o
    if _is_list(doc):
        return dict(doc, items=[strip(o) for o in doc["items"]])
    return strip(doc)


# ---------------------------------------------------------------- --sort-by (kubectl's sorter.go)

def sort_objects(objs: list[dict], field: str, *, table: bool = False) -> list[dict]:
    """Objects ordered as `--sort-by=field` orders them: numbers numerically, strings that
    are both quantities by value, other strings in natural order (`pod2` < `pod10`),
    RFC 3339 timestamps therefore by time; objects without the field first.
    table=True is the table printer's rule: a single row is never checked."""
    from pykubectl.printers import jsonpath as J
    if not objs or (table and len(objs) < 2):
        return list(objs)
    try:
        path = J.relaxed(field)
    except J.JSONPathError as e:
        if not table:
            raise CLIError(str(e)) from None
        path = field
    try:
        parser = J.JSONPath(path)
    except J.JSONPathError as e:
        raise CLIError(f"{e}" if not table else f"sorting error: {e}") from None
    keys = []
    for o in objs:
        try:
            res = parser.find_results(o)
        except J.JSONPathError as e:
            raise CLIError(str(e)) from None
        keys.append(res[0][0] if res and res[0] else _MISSING)
    if all(k is _MISSING for k in keys):
        raise CLIError(f"couldn't find any field with path {J.go_quote(path)} in the list of objects")
    import functools
    order = sorted(range(len(objs)), key=functools.cmp_to_key(
        lambda i, j: -1 if _sort_less(keys[i], keys[j]) else (1 if _sort_less(keys[j], keys[i]) else 0)))
    return [objs[i] for i in order]


_MISSING = object()


def _sort_less(a, b) -> bool:
    if a is _MISSING:
        return True
    if b is _MISSING:
        return False
    if a is None or b is None:
        return a is None and b is not None
    if isinstance(a, bool) and isinstance(b, bool):
        return not a and b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return a < b
    if isinstance(a, str) and isinstance(b, str):
        from pykubectl.api.quantity import parse_quantity
        try:
            return parse_quantity(a) < parse_quantity(b)
        except (ValueError, TypeError):
            return natural_less(a, b)
    from pykubectl.printers.tables import go_text
    return natural_less(go_text(a), go_text(b))


def natural_less(s1: str, s2: str) -> bool:
    """fvbommel/sortorder.NaturalLess: runs of digits compare as numbers."""
    b1, b2 = s1.encode(), s2.encode()
    i = j = 0
    n1, n2 = len(b1), len(b2)
    while i < n1 and j < n2:
        c1, c2 = b1[i], b2[j]
        d1, d2 = 48 <= c1 <= 57, 48 <= c2 <= 57
        if d1 != d2:
            return d1
        if not d1:
            if c1 != c2:
                return c1 < c2
            i += 1
            j += 1
            continue
        while i < n1 and b1[i] == 48:
            i += 1
        while j < n2 and b2[j] == 48:
            j += 1
        nz1, nz2 = i, j
        while i < n1 and 48 <= b1[i] <= 57:
            i += 1
        while j < n2 and 48 <= b2[j] <= 57:
            j += 1
        if i - nz1 != j - nz2:
            return i - nz1 < j - nz2
        if b1[nz1:i] != b2[nz2:j]:
            return b1[nz1:i] < b2[nz2:j]
        if nz1 != nz2:
            return nz1 < nz2
    return n1 < n2


# ---------------------------------------------------------------- the command

def run(g, o, args):
    """Display one or many resources."""
    output = o.output or ""
    if o.template and not output:
        output = "go-template"
    human = output in ("", "wide")
    printer = None if human else Printer(output, o.template, no_headers=o.no_headers,
                                         show_managed_fields=o.show_managed_fields,
                                         allow_missing_keys=o.allow_missing_template_keys)
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    ns = client.namespace
    if o.filename:
        if args:
            raise CLIError("when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well")
        from pykubectl.cli.apply import read_manifests
        groups = []
        for obj, _dupes, _src in read_manifests(o.filename, o.recursive):
            kind = client.for_gvk(obj.get("apiVersion", ""), obj.get("kind", ""))
            meta = obj.get("metadata") or {}
            groups.append((kind, [meta.get("name", "")], meta.get("namespace")))
    else:
        groups = [(k, names, None) for k, names in parse_resource_args(client, list(args))]
        if any("/" in a for a in args) and (o.selector or o.field_selector):
            raise CLIError("selectors and the all flag cannot be used when passing resource/name arguments")
        if any(names for _, names, _ in groups) and (o.selector or o.field_selector):
            raise CLIError("name cannot be provided when a selector is specified")
    if o.watch or o.watch_only:
        return _watch(g, o, client, groups, printer)

    # a table, -o name, json or yaml needs each object only for its own text: such lists are
    # read as a stream (unless --sort-by needs them all at once)
    stream = (human or printer.fmt in ("name", "json", "yaml")) and not o.sort_by
    results, errors_seen = _fetch(client, o, groups, stream=stream)
    out, err = sys.stdout, sys.stderr
    written = False
    if not human and stream and any(isinstance(lst, Unread) for _, lst, _ in results):
        if printer.fmt == "name":
            text = "".join(_name_lines(kind, lst) for kind, lst, _ in results)
            out.write(text)
            written = bool(text)
        else:
            _write_list(out, printer, results)
            written = True
    elif not human:
        objs = [x for _, lst, _ in results for x in lst]
        single = len(groups) == 1 and len(groups[0][1]) == 1 and len(objs) == 1
        if objs or not (errors_seen or (o.ignore_not_found and any(n for _, n, _ in groups))):
            from pykubectl.printers import output as P
            if single:
                doc = objs[0]
            else:
                doc = P.as_list(sort_objects(objs, o.sort_by) if o.sort_by else objs)
                doc["metadata"] = {"resourceVersion": _list_rv(results)}
            kind_name = _kind_name(results[0][0]) if len({id(k) for k, _, _ in results}) == 1 and results else ""
            if printer.fmt == "name" and not kind_name:
                text = "".join(printer.print(x, _kind_name(k)) for k, lst, _ in results for x in
                               (sort_objects(lst, o.sort_by) if o.sort_by else lst))
            else:
                text = printer.print(doc, kind_name)
            out.write(printer.render(text))
            written = bool(text)
    else:
        text = _tables(client, o, results, multi_kind=len({id(k) for k, _, _ in groups}) > 1 or o.show_kind)
        out.write(text)
        written = bool(text)
    if not written and not errors_seen and not o.ignore_not_found and human:
        if o.all_namespaces or not all(k.namespaced for k, _, _ in groups):
            err.write("No resources found\n")
        else:
            err.write(f"No resources found in {ns} namespace.\n")
    if errors_seen:
        raise Printed(1)


def _list_rv(results) -> str:
    # kubectl keeps a resourceVersion only when one list answered
    rvs = [rv for _, _, rv in results if rv is not None]
    return rvs[0] if len(results) == 1 and rvs else ""


class Unread:
    """A list not read yet: the table, -o name and -o json|yaml printers read it through the
    client's list_stream, one object at a time, keeping only their text."""

    def __init__(self, client, kind, ns, label_selector, field_selector):
        self.client, self.kind, self.ns = client, kind, ns
        self.label_selector, self.field_selector = label_selector, field_selector

    def open(self, fields: str):
        """`with unread.open(fields) as (resourceVersion, objects)` (fields: store.stream's)."""
        return self.client.list_stream(self.kind, self.ns, self.label_selector,
                                       self.field_selector, fields=fields)


def _name_lines(kind, lst) -> str:
    from pykubectl.printers import output as P
    if not isinstance(lst, Unread):
        return "".join(P.name_line(_kind_name(kind), x) for x in lst)
    with lst.open("name") as (_rv, objs):
        return "".join(P.name_line(_kind_name(kind), x) for x in objs)


def _write_list(out, printer, results) -> None:
    """-o json|yaml of lists read as streams: the List kubectl prints, written item by item
    (managedFields left out by the store unless --show-managed-fields)."""
    from pykubectl.printers import output as P
    rvs = []

    def items():
        for _kind, lst, _rv in results:
            with lst.open("object" if printer.show_managed_fields else "table") as (rv, objs):
                rvs.append(rv)
                yield from objs
    pieces = P.list_pieces(printer.fmt, items(), lambda: rvs[0] if len(results) == 1 else "")
    for piece in pieces:
        out.write(piece)


def _fetch(client, o, groups, stream: bool = False):
    """[(kind, objects, list resourceVersion or None)], and whether an error line was printed.
    stream=True: lists are left Unread when the client can stream them (the in-process one;
    the selectors are checked when they are read)."""
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.errors import status_line
    ns = client.namespace
    results, errors_seen = [], False
    for kind, names, obj_ns in groups:
        kns = (obj_ns or ns) if kind.namespaced else None
        if names:
            objs = []
            for name in names:
                try:
                    objs.append(client.get(kind, kns, name))
                except StatusError as e:
                    if e.code == 404 and o.ignore_not_found:
                        continue
                    sys.stderr.write(status_line(e) + "\n")
                    errors_seen = True
            results.append((kind, objs, None))
        elif stream and hasattr(client, "list_stream"):
            results.append((kind, Unread(client, kind, None if o.all_namespaces else kns,
                                         o.selector, o.field_selector), None))
        else:
            lst = client.list(kind, None if o.all_namespaces else kns, o.selector, o.field_selector)
            results.append((kind, lst["items"], (lst.get("metadata") or {}).get("resourceVersion")))
    return results, errors_seen


def _tables(client, o, results, *, multi_kind: bool, no_headers: bool | None = None,
            widths: list[int] | None = None) -> str:
    from pykubectl.printers import render, tables
    now = _now_dt(client, fresh=widths is not None)
    label_cols = [c for part in o.label_columns for c in part.split(",") if c]
    sections = []
    for kind, lst, _rv in results:
        if not lst:
            continue

        def section(tbl):
            return render.render_table(
                tbl, wide=(o.output == "wide"), no_headers=o.no_headers if no_headers is None else no_headers,
                namespace_column=o.all_namespaces and kind.namespaced,
                kind_prefix=_kind_name(kind) if multi_kind else "",
                show_labels=o.show_labels, label_columns=label_cols, remembered_widths=widths)
        crd_columns = _crd_columns(client, kind)
        if isinstance(lst, Unread):
            with lst.open("table") as (_rv, objs):
                sections.append(section({
                    "columnDefinitions": [c.as_dict() for c in tables.columns(kind.resource, crd_columns, False)],
                    "rows": tables.table_rows(kind.resource, objs, now, crd_columns)}))
            continue
        if o.sort_by:
            lst = sort_objects(lst, o.sort_by, table=True)
        tbl = tables.table(kind.resource, lst, now, crd_columns=crd_columns, descriptions=False)
        sections.append(section(tbl))
    return render.render_many(sections, no_headers=o.no_headers)


# ---------------------------------------------------------------- --watch

def request_timeout(g) -> float | None:
    """The global --request-timeout as seconds (None or 0: no timeout)."""
    raw = getattr(g, "request_timeout", None)
    if not raw or raw == "0":
        return None
    if raw.isdigit():
        return float(raw)
    from pykubectl.store.clock import parse_duration
    try:
        return parse_duration(raw) or None
    except ValueError:
        raise CLIError("Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)") from None


def _watch(g, o, client, groups, printer):
    """List (unless --watch-only), then one print per change until interrupted or the
    request timeout elapses."""
    if len({id(k) for k, _, _ in groups}) > 1:
        raise CLIError("watch is only supported on individual resources and resource collections, but a list of resources is found")
    timeout = request_timeout(g)
    kind, names, obj_ns = groups[0]
    kns = (obj_ns or client.namespace) if kind.namespaced else None
    results, errors_seen = _fetch(client, o, groups)
    if errors_seen:
        raise Printed(1)
    objs = results[0][1]
    if names and not objs:
        return      # --ignore-not-found and nothing there
    since = results[0][2]
    out = sys.stdout
    widths: list[int] = []
    human = printer is None
    headers_done = o.no_headers
    events = o.output_watch_events

    def emit(type_, objs_):
        nonlocal headers_done
        if not objs_:
            return
        if human:
            res = [(kind, objs_, None)]
            text = _tables(client, o, res, multi_kind=o.show_kind, no_headers=headers_done, widths=widths)
            if events:
                text = _event_column(text, type_, headers_done)
            headers_done = True
        else:
            text = ""
            for x in objs_:
                doc = {"type": type_, "object": x} if events else x
                text += printer.render(printer.print(doc, _kind_name(kind)), widths)
        out.write(text)
        out.flush()

    if not o.watch_only:
        emit("ADDED", objs)
    field_selector = o.field_selector
    if names and len(names) == 1:
        field_selector = f"metadata.name={names[0]}"
    wanted = set(names)
    try:
        for type_, obj in client.watch(kind, None if o.all_namespaces else kns, since=since,
                                       label_selector=o.selector, field_selector=field_selector,
                                       timeout=timeout):
            if wanted and (obj.get("metadata") or {}).get("name") not in wanted:
                continue
            emit(type_, [obj])
    except KeyboardInterrupt:
        raise Printed(1) from None


def _event_column(text: str, type_: str, headers_done: bool) -> str:
    """--output-watch-events for tables: an EVENT column first."""
    from pykubectl.printers.render import TAB_MINWIDTH, TAB_PADDING
    width = max(TAB_MINWIDTH, len("MODIFIED") + TAB_PADDING)
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if not line:
            out.append(line)
            continue
        cell = "EVENT" if (i == 0 and not headers_done) else type_
        out.append(cell.ljust(width) + line)
    return "\n".join(out)


def _crd_columns(client, kind):
    """A custom resource's additionalPrinterColumns, from its CRD's served version."""
    if not kind.crd:
        return None
    from pykubectl.api.errors import StatusError
    try:
        crd = client.get(client.resolve("customresourcedefinitions"), None, f"{kind.plural}.{kind.group}")
    except StatusError:
        return None
    for v in (crd.get("spec") or {}).get("versions") or ():
        if v.get("name") == kind.version:
            return v.get("additionalPrinterColumns")
    return None


def _kind_name(kind) -> str:
    """`pod`, `deployment.apps`: how kubectl prefixes names (-o name, --show-kind)."""
    k = kind.kind.lower()
    return f"{k}.{kind.group}" if kind.group else k


def _now_dt(client, fresh: bool = False):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(fresh_now(client) if fresh else client.now(), timezone.utc)


def fresh_now(client) -> float:
    """The cluster's time now. A long-running watch must re-read it: `sim advance` in another
    process moves the clock after this one loaded it (ages would go `<invalid>`)."""
    cluster = getattr(client, "cluster", None)
    if cluster is not None and hasattr(cluster, "reload_clock"):
        cluster.reload_clock()
        return cluster.clock.now()
    return client.now()
