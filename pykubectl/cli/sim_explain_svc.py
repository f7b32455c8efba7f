"""`pykubectl sim explain-svc NAME` (and `sim explain svc/NAME`): which pods are a Service's
endpoints, and why each other pod of its namespace is not (`pykubectl.net.explain`)."""
from __future__ import annotations

import sys

import click


def explain(client, name: str) -> str:
    """The explanation for Service NAME in the client's namespace."""
    from pykubectl.api.errors import StatusError
    from pykubectl.net.explain import explain_service
    ns = client.namespace
    svc = client.get(client.resolve("services"), ns, name)
    pods = client.list(client.resolve("pods"), ns)["items"]
    try:
        endpoints = client.get(client.resolve("endpoints"), ns, name)
    except StatusError as e:
        if e.code != 404:
            raise
        endpoints = None
    events = client.list(client.resolve("events"), ns)["items"]
    return explain_service(svc, pods, endpoints, events)


@click.command("explain-svc", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("name")
@click.pass_obj
def command(g, name):
    """Which pods are Service NAME's endpoints (ready or not, and why not ready), and why every
    other pod of its namespace is not one; a selector-less Service's hand-written Endpoints.

    \b
    Examples:
      pykubectl sim explain svc/clusterip1
      pykubectl sim explain-svc endpoint2 -n default"""
    from pykubectl.cli.context import client as make_client
    sys.stdout.write(explain(make_client(g), name.rpartition("/")[2]))
