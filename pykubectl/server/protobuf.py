"""Just enough of Kubernetes' protobuf encoding to read the review objects kubectl's typed
clients post as `application/vnd.kubernetes.protobuf` (auth can-i, auth whoami)."""
from __future__ import annotations

MAGIC = b"k8s\x00"


def _varint(b: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        c = b[i]
        i += 1
        value |= (c & 0x7F) << shift
        if not c & 0x80:
            return value, i
        shift += 7


def fields(b: bytes) -> dict[int, list]:
    """Field number -> values (ints for varints, bytes for length-delimited)."""
    out: dict[int, list] = {}
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        out.setdefault(num, []).append(v)
    return out


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw message) of a runtime.Unknown envelope."""
    if not body.startswith(MAGIC):
        raise ValueError("not a Kubernetes protobuf message")
    f = fields(body[len(MAGIC):])
    tm = fields(f.get(1, [b""])[0])
    s = lambda d, n: d.get(n, [b""])[0].decode()   # noqa: E731
    return s(tm, 1), s(tm, 2), f.get(2, [b""])[0]


def _strings(msg: bytes, names: dict[int, str]) -> dict:
    f = fields(msg)
    return {name: f[n][0].decode() for n, name in names.items() if n in f}


_RESOURCE_ATTRS = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
_NON_RESOURCE_ATTRS = {1: "path", 2: "verb"}


def decode_review(kind: str, raw: bytes) -> dict:
    """The JSON form of a Self/SubjectAccessReview, SelfSubjectRulesReview or SelfSubjectReview."""
    f = fields(raw)
    spec_f = fields(f.get(2, [b""])[0])
    spec: dict = {}
    if kind == "SelfSubjectRulesReview":
        spec = _strings(f.get(2, [b""])[0], {1: "namespace"})
    elif kind in ("SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview"):
        if 1 in spec_f:
            spec["resourceAttributes"] = _strings(spec_f[1][0], _RESOURCE_ATTRS)
        if 2 in spec_f:
            spec["nonResourceAttributes"] = _strings(spec_f[2][0], _NON_RESOURCE_ATTRS)
    return {"kind": kind, "spec": spec}
