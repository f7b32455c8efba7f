"""Patches as `kubectl patch` / `kubectl apply` users see them: strategic merge by merge key,
directives, JSON merge patch, JSON patch failures worded as the apiserver words them, and the
three-way patch of client-side apply."""
import pytest
import yaml

from pykubectl.api import schema
from pykubectl.api.patch import (LAST_APPLIED, PatchError, create_merge_patch, create_three_way_json_merge_patch,
                                 create_two_way_merge_patch,
                                 create_three_way_merge_patch, json_patch, merge_patch, strategic_merge_patch,
                                 strategic_supported)

POD = schema.kind_schema("", "v1", "Pod")
DEPLOY = schema.kind_schema("apps", "v1", "Deployment")
SERVICE = schema.kind_schema("", "v1", "Service")


def pod(**spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "web"}}, "spec": spec}


SMP_CASES = [
    ("containers-merged-by-name",
     pod(containers=[{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox"}]),
     {"spec": {"containers": [{"name": "b", "image": "busybox:2"}]}},
     {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox:2"}]}),
    ("new-container-appended",
     pod(containers=[{"name": "a", "image": "nginx"}]),
     {"spec": {"containers": [{"name": "c", "image": "redis"}]}},
     {"containers": [{"name": "c", "image": "redis"}, {"name": "a", "image": "nginx"}]}),
    ("ports-merged-by-containerPort",
     pod(containers=[{"name": "a", "ports": [{"containerPort": 80, "name": "http"}]}]),
     {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "name": "web"}, {"containerPort": 443}]}]}},
     {"containers": [{"name": "a", "ports": [{"containerPort": 80, "name": "web"}, {"containerPort": 443}]}]}),
    ("env-merged-by-name",
     pod(containers=[{"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}]),
     {"spec": {"containers": [{"name": "a", "env": [{"name": "Y", "value": "3"}]}]}},
     {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "3"}]}]}),
    ("tolerations-replaced",
     pod(tolerations=[{"key": "a", "operator": "Exists"}]),
     {"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}},
     {"tolerations": [{"key": "b", "operator": "Exists"}]}),
    ("volumes-merged-by-name",
     pod(volumes=[{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c1"}}]),
     {"spec": {"volumes": [{"name": "cfg", "configMap": {"name": "c2"}}]}},
     {"volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c2"}}]}),
    ("patch-delete-in-list",
     pod(containers=[{"name": "a"}, {"name": "b"}]),
     {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}},
     {"containers": [{"name": "b"}]}),
    ("patch-replace-in-list",
     pod(containers=[{"name": "a"}, {"name": "b"}]),
     {"spec": {"containers": [{"name": "c"}, {"$patch": "replace"}]}},
     {"containers": [{"name": "c"}]}),
    ("patch-replace-map",
     pod(nodeSelector={"a": "1", "b": "2"}),
     {"spec": {"nodeSelector": {"c": "3", "$patch": "replace"}}},
     {"nodeSelector": {"c": "3"}}),
    ("null-deletes-key",
     pod(nodeSelector={"a": "1", "b": "2"}, hostname="h"),
     {"spec": {"nodeSelector": {"a": None}, "hostname": None}},
     {"nodeSelector": {"b": "2"}}),
    ("set-element-order",
     pod(containers=[{"name": "a"}, {"name": "b"}]),
     {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}], "containers": [{"name": "a", "image": "x"}]}},
     {"containers": [{"name": "b"}, {"name": "a", "image": "x"}]}),
    ("new-map-carrying-directive-dropped",
     pod(hostname="h"),
     {"spec": {"nodeSelector": {"$patch": "replace", "a": "1"}}},
     {"hostname": "h"}),
    ("new-list-loses-directive-items-and-nulls",
     pod(hostname="h"),
     {"spec": {"initContainers": [{"name": "i", "$patch": "delete"}, {"name": "j", "env": [{"name": "E", "value": None}]}]}},
     {"hostname": "h", "initContainers": [{"name": "j", "env": [{"name": "E"}]}]}),
    ("retain-keys-clears-other-source",
     pod(volumes=[{"name": "v", "emptyDir": {}}]),
     {"spec": {"volumes": [{"name": "v", "configMap": {"name": "c"}, "$retainKeys": ["configMap", "name"]}]}},
     {"volumes": [{"name": "v", "configMap": {"name": "c"}}]}),
]


