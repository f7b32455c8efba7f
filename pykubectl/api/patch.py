"""Patches as the apiserver and kubectl compute and apply them, on plain JSON-compatible dicts.

- JSON patch (RFC 6902) with the apiserver's wording (evanphx/json-patch v4) for failures;
- JSON merge patch (RFC 7386), used for custom resources;
- strategic merge patch (apimachinery `strategicpatch`): lists merged by their merge key, the
  directives `$patch`, `$setElementOrder/<f>`, `$deleteFromPrimitiveList/<f>`, `$retainKeys`;
- the three-way patches kubectl's client-side apply sends (last-applied vs new config for
  deletions, live vs new config for additions and changes).

Patch strategies and merge keys come from the official OpenAPI definitions (`schema.py`): the
same `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` that the Go struct tags carry.
A field the schema does not know gets no strategy: maps merge, lists are replaced.
"""
from __future__ import annotations

from pykubectl.api.values import clone as _clone

from pykubectl.api import schema as _schema
from pykubectl.api.errors import UserError

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList"
SET_ORDER_PREFIX = "$setElementOrder"

# mergepatch's sentinel errors, worded as apimachinery words them
ERR_BAD_JSON_DOC = "invalid JSON document"
ERR_NO_LIST_OF_LISTS = "lists of lists are not supported"
ERR_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
ERR_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
ERR_BAD_SET_ORDER = "invalid patch format of setElementOrder list"


class PatchError(UserError):
    """A patch the apiserver refuses; `code` is the HTTP status it answers with.

    400 for a malformed patch document, 422 for a JSON patch that does not apply (the apiserver
    puts the library's message in the status' causes), 500 for strategic-merge errors that
    apimachinery does not classify (a list item without its merge key, ...).
    """

    def __init__(self, message: str, code: int = 500):
        super().__init__(message)
        self.message = message
        self.code = code

    def status_error(self):
        """The StatusError the apiserver returns for this failure."""
        from pykubectl.api.errors import StatusError, bad_request
        if self.code == 400:
            return bad_request(self.message)
        if self.code == 422:
            # errors.NewGenericServerResponse(422, ...): a fixed message, the detail in causes
            return StatusError(422, "Invalid", "the server rejected our request due to an error in our request",
                               {"causes": [{"message": self.message}]})
        return StatusError(500, "InternalError", f"Internal error occurred: {self.message}",
                           {"causes": [{"message": self.message}]})


# ---------------------------------------------------------------------------------------------
# helpers on JSON values


def _kind(v) -> str:
    """The Go reflect kind a decoded JSON value would have (ints and floats are both float64)."""
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "slice"
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "float64"
    return "string"


def _key(v):
    """A hashable identity matching Go's interface ==: 1 and true differ, 1 and 1.0 do not."""
    k = _kind(v)
    if k in ("map", "slice"):
        import json
        return (k, json.dumps(v, sort_keys=True))
    return (k, v)


