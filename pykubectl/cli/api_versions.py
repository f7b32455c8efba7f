"""kubectl api-versions: every served group/version (built-in, metrics.k8s.io and the cluster's
CRD groups), sorted as Go's sort.Strings sorts them."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError

USAGE = "kubectl api-versions [options]"
LONG = 'Print the supported API versions on the server, in the form of "group/version".'
EXAMPLES = """  # Print the supported API versions
  kubectl api-versions
"""
FLAGS: list = []


def group_versions(groups) -> list[str]:
    """metav1.ExtractGroupVersions, sorted: `v1` for core, `group/version` for the rest."""
    out = [f"{g}/{v}" if g else v for g, versions in groups for v in versions]
    # Go compares strings byte-wise; Python's str order agrees on these ASCII names
    return sorted(out)


def run(g, o, args):
    """Print the supported API versions on the server."""
    if args:
        raise CLIError(f"unexpected arguments: [{' '.join(args)}]\nSee 'kubectl api-versions -h' for help and examples")
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    sys.stdout.write("".join(v + "\n" for v in group_versions(client.server.registry_with_crds().groups())))
