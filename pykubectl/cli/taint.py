"""kubectl taint: add, change or remove node taints, sent as a strategic merge patch
(field manager kubectl-taint). Parsing and the taint list arithmetic are kubectl's utils.go."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N [options]"
LONG = """Update the taints on one or more nodes.

  *  A taint consists of a key, value, and effect. As an argument here, it is expressed as key=value:effect.
  *  The key must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 253 characters.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  The value is optional. If given, it must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters.
  *  The effect must be NoSchedule, PreferNoSchedule or NoExecute.
  *  Currently taint can only apply to node."""
EXAMPLES = """  # Update node 'foo' with a taint with key 'dedicated' and value 'special-user' and effect 'NoSchedule'
  # If a taint with that key and effect already exists, its value is replaced as specified
  kubectl taint nodes foo dedicated=special-user:NoSchedule

  # Remove from node 'foo' the taint with key 'dedicated' and effect 'NoSchedule' if one exists
  kubectl taint nodes foo dedicated:NoSchedule-

  # Remove from node 'foo' all the taints with key 'dedicated'
  kubectl taint nodes foo dedicated-

  # Add a taint with key 'dedicated' on nodes having label myLabel=X
  kubectl taint node -l myLabel=X  dedicated=foo:PreferNoSchedule

  # Add to node 'foo' a taint with key 'bar' and no value
  kubectl taint nodes foo bar:NoSchedule
