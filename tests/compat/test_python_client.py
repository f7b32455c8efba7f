"""The official `kubernetes` Python client against `pykubectl cluster serve`, loading pykubectl's
own kubeconfig (x509 admin credentials, the cluster CA; `--port 0` rewrote its server URL):
typed lists and reads deserialize, the selectors narrow, errors arrive as ApiException with the
apiserver's Status, watches stream events and end at timeout_seconds, writes round-trip, and
server-side apply works through the dynamic client. Also what this client makes easy to see:
paged lists served as of their first page (410 once compacted), OpenAPI v3 documents for CRD
groups (read by the real kubectl's explain), and one HPA read and written as autoscaling/v1
and v2.

One server per module on a free 127.0.0.1 port, killed at teardown.
"""
from __future__ import annotations

import json
import os

import pytest
import yaml

kubernetes = pytest.importorskip("kubernetes")
CONTEXT = "kubernetes-admin@kubernetes"


@pytest.fixture(scope="module")
def served(tmp_path_factory, lab_template):
    """(pykubectl in-process on the lab, its kubeconfig): `cluster serve --port 0` points the
    cluster's entry at the port it picked, so the file is used as it is."""
    from tests.compat.serving import served_lab
    with served_lab(tmp_path_factory, lab_template, "pyclient") as lab:
        yield lab.local, lab.local.kubeconfig


@pytest.fixture(scope="module")
def kubeconfig(served):
    return served[1]


@pytest.fixture(scope="module")
def api(kubeconfig):
    from kubernetes import config
    return config.new_client_from_config(config_file=kubeconfig, context=CONTEXT)


@pytest.fixture(scope="module")
def core(api):
    from kubernetes import client
    return client.CoreV1Api(api)


@pytest.fixture(scope="module")
def apps(api):
    from kubernetes import client
    return client.AppsV1Api(api)


def test_serve_on_port_0_rewrites_the_kubeconfig_server_url(kubeconfig):
    import stat
    with open(kubeconfig) as f:
        kc = yaml.safe_load(f)
    [cluster] = kc["clusters"]
    assert cluster["cluster"]["server"] != "https://127.0.0.1:6443"
    assert cluster["cluster"]["extensions"][0]["name"] == "pykubectl"   # the rest is kept
    assert stat.S_IMODE(os.stat(kubeconfig).st_mode) == 0o600


def test_load_kube_config_then_list_nodes(kubeconfig):
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, context=CONTEXT, client_configuration=cfg)
    assert cfg.host.startswith("https://127.0.0.1:") and cfg.verify_ssl
    nodes = client.CoreV1Api(client.ApiClient(cfg)).list_node()
    assert [n.metadata.name for n in nodes.items] == ["k8s-master", "worker-1", "worker-2"]
    assert all(n.status.addresses[0].type == "InternalIP" for n in nodes.items)


@pytest.mark.parametrize("call,expected", [
    (lambda c: c.list_namespaced_pod("kube-system", label_selector="k8s-app=kube-dns"),
     ["coredns-"] * 2),
    (lambda c: c.list_namespaced_pod("kube-system", label_selector="component in (etcd,kube-scheduler)"),
     ["etcd-k8s-master", "kube-scheduler-k8s-master"]),
    (lambda c: c.list_pod_for_all_namespaces(field_selector="spec.nodeName=k8s-master,metadata.namespace=kube-system",
                                             label_selector="tier=control-plane"),
     ["etcd-k8s-master", "kube-apiserver-k8s-master", "kube-controller-manager-k8s-master",
      "kube-scheduler-k8s-master"]),
    (lambda c: c.list_namespace(field_selector="metadata.name=default"), ["default"]),
    (lambda c: c.list_namespaced_service("default"), ["kubernetes"]),
], ids=["label-equality", "label-set", "field-and-label", "namespace-field", "services"])
def test_lists_narrow_by_selector(core, call, expected):
    names = [o.metadata.name for o in call(core).items]
    assert len(names) == len(expected)
    assert all(n.startswith(e) for n, e in zip(names, expected)), names


