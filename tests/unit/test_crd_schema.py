"""Custom resources against their CRD's structural schema: pruning, defaulting and validation as
pure functions (tables), then through the apiserver core on a copy of the lab cluster (a test
Widget CRD and the lab's Calico CRDs)."""
import pytest

from pykubectl.api import crd_schema as C
from pykubectl.api.errors import StatusError

WIDGET = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["size"],
            "x-kubernetes-validations": [{"rule": "self.size <= 10", "message": "too big"}],
            "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10},
                "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
                "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
                "ratio": {"type": "number", "exclusiveMaximum": True, "maximum": 1.5},
                "on": {"type": "boolean"},
                "port": {"x-kubernetes-int-or-string": True},
                "note": {"type": "string", "nullable": True},
                "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                "ports": {"type": "array", "items": {"type": "object", "properties": {
                    "port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                          "properties": {"known": {"type": "string"}}},
                "nested": {"type": "object", "default": {}, "properties": {
                    "depth": {"type": "integer", "default": 3}}},
            },
        },
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
    },
}


def widget(**spec):
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


# --- pruning ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, pruned, left", [
    ({"size": 1, "foo": 1}, ["spec.foo"], {"size": 1}),
    ({"size": 1, "ports": [{"port": 1, "x": 2}]}, ["spec.ports[0].x"], {"size": 1, "ports": [{"port": 1}]}),
    ({"size": 1, "labels": {"a": "b"}}, [], {"size": 1, "labels": {"a": "b"}}),
    ({"size": 1, "extra": {"anything": {"deep": 1}, "known": "k"}}, [],
     {"size": 1, "extra": {"anything": {"deep": 1}, "known": "k"}}),
], ids=["unknown-field", "unknown-in-list-item", "additional-properties-kept", "preserve-unknown-fields"])
def test_prune(spec, pruned, left):
    obj = widget(**spec)
    assert C.prune(obj, WIDGET) == pruned
    assert obj["spec"] == left


def test_prune_keeps_type_and_object_meta_and_drops_unknown_root_fields():
    obj = dict(widget(size=1), extra=1)
    obj["metadata"]["labels"] = {"a": "b"}
    assert C.prune(obj, WIDGET) == ["extra"]
    assert obj["metadata"] == {"name": "w", "labels": {"a": "b"}} and obj["kind"] == "Widget"


# --- defaulting ------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, want", [
    ({"size": 1}, {"size": 1, "color": "red", "nested": {"depth": 3}}),
    ({"size": 1, "color": "blue", "nested": {"depth": 1}}, {"size": 1, "color": "blue", "nested": {"depth": 1}}),
    ({"size": 1, "color": None}, {"size": 1, "color": "red", "nested": {"depth": 3}}),
    ({"size": 1, "on": None, "note": None}, {"size": 1, "note": None, "color": "red", "nested": {"depth": 3}}),
    ({"size": 1, "ports": [{"port": 80}]},
     {"size": 1, "ports": [{"port": 80, "protocol": "TCP"}], "color": "red", "nested": {"depth": 3}}),
], ids=["defaults-fill-and-nest", "given-values-kept", "null-replaced-by-default",
        "null-dropped-unless-nullable", "defaults-in-list-items"])
def test_default(spec, want):
    obj = widget(**spec)
    C.default(obj, WIDGET)
    assert obj["spec"] == want


