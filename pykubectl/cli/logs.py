"""kubectl logs: what a simulated container wrote (its command's echoes, the requests kubetm/app
served), per container instance, with kubelet's errors for containers that have not started."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]"
LONG = ("Print the logs for a container in a pod or specified resource. If the pod has only one container, "
        "the container name is optional.")
EXAMPLES = """  # Return snapshot logs from pod nginx with only one container
  kubectl logs nginx
  
  # Return snapshot logs from pod nginx, prefixing each line with the source pod and container name
  kubectl logs nginx --prefix
  
  # Return snapshot logs from pod nginx with multi containers
  kubectl logs nginx --all-containers=true
  
  # Return snapshot logs from all containers in pods defined by label app=nginx
  kubectl logs -l app=nginx --all-containers=true
  
  # Return snapshot of previous terminated ruby container logs from pod web-1
  kubectl logs -p -c ruby web-1
  
  # Begin streaming the logs of the ruby container in pod web-1
  kubectl logs -f -c ruby web-1
  
  # Display only the most recent 20 lines of output in pod nginx
  kubectl logs --tail=20 nginx
  
  # Show all logs from pod nginx written in the last hour
  kubectl logs --since=1h nginx
  
  # Return snapshot logs from first container of a job named hello
  kubectl logs job/hello
