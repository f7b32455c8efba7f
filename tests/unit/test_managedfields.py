"""managedFields as `kubectl get -o yaml --show-managed-fields` shows them, and server-side
apply's merge, pruning, conflicts and --force-conflicts."""
import pytest

from pykubectl.api import schema
from pykubectl.api.managedfields import (ApplyConflict, fields_v1, from_fields_v1, path_string, record_update,
                                         server_side_apply, to_fields_v1)

POD = schema.kind_schema("", "v1", "Pod")
DEPLOY = schema.kind_schema("apps", "v1", "Deployment")
SERVICE = schema.kind_schema("", "v1", "Service")
T0, T1, T2 = "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"


def deployment(replicas=1, image="nginx", labels=None):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": labels or {"app": "web"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "nginx", "image": image}]}}}}


def entry(obj, manager):
    return next(e for e in obj["metadata"]["managedFields"] if e["manager"] == manager)


FIELDS_CASES = [
    ("containers-keyed-by-name", POD,
     {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
     {"f:spec": {"f:containers": {'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}}}}}),
    ("ports-keyed-by-port-and-protocol", POD,
     {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}},
     {"f:spec": {"f:containers": {'k:{"name":"c"}': {".": {}, "f:name": {}, "f:ports": {
         'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}}}}}),
    ("finalizers-are-a-set", POD, {"metadata": {"finalizers": ["a/b"]}},
     {"f:metadata": {"f:finalizers": {'v:"a/b"': {}}}}),
    ("atomic-selector-and-tolerations", DEPLOY,
     {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"spec": {"tolerations": [{"key": "k"}]}}}},
     {"f:spec": {"f:selector": {}, "f:template": {"f:spec": {"f:tolerations": {}}}}}),
    ("labels-without-dot-identity-stripped", SERVICE,
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {"a": "1"}}, "status": {"x": 1}},
     {"f:metadata": {"f:labels": {"f:a": {}}}}),
    ("custom-resource-maps-granular-lists-atomic", None,
     {"spec": {"size": 3, "tags": ["a"], "db": {"host": "h"}}},
     {"f:spec": {"f:db": {"f:host": {}}, "f:size": {}, "f:tags": {}}}),
]


@pytest.mark.parametrize("sch,obj,want", [c[1:] for c in FIELDS_CASES], ids=[c[0] for c in FIELDS_CASES])
def test_fields_v1(sch, obj, want):
    assert fields_v1(obj, sch) == want
    assert to_fields_v1(from_fields_v1(want)) == want


@pytest.mark.parametrize("path,want", [
    (("f:spec", "f:replicas"), ".spec.replicas"),
    (("f:spec", "f:containers", 'k:{"name":"c"}', "f:image"), '.spec.containers[name="c"].image'),
    (("f:metadata", "f:finalizers", 'v:"x"'), '.metadata.finalizers[="x"]'),
    (("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}'), '.spec.ports[port=80,protocol="TCP"]'),
], ids=["field", "keyed-item", "set-item", "two-keys"])
def test_path_string(path, want):
    assert path_string(path) == want


def test_create_records_update_entry_like_the_apiserver():
    obj = record_update(None, deployment(), "kubectl-create", "Update", DEPLOY, T0)
    [e] = obj["metadata"]["managedFields"]
    assert (e["manager"], e["operation"], e["apiVersion"], e["time"], e["fieldsType"]) == \
        ("kubectl-create", "Update", "apps/v1", T0, "FieldsV1")
    assert e["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {"f:containers": {'k:{"name":"nginx"}': {".": {}, "f:image": {}, "f:name": {}}}}}}}


def test_update_moves_changed_fields_to_the_new_manager():
    obj = record_update(None, deployment(), "kubectl-create", "Update", DEPLOY, T0)
    scaled = dict(obj, spec=dict(obj["spec"], replicas=3))
    out = record_update(obj, scaled, "kubectl-scale", "Update", DEPLOY, T1)
    assert entry(out, "kubectl-scale")["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in entry(out, "kubectl-create")["fieldsV1"]["f:spec"]
    assert entry(out, "kubectl-create")["time"] == T0
    assert [e["manager"] for e in out["metadata"]["managedFields"]] == ["kubectl-create", "kubectl-scale"]


def test_update_that_changes_nothing_keeps_the_entry_time():
    obj = record_update(None, deployment(), "kubectl-create", "Update", DEPLOY, T0)
    out = record_update(obj, obj, "kubectl-create", "Update", DEPLOY, T1)
    assert out["metadata"]["managedFields"] == obj["metadata"]["managedFields"]


def test_reapplying_the_same_config_is_a_no_op():
    obj = server_side_apply(None, deployment(), "kubectl", DEPLOY, False, T0)
    again = server_side_apply(obj, deployment(), "kubectl", DEPLOY, False, T1)
    assert again == obj and entry(again, "kubectl")["time"] == T0


def test_status_subresource_update_owns_only_status():
    obj = record_update(None, deployment(), "kubectl-create", "Update", DEPLOY, T0)
    with_status = dict(obj, status={"replicas": 1})
    out = record_update(obj, with_status, "kube-controller-manager", "Update", DEPLOY, T1, subresource="status")
    e = entry(out, "kube-controller-manager")
    assert (e["subresource"], e["fieldsV1"]) == ("status", {"f:status": {"f:replicas": {}}})


CONFLICT_CASES = [
    ("changed-value-conflicts", 3, False,
     'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas'),
    ("same-value-no-conflict", 1, False, None),
    ("force-takes-ownership", 3, True, None),
]


@pytest.mark.parametrize("replicas,force,error", [c[1:] for c in CONFLICT_CASES], ids=[c[0] for c in CONFLICT_CASES])
def test_server_side_apply_conflicts(replicas, force, error):
    live = record_update(None, deployment(), "kubectl-client-side-apply", "Update", DEPLOY, T0)
    cfg = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": replicas}}
    if error:
        with pytest.raises(ApplyConflict) as e:
            server_side_apply(live, cfg, "kubectl", DEPLOY, force, T1)
        assert str(e.value) == error
        assert e.value.conflicts == [("kubectl-client-side-apply", ".spec.replicas")]
        st = e.value.status_error()
        assert (st.code, st.reason, st.details["causes"][0]["field"]) == (409, "Conflict", ".spec.replicas")
        return
    out = server_side_apply(live, cfg, "kubectl", DEPLOY, force, T1)
    assert out["spec"]["replicas"] == replicas
    mine = entry(out, "kubectl")
    assert (mine["operation"], mine["fieldsV1"]) == ("Apply", {"f:spec": {"f:replicas": {}}})
    other = entry(out, "kubectl-client-side-apply")["fieldsV1"]["f:spec"]
    assert ("f:replicas" in other) is (not force)
    assert [e["operation"] for e in out["metadata"]["managedFields"]] == ["Apply", "Update"]


def test_two_conflicts_message_lists_paths_per_manager():
    live = record_update(None, deployment(), "kubectl-client-side-apply", "Update", DEPLOY, T0)
    cfg = deployment(replicas=4, image="nginx:2")
    with pytest.raises(ApplyConflict) as e:
        server_side_apply(live, cfg, "kubectl", DEPLOY, False, T1)
    assert str(e.value) == ('Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1\n'
                            '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image')


def test_server_side_apply_create_then_prune_field_no_longer_applied():
    first = deployment(labels={"app": "web", "tier": "fe"})
    obj = server_side_apply(None, first, "kubectl", DEPLOY, False, T0)
    assert obj["metadata"]["labels"] == {"app": "web", "tier": "fe"}
    # someone else adds a label; it must survive our next apply
    obj = record_update(obj, {**obj, "metadata": {**obj["metadata"], "labels": {**obj["metadata"]["labels"], "team": "x"}}},
                        "kubectl-label", "Update", DEPLOY, T1)
    out = server_side_apply(obj, deployment(labels={"app": "web"}), "kubectl", DEPLOY, False, T2)
    assert out["metadata"]["labels"] == {"app": "web", "team": "x"}
    assert entry(out, "kubectl")["fieldsV1"]["f:metadata"] == {"f:labels": {"f:app": {}}}


def test_server_side_apply_merges_containers_and_removes_dropped_one():
    cfg = deployment()
    cfg["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox"})
    obj = server_side_apply(None, cfg, "kubectl", DEPLOY, False, T0)
    # a controller-ish manager sets a field on the nginx container
    live = {**obj}
    live["spec"] = {**obj["spec"], "template": {**obj["spec"]["template"], "spec": {"containers": [
        {"name": "nginx", "image": "nginx", "imagePullPolicy": "Always"}, {"name": "side", "image": "busybox"}]}}}
    live = record_update(obj, live, "defaulter", "Update", DEPLOY, T1)
    out = server_side_apply(live, deployment(image="nginx:2"), "kubectl", DEPLOY, False, T2)
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "nginx", "image": "nginx:2", "imagePullPolicy": "Always"}]
