"""When a simulated container's own command ends: `planned_exit(container)`.

Containers never really run; a command that obviously finishes (`sh -c "exit 1"`, `echo hi`,
`sleep 5`, `date`, the Job docs' `perl ... bpi(2000)`) should end as it would, so Jobs can
complete. Anything else (servers, `sleep infinity`, loops, no command at all) runs until stopped.
Pure: no clock, no I/O; the kubelet turns the answer into a container state at start + seconds.
"""
from __future__ import annotations

import re
import shlex

# commands that print something and return at once
_INSTANT = {"echo", "date", "true", "hostname", "env", "printenv", "ls", "cat", "whoami", "id", "uname",
            "pwd", "nslookup", "wget", "curl", "printf", ":"}
_SHELLS = {"sh", "bash", "ash", "/bin/sh", "/bin/bash", "/bin/ash"}


def _seconds(word: str) -> float | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", word)
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


_ENDLESS = re.compile(r"\b(while|until|for)\b|tail\s+-f|sleep\s+inf")


def _script(script: str) -> tuple[float, int] | None:
    """A shell script's duration and exit code, if it obviously finishes."""
    if _ENDLESS.search(script):
        return None
    total = 0.0
    code = 0
    for part in re.split(r"\s*(?:;|&&|\|\||\n)\s*", script.strip()):
        if not part:
            continue
        try:
            words = shlex.split(part)
        except ValueError:
            return None
        if not words:
            continue
        r = _command(words)
        if r is None:
            return None
        total += r[0]
        code = r[1]
        if words[0] == "exit":
            return total, code
    return total, code


def _command(words: list[str]) -> tuple[float, int] | None:
    cmd = words[0].rsplit("/", 1)[-1]
    if words[0] in _SHELLS or cmd in ("sh", "bash", "ash"):
        if len(words) >= 3 and words[1] == "-c":
            return _script(words[2])
        return None
    if cmd == "exit":
        return 0.0, int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
    if cmd == "false":
        return 0.0, 1
    if cmd == "sleep":
        s = _seconds(words[1]) if len(words) > 1 else None
        return None if s is None else (s, 0)
    if cmd == "perl" and any("bpi(" in w for w in words):
        return 5.0, 0       # the Job docs' pi example takes a few seconds
    if cmd in _INSTANT:
        return 0.0, 0
    return None


def planned_exit(container: dict, init: bool = False) -> tuple[float, int] | None:
    """(seconds after start, exit code) when the container's command ends on its own, else None.

    `init`: an init container is a step that runs to completion by definition (an installer,
    a migration, calico's `calico-ipam -upgrade`): unless its command obviously never ends (a
    loop waiting for something, `sleep infinity`, `tail -f`), it ends after a second, exit 0."""
    words = [str(w) for w in list(container.get("command") or []) + list(container.get("args") or [])]
    plan = _command(words) if words else None
    if plan is None and init and container.get("restartPolicy") != "Always" \
            and not _ENDLESS.search(" ".join(words)) and words[-1:] not in (["infinity"], ["inf"]):
        return 1.0, 0
    return plan


def exit_times(pod: dict) -> dict[str, tuple[float, int]]:
    """container name -> (cluster time it exits, exit code), for running containers that end
    on their own (their `startedAt` plus planned_exit)."""
    from pykubectl.store.clock import parse_time
    out = {}
    specs = {c["name"]: c for c in (pod.get("spec") or {}).get("containers") or ()}
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        running = (cs.get("state") or {}).get("running")
        plan = planned_exit(specs.get(cs.get("name"), {}))
        if running and plan is not None:
            out[cs["name"]] = ((parse_time(running.get("startedAt")) or 0.0) + plan[0], plan[1])
    return out


def finish_containers(pod: dict, now: float) -> dict | None:
    """The pod's status once every container due to exit by `now` has exited, or None if none
    has. Phase follows restartPolicy: Never -> Succeeded/Failed when all containers ended;
    OnFailure -> Succeeded when all ended with 0 (a failed one restarts: restartCount + 1);
    Always -> the container restarts. The kubelet writes the result and sets a timer for the
    next `exit_times` moment."""
    import copy
    from pykubectl.store.clock import rfc3339
    due = {n: v for n, v in exit_times(pod).items() if v[0] <= now}
    if not due:
        return None
    st = copy.deepcopy(pod.get("status") or {})
    policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
    for cs in st.get("containerStatuses") or ():
        if cs["name"] not in due:
            continue
        at, code = due[cs["name"]]
        started = cs["state"]["running"].get("startedAt")
        term = {"containerID": cs.get("containerID", ""), "exitCode": code, "finishedAt": rfc3339(at),
                "reason": "Completed" if code == 0 else "Error", "startedAt": started}
        term = {k: v for k, v in term.items() if v != ""}
        if policy == "Always" or (policy == "OnFailure" and code != 0):
            cs["lastState"] = {"terminated": term}
            cs["restartCount"] = int(cs.get("restartCount") or 0) + 1
            cs["state"] = {"running": {"startedAt": rfc3339(at)}}
        else:
            cs["state"] = {"terminated": term}
            cs["ready"] = False
            cs["started"] = False
    ended = [cs for cs in st.get("containerStatuses") or () if "terminated" in (cs.get("state") or {})]
    if ended and len(ended) == len(st.get("containerStatuses") or ()):
        ok = all(cs["state"]["terminated"]["exitCode"] == 0 for cs in ended)
        st["phase"] = "Succeeded" if ok else "Failed"
        for c in st.get("conditions") or ():
            if c.get("type") in ("Ready", "ContainersReady"):
                c.update({"status": "False", "reason": "PodCompleted", "lastTransitionTime": rfc3339(now)})
                c.pop("message", None)
    return st
