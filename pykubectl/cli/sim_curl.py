"""`pykubectl sim curl [curl options] URL`: curl from the learner's machine on the nodes' network
(192.168.0.0/24): node IPs and NodePorts, Ingress through its NodePorts, the names in its
/etc/hosts (`sim hosts`) or given with --resolve. Answered in-process; no socket is opened."""
from __future__ import annotations

import sys

import click


@click.command("curl", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False,
                                         "help_option_names": ["--help"]})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def command(g, args):
    """A request from a machine outside the cluster: curl's options (-s -i -I -v -H -X -d -k -L
    -m -o -O --resolve) and output."""
    from pykubectl.cli.errors import Printed
    from pykubectl.net.client import curl
    from pykubectl.net.world import cluster_view
    with cluster_view(g) as (view, _now):
        out, err, code = curl(view, None, ["curl", *args])
    sys.stdout.write(out)
    sys.stderr.write(err)
    if code:
        raise Printed(code)