def test_typed_read_deserializes_dates_and_nested_fields(core):
    import datetime
    pod = core.read_namespaced_pod("etcd-k8s-master", "kube-system")
    assert isinstance(pod.metadata.creation_timestamp, datetime.datetime)
    assert isinstance(pod.status.start_time, datetime.datetime)
    assert pod.spec.node_name == "k8s-master"
    assert pod.status.phase == "Running"
    assert pod.status.container_statuses[0].ready is True
    node = core.read_node("worker-1")
    assert node.status.node_info.kubelet_version.startswith("v1.32")
    assert {c.type for c in node.status.conditions} >= {"Ready", "MemoryPressure"}


def test_list_pages_with_limit_and_continue(core):
    first = core.list_pod_for_all_namespaces(limit=5)
    assert len(first.items) == 5 and first.metadata._continue
    assert first.metadata.remaining_item_count > 0
    rest = core.list_pod_for_all_namespaces(limit=500, _continue=first.metadata._continue)
    assert rest.metadata._continue is None
    everything = core.list_pod_for_all_namespaces()
    assert [p.metadata.name for p in first.items + rest.items] == [p.metadata.name for p in everything.items]
    assert first.metadata.remaining_item_count == len(rest.items)


@pytest.mark.parametrize("call,code,reason,message", [
    (lambda core, apps: core.read_namespaced_pod("nope", "default"), 404, "NotFound", 'pods "nope" not found'),
    (lambda core, apps: apps.read_namespaced_deployment("nope", "kube-system"), 404, "NotFound",
     'deployments.apps "nope" not found'),
    (lambda core, apps: core.create_namespace({"metadata": {"name": "default"}}), 409, "AlreadyExists",
     'namespaces "default" already exists'),
    (lambda core, apps: core.create_namespaced_config_map("default", {"metadata": {"name": "Bad_Name"}}),
     422, "Invalid", 'ConfigMap "Bad_Name" is invalid'),
], ids=["pod-404", "deployment-404", "conflict-409", "invalid-422"])
def test_errors_are_api_exceptions_with_the_status(core, apps, call, code, reason, message):
    from kubernetes.client.rest import ApiException
    with pytest.raises(ApiException) as e:
        call(core, apps)
    assert e.value.status == code
    status = json.loads(e.value.body)
    assert (status["kind"], status["reason"], status["code"]) == ("Status", reason, code)
    assert status["message"].startswith(message)


def test_configmap_create_patch_delete(core):
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    made = core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="py-cm", labels={"from": "python"}), data={"a": "1"}))
    assert made.metadata.uid and made.metadata.resource_version
    patched = core.patch_namespaced_config_map("py-cm", "default", {"data": {"b": "2"}})
    assert patched.data == {"a": "1", "b": "2"}
    assert int(patched.metadata.resource_version) > int(made.metadata.resource_version)
    assert [c.metadata.name for c in core.list_namespaced_config_map("default", label_selector="from=python").items] == ["py-cm"]
    gone = core.delete_namespaced_config_map("py-cm", "default")
    assert (gone["status"], gone["details"]["kind"]) == ("Success", "configmaps")
    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("py-cm", "default")
    assert e.value.status == 404


