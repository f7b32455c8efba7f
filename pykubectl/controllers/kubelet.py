"""A first simulated kubelet: a bound pod goes Pending -> ContainerCreating -> Running after a
short simulated image pull, gets an IP from its node's Calico block, the five pod conditions and
kubelet's events; a deleted pod's containers stop (at once, or after the full grace period for
images that ignore SIGTERM) and the pod object goes. The kubelet issue completes it (probes,
restarts, image errors, exec)."""
from __future__ import annotations

import copy
import ipaddress

from pykubectl.controllers.manager import Controller, Delete, Event, Put, Timer, make_key, split_key
from pykubectl.store.clock import parse_time, rfc3339

PULL_SECONDS = 2.0
# images whose PID 1 ignores SIGTERM: deleting their pod takes the full grace period
IGNORES_SIGTERM = ("kubetm/app",)


def _image_repo(image: str) -> str:
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref = ref[: len(ref) - len(last)] + last.split(":", 1)[0]
    return ref


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
            return self._terminate(key, pod, now)
        status = pod.get("status") or {}
        if status.get("phase") == "Running":
            return self._exits(key, pod, now)
        if status.get("phase") not in (None, "Pending"):
            return []
        started = parse_time(status.get("startTime"))
        if started is None:
            return self._start(key, pod, view, now)
        if now >= started + PULL_SECONDS:
            return self._run(pod, view, now)
        return [Timer(key, started + PULL_SECONDS)]

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
        sched = [c for c in st.get("conditions") or [] if c.get("type") == "PodScheduled"] or [_cond("PodScheduled", "True", now)]
        st["conditions"] = [_cond("PodReadyToStartContainers", "False", now), _cond("Initialized", "True", now),
                            _cond("Ready", "False", now, "ContainersNotReady"),
                            _cond("ContainersReady", "False", now, "ContainersNotReady")] + sched
        for c in st["conditions"]:
            if c.get("reason") == "ContainersNotReady":
                names = ", ".join(x["name"] for x in pod["spec"].get("containers") or ())
                c["message"] = f"containers with unready status: [{names}]"
        st["containerStatuses"] = [{
            "name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": False, "restartCount": 0,
            "started": False, "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
            "volumeMounts": [{"name": m["name"], "mountPath": m["mountPath"], **({"readOnly": True} if m.get("readOnly") else {}),
                              "recursiveReadOnly": "Disabled"} for m in c.get("volumeMounts") or ()],
        } for c in pod["spec"].get("containers") or ()]
        evs = [Event(pod, "Normal", "Pulling", f'Pulling image "{c.get("image", "")}"', _source(node_name),
                     field_path=f"spec.containers{{{c['name']}}}") for c in pod["spec"].get("containers") or ()]
        return [Put("pods", pod, status=True), *evs, Timer(key, now + PULL_SECONDS)]

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
        for cs, c in zip(st.get("containerStatuses") or (), pod["spec"].get("containers") or ()):
            image = c.get("image", "")
            repo = _image_repo(image)
            full = image if "/" in repo.split(":")[0] and "." in repo.split("/")[0] else f"docker.io/{image if '/' in repo else 'library/' + image}"
            if ":" not in full.rsplit("/", 1)[-1]:
                full += ":latest"
            cs.update({"ready": ready, "started": True, "imageID": f"{full.rsplit(':', 1)[0]}@sha256:" + "0" * 64,
                       "image": full, "containerID": "containerd://" + (pod["metadata"]["uid"].replace("-", "") + c["name"].encode().hex())[:64],
                       "state": {"running": {"startedAt": rfc3339(now)}}})
            fp = f"spec.containers{{{c['name']}}}"
            evs += [Event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {PULL_SECONDS:.0f}s ({PULL_SECONDS:.0f}s including waiting). Image size: 0 bytes.', _source(node_name), fp),
                    Event(pod, "Normal", "Created", f"Created container: {c['name']}", _source(node_name), fp),
                    Event(pod, "Normal", "Started", f"Started container {c['name']}", _source(node_name), fp)]
        from pykubectl.runtime import exits
        nxt = [t for t, _ in exits.exit_times(pod).values()]
        key = make_key("", "pods", pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
        return [Put("pods", pod, status=True), *evs] + ([Timer(key, min(nxt))] if nxt else [])

    def _exits(self, key, pod, now):
        """Containers whose command ends (sh -c "exit 0", sleep 5, ...) exit at their moment."""
        from pykubectl.runtime import exits
        out = []
        st = exits.finish_containers(pod, now)
        if st is not None:
            pod = copy.deepcopy(pod)
            pod["status"] = st
            out.append(Put("pods", pod, status=True))
        nxt = [t for t, _ in exits.exit_times(pod).values() if t > now]
        if nxt and pod["status"].get("phase") == "Running":
            out.append(Timer(key, min(nxt)))
        return out

    def _terminate(self, key, pod, now):
        meta = pod["metadata"]
        deadline = parse_time(meta["deletionTimestamp"]) or now
        running = (pod.get("status") or {}).get("phase") == "Running"
        stubborn = any(_image_repo(c.get("image", "")) in IGNORES_SIGTERM for c in pod["spec"].get("containers") or ())
        # a container that exits on SIGTERM stops at once; one that ignores it is killed at the deadline
        stop_at = deadline if (stubborn and running) else min(deadline, now)
        c0 = pod["spec"]["containers"][0]["name"]
        killing = Event(pod, "Normal", "Killing", f"Stopping container {c0}", _source(pod["spec"]["nodeName"]),
                        f"spec.containers{{{c0}}}")
        if now < stop_at:
            return [killing, Timer(key, stop_at)]
        first = not meta.get("deletionGracePeriodSeconds") or now < (parse_time(meta["deletionTimestamp"]) or now)
        return ([killing] if running and first else []) + [Delete("pods", meta.get("namespace", ""), meta["name"], grace_period=0, uid=meta.get("uid"))]


def controllers(cluster):
    return [Kubelet()]
