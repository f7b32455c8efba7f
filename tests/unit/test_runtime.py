"""The simulated runtime: the tiny shell's answers (GNU or busybox wording), the image catalogue
(pull errors, who serves what) and the probe schedule the kubelet computes in closed form."""
import sqlite3

import pytest

from pykubectl.runtime import images, probes, shell
from pykubectl.runtime import fs as rfs


class FakeView:
    """A Txn-like holder over an in-memory database, with the objects a pod may read."""

    def __init__(self, objects=None):
        self.db = sqlite3.connect(":memory:", isolation_level=None)
        self.db.execute("CREATE TABLE timers(controller TEXT, key TEXT, due REAL, PRIMARY KEY(controller, key))")
        self.objects = objects or {}

    def get(self, resource, ns, name):
        return self.objects.get((resource, name))

    def list(self, resource, ns=None, index=None, labels_eq=None):
        return [o for (r, _), o in self.objects.items() if r == resource]


def make_pod(image="kubetm/app", volumes=(), mounts=(), env=(), node="worker-1"):
    return {"metadata": {"name": "p", "namespace": "default", "uid": "u1"},
            "spec": {"nodeName": node, "volumes": list(volumes),
                     "containers": [{"name": "c", "image": image, "volumeMounts": list(mounts), "env": list(env)}]},
            "status": {"podIP": "20.0.0.5", "containerStatuses": [{"name": "c", "restartCount": 0}]}}


HOSTPATH = ([{"name": "h", "hostPath": {"path": "/tmp/readiness"}}], [{"name": "h", "mountPath": "/readiness"}])


@pytest.mark.parametrize("image,argv,expected", [
    ("kubetm/app", ["cat", "/readiness/ready.txt"], ("", "cat: /readiness/ready.txt: No such file or directory\n", 1)),
    ("busybox", ["cat", "/readiness/ready.txt"], ("", "cat: can't open '/readiness/ready.txt': No such file or directory\n", 1)),
    ("kubetm/app", ["ls", "/nope"], ("", "ls: cannot access '/nope': No such file or directory\n", 2)),
    ("busybox", ["ls", "/nope"], ("", "ls: /nope: No such file or directory\n", 2)),
    ("kubetm/app", ["sh", "-c", "echo a && false || echo b; exit 3"], ("a\nb\n", "", 3)),
    ("kubetm/app", ["sh", "-c", "false && echo never"], ("", "", 1)),
    ("kubetm/app", ["sh", "-c", "foo"], ("", "sh: 1: foo: not found\n", 127)),
    ("busybox", ["sh", "-c", "foo"], ("", "sh: foo: not found\n", 127)),
    ("kubetm/app", ["foo"], ('OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": '
                             'executable file not found in $PATH: unknown\r\n', "", 126)),
    ("kubetm/app", ["hostname"], ("p\n", "", 0)),
    ("kubetm/app", ["printenv", "GREETING"], ("hi there\n", "", 0)),
    ("kubetm/app", ["sh", "-c", "echo $GREETING"], ("hi there\n", "", 0)),
    ("kubetm/app", ["rm", "/x"], ("", "rm: cannot remove '/x': No such file or directory\n", 1)),
    ("kubetm/app", ["touch", "/no/dir/f"], ("", "touch: cannot touch '/no/dir/f': No such file or directory\n", 1)),
], ids=["cat-gnu", "cat-busybox", "ls-gnu", "ls-busybox", "and-or-exit", "and-skips", "sh-not-found-dash",
        "sh-not-found-busybox", "exec-not-found", "hostname", "printenv", "expansion", "rm-missing", "touch-no-dir"])
def test_shell_answers(image, argv, expected):
    v = FakeView()
    pod = make_pod(image, *HOSTPATH, env=[{"name": "GREETING", "value": "hi there"}])
    assert shell.run(v, pod, "c", argv, now=10.0) == expected


def test_files_written_in_the_pod_land_on_the_node_and_back():
    v = FakeView()
    pod = make_pod("kubetm/app", *HOSTPATH)
    assert shell.run_on_node(v, "worker-1", ["mkdir", "-p", "/tmp/readiness"], now=1.0)[2] == 0
    assert shell.run(v, pod, "c", ["sh", "-c", "echo ok > /readiness/ready.txt"], now=2.0) == ("", "", 0)
    assert shell.run_on_node(v, "worker-1", ["cat", "/tmp/readiness/ready.txt"], now=3.0) == ("ok\n", "", 0)
    assert shell.run_on_node(v, "worker-2", ["cat", "/tmp/readiness/ready.txt"], now=3.0)[2] == 1
    assert rfs.node_fs(v, "worker-1").since("/tmp/readiness/ready.txt") == 2.0
    assert shell.run_on_node(v, "worker-1", ["rm", "/tmp/readiness/ready.txt"], now=4.0)[2] == 0
    assert rfs.node_fs(v, "worker-1").since("/tmp/readiness/ready.txt") == 4.0
    assert shell.run_on_node(v, "worker-1", ["ls", "/tmp/readiness"], now=5.0) == ("", "", 0)