@pytest.mark.parametrize("doc,patch,want_spec", [c[1:] for c in SMP_CASES], ids=[c[0] for c in SMP_CASES])
def test_strategic_merge_patch_pod(doc, patch, want_spec):
    got = strategic_merge_patch(doc, patch, POD)
    assert got["spec"] == want_spec
    assert got["metadata"] == doc["metadata"]


PRIMITIVE_CASES = [
    ("finalizers-union", ["a", "b"], {"finalizers": ["b", "c"]}, ["a", "b", "c"]),
    ("delete-from-primitive-list", ["a", "b", "c"], {"$deleteFromPrimitiveList/finalizers": ["b"]}, ["a", "c"]),
]


@pytest.mark.parametrize("live,meta_patch,want", [c[1:] for c in PRIMITIVE_CASES], ids=[c[0] for c in PRIMITIVE_CASES])
def test_strategic_merge_primitive_lists(live, meta_patch, want):
    doc = {"metadata": {"name": "p", "finalizers": live}}
    assert strategic_merge_patch(doc, {"metadata": meta_patch}, POD)["metadata"]["finalizers"] == want


def test_strategic_merge_deployment_strategy_retain_keys():
    doc = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patch = {"spec": {"strategy": {"type": "Recreate", "$retainKeys": ["type"]}}}
    assert strategic_merge_patch(doc, patch, DEPLOY)["spec"]["strategy"] == {"type": "Recreate"}


