"""The simulated kubelet: a bound pod goes Pending -> (init containers one by one) ->
ContainerCreating -> Running after a short simulated image pull, gets an IP from its node's
Calico block, the five pod conditions and kubelet's events. Image pull errors back off
(ErrImagePull / ImagePullBackOff, InvalidImageName); containers whose command ends exit, and
restart after kubelet's back-off (CrashLoopBackOff); liveness and readiness probes are computed in
closed form (`runtime/probes.py`), with timers only at visible moments; a deleted pod's containers
stop (at once, or after the full grace period when PID 1 ignores SIGTERM) and the pod object goes.

The kubelet's own memory (which probe failures it already reported, which pull attempt it is at)
lives in the `kubelet_probes` table (`runtime/probes.py`), written in the engine's transaction."""
from __future__ import annotations

import copy
import ipaddress

from pykubectl.controllers.manager import Controller, Delete, Event, Put, Timer, make_key, split_key
from pykubectl.store.clock import parse_time, rfc3339

PULL_SECONDS = 2.0


def _ignores_sigterm(c: dict) -> bool:
    """PID 1 ignores SIGTERM: kubetm/app (the catalogue says), or a bare `sleep` command."""
    from pykubectl.runtime import images
    # with no command, args replace the image's CMD: `-- sleep 3600` runs sleep as PID 1
    words = [str(w) for w in (c.get("command") or c.get("args") or [])]
    return images.ignores_sigterm(c.get("image", "")) or (bool(words) and words[0].rsplit("/", 1)[-1] == "sleep")


def _source(node):
    return {"component": "kubelet", "host": node}


def node_block(view, node: dict) -> str | None:
    """The node's pod address block: Calico's BlockAffinity, else spec.podCIDR."""
    name = node["metadata"]["name"]
    try:
        for ba in view.list("blockaffinities.crd.projectcalico.org"):
            if (ba.get("spec") or {}).get("node") == name and (ba.get("spec") or {}).get("state", "confirmed") == "confirmed":
                return ba["spec"]["cidr"]
    except Exception:
        pass
    return (node.get("spec") or {}).get("podCIDR")


def allocate_ip(view, node: dict) -> str | None:
    block = node_block(view, node)
    if not block:
        return None
    net = ipaddress.ip_network(block, strict=False)
    used = {((p.get("status") or {}).get("podIP")) for p in view.list("pods", index=("nodeName", node["metadata"]["name"]))}
    ann = (node.get("metadata") or {}).get("annotations") or {}
    used.add(ann.get("projectcalico.org/IPv4IPIPTunnelAddr"))
    for ip in list(net.hosts())[1:]:
        if str(ip) not in used:
            return str(ip)
    return None


def _cond(type_, status, now, reason=None):
    c = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": rfc3339(now)}
    if reason:
        c["reason"] = reason
    return c


