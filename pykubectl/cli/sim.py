"""pykubectl sim now|advance: the cluster's clock."""
from __future__ import annotations

import sys

import click


from pykubectl.cli.errors import CLIError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def command():
    """The cluster's clock and simulated machines."""


@command.command("now")
@click.pass_obj
def now(g):
    """Print the cluster's time."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.store.clock import rfc3339
    c = make_client(g).cluster
    sys.stdout.write(f"{rfc3339(c.clock.now())} ({c.clock.mode} clock)\n")


@command.command("advance")
@click.argument("duration")
@click.pass_obj
def advance(g, duration):
    """Move the cluster's clock on by DURATION (30s, 5m, 1h30m), running every controller at
    each moment that falls due on the way."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.store.clock import parse_duration, rfc3339
    try:
        secs = parse_duration(duration)
    except ValueError as e:
        raise CLIError(str(e))
    if secs < 0:
        raise CLIError("duration must not be negative")
    c = make_client(g).cluster
    c.advance(secs)
    sys.stdout.write(f"{rfc3339(c.clock.now())}\n")
