"""kubectl create -f (the generators come with Foundation II)."""
from __future__ import annotations

import sys


from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import DRY_RUN, Flag, filename_flags


USAGE = "kubectl create -f FILENAME [options]"
LONG = """Create a resource from a file or from stdin.

 JSON and YAML formats are accepted."""
FLAGS = filename_flags("use to create the resource") + [
    DRY_RUN,
    Flag("validate", default="strict", no_opt="strict", help="Must be one of: strict (or true), warn, ignore (or false)."),
    Flag("save-config", kind="bool", help="If true, the configuration of current object will be saved in its annotation."),
    Flag("output", "o", help="Output format."),
    Flag("field-manager", default="kubectl-create", help="Name of the manager used to track field ownership."),
]


def run(g, o, args):
    """Create a resource from a file or from stdin."""
    filename, recursive, dry_run, validate = o.filename, o.recursive, o.dry_run, o.validate
    save_config, field_manager = o.save_config, o.field_manager
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import (_annotated, dry_run_mode, kind_name, print_warnings, read_manifests,
                                     resolve_manifest_kind, suffix, target_namespace, validate_mode)
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.errors import status_line
    if not filename:
        raise CLIError("must specify one of -f and -k")
    mode = validate_mode(validate)
    dry = dry_run_mode(dry_run)
    client = make_client(g)
    failed = False
    for obj, dupes, src in read_manifests(filename, recursive):
        kind = resolve_manifest_kind(client, obj, src)
        ns = target_namespace(kind, obj, g.namespace, client.namespace)
        if save_config:
            obj, _ = _annotated(obj)
        name = (obj.get("metadata") or {}).get("name") or ""
        if dry != "client":
            try:
                res, warns = client.create(kind, obj, ns, dry_run=(dry == "server"), field_validation=mode,
                                           field_manager=field_manager, duplicates=dupes)
            except StatusError as e:
                failed = True
                e.message = f'error when creating "{src}": {e.message}'
                sys.stderr.write(status_line(e) + "\n")
                continue
            print_warnings(warns, sys.stderr)
            name = res["metadata"]["name"]
        sys.stdout.write(f"{kind_name(kind)}/{name} created{suffix(dry)}\n")
    if failed:
        raise Printed(1)
