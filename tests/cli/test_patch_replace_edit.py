"""kubectl patch, replace and edit end to end. edit runs a real editor process: a small Python
script (EDITOR) that logs the buffer it was given and rewrites one string, so the header,
the reopen-on-error loop and the saved-copy message are checked as a user sees them."""
import json
import os
import re
import sys

import pytest

CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  a: "1"
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: c
    image: nginx
"""


@pytest.fixture
def cm(kube):
    kube("create", "-f", "-", input=CM, check=True)
    return kube


def obj(kube, *ref):
    return json.loads(kube("get", *ref, "-o", "json").out)


# ---------------------------------------------------------------- patch

PATCH_CASES = [
    (["patch", "cm", "cm", "-p", '{"data":{"a":"2"}}'], 0, "configmap/cm patched\n", "", {"a": "2"}),
    (["patch", "cm", "cm", "--type", "merge", "-p", "data: {b: x}"], 0, "configmap/cm patched\n", "", {"a": "1", "b": "x"}),
    (["patch", "cm/cm", "--type=json", "-p", '[{"op":"replace","path":"/data/a","value":"3"}]'], 0,
     "configmap/cm patched\n", "", {"a": "3"}),
    (["patch", "cm", "cm", "-p", '{"data":{"a":"2"}}', "--dry-run=client"], 0, "configmap/cm patched (dry run)\n", "", {"a": "1"}),
    (["patch", "cm", "cm", "-p", '{"data":{"a":"2"}}', "--dry-run=server"], 0,
     "configmap/cm patched (server dry run)\n", "", {"a": "1"}),
    (["patch", "cm", "cm", "-p", '{"data":{"a":"1"}}', "--dry-run=server"], 0,
     "configmap/cm patched (no change) (server dry run)\n", "", {"a": "1"}),
    (["patch", "cm", "cm", "-p", '{"data":{"a":"2"}}', "-o", "name"], 0, "configmap/cm\n", "", {"a": "2"}),
    (["patch", "cm", "nope", "-p", "{}"], 1, "", 'Error from server (NotFound): configmaps "nope" not found\n', {"a": "1"}),
    (["patch", "cm", "cm"], 1, "", "error: must specify --patch or --patch-file containing the contents of the patch\n", {"a": "1"}),
    (["patch", "cm", "cm", "-p", "{}", "--type", "foo"], 1, "",
     'error: --type must be one of [json merge strategic], not "foo"\n', {"a": "1"}),
    (["patch", "cm", "cm", "-p", "{}", "--patch-file", "x"], 1, "",
     "error: cannot specify --patch and --patch-file together\n", {"a": "1"}),
    (["patch", "cm", "cm", "-p", "{}", "--subresource", "foo"], 1, "",
     'error: invalid subresource value: "foo". Must be one of [status scale]\n', {"a": "1"}),
    (["patch", "cm", "cm", "-p", "{}", "--subresource", "scale"], 1, "",
     "Error from server (NotFound): the server could not find the requested resource\n", {"a": "1"}),
]


@pytest.mark.parametrize("cmd,code,out,err,data", PATCH_CASES, ids=[" ".join(c[0][3:]) for c in PATCH_CASES])
def test_patch(cm, cmd, code, out, err, data):
    r = cm(*cmd)
    assert (r.code, r.out, r.err) == (code, out, err)
    assert obj(cm, "cm", "cm")["data"] == data


def test_patch_that_changes_nothing_says_so(cm):
    r = cm("patch", "cm", "cm", "-p", '{"data":{"a":"1"}}')
    assert (r.code, r.out) == (0, "configmap/cm patched (no change)\n")


def test_patch_errors_come_from_the_apiserver(kube, tmp_path):
    kube("create", "-f", "-", input=POD, check=True)
    r = kube("patch", "pod", "web", "-p", '{"spec":{"containers":[{"name":"c","image":""}]}}')
    assert (r.code, r.err) == (1, 'The Pod "web" is invalid: spec.containers[0].image: Required value\n')
    f = tmp_path / "p.yaml"
    f.write_text("metadata:\n  labels:\n    tier: front\n")
    r = kube("patch", "pod", "web", "--patch-file", str(f))
    assert (r.code, r.out) == (0, "pod/web patched\n"), r.err
    assert obj(kube, "pod", "web")["metadata"]["labels"] == {"tier": "front"}
    r = kube("patch", "pod", "web", "--type", "json", "-p", '[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]')
    assert r.out == "pod/web patched\n", r.err
    assert obj(kube, "pod", "web")["spec"]["containers"][0]["image"] == "nginx:1.27"


# ---------------------------------------------------------------- replace

def test_replace_puts_the_file_and_refuses_stale_versions(cm, tmp_path):
    live = obj(cm, "cm", "cm")
    live["data"]["a"] = "2"
    f = tmp_path / "cm.json"
    f.write_text(json.dumps(live))
    r = cm("replace", "-f", str(f))
    assert (r.code, r.out, r.err) == (0, "configmap/cm replaced\n", "")
    assert obj(cm, "cm", "cm")["data"] == {"a": "2"}
    r = cm("replace", "-f", str(f))     # the file still carries the old resourceVersion
    assert (r.code, r.out) == (1, "")
    assert r.err == (f'Error from server (Conflict): error when replacing "{f}": Operation cannot be fulfilled on '
                     'configmaps "cm": the object has been modified; please apply your changes to the latest version and try again\n')


REPLACE_CASES = [
    (CM.replace('"1"', '"5"'), [], 0, "configmap/cm replaced\n", ""),
    (CM.replace('"1"', '"5"'), ["--dry-run=server"], 0, "configmap/cm replaced (server dry run)\n", ""),
    (CM.replace("name: cm", "name: nope"), [], 1, "",
     'Error from server (NotFound): error when replacing "STDIN": configmaps "nope" not found\n'),
    (CM, ["--grace-period=1"], 1, "", "error: --grace-period must have --force specified\n"),
    (CM, ["--timeout=3s"], 1, "", "error: --timeout must have --force specified\n"),
]


@pytest.mark.parametrize("manifest,flags,code,out,err", REPLACE_CASES,
                         ids=["replaced", "server dry run", "absent", "grace without force", "timeout without force"])
def test_replace_from_stdin(cm, manifest, flags, code, out, err):
    r = cm("replace", "-f", "-", *flags, input=manifest)
    assert (r.code, r.out, r.err) == (code, out, err)


def test_replace_needs_a_file(kube):
    r = kube("replace")
    assert (r.code, r.err) == (1, "error: must specify one of -f and -k\n")


def test_replace_force_deletes_then_creates(kube):
    kube("create", "-f", "-", input=POD, check=True)
    uid = obj(kube, "pod", "web")["metadata"]["uid"]
    r = kube("replace", "--force", "-f", "-", input=POD.replace("image: nginx", "image: nginx:1.27"))
    assert (r.code, r.out, r.err) == (0, 'pod "web" deleted\npod/web replaced\n', "")
    now = obj(kube, "pod", "web")
    assert now["metadata"]["uid"] != uid and now["spec"]["containers"][0]["image"] == "nginx:1.27"


# ---------------------------------------------------------------- edit

EDITOR = """import os, sys
path = sys.argv[-1]
text = open(path).read()
with open(os.environ["EDIT_LOG"], "a") as f:
    f.write(text + "\\n<<END>>\\n")
