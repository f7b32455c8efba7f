"""The kinds registry: kubectl's resource-name lookup, discovery order and CRD kinds.

Expected values come from a real v1.32 cluster's discovery and kubectl's RESTMapper/shortcut
expander behaviour (see pykubectl/api/kinds.py for the sources).
"""
import pytest

from pykubectl.api import schema
from pykubectl.api.kinds import (BUILTIN, NoKindMatch, Registry, UnknownResource, default_registry,
                                 kind_from_crd, version_order_key)

IPPOOL_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "ippools.crd.projectcalico.org"},
    "spec": {
        "group": "crd.projectcalico.org",
        "names": {"kind": "IPPool", "listKind": "IPPoolList", "plural": "ippools", "singular": "ippool"},
        "scope": "Cluster",
        "versions": [{"name": "v1", "served": True, "storage": True,
                      "schema": {"openAPIV3Schema": {"type": "object"}}}],
    },
}

WIDGET_CRD = {
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets", "shortNames": ["wd"], "categories": ["all"]},
        "scope": "Namespaced",
        "versions": [
            {"name": "v1alpha1", "served": True, "storage": False},
            {"name": "v1", "served": True, "storage": True,
             "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                      "statusReplicasPath": ".status.replicas"}}},
            {"name": "v2", "served": False, "storage": False},
        ],
    },
}


@pytest.fixture(scope="module")
def reg():
    return default_registry()


