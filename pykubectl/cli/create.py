"""kubectl create -f (the generators come with Foundation II)."""
from __future__ import annotations

import sys

import click

from pykubectl.cli.flags import KCommand, KGroup, bool_flag

from pykubectl.cli.errors import CLIError, Printed


@click.command(cls=KCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-f", "--filename", multiple=True)
@bool_flag("-R", "--recursive")
@click.option("--dry-run", "dry_run", default=None, is_flag=False, flag_value="unchanged")
@click.option("--validate", default="strict")
@bool_flag("--save-config")
@click.option("-o", "--output", default="")
@click.option("--field-manager", default="kubectl-create")
@click.pass_obj
def command(g, filename, recursive, dry_run, validate, save_config, output, field_manager):
    """Create a resource from a file or from stdin."""
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
