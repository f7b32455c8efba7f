"""kubectl edit: the objects as YAML (or JSON) in $KUBE_EDITOR / $EDITOR / vi, each change sent
as a patch (strategic for built-in kinds, merge for custom resources; manager kubectl-edit).
A refused change reopens the file with the reasons at the top; saving it unchanged gives up."""
from __future__ import annotations

import os
import sys

from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import Flag

USAGE = "kubectl edit (RESOURCE/NAME | -f FILENAME) [options]"
LONG = """Edit a resource from the default editor.

 The edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. When attempting to open the editor, it will first attempt to use the shell that has been defined in the 'SHELL' environment variable. If this is not defined, the default shell will be used, which is '/bin/bash' for Linux or 'cmd' for Windows.

 You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 Editing is done with the API version used to fetch the resource. To edit using a specific API version, fully-qualify the resource, version, and group.

 The default format is YAML. To edit in JSON, specify "-o json".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version."""
EXAMPLES = """  # Edit the service named 'registry'
  kubectl edit svc/registry

  # Use an alternative editor
  KUBE_EDITOR="nano" kubectl edit svc/registry

  # Edit the job 'myjob' in JSON using the v1 API format
  kubectl edit job.v1.batch/myjob -o json

  # Edit the deployment 'mydeployment' in YAML and save the modified config in its annotation
  kubectl edit deployment/mydeployment -o yaml --save-config

  # Edit the 'status' subresource for the 'mydeployment' deployment
  kubectl edit deployment mydeployment --subresource='status'
"""
FLAGS = [
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("field-manager", default="kubectl-edit", help="Name of the manager used to track field ownership."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files to use to edit the resource"),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("output-patch", kind="bool", help="Output the patch if the resource is edited."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("save-config", kind="bool", help="If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("subresource", help="If specified, edit will operate on the subresource of the requested object. This flag is beta and may change in the future."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("validate", default="strict", no_opt="strict", help='Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.'),
    Flag("windows-line-endings", kind="bool", help="Defaults to the line ending native to your platform."),
]

HEADER = """# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
"""


# ---------------------------------------------------------------- pure helpers

def manual_strip(text: str) -> str:
    """cmdutil.ManualStrip: drop comment lines (but not `#!`)."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        t = line.strip()
        if t.startswith("#") and not t.startswith("#!"):
            continue
        out.append(line + ("\n" if i < len(lines) - 1 else ""))
    return "".join(out)


def strip_comments(text: str):
    """cmdutil.StripComments: the document as data when it parses (yaml.ToJSON), else the text
    without comment lines; two files compare equal when these do."""
    from pykubectl.yamlio import ManifestError, load_one
    try:
        return ("data", load_one(text))
    except ManifestError:
        return ("text", manual_strip(text))


def header(reasons: list[tuple[str, list[str]]]) -> str:
    """editHeader.writeTo: the fixed text, then each failure and its causes."""
    out = [HEADER]
    for head, other in reasons:
        out.append(f"# {_hash_breaks(head)}{':' if other else ''}\n")
        out.extend(f"# * {_hash_breaks(x)}\n" for x in other)
        out.append("#\n")
    return "".join(out)


def _hash_breaks(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\n", "\n# ")


def editor_args(env) -> list[str]:
    """editor.NewDefaultEditor([KUBE_EDITOR, EDITOR]): split on spaces, or hand quoting to a shell."""
    editor = ""
    for name in ("KUBE_EDITOR", "EDITOR"):
        editor = env.get(name, "")
        if editor:
            break
    editor = editor or "vi"
    if " " not in editor:
        return [editor]
    if not any(c in editor for c in "\"'\\"):
        return editor.split(" ")
    return [env.get("SHELL") or "/bin/bash", "-c", editor]


def resource_string(kind) -> str:
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural


# ---------------------------------------------------------------- the command

def _launch(env, text: str, ext: str) -> tuple[str, str]:
    """edit.LaunchTempFile: write the buffer to a temp file, run the editor on it, read it back."""
    import random
    import subprocess
    import tempfile
    # os.CreateTemp's names: the prefix, a random decimal number, the suffix
    while True:
        path = os.path.join(tempfile.gettempdir(), f"kubectl-edit-{random.randrange(1 << 32)}{ext}")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            continue
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    args = editor_args(env)
    if args[-2:-1] == ["-c"]:
        argv = args[:-1] + [f'{args[-1]} "{path}"']
    else:
        argv = args + [path]
    shown = " ".join(args)
    try:
        rc = subprocess.call(argv, env=dict(env))
    except OSError:
        raise CLIError(f'unable to launch the editor "{shown}"')
    if rc != 0:
        raise CLIError(f'there was a problem with the editor "{shown}"')
    with open(path, encoding="utf-8", newline="") as f:
        return f.read(), path


def _preserved(err: Exception, path: str):
    """preservedFile: say where the user's changes are kept, then fail with err."""
    if path and os.path.exists(path):
        sys.stderr.write(f'A copy of your changes has been stored to "{path}"\n')
    return err


def _printable(obj: dict, show_managed: bool) -> dict:
    if show_managed or "managedFields" not in (obj.get("metadata") or {}):
        return obj
    return dict(obj, metadata={k: v for k, v in obj["metadata"].items() if k != "managedFields"})


def run(g, o, args):
    """Edit a resource from the default editor."""
    import copy
    from pykubectl.cli.apply import validate_mode
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import collect, finish
    from pykubectl.printers import output as P
    fmt = o.output or "yaml"
    if fmt not in ("yaml", "json"):
        raise CLIError(f'unable to match a printer suitable for the output format "{fmt}", allowed formats are: json,yaml')
    if o.subresource and o.subresource != "status":
        raise CLIError(f'invalid subresource value: "{o.subresource}". Must be one of [status]')
    from pykubectl.cli.metadata_verbs import no_kustomize
    no_kustomize(o)
    mode = validate_mode(o.validate)
    client = make_client(g)
    errors: list = []
    # a bare type edits every object of it (ResourceTypeOrNameArgs(true, ...))
    targets, _single = collect(client, g, resources=list(args), filenames=o.filename,
                               recursive=o.recursive, all_=not o.filename and len(args) == 1 and "/" not in args[0],
                               errors=errors)
    if not targets:
        finish(errors)
        raise CLIError("edit cancelled, no objects found")
    finish(errors)
    ext = ".json" if fmt == "json" else ".yaml"
    originals = [_printable(t.obj, o.show_managed_fields) for t in targets]
    doc = originals[0] if len(originals) == 1 else P.as_list(originals)
    printed = P.to_json(doc) if fmt == "json" else P.to_yaml(doc)
    if o.windows_line_endings:
        printed = printed.replace("\n", "\r\n")
    reasons: list = []
    contains_error = False
    edited, path, prev_path = "", "", ""
    while True:
        buf = header(reasons) + (manual_strip(edited) if contains_error else printed)
        edited_diff = edited
        edited, path = _launch(g.env, buf, ext)
        if contains_error and strip_comments(edited_diff) == strip_comments(edited):
            raise _preserved(CLIError("Edit cancelled, no valid changes were saved."), path)
        if prev_path:
            _remove(prev_path)
        prev_path = ""
        if strip_comments(printed) == strip_comments(edited):
            _remove(path)
            sys.stderr.write("Edit cancelled, no changes made.\n")
            return
        if not manual_strip(edited).strip():
            _remove(path)
            sys.stderr.write("Edit cancelled, saved file was empty.\n")
            return
        prev_path = path
        reasons = []
        try:
            from pykubectl.yamlio import ManifestError, load_documents
            docs = load_documents(edited, "edited-file")
            objs = []
            for d, _dupes in docs:
                if d.get("kind", "").endswith("List") and isinstance(d.get("items"), list):
                    objs.extend(d["items"])
                else:
                    objs.append(d)
        except ManifestError as e:
            contains_error = True
            reasons.append((f"The edited file had a syntax error: {e}", []))
            continue
        contains_error = False
        try:
            result = _patch_all(client, targets, originals, objs, o, mode)
        except CLIError as e:
            raise _preserved(e, path)
        edit_failed, retryable, notfound, reasons = result
        if retryable:
            sys.stderr.write(f"You can run `kubectl replace -f {path}` to try this update again.\n")
            raise Printed(1)
        if notfound:
            sys.stderr.write(f'The edits you made on deleted resources have been saved to "{path}"\n')
            raise Printed(1)
        if not edit_failed:
            _remove(path)
            return
        contains_error = True


def _remove(path: str):
    try:
        os.remove(path)
    except OSError:
        pass


def _patch_all(client, targets, originals, objs, o, mode):
    """visitToPatch: one patch per changed object, matched to its original by uid."""
    from pykubectl.api import patch as P
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.metadata_verbs import print_obj
    by_uid = {(t.obj.get("metadata") or {}).get("uid"): (t, orig) for t, orig in zip(targets, originals)}
    edit_failed, retryable, notfound, reasons = 0, 0, 0, []
    for obj in objs:
        if not isinstance(obj, dict):
            raise CLIError("edited file is not an object")
        uid = (obj.get("metadata") or {}).get("uid")
        if uid not in by_uid:
            raise CLIError(f"no original object found for {obj.get('kind', '')} {(obj.get('metadata') or {}).get('name', '')}")
        t, orig = by_uid[uid]
        if o.save_config:
            from pykubectl.cli.apply import _annotated
            obj, _last = _annotated(obj)
        if obj == orig:
            print_obj(t.kind, obj, "skipped", "")
            continue
        om, nm = orig.get("metadata") or {}, obj.get("metadata") or {}
        if (obj.get("apiVersion") != orig.get("apiVersion") or obj.get("kind") != orig.get("kind")
                or nm.get("name") != om.get("name") or nm.get("managedFields") != om.get("managedFields")):
            raise CLIError("At least one of apiVersion, kind and name was changed")
        schema = None if t.kind.crd else client.server.schema_for(t.kind)
        if schema is None:
            ptype, body = "merge", P.create_merge_patch(orig, obj)
        else:
            ptype, body = "strategic", P.create_two_way_merge_patch(orig, obj, schema)
        if o.output_patch:
            from pykubectl.cli.metadata_verbs import go_json
            sys.stdout.write(f"Patch: {go_json(body)}\n")
        res = resource_string(t.kind)
        try:
            patched, _w = client.patch(t.kind, t.ns, t.name, ptype, body, subresource=o.subresource or None,
                                       field_manager=o.field_manager, field_validation=mode)
        except StatusError as e:
            if e.reason == "Invalid" or e.code == 422:
                edit_failed += 1
                causes = [f"{c.get('field', '')}: {c.get('message', '')}" for c in (e.details or {}).get("causes") or ()]
                reasons.append((f'{res} "{t.name}" was not valid', causes))
                sys.stderr.write(f'error: {res} "{t.name}" is invalid\n')
            elif e.code == 404:
                notfound += 1
                sys.stderr.write(f'error: {res} "{t.name}" could not be found on the server\n')
            else:
                retryable += 1
                sys.stderr.write(f'error: {res} "{t.name}" could not be patched: {e.message}\n')
            continue
        print_obj(t.kind, patched, "edited", "")
    return edit_failed, retryable, notfound, reasons
