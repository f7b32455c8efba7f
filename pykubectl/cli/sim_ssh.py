"""pykubectl sim ssh NODE -- CMD ARGS…: a shell on a simulated node (its disk: hostPath and NFS
files; `route` and `iptables-save` come from the networking simulation when it has them)."""
from __future__ import annotations

import sys

import click

from pykubectl.cli.errors import CLIError


def ssh(cluster, node: str, argv: list[str], stdin: str = "") -> tuple[str, str, int]:
    """Run argv on node in one write transaction, then let the controllers react (a file an
    exec probe reads)."""
    from pykubectl.controllers.manager import View
    from pykubectl.runtime import images, shell
    now = cluster.clock.now()
    with cluster.store.write() as t:
        view = View(t, cluster.apiserver)
        if view.get("nodes", "", node) is None:
            return "", f"ssh: Could not resolve hostname {node}: Name or service not known\n", 255
        images.bind(view, now)
        name = argv[0].rsplit("/", 1)[-1] if argv else ""
        net = _net_command(name)
        if net is not None:
            result = net(view, node, argv)
        else:
            result = shell.run_on_node(view, node, argv or ["true"], now=now, stdin=stdin)
    cluster.engine.run()
    return result


def _net_command(name):
    if name not in ("route", "iptables-save", "ip", "ipvsadm"):
        return None
    try:
        from pykubectl.net import node as netnode
    except ImportError:
        return None
    return getattr(netnode, name.replace("-", "_"), None)


@click.command("ssh", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False,
                                        "help_option_names": ["-h", "--help"]})
@click.argument("node")
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def command(g, node, argv):
    """Run a command on a simulated node: pykubectl sim ssh worker-1 -- touch /tmp/readiness/ready.txt"""
    from pykubectl.cli.context import client as make_client
    argv = list(argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        raise CLIError("a command is required: pykubectl sim ssh NODE -- CMD [ARGS...]")
    cluster = getattr(make_client(g), "cluster", None)
    if cluster is None:
        raise CLIError("sim ssh is only available against the embedded cluster")
    stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    out, err, code = ssh(cluster, node, argv, stdin)
    sys.stdout.write(out)
    sys.stderr.write(err)
    if code:
        raise click.exceptions.Exit(code)
