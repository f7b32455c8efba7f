"""`kubectl explain`'s plaintext template, byte for byte.

The expected texts were printed by the real kubectl v1.32 against a throwaway local server that
served these same definitions as OpenAPI v3 (refs wrapped in allOf, as kube-apiserver serves
them), so they check the port of the template: FIELD/DESCRIPTION/FIELDS layout, blank lines,
the 4-space line left by the description's trailing newline, type names, -required-, enums,
recursion and go-wordwrap's line breaking.
"""
from __future__ import annotations

import pytest

from pykubectl.api import schema as S
from pykubectl.printers.explain import ExplainError, explain, wrap


def _resolve(ref):
    return S.definitions().get(S.ref_name(ref))


def _builtin(group, version, kind):
    s = S.kind_schema(group, version, kind)
    # what the CLI strips: the definitions' one-value enums on apiVersion/kind
    props = {k: {kk: vv for kk, vv in v.items() if kk != "enum"} if k in ("apiVersion", "kind") else v
             for k, v in s["properties"].items()}
    return {**s, "properties": props}


STRATEGY_RECURSIVE = """GROUP:      apps
KIND:       Deployment
VERSION:    v1

FIELD: strategy <DeploymentStrategy>


DESCRIPTION:
    The deployment strategy to use to replace existing pods with new ones.
    DeploymentStrategy describes how to replace existing pods with new ones.
    
FIELDS:
  rollingUpdate\t<RollingUpdateDeployment>
    maxSurge\t<IntOrString>
    maxUnavailable\t<IntOrString>
  type\t<string>

"""

TARGET_PORT = """KIND:       Service
VERSION:    v1

FIELD: targetPort <IntOrString>


DESCRIPTION:
    Number or name of the port to access on the pods targeted by the service.
    Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If
    this is a string, it will be looked up as a named port in the target Pod's
    container ports. If this is not specified, the value of the 'port' field is
    used (an identity map). This field is ignored for services with
    clusterIP=None, and should be omitted or set equal to the 'port' field. More
    info:
    https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
    

"""

CONFIGMAP = """KIND:       ConfigMap
VERSION:    v1

DESCRIPTION:
    ConfigMap holds configuration data for pods to consume.
    
FIELDS:
  apiVersion\t<string>
    APIVersion defines the versioned schema of this representation of an object.
    Servers should convert recognized schemas to the latest internal value, and
    may reject unrecognized values. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources

  binaryData\t<map[string]string>
    BinaryData contains the binary data. Each key must consist of alphanumeric
    characters, '-', '_' or '.'. BinaryData can contain byte sequences that are
    not in the UTF-8 range. The keys stored in BinaryData must not overlap with
    the ones in the Data field, this is enforced during validation process.
    Using this field will require 1.10+ apiserver and kubelet.

  data\t<map[string]string>
    Data contains the configuration data. Each key must consist of alphanumeric
    characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use
    the BinaryData field. The keys stored in Data must not overlap with the keys
    in the BinaryData field, this is enforced during validation process.

  immutable\t<boolean>
    Immutable, if set to true, ensures that data stored in the ConfigMap cannot
    be updated (only object metadata can be modified). If not set to true, the
    field can be modified at any time. Defaulted to nil.

  kind\t<string>
    Kind is a string value representing the REST resource this object
    represents. Servers may infer this from the endpoint the client submits
    requests to. Cannot be updated. In CamelCase. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds

  metadata\t<ObjectMeta>
    Standard object's metadata. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata


"""


@pytest.mark.parametrize("gvk, path, recursive, expected", [
    (("apps", "v1", "Deployment"), ["spec", "strategy"], True, STRATEGY_RECURSIVE),
    (("", "v1", "Service"), ["spec", "ports", "targetPort"], False, TARGET_PORT),
    (("", "v1", "ConfigMap"), [], False, CONFIGMAP),
], ids=["nested-field-recursive", "field-through-array-intorstring", "kind-with-maps"])
def test_explain_matches_real_kubectl(gvk, path, recursive, expected):
    assert explain(*gvk, _builtin(*gvk), path, recursive, _resolve) == expected


@pytest.mark.parametrize("path, line", [
    (["spec", "containers"], "FIELD: containers <[]Container>\n"),
    (["spec", "containers", "resources", "limits"], "FIELD: limits <map[string]Quantity>\n"),
    (["metadata", "creationTimestamp"], "FIELD: creationTimestamp <string>\n"),
    (["spec", "nodeSelector"], "FIELD: nodeSelector <map[string]string>\n"),
    (["spec", "overhead"], "FIELD: overhead <map[string]Quantity>\n"),
    (["metadata", "managedFields", "fieldsV1"], "FIELD: fieldsV1 <FieldsV1>\n"),
], ids=["array-of-objects", "map-of-quantity", "time-is-string", "map-of-string",
        "quantity-map-on-spec", "object-ref-name"])
