"""kubectl apply (client-side three-way merge, or --server-side), and the manifest reader that
apply, create, delete and get -f share."""
from __future__ import annotations

import json
import os
import sys


from pykubectl.cli.errors import CLIError, report
from pykubectl.cli.flags import DRY_RUN, Flag, filename_flags

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_EXTS = (".yaml", ".yml", ".json")


def decode_text(data: bytes) -> str:
    """As kubectl's FileVisitor reads a file: a UTF-16/UTF-8 byte-order mark is honoured
    (unicode.BOMOverride), anything else is UTF-8 with invalid bytes replaced."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def _read_source(src: str) -> str:
    if src == "-":
        return decode_text(sys.stdin.buffer.read()) if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if src.startswith(("http://", "https://")):
        import urllib.request
        import urllib.error
        try:
            with urllib.request.urlopen(src, timeout=30) as r:
                return decode_text(r.read())
        except urllib.error.HTTPError as e:
            raise CLIError(f'unable to read URL "{src}", server reported {e.code} {e.reason}, status code={e.code}')
        except OSError as e:
            raise CLIError(f'unable to read URL "{src}": {e}')
    with open(src, "rb") as f:
        return decode_text(f.read())


def _expand(path: str, recursive: bool) -> list[str]:
    if path == "-" or path.startswith(("http://", "https://")):
        return [path]
    if not os.path.exists(path):
        raise CLIError(f'the path "{path}" does not exist')
    if os.path.isdir(path):
        return _walk(path, recursive)
    return [path]


def _walk(path: str, recursive: bool) -> list[str]:
    """filepath.Walk's lexical order: a folder's entries sorted, sub-folders visited in place."""
    out = []
    for name in sorted(os.listdir(path)):
        full = os.path.join(path, name)
        if os.path.isdir(full):
            if recursive:
                out.extend(_walk(full, True))
        elif name.endswith(_EXTS):
            out.append(full)
    return out


def read_manifests(filenames, recursive: bool, validate: bool = False):
    """Yield (object, duplicate fields, source) for every document; `kind: List` is expanded.
    With `validate` (apply, create, replace unless --validate=false) a document without kind or
    apiVersion is refused by kubectl's schema validation; otherwise by its decoder."""
    from pykubectl.yamlio import ManifestError, load_documents
    for fn in filenames:
        for path in _expand(fn, recursive):
            text = _read_source(path)
            src = "STDIN" if path == "-" else path
            try:
                docs = load_documents(text, src)
            except ManifestError as e:
                raise CLIError(f'error parsing {src}: {e}')
            for obj, dupes in docs:
                if not isinstance(obj, dict):
                    from pykubectl.api.typenames import json_kind
                    _refuse(src, validate, "invalid object to validate",
                            "json: cannot unmarshal " + json_kind(obj) + " into Go value of type unstructured.detector")
                if obj.get("kind", "").endswith("List") and isinstance(obj.get("items"), list):
                    for it in obj["items"]:
                        yield it, [], src
                    continue
                if not obj.get("kind"):
                    _refuse(src, validate, "kind not set", f"Object 'Kind' is missing in '{_go_json(obj)}'")
                if not obj.get("apiVersion"):
                    if validate:
                        _refuse(src, True, "apiVersion not set", "")
                    raise CLIError(f'unable to recognize "{src}": no matches for kind "{obj["kind"]}" in version ""')
                _check_accessors(obj, src)
                yield obj, dupes, src


_VALIDATION_HINT = "; if you choose to ignore these errors, turn validation off with --validate=false"


def _refuse(src, validate, invalid, undecodable):
    if validate:
        raise CLIError(f'error validating "{src}": error validating data: {invalid}{_VALIDATION_HINT}')
    raise CLIError(f'unable to decode "{src}": {undecodable}')


def _go_json(obj) -> str:
    """encoding/json's compact form (map keys sorted, <>& escaped) for kubectl's decode errors."""
    out = json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _go_v(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_go_v(x)}" for k, x in sorted(v.items())) + "]"
    if isinstance(v, list):
        return "[" + " ".join(_go_v(x) for x in v) + "]"
    return str(v)


