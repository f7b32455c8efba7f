"""Discovery verbs end to end: api-resources, api-versions, version, cluster-info, explain.

The oracle tests run the real kubectl v1.32 against a throwaway server on 127.0.0.1 that serves
discovery and OpenAPI v3 from the same data pykubectl uses (kinds registry plus the lab
cluster's CRDs, the v1.32 definitions with refs wrapped in allOf as kube-apiserver serves them),
and require pykubectl to print the same bytes: they check kubectl's client side (sorting,
filters, tabwriter, the explain template) against kubectl itself.
"""
from __future__ import annotations

import json
import os
import subprocess
import threading

import pytest

from pykubectl.cli import cluster_info
from tests.conftest import real_kubectl

# ------------------------------------------------------------------ api-resources / api-versions


def test_api_resources_default_table(kube):
    r = kube("api-resources")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[:3] == [
        "NAME                                SHORTNAMES   APIVERSION                        NAMESPACED   KIND",
        "bindings                                         v1                                true         Binding",
        "componentstatuses                   cs           v1                                false        ComponentStatus",
    ]
    # sorted by group, then name; the lab's Calico CRDs sit among the built-in groups
    groups = [line.split()[-3] for line in lines[1:]]
    assert groups.index("crd.projectcalico.org/v1") > groups.index("coordination.k8s.io/v1")
    assert groups.index("crd.projectcalico.org/v1") < groups.index("discovery.k8s.io/v1")
    assert "nodes                                            metrics.k8s.io/v1beta1            false        NodeMetrics" in lines


@pytest.mark.parametrize("args, expected", [
    (["--api-group=apps", "--no-headers"],
     "controllerrevisions            apps/v1   true   ControllerRevision\n"
     "daemonsets            ds       apps/v1   true   DaemonSet\n"
     "deployments           deploy   apps/v1   true   Deployment\n"
     "replicasets           rs       apps/v1   true   ReplicaSet\n"
     "statefulsets          sts      apps/v1   true   StatefulSet\n"),
    (["--namespaced=false", "--api-group=rbac.authorization.k8s.io"],
     "NAME                  SHORTNAMES   APIVERSION                     NAMESPACED   KIND\n"
     "clusterrolebindings                rbac.authorization.k8s.io/v1   false        ClusterRoleBinding\n"
     "clusterroles                       rbac.authorization.k8s.io/v1   false        ClusterRole\n"),
    (["--categories=all", "-o", "name"],
     "pods\nreplicationcontrollers\nservices\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\n"
     "statefulsets.apps\nhorizontalpodautoscalers.autoscaling\ncronjobs.batch\njobs.batch\n"),
    (["--api-group=", "--verbs=get", "--verbs=list", "--namespaced=false", "-o", "name"],
     "componentstatuses\nnamespaces\nnodes\npersistentvolumes\n"),
    (["--api-group=apps", "-o", "wide", "--sort-by=kind"],
     "NAME                  SHORTNAMES   APIVERSION   NAMESPACED   KIND                 VERBS                                                        CATEGORIES\n"
     "controllerrevisions                apps/v1      true         ControllerRevision   create,delete,deletecollection,get,list,patch,update,watch   \n"
     "daemonsets            ds           apps/v1      true         DaemonSet            create,delete,deletecollection,get,list,patch,update,watch   all\n"
     "deployments           deploy       apps/v1      true         Deployment           create,delete,deletecollection,get,list,patch,update,watch   all\n"
     "replicasets           rs           apps/v1      true         ReplicaSet           create,delete,deletecollection,get,list,patch,update,watch   all\n"
     "statefulsets          sts          apps/v1      true         StatefulSet          create,delete,deletecollection,get,list,patch,update,watch   all\n"),
    (["--api-group=nope"], "NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND\n"),
], ids=["group-no-headers", "cluster-scoped-group", "category-names", "verbs-core-cluster-scoped",
        "wide-sorted-by-kind", "nothing-matches"])
def test_api_resources_filters_and_formats(kube, args, expected):
    r = kube("api-resources", *args)
    assert (r.code, r.err, r.out) == (0, "", expected)


def test_api_resources_sort_by_kind_keeps_discovery_order_on_ties(kube):
    out = kube("api-resources", "--sort-by=kind", "-o", "name").out.split()
    # both Events sort together, core first (stable sort over discovery order)
    i = out.index("events")
    assert out[i:i + 2] == ["events", "events.events.k8s.io"]


