"""kubectl auth can-i | whoami, as kubectl v1.32's pkg/cmd/auth: a SelfSubjectAccessReview (or,
with --list, a SelfSubjectRulesReview) and a SelfSubjectReview, answered by the cluster for the
current user (--as impersonates) — in-process for a local cluster, over HTTP otherwise."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import Flag

RAW_ARGS = True
USAGE = "kubectl auth [flags] [options]"

CAN_I_FLAGS = [
    Flag("all-namespaces", "A", "bool", help="If true, check the specified action in all namespaces."),
    Flag("list", kind="bool", help="If true, prints all allowed actions."),
    Flag("no-headers", kind="bool", help="If true, prints allowed actions without headers"),
    Flag("quiet", "q", "bool", help="If true, suppress output and just return the exit code."),
    Flag("subresource", help="SubResource such as pod/log or deployment/scale"),
]
WHOAMI_FLAGS = [
    Flag("allow-missing-template-keys", kind="bool", default=True, help=""),
    Flag("output", "o", help=""),
    Flag("show-managed-fields", kind="bool", help=""),
    Flag("template", help=""),
]
SUBCOMMANDS = {"can-i": CAN_I_FLAGS, "whoami": WHOAMI_FLAGS}

RESOURCE_VERBS = {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
                  "use", "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"}
NON_RESOURCE_VERBS = {"get", "put", "post", "head", "options", "delete", "patch", "*"}
# resources the server serves without discovering them (users and groups for impersonate)
NON_STANDARD = {"users", "groups"}


def run(g, o, args):
    from pykubectl.cli import subhelp
    from pykubectl.cli.flags import FlagError, parse
    if not args:
        sys.stderr.write(subhelp.text("auth"))   # cobra's DefaultSubCommandRun: exit 1
        raise Printed(1)
    if args[0] in ("-h", "--help"):
        sys.stdout.write(subhelp.text("auth"))
        return
    sub, rest = args[0], args[1:]
    if sub not in SUBCOMMANDS:
        if sub == "reconcile":
            raise CLIError('"auth reconcile" is not implemented in pykubectl yet')
        raise CLIError(f'unknown command "{sub}" for "kubectl auth"')
    flags = SUBCOMMANDS[sub]
    if "-h" in rest or "--help" in rest:
        sys.stdout.write(subhelp.text(f"auth {sub}", {f.name for f in flags}))
        return
    try:
        opts, pos = parse(flags, rest)
    except FlagError as e:
        raise CLIError(f"{e}\nSee 'kubectl auth {sub} --help' for usage.")
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    if sub == "whoami":
        return whoami(client, opts, pos)
    return can_i(client, opts, pos)


def whoami(client, o, args):
    info = client.review("selfsubjectreviews", {}).get("userInfo") or {}
    if o.output in ("json", "yaml"):
        # a typed object: JSON in Go's field order (Username, UID, Groups, Extra), YAML sorted
        order = ("username", "uid", "groups", "extra")
        info = {k: info[k] for k in order if info.get(k)}
        obj = {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
               "metadata": {"creationTimestamp": None}, "status": {"userInfo": info}}
        if o.output == "json":
            import json
            sys.stdout.write(json.dumps(obj, indent=4) + "\n")
        else:
            from pykubectl.printers.output import to_yaml
            sys.stdout.write(to_yaml(obj))
        return
    if o.output:
        raise CLIError(f'unable to match a printer suitable for the output format "{o.output}", '
                       "allowed formats are: json,yaml")
    rows = [("ATTRIBUTE", "VALUE")]
    if info.get("username"):
        rows.append(("Username", info["username"]))
    if info.get("uid"):
        rows.append(("UID", info["uid"]))
    if info.get("groups"):
        rows.append(("Groups", "[" + " ".join(info["groups"]) + "]"))
    for k in sorted(info.get("extra") or {}):
        rows.append((f"Extra: {k}", "[" + " ".join(info["extra"][k]) + "]"))
    sys.stdout.write(_table(rows))


def can_i(client, o, args):
    warnings = []
    if o.list:
        if args:
            raise CLIError("list option must be specified with no arguments")
        if o.quiet or o.all_namespaces or o.subresource:
            raise CLIError("list option can't be specified with neither quiet, all-namespaces nor subresource options")
        status = client.review("selfsubjectrulesreviews", {"namespace": client.namespace})
        sys.stdout.write(_access_table(status, o.no_headers))
        return
    if len(args) != 2:
        raise CLIError("you must specify two arguments: verb resource or verb resource/resourceName.\n"
                       "See 'kubectl auth can-i -h' for help and examples.")
    verb, target = args
    ns = "" if o.all_namespaces else client.namespace
    if target.startswith("/"):
        if o.subresource:
            raise CLIError("--subresource can not be used with NonResourceURL")
        if verb not in NON_RESOURCE_VERBS:
            warnings.append(f"verb '{verb}' is not a known verb")
        spec = {"nonResourceAttributes": {"verb": verb, "path": target}}
    else:
        res_arg, _, name = target.partition("/")
        group, resource, kind = _resource_for(client, res_arg, warnings)
        if kind is not None and not o.all_namespaces and not kind.namespaced:
            warnings.append(f"resource '{resource}' is not namespace scoped"
                            + (f" in group '{group}'" if group else ""))
        if resource and verb not in RESOURCE_VERBS:
            warnings.append(f"verb '{verb}' is not a known verb")
        spec = {"resourceAttributes": {"namespace": ns, "verb": verb, "group": group,
                                       "resource": resource, "subresource": o.subresource or "",
                                       "name": name}}
    if o.no_headers:
        raise CLIError("--no-headers cannot be set without --list specified")
    for w in warnings:
        # kubectl's messages end in a newline and its warning printer adds another
        sys.stderr.write(f"Warning: {w}\n\n")
    spec = {k: {a: b for a, b in v.items() if b} for k, v in spec.items()}
    status = client.review("selfsubjectaccessreviews", spec)
    if not o.quiet:
        if status.get("allowed"):
            sys.stdout.write("yes\n")
        else:
            line = "no"
            if status.get("reason"):
                line += f" - {status['reason']}"
            if status.get("evaluationError"):
                line += f" - {status['evaluationError']}"
            sys.stdout.write(line + "\n")
    if not status.get("allowed"):
        sys.stdout.flush()
        raise Printed(1)


def _resource_for(client, arg: str, warnings: list):
    """(group, resource, kind or None) as kubectl's resourceFor maps TYPE[.version.group]."""
    if arg == "*":
        return "", "*", None
    from pykubectl.api.kinds import UnknownResource
    try:
        kind = client.resolve(arg.lower())
        return kind.group, kind.plural, kind
    except UnknownResource:
        resource, _, group = arg.lower().partition(".")
        gr = f"{resource}.{group}" if group else resource
        if gr not in NON_STANDARD:
            warnings.append(f"the server doesn't have a resource type '{resource}'"
                            + (f" in group '{group}'" if group else ""))
        return "", arg, None


