"""kubectl create's generators end to end: byte for byte against the real kubectl's offline
`--dry-run=client` output (when it is installed), and against the lab cluster."""
import json
import os
import subprocess

import pytest

from tests.conftest import real_kubectl

# command lines whose whole answer (stdout, stderr, exit code) must equal kubectl v1.32's;
# `~` is a space inside an argument; `{d}` is a directory holding a.txt ("hello"), bin (not UTF-8) and app.env
ORACLE = [
    ("namespace-yaml", "create namespace nm-01 --dry-run=client -o yaml"),
    ("ns-json", "create ns nm-01 --dry-run=client -o json"),
    ("configmap-literals-json", "create configmap cm --from-literal=b=x --from-literal=a=1 -n dev --dry-run=client -o json"),
    ("configmap-files", "create cm cm --from-file={d}/a.txt --from-file=key={d}/bin --dry-run=client -o yaml"),
    ("configmap-dir-hash", "create configmap cm --from-file={d} --append-hash --dry-run=client -o json"),
    ("configmap-env-file", "create configmap cm --from-env-file={d}/app.env --dry-run=client -o yaml"),
    ("configmap-name", "create configmap cm --from-literal=a=1 --dry-run=client -o name"),
    ("configmap-default", "create configmap cm --from-literal=a=1 --dry-run=client"),
    ("secret-generic", "create secret generic s --from-literal=user=admin --type=Opaque --dry-run=client -o json"),
    ("secret-generic-hash", "create secret generic s --from-file={d} --append-hash --dry-run=client -o yaml"),
    ("secret-docker", "create secret docker-registry reg --docker-username=u --docker-password=p<>& "
                      "--docker-email=e@x --dry-run=client -o json"),
    ("serviceaccount", "create sa robot -n dev --dry-run=client -o json"),
    ("deployment-command", "create deployment web --image=nginx --replicas=2 --port=80 --dry-run=client -o yaml "
                           "-- sleep 10"),
    ("deployment-two-images", "create deploy web --image=nginx --image=redis:7 --port=80 --dry-run=client -o json"),
    ("deployment-save-config", "create deployment web --image=nginx --save-config --dry-run=client -o yaml"),
    ("service-clusterip", "create service clusterip web --tcp=80:8080,443:https -n dev --dry-run=client -o json"),
    ("service-headless", "create svc clusterip db --clusterip=None --dry-run=client -o yaml"),
    ("service-nodeport", "create service nodeport web --tcp=80:8080 --node-port=30080 --dry-run=client -o json"),
    ("service-loadbalancer", "create service loadbalancer lb --tcp=80 --dry-run=client -o yaml"),
    ("service-externalname", "create service externalname ext --external-name=example.com --dry-run=client -o json"),
    ("job", "create job hello --image=busybox --dry-run=client -o json -- echo hi"),
    ("cronjob", "create cronjob tick --image=busybox --schedule=*/1~*~*~*~* --restart=Never --dry-run=client -o json"),
    ("priorityclass", "create priorityclass high --value=1000 --global-default --description=hi "
                      "--preemption-policy=Never --dry-run=client -o json"),
    ("ingress", "create ingress web --class=nginx --rule=foo.com/*=web:80,tls=cert --rule=foo.com/api=api:http "
                "--rule=/x=x:8080 --default-backend=web:80 --annotation=a=b --dry-run=client -o json"),
    ("pdb", "create pdb web --selector=app=web,tier~in~(a,b) --max-unavailable=50% --dry-run=client -o json"),
    ("quota", "create quota q --hard=pods=10,cpu=1,memory=1.5Gi --scopes=BestEffort --dry-run=client -o json"),
    ("rolebinding", "create rolebinding rb --clusterrole=view --group=devs --serviceaccount=dev:robot "
                    "--dry-run=client -o json"),
    ("clusterrolebinding", "create clusterrolebinding crb --clusterrole=view --serviceaccount=a:b "
                           "--dry-run=client -o yaml"),
    ("clusterrole-urls", "create clusterrole logs --verb=get,get --non-resource-url=/logs,/logs/* --dry-run=client -o json"),
    ("clusterrole-aggregation", "create clusterrole agg --aggregation-rule=a=b,c=d --dry-run=client -o yaml"),
    # refusals
    ("no-subcommand", "create"),
    ("unknown-subcommand", "create foo x"),
    ("secret-unknown-type", "create secret foo x"),
    ("name-missing", "create ns --dry-run=client"),
    ("literal-without-equals", "create configmap c --from-literal=a --dry-run=client"),
    ("duplicate-key", "create configmap c --from-literal=a=1 --from-literal=a=2 --dry-run=client"),
    ("env-file-and-literal", "create configmap c --from-env-file={d}/app.env --from-literal=a=b --dry-run=client"),
    ("missing-file", "create configmap c --from-file={d}/nope --dry-run=client"),
    ("dir-with-key", "create configmap c --from-file=k={d} --dry-run=client"),
    ("tls-without-files", "create secret tls t --dry-run=client"),
    ("tls-not-pem", "create secret tls t --cert={d}/a.txt --key={d}/a.txt --dry-run=client"),
    ("docker-without-password", "create secret docker-registry r --docker-username=u --dry-run=client"),
    ("service-no-port", "create service clusterip s --dry-run=client"),
    ("service-bad-port", "create service nodeport s --tcp=70000 --dry-run=client"),
    ("job-without-image", "create job j --dry-run=client"),
    ("deployment-images-and-command", "create deployment d --image=a --image=b --dry-run=client -- sleep"),
    ("ingress-bad-rule", "create ingress i --rule=foo --dry-run=client"),
    ("pdb-without-budget", "create pdb p --selector=a=b --dry-run=client"),
    ("quota-bad-syntax", "create quota q --hard=foo --dry-run=client"),
    ("rolebinding-two-roles", "create rolebinding rb --clusterrole=x --role=y --dry-run=client"),
    ("rolebinding-bad-sa", "create rolebinding rb --role=x --serviceaccount=bad --dry-run=client"),
    ("clusterrole-no-verb", "create clusterrole c --dry-run=client"),
    ("clusterrole-bad-url", "create clusterrole c --verb=get --non-resource-url=x --dry-run=client"),
]


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "a.txt").write_text("hello")
    (d / "bin").write_bytes(b"\xff\xfe")
    (d / "app.env").write_text("# settings\nMODE=prod\n  LEVEL=3\n")
    return str(d)