def _go_str(v) -> str:
    """fmt.Sprintf("%v", v) for a decoded JSON scalar: how apimachinery sorts and compares."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_go_str(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(_go_str(x) for x in v) + "]"
    return str(v)


def _no_merge_key(m, key) -> PatchError:
    return PatchError(f"map: {_go_str(m)} does not contain declared merge key: {key}")


def _bad_arg_type(expected: str, actual) -> PatchError:
    return PatchError(f"expected a {expected}, but received a {_kind(actual)}")


def _lookup(schema, key):
    """(child schema, patch strategies, merge key) of `key` in an object schema."""
    raw = _schema.property_raw(schema, key) if schema else None
    if raw is None:
        return None, [], ""
    strategy = raw.get("x-kubernetes-patch-strategy") or ""
    strategies = [s for s in strategy.split(",") if s]
    return _schema.field_schema(schema, key), strategies, raw.get("x-kubernetes-patch-merge-key") or ""


def _retain_and_strategy(strategies: list) -> tuple[bool, str]:
    if not strategies:
        return False, ""
    if len(strategies) == 1:
        return (True, "") if strategies[0] == "retainKeys" else (False, strategies[0])
    if len(strategies) == 2 and "retainKeys" in strategies:
        return True, strategies[0] if strategies[1] == "retainKeys" else strategies[1]
    raise PatchError(f"unexpected patch strategy: [{' '.join(strategies)}]")


def strategic_supported(schema: dict | None) -> bool:
    """Whether strategic merge patch applies to a kind.

    Custom resources have no patch strategies: the apiserver answers 415 Unsupported Media Type
    to a strategic merge patch on a CR, and kubectl's apply falls back to JSON merge patch.
    """
    return schema is not None


# ---------------------------------------------------------------------------------------------
# JSON patch (RFC 6902)

def _find_object(doc, path: str):
    """evanphx/json-patch findObject: the container holding the path's last token, or None."""
    parts = path.split("/")
    if len(parts) < 2:
        return None, ""
    cur = doc
    for raw in parts[1:-1]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list):
            try:
                i = int(part)
            except ValueError:
                return None, ""
            cur = cur[i] if 0 <= i < len(cur) else None
        else:
            return None, ""
        if not isinstance(cur, (dict, list)):
            return None, ""
    return cur, parts[-1].replace("~1", "/").replace("~0", "~")


def _index_error(con, key: str, allow_end: bool) -> str | None:
    try:
        i = int(key)
    except ValueError:
        return f'strconv.Atoi: parsing "{key}": invalid syntax'
    if i >= len(con) + (1 if allow_end else 0) or i < -len(con):
        return f"Unable to access invalid index: {i}: invalid index referenced"
    return None


def _json_patch_failure(doc, op: dict) -> str:
    """The message evanphx/json-patch v4 gives for an operation that does not apply."""
    kind, path = op.get("op"), op.get("path", "")
    if kind in ("move", "copy"):
        frm = op.get("from", "")
        con, key = _find_object(doc, frm)
        if con is None:
            return f"{kind} operation does not apply: doc is missing from path: {frm}: missing value"
        if isinstance(con, dict) and key not in con:
            return f"error in {kind} for path: '{key}': Unable to remove nonexistent key: {key}: missing value"
        return f"{kind} operation does not apply: doc is missing destination path: {path}: missing value"
    con, key = _find_object(doc, path)
    if kind == "add":
        if con is None:
            return f'add operation does not apply: doc is missing path: "{path}": missing value'
        err = _index_error(con, key, True) if isinstance(con, list) and key != "-" else None
        if err and err.startswith("strconv"):
            err = f"value was not a proper array index: '{key}': {err}"
        return f"error in add for path: '{path}': {err or 'invalid state detected'}"
    if kind == "remove":
        if con is None:
            return f'remove operation does not apply: doc is missing path: "{path}": missing value'
        if isinstance(con, dict):
            return f"error in remove for path: '{path}': Unable to remove nonexistent key: {key}: missing value"
        return f"error in remove for path: '{path}': {_index_error(con, key, False)}"
    if kind == "replace":
        if con is None:
            return f"replace operation does not apply: doc is missing path: {path}: missing value"
        return f"replace operation does not apply: doc is missing key: {path}: missing value"
    if kind == "test":
        if con is None:
            return f"test operation does not apply: is missing path: {path}: missing value"
        return f"testing value {path} failed: test failed"
    return f"Unexpected kind: {kind}"


def json_patch(doc: dict, ops: list) -> dict:
    """Apply an RFC 6902 patch; PatchError (422) worded as the apiserver does when an op fails."""
    import jsonpatch
    if not isinstance(ops, list):
        raise PatchError(f"json: cannot unmarshal {'object' if isinstance(ops, dict) else _kind(ops)} "
                         "into Go value of type jsonpatch.Patch", 400)
    result = _clone(doc)
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError("json: cannot unmarshal into Go value of type jsonpatch.Operation", 400)
        kind = op.get("op")
        if kind not in ("add", "remove", "replace", "move", "copy", "test"):
            raise PatchError(f"Unexpected kind: {kind}", 422)
        if kind in ("add", "replace", "test") and "value" not in op:
            op = dict(op, value=None)  # json-patch v4 takes a missing value as null
        if kind == "replace":
            # json-patch v4 quirk the apiserver keeps: replacing a missing object key sets it
            con, key = _find_object(result, op.get("path", ""))
            if isinstance(con, dict) and key not in con:
                op = dict(op, op="add")
        try:
            result = jsonpatch.apply_patch(result, [op], in_place=True)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, KeyError, IndexError,
                TypeError):
            raise PatchError(_json_patch_failure(result, op), 422) from None
    return result


