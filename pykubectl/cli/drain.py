"""kubectl drain: cordon, then evict every pod on the node that kubectl's filters let go
(DaemonSet-managed, mirror, local-storage and unreplicated pods as k8s.io/kubectl/pkg/drain
decides), respecting PodDisruptionBudgets, then wait for them to be gone.

Pods go through the eviction subresource (in-process: controllers/disruption.evict), which
spends the matching budget's status.disruptionsAllowed or answers 429; --disable-eviction
DELETEs. With a virtual clock nothing can finish while drain waits, so it reports each eviction
as soon as it is accepted."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl drain NODE [options]"
LONG = "Drain node in preparation for maintenance.\n\n The given node will be marked unschedulable to prevent new pods from arriving. 'drain' evicts the pods if the API server supports https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ eviction https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ . Otherwise, it will use normal DELETE to delete the pods. The 'drain' evicts or deletes all pods except mirror pods (which cannot be deleted through the API server).  If there are daemon set-managed pods, drain will not proceed without --ignore-daemonsets, and regardless it will not delete any daemon set-managed pods, because those pods would be immediately replaced by the daemon set controller, which ignores unschedulable markings.  If there are any pods that are neither mirror pods nor managed by a replication controller, replica set, daemon set, stateful set, or job, then drain will not delete any pods unless you use --force.  --force will also allow deletion to proceed if the managing resource of one or more pods is missing.\n\n 'drain' waits for graceful termination. You should not operate on the machine until the command completes.\n\n When you are ready to put the node back into service, use kubectl uncordon, which will make the node schedulable again.\n\nhttps://kubernetes.io/images/docs/kubectl_drain.svg Workflowhttps://kubernetes.io/images/docs/kubectl_drain.svg"
EXAMPLES = '  # Drain node "foo", even if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set on it\n  kubectl drain foo --force\n  \n  # As above, but abort if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set, and use a grace period of 15 minutes\n  kubectl drain foo --grace-period=900\n'
FLAGS = [
    Flag("chunk-size", kind="int", default=500, help="Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future."),
    Flag("delete-emptydir-data", kind="bool", help="Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained)."),
    Flag("disable-eviction", kind="bool", help="Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution."),
    DRY_RUN,
    Flag("force", kind="bool", help="Continue even if there are pods that do not declare a controller."),
    Flag("grace-period", kind="int", default=-1, help="Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used."),
    Flag("ignore-daemonsets", kind="bool", help="Ignore DaemonSet-managed pods."),
    Flag("pod-selector", help="Label selector to filter pods on the node"),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("skip-wait-for-delete-timeout", kind="int", default=0, help="If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds must be greater than 0 to skip."),
    Flag("timeout", kind="duration", default="0s", help="The length of time to wait before giving up, zero means infinite"),
]

# k8s.io/kubectl/pkg/drain/filters.go
DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "Pods declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"


class DrainError(Exception):
    pass


def classify(pod: dict, *, ignore_daemonsets: bool, delete_emptydir: bool, force: bool,
             daemonset_exists=lambda ns, name: True):
    """The drain filters in kubectl's order: (delete?, 'error'|'warning'|None, message)."""
    meta = pod["metadata"]
    finished = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    ref = next((r for r in meta.get("ownerReferences") or () if r.get("controller")), None)
    if ref and ref.get("kind") == "DaemonSet" and not meta.get("deletionTimestamp") and not finished:
        if not daemonset_exists(meta.get("namespace", ""), ref.get("name")) and force:
            return True, "warning", UNMANAGED_WARNING
        if not ignore_daemonsets:
            return False, "error", DAEMONSET_FATAL
        return False, "warning", DAEMONSET_WARNING
    if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return False, None, ""
    status = (True, None, "")
    if not finished and any("emptyDir" in v for v in (pod.get("spec") or {}).get("volumes") or ()):
        if not delete_emptydir:
            return False, "error", LOCAL_STORAGE_FATAL
        status = (True, "warning", LOCAL_STORAGE_WARNING)
    if not finished and ref is None:
        if not force:
            return False, "error", UNMANAGED_FATAL
        status = (True, "warning", UNMANAGED_WARNING)
    return status


def _grouped(items) -> list[tuple[str, list[str]]]:
    by: dict[str, list[str]] = {}
    for msg, ref in items:
        by.setdefault(msg, []).append(ref)
    return sorted(by.items())


def go_duration(secs: float) -> str:
    """time.Duration.String() for whole seconds."""
    secs = int(secs)
    if secs == 0:
        return "0s"
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return (f"{h}h{m}m{s}s" if h else f"{m}m{s}s" if m else f"{s}s")


