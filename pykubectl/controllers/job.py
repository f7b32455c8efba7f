"""The Job controller (kube-controller-manager's job-controller) and the TTL-after-finished
controller, after pkg/controller/job: `parallelism` pods at a time until `completions` succeed
(NonIndexed or Indexed), failed pods replaced after an exponential back-off (10 s doubling, at
most 6 min) until `backoffLimit` is passed, `activeDeadlineSeconds`, `suspend`, the 1.32
conditions (SuccessCriteriaMet/Complete, FailureTarget/Failed) and events; a finished Job with
`ttlSecondsAfterFinished` is deleted that long after it finished.

Failed pods go through `podFailurePolicy` first (rules on exit codes or pod conditions such as
DisruptionTarget: FailJob, Ignore, Count, FailIndex); Indexed Jobs may give each index its own
`backoffLimitPerIndex` (failedIndexes, maxFailedIndexes) and finish early by a `successPolicy`.
A Job's own selector and template labels are the registry's (`apiserver.admission.generate_job_selector`).
Failures are counted from the failed pods still present (kube's finalizer-based tracking of pods
already gone is not modelled).

Pods finish when the kubelet says so (a container whose command ends: runtime.exits)."""
from __future__ import annotations

import copy

from pykubectl.controllers import workload_common as W
from pykubectl.controllers.manager import Controller, Create, Delete, Event, Put, Timer, split_key
from pykubectl.store.clock import parse_time, rfc3339

SRC = {"component": "job-controller"}
BACKOFF_BASE = 10.0
BACKOFF_MAX = 360.0
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
INDEX_FAILURES_ANNOTATION = "batch.kubernetes.io/job-index-failure-count"


def _finished_condition(job) -> dict | None:
    for c in (job.get("status") or {}).get("conditions") or ():
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c
    return None


def _finished_at(pod, default: float) -> float:
    times = [parse_time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
             for cs in (pod.get("status") or {}).get("containerStatuses") or ()]
    times = [t for t in times if t is not None]
    return max(times) if times else default