@pytest.mark.parametrize("arg, resource", [
    ("po", "pods"), ("pods", "pods"), ("pod", "pods"), ("Pod", "pods"), ("POD", "pods"),
    ("Pods", "pods"),
    ("deploy", "deployments.apps"), ("deployments.apps", "deployments.apps"),
    ("deployment.v1.apps", "deployments.apps"), ("deployments.v1.apps", "deployments.apps"),
    ("Deployment", "deployments.apps"), ("Deployment.apps", "deployments.apps"),
    ("Deployment.v1.apps", "deployments.apps"), ("deploy.apps", "deployments.apps"),
    ("deployments.app", "deployments.apps"),
    ("hpa", "horizontalpodautoscalers.autoscaling"),
    ("horizontalpodautoscalers.autoscaling", "horizontalpodautoscalers.autoscaling"),
    ("hpa.autoscal", "horizontalpodautoscalers.autoscaling"),
    ("ev", "events"), ("events", "events"), ("event", "events"), ("Event", "events"),
    ("events.events.k8s.io", "events.events.k8s.io"), ("ev.events.k8s.io", "events.events.k8s.io"),
    ("ing", "ingresses.networking.k8s.io"), ("ingresses.networking", "ingresses.networking.k8s.io"),
    ("ingresses.networking.k8s.io", "ingresses.networking.k8s.io"),
    ("sts", "statefulsets.apps"), ("pvc", "persistentvolumeclaims"), ("pv", "persistentvolumes"),
    ("sc", "storageclasses.storage.k8s.io"), ("storageclass.storage", "storageclasses.storage.k8s.io"),
    ("netpol", "networkpolicies.networking.k8s.io"), ("pdb", "poddisruptionbudgets.policy"),
    ("pc", "priorityclasses.scheduling.k8s.io"),
    ("crd", "customresourcedefinitions.apiextensions.k8s.io"),
    ("crds", "customresourcedefinitions.apiextensions.k8s.io"),
    ("cm", "configmaps"), ("ns", "namespaces"), ("no", "nodes"), ("nodes", "nodes"),
    ("svc", "services"), ("ep", "endpoints"), ("sa", "serviceaccounts"), ("rs", "replicasets.apps"),
    ("ds", "daemonsets.apps"), ("cj", "cronjobs.batch"), ("jobs", "jobs.batch"),
    ("csr", "certificatesigningrequests.certificates.k8s.io"), ("limits", "limitranges"),
    ("quota", "resourcequotas"), ("rc", "replicationcontrollers"), ("cs", "componentstatuses"),
    ("secrets", "secrets"), ("roles", "roles.rbac.authorization.k8s.io"),
    ("clusterrolebinding", "clusterrolebindings.rbac.authorization.k8s.io"),
    ("leases", "leases.coordination.k8s.io"), ("endpointslices", "endpointslices.discovery.k8s.io"),
    ("nodes.metrics.k8s.io", "nodes.metrics.k8s.io"), ("pods.metrics", "pods.metrics.k8s.io"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_resolve(reg, arg, resource):
    assert reg.resolve(arg).resource == resource


@pytest.mark.parametrize("arg, version", [
    ("hpa", "v2"),
    ("horizontalpodautoscalers.v1.autoscaling", "v1"),
    ("HorizontalPodAutoscaler.v1.autoscaling", "v1"),
    ("horizontalpodautoscalers.v2.autoscaling", "v2"),
    ("hpa.v1.autoscaling", "v2"),   # a short name loses its version in the expander
    ("deploy.v1beta1.apps", "v1"),  # ... even one that is not served
    ("deployments", "v1"),
], ids=lambda v: v)
def test_resolve_version(reg, arg, version):
    assert reg.resolve_version(arg)[1] == version


@pytest.mark.parametrize("arg, message", [
    ("foo", 'the server doesn\'t have a resource type "foo"'),
    ("foo.bar", 'the server doesn\'t have a resource type "foo"'),
    ("PO", 'the server doesn\'t have a resource type "PO"'),          # short names are case-sensitive
    ("deployments.v1beta1.apps", 'the server doesn\'t have a resource type "deployments"'),
    ("flowschemas.v1beta3.flowcontrol.apiserver.k8s.io",
     'the server doesn\'t have a resource type "flowschemas"'),
    ("ipaddresses", 'the server doesn\'t have a resource type "ipaddresses"'),  # beta in 1.32
    ("ippools", 'the server doesn\'t have a resource type "ippools"'),          # no CRD yet
], ids=lambda v: v)
def test_resolve_unknown(reg, arg, message):
    with pytest.raises(UnknownResource) as e:
        reg.resolve(arg)
    assert str(e.value) == message


def test_ambiguous_short_name_warns_about_lower_priority_group(reg):
    warnings = []
    assert reg.resolve("ev", warn=warnings.append).group == ""
    assert warnings == ['short name "ev" could also match lower priority resource events.events.k8s.io']
    warnings.clear()
    reg.resolve("events", warn=warnings.append)
    reg.resolve("hpa", warn=warnings.append)   # v2 and v1 of one resource are not ambiguous
    assert warnings == []


def test_category_all_is_kubectls_expansion(reg):
    assert [k.resource for k in reg.category("all")] == [
        "pods", "replicationcontrollers", "services", "daemonsets.apps", "deployments.apps",
        "replicasets.apps", "statefulsets.apps", "horizontalpodautoscalers.autoscaling",
        "cronjobs.batch", "jobs.batch"]


def test_category_api_extensions_and_unknown(reg):
    assert [k.plural for k in reg.category("api-extensions")] == [
        "apiservices", "mutatingwebhookconfigurations", "validatingadmissionpolicies",
        "validatingadmissionpolicybindings", "validatingwebhookconfigurations",
        "customresourcedefinitions"]
    assert reg.category("nope") == []


@pytest.mark.parametrize("api_version, kind, resource", [
    ("v1", "Pod", "pods"),
    ("apps/v1", "Deployment", "deployments.apps"),
    ("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers.autoscaling"),
    ("autoscaling/v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers.autoscaling"),
    ("events.k8s.io/v1", "Event", "events.events.k8s.io"),
    ("v1", "Event", "events"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings.rbac.authorization.k8s.io"),
    ("metrics.k8s.io/v1beta1", "PodMetrics", "pods.metrics.k8s.io"),
], ids=lambda v: v)
def test_for_gvk(reg, api_version, kind, resource):
    assert reg.for_gvk(api_version, kind).resource == resource


@pytest.mark.parametrize("api_version, kind, message", [
    ("x/v1", "Foo", 'no matches for kind "Foo" in version "x/v1"'),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler",
     'no matches for kind "HorizontalPodAutoscaler" in version "autoscaling/v2beta2"'),
    ("extensions/v1beta1", "Ingress", 'no matches for kind "Ingress" in version "extensions/v1beta1"'),
    ("apps/v1", "deployment", 'no matches for kind "deployment" in version "apps/v1"'),
    ("v1", "Deployment", 'no matches for kind "Deployment" in version "v1"'),
    ("crd.projectcalico.org/v1", "IPPool", 'no matches for kind "IPPool" in version "crd.projectcalico.org/v1"'),
], ids=lambda v: v)
def test_for_gvk_no_match(reg, api_version, kind, message):
    with pytest.raises(NoKindMatch) as e:
        reg.for_gvk(api_version, kind)
    assert str(e.value) == message


@pytest.mark.parametrize("arg", ["IPPool", "ippool", "ippools", "ippools.crd.projectcalico.org",
                                 "IPPool.crd.projectcalico.org", "ippools.v1.crd.projectcalico.org",
                                 "ippools.crd"])
def test_crd_resolves(arg):
    reg = default_registry().with_crds([IPPOOL_CRD])
    k = reg.resolve(arg)
    assert (k.group, k.version, k.kind, k.plural, k.namespaced, k.crd) == (
        "crd.projectcalico.org", "v1", "IPPool", "ippools", False, True)
    assert reg.for_gvk("crd.projectcalico.org/v1", "IPPool") is k


def test_crd_kind_fields():
    k = kind_from_crd(WIDGET_CRD)
    assert k.versions == ("v1", "v1alpha1")          # served only, kube-aware order
    assert k.api_version == "example.com/v1"
    assert k.singular == "widget"                    # defaulted from the kind
    assert k.subresources == ("scale", "status")
    assert k.short_names == ("wd",) and k.namespaced
    assert k.verbs == ("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")
    assert k.list_kind == "WidgetList"


def test_crd_joins_discovery_after_builtins():
    reg = default_registry().with_crds([WIDGET_CRD, IPPOOL_CRD])
    assert [k.resource for k in reg.category("all")][-3:] == [
        "cronjobs.batch", "jobs.batch", "widgets.example.com"]
    assert [g for g, _ in reg.groups()][-3:] == ["crd.projectcalico.org", "example.com", "metrics.k8s.io"]
    assert dict(reg.groups())["example.com"] == ["v1", "v1alpha1"]
    assert reg.for_gvk("example.com/v1alpha1", "Widget").plural == "widgets"
    # api-resources order is by group name: example.com right after events.k8s.io
    groups = [k.group for k in reg.all()]
    assert groups[groups.index("example.com") - 1] == "events.k8s.io"
    # the registry it came from is unchanged
    with pytest.raises(UnknownResource):
        default_registry().resolve("wd")


def test_crd_cannot_shadow_builtin_and_unserved_crd_is_ignored():
    fake_pods = {"spec": {"group": "", "names": {"kind": "Pod", "plural": "pods"}, "scope": "Namespaced",
                          "versions": [{"name": "v1", "served": True}]}}
    unserved = {"spec": {"group": "x.io", "names": {"kind": "X", "plural": "xs"},
                         "versions": [{"name": "v1", "served": False}]}}
    reg = default_registry().with_crds([fake_pods, unserved])
    assert reg.resolve("pods").crd is False
    with pytest.raises(UnknownResource):
        reg.resolve("xs")


def test_api_resources_order_starts_like_kubectl(reg):
    assert [(k.plural, ",".join(k.short_names), k.api_version, k.namespaced, k.kind)
            for k in reg.all()[:4]] == [
        ("bindings", "", "v1", True, "Binding"),
        ("componentstatuses", "cs", "v1", False, "ComponentStatus"),
        ("configmaps", "cm", "v1", True, "ConfigMap"),
        ("endpoints", "ep", "v1", True, "Endpoints"),
    ]
    assert reg.all() == list(BUILTIN)
    assert [k.resource for k in reg.all()][17:19] == [
        "mutatingwebhookconfigurations.admissionregistration.k8s.io",
        "validatingadmissionpolicies.admissionregistration.k8s.io"]


def test_groups_in_discovery_order(reg):
    groups = reg.groups()
    assert groups[:4] == [("", ["v1"]), ("apiregistration.k8s.io", ["v1"]), ("apps", ["v1"]),
                          ("events.k8s.io", ["v1"])]
    assert ("autoscaling", ["v2", "v1"]) in groups
    assert groups[-1] == ("metrics.k8s.io", ["v1beta1"])
    assert len(groups) == 21


@pytest.mark.parametrize("plural, verbs", [
    ("bindings", ("create",)),
    ("componentstatuses", ("get", "list")),
    ("namespaces", ("create", "delete", "get", "list", "patch", "update", "watch")),
    ("selfsubjectaccessreviews.authorization.k8s.io", ("create",)),
    ("pods.metrics.k8s.io", ("get", "list")),
    ("deployments.apps", ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")),
], ids=lambda v: v if isinstance(v, str) else None)
def test_verbs(reg, plural, verbs):
    assert reg.resolve(plural).verbs == verbs


def test_subresources(reg):
    assert "log" in reg.resolve("pods").subresources and "exec" in reg.resolve("pods").subresources
    assert reg.resolve("deploy").subresources == ("scale", "status")
    assert reg.resolve("ds").subresources == ("status",)
    assert reg.resolve("cm").subresources == ()


def test_every_builtin_kind_has_an_openapi_definition():
    missing = [f"{k.api_version} {k.kind}" for k in BUILTIN for v in k.versions
               if k.group != "metrics.k8s.io" and schema.definition_name(k.group, v, k.kind) is None]
    assert missing == []


def test_builtin_names_are_unique_per_group():
    keys = [(k.group, k.plural) for k in BUILTIN]
    assert len(keys) == len(set(keys))
    assert len(BUILTIN) == 60


@pytest.mark.parametrize("versions, ordered", [
    (["v1", "v2"], ["v2", "v1"]),
    (["v1beta1", "v1", "v1alpha1"], ["v1", "v1beta1", "v1alpha1"]),
    (["v12alpha1", "v10", "foo1", "v11beta2", "v2", "v10beta3", "foo10"],
     ["v10", "v2", "v11beta2", "v10beta3", "v12alpha1", "foo1", "foo10"]),
], ids=["ga", "stages", "kube-aware-docs-example"])
def test_version_order(versions, ordered):
    assert sorted(versions, key=version_order_key) == ordered


def test_registry_from_custom_kinds():
    reg = Registry([k for k in BUILTIN if k.group == ""])
    assert reg.resolve("ev").group == ""
    with pytest.raises(UnknownResource):
        reg.resolve("deploy")
