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
    reg = client.server.registry() if hasattr(client, "server") else None
    return reg.category(name) if reg else []


USAGE = "kubectl get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]"
LONG = """Display one or many resources.

 Prints a table of the most important information about the specified resources. You can filter the list using a label selector and the --selector flag. If the desired resource type is namespaced you will only see results in the current namespace unless you pass --all-namespaces."""
EXAMPLES = """  # List all pods in ps output format
  kubectl get pods

  # List all pods in ps output format with more information (such as node name)
  kubectl get pods -o wide
"""
FLAGS = [
    Flag("all-namespaces", "A", "bool", help="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    Flag("field-selector", help="Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to get from a server."),
    Flag("ignore-not-found", kind="bool", help="If the requested object does not exist the command will return exit code 0."),
    Flag("label-columns", "L", "slice", help="Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2..."),
    Flag("no-headers", kind="bool", help="When using the default or custom-column output format, don't print headers (default print headers)."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide)."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    Flag("show-kind", kind="bool", help="If present, list the resource type for the requested object(s)."),
    Flag("show-labels", kind="bool", help="When printing, show all labels as the last column (default hide labels column)."),
    Flag("watch", "w", "bool", help="After listing/getting the requested object, watch for changes."),
    Flag("watch-only", kind="bool", help="Watch for changes to the requested object(s), without listing/getting first."),
    Flag("sort-by", help="If non-empty, sort list types using this field specification."),
    Flag("chunk-size", kind="int", default=500, help="Return large lists in chunks rather than all at once."),
]


def run(g, o, args):
    """Display one or many resources."""
    output, selector, field_selector = o.output, o.selector, o.field_selector
    all_namespaces, show_labels, no_headers = o.all_namespaces, o.show_labels, o.no_headers
    show_kind, filename, ignore_not_found = o.show_kind, o.filename, o.ignore_not_found
    label_columns = o.label_columns
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    ns = client.namespace
    if output and output not in ("yaml", "json", "name", "wide"):
        raise CLIError(f"unable to match a printer suitable for the output format \"{output}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml")
    if filename:
        from pykubectl.cli.apply import read_manifests
        groups = []
        for obj, _dupes, _src in read_manifests(filename, o.recursive):
            kind = client.for_gvk(obj.get("apiVersion", ""), obj.get("kind", ""))
            groups.append((kind, [obj["metadata"]["name"]], obj["metadata"].get("namespace")))
    else:
        groups = [(k, names, None) for k, names in parse_resource_args(client, list(args))]
    multi_kind = len({id(k) for k, _, _ in groups}) > 1 or show_kind
    label_cols = [c for part in label_columns for c in part.split(",") if c]
    results = []   # (kind, [objs])
    errors_seen = False
    err = sys.stderr
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.errors import status_line
    for kind, names, obj_ns in groups:
        kns = (obj_ns or ns) if kind.namespaced else None
        if names:
            objs = []
            for name in names:
                try:
                    objs.append(client.get(kind, kns, name))
                except StatusError as e:
                    if e.code == 404 and ignore_not_found:
                        continue
                    err.write(status_line(e) + "\n")
                    errors_seen = True
            results.append((kind, objs, True))
        else:
            lst = client.list(kind, None if all_namespaces else kns, selector, field_selector)
            results.append((kind, lst["items"], False))
    out = sys.stdout
    total = sum(len(o) for _, o, _ in results)
    if output in ("yaml", "json"):
        from pykubectl.printers import output as P
        objs = [o for _, lst, _ in results for o in lst]
        single = len(results) == 1 and results[0][2] and len(objs) == 1
        doc = objs[0] if single else P.as_list(objs)
        if objs or not errors_seen:
            out.write(P.to_yaml(doc) if output == "yaml" else P.to_json(doc))
    elif output == "name":
        from pykubectl.printers import output as P
        for kind, lst, _ in results:
            for o in lst:
                out.write(P.name_line(_kind_name(kind), o))
    else:
        from pykubectl.printers import render, tables
        now = _now_dt(client)
        sections = []
        for kind, lst, _named in results:
            if not lst:
                continue
            resource = kind.resource
            tbl = tables.table(resource, lst, now, crd_columns=_crd_columns(client, kind), descriptions=False)
            sections.append(render.render_table(
                tbl, wide=(output == "wide"), no_headers=no_headers,
                namespace_column=all_namespaces and kind.namespaced,
                kind_prefix=_kind_name(kind) if multi_kind else "",
                show_labels=show_labels, label_columns=label_cols))
        if sections:
            out.write(render.render_many(sections, no_headers=no_headers))
    if total == 0 and not errors_seen and output not in ("yaml", "json", "name") and not any(n for _, n, _ in groups):
        if all_namespaces or not any(k.namespaced for k, _, _ in groups):
            err.write("No resources found\n")
        else:
            err.write(f"No resources found in {ns} namespace.\n")
    if errors_seen:
        raise Printed(1)


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


def _now_dt(client):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(client.now(), timezone.utc)