def _argv(line: str, d: str) -> list[str]:
    # `~` stands for a space inside one argument
    return [a.replace("~", " ") for a in line.format(d=d).split()]


@pytest.mark.parametrize("line", [c for _, c in ORACLE], ids=[i for i, _ in ORACLE])
def test_same_as_real_kubectl(fresh, data_dir, line):
    kubectl = real_kubectl()
    if not kubectl:
        pytest.skip("no real kubectl")
    argv = _argv(line, data_dir)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": fresh.home, "KUBECONFIG": os.devnull}
    real = subprocess.run([kubectl, *argv], capture_output=True, text=True, env=env, timeout=30)
    ours = fresh(*argv)
    assert (ours.code, ours.out, ours.err) == (real.returncode, real.stdout, real.stderr)


@pytest.mark.parametrize("args,expected_err", [
    (["create", "namespace", "x", "--image=nginx"],
     "error: unknown flag: --image\nSee 'kubectl create namespace --help' for usage.\n"),
    (["create", "-f", "x.yaml", "--image=nginx"],
     "error: unknown flag: --image\nSee 'kubectl create --help' for usage.\n"),
    (["create", "deployment", "x"], 'error: required flag(s) "image" not set\n'),
    (["create", "cronjob", "x"], 'error: required flag(s) "image", "schedule" not set\n'),
    (["create", "configmap", "c", "-o", "wide", "--dry-run=client"],
     'error: unable to match a printer suitable for the output format "wide", allowed formats are: '
     'json,jsonpath,jsonpath-as-json,jsonpath-file,name,go-template,go-template-file,template,templatefile,yaml\n'),
    (["create", "token"], "error: exactly one NAME is required, got 0\nSee 'kubectl create token -h' for help and examples\n"),
], ids=["flag-of-another-subcommand", "generator-flag-with-file", "required-image", "required-two", "unsupported-output", "token"])
def test_refusals(fresh, args, expected_err):
    r = fresh(*args)
    assert (r.code, r.out, r.err) == (1, "", expected_err)


