"""kubectl diff -f: the live objects against what a server-side dry-run of apply would make them.

As kubectl does, each object is written as YAML into a LIVE-<n> and a MERGED-<n> directory under
the temp dir (file name `group.version.Kind.namespace.name`), and `diff -u -N LIVE MERGED` (or
$KUBECTL_EXTERNAL_DIFF) prints the difference; the exit code is diff's: 0 same, 1 different.
Secret values are masked as `***`.
"""
from __future__ import annotations

import os
import sys

from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import Flag

USAGE = "kubectl diff -f FILENAME [options]"
LONG = """Diff configurations specified by file name or stdin between the current online configuration, and the configuration as it would be if applied.

 The output is always YAML.

 KUBECTL_EXTERNAL_DIFF environment variable can be used to select your own diff command. Users can use external commands with params too, example: KUBECTL_EXTERNAL_DIFF="colordiff -N -u"

 By default, the "diff" command available in your path will be run with the "-u" (unified diff) and "-N" (treat absent files as empty) options.

 Exit status: 0 No differences were found. 1 Differences were found. >1 Kubectl or diff failed with an error.

 Note: KUBECTL_EXTERNAL_DIFF, if used, is expected to follow that convention."""
EXAMPLES = """  # Diff resources included in pod.json
  kubectl diff -f pod.json
  
  # Diff file read from stdin
  cat service.yaml | kubectl diff -f -
"""

