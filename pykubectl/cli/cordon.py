"""kubectl cordon: mark nodes unschedulable (kubectl's CordonHelper: a strategic merge patch of
spec.unschedulable, "already cordoned" when there is nothing to change). uncordon shares it."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl cordon NODE [options]"
LONG = "Mark node as unschedulable."
EXAMPLES = """  # Mark node "foo" as unschedulable
  kubectl cordon foo
"""
SELECTOR = Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.")
FLAGS = [DRY_RUN, SELECTOR]


def nodes_for(client, verb: str, args, selector: str) -> list[dict]:
    """The nodes named (NODE... or node/NAME) or selected by -l, as kubectl's builder finds them."""
    if not args and not selector:
        raise CLIError(f"USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples")
    kind = client.resolve("nodes")
    if selector:
        items = client.list(kind, None, label_selector=selector)["items"]
        if not items:
            raise CLIError("No resources found")
        return items
    out = []
    for a in args:
        name = a.split("/", 1)[1] if "/" in a else a
        if "/" in a and client.resolve(a.split("/", 1)[0]) is not kind:
            raise CLIError(f"expected resource of type node, got {a.split('/', 1)[0]!r}")
        out.append(client.get(kind, None, name))
    return out


def set_unschedulable(client, node: dict, desired: bool, dry: str, out=None) -> None:
    """Cordon (desired=True) or uncordon one node and print kubectl's line."""
    from pykubectl.cli.apply import suffix
    out = out or sys.stdout
    name = node["metadata"]["name"]
    word = "cordoned" if desired else "uncordoned"
    if bool((node.get("spec") or {}).get("unschedulable")) == desired:
        out.write(f"node/{name} already {word}\n")
        return
    if dry != "client":
        # false is omitempty in Go: the two-way merge patch clears the field
        client.patch(client.resolve("nodes"), None, name, "strategic",
                     {"spec": {"unschedulable": True if desired else None}}, dry_run=(dry == "server"))
    out.write(f"node/{name} {word}{suffix(dry)}\n")


def run_cordon(g, o, args, desired: bool, verb: str) -> None:
    from pykubectl.cli.apply import dry_run_mode
    from pykubectl.cli.context import client as make_client
    dry = dry_run_mode(o.dry_run)
    client = make_client(g)
    for node in nodes_for(client, verb, args, o.selector):
        set_unschedulable(client, node, desired, dry)


def run(g, o, args):
    """Mark node as unschedulable."""
    run_cordon(g, o, args, True, "cordon")
