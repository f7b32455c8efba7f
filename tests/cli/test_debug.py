"""kubectl debug: an ephemeral container through pods/ephemeralcontainers, attached with -i, shown
by describe; kubectl's validation and messages."""
import json
import re
import subprocess

import pytest

from tests.conftest import real_kubectl

LEGACY = ('--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly '
          'specify a profile, for example "--profile=general".\n')
TARGETING = ('Targeting container "web". If you don\'t see processes from this container it may be because the '
             "container runtime doesn't support this feature.\n")


@pytest.fixture
def web(kube):
    kube("run", "web", "--image=nginx", check=True)
    kube("sim", "advance", "3s", check=True)
    return kube


def test_interactive_debug_container_runs_what_is_typed(web):
    r = web("debug", "web", "-it", "--image=busybox", input="echo hello\nhostname\ncat /etc/hostname || true\n")
    assert r.code == 0, r.err
    m = re.fullmatch(r"Defaulting debug container name to (debugger-[bcdfghjklmnpqrstvwxz2456789]{5})\.\n(.*)", r.out, re.S)
    assert m, r.out
    assert m.group(2) == "hello\nweb\n"
    assert r.err == LEGACY + ("Unable to use a TTY - input is not a terminal or the right kind of file\n"
                              "If you don't see a command prompt, try pressing enter.\n"
                              "cat: can't open '/etc/hostname': No such file or directory\n")
    spec = json.loads(web("get", "pod", "web", "-o", "jsonpath={.spec.ephemeralContainers[0]}").out)
    assert spec == {"image": "busybox", "imagePullPolicy": "Always", "name": m.group(1), "resources": {},
                    "stdin": True, "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File", "tty": True}
    d = web("describe", "pod", "web").out
    section = d[d.index("Ephemeral Containers:"):d.index("Conditions:")]
    assert f"  {m.group(1)}:\n" in section and "    State:          Running\n" in section


@pytest.mark.parametrize("args,out,status", [
    (("-c", "dbg", "--target=web", "-q", "-i"), "web\n", "running"),
    (("-c", "dbg", "--target=web", "-i"), TARGETING + "web\n", "running"),
    (("-c", "dbg", "--", "sh", "-c", "echo hi"), "", "terminated"),
    (("-c", "dbg", "--env", "A=1,B=2", "-i"), "1 2\n", "running"),
], ids=["quiet-target", "target", "command-ends", "env"])
def test_named_debug_containers(web, args, out, status):
    r = web("debug", "web", "--image=busybox", *args, input="echo $A $B\n" if "--env" in args else "hostname\n")
    assert (r.code, r.out) == (0, out), r.err
    got = json.loads(web("get", "pod", "web", "-o", "jsonpath={.status.ephemeralContainerStatuses[0]}").out)
    assert got["name"] == "dbg" and list(got["state"]) == [status]
    spec = json.loads(web("get", "pod", "web", "-o", "jsonpath={.spec.ephemeralContainers[0]}").out)
    assert spec.get("targetContainerName") == ("web" if "--target=web" in args else None)
    if status == "terminated":
        assert web("logs", "web", "-c", "dbg").out == "hi\n"


@pytest.mark.parametrize("args,err", [
    (("web",), "error: you must specify --image when not using --copy-to.\n"),
    (("--image=busybox",), "error: NAME or filename is required for debug\n"),
    (("web", "--image=busybox", "-t"), "error: -i/--stdin is required for containers with -t/--tty=true\n"),
    (("web", "--image=Busybox"), 'error: invalid image name "Busybox": invalid reference format\n'),
    (("web", "--image=busybox", "--image-pull-policy=Sometimes"), "error: invalid image pull policy: Sometimes\n"),
    (("web", "--image=busybox", "--replace"), "error: --replace may only be used with --copy-to.\n"),
    (("web", "--image=busybox", "--profile=odd"), "error: unknown profile: odd\n"),
    (("web", "--image=busybox", "-c", "web"),
     LEGACY + 'The Pod "web" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "web"\n'),
    (("web", "--image=busybox", "-c", "d", "--target=nope", "-q"),
     LEGACY + 'The Pod "web" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "nope"\n'),
    (("nothere", "--image=busybox"), LEGACY + 'Error from server (NotFound): pods "nothere" not found\n'),
    (("deploy/web", "--image=busybox"), LEGACY + 'Error from server (NotFound): deployments.apps "web" not found\n'),
], ids=["no-image", "no-name", "tty-without-stdin", "bad-image", "bad-pull-policy", "replace-without-copy",
        "unknown-profile", "duplicate-name", "unknown-target", "no-pod", "no-deployment"])