def test_deployment_create_scale_delete(apps, core):
    from kubernetes import client
    labels = {"app": "pyweb"}
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="pyweb"),
        spec=client.V1DeploymentSpec(
            replicas=2, selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="nginx", image="nginx:1.25")]))))
    made = apps.create_namespaced_deployment("default", dep)
    # defaulted by the server as the apiserver does
    assert made.spec.strategy.type == "RollingUpdate"
    assert made.spec.template.spec.containers[0].image_pull_policy == "IfNotPresent"
    assert apps.read_namespaced_deployment_status("pyweb", "default").status.replicas == 2
    assert len(core.list_namespaced_pod("default", label_selector="app=pyweb").items) == 2
    scaled = apps.patch_namespaced_deployment("pyweb", "default", {"spec": {"replicas": 3}})
    assert (scaled.spec.replicas, scaled.metadata.generation) == (3, 2)
    scale = apps.read_namespaced_deployment_scale("pyweb", "default")
    assert (scale.spec.replicas, scale.status.selector) == (3, "app=pyweb")
    out = apps.delete_namespaced_deployment("pyweb", "default")
    assert out["status"] == "Success" and out["details"]["group"] == "apps"
    assert apps.list_namespaced_deployment("default", field_selector="metadata.name=pyweb").items == []


def test_watch_streams_changes_after_a_resource_version_and_ends_at_its_timeout(core):
    import time

    from kubernetes import watch
    rv = core.list_namespaced_config_map("kube-public").metadata.resource_version
    core.create_namespaced_config_map("kube-public", {"metadata": {"name": "w1"}, "data": {"x": "1"}})
    core.patch_namespaced_config_map("w1", "kube-public", {"data": {"x": "2"}})
    core.delete_namespaced_config_map("w1", "kube-public")
    start = time.monotonic()
    seen = [(ev["type"], ev["object"].metadata.name, (ev["object"].data or {}).get("x"))
            for ev in watch.Watch().stream(core.list_namespaced_config_map, "kube-public",
                                           resource_version=rv, timeout_seconds=2)]
    assert seen == [("ADDED", "w1", "1"), ("MODIFIED", "w1", "2"), ("DELETED", "w1", "2")]
    assert time.monotonic() - start < 10


def test_watch_from_now_lists_existing_objects_first(core):
    from kubernetes import watch
    w = watch.Watch()
    seen = [(ev["type"], ev["object"].metadata.name)
            for ev in w.stream(core.list_namespaced_pod, "kube-system", label_selector="k8s-app=kube-dns",
                               timeout_seconds=1)]
    assert [t for t, _ in seen] == ["ADDED", "ADDED"]
    assert all(n.startswith("coredns-") for _, n in seen)


def test_server_side_apply_through_the_dynamic_client(api):
    from kubernetes import dynamic
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "ssa", "namespace": "default"}, "data": {"x": "1"}}
    out = cms.server_side_apply(body=body, field_manager="pytest")
    assert out.data.x == "1"
    [entry] = [m for m in out.metadata.managedFields if m.manager == "pytest"]
    assert (entry.operation, entry.fieldsV1.to_dict()) == ("Apply", {"f:data": {"f:x": {}}})
    body["data"] = {"y": "2"}
    out = cms.server_side_apply(body=body, field_manager="pytest")
    # fields the manager stopped applying are removed
    assert out.data.to_dict() == {"y": "2"}
    deps = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert sorted(d.metadata.name for d in deps.get(namespace="kube-system").items) == [
        "calico-kube-controllers", "coredns", "metrics-server"]


@pytest.fixture(scope="module")
def paging_ns(core):
    core.create_namespace({"metadata": {"name": "paging"}})
    for i in range(1, 6):
        core.create_namespaced_config_map("paging", {"metadata": {"name": f"p-{i}"}, "data": {"v": "1"}})
    return "paging"


def _page(core, ns, limit, token=None):
    kw = {"_continue": token} if token else {}
    lst = core.list_namespaced_config_map(ns, limit=limit, **kw)
    return [(c.metadata.name, (c.data or {}).get("v")) for c in lst.items], lst.metadata


