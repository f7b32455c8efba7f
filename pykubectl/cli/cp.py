"""kubectl cp: files to and from a container the way kubectl does it, through `tar` over exec:
`test -d DEST` then `tar -xmf - -C DIR` fed a tar made here; `tar cf - SRC` untarred here with
the source's path stripped. The container's tar speaks on stderr (GNU's or busybox's words),
which kubectl shows on stdout when copying from a pod."""
from __future__ import annotations

import os
import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl cp <file-spec-src> <file-spec-dest> [options]"
LONG = "Copy files and directories to and from containers."
EXAMPLES = """  # !!!Important Note!!!
  # Requires that the 'tar' binary is present in your container
  # image.  If 'tar' is not present, 'kubectl cp' will fail.
  #
  # For advanced use cases, such as symlinks, wildcard expansion or
  # file mode preservation, consider using 'kubectl exec'.
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
  tar cf - /tmp/foo | kubectl exec -i -n <some-namespace> <some-pod> -- tar xf - -C /tmp/bar
  
  # Copy /tmp/foo from a remote pod to /tmp/bar locally
  kubectl exec -n <some-namespace> <some-pod> -- tar cf - /tmp/foo | tar xf - -C /tmp/bar
  
  # Copy /tmp/foo_dir local directory to /tmp/bar_dir in a remote pod in the default namespace
  kubectl cp /tmp/foo_dir <some-pod>:/tmp/bar_dir
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in a specific container
  kubectl cp /tmp/foo <some-pod>:/tmp/bar -c <specific-container>
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
  kubectl cp /tmp/foo <some-namespace>/<some-pod>:/tmp/bar
  
  # Copy /tmp/foo from a remote pod to /tmp/bar locally
  kubectl cp <some-namespace>/<some-pod>:/tmp/foo /tmp/bar
"""
FLAGS = [
    Flag("container", "c", help="Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen"),
    Flag("no-preserve", kind="bool", help="The copied file/directory's ownership and permissions will not be preserved in the container"),
    Flag("retries", kind="int", default=0, help="Set number of retries to complete a copy operation from a container. Specify 0 to disable or any negative value for infinite retrying. The default is 0 (no retry)."),
]

_BAD_SPEC = "filespec must match the canonical format: [[namespace/]pod:]file/path"


def file_spec(arg: str) -> tuple[str, str, str]:
    """(namespace, pod, path) of `[[namespace/]pod:]file/path`; pod "" for a local path."""
    i = arg.find(":")
    if i == 0:
        raise CLIError(_BAD_SPEC)
    if i == -1:
        return "", "", arg
    pod, path = arg[:i], arg[i + 1:]
    pieces = pod.split("/")
    if len(pieces) == 1:
        return "", pieces[0], path
    if len(pieces) == 2:
        return pieces[0], pieces[1], path
    raise CLIError(_BAD_SPEC)


def make_tar(src: str, dest: str) -> bytes:
    """kubectl's makeTar: src (a local file or directory) under the name dest's base."""
    import io
    import posixpath
    import tarfile
    buf = io.BytesIO()
    src = os.path.normpath(src)
    name = posixpath.basename(posixpath.normpath(dest)) or "."
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        _add(tf, src, name)
    return buf.getvalue()


def _add(tf, path: str, name: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        children = sorted(os.listdir(path))
        if not children:
            tf.add(path, arcname=name, recursive=False)
        for c in children:
            _add(tf, os.path.join(path, c), name + "/" + c)
        return
    tf.add(path, arcname=name, recursive=False)


def untar(data: bytes, prefix: str, dest: str, err) -> None:
    """kubectl's untarAll: members must start with prefix; what follows it lands under dest."""
    import io
    import tarfile
    if not data:
        return
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r")
        members = tf.getmembers()
    except tarfile.TarError as e:
        raise CLIError(str(e)) from None
    root = os.path.abspath(dest)
    for m in members:
        if not m.name.startswith(prefix):
            raise CLIError("tar contents corrupted")
        target = os.path.normpath(os.path.join(dest, m.name[len(prefix):].lstrip("/")))
        if os.path.commonpath([root, os.path.abspath(target)]) != root:
            err.write(f'warning: file "{target}" is outside target destination, skipping\n')
            continue
        os.makedirs(os.path.dirname(target) or ".", 0o755, exist_ok=True)
        if m.isdir():
            os.makedirs(target, 0o755, exist_ok=True)
        elif m.issym():
            err.write(f'warning: skipping symlink: "{target}" -> "{m.linkname}"\n')
        elif m.isfile():
            with open(target, "wb") as f:
                f.write(tf.extractfile(m).read())


def run(g, o, args):
    """Copy files and directories to and from containers."""
    import posixpath
    from pykubectl.cli.context import client as make_client
    if len(args) != 2:
        raise CLIError("source and destination are required")
    src, dest = file_spec(args[0]), file_spec(args[1])
    if src[1] and dest[1]:
        raise CLIError("one of src or dest must be a local file specification")
    if not src[2] or not dest[2]:
        raise CLIError("filepath can not be empty")
    if not src[1] and not dest[1]:
        raise CLIError("one of src or dest must be a remote file specification")
    client = make_client(g)
    remote = src if src[1] else dest
    ns = remote[0] or client.namespace
    target = _target(client, ns, remote[1], o.container)
    if src[1]:
        out, err, _code = client.exec(ns, *target, ["tar", "cf", "-", src[2]])
        # kubectl hands the remote tar's stderr to stdout; its exit code is lost in a race
        # kubectl always loses (the archive's end arrives before the Status), so none here either
        sys.stdout.buffer.write(err)
        sys.stdout.flush()
        prefix = posixpath.normpath(src[2].lstrip("/") or ".")
        while prefix.startswith("../"):    # stripPathShortcuts
            prefix = prefix[3:]
        untar(out, "" if prefix in (".", "..") else prefix, dest[2], sys.stderr)
        return
    if not os.path.exists(src[2]):
        raise CLIError(f"{src[2]} doesn't exist in local filesystem")
    dest_path = dest[2]
    _o, _e, is_dir = client.exec(ns, *target, ["test", "-d", dest_path])
    if is_dir == 0:
        dest_path = posixpath.join(dest_path, os.path.basename(os.path.normpath(src[2])))
    cmd = ["tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-"] if o.no_preserve \
        else ["tar", "-xmf", "-"]
    cmd += ["-C", posixpath.dirname(posixpath.normpath(dest_path)) or "."]
    out, err, code = client.exec(ns, *target, cmd, make_tar(src[2], dest_path))
    sys.stdout.buffer.write(out)
    sys.stderr.buffer.write(err)
    if code:
        _terminated(code)


def _target(client, ns, pod_name, container):
    """(pod, container) as kubectl exec picks them, with its refusals."""
    from pykubectl.cli.exec_ import pick_container
    pod = client.get(client.resolve("pods"), ns, pod_name)
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CLIError(f"cannot exec into a container in a completed pod; current phase is {phase}")
    return pod_name, pick_container(pod, container or "", False, sys.stderr)


def _terminated(code: int):
    from pykubectl.cli.errors import Printed
    sys.stdout.flush()
    sys.stderr.write(f"command terminated with exit code {code}\n")
    raise Printed(code)
