"""Directory operations the storage controllers need on a node's filesystem (`runtime.fs.FS`):
the recycler's scrub (empty a directory, keep it) and the provisioner's archive (a rename)."""
from __future__ import annotations

import posixpath


def clear(fs, path: str) -> None:
    """`find PATH -mindepth 1 -delete`."""
    for name in fs.listdir(path):
        fs.remove(posixpath.join(path, name))


def move(fs, src: str, dst: str) -> None:
    """`mv SRC DST` for a directory tree."""
    def copy(s, d):
        if fs.kind(s) == "d":
            fs.mkdir(d)
            for name in fs.listdir(s):
                copy(posixpath.join(s, name), posixpath.join(d, name))
        else:
            fs.write(d, fs.read(s) or "")
    copy(src, dst)
    fs.remove(src)
