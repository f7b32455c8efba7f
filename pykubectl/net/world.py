"""The edge between the sim commands and the simulated network: a View over the current local
cluster inside one write transaction (requests may change state: a counter, /status500)."""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def cluster_view(g):
    """(view, now) for the current context's local cluster; reconciles after."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.errors import CLIError
    from pykubectl.controllers.manager import View
    c = make_client(g)
    cluster = getattr(c, "cluster", None)
    if cluster is None:
        raise CLIError("this command needs a local pykubectl cluster")
    cluster.reconcile()
    now = cluster.clock.now()
    with cluster.store.write() as t:
        view = View(t, cluster.apiserver)
        try:
            from pykubectl.runtime import images
            images.bind(view, now)
        except ImportError:
            pass
        yield view, now
    cluster.reconcile()