def _check_accessors(obj: dict, src: str) -> None:
    """What unstructured's accessors refuse before any request is made (kubectl's decoding)."""
    from pykubectl.api.typenames import go_type
    meta = obj.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        raise CLIError(f'unable to decode "{src}": .metadata accessor error: {_go_v(meta)} is of the type '
                       f'{go_type(meta)}, expected map[string]interface{{}}')
    for field in ("name", "namespace", "generateName"):
        v = (meta or {}).get(field)
        if v is not None and not isinstance(v, str):
            raise CLIError(f'unable to decode "{src}": .metadata.{field} accessor error: {_go_v(v)} is of the type '
                           f'{go_type(v)}, expected string')


def validate_mode(v: str) -> str:
    m = {"strict": "Strict", "true": "Strict", "warn": "Warn", "ignore": "Ignore", "false": "Ignore"}
    if v.lower() not in m:
        raise CLIError(f'invalid - validate option "{v}"; must be one of: strict (or true), warn, ignore (or false)')
    return m[v.lower()]


def dry_run_mode(v: str | None) -> str:
    if v in (None, "none"):
        return "none"
    if v in ("client", "server"):
        return v
    if v == "unchanged":
        return "client"
    raise CLIError(f'Invalid dry-run value ({v}). Must be "none", "server", or "client".')


def kind_name(kind) -> str:
    k = kind.kind.lower()
    return f"{k}.{kind.group}" if kind.group else k


def target_namespace(kind, obj, flag_ns, default_ns):
    """Namespace of a manifest object, refusing a mismatch with an explicit -n as kubectl does."""
    if not kind.namespaced:
        return None
    obj_ns = (obj.get("metadata") or {}).get("namespace")
    if obj_ns and flag_ns and obj_ns != flag_ns:
        raise CLIError(f'the namespace from the provided object "{obj_ns}" does not match the namespace "{flag_ns}". You must pass \'--namespace={obj_ns}\' to perform this operation.')
    return obj_ns or flag_ns or default_ns


def resolve_manifest_kind(client, obj, src):
    from pykubectl.api.kinds import NoKindMatch
    try:
        return client.for_gvk(obj.get("apiVersion", ""), obj.get("kind", ""))
    except NoKindMatch as e:
        m = obj.get("metadata") or {}
        raise CLIError(f'resource mapping not found for name: "{m.get("name", "")}" namespace: "{m.get("namespace", "")}" from "{src}": {e}\nensure CRDs are installed first')


