"""pykubectl sim trace [--since DURATION]: the timeline of what each controller did.

A real cluster hides this behind many components' logs. Here it is read back from the store's
change log (every write, in revision order) and the Events in it: who created what, what each
controller decided (Events: ScalingReplicaSet, SuccessfulCreate, Scheduled, Pulled, Started,
Unhealthy, Killing...), and the visible transitions no Event reports (a pod's phase, IP and
readiness, replicas becoming ready, endpoints added and removed, nodes cordoned or NotReady).

The change log carries no timestamps: each entry takes the newest time it shows (an Event's,
a creation's, a condition's transition), never earlier than the entry before it. The lab's
blueprint objects (written without managedFields at `cluster create`) are not traced.
"""
from __future__ import annotations

import sys

import click

# controllers' own writes are told by their Events; creations by these managers are not repeated
_CONTROLLER_MANAGERS = ("kube-controller-manager",)
# field managers that are the control plane rather than a client
_CONTROLLERS = {"kube-controller-manager", "kubelet", "kube-scheduler", "default-scheduler",
                "kube-apiserver", "node-controller"}
_QUIET = {"events", "leases", "serviceaccounts", "secrets", "configmaps", "controllerrevisions"}
_WORKLOADS = {"deployments", "replicasets", "statefulsets", "daemonsets", "replicationcontrollers"}
_CONTROLLER_OF = {"deployments": "deployment-controller", "replicasets": "replicaset-controller",
                  "statefulsets": "statefulset-controller", "daemonsets": "daemonset-controller",
                  "replicationcontrollers": "replication-controller", "jobs": "job-controller",
                  "cronjobs": "cronjob-controller", "endpoints": "endpoint-controller",
                  "endpointslices": "endpointslice-controller", "nodes": "node-lifecycle-controller",
                  "horizontalpodautoscalers": "horizontal-pod-autoscaler",
                  "persistentvolumeclaims": "persistentvolume-binder",
                  "persistentvolumes": "persistentvolume-binder"}


def _parse(ts):
    from pykubectl.store.clock import parse_time
    try:
        return parse_time(ts) if isinstance(ts, str) else None
    except ValueError:
        return None


def _object_name(res: str, grp: str, name: str, kind: str = "") -> str:
    if kind:
        return f"{kind.lower()}.{grp}/{name}" if grp else f"{kind.lower()}/{name}"
    singular = res[:-1] if res.endswith("s") else res
    if res.endswith("ies"):
        singular = res[:-3] + "y"
    elif res.endswith(("sses", "ches")):
        singular = res[:-2]
    return f"{singular}.{grp}/{name}" if grp else f"{singular}/{name}"


def _involved(ev: dict) -> str:
    io = ev.get("involvedObject") or ev.get("regarding") or {}
    api = io.get("apiVersion", "")
    group = api.rsplit("/", 1)[0] if "/" in api else ""
    kind = (io.get("kind") or "").lower()
    return f"{kind}.{group}/{io.get('name', '')}" if group else f"{kind}/{io.get('name', '')}"


def _times(obj: dict) -> list[float]:
    """The moments an object's state tells of (conditions, container starts, deletion)."""
    out = []
    meta = obj.get("metadata") or {}
    for ts in [meta.get("deletionTimestamp")] + [m.get("time") for m in meta.get("managedFields") or ()]:
        out.append(_parse(ts))
    status = obj.get("status") or {}
    for c in status.get("conditions") or ():
        if isinstance(c, dict):
            out += [_parse(c.get("lastTransitionTime")), _parse(c.get("lastUpdateTime"))]
    for cs in status.get("containerStatuses") or ():
        for st in ((cs or {}).get("state") or {}).values():
            if isinstance(st, dict):
                out += [_parse(st.get("startedAt")), _parse(st.get("finishedAt"))]
    return [t for t in out if t is not None]


