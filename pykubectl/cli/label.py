"""kubectl label: set or remove labels, sent as a JSON merge patch (field manager kubectl-label)."""
from __future__ import annotations

from pykubectl.cli.metadata_verbs import metadata_flags

USAGE = "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]"
LONG = """Update the labels on a resource.

  *  A label key and value must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters each.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  If --overwrite is true, then existing labels can be overwritten, otherwise attempting to overwrite a label will result in an error.
  *  If --resource-version is specified, then updates will use this resource version, otherwise the existing resource-version will be used."""
EXAMPLES = """  # Update pod 'foo' with the label 'unhealthy' and the value 'true'
  kubectl label pods foo unhealthy=true

  # Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value
  kubectl label --overwrite pods foo status=unhealthy

  # Update all pods in the namespace
  kubectl label pods --all status=unhealthy

  # Update a pod identified by the type and name in "pod.json"
  kubectl label -f pod.json status=unhealthy

  # Update pod 'foo' only if the resource is unchanged from version 1
  kubectl label pods foo status=unhealthy --resource-version=1

  # Update pod 'foo' by removing a label named 'bar' if it exists
  # Does not require the --overwrite flag
  kubectl label pods foo bar-
"""
FLAGS = metadata_flags(
    "label", "kubectl-label",
    "If true, allow labels to be overwritten, otherwise reject label updates that overwrite existing labels.",
    "If true, display the labels for a given resource.",
    "If non-empty, the labels update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.")


def run(g, o, args):
    from pykubectl.cli.metadata_verbs import run_metadata
    run_metadata(g, o, args, field="labels")