open(path, "w").write(text.replace(os.environ["EDIT_FROM"], os.environ["EDIT_TO"], 1))
"""

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
          "# reopened with the relevant failures.\n#\n")


@pytest.fixture
def editor(kube, tmp_path):
    """Point EDITOR at the script; returns a function setting the replacement and reading the log."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    log = tmp_path / "edit.log"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    kube.env.update(EDITOR=f"{sys.executable} {script}", EDIT_LOG=str(log), TMPDIR=str(tmp))
    kube.env.pop("KUBE_EDITOR", None)

    def set_edit(src, dst):
        kube.env.update(EDIT_FROM=src, EDIT_TO=dst)
        if log.exists():
            log.unlink()

    def buffers():
        return log.read_text().split("\n<<END>>\n")[:-1] if log.exists() else []
    set_edit.buffers = buffers
    set_edit.tmp = tmp
    return set_edit


def test_edit_applies_the_change_as_a_patch(cm, editor):
    editor('a: "1"', 'a: "2"')
    r = cm("edit", "cm", "cm")
    assert (r.code, r.out, r.err) == (0, "configmap/cm edited\n", "")
    assert obj(cm, "cm", "cm")["data"] == {"a": "2"}
    (buf,) = editor.buffers()
    assert buf.startswith(HEADER + "apiVersion: v1\ndata:\n  a: \"1\"\nkind: ConfigMap\nmetadata:\n")
    assert "managedFields" not in buf
    assert os.listdir(editor.tmp) == []      # the temp file is removed on success


