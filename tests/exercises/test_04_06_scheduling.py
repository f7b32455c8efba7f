"""Exercises 4-6 (node affinity, pod affinity / anti-affinity, taints and tolerations) as a
learner types them, plus cordon / uncordon / drain and `sim explain`, through the CLI on a fresh
lab cluster with a virtual clock."""
import pytest

from tests.conftest import manifest

CP = "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
NOT_HELPFUL = "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."


def need(kube, *verbs):
    for v in verbs:
        assert kube(v, "--help").code == 0, f"kubectl {v} is missing"


def apply(kube, *names):
    for n in names:
        r = kube("apply", "-f", manifest(n))
        assert r.code == 0, r.err


def placement(kube) -> dict:
    """pod name -> node (or None), from `get pods -o wide`."""
    r = kube("get", "pods", "-o", "wide")
    assert r.code == 0, r.err
    out = {}
    for line in r.out.splitlines()[1:]:
        cols = line.split()
        out[cols[0]] = None if cols[6] == "<none>" else cols[6]
    return out


def failed_scheduling(kube, pod) -> list[str]:
    r = kube("get", "events", "--field-selector", f"involvedObject.name={pod},reason=FailedScheduling",
             "-o", "jsonpath={range .items[*]}{.message}{'\\n'}{end}")
    assert r.code == 0, r.err
    return r.out.splitlines()


def test_exercise_4_node_affinity(kube):
    need(kube, "label")
    kube("label", "nodes", "worker-1", "kr=az-1", check=True)
    kube("label", "nodes", "worker-2", "us=az-1", check=True)
    apply(kube, "03-pod-match-expressions1.yaml", "04-pod-required.yaml", "05-pod-preferred.yaml")
    assert placement(kube) == {"pod-match-expressions1": "worker-1", "pod-required": None,
                               "pod-preferred": "worker-2"}
    assert failed_scheduling(kube, "pod-required") == [
        f"0/3 nodes are available: {CP}, 2 node(s) didn't match Pod's node affinity/selector. {NOT_HELPFUL}"]
    # labelling a node re-queues the pending pod: it is scheduled without being re-created
    kube("label", "nodes", "worker-2", "ch=yes", check=True)
    assert placement(kube)["pod-required"] == "worker-2"


def test_exercise_5_pod_affinity_and_anti_affinity(kube):
    need(kube, "label")
    kube("label", "nodes", "worker-1", "a-team=1", check=True)
    kube("label", "nodes", "worker-2", "a-team=2", check=True)
    apply(kube, "06-web1.yaml", "07-server1.yaml", "08-server2.yaml")
    assert placement(kube) == {"web1": "worker-1", "server1": "worker-1", "server2": None}
    assert failed_scheduling(kube, "server2") == [
        f"0/3 nodes are available: {CP}, 2 node(s) didn't match pod affinity rules. {NOT_HELPFUL}"]
    uid = kube("get", "pod", "server2", "-o", "jsonpath={.metadata.uid}").out
    apply(kube, "08b-web2.yaml")
    assert placement(kube)["server2"] == "worker-2"
    assert kube("get", "pod", "server2", "-o", "jsonpath={.metadata.uid}").out == uid
    apply(kube, "09-master-slave.yaml")
    where = placement(kube)
    assert (where["master"], where["slave"]) == ("worker-1", "worker-2")


