"""kube-scheduler's filters, scores and messages as pure functions over a Snapshot of made-up
nodes and pods: every filter's wording and first-failure order, the FitError histogram with the
preemption verdict, each score plugin, the deterministic tie-break, and preemption."""
import pytest

from pykubectl.controllers.scheduler import (Snapshot, fit_error, pod_requests, preempt, schedule_one,
                                             tolerates_taint)

CP_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def node(name, labels=None, taints=None, cpu="4", memory="8Gi", pods="110", unschedulable=False):
    n = {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
         "spec": {}, "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}}}
    if taints:
        n["spec"]["taints"] = taints
    if unschedulable:
        n["spec"]["unschedulable"] = True
    return n


def pod(name, node_name=None, labels=None, ns="default", cpu=None, memory=None, priority=0, **spec):
    c = {"name": "c", "image": "nginx"}
    req = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    if req:
        c["resources"] = {"requests": req}
    s = {"containers": [c], "priority": priority, **spec}
    if node_name:
        s["nodeName"] = node_name
    return {"metadata": {"name": name, "namespace": ns, "uid": f"uid-{name}", "labels": labels or {}},
            "spec": s, "status": {"phase": "Running" if node_name else "Pending"}}


def lab(**worker_labels):
    """The lab's three nodes: a tainted control plane and two identical workers."""
    return [node("k8s-master", {"node-role.kubernetes.io/control-plane": ""}, [CP_TAINT]),
            node("worker-1", worker_labels.get("w1")), node("worker-2", worker_labels.get("w2"))]


def req_affinity(*exprs):
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": list(exprs)}]}}}


def pod_term(kind, key, value, topology="kubernetes.io/hostname"):
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": topology, "labelSelector": {"matchLabels": {key: value}}}]}}


TOLERATIONS = [
    ("equal-match", {"key": "hw", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}, {"key": "hw", "value": "gpu", "effect": "NoSchedule"}, True),
    ("equal-other-value", {"key": "hw", "value": "cpu"}, {"key": "hw", "value": "gpu", "effect": "NoSchedule"}, False),
    ("exists-any-value", {"key": "hw", "operator": "Exists"}, {"key": "hw", "value": "gpu", "effect": "NoExecute"}, True),
    ("other-effect", {"key": "hw", "operator": "Exists", "effect": "NoExecute"}, {"key": "hw", "effect": "NoSchedule"}, False),
    ("empty-key-exists-tolerates-all", {"operator": "Exists"}, {"key": "x", "value": "y", "effect": "NoExecute"}, True),
    ("empty-key-equal-compares-value", {"operator": "Equal", "value": "y"}, {"key": "x", "value": "y", "effect": "NoSchedule"}, True),
    ("default-operator-is-equal", {"key": "x"}, {"key": "x", "effect": "NoSchedule"}, True),
]


@pytest.mark.parametrize("tol,taint,ok", [t[1:] for t in TOLERATIONS], ids=[t[0] for t in TOLERATIONS])
def test_toleration_matches_taint(tol, taint, ok):
    assert tolerates_taint(tol, taint) is ok


FILTERS = [
    ("cordoned", [node("n1", unschedulable=True)], [], pod("p"), "NodeUnschedulable", "node(s) were unschedulable"),
    ("untolerated-taint-names-key-and-value", [node("n1", taints=[{"key": "hw", "value": "gpu", "effect": "NoSchedule"}])], [],
     pod("p"), "TaintToleration", "node(s) had untolerated taint {hw: gpu}"),
    ("prefer-no-schedule-does-not-filter", [node("n1", taints=[{"key": "a", "effect": "PreferNoSchedule"}])], [], pod("p"), None, None),
    ("node-selector", [node("n1")], [], pod("p", nodeSelector={"gpu": "no1"}), "NodeAffinity",
     "node(s) didn't match Pod's node affinity/selector"),
    ("required-affinity-gt", [node("n1", {"cores": "4"})], [], pod("p", affinity=req_affinity({"key": "cores", "operator": "Gt", "values": ["8"]})),
     "NodeAffinity", "node(s) didn't match Pod's node affinity/selector"),
    ("match-fields-on-name", [node("n1")], [], pod("p", affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}}}), None, None),
    ("host-port-taken", [node("n1")], [pod("a", "n1", containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080}]}])],
     pod("p", containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080}]}]), "NodePorts",
     "node(s) didn't have free ports for the requested pod ports"),
    ("insufficient-cpu", [node("n1", cpu="1")], [pod("a", "n1", cpu="800m")], pod("p", cpu="300m"), "NodeResourcesFit", "Insufficient cpu"),
    ("insufficient-memory", [node("n1", memory="1Gi")], [], pod("p", memory="2Gi"), "NodeResourcesFit", "Insufficient memory"),
    ("too-many-pods", [node("n1", pods="1")], [pod("a", "n1")], pod("p"), "NodeResourcesFit", "Too many pods"),
    ("request-less-pods-fit-a-full-cpu", [node("n1", cpu="1")], [pod("a", "n1", cpu="1")], pod("p"), None, None),
    ("pod-affinity-no-match", [node("n1")], [], pod("p", affinity=pod_term("podAffinity", "type", "web")), "InterPodAffinity",
     "node(s) didn't match pod affinity rules"),
    ("pod-affinity-to-itself-first-of-group", [node("n1")], [], pod("p", labels={"type": "web"}, affinity=pod_term("podAffinity", "type", "web")), None, None),
    ("pod-affinity-missing-topology-key", [node("n1")], [pod("a", "n1", {"type": "web"})],
     pod("p", affinity=pod_term("podAffinity", "type", "web", "zone")), "InterPodAffinity", "node(s) didn't match pod affinity rules"),
    ("pod-affinity-other-namespace-ignored", [node("n1")], [pod("a", "n1", {"type": "web"}, ns="other")],
     pod("p", affinity=pod_term("podAffinity", "type", "web")), "InterPodAffinity", "node(s) didn't match pod affinity rules"),
    ("pod-anti-affinity", [node("n1")], [pod("a", "n1", {"type": "db"})], pod("p", affinity=pod_term("podAntiAffinity", "type", "db")),
     "InterPodAffinity", "node(s) didn't match pod anti-affinity rules"),
    ("existing-pods-anti-affinity", [node("n1")], [pod("a", "n1", affinity=pod_term("podAntiAffinity", "app", "x"))],
     pod("p", labels={"app": "x"}), "InterPodAffinity", "node(s) didn't satisfy existing pods anti-affinity rules"),
    ("spread-skew", [node("n1"), node("n2", pods="0")], [pod("a", "n1", {"app": "s"})],
     pod("p", labels={"app": "s"}, topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                                               "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "s"}}}]),
     "PodTopologySpread", "node(s) didn't match pod topology spread constraints"),
    ("taint-checked-before-affinity", [node("n1", taints=[{"key": "k", "effect": "NoExecute"}])], [], pod("p", nodeSelector={"x": "y"}),
     "TaintToleration", "node(s) had untolerated taint {k: }"),
]


