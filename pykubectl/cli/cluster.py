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


@command.command("serve")
@click.argument("name", required=False)
@click.option("--port", type=int, default=None,
              help="Port to serve on (default: the one in the cluster's kubeconfig entry; 0 picks a free one).")
@click.pass_obj
def serve(g, name, port):
    """Serve a local cluster's API over HTTPS on 127.0.0.1 (default: the current context's
    cluster), so the real kubectl and other clients can use it with the same kubeconfig."""
    from pykubectl.sim import clusters
    if not name:
        from pykubectl.cli.context import client as make_client
        name = make_client(g).cluster.name
    cluster = clusters.Cluster(name, g.env)
    if not cluster.exists():
        raise CLIError(f'cluster "{name}" not found')
    if port is None:
        port = int(cluster.store.meta("port") or clusters.BASE_PORT)
    from pykubectl.server import http
    cfg = http.cluster_config(cluster, g.env)
    cluster.close()
    try:
        srv = http.make_server("127.0.0.1", port, cfg)
    except OSError as e:
        raise CLIError(f"listen tcp 127.0.0.1:{port}: bind: {e.strerror.lower() if e.strerror else e}")
    url = f"https://127.0.0.1:{srv.server_address[1]}"
    _point_kubeconfig_at(g, name, url)
    sys.stdout.write(f'Serving cluster "{name}" on {url}\n')
    sys.stdout.flush()
    from pykubectl.server.http import serve_until_stopped
    serve_until_stopped(srv)


def _point_kubeconfig_at(g, name: str, url: str) -> None:
    """Rewrite the server URL of the kubeconfig entries marking cluster `name` (each in the file
    that defines it: atomic, 0600, under the kubeconfig lock), so the real kubectl and other
    clients reach this server with the same kubeconfig, e.g. after `--port 0`."""
    from pykubectl import kubeconfig
    from pykubectl.cli.context import kubeconfig_paths
    try:
        kc = kubeconfig.Kubeconfig.load(kubeconfig_paths(g), explicit=bool(g.kubeconfig))
    except kubeconfig.KubeconfigError:
        return   # nothing of ours to update in a file kubectl could not load either
    stale = [n for n, body in kc.clusters().items()
             if kubeconfig.local_cluster_name(body) == name
             and body.get("server") != url]
    for entry in stale:
        def change(config, entry=entry):
            for e in config.get("clusters") or []:
                if isinstance(e, dict) and e.get("name") == entry and isinstance(e.get("cluster"), dict):
                    e["cluster"]["server"] = url
        kubeconfig._locked_update(kc.file_for("clusters", entry), change)