def suffix(dry: str) -> str:
    return {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")


def print_warnings(warnings, err):
    for w in warnings or ():
        err.write(f"Warning: {w}\n")


USAGE = "kubectl apply (-f FILENAME | -k DIRECTORY) [options]"
LONG = """Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.

 JSON and YAML formats are accepted."""
EXAMPLES = """  # Apply the configuration in pod.json to a pod
  kubectl apply -f ./pod.json

  # Apply the JSON passed into stdin to a pod
  cat pod.json | kubectl apply -f -
"""
FLAGS = filename_flags("apply") + [
    Flag("server-side", kind="bool", help="If true, apply runs in the server instead of the client."),
    Flag("force-conflicts", kind="bool", help="If true, server-side apply will force the changes against conflicts."),
    Flag("field-manager", default="kubectl-client-side-apply", help="Name of the manager used to track field ownership."),
    DRY_RUN,
    Flag("validate", default="strict", no_opt="strict", help='Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.'),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("selector", "l", help="Selector (label query) to filter on."),
    Flag("prune", kind="bool", help="Automatically delete resource objects, that do not appear in the configs and are created by either apply or create --save-config."),
    Flag("all", kind="bool", help="Select all resources in the namespace of the specified resource types."),
    Flag("force", kind="bool", help="If true, immediately remove resources from API and bypass graceful deletion."),
    Flag("overwrite", kind="bool", default=True, help="Automatically resolve conflicts between the modified and live configuration by using values from the modified configuration"),
]


def run(g, o, args):
    """Apply a configuration to a resource by file name or stdin."""
    filename, kustomize, recursive = o.filename, o.kustomize, o.recursive
    server_side, force_conflicts, dry_run, validate = o.server_side, o.force_conflicts, o.dry_run, o.validate
    field_manager = o.field_manager if "field_manager" in o.changed else None
    if args:
        raise CLIError(f"Unexpected args: {list(args)}\nSee 'kubectl apply -h' for help and examples")
    if not filename and not kustomize:
        raise CLIError("must specify one of -f and -k")
    if kustomize:
        raise CLIError("kustomize (-k) is not supported by pykubectl yet")
    if o.prune and not (o.all or o.selector):
        raise CLIError("all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector")
    if o.all and o.selector:
        raise CLIError("cannot set --all and --selector at the same time")
    mode = validate_mode(validate)
    dry = dry_run_mode(dry_run)
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    out, err = sys.stdout, sys.stderr
    failed = []
    visited = []   # (kind, namespace, uid) of what was applied, for --prune
    selector = None
    if o.selector:
        from pykubectl.api.selectors import parse_label_selector
        selector = parse_label_selector(o.selector)
    # one reconcile after the whole manifest set (LocalClient.batch), not one per object
    with client.batch():
        for obj, dupes, src in read_manifests(filename, recursive, validate=mode != "Ignore"):
            kind = resolve_manifest_kind(client, obj, src)
            ns = target_namespace(kind, obj, g.namespace, client.namespace)
            if selector is not None and not selector.matches((obj.get("metadata") or {}).get("labels") or {}):
                continue   # -l applies only the objects it selects
            name = (obj.get("metadata") or {}).get("name", "")
            if not name:
                gen = (obj.get("metadata") or {}).get("generateName")
                if gen:
                    raise CLIError(f"from {gen}: cannot use generate name with apply")
                gv = kind.api_version if kind.group else f"/{kind.version}"
                raise CLIError(f'error when retrieving current configuration of:\nResource: "{gv}, Resource={kind.plural}", '
                               f'GroupVersionKind: "{gv}, Kind={kind.kind}"\nName: "", Namespace: "{ns or ""}"\n'
                               f'from server for: "{src}": resource name may not be empty')
            try:
                if server_side:
                    res, warns = client.patch(kind, ns, name, "apply", obj, dry_run=(dry != "none"),
                                              field_manager=field_manager or "kubectl",
                                              force=force_conflicts, field_validation=mode)
                    print_warnings(warns, err)
                    verb = "serverside-applied"
                else:
                    try:
                        verb, warns = _client_side_apply(client, kind, ns, obj, dupes, dry, mode,
                                                         field_manager or "kubectl-client-side-apply")
                    except StatusError as e:
                        if not (o.force and e.code in (409, 422)) or dry != "none":
                            raise
                        # --force: the patch cannot be applied, so delete and re-create the object
                        client.delete(kind, ns, name)
                        _wait_deleted(client, kind, ns, name)
                        verb, warns = _client_side_apply(client, kind, ns, obj, dupes, dry, mode,
                                                         field_manager or "kubectl-client-side-apply")
                        verb = "configured"
                    print_warnings(warns, err)
                visited.append((kind, ns, _uid(client, kind, ns, name, dry)))
            except StatusError as e:
                if server_side and e.code == 409 and e.message.startswith("Apply failed"):
                    # kubectl wraps a field-manager conflict into a plain error with its advice
                    failed.append(CLIError(f"{e.message}\n{FIELD_MANAGER_CONFLICT}"))
                    continue
                if e.code in (400, 422, 409) or e.reason in ("BadRequest", "Invalid", "AlreadyExists"):
                    e.message = f'error when creating "{src}": {e.message}' if not _exists(client, kind, ns, name) \
                        else f'error when applying patch to "{src}": {e.message}'
                failed.append(e)
                continue
            out.write(f"{kind_name(kind)}/{name} {verb}{suffix(dry)}\n")
    if o.prune and not failed:
        _prune(client, visited, o.selector, dry, out)
    report(failed, err)


FIELD_MANAGER_CONFLICT = """Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"""


# kubectl's default --prune-allowlist
PRUNE_ALLOWLIST = ("configmaps", "endpoints", "namespaces", "persistentvolumeclaims", "persistentvolumes",
                   "pods", "replicationcontrollers", "secrets", "services", "jobs.batch", "cronjobs.batch",
                   "ingresses.networking.k8s.io", "daemonsets.apps", "deployments.apps", "replicasets.apps",
                   "statefulsets.apps")


def _uid(client, kind, ns, name, dry):
    if dry != "none":
        return None
    from pykubectl.api.errors import StatusError
    try:
        return client.get(kind, ns, name)["metadata"].get("uid")
    except StatusError:
        return None


def _wait_deleted(client, kind, ns, name, timeout: float = 60.0):
    from pykubectl.cli.delete import _wait_gone
    _wait_gone(client, [(kind, ns, name)], timeout)


def _prune(client, visited, selector, dry, out):
    """Legacy prune: objects of the allowlisted kinds, in the namespaces visited, carrying the
    last-applied annotation and matching the selector, that this apply did not touch, go."""
    kept = {uid for _, _, uid in visited if uid}
    namespaces = sorted({ns for k, ns, _ in visited if k.namespaced and ns})
    for res in PRUNE_ALLOWLIST:
        kind = client.resolve(res)
        scopes = namespaces if kind.namespaced else [None]
        for ns in scopes:
            for obj in client.list(kind, ns, selector or None)["items"]:
                meta = obj["metadata"]
                if meta.get("uid") in kept or LAST_APPLIED not in (meta.get("annotations") or {}):
                    continue
                if dry == "none":
                    client.delete(kind, meta.get("namespace"), meta["name"], propagation="Background")
                elif dry == "server":
                    client.delete(kind, meta.get("namespace"), meta["name"], dry_run=True)
                out.write(f"{kind_name(kind)}/{meta['name']} pruned{suffix(dry)}\n")


def _exists(client, kind, ns, name) -> bool:
    from pykubectl.api.errors import StatusError
    try:
        client.get(kind, ns, name)
        return True
    except StatusError:
        return False


def _annotated(obj: dict, ns: str | None = None) -> tuple[dict, str]:
    """The object with its new last-applied annotation, and that annotation's value, as
    kubectl's GetModifiedConfiguration makes it: the object as sent (with the namespace the
    builder gave it, `ns` for a namespaced kind) and an annotations map, empty if need be."""
    import copy
    clean = copy.deepcopy(obj)
    meta = clean.setdefault("metadata", {})
    if ns and not meta.get("namespace"):
        meta["namespace"] = ns
    ann = meta.get("annotations") or {}
    ann.pop(LAST_APPLIED, None)
    meta["annotations"] = ann
    last = json.dumps(_sorted(clean), separators=(",", ":"), ensure_ascii=False) + "\n"
    modified = copy.deepcopy(clean)
    modified.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED] = last
    return modified, last


