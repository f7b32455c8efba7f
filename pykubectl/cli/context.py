"""From the global flags to a Client: kubeconfig, context, namespace, and the lab cluster that
the first command creates when there is no kubeconfig of ours."""
from __future__ import annotations

import os

from pykubectl.cli.errors import CLIError


class ConfigurationError(CLIError):
    """clientcmd's invalid-configuration errors, which kubectl prints as `Error in configuration: ...`."""

    prefix = "Error in configuration: "


def kubeconfig_paths(g) -> list[str]:
    from pykubectl.kubeconfig import config_paths
    return config_paths(g.kubeconfig, g.env)


def write_path(g) -> str:
    """The file new entries go to: as kubectl, the first file of the list that exists (else the first)."""
    paths = kubeconfig_paths(g)
    return next((p for p in paths if os.path.exists(p)), paths[0])


def load_kubeconfig(g):
    from pykubectl.kubeconfig import Kubeconfig
    paths = kubeconfig_paths(g)
    if not any(os.path.exists(p) for p in paths) and not g.kubeconfig:
        # no kubeconfig of ours anywhere: make the lab cluster, as kubeadm init would have
        from pykubectl.sim import clusters
        c = clusters.Cluster(clusters.LAB, g.env)
        if c.exists():
            clusters.reset_cluster(clusters.LAB, kubeconfig_path=paths[0], env=g.env)
        else:
            clusters.create_cluster(clusters.LAB, kubeconfig_path=paths[0], env=g.env)
    return Kubeconfig.load(paths, explicit=bool(g.kubeconfig))


def client(g):
    """The Client for the current context: in-process for a local pykubectl cluster, over HTTP
    for any other API server."""
    from pykubectl.kubeconfig import local_cluster_name
    kc = load_kubeconfig(g)
    ctx_name = g.context or kc.current_context
    if not ctx_name:
        raise CLIError("current-context is not set")
    ctx = kc.context(ctx_name)
    if ctx is None:
        raise ConfigurationError(f"context was not found for specified context: {ctx_name}")
    cluster_name = g.cluster or ctx.get("cluster")
    entry = kc.cluster(cluster_name) if cluster_name else None
    if entry is None:
        raise CLIError(f'no server found for cluster "{cluster_name}"')
    if g.user and kc.user(g.user) is None:
        raise CLIError(f'auth info "{g.user}" does not exist')
    local = local_cluster_name(entry)
    if local is None:
        return http_client(g, kc, ctx, entry)
    from pykubectl.sim import clusters
    c = clusters.Cluster(local, g.env)
    if not c.exists():
        if local == clusters.LAB:
            clusters.reset_cluster(local, kubeconfig_path=write_path(g), env=g.env)
            c = clusters.Cluster(local, g.env)
        else:
            raise CLIError(f'local cluster "{local}" has no state; run: pykubectl cluster reset {local}')
    from pykubectl.client.local import LocalClient
    return LocalClient(c, g.namespace or ctx.get("namespace") or "default",
                       user=(g.as_user, list(g.as_group)) if g.as_user else None)


def http_client(g, kc, ctx: dict, cluster_entry: dict):
    """The HTTP client for a context whose cluster is an API server (ours served, or real)."""
    import os.path
    from pykubectl.client.http import from_kubeconfig
    from pykubectl.sim.clusters import data_home
    user = kc.user(g.user or ctx.get("user") or "") or {}
    cache = os.path.join(data_home(g.env), "cache", "discovery")
    return from_kubeconfig(cluster_entry, user, g, g.namespace or ctx.get("namespace") or "default", cache)
