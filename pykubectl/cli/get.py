"""kubectl get: fetch (options) -> filter (server side) -> print (printers/)."""
from __future__ import annotations

import sys

import click

from pykubectl.cli.flags import KCommand, KGroup, bool_flag

from pykubectl.cli.errors import CLIError, Printed


def parse_resource_args(client, args: list[str]) -> list[tuple[object, list[str]]]:
    """kubectl's resource builder: `pods`, `pods,svc`, `pod x y`, `pod/x svc/y`, `all`."""
    if not args:
        raise CLIError("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.")
    out: list[tuple[object, list[str]]] = []
    if any("/" in a for a in args):
        for a in args:
            if "/" not in a:
                raise CLIError(f"there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
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


@click.command(cls=KCommand, context_settings={"ignore_unknown_options": False, "help_option_names": ["-h", "--help"]})
@click.argument("args", nargs=-1)
@click.option("-o", "--output", default="", help="Output format: json, yaml, name, wide.")
@click.option("-l", "--selector", default=None)
@click.option("--field-selector", default=None)
@bool_flag("-A", "--all-namespaces")
@bool_flag("--show-labels")
@click.option("-L", "--label-columns", multiple=True)
@bool_flag("--no-headers")
@bool_flag("--show-kind")
@click.option("-f", "--filename", multiple=True)
@bool_flag("--ignore-not-found")
@click.pass_obj
def command(g, args, output, selector, field_selector, all_namespaces, show_labels, label_columns,
            no_headers, show_kind, filename, ignore_not_found):
    """Display one or many resources."""
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    ns = client.namespace
    if output and output not in ("yaml", "json", "name", "wide"):
        raise CLIError(f"unable to match a printer suitable for the output format \"{output}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml")
    if filename:
        from pykubectl.cli.apply import read_manifests
        groups = []
        for obj, _dupes, _src in read_manifests(filename, False):
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
            tbl = tables.table(resource, lst, now)
            sections.append(render.render_table(
                tbl, wide=(output == "wide"), no_headers=no_headers,
                namespace_column=all_namespaces and kind.namespaced,
                kind_prefix=_kind_name(kind) if multi_kind else "",
                show_labels=show_labels, label_columns=label_cols))
        if sections:
            out.write(render.render_many(sections))
    if total == 0 and not errors_seen and output not in ("yaml", "json", "name") and not any(n for _, n, _ in groups):
        if all_namespaces or not any(k.namespaced for k, _, _ in groups):
            err.write("No resources found\n")
        else:
            err.write(f"No resources found in {ns} namespace.\n")
    if errors_seen:
        raise Printed(1)


def _kind_name(kind) -> str:
    """`pod`, `deployment.apps`: how kubectl prefixes names (-o name, --show-kind)."""
    k = kind.kind.lower()
    return f"{k}.{kind.group}" if kind.group else k


def _now_dt(client):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(client.now(), timezone.utc)
