"""The CronJob controller in-process on a copy of the lab cluster (virtual clock, starting at
2026-01-01T00:00:00Z): the schedule parser, Jobs at each scheduled minute named by it,
concurrencyPolicy, suspend and the history limits."""
from datetime import datetime

import pytest

from pykubectl.controllers.cronjob import Schedule
from pykubectl.store.clock import rfc3339


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("schedule,tz,after,expected", [
    ("*/1 * * * *", None, "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"),
    ("*/15 * * * *", None, "2026-01-01T00:16:30Z", "2026-01-01T00:30:00Z"),
    ("0 3 * * *", None, "2026-01-01T04:00:00Z", "2026-01-02T03:00:00Z"),
    ("@hourly", None, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"),
    ("30 9 * * mon-fri", None, "2026-01-02T10:00:00Z", "2026-01-05T09:30:00Z"),   # Fri -> Mon
    ("0 0 1 feb *", None, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
    ("0 0 13 * 5", None, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),         # dom OR dow when both set
    ("0 9 * * *", "Asia/Seoul", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),  # 09:00 KST is 00:00 UTC
    ("CRON_TZ=Asia/Seoul 0 9 * * *", None, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
], ids=["every-minute", "every-15", "daily-3am", "hourly-macro", "weekdays-names", "month-name",
        "dom-or-dow", "time-zone", "cron-tz-prefix"])
def test_schedule_next(schedule, tz, after, expected):
    assert rfc3339(Schedule(schedule, tz).next(ts(after))) == expected


@pytest.mark.parametrize("bad", ["* * * *", "61 * * * *", "* * * * mon-xyz"], ids=["four-fields", "minute-61", "bad-day"])
def test_schedule_rejects(bad):
    with pytest.raises(ValueError):
        Schedule(bad)


def cronjob(name, schedule="*/1 * * * *", command=("sleep", "infinity"), **spec):
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": schedule, **spec, "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox", "command": list(command)}]}}}}}}


def jobs(c, name):
    return sorted(j["metadata"]["name"] for j in c.apiserver.list(c.apiserver.resolve("jobs"), "default")["items"]
                  if j["metadata"]["name"].startswith(name + "-"))


def minute(text):
    return int(ts(text) // 60)


@pytest.mark.parametrize("policy,expected", [
    ("Allow", [minute("2026-01-01T00:01:00Z"), minute("2026-01-01T00:02:00Z"), minute("2026-01-01T00:03:00Z")]),
    ("Forbid", [minute("2026-01-01T00:01:00Z")]),
    ("Replace", [minute("2026-01-01T00:03:00Z")]),
], ids=["allow", "forbid", "replace"])
def test_concurrency_policy(cluster, policy, expected):
    srv = cluster.apiserver
    srv.create(srv.resolve("cj"), cronjob("tick", concurrencyPolicy=policy), "default")
    cluster.advance(3 * 60 + 5)
    assert jobs(cluster, "tick") == [f"tick-{m}" for m in expected]
    cj = srv.get(srv.resolve("cj"), "default", "tick")
    # Forbid skips a time without recording it, as kube does
    assert cj["status"]["lastScheduleTime"] == ("2026-01-01T00:01:00Z" if policy == "Forbid" else "2026-01-01T00:03:00Z")
    assert [a["name"] for a in cj["status"]["active"]] == [f"tick-{m}" for m in expected]
    job = srv.get(srv.resolve("jobs"), "default", f"tick-{expected[0]}")
    assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"].endswith("Z")


def test_suspend_creates_nothing(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("cj"), cronjob("tick", suspend=True), "default")
    cluster.advance(5 * 60)
    assert jobs(cluster, "tick") == []


def test_history_limit_keeps_the_newest_successful_jobs(cluster):
    srv = cluster.apiserver
    srv.create(srv.resolve("cj"), cronjob("tick", successfulJobsHistoryLimit=2), "default")
    k = srv.resolve("jobs")
    for _ in range(4):
        cluster.advance(60)
        for name in jobs(cluster, "tick"):
            j = srv.get(k, "default", name)
            if not (j.get("status") or {}).get("conditions"):
                now = rfc3339(cluster.clock.now())
                j["status"] = {"conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": now}],
                               "completionTime": now, "startTime": now, "succeeded": 1}
                srv.update(k, j, "default", subresource="status")
        cluster.engine.run()
    assert jobs(cluster, "tick") == [f"tick-{minute('2026-01-01T00:03:00Z')}", f"tick-{minute('2026-01-01T00:04:00Z')}"]
    cj = srv.get(srv.resolve("cj"), "default", "tick")
    assert "active" not in cj["status"] and cj["status"]["lastSuccessfulTime"]
