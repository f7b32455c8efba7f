"""PodTopologySpread's scoring (the system default constraints for pods a Service, ReplicaSet or
StatefulSet selects, explicit ScheduleAnyway constraints) and ImageLocality, as the normalized
0-100 scores kube-scheduler v1.32 gives each feasible node, and the placements they lead to."""
import pytest

from pykubectl.controllers.scheduler import Cycle, Snapshot, Workloads, schedule_one
from tests.unit.test_scheduler import lab, node, pod

RS = {"metadata": {"name": "web-1", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "web"}}}}
STS = {"metadata": {"name": "db", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "db"}}}}
SVC = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"selector": {"app": "web"}}}


def owned(name, node_name=None, kind="ReplicaSet", owner="web-1", app="web", **spec):
    p = pod(name, node_name, labels={"app": app}, **spec)
    p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": kind, "name": owner, "controller": True}]
    return p


def zoned(**zones):
    nodes = lab()
    for n in nodes[1:]:
        if n["metadata"]["name"] in zones:
            n["metadata"]["labels"]["topology.kubernetes.io/zone"] = zones[n["metadata"]["name"]]
    return nodes


def spread(key, skew=1, when="ScheduleAnyway", **sel):
    return {"topologyKey": key, "maxSkew": skew, "whenUnsatisfiable": when,
            "labelSelector": {"matchLabels": sel or {"app": "web"}}}


def scores(nodes, pods, p, workloads=None, plugin="PodTopologySpread"):
    snap = Snapshot(nodes, pods, [], workloads=workloads)
    feasible = [i for i in snap.infos if i.name != "k8s-master"]
    return {n: s[plugin] for n, s in Cycle(p, snap).scores(feasible).items()}


TWO_ON_W1 = [owned("a", "worker-1"), owned("b", "worker-1")]
# (id, nodes, existing pods, pod, workloads, scores per worker)
SPREAD = [
    # hostname: log(2+2)*count + (3-1): 4.77 -> 5 and 2; normalized 100*(5+2-s)/5
    ("replicaset-default-spreading", lab(), TWO_ON_W1, owned("p"), Workloads(rss=[RS]),
     {"worker-1": 40, "worker-2": 100}),
    ("service-selector-default-spreading", lab(), TWO_ON_W1, pod("p", labels={"app": "web"}), Workloads(services=[SVC]),
     {"worker-1": 40, "worker-2": 100}),
    ("statefulset-default-spreading", lab(), [owned("d0", "worker-2", "StatefulSet", "db", "db")],
     owned("d1", kind="StatefulSet", owner="db", app="db"), Workloads(stss=[STS]), {"worker-1": 100, "worker-2": 66}),
    ("no-owner-no-service-no-spreading", lab(), [pod("a", "worker-1", labels={"app": "web"})],
     pod("p", labels={"app": "web"}), Workloads(rss=[RS]), {"worker-1": 0, "worker-2": 0}),
    ("owner-gone-no-spreading", lab(), TWO_ON_W1, owned("p"), Workloads(), {"worker-1": 0, "worker-2": 0}),
    ("other-namespace-pods-do-not-count", lab(), [owned("a", "worker-1", ns="other")], owned("p"), Workloads(rss=[RS]),
     {"worker-1": 100, "worker-2": 100}),
    # zones: both constraints add up, zone weight log(2+2) and maxSkew 5 (+4): 12 and 6
    ("default-zone-spreading", zoned(**{"worker-1": "a", "worker-2": "b"}), TWO_ON_W1, owned("p"), Workloads(rss=[RS]),
     {"worker-1": 50, "worker-2": 100}),
    ("explicit-schedule-anyway-by-zone", zoned(**{"worker-1": "a", "worker-2": "b"}), TWO_ON_W1,
     pod("p", labels={"app": "web"}, topologySpreadConstraints=[spread("topology.kubernetes.io/zone")]), None,
     {"worker-1": 0, "worker-2": 100}),
    ("explicit-constraints-replace-the-defaults", lab(), TWO_ON_W1,
     owned("p", topologySpreadConstraints=[spread("kubernetes.io/hostname", when="DoNotSchedule")]), Workloads(rss=[RS]),
     {"worker-1": 0, "worker-2": 0}),
    ("node-without-the-key-is-ignored", zoned(**{"worker-1": "a"}), TWO_ON_W1,
     pod("p", labels={"app": "web"}, topologySpreadConstraints=[spread("topology.kubernetes.io/zone")]), None,
     {"worker-1": 100, "worker-2": 0}),
    ("match-label-keys-narrow-the-selector", lab(), [pod("a", "worker-1", labels={"app": "web", "rev": "1"})],
     pod("p", labels={"app": "web", "rev": "2"}, topologySpreadConstraints=[
         {**spread("kubernetes.io/hostname"), "matchLabelKeys": ["rev"]}]), None, {"worker-1": 100, "worker-2": 100}),
]


