"""The CronJob controller (kube-controller-manager's cronjob-controller, v2), after
pkg/controller/cronjob: Jobs `<cronjob>-<scheduled minute since the epoch>` at each time of the
schedule on the cluster clock (timeZone too), startingDeadlineSeconds, concurrencyPolicy
(Allow, Forbid, Replace), suspend, the active list, lastScheduleTime / lastSuccessfulTime, and
the successful/failed history limits. It wakes at the next scheduled time, never by ticking."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

from pykubectl.controllers import workload_common as W
from pykubectl.controllers.manager import Controller, Create, Delete, Event, Put, Timer, split_key
from pykubectl.store.clock import parse_time

SRC = {"component": "cronjob-controller"}
SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
           "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
_RANGES = [(0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 6, _DAYS)]


class Schedule:
    """A standard 5-field cron schedule (robfig/cron's ParseStandard), with TZ= / CRON_TZ=."""

    def __init__(self, text: str, tz: str | None = None):
        text = text.strip()
        if text.startswith(("TZ=", "CRON_TZ=")):
            first, _, text = text.partition(" ")
            tz = first.split("=", 1)[1]
        text = _MACROS.get(text, text)
        fields = text.split()
        if len(fields) != 5:
            raise ValueError(f"expected exactly 5 fields, found {len(fields)}: {text}")
        self.sets = [self._field(f, *r) for f, r in zip(fields, _RANGES)]
        self.sets[4] = {d % 7 for d in self.sets[4]}
        self.dom_star = fields[2].startswith(("*", "?"))
        self.dow_star = fields[4].startswith(("*", "?"))
        if tz:
            from zoneinfo import ZoneInfo
            self.tz = ZoneInfo(tz)
        else:
            self.tz = timezone.utc

    @staticmethod
    def _field(f: str, lo: int, hi: int, names: dict) -> set[int]:
        out: set[int] = set()
        for part in f.lower().split(","):
            rng, _, step = part.partition("/")
            if rng in ("*", "?"):
                a, b = lo, hi
            elif "-" in rng:
                x, y = rng.split("-", 1)
                a, b = int(names.get(x, x)), int(names.get(y, y))
            else:
                a = int(names.get(rng, rng))
                b = hi if step else a
            if a < lo or b > hi + (1 if names is _DAYS else 0) or a > b:
                raise ValueError(f"end of range ({b}) above maximum ({hi}): {part}")
            out.update(range(a, b + 1, int(step) if step else 1))
        return out

    def _day_ok(self, dt) -> bool:
        dom = dt.day in self.sets[2]
        dow = (dt.isoweekday() % 7) in self.sets[4]
        if self.dom_star or self.dow_star:
            return dom and dow
        return dom or dow

    def next(self, after: float) -> float:
        """The first scheduled moment strictly after `after` (seconds since the epoch)."""
        dt = datetime.fromtimestamp(after, self.tz).replace(second=0, microsecond=0) + timedelta(minutes=1)
        minutes, hours, _, months, _ = self.sets
        for _ in range(100000):
            if dt.month not in months:
                y, m = (dt.year + 1, 1) if dt.month == 12 else (dt.year, dt.month + 1)
                dt = dt.replace(year=y, month=m, day=1, hour=0, minute=0)
            elif not self._day_ok(dt):
                dt = (dt + timedelta(days=1)).replace(hour=0, minute=0)
            elif dt.hour not in hours:
                dt = (dt + timedelta(hours=1)).replace(minute=0)
            elif dt.minute not in minutes:
                dt += timedelta(minutes=1)
            else:
                return dt.timestamp()
        raise ValueError("no time matches the schedule")


def _job_finished(job) -> str | None:
    for c in (job.get("status") or {}).get("conditions") or ():
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


class CronJobController(Controller):
    name = "cronjob-controller"
    watches = (("batch", "cronjobs"), ("batch", "jobs"))

    def keys_for(self, type_, group, res, obj):
        if res == "jobs":
            return W.owner_key(obj, (("batch", "CronJob"),))
        return super().keys_for(type_, group, res, obj)

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        cj = view.get("cronjobs.batch", ns, name)
        if cj is None or cj["metadata"].get("deletionTimestamp"):
            return []
        spec = cj.get("spec") or {}
        old = cj.get("status") or {}
        st = copy.deepcopy(old)
        actions: list = []
        jobs = W.owned(view, "jobs.batch", cj)
        was_active = {a.get("uid") for a in old.get("active") or ()}
        running = []
        for j in sorted(jobs, key=lambda j: (j["metadata"].get("creationTimestamp") or "", j["metadata"]["name"])):
            fin = _job_finished(j)
            if fin is None:
                if not j["metadata"].get("deletionTimestamp"):
                    running.append(j)
                continue
            if j["metadata"].get("uid") in was_active:
                actions.append(Event(cj, "Normal", "SawCompletedJob",
                                     f"Saw completed job: {j['metadata']['name']}, condition: {fin}", SRC))
                if fin == "Complete":
                    done = (j.get("status") or {}).get("completionTime")
                    if done and (not st.get("lastSuccessfulTime") or parse_time(done) > parse_time(st["lastSuccessfulTime"])):
                        st["lastSuccessfulTime"] = done
        actions += self._cleanup(cj, jobs)
        try:
            sched = Schedule(spec.get("schedule", ""), spec.get("timeZone"))
        except Exception:
            actions.append(Event(cj, "Warning", "UnparseableSchedule",
                                 f"unparseable schedule: {spec.get('schedule', '')!r}", SRC))
            return actions + self._write(cj, st, running, old)
        if not spec.get("suspend"):
            last = parse_time(st.get("lastScheduleTime")) or parse_time(cj["metadata"].get("creationTimestamp")) or now
            sds = spec.get("startingDeadlineSeconds")
            earliest = max(last, now - int(sds)) if sds is not None else last
            due, t, missed = None, sched.next(earliest), 0
            while t <= now and missed < 200:
                due, missed = t, missed + 1
                t = sched.next(t)
            if missed > 100:
                actions.append(Event(cj, "Warning", "TooManyMissedTimes",
                                     "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew", SRC))
            if due is not None:
                actions += self._start(cj, view, st, running, due, now)
            actions.append(Timer(key, sched.next(now)))
        return actions + self._write(cj, st, running, old)

    def _start(self, cj, view, st, running, due, now):
        spec = cj["spec"]
        name = f"{cj['metadata']['name']}-{int(due // 60)}"
        policy = spec.get("concurrencyPolicy", "Allow")
        if any(j["metadata"]["name"] == name for j in running) or \
                view.get("jobs.batch", cj["metadata"]["namespace"], name) is not None:
            return []
        out = []
        if running and policy == "Forbid":
            return [Event(cj, "Normal", "JobAlreadyActive",
                          "Not starting job because prior execution is running and concurrency policy is Forbid", SRC)]
        if running and policy == "Replace":
            for j in running:
                out += [Delete("jobs.batch", j["metadata"]["namespace"], j["metadata"]["name"], propagation="Background",
                               uid=j["metadata"].get("uid")),
                        Event(cj, "Normal", "SuccessfulDelete", f"Deleted job {j['metadata']['name']}", SRC)]
            running.clear()
        tmpl = spec.get("jobTemplate") or {}
        tm = tmpl.get("metadata") or {}
        sched = Schedule(spec.get("schedule", ""), spec.get("timeZone"))
        stamp = datetime.fromtimestamp(due, sched.tz).isoformat().replace("+00:00", "Z")
        job = {"apiVersion": "batch/v1", "kind": "Job",
               "metadata": {"name": name, "namespace": cj["metadata"]["namespace"],
                            "labels": dict(tm.get("labels") or {}),
                            "annotations": {**(tm.get("annotations") or {}), SCHEDULED_ANNOTATION: stamp},
                            "ownerReferences": [W.new_controller_ref(cj)]},
               "spec": copy.deepcopy(tmpl.get("spec") or {})}
        if not job["metadata"]["labels"]:
            job["metadata"].pop("labels")
        from pykubectl.store.clock import rfc3339
        st["lastScheduleTime"] = rfc3339(due)
        return out + [Create("jobs.batch", job), Event(cj, "Normal", "SuccessfulCreate", f"Created job {name}", SRC)]

    def _cleanup(self, cj, jobs):
        spec = cj["spec"]
        out = []
        for kind, default, field in (("Complete", 3, "successfulJobsHistoryLimit"), ("Failed", 1, "failedJobsHistoryLimit")):
            limit = spec.get(field)
            limit = default if limit is None else int(limit)
            done = sorted((j for j in jobs if _job_finished(j) == kind and not j["metadata"].get("deletionTimestamp")),
                          key=lambda j: ((j.get("status") or {}).get("startTime") or j["metadata"].get("creationTimestamp") or ""))
            for j in done[:max(len(done) - limit, 0)]:
                out += [Delete("jobs.batch", j["metadata"]["namespace"], j["metadata"]["name"], propagation="Background",
                               uid=j["metadata"].get("uid")),
                        Event(cj, "Normal", "SuccessfulDelete", f"Deleted job {j['metadata']['name']}", SRC)]
        return out

    @staticmethod
    def _write(cj, st, running, old):
        active = [{"apiVersion": "batch/v1", "kind": "Job", "name": j["metadata"]["name"],
                   "namespace": j["metadata"]["namespace"], "resourceVersion": j["metadata"].get("resourceVersion"),
                   "uid": j["metadata"].get("uid")} for j in running]
        if active:
            # the reference keeps the resourceVersion it was taken at, as kube's does
            prev = {a.get("uid"): a for a in old.get("active") or ()}
            st["active"] = [prev.get(a["uid"], a) for a in active]
        else:
            st.pop("active", None)
        if st == old:
            return []
        cj = copy.deepcopy(cj)
        cj["status"] = st
        return [Put("cronjobs.batch", cj, status=True)]


def controllers(cluster):
    return [CronJobController()]