def _sorted(o):
    # kubectl writes the annotation from a Go map: keys sorted
    if isinstance(o, dict):
        return {k: _sorted(o[k]) for k in sorted(o)}
    if isinstance(o, list):
        return [_sorted(v) for v in o]
    return o


class ApplyRequest:
    """What client-side apply would send for one manifest object, as kubectl's apply and diff
    both compute it: `method` is "create", "patch" (`body` of `patch_type`), "update" (an object
    at another served version, see _at_version) or None when nothing would change; `live` is the
    object read (None when absent); `warnings` what kubectl warns before sending."""
    __slots__ = ("live", "method", "body", "patch_type", "warnings")

    def __init__(self, live, method, body=None, patch_type=None, warnings=()):
        self.live, self.method, self.body, self.patch_type = live, method, body, patch_type
        self.warnings = list(warnings)

    def send(self, client, kind, ns, name, *, dry_run: bool, field_manager: str, duplicates=(), **opts):
        """Send the request: (result, warnings). `opts` (field_validation) go to the client; the
        manifest's duplicate fields only with a create, the one request carrying it as written."""
        if self.method == "create":
            return client.create(kind, self.body, ns, dry_run=dry_run, field_manager=field_manager,
                                 duplicates=duplicates, **opts)
        if self.method == "update":
            return client.update(kind, self.body, ns, dry_run=dry_run, field_manager=field_manager, **opts)
        return client.patch(kind, ns, name, self.patch_type, self.body, dry_run=dry_run,
                            field_manager=field_manager, **opts)