# ---------------------------------------------------------------------------------------------
# JSON merge patch (RFC 7386)

def merge_patch(doc: dict, patch: dict) -> dict:
    """RFC 7386: maps merge recursively, null deletes, anything else (lists too) replaces."""
    if not isinstance(patch, dict):
        return _clone(patch)
    result = _clone(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        elif isinstance(v, dict):
            result[k] = merge_patch(result.get(k), v)
        else:
            result[k] = _clone(v)
    return result


def create_merge_patch(original, modified) -> dict:
    """The RFC 7386 patch turning `original` into `modified` (removed keys become null)."""
    patch = {}
    for k, ov in original.items():
        if k not in modified:
            patch[k] = None
    for k, mv in modified.items():
        if k not in original:
            patch[k] = _clone(mv)
            continue
        ov = original[k]
        if isinstance(ov, dict) and isinstance(mv, dict):
            sub = create_merge_patch(ov, mv)
            if sub:
                patch[k] = sub
        elif _kind(ov) != _kind(mv) or ov != mv:
            patch[k] = _clone(mv)
    return patch


def _filter_nulls(m: dict, keep_null: bool) -> dict:
    """jsonmergepatch keepOrDeleteNullInObj: only the deletions, or everything but them."""
    out = {}
    for k, v in m.items():
        if v is None:
            if keep_null:
                out[k] = None
        elif isinstance(v, dict):
            if not v:
                # an explicitly empty map is a value, not an empty patch
                if not keep_null:
                    out[k] = v
                continue
            sub = _filter_nulls(v, keep_null)
            if sub:
                out[k] = sub
        elif not keep_null:
            out[k] = v
    return out


def create_three_way_json_merge_patch(original, modified, current) -> dict:
    """kubectl apply's patch for custom resources (jsonmergepatch.CreateThreeWayJSONMergePatch):
    deletions from last-applied vs new config, additions and changes from live vs new config."""
    add_and_change = _filter_nulls(create_merge_patch(current or {}, modified), False)
    deletions = _filter_nulls(create_merge_patch(original or {}, modified), True)
    return merge_patch(deletions, add_and_change)


# ---------------------------------------------------------------------------------------------
# strategic merge patch: applying

def strategic_merge_patch(doc: dict, patch: dict, schema: dict | None) -> dict:
    """Apply a strategic merge patch (strategicpatch.StrategicMergeMapPatch).

    With no schema (custom resources) this is a JSON merge patch; the apiserver itself refuses
    strategic patches on CRs (415), see `strategic_supported`.
    """
    if schema is None:
        return merge_patch(doc, patch)
    if not isinstance(patch, dict):
        raise PatchError(ERR_BAD_JSON_DOC, 400)
    return _merge_map(_clone(doc), _clone(patch), schema, parallel=True, ignore_nulls=True)


def _merge_map(original, patch: dict, schema, parallel: bool, ignore_nulls: bool) -> dict:
    # `parallel`: the directive lists are applied (server side); when false (merging the two
    # halves of a three-way patch) they are carried over into the result instead.
    if DIRECTIVE in patch:
        d = patch[DIRECTIVE]
        if d == "replace":
            del patch[DIRECTIVE]
            return patch
        if d == "delete":
            return {}
        raise PatchError(f"unknown patch type: {_go_str(d)} in map: {_go_str(patch)}")
    if original is None:
        original = {}
    _apply_retain_keys(original, patch, parallel)
    _merge_set_element_order(original, patch, schema, parallel, ignore_nulls)

    for k, pv in list(patch.items()):
        is_delete_list = False
        if k.startswith(DELETE_PRIMITIVE_PREFIX):
            if not parallel:
                original[k] = pv
                continue
            k = _extract_key(k, DELETE_PRIMITIVE_PREFIX)
            is_delete_list = True
            if k not in original:
                continue  # nothing to delete from
        if pv is None:
            original.pop(k, None)
            if ignore_nulls:
                continue
        if k not in original or _kind(original[k]) != _kind(pv):
            # a value taken whole loses its nulls and every map carrying `$patch`
            if ignore_nulls:
                _discard_nulls(pv)
            keep, pv = _remove_directives(pv)
            if keep:
                original[k] = pv
            else:
                original.pop(k, None)
            continue
        ov = original[k]
        child, strategies, merge_key = _lookup(schema, k)
        _, strategy = _retain_and_strategy(strategies)
        if isinstance(ov, dict):
            original[k] = pv if strategy == "replace" else _merge_map(ov, pv, child, parallel, ignore_nulls)
        elif isinstance(ov, list):
            original[k] = _merge_slice_handler(ov, pv, child, strategy, merge_key, is_delete_list,
                                               parallel, ignore_nulls)
        else:
            original[k] = pv
    return original


def _discard_nulls(v):
    if isinstance(v, dict):
        for k in [k for k, x in v.items() if x is None]:
            del v[k]
        for x in v.values():
            _discard_nulls(x)
    elif isinstance(v, list):
        for x in v:
            _discard_nulls(x)


def _remove_directives(v) -> tuple[bool, object]:
    """(keep, value): maps carrying `$patch` are dropped wherever they are."""
    if isinstance(v, dict):
        if DIRECTIVE in v:
            return False, None
        out = {}
        for k, x in v.items():
            keep, x = _remove_directives(x)
            if keep:
                out[k] = x
        return True, out
    if isinstance(v, list):
        out = []
        for x in v:
            keep, x = _remove_directives(x)
            if keep:
                out.append(x)
        return True, out
    return True, v


def _extract_key(s: str, prefix: str) -> str:
    head, sep, rest = s.partition("/")
    if not sep or head != prefix:
        raise PatchError(ERR_BAD_PRIMITIVE_LIST if prefix == DELETE_PRIMITIVE_PREFIX else ERR_BAD_SET_ORDER, 400)
    return rest


def _apply_retain_keys(original: dict, patch: dict, parallel: bool):
    if RETAIN_KEYS not in patch:
        return
    keep = patch.pop(RETAIN_KEYS)
    if not parallel:
        if RETAIN_KEYS in original and original[RETAIN_KEYS] != keep:
            raise PatchError(f"{_go_str(original[RETAIN_KEYS])} and {_go_str(keep)} are not deep equal: "
                             "this may happen when calculating the 3-way diff patch")
        original.setdefault(RETAIN_KEYS, keep)
        return
    if not isinstance(keep, list):
        raise PatchError(ERR_BAD_RETAIN_KEYS, 400)
    allowed = set(k for k in keep if isinstance(k, str))
    for k, v in patch.items():
        if v is None or k.startswith(DELETE_PRIMITIVE_PREFIX) or k.startswith(SET_ORDER_PREFIX):
            continue
        if k not in allowed:
            raise PatchError(ERR_BAD_RETAIN_KEYS, 400)
    for k in list(original):
        if k not in allowed:
            del original[k]


def _merge_set_element_order(original: dict, patch: dict, schema, parallel: bool, ignore_nulls: bool):
    """Process `$setElementOrder/<field>` with its list: order is directive > patch > live."""
    for key in [k for k in patch if k.startswith(SET_ORDER_PREFIX)]:
        order = patch.pop(key)
        if not parallel:
            if key in original and original[key] != order:
                raise PatchError(ERR_BAD_SET_ORDER, 400)
            original.setdefault(key, order)
        if not isinstance(order, list):
            raise _bad_arg_type("slice", order)
        field = _extract_key(key, SET_ORDER_PREFIX)
        found_orig, found_patch = field in original, field in patch
        orig_list = original.get(field) if found_orig else []
        patch_list = patch.get(field) if found_patch else []
        if found_orig and not isinstance(orig_list, list):
            raise _bad_arg_type("slice", orig_list)
        if found_patch and not isinstance(patch_list, list):
            raise _bad_arg_type("slice", patch_list)
        child, strategies, merge_key = _lookup(schema, field)
        _, strategy = _retain_and_strategy(strategies)
        _validate_with_set_order(patch_list, order, merge_key)
        if found_orig and found_patch:
            merged = _merge_slice_handler(orig_list, patch_list, child, strategy, merge_key, False,
                                          parallel, ignore_nulls)
        elif found_orig:
            merged = orig_list
        elif found_patch:
            merged = patch_list
        else:
            continue
        if merge_key:
            in_order = {_key(o.get(merge_key)) for o in order if isinstance(o, dict)}
            items = [v for v in merged if _key(v.get(merge_key)) in in_order]
            server_only = [v for v in merged if _key(v.get(merge_key)) not in in_order]
        else:
            in_order = {_key(o) for o in order}
            items = [v for v in merged if _key(v) in in_order]
            server_only = [v for v in merged if _key(v) not in in_order]
        kind = _elem_kind(orig_list, patch_list)
        original[field] = _normalize_element_order(items, server_only, order, orig_list, merge_key, kind)
        patch.pop(field, None)


def _validate_with_set_order(patch_list: list, order: list, merge_key: str):
    if not order or not patch_list:
        return
    if merge_key:
        non_delete = [v for v in patch_list if not (isinstance(v, dict) and v.get(DIRECTIVE) == "delete")]
    else:
        non_delete = patch_list
    pi = oi = 0
    while pi < len(non_delete) and oi < len(order):
        if isinstance(non_delete[pi], dict) and DIRECTIVE in non_delete[pi]:
            pi += 1
            continue
        if _merge_key_equal(non_delete[pi], order[oi], merge_key):
            pi += 1
        oi += 1
    if pi < len(non_delete) and oi >= len(order):
        raise PatchError(f"The order in patch list:\n{_go_str(patch_list)}\n doesn't match "
                         f"{SET_ORDER_PREFIX} list:\n{_go_str(order)}\n")


def _merge_key_equal(left, right, merge_key: str) -> bool:
    if not merge_key:
        return _key(left) == _key(right)
    for side in (left, right):
        if not isinstance(side, dict):
            raise _bad_arg_type("map", side)
        if merge_key not in side:
            raise _no_merge_key(side, merge_key)
    return _key(left[merge_key]) == _key(right[merge_key])


def _elem_kind(*lists) -> str:
    kind = None
    for lst in lists:
        for v in lst:
            k = _kind(v)
            if kind is None:
                if k == "slice":
                    raise PatchError(ERR_NO_LIST_OF_LISTS, 422)
                kind = k
            elif k != kind:
                raise PatchError(f"list element types are not identical: {_go_str(list(lists))}")
    if kind is None:
        raise PatchError("no elements in any of the given slices")
    return kind


def _merge_slice_handler(original, patch, elem_parent, strategy, merge_key, is_delete_list, parallel,
                         ignore_nulls) -> list:
    if not isinstance(original, list):
        raise _bad_arg_type("slice", original)
    if not isinstance(patch, list):
        raise _bad_arg_type("slice", patch)
    if strategy != "merge":
        return patch
    return _merge_slice(original, patch, _schema.items_schema(elem_parent), merge_key, parallel,
                        ignore_nulls, is_delete_list)


def _merge_slice(original: list, patch: list, elem_schema, merge_key: str, parallel: bool,
                 ignore_nulls: bool, is_delete_list: bool) -> list:
    if not original and not patch:
        return original
    kind = _elem_kind(original, patch)
    if kind != "map":
        if parallel and is_delete_list:
            drop = {_key(v) for v in patch}
            return [v for v in original if _key(v) not in drop]
        merged, seen = [], set()
        for v in original + patch:
            if _key(v) not in seen:
                seen.add(_key(v))
                merged.append(v)
        merge_key = ""
    else:
        if not merge_key:
            raise PatchError("cannot merge lists without merge key for type struct")
        original, patch = _merge_special_elements(original, patch, merge_key)
        merged = _merge_plain_elements(list(original), patch, merge_key, elem_schema, parallel, ignore_nulls)
    if merge_key:
        in_patch = {_key(v.get(merge_key)) for v in patch}
        items = [v for v in merged if _key(v.get(merge_key)) in in_patch]
        server_only = [v for v in merged if _key(v.get(merge_key)) not in in_patch]
    else:
        in_patch = {_key(v) for v in patch}
        items = [v for v in merged if _key(v) in in_patch]
        server_only = [v for v in merged if _key(v) not in in_patch]
    return _normalize_element_order(items, server_only, patch, original, merge_key, kind)


def _merge_special_elements(original: list, patch: list, merge_key: str):
    """Handle list items carrying `$patch` (delete / replace) before the merge."""
    plain, replace = [], False
    for v in patch:
        if DIRECTIVE not in v:
            plain.append(v)
            continue
        d = v[DIRECTIVE]
        if d == "delete":
            if merge_key not in v:
                raise _no_merge_key(v, merge_key)
            target = _key(v[merge_key])
            original = [o for o in original if not (isinstance(o, dict) and merge_key in o
                                                    and _key(o[merge_key]) == target)]
        elif d == "replace":
            replace = True
        elif d == "merge":
            raise PatchError("merging lists cannot yet be specified in the patch")
        else:
            raise PatchError(f"unknown patch type: {_go_str(d)} in map: {_go_str(v)}")
    if replace:
        return plain, []
    return original, plain


def _merge_plain_elements(original: list, patch: list, merge_key: str, elem_schema, parallel, ignore_nulls):
    for v in patch:
        if merge_key not in v:
            raise _no_merge_key(v, merge_key)
        target = _key(v[merge_key])
        for i, o in enumerate(original):
            if not isinstance(o, dict):
                raise PatchError(f"value for key {i} is not a map.")
            if merge_key in o and _key(o[merge_key]) == target:
                original[i] = _merge_map(o, v, elem_schema, parallel, ignore_nulls)
                break
        else:
            original.append(v)  # a new item is taken as sent
    return original


def _index(lst: list, item, merge_key: str, kind: str) -> int:
    def val(x):
        if kind == "map":
            return _key(x.get(merge_key)) if isinstance(x, dict) else None
        return _key(x)
    target = val(item)
    for i, x in enumerate(lst):
        if val(x) == target:
            return i
    return -1


def _normalize_slice_order(to_sort: list, order: list, merge_key: str, kind: str) -> list:
    """Sort `to_sort` by the positions its items have in `order`; `$patch: delete` items last."""
    to_delete = []
    if kind == "map":
        for lst in (to_sort, order):
            for v in lst:
                if not isinstance(v, dict):
                    raise _bad_arg_type("map", v)
                if merge_key not in v:
                    raise _no_merge_key(v, merge_key)
        to_delete = [v for v in to_sort if v.get(DIRECTIVE) == "delete"]
        to_sort = [v for v in to_sort if v.get(DIRECTIVE) != "delete"]
    # items missing from `order` go first, as Go's insertion sort with its lenient less() puts them
    return sorted(to_sort, key=lambda v: _index(order, v, merge_key, kind)) + to_delete


def _normalize_element_order(patch_items, server_only, patch_order, server_order, merge_key, kind):
    patch_items = _normalize_slice_order(patch_items, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted(server_only, patch_items, server_order, merge_key, kind)


def _merge_sorted(left: list, right: list, server_order: list, merge_key: str, kind: str) -> list:
    """Interleave server-only items (left) into the patch's items (right) keeping both orders;
    a server-only item goes before the first patch item that comes after it in the live list."""
    out, i, j = [], 0, 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j]); j += 1
        elif j >= len(right):
            out.append(left[i]); i += 1
        else:
            li = _index(server_order, left[i], merge_key, kind)
            ri = _index(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i]); i += 1
            else:
                out.append(right[j]); j += 1
    return out