def test_service_ports_merge_by_port():
    doc = {"spec": {"ports": [{"port": 80, "targetPort": 8080}]}}
    patch = {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 443}]}}
    assert strategic_merge_patch(doc, patch, SERVICE)["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443}]


def test_patch_does_not_mutate_inputs():
    doc = pod(containers=[{"name": "a"}])
    patch = {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}
    strategic_merge_patch(doc, patch, POD)
    assert doc["spec"]["containers"] == [{"name": "a"}] and patch["spec"]["containers"][0]["$patch"] == "delete"


@pytest.mark.parametrize("patch,message,code", [
    ({"spec": {"containers": [{"image": "x"}]}}, "map: map[image:x] does not contain declared merge key: name", 500),
    ({"spec": {"containers": [{"name": "a", "$patch": "merge"}]}}, "merging lists cannot yet be specified in the patch", 500),
    ({"spec": {"$patch": "bogus"}}, "unknown patch type: bogus in map: map[$patch:bogus]", 500),
], ids=["missing-merge-key", "patch-merge-in-list", "unknown-directive"])
def test_strategic_merge_errors(patch, message, code):
    with pytest.raises(PatchError) as e:
        strategic_merge_patch(pod(containers=[{"name": "a"}]), patch, POD)
    assert (str(e.value), e.value.code) == (message, code)


def test_custom_resources_use_json_merge_semantics():
    assert not strategic_supported(None) and strategic_supported(POD)
    doc = {"spec": {"items": [{"name": "a"}], "keep": 1}}
    assert strategic_merge_patch(doc, {"spec": {"items": [{"name": "b"}]}}, None) == {"spec": {"items": [{"name": "b"}], "keep": 1}}


@pytest.mark.parametrize("doc,patch,want", [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
], ids=["replace", "add", "null-deletes", "type-change", "nested", "list-replaced", "null-in-new-subtree"])
def test_merge_patch_rfc7386(doc, patch, want):
    assert merge_patch(doc, patch) == want
    if "ccc" not in str(patch):
        assert merge_patch(doc, create_merge_patch(doc, want)) == want


JSON_PATCH_ERRORS = [
    ("missing-parent", [{"op": "replace", "path": "/spec/foo/bar", "value": 1}],
     "replace operation does not apply: doc is missing path: /spec/foo/bar: missing value"),
    ("remove-missing-key", [{"op": "remove", "path": "/metadata/labels/zz"}],
     "error in remove for path: '/metadata/labels/zz': Unable to remove nonexistent key: zz: missing value"),
    ("add-bad-index", [{"op": "add", "path": "/spec/containers/5", "value": {}}],
     "error in add for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced"),
    ("test-fails", [{"op": "test", "path": "/metadata/name", "value": "q"}], "testing value /metadata/name failed: test failed"),
    ("unknown-op", [{"op": "frob", "path": "/a"}], "Unexpected kind: frob"),
    ("add-non-numeric-index", [{"op": "add", "path": "/spec/containers/x", "value": 1}],
     "error in add for path: '/spec/containers/x': value was not a proper array index: 'x': "
     "strconv.Atoi: parsing \"x\": invalid syntax"),
    ("move-from-missing", [{"op": "move", "from": "/spec/nope", "path": "/spec/x"}],
     "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value"),
    ("add-under-missing-parent", [{"op": "add", "path": "/spec/x/y", "value": 1}],
     'add operation does not apply: doc is missing path: "/spec/x/y": missing value'),
]


@pytest.mark.parametrize("ops,message", [c[1:] for c in JSON_PATCH_ERRORS], ids=[c[0] for c in JSON_PATCH_ERRORS])
def test_json_patch_failures_as_apiserver_words_them(ops, message):
    with pytest.raises(PatchError) as e:
        json_patch(pod(containers=[{"name": "a"}]), ops)
    assert str(e.value) == message
    st = e.value.status_error()
    assert (st.code, st.message) == (422, "the server rejected our request due to an error in our request")
    assert st.details["causes"] == [{"message": message}]


@pytest.mark.parametrize("ops,path,want", [
    ([{"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:2"}], ("spec", "containers", 0, "image"), "nginx:2"),
    ([{"op": "add", "path": "/metadata/labels/tier", "value": "fe"}], ("metadata", "labels", "tier"), "fe"),
    ([{"op": "add", "path": "/spec/containers/-", "value": {"name": "b"}}], ("spec", "containers", 1, "name"), "b"),
    ([{"op": "replace", "path": "/metadata/labels/new", "value": "x"}], ("metadata", "labels", "new"), "x"),
    ([{"op": "add", "path": "/metadata/labels/q"}], ("metadata", "labels", "q"), None),
], ids=["replace-index", "add-label", "append", "replace-missing-map-key-adds", "add-without-value-is-null"])
def test_json_patch_applies(ops, path, want):
    got = json_patch(pod(containers=[{"name": "a", "image": "nginx"}]), ops)
    for p in path:
        got = got[p]
    assert got == want


def test_three_way_apply_removes_label_from_last_applied_keeps_others():
    last = {"metadata": {"name": "d", "labels": {"app": "web", "old": "x"}}, "spec": {"replicas": 2}}
    live = {"metadata": {"name": "d", "labels": {"app": "web", "old": "x", "added-by-someone": "y"},
                         "annotations": {LAST_APPLIED: "{}"}}, "spec": {"replicas": 5}}
    new = {"metadata": {"name": "d", "labels": {"app": "web"}}, "spec": {"replicas": 2}}
    patch = create_three_way_merge_patch(last, new, live, DEPLOY)
    assert patch == {"metadata": {"labels": {"old": None}}, "spec": {"replicas": 2}}
    out = strategic_merge_patch(live, patch, DEPLOY)
    assert out["metadata"]["labels"] == {"app": "web", "added-by-someone": "y"}
    assert out["spec"]["replicas"] == 2


def test_three_way_apply_deletes_container_and_sets_order():
    tmpl = lambda cs: {"spec": {"template": {"spec": {"containers": cs}}}}
    last = tmpl([{"name": "a", "image": "nginx"}, {"name": "side", "image": "s"}])
    live = tmpl([{"name": "a", "image": "nginx", "imagePullPolicy": "Always"}, {"name": "side", "image": "s"}])
    new = tmpl([{"name": "a", "image": "nginx:2"}])
    patch = create_three_way_merge_patch(last, new, live, DEPLOY)
    assert patch == {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "a"}],
        "containers": [{"name": "a", "image": "nginx:2"}, {"name": "side", "$patch": "delete"}]}}}}
    out = strategic_merge_patch(live, patch, DEPLOY)
    assert out["spec"]["template"]["spec"]["containers"] == [{"name": "a", "image": "nginx:2", "imagePullPolicy": "Always"}]