def live_object(client, kind, ns, name) -> dict | None:
    """The object as the server has it, None when it does not exist."""
    from pykubectl.api.errors import StatusError
    try:
        return client.get(kind, ns, name)
    except StatusError as e:
        if e.code != 404:
            raise
        return None


def client_side_apply_request(client, kind, ns, obj) -> ApplyRequest:
    """The three-way merge of kubectl's client-side apply: the last-applied configuration, the
    manifest (with its new annotation) and the live object make a create or a patch."""
    name = obj["metadata"]["name"]
    modified, _ = _annotated(obj, ns if kind.namespaced else None)
    current = live_object(client, kind, ns, name)
    if current is None:
        return ApplyRequest(None, "create", modified)
    from pykubectl.api import patch as P
    original_s = ((current.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    original = json.loads(original_s) if original_s else None
    pre_warn = []
    if original_s is None:
        plural = kind.resource
        pre_warn.append(f"resource {plural}/{name} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.")
    av = obj.get("apiVersion")
    if av != current.get("apiVersion") and not kind.crd and hasattr(client, "cluster"):
        from pykubectl.api import conversion
        if conversion.reshaped(kind.group, kind.kind):
            merged = _at_version(kind, original, modified, current, av)
            return ApplyRequest(current, "update" if merged is not None else None, merged, None, pre_warn)
    if kind.crd:
        patch = P.create_three_way_json_merge_patch(original, modified, current)
        ptype = "merge"
    else:
        schema = client.server.schema_for(kind) if hasattr(client, "server") else None
        patch = P.create_three_way_merge_patch(original, modified, current, schema)
        ptype = "strategic"
    return ApplyRequest(current, "patch" if patch else None, patch, ptype, pre_warn)


def _at_version(kind, original, modified, current, av) -> dict | None:
    """For a manifest at another served version of a kind whose versions differ in shape (an
    autoscaling/v1 HPA), in-process: the three-way merge computed at the manifest's version, as
    kubectl computes it against the object read at that version, and its result (None when
    nothing changes) to be written back whole (the apiserver core converts it to the stored
    version)."""
    from pykubectl.api import conversion
    from pykubectl.api import patch as P
    from pykubectl.api.schema import kind_schema
    version = av.rpartition("/")[2]
    seen = conversion.convert(current, kind.group, kind.kind, version)
    schema = kind_schema(kind.group, version, kind.kind)
    patch = P.create_three_way_merge_patch(original, modified, seen, schema)
    if not patch:
        return None
    merged = P.strategic_merge_patch(seen, patch, schema)
    merged.setdefault("metadata", {})["resourceVersion"] = current["metadata"].get("resourceVersion")
    return merged


def _client_side_apply(client, kind, ns, obj, dupes, dry, mode, manager):
    req = client_side_apply_request(client, kind, ns, obj)
    if req.method is None:
        return "unchanged", req.warnings
    verb = "created" if req.method == "create" else "configured"
    if dry == "client":
        return verb, req.warnings
    res, warns = req.send(client, kind, ns, obj["metadata"]["name"], dry_run=(dry == "server"),
                          field_manager=manager, field_validation=mode, duplicates=dupes)
    if req.method == "patch" and dry != "server" \
            and res.get("metadata", {}).get("resourceVersion") == req.live["metadata"].get("resourceVersion"):
        return "unchanged", req.warnings + list(warns or ())
    return verb, req.warnings + list(warns or ())