# ---------------------------------------------------------------------------------------------
# strategic merge patch: computing (diff)

class _DiffOptions:
    __slots__ = ("set_element_order", "ignore_changes", "ignore_deletions", "build_retain_keys")

    def __init__(self, set_element_order=True, ignore_changes=False, ignore_deletions=False,
                 build_retain_keys=False):
        self.set_element_order = set_element_order
        self.ignore_changes = ignore_changes
        self.ignore_deletions = ignore_deletions
        self.build_retain_keys = build_retain_keys

    def with_retain(self, retain: bool) -> "_DiffOptions":
        return _DiffOptions(self.set_element_order, self.ignore_changes, self.ignore_deletions, retain)


def _sorted_scalars(values: list) -> list:
    return sorted(values, key=_go_str)


def _diff_maps(original: dict, modified: dict, schema, opts: _DiffOptions) -> dict:
    patch = {}
    retain = []
    for key, mv in modified.items():
        if opts.build_retain_keys and mv is not None:
            retain.append(key)
        if key not in original:
            if not opts.ignore_changes:
                patch[key] = mv
            continue
        ov = original[key]
        if key == DIRECTIVE:
            if not isinstance(ov, str) or not isinstance(mv, str):
                raise PatchError(f"invalid value for special key: {DIRECTIVE}")
            if ov != mv:
                patch[DIRECTIVE] = mv
            continue
        if _kind(ov) != _kind(mv):
            if not opts.ignore_changes:
                patch[key] = mv
            continue
        if isinstance(ov, dict):
            child, strategies, _ = _lookup(schema, key)
            retain_keys, strategy = _retain_and_strategy(strategies)
            if strategy == "replace":
                if not opts.ignore_changes:
                    patch[key] = mv
            else:
                sub = _diff_maps(ov, mv, child, opts.with_retain(retain_keys))
                if sub:
                    patch[key] = sub
        elif isinstance(ov, list):
            child, strategies, merge_key = _lookup(schema, key)
            retain_keys, strategy = _retain_and_strategy(strategies)
            if strategy == "merge":
                add, dele, order = _diff_lists(ov, mv, _schema.items_schema(child), merge_key,
                                               opts.with_retain(retain_keys))
                if add:
                    patch[key] = add
                if dele:
                    patch[f"{DELETE_PRIMITIVE_PREFIX}/{key}"] = dele
                if order:
                    patch[f"{SET_ORDER_PREFIX}/{key}"] = order
            elif not opts.ignore_changes and ov != mv:
                patch[key] = mv
        elif not opts.ignore_changes and ov != mv:
            patch[key] = mv
    if not opts.ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain and (patch or any(v is not None and k not in modified for k, v in original.items())):
        patch[RETAIN_KEYS] = _sorted_scalars(retain)
    return patch


