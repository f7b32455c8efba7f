"""`kubectl rollout` and `kubectl set` end to end through the CLI on a copy of the lab cluster
(virtual clock), with the real kubectl as the oracle where it works offline (`set --local`)."""
import os
import subprocess

import pytest

from tests.conftest import real_kubectl

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx
        env:
        - {name: A, value: "1"}
"""


@pytest.fixture
def web(kube):
    kube("apply", "-f", "-", input=DEPLOY, check=True)
    kube("sim", "advance", "3s", check=True)
    return kube


def test_rollout_status_history_undo(web):
    assert web("rollout", "status", "deployment/web").out == 'deployment "web" successfully rolled out\n'
    assert web("set", "image", "deployment/web", "c=nginx:1.27").out == "deployment.apps/web image updated\n"
    r = web("rollout", "status", "deploy", "web", "--watch=false")
    assert r.out == 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n'
    web("sim", "advance", "10s", check=True)
    assert web("rollout", "status", "deploy/web").out == 'deployment "web" successfully rolled out\n'
    r = web("rollout", "history", "deployment/web")
    assert r.out == ("deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n")
    assert web("rollout", "undo", "deployment/web").out == "deployment.apps/web rolled back\n"
    web("sim", "advance", "10s", check=True)
    r = web("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} "
            "{.metadata.annotations.deployment\\.kubernetes\\.io/revision}")
    assert r.out == "nginx 3"
    r = web("rollout", "undo", "deployment/web", "--to-revision=7")
    assert (r.code, r.err) == (1, "error: unable to find specified revision 7 in history\n")


@pytest.mark.parametrize("steps,lines", [
    ([("pause",), ("pause",), ("resume",), ("resume",)],
     ["deployment.apps/web paused", "deployment.apps/web already paused", "deployment.apps/web resumed",
      "deployment.apps/web already resumed"]),
    ([("restart",)], ["deployment.apps/web restarted"]),
], ids=["pause-resume", "restart"])
def test_rollout_pause_resume_restart(web, steps, lines):
    assert [web("rollout", *s, "deployment/web").out.rstrip("\n") for s in steps] == lines


def test_restart_adds_restarted_at_and_rolls_a_new_replicaset(web):
    web("rollout", "restart", "deployment/web", check=True)
    web("sim", "advance", "10s", check=True)
    r = web("get", "deploy", "web", "-o",
            "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}")
    assert r.out.startswith("20") and len(web("get", "rs", "--no-headers").out.splitlines()) == 2


def test_paused_deployment_refuses_restart_and_undo(web):
    web("rollout", "pause", "deployment/web", check=True)
    r = web("rollout", "restart", "deployment/web")
    assert (r.code, r.err) == (1, "error: can't restart paused deployment (run rollout resume first)\n")
    r = web("rollout", "undo", "deployment/web")
    assert r.err == ("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
                     "resume' and try again\n")


def test_rollout_status_of_a_statefulset(kube):
    kube("create", "-f", "-", input="""apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: nginx}]}
""", check=True)
    assert kube("rollout", "status", "sts/db", "--watch=false").out == "Waiting for 2 pods to be ready...\n"
    kube("sim", "advance", "5s", check=True)
    r = kube("rollout", "status", "sts/db")
    assert r.out.startswith("statefulset rolling update complete 2 pods at revision db-")


def test_set_env_and_resources_on_the_cluster(web):
    assert web("set", "env", "deployment/web", "B=2").out == "deployment.apps/web env updated\n"
    assert web("set", "env", "deployment/web", "B=2").out == ""       # nothing changed: no line
    assert web("set", "env", "deployment/web", "--list").out == "# Deployment web, container c\nA=1\nB=2\n"
    r = web("set", "resources", "deployment/web", "--limits=cpu=200m,memory=512Mi", "--requests=cpu=100m")
    assert r.out == "deployment.apps/web resource requirements updated\n"
    r = web("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].resources}")
    assert r.out == '{"limits":{"cpu":"200m","memory":"512Mi"},"requests":{"cpu":"100m"}}'
    r = web("set", "image", "deployment/web", "nope=busybox")
    assert (r.code, r.err) == (1, 'error: unable to find container named "nope"\n')


@pytest.mark.parametrize("args", [
    ["set", "image", "c=nginx:1.27"],
    ["set", "image", "*=busybox", "-o", "name"],
    ["set", "image", "c=nginx", ],
    ["set", "env", "B=2", "A-"],
    ["set", "env", "B=2", "-c", "nope"],
    ["set", "env", "--list"],
    ["set", "resources", "--limits=cpu=200m"],
    ["set", "resources", "-c", "x", "--limits=cpu=200m"],
    ["set", "image"],
], ids=["image", "image-wildcard-name", "image-unchanged", "env-add-remove", "env-no-container", "env-list",
        "resources", "resources-no-container", "image-nothing"])
def test_set_local_matches_real_kubectl(kube, tmp_path, args):
    kubectl = real_kubectl()
    if kubectl is None:
        pytest.skip("no real kubectl")
    f = tmp_path / "d.yaml"
    f.write_text(DEPLOY)
    argv = args[:2] + ["-f", str(f), "--local"] + args[2:]
    ours = kube(*argv)
    env = dict(os.environ, KUBECONFIG=str(tmp_path / "none"), HOME=str(tmp_path))
    real = subprocess.run([kubectl, *argv], capture_output=True, text=True, env=env)
    assert (ours.code, ours.out, ours.err) == (real.returncode, real.stdout, real.stderr)


@pytest.mark.parametrize("argv", [["rollout"], ["set"], ["rollout", "foo"], ["set", "foo"]],
                         ids=["rollout-help", "set-help", "rollout-unknown", "set-unknown"])
def test_group_help_and_unknown_subcommand_match_real_kubectl(fresh, tmp_path, argv):
    kubectl = real_kubectl()
    if kubectl is None:
        pytest.skip("no real kubectl")
    ours = fresh(*argv)
    env = dict(os.environ, KUBECONFIG=str(tmp_path / "none"), HOME=str(tmp_path))
    real = subprocess.run([kubectl, *argv], capture_output=True, text=True, env=env)
    assert (ours.code, ours.out, ours.err) == (real.returncode, real.stdout, real.stderr)