def _event_time(ev: dict):
    series = ev.get("series") or {}
    for ts in (series.get("lastObservedTime"), ev.get("lastTimestamp"), ev.get("eventTime"),
               ev.get("firstTimestamp"), (ev.get("metadata") or {}).get("creationTimestamp")):
        t = _parse(ts)
        if t is not None:
            return t
    return None


def _cond(obj, typ):
    for c in (obj.get("status") or {}).get("conditions") or ():
        if isinstance(c, dict) and c.get("type") == typ:
            return c.get("status")
    return None


def _last_manager(obj) -> str:
    mf = (obj.get("metadata") or {}).get("managedFields") or []
    if not mf:
        return ""
    newest = max(mf, key=lambda m: m.get("time") or "")
    return newest.get("manager", "")


def _is_client_write(meta: dict) -> bool:
    mf = meta.get("managedFields") or []
    return bool(mf) and max(mf, key=lambda m: m.get("time") or "").get("manager") not in _CONTROLLERS


def _pod_changes(old: dict, new: dict) -> list[tuple[str, str]]:
    node = (new.get("spec") or {}).get("nodeName") or ""
    kubelet = f"kubelet ({node})" if node else "kubelet"
    os_, ns_ = old.get("status") or {}, new.get("status") or {}
    out = []
    if not (old.get("metadata") or {}).get("deletionTimestamp") and (new.get("metadata") or {}).get("deletionTimestamp"):
        grace = (new.get("metadata") or {}).get("deletionGracePeriodSeconds")
        out.append(("apiserver", f"terminating (grace period {grace}s)" if grace is not None else "terminating"))
    if os_.get("podIP") != ns_.get("podIP") and ns_.get("podIP"):
        out.append((kubelet, f"pod IP {ns_['podIP']}"))
    if os_.get("phase") != ns_.get("phase") and ns_.get("phase"):
        out.append((kubelet, f"phase {os_.get('phase') or '-'} -> {ns_['phase']}"))
    was, now = _cond(old, "Ready"), _cond(new, "Ready")
    if was != now and now is not None and not (was is None and now == "False"):
        out.append((kubelet, f"Ready {was or '-'} -> {now}"))
    restarts_old = {c.get("name"): c.get("restartCount", 0) for c in os_.get("containerStatuses") or ()}
    for c in ns_.get("containerStatuses") or ():
        if c.get("restartCount", 0) > restarts_old.get(c.get("name"), 0):
            out.append((kubelet, f"container {c.get('name')} restarted (restarts: {c.get('restartCount')})"))
    return out


def _workload_changes(res: str, old: dict, new: dict) -> list[tuple[str, str]]:
    out = []
    ospec, nspec = old.get("spec") or {}, new.get("spec") or {}
    who = _last_manager(new) or "-"
    if ospec.get("replicas") != nspec.get("replicas") and nspec.get("replicas") is not None:
        out.append((who, f"replicas {ospec.get('replicas')} -> {nspec['replicas']}"))
    oi = [c.get("image") for c in ((ospec.get("template") or {}).get("spec") or {}).get("containers") or ()]
    ni = [c.get("image") for c in ((nspec.get("template") or {}).get("spec") or {}).get("containers") or ()]
    if oi != ni and ni:
        out.append((who, f"image {', '.join(map(str, oi))} -> {', '.join(map(str, ni))}"))
    ost, nst = old.get("status") or {}, new.get("status") or {}
    want = nspec.get("replicas", nst.get("desiredNumberScheduled"))
    if (ost.get("readyReplicas") or ost.get("numberReady") or 0) != (nst.get("readyReplicas") or nst.get("numberReady") or 0):
        ready = nst.get("readyReplicas") or nst.get("numberReady") or 0
        out.append((_CONTROLLER_OF.get(res, "-"), f"ready {ready}/{want if want is not None else '?'}"))
    return out


