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