def _diff_lists(original: list, modified: list, elem_schema, merge_key: str, opts: _DiffOptions):
    """(additions and changes, primitive deletions, $setElementOrder list) of a merging list."""
    if not original:
        if not modified or opts.ignore_changes:
            return [], [], []
        return modified, [], []
    kind = _elem_kind(original, modified)
    order = []
    if kind == "map":
        patch_list, delete_list = _diff_lists_of_maps(original, modified, elem_schema, merge_key, opts)
        patch_list = _normalize_slice_order(patch_list, modified, merge_key, kind)
        order_same = len(original) == len(modified) and all(
            _merge_key_equal(o, m, merge_key) for o, m in zip(original, modified))
        patch_list = patch_list + delete_list
        delete_list = []
        if opts.set_element_order and ((not opts.ignore_changes and (patch_list or not order_same))
                                       or (not opts.ignore_deletions and patch_list)):
            order = [{merge_key: m[merge_key]} for m in modified]
    else:
        patch_list, delete_list = _diff_lists_of_scalars(original, modified, opts)
        patch_list = _normalize_slice_order(patch_list, modified, "", kind)
        if opts.set_element_order and ((not opts.ignore_deletions and delete_list)
                                       or (not opts.ignore_changes and original != modified)):
            order = modified
    return patch_list, delete_list, order


