"""`pykubectl sim explain-hpa NAME`: the HPA algorithm's inputs and result at this moment
(`pykubectl.metrics.explain`); the lead may route `sim explain hpa/NAME` here."""
from __future__ import annotations

import sys

import click


@click.command("explain-hpa", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("name")
@click.pass_obj
def command(g, name):
    """Explain what the Horizontal Pod Autoscaler NAME sees and decides now."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.controllers.manager import View
    from pykubectl.metrics.explain import explain_hpa
    client = make_client(g)
    hpa = client.get(client.resolve("horizontalpodautoscalers.autoscaling"), client.namespace, name.rpartition("/")[2])
    cluster = client.cluster
    now = client.now()
    with cluster.store.read() as t:
        sys.stdout.write(explain_hpa(View(t, cluster.apiserver), hpa, now))
