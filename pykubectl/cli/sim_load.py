"""`pykubectl sim load URL --rps N --for DURATION`: register steady outside traffic in cluster
time and return at once; the rates feed the usage model HPA reads (`pykubectl.net.load`)."""
from __future__ import annotations

import sys

import click


@click.command("load", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("url")
@click.option("--rps", type=float, required=True, help="Requests per second.")
@click.option("--for", "duration", required=True, help="How long, in cluster time (30s, 10m, 1h).")
@click.pass_obj
def command(g, url, rps, duration):
    """Steady traffic from outside the cluster to URL (a NodePort or an Ingress), computed in
    cluster time rather than sent request by request."""
    from pykubectl.cli.errors import CLIError
    from pykubectl.net import load
    from pykubectl.net.client import outside_hosts
    from pykubectl.net.world import cluster_view
    from pykubectl.store.clock import parse_duration, rfc3339
    try:
        secs = parse_duration(duration)
    except ValueError as e:
        raise CLIError(str(e))
    if rps <= 0 or secs <= 0:
        raise CLIError("--rps and --for must be positive")
    with cluster_view(g) as (view, now):
        target = load.target_service(view, url, outside_hosts(view))
        if isinstance(target, str):
            raise CLIError(target)
        ns, svc, port, path = target
        entry = {"url": url, "namespace": ns, "service": svc, "port": port, "path": path,
                 "rps": rps, "start": now, "end": now + secs}
        load.register(view, entry)
        try:
            from pykubectl.metrics.traffic import wake_hpas
        except ImportError:
            pass
        else:
            wake_hpas(view.txn, entry)
    rate = f"{rps:g}"
    sys.stdout.write(f"load: {rate} requests/s to {url} (service {ns}/{svc}) from {rfc3339(now)} until {rfc3339(now + secs)}\n")