def _diff_lists_of_scalars(original: list, modified: list, opts: _DiffOptions):
    orig = _sorted_scalars(original)
    mod = _sorted_scalars(modified)
    add, dele = [], []
    oi = mi = 0
    while oi < len(orig) or mi < len(mod):
        os_ = _go_str(orig[oi]) if oi < len(orig) else None
        ms = _go_str(mod[mi]) if mi < len(mod) else None
        if os_ is not None and ms is not None and os_ == ms:
            oi += 1
            mi += 1
        elif os_ is None or (ms is not None and os_ > ms):
            if not opts.ignore_changes:
                add.append(mod[mi])
            mi += 1
        else:
            if not opts.ignore_deletions:
                dele.append(orig[oi])
            oi += 1
    seen, unique = set(), []
    for v in dele:
        if _key(v) not in seen:
            seen.add(_key(v))
            unique.append(v)
    return add, unique


def _diff_lists_of_maps(original: list, modified: list, elem_schema, merge_key: str, opts: _DiffOptions):
    def sort_key(m):
        if not isinstance(m, dict):
            raise _bad_arg_type("map", m)
        if merge_key not in m:
            raise _no_merge_key(m, merge_key)
        return _go_str(m[merge_key])
    orig = sorted(original, key=sort_key)
    mod = sorted(modified, key=sort_key)
    patch, deletions = [], []
    oi = mi = 0
    while oi < len(orig) or mi < len(mod):
        os_ = sort_key(orig[oi]) if oi < len(orig) else None
        ms = sort_key(mod[mi]) if mi < len(mod) else None
        if os_ is not None and ms is not None and os_ == ms:
            sub = _diff_maps(orig[oi], mod[mi], elem_schema, opts)
            if sub:
                sub[merge_key] = mod[mi][merge_key]
                patch.append(sub)
            oi += 1
            mi += 1
        elif os_ is None or (ms is not None and os_ > ms):
            if not opts.ignore_changes:
                patch.append(mod[mi])
            mi += 1
        else:
            if not opts.ignore_deletions:
                deletions.append({merge_key: orig[oi][merge_key], DIRECTIVE: "delete"})
            oi += 1
    return patch, deletions


