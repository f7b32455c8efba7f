"""The controller registry's table and its lazy selection: the table must say what the modules
themselves build (names, watches, order), and the controllers picked for a batch must be exactly
those of the full list that the batch concerns, in the full list's order (the engine queues work
in that order), while modules nothing concerns stay unbuilt."""
import pytest

from pykubectl.controllers import registry as R


@pytest.fixture
def full(cluster):
    return R.controllers(cluster)


def test_table_matches_what_the_modules_build(full):
    table = [(n, tuple(w)) for mod in R.MODULES for n, w in R.WATCHES[mod]]
    built = [(c.name, tuple(tuple(w) for w in c.watches)) for c in full]
    assert built == table


def test_full_list_order_is_unchanged(full):
    # the engine's order before the table existed: the built-ins, then OPTIONAL in order
    assert [c.name for c in full][:6] == ["namespace", "serviceaccount", "root-ca-cert-publisher",
                                          "garbage-collector", "event-ttl", "serviceaccount-token"]
    assert [c.name for c in full][6:9] == ["scheduler", "kubelet", "node-lifecycle"]


# (changed (group, resource)s, controllers with a timer due, modules that must stay unbuilt)
BATCHES = [
    ([("", "pods")], [], ["cronjob", "provisioner", "metallb", "tokens"]),
    ([("", "configmaps")], [], ["scheduler", "kubelet", "hpa", "endpoints", "tokens"]),
    ([("apps", "deployments")], [], ["scheduler", "kubelet", "endpoints", "metallb"]),
    ([("", "secrets")], [], ["scheduler", "kubelet", "hpa"]),
    ([], ["event-ttl"], ["namespace", "gc", "scheduler", "kubelet", "hpa", "endpoints"]),
    ([], ["kubelet", "scheduler"], ["namespace", "gc", "endpoints", "hpa"]),
    ([("", "services"), ("", "endpoints")], ["job-controller"], ["scheduler", "kubelet", "cronjob"]),
    ([("example.com", "widgets")], [], ["scheduler", "kubelet", "hpa"]),   # a custom resource: GC, namespace
    ([], [], list(R.MODULES)),
]
IDS = ["pod", "configmap", "deployment", "secret", "event-lease-timer", "two-timers",
       "service-and-timer", "custom-resource", "nothing"]


@pytest.mark.parametrize("resources,names,unbuilt", BATCHES, ids=IDS)
def test_lazy_picks_what_the_full_list_would(cluster, full, resources, names, unbuilt):
    lazy = R.Lazy(cluster)
    picked = lazy.for_work(resources, names)
    want = [c.name for c in full if R.concerns(c.watches, set(resources), set(names), c.name)]
    assert [c.name for c in picked] == want
    assert not set(unbuilt) & set(lazy._built)


def test_lazy_builds_each_controller_once_and_keeps_the_order(cluster, full):
    lazy = R.Lazy(cluster)
    first = lazy.for_work([("", "pods")])
    again = lazy.for_work([("", "pods"), ("", "configmaps")])
    assert [id(c) for c in first] == [id(c) for c in again if any(c is f for f in first)]
    built = [c.name for c in lazy.built()]
    assert "metallb-controller" in built and "cronjob-controller" not in built
    assert built == [c.name for c in full if c.name in built]


def _pod(name="p", ns="default", owner=None, claim=None, labels=None):
    meta = {"name": name, "namespace": ns, "uid": "u-" + name, "labels": labels or {}}
    if owner:
        api = {"ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "Job": "batch/v1"}
        meta["ownerReferences"] = [{"apiVersion": api.get(owner, "v1"), "kind": owner, "name": "o", "uid": "o-uid",
                                    "controller": True}]
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if claim:
        spec["volumes"] = [{"name": "v", "persistentVolumeClaim": {"claimName": claim}}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


POD_SAMPLES = {
    "bare": _pod(), "node-owned": _pod(owner="Node"), "rs": _pod(owner="ReplicaSet"),
    "rc": _pod(owner="ReplicationController"), "sts": _pod(owner="StatefulSet"), "ds": _pod(owner="DaemonSet"),
    "job": _pod(owner="Job"), "claim": _pod(claim="data"), "recycler": _pod(name="recycler-for-pv1"),
    "ingress": _pod(ns="ingress-nginx", labels={"app.kubernetes.io/name": "ingress-nginx",
                                                 "app.kubernetes.io/component": "controller"}),
}


@pytest.mark.parametrize("type_", ["ADDED", "MODIFIED", "DELETED"])
@pytest.mark.parametrize("sample", list(POD_SAMPLES), ids=list(POD_SAMPLES))
def test_pod_interest_mirrors_keys_for(cluster, full, sample, type_):
    """A module left unimported for a pod change must be one whose controllers would have
    returned no keys for it."""
    pod = POD_SAMPLES[sample]
    by_module = {mod: [n for n, _ in R.WATCHES[mod]] for mod in R.MODULES}
    for mod, interest in R.POD_INTEREST.items():
        keys = [k for c in full if c.name in by_module[mod] and ("", "pods") in [tuple(w) for w in c.watches]
                for k in c.keys_for(type_, "", "pods", pod)]
        # never skip a module that has work; skip it whenever the pod has nothing to do with it
        # (the deployment controller narrows further by the ReplicaSet's name: a superset is safe)
        assert interest(type_, pod) if keys else (mod == "deployment" or not interest(type_, pod)), \
            (mod, sample, type_, keys)


def test_a_label_on_a_bare_pod_imports_no_workload_controller(cluster):
    lazy = R.Lazy(cluster)
    change = (7, "MODIFIED", "", "pods", "default", "p", POD_SAMPLES["bare"])
    picked = {c.name for c in lazy.for_work({("", "pods")}, (), [change])}
    assert {"kubelet", "scheduler", "endpoints"} <= picked
    assert not picked & {"replicaset-controller", "job-controller", "statefulset-controller",
                         "daemonset-controller", "deployment-controller", "persistentvolume-binder"}
    assert not {"replicaset", "job", "statefulset", "daemonset", "deployment"} & set(lazy._built)
    owned = (8, "MODIFIED", "", "pods", "default", "q", POD_SAMPLES["rs"])
    assert "replicaset-controller" in {c.name for c in lazy.for_work({("", "pods")}, (), [owned])}
