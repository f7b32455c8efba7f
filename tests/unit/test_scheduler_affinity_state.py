"""InterPodAffinity's incremental state (the snapshot's per-term counts kept up to date by assume)
against the plain scan of every placed pod: the same PreFilter counts, the same verdict on every
node, the same scores and the same placements, over generated clusters and pod sequences."""
import random

import pytest

from pykubectl.controllers.scheduler import AffinityState, Cycle, Snapshot, schedule_one

ZONES = ("z1", "z2", "z3")
APPS = ("a", "b", "c")
KEYS = ("kubernetes.io/hostname", "topology.kubernetes.io/zone", "rack")


def make_nodes(rng, n):
    out = []
    for i in range(n):
        labels = {"kubernetes.io/hostname": f"n{i}"}
        if rng.random() < 0.85:   # some nodes lack the zone: terms over it cannot count there
            labels["topology.kubernetes.io/zone"] = rng.choice(ZONES)
        if rng.random() < 0.6:
            labels["rack"] = f"r{rng.randrange(3)}"
        out.append({"metadata": {"name": f"n{i}", "labels": labels}, "spec": {},
                    "status": {"allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}})
    return out


def make_term(rng):
    if rng.random() < 0.7:
        sel = {"matchLabels": {"app": rng.choice(APPS)}}
    else:
        sel = {"matchExpressions": [{"key": "app", "operator": rng.choice(["In", "NotIn"]),
                                     "values": rng.sample(APPS, 2)}]}
    term = {"topologyKey": rng.choice(KEYS), "labelSelector": sel}
    r = rng.random()
    if r < 0.15:
        term["namespaces"] = ["other"]
    elif r < 0.3:
        term["namespaceSelector"] = {"matchLabels": {"team": "a"}}
    elif r < 0.35:
        term["namespaceSelector"] = {}   # every namespace
    return term


def make_affinity(rng, p_affinity):
    aff = {}
    for kind in ("podAffinity", "podAntiAffinity"):
        if rng.random() >= p_affinity:
            continue
        body = {}
        if rng.random() < 0.6:
            body["requiredDuringSchedulingIgnoredDuringExecution"] = [make_term(rng) for _ in range(rng.choice((1, 1, 2)))]
        if rng.random() < 0.5:
            body["preferredDuringSchedulingIgnoredDuringExecution"] = [
                {"weight": rng.choice((0, 1, 5, 50, 100)), "podAffinityTerm": make_term(rng)}
                for _ in range(rng.choice((1, 2)))]
        if body:
            aff[kind] = body
    return aff


def make_pod(rng, name, node_name=None, p_affinity=0.5):
    spec = {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "100m"}}}]}
    aff = make_affinity(rng, p_affinity)
    if aff:
        spec["affinity"] = aff
    if node_name:
        spec["nodeName"] = node_name
    ns = rng.choice(("default", "default", "other"))
    return {"metadata": {"name": name, "namespace": ns, "uid": f"uid-{name}",
                        "labels": {"app": rng.choice(APPS)}},
            "spec": spec, "status": {"phase": "Running" if node_name else "Pending"}}


NAMESPACES = [{"metadata": {"name": "default", "labels": {"team": "a"}}},
              {"metadata": {"name": "other", "labels": {"team": "b"}}}]


def assert_same_as_scan(pod, snap):
    fast, slow = AffinityState(pod, snap), AffinityState(pod, snap, scan=True)
    assert fast.pairs() == slow.pairs()
    assert fast.active == slow.active
    assert [fast.check(i) for i in snap.infos] == [slow.check(i) for i in snap.infos]
    cyc = Cycle(pod, snap)
    assert cyc._pod_affinity_score(snap.infos) == cyc._pod_affinity_score(snap.infos, scan=True)


# (id, seed, nodes, placed pods, pods to schedule, chance of affinity terms per kind)
CASES = [
    ("small-dense-affinity", 1, 4, 6, 12, 0.8),
    ("small-sparse-affinity", 2, 5, 10, 10, 0.3),
    ("medium", 3, 10, 25, 25, 0.5),
    ("medium-all-affinity", 4, 8, 20, 20, 1.0),
    ("no-placed-pods", 5, 6, 0, 15, 0.6),
    ("many-placed-few-new", 6, 12, 60, 8, 0.4),
    ("large", 7, 20, 40, 40, 0.5),
    ("only-placed-have-terms", 8, 8, 20, 15, 0.0),
]