"""
FLAGS = [
    Flag("all", kind="bool", help="Select all nodes in the cluster"),
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    DRY_RUN,
    Flag("field-manager", default="kubectl-taint", help="Name of the manager used to track field ownership."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("overwrite", kind="bool", help="If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("validate", default="strict", no_opt="strict", help='Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.'),
]
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _usage(msg: str) -> CLIError:
    return CLIError(f"{msg}\nSee 'kubectl taint -h' for help and examples")


def taint_str(t: dict) -> str:
    """corev1.Taint.ToString."""
    if not t.get("value"):
        return f"{t['key']}:{t.get('effect', '')}"
    return f"{t['key']}={t['value']}:{t.get('effect', '')}"


def parse_taint(st: str) -> dict:
    """`<key>=<value>:<effect>`, `<key>:<effect>` or `<key>`."""
    from pykubectl.api.selectors import label_value_errors, qualified_name_errors
    parts = st.split(":")
    value, effect = "", ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in EFFECTS:
            raise ValueError(f"invalid taint effect: {effect}, unsupported taint effect")
        kv = parts[0].split("=")
        if len(kv) > 2:
            raise ValueError(f"invalid taint spec: {st}")
        key = kv[0]
        if len(kv) == 2:
            value = kv[1]
            errs = label_value_errors(value)
            if errs:
                raise ValueError(f"invalid taint spec: {st}, " + "; ".join(errs))
    else:
        raise ValueError(f"invalid taint spec: {st}")
    errs = qualified_name_errors(key)
    if errs:
        raise ValueError(f"invalid taint spec: {st}, " + "; ".join(errs))
    t = {"key": key}
    if value:
        t["value"] = value
    if effect:
        t["effect"] = effect
    return t


def parse_taints(specs: list[str]) -> tuple[list[dict], list[dict]]:
    add, remove, seen = [], [], set()
    for spec in specs:
        if spec.endswith("-"):
            remove.append(parse_taint(spec[:-1]))
            remove[-1].pop("value", None)
            continue
        t = parse_taint(spec)
        if not t.get("effect"):
            raise ValueError(f"invalid taint spec: {spec}")
        if (t["effect"], t["key"]) in seen:
            # Go prints the struct: {key value effect timeAdded}
            raise ValueError(f"duplicated taints with the same key and effect: {{{t['key']} {t.get('value', '')} {t['effect']} <nil>}}")
        seen.add((t["effect"], t["key"]))
        add.append(t)
    return add, remove


def _match(a: dict, b: dict) -> bool:
    return a["key"] == b["key"] and a.get("effect", "") == b.get("effect", "")


def reorganize(old: list[dict], overwrite: bool, add: list[dict], remove: list[dict]):
    """(operation, new taints, errors): new taints first, then the old ones they do not replace."""
    new = [dict(t) for t in add]
    for ot in old:
        if not any(_match(t, ot) for t in new):
            new.append(ot)
    added = len(old) != len(new)
    errs, removed = [], False
    for rt in remove:
        before = len(new)
        if rt.get("effect"):
            new = [t for t in new if not _match(rt, t)]
        else:
            new = [t for t in new if t["key"] != rt["key"]]
        removed = len(new) != before
        if not removed:
            errs.append(f'taint "{taint_str(rt)}" not found')
    if (added and removed) or overwrite:
        op = "modified"
    elif added:
        op = "tainted"
    else:
        op = "untainted"
    return op, new, errs


def run(g, o, args):
    """Update the taints on one or more nodes."""
    import copy
    from pykubectl.api import patch as P
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import dry_run_mode, validate_mode
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import finish, output_kind, print_obj
    dry = dry_run_mode(o.dry_run)
    mode = validate_mode(o.validate)
    resources, specs, met = [], [], False
    for s in args:
        is_taint = "=" in s or ":" in s or s.endswith("-")
        if is_taint:
            met = True
            specs.append(s)
        elif met:
            raise CLIError(f"all resources must be specified before taint changes: {s}")
        else:
            resources.append(s)
    if not resources:
        raise CLIError("one or more resources must be specified as <resource> <name>")
    if not specs:
        raise CLIError("at least one taint update is required")
    try:
        add, remove = parse_taints(specs)
    except ValueError as e:
        raise _usage(str(e))
    fmt = output_kind(o.output)
    client = make_client(g)
    kind = client.resolve(resources[0].lower())
    if kind.kind != "Node":
        raise CLIError(f"invalid resource type {resources[0].lower()}, only node types are supported")
    conflicts = [f'{{"{r["key"]}":"{r.get("effect", "")}"}}' for a in add for r in remove
                 if a["key"] == r["key"] and (not r.get("effect") or a["effect"] == r.get("effect"))]
    if conflicts:
        raise CLIError("can not both modify and remove the following taint(s) in the same command: " + ", ".join(conflicts))
    if o.all and o.selector:
        raise CLIError("setting 'all' parameter with a non empty selector is prohibited")
    if not o.all and not o.selector and len(resources) < 2:
        raise CLIError("at least one resource name must be specified since 'all' parameter is not set")
    if o.all or o.selector:
        nodes = client.list(kind, None, o.selector or None)["items"]
        names = [n["metadata"]["name"] for n in nodes]
    else:
        names = resources[1:]
    errors: list = []
    schema = client.server.schema_for(kind) if hasattr(client, "server") else None
    for name in names:
        try:
            node = client.get(kind, None, name)
            old_taints = (node.get("spec") or {}).get("taints") or []
            if not o.overwrite:
                exists = [t["key"] for t in add for ot in old_taints
                          if t["key"] == ot["key"] and t["effect"] == ot.get("effect")]
                if exists:
                    raise CLIError(f"node {name} already has {','.join(exists)} taint(s) with same effect(s) and --overwrite is false")
            op, new_taints, errs = reorganize(old_taints, o.overwrite, add, remove)
            if errs:
                raise CLIError(errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")
            modified = copy.deepcopy(node)
            spec = modified.setdefault("spec", {})
            if new_taints:
                spec["taints"] = new_taints
            else:
                spec.pop("taints", None)   # an empty list is omitted (omitempty)
            if dry == "client":
                print_obj(kind, modified, op, fmt, dry, show_managed_fields=o.show_managed_fields)
                continue
            body = P.create_two_way_merge_patch(node, modified, schema)
            result, _w = client.patch(kind, None, name, "strategic", body, dry_run=(dry == "server"),
                                      field_manager=o.field_manager, field_validation=mode)
            print_obj(kind, result, op, fmt, dry, show_managed_fields=o.show_managed_fields)
        except (StatusError, CLIError) as e:
            errors.append(e)
    finish(errors)