@pytest.mark.parametrize("nodes,pods,p,workloads,want", [s[1:] for s in SPREAD], ids=[s[0] for s in SPREAD])
def test_pod_topology_spread_score(nodes, pods, p, workloads, want):
    assert scores(nodes, pods, p, workloads) == want


def test_default_spreading_outweighs_a_lighter_node():
    # worker-2 already runs two replicas; worker-1 carries a heavier unrelated pod
    pods = [owned("a", "worker-2"), owned("b", "worker-2"), pod("big", "worker-1", cpu="1", memory="1Gi")]
    snap = Snapshot(lab(), pods, [], workloads=Workloads(rss=[RS]))
    assert schedule_one(owned("p"), snap).node == "worker-1"
    assert schedule_one(owned("q"), Snapshot(lab(), pods, [])).node == "worker-2"


def imaged(name, *images):
    n = node(name)
    n["status"]["images"] = [{"names": list(names), "sizeBytes": size} for names, size in images]
    return n


NGINX = (["docker.io/library/nginx:1.27", "nginx:1.27"], 500 * 2**20)
BIG = (["registry.example/big:v1"], 3000 * 2**20)
# (id, nodes, pod's images, ImageLocality per node)
IMAGES = [
    # 500 MiB on 1 of 2 nodes: 250 MiB -> 100 * (250-23) / (1000-23)
    ("image-on-one-node", [imaged("n1", NGINX), imaged("n2")], ["nginx:1.27"], {"n1": 23, "n2": 0}),
    ("image-everywhere-scores-higher", [imaged("n1", NGINX), imaged("n2", NGINX)], ["nginx:1.27"], {"n1": 48, "n2": 48}),
    ("untagged-name-gets-latest-only", [imaged("n1", (["docker.io/library/nginx:latest"], 500 * 2**20))], ["nginx"], {"n1": 0}),
    ("full-name-matches", [imaged("n1", (["docker.io/library/nginx:latest"], 500 * 2**20))],
     ["docker.io/library/nginx"], {"n1": 48}),
    ("small-images-score-nothing", [imaged("n1", (["tiny:1"], 10 * 2**20))], ["tiny:1"], {"n1": 0}),
    ("capped-per-container", [imaged("n1", BIG)], ["registry.example/big:v1"], {"n1": 100}),
    ("two-containers-double-the-ceiling", [imaged("n1", BIG, NGINX)], ["nginx:1.27", "busybox"], {"n1": 24}),
]


@pytest.mark.parametrize("nodes,images,want", [i[1:] for i in IMAGES], ids=[i[0] for i in IMAGES])
def test_image_locality_score(nodes, images, want):
    p = pod("p", containers=[{"name": f"c{n}", "image": img} for n, img in enumerate(images)])
    snap = Snapshot(nodes, [], [])
    assert {n: s["ImageLocality"] for n, s in Cycle(p, snap).scores(snap.infos).items()} == want


@pytest.mark.parametrize("plugin", ["TaintToleration", "NodeAffinity", "PodTopologySpread", "InterPodAffinity",
                                    "NodeResourcesFit", "NodeResourcesBalancedAllocation", "ImageLocality"])
def test_totals_weigh_each_plugin_as_kube_scheduler(plugin):
    from pykubectl.controllers.scheduler import WEIGHTS, weighted_totals
    weights = {"TaintToleration": 3, "NodeAffinity": 2, "PodTopologySpread": 2, "InterPodAffinity": 2,
               "NodeResourcesFit": 1, "NodeResourcesBalancedAllocation": 1, "ImageLocality": 1}
    cols = {p: [100 if p == plugin else 0] for p in weights}
    assert (weighted_totals(cols), WEIGHTS[plugin]) == ([100 * weights[plugin]], weights[plugin])
