"""`pykubectl sim explain-pvc NAME`: why a claim is bound where it is, or still Pending."""
from __future__ import annotations

import sys

import click


@click.command("explain-pvc")
@click.argument("name")
@click.pass_obj
def command(g, name):
    """How the PersistentVolume controller judges every volume for claim NAME, and what
    provisions one when none fits."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.storage.explain import explain_claim
    c = make_client(g)
    claim = c.get(c.resolve("persistentvolumeclaims"), c.namespace, name.rpartition("/")[2])
    volumes = c.list(c.resolve("persistentvolumes"), None)["items"]
    classes = c.list(c.resolve("storageclasses.storage.k8s.io"), None)["items"]
    sys.stdout.write(explain_claim(claim, volumes, classes))