@pytest.mark.parametrize("args, err", [
    (["--sort-by=age"], "error: --sort-by accepts only name or kind\n"),
    (["-o", "json"], "error: --output json is not available\n"),
    (["pods"], "error: unexpected arguments: [pods]\nSee 'kubectl api-resources -h' for help and examples\n"),
], ids=["bad-sort", "bad-output", "stray-argument"])
def test_api_resources_errors(kube, args, err):
    r = kube("api-resources", *args)
    assert (r.code, r.out, r.err) == (1, "", err)


def test_api_versions_lists_every_group_version(kube):
    r = kube("api-versions")
    assert r.code == 0, r.err
    assert r.out.split() == [
        "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
        "apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1",
        "autoscaling/v2", "batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1",
        "crd.projectcalico.org/v1", "discovery.k8s.io/v1", "events.k8s.io/v1",
        "flowcontrol.apiserver.k8s.io/v1", "metrics.k8s.io/v1beta1", "networking.k8s.io/v1",
        "node.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1",
        "storage.k8s.io/v1", "v1"]
    assert kube("api-versions", "x").err == "error: unexpected arguments: [x]\nSee 'kubectl api-versions -h' for help and examples\n"


# ------------------------------------------------------------------------------------ version

RELEASE = {"major": "1", "minor": "32", "gitVersion": "v1.32.0",
           "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53", "gitTreeState": "clean",
           "buildDate": "2024-12-11T17:59:15Z", "goVersion": "go1.23.3", "compiler": "gc",
           "platform": "linux/amd64"}


@pytest.mark.parametrize("args, expected", [
    ([], "Client Version: v1.32.0\nKustomize Version: v5.5.0\nServer Version: v1.32.0\n"),
    (["--client"], "Client Version: v1.32.0\nKustomize Version: v5.5.0\n"),
    (["--client", "-o", "json"],
     json.dumps({"clientVersion": RELEASE, "kustomizeVersion": "v5.5.0"}, indent=2) + "\n"),
], ids=["plain", "client-only", "json"])
def test_version(kube, args, expected):
    r = kube("version", *args)
    assert (r.code, r.err, r.out) == (0, "", expected)


def test_version_yaml_has_sorted_keys_and_kubectls_blank_line(kube):
    r = kube("version", "-o", "yaml")
    assert r.out.startswith('clientVersion:\n  buildDate: "2024-12-11T17:59:15Z"\n  compiler: gc\n')
    assert '  minor: "32"\n  platform: linux/amd64\nkustomizeVersion: v5.5.0\nserverVersion:\n' in r.out
    assert r.out.endswith("  platform: linux/amd64\n\n")


def test_version_rejects_other_formats(kube):
    r = kube("version", "-o", "wide")
    assert (r.code, r.out, r.err) == (1, "", "error: --output must be 'yaml' or 'json'\n")


def test_version_json_is_what_real_kubectl_prints_for_its_client():
    kubectl = real_kubectl()
    if not kubectl:
        pytest.skip("no real kubectl")
    from pykubectl.cli.version import render, version_document
    real = json.loads(subprocess.run([kubectl, "version", "--client", "-o", "json"], capture_output=True,
                                     text=True, env={"KUBECONFIG": os.devnull, "PATH": os.environ["PATH"]}).stdout)
    ours = json.loads(render(version_document(True), "json"))
    # same structure, key for key, in the same order
    assert list(ours) == list(real)
    assert list(ours["clientVersion"]) == list(real["clientVersion"])


# -------------------------------------------------------------------------------- cluster-info

G, Y, R0 = "\x1b[0;32m", "\x1b[0;33m", "\x1b[0m"
HINT = "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"


def test_cluster_info_colours_the_lab(kube):
    kube.env["TERM"] = "xterm"
    r = kube("cluster-info")
    assert (r.code, r.err) == (0, "")
    assert r.out == (
        f"{G}Kubernetes control plane{R0} is running at {Y}https://127.0.0.1:6443{R0}\n"
        f"{G}CoreDNS{R0} is running at {Y}https://127.0.0.1:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy{R0}\n"
        + HINT)


def test_cluster_info_plain_on_dumb_terminal_and_other_namespace(kube):
    svc = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: dash\n  labels:\n"
           "    kubernetes.io/cluster-service: \"true\"\n    kubernetes.io/name: Dashboard\n"
           "spec:\n  ports:\n  - port: 443\n")
    assert kube("apply", "-f", "-", input=svc).code == 0
    kube.env["TERM"] = "dumb"
    r = kube("cluster-info", "-n", "default")
    assert r.out == ("Kubernetes control plane is running at https://127.0.0.1:6443\n"
                     "Dashboard is running at https://127.0.0.1:6443/api/v1/namespaces/default/services/https:dash:/proxy\n"
                     + HINT)


