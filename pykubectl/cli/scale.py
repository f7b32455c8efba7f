"""kubectl scale: set spec.replicas with the preconditions kubectl checks (--current-replicas,
--resource-version). kubectl goes through the scale subresource; the emulator's core has no
scale endpoint yet, so the same merge patch `{"spec":{"replicas":N}}` goes to the object itself,
and only kinds that declare a scale subresource are accepted."""
from __future__ import annotations

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]"
LONG = """Set a new size for a deployment, replica set, replication controller, or stateful set.

 Scale also allows users to specify one or more preconditions for the scale action.

 If --current-replicas or --resource-version is specified, it is validated before the scale is attempted, and it is guaranteed that the precondition holds true when the scale is sent to the server."""
EXAMPLES = """  # Scale a replica set named 'foo' to 3
  kubectl scale --replicas=3 rs/foo

  # Scale a resource identified by type and name specified in "foo.yaml" to 3
  kubectl scale --replicas=3 -f foo.yaml

  # If the deployment named mysql's current size is 2, scale mysql to 3
  kubectl scale --current-replicas=2 --replicas=3 deployment/mysql

  # Scale multiple replication controllers
  kubectl scale --replicas=5 rc/example1 rc/example2 rc/example3

  # Scale stateful set named 'web' to 3
  kubectl scale --replicas=3 statefulset/web
"""
FLAGS = [
    Flag("all", kind="bool", help="Select all resources in the namespace of the specified resource types"),
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("current-replicas", kind="int", default=-1, help="Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition."),
    DRY_RUN,
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to set a new size"),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("replicas", kind="int", default=0, help="The new desired number of replicas. Required."),
    Flag("resource-version", help="Precondition for resource version. Requires that the current resource version match this value in order to scale."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("timeout", kind="duration", default="0s", help="The length of time to wait before giving up on a scale operation, zero means don't wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h)."),
]


def check_preconditions(obj: dict, current_replicas: int, resource_version: str) -> None:
    """scale.ScalePrecondition.ValidateReplicas, worded as kubectl's PreconditionError."""
    replicas = int(((obj.get("spec") or {}).get("replicas")) or 0)
    if current_replicas != -1 and replicas != current_replicas:
        raise CLIError(f"Expected replicas to be {current_replicas}, was {replicas}")
    rv = (obj.get("metadata") or {}).get("resourceVersion", "")
    if resource_version and rv != resource_version:
        raise CLIError(f"Expected resource version to be {resource_version}, was {rv}")


def run(g, o, args):
    """Set a new size for a deployment, replica set, replication controller, or stateful set."""
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import dry_run_mode
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import collect, finish, output_kind, print_obj
    if "replicas" not in o.changed:
        raise CLIError('required flag(s) "replicas" not set')
    dry = dry_run_mode(o.dry_run)
    fmt = output_kind(o.output)
    if o.replicas < 0:
        raise CLIError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    if o.current_replicas < -1:
        raise CLIError("The --current-replicas must specify an integer of -1 or greater")
    from pykubectl.cli.metadata_verbs import no_kustomize
    no_kustomize(o)
    client = make_client(g)
    errors: list = []
    targets, _single = collect(client, g, resources=list(args), filenames=o.filename, recursive=o.recursive,
                               selector=o.selector, all_=o.all, errors=errors)
    if o.resource_version and len(targets) > 1:
        raise CLIError("cannot use --resource-version with multiple resources")
    if not targets and not errors:
        raise CLIError("no objects passed to scale")
    precondition = o.current_replicas != -1 or bool(o.resource_version)
    for t in targets:
        if dry == "client":
            print_obj(t.kind, t.obj, "scaled", fmt, dry, show_managed_fields=o.show_managed_fields)
            continue
        # kubectl stops at the first failed scale
        if "scale" not in t.kind.subresources:
            raise StatusError(404, "NotFound", "the server could not find the requested resource")
        _scale(client, t, o.replicas, precondition, o.current_replicas, o.resource_version, dry)
        print_obj(t.kind, t.obj, "scaled", fmt, dry, show_managed_fields=o.show_managed_fields)
    finish(errors)


def _scale(client, t, replicas: int, precondition: bool, current: int, rv: str, dry: str):
    """ScaleSimple, retried on conflicts as kubectl's ScaleCondition does."""
    from pykubectl.api.errors import StatusError
    body = {"spec": {"replicas": replicas}}
    for attempt in range(5):
        if precondition:
            live = t.obj if attempt == 0 else client.get(t.kind, t.ns, t.name)
            check_preconditions(live, current, rv)
            body = {"metadata": {"resourceVersion": live["metadata"]["resourceVersion"]},
                    "spec": {"replicas": replicas}}
        try:
            client.patch(t.kind, t.ns, t.name, "merge", body, dry_run=(dry == "server"))
            return
        except StatusError as e:
            if e.code != 409:
                raise
    client.patch(t.kind, t.ns, t.name, "merge", body, dry_run=(dry == "server"))