"""
FLAGS = [
    Flag("all-containers", kind="bool", help="Get all containers' logs in the pod(s)."),
    Flag("all-pods", kind="bool", help="Get logs from all pod(s). Sets prefix to true."),
    Flag("container", "c", help="Print the logs of this container"),
    Flag("follow", "f", "bool", help="Specify if the logs should be streamed."),
    Flag("ignore-errors", kind="bool", help="If watching / following pod logs, allow for any errors that occur to be non-fatal"),
    Flag("insecure-skip-tls-verify-backend", kind="bool", help="Skip verifying the identity of the kubelet that logs are requested from.  In theory, an attacker could provide invalid log content back. You might want to use this if your kubelet serving certificates have expired."),
    Flag("limit-bytes", kind="int", default=0, help="Maximum bytes of logs to return. Defaults to no limit."),
    Flag("max-log-requests", kind="int", default=5, help="Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5."),
    Flag("pod-running-timeout", kind="duration", default="20s", help="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running"),
    Flag("prefix", kind="bool", help="Prefix each log line with the log source (pod name and container name)"),
    Flag("previous", "p", "bool", help="If true, print the logs for the previous instance of the container in a pod if it exists."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("since", kind="duration", default="0s", help="Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of since-time / since may be used."),
    Flag("since-time", help="Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of since-time / since may be used."),
    Flag("tail", kind="int", default=-1, help="Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector is provided."),
    Flag("timestamps", kind="bool", help="Include timestamps on each line in the log output"),
]

_USAGE_ERR = ("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
              "POD or TYPE/NAME is a required argument for the logs command\n"
              "See 'kubectl logs -h' for help and examples")


def _bad(msg):
    from pykubectl.api.errors import StatusError
    return StatusError(400, "BadRequest", msg)


def container_lines(view, pod: dict, container: str, previous: bool) -> list[tuple[str, str]]:
    """[(timestamp, line)] of one container (its previous instance with `previous`), or the
    BadRequest the kubelet answers."""
    from pykubectl.runtime import logs
    name = pod["metadata"]["name"]
    st = pod.get("status") or {}
    cs = next((x for x in (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
               if x.get("name") == container), None)
    if previous:
        if cs is None or not (cs.get("lastState") or {}).get("terminated"):
            raise _bad(f'previous terminated container "{container}" in pod "{name}" not found')
        return logs.read(view, pod, container, int(cs.get("restartCount") or 0) - 1)
    state = (cs or {}).get("state") or {}
    if cs is None or "waiting" in state:
        reason = ((state.get("waiting") or {}).get("reason")) or "ContainerCreating"
        if reason in ("ContainerCreating", "PodInitializing"):
            raise _bad(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
        if reason in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName"):
            image = next((c.get("image") for c in (pod["spec"].get("containers") or []) + (pod["spec"].get("initContainers") or [])
                          if c["name"] == container), "")
            raise _bad(f'container "{container}" in pod "{name}" is waiting to start: trying and failing to pull image'
                       if reason != "InvalidImageName" else
                       f'container "{container}" in pod "{name}" is waiting to start: image can\'t be pulled')
        # a container waiting out its back-off shows the logs of the one that just ended
        return logs.read(view, pod, container, max(int(cs.get("restartCount") or 0) - 1, 0))
    return logs.read(view, pod, container, int((cs or {}).get("restartCount") or 0))


def select(lines, *, tail: int, since: float | None, timestamps: bool, prefix: str = "",
           limit_bytes: int = 0) -> str:
    """Format lines as kubelet serves them: since filter, then tail, then timestamps/prefix."""
    from pykubectl.store.clock import parse_time
    if since is not None:
        lines = [ln for ln in lines if (parse_time(ln[0]) or 0) >= since]
    if tail >= 0:
        lines = lines[len(lines) - tail:] if tail else []
    out = "".join(f"{prefix}{_nano(ts) + ' ' if timestamps else ''}{msg}\n" for ts, msg in lines)
    return out[:limit_bytes] if limit_bytes > 0 else out


def _nano(ts: str) -> str:
    # kubelet's timestamps are RFC3339Nano
    return ts[:-1] + ".000000000Z" if ts.endswith("Z") and "." not in ts else ts


def run(g, o, args):
    """Print the logs for a container in a pod or specified resource."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.exec_ import first_pod, pick_container
    if o.selector and args:
        raise CLIError("only a selector (-l) or a POD name is allowed")
    if not o.selector and not args or len(args) > 2:
        raise CLIError(_USAGE_ERR)
    if "since" in o.changed and o.since_time:
        raise CLIError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    client = make_client(g)
    cluster = getattr(client, "cluster", None)
    if cluster is None:
        raise CLIError("logs is only available against the embedded cluster")
    ns = client.namespace
    container = o.container or (args[1] if len(args) == 2 else "")
    tail = o.tail
    if o.selector:
        from pykubectl.api.selectors import parse_label_selector
        sel = parse_label_selector(o.selector)
        pods = [p for p in client.list(client.resolve("pods"), ns).get("items") or []
                if sel.matches((p.get("metadata") or {}).get("labels") or {})]
        if not pods:
            sys.stderr.write(f"No resources found in {ns} namespace.\n")
            return
        if tail == -1 and "tail" not in o.changed:
            tail = 10
    else:
        pods = [first_pod(client, args[0], ns)]
    since = None
    now = client.now()
    if "since" in o.changed:
        from pykubectl.store.clock import parse_duration
        try:
            since = now - parse_duration(o.since)
        except ValueError as e:
            raise CLIError(f'invalid argument "{o.since}" for "--since" flag: {e}')
    elif o.since_time:
        from pykubectl.store.clock import parse_time
        since = parse_time(o.since_time)
        if since is None:
            raise CLIError(f'parsing time "{o.since_time}" as "2006-01-02T15:04:05Z07:00": cannot parse')
    prefix_all = o.prefix or o.all_pods or bool(o.selector) and o.prefix
    targets = []
    for pod in pods:
        if o.all_containers:
            spec = pod.get("spec") or {}
            names = [c["name"] for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])]
        else:
            names = [pick_container(pod, container, bool(o.selector), sys.stderr)]
        targets += [(pod, n) for n in names]
    seen = {}
    while True:
        from pykubectl.controllers.manager import View
        # a write transaction: the runtime's tables may not exist yet
        with cluster.store.write() as t:
            view = View(t, cluster.apiserver)
            for pod, cname in targets:
                cur = view.get("pods", ns, pod["metadata"]["name"]) or pod
                lines = container_lines(view, cur, cname, o.previous)
                k = (pod["metadata"]["name"], cname)
                new = lines[seen.get(k, 0):]
                if k in seen:
                    t_ = -1
                else:
                    t_ = tail
                seen[k] = len(lines)
                pre = f"[pod/{pod['metadata']['name']}/{cname}] " if prefix_all else ""
                sys.stdout.write(select(new, tail=t_, since=since, timestamps=o.timestamps, prefix=pre,
                                        limit_bytes=o.limit_bytes))
        sys.stdout.flush()
        if not o.follow or not _still_running(cluster, ns, targets):
            return
        import time
        try:
            time.sleep(1.0)
        except KeyboardInterrupt:      # ^C ends a follow quietly, as kubectl's does
            return
        cluster.reconcile()


def _still_running(cluster, ns, targets) -> bool:
    from pykubectl.controllers.manager import View
    with cluster.store.read() as t:
        view = View(t, cluster.apiserver)
        for pod, cname in targets:
            cur = view.get("pods", ns, pod["metadata"]["name"])
            if cur and cur["metadata"].get("uid") == pod["metadata"].get("uid"):
                for cs in (cur.get("status") or {}).get("containerStatuses") or []:
                    if cs.get("name") == cname and "terminated" not in (cs.get("state") or {}):
                        return True
    return False
