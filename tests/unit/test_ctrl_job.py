"""The Job controller in-process on a copy of the lab cluster (virtual clock), with the kubelet's
part (a container exiting) played by the test: completions and parallelism, Indexed, back-off
after failures, backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished; and which
container commands the runtime lets exit on their own."""

import pytest

from pykubectl.api.errors import StatusError
from pykubectl.controllers.job import _ranges, backoff_delay
from pykubectl.runtime.exits import planned_exit
from pykubectl.store.clock import rfc3339


def job(name, **spec):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1h"]}]}},
                     **spec}}


def live_pods(c, name):
    return [p for p in c.apiserver.list(c.apiserver.resolve("pods"), "default")["items"]
            if p["metadata"]["name"].startswith(name + "-")]


def finish(c, pod, phase):
    """What the kubelet does when the container's command ends."""
    k = c.apiserver.resolve("pods")
    p = c.apiserver.get(k, "default", pod["metadata"]["name"])
    now = rfc3339(c.clock.now())
    p["status"]["phase"] = phase
    for cs in p["status"].get("containerStatuses") or ():
        cs["state"] = {"terminated": {"exitCode": 0 if phase == "Succeeded" else 1, "finishedAt": now,
                                      "reason": "Completed" if phase == "Succeeded" else "Error"}}
    c.apiserver.update(k, p, "default", subresource="status")
    c.engine.run()


def status(c, name):
    return c.apiserver.get(c.apiserver.resolve("jobs"), "default", name)["status"]