class Kubelet(Controller):
    name = "kubelet"
    manager = "kubelet"
    watches = (("", "pods"),)

    def keys_for(self, type_, group, res, obj):
        if type_ == "DELETED" or not (obj.get("spec") or {}).get("nodeName"):
            return []
        m = obj["metadata"]
        return [make_key("", "pods", m.get("namespace", ""), m["name"])]

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        pod = view.get("pods", ns, name)
        if pod is None:
            return []
        spec = pod.get("spec") or {}
        node = spec.get("nodeName")
        if not node:
            return []
        meta = pod["metadata"]
        if meta.get("deletionTimestamp"):
            return self._terminate(key, pod, view, now)
        status = pod.get("status") or {}
        if status.get("phase") == "Running":
            out = self._exits(key, pod, view, now)
            if (pod.get("status") or {}).get("phase") == "Running" and not any(isinstance(a, Put) for a in out):
                out += self._probes(key, pod, view, now)
            return out
        if status.get("phase") not in (None, "Pending"):
            return []
        started = parse_time(status.get("startTime"))
        if started is None:
            return self._start(key, pod, view, now)
        if spec.get("initContainers") and now >= started + PULL_SECONDS:
            acts, done = self._init(key, pod, view, started, now)
            if done is None:
                return acts
            ready = copy.deepcopy(pod)
            ready["status"] = next(a.obj for a in acts if isinstance(a, Put))["status"]
            for cs in ready["status"].get("containerStatuses") or ():
                cs["state"] = {"waiting": {"reason": "ContainerCreating"}}
            return [a for a in acts if not isinstance(a, Put)] + self._run(ready, view, now)
        if now >= started + PULL_SECONDS:
            from pykubectl.runtime import images
            if any(images.pull_error(c.get("image", "")) for c in spec.get("containers") or ()):
                return self._pull_errors(key, pod, view, started + PULL_SECONDS, now)
            missing = {c["name"]: m for c in spec.get("containers") or () if (m := config_error(view, pod, c))}
            if missing:
                return self._config_errors(key, pod, missing, now)
            return self._run(pod, view, now)
        return [Timer(key, started + PULL_SECONDS)]

    def _pull_errors(self, key, pod, view, first, now):
        """Images that cannot be pulled: ErrImagePull at each attempt, ImagePullBackOff in
        between, attempts spaced by kubelet's back-off (10 s doubling to 5 min);
        InvalidImageName never retries. The pod stays Pending."""
        from pykubectl.runtime import images, probes as P
        pod = copy.deepcopy(pod)
        node = pod["spec"]["nodeName"]
        uid = pod["metadata"].get("uid", "")
        out, timers = [], []
        for cs, c in zip(pod["status"].get("containerStatuses") or (), pod["spec"].get("containers") or ()):
            err = images.pull_error(c.get("image", ""))
            if err is None:
                continue
            reason, msg = err
            image = c.get("image", "")
            fp = f"spec.containers{{{c['name']}}}"
            src = _source(node)
            if reason == "InvalidImageName":
                if (cs["state"].get("waiting") or {}).get("reason") != reason:
                    cs["state"] = {"waiting": {"reason": reason, "message": msg}}
                    out += [Event(pod, "Warning", "InspectFailed", msg, src, fp, at=first),
                            Event(pod, "Warning", "Failed", f"Error: {reason}", src, fp, at=first)]
                continue
            tag = f"pull/{c['name']}"
            done = P.last_reported(view, uid, c["name"], tag)
            k = _last_attempt(first, now)
            for i in range(-1 if done is None else int(done) + 1, k + 1):
                if i < 0:
                    continue
                t_i = _attempt_time(first, i)
                if i > 0:
                    out.append(Event(pod, "Normal", "Pulling", f'Pulling image "{image}"', src, fp, at=t_i - PULL_SECONDS))
                out += [Event(pod, "Warning", "Failed", f'Failed to pull image "{image}": {msg}', src, fp, at=t_i),
                        Event(pod, "Warning", "Failed", "Error: ErrImagePull", src, fp, at=t_i)]
            P.set_reported(view, uid, c["name"], tag, k)
            t_k = _attempt_time(first, k)
            if now >= t_k + 1:
                want = {"waiting": {"reason": "ImagePullBackOff",
                                    "message": f'Back-off pulling image "{image}": ErrImagePull: {msg}'}}
                if cs["state"] != want:
                    out += [Event(pod, "Normal", "BackOff", f'Back-off pulling image "{image}"', src, fp, at=t_k + 1),
                            Event(pod, "Warning", "Failed", "Error: ImagePullBackOff", src, fp, at=t_k + 1)]
                timers.append(_attempt_time(first, k + 1))
            else:
                want = {"waiting": {"reason": "ErrImagePull", "message": msg}}
                timers.append(t_k + 1)
            cs["state"] = want
        changed = pod["status"] != (view.get("pods", pod["metadata"].get("namespace", ""), pod["metadata"]["name"]) or {}).get("status")
        return ([Put("pods", pod, status=True)] if changed else []) + out + ([Timer(key, min(timers))] if timers else [])

    def _config_errors(self, key, pod, missing, now):
        """CreateContainerConfigError until the ConfigMap / Secret (key) exists; kubelet retries
        on its sync period, which a timer stands for."""
        pod = copy.deepcopy(pod)
        out = []
        for cs in pod["status"].get("containerStatuses") or ():
            msg = missing.get(cs["name"])
            if msg is None:
                continue
            want = {"waiting": {"reason": "CreateContainerConfigError", "message": msg}}
            if cs["state"] != want:
                cs["state"] = want
                out.append(Event(pod, "Warning", "Failed", f"Error: {msg}", _source(pod["spec"]["nodeName"]),
                                 f"spec.containers{{{cs['name']}}}"))
        return ([Put("pods", pod, status=True)] if out else []) + out + [Timer(key, now + 10)]

    def _start(self, key, pod, view, now):
        pod = copy.deepcopy(pod)
        node_name = pod["spec"]["nodeName"]
        node = view.get("nodes", "", node_name) or {}
        st = pod.setdefault("status", {})
        host_ip = next((a["address"] for a in (node.get("status") or {}).get("addresses") or ()
                        if a.get("type") == "InternalIP"), None)
        st["phase"] = "Pending"
        if host_ip:
            st["hostIP"] = host_ip
            st["hostIPs"] = [{"ip": host_ip}]
        st["startTime"] = rfc3339(now)
        _make_host_dirs(view, pod, now)
        sched = [c for c in st.get("conditions") or [] if c.get("type") == "PodScheduled"] or [_cond("PodScheduled", "True", now)]
        st["conditions"] = [_cond("PodReadyToStartContainers", "False", now), _cond("Initialized", "True", now),
                            _cond("Ready", "False", now, "ContainersNotReady"),
                            _cond("ContainersReady", "False", now, "ContainersNotReady")] + sched
        for c in st["conditions"]:
            if c.get("reason") == "ContainersNotReady":
                names = " ".join(x["name"] for x in pod["spec"].get("containers") or ())
                c["message"] = f"containers with unready status: [{names}]"
        st["containerStatuses"] = [{
            "name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": False, "restartCount": 0,
            "started": False, "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
            "volumeMounts": [{"name": m["name"], "mountPath": m["mountPath"], **({"readOnly": True} if m.get("readOnly") else {}),
                              "recursiveReadOnly": "Disabled"} for m in c.get("volumeMounts") or ()],
        } for c in pod["spec"].get("containers") or ()]
        inits = pod["spec"].get("initContainers") or ()
        if inits:
            for cs in st["containerStatuses"]:
                cs["state"] = {"waiting": {"reason": "PodInitializing"}}
            st["initContainerStatuses"] = [{
                "name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": False, "restartCount": 0,
                "started": False, "state": {"waiting": {"reason": "PodInitializing"}}, "lastState": {}}
                for c in inits]
            for cond in st["conditions"]:
                if cond["type"] == "Initialized":
                    cond.update({"status": "False", "reason": "ContainersNotInitialized",
                                 "message": f"containers with incomplete status: [{' '.join(c['name'] for c in inits)}]"})
            first = inits[0]
            evs = [Event(pod, "Normal", "Pulling", f'Pulling image "{first.get("image", "")}"', _source(node_name),
                         field_path=f"spec.initContainers{{{first['name']}}}")]
            return [Put("pods", pod, status=True), *evs, Timer(key, now + PULL_SECONDS)]
        evs = [Event(pod, "Normal", "Pulling", f'Pulling image "{c.get("image", "")}"', _source(node_name),
                     field_path=f"spec.containers{{{c['name']}}}") for c in pod["spec"].get("containers") or ()
               if not _invalid_image(c.get("image", ""))]
        return [Put("pods", pod, status=True), *evs, Timer(key, now + PULL_SECONDS)]

    def _init(self, key, pod, view, started, now):
        """Init containers one after another, each pulled (2 s) then run to its planned exit;
        returns (actions, moment all completed or None)."""
        from pykubectl.runtime import exits
        pod = copy.deepcopy(pod)
        st = pod["status"]
        node = pod["spec"]["nodeName"]
        inits = pod["spec"].get("initContainers") or ()
        css = {cs["name"]: cs for cs in st.get("initContainerStatuses") or ()}
        evs, t = [], started + PULL_SECONDS
        nxt = None
        for i, c in enumerate(inits):
            cs = css.get(c["name"])
            if cs is None:
                continue
            fp = f"spec.initContainers{{{c['name']}}}"
            plan = exits.planned_exit(c)
            if now < t:
                nxt = t
                break
            if "waiting" in cs["state"]:
                if i > 0:
                    evs.append(Event(pod, "Normal", "Pulling", f'Pulling image "{c.get("image", "")}"', _source(node), fp, at=t - PULL_SECONDS))
                evs += [Event(pod, "Normal", "Pulled", f'Successfully pulled image "{c.get("image", "")}" in 2s (2s including waiting). Image size: 0 bytes.', _source(node), fp, at=t),
                        Event(pod, "Normal", "Created", f"Created container: {c['name']}", _source(node), fp, at=t),
                        Event(pod, "Normal", "Started", f"Started container {c['name']}", _source(node), fp, at=t)]
                cs.update({"state": {"running": {"startedAt": rfc3339(t)}}, "started": True,
                           "imageID": "", "containerID": "containerd://" + (pod["metadata"]["uid"].replace("-", "") + c["name"].encode().hex())[:64]})
                _command_output(view, pod, c, t)
            if plan is None:
                break           # runs forever: the pod stays Init:i/n
            end = t + plan[0]
            if now < end:
                nxt = end
                break
            if "terminated" not in cs["state"]:
                term = {"containerID": cs.get("containerID", ""), "exitCode": plan[1], "finishedAt": rfc3339(end),
                        "reason": "Completed" if plan[1] == 0 else "Error",
                        "startedAt": cs["state"]["running"]["startedAt"]}
                cs["state"] = {"terminated": term}
                cs["started"] = False
                cs["ready"] = plan[1] == 0
            if plan[1] != 0:
                if pod["spec"].get("restartPolicy") == "Never":
                    st["phase"] = "Failed"
                break
            t = end + PULL_SECONDS
        else:
            for cond in st["conditions"]:
                if cond["type"] == "Initialized" and cond["status"] != "True":
                    cond.update({"status": "True", "lastTransitionTime": rfc3339(t - PULL_SECONDS)})
                    cond.pop("reason", None)
                    cond.pop("message", None)
            if now >= t:
                evs += [Event(pod, "Normal", "Pulling", f'Pulling image "{c.get("image", "")}"', _source(node),
                              f"spec.containers{{{c['name']}}}", at=t - PULL_SECONDS)
                        for c in pod["spec"].get("containers") or ()]
                return [Put("pods", pod, status=True), *evs], t
            nxt = t
        acts = [Put("pods", pod, status=True), *evs] if pod["status"] != (view.get("pods", pod["metadata"].get("namespace", ""), pod["metadata"]["name"]) or {}).get("status") else evs
        return acts + ([Timer(key, nxt)] if nxt is not None else []), None

    def _run(self, pod, view, now):
        pod = copy.deepcopy(pod)
        node_name = pod["spec"]["nodeName"]
        node = view.get("nodes", "", node_name) or {"metadata": {"name": node_name}}
        st = pod["status"]
        if pod["spec"].get("hostNetwork"):
            ip = st.get("hostIP")
        else:
            ip = allocate_ip(view, node)
        if ip:
            st["podIP"] = ip
            st["podIPs"] = [{"ip": ip}]
        st["phase"] = "Running"
        ready = all(not c.get("readinessProbe") for c in pod["spec"].get("containers") or ())
        conds = {c["type"]: c for c in st.get("conditions") or ()}
        conds["PodReadyToStartContainers"] = _cond("PodReadyToStartContainers", "True", now)
        if ready:
            conds["Ready"] = _cond("Ready", "True", now)
            conds["ContainersReady"] = _cond("ContainersReady", "True", now)
        order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        st["conditions"] = [conds[t] for t in order if t in conds]
        evs = []
        from pykubectl.runtime import images
        for cs, c in zip(st.get("containerStatuses") or (), pod["spec"].get("containers") or ()):
            image = c.get("image", "")
            full = images.full_name(image)
            cs.update({"ready": ready, "started": True, "imageID": f"{full.rsplit(':', 1)[0]}@sha256:" + "0" * 64,
                       "image": full, "containerID": "containerd://" + (pod["metadata"]["uid"].replace("-", "") + c["name"].encode().hex())[:64],
                       "state": {"running": {"startedAt": rfc3339(now)}}})
            fp = f"spec.containers{{{c['name']}}}"
            evs += [Event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {PULL_SECONDS:.0f}s ({PULL_SECONDS:.0f}s including waiting). Image size: 0 bytes.', _source(node_name), fp),
                    Event(pod, "Normal", "Created", f"Created container: {c['name']}", _source(node_name), fp),
                    Event(pod, "Normal", "Started", f"Started container {c['name']}", _source(node_name), fp)]
            _command_output(view, pod, c, now)
        from pykubectl.runtime import exits
        nxt = [t for t, _ in exits.exit_times(pod).values()]
        key = make_key("", "pods", pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
        return [Put("pods", pod, status=True), *evs] + ([Timer(key, min(nxt))] if nxt else [])

    def _exits(self, key, pod, view, now):
        """Containers whose command ends (sh -c "exit 0", sleep 5, ...) exit at their moment."""
        from pykubectl.runtime import exits
        out, timers = [], []
        before = {cs["name"]: int(cs.get("restartCount") or 0) for cs in pod["status"].get("containerStatuses") or ()}
        st = exits.finish_containers(pod, now)
        if st is not None:
            pod = copy.deepcopy(pod)
            pod["status"] = st
            self._crash_loop(view, pod, before, now, out)
            if st.get("phase") == "Running":      # a finished pod's conditions say PodCompleted
                _set_ready_conditions(pod, now)
            out.insert(0, Put("pods", pod, status=True))
        # containers waiting out their back-off start again when it ends
        specs = {c["name"]: c for c in pod["spec"].get("containers") or ()}
        for cs in pod["status"].get("containerStatuses") or ():
            if ((cs.get("state") or {}).get("waiting") or {}).get("reason") != "CrashLoopBackOff":
                continue
            fin = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")) or now
            due = fin + _crash_backoff(int(cs.get("restartCount") or 0))
            if now < due:
                timers.append(due)
            elif st is None and cs["name"] in specs:
                return self._exits_restart(view, copy.deepcopy(pod), now, specs)
        timers += [t for t, _ in exits.exit_times(pod).values() if t > now]
        if timers and pod["status"].get("phase") == "Running":
            out.append(Timer(key, min(timers)))
        return out

    def _exits_restart(self, view, pod, now, specs):
        """Start every container whose back-off has ended."""
        out = []
        for cs in pod["status"].get("containerStatuses") or ():
            if ((cs.get("state") or {}).get("waiting") or {}).get("reason") != "CrashLoopBackOff":
                continue
            fin = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")) or now
            at = fin + _crash_backoff(int(cs.get("restartCount") or 0))
            if now >= at and cs["name"] in specs:
                cs["state"] = {"running": {"startedAt": rfc3339(at)}}
                cs["started"] = True
                cs["ready"] = not specs[cs["name"]].get("readinessProbe")
                out += _start_events(pod, specs[cs["name"]], at)
                _command_output(view, pod, specs[cs["name"]], at)
        _set_ready_conditions(pod, now)
        return [Put("pods", pod, status=True)] + out

    def _crash_loop(self, view, pod, before, now, out):
        """finish_containers restarts exited containers at once; kubelet does that only the
        first time, then waits a back-off (10 s doubling to 5 min) in CrashLoopBackOff."""
        node = pod["spec"]["nodeName"]
        meta = pod["metadata"]
        for cs in pod["status"].get("containerStatuses") or ():
            n = int(cs.get("restartCount") or 0)
            if n <= before.get(cs["name"], n) or "running" not in (cs.get("state") or {}):
                continue
            delay = _crash_backoff(n)
            if delay <= 0:
                spec = next((c for c in pod["spec"].get("containers") or () if c["name"] == cs["name"]), None)
                if spec is not None:
                    _command_output(view, pod, spec, parse_time(cs["state"]["running"].get("startedAt")) or now)
                continue
            fin = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                       "message": f"back-off {delay}s restarting failed container={cs['name']} "
                                                  f"pod={meta['name']}_{meta.get('namespace', '')}({meta.get('uid', '')})"}}
            cs["ready"] = False
            cs["started"] = False
            out.append(Event(pod, "Warning", "BackOff",
                             f"Back-off restarting failed container {cs['name']} in pod "
                             f"{meta['name']}_{meta.get('namespace', '')}({meta.get('uid', '')})",
                             _source(node), f"spec.containers{{{cs['name']}}}", at=parse_time(fin) or now))

    def _terminate(self, key, pod, view, now):
        meta = pod["metadata"]
        deadline = parse_time(meta["deletionTimestamp"]) or now
        running = (pod.get("status") or {}).get("phase") == "Running"
        stubborn = any(_ignores_sigterm(c) for c in pod["spec"].get("containers") or ())
        # a container that exits on SIGTERM stops at once; one that ignores it is killed at the deadline
        stop_at = deadline if (stubborn and running) else min(deadline, now)
        c0 = pod["spec"]["containers"][0]["name"]
        killing = Event(pod, "Normal", "Killing", f"Stopping container {c0}", _source(pod["spec"]["nodeName"]),
                        f"spec.containers{{{c0}}}")
        if now < stop_at:
            return [killing, Timer(key, stop_at)]
        first = not meta.get("deletionGracePeriodSeconds") or now < (parse_time(meta["deletionTimestamp"]) or now)
        _forget(view, pod)
        return ([killing] if running and first else []) + [Delete("pods", meta.get("namespace", ""), meta["name"], grace_period=0, uid=meta.get("uid"))]

    # -- probes -----------------------------------------------------------------------------
    def _probes(self, key, pod, view, now):
        """Liveness and readiness in closed form: Unhealthy events for the failed probes since
        the last report, Ready flipping at its moment, a restart after failureThreshold
        liveness failures; a timer only for the next of these."""
        from pykubectl.runtime import images, probes as P
        pod = copy.deepcopy(pod)
        st = pod["status"]
        uid = pod["metadata"].get("uid", "")
        node = pod["spec"]["nodeName"]
        specs = {c["name"]: c for c in pod["spec"].get("containers") or ()}
        grace = pod["spec"].get("terminationGracePeriodSeconds")
        grace = 30 if grace is None else int(grace)
        out, timers, changed, ready_at = [], [], False, now
        for cs in st.get("containerStatuses") or ():
            c = specs.get(cs.get("name"))
            run = (cs.get("state") or {}).get("running")
            if c is None or not run:
                continue
            start = parse_time(run.get("startedAt")) or now
            restarts = int(cs.get("restartCount") or 0)
            fp = f"spec.containers{{{c['name']}}}"

            def ev(type_, reason, msg, at):
                out.append(Event(pod, type_, reason, msg, _source(node), fp, at=at))

            lp = c.get("livenessProbe")
            if lp:
                ok, since, msg = P.outcome(view, pod, c, lp, now)
                if not ok:
                    k0 = P.first_index_at_or_after(start, lp, max(since or start, start))
                    kill_at = P.probe_time(start, lp, k0 + P.field(lp, "failureThreshold") - 1)
                    tag = f"liveness/{restarts}"
                    last = P.last_reported(view, uid, c["name"], tag)
                    kmax = P.last_index_at_or_before(start, lp, min(now, kill_at))
                    ks = [k for k in range(k0, kmax + 1) if last is None or P.probe_time(start, lp, k) > last]
                    for k in ks[-P.MAX_EVENTS_PER_STEP:]:
                        ev("Warning", "Unhealthy", f"Liveness probe failed: {msg}", P.probe_time(start, lp, k))
                    if now >= kill_at and (last is None or last < kill_at):
                        ev("Normal", "Killing", f"Container {c['name']} failed liveness probe, will be restarted", kill_at)
                    if ks or (now >= kill_at and (last is None or last < kill_at)):
                        P.set_reported(view, uid, c["name"], tag, min(now, kill_at))
                    # a container that ignores SIGTERM is killed when the grace period ends
                    # (kubelet's minimum is 2 s); others exit at once
                    gone_at = kill_at + (max(grace, 2) if _ignores_sigterm(c) else 0)
                    if now >= gone_at:
                        self._restart(view, pod, c, cs, gone_at, out)
                        changed = True
                        continue
                    timers.append(gone_at if now >= kill_at else P.probe_time(start, lp, kmax + 1))
            rp = c.get("readinessProbe")
            if not rp:
                want, at = True, start
            else:
                ok, since, msg = P.outcome(view, pod, c, rp, now)
                k0 = P.first_index_at_or_after(start, rp, max(since or start, start))
                if ok:
                    at = P.probe_time(start, rp, k0 + P.field(rp, "successThreshold") - 1)
                    want = bool(cs.get("ready")) or now >= at
                    if not want:
                        timers.append(at)
                else:
                    tag = f"readiness/{restarts}"
                    last = P.last_reported(view, uid, c["name"], tag)
                    kmax = P.last_index_at_or_before(start, rp, now)
                    ks = [k for k in range(k0, kmax + 1) if last is None or P.probe_time(start, rp, k) > last]
                    for k in ks[-P.MAX_EVENTS_PER_STEP:]:
                        ev("Warning", "Unhealthy", f"Readiness probe failed: {msg}", P.probe_time(start, rp, k))
                    if ks:
                        P.set_reported(view, uid, c["name"], tag, now)
                    at = P.probe_time(start, rp, k0 + P.field(rp, "failureThreshold") - 1)
                    want = bool(cs.get("ready")) and now < at
                    timers.append(P.probe_time(start, rp, kmax + 1))
            if want != bool(cs.get("ready")):
                cs["ready"] = want
                changed = True
                ready_at = at
        if changed:
            _set_ready_conditions(pod, ready_at if ready_at <= now else now)
            out.insert(0, Put("pods", pod, status=True))
        if timers:
            out.append(Timer(key, min(timers)))
        return out

    def _restart(self, view, pod, c, cs, at, out):
        """The container is killed and started again at `at` (a new instance: fresh writable
        layer, so kubetm/app's /status500 is forgotten)."""
        from pykubectl.runtime import images
        run = cs["state"]["running"]
        stubborn = _ignores_sigterm(c)
        term = {"containerID": cs.get("containerID", ""), "exitCode": 137 if stubborn else 0,
                "finishedAt": rfc3339(at), "reason": "Error" if stubborn else "Completed",
                "startedAt": run.get("startedAt")}
        cs["lastState"] = {"terminated": {k: v for k, v in term.items() if v not in ("", None)}}
        cs["restartCount"] = int(cs.get("restartCount") or 0) + 1
        cs["state"] = {"running": {"startedAt": rfc3339(at)}}
        cs["ready"] = not c.get("readinessProbe")
        cid = cs.get("containerID", "")
        if cid:
            cs["containerID"] = cid[:-8] + f"{cs['restartCount']:08x}"
        out.extend(_start_events(pod, c, at))
        _command_output(view, pod, c, at)


