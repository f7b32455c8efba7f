"""kubectl api-resources: the served resources (built-in kinds plus the cluster's CRDs), filtered
and sorted as kubectl v1.32 does it, printed through kubectl's tabwriter."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl api-resources [flags] [options]"
LONG = "Print the supported API resources on the server."
EXAMPLES = """  # Print the supported API resources
  kubectl api-resources
  
  # Print the supported API resources with more information
  kubectl api-resources -o wide
  
  # Print the supported API resources sorted by a column
  kubectl api-resources --sort-by=name
  
  # Print the supported namespaced resources
  kubectl api-resources --namespaced=true
  
  # Print the supported non-namespaced resources
  kubectl api-resources --namespaced=false
  
  # Print the supported API resources with a specific APIGroup
  kubectl api-resources --api-group=rbac.authorization.k8s.io
"""
FLAGS = [
    Flag("api-group", default="", help="Limit to resources in the specified API group."),
    Flag("cached", kind="bool", help="Use the cached list of resources if available."),
    Flag("categories", kind="slice", help="Limit to resources that belong to the specified categories."),
    Flag("namespaced", kind="bool", default=True, help="If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default."),
    Flag("no-headers", kind="bool", help="When using the default or custom-column output format, don't print headers (default print headers)."),
    Flag("output", "o", default="", help="Output format. One of: (wide, name)."),
    Flag("sort-by", default="", help="If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'."),
    Flag("verbs", kind="slice", help="Limit to resources that support the specified verbs."),
]


def select(kinds, *, group: str | None = None, namespaced: bool | None = None,
           verbs=(), categories=(), sort_by: str = "") -> list:
    """The resources kubectl lists, in its order. `kinds` come in discovery order; None means
    "flag not given". kubectl's sort is stable, on (group | name | kind, then name)."""
    out = []
    for k in kinds:
        if not k.verbs:
            continue
        if group is not None and k.group != group:
            continue
        if namespaced is not None and k.namespaced != namespaced:
            continue
        if verbs and not set(verbs) <= set(k.verbs):
            continue
        if categories and not set(categories) <= set(k.categories):
            continue
        out.append(k)
    field = {"name": lambda k: k.plural, "kind": lambda k: k.kind}.get(sort_by, lambda k: k.group)
    return sorted(out, key=lambda k: (field(k), k.plural))


def render(kinds, output: str = "", no_headers: bool = False) -> str:
    """kubectl's text for the selected resources (`-o name`, default, `-o wide`)."""
    if output == "name":
        return "".join(f"{k.resource}\n" for k in kinds)
    from pykubectl.printers.render import tabwrite
    wide = output == "wide"
    lines = []
    if not no_headers:
        head = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
        lines.append("\t".join(head + (["VERBS", "CATEGORIES"] if wide else [])))
    for k in kinds:
        cells = [k.plural, ",".join(k.short_names), k.api_version,
                 "true" if k.namespaced else "false", k.kind]
        if wide:
            cells += [",".join(k.verbs), ",".join(k.categories)]
        lines.append("\t".join(cells))
    return tabwrite("\n".join(lines) + "\n") if lines else ""


def run(g, o, args):
    """Print the supported API resources on the server."""
    if args:
        raise CLIError(f"unexpected arguments: [{' '.join(args)}]\nSee 'kubectl api-resources -h' for help and examples")
    if o.output not in ("", "wide", "name"):
        raise CLIError(f"--output {o.output} is not available")
    if o.sort_by not in ("", "name", "kind"):
        raise CLIError("--sort-by accepts only name or kind")
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    kinds = client.server.registry_with_crds().in_discovery_order()
    chosen = select(kinds, group=o.api_group if "api_group" in o.changed else None,
                    namespaced=o.namespaced if "namespaced" in o.changed else None,
                    verbs=o.verbs, categories=o.categories, sort_by=o.sort_by)
    sys.stdout.write(render(chosen, o.output, o.no_headers))