@pytest.mark.parametrize("nodes,pods,p,plugin,reason", [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_first_failing_filter_on_the_first_node(nodes, pods, p, plugin, reason):
    res = schedule_one(p, Snapshot(nodes, pods))
    fail = res.failures.get("n1")
    if plugin is None:
        assert fail is None and res.node == "n1"
    else:
        assert (fail[0], fail[2][0]) == (plugin, reason)


def test_several_insufficient_resources_are_all_reported():
    res = schedule_one(pod("p", cpu="8", memory="16Gi"), Snapshot([node("n1")], []))
    assert res.failures["n1"][2] == ["Insufficient cpu", "Insufficient memory"]


MESSAGES = [
    ("required-affinity-on-lab", lab(), pod("p", affinity=req_affinity({"key": "ch", "operator": "Exists"})),
     "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
     "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: "
     "3 Preemption is not helpful for scheduling."),
    ("resources-no-victims", lab(), pod("p", cpu="5"),
     "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
     "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
     "2 No preemption victims found for incoming pod."),
    ("preemption-policy-never", lab(), pod("p", cpu="5", preemptionPolicy="Never"),
     "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
     "2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."),
]


@pytest.mark.parametrize("nodes,p,msg", [m[1:] for m in MESSAGES], ids=[m[0] for m in MESSAGES])
def test_fit_error_message(nodes, p, msg):
    snap = Snapshot(nodes, [])
    res = schedule_one(p, snap)
    assert res.node is None
    _, _, post = preempt(p, snap, res)
    assert fit_error(len(nodes), res.failures, post) == msg


PLACEMENT = [
    ("identical-workers-tie-goes-by-name", lab(), [], pod("p"), "worker-1"),
    ("less-loaded-worker", lab(), [pod("a", "worker-1")], pod("p"), "worker-2"),
    ("preferred-affinity-beats-load", lab(w1={"zone": "a"}), [pod("a", "worker-1")],
     pod("p", affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
         {"weight": 1, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}}]}}), "worker-1"),
    ("prefer-no-schedule-avoided", [node("n1", taints=[{"key": "a", "effect": "PreferNoSchedule"}]), node("n2")],
     [pod("x", "n2", cpu="1")], pod("p"), "n2"),
    ("preferred-pod-affinity", lab(), [pod("a", "worker-2", {"app": "db"})],
     pod("p", affinity={"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
         {"weight": 50, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                            "labelSelector": {"matchLabels": {"app": "db"}}}}]}}), "worker-2"),
    ("preferred-anti-affinity", lab(), [pod("a", "worker-1", {"app": "db"}), pod("b", "worker-2", cpu="1")],
     pod("p", affinity={"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
         {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                             "labelSelector": {"matchLabels": {"app": "db"}}}}]}}), "worker-2"),
    ("requests-count-for-least-allocated", lab(), [pod("a", "worker-1", cpu="2"), pod("b", "worker-2"), pod("c", "worker-2")],
     pod("p"), "worker-2"),
]