def _command_output(view, pod, c, at):
    """What a container's own command prints when it starts (busybox's `echo`s) goes to its
    log; loops and long-running servers print nothing we can know."""
    import re
    words = [str(w) for w in list(c.get("command") or []) + list(c.get("args") or [])]
    if not words or re.search(r"\b(while|until|for)\b", " ".join(words)):
        return
    from pykubectl.runtime import logs, shell
    try:
        out, err, _ = shell.run(view, pod, c["name"], words, now=at)
    except Exception:       # a script the tiny shell cannot follow prints nothing
        return
    for line in (out + err).splitlines():
        if not line.startswith("OCI runtime exec failed"):
            logs.append(view, pod, c["name"], at, line)


def config_error(view, pod: dict, c: dict) -> str | None:
    """kubelet's message when a container's env refers to a ConfigMap / Secret (or key) that
    does not exist and is not optional."""
    ns = pod["metadata"].get("namespace") or "default"
    refs = []
    for e in c.get("env") or ():
        vf = e.get("valueFrom") or {}
        for field, kind, res in (("configMapKeyRef", "ConfigMap", "configmaps"), ("secretKeyRef", "Secret", "secrets")):
            if field in vf:
                refs.append((vf[field], kind, res, vf[field].get("key")))
    for ef in c.get("envFrom") or ():
        for field, kind, res in (("configMapRef", "ConfigMap", "configmaps"), ("secretRef", "Secret", "secrets")):
            if field in ef:
                refs.append((ef[field], kind, res, None))
    for ref, kind, res, k in refs:
        if ref.get("optional"):
            continue
        obj = view.get(res, ns, ref.get("name", ""))
        if obj is None:
            return f'{kind.lower()} "{ref.get("name", "")}" not found'
        if k is not None and k not in (obj.get("data") or {}) and k not in (obj.get("binaryData") or {}):
            return f"couldn't find key {k} in {kind} {ns}/{ref.get('name', '')}"
    return None