def test_edit_unchanged_is_cancelled(cm, editor):
    editor("no such text", "x")
    r = cm("edit", "configmap/cm")
    assert (r.code, r.out, r.err) == (0, "", "Edit cancelled, no changes made.\n")


def test_edit_emptied_file_is_cancelled(cm, editor, tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("import sys\nopen(sys.argv[-1], 'w').write('# only a comment\\n')\n")
    cm.env["EDITOR"] = f"{sys.executable} {empty}"
    r = cm("edit", "cm", "cm")
    assert (r.code, r.out, r.err) == (0, "", "Edit cancelled, saved file was empty.\n")


def test_edit_in_json(cm, editor):
    editor('"a": "1"', '"a": "7"')
    r = cm("edit", "cm", "cm", "-o", "json")
    assert (r.code, r.out) == (0, "configmap/cm edited\n"), r.err
    assert obj(cm, "cm", "cm")["data"] == {"a": "7"}
    assert editor.buffers()[0].startswith(HEADER + "{\n")


def test_edit_invalid_change_reopens_with_the_error_then_gives_up(kube, editor):
    kube("create", "-f", "-", input=POD, check=True)
    # the spec's line only (status repeats the image)
    editor("image: nginx\n    imagePullPolicy", 'image: ""\n    imagePullPolicy')
    r = kube("edit", "pod", "web")
    assert r.code == 1 and r.out == ""
    m = re.fullmatch(r'error: pods "web" is invalid\n'
                     r'A copy of your changes has been stored to "(.*/kubectl-edit-\d+\.yaml)"\n'
                     r"error: Edit cancelled, no valid changes were saved\.\n", r.err)
    assert m, r.err
    first, second = editor.buffers()
    assert second.startswith(HEADER + '# pods "web" was not valid:\n'
                             "# * spec.containers[0].image: Required value\n#\napiVersion: v1\n")
    assert 'image: ""\n    imagePullPolicy' in second
    assert 'image: ""' in open(m.group(1)).read()       # the user's change is kept
    assert obj(kube, "pod", "web")["spec"]["containers"][0]["image"] == "nginx"


def test_edit_syntax_error_reopens_the_file(cm, editor):
    editor("kind: ConfigMap", "kind: [")
    r = cm("edit", "cm", "cm")
    assert r.code == 1
    assert r.err.endswith("error: Edit cancelled, no valid changes were saved.\n")
    second = editor.buffers()[1]
    assert second.startswith(HEADER + "# The edited file had a syntax error: ")


def test_edit_refuses_a_renamed_object(cm, editor):
    editor("name: cm", "name: other")
    r = cm("edit", "cm", "cm")
    assert r.code == 1
    assert re.fullmatch(r'A copy of your changes has been stored to ".*kubectl-edit-\d+\.yaml"\n'
                        r"error: At least one of apiVersion, kind and name was changed\n", r.err), r.err


def test_edit_missing_editor(cm, editor):
    cm.env["EDITOR"] = "no-such-editor-here"
    r = cm("edit", "cm", "cm")
    assert (r.code, r.err) == (1, 'error: unable to launch the editor "no-such-editor-here"\n')


def test_edit_needs_a_resource(kube, editor):
    r = kube("edit")
    assert r.code == 1
    assert r.err.startswith("error: You must provide one or more resources by argument or filename.\n")


def test_patch_local_prints_the_patched_file(kube, tmp_path):
    f = tmp_path / "pod.yaml"
    f.write_text(POD)
    r = kube("patch", "--local", "-f", str(f), "-p", '{"metadata":{"labels":{"x":"y"}}}', "-o", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["metadata"] == {"labels": {"x": "y"}, "name": "web"}
    assert kube("get", "pod", "web").code == 1
    r = kube("patch", "--local", "pod", "web", "-p", "{}")
    assert (r.code, r.err) == (1, "error: cannot specify --local and server resources\n")


def test_edit_a_bare_type_edits_them_all_as_a_list(kube, editor):
    editor("kubernetes.io/hostname: worker-2\n", "kubernetes.io/hostname: worker-2\n      zone: b\n")
    r = kube("edit", "nodes")
    assert (r.code, r.out, r.err) == (0, "node/k8s-master skipped\nnode/worker-1 skipped\nnode/worker-2 edited\n", "")
    assert editor.buffers()[0].startswith(HEADER + "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Node\n")
    assert obj(kube, "node", "worker-2")["metadata"]["labels"]["zone"] == "b"
