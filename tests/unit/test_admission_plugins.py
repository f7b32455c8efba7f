"""Admission as the apiserver's plugins do it. healthCheckNodePort: allocated for a LoadBalancer Service with
externalTrafficPolicy Local, an explicit one honoured unless taken, cleared when the policy goes."""
from __future__ import annotations

import json


def svc(kube, name):
    return json.loads(kube("get", "svc", name, "-o", "json", check=True).out)["spec"]


def test_allocated_kept_and_released(kube):
    kube("create", "service", "loadbalancer", "web", "--tcp=80:80", check=True)
    assert "healthCheckNodePort" not in svc(kube, "web")
    kube("patch", "svc", "web", "-p", '{"spec":{"externalTrafficPolicy":"Local"}}', check=True)
    spec = svc(kube, "web")
    hc = spec["healthCheckNodePort"]
    assert 30000 <= hc <= 32767 and hc != spec["ports"][0]["nodePort"]
    # an unrelated change keeps the port
    kube("label", "svc", "web", "tier=front", check=True)
    assert svc(kube, "web")["healthCheckNodePort"] == hc
    kube("patch", "svc", "web", "-p", '{"spec":{"externalTrafficPolicy":"Cluster"}}', check=True)
    assert "healthCheckNodePort" not in svc(kube, "web")


def test_a_taken_port_is_refused_with_the_apis_words(kube):
    kube("create", "service", "nodeport", "a", "--tcp=80:80", "--node-port=30080", check=True)
    kube("create", "service", "loadbalancer", "b", "--tcp=80:80", check=True)
    r = kube("patch", "svc", "b", "-p",
             '{"spec":{"externalTrafficPolicy":"Local","healthCheckNodePort":30080}}')
    assert r.code == 1
    assert r.err == ('The Service "b" is invalid: spec.healthCheckNodePort: Invalid value: 30080: '
                     "provided port is already allocated\n")
    assert "healthCheckNodePort" not in svc(kube, "b")


def test_a_pod_copy_reuses_its_token_volume_for_new_containers(kube):
    """The ServiceAccount admission plugin mounts the token into every container lacking it,
    reusing a kube-api-access-* volume the pod already has (what `debug --copy-to` creates)."""
    kube("run", "web", "--image=nginx", check=True)
    pod = json.loads(kube("get", "pod", "web", "-o", "json", check=True).out)
    vol = next(v["name"] for v in pod["spec"]["volumes"] if v["name"].startswith("kube-api-access-"))
    copy = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-copy"},
            "spec": dict(pod["spec"], nodeName=None,
                         containers=pod["spec"]["containers"] + [{"name": "debugger", "image": "busybox"}])}
    kube("create", "-f", "-", input=json.dumps(copy), check=True)
    got = json.loads(kube("get", "pod", "web-copy", "-o", "json", check=True).out)["spec"]
    assert [v["name"] for v in got["volumes"] if v["name"].startswith("kube-api-access-")] == [vol]
    mounts = {c["name"]: [m["name"] for m in c.get("volumeMounts") or ()
                          if m["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"]
              for c in got["containers"]}
    assert mounts == {"web": [vol], "debugger": [vol]}


def test_a_node_keeps_the_status_it_is_created_with(kube):
    """Node strategy: all fields, status included, may be set on create (a pod's is dropped)."""
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-3"},
            "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                       "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}
    kube("create", "-f", "-", input=json.dumps(node), check=True)
    got = json.loads(kube("get", "node", "worker-3", "-o", "json", check=True).out)
    assert got["status"]["allocatable"] == {"cpu": "4", "memory": "8Gi", "pods": "110"}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": "Succeeded"}}
    kube("create", "-f", "-", input=json.dumps(pod), check=True)
    assert json.loads(kube("get", "pod", "p", "-o", "json", check=True).out)["status"]["phase"] == "Pending"
