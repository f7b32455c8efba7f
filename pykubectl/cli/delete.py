"""kubectl delete: by names, -f, -l, --all; graceful by default, waiting for the objects to go."""
from __future__ import annotations

import sys
import time


from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import DRY_RUN, Flag, filename_flags


USAGE = "kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)]) [options]"
LONG = """Delete resources by file names, stdin, resources and names, or by resources and label selector."""
FLAGS = filename_flags("delete") + [
    Flag("selector", "l", help="Selector (label query) to filter on."),
    Flag("field-selector", help="Selector (field query) to filter on."),
    Flag("all", kind="bool", help="Delete all resources, in the namespace of the specified resource types."),
    Flag("all-namespaces", "A", "bool", help="If present, list the requested object(s) across all namespaces."),
    Flag("grace-period", kind="int", default=-1, help="Period of time in seconds given to the resource to terminate gracefully. Ignored if negative."),
    Flag("now", kind="bool", help="If true, resources are signaled for immediate shutdown (same as --grace-period=1)."),
    Flag("force", kind="bool", help="If true, immediately remove resources from API and bypass graceful deletion."),
    Flag("wait", kind="bool", default=True, help="If true, wait for resources to be gone before returning."),
    Flag("cascade", default="background", no_opt="background", help='Must be "background", "orphan", or "foreground".'),
    Flag("ignore-not-found", kind="bool", help="Treat \"resource not found\" as a successful delete."),
    DRY_RUN,
    Flag("output", "o", help="Output mode. Use \"-o name\" for shorter output (resource/name)."),
    Flag("timeout", kind="duration", default="0s", help="The length of time to wait before giving up on a delete."),
]


def run(g, o, args):
    """Delete resources by file names, stdin, resources and names, or by resources and label selector."""
    filename, recursive, selector, field_selector = o.filename, o.recursive, o.selector, o.field_selector
    all_, all_namespaces, grace_period, now, force = o.all, o.all_namespaces, o.grace_period, o.now, o.force
    wait, cascade, ignore_not_found, dry_run, output = o.wait, o.cascade, o.ignore_not_found, o.dry_run, o.output
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.apply import dry_run_mode, kind_name, read_manifests, resolve_manifest_kind, suffix, target_namespace
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.errors import status_line
    from pykubectl.cli.get import parse_resource_args
    dry = dry_run_mode(dry_run)
    propagation = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan",
                   "true": "Background", "false": "Orphan"}.get(cascade)
    if propagation is None:
        raise CLIError(f'invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan".')
    if now and grace_period != -1:
        raise CLIError("--now and --grace-period cannot be specified together")
    grace = None if grace_period < 0 else grace_period
    if now:
        grace = 1
    if force and grace is None:
        grace = 0
    if force and grace == 0:
        sys.stderr.write("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n")
    if grace == 0 and not force:
        grace = 1  # kubectl turns --grace-period=0 into 1 unless --force
    client = make_client(g)
    targets = []   # (kind, ns, name)
    if filename:
        for obj, _d, src in read_manifests(filename, recursive):
            kind = resolve_manifest_kind(client, obj, src)
            targets.append((kind, target_namespace(kind, obj, g.namespace, client.namespace), obj["metadata"]["name"]))
    else:
        groups = parse_resource_args(client, list(args))
        for kind, names in groups:
            ns = client.namespace if kind.namespaced else None
            if names:
                if all_ or selector:
                    raise CLIError("name cannot be provided when a selector is specified" if selector else
                                   "cannot set --all and --selector at the same time")
                targets += [(kind, ns, n) for n in names]
            elif all_ or selector or field_selector:
                lst = client.list(kind, None if all_namespaces else ns, selector, field_selector)
                targets += [(kind, o["metadata"].get("namespace"), o["metadata"]["name"]) for o in lst["items"]]
            else:
                raise CLIError('resource(s) were provided, but no name was specified')
    failed = False
    deleted = []
    for kind, ns, name in targets:
        try:
            if dry != "client":
                client.delete(kind, ns, name, grace_period=grace, propagation=propagation,
                              dry_run=(dry == "server"))
        except StatusError as e:
            if e.code == 404 and ignore_not_found:
                continue
            failed = True
            sys.stderr.write(status_line(e) + "\n")
            continue
        if output == "name":
            sys.stdout.write(f"{kind_name(kind)}/{name}\n")
        else:
            sys.stdout.write(f'{kind_name(kind)} "{name}" {"force deleted" if force and grace == 0 else "deleted"}{suffix(dry)}\n')
        deleted.append((kind, ns, name))
    if not targets and not failed:
        sys.stdout.write("No resources found\n")
    if wait and dry == "none" and deleted:
        _wait_gone(client, deleted)
    if failed:
        raise Printed(1)


def _wait_gone(client, deleted, timeout: float = 3600.0):
    """Wait as kubectl does, driving the cluster's due timers while waiting (real clock only:
    a virtual clock moves only by `sim advance`)."""
    from pykubectl.api.errors import StatusError
    cluster = getattr(client, "cluster", None)
    if cluster is None or cluster.clock.mode != "real":
        return
    end = time.monotonic() + timeout
    pending = list(deleted)
    while pending and time.monotonic() < end:
        cluster.reconcile()
        still = []
        for kind, ns, name in pending:
            try:
                client.server.get(kind, ns, name)
                still.append((kind, ns, name))
            except StatusError:
                pass
        pending = still
        if not pending:
            break
        nxt = cluster.store.next_timer()
        gap = 0.2 if nxt is None else min(max(nxt - cluster.clock.now(), 0.01), 1.0)
        time.sleep(gap)
