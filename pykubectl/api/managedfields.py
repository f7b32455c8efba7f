"""Server-side apply and `metadata.managedFields`, after sigs.k8s.io/structured-merge-diff.

A field set is a Python set of paths; a path is a tuple of FieldsV1 path elements as the
apiserver writes them: `f:<field>`, `k:{"name":"c"}` (an associative list item, keys sorted),
`v:"x"` (a set item). The set's shape comes from the OpenAPI definitions:
`x-kubernetes-list-type` / `-list-map-keys` (falling back to the patch strategy and merge key),
`x-kubernetes-map-type: atomic`; without a schema (custom resources) objects are treated as
structs of declared fields and lists as atomic.

Simplifications, knowingly: no version conversion (every set is in the object's apiVersion);
list-map keys missing from an item are filled only for `protocol` (default TCP, as the
apiserver's defaulting does before keys are computed); on create, which struct fields count as
already present in Go's zero value (and so get no `.` entry) is guessed from the definition
name (`...Spec`, `...Status`, `...Strategy`, ObjectMeta, ResourceRequirements).
"""
from __future__ import annotations

from pykubectl.api.values import clone as _clone

import json

from pykubectl.api import schema as _schema

_MISSING = object()

# fieldmanager's stripMeta set: never owned by anyone
_STRIPPED = {
    ("f:apiVersion",), ("f:kind",), ("f:metadata",),
    ("f:metadata", "f:name"), ("f:metadata", "f:namespace"), ("f:metadata", "f:creationTimestamp"),
    ("f:metadata", "f:selfLink"), ("f:metadata", "f:uid"), ("f:metadata", "f:clusterName"),
    ("f:metadata", "f:generation"), ("f:metadata", "f:managedFields"),
    ("f:metadata", "f:resourceVersion"),
}


class ApplyConflict(Exception):
    """Server-side apply would change fields another manager owns (409 Conflict)."""

    def __init__(self, conflicts: list[tuple[str, str]], printed: dict[str, str] | None = None):
        self.conflicts = conflicts
        # manager -> how the apiserver prints it ('"kubectl-client-side-apply" using apps/v1')
        self._printed = printed or {}
        super().__init__(self.message)

    def _p(self, manager: str) -> str:
        return self._printed.get(manager) or json.dumps(manager)

    @property
    def message(self) -> str:
        c = self.conflicts
        if len(c) == 1:
            return f"Apply failed with 1 conflict: conflict with {self._p(c[0][0])}: {c[0][1]}"
        lines = []
        for manager in sorted({m for m, _ in c}):
            lines.append(f"conflicts with {self._p(manager)}")
            lines.extend(f"- {p}" for m, p in c if m == manager)
        return f"Apply failed with {len(c)} conflicts: " + "\n".join(lines)

    def __str__(self):
        return self.message

    def status_error(self):
        from pykubectl.api.errors import StatusError
        causes = [{"type": "FieldManagerConflict", "message": f"conflict with {self._p(m)}", "field": p}
                  for m, p in self.conflicts]
        return StatusError(409, "Conflict", self.message, {"causes": causes})


# ---------------------------------------------------------------------------------------------
# the shape of a value, from the schema

def _compact(v) -> str:
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _list_type(raw: dict | None) -> tuple[str, list]:
    if not raw:
        return "atomic", []
    lt = raw.get("x-kubernetes-list-type")
    if lt == "map":
        return "map", list(raw.get("x-kubernetes-list-map-keys") or [])
    if lt in ("set", "atomic"):
        return lt, []
    strategies = (raw.get("x-kubernetes-patch-strategy") or "").split(",")
    if "merge" in strategies:
        key = raw.get("x-kubernetes-patch-merge-key")
        return ("map", [key]) if key else ("set", [])
    return "atomic", []


def _is_atomic_map(schema, raw) -> bool:
    for s in (raw, _schema.resolve(schema) if schema else None):
        if s and s.get("x-kubernetes-map-type") == "atomic":
            return True
    return False


