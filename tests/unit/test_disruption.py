"""PodDisruptionBudgets: the status the disruption controller computes (healthy, desired and
expected pods, disruptionsAllowed, the DisruptionAllowed condition), the eviction subresource's
verdict from that status, and `drain` refused by a budget, end to end on the lab cluster."""

import pytest

from pykubectl.api.errors import StatusError
from pykubectl.controllers.disruption import NoScale, budget_status, eviction_decision

NOW = 1_700_000_000.0


def pod(name, ready=True, phase="Running", owner="rs-1", deleting=False, labels=None):
    meta = {"name": name, "namespace": "default", "labels": labels or {"app": "web"}}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": owner,
                                    "controller": True}]
    if deleting:
        meta["deletionTimestamp"] = "2023-11-14T22:13:00Z"
    return {"metadata": meta, "status": {"phase": phase, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False"}]}}


def pdb(status=None, generation=1, selector=None, **spec):
    return {"metadata": {"name": "web-pdb", "namespace": "default", "generation": generation},
            "spec": {"selector": {"matchLabels": {"app": "web"}} if selector is None else selector, **spec},
            "status": status or {}}


def scale(n):
    return lambda p, ref: (ref["uid"], n)


def no_scale(p, ref):
    raise NoScale(f'found no controllers for pod "{p["metadata"]["name"]}"')


@pytest.mark.parametrize("spec,pods,replicas,want", [
    ({"minAvailable": 2}, [pod("a"), pod("b"), pod("c")], 3, (3, 2, 3, 1)),
    ({"minAvailable": 3}, [pod("a"), pod("b"), pod("c")], 3, (3, 3, 3, 0)),
    ({"minAvailable": 2}, [pod("a"), pod("b", ready=False), pod("c")], 3, (2, 2, 3, 0)),
    ({"minAvailable": 1}, [pod("a"), pod("b", deleting=True)], 3, (1, 1, 2, 0)),
    ({"minAvailable": "50%"}, [pod("a"), pod("b"), pod("c")], 3, (3, 2, 3, 1)),
    ({"minAvailable": "50%"}, [pod("a"), pod("b")], 4, (2, 2, 4, 0)),
    ({"maxUnavailable": 1}, [pod("a"), pod("b"), pod("c")], 3, (3, 2, 3, 1)),
    ({"maxUnavailable": "30%"}, [pod(str(i)) for i in range(10)], 10, (10, 7, 10, 3)),
    ({"maxUnavailable": 5}, [pod("a"), pod("b")], 2, (2, 0, 2, 2)),
    ({"minAvailable": 0}, [], 0, (0, 0, 0, 0)),
], ids=["min-int", "min-all", "unready-not-healthy", "deleting-not-healthy", "min-percent-rounds-up",
        "percent-of-the-controller-scale", "max-int", "max-percent", "desired-floor-zero", "no-pods"])
def test_budget_status_numbers(spec, pods, replicas, want):
    st, _, _ = budget_status(pdb(**spec), pods, scale(replicas), NOW)
    assert (st["currentHealthy"], st["desiredHealthy"], st["expectedPods"], st["disruptionsAllowed"]) == want
    assert st["observedGeneration"] == 1


@pytest.mark.parametrize("allowed_pods,status,reason", [
    ([pod("a"), pod("b")], "True", "SufficientPods"),
    ([pod("a")], "False", "InsufficientPods"),
], ids=["sufficient", "insufficient"])
def test_disruption_allowed_condition(allowed_pods, status, reason):
    st, _, _ = budget_status(pdb(minAvailable=1), allowed_pods, scale(2), NOW)
    assert st["conditions"] == [{"type": "DisruptionAllowed", "status": status, "reason": reason, "message": "",
                                 "observedGeneration": 1, "lastTransitionTime": "2023-11-14T22:13:20Z"}]


def test_condition_keeps_its_transition_time_while_status_holds():
    first, _, _ = budget_status(pdb(minAvailable=1), [pod("a"), pod("b")], scale(2), NOW)
    again, _, _ = budget_status(pdb(first, minAvailable=1), [pod("a"), pod("b"), pod("c")], scale(3), NOW + 60)
    assert again["conditions"][0]["lastTransitionTime"] == "2023-11-14T22:13:20Z"
    assert again["disruptionsAllowed"] == 2


@pytest.mark.parametrize("spec,pods,events", [
    ({"minAvailable": 1}, [], [("Normal", "NoPods", "No matching pods found")]),
    ({"minAvailable": "50%"}, [pod("a")], [("Warning", "CalculateExpectedPodCountFailed",
                                           'Failed to calculate the number of expected pods: found no controllers for pod "a"')]),
], ids=["no-pods", "no-scale"])
def test_budget_events(spec, pods, events):
    st, got, _ = budget_status(pdb(**spec), pods, no_scale, NOW)
    assert got == events


def test_a_percentage_over_a_pod_without_scale_fails_safe():
    st, _, _ = budget_status(pdb(minAvailable="50%"), [pod("a")], no_scale, NOW)
    assert st["disruptionsAllowed"] == 0
    assert (st["conditions"][0]["reason"], st["conditions"][0]["status"]) == ("SyncFailed", "False")


def test_unmanaged_pods_warn_but_still_count():
    st, events, _ = budget_status(pdb(maxUnavailable=1), [pod("a", owner=None), pod("b")], scale(1), NOW)
    assert [e[1] for e in events] == ["UnmanagedPods"]
    assert "(selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},})" in events[0][2]
    assert (st["expectedPods"], st["currentHealthy"]) == (1, 2)


def test_an_evicted_pod_stops_counting_until_its_record_expires():
    pods = [pod("a"), pod("b"), pod("c")]
    recorded = pdb({"disruptedPods": {"a": "2023-11-14T22:13:20Z"}}, minAvailable=1)
    st, _, recheck = budget_status(recorded, pods, scale(3), NOW + 30)
    assert (st["currentHealthy"], st["disruptedPods"], recheck) == (2, {"a": "2023-11-14T22:13:20Z"}, NOW + 120)
    st, _, recheck = budget_status(recorded, pods, scale(3), NOW + 121)
    assert (st["currentHealthy"], "disruptedPods" in st, recheck) == (3, False, None)


# -- eviction ---------------------------------------------------------------------------

OK = {"observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}
NONE_LEFT = {**OK, "disruptionsAllowed": 0, "currentHealthy": 2}


@pytest.mark.parametrize("the_pod,budgets,code,cause", [
    (pod("a"), [pdb(NONE_LEFT, minAvailable=2)], 429, "The disruption budget web-pdb needs 2 healthy pods and has 2 currently"),
    (pod("a"), [pdb(OK, generation=2, minAvailable=2)], 429, "The disruption budget web-pdb is still being processed by the server."),
    (pod("a"), [pdb(OK, minAvailable=2), pdb(OK, minAvailable=1)], 500, None),
    (pod("a", ready=False), [pdb({**NONE_LEFT, "currentHealthy": 1}, minAvailable=2)], 429,
     "The disruption budget web-pdb needs 2 healthy pods and has 1 currently"),
], ids=["no-disruptions-left", "budget-not-observed-yet", "two-budgets", "unready-pod-short-budget"])
def test_eviction_refused(the_pod, budgets, code, cause):
    with pytest.raises(StatusError) as e:
        eviction_decision(the_pod, budgets, NOW)
    assert e.value.code == code
    if code == 429:
        assert e.value.message == "Cannot evict pod as it would violate the pod's disruption budget."
        assert e.value.details["causes"] == [{"reason": "DisruptionBudget", "message": cause}]
    else:
        assert e.value.message == "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."


@pytest.mark.parametrize("the_pod,budgets", [
    (pod("a", phase="Succeeded"), [pdb(NONE_LEFT, minAvailable=2)]),
    (pod("a", phase="Pending"), [pdb(NONE_LEFT, minAvailable=2)]),
    (pod("a", deleting=True), [pdb(NONE_LEFT, minAvailable=2)]),
    (pod("a", labels={"app": "db"}), [pdb(NONE_LEFT, minAvailable=2)]),
    (pod("a"), [pdb(NONE_LEFT, selector={}, minAvailable=2)]),
    (pod("a", ready=False), [pdb(NONE_LEFT, minAvailable=2)]),
    (pod("a", ready=False), [pdb({**NONE_LEFT, "currentHealthy": 0}, minAvailable=2, unhealthyPodEvictionPolicy="AlwaysAllow")]),
], ids=["finished", "pending", "already-deleting", "unmatched", "empty-selector-matches-nothing",
        "unready-pod-healthy-budget", "always-allow-unhealthy"])
def test_eviction_ignores_the_budget(the_pod, budgets):
    assert eviction_decision(the_pod, budgets, NOW) is None


def test_eviction_spends_a_disruption():
    new = eviction_decision(pod("a"), [pdb(OK, minAvailable=2)], NOW)
    st = new["status"]
    assert (st["disruptionsAllowed"], st["disruptedPods"]) == (0, {"a": "2023-11-14T22:13:20Z"})
    assert st["conditions"][0]["reason"] == "InsufficientPods"


# -- on the cluster ---------------------------------------------------------------------


def deployment(name, replicas):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def budget(name, **spec):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec}}


def test_status_follows_the_pods_and_eviction_spends_it(cluster):
    from pykubectl.controllers.disruption import evict
    srv = cluster.apiserver
    srv.create(srv.resolve("deployments.apps"), deployment("web", 3), "default")
    srv.create(srv.resolve("pdb"), budget("web-pdb", maxUnavailable="34%"), "default")
    cluster.advance(10)
    st = srv.get(srv.resolve("pdb"), "default", "web-pdb")["status"]
    assert (st["currentHealthy"], st["desiredHealthy"], st["expectedPods"], st["disruptionsAllowed"]) == (3, 1, 3, 2)
    pods = srv.list(srv.resolve("pods"), "default", "app=web")["items"]
    evict(srv, "default", pods[0]["metadata"]["name"])
    evict(srv, "default", pods[1]["metadata"]["name"])
    with pytest.raises(StatusError) as e:
        evict(srv, "default", pods[2]["metadata"]["name"])
    assert e.value.code == 429
    gone = srv.get(srv.resolve("pods"), "default", pods[0]["metadata"]["name"])
    assert gone["metadata"].get("deletionTimestamp")
    assert [c for c in gone["status"]["conditions"] if c["type"] == "DisruptionTarget"][0]["reason"] == "EvictionByEvictionAPI"
    cluster.advance(60)     # the replacements come up Ready and the budget is whole again
    st = srv.get(srv.resolve("pdb"), "default", "web-pdb")["status"]
    assert (st["currentHealthy"], st["disruptionsAllowed"], st.get("disruptedPods")) == (3, 2, None)


def test_drain_is_refused_by_the_budget(kube):
    kube("create", "deployment", "web", "--image=nginx", "--replicas=2", check=True)
    kube("create", "pdb", "web-pdb", "--selector=app=web", "--min-available=2", check=True)
    kube("sim", "advance", "10s", check=True)
    out = kube("get", "pdb", check=True).out.splitlines()
    assert out[0].split() == ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED", "DISRUPTIONS", "AGE"]
    assert out[1].split()[:4] == ["web-pdb", "2", "N/A", "0"]
    node = kube("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].spec.nodeName}", check=True).out
    r = kube("drain", node, "--ignore-daemonsets")
    assert r.code == 1
    assert ("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n") in r.err
    desc = kube("describe", "pdb", "web-pdb", check=True).out
    assert "Min available:  2\nSelector:       app=web\nStatus:\n    Allowed disruptions:  0\n    Current:              2\n" in desc