def run(g, o, args):
    """Drain node in preparation for maintenance."""
    from pykubectl.cli.apply import dry_run_mode, suffix
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.cordon import nodes_for, set_unschedulable
    from pykubectl.cli.errors import Printed
    from pykubectl.store.clock import parse_duration
    dry = dry_run_mode(o.dry_run)
    try:
        timeout = parse_duration(o.timeout)
    except ValueError as e:
        raise CLIError(str(e))
    client = make_client(g)
    failed: list[tuple[str, str]] = []
    for node in nodes_for(client, "drain", args, o.selector):
        set_unschedulable(client, node, True, dry)
        name = node["metadata"]["name"]
        try:
            _drain(client, o, name, dry, timeout)
        except DrainError as e:
            sys.stderr.write(f'error: unable to drain node "{name}" due to error: {e}, continuing command...\n')
            failed.append((name, str(e)))
            continue
        sys.stdout.write(f"node/{name} drained{suffix(dry)}\n")
    if failed:
        sys.stderr.write("There are pending nodes to be drained:\n")
        for name, _ in failed:
            sys.stderr.write(f" {name}\n")
        sys.stderr.write(f"error: {failed[-1][1]}\n")
        raise Printed(1)


def _drain(client, o, node: str, dry: str, timeout: float) -> None:
    from pykubectl.api.errors import StatusError
    pods_kind = client.resolve("pods")
    pods = client.list(pods_kind, None, label_selector=o.pod_selector or None,
                       field_selector=f"spec.nodeName={node}")["items"]
    ds_kind = client.resolve("daemonsets.apps")

    def ds_exists(ns, name):
        try:
            client.get(ds_kind, ns, name)
            return True
        except StatusError:
            return False

    delete, errors, warnings = [], [], []
    for pod in pods:
        ok, level, msg = classify(pod, ignore_daemonsets=o.ignore_daemonsets, delete_emptydir=o.delete_emptydir_data,
                                  force=o.force, daemonset_exists=ds_exists)
        ref = f"{pod['metadata'].get('namespace')}/{pod['metadata']['name']}"
        if level == "error":
            errors.append((msg, ref))
        elif level == "warning":
            warnings.append((msg, ref))
        if ok:
            delete.append(pod)
    if errors:
        msgs = [f"cannot delete {m}: {', '.join(refs)}" for m, refs in _grouped(errors)]
        raise DrainError(msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]")
    if warnings:
        sys.stderr.write("Warning: " + "; ".join(f"{m}: {', '.join(refs)}" for m, refs in _grouped(warnings)) + "\n")
    if dry == "client":
        for pod in delete:
            sys.stdout.write(f"evicting pod {pod['metadata'].get('namespace')}/{pod['metadata']['name']} (dry run)\n")
        return
    gone = []
    for pod in delete:
        ns, name = pod["metadata"].get("namespace", ""), pod["metadata"]["name"]
        grace = None if o.grace_period < 0 else o.grace_period
        try:
            if o.disable_eviction:
                sys.stdout.write(f"evicting pod {ns}/{name}\n")
                client.delete(pods_kind, ns, name, grace_period=grace, dry_run=(dry == "server"))
            else:
                _evict_until_allowed(client, pods_kind, ns, name, grace, dry == "server", timeout)
        except StatusError as e:
            if e.code != 404:
                raise DrainError(f'error when evicting pods/"{name}" -n "{ns}": {e.message}')
        gone.append((pods_kind, ns, name))
    if dry == "none":
        from pykubectl.cli.delete import _wait_gone
        _wait_gone(client, gone, timeout or 3600.0)
    for _, ns, name in gone:
        sys.stdout.write(f"pod/{name} evicted\n")


def evict(client, kind, ns: str, name: str, grace: int | None, dry_run: bool) -> None:
    """POST pods/<name>/eviction: in-process through the apiserver's eviction logic, or over HTTP."""
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}}
    if grace is not None:
        body["deleteOptions"] = {"gracePeriodSeconds": grace}
    if getattr(client, "server", None) is not None and getattr(client, "cluster", None) is not None:
        from pykubectl.controllers.disruption import evict as evict_in_process
        client._authorize("create", kind, ns, name, "eviction")
        client._sync()
        evict_in_process(client.server, ns, name, grace_period=grace, dry_run=dry_run)
        if not dry_run:
            client._after_write()
        return
    client.create(kind, body, ns, subresource="eviction", dry_run=dry_run)


def _evict_until_allowed(client, kind, ns, name, grace, dry_run: bool, timeout: float) -> None:
    """kubectl's eviction loop: a 429 (the budget allows no disruption now) is retried every 5 s
    until --timeout. With a virtual clock nothing can change while we wait, so the first
    refusal is final; against a remote server we wait as kubectl does."""
    import time

    from pykubectl.api.errors import StatusError
    waited = 0.0
    while True:
        sys.stdout.write(f"evicting pod {ns}/{name}\n")
        sys.stdout.flush()
        try:
            evict(client, kind, ns, name, grace, dry_run)
            return
        except StatusError as e:
            if e.code != 429:
                raise
            sys.stderr.write(f'error when evicting pods/"{name}" -n "{ns}" (will retry after 5s): {e.message}\n')
        cluster = getattr(client, "cluster", None)
        if (cluster is not None and cluster.clock.mode != "real") or (timeout and waited >= timeout):
            raise DrainError(f'error when evicting pods/"{name}" -n "{ns}": global timeout reached: {go_duration(timeout)}')
        time.sleep(5)
        waited += 5
        if cluster is not None:
            cluster.reconcile()