def _item_key(item, keys: list) -> str | None:
    if not isinstance(item, dict):
        return None
    k = {}
    for name in keys:
        if name in item:
            k[name] = item[name]
        elif name == "protocol":
            k[name] = "TCP"
    return "k:" + _compact(k) if k else None


def _children(value, schema, raw):
    """None for a leaf, else [(path element, child value, child schema, child raw, member)].

    `member` marks children that are set members in their own right even with children below
    (list items, keys of a map that are not declared struct fields)."""
    if isinstance(value, dict):
        if _is_atomic_map(schema, raw):
            return None
        resolved = _schema.resolve(schema) if schema else None
        if resolved is None:
            # custom resources: v1 CRDs have structural schemas, whose fields are declared
            return [("f:" + k, v, None, None, False) for k, v in value.items()]
        props = resolved.get("properties")
        if props:
            return [("f:" + k, v, _schema.field_schema(resolved, k) if k in props else None,
                     props.get(k), k not in props) for k, v in value.items()]
        ap = resolved.get("additionalProperties")
        if isinstance(ap, dict):
            child = _schema.field_schema(resolved, "")
            return [("f:" + k, v, child, ap, True) for k, v in value.items()]
        return None  # an object with no declared shape (RawExtension): atomic
    if isinstance(value, list):
        if schema is None:
            return None
        lt, keys = _list_type(raw)
        if lt == "set":
            return [("v:" + _compact(v), v, None, None, True) for v in value]
        if lt == "map":
            elem = _schema.items_schema(schema)
            out = []
            for v in value:
                pe = _item_key(v, keys)
                if pe is not None:
                    out.append((pe, v, elem, None, True))
            return out
        return None
    return None


def _is_value_struct(raw) -> bool:
    """Whether a struct field is never nil in Go (so exists, empty, in a zero-valued object)."""
    ref = (raw or {}).get("$ref")
    if not ref:
        return isinstance(raw, dict) and raw.get("type") == "array"   # required list: null, not absent
    name = _schema.ref_name(ref).rsplit(".", 1)[-1]
    return name.endswith(("Spec", "Status", "Strategy")) or name in ("ObjectMeta", "ResourceRequirements")


# ---------------------------------------------------------------------------------------------
# field sets

def _field_set(obj: dict, schema) -> set:
    """structured-merge-diff ToFieldSet: every leaf, list item and undeclared map key."""
    out = set()

    def walk(value, schema, raw, path):
        kids = _children(value, schema, raw)
        if kids is None or (isinstance(value, dict) and not value):
            out.add(path)
            return
        for pe, cv, cs, craw, member in kids:
            p = path + (pe,)
            if member:
                out.add(p)
            walk(cv, cs, craw, p)

    for pe, cv, cs, craw, _ in _children(obj, schema, None) or ():
        walk(cv, cs, craw, (pe,))
    return out