def test_later_pages_are_served_as_of_the_first(core, paging_ns):
    first, meta1 = _page(core, paging_ns, 2)
    assert [n for n, _ in first] == ["kube-root-ca.crt", "p-1"]
    assert meta1.remaining_item_count == 4
    # written between pages: none of it may show until a new list starts
    core.delete_namespaced_config_map("p-3", paging_ns)
    core.patch_namespaced_config_map("p-4", paging_ns, {"data": {"v": "2"}})
    core.create_namespaced_config_map(paging_ns, {"metadata": {"name": "p-6"}})
    second, meta2 = _page(core, paging_ns, 2, meta1._continue)
    assert second == [("p-2", "1"), ("p-3", "1")]
    assert (meta2.resource_version, meta2.remaining_item_count) == (meta1.resource_version, 2)
    third, meta3 = _page(core, paging_ns, 10, meta2._continue)
    assert third == [("p-4", "1"), ("p-5", "1")]
    assert meta3._continue is None
    now, _ = _page(core, paging_ns, 10)
    assert [n for n, _ in now] == ["kube-root-ca.crt", "p-1", "p-2", "p-4", "p-5", "p-6"]


def test_a_continue_token_past_compaction_is_410_with_a_token_to_go_on(core, paging_ns, kubeconfig):
    from kubernetes.client.rest import ApiException

    from pykubectl.store.sqlite import Store
    first, meta1 = _page(core, paging_ns, 3)
    core.patch_namespaced_config_map("p-5", paging_ns, {"data": {"v": "3"}})
    store = Store(os.path.join(os.path.dirname(kubeconfig), "data", "clusters", "kubernetes", "state.db"))
    with store.write() as t:
        t.set_meta("reconciled", t.revision())
        t.compact(keep=0)   # as etcd's compaction: revisions before now are gone
    store.close()
    with pytest.raises(ApiException) as e:
        _page(core, paging_ns, 3, meta1._continue)
    status = json.loads(e.value.body)
    assert (e.value.status, status["reason"]) == (410, "Expired")
    assert status["message"].startswith("The provided continue parameter is too old to display a consistent list result.")
    rest, meta = _page(core, paging_ns, 3, status["metadata"]["continue"])
    # the remainder as it is now, p-5 with the write made after the first page
    assert rest == [("p-4", "2"), ("p-5", "3"), ("p-6", None)]
    assert int(meta.resource_version) > int(meta1.resource_version)