@pytest.mark.parametrize("svc, link", [
    ({"metadata": {"name": "lb", "namespace": "x"}, "spec": {"ports": [{"port": 80}, {"port": 8080}]},
      "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example"}]}}},
     "http://lb.example:80 http://lb.example:8080 "),
    ({"metadata": {"name": "web", "namespace": "x"}, "spec": {"ports": [{"name": "https", "port": 8443}]}},
     "https://h/api/v1/namespaces/x/services/https:web:https/proxy"),
    ({"metadata": {"name": "bare", "namespace": "x"}, "spec": {}},
     "https://h/api/v1/namespaces/x/services/bare/proxy"),
], ids=["load-balancer", "https-by-port-name", "no-ports"])
def test_cluster_info_service_links(svc, link):
    assert cluster_info.service_link("https://h", svc) == link


def test_cluster_info_dump_is_not_implemented(kube):
    r = kube("cluster-info", "dump")
    assert (r.code, r.err) == (1, "error: cluster-info dump is not implemented in pykubectl yet\n")


# ------------------------------------------------------------------------------------- explain

def test_explain_field_through_an_array(kube):
    r = kube("explain", "pods.spec.containers")
    assert r.code == 0, r.err
    assert r.out.startswith(
        "KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n\n\nDESCRIPTION:\n"
        "    List of containers belonging to the pod. Containers cannot currently be\n"
        "    added or removed. There must be at least one container in a Pod. Cannot be\n"
        "    updated.\n    A single application container that you want to run within a pod.\n    \n"
        "FIELDS:\n  args\t<[]string>\n")
    assert "\n  name\t<string> -required-\n" in r.out


@pytest.mark.parametrize("args, code, out, err", [
    (["foo"], 1, "", 'the server doesn\'t have a resource type "foo"\n'),
    (["pods.spec.foo"], 1, "KIND:       Pod\nVERSION:    v1\n\n", 'error: field "foo" does not exist\n'),
    ([], 1, "", 'error: You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.\n'),
    (["pods", "svc"], 1, "", "error: We accept only this format: explain RESOURCE\n"),
    (["hpa", "--api-version=autoscaling/v3"], 1, "",
     'error: couldn\'t find resource for "autoscaling/v3, Resource=horizontalpodautoscalers"\n'),
    (["hpa", "--api-version=apps/v1"], 1, "",
     "error: GVR (apps/v1, Resource=horizontalpodautoscalers) not found in OpenAPI schema\n"),
    (["pods", "-o", "x"], 1, "", "error: unrecognized format: x\n"),
], ids=["unknown-resource", "unknown-field", "no-argument", "two-arguments", "unserved-version",
        "version-of-another-group", "bad-format"])
def test_explain_errors(kube, args, code, out, err):
    r = kube("explain", *args)
    assert (r.code, r.out, r.err) == (code, out, err)


def test_explain_older_served_version_and_short_name_warning(kube):
    r = kube("explain", "hpa.spec", "--api-version=autoscaling/v1")
    assert r.out.startswith("GROUP:      autoscaling\nKIND:       HorizontalPodAutoscaler\nVERSION:    v1\n")
    assert "\n  targetCPUUtilizationPercentage\t<integer>\n" in r.out
    r = kube("explain", "ev")
    assert r.err == 'Warning: short name "ev" could also match lower priority resource events.events.k8s.io\n'
    assert r.out.startswith("KIND:       Event\nVERSION:    v1\n")


def test_explain_custom_resource(kube):
    r = kube("explain", "ippools")
    assert r.code == 0, r.err
    assert r.out.startswith("GROUP:      crd.projectcalico.org\nKIND:       IPPool\nVERSION:    v1\n\n"
                            "DESCRIPTION:\n    <empty>\nFIELDS:\n  apiVersion\t<string>\n")
    assert "\n  metadata\t<ObjectMeta>\n    Standard object's metadata. More info:\n" in r.out
    assert "\n  spec\t<Object>\n    IPPoolSpec contains the specification for an IPPool resource.\n" in r.out
    assert kube("explain", "ippools.spec.ipipMode").out.startswith(
        "GROUP:      crd.projectcalico.org\nKIND:       IPPool\nVERSION:    v1\n\nFIELD: ipipMode <string>\n")


# ------------------------------------------------------------------ the real kubectl as oracle

