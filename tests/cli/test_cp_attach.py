"""kubectl cp, attach and port-forward through the pykubectl CLI on the lab cluster (in-process
client, virtual clock): cp goes through `test -d` and `tar` in the simulated container, as
kubectl's does; attach shows what the process writes from now on; port-forward answers on
127.0.0.1 with the image's HTTP handler."""
import os
import re
import socket
import subprocess

import pytest

from tests.conftest import PYKUBECTL


@pytest.fixture
def lab(kube):
    kube("run", "web", "--image=nginx", check=True)
    kube("run", "bb", "--image=busybox", "--", "sleep", "3600", check=True)
    kube("run", "done", "--image=busybox", "--restart=Never", "--", "echo", "hello", check=True)
    kube("sim", "advance", "3s", check=True)
    return kube


@pytest.fixture
def local_tree(tmp_path):
    (tmp_path / "a.txt").write_text("hello file\n")
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "x.txt").write_text("x\n")
    (tmp_path / "dir" / "sub" / "y.txt").write_text("y\n")
    return tmp_path


def _files(root) -> dict:
    out = {}
    for d, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = open(p).read()
    return out


@pytest.mark.parametrize("pod,dest,check,listing", [
    ("web", "/tmp/a.txt", "/tmp/a.txt", "hello file\n"),
    ("web", "/tmp", "/tmp/a.txt", "hello file\n"),
    ("bb", "/tmp/renamed", "/tmp/renamed", "hello file\n"),
], ids=["to-file", "into-dir", "busybox-renamed"])
def test_cp_file_to_pod(lab, local_tree, pod, dest, check, listing):
    r = lab("cp", str(local_tree / "a.txt"), f"{pod}:{dest}")
    assert (r.code, r.out, r.err) == (0, "", "")
    assert lab("exec", pod, "--", "cat", check).out == listing


def test_cp_directory_both_ways(lab, local_tree, tmp_path):
    assert lab("cp", str(local_tree / "dir"), "web:/tmp/").code == 0
    assert lab("exec", "web", "--", "ls", "/tmp/dir", "/tmp/dir/sub").out == "/tmp/dir:\nsub\nx.txt\n\n/tmp/dir/sub:\ny.txt\n"
    r = lab("cp", "web:/tmp/dir", str(tmp_path / "back"))
    # GNU tar in the container warns on stderr, which kubectl shows on stdout
    assert (r.code, r.out, r.err) == (0, "tar: Removing leading `/' from member names\n", "")
    assert _files(tmp_path / "back") == {"x.txt": "x\n", os.path.join("sub", "y.txt"): "y\n"}


@pytest.mark.parametrize("pod,out", [
    ("web", "tar: Removing leading `/' from member names\n"),
    ("bb", "tar: removing leading '/' from member names\n"),
], ids=["gnu", "busybox"])
def test_cp_file_from_pod(lab, tmp_path, pod, out):
    lab("exec", pod, "--", "sh", "-c", "echo made in pod > /tmp/m.txt", check=True)
    r = lab("cp", f"{pod}:/tmp/m.txt", str(tmp_path / "m.txt"))
    assert (r.code, r.out, r.err) == (0, out, "")
    assert (tmp_path / "m.txt").read_text() == "made in pod\n"


@pytest.mark.parametrize("args,code,out,err", [
    (("web:/tmp/nope", "{tmp}/x"), 0,
     "tar: /tmp/nope: Cannot stat: No such file or directory\n"
     "tar: Exiting with failure status due to previous errors\n", ""),
    (("{tmp}/nothere", "web:/tmp"), 1, "", "error: {tmp}/nothere doesn't exist in local filesystem\n"),
    (("web:/a", "bb:/b"), 1, "", "error: one of src or dest must be a local file specification\n"),
    (("{tmp}/a", "{tmp}/b"), 1, "", "error: one of src or dest must be a remote file specification\n"),
    ((":/a", "{tmp}/b"), 1, "", "error: filespec must match the canonical format: [[namespace/]pod:]file/path\n"),
    (("web:", "{tmp}/b"), 1, "", "error: filepath can not be empty\n"),
    (("web:/a",), 1, "", "error: source and destination are required\n"),
    (("{tmp}/a.txt", "done:/tmp"), 1, "",
     "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"),
], ids=["missing-in-pod", "missing-locally", "two-pods", "no-pod", "bad-spec", "empty-path", "one-arg",
        "completed-pod"])