def test_completions_and_parallelism(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("work", completions=3, parallelism=2), "default")
    cluster.advance(3)
    pods = live_pods(cluster, "work")
    assert len(pods) == 2
    assert {"job-name", "batch.kubernetes.io/job-name", "controller-uid"} <= set(pods[0]["metadata"]["labels"])
    finish(cluster, pods[0], "Succeeded")
    finish(cluster, pods[1], "Succeeded")
    assert status(cluster, "work")["active"] == 1 and status(cluster, "work")["succeeded"] == 2
    cluster.advance(3)
    last = [p for p in live_pods(cluster, "work") if p["status"]["phase"] == "Running"]
    finish(cluster, last[0], "Succeeded")
    st = status(cluster, "work")
    assert [(c["type"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
        ("Complete", "CompletionsReached", "Reached expected number of succeeded pods")]
    assert st["succeeded"] == 3 and "active" not in st and st["completionTime"]


def test_failures_back_off_then_exceed_the_limit(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("flaky", backoffLimit=1), "default")
    cluster.advance(3)
    finish(cluster, live_pods(cluster, "flaky")[0], "Failed")
    assert len(live_pods(cluster, "flaky")) == 1            # the replacement waits 10 s
    cluster.advance(9)
    assert len(live_pods(cluster, "flaky")) == 1
    cluster.advance(2)
    pods = live_pods(cluster, "flaky")
    assert len(pods) == 2
    cluster.advance(3)
    finish(cluster, next(p for p in pods if p["status"]["phase"] != "Failed"), "Failed")
    st = status(cluster, "flaky")
    assert st["failed"] == 2
    assert [(c["type"], c["reason"]) for c in st["conditions"]] == [
        ("FailureTarget", "BackoffLimitExceeded"), ("Failed", "BackoffLimitExceeded")]
    warn = [e["message"] for e in srv.list(srv.resolve("events"), "default")["items"]
            if e["involvedObject"]["name"] == "flaky" and e["type"] == "Warning"]
    assert warn == ["Job has reached the specified backoff limit"]


def test_active_deadline(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("slow", activeDeadlineSeconds=20), "default")
    cluster.advance(19)
    assert "conditions" not in status(cluster, "slow")
    cluster.advance(2)
    assert status(cluster, "slow")["conditions"][-1]["reason"] == "DeadlineExceeded"
    cluster.advance(31)
    assert live_pods(cluster, "slow") == []


def test_indexed_pods_and_completed_indexes(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("idx", completions=3, parallelism=3, completionMode="Indexed"), "default")
    cluster.advance(3)
    pods = sorted(live_pods(cluster, "idx"), key=lambda p: p["metadata"]["name"])
    assert [p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] for p in pods] == ["0", "1", "2"]
    assert [p["metadata"]["name"].rsplit("-", 1)[0] for p in pods] == ["idx-0", "idx-1", "idx-2"]
    finish(cluster, pods[0], "Succeeded")
    finish(cluster, pods[2], "Succeeded")
    assert status(cluster, "idx")["completedIndexes"] == "0,2"


def test_ttl_after_finished_deletes_the_job(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("once", ttlSecondsAfterFinished=30), "default")
    cluster.advance(3)
    finish(cluster, live_pods(cluster, "once")[0], "Succeeded")
    cluster.advance(29)
    assert srv.get(srv.resolve("jobs"), "default", "once")
    cluster.advance(2)
    with pytest.raises(StatusError):
        srv.get(srv.resolve("jobs"), "default", "once")


@pytest.mark.parametrize("failures,delay", [(0, 0), (1, 10), (2, 20), (3, 40), (6, 320), (7, 360), (20, 360)],
                         ids=lambda v: str(v))
def test_backoff_delay(failures, delay):
    assert backoff_delay(failures) == delay


@pytest.mark.parametrize("idx,text", [([], ""), ([0], "0"), ([0, 1, 2, 5, 7, 8], "0-2,5,7-8")],
                         ids=["none", "one", "ranges"])
def test_completed_indexes_format(idx, text):
    assert _ranges(idx) == text


@pytest.mark.parametrize("container,exit", [
    ({"command": ["sh", "-c", "exit 0"]}, (0.0, 0)),
    ({"command": ["sh", "-c", "echo hi; exit 3"]}, (0.0, 3)),
    ({"command": ["/bin/sh", "-c"], "args": ["sleep 5 && date"]}, (5.0, 0)),
    ({"command": ["echo", "hello"]}, (0.0, 0)),
    ({"command": ["sleep", "2m"]}, (120.0, 0)),
    ({"command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]}, (5.0, 0)),
    ({"command": ["false"]}, (0.0, 1)),
    ({"command": ["sleep", "infinity"]}, None),
    ({"command": ["sh", "-c", "while true; do date; sleep 1; done"]}, None),
    ({"image": "nginx"}, None),
    ({"command": ["nginx", "-g", "daemon off;"]}, None),
], ids=["exit-0", "echo-then-exit-3", "sleep-and-date-as-args", "echo", "sleep-minutes", "perl-pi", "false",
        "sleep-infinity", "loop", "no-command", "server"])
def test_planned_exit(container, exit):
    assert planned_exit(container) == exit


def _running(policy, script):
    return {"spec": {"restartPolicy": policy, "containers": [{"name": "c", "command": ["sh", "-c", script]}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                       "containerStatuses": [{"name": "c", "restartCount": 0,
                                              "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}}


@pytest.mark.parametrize("policy,script,after,phase,state,restarts", [
    ("Never", "sleep 3", 2, None, None, None),
    ("Never", "sleep 3", 3, "Succeeded", "terminated", 0),
    ("Never", "exit 2", 0, "Failed", "terminated", 0),
    ("OnFailure", "exit 1", 0, "Running", "running", 1),
    ("OnFailure", "echo ok", 0, "Succeeded", "terminated", 0),
], ids=["not-yet", "never-succeeds", "never-fails", "onfailure-restarts", "onfailure-succeeds"])
def test_finish_containers(policy, script, after, phase, state, restarts):
    from pykubectl.runtime.exits import finish_containers
    from pykubectl.store.clock import parse_time
    st = finish_containers(_running(policy, script), parse_time("2026-01-01T00:00:00Z") + after)
    if phase is None:
        assert st is None
        return
    cs = st["containerStatuses"][0]
    assert (st["phase"], next(iter(cs["state"])), cs["restartCount"]) == (phase, state, restarts)


def test_containers_that_exit_complete_the_job_without_help(cluster):
    """The kubelet ends `sh -c "exit 0"` on its own: the Job completes with no test playing kubelet."""
    srv = cluster.apiserver
    j = job("auto", completions=2, parallelism=1)
    j["spec"]["template"]["spec"]["containers"][0]["command"] = ["sh", "-c", "exit 0"]
    srv.create(srv.resolve("jobs"), j, "default")
    cluster.advance(30)
    st = status(cluster, "auto")
    assert st["succeeded"] == 2 and [c["type"] for c in st["conditions"]] == ["SuccessCriteriaMet", "Complete"]


# -- podFailurePolicy, backoffLimitPerIndex, successPolicy, selector generation -------------

from pykubectl.apiserver.admission import generate_job_selector as generate_selector  # noqa: E402
from pykubectl.controllers.job import (judge_failures, match_pod_failure_policy,  # noqa: E402
                                       match_success_policy, parse_indexes)


def failed_pod(name="p", code=1, conditions=(), index=None, container="c", init=False):
    cs = [{"name": container, "state": {"terminated": {"exitCode": code, "finishedAt": "2026-01-01T00:00:10Z"}}}]
    st = {"phase": "Failed", "conditions": [{"type": t, "status": s} for t, s in conditions],
          "initContainerStatuses" if init else "containerStatuses": cs}
    meta = {"name": name, "namespace": "default"}
    if index is not None:
        meta["annotations"] = {"batch.kubernetes.io/job-completion-index": str(index)}
    return {"metadata": meta, "status": st}


EXIT_42_FAILS = {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}
DISRUPTION_IGNORED = {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]}


@pytest.mark.parametrize("policy,pod,want", [
    (EXIT_42_FAILS, failed_pod(code=42),
     ("FailJob", "Container c for pod default/p failed with exit code 42 matching FailJob rule at index 0")),
    (EXIT_42_FAILS, failed_pod(code=1), ("Count", None)),
    (EXIT_42_FAILS, failed_pod(code=42, init=True),
     ("FailJob", "Container c for pod default/p failed with exit code 42 matching FailJob rule at index 0")),
    ({"rules": [{"action": "Count", "onExitCodes": {"operator": "NotIn", "values": [1]}}]}, failed_pod(code=0), ("Count", None)),
    ({"rules": [{"action": "FailJob", "onExitCodes": {"containerName": "other", "operator": "NotIn", "values": [1]}}]},
     failed_pod(code=3), ("Count", None)),
    (DISRUPTION_IGNORED, failed_pod(conditions=[("DisruptionTarget", "True")]),
     ("Ignore", "Pod default/p has condition DisruptionTarget matching Ignore rule at index 0")),
    (DISRUPTION_IGNORED, failed_pod(conditions=[("DisruptionTarget", "False")]), ("Count", None)),
    ({"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [7]}},
                {"action": "FailIndex", "onExitCodes": {"operator": "NotIn", "values": [0]}}]}, failed_pod(code=9),
     ("FailIndex", "Container c for pod default/p failed with exit code 9 matching FailIndex rule at index 1")),
    (None, failed_pod(code=42), ("Count", None)),
], ids=["exit-code-in", "exit-code-not-listed", "init-container", "exit-0-never-matches", "other-container",
        "disruption-target", "condition-false", "second-rule", "no-policy"])
def test_pod_failure_policy_rules(policy, pod, want):
    assert match_pod_failure_policy(policy, pod) == want


@pytest.mark.parametrize("spec,pods,want_counted,want_failed_indexes", [
    ({"podFailurePolicy": DISRUPTION_IGNORED}, [failed_pod("a", conditions=[("DisruptionTarget", "True")]), failed_pod("b")],
     ["b"], set()),
    ({"backoffLimitPerIndex": 1}, [failed_pod("a", index=0), failed_pod("b", index=0), failed_pod("c", index=1)],
     ["a", "b", "c"], {0}),
    ({"backoffLimitPerIndex": 3, "podFailurePolicy": {"rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [5]}}]}},
     [failed_pod("a", code=5, index=2)], ["a"], {2}),
], ids=["ignored-not-counted", "per-index-limit", "fail-index"])
def test_judge_failures(spec, pods, want_counted, want_failed_indexes):
    counted, _, _, failed_indexes = judge_failures(spec, pods, per_index="backoffLimitPerIndex" in spec)
    assert [p["metadata"]["name"] for p in counted] == want_counted
    assert failed_indexes == want_failed_indexes


@pytest.mark.parametrize("rules,succeeded,want", [
    ([{"succeededIndexes": "0"}], {0}, "Matched rules at index 0"),
    ([{"succeededIndexes": "0-2"}], {0, 2}, None),
    ([{"succeededIndexes": "0-2", "succeededCount": 2}], {0, 2, 4}, "Matched rules at index 0"),
    ([{"succeededCount": 3}], {1, 2}, None),
    ([{"succeededIndexes": "7"}, {"succeededCount": 2}], {1, 2}, "Matched rules at index 1"),
], ids=["one-index", "indexes-not-all", "indexes-and-count", "count-short", "second-rule"])
def test_success_policy(rules, succeeded, want):
    assert match_success_policy({"rules": rules}, 5, succeeded) == want


@pytest.mark.parametrize("text,want", [("0-2,4", {0, 1, 2, 4}), ("3-9", {3, 4}), ("x", set())],
                         ids=["ranges", "bounded-by-completions", "garbage"])
def test_parse_indexes(text, want):
    assert parse_indexes(text, 5) == want


@pytest.mark.parametrize("spec,want_selector,template_labels", [
    ({}, {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}},
     {"batch.kubernetes.io/controller-uid": "u1", "batch.kubernetes.io/job-name": "pi", "controller-uid": "u1", "job-name": "pi"}),
    ({"manualSelector": True, "selector": {"matchLabels": {"app": "x"}}}, {"matchLabels": {"app": "x"}}, {"app": "x"}),
], ids=["generated", "manual"])
def test_generate_selector(spec, want_selector, template_labels):
    j = {"metadata": {"name": "pi", "uid": "u1"},
         "spec": {**spec, "template": {"metadata": {"labels": {"app": "x"} if spec else {}}}}}
    generate_selector(j)
    assert j["spec"]["selector"] == want_selector
    assert j["spec"]["template"]["metadata"]["labels"] == ({"app": "x", **template_labels} if spec else template_labels)


def fail_with(c, pod, code):
    k = c.apiserver.resolve("pods")
    p = c.apiserver.get(k, "default", pod["metadata"]["name"])
    p["status"]["phase"] = "Failed"
    for cs in p["status"].get("containerStatuses") or ():
        cs["state"] = {"terminated": {"exitCode": code, "finishedAt": rfc3339(c.clock.now()), "reason": "Error"}}
    c.apiserver.update(k, p, "default", subresource="status")
    c.engine.run()


def test_fail_job_rule_ends_the_job_at_once(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("strict", parallelism=2, completions=2, podFailurePolicy=EXIT_42_FAILS), "default")
    cluster.advance(3)
    pods = live_pods(cluster, "strict")
    fail_with(cluster, pods[0], 42)
    st = status(cluster, "strict")
    name = pods[0]["metadata"]["name"]
    assert [(c["type"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("FailureTarget", "PodFailurePolicy", f"Container c for pod default/{name} failed with exit code 42 matching FailJob rule at index 0"),
        ("Failed", "PodFailurePolicy", f"Container c for pod default/{name} failed with exit code 42 matching FailJob rule at index 0")]
    cluster.advance(40)
    assert all(p["status"]["phase"] == "Failed" for p in live_pods(cluster, "strict"))


def test_ignored_failures_are_replaced_without_counting(cluster):
    srv = cluster.apiserver
    pfp = {"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [137]}}]}
    srv.create(srv.resolve("jobs"), job("tolerant", backoffLimit=0, podFailurePolicy=pfp), "default")
    cluster.advance(3)
    fail_with(cluster, live_pods(cluster, "tolerant")[0], 137)
    st = status(cluster, "tolerant")
    assert "failed" not in st and "conditions" not in st
    assert sum(p["status"]["phase"] != "Failed" for p in live_pods(cluster, "tolerant")) == 1


def test_backoff_limit_per_index_and_failed_indexes(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("pi", completions=2, parallelism=2, completionMode="Indexed",
                                        backoffLimitPerIndex=0), "default")
    cluster.advance(3)
    pods = sorted(live_pods(cluster, "pi"), key=lambda p: p["metadata"]["name"])
    assert pods[0]["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"] == "0"
    fail_with(cluster, pods[0], 1)
    st = status(cluster, "pi")
    assert (st["failedIndexes"], st["failed"], "conditions" in st) == ("0", 1, False)
    cluster.advance(30)
    assert len(live_pods(cluster, "pi")) == 2          # index 0 is not retried
    finish(cluster, pods[1], "Succeeded")
    st = status(cluster, "pi")
    assert [(c["type"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("FailureTarget", "FailedIndexes", "Job has failed indexes"), ("Failed", "FailedIndexes", "Job has failed indexes")]
    assert st["completedIndexes"] == "1"


def test_success_policy_completes_an_indexed_job_early(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("jobs"), job("leader", completions=3, parallelism=3, completionMode="Indexed",
                                        successPolicy={"rules": [{"succeededIndexes": "0"}]}), "default")
    cluster.advance(3)
    pods = sorted(live_pods(cluster, "leader"), key=lambda p: p["metadata"]["name"])
    finish(cluster, pods[0], "Succeeded")
    st = status(cluster, "leader")
    assert [(c["type"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0"), ("Complete", "SuccessPolicy", "Matched rules at index 0")]
    rest = [p for p in live_pods(cluster, "leader") if p["status"]["phase"] != "Succeeded"]
    assert len(rest) == 2 and all(p["metadata"].get("deletionTimestamp") for p in rest)


@pytest.mark.parametrize("container,exit", [
    ({"image": "calico/cni:v3.29.1", "command": ["/opt/cni/bin/calico-ipam", "-upgrade"]}, (1.0, 0)),
    ({"image": "busybox"}, (1.0, 0)),
    ({"command": ["sh", "-c", "echo ready; exit 2"]}, (0.0, 2)),
    ({"command": ["sh", "-c", "until nslookup mysvc; do echo waiting; sleep 2; done"]}, None),
    ({"command": ["sleep", "infinity"]}, None),
    ({"command": ["tail", "-f", "/dev/null"]}, None),
    ({"command": ["/proxy"], "restartPolicy": "Always"}, None),
], ids=["installer", "image-entrypoint", "known-exit", "waits-in-a-loop", "sleep-infinity", "tail-f", "sidecar"])
def test_an_init_container_runs_to_completion_unless_it_obviously_never_ends(container, exit):
    assert planned_exit(container, init=True) == exit