@pytest.mark.parametrize("token", ["not-base64!", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJ4In0"],
                         ids=["garbage", "zero-revision"])
def test_a_bad_continue_token_is_400(core, token):
    from kubernetes.client.rest import ApiException
    with pytest.raises(ApiException) as e:
        core.list_namespaced_config_map("default", limit=1, _continue=token)
    assert e.value.status == 400
    assert json.loads(e.value.body)["message"] == (
        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")


# -- OpenAPI v3 for custom resources, read by the real kubectl --------------------------------

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget"},
             "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                 "description": "A Widget is a thing with a size.", "type": "object",
                 "properties": {"spec": {
                     "description": "What the widget should be.", "type": "object", "required": ["size"],
                     "properties": {
                         "size": {"description": "How big, in centimetres.", "type": "integer"},
                         "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                                      "x-kubernetes-preserve-unknown-fields": True}}}}}}}]}}


@pytest.fixture(scope="module")
def widgets(api):
    from kubernetes import client
    client.ApiextensionsV1Api(api).create_custom_resource_definition(WIDGET_CRD)
    return "widgets"


def _real_kubectl(kubeconfig, *args):
    import subprocess

    from tests.conftest import real_kubectl
    exe = real_kubectl()
    if exe is None:
        pytest.skip("no real kubectl on PATH")
    return subprocess.run([exe, "--kubeconfig", kubeconfig, *args], capture_output=True, text=True,
                          timeout=60, env={"PATH": os.environ.get("PATH", ""), "HOME": os.path.dirname(kubeconfig)})


def test_openapi_v3_index_lists_crd_group_versions(api, widgets):
    import ssl
    import urllib.request
    cfg = api.configuration
    ctx = ssl.create_default_context(cafile=cfg.ssl_ca_cert)
    ctx.load_cert_chain(cfg.cert_file, cfg.key_file)
    with urllib.request.urlopen(cfg.host + "/openapi/v3", context=ctx, timeout=10) as r:
        index = json.loads(r.read())["paths"]
    assert "apis/example.com/v1" in index and "apis/crd.projectcalico.org/v1" in index
    with urllib.request.urlopen(cfg.host + index["apis/example.com/v1"]["serverRelativeURL"], context=ctx,
                                timeout=10) as r:
        doc = json.loads(r.read())
    widget = doc["components"]["schemas"]["com.example.v1.Widget"]
    assert widget["x-kubernetes-group-version-kind"] == [{"group": "example.com", "version": "v1", "kind": "Widget"}]
    assert widget["properties"]["metadata"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]
    assert doc["components"]["schemas"]["com.example.v1.WidgetList"]["required"] == ["items"]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in doc["components"]["schemas"]


@pytest.mark.parametrize("args", [
    ("explain", "widgets"),
    ("explain", "widget.spec.size"),
    ("explain", "ippools.spec"),
    ("explain", "bgppeers", "--recursive"),
], ids=["crd-top", "crd-field", "calico-spec", "calico-recursive"])
def test_real_kubectl_explains_a_crd_as_pykubectl_does(served, widgets, args):
    kube, kubeconfig = served
    theirs = _real_kubectl(kubeconfig, *args)
    assert theirs.returncode == 0, theirs.stderr
    assert theirs.stdout == kube(*args).out
    assert "KIND:" in theirs.stdout


def test_real_kubectl_explains_an_embedded_resource_and_a_property_named_ref(served, widgets):
    _kube, kubeconfig = served
    out = _real_kubectl(kubeconfig, "explain", "widget.spec.template").stdout
    assert "  apiVersion\t<string> -required-\n    apiVersion defines the versioned schema" in out
    out = _real_kubectl(kubeconfig, "explain", "crd.spec.versions.schema.openAPIV3Schema").stdout
    assert "  $ref\t<string>\n" in out


def test_real_kubectl_applies_crd_objects_with_server_side_validation(served, widgets, tmp_path):
    _kube, kubeconfig = served
    crd = tmp_path / "crd.yaml"
    crd.write_text(yaml.safe_dump(dict(WIDGET_CRD, metadata={"name": "gadgets.example.com"},
                                       spec=dict(WIDGET_CRD["spec"], names={"kind": "Gadget", "plural": "gadgets"}))))
    p = _real_kubectl(kubeconfig, "apply", "-f", str(crd), "-v=6")
    assert p.returncode == 0, p.stderr
    assert "fieldValidation=Strict" in p.stderr and "/openapi/v2" not in p.stderr
    w = tmp_path / "w.yaml"
    w.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n")
    p = _real_kubectl(kubeconfig, "apply", "-f", str(w), "-v=6")
    assert p.returncode == 0, p.stderr
    assert "widget.example.com/w1 created" in p.stdout
    assert "widgets?fieldManager=kubectl-client-side-apply&fieldValidation=Strict" in p.stderr


# -- autoscaling/v1 <-> v2: one object, read and written at either version ---------------------

def test_an_hpa_created_as_v1_reads_as_v2_and_patches_as_v1(api):
    from kubernetes import client
    v1, v2 = client.AutoscalingV1Api(api), client.AutoscalingV2Api(api)
    ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns"}
    v1.create_namespaced_horizontal_pod_autoscaler("kube-system", {
        "metadata": {"name": "dns-v1"},
        "spec": {"scaleTargetRef": ref, "maxReplicas": 4, "targetCPUUtilizationPercentage": 70}})
    as_v2 = v2.read_namespaced_horizontal_pod_autoscaler("dns-v1", "kube-system")
    [metric] = as_v2.spec.metrics
    assert (metric.type, metric.resource.name, metric.resource.target.type,
            metric.resource.target.average_utilization) == ("Resource", "cpu", "Utilization", 70)
    v1.patch_namespaced_horizontal_pod_autoscaler("dns-v1", "kube-system",
                                                  {"spec": {"targetCPUUtilizationPercentage": 40}})
    assert v2.read_namespaced_horizontal_pod_autoscaler("dns-v1", "kube-system").spec.metrics[0] \
        .resource.target.average_utilization == 40
    back = v1.read_namespaced_horizontal_pod_autoscaler("dns-v1", "kube-system")
    assert back.spec.target_cpu_utilization_percentage == 40
    assert "autoscaling.alpha.kubernetes.io/metrics" not in (back.metadata.annotations or {})


def test_an_hpa_created_as_v2_keeps_what_v1_cannot_say_in_annotations(api, kubeconfig):
    from kubernetes import client
    v1, v2 = client.AutoscalingV1Api(api), client.AutoscalingV2Api(api)
    v2.create_namespaced_horizontal_pod_autoscaler("kube-system", {
        "metadata": {"name": "dns-mem"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns"},
                 "maxReplicas": 4, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}},
                 "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {
                     "type": "AverageValue", "averageValue": "100Mi"}}}]}})
    old = v1.read_namespaced_horizontal_pod_autoscaler("dns-mem", "kube-system")
    ann = old.metadata.annotations
    assert old.spec.target_cpu_utilization_percentage is None
    assert ann["autoscaling.alpha.kubernetes.io/metrics"] == \
        '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]'
    # behavior as the apiserver marshals its internal struct, defaulted policies included
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/behavior"])["ScaleDown"] == {
        "StabilizationWindowSeconds": 60, "SelectPolicy": "Max",
        "Policies": [{"Type": "Percent", "Value": 100, "PeriodSeconds": 15}]}
    # the v1 object written back as it was read loses nothing
    old.spec.max_replicas = 6
    v1.replace_namespaced_horizontal_pod_autoscaler("dns-mem", "kube-system", old)
    now = v2.read_namespaced_horizontal_pod_autoscaler("dns-mem", "kube-system")
    assert now.spec.max_replicas == 6
    assert [m.resource.name for m in now.spec.metrics] == ["memory"]
    assert now.spec.behavior.scale_down.stabilization_window_seconds == 60
    assert not any(k.startswith("autoscaling.alpha") for k in (now.metadata.annotations or {}))
    # the real kubectl reads the v1 form by the resource's full name
    p = _real_kubectl(kubeconfig, "get", "horizontalpodautoscalers.v1.autoscaling", "dns-mem", "-n", "kube-system",
                      "-o", "jsonpath={.apiVersion} {.spec.maxReplicas} {.metadata.annotations.autoscaling\\.alpha\\.kubernetes\\.io/metrics}")
    assert p.stdout == 'autoscaling/v1 6 [{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]'


def test_v1_discovery_names_its_own_version_for_the_status_subresource(api):
    from kubernetes import client
    res = {r.name: r for r in client.AutoscalingV1Api(api).get_api_resources().resources}
    status = res["horizontalpodautoscalers/status"]
    assert (status.group, status.version, status.kind) == (None, None, "HorizontalPodAutoscaler")


def test_real_kubectl_server_side_applies_an_autoscaling_v1_hpa(served, tmp_path):
    kube, kubeconfig = served
    path = tmp_path / "hpa.yaml"
    for pct in (70, 55):
        path.write_text(yaml.safe_dump({
            "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "ssa-v1"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns"},
                     "maxReplicas": 3, "targetCPUUtilizationPercentage": pct}}))
        p = _real_kubectl(kubeconfig, "apply", "--server-side", "-f", str(path), "-n", "kube-system")
        assert (p.returncode, p.stdout) == (0, "horizontalpodautoscaler.autoscaling/ssa-v1 serverside-applied\n"), p.stderr
    out = kube("get", "hpa", "ssa-v1", "-n", "kube-system", "-o", "jsonpath={.spec.metrics[0].resource.target}").out
    assert json.loads(out) == {"averageUtilization": 55, "type": "Utilization"}