def test_debug_errors(web, args, err):
    r = web("debug", *args)
    assert (r.code, r.out, r.err) == (1, "", err)


@pytest.mark.skipif(not real_kubectl(), reason="no real kubectl on PATH")
def test_help_is_kubectls(fresh):
    want = subprocess.run([real_kubectl(), "debug", "--help"], capture_output=True, text=True, env=fresh.env,
                          timeout=60)
    got = fresh("debug", "--help")
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)


def test_node_debugging_pod_sees_the_node_root_at_host(kube):
    r = kube("debug", "node/worker-1", "--image=busybox")
    assert r.code == 0, r.err
    m = re.fullmatch(r"Creating debugging pod (node-debugger-worker-1-[bcdfghjklmnpqrstvwxz2456789]{5}) "
                     r"with container debugger on node worker-1\.\n", r.out)
    assert m and r.err == LEGACY, (r.out, r.err)
    pod = json.loads(kube("get", "pod", m.group(1), "-o", "json").out)
    spec = pod["spec"]
    assert (spec["nodeName"], spec["restartPolicy"], spec["hostNetwork"], spec["hostPID"], spec["hostIPC"]) == \
        ("worker-1", "Never", True, True, True)
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert {"hostPath": {"path": "/", "type": ""}, "name": "host-root"} in spec["volumes"]
    assert spec["containers"][0]["volumeMounts"][0] == {"mountPath": "/host", "name": "host-root"}
    kube("sim", "ssh", "worker-1", "--", "mkdir", "-p", "/srv/data", check=True)
    kube("sim", "advance", "3s", check=True)
    assert kube("exec", m.group(1), "--", "ls", "/host/srv").out == "data\n"


# ---------------------------------------------------------------------------------------------
# --copy-to: a copy of the pod, as kubectl's legacy profile makes it

@pytest.fixture
def labelled(kube):
    kube("run", "web", "--image=nginx", "--labels=app=web,tier=fe", "--annotations=note=kept", check=True)
    kube("sim", "advance", "3s", check=True)
    return kube


def test_copy_to_adds_a_debug_container_and_attaches(fresh):
    # attaching waits for the copy to be scheduled and started: a real clock
    fresh("cluster", "create", "rt", "--clock", "real", check=True)
    fresh("run", "web", "--image=nginx", "--labels=app=web", check=True)
    r = fresh("debug", "web", "-it", "--image=busybox", "--copy-to=web-dbg", "--share-processes",
              input="echo hello\nhostname\n")
    assert r.code == 0, r.err
    m = re.fullmatch(r"Defaulting debug container name to (debugger-[bcdfghjklmnpqrstvwxz2456789]{5})\.\nhello\nweb-dbg\n",
                     r.out)
    assert m, r.out
    assert r.err == LEGACY + ("Unable to use a TTY - input is not a terminal or the right kind of file\n"
                              "If you don't see a command prompt, try pressing enter.\n")
    pod = json.loads(fresh("get", "pod", "web-dbg", "-o", "json").out)
    assert "labels" not in pod["metadata"]
    assert pod["spec"]["shareProcessNamespace"] is True
    assert [(c["name"], c["image"], c.get("stdin"), c.get("tty")) for c in pod["spec"]["containers"]] == [
        ("web", "nginx", None, None), (m.group(1), "busybox", True, True)]
    # the original is untouched
    assert fresh("get", "pod", "web", "-o", "jsonpath={.metadata.labels.app}/{.spec.containers[*].name}").out == "web/web"


