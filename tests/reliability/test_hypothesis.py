"""Generated bad manifests (hypothesis) through `apply -f` and `create -f`: whatever the shape, a
refused input answers with one line on stderr, a non-zero exit, no traceback, and leaves the
cluster as it was; an accepted one says so and is stored.

Three families, each starting from a valid object so the generated fault is the only one:
a field given a value of the wrong JSON type, an unknown key (strict field validation), and a
random name. Bounded and deterministic for CI: few examples, derandomized, no deadline.
"""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykubectl.api import schema

BOUNDED = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

BASE = {
    "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "h"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
    "deployment": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "h"},
                   "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "h"}},
                            "template": {"metadata": {"labels": {"app": "h"}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}},
    "service": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "h"},
                "spec": {"selector": {"app": "h"}, "ports": [{"port": 80}]}},
    "configmap": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "h"}, "data": {"k": "v"}},
}

# (base, path, Go type of the field): the value generated for it is of any other JSON type
TYPED_FIELDS = [
    ("pod", ("metadata", "name"), "string"),
    ("pod", ("metadata", "labels"), "map"),
    ("pod", ("spec", "containers"), "list"),
    ("pod", ("spec", "containers", 0, "image"), "string"),
    ("pod", ("spec", "containers", 0, "ports"), "list"),
    ("pod", ("spec", "restartPolicy"), "string"),
    ("pod", ("spec", "hostNetwork"), "bool"),
    ("pod", ("spec", "terminationGracePeriodSeconds"), "int"),
    ("deployment", ("spec", "replicas"), "int"),
    ("deployment", ("spec", "selector"), "map"),
    ("deployment", ("spec", "template", "spec", "containers", 0, "name"), "string"),
    ("service", ("spec", "ports", 0, "port"), "int"),
    ("service", ("spec", "selector"), "map"),
    ("configmap", ("data",), "map"),
]

_SCALARS = {
    "string": st.text(alphabet="abc-", min_size=1, max_size=6),
    "int": st.integers(min_value=-5, max_value=5),
    "float": st.sampled_from([0.5, -1.25, 3.75]),
    "bool": st.booleans(),
    "list": st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=3),
    "map": st.dictionaries(st.sampled_from(["a", "b"]), st.integers(min_value=0, max_value=9), min_size=1),
}
# what a Go field of each type refuses (null is accepted as the zero value, so it is never drawn;
# a map[string]string refuses a map of numbers too)
_WRONG = {
    "string": ("int", "float", "bool", "list", "map"),
    "int": ("string", "float", "bool", "list", "map"),
    "bool": ("string", "int", "list", "map"),
    "list": ("string", "int", "bool", "map"),
    "map": ("string", "int", "bool", "list"),
}

_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_RFC1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


def _set(doc: dict, path: tuple, value) -> dict:
    d = json.loads(json.dumps(doc))
    cur = d
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return d


@st.composite
def wrong_types(draw):
    base, path, go_type = draw(st.sampled_from(TYPED_FIELDS))
    value = draw(st.sampled_from(_WRONG[go_type]).flatmap(lambda t: _SCALARS[t]))
    if go_type == "map":
        value = value if not isinstance(value, dict) else {"k": value}   # map[string]string: a nested map
    return _set(BASE[base], path, value), "/".join(map(str, path))


def _known_fields(doc: dict, path: tuple) -> set:
    """The schema's property names of the object at path (what strict decoding accepts)."""
    group, _, version = doc["apiVersion"].rpartition("/")
    s = schema.kind_schema(group, version, doc["kind"])
    for k in path:
        s = schema.items_schema(s) if isinstance(k, int) else schema.field_schema(s, k)
    return set((schema.resolve(s) or {}).get("properties") or ())


_OBJECTS = [("pod", ()), ("pod", ("metadata",)), ("pod", ("spec",)), ("pod", ("spec", "containers", 0)),
            ("deployment", ("spec",)), ("deployment", ("spec", "template", "spec")),
            ("service", ("spec",)), ("service", ("spec", "ports", 0)), ("configmap", ())]


@st.composite
def unknown_keys(draw):
    base, path = draw(st.sampled_from(_OBJECTS))
    doc = BASE[base]
    known = _known_fields(doc, path)
    key = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzXYZ_", min_size=1, max_size=10)
               .filter(lambda k: k not in known))
    return _set(doc, path + (key,), draw(_SCALARS["string"])), key


def _run(cli, tmp_path, verb: str, doc: dict):
    path = tmp_path / "gen.json"
    path.write_text(json.dumps(doc))
    before = cli.fingerprint()
    return cli(verb, "-f", str(path)), before


def _assert_refused(cli, r, before, must_mention: str | None = None):
    assert "Traceback" not in r.err + r.out, r.err
    assert "internal error" not in r.err.lower(), r.err
    assert r.code != 0, (r.out, r.err)
    assert r.err.endswith("\n") and r.err.count("\n") == 1, r.err
    assert r.err.startswith(("error: ", "Error from server", "The ")), r.err
    if must_mention is not None:
        assert must_mention in r.err, r.err
    assert cli.fingerprint() == before, "a refused manifest changed the cluster"


@pytest.mark.parametrize("verb", ["apply", "create"])
@BOUNDED
@given(case=wrong_types())
def test_wrong_type_is_refused(cli, tmp_path, verb, case):
    doc, where = case
    r, before = _run(cli, tmp_path, verb, doc)
    _assert_refused(cli, r, before)


@pytest.mark.parametrize("verb", ["apply", "create"])
@BOUNDED
@given(case=unknown_keys())
def test_unknown_field_is_refused(cli, tmp_path, verb, case):
    doc, key = case
    r, before = _run(cli, tmp_path, verb, doc)
    _assert_refused(cli, r, before, must_mention='unknown field "')


_NAMES = st.one_of(
    st.text(alphabet="abcxyz019-.", min_size=1, max_size=20),
    st.text(alphabet="aBZ_ .:/@0-", min_size=1, max_size=12),
    st.integers(min_value=250, max_value=270).map(lambda n: "a" * n),
)


@pytest.mark.parametrize("kind,valid", [
    pytest.param("configmap", _DNS1123_SUBDOMAIN, id="configmap-dns1123-subdomain"),
    pytest.param("service", _RFC1035_LABEL, id="service-rfc1035-label"),
])
@pytest.mark.parametrize("verb", ["apply", "create"])
@BOUNDED
@given(name=_NAMES)
def test_random_name_is_stored_or_refused(cli, tmp_path, verb, kind, valid, name):
    doc = _set(BASE[kind], ("metadata", "name"), name)
    r, before = _run(cli, tmp_path, verb, doc)
    limit = 253 if kind == "configmap" else 63
    stored = cli.__dict__.setdefault("stored", set())   # the cluster lives for all of a test's examples
    if verb == "create" and name in stored:
        _assert_refused(cli, r, before, must_mention="already exists")
    elif valid.fullmatch(name) and len(name) <= limit:
        stored.add(name)
        assert r.code == 0, r.err
        assert r.out.startswith(f"{kind}/{name} ") and r.out.endswith(
            (" created\n", " configured\n", " unchanged\n")), r.out
        assert cli.fingerprint() != before or r.out.endswith(" unchanged\n")
    else:
        _assert_refused(cli, r, before)