@pytest.mark.parametrize("seed,n_nodes,n_placed,n_new,p_aff", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_incremental_state_matches_scan_through_a_sequence(seed, n_nodes, n_placed, n_new, p_aff):
    rng = random.Random(seed)
    nodes = make_nodes(rng, n_nodes)
    placed = [make_pod(rng, f"old{i}", rng.choice(nodes)["metadata"]["name"], 0.6) for i in range(n_placed)]
    snap = Snapshot(nodes, placed, NAMESPACES)
    # a twin snapshot rebuilt from scratch before every pod: nothing incremental carried over
    placed_now = list(placed)
    for i in range(n_new):
        pod = make_pod(rng, f"new{i}", p_affinity=p_aff)
        assert_same_as_scan(pod, snap)
        res = schedule_one(pod, snap)
        fresh = schedule_one(pod, Snapshot(nodes, placed_now, NAMESPACES))
        assert (res.node, res.failures) == (fresh.node, fresh.failures)
        if res.node:
            snap.assume(pod, res.node)
            placed_now.append({**pod, "spec": {**pod["spec"], "nodeName": res.node}})


@pytest.mark.parametrize("seed", [11, 12, 13], ids=["seed-11", "seed-12", "seed-13"])
def test_state_after_pods_removed_in_place(seed):
    """Preemption's what-ifs take pods off a node and call changed(): the indexes start over."""
    rng = random.Random(seed)
    nodes = make_nodes(rng, 6)
    snap = Snapshot(nodes, [make_pod(rng, f"old{i}", rng.choice(nodes)["metadata"]["name"], 0.8)
                            for i in range(20)], NAMESPACES)
    probe = make_pod(rng, "probe", p_affinity=1.0)
    assert_same_as_scan(probe, snap)   # builds the indexes
    for info in snap.infos[:3]:
        for p in list(info.pods)[:2]:
            info.remove(p)
    snap.changed()
    assert_same_as_scan(probe, snap)


def test_a_placed_pod_never_counts_against_itself():
    """A pod judged while it is among the placed ones (as `sim explain` of a what-if could)."""
    nodes = [{"metadata": {"name": n, "labels": {"kubernetes.io/hostname": n}}, "spec": {},
              "status": {"allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}} for n in ("n1", "n2")]
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "a"}}}]}}
    me = {"metadata": {"name": "me", "namespace": "default", "uid": "uid-me", "labels": {"app": "a"}},
          "spec": {"containers": [{"name": "c", "image": "nginx"}], "affinity": anti, "nodeName": "n1"},
          "status": {"phase": "Running"}}
    snap = Snapshot(nodes, [me], NAMESPACES)
    state = AffinityState(me, snap)
    assert [state.check(i) for i in snap.infos] == [None, None]


# (id, placed pods' anti-affinity topology, node of the placed pod, expected verdicts for n1..n3)
EXISTING = [
    ("hostname-blocks-its-node", "kubernetes.io/hostname", "n1",
     [("Unschedulable", "node(s) didn't satisfy existing pods anti-affinity rules"), None, None]),
    ("zone-blocks-the-zone", "topology.kubernetes.io/zone", "n1",
     [("Unschedulable", "node(s) didn't satisfy existing pods anti-affinity rules"),
      ("Unschedulable", "node(s) didn't satisfy existing pods anti-affinity rules"), None]),
    ("key-missing-on-its-node-blocks-nothing", "rack", "n1", [None, None, None]),
]


@pytest.mark.parametrize("key,where,verdicts", [c[1:] for c in EXISTING], ids=[c[0] for c in EXISTING])
def test_existing_anti_affinity_verdicts(key, where, verdicts):
    zones = {"n1": "z1", "n2": "z1", "n3": "z2"}
    nodes = [{"metadata": {"name": n, "labels": {"kubernetes.io/hostname": n, "topology.kubernetes.io/zone": z}},
              "spec": {}, "status": {"allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}}
             for n, z in zones.items()]
    guard = {"metadata": {"name": "guard", "namespace": "default", "uid": "uid-guard", "labels": {"app": "g"}},
             "spec": {"containers": [{"name": "c", "image": "nginx"}], "nodeName": where,
                      "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                          {"topologyKey": key, "labelSelector": {"matchLabels": {"app": "web"}}}]}}},
             "status": {"phase": "Running"}}
    web = {"metadata": {"name": "web", "namespace": "default", "uid": "uid-web", "labels": {"app": "web"}},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": "Pending"}}
    snap = Snapshot(nodes, [guard], NAMESPACES)
    assert [AffinityState(web, snap).check(i) for i in snap.infos] == verdicts
    assert_same_as_scan(web, snap)
