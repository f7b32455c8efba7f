"""The help of kubectl v1.32's subcommands (create X, rollout X, set X, config X, auth X), verbatim
from the real kubectl (subhelp.json, written by tools/gen_subhelp.py), so `pykubectl create
deployment --help` prints what kubectl prints. Options pykubectl does not parse are dropped when
printed, so the help never offers what the command would refuse."""
from __future__ import annotations


def text(path: str, supported=None) -> str | None:
    """kubectl's help for `path` ("create deployment"), or None. With `supported` (long flag
    names), the Options block keeps only those flags."""
    import json
    import os
    with open(os.path.join(os.path.dirname(__file__), "subhelp.json"), encoding="utf-8") as f:
        t = json.load(f).get(path)
    if t is None or supported is None or "\nOptions:\n" not in t:
        return t
    head, rest = t.split("\nOptions:\n", 1)
    opts, sep, tail = rest.partition("\nUsage:\n")
    kept = [e for e in opts.split("\n\n") if _flag_name(e) in supported]
    if not kept:
        return head + "\n" + sep.lstrip("\n") + tail
    return head + "\nOptions:\n" + "\n\n".join(kept).rstrip("\n") + "\n\n" + sep.lstrip("\n") + tail


def _flag_name(entry: str) -> str:
    first = entry.strip().split("\n", 1)[0]
    for part in first.split(", "):
        if part.startswith("--"):
            return part[2:].split("=", 1)[0].rstrip(":")
    return ""