def test_three_way_switching_to_recreate_clears_rolling_update():
    # Deployment spec.strategy has patch strategy retainKeys: the defaulted rollingUpdate must go
    last = {"spec": {"strategy": {"type": "RollingUpdate"}}}
    live = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}}
    new = {"spec": {"strategy": {"type": "Recreate"}}}
    patch = create_three_way_merge_patch(last, new, live, DEPLOY)
    assert patch == {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert strategic_merge_patch(live, patch, DEPLOY)["spec"]["strategy"] == {"type": "Recreate"}


def test_three_way_no_changes_is_empty():
    cfg = {"metadata": {"name": "s", "labels": {"a": "1"}}, "spec": {"ports": [{"port": 80}]}}
    live = {"metadata": {"name": "s", "labels": {"a": "1"}, "uid": "u"}, "spec": {"ports": [{"port": 80, "protocol": "TCP"}], "clusterIP": "10.0.0.1"}}
    assert create_three_way_merge_patch(cfg, cfg, live, SERVICE) == {}


def test_three_way_json_merge_patch_for_custom_resources():
    last = {"spec": {"a": 1, "b": 2}}
    live = {"spec": {"a": 1, "b": 2, "c": 3}}
    new = {"spec": {"a": 5}}
    assert create_three_way_json_merge_patch(last, new, live) == {"spec": {"a": 5, "b": None}}
    assert create_three_way_merge_patch(last, new, live, None) == {"spec": {"a": 5, "b": None}}


# ---------------------------------------------------------------------------------------------
# cases from apimachinery's strategicpatch/patch_test.go (createStrategicMergePatchTestCaseData and
# strategicMergePatchRawTestCases), on the schema of its MergeItem test type. Like the Go tests,
# results are compared with merging lists sorted by name.

def _merge_item_schema():
    """The fake schema of apimachinery's strategicpatch test type MergeItem."""
    mi = {"type": "object", "properties": {}}
    rk = {"type": "object", "properties": {}}
    scalar = {"type": "string"}
    merging = {"type": "array", "items": mi, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name"}
    mi["properties"].update({
        "name": scalar, "value": scalar, "other": scalar,
        "mergingList": merging,
        "nonMergingList": {"type": "array", "items": mi},
        "mergingIntList": {"type": "array", "items": {"type": "integer"}, "x-kubernetes-patch-strategy": "merge"},
        "nonMergingIntList": {"type": "array", "items": {"type": "integer"}},
        "mergeItemPtr": merging,
        "simpleMap": {"type": "object", "additionalProperties": scalar},
        "replacingItem": {"type": "object", "x-kubernetes-patch-strategy": "replace"},
        "retainKeysMap": dict(rk, **{"x-kubernetes-patch-strategy": "retainKeys"}),
        "retainKeysMergingList": dict(merging, **{"x-kubernetes-patch-strategy": "merge,retainKeys"}),
    })
    rk["properties"].update({
        "name": scalar, "value": scalar, "other": scalar,
        "simpleMap": {"type": "object", "additionalProperties": scalar},
        "mergingIntList": {"type": "array", "items": {"type": "integer"}, "x-kubernetes-patch-strategy": "merge"},
        "mergingList": merging, "nonMergingList": {"type": "array", "items": mi},
    })
    return mi


APIMACHINERY_CASES = yaml.safe_load(r"""
- description: nil original
  twoWay: {name: 1, value: 1}
  modified: {name: 1, value: 1}
  current: {name: 1, other: a}
  threeWay: {value: 1}
  result: {name: 1, value: 1, other: a}
- description: add field to map with conflict
  original: {name: 1}
  twoWay: {value: 1}
  modified: {name: 1, value: 1}
  current: {name: a, other: a}
  threeWay: {name: 1, value: 1}
  result: {name: 1, value: 1, other: a}
- description: add field and delete field from map
  original: {name: 1}
  twoWay: {name: null, value: 1}
  modified: {value: 1}
  current: {name: 1, other: a}
  threeWay: {name: null, value: 1}
  result: {value: 1, other: a}
- description: delete field from nested map with conflict
  original: {simpleMap: {key1: 1, key2: 1}}
  twoWay: {simpleMap: {key2: null}}
  modified: {simpleMap: {key1: 1}}
  current: {simpleMap: {key1: a, key2: 1, other: a}}
  threeWay: {simpleMap: {key1: 1, key2: null}}
  result: {simpleMap: {key1: 1, other: a}}
- description: add field and delete all fields from map with conflict
  original: {name: 1, value: 1}
  twoWay: {name: null, value: null, other: a}
  modified: {other: a}
  current: {name: 1, value: 1, other: b}
  threeWay: {name: null, value: null, other: a}
  result: {other: a}
- description: replace list of scalars with conflict
  original: {nonMergingIntList: [1, 2]}
  twoWay: {nonMergingIntList: [2, 3]}
  modified: {nonMergingIntList: [2, 3]}
  current: {nonMergingIntList: [1, 4]}
  threeWay: {nonMergingIntList: [2, 3]}
  result: {nonMergingIntList: [2, 3]}
- description: delete all maps from merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]}
  modified: {mergingList: []}
  current: {mergingList: [{name: 1, other: a}, {name: 2, other: b}]}
  threeWay: {mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]}
  result: {mergingList: []}
- description: defined null values should propagate overwrite current fields (with conflict)
  original: {name: 2}
  twoWay: {name: 1, value: 1, other: null}
  twoWayResult: {name: 1, value: 1}
  modified: {name: 1, value: 1, other: null}
  current: {name: a, other: a}
  threeWay: {name: 1, value: 1, other: null}
  result: {name: 1, value: 1}
- description: retainKeys map with no change should not be present
  original: {name: a, retainKeysMap: {name: foo}}
  current: {name: a, other: c, retainKeysMap: {name: foo}}
  modified: {name: a, value: b, retainKeysMap: {name: foo}}
  twoWay: {value: b}
  threeWay: {value: b}
  result: {name: a, value: b, other: c, retainKeysMap: {name: foo}}
- description: add and delete items in lists of scalars
  original: {mergingIntList: [1, 2, 3]}
  twoWay: {$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3], mergingIntList: [4]}
  modified: {mergingIntList: [1, 2, 4]}
  current: {mergingIntList: [1, 2, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [1, 2, 4]}
- description: merge lists of maps
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}
  modified: {mergingList: [{name: 4, value: 4}, {name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}
  result: {mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
- description: merge lists of maps with conflict
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3, value: 3}]}
  modified: {mergingList: [{name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 3, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 2, value: 2}, {name: 3, value: 3}]}
  result: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
- description: add field to map in merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: 1}]}
  modified: {mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}
  current: {mergingList: [{name: 1, other: a}, {name: 3, value: 2, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}
  result: {mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2}, {name: 3, value: 2, other: b}]}
- description: add an item that already exists in current object in merging list
  original: {mergingList: [{name: 1, value: a}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3}]}
  modified: {mergingList: [{name: 1, value: a}, {name: 2}, {name: 3}]}
  current: {mergingList: [{name: 1, value: a, other: x}, {name: 2}, {name: 3}]}
  threeWay: {}
  result: {mergingList: [{name: 1, value: a, other: x}, {name: 2}, {name: 3}]}
- description: delete missing map from merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}
  modified: {mergingList: [{name: 2}]}
  current: {mergingList: [{name: 3, other: a}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 2}, {name: 1, $patch: delete}]}
  result: {mergingList: [{name: 2}, {name: 3, other: a}]}
- description: add map and delete map from merging list
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}
  modified: {mergingList: [{name: 2}, {name: 3}]}
  current: {mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}
  result: {mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]}
- description: add map and delete map from merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}
  modified: {mergingList: [{name: 2}, {name: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 4, other: c}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 2}, {name: 3}, {name: 1, $patch: delete}]}
  result: {mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]}
- description: delete missing field from map in merging list with conflict
  original: {mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: null}]}
  modified: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: null}, {name: 2, value: 2}]}
  result: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}
- description: replace non merging list nested in merging list with deletion conflict
  original: {mergingList: [{name: 1, nonMergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]}
  modified: {mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}, {name: 2}]}
  current: {mergingList: [{name: 1, other: a, nonMergingList: [{name: 2, value: 2}]}, {name: 2, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]}
  result: {mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]}
""")


def _sorted_lists(v):
    if isinstance(v, dict):
        return {k: _sorted_lists(x) for k, x in v.items()}
    if isinstance(v, list):
        items = [_sorted_lists(x) for x in v]
        return sorted(items, key=lambda x: str(x.get("name")) if isinstance(x, dict) else str(x))
    return v


@pytest.mark.parametrize("case", APIMACHINERY_CASES, ids=[c["description"] for c in APIMACHINERY_CASES])
def test_apimachinery_cases(case):
    sch = _merge_item_schema()
    original = case.get("original") or {}
    assert create_two_way_merge_patch(original, case["modified"], sch) == case["twoWay"]
    two_way_result = strategic_merge_patch(original, case["twoWay"], sch)
    assert _sorted_lists(two_way_result) == _sorted_lists(case.get("twoWayResult", case["modified"]))
    three_way = create_three_way_merge_patch(case.get("original"), case["modified"], case["current"], sch)
    assert _sorted_lists(three_way) == _sorted_lists(case["threeWay"])
    result = strategic_merge_patch(case["current"], case["threeWay"], sch)
    assert _sorted_lists(result) == _sorted_lists(case["result"])