def test_configmap_volume_is_read_only_and_follows_its_object():
    cm = {"metadata": {"name": "cfg"}, "data": {"a.txt": "one"}}
    v = FakeView({("configmaps", "cfg"): cm})
    pod = make_pod("busybox", [{"name": "cfg", "configMap": {"name": "cfg"}}], [{"name": "cfg", "mountPath": "/etc/cfg"}])
    assert shell.run(v, pod, "c", ["cat", "/etc/cfg/a.txt"]) == ("one", "", 0)
    cm["data"]["a.txt"] = "two"
    assert shell.run(v, pod, "c", ["ls", "/etc/cfg"]) == ("a.txt\n", "", 0)
    assert shell.run(v, pod, "c", ["cat", "/etc/cfg/a.txt"]) == ("two", "", 0)
    assert shell.run(v, pod, "c", ["touch", "/etc/cfg/b"]) == ("", "touch: /etc/cfg/b: Read-only file system\n", 1)


@pytest.mark.parametrize("image,reason", [
    ("nginx", None),
    ("kubetm/app:v2", None),
    ("registry.k8s.io/pause:3.9", None),
    ("nginx:doesnotexist", "ErrImagePull"),
    ("Nginx", "InvalidImageName"),
    ("nginx:", "InvalidImageName"),
    ("", "InvalidImageName"),
], ids=["plain", "tagged", "registry", "missing-tag", "uppercase", "empty-tag", "empty"])
def test_pull_errors(image, reason):
    assert (images.pull_error(image) or (None,))[0] == reason


@pytest.mark.parametrize("image,full", [
    ("nginx", "docker.io/library/nginx:latest"),
    ("kubetm/app", "docker.io/kubetm/app:latest"),
    ("kubetm/app:v2", "docker.io/kubetm/app:v2"),
    ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"),
], ids=["library", "user", "tag", "registry"])
def test_full_names(image, full):
    assert images.full_name(image) == full


def test_kubetm_app_status500_lasts_until_the_container_restarts():
    v = FakeView()
    pod = make_pod("kubetm/app")
    h = images.http_handler(pod, "c", 8080, view=v, now=30.0)
    assert h("GET", "/hostname")[2] == "Hostname : p\n"
    assert h("GET", "/health")[0] == 200
    assert h("GET", "/status500")[0] == 200
    assert h("GET", "/health")[0] == 500
    assert images.status500_since(v, pod, "c") == 30.0
    pod["status"]["containerStatuses"][0]["restartCount"] = 1
    assert images.http_handler(pod, "c", 8080, view=v)("GET", "/health")[0] == 200
    assert images.http_handler(pod, "c", 80, view=v) is None


@pytest.mark.parametrize("probe,start,t,first_at_or_after,last_at_or_before", [
    ({"initialDelaySeconds": 5, "periodSeconds": 10}, 2.0, 0.0, 0, -1),
    ({"initialDelaySeconds": 5, "periodSeconds": 10}, 2.0, 7.0, 0, 0),
    ({"initialDelaySeconds": 5, "periodSeconds": 10}, 2.0, 7.5, 1, 0),
    ({"initialDelaySeconds": 5, "periodSeconds": 10}, 2.0, 40.0, 4, 3),
    ({}, 0.0, 25.0, 3, 2),
], ids=["before-delay", "on-first", "just-after-first", "later", "defaults"])
def test_probe_schedule(probe, start, t, first_at_or_after, last_at_or_before):
    assert probes.first_index_at_or_after(start, probe, t) == first_at_or_after
    assert probes.last_index_at_or_before(start, probe, t) == last_at_or_before


@pytest.mark.parametrize("probe,ok,message", [
    ({"httpGet": {"path": "/health", "port": 8080}}, True, ""),
    ({"httpGet": {"path": "/", "port": 9999}}, False,
     'Get "http://20.0.0.5:9999/": dial tcp 20.0.0.5:9999: connect: connection refused'),
    ({"tcpSocket": {"port": 8080}}, True, ""),
    ({"tcpSocket": {"port": 81}}, False, "dial tcp 20.0.0.5:81: connect: connection refused"),
    ({"exec": {"command": ["cat", "/readiness/ready.txt"]}}, False,
     "cat: /readiness/ready.txt: No such file or directory"),
], ids=["http-ok", "http-refused", "tcp-ok", "tcp-refused", "exec-missing-file"])
def test_probe_outcomes(probe, ok, message):
    v = FakeView()
    pod = make_pod("kubetm/app", *HOSTPATH)
    got = probes.outcome(v, pod, pod["spec"]["containers"][0], probe, 10.0)
    assert (got[0], got[2]) == (ok, message)