# --- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, errors", [
    ({"size": 3}, []),
    ({"size": "big"}, ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']),
    ({}, ["spec.size: Required value"]),
    ({"size": 0}, ["spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"]),
    ({"size": 11}, ["spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10"]),
    ({"size": 2.0}, []),
    ({"size": 1, "ratio": 1.5}, ["spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5"]),
    ({"size": 1, "ratio": 1}, []),
    ({"size": 1, "color": "pink"}, ['spec.color: Unsupported value: "pink": supported values: "red", "blue"']),
    ({"size": 1, "name": "a"}, ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']),
    ({"size": 1, "name": "abcdef"}, ["spec.name: Too long: must have at most 5 bytes"]),
    ({"size": 1, "name": "AB"}, ["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"]),
    ({"size": 1, "on": "yes"}, ['spec.on: Invalid value: "string": spec.on in body must be of type boolean: "string"']),
    ({"size": 1, "port": 80}, []),
    ({"size": 1, "port": "http"}, []),
    ({"size": 1, "port": True},
     ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']),
    ({"size": 1, "tags": []}, ["spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"]),
    ({"size": 1, "tags": ["a", "b", "c"]}, ["spec.tags: Too many: 3: must have at most 2 items"]),
    ({"size": 1, "tags": ["a", 1]},
     ['spec.tags.1: Invalid value: "integer": spec.tags.1 in body must be of type string: "integer"']),
    ({"size": 1, "tags": ["a", None]},
     ['spec.tags.1: Invalid value: "null": spec.tags.1 in body must be of type string: "null"']),
    ({"size": 1, "note": None}, []),
    ({"size": 1, "labels": {"a": 1}},
     ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']),
    ({"size": 0, "color": "pink"}, ["spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1",
                                    'spec.color: Unsupported value: "pink": supported values: "red", "blue"']),
], ids=["valid", "type-string-for-integer", "required", "minimum", "maximum", "integral-float-is-integer",
        "exclusive-maximum", "integer-is-a-number", "enum", "min-length", "max-length", "pattern", "boolean",
        "int-or-string-int", "int-or-string-string", "int-or-string-bool", "min-items", "max-items",
        "item-type-path-uses-dot-index", "null-item", "nullable-null", "additional-properties-type",
        "several-errors"])
def test_validate(spec, errors):
    assert [str(e) for e in C.validate(widget(**spec), WIDGET)] == errors


def test_validate_spec_of_wrong_type():
    obj = dict(widget(), spec="x")
    assert [str(e) for e in C.validate(obj, WIDGET)] == [
        'spec: Invalid value: "string": spec in body must be of type object: "string"']


# --- decoding by fieldValidation -------------------------------------------------------------

@pytest.mark.parametrize("mode, warned", [
    ("Warn", ['unknown field "spec.foo"']),
    ("Ignore", []),
], ids=["warn", "ignore"])
def test_decode_prunes_and_warns_by_mode(mode, warned):
    obj = widget(size=1, foo=1)
    warnings = C.decode(obj, WIDGET, mode)
    assert warnings[:-1] == warned            # the last one names the CEL rule
    assert "foo" not in obj["spec"] and obj["spec"]["color"] == "red"


def test_decode_strict_refuses_unknown_fields():
    with pytest.raises(StatusError) as e:
        C.decode(widget(size=1, foo=1, bar=2), WIDGET, "Strict")
    assert (e.value.code, e.value.message) == (400, 'Widget in version "v1" cannot be handled as a Widget: '
                                               'strict decoding error: unknown field "spec.foo", unknown field "spec.bar"')


def test_cel_rules_are_named_in_one_warning():
    assert C.cel_warning(WIDGET) == ("x-kubernetes-validations are not enforced by pykubectl (CEL is not "
                                     "modelled): spec: 'self.size <= 10'")
    assert C.cel_warning({"type": "object"}) is None


# --- through the apiserver core --------------------------------------------------------------

def widget_crd(schema=WIDGET):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema}}]}}


@pytest.fixture
def srv(cluster):
    s = cluster.apiserver
    s.create(s.resolve("customresourcedefinitions"), widget_crd())
    return s


def test_core_create_defaults_and_validates(srv):
    k = srv.resolve("widgets")
    out, warnings = srv.create(k, widget(size=2), "default")
    assert out["spec"] == {"size": 2, "color": "red", "nested": {"depth": 3}}
    assert warnings == [C.cel_warning(WIDGET)]
    with pytest.raises(StatusError) as e:
        srv.create(k, dict(widget(size="big"), metadata={"name": "x"}), "default")
    assert (e.value.code, e.value.message) == (422, 'Widget.example.com "x" is invalid: spec.size: Invalid value: '
                                               '"string": spec.size in body must be of type integer: "string"')
    assert e.value.details["causes"][0]["field"] == "spec.size"