def _served(schema):
    """A definition as kube-apiserver serves it in OpenAPI v3."""
    if isinstance(schema, list):
        return [_served(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "$ref":
            out[k] = v.replace("#/$defs/", "#/components/schemas/")
        elif k == "type" and isinstance(v, list):
            out[k] = next((t for t in v if t != "null"), None)
        elif k == "properties":
            out[k] = {p: _served(s) for p, s in v.items()}
            for p in ("apiVersion", "kind"):
                out[k].get(p, {}).pop("enum", None)
        else:
            out[k] = _served(v)
    if "$ref" in out and len(out) > 1:
        out["allOf"] = [{"$ref": out.pop("$ref")}]
    return out


@pytest.fixture(scope="module")
def oracle(tmp_path_factory, lab_template):
    """Real kubectl pointed at a local server serving our discovery and OpenAPI data."""
    kubectl = real_kubectl()
    if not kubectl:
        pytest.skip("no real kubectl")
    import http.server
    import socketserver

    from pykubectl.api import schema as S
    from pykubectl.api.kinds import default_registry
    from tests.conftest import Kube
    k = Kube(lab_template)
    try:
        crds = json.loads(k("get", "crd", "-o", "json", check=True).out)["items"]
    finally:
        k.close()   # the server PYKUBECTL_TEST_VIA=http started for it
    reg = default_registry().with_crds(crds)
    schemas = {name: _served(d) for name, d in S.definitions().items()}

    def gv_path(g, v):
        return f"api/{v}" if not g else f"apis/{g}/{v}"

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send(self, obj):
            body = json.dumps(obj).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?")[0]
            groups = reg.groups()
            if path == "/api":
                return self.send({"kind": "APIVersions", "versions": ["v1"]})
            if path == "/apis":
                return self.send({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                    {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                     "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]}}
                    for g, vs in groups if g]})
            if path == "/openapi/v3":
                return self.send({"paths": {gv_path(g, v): {"serverRelativeURL": f"/openapi/v3/{gv_path(g, v)}?hash=1"}
                                            for g, vs in groups for v in vs}})
            parts = path.strip("/").split("/")
            if parts[0] == "openapi":
                parts = parts[2:]
            if parts[0] not in ("api", "apis") or len(parts) != (2 if parts[0] == "api" else 3):
                self.send_response(404)
                self.end_headers()
                return
            g, v = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
            kinds = reg.served_in(g, v)
            if path.startswith("/openapi/v3/"):
                paths = {"/" + gv_path(g, v) + ("/namespaces/{namespace}/" if k.namespaced else "/") + k.plural:
                         {"get": {"x-kubernetes-group-version-kind": {"group": g, "version": v, "kind": k.kind}}}
                         for k in kinds}
                return self.send({"openapi": "3.0.0", "paths": paths, "components": {"schemas": schemas}})
            return self.send({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{g}/{v}" if g else v,
                              "resources": [{"name": k.plural, "singularName": k.singular, "namespaced": k.namespaced,
                                             "kind": k.kind, "verbs": list(k.verbs), "shortNames": list(k.short_names),
                                             "categories": list(k.categories)} for k in kinds]})

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        request_queue_size = 128     # kubectl opens ~25 discovery connections at once

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    home = tmp_path_factory.mktemp("oracle")
    kc = home / "kubeconfig"
    kc.write_text("apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'http://127.0.0.1:%d'}\n  name: o\n"
                  "contexts:\n- context: {cluster: o, user: u}\n  name: o\ncurrent-context: o\nusers:\n- name: u\n  user: {}\n"
                  % server.server_address[1])

    def run(*args):
        p = subprocess.run([kubectl, *args], capture_output=True, text=True, timeout=60,
                           env={"KUBECONFIG": str(kc), "HOME": str(home), "PATH": os.environ["PATH"]})
        return p.returncode, p.stdout, p.stderr

    yield run
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("args", [
    ["explain", "pods"],
    ["explain", "pods.spec.containers"],
    ["explain", "deployments.apps.spec.template.spec.containers.resources.limits"],
    ["explain", "pods.metadata.managedFields.fieldsV1"],
    ["explain", "svc", "--recursive"],
    ["explain", "crd.spec.versions.schema.openAPIV3Schema", "--recursive"],
    ["explain", "hpa.spec", "--api-version=autoscaling/v1"],
    ["explain", "cronjobs", "--recursive"],
    ["explain", "pods.spec.nope"],
    ["api-resources"],
    ["api-resources", "-o", "wide", "--sort-by=kind"],
    ["api-resources", "--namespaced=false", "-o", "name", "--sort-by=name"],
    ["api-versions"],
], ids=lambda a: " ".join(a))
def test_same_bytes_as_real_kubectl(kube, oracle, args):
    code, out, err = oracle(*args)
    r = kube(*args)
    assert (r.code, r.out, r.err) == (code, out, err)