def _compare(old, new, schema) -> tuple[set, set, set]:
    """(added, modified, removed) paths from `old` to `new`, as structured-merge-diff's Compare."""
    added, modified, removed = set(), set(), set()

    def empty(v):
        return v is _MISSING or v is None or (isinstance(v, dict) and not v)

    def walk(lhs, rhs, schema, raw, path):
        if lhs is not _MISSING and lhs is not None and lhs == rhs and type(lhs) is type(rhs):
            return   # an unchanged subtree (most of an update) adds, changes and removes nothing
        ref = rhs if rhs is not _MISSING else lhs
        kids = _children(ref, schema, raw)
        both_maps = isinstance(ref, dict) and (empty(lhs) or isinstance(lhs, dict)) and (empty(rhs) or isinstance(rhs, dict))
        leaf = (kids is None or (both_maps and empty(lhs) and empty(rhs))
                or (lhs not in (_MISSING, None) and rhs not in (_MISSING, None) and type(lhs) is not type(rhs)
                    and not (isinstance(lhs, (int, float)) and isinstance(rhs, (int, float)))))
        if leaf:
            if lhs is _MISSING:
                added.add(path)
            elif rhs is _MISSING:
                removed.add(path)
            elif lhs != rhs:
                modified.add(path)
            return
        if lhs is _MISSING:
            added.add(path)
        elif rhs is _MISSING:
            removed.add(path)
        walk_children(lhs, rhs, schema, raw, path)

    def walk_children(lhs, rhs, schema, raw, path):
        lk = {pe: (cv, cs, craw) for pe, cv, cs, craw, _ in (_children(lhs, schema, raw) or ())} \
            if lhs not in (_MISSING, None) else {}
        rk = {pe: (cv, cs, craw) for pe, cv, cs, craw, _ in (_children(rhs, schema, raw) or ())} \
            if rhs not in (_MISSING, None) else {}
        for pe in list(rk) + [pe for pe in lk if pe not in rk]:
            lv = lk[pe][0] if pe in lk else _MISSING
            rv, cs, craw = rk[pe] if pe in rk else lk[pe]
            if lv is _MISSING and isinstance(lhs, dict) and _is_value_struct(craw):
                lv = {} if isinstance(rv, dict) else None
            walk(lv, rv, cs, craw, path + (pe,))

    walk_children({} if old is None else old, new, schema, None, ())
    return added, modified, removed


def _strip(paths: set, subresource: str = "") -> set:
    """Drop the paths the apiserver never records: identity metadata, and status on the main
    resource (or everything but status on the status subresource)."""
    out = set()
    for p in paths:
        if p in _STRIPPED or (len(p) > 2 and p[:2] == ("f:metadata", "f:managedFields")):
            continue
        in_status = p[0] == "f:status"
        if in_status != (subresource == "status"):
            continue
        out.add(p)
    return out


def to_fields_v1(paths: set) -> dict:
    """A field set as the FieldsV1 JSON object (`.` marks a member that also has children)."""
    root: dict = {}
    for p in paths:
        node = root
        for pe in p:
            node = node.setdefault(pe, {})
    members = set(paths)

    def finish(node: dict, path: tuple) -> dict:
        out = {}
        if node and path in members and path:
            out["."] = {}
        for pe in sorted(node, key=_pe_order):
            out[pe] = finish(node[pe], path + (pe,))
        return out

    return finish(root, ())


def _pe_order(pe: str):
    return ("fkvi".index(pe[0]) if pe[0] in "fkvi" else 9, pe)


def from_fields_v1(fields: dict) -> set:
    """The field set a FieldsV1 object encodes."""
    out = set()

    def walk(node: dict, path: tuple):
        if path and (not node or "." in node):
            out.add(path)
        for pe, child in node.items():
            if pe != ".":
                walk(child or {}, path + (pe,))

    walk(fields or {}, ())
    return out


def fields_v1(obj: dict, schema: dict | None) -> dict:
    """The FieldsV1 of every field set in `obj`, as an applier of `obj` would come to own it."""
    return to_fields_v1(_strip(_field_set(obj, schema)))


def path_string(path: tuple) -> str:
    """fieldpath.Path.String(): `.spec.containers[name="c"].image`."""
    out = []
    for pe in path:
        kind, body = pe[0], pe[2:]
        if kind == "f":
            out.append("." + body)
        elif kind == "k":
            kv = json.loads(body)
            out.append("[" + ",".join(f"{k}={_compact(v)}" for k, v in sorted(kv.items())) + "]")
        elif kind == "v":
            out.append("[=" + body + "]")
        else:
            out.append("[" + body + "]")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# managedFields entries

def _entry_id(e: dict) -> tuple:
    return (e.get("manager", ""), e.get("operation", ""), e.get("subresource", ""))


def _printed_manager(e: dict) -> str:
    """How the apiserver names a manager in a conflict (fieldmanager printManager)."""
    s = json.dumps(e.get("manager", ""))
    if e.get("subresource"):
        s += f' with subresource {json.dumps(e["subresource"])}'
    if e.get("operation") == "Update":
        s += f' using {e.get("apiVersion", "")}'
    return s