@pytest.mark.parametrize("mode, stored, warned", [
    ("Warn", {"size": 2, "color": "red", "nested": {"depth": 3}}, ['unknown field "spec.foo"']),
    ("Ignore", {"size": 2, "color": "red", "nested": {"depth": 3}}, []),
], ids=["warn", "ignore"])
def test_core_prunes_undeclared_fields(srv, mode, stored, warned):
    k = srv.resolve("widgets")
    out, warnings = srv.create(k, widget(size=2, foo=1), "default", field_validation=mode)
    assert out["spec"] == stored and srv.get(k, "default", "w")["spec"] == stored
    assert warnings[:-1] == warned


def test_core_strict_unknown_metadata_and_spec_fields(srv):
    obj = widget(size=2, foo=1)
    obj["metadata"]["bogus"] = 1
    with pytest.raises(StatusError) as e:
        srv.create(srv.resolve("widgets"), obj, "default")
    assert e.value.message == ('Widget in version "v1" cannot be handled as a Widget: strict decoding error: '
                               'unknown field "metadata.bogus", unknown field "spec.foo"')


def test_core_patch_is_validated(srv):
    k = srv.resolve("widgets")
    srv.create(k, widget(size=2), "default")
    with pytest.raises(StatusError) as e:
        srv.patch(k, "default", "w", "merge", {"spec": {"size": 99}})
    assert e.value.message.endswith("spec.size in body should be less than or equal to 10")
    assert srv.get(k, "default", "w")["spec"]["size"] == 2


def test_core_server_side_apply_refuses_undeclared_fields(srv):
    with pytest.raises(StatusError) as e:
        srv.patch(srv.resolve("widgets"), "default", "w", "apply", widget(size=2, foo=1), field_manager="kubectl")
    assert (e.value.code, e.value.reason, e.value.message) == (
        500, "", "failed to create typed patch object (default/w; example.com/v1, Kind=Widget): "
                 ".spec.foo: field not declared in schema")


def add_shape_default(srv):
    crds = srv.resolve("customresourcedefinitions")
    crd = srv.get(crds, None, "widgets.example.com")
    props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    props["shape"] = {"type": "string", "default": "round"}
    srv.update(crds, crd)


def test_core_defaults_on_read_after_the_schema_gains_a_default(srv):
    k = srv.resolve("widgets")
    srv.create(k, widget(size=2), "default")
    add_shape_default(srv)
    assert srv.get(k, "default", "w")["spec"]["shape"] == "round"
    assert srv.list(k, "default")["items"][0]["spec"]["shape"] == "round"


@pytest.mark.parametrize("spec, error", [
    ({"node": "n1", "cidr": "10.0.0.0/26", "anything": 1}, None),
    ({"node": 5}, 'spec.node: Invalid value: "integer": spec.node in body must be of type string: "integer"'),
], ids=["preserved-unknown-spec-fields", "mistyped-field"])
def test_calico_block_affinity(srv, spec, error):
    k = srv.resolve("blockaffinities.crd.projectcalico.org")
    obj = {"apiVersion": "crd.projectcalico.org/v1", "kind": "BlockAffinity", "metadata": {"name": "b"}, "spec": spec}
    if error is None:
        out, _ = srv.create(k, obj)
        assert out["spec"] == spec
        return
    with pytest.raises(StatusError) as e:
        srv.create(k, obj)
    assert e.value.message == f'BlockAffinity.crd.projectcalico.org "b" is invalid: {error}'


def test_core_watch_events_are_defaulted_by_the_current_schema(srv):
    k = srv.resolve("widgets")
    start = srv.list(k, "default")["metadata"]["resourceVersion"]
    srv.create(k, widget(size=2), "default")
    add_shape_default(srv)
    events = list(srv.watch(k, "default", since=int(start), timeout=0.5, poll=0.05))
    assert [(t, o["spec"].get("shape")) for t, o in events] == [("ADDED", "round")]