def backoff_delay(failures: int) -> float:
    """The delay before replacing a pod after `failures` failures."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_BASE * 2 ** (failures - 1), BACKOFF_MAX)


def _cond(type_, reason, message, now):
    t = rfc3339(now)
    return {"lastProbeTime": t, "lastTransitionTime": t, "message": message, "reason": reason,
            "status": "True", "type": type_}


class JobController(Controller):
    name = "job-controller"
    watches = (("batch", "jobs"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "pods":
            return W.owner_key(obj, (("batch", "Job"),))
        return super().keys_for(type_, group, res, obj)

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        job = view.get("jobs.batch", ns, name)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return []
        done = _finished_condition(job)
        if done is not None:
            return self._ttl(key, job, done, now)
        spec = job.get("spec") or {}
        pods = W.owned(view, "pods", job)
        active = [p for p in pods if W.is_active(p)]
        succeeded = [p for p in pods if (p.get("status") or {}).get("phase") == "Succeeded"]
        failed = [p for p in pods if (p.get("status") or {}).get("phase") == "Failed"]
        old = job.get("status") or {}
        st = copy.deepcopy(old)
        actions: list = []
        parallelism = int(spec.get("parallelism", 1) if spec.get("parallelism") is not None else 1)
        completions = spec.get("completions")
        backoff_limit = int(spec.get("backoffLimit", 6) if spec.get("backoffLimit") is not None else 6)
        indexed = spec.get("completionMode") == "Indexed"
        if spec.get("suspend"):
            for p in active:
                actions += self._delete(job, p)
            st["active"] = 0
            conds = [c for c in st.get("conditions") or () if c.get("type") != "Suspended"]
            if not any(c.get("type") == "Suspended" for c in st.get("conditions") or ()):
                actions.append(Event(job, "Normal", "Suspended", "Job suspended", SRC))
            st["conditions"] = conds + [_cond("Suspended", "JobSuspended", "Job suspended", now)]
            st.pop("startTime", None)
            return actions + self._write(job, st, old)
        if any(c.get("type") == "Suspended" and c.get("status") == "True" for c in st.get("conditions") or ()):
            st["conditions"] = [c for c in st["conditions"] if c.get("type") != "Suspended"]
            actions.append(Event(job, "Normal", "Resumed", "Job resumed", SRC))
        start = parse_time(st.get("startTime")) or now
        st["startTime"] = rfc3339(start)
        done_indexes = {_index(p) for p in succeeded} if indexed else set()
        n_succeeded = len(done_indexes) if indexed else len(succeeded)
        per_index = indexed and spec.get("backoffLimitPerIndex") is not None
        counted, fail_job, index_failures, failed_indexes = judge_failures(spec, failed, per_index)

        failure = None
        if fail_job is not None:
            failure = ("PodFailurePolicy", fail_job)
        elif len(counted) > backoff_limit:
            failure = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        elif spec.get("activeDeadlineSeconds") is not None and now >= start + int(spec["activeDeadlineSeconds"]):
            failure = ("DeadlineExceeded", "Job was active longer than specified deadline")
        elif per_index and spec.get("maxFailedIndexes") is not None and len(failed_indexes) > int(spec["maxFailedIndexes"]):
            failure = ("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes")
        success = None
        if failure is None:
            matched = match_success_policy(spec.get("successPolicy"), int(completions or 0), done_indexes) if indexed else None
            if matched is not None:
                success = ("SuccessPolicy", matched)
            elif (n_succeeded >= int(completions)) if completions is not None else (bool(succeeded) and not active):
                success = ("CompletionsReached", "Reached expected number of succeeded pods")
            elif per_index and failed_indexes and len(done_indexes | failed_indexes) >= int(completions or 0):
                failure = ("FailedIndexes", "Job has failed indexes")
        if failure or success:
            for p in active:
                actions += self._delete(job, p)
            conds = list(st.get("conditions") or ())
            if failure:
                conds += [_cond("FailureTarget", *failure, now), _cond("Failed", *failure, now)]
                actions.append(Event(job, "Warning", failure[0], failure[1], SRC))
            else:
                conds += [_cond("SuccessCriteriaMet", *success, now), _cond("Complete", *success, now)]
                st["completionTime"] = rfc3339(now)
                actions.append(Event(job, "Normal", "Completed", "Job completed", SRC))
            st["conditions"] = conds
            active = []
        else:
            if completions is not None:
                want = min(parallelism, int(completions) - n_succeeded - len(failed_indexes))
            else:
                want = parallelism if not succeeded else 0
            diff = want - len(active)
            if diff > 0 and per_index:
                actions += self._create_per_index(view, key, job, diff, done_indexes | failed_indexes, active,
                                                  failed, counted, index_failures, len(pods), now)
            elif diff > 0:
                last_fail = max((_finished_at(p, now) for p in counted), default=None)
                ready_at = (last_fail + backoff_delay(len(counted))) if last_fail is not None else now
                if now < ready_at:
                    actions.append(Timer(key, ready_at))
                else:
                    busy = {_index(p) for p in active}
                    free = [i for i in range(int(completions or 0)) if i not in done_indexes | busy] if indexed else []
                    for i in range(diff):
                        actions += self._create(view, job, free[i] if indexed and i < len(free) else None, len(pods) + i)
            elif diff < 0:
                for p in sorted(active, key=lambda p: (W.is_ready(p), p["metadata"].get("creationTimestamp") or ""))[:-diff]:
                    actions += self._delete(job, p)
            if spec.get("activeDeadlineSeconds") is not None:
                actions.append(Timer(key, start + int(spec["activeDeadlineSeconds"])))
        st["active"] = len([p for p in active])
        st["ready"] = sum(1 for p in active if W.is_ready(p))
        st["succeeded"] = n_succeeded
        st["failed"] = len(counted)
        st["terminating"] = sum(1 for p in pods if W.is_terminating(p))
        st["uncountedTerminatedPods"] = {}
        if indexed:
            st["completedIndexes"] = _ranges(sorted(done_indexes))
        if per_index:
            st["failedIndexes"] = _ranges(sorted(failed_indexes))
        for k in ("active", "succeeded", "failed"):
            if not st[k]:
                st.pop(k)
        if indexed and not st["completedIndexes"]:
            st.pop("completedIndexes")
        return actions + self._write(job, st, old)

    def _create_per_index(self, view, key, job, diff, settled, active, failed, counted, index_failures, salt, now):
        """backoffLimitPerIndex: each index waits out its own back-off."""
        busy = {_index(p) for p in active}
        completions = int((job.get("spec") or {}).get("completions") or 0)
        out, wake = [], None
        for i in (i for i in range(completions) if i not in settled | busy):
            if diff <= 0:
                break
            mine = [p for p in counted if _index(p) == i]
            last = max((_finished_at(p, now) for p in mine), default=None)
            at = last + backoff_delay(len(mine)) if last is not None else now
            if now < at:
                wake = at if wake is None else min(wake, at)
                continue
            out += self._create(view, job, i, salt + len(out), failures=index_failures.get(i, 0))
            diff -= 1
        if wake is not None:
            out.append(Timer(key, wake))
        return out

    def _create(self, view, job, index, salt, failures=None):
        name = job["metadata"]["name"]
        prefix = f"{name}-{index}-" if index is not None else f"{name}-"
        pname = W.random_name(view, prefix, f"{self.name}:{job['metadata']['namespace']}/{name}:{salt}")
        uid = job["metadata"].get("uid", "")
        pod = W.pod_from_template((job.get("spec") or {}).get("template") or {}, job, pname, labels={
            "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
            "controller-uid": uid, "job-name": name})
        if index is not None:
            pod["metadata"].setdefault("annotations", {})[INDEX_ANNOTATION] = str(index)
            pod["metadata"]["labels"][INDEX_ANNOTATION] = str(index)
            pod["spec"].setdefault("hostname", f"{name}-{index}")
        if failures is not None:
            pod["metadata"]["annotations"][INDEX_FAILURES_ANNOTATION] = str(failures)
        return [Create("pods", pod), Event(job, "Normal", "SuccessfulCreate", f"Created pod: {pname}", SRC)]

    def _delete(self, job, p):
        return [Delete("pods", job["metadata"]["namespace"], p["metadata"]["name"], uid=p["metadata"].get("uid")),
                Event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}", SRC)]

    @staticmethod
    def _write(job, st, old):
        if st == old:
            return []
        job = copy.deepcopy(job)
        job["status"] = st
        return [Put("jobs.batch", job, status=True)]

    @staticmethod
    def _ttl(key, job, done, now):
        """The ttl-after-finished controller."""
        ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
        if ttl is None:
            return []
        at = (parse_time(done.get("lastTransitionTime")) or now) + int(ttl)
        if now < at:
            return [Timer(key, at)]
        return [Delete("jobs.batch", job["metadata"]["namespace"], job["metadata"]["name"],
                       propagation="Background", uid=job["metadata"].get("uid"))]


def _index(pod) -> int:
    try:
        return int((pod["metadata"].get("annotations") or {}).get(INDEX_ANNOTATION, -1))
    except ValueError:
        return -1


# -- podFailurePolicy, backoffLimitPerIndex, successPolicy --------------------------------

def _exit_code_matches(code: int, req: dict) -> bool:
    values = [int(v) for v in req.get("values") or ()]
    return (code in values) if req.get("operator") == "In" else (code not in values)


def _failed_container(pod: dict, req: dict) -> dict | None:
    """matchOnExitCodes: the first container (then init container) that ended with a non-zero
    code the requirement matches."""
    st = pod.get("status") or {}
    for statuses in (st.get("containerStatuses"), st.get("initContainerStatuses")):
        for cs in statuses or ():
            term = (cs.get("state") or {}).get("terminated")
            if term is None or (req.get("containerName") not in (None, cs.get("name"))):
                continue
            code = int(term.get("exitCode") or 0)
            if code != 0 and _exit_code_matches(code, req):
                return cs
    return None


def match_pod_failure_policy(policy: dict | None, pod: dict) -> tuple[str, str | None]:
    """matchPodFailurePolicy: (action, message) of the first rule a failed pod matches;
    ("Count", None) when none does."""
    m = pod["metadata"]
    for i, rule in enumerate((policy or {}).get("rules") or ()):
        action = rule.get("action")
        if rule.get("onExitCodes") is not None:
            cs = _failed_container(pod, rule["onExitCodes"])
            if cs is not None:
                code = cs["state"]["terminated"].get("exitCode")
                return action, (f"Container {cs.get('name')} for pod {m.get('namespace')}/{m.get('name')} failed with "
                                f"exit code {code} matching {action} rule at index {i}")
        for pattern in rule.get("onPodConditions") or ():
            c = W.condition(pod, pattern.get("type"))
            if c is not None and c.get("status") == pattern.get("status", "True"):
                return action, (f"Pod {m.get('namespace')}/{m.get('name')} has condition {c.get('type')} "
                                f"matching {action} rule at index {i}")
    return "Count", None


def judge_failures(spec: dict, failed: list[dict], per_index: bool):
    """Failed pods through the podFailurePolicy: (the failures that count, the FailJob message or
    None, failures per index, the indexes that failed for good)."""
    policy = spec.get("podFailurePolicy")
    limit = int(spec.get("backoffLimitPerIndex") or 0)
    counted, fail_job, per, failed_indexes = [], None, {}, set()
    for p in sorted(failed, key=lambda p: _finished_at(p, 0.0)):
        action, msg = match_pod_failure_policy(policy, p)
        if action == "Ignore":
            continue
        counted.append(p)
        if action == "FailJob" and fail_job is None:
            fail_job = msg
        if per_index:
            i = _index(p)
            per[i] = per.get(i, 0) + 1
            if action == "FailIndex" or per[i] > limit:
                failed_indexes.add(i)
    return counted, fail_job, per, failed_indexes


def parse_indexes(text: str, completions: int) -> set[int]:
    """`0-2,5` as a set, bounded by completions (parseIndexesFromString)."""
    out: set[int] = set()
    for part in (text or "").split(","):
        lo, _, hi = part.strip().partition("-")
        try:
            a, b = int(lo), int(hi or lo)
        except ValueError:
            return set()
        out.update(i for i in range(a, b + 1) if i < completions)
    return out


def match_success_policy(policy: dict | None, completions: int, succeeded: set[int]) -> str | None:
    """matchSuccessPolicy: "Matched rules at index N" for the first rule met, else None."""
    if not policy or not succeeded:
        return None
    for i, rule in enumerate(policy.get("rules") or ()):
        count = rule.get("succeededCount")
        if rule.get("succeededIndexes") is not None:
            required = parse_indexes(rule["succeededIndexes"], completions)
            matched = required & succeeded
            if not matched:
                continue
            if (count is None and matched == required) or (count is not None and len(matched) >= int(count)):
                return f"Matched rules at index {i}"
        elif count is not None and len(succeeded) >= int(count):
            return f"Matched rules at index {i}"
    return None


def _ranges(idx: list[int]) -> str:
    """Completed indexes as kube writes them: `1,3-5,7`."""
    out, i = [], 0
    while i < len(idx):
        j = i
        while j + 1 < len(idx) and idx[j + 1] == idx[j] + 1:
            j += 1
        out.append(str(idx[i]) if i == j else f"{idx[i]}-{idx[j]}")
        i = j + 1
    return ",".join(out)


def controllers(cluster):
    return [JobController()]
