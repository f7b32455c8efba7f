"""kubectl explain: resolve `TYPE[.field.path]` the way kubectl does, find the kind's OpenAPI
schema (built-in definitions, or a CRD's openAPIV3Schema) and print the plaintext template."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2] [options]"
LONG = """Describe fields and structure of various resources.

 This command describes the fields associated with each supported API resource. Fields are identified via a simple JSONPath identifier:

        <type>.<fieldName>[.<fieldName>]
        
 Information about each field is retrieved from the server in OpenAPI format.

Use "kubectl api-resources" for a complete list of supported resources."""
EXAMPLES = """  # Get the documentation of the resource and its fields
  kubectl explain pods
  
  # Get all the fields in the resource
  kubectl explain pods --recursive
  
  # Get the explanation for deployment in supported api versions
  kubectl explain deployments --api-version=apps/v1
  
  # Get the documentation of a specific field of a resource
  kubectl explain pods.spec.containers
  
  # Get the documentation of resources in different format
  kubectl explain deployment --output=plaintext-openapiv2
"""
FLAGS = [
    Flag("api-version", help="Use given api-version (group/version) of the resource."),
    Flag("output", "o", default="plaintext", help="Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2)."),
    Flag("recursive", kind="bool", help="When true, print the name of all the fields recursively. Otherwise, print the available fields with their description."),
]

# what the apiserver adds to a custom resource's published schema (apiextensions-apiserver
# builder: the standard apiVersion, kind and metadata properties)
_OBJECT_META_DOC = ("Standard object's metadata. More info: "
                    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")


def split_resource_request(registry, arg: str, warn=None) -> tuple[object, list[str]]:
    """explain.SplitAndParseResourceRequestWithMatchingPrefix: `deployments.apps.spec` names
    deployments.apps and the path [spec]; otherwise the first word is the resource."""
    arg = arg.removesuffix(".")
    parts = arg.split(".")
    kind = registry.resolve(parts[0], warn)
    if arg == kind.resource or arg.startswith(kind.resource + "."):
        rest = arg[len(kind.resource):]
        return kind, rest[1:].split(".") if rest else []
    return kind, parts[1:]


def _crd_schema(client, kind, version: str) -> dict | None:
    """The custom resource's schema as the apiserver publishes it, or None."""
    from pykubectl.api.errors import StatusError
    from pykubectl.api.schema import definitions
    try:
        crd = client.get(client.resolve("customresourcedefinitions.apiextensions.k8s.io"), None,
                         f"{kind.plural}.{kind.group}")
    except StatusError:   # the CRD went away since discovery: no schema to show
        return None
    for v in (crd.get("spec") or {}).get("versions") or ():
        if v.get("name") == version:
            s = dict(((v.get("schema") or {}).get("openAPIV3Schema")) or {"type": "object"})
            base = definitions()["io.k8s.api.core.v1.Pod"]["properties"]
            props = dict(s.get("properties") or {})
            props["apiVersion"] = {"type": "string", "description": base["apiVersion"]["description"]}
            props["kind"] = {"type": "string", "description": base["kind"]["description"]}
            props["metadata"] = {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                                 "description": _OBJECT_META_DOC}
            s["properties"] = props
            return s
    return None


def _without_type_enums(schema: dict | None) -> dict | None:
    """Our definitions pin apiVersion and kind with a one-value `enum` (a JSON-schema
    validation device); the served OpenAPI has none, so explain shows none."""
    if not schema or not isinstance(schema.get("properties"), dict):
        return schema
    props = schema["properties"]
    if not any("enum" in (props.get(p) or {}) for p in ("apiVersion", "kind")):
        return schema
    props = dict(props)
    for p in ("apiVersion", "kind"):
        if p in props:
            props[p] = {k: v for k, v in props[p].items() if k != "enum"}
    return {**schema, "properties": props}


def run(g, o, args):
    """Describe fields and structure of various resources."""
    from pykubectl.api import schema as S
    from pykubectl.api.kinds import UnknownResource
    from pykubectl.cli.errors import Printed
    from pykubectl.printers.explain import ExplainError, explain
    if not args:
        raise CLIError('You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.')
    if len(args) > 1:
        raise CLIError("We accept only this format: explain RESOURCE")
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    registry = client.server.registry_with_crds()
    try:
        kind, path = split_resource_request(
            registry, args[0], lambda msg: sys.stderr.write(f"Warning: {msg}\n"))
    except UnknownResource as e:
        # explain reports the REST mapper's error bare, without kubectl's "error: " prefix
        sys.stderr.write(f"{e}\n")
        raise Printed(1) from None
    group, version = kind.group, kind.version
    if o.api_version:
        group, _, version = o.api_version.rpartition("/")
        gvr = f"{group}/{version}, Resource={kind.plural}"
        if version not in dict(registry.groups()).get(group, ()):
            raise CLIError(f'couldn\'t find resource for "{gvr}"')
        if group != kind.group or version not in kind.versions:
            raise CLIError(f"GVR ({gvr}) not found in OpenAPI schema")
    if o.output == "plaintext-openapiv2":
        raise CLIError("--output=plaintext-openapiv2 is not implemented in pykubectl yet")
    if o.output != "plaintext":
        raise CLIError(f"unrecognized format: {o.output}")
    if kind.crd:
        schema = _crd_schema(client, kind, version)
    else:
        schema = _without_type_enums(S.kind_schema(group, version, kind.kind))
    if schema is None:
        raise CLIError(f"GVK {group}/{version}, Kind={kind.kind} not found in OpenAPI schema")
    try:
        text = explain(group, version, kind.kind, schema, path, o.recursive,
                       lambda ref: _without_type_enums(S.definitions().get(S.ref_name(ref))))
    except ExplainError as e:
        sys.stdout.write(e.partial)
        raise CLIError(str(e)) from None
    sys.stdout.write(text)
