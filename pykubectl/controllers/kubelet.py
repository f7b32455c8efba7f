"""The simulated kubelet: a bound pod goes Pending -> (init containers one by one) ->
ContainerCreating -> Running after a short simulated image pull, gets an IP from its node's
Calico block, the five pod conditions and kubelet's events. Image pull errors back off
(ErrImagePull / ImagePullBackOff, InvalidImageName); containers whose command ends exit, and
restart after kubelet's back-off (CrashLoopBackOff); startup, liveness and readiness probes are
computed in closed form (`runtime/probes.py`), with timers only at visible moments (liveness and
readiness count only once the startup probe passed); Ready also waits for the pod's readiness
gates. postStart hooks run as a container starts (a failure kills it), preStop hooks when the pod
is deleted, before SIGTERM and within the grace period; a deleted pod's containers then stop (at
once, or after the full grace period when PID 1 ignores SIGTERM) and the pod object goes. The
usage model's memory over a container's limit OOMKills it (`metrics/model.py`); ephemeral
containers (`kubectl debug`) start at once and never restart.

The kubelet's own memory (which probe failures it already reported, which pull attempt it is at,
when a startup probe passed, a preStop hook's duration) lives in the `kubelet_probes` table
(`runtime/probes.py`), written in the engine's transaction."""
from __future__ import annotations

import copy
import ipaddress