@pytest.mark.parametrize("nodes,pods,p,where", [x[1:] for x in PLACEMENT], ids=[x[0] for x in PLACEMENT])
def test_placement(nodes, pods, p, where):
    assert schedule_one(p, Snapshot(nodes, pods)).node == where


def test_scores_are_normalized_per_plugin():
    snap = Snapshot(lab(w2={"us": "az-1"}), [])
    p = pod("p", affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 7, "preference": {"matchExpressions": [{"key": "us", "operator": "Exists"}]}}]}})
    res = schedule_one(p, snap)
    assert {n: s["NodeAffinity"] for n, s in res.scores.items()} == {"worker-1": 0, "worker-2": 100}
    assert res.total("worker-2") - res.total("worker-1") == 200   # weight 2


REQUESTS = [
    ("plain", {"containers": [{"resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}]}, False, {"cpu": 250, "memory": 64 << 20}),
    ("request-less-nonzero", {"containers": [{}]}, True, {"cpu": 100, "memory": 200 << 20}),
    ("request-less-filter", {"containers": [{}]}, False, {}),
    ("init-container-peak", {"containers": [{"resources": {"requests": {"cpu": "100m"}}}],
                             "initContainers": [{"resources": {"requests": {"cpu": "1"}}}]}, False, {"cpu": 1000}),
    ("sidecar-adds", {"containers": [{"resources": {"requests": {"cpu": "100m"}}}],
                      "initContainers": [{"restartPolicy": "Always", "resources": {"requests": {"cpu": "200m"}}}]}, False, {"cpu": 300}),
    ("overhead", {"containers": [{"resources": {"requests": {"cpu": "100m"}}}], "overhead": {"cpu": "50m"}}, False, {"cpu": 150}),
]


@pytest.mark.parametrize("spec,nonzero,want", [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_pod_requests(spec, nonzero, want):
    assert pod_requests({"spec": spec}, nonzero) == want


def test_preemption_picks_the_node_with_the_least_important_victims():
    nodes = [node("n1", cpu="1"), node("n2", cpu="1")]
    pods = [pod("a", "n1", cpu="900m", priority=100), pod("b", "n2", cpu="900m", priority=10),
            pod("c", "n2", cpu="50m", priority=5)]
    p = pod("p", cpu="500m", priority=1000)
    snap = Snapshot(nodes, pods)
    res = schedule_one(p, snap)
    assert res.node is None
    where, victims, msg = preempt(p, snap, res)
    assert (where, [v["metadata"]["name"] for v in victims], msg) == ("n2", ["b"], "")


def test_no_preemption_of_equal_priority():
    nodes = [node("n1", cpu="1")]
    p = pod("p", cpu="500m", priority=10)
    snap = Snapshot(nodes, [pod("a", "n1", cpu="900m", priority=10)])
    where, victims, msg = preempt(p, snap, schedule_one(p, snap))
    assert (where, msg) == (None, "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")


def test_no_second_round_while_victims_terminate_on_the_nominated_node():
    victim = pod("b", "n1", cpu="900m", priority=10)
    victim["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z"
    p = pod("p", cpu="500m", priority=1000)
    p["status"]["nominatedNodeName"] = "n1"
    snap = Snapshot([node("n1", cpu="1"), node("n2", cpu="1")], [victim, pod("c", "n2", cpu="900m", priority=10)])
    where, victims, msg = preempt(p, snap, schedule_one(p, snap))
    assert (where, victims, msg) == (None, [], "preemption: not eligible due to a terminating pod on the nominated node.")