def _crash_backoff(restarts: int) -> int:
    """Seconds kubelet waits before starting a container that has exited `restarts` times:
    none the first time, then 10 s doubling to 5 min."""
    if restarts <= 1:
        return 0
    return min(10 * 2 ** (restarts - 2), 300)


def _invalid_image(image):
    from pykubectl.runtime import images
    return (images.pull_error(image) or ("",))[0] == "InvalidImageName"


def _attempt_time(first: float, n: int) -> float:
    """When pull attempt n fails: the first at `first`, each next one a back-off later."""
    at = first
    for k in range(n):
        at += 1 + min(10 * 2 ** k, 300)
    return at


def _last_attempt(first: float, now: float) -> int:
    """The index of the last pull attempt made by `now` (first <= now)."""
    n = 0
    while _attempt_time(first, n + 1) <= now:
        n += 1
    return n


def _start_events(pod, c, at):
    node = pod["spec"]["nodeName"]
    fp = f"spec.containers{{{c['name']}}}"
    image = c.get("image", "")
    if c.get("imagePullPolicy") == "Always":
        pulled = [Event(pod, "Normal", "Pulling", f'Pulling image "{image}"', _source(node), fp, at=at),
                  Event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {PULL_SECONDS:.0f}s '
                        f'({PULL_SECONDS:.0f}s including waiting). Image size: 0 bytes.', _source(node), fp, at=at)]
    else:
        pulled = [Event(pod, "Normal", "Pulled", f'Container image "{image}" already present on machine',
                        _source(node), fp, at=at)]
    return pulled + [Event(pod, "Normal", "Created", f"Created container: {c['name']}", _source(node), fp, at=at),
                     Event(pod, "Normal", "Started", f"Started container {c['name']}", _source(node), fp, at=at)]