FLAGS = [
    Flag("concurrency", kind="int", default=1, help="Number of objects to process in parallel when diffing against the live version. Larger number = faster, but more memory, I/O and CPU over that shorter period of time."),
    Flag("field-manager", default="kubectl-client-side-apply", help="Name of the manager used to track field ownership."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files contains the configuration to diff"),
    Flag("force-conflicts", kind="bool", help="If true, server-side apply will force the changes against conflicts."),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("prune", kind="bool", help="Include resources that would be deleted by pruning. Can be used with -l and default shows all resources would be pruned"),
    Flag("prune-allowlist", kind="array", help="Overwrite the default allowlist with <group/version/kind> for --prune"),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("server-side", kind="bool", help="If true, apply runs in the server instead of the client."),
    Flag("show-managed-fields", kind="bool", help="If true, include managed fields in the diff."),
]

_ARG_OK = __import__("re").compile(r"^[a-zA-Z0-9-=]+$")


def diff_command(env: dict, live_dir: str, merged_dir: str) -> list[str]:
    """kubectl's DiffProgram: `diff -u -N LIVE MERGED`, or $KUBECTL_EXTERNAL_DIFF's program with
    its plain arguments (letters, digits, `-`, `=`) after the two directories."""
    ext = env.get("KUBECTL_EXTERNAL_DIFF", "")
    if not ext:
        return ["diff", "-u", "-N", live_dir, merged_dir]
    words = ext.split(" ")
    return [words[0], live_dir, merged_dir] + [w for w in words[1:] if _ARG_OK.match(w)]


def file_name(kind, ns: str | None, name: str, version: str | None = None) -> str:
    """InfoObject.Name(): `apps.v1.Deployment.default.web`, `v1.Pod.default.x`, `v1.Namespace..x`."""
    group = f"{kind.group}." if kind.group else ""
    return f"{group}{version or kind.version}.{kind.kind}.{ns or ''}.{name}"


def mask_secrets(live: dict | None, merged: dict | None) -> tuple[dict | None, dict | None]:
    """kubectl's Masker: Secret values become `***`, or `*** (before)`/`*** (after)` when they differ."""
    import copy
    live, merged = copy.deepcopy(live), copy.deepcopy(merged)
    for field in ("data", "stringData"):
        a = (live or {}).get(field) if isinstance((live or {}).get(field), dict) else None
        b = (merged or {}).get(field) if isinstance((merged or {}).get(field), dict) else None
        for k in set(a or ()) | set(b or ()):
            if a is not None and b is not None and k in a and k in b and a[k] != b[k]:
                a[k], b[k] = "*** (before)", "*** (after)"
                continue
            if a is not None and k in a:
                a[k] = "***"
            if b is not None and k in b:
                b[k] = "***"
    return live, merged


def _strip_managed(obj):
    if obj is None:
        return None
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = dict(obj, metadata={k: v for k, v in meta.items() if k != "managedFields"})
    return obj


def run(g, o, args):
    """Diff the live version against a would-be applied version."""
    from pykubectl.cli.apply import read_manifests, resolve_manifest_kind, target_namespace
    from pykubectl.cli.context import client as make_client
    if args:
        raise CLIError(f"Unexpected args: {list(args)}\nSee 'kubectl diff -h' for help and examples")
    if not o.filename and not o.kustomize:
        raise CLIError("must specify one of -f and -k")
    if o.kustomize:
        raise CLIError("kustomize is not implemented in pykubectl yet")
    if o.prune:
        raise CLIError("--prune is not implemented in pykubectl yet")
    client = make_client(g)
    pairs = []
    selector = None
    if o.selector:
        from pykubectl.api.selectors import parse_label_selector
        selector = parse_label_selector(o.selector)
    for obj, _dupes, src in read_manifests(o.filename, o.recursive):
        if selector is not None and not selector.matches((obj.get("metadata") or {}).get("labels") or {}):
            continue
        kind = resolve_manifest_kind(client, obj, src)
        ns = target_namespace(kind, obj, g.namespace, client.namespace)
        name = (obj.get("metadata") or {}).get("name", "")
        live, merged = _live_and_merged(client, kind, ns, obj, o)
        version, live, merged = _at_manifest_version(kind, obj, live, merged)
        if not o.show_managed_fields:
            live, merged = _strip_managed(live), _strip_managed(merged)
        if kind.group == "" and kind.kind == "Secret":
            live, merged = mask_secrets(live, merged)
        pairs.append((file_name(kind, ns, name, version), live, merged))
    code = _run_diff(pairs, g.env)
    if code:
        raise Printed(code)


def _at_manifest_version(kind, obj, live, merged):
    """kubectl reads and dry-runs at the manifest's own version (its REST mapping), so both
    sides and the file name are at that version even where the kind resolved to another (the
    in-process client: an autoscaling/v1 HPA is read as the stored v2)."""
    version = (obj.get("apiVersion") or "").rpartition("/")[2]
    if not version or version == kind.version:
        return kind.version, live, merged
    from pykubectl.api import conversion
    at = [None if x is None else conversion.convert(x, kind.group, kind.kind, version) for x in (live, merged)]
    return version, at[0], at[1]


def _live_and_merged(client, kind, ns, obj, o):
    """The live object (None when absent) and the server's dry-run result of what apply would
    send for obj (client-side apply's own request, or a server-side apply)."""
    from pykubectl.cli.apply import client_side_apply_request, live_object
    name = obj["metadata"]["name"]
    if o.server_side:
        live = live_object(client, kind, ns, name)
        merged, _ = client.patch(kind, ns, name, "apply", obj, dry_run=True,
                                 field_manager=o.field_manager if "field_manager" in o.changed else "kubectl",
                                 force=o.force_conflicts)
        return live, merged
    req = client_side_apply_request(client, kind, ns, obj)
    if req.method is None:
        return req.live, req.live
    merged, _ = req.send(client, kind, ns, name, dry_run=True, field_manager=o.field_manager)
    return req.live, merged


def _temp_dir(prefix: str) -> str:
    # Go's os.MkdirTemp names: the prefix and a random decimal number
    import random
    import tempfile
    base = tempfile.gettempdir()
    while True:
        path = os.path.join(base, f"{prefix}-{random.randrange(10**9, 5 * 10**9)}")
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


def _run_diff(pairs, env) -> int:
    import shutil
    import subprocess
    from pykubectl.printers.output import to_yaml
    live_dir, merged_dir = _temp_dir("LIVE"), _temp_dir("MERGED")
    try:
        for fname, live, merged in pairs:
            for d, obj in ((live_dir, live), (merged_dir, merged)):
                if obj is not None:
                    with open(os.path.join(d, fname), "w", encoding="utf-8") as f:
                        f.write(to_yaml(obj))
        argv = diff_command(env, live_dir, merged_dir)
        sys.stdout.flush()
        try:
            p = subprocess.run(argv, stdout=sys.stdout, stderr=sys.stderr)
        except FileNotFoundError:
            raise CLIError(f'failed to run "{argv[0]}": executable file not found in $PATH') from None
        return p.returncode
    finally:
        shutil.rmtree(live_dir, ignore_errors=True)
        shutil.rmtree(merged_dir, ignore_errors=True)
