"""kubectl version: the client's build (we stand in for kubectl v1.32.0), Kustomize's, and the
server's `/version` answer."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

# version.Info of the v1.32.0 release, as kubectl reports it and kube-apiserver serves it at
# /version (the HTTP server answers with SERVER_VERSION as is).
_RELEASE = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0",
    "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T17:59:15Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}
CLIENT_VERSION = dict(_RELEASE)
SERVER_VERSION = dict(_RELEASE)
KUSTOMIZE_VERSION = "v5.5.0"

USAGE = "kubectl version [flags] [options]"
LONG = "Print the client and server version information for the current context."
EXAMPLES = """  # Print the client and server versions for the current context
  kubectl version
"""
FLAGS = [Flag("client", kind="bool", help="If true, shows client version only (no server required)."),
         Flag("output", "o", default="", help="One of 'yaml' or 'json'.")]


def version_document(client_only: bool) -> dict:
    """kubectl's Version struct: clientVersion, kustomizeVersion, serverVersion (in that order)."""
    doc = {"clientVersion": dict(CLIENT_VERSION), "kustomizeVersion": KUSTOMIZE_VERSION}
    if not client_only:
        doc["serverVersion"] = dict(SERVER_VERSION)
    return doc


def render(doc: dict, output: str) -> str:
    if output == "json":
        import json
        # json.MarshalIndent(v, "", "  ")
        return json.dumps(doc, indent=2) + "\n"
    if output == "yaml":
        from pykubectl.printers.output import to_yaml
        return to_yaml(doc) + "\n"   # fmt.Fprintln of text that already ends in a newline
    lines = [f"Client Version: {doc['clientVersion']['gitVersion']}",
             f"Kustomize Version: {doc['kustomizeVersion']}"]
    if "serverVersion" in doc:
        lines.append(f"Server Version: {doc['serverVersion']['gitVersion']}")
    return "\n".join(lines) + "\n"


def run(g, o, args):
    """Print the client and server version information."""
    if o.output not in ("", "yaml", "json"):
        raise CLIError("--output must be 'yaml' or 'json'")
    if not o.client:
        # the server's answer needs a reachable cluster, as kubectl's /version request does
        from pykubectl.cli.context import client as make_client
        make_client(g)
    sys.stdout.write(render(version_document(o.client), o.output))
