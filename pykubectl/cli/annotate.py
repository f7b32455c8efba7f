"""kubectl annotate: set or remove annotations, sent as a JSON merge patch (kubectl-annotate)."""
from __future__ import annotations

from pykubectl.cli.metadata_verbs import metadata_flags

USAGE = "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]"
LONG = """Update the annotations on one or more resources.

 All Kubernetes objects support the ability to store additional data with the object as annotations. Annotations are key/value pairs that can be larger than labels and include arbitrary string values such as structured JSON. Tools and system extensions may use annotations to store their own data.

 Attempting to set an annotation that already exists will fail unless --overwrite is set. If --resource-version is specified and does not match the current resource version on the server the command will fail.

Use "kubectl api-resources" for a complete list of supported resources."""
EXAMPLES = """  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
  # If the same annotation is set multiple times, only the last value will be applied
  kubectl annotate pods foo description='my frontend'

  # Update a pod identified by type and name in "pod.json"
  kubectl annotate -f pod.json description='my frontend'

  # Update pod 'foo' with the annotation 'description' and the value 'my frontend running nginx', overwriting any existing value
  kubectl annotate --overwrite pods foo description='my frontend running nginx'

  # Update all pods in the namespace
  kubectl annotate pods --all description='my frontend running nginx'

  # Update pod 'foo' only if the resource is unchanged from version 1
  kubectl annotate pods foo description='my frontend running nginx' --resource-version=1

  # Update pod 'foo' by removing an annotation named 'description' if it exists
  # Does not require the --overwrite flag
  kubectl annotate pods foo description-
"""
FLAGS = metadata_flags(
    "annotation", "kubectl-annotate",
    "If true, allow annotations to be overwritten, otherwise reject annotation updates that overwrite existing annotations.",
    "If true, display the annotations for a given resource.",
    "If non-empty, the annotation update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.")


def run(g, o, args):
    from pykubectl.cli.metadata_verbs import run_metadata
    run_metadata(g, o, args, field="annotations")