def _decode(obj: dict | None) -> list[dict]:
    entries = []
    for e in ((obj or {}).get("metadata") or {}).get("managedFields") or ():
        if isinstance(e, dict) and e.get("manager") is not None:
            entries.append(dict(e, _set=from_fields_v1(e.get("fieldsV1") or {})))
    return entries


def _encode(entries: list[dict]) -> list[dict]:
    out = []
    for e in entries:
        if not e["_set"]:
            continue
        enc = {"manager": e["manager"], "operation": e["operation"], "apiVersion": e.get("apiVersion", ""),
               "time": e.get("time"), "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(e["_set"])}
        if enc["time"] is None:
            del enc["time"]
        if e.get("subresource"):
            enc["subresource"] = e["subresource"]
        out.append(enc)
    # the apiserver's order: operation, then time, then manager
    out.sort(key=lambda e: (e["operation"], e.get("time") or "", e["manager"], e["apiVersion"],
                            e.get("subresource", "")))
    return out


def _with_managed_fields(obj: dict, entries: list[dict]) -> dict:
    out = dict(obj)
    meta = dict(out.get("metadata") or {})
    encoded = _encode(entries)
    if encoded:
        meta["managedFields"] = encoded
    else:
        meta.pop("managedFields", None)
    out["metadata"] = meta
    return out


def record_update(old: dict | None, new: dict, manager: str, operation: str, schema, now_iso: str,
                  subresource: str = "") -> dict:
    """`new` with managedFields updated for a create / update by `manager` (operation "Update").

    The fields the request added or changed become the manager's, and are taken from every other
    manager; fields it removed are dropped from every set (an update never conflicts).
    """
    added, modified, removed = _compare(old, new, schema)
    changed = _strip(added | modified, subresource)
    removed = _strip(removed, subresource)
    entries = _decode(old)
    me_id = (manager, operation, subresource)
    mine = None
    for e in entries:
        if _entry_id(e) == me_id:
            mine = e
            continue
        e["_set"] = e["_set"] - changed - removed
    if mine is None:
        mine = {"manager": manager, "operation": operation, "_set": set(), "time": now_iso}
        if subresource:
            mine["subresource"] = subresource
        entries.append(mine)
    mine["_set"] = (mine["_set"] - removed) | changed
    if changed:
        # the apiserver stamps the entry only when this request took fields
        mine["time"] = now_iso
        mine["apiVersion"] = new.get("apiVersion", "")
    return _with_managed_fields(new, entries)


# ---------------------------------------------------------------------------------------------
# server-side apply

def _merge(lhs, rhs, schema, raw):
    """structured-merge-diff merge: the applied value wins; granular maps and associative
    lists merge item by item; atomic values are replaced whole."""
    if rhs is None or lhs is None or type(lhs) is not type(rhs):
        return rhs
    if isinstance(rhs, dict):
        kids = _children(rhs, schema, raw)
        if kids is None:
            return rhs
        out = dict(lhs)
        for pe, cv, cs, craw, _ in kids:
            k = pe[2:]
            out[k] = _merge(lhs[k], cv, cs, craw) if k in lhs else cv
        return out
    if isinstance(rhs, list):
        kids_r = _children(rhs, schema, raw)
        kids_l = _children(lhs, schema, raw)
        if kids_r is None or kids_l is None:
            return rhs
        return _merge_list(kids_l, kids_r)
    return rhs


def _merge_list(lhs_kids: list, rhs_kids: list) -> list:
    # shared items follow the applied order, live-only items keep their place (SMD visitListItems)
    lmap = {pe: (cv, cs) for pe, cv, cs, _, _ in lhs_kids}
    rmap = {pe: (cv, cs) for pe, cv, cs, _, _ in rhs_kids}
    lpes = [k[0] for k in lhs_kids]
    rpes = [k[0] for k in rhs_kids]
    shared = [pe for pe in rpes if pe in lmap]
    nxt = 0
    out, done = [], set()
    li = ri = 0

    def merged(pe):
        if pe in lmap and pe in rmap:
            return _merge(lmap[pe][0], rmap[pe][0], rmap[pe][1], None)
        return rmap[pe][0] if pe in rmap else lmap[pe][0]

    while li < len(lpes) or ri < len(rpes):
        if li < len(lpes) and ri < len(rpes):
            pe = lpes[li]
            if pe == rpes[ri]:
                done.add(pe)
                out.append(merged(pe))
                li += 1
                ri += 1
                if nxt < len(shared) and shared[nxt] == pe:
                    nxt += 1
                continue
            if pe in rmap and nxt < len(shared) and shared[nxt] != pe:
                li += 1
                continue
        if li < len(lpes):
            pe = lpes[li]
            if pe not in rmap:
                out.append(lmap[pe][0])
                li += 1
                continue
            if pe in done:
                li += 1
                continue
        if ri < len(rpes):
            pe = rpes[ri]
            done.add(pe)
            out.append(merged(pe))
            ri += 1
            if nxt < len(shared) and shared[nxt] == pe:
                nxt += 1
    return out


def _remove_path(obj, path: tuple, schema):
    """Remove the value at a field-set path from `obj` (in place); missing paths are ignored."""
    node, s, raw = obj, schema, None
    for i, pe in enumerate(path):
        last = i == len(path) - 1
        kids = _children(node, s, raw)
        if not kids:
            return
        for cpe, cv, cs, craw, _ in kids:
            if cpe == pe:
                break
        else:
            return
        if last:
            if isinstance(node, dict):
                node.pop(pe[2:], None)
            else:
                node.remove(cv)
            return
        node, s, raw = cv, cs, craw


def server_side_apply(live: dict | None, applied: dict, manager: str, schema: dict | None,
                      force: bool, now_iso: str) -> dict:
    """The object after `manager` server-side applies `applied` to `live` (None: create).

    Fields this manager applied before and leaves out now are removed unless another manager
    owns them; changing a field another manager owns raises ApplyConflict unless `force`, which
    moves the ownership.
    """
    # status is reset on the main resource (the strategies' ResetFields): never applied here
    applied = {k: v for k, v in applied.items() if k != "status"}
    applied_meta = dict(applied.get("metadata") or {})
    applied_meta.pop("managedFields", None)
    applied = dict(applied, metadata=applied_meta)

    base = _clone(live) if live is not None else {}
    merged = _merge(base, _clone(applied), schema, None)
    entries = _decode(live)
    me_id = (manager, "Apply", "")
    mine = next((e for e in entries if _entry_id(e) == me_id), None)
    others = [e for e in entries if e is not mine]
    new_set = _strip(_field_set(applied, schema))

    if mine is not None:
        owned_by_others = set()
        for e in others:
            for p in e["_set"]:
                for n in range(1, len(p) + 1):
                    owned_by_others.add(p[:n])
        for p in sorted(mine["_set"] - new_set, key=len):
            if p not in owned_by_others:
                _remove_path(merged, p, schema)

    added, modified, removed = _compare(live, merged, schema)
    touched = _strip(added | modified)
    conflicts = []
    for e in others:
        for p in sorted(e["_set"] & touched):
            conflicts.append((e, p))
    if conflicts and not force:
        printed = {e["manager"]: _printed_manager(e) for e, _ in conflicts}
        raise ApplyConflict([(e["manager"], path_string(p)) for e, p in conflicts], printed)
    removed = _strip(removed)
    for e in others:
        e["_set"] = e["_set"] - touched - removed
    if mine is None:
        mine = {"manager": manager, "operation": "Apply", "_set": None}
        entries.append(mine)
    if mine["_set"] != new_set or _without_managed_fields(merged) != _without_managed_fields(live):
        # a no-op apply leaves the entry's time alone
        mine["time"] = now_iso
    mine.update(_set=new_set, apiVersion=applied.get("apiVersion", ""))
    return _with_managed_fields(merged, entries)


def _without_managed_fields(obj: dict | None) -> dict | None:
    if obj is None:
        return None
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    return dict(obj, metadata=meta)
