"""`pykubectl sim hosts add IP NAME...` / `remove NAME...` / `list`: the /etc/hosts of the
learner's machine that `sim curl` uses. Stored in the cluster's store meta key `net.hosts`
(JSON {name: ip}); the nodes' names are always there."""
from __future__ import annotations

import json
import sys

import click

from pykubectl.net.client import HOSTS


@click.group("hosts", context_settings={"help_option_names": ["-h", "--help"]})
def command():
    """The outside machine's /etc/hosts."""


def _edit(g, fn):
    from pykubectl.net.world import cluster_view
    with cluster_view(g) as (view, _):
        hosts = json.loads(view.txn.get_meta(HOSTS, "{}") or "{}")
        fn(hosts)
        view.txn.set_meta(HOSTS, json.dumps(hosts, sort_keys=True))
        return hosts


@command.command("add")
@click.argument("ip")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def add(g, ip, names):
    """Map NAME... to IP."""
    from pykubectl.cli.errors import CLIError
    from pykubectl.net.client import parse_ipv4
    if parse_ipv4(ip) is None or ip.count(".") != 3:
        raise CLIError(f"invalid IPv4 address: {ip}")
    _edit(g, lambda h: h.update({n.lower(): ip for n in names}))
    for n in names:
        sys.stdout.write(f"{ip}\t{n}\n")


@command.command("remove")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def remove(g, names):
    """Forget NAME...."""
    _edit(g, lambda h: [h.pop(n.lower(), None) for n in names])


@command.command("list")
@click.pass_obj
def list_(g):
    """Print the outside machine's /etc/hosts."""
    from pykubectl.net.client import outside_hosts
    from pykubectl.net.world import cluster_view
    with cluster_view(g) as (view, _):
        hosts = outside_hosts(view)
    for name, ip in hosts.items():
        sys.stdout.write(f"{ip}\t{name}\n")
