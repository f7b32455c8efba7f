"""kubectl version."""
from __future__ import annotations

import sys

from pykubectl.cli.flags import Flag

CLIENT = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "goVersion": "python", "platform": "linux/amd64"}
SERVER = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "platform": "linux/amd64"}


FLAGS = [Flag("client", kind="bool", help="If true, shows client version only (no server required)."),
         Flag("output", "o", help="One of 'yaml' or 'json'.")]


def run(g, o, args):
    """Print the client and server version information."""
    sys.stdout.write(f"Client Version: {CLIENT['gitVersion']}\nKustomize Version: v5.5.0\n")
    if not o.client:
        sys.stdout.write(f"Server Version: {SERVER['gitVersion']}\n")