def _endpoint_ips(obj: dict, res: str) -> dict[str, str]:
    """address -> target pod name, ready addresses only."""
    out = {}
    if res == "endpoints":
        for sub in obj.get("subsets") or ():
            for a in sub.get("addresses") or ():
                out[a.get("ip", "")] = ((a.get("targetRef") or {}).get("name") or "")
    else:
        for ep in obj.get("endpoints") or ():
            if (ep.get("conditions") or {}).get("ready", True) is False:
                continue
            for ip in ep.get("addresses") or ():
                out[ip] = ((ep.get("targetRef") or {}).get("name") or "")
    return out


def _node_changes(old: dict, new: dict) -> list[tuple[str, str]]:
    out = []
    was, now = _cond(old, "Ready"), _cond(new, "Ready")
    if was != now and now is not None:
        out.append(("node-lifecycle-controller" if now != "True" else "kubelet", f"Ready {was or '-'} -> {now}"))
    ou, nu = bool((old.get("spec") or {}).get("unschedulable")), bool((new.get("spec") or {}).get("unschedulable"))
    if ou != nu:
        out.append((_last_manager(new) or "-", "cordoned" if nu else "uncordoned"))
    ot = {(t.get("key"), t.get("effect")) for t in (old.get("spec") or {}).get("taints") or ()}
    nt = {(t.get("key"), t.get("effect")) for t in (new.get("spec") or {}).get("taints") or ()}
    for k, e in sorted(nt - ot, key=str):
        out.append(("-", f"taint added {k}:{e}"))
    for k, e in sorted(ot - nt, key=str):
        out.append(("-", f"taint removed {k}:{e}"))
    return out


def trace_rows(changes, now: float, since: float | None = None,
               namespace: str | None = None) -> list[tuple[float, str, str, str]]:
    """(time, who, object, what) for the change log's entries (rev, type, grp, res, ns, name, obj),
    oldest first; only those at or after now - since when since is given, and only namespace's
    objects (and cluster-scoped ones) when namespace is given."""
    rows: list[tuple[float, str, str, str]] = []
    prev: dict[tuple, dict] = {}
    clock = None
    started = False
    for _rev, typ, grp, res, ns, name, obj in changes:
        key = (grp, res, ns, name)
        old = prev.get(key)
        prev[key] = obj
        meta = obj.get("metadata") or {}
        # the cluster's own bring-up (blueprint objects, system pods starting) is not a
        # timeline anyone asked for: the trace starts with the first client's write
        if not started:
            started = res != "events" and _is_client_write(meta)
            if not started:
                continue
        if res == "events" and grp in ("", "events.k8s.io"):
            t = _event_time(obj)
            if typ == "DELETED" or t is None:
                continue
            if old is not None and (old.get("count") or 1) >= (obj.get("count") or 1):
                continue
            clock = t if clock is None else max(clock, t)
            src = obj.get("source") or {}
            who = src.get("component") or obj.get("reportingController") or obj.get("reportingComponent") or "-"
            if src.get("host") and who == "kubelet":
                who = f"kubelet ({src['host']})"
            count = obj.get("count") or 1
            what = f"{obj.get('reason', '')}: {obj.get('message', '')}" + (f" (x{count})" if count > 1 else "")
            involved_ns = (obj.get("involvedObject") or obj.get("regarding") or {}).get("namespace", "")
            rows.append((clock, who, _involved(obj), what, involved_ns))
            continue
        stamps = _times(obj)
        if typ == "ADDED":
            created = _parse(meta.get("creationTimestamp"))
            stamps = [created] if created is not None else stamps
        t = max(stamps) if stamps else None
        clock = t if clock is None else max(clock, t if t is not None else clock)
        if clock is None:
            continue
        obj_name = _object_name(res, grp, name, obj.get("kind") or "")
        entries: list[tuple[str, str]] = []
        if typ == "ADDED":
            mf = meta.get("managedFields") or []
            if not mf or mf[0].get("manager") in _CONTROLLER_MANAGERS:
                continue
            entries.append((mf[0].get("manager", "-"), "created"))
        elif typ == "DELETED":
            if res in _QUIET:
                continue
            # a bound pod is removed by its kubelet once its containers stopped
            node = (obj.get("spec") or {}).get("nodeName") if res == "pods" and not grp else None
            entries.append((f"kubelet ({node})" if node else "-", "deleted"))
        elif old is None or res in _QUIET:
            continue
        elif res == "pods" and not grp:
            entries = _pod_changes(old, obj)
        elif res in _WORKLOADS:
            entries = _workload_changes(res, old, obj)
        elif res in ("endpoints", "endpointslices"):
            a, b = _endpoint_ips(old, res), _endpoint_ips(obj, res)
            who = _CONTROLLER_OF[res]
            entries = [(who, f"endpoint added {ip}" + (f" (pod/{b[ip]})" if b[ip] else "")) for ip in sorted(set(b) - set(a))]
            entries += [(who, f"endpoint removed {ip}" + (f" (pod/{a[ip]})" if a[ip] else "")) for ip in sorted(set(a) - set(b))]
        elif res == "nodes" and not grp:
            entries = _node_changes(old, obj)
        elif res == "horizontalpodautoscalers":
            o, n = (old.get("status") or {}).get("desiredReplicas"), (obj.get("status") or {}).get("desiredReplicas")
            if o != n and n is not None:
                entries = [(_CONTROLLER_OF[res], f"desired replicas {o} -> {n}")]
        elif res == "persistentvolumeclaims":
            o, n = (old.get("status") or {}).get("phase"), (obj.get("status") or {}).get("phase")
            if o != n and n:
                entries = [(_CONTROLLER_OF[res], f"{n}" + (f" to {(obj.get('spec') or {}).get('volumeName')}" if n == "Bound" else ""))]
        for who, what in entries:
            rows.append((clock, who, obj_name, what, ns))
    if since is not None:
        rows = [r for r in rows if r[0] >= now - since]
    if namespace is not None:
        rows = [r for r in rows if r[4] in ("", namespace)]
    return [r[:4] for r in rows]


