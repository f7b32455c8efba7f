"""kubectl patch: a strategic merge (default), JSON merge or JSON patch sent as given; the
apiserver words the failures."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]"
LONG = """Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

 JSON and YAML formats are accepted.

 Note: Strategic merge patch is not supported for custom resources."""
EXAMPLES = """  # Partially update a node using a strategic merge patch, specifying the patch as JSON
  kubectl patch node k8s-node-1 -p '{"spec":{"unschedulable":true}}'

  # Partially update a node using a strategic merge patch, specifying the patch as YAML
  kubectl patch node k8s-node-1 -p $'spec:\\n unschedulable: true'

  # Partially update a node identified by the type and name specified in "node.json" using strategic merge patch
  kubectl patch -f node.json -p '{"spec":{"unschedulable":true}}'

  # Update a container's image; spec.containers[*].name is required because it's a merge key
  kubectl patch pod valid-pod -p '{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}'

  # Update a container's image using a JSON patch with positional arrays
  kubectl patch pod valid-pod --type='json' -p='[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]'

  # Update a deployment's replicas through the 'scale' subresource using a merge patch
  kubectl patch deployment nginx-deployment --subresource='scale' --type='merge' -p '{"spec":{"replicas":2}}'
"""
FLAGS = [
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    DRY_RUN,
    Flag("field-manager", default="kubectl-patch", help="Name of the manager used to track field ownership."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to update"),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("local", kind="bool", help="If true, patch will operate on the content of the file, not the server-side resource."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("patch", "p", help="The patch to be applied to the resource JSON file."),
    Flag("patch-file", help="A file containing a patch to be applied to the resource."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("subresource", help="If specified, patch will operate on the subresource of the requested object. This flag is beta and may change in the future."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("type", default="strategic", help="The type of patch being provided; one of [json merge strategic]"),
]
_TYPES = ("json", "merge", "strategic")
_MEDIA = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
          "strategic": "application/strategic-merge-patch+json"}


def _parse_patch(text: str):
    """yaml.ToJSON: the patch may be JSON or YAML."""
    from pykubectl.yamlio import ManifestError, load_one
    try:
        return load_one(text)
    except ManifestError as e:
        raise CLIError(f'unable to parse "{text}": {e}')


def run(g, o, args):
    """Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch."""
    import copy
    from pykubectl.api import patch as P
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import dry_run_mode
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import collect, finish, local_targets, no_kustomize, output_kind, print_obj
    dry = dry_run_mode(o.dry_run)
    fmt = output_kind(o.output)
    if o.patch and o.patch_file:
        raise CLIError("cannot specify --patch and --patch-file together")
    if not o.patch and not o.patch_file:
        raise CLIError("must specify --patch or --patch-file containing the contents of the patch")
    ptype = o.type.lower()
    if ptype not in _TYPES:
        raise CLIError(f'--type must be one of [json merge strategic], not "{o.type}"')
    if o.local and args:
        raise CLIError("cannot specify --local and server resources")
    if o.local and dry == "server":
        raise CLIError("cannot specify --local and --dry-run=server - did you mean --dry-run=client?")
    if o.subresource and o.subresource not in ("status", "scale"):
        raise CLIError(f'invalid subresource value: "{o.subresource}". Must be one of [status scale]')
    if o.patch_file:
        try:
            with open(o.patch_file, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise CLIError(f"unable to read patch file: open {o.patch_file}: {e.strerror.lower() if e.strerror else e}")
    else:
        text = o.patch
    body = _parse_patch(text)
    no_kustomize(o)
    client = make_client(g)
    errors: list = []
    if o.local:
        targets = local_targets(client, g, o.filename, o.recursive)
    else:
        targets, _single = collect(client, g, resources=list(args), filenames=o.filename,
                                   recursive=o.recursive, errors=errors)
    count = 0
    for t in targets:
        count += 1
        try:
            if o.subresource and o.subresource not in t.kind.subresources:
                raise StatusError(404, "NotFound", "the server could not find the requested resource")
            if dry == "client" or o.local:
                result = _local_patch(P, ptype, t.obj, body, client, t.kind)
            else:
                try:
                    result, _w = client.patch(t.kind, t.ns, t.name, ptype, copy.deepcopy(body),
                                              subresource=o.subresource or None, dry_run=(dry == "server"),
                                              field_manager=o.field_manager)
                except StatusError as e:
                    if e.code == 415:
                        k = t.kind
                        raise CLIError(f"{_MEDIA[ptype]} is not supported by {k.group + '/' if k.group else ''}{k.version}, Kind={k.kind}: {e.message}")
                    raise
        except (StatusError, CLIError) as e:
            errors.append(e)
            continue
        op = "patched" if _changed(t.obj, result, dry) else "patched (no change)"
        print_obj(t.kind, result, op, fmt, dry, show_managed_fields=o.show_managed_fields)
    if count == 0 and not errors:
        raise CLIError("no objects passed to patch")
    finish(errors)


def _local_patch(P, ptype, obj, body, client, kind):
    """--dry-run=client: the patch applied here, as kubectl's getPatchedJSON does."""
    try:
        if ptype == "json":
            return P.json_patch(obj, body)
        if ptype == "merge":
            return P.merge_patch(obj, body)
        schema = client.server.schema_for(kind) if hasattr(client, "server") else None
        return P.strategic_merge_patch(obj, body, schema)
    except P.PatchError as e:
        raise e.status_error()


def _changed(before: dict, after: dict, dry: str) -> bool:
    """kubectl compares the objects; a write shows in resourceVersion, a dry run in content
    (status aside: the emulator's reads complete it where a write's answer may not)."""
    if dry == "none" and (after.get("metadata") or {}).get("resourceVersion"):
        return (after.get("metadata") or {}).get("resourceVersion") != (before.get("metadata") or {}).get("resourceVersion")

    def strip(o):
        m = {k: v for k, v in (o.get("metadata") or {}).items() if k not in ("managedFields", "resourceVersion")}
        return dict({k: v for k, v in o.items() if k != "status"}, metadata=m)
    return strip(before) != strip(after)