from pykubectl.api.values import clone
from pykubectl.controllers.manager import Controller, Delete, Event, Put, Timer, make_key, split_key
from pykubectl.controllers.node_lifecycle import LEASE_NS, heartbeat_stopped
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
    # a node's Lease says whether its kubelet runs (`sim node down|up`)
    watches = (("", "pods"), ("coordination.k8s.io", "leases"))

    def keys_for(self, type_, group, res, obj):
        if res == "leases":
            m = obj.get("metadata") or {}
            return [f"node|{m.get('name', '')}"] if m.get("namespace") == LEASE_NS else []
        if type_ == "DELETED" or not (obj.get("spec") or {}).get("nodeName"):
            return []
        m = obj["metadata"]
        return [make_key("", "pods", m.get("namespace", ""), m["name"])]

    def reconcile(self, key, view, now):
        if key.startswith("load|"):
            return self._load_changed(key.split("|")[1], view, now)
        if key.startswith("node|"):
            # the kubelet is back (or just stopped): catch up on every pod of its node
            node = key.split("|", 1)[1]
            if heartbeat_stopped(view, node):
                return []
            out = []
            for p in view.list("pods", index=("nodeName", node)):
                out += self.reconcile(make_key("", "pods", p["metadata"]["namespace"], p["metadata"]["name"]),
                                      view, now)
            return out
        _, _, ns, name = split_key(key)
        pod = view.get("pods", ns, name)
        if pod is None:
            return []
        spec = pod.get("spec") or {}
        node = spec.get("nodeName")
        if not node:
            return []
        if heartbeat_stopped(view, node):
            return []   # a stopped kubelet neither reports nor stops containers nor confirms deletions
        meta = pod["metadata"]
        if meta.get("deletionTimestamp"):
            return self._terminate(key, pod, view, now)
        status = pod.get("status") or {}
        if status.get("phase") == "Running":
            eph = self._ephemeral(key, pod, view, now)
            if eph:
                return eph
            out = self._exits(key, pod, view, now)
            if (pod.get("status") or {}).get("phase") == "Running" and not any(isinstance(a, Put) for a in out):
                oom = self._oom_kills(pod, view, now)
                out += oom or self._probes(key, pod, view, now)
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
            ready = clone(pod)
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

    # -- ephemeral containers (kubectl debug) -----------------------------------------------
    def _ephemeral(self, key, pod, view, now):
        """Ephemeral containers added through pods/ephemeralcontainers start at once (their
        image is taken as present) and are never restarted: one whose command ends stays
        Terminated."""
        from pykubectl.runtime import exits, images
        specs = pod["spec"].get("ephemeralContainers") or ()
        if not specs:
            return []
        pod = clone(pod)
        st = pod["status"]
        statuses = {cs["name"]: cs for cs in st.get("ephemeralContainerStatuses") or ()}
        out, timers, changed = [], [], False
        for c in specs:
            cs = statuses.get(c["name"])
            if cs is None:
                full = images.full_name(c.get("image", ""))
                cs = {"containerID": "containerd://" + (pod["metadata"]["uid"].replace("-", "") + c["name"].encode().hex())[:64],
                      "image": full, "imageID": f"{full.rsplit(':', 1)[0]}@sha256:" + "0" * 64, "lastState": {},
                      "name": c["name"], "ready": False, "restartCount": 0,
                      "state": {"running": {"startedAt": rfc3339(now)}}}
                st.setdefault("ephemeralContainerStatuses", []).append(cs)
                out += _start_events(pod, c, now, "spec.ephemeralContainers")
                _command_output(view, pod, c, now)
                changed = True
            run = (cs.get("state") or {}).get("running")
            plan = exits.planned_exit(c)
            if run and plan is not None:
                end = (parse_time(run.get("startedAt")) or now) + plan[0]
                if now < end:
                    timers.append(end)
                    continue
                cs["state"] = {"terminated": {"containerID": cs.get("containerID", ""), "exitCode": plan[1],
                                              "finishedAt": rfc3339(end), "reason": "Completed" if plan[1] == 0 else "Error",
                                              "startedAt": run.get("startedAt")}}
                changed = True
        if not changed:
            return []
        return [Put("pods", pod, status=True), *out] + ([Timer(key, min(timers))] if timers else [])

    # -- memory: the usage model's OOM killer ------------------------------------------------
    def _load_changed(self, ns, view, now):
        """Outside traffic in ns started or ended (`sim load`): look again at the pods there
        that have a memory limit, since what they serve decides their memory."""
        from pykubectl.metrics import model
        return [Timer(make_key("", "pods", ns, p["metadata"]["name"]), now) for p in view.list("pods", ns)
                if (p.get("status") or {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
                and any(model.limit_of(c, "memory") is not None for c in p["spec"].get("containers") or ())]

    def _oom_kills(self, pod, view, now):
        """Containers whose memory demand under the traffic they serve now exceeds their limit
        are killed by the kernel (Terminated, OOMKilled, exit code 137) and restart per
        restartPolicy with kubelet's back-off. A restarted container starts with empty buffers,
        so only the rate served now counts (`metrics.model`). The pod's Service peers then
        take its share: they are looked at again too."""
        from pykubectl.metrics import model, traffic
        specs = {c["name"]: c for c in pod["spec"].get("containers") or ()
                 if model.limit_of(c, "memory") is not None}
        if not specs:
            return []
        meta = pod["metadata"]
        ns = meta.get("namespace", "")
        rps = traffic.per_pod_rps(view, now, ns).get((ns, meta["name"]), (0.0, 0.0))[0]
        victims = [cs for cs in pod["status"].get("containerStatuses") or ()
                   if cs["name"] in specs and "running" in (cs.get("state") or {})
                   and model.oom_killed(specs[cs["name"]], rps, rps)]
        if not victims:
            return []
        pod = clone(pod)
        st = pod["status"]
        policy = pod["spec"].get("restartPolicy", "Always")
        before = {cs["name"]: int(cs.get("restartCount") or 0) for cs in st.get("containerStatuses") or ()}
        for cs in st.get("containerStatuses") or ():
            if cs["name"] not in {v["name"] for v in victims}:
                continue
            term = {"containerID": cs.get("containerID", ""), "exitCode": 137, "finishedAt": rfc3339(now),
                    "reason": "OOMKilled", "startedAt": cs["state"]["running"].get("startedAt")}
            term = {k: v for k, v in term.items() if v not in ("", None)}
            if policy == "Never":
                cs["state"] = {"terminated": term}
                cs["ready"] = cs["started"] = False
            else:
                cs["lastState"] = {"terminated": term}
                cs["restartCount"] = int(cs.get("restartCount") or 0) + 1
                cs["state"] = {"running": {"startedAt": rfc3339(now)}}
        out = []
        self._crash_loop(view, pod, before, now, out)
        css = st.get("containerStatuses") or ()
        if all("terminated" in (cs.get("state") or {}) for cs in css):
            st["phase"] = "Failed"
            for cond in st.get("conditions") or ():
                if cond.get("type") in ("Ready", "ContainersReady"):
                    cond.update({"status": "False", "reason": "PodFailed", "lastTransitionTime": rfc3339(now)})
                    cond.pop("message", None)
        else:
            _set_ready_conditions(pod, now)
        key = make_key("", "pods", ns, meta["name"])
        peers = [a for a in self._load_changed(ns, view, now) if a.key != key]
        due = [t for cs in css if (t := _restart_due(cs)) is not None and t > now]
        return [Put("pods", pod, status=True), *out, *peers] + ([Timer(key, min(due))] if due else [])

    def _pull_errors(self, key, pod, view, first, now):
        """Images that cannot be pulled: ErrImagePull at each attempt, ImagePullBackOff in
        between, attempts spaced by kubelet's back-off (10 s doubling to 5 min);
        InvalidImageName never retries. The pod stays Pending."""
        from pykubectl.runtime import images, probes as P
        pod = clone(pod)
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
        pod = clone(pod)
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
        pod = clone(pod)
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
        pod = clone(pod)
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
            plan = exits.planned_exit(c, init=True)
            if now < t:
                nxt = t
                break
            if "waiting" in cs["state"]:
                if i > 0:
                    evs.append(Event(pod, "Normal", "Pulling", f'Pulling image "{c.get("image", "")}"', _source(node), fp, at=t - PULL_SECONDS))
                evs += [Event(pod, "Normal", "Pulled", f'Successfully pulled image "{c.get("image", "")}" in 2s (2s including waiting). Image size: {_image_size(c.get("image", ""))} bytes.', _source(node), fp, at=t),
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
        pod = clone(pod)
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
        conds = {c["type"]: c for c in st.get("conditions") or ()}
        conds["PodReadyToStartContainers"] = _cond("PodReadyToStartContainers", "True", now)
        order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        st["conditions"] = [conds[t] for t in order if t in conds] + [c for t, c in conds.items() if t not in order]
        evs = []
        from pykubectl.runtime import images
        for cs, c in zip(st.get("containerStatuses") or (), pod["spec"].get("containers") or ()):
            image = c.get("image", "")
            full = images.full_name(image)
            _fresh_instance(cs, c)
            cs.update({"imageID": f"{full.rsplit(':', 1)[0]}@sha256:" + "0" * 64,
                       "image": full, "containerID": "containerd://" + (pod["metadata"]["uid"].replace("-", "") + c["name"].encode().hex())[:64],
                       "state": {"running": {"startedAt": rfc3339(now)}}})
            fp = f"spec.containers{{{c['name']}}}"
            evs += [Event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {PULL_SECONDS:.0f}s ({PULL_SECONDS:.0f}s including waiting). Image size: {_image_size(image)} bytes.', _source(node_name), fp),
                    Event(pod, "Normal", "Created", f"Created container: {c['name']}", _source(node_name), fp),
                    Event(pod, "Normal", "Started", f"Started container {c['name']}", _source(node_name), fp)]
            _command_output(view, pod, c, now)
            self._post_start(view, pod, c, cs, now, evs)
        _set_ready_conditions(pod, now)
        node_put = _with_images(node, [c.get("image", "") for c in pod["spec"].get("containers") or ()])
        from pykubectl.runtime import exits
        nxt = [t for t, _ in exits.exit_times(pod).values()]
        nxt += [t for cs in st.get("containerStatuses") or () if (t := _restart_due(cs)) is not None]
        key = make_key("", "pods", pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
        return ([Put("pods", pod, status=True), *evs] + ([Timer(key, min(nxt))] if nxt else [])
                + ([node_put] if node_put else []))

    def _exits(self, key, pod, view, now):
        """Containers whose command ends (sh -c "exit 0", sleep 5, ...) exit at their moment."""
        from pykubectl.runtime import exits
        out, timers = [], []
        before = {cs["name"]: int(cs.get("restartCount") or 0) for cs in pod["status"].get("containerStatuses") or ()}
        st = exits.finish_containers(pod, now)
        if st is not None:
            pod = clone(pod)
            pod["status"] = st
            self._crash_loop(view, pod, before, now, out)
            if st.get("phase") == "Running":      # a finished pod's conditions say PodCompleted
                _set_ready_conditions(pod, now)
            out.insert(0, Put("pods", pod, status=True))
        # containers waiting out their back-off start again when it ends
        specs = {c["name"]: c for c in pod["spec"].get("containers") or ()}
        for cs in pod["status"].get("containerStatuses") or ():
            due = _restart_due(cs)
            if due is None:
                continue
            if now < due:
                timers.append(due)
            elif st is None and cs["name"] in specs:
                return self._exits_restart(view, clone(pod), now, specs)
        timers += [t for t, _ in exits.exit_times(pod).values() if t > now]
        if timers and pod["status"].get("phase") == "Running":
            out.append(Timer(key, min(timers)))
        return out

    def _exits_restart(self, view, pod, now, specs):
        """Start every container whose back-off has ended."""
        out = []
        for cs in pod["status"].get("containerStatuses") or ():
            at = _restart_due(cs)
            if at is not None and now >= at and cs["name"] in specs:
                cs["state"] = {"running": {"startedAt": rfc3339(at)}}
                _fresh_instance(cs, specs[cs["name"]])
                out += _start_events(pod, specs[cs["name"]], at)
                _command_output(view, pod, specs[cs["name"]], at)
                self._post_start(view, pod, specs[cs["name"]], cs, at, out)
        _set_ready_conditions(pod, now)
        return [Put("pods", pod, status=True)] + out

    def _crash_loop(self, view, pod, before, now, out):
        """finish_containers restarts exited containers at once; kubelet does that only the
        first time, then waits a back-off (10 s doubling to 5 min) in CrashLoopBackOff."""
        for cs in pod["status"].get("containerStatuses") or ():
            n = int(cs.get("restartCount") or 0)
            if n <= before.get(cs["name"], n) or "running" not in (cs.get("state") or {}):
                continue
            delay = _crash_backoff(n)
            if delay <= 0:
                spec = next((c for c in pod["spec"].get("containers") or () if c["name"] == cs["name"]), None)
                if spec is not None:
                    at = parse_time(cs["state"]["running"].get("startedAt")) or now
                    _fresh_instance(cs, spec)
                    _command_output(view, pod, spec, at)
                    self._post_start(view, pod, spec, cs, at, out)
                continue
            _back_off(pod, cs, delay, out)

    def _terminate(self, key, pod, view, now):
        """Stopping a deleted pod: Killing, then each running container's preStop hook (it
        runs within the grace period, before SIGTERM), then SIGTERM: a container that exits on
        it stops when its hook is done, one that ignores it is killed at the deadline."""
        from pykubectl.runtime import probes as P
        meta = pod["metadata"]
        deadline = parse_time(meta["deletionTimestamp"]) or now
        grace = int(meta.get("deletionGracePeriodSeconds") or 0)
        began = deadline - grace
        running = (pod.get("status") or {}).get("phase") == "Running"
        uid = meta.get("uid", "")
        first = P.last_reported(view, uid, "", "killing") is None
        out = []
        c0 = pod["spec"]["containers"][0]["name"]
        if running and first:
            out.append(Event(pod, "Normal", "Killing", f"Stopping container {c0}", _source(pod["spec"]["nodeName"]),
                             f"spec.containers{{{c0}}}", at=min(now, max(began, 0))))
            P.set_reported(view, uid, "", "killing", now)
        hooks_end = began
        if running and grace > 0:
            live = {cs["name"] for cs in pod["status"].get("containerStatuses") or () if "running" in (cs.get("state") or {})}
            for c in pod["spec"].get("containers") or ():
                if c["name"] in live and ((c.get("lifecycle") or {}).get("preStop")):
                    hooks_end = max(hooks_end, began + self._pre_stop(view, pod, c, min(now, max(began, 0)), out))
        stubborn = any(_ignores_sigterm(c) for c in pod["spec"].get("containers") or ())
        stop_at = deadline if (stubborn and running) else min(deadline, hooks_end)
        if now < stop_at:
            return out + [Timer(key, stop_at)]
        _forget(view, pod)
        return out + [Delete("pods", meta.get("namespace", ""), meta["name"], grace_period=0, uid=meta.get("uid"))]

    def _pre_stop(self, view, pod, c, at, out) -> float:
        """Run c's preStop hook once (at `at`); its duration in seconds."""
        from pykubectl.runtime import probes as P
        uid = pod["metadata"].get("uid", "")
        done = P.last_reported(view, uid, c["name"], "preStop")
        if done is not None:
            return done
        seconds, msg = run_hook(view, pod, c, c["lifecycle"]["preStop"], at)
        if msg is not None:
            out.append(Event(pod, "Warning", "FailedPreStopHook", "PreStopHook failed", _source(pod["spec"]["nodeName"]),
                             f"spec.containers{{{c['name']}}}", at=at))
        P.set_reported(view, uid, c["name"], "preStop", seconds)
        return seconds

    def _post_start(self, view, pod, c, cs, at, out) -> bool:
        """Run c's postStart hook as the container starts; when it fails kubelet kills the
        container, which restarts after its back-off. True when it failed."""
        hook = (c.get("lifecycle") or {}).get("postStart")
        if not hook:
            return False
        _, msg = run_hook(view, pod, c, hook, at)
        if msg is None:
            return False
        node = pod["spec"]["nodeName"]
        fp = f"spec.containers{{{c['name']}}}"
        out += [Event(pod, "Warning", "FailedPostStartHook", "PostStartHook failed", _source(node), fp, at=at),
                Event(pod, "Normal", "Killing", "FailedPostStartHook", _source(node), fp, at=at)]
        run = (cs.get("state") or {}).get("running") or {}
        stubborn = _ignores_sigterm(c)
        term = {"containerID": cs.get("containerID", ""), "exitCode": 137 if stubborn else 0, "finishedAt": rfc3339(at),
                "reason": "Error" if stubborn else "Completed", "startedAt": run.get("startedAt")}
        cs["lastState"] = {"terminated": {k: v for k, v in term.items() if v not in ("", None)}}
        cs["restartCount"] = int(cs.get("restartCount") or 0) + 1
        cs["state"] = {"waiting": {"reason": "PostStartHookError", "message": msg}}
        cs["ready"] = cs["started"] = False
        delay = _crash_backoff(cs["restartCount"])
        if delay > 0:
            _back_off(pod, cs, delay, out)
        return True

    # -- probes -----------------------------------------------------------------------------
    def _probes(self, key, pod, view, now):
        """Startup, liveness and readiness in closed form: Unhealthy events for the failed
        probes since the last report, `started` and Ready flipping at their moments, a restart
        after failureThreshold startup or liveness failures; a timer only for the next of these.
        Liveness and readiness count only from the moment the startup probe succeeded."""
        from pykubectl.runtime import probes as P
        pod = clone(pod)
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

            def failing(probe, what, k0, kill_at, msg):
                """Unhealthy events from probe k0 on; past kill_at the container is killed and
                restarted. True when it was (the caller moves on)."""
                tag = f"{what.lower()}/{restarts}"
                last = P.last_reported(view, uid, c["name"], tag)
                kmax = P.last_index_at_or_before(start, probe, min(now, kill_at))
                ks = [k for k in range(k0, kmax + 1) if last is None or P.probe_time(start, probe, k) > last]
                if msg is not None:
                    for k in ks[-P.MAX_EVENTS_PER_STEP:]:
                        ev("Warning", "Unhealthy", f"{what} probe failed: {msg}", P.probe_time(start, probe, k))
                killed = now >= kill_at and (last is None or last < kill_at)
                if killed:
                    ev("Normal", "Killing", f"Container {c['name']} failed {what.lower()} probe, will be restarted", kill_at)
                if ks or killed:
                    P.set_reported(view, uid, c["name"], tag, min(now, kill_at))
                # a container that ignores SIGTERM is killed when the grace period ends
                # (kubelet's minimum is 2 s); others exit at once
                gone_at = kill_at + (max(grace, 2) if _ignores_sigterm(c) else 0)
                if now >= gone_at:
                    self._restart(view, pod, c, cs, gone_at, out)
                    return True
                timers.append(gone_at if now >= kill_at else P.probe_time(start, probe, kmax + 1))
                return False

            sp = c.get("startupProbe")
            started_at = start
            if sp and not cs.get("started"):
                ok, since, msg = P.outcome(view, pod, c, sp, now)
                ft = P.field(sp, "failureThreshold")
                # no success yet, so every probe so far failed: count from the first
                k_ok = P.first_index_at_or_after(start, sp, max(since or start, start)) if ok else None
                if k_ok is not None and k_ok < ft:
                    ok_at = P.probe_time(start, sp, k_ok)
                    if now < ok_at:
                        timers.append(ok_at)
                        continue
                    cs["started"] = True
                    P.set_reported(view, uid, c["name"], f"started/{restarts}", ok_at)
                    changed = True
                    started_at = ok_at
                else:
                    if failing(sp, "Startup", 0, P.probe_time(start, sp, ft - 1), None if ok else msg):
                        changed = True
                    continue
            elif sp:
                started_at = P.last_reported(view, uid, c["name"], f"started/{restarts}") or start
            lp = c.get("livenessProbe")
            if lp:
                ok, since, msg = P.outcome(view, pod, c, lp, now)
                if not ok:
                    k0 = P.first_index_at_or_after(start, lp, max(since or start, started_at))
                    if failing(lp, "Liveness", k0, P.probe_time(start, lp, k0 + P.field(lp, "failureThreshold") - 1), msg):
                        changed = True
                        continue
            rp = c.get("readinessProbe")
            if not rp:
                want, at = True, started_at
            else:
                ok, since, msg = P.outcome(view, pod, c, rp, now)
                k0 = P.first_index_at_or_after(start, rp, max(since or start, started_at))
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
        # readiness gates: a condition written by someone else changes Ready without a probe
        changed = _set_ready_conditions(pod, ready_at if ready_at <= now else now) or changed
        if changed:
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
        _fresh_instance(cs, c)
        cid = cs.get("containerID", "")
        if cid:
            cs["containerID"] = cid[:-8] + f"{cs['restartCount']:08x}"
        out.extend(_start_events(pod, c, at))
        _command_output(view, pod, c, at)
        self._post_start(view, pod, c, cs, at, out)


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


def _back_off(pod, cs, delay, out):
    """The container waits `delay` s in CrashLoopBackOff before kubelet starts it again."""
    meta = pod["metadata"]
    who = f"{meta['name']}_{meta.get('namespace', '')}({meta.get('uid', '')})"
    fin = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
    cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                               "message": f"back-off {delay}s restarting failed container={cs['name']} pod={who}"}}
    cs["ready"] = False
    cs["started"] = False
    out.append(Event(pod, "Warning", "BackOff", f"Back-off restarting failed container {cs['name']} in pod {who}",
                     _source(pod["spec"]["nodeName"]), f"spec.containers{{{cs['name']}}}", at=parse_time(fin)))


def _restart_due(cs: dict) -> float | None:
    """When a container waiting to be started again (back-off, failed postStart) starts."""
    if ((cs.get("state") or {}).get("waiting") or {}).get("reason") not in ("CrashLoopBackOff", "PostStartHookError"):
        return None
    fin = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
    return None if fin is None else fin + _crash_backoff(int(cs.get("restartCount") or 0))


def run_hook(view, pod: dict, c: dict, hook: dict, at: float) -> tuple[float, str | None]:
    """Run a lifecycle handler (exec, httpGet, sleep) in container c at `at`: (seconds it
    takes, kubelet's failure message or None)."""
    from pykubectl.runtime import exits, images, probes, shell
    meta = pod["metadata"]
    who = f"{meta['name']}_{meta.get('namespace', '')}({meta.get('uid', '')})"
    if "exec" in hook:
        argv = [str(a) for a in hook["exec"].get("command") or ()]
        tool = argv[0].rsplit("/", 1)[-1] if argv else ""
        seconds = (exits._command(argv) or (0.0, 0))[0] if argv else 0.0
        if tool not in shell.BUILTINS and tool not in ("sh", "bash", "ash", "dash"):
            return seconds, None        # the image's own tool (nginx -s quit, ...): it works
        out, err, code = shell.run(view, pod, c["name"], argv, now=at)
        if code == 0:
            return seconds, None
        return seconds, (f"Exec lifecycle hook ([{' '.join(argv)}]) for Container {_goq(c['name'])} in Pod {_goq(who)} "
                         f"failed - error: command '{' '.join(argv)}' exited with {code}: {err}, message: {_goq(out + err)}")
    if "httpGet" in hook:
        hg = hook["httpGet"]
        port = probes._port(c, hg.get("port"))
        path = hg.get("path") or ""
        host = hg.get("host") or (pod.get("status") or {}).get("podIP") or ""
        h = images.http_handler(pod, c["name"], port, view=view, now=at) if port else None
        known = images.parse(c.get("image", ""))[0] in images.CATALOGUE
        if h is not None:
            h("GET", path or "/", {}, "")
        elif known:
            # kubelet only fails an HTTP hook it cannot connect to; any status will do
            return 0.0, (f"HTTP lifecycle hook ({path}) for Container {_goq(c['name'])} in Pod {_goq(who)} failed - "
                         f'error: Get "http://{host}:{port}{path}": dial tcp {host}:{port}: connect: connection refused')
        return 0.0, None
    if "sleep" in hook:
        return float(hook["sleep"].get("seconds") or 0), None
    return 0.0, None


def _goq(s: str) -> str:
    """Go's %q, for the ASCII text kubelet quotes."""
    import json
    return json.dumps(s, ensure_ascii=False)


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


def _image_size(image: str) -> int:
    from pykubectl.runtime import images
    return images.size(image)


def _with_images(node: dict, pulled: list[str]):
    """A Put of the node with images it did not list yet in status.images (what ImageLocality
    scores), or None; as the kubelet's node status reports containerd's image list."""
    if "status" not in node:
        return None
    from pykubectl.runtime import images
    have = {n for img in node["status"].get("images") or () for n in img.get("names") or ()}
    new = []
    for image in pulled:
        full = images.full_name(image)
        if image and full not in have:
            have.add(full)
            new.append({"names": [full], "sizeBytes": images.size(image)})
    if not new:
        return None
    node = copy.deepcopy(node)
    node["status"]["images"] = list(node["status"].get("images") or ()) + new
    return Put("nodes", node, status=True)


def _start_events(pod, c, at, field="spec.containers"):
    node = pod["spec"]["nodeName"]
    fp = f"{field}{{{c['name']}}}"
    image = c.get("image", "")
    if c.get("imagePullPolicy") == "Always":
        pulled = [Event(pod, "Normal", "Pulling", f'Pulling image "{image}"', _source(node), fp, at=at),
                  Event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {PULL_SECONDS:.0f}s '
                        f'({PULL_SECONDS:.0f}s including waiting). Image size: {_image_size(image)} bytes.', _source(node), fp, at=at)]
    else:
        pulled = [Event(pod, "Normal", "Pulled", f'Container image "{image}" already present on machine',
                        _source(node), fp, at=at)]
    return pulled + [Event(pod, "Normal", "Created", f"Created container: {c['name']}", _source(node), fp, at=at),
                     Event(pod, "Normal", "Started", f"Started container {c['name']}", _source(node), fp, at=at)]


def _fresh_instance(cs: dict, c: dict) -> None:
    """A container instance that just started: not `started` while a startup probe guards it,
    ready only once started and when no readiness probe has yet to pass."""
    cs["started"] = not c.get("startupProbe")
    cs["ready"] = cs["started"] and not c.get("readinessProbe")


def _gates_message(pod: dict) -> str | None:
    """Why the pod's readiness gates hold Ready False (kubelet's words), or None if they pass."""
    conds = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or ()}
    msgs = []
    for g in (pod.get("spec") or {}).get("readinessGates") or ():
        c = conds.get(g.get("conditionType"))
        if c is None:
            msgs.append(f'corresponding condition of pod readiness gate "{g.get("conditionType")}" does not exist.')
        elif c.get("status") != "True":
            msgs.append(f'the status of pod readiness gate "{g.get("conditionType")}" is not "True", but {c.get("status")}')
    return ", ".join(msgs) or None


def _set_ready_conditions(pod, at) -> bool:
    """ContainersReady from the containers, Ready from that and the readiness gates (as
    kubelet's GeneratePodReadyCondition); True when a condition changed."""
    st = pod["status"]
    css = st.get("containerStatuses") or []
    unready = [cs["name"] for cs in css if not cs.get("ready")]
    gates = None if unready else _gates_message(pod)
    changed = False
    for cond in st.get("conditions") or ():
        if cond.get("type") not in ("Ready", "ContainersReady"):
            continue
        before = dict(cond)
        if unready:
            status, reason, msg = "False", "ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]"
        elif gates and cond["type"] == "Ready":
            status, reason, msg = "False", "ReadinessGatesNotReady", gates
        else:
            status, reason, msg = "True", None, None
        if cond.get("status") != status:
            cond["lastTransitionTime"] = rfc3339(at)
        cond["status"] = status
        if reason:
            cond["reason"], cond["message"] = reason, msg
        else:
            cond.pop("reason", None)
            cond.pop("message", None)
        changed = changed or cond != before
    return changed


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
