"""kubectl replace -f: PUT each object (the live resourceVersion filled in when the manifest has
none); --force deletes and re-creates instead."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag, filename_flags

USAGE = "kubectl replace -f FILENAME [options]"
LONG = """Replace a resource by file name or stdin.

 JSON and YAML formats are accepted. If replacing an existing resource, the complete resource spec must be provided. This can be obtained by

        $ kubectl get TYPE NAME -o yaml"""
EXAMPLES = """  # Replace a pod using the data in pod.json
  kubectl replace -f ./pod.json

  # Replace a pod based on the JSON passed into stdin
  cat pod.json | kubectl replace -f -

  # Update a single-container pod's image version (tag) to v4
  kubectl get pod mypod -o yaml | sed 's/\\(image: myimage\\):.*$/\\1:v4/' | kubectl replace -f -

  # Force replace, delete and then re-create the resource
  kubectl replace --force -f ./pod.json
"""
FLAGS = filename_flags("replace") + [
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("cascade", default="background", no_opt="background", help='Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.'),
    DRY_RUN,
    Flag("field-manager", default="kubectl-replace", help="Name of the manager used to track field ownership."),
    Flag("force", kind="bool", help="If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation."),
    Flag("grace-period", kind="int", default=-1, help="Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion)."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("raw", help="Raw URI to PUT to the server.  Uses the transport specified by the kubeconfig file."),
    Flag("save-config", kind="bool", help="If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("subresource", help="If specified, replace will operate on the subresource of the requested object. This flag is beta and may change in the future."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("timeout", kind="duration", default="0s", help="The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object"),
    Flag("validate", default="strict", no_opt="strict", help='Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.'),
    Flag("wait", kind="bool", help="If true, wait for resources to be gone before returning. This waits for finalizers."),
]


def _with_source(e, src: str):
    """cmdutil.AddSourceToErr("replacing", ...)."""
    from pykubectl.api.errors import StatusError
    src = "STDIN" if src == "-" else src
    if isinstance(e, StatusError):
        return StatusError(e.code, e.reason, f'error when replacing "{src}": {e.message}', e.details)
    return CLIError(f'error when replacing "{src}": {e}')


def run(g, o, args):
    """Replace a resource by file name or stdin."""
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import (_annotated, dry_run_mode, print_warnings, read_manifests,
                                     resolve_manifest_kind, target_namespace, validate_mode)
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import finish, output_kind, print_obj
    dry = dry_run_mode(o.dry_run)
    mode = validate_mode(o.validate)
    fmt = output_kind(o.output)
    if o.grace_period >= 0 and not o.force:
        raise CLIError("--grace-period must have --force specified")
    if "timeout" in o.changed and o.timeout not in ("0", "0s") and not o.force:
        raise CLIError("--timeout must have --force specified")
    if not o.filename and not o.kustomize:
        raise CLIError("must specify one of -f and -k")
    if args:
        raise CLIError(f"Unexpected args: [{' '.join(args)}]\nSee 'kubectl replace -h' for help and examples")
    if o.subresource and o.subresource not in ("status", "scale"):
        raise CLIError(f'invalid subresource value: "{o.subresource}". Must be one of [status scale]')
    from pykubectl.cli.metadata_verbs import no_kustomize
    no_kustomize(o)
    client = make_client(g)
    items = []
    for obj, dupes, src in read_manifests(o.filename, o.recursive, validate=mode != "Ignore"):
        kind = resolve_manifest_kind(client, obj, src)
        ns = target_namespace(kind, obj, g.namespace, client.namespace)
        if o.save_config:
            obj, _last = _annotated(obj, ns if kind.namespaced else None)
        items.append((kind, ns, obj, dupes, src))
    if o.force:
        return _force_replace(client, items, o, dry, mode, fmt)
    errors: list = []
    for kind, ns, obj, dupes, src in items:
        name = (obj.get("metadata") or {}).get("name", "")
        try:
            if dry == "client":
                print_obj(kind, obj, "replaced", fmt, dry, show_managed_fields=o.show_managed_fields)
                continue
            meta = obj.setdefault("metadata", {})
            if not meta.get("resourceVersion"):
                # Helper.Replace(overwrite=true): take the live version, else let the PUT answer
                try:
                    meta["resourceVersion"] = client.get(kind, ns, name)["metadata"]["resourceVersion"]
                except StatusError:
                    pass
            res, warns = client.update(kind, obj, ns, subresource=o.subresource or None,
                                       dry_run=(dry == "server"), field_manager=o.field_manager,
                                       field_validation=mode, duplicates=dupes)
            print_warnings(warns, sys.stderr)
        except (StatusError, CLIError) as e:
            errors.append(_with_source(e, src))
            continue
        print_obj(kind, res, "replaced", fmt, dry, show_managed_fields=o.show_managed_fields)
    finish(errors)


def _force_replace(client, items, o, dry, mode, fmt):
    """Delete every object, wait for it to go, then create it again."""
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import kind_name, print_warnings
    from pykubectl.cli.delete import _wait_gone
    from pykubectl.cli.metadata_verbs import finish, print_obj
    propagation = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}.get(o.cascade)
    if propagation is None:
        raise CLIError(f'invalid cascade value ({o.cascade}). Must be "background", "foreground", or "orphan".')
    grace = None if o.grace_period < 0 else o.grace_period
    errors: list = []
    deleted = []
    for kind, ns, obj, _d, _src in items:
        name = obj["metadata"]["name"]
        try:
            if dry != "client":
                client.delete(kind, ns, name, grace_period=grace, propagation=propagation,
                              dry_run=(dry == "server"))
        except StatusError as e:
            if e.code != 404:
                errors.append(e)
            continue
        sys.stdout.write(f'{kind_name(kind)} "{name}" {"force deleted" if grace == 0 else "deleted"}\n')
        deleted.append((kind, ns, name))
    if errors:
        finish(errors)
    if dry == "none" and deleted:
        _wait_gone(client, deleted)
    count = 0
    for kind, ns, obj, dupes, _src in items:
        obj = dict(obj, metadata={k: v for k, v in obj["metadata"].items() if k != "resourceVersion"})
        try:
            if dry != "client":
                obj, warns = client.create(kind, obj, ns, dry_run=(dry == "server"), field_validation=mode,
                                           field_manager=o.field_manager, duplicates=dupes)
                print_warnings(warns, sys.stderr)
        except StatusError as e:
            errors.append(e)
            continue
        count += 1
        print_obj(kind, obj, "replaced", fmt, dry, show_managed_fields=o.show_managed_fields)
    if count == 0 and not errors:
        raise CLIError("no objects passed to replace")
    finish(errors)
