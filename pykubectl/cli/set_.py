"""kubectl set image|env|resources, after kubectl's pkg/cmd/set: change the pod template of
pods, ReplicaSets, Deployments, StatefulSets, DaemonSets, Jobs and CronJobs. Each changed
object gets one patch of the template's container lists; an unchanged one prints nothing,
as kubectl skips an empty patch."""
from __future__ import annotations

import copy
import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl set SUBCOMMAND [options]"
LONG = """Configure application resources.

 These commands help you make changes to existing application resources."""
EXAMPLES = ""
SUBCOMMANDS = {
    "env": "Update environment variables on a pod template",
    "image": "Update the image of a pod template",
    "resources": "Update resource requests/limits on objects with pod templates",
    "selector": "Set the selector on a resource",
    "serviceaccount": "Update the service account of a resource",
    "subject": "Update the user, group, or service account in a role binding or cluster role binding",
}
_COMMON = {"all", "allow_missing_template_keys", "dry_run", "field_manager", "filename", "kustomize", "local",
           "output", "recursive", "selector", "show_managed_fields", "template"}
ALLOWED = {
    "image": _COMMON,
    "env": _COMMON | {"containers", "env", "list", "overwrite", "prefix", "keys", "from_", "resolve"},
    "resources": _COMMON | {"containers", "limits", "requests"},
}
OPERATION = {"image": "image updated", "env": "env updated", "resources": "resource requirements updated"}
FLAGS = [
    Flag("all", kind="bool", help="Select all resources, in the namespace of the specified resource types"),
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("containers", "c", default="*", help="The names of containers in the selected pod templates to change - may use wildcards"),
    DRY_RUN,
    Flag("env", "e", "array", help="Specify a key-value pair for an environment variable to set into each container."),
    Flag("field-manager", default="kubectl-set", help="Name of the manager used to track field ownership."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to get from a server."),
    Flag("from", dest="from_", help="The name of a resource from which to inject environment variables"),
    Flag("keys", kind="slice", help="Comma-separated list of keys to import from specified resource"),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("limits", help="The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges."),
    Flag("list", kind="bool", help="If true, display the environment and any changes in the standard format. this flag will removed when we have kubectl view env."),
    Flag("local", kind="bool", help="If true, set image will NOT contact api-server but run locally."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("overwrite", kind="bool", default=True, help="If true, allow environment to be overwritten, otherwise reject updates that overwrite existing environment."),
    Flag("prefix", help="Prefix to append to variable names"),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("requests", help="The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges."),
    Flag("resolve", kind="bool", help="If true, show secret or configmap references when listing variables"),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
]


def group_help() -> str:
    cmds = "".join(f"  {k.ljust(17)}{v}\n" for k, v in SUBCOMMANDS.items())
    return (f"{LONG}\n\nAvailable Commands:\n{cmds}\nUsage:\n  {USAGE}\n\n"
            'Use "kubectl set <command> --help" for more information about a given command.\n'
            'Use "kubectl options" for a list of global command-line options (applies to all commands).\n')


def pod_spec_path(obj: dict) -> list[str] | None:
    """Where a kind keeps its pod spec (polymorphichelpers.updatePodSpecForObject)."""
    kind = obj.get("kind")
    if kind == "Pod":
        return ["spec"]
    if kind in ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet", "Job"):
        return ["spec", "template", "spec"]
    if kind == "CronJob":
        return ["spec", "jobTemplate", "spec", "template", "spec"]
    return None


def _pod_spec(obj: dict, path: list[str]) -> dict:
    cur = obj
    for p in path:
        cur = cur.setdefault(p, {})
    return cur


def _matches(pattern: str, name: str) -> bool:
    import fnmatch
    return fnmatch.fnmatchcase(name, pattern)


# -- the three mutations (pure: they change `spec` in place) ------------------------------

def set_image(spec: dict, images: dict[str, str]) -> None:
    for name, image in images.items():
        found = False
        for key in ("initContainers", "containers", "ephemeralContainers"):
            for c in spec.get(key) or ():
                if name == "*" or c.get("name") == name:
                    c["image"] = image
                    found = True
        if not found:
            raise CLIError(f'unable to find container named "{name}"')


def set_env(spec: dict, containers: str, add: list[tuple[str, str]], remove: list[str], overwrite: bool) -> bool:
    """False when no container matches (kubectl warns and goes on)."""
    matched = [c for key in ("initContainers", "containers") for c in spec.get(key) or () if _matches(containers, c["name"])]
    if not matched:
        return False
    for c in matched:
        env = [e for e in c.get("env") or () if e.get("name") not in remove]
        for k, v in add:
            cur = next((e for e in env if e.get("name") == k), None)
            if cur is not None:
                if not overwrite and cur.get("value") != v:
                    raise CLIError(f"'{k}' already has a value ({cur.get('value', '')}), and --overwrite is false")
                cur.clear()
                cur.update({"name": k, "value": v})
            else:
                env.append({"name": k, "value": v})
        if env:
            c["env"] = env
        else:
            c.pop("env", None)
    return True


def set_resources(spec: dict, containers: str, limits: dict, requests: dict) -> None:
    matched = [c for key in ("initContainers", "containers") for c in spec.get(key) or () if _matches(containers, c["name"])]
    if not matched:
        raise CLIError(f"unable to find container named {containers}")
    for c in matched:
        res = c.setdefault("resources", {})
        if limits:
            res.setdefault("limits", {}).update(limits)
        if requests:
            res.setdefault("requests", {}).update(requests)


def parse_resource_list(text: str) -> dict:
    out = {}
    for part in filter(None, (text or "").split(",")):
        k, eq, v = part.partition("=")
        if not eq or not k or not v:
            raise CLIError(f"invalid resource requirement: {part}" if not eq else f"invalid format for {part}")
        from pykubectl.api.quantity import parse_quantity
        try:
            parse_quantity(v)
        except Exception:
            raise CLIError("quantities must match the regular expression "
                           "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'") from None
        out[k] = v
    return out


# -- the command -------------------------------------------------------------------------

def run(g, o, args):
    """Configure application resources."""
    if not args:
        # cobra's DefaultSubCommandRun: the group's help on stderr, exit 1
        sys.stderr.write(group_help())
        from pykubectl.cli.errors import Printed
        raise Printed(1)
    sub, rest = args[0], list(args[1:])
    if sub not in ALLOWED:
        if sub in SUBCOMMANDS:
            raise CLIError(f'"set {sub}" is not implemented in pykubectl yet')
        raise CLIError(f'unknown command "{sub}"\nSee \'kubectl set -h\' for help and examples')
    for dest in o.changed:
        if dest not in ALLOWED[sub]:
            flag = next(f for f in FLAGS if f.dest == dest)
            raise CLIError(f"unknown flag: --{flag.name}\nSee 'kubectl set {sub} --help' for usage.")
    from pykubectl.cli.apply import dry_run_mode
    from pykubectl.cli.metadata_verbs import finish, output_kind
    dry = dry_run_mode(o.dry_run)
    fmt = output_kind(o.output)
    mutate, resources = _mutation(sub, o, rest)
    errors: list = []
    client, targets = _targets(g, o, resources, errors)
    for t in targets:
        obj = copy.deepcopy(t.obj)
        path = pod_spec_path(obj)
        if path is None:
            errors.append(CLIError(f"{_kind_name(t)}/{t.name} the object is not a pod or does not have a pod template: "
                                   f"*{obj.get('kind')}"))
            continue
        if sub == "env" and o.list:
            _list_env(obj, _pod_spec(obj, path), o.containers)
            continue
        if mutate(_pod_spec(obj, path)) is False:
            sys.stderr.write(f'Warning: {obj.get("kind")}/{t.name} does not have any containers matching "{o.containers}"\n')
            continue
        if obj == t.obj:
            continue            # an empty patch: kubectl prints nothing
        if o.local or dry == "client":
            _print(t, obj, sub, fmt, o, dry)
            continue
        patch = [{"op": "replace", "path": "/" + "/".join(path + [key]), "value": _pod_spec(obj, path)[key]}
                 for key in ("initContainers", "containers", "ephemeralContainers") if key in _pod_spec(obj, path)]
        out, _ = client.patch(t.kind, t.ns, t.name, "json", patch, dry_run=(dry == "server"),
                                field_manager=o.field_manager)
        _print(t, out, sub, fmt, o, dry)
    finish(errors)


def _mutation(sub, o, rest):
    """The change to make to each pod spec, and the resource arguments left over."""
    from pykubectl.cli.metadata_verbs import split_resources_and_pairs
    if sub == "image":
        resources, pairs = split_resources_and_pairs(rest, "image")
        if not pairs:
            raise CLIError("at least one image update is required")
        images = dict(a.split("=", 1) for a in pairs if "=" in a)
        return (lambda spec: set_image(spec, images)), resources
    if sub == "env":
        resources, pairs = split_resources_and_pairs(rest, "env")
        add, remove = [], []
        for a in pairs + list(o.env or ()):
            if "=" in a:
                k, _, v = a.partition("=")
                add.append(((o.prefix or "") + k, v))
            else:
                remove.append(a[:-1])
        if not add and not remove and not o.list:
            raise CLIError("at least one environment variable must be provided")
        return (lambda spec: set_env(spec, o.containers, add, remove, o.overwrite)), resources
    limits, requests = parse_resource_list(o.limits), parse_resource_list(o.requests)
    if not limits and not requests:
        raise CLIError("you must specify an update to requests or limits (in the form of --requests/--limits)")
    return (lambda spec: set_resources(spec, o.containers, limits, requests)), list(rest)


class _LocalTarget:
    def __init__(self, kind, obj):
        self.kind, self.obj = kind, obj
        self.ns = (obj.get("metadata") or {}).get("namespace")
        self.name = (obj.get("metadata") or {}).get("name", "")


def _targets(g, o, resources, errors):
    if o.local:
        if not o.filename:
            raise CLIError("one or more resources must be specified as files")
        if resources:
            raise CLIError("can only use local files by -f rsrc.yaml or --filename=rsrc.json when --local=true is set")
        from pykubectl.cli.apply import read_manifests
        return None, [_LocalTarget(None, obj) for obj, _d, _src in read_manifests(o.filename, o.recursive)]
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import collect
    client = make_client(g)
    targets, _single = collect(client, g, resources=resources, filenames=o.filename, recursive=o.recursive,
                               selector=o.selector, all_=o.all, errors=errors)
    return client, targets


def _kind_name(t) -> str:
    if t.kind is None:
        kind, api = t.obj.get("kind", ""), t.obj.get("apiVersion", "")
        group = api.split("/", 1)[0] if "/" in api else ""
        return f"{kind.lower()}.{group}" if group else kind.lower()
    from pykubectl.cli.apply import kind_name
    return kind_name(t.kind)


def _print(t, obj, sub, fmt, o, dry):
    if fmt in ("yaml", "json"):
        from pykubectl.printers import output as P
        if not o.show_managed_fields and "managedFields" in (obj.get("metadata") or {}):
            obj = dict(obj, metadata={k: v for k, v in obj["metadata"].items() if k != "managedFields"})
        sys.stdout.write(P.to_yaml(obj) if fmt == "yaml" else P.to_json(obj))
        return
    name = f"{_kind_name(t)}/{t.name}"
    if fmt == "name":
        sys.stdout.write(name + "\n")
        return
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
    sys.stdout.write(f"{name} {OPERATION[sub]}{suffix}\n")


def _list_env(obj, spec, containers):
    kind, name = obj.get("kind"), obj["metadata"].get("name")
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or ():
            if not _matches(containers, c["name"]):
                continue
            label = "init container" if key == "initContainers" else "container"
            sys.stdout.write(f"# {kind} {name}, {label} {c['name']}\n")
            for e in c.get("env") or ():
                if "value" in e or not e.get("valueFrom"):
                    sys.stdout.write(f"{e['name']}={e.get('value', '')}\n")
                else:
                    sys.stdout.write(f"# {e['name']} from {_value_from(e['valueFrom'])}\n")


def _value_from(vf: dict) -> str:
    if "configMapKeyRef" in vf:
        r = vf["configMapKeyRef"]
        return f"configmap {r.get('name')}, key {r.get('key')}"
    if "secretKeyRef" in vf:
        r = vf["secretKeyRef"]
        return f"secret {r.get('name')}, key {r.get('key')}"
    if "fieldRef" in vf:
        return f"field path {vf['fieldRef'].get('fieldPath')}"
    return "resource"


def help_for(args) -> str | None:
    """`set SUB --help`: kubectl's help for the subcommand; the group's otherwise."""
    from pykubectl.cli import subhelp
    subs = [a for a in args if a in SUBCOMMANDS]
    if not subs:
        return group_help()
    if subs[0] not in ALLOWED:
        return subhelp.text(f"set {subs[0]}")
    names = {f.name for f in FLAGS if f.dest in ALLOWED[subs[0]]}
    return subhelp.text(f"set {subs[0]}", names)