def test_field_types(path, line):
    out = explain("", "v1", "Pod", _builtin("", "v1", "Pod"), path, False, _resolve)
    assert line in out


def test_required_fields_are_marked():
    out = explain("", "v1", "Pod", _builtin("", "v1", "Pod"), ["spec", "containers"], False, _resolve)
    assert "\n  name\t<string> -required-\n" in out
    assert "\n  image\t<string>\n" in out


def test_description_keeps_paragraph_breaks():
    # FieldsV1's description has blank lines; kubectl v1.32 keeps them (and indents them)
    out = explain("", "v1", "Pod", _builtin("", "v1", "Pod"), ["metadata", "managedFields", "fieldsV1"],
                  False, _resolve)
    assert "    FieldsV1 stores a set of fields in a data structure like a Trie, in JSON\n    format.\n    \n" in out


def test_recursion_stops_at_cycles():
    # JSONSchemaProps refers to itself; each path is printed until a ref repeats
    crd = _builtin("apiextensions.k8s.io", "v1", "CustomResourceDefinition")
    out = explain("apiextensions.k8s.io", "v1", "CustomResourceDefinition", crd,
                  ["spec", "versions", "schema", "openAPIV3Schema"], True, _resolve)
    assert "\n  allOf\t<[]JSONSchemaProps>\n  anyOf\t" in out   # not expanded again
    assert "\n  externalDocs\t<ExternalDocumentation>\n    description\t<string>\n" in out
    assert "\n    $ref\t" not in out


@pytest.mark.parametrize("path, message", [
    (["spec", "foo"], 'field "foo" does not exist'),
    (["foo", "bar"], 'field "bar" does not exist'),     # kubectl names the last element
], ids=["missing-leaf", "missing-middle"])
def test_missing_field(path, message):
    with pytest.raises(ExplainError) as e:
        explain("", "v1", "Pod", _builtin("", "v1", "Pod"), path, False, _resolve)
    assert str(e.value) == message
    assert e.value.partial == "KIND:       Pod\nVERSION:    v1\n\n"


# A custom resource's schema is inline and may carry enums (built-in definitions here have none).
WIDGET = {
    "type": "object",
    "properties": {
        "spec": {"type": "object", "description": "The widget's spec.", "required": ["mode"],
                 "properties": {
                     "mode": {"type": "string", "description": "How it runs.",
                              "enum": ["", "A", "B", "C", "D"]},
                     "flag": {"type": "boolean", "enum": [True, 3]},
                     "free": {"x-kubernetes-preserve-unknown-fields": True},
                 }},
    },
}


@pytest.mark.parametrize("path, recursive, expected", [
    (["spec", "mode"], False,
     "KIND:       Widget\nVERSION:    v1\n\nFIELD: mode <string>\nENUM:\n    \"\"\n    A\n    B\n    C\n    D\n\n"
     "DESCRIPTION:\n    How it runs.\n    \n\n"),
    (["spec"], True,
     "KIND:       Widget\nVERSION:    v1\n\nFIELD: spec <Object>\n\n\nDESCRIPTION:\n    The widget's spec.\n    \n"
     "FIELDS:\n  flag\t<boolean>\n  enum: true, 3\n  free\t<Object>\n  mode\t<string> -required-\n"
     "  enum: \"\", A, B, C, ....\n\n"),
    (["spec"], False,
     "KIND:       Widget\nVERSION:    v1\n\nFIELD: spec <Object>\n\n\nDESCRIPTION:\n    The widget's spec.\n    \n"
     "FIELDS:\n  flag\t<boolean>\n  enum: true, 3\n    <no description>\n\n  free\t<Object>\n    <no description>\n\n"
     "  mode\t<string> -required-\n  enum: \"\", A, B, C, ....\n    How it runs.\n\n\n"),
], ids=["long-enum", "short-enums-recursive", "short-enums-no-description"])
def test_enums_and_inline_schemas(path, recursive, expected):
    assert explain("example.com", "v1", "Widget", WIDGET, path, recursive, _resolve) == \
        "GROUP:      example.com\n" + expected


@pytest.mark.parametrize("text, limit, expected", [
    ("hello world", 5, "hello\nworld"),
    ("hello world", 11, "hello world"),
    ("a\n\nb", 10, "a\n\nb"),
    ("averyveryverylongword x", 5, "averyveryverylongword\nx"),
    ("one two  three", 8, "one two\nthree"),
    ("trailing   ", 20, "trailing   "),
    ("trailing   ", 9, "trailing"),
    ("non\xa0breaking space", 12, "non\xa0breaking\nspace"),
], ids=["break-at-space", "fits", "keeps-blank-lines", "long-word-overflows", "drops-spaces-at-break",
        "keeps-trailing-space", "drops-trailing-space-past-limit", "nbsp-is-not-a-break"])
def test_wrap_is_go_wordwrap(text, limit, expected):
    assert wrap(text, limit) == expected
