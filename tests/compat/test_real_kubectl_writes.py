"""The real kubectl v1.32's typed writes against `pykubectl cluster serve`: its `create`
generators post protobuf bodies, which the server must read as the objects kubectl meant.

One server per module on a free 127.0.0.1 port. Until `routes.py` calls
`protobuf.rewrite_as_json` itself, the server here is started with that call in front of its
resource handler (the only difference from `pykubectl cluster serve`).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import Kube, real_kubectl

KUBECTL = real_kubectl()
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")



class Served:
    def __init__(self, kube: Kube, port: int):
        self.kube, self.port = kube, port
        self.kubeconfig = os.path.join(kube.home, "kubeconfig-served")

    def kubectl(self, *args, timeout=30):
        return subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, *args], capture_output=True,
                              text=True, timeout=timeout,
                              env={"PATH": os.environ.get("PATH", ""), "HOME": self.kube.home})

    def obj(self, *args) -> dict:
        r = self.kube("get", *args, "-o", "json")
        assert r.code == 0, r.err
        return json.loads(r.out)


@pytest.fixture(scope="module")
def served(tmp_path_factory, lab_template):
    from tests.compat.serving import serve
    home = str(tmp_path_factory.mktemp("served-writes") / "home")
    shutil.copytree(lab_template, home)
    kube = Kube(home)
    with serve(kube.env) as port:
        s = Served(kube, port)
        shutil.copy(kube.kubeconfig, s.kubeconfig)
        subprocess.run([KUBECTL, "--kubeconfig", s.kubeconfig, "config", "set-cluster", "kubernetes",
                        f"--server=https://127.0.0.1:{s.port}"], check=True, capture_output=True, timeout=30)
        yield s


def _at(obj, path: str):
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


GENERATORS = [
    # (id, kubectl create args, stdout, pykubectl get args, {field path: value})
    ("namespace", ("namespace", "team-a"), "namespace/team-a created\n", ("ns", "team-a"),
     {"metadata.name": "team-a", "spec.finalizers": ["kubernetes"]}),
    ("configmap", ("configmap", "cm1", "--from-literal=a=b", "--from-literal=c=d"),
     "configmap/cm1 created\n", ("cm", "cm1"), {"data": {"a": "b", "c": "d"}}),
    ("secret", ("secret", "generic", "s1", "--from-literal=password=hunter2"),
     "secret/s1 created\n", ("secret", "s1"), {"data.password": "aHVudGVyMg==", "type": "Opaque"}),
    ("serviceaccount", ("serviceaccount", "robot"), "serviceaccount/robot created\n", ("sa", "robot"),
     {"metadata.name": "robot"}),
    ("deployment", ("deployment", "web", "--image=nginx", "--replicas=2", "--port=80"),
     "deployment.apps/web created\n", ("deploy", "web"),
     {"spec.replicas": 2, "spec.selector.matchLabels": {"app": "web"},
      "spec.template.spec.containers.0.ports.0.containerPort": 80,
      "spec.template.spec.containers.0.image": "nginx"}),
    ("service", ("service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"),
     "service/np created\n", ("svc", "np"),
     {"spec.type": "NodePort", "spec.ports.0.port": 80, "spec.ports.0.targetPort": 8080,
      "spec.ports.0.nodePort": 30080}),
    ("job", ("job", "once", "--image=busybox", "--", "echo", "hi"), "job.batch/once created\n",
     ("job", "once"), {"spec.template.spec.containers.0.command": ["echo", "hi"],
                       "spec.template.spec.restartPolicy": "Never"}),
    ("cronjob", ("cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"),
     "cronjob.batch/tick created\n", ("cronjob", "tick"),
     {"spec.schedule": "*/5 * * * *",
      "spec.jobTemplate.spec.template.spec.containers.0.command": ["date"]}),
    ("role", ("role", "reader", "--verb=get,list", "--resource=pods,deployments.apps"),
     "role.rbac.authorization.k8s.io/reader created\n", ("role", "reader"),
     {"rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
                {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["deployments"]}]}),
    ("rolebinding", ("rolebinding", "reader", "--role=reader", "--user=jane"),
     "rolebinding.rbac.authorization.k8s.io/reader created\n", ("rolebinding", "reader"),
     {"roleRef.name": "reader", "subjects.0.name": "jane", "subjects.0.kind": "User"}),
    ("clusterrole", ("clusterrole", "node-reader", "--verb=get", "--resource=nodes"),
     "clusterrole.rbac.authorization.k8s.io/node-reader created\n", ("clusterrole", "node-reader"),
     {"rules.0.resources": ["nodes"]}),
    ("clusterrolebinding", ("clusterrolebinding", "node-reader", "--clusterrole=node-reader",
                            "--group=ops"),
     "clusterrolebinding.rbac.authorization.k8s.io/node-reader created\n",
     ("clusterrolebinding", "node-reader"), {"subjects.0.kind": "Group", "subjects.0.name": "ops"}),
    ("quota", ("quota", "q", "--hard=pods=4,cpu=2"), "resourcequota/q created\n", ("quota", "q"),
     {"spec.hard": {"pods": "4", "cpu": "2"}}),
    ("priorityclass", ("priorityclass", "high", "--value=1000", "--description=important"),
     "priorityclass.scheduling.k8s.io/high created\n", ("priorityclass", "high"),
     {"value": 1000, "description": "important"}),
    ("pdb", ("poddisruptionbudget", "web", "--selector=app=web", "--min-available=1"),
     "poddisruptionbudget.policy/web created\n", ("pdb", "web"), {"spec.minAvailable": 1}),
    ("ingress", ("ingress", "web", "--class=nginx", "--rule=shop.example.com/=web:80"),
     "ingress.networking.k8s.io/web created\n", ("ingress", "web"),
     {"spec.ingressClassName": "nginx", "spec.rules.0.host": "shop.example.com",
      "spec.rules.0.http.paths.0.backend.service.name": "web",
      "spec.rules.0.http.paths.0.backend.service.port.number": 80}),
]


@pytest.mark.parametrize("args,out,get,expect", [g[1:] for g in GENERATORS], ids=[g[0] for g in GENERATORS])
def test_create_generators(served, args, out, get, expect):
    p = served.kubectl("create", *args)
    assert (p.returncode, p.stdout, p.stderr) == (0, out, "")
    obj = served.obj(*get)
    for path, value in expect.items():
        assert _at(obj, path) == value, path


def test_create_errors_come_back_as_kubectls(served):
    assert served.kubectl("create", "namespace", "twice").returncode == 0
    p = served.kubectl("create", "namespace", "twice")
    assert (p.returncode, p.stderr) == (1, 'Error from server (AlreadyExists): namespaces "twice" already exists\n')
    p = served.kubectl("create", "deployment", "Bad", "--image=nginx")
    assert p.returncode == 1
    assert p.stderr.startswith('error: failed to create deployment: Deployment.apps "Bad" is invalid: '
                               'metadata.name: Invalid value: "Bad"')


def test_server_dry_run_writes_nothing(served):
    p = served.kubectl("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server")
    assert (p.returncode, p.stdout) == (0, "configmap/dry created (server dry run)\n")
    assert served.kube("get", "cm", "dry").code == 1
