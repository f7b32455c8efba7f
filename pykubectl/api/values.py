"""Helpers on JSON-shaped values (dicts, lists, scalars), shared by the apiserver core, patches
and managed fields."""
from __future__ import annotations


def clone(v):
    """A deep copy of a JSON-shaped value, ~5x faster than copy.deepcopy (every write makes several)."""
    if isinstance(v, dict):
        return {k: clone(x) for k, x in v.items()}
    if isinstance(v, list):
        return [clone(x) for x in v]
    return v