def test_exercise_6_taints_and_taint_eviction(kube):
    need(kube, "label", "taint")
    kube("label", "nodes", "worker-1", "gpu=no1", check=True)
    kube("taint", "nodes", "worker-1", "hw=gpu:NoSchedule", check=True)
    apply(kube, "10-pod-without-toleration.yaml", "11-pod-with-toleration.yaml",
          "12-pod1-with-no-execute.yaml", "13-pod2-without-no-execute.yaml")
    assert placement(kube) == {"pod-without-toleration": None, "pod-with-toleration": "worker-1",
                               "pod1-with-no-execute": "worker-2", "pod2-without-no-execute": "worker-2"}
    assert failed_scheduling(kube, "pod-without-toleration") == [
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
        f"1 node(s) had untolerated taint {{hw: gpu}}, {CP}. {NOT_HELPFUL}"]
    kube("sim", "advance", "5s", check=True)
    system = kube("get", "pods", "-n", "kube-system", "--field-selector", "spec.nodeName=worker-2", "-o", "name").out
    kube("taint", "nodes", "worker-1", "hw=gpu:NoSchedule-", check=True)
    kube("taint", "nodes", "worker-2", "out-of-disk=True:NoExecute", check=True)
    where = placement(kube)
    assert "pod2-without-no-execute" not in where and where["pod1-with-no-execute"] == "worker-2"
    kube("sim", "advance", "29s", check=True)
    assert "pod1-with-no-execute" in placement(kube)
    kube("sim", "advance", "1s", check=True)
    assert "pod1-with-no-execute" not in placement(kube)
    r = kube("get", "events", "--field-selector", "reason=TaintManagerEviction",
             "-o", "jsonpath={range .items[*]}{.type} {.message}{'\\n'}{end}")
    assert sorted(r.out.splitlines()) == ["Normal Marking for deletion Pod default/pod1-with-no-execute",
                                          "Normal Marking for deletion Pod default/pod2-without-no-execute"]
    # DaemonSet pods tolerate the taint and stay
    assert kube("get", "pods", "-n", "kube-system", "--field-selector", "spec.nodeName=worker-2",
                "-o", "name").out == system != ""


CORDON = [
    ("cordon", ["cordon", "worker-1"], 0, "node/worker-1 cordoned\n", ""),
    ("cordon-dry-run", ["cordon", "worker-1", "--dry-run=client"], 0, "node/worker-1 cordoned (dry run)\n", ""),
    ("uncordon-schedulable", ["uncordon", "worker-1"], 0, "node/worker-1 already uncordoned\n", ""),
    ("no-node", ["cordon"], 1, "", "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples\n"),
    ("unknown-node", ["cordon", "nope"], 1, "", 'Error from server (NotFound): nodes "nope" not found\n'),
]


@pytest.mark.parametrize("argv,code,out,err", [c[1:] for c in CORDON], ids=[c[0] for c in CORDON])
def test_cordon_lines(kube, argv, code, out, err):
    r = kube(*argv)
    assert (r.code, r.out, r.err) == (code, out, err)


def test_cordon_keeps_new_pods_off_and_uncordon_lets_them_back(kube):
    assert kube("cordon", "worker-1").out == "node/worker-1 cordoned\n"
    assert kube("cordon", "worker-1").out == "node/worker-1 already cordoned\n"
    assert kube("get", "node", "worker-1").out.splitlines()[1].split()[1] == "Ready,SchedulingDisabled"
    apply(kube, "13-pod2-without-no-execute.yaml")
    assert set(placement(kube).values()) == {"worker-2"}
    assert kube("uncordon", "worker-1").out == "node/worker-1 uncordoned\n"


def test_drain_refuses_daemonset_and_bare_pods_then_evicts(kube):
    apply(kube, "13-pod2-without-no-execute.yaml")   # lands on worker-1: the tie goes by name
    assert placement(kube) == {"pod2-without-no-execute": "worker-1"}
    ds = sorted(kube("get", "pods", "-n", "kube-system", "--field-selector", "spec.nodeName=worker-1",
                     "-o", "name").out.split())
    ds = ", ".join("kube-system/" + n.split("/", 1)[1] for n in ds)
    r = kube("drain", "worker-1")
    err = (f"[cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {ds}, "
           "cannot delete Pods declare no controller (use --force to override): default/pod2-without-no-execute]")
    assert (r.code, r.out) == (1, "node/worker-1 cordoned\n")
    assert r.err == (f'error: unable to drain node "worker-1" due to error: {err}, continuing command...\n'
                     f"There are pending nodes to be drained:\n worker-1\nerror: {err}\n")
    r = kube("drain", "worker-1", "--ignore-daemonsets", "--force")
    assert (r.code, r.out) == (0, "node/worker-1 already cordoned\nevicting pod default/pod2-without-no-execute\n"
                                  "pod/pod2-without-no-execute evicted\nnode/worker-1 drained\n")
    assert r.err == ("Warning: deleting Pods that declare no controller: default/pod2-without-no-execute; "
                     f"ignoring DaemonSet-managed Pods: {ds}\n")
    assert placement(kube) == {}