def render(rows) -> str:
    """The rows as a table, times as the cluster's clock shows them."""
    from pykubectl.printers.render import tabwrite
    from pykubectl.store.clock import rfc3339
    if not rows:
        return "No controller activity found\n"
    lines = ["TIME\tWHO\tOBJECT\tWHAT"]
    for t, who, obj, what in rows:
        lines.append(f"{rfc3339(t)[11:19]}\t{who}\t{obj}\t{what}")
    return tabwrite("\n".join(lines) + "\n")


@click.command("trace")
@click.option("--since", default=None, metavar="DURATION",
              help="Only what happened in the last DURATION of cluster time (30s, 5m, 1h).")
@click.option("-A", "--all-namespaces", is_flag=True,
              help="Every namespace's objects (by default: the current namespace's, and cluster-scoped ones).")
@click.pass_obj
def command(g, since, all_namespaces):
    """The timeline of what each controller did after each command: created, scheduled,
    pulled, started, probe failed, endpoint added, scaled..."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.errors import CLIError
    from pykubectl.store.clock import parse_duration
    secs = None
    if since is not None:
        if since.strip().startswith("-"):
            raise CLIError("--since must not be negative")
        try:
            secs = parse_duration(since)
        except ValueError as e:
            raise CLIError(str(e)) from None
    client = make_client(g)
    cluster = getattr(client, "cluster", None)
    if cluster is None:
        raise CLIError("sim trace reads a local cluster's change log; the current context is a remote API server")
    client.list(client.resolve("namespaces"), None)     # bring due timers up to date first
    changes = []
    with cluster.store.read() as txn:
        rev = txn.compacted()
        while True:
            batch = txn.changes_since(rev, limit=5000)
            if not batch:
                break
            changes.extend(batch)
            rev = batch[-1][0]
    ns = None if all_namespaces else client.namespace
    sys.stdout.write(render(trace_rows(changes, cluster.clock.now(), secs, ns)))
