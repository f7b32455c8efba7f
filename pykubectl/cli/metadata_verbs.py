"""What label, annotate, taint, patch, scale and edit share: kubectl's resource builder (names,
TYPE/NAME, -f, -l, --all, -A), the KEY=VAL / KEY- argument split, printing `<kind>/<name>
<operation>` or the object, and errors gathered to the end as kubectl's ContinueOnError does."""
from __future__ import annotations

import json
import sys

from pykubectl.cli.errors import CLIError, Printed


class Target:
    """One object the builder found: its kind, namespace, name, live object and source file."""

    __slots__ = ("kind", "ns", "name", "obj", "source")

    def __init__(self, kind, ns, name, obj, source=""):
        self.kind, self.ns, self.name, self.obj, self.source = kind, ns, name, obj, source


def split_resources_and_pairs(args: list[str], pair_type: str) -> tuple[list[str], list[str]]:
    """cmdutil.GetResourcesAndPairs: resources first, then KEY=VAL / KEY- changes."""
    resources, pairs, found = [], [], False
    for s in args:
        is_pair = ("=" in s and s[0] != "=") or (s.endswith("-") and s != "-")
        if is_pair:
            found = True
            pairs.append(s)
        elif found:
            raise CLIError(f"all resources must be specified before {pair_type} changes: {s}")
        else:
            resources.append(s)
    return resources, pairs


def output_kind(output: str | None) -> str:
    """'' (operation line), 'name', 'yaml' or 'json'; anything else is refused as kubectl does."""
    if not output:
        return ""
    if output in ("name", "yaml", "json"):
        return output
    raise CLIError(f'unable to match a printer suitable for the output format "{output}", allowed '
                   'formats are: json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml')


def print_obj(kind, obj: dict, operation: str, output: str, dry: str = "none", out=None,
              show_managed_fields: bool = False):
    """kubectl's PrintFlags with an operation: `pod/x labeled (dry run)`, or the object."""
    from pykubectl.cli.apply import kind_name, suffix
    out = out or sys.stdout
    if output in ("yaml", "json"):
        from pykubectl.printers import output as P
        if not show_managed_fields and "managedFields" in (obj.get("metadata") or {}):
            obj = dict(obj, metadata={k: v for k, v in obj["metadata"].items() if k != "managedFields"})
        out.write(P.to_yaml(obj) if output == "yaml" else P.to_json(obj))
        return
    name = (obj.get("metadata") or {}).get("name", "")
    if output == "name":
        out.write(f"{kind_name(kind)}/{name}\n")
        return
    out.write(f"{kind_name(kind)}/{name} {operation}{suffix(dry)}\n")


def go_json(obj) -> str:
    """encoding/json's compact form (sorted keys): kubectl compares objects by these bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def no_kustomize(o) -> None:
    if getattr(o, "kustomize", None):
        raise CLIError("-k (kustomize) is not supported by pykubectl yet")


def local_targets(client, g, filenames, recursive):
    """--local: the objects of the files themselves, never fetched."""
    from pykubectl.cli.apply import read_manifests, resolve_manifest_kind, target_namespace
    out = []
    for obj, _d, src in read_manifests(filenames, recursive):
        kind = resolve_manifest_kind(client, obj, src)
        out.append(Target(kind, target_namespace(kind, obj, g.namespace, client.namespace),
                          (obj.get("metadata") or {}).get("name", ""), obj, src))
    return out


def collect(client, g, *, resources: list[str], filenames=(), recursive=False, selector=None,
            field_selector=None, all_=False, all_namespaces=False, errors=None):
    """The builder: the live objects named by args or files, or selected by -l / --all.
    Returns (targets, single_item_implied); per-object fetch errors go to `errors`."""
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import read_manifests, resolve_manifest_kind, target_namespace
    from pykubectl.cli.get import parse_resource_args
    errors = errors if errors is not None else []
    if not resources and not filenames:
        raise CLIError("You must provide one or more resources by argument or filename.\n"
                       "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                       "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    wanted = []   # (kind, ns, name, source)
    if filenames:
        if resources:
            raise CLIError("Unexpected args: " + "[" + " ".join(resources) + "]")
        for obj, _d, src in read_manifests(filenames, recursive):
            kind = resolve_manifest_kind(client, obj, src)
            wanted.append((kind, target_namespace(kind, obj, g.namespace, client.namespace),
                           (obj.get("metadata") or {}).get("name", ""), src))
        single = len(wanted) == 1
    else:
        groups = parse_resource_args(client, resources)
        single = len(groups) == 1 and len(groups[0][1]) == 1 and not (selector or all_)
        for kind, names in groups:
            ns = client.namespace if kind.namespaced else None
            if names:
                if selector or all_:
                    raise CLIError("name cannot be provided when a selector is specified")
                wanted += [(kind, ns, n, "") for n in names]
            elif selector or all_ or field_selector:
                lst = client.list(kind, None if all_namespaces else ns, selector or None, field_selector or None)
                wanted += [(kind, o["metadata"].get("namespace"), o["metadata"]["name"], "") for o in lst["items"]]
            else:
                raise CLIError("resource(s) were provided, but no name was specified")
    targets = []
    for kind, ns, name, src in wanted:
        try:
            targets.append(Target(kind, ns, name, client.get(kind, ns, name), src))
        except StatusError as e:
            errors.append(e)
    return targets, single


def finish(errors: list) -> None:
    """Report the gathered errors after the successes, as kubectl's checkErr does."""
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.errors import status_line
    for e in errors:
        sys.stderr.write((status_line(e) if isinstance(e, StatusError) else f"error: {e}") + "\n")
    raise Printed(1)


