"""The per-kind schema cache under the data home: a write needs its kind's slice of the OpenAPI
definitions (~1 ms from marshal) rather than the whole 1.3 MB file (~20 ms of JSON). A slice must
hold every definition the kind reaches, a bad or missing cache must only cost speed, and the files
are private like the rest of the data home."""
from __future__ import annotations

import os
import stat

import pytest

from pykubectl.api import schema


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """The schema module as a new process sees it, with its own data home."""
    monkeypatch.setenv("PYKUBECTL_HOME", str(tmp_path / "data"))
    os.makedirs(tmp_path / "data", mode=0o700)

    definitions, gvk_index = schema.definitions, schema._gvk_index

    def reset():
        monkeypatch.setattr(schema, "_loaded", {})
        monkeypatch.setattr(schema, "_sliced", set())
        monkeypatch.setattr(schema, "_full", False)
        definitions.cache_clear()
        gvk_index.cache_clear()

    reset()
    yield reset
    definitions.cache_clear()
    gvk_index.cache_clear()


def _cache_files(tmp_path) -> dict:
    root = tmp_path / "data" / "cache"
    out = {}
    for d in root.iterdir() if root.exists() else ():
        if d.name.startswith("schema-"):
            out.update({f.name: f for f in d.iterdir()})
    return out


def _refs(node, out: set):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            out.add(schema.ref_name(node["$ref"]))
        for v in node.values():
            _refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _refs(v, out)


@pytest.mark.parametrize("gvk", [("", "v1", "Pod"), ("apps", "v1", "Deployment"), ("", "v1", "Service"),
                                 ("batch", "v1", "CronJob"), ("networking.k8s.io", "v1", "Ingress")],
                         ids=["pod", "deployment", "service", "cronjob", "ingress"])
def test_a_cached_slice_is_complete_and_equal_to_the_definitions(fresh, tmp_path, monkeypatch, gvk):
    first = schema.kind_schema(*gvk)            # parses the file, writes the slice
    full = schema.definitions()
    fresh()                                     # a new process: the cache only

    def whole_file():
        raise AssertionError("read the whole definitions for one kind")
    monkeypatch.setattr(schema, "definitions", whole_file)
    cached = schema.kind_schema(*gvk)
    assert cached == first
    names = {schema.definition_name(*gvk)}
    todo = list(names)
    while todo:                                 # every $ref reachable resolves from the slice alone
        refs: set = set()
        _refs(schema.definition(todo.pop()), refs)
        for r in refs - names:
            assert schema.definition(r) == full[r], r
            names.add(r)
            todo.append(r)


def test_the_cache_is_written_once_and_private(fresh, tmp_path):
    schema.kind_schema("", "v1", "Pod")
    files = _cache_files(tmp_path)
    assert {"gvk-index.marshal", "kind-io.k8s.api.core.v1.Pod.marshal"} <= set(files)
    for f in files.values():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
        assert stat.S_IMODE(f.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "cache").stat().st_mode) == 0o700
    assert not [n for n in files if n.startswith(".")], "a temporary file was left behind"


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"\xe9"], ids=["empty", "garbage", "truncated"])
def test_a_damaged_cache_only_costs_speed(fresh, tmp_path, damage):
    want = schema.kind_schema("apps", "v1", "Deployment")
    for f in _cache_files(tmp_path).values():
        f.write_bytes(damage)
    fresh()
    assert schema.kind_schema("apps", "v1", "Deployment") == want
    assert schema.definition_name("", "v1", "Pod") == "io.k8s.api.core.v1.Pod"


def test_an_unwritable_data_home_still_answers(fresh, tmp_path, monkeypatch):
    monkeypatch.setenv("PYKUBECTL_HOME", "/proc/no-such-home")
    assert "object" in schema.kind_schema("", "v1", "ConfigMap")["properties"]["data"]["type"]
    assert schema.kind_schema("example.com", "v1", "Widget") is None


def test_an_upgrade_leaves_no_stale_cache_behind(fresh, tmp_path):
    old = tmp_path / "data" / "cache" / "schema-1.31.0-123-456-m4"
    os.makedirs(old)
    (old / "kind-Pod.marshal").write_bytes(b"old")
    other = tmp_path / "data" / "cache" / "unrelated"
    os.makedirs(other)
    schema.kind_schema("", "v1", "Pod")
    names = sorted(d.name for d in (tmp_path / "data" / "cache").iterdir())
    assert "schema-1.31.0-123-456-m4" not in names and "unrelated" in names
    assert len([n for n in names if n.startswith("schema-")]) == 1