def _access_table(status: dict, no_headers: bool) -> str:
    """`can-i --list`: the rules broken down to one verb/resource/name each, simple ones
    compacted again by resource, sorted as kubectl sorts PolicyRule.String()."""
    rules = [{"verbs": r.get("verbs") or [], "apiGroups": r.get("apiGroups") or [],
              "resources": r.get("resources") or [], "resourceNames": r.get("resourceNames") or []}
             for r in status.get("resourceRules") or ()]
    rules += [{"verbs": r.get("verbs") or [], "nonResourceURLs": r.get("nonResourceURLs") or []}
              for r in status.get("nonResourceRules") or ()]
    broken = []
    for r in rules:
        for grp in r.get("apiGroups") or ():
            for res in r.get("resources") or ():
                for v in r["verbs"]:
                    for n in (r.get("resourceNames") or [None]):
                        broken.append({"verbs": [v], "apiGroups": [grp], "resources": [res],
                                       "resourceNames": [n] if n is not None else []})
        for url in r.get("nonResourceURLs") or ():
            for v in r["verbs"]:
                broken.append({"verbs": [v], "nonResourceURLs": [url]})
    compact, simple = [], {}
    for r in broken:
        if r.get("nonResourceURLs"):
            compact.append(r)
            continue
        key = (r["apiGroups"][0], r["resources"][0], tuple(r["resourceNames"]))
        if key in simple:
            simple[key]["verbs"] = simple[key]["verbs"] + r["verbs"]
        else:
            simple[key] = {k: list(v) for k, v in r.items()}
    compact += simple.values()
    compact.sort(key=_rule_string)
    rows = [] if no_headers else [("Resources", "Non-Resource URLs", "Resource Names", "Verbs")]
    for r in compact:
        rows.append((_combine(r.get("resources") or [], r.get("apiGroups") or []),
                     _go_list(r.get("nonResourceURLs")), _go_list(r.get("resourceNames")),
                     _go_list(r.get("verbs"))))
    return _table(rows)


def _rule_string(r: dict) -> str:
    return ("&PolicyRule{Verbs:" + _go_list(r.get("verbs")) + ",APIGroups:" + _go_list(r.get("apiGroups"))
            + ",Resources:" + _go_list(r.get("resources")) + ",ResourceNames:"
            + _go_list(r.get("resourceNames")) + ",NonResourceURLs:" + _go_list(r.get("nonResourceURLs")) + ",}")


def _go_list(v) -> str:
    return "[" + " ".join(v or ()) + "]"


def _combine(resources: list, groups: list) -> str:
    """describe.CombineResourceGroup: `deployments.apps`, `pods/log`, `*.*`."""
    if not resources:
        return ""
    base, slash, sub = resources[0].partition("/")
    if groups and groups[0]:
        base += "." + groups[0]
    return base + (slash + sub if slash else "")


def _table(rows) -> str:
    """kubectl's tab writer (padding 3); the last column is not padded."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)] if rows else []
    return "".join("".join(c.ljust(w + 3) for c, w in zip(r, widths)) + r[-1] + "\n" for r in rows)