@pytest.mark.parametrize("args,out,containers,extra", [
    (("-c", "dbg", "--", "sleep", "1d"), "",
     [("web", "nginx", None), ("dbg", "busybox", ["sleep", "1d"])], {}),
    (("--env", "A=1"), "Defaulting debug container name to ",
     [("web", "nginx", None), ("debugger-", "busybox", None)], {}),
    (("--set-image=*=busybox",), "", [("web", "busybox", None)], {}),
    (("--set-image=web=nginx:1.27", "-c", "dbg", "--", "sleep", "1d"), "",
     [("web", "nginx:1.27", None), ("dbg", "busybox", ["sleep", "1d"])], {}),
    (("--container=web", "--", "sleep", "1d"), "", [("web", "busybox", ["sleep", "1d"])], {}),
    (("-c", "dbg", "--same-node"), "", [("web", "nginx", None), ("dbg", "busybox", None)], {"same-node": True}),
    (("-c", "dbg", "--share-processes=false"), "", [("web", "nginx", None), ("dbg", "busybox", None)],
     {"shareProcessNamespace": False}),
], ids=["new-container-with-command", "generated-name", "set-image-all", "set-image-one-and-container",
        "change-command-of-existing", "same-node", "share-processes-false"])
def test_copy_shapes(labelled, args, out, containers, extra):
    image = [] if any(a.startswith("--set-image=*") for a in args) else ["--image=busybox"]
    if args[0] == "--container=web":
        args = ("--set-image=web=busybox",) + args
        image = []
    r = labelled("debug", "web", "--copy-to=copy", *image, *args)
    assert r.code == 0 and r.out.startswith(out) and r.err == LEGACY, (r.out, r.err)
    if not out:
        assert r.out == ""
    pod = json.loads(labelled("get", "pod", "copy", "-o", "json").out)
    got = [(c["name"], c["image"], c.get("command")) for c in pod["spec"]["containers"]]
    assert [(n if not n.startswith("debugger-") else "debugger-", i, cmd) for n, i, cmd in got] == containers
    meta = pod["metadata"]
    assert "labels" not in meta and meta["annotations"] == {"note": "kept"}
    assert pod["spec"].get("shareProcessNamespace") == extra.get("shareProcessNamespace")
    if extra.get("same-node"):
        assert pod["spec"]["nodeName"] == labelled("get", "pod", "web", "-o", "jsonpath={.spec.nodeName}").out
    if ("--env", "A=1") == args:
        assert pod["spec"]["containers"][1]["env"] == [{"name": "A", "value": "1"}]


def test_copy_to_with_replace_deletes_the_original(labelled):
    r = labelled("debug", "web", "--copy-to=web2", "--set-image=*=nginx:1.27", "--replace")
    assert (r.code, r.out) == (0, ""), r.err
    labelled("sim", "advance", "3s", check=True)
    assert labelled("get", "pods", "-o", "name").out == "pod/web2\n"


@pytest.mark.parametrize("args,err", [
    (("--copy-to=c",), "error: you must specify --image, --set-image or command arguments.\n"),
    (("--copy-to=c", "--", "sh"), "error: you must specify an existing container or a new image when specifying args.\n"),
    (("--copy-to=c", "--image=busybox", "--target=web"),
     "error: --target is incompatible with --copy-to. Use --share-processes instead.\n"),
    (("--copy-to=c", "--set-image=web=Bad"), 'error: invalid image name "Bad" for container "web": invalid reference format\n'),
    (("--copy-to=c", "--set-image=web=a,b"), 'error: invalid image name "a,b" for container "web": invalid reference format\n'),
    (("--set-image=web=busybox",), "error: --set-image may only be used with --copy-to.\n"),
    (("--copy-to=c", "--container=nope", "--", "sh"), LEGACY + "error: you must specify image when creating new container\n"),
    (("--copy-to=web", "--image=busybox", "-c", "d"), LEGACY + 'Error from server (AlreadyExists): pods "web" already exists\n'),
], ids=["nothing-to-change", "args-without-container", "target", "bad-set-image", "set-image-one-pair",
        "set-image-without-copy", "unknown-container-without-image", "name-taken"])
def test_copy_to_errors(web, args, err):
    r = web("debug", "web", *args)
    assert (r.code, r.out, r.err) == (1, "", err)
