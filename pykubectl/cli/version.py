"""kubectl version."""
from __future__ import annotations

import sys

import click

from pykubectl.cli.flags import KCommand, KGroup, bool_flag

CLIENT = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "goVersion": "python", "platform": "linux/amd64"}
SERVER = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "platform": "linux/amd64"}


@click.command(cls=KCommand, context_settings={"help_option_names": ["-h", "--help"]})
@bool_flag("--client", "client_only")
@click.option("-o", "--output", default="")
@click.pass_obj
def command(g, client_only, output):
    """Print the client and server version information."""
    sys.stdout.write(f"Client Version: {CLIENT['gitVersion']}\nKustomize Version: v5.5.0\n")
    if not client_only:
        sys.stdout.write(f"Server Version: {SERVER['gitVersion']}\n")