def _set_ready_conditions(pod, at):
    st = pod["status"]
    css = st.get("containerStatuses") or []
    unready = [cs["name"] for cs in css if not cs.get("ready")]
    for cond in st.get("conditions") or ():
        if cond.get("type") not in ("Ready", "ContainersReady"):
            continue
        status = "False" if unready else "True"
        if cond.get("status") != status:
            cond["lastTransitionTime"] = rfc3339(at)
        cond["status"] = status
        if unready:
            cond["reason"] = "ContainersNotReady"
            cond["message"] = f"containers with unready status: [{' '.join(unready)}]"
        else:
            cond.pop("reason", None)
            cond.pop("message", None)


def _make_host_dirs(view, pod, now):
    """hostPath volumes of type DirectoryOrCreate get their directory on the node."""
    from pykubectl.runtime import fs
    node = pod["spec"]["nodeName"]
    for v in pod["spec"].get("volumes") or ():
        hp = v.get("hostPath")
        if hp and hp.get("type") == "DirectoryOrCreate":
            disk = fs.FS(fs.db_of(view), f"node/{node}", now)
            if disk.kind(hp.get("path", "/")) is None:
                disk.mkdir(hp.get("path", "/"))


def _forget(view, pod):
    """A pod that goes takes its emptyDirs, writable layers and prober state with it."""
    from pykubectl.runtime import fs, probes
    uid = pod["metadata"].get("uid", "")
    try:
        fs.FS(fs.db_of(view), f"pod/{uid}").drop()
        probes.forget(view, uid)
    except TypeError:
        pass


def controllers(cluster):
    return [Kubelet()]
