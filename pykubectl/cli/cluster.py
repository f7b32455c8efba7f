"""pykubectl cluster create|delete|list|reset: local clusters, each with its own state and
kubeconfig entries (as `kind create cluster` makes them)."""
from __future__ import annotations

import sys

import click


from pykubectl.cli.errors import CLIError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def command():
    """Create, list, reset and delete local clusters."""


def _kc_path(g):
    from pykubectl.cli.context import write_path
    return write_path(g)


@command.command("create")
@click.argument("name")
@click.option("--context", "context_name", default=None, help="Name of the kubeconfig context to write.")
@click.option("--clock", type=click.Choice(["real", "virtual"]), default="real")
@click.option("--seed", type=int, default=None)
@click.pass_obj
def create(g, name, context_name, clock, seed):
    """Create a local cluster from the lab blueprints and make it the current context."""
    from pykubectl.sim import clusters
    try:
        clusters.create_cluster(name, kubeconfig_path=_kc_path(g), context=context_name or g.context,
                                clock=clock, seed=seed, env=g.env)
    except clusters.ClusterError as e:
        raise CLIError(str(e))
    sys.stdout.write(f'Cluster "{name}" created.\n')


@command.command("delete")
@click.argument("name")
@click.pass_obj
def delete(g, name):
    """Delete a local cluster and its kubeconfig entries."""
    from pykubectl.sim import clusters
    clusters.delete_cluster(name, kubeconfig_path=_kc_path(g), env=g.env)
    sys.stdout.write(f'Cluster "{name}" deleted.\n')


@command.command("list")
@click.pass_obj
def list_(g):
    """List local clusters."""
    from pykubectl.sim import clusters
    names = clusters.list_clusters(g.env)
    if not names:
        sys.stderr.write("No clusters found.\n")
    for n in names:
        sys.stdout.write(n + "\n")


@command.command("reset")
@click.argument("name", required=False)
@click.pass_obj
def reset(g, name):
    """Recreate a cluster (default: the current context's) from its blueprints."""
    from pykubectl.sim import clusters
    if not name:
        try:
            from pykubectl.cli.context import client as make_client
            name = make_client(g).cluster.name
        except Exception:
            name = clusters.LAB
    clusters.reset_cluster(name, kubeconfig_path=_kc_path(g), env=g.env)
    sys.stdout.write(f'Cluster "{name}" reset.\n')