# ---------------------------------------------------------------- label and annotate

def parse_labels(specs: list[str]) -> tuple[dict, list[str]]:
    """label.parseLabels: values checked here, keys by the apiserver."""
    from pykubectl.api.selectors import label_value_errors
    labels, remove = {}, []
    for spec in specs:
        if "=" in spec:
            parts = spec.split("=")
            if len(parts) != 2:
                raise CLIError(f"invalid label spec: {spec}")
            errs = label_value_errors(parts[1])
            if errs:
                raise CLIError(f'invalid label value: "{spec}": ' + ";".join(errs))
            labels[parts[0]] = parts[1]
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise CLIError(f"unknown label spec: {spec}")
    if any(r in labels for r in remove):
        raise CLIError("can not both modify and remove a label in the same command")
    return labels, remove


def parse_annotations(specs: list[str]) -> tuple[dict, list[str]]:
    """cmdutil.ParsePairs(..., "annotation", true) and annotate's validateAnnotations."""
    new, remove, invalid = {}, [], []
    for spec in specs:
        if "=" in spec and spec[0] != "=":
            k, _, v = spec.partition("=")
            new[k] = v
        elif spec.endswith("-") and spec != "-":
            remove.append(spec[:-1])
        else:
            invalid.append(spec)
    if invalid:
        raise CLIError("invalid annotation format: " + ", ".join(invalid))
    both = [r for r in remove if r in new]
    if both:
        raise CLIError("can not both modify and remove the following annotation(s) in the same command: " + ", ".join(both))
    return new, remove


CHANGE_CAUSE = "kubernetes.io/change-cause"


def update_map(obj: dict, field: str, new: dict, remove: list[str], overwrite: bool,
               resource_version: str) -> None:
    """labelFunc / updateAnnotations on the object: refuse overwrites, set, delete. As Go's
    SetLabels, an object without the map gets an empty one."""
    meta = obj.setdefault("metadata", {})
    current = meta.get(field) or {}
    if not overwrite:
        if field == "labels":
            clashes = [f"'{k}' already has a value ({current[k]}), and --overwrite is false"
                       for k in new if k in current]
            if clashes:
                raise CLIError(clashes[0] if len(clashes) == 1 else "[" + ", ".join(clashes) + "]")
        else:
            clashes = [f"'{k}' already has a value ({current[k]})" for k in new
                       if k in current and k != CHANGE_CAUSE]
            if clashes:
                raise CLIError("--overwrite is false but found the following declared annotation(s): "
                               + "; ".join(clashes))
    merged = dict(current)
    merged.update(new)
    for k in remove:
        merged.pop(k, None)
    meta[field] = merged
    if resource_version:
        meta["resourceVersion"] = resource_version