def test_sim_explain_shows_each_nodes_filter_and_scores(kube):
    apply(kube, "04-pod-required.yaml", "05-pod-preferred.yaml")
    r = kube("sim", "explain", "pod/pod-required")
    assert r.code == 0, r.err
    assert r.out.splitlines()[:6] == [
        "Pod default/pod-required (priority 0): not scheduled",
        "",
        "Filters (the first that rejects a node):",
        "  NODE         FILTER            RESULT",
        "  k8s-master   TaintToleration   node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
        "  worker-1     NodeAffinity      node(s) didn't match Pod's node affinity/selector",
    ]
    r = kube("sim", "explain", "pod-preferred")
    lines = r.out.splitlines()
    assert lines[0] == "Pod default/pod-preferred (priority 0): bound to worker-1"
    assert lines[-1] == "Result: worker-1 (highest total; ties go to the node with fewest pods, then by name)"
    assert lines[9].split()[:2] == ["NODE", "TaintToleration(x3)"]
    r = kube("sim", "explain", "pod/nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "nope" not found\n')


def test_sim_node_down_then_up(kube):
    assert kube("sim", "node", "down", "worker-2").out == "node/worker-2 heartbeats stopped\n"
    kube("sim", "advance", "49s", check=True)
    assert kube("get", "node", "worker-2").out.splitlines()[1].split()[1] == "Ready"
    kube("sim", "advance", "1s", check=True)
    assert kube("get", "node", "worker-2").out.splitlines()[1].split()[1] == "NotReady"
    assert kube("get", "node", "worker-2", "-o", "jsonpath={.spec.taints[*].effect}").out == "NoSchedule NoExecute"
    assert kube("sim", "node", "up", "worker-2").out == "node/worker-2 heartbeats resumed\n"
    assert kube("get", "node", "worker-2").out.splitlines()[1].split()[1] == "Ready"
    assert kube("get", "node", "worker-2", "-o", "jsonpath={.spec.taints}").out == ""
    r = kube("sim", "node", "down", "nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): nodes "nope" not found\n')


PDB = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: keep-one
spec:
  minAvailable: 1
  selector:
    matchLabels:
      type: web1
"""


def test_drain_respects_a_pod_disruption_budget(kube):
    need(kube, "label")
    kube("label", "nodes", "worker-1", "a-team=1", check=True)
    apply(kube, "06-web1.yaml")
    kube("apply", "-f", "-", input=PDB, check=True)
    kube("sim", "advance", "5s", check=True)
    r = kube("drain", "worker-1", "--ignore-daemonsets", "--force", "--timeout=30s")
    assert (r.code, r.out) == (1, "node/worker-1 cordoned\nevicting pod default/web1\n")
    err = 'error when evicting pods/"web1" -n "default": global timeout reached: 30s'
    assert r.err.splitlines()[1:] == [
        'error when evicting pods/"web1" -n "default" (will retry after 5s): '
        "Cannot evict pod as it would violate the pod's disruption budget.",
        f'error: unable to drain node "worker-1" due to error: {err}, continuing command...',
        "There are pending nodes to be drained:", " worker-1", f"error: {err}"]
    assert placement(kube) == {"web1": "worker-1"}
