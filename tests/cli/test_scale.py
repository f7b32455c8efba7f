"""kubectl scale end to end: every scalable workload kind, the --current-replicas and
--resource-version preconditions, and kubectl's refusals."""
import json

import pytest

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx
"""
KINDS = {
    "deployment.apps": DEPLOY,
    "replicaset.apps": DEPLOY.replace("kind: Deployment", "kind: ReplicaSet"),
    "statefulset.apps": DEPLOY.replace("kind: Deployment", "kind: StatefulSet"),
    "replicationcontroller": DEPLOY.replace("apps/v1", "v1").replace("kind: Deployment", "kind: ReplicationController")
                                   .replace("    matchLabels: {app: web}\n", "    app: web\n"),
}


def replicas(kube, ref):
    return json.loads(kube("get", ref, "-o", "json").out)["spec"]["replicas"]


@pytest.mark.parametrize("kind", list(KINDS), ids=list(KINDS))
def test_scale_each_workload_kind(kube, kind):
    kube("create", "-f", "-", input=KINDS[kind], check=True)
    r = kube("scale", f"{kind}/web", "--replicas=3")
    assert (r.code, r.out, r.err) == (0, f"{kind}/web scaled\n", "")
    assert replicas(kube, f"{kind}/web") == 3


@pytest.fixture
def deploy(kube):
    kube("create", "-f", "-", input=DEPLOY, check=True)
    return kube


# (command, exit code, stdout, stderr, replicas afterwards)
CASES = [
    (["scale", "deployment", "web", "--replicas=0"], 0, "deployment.apps/web scaled\n", "", 0),
    (["scale", "--current-replicas=2", "--replicas=4", "deploy/web"], 0, "deployment.apps/web scaled\n", "", 4),
    (["scale", "--current-replicas=3", "--replicas=4", "deploy/web"], 1, "", "error: Expected replicas to be 3, was 2\n", 2),
    (["scale", "--resource-version=1", "--replicas=4", "deploy/web"], 1, "", None, 2),
    (["scale", "deploy", "web", "--replicas=5", "--dry-run=client"], 0, "deployment.apps/web scaled (dry run)\n", "", 2),
    (["scale", "deploy", "web", "--replicas=5", "--dry-run=server"], 0, "deployment.apps/web scaled (server dry run)\n", "", 2),
    (["scale", "deploy", "web", "--replicas=5", "-o", "name"], 0, "deployment.apps/web\n", "", 5),
    (["scale", "deploy", "--all", "--replicas=1"], 0, "deployment.apps/web scaled\n", "", 1),
    (["scale", "deploy", "web"], 1, "", 'error: required flag(s) "replicas" not set\n', 2),
    (["scale", "deploy", "web", "--replicas=-1"], 1, "",
     "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n", 2),
    (["scale", "deploy", "web", "--replicas=1", "--current-replicas=-2"], 1, "",
     "error: The --current-replicas must specify an integer of -1 or greater\n", 2),
    (["scale", "deploy", "nope", "--replicas=1"], 1, "", 'Error from server (NotFound): deployments.apps "nope" not found\n', 2),
    (["scale", "--replicas=2"], 1, "",
     "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n"
     "   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n", 2),
]


@pytest.mark.parametrize("cmd,code,out,err,after", CASES, ids=[" ".join(c[0][1:]) for c in CASES])
def test_scale(deploy, cmd, code, out, err, after):
    r = deploy(*cmd)
    assert (r.code, r.out) == (code, out)
    if err is None:
        assert r.err.startswith("error: Expected resource version to be 1, was ")
    else:
        assert r.err == err
    assert replicas(deploy, "deploy/web") == after


def test_scale_from_file_and_unscalable_kinds(deploy, tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text(DEPLOY)
    r = deploy("scale", "-f", str(f), "--replicas=6")
    assert (r.code, r.out) == (0, "deployment.apps/web scaled\n"), r.err
    assert replicas(deploy, "deploy/web") == 6
    deploy("create", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n", check=True)
    r = deploy("scale", "configmap", "cm", "--replicas=2")
    assert (r.code, r.err) == (1, "Error from server (NotFound): the server could not find the requested resource\n")