def test_cp_errors(lab, local_tree, args, code, out, err):
    tmp = str(local_tree)
    r = lab("cp", *[a.format(tmp=tmp) for a in args])
    assert (r.code, r.out, r.err) == (code, out, err.format(tmp=tmp))


@pytest.mark.parametrize("argv,code,out,err", [
    (("test", "-d", "/tmp"), 0, "", ""),
    (("test", "-d", "/tmp/none"), 1, "", "command terminated with exit code 1\n"),
    (("tar", "xf", "-", "-C", "/nowhere"), 2, "",
     "tar: /nowhere: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n"
     "command terminated with exit code 2\n"),
    (("tar", "tf", "-"), 2, "", "tar: This does not look like a tar archive\n"
     "tar: Exiting with failure status due to previous errors\ncommand terminated with exit code 2\n"),
], ids=["test-dir", "test-missing", "tar-no-dir", "tar-not-an-archive"])
def test_shell_tar_and_test(lab, argv, code, out, err):
    r = lab("exec", "-i", "web", "--", *argv, input="not a tar archive")
    assert (r.code, r.out, r.err) == (code, out, err)


def test_attach_refusals(lab):
    r = lab("attach", "done")
    assert (r.code, r.err) == (1, "error: cannot attach a container in a completed pod; current phase is Succeeded\n")
    lab("run", "later", "--image=nginx", check=True)
    r = lab("attach", "later")
    assert (r.code, r.err) == (1, 'error: unable to upgrade connection: container not found ("later")\n')


def test_attach_follows_new_output_until_the_container_ends(lab):
    import queue
    import threading
    lab("run", "app", "--image=kubetm/app", "--restart=Never", check=True)
    lab("sim", "advance", "3s", check=True)
    ip = lab("get", "pod", "app", "-o", "jsonpath={.status.podIP}").out
    lab("exec", "bb", "--", "wget", "-qO-", f"{ip}:8080/before", check=True)   # not shown
    p = subprocess.Popen([PYKUBECTL, "attach", "app"], env=lab.env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in p.stdout], daemon=True).start()
    try:
        # requests until the attached client shows one (it may take a moment to connect)
        for i in range(20):
            lab("exec", "bb", "--", "wget", "-qO-", f"{ip}:8080/after-{i}", check=True)
            try:
                first = lines.get(timeout=1.0)
                break
            except queue.Empty:
                continue
        else:
            pytest.fail("attach showed nothing")
        lab("delete", "pod", "app", "--wait=false", check=True)
        lab("sim", "advance", "40s", check=True)
        p.wait(timeout=30)
    finally:
        p.kill()
    assert re.fullmatch(r"GET /after-\d+\n", first)
    assert p.returncode == 0 and p.stderr.read() == ""


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _http_get(port: int, path: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.decode()


def test_port_forward_answers_with_the_images_handler(lab):
    port = _free_port()
    p = subprocess.Popen([PYKUBECTL, "port-forward", "pod/web", f"{port}:80"], env=lab.env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = p.stdout.readline()
        assert first == f"Forwarding from 127.0.0.1:{port} -> 80\n"
        reply = _http_get(port, "/")
        assert reply.startswith("HTTP/1.1 200 OK\r\n")
        assert "<title>Welcome to nginx!</title>" in reply
        assert p.stdout.readline() == f"Handling connection for {port}\n"
    finally:
        p.kill()
        p.communicate(timeout=10)


@pytest.mark.parametrize("args,err", [
    (("port-forward", "pod/done", "8080:80"),
     "error: unable to forward port because pod is not running. Current status=Succeeded\n"),
    (("port-forward", "pod/web"),
     "error: TYPE/NAME and list of ports are required for port-forward\n"
     "See 'kubectl port-forward -h' for help and examples\n"),
    (("port-forward", "pod/web", "x:80"),
     'error: Error parsing local port \'x\': strconv.ParseUint: parsing "x": invalid syntax\n'),
    (("port-forward", "pod/web", "8080:http"), "error: Pod 'web' does not have a named port 'http'\n"),
], ids=["not-running", "no-ports", "bad-local-port", "unknown-port-name"])
def test_port_forward_refusals(lab, args, err):
    r = lab(*args)
    assert (r.code, r.out, r.err) == (1, "", err)