def create_two_way_merge_patch(original: dict, modified: dict, schema: dict | None) -> dict:
    """The strategic merge patch turning `original` into `modified` (kubectl edit's patch)."""
    if schema is None:
        return create_merge_patch(original, modified)
    return _diff_maps(_clone(original), _clone(modified), schema, _DiffOptions())


def create_three_way_merge_patch(original: dict | None, modified: dict, current: dict,
                                 schema: dict | None) -> dict:
    """kubectl client-side apply's patch (strategicpatch.CreateThreeWayMergePatch, overwrite on).

    Deletions come from `original` (the last-applied configuration) vs `modified` (the new
    configuration), additions and changes from `current` (the live object) vs `modified`, so a
    field someone else set and that was never in the applied configuration survives. Merging
    lists carry `$setElementOrder/<field>` as kubectl sends it. Without a schema (custom
    resources) the JSON merge patch variant is used.
    """
    if schema is None:
        return create_three_way_json_merge_patch(original, modified, current)
    original = _clone(original or {})
    modified = _clone(modified)
    current = _clone(current or {})
    delta = _diff_maps(current, modified, schema, _DiffOptions(ignore_deletions=True))
    deletions = _diff_maps(original, modified, schema, _DiffOptions(ignore_changes=True))
    return _merge_map(deletions, delta, schema, parallel=False, ignore_nulls=False)
