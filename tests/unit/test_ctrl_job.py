"""The Job controller in-process on a copy of the lab cluster (virtual clock), with the kubelet's
part (a container exiting) played by the test: completions and parallelism, Indexed, back-off
after failures, backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished; and which
container commands the runtime lets exit on their own."""
import os
import shutil

import pytest

from pykubectl.api.errors import StatusError
from pykubectl.controllers.job import _ranges, backoff_delay
from pykubectl.runtime.exits import planned_exit
from pykubectl.sim.clusters import Cluster
from pykubectl.store.clock import rfc3339


@pytest.fixture
def cluster(tmp_path, lab_template):
    home = str(tmp_path / "home")
    shutil.copytree(lab_template, home)
    c = Cluster("kubernetes", {"PYKUBECTL_HOME": os.path.join(home, "data")})
    yield c
    c.close()


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