def run_metadata(g, o, args, *, field: str):
    """kubectl label / annotate: compute the object's new labels (annotations), send the merge
    patch between the old and new object, print `labeled` / `annotated` per object."""
    import copy
    from pykubectl.api import patch as P
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import dry_run_mode
    from pykubectl.cli.context import client as make_client
    is_label = field == "labels"
    pair_type = "label" if is_label else "annotation"
    dry = dry_run_mode(o.dry_run)
    output = o.output or ""
    resources, pairs = split_resources_and_pairs(args, pair_type)
    new, remove = parse_labels(pairs) if is_label else parse_annotations(pairs)
    if o.list and output:
        raise CLIError("--list and --output may not be specified together")
    fmt = output_kind(output)
    if o.all and o.selector:
        raise CLIError("cannot set --all and --selector at the same time")
    if o.all and o.field_selector:
        raise CLIError("cannot set --all and --field-selector at the same time")
    rsrc = "pod" if is_label else "rsrc"
    if o.local:
        if dry == "server":
            raise CLIError("cannot specify --local and --dry-run=server - did you mean --dry-run=client?")
        if resources:
            raise CLIError(f"can only use local files by -f {rsrc}.yaml or --filename={rsrc}.json when --local=true is set")
        if not o.filename:
            raise CLIError(f"one or more files must be specified as -f {rsrc}.yaml or --filename={rsrc}.json")
    elif not resources and not o.filename:
        raise CLIError("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if not new and not remove and not o.list:
        raise CLIError(f"at least one {pair_type} update is required")
    no_kustomize(o)
    client = make_client(g)
    errors: list = []
    if o.local:
        targets = local_targets(client, g, o.filename, o.recursive)
        single = len(targets) == 1
    else:
        targets, single = collect(client, g, resources=resources, filenames=o.filename,
                                  recursive=o.recursive, selector=o.selector, field_selector=o.field_selector,
                                  all_=o.all, all_namespaces=o.all_namespaces, errors=errors)
    if not single and o.resource_version:
        raise CLIError("--resource-version may only be used with a single resource")
    out = sys.stdout
    for t in targets:
        obj = copy.deepcopy(t.obj)
        if o.resource_version:
            # kubectl clears it so that the patch always carries the requested version
            obj["metadata"].pop("resourceVersion", None)
        old = copy.deepcopy(obj)
        try:
            if dry == "client" or o.list or o.local:
                update_map(obj, field, new, remove, o.overwrite, o.resource_version)
                result = obj
            else:
                if is_label:
                    have = (t.obj.get("metadata") or {}).get("labels") or {}
                    for k in remove:
                        if k not in have:
                            out.write(f'label "{k}" not found.\n')
                update_map(obj, field, new, remove, o.overwrite, o.resource_version)
                body = P.create_merge_patch(old, obj)
                result, _w = client.patch(t.kind, t.ns, t.name, "merge", body, dry_run=(dry == "server"),
                                          field_manager=o.field_manager)
        except (StatusError, CLIError) as e:
            errors.append(e)
            continue
        if o.list:
            indent = ""
            if not single:
                indent = " "
                out.write(f"Listing {pair_type}s for {t.kind.kind}.{t.kind.group}/{t.name}:\n")
            for k, v in sorted(((result.get("metadata") or {}).get(field) or {}).items()):
                out.write(f"{indent}{k}={v}\n")
            continue
        if is_label:
            a, b = go_json(old), go_json(obj)
            op = "not labeled" if a == b else ("unlabeled" if not o.overwrite and len(b) < len(a) else "labeled")
            # kubectl label prints its own copy of the object, annotate the server's answer
            print_obj(t.kind, obj, op, fmt, dry, out, o.show_managed_fields)
        else:
            print_obj(t.kind, result, "annotated", fmt, dry, out, o.show_managed_fields)
    finish(errors)


def metadata_flags(what: str, manager: str, overwrite_help: str, list_help: str, rv_help: str):
    from pykubectl.cli.flags import DRY_RUN, Flag
    return [
        Flag("all", kind="bool", help="Select all resources, in the namespace of the specified resource types" + ("." if what == "annotation" else "")),
        Flag("all-namespaces", "A", "bool", help="If true, check the specified action in all namespaces."),
        Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
        DRY_RUN,
        Flag("field-manager", default=manager, help="Name of the manager used to track field ownership."),
        Flag("field-selector", help="Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
        Flag("filename", "f", "slice", help=f"Filename, directory, or URL to files identifying the resource to update the {'labels' if what == 'label' else what}"),
        Flag("kustomize", "k", help=f"Process the kustomization directory. This flag can't be used together with -f or -R."),
        Flag("list", kind="bool", help=list_help),
        Flag("local", kind="bool", help=f"If true, {what} will NOT contact api-server but run locally."),
        Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
        Flag("overwrite", kind="bool", help=overwrite_help),
        Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
        Flag("resource-version", help=rv_help),
        Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
        Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
        Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    ]