def test_secret_without_type_prints_help_and_fails(fresh):
    r = fresh("create", "secret")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("Create a secret with specified type.\n")


def test_generators_against_the_cluster(kube):
    r = kube("create", "ns", "nm-01")
    assert (r.code, r.out) == (0, "namespace/nm-01 created\n"), r.err
    r = kube("create", "ns", "nm-01")
    assert (r.code, r.err) == (1, 'Error from server (AlreadyExists): namespaces "nm-01" already exists\n')
    r = kube("create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", "nm-01")
    assert (r.code, r.out) == (0, "deployment.apps/web created\n"), r.err
    r = kube("create", "deployment", "web", "--image=nginx", "-n", "nm-01")
    assert (r.code, r.err) == (1, 'error: failed to create deployment: deployments.apps "web" already exists\n')
    dep = json.loads(kube("get", "deployment", "web", "-n", "nm-01", "-o", "json").out)
    assert dep["spec"]["replicas"] == 2
    r = kube("create", "service", "clusterip", "web", "--tcp=80", "-n", "nm-01", "--dry-run=server")
    assert (r.code, r.out) == (0, "service/web created (server dry run)\n"), r.err
    assert kube("get", "service", "web", "-n", "nm-01").code == 1     # nothing persisted
    r = kube("create", "configmap", "cfg", "--from-literal=a=1", "-o", "name")
    assert (r.code, r.out) == (0, "configmap/cfg\n"), r.err


def test_role_resolves_resources_as_kubectl_does(kube):
    r = kube("create", "role", "r", "--verb=get,list", "--resource=po,deployments.apps,rs,pods/log",
             "--resource-name=x", "--dry-run=client", "-o", "yaml")
    assert r.out == """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  creationTimestamp: null
  name: r
rules:
- apiGroups:
  - ""
  resourceNames:
  - x
  resources:
  - pods
  - pods/log
  verbs:
  - get
  - list
- apiGroups:
  - apps
  resourceNames:
  - x
  resources:
  - deployments
  - replicasets
  verbs:
  - get
  - list
""", r.err
    r = kube("create", "role", "r", "--verb=get", "--resource=foo")
    assert (r.code, r.err) == (1, 'error: the server doesn\'t have a resource type "foo"\n')
    r = kube("create", "role", "r", "--verb=bind", "--resource=pods")
    assert (r.code, r.err) == (1, "error: can not perform 'bind' on 'pods' in group ''\n")
    r = kube("create", "role", "r", "--verb=get", "--verb=frob", "--resource=pods")
    assert (r.code, r.out, r.err) == (0, "role.rbac.authorization.k8s.io/r created\n",
                                      "Warning: 'frob' is not a standard resource verb\n")


def test_job_from_cronjob(kube):
    kube("create", "cronjob", "backup", "--image=busybox", "--schedule=0 * * * *", check=True)
    r = kube("create", "job", "now", "--from=cronjob/backup")
    assert (r.code, r.out) == (0, "job.batch/now created\n"), r.err
    job = json.loads(kube("get", "job", "now", "-o", "json").out)
    assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    assert [(o["kind"], o["name"], o["controller"]) for o in job["metadata"]["ownerReferences"]] == [
        ("CronJob", "backup", True)]
    r = kube("create", "job", "again", "--from=cronjob/missing")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): cronjobs.batch "missing" not found\n')


def test_rolebinding_user_flag_is_the_subject_not_the_kubeconfig_user(kube):
    r = kube("create", "rolebinding", "rb", "--clusterrole=view", "--user=alice")
    assert (r.code, r.out) == (0, "rolebinding.rbac.authorization.k8s.io/rb created\n"), r.err
    rb = json.loads(kube("get", "rolebinding", "rb", "-o", "json").out)
    assert rb["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]


def test_create_from_file_still_works(kube):
    r = kube("create", "-f", "-", "-o", "name", input="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n")
    assert (r.code, r.out) == (0, "configmap/from-file\n"), r.err
