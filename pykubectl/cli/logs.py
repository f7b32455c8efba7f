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


# the kubelet's side lives with the server's streams (`run --attach` reads lines through here)
from pykubectl.server.streams import container_lines  # noqa: E402,F401


def run(g, o, args):
    """Print the logs for a container in a pod or specified resource."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.api.errors import StatusError
    from pykubectl.cli.exec_ import first_pod, pick_container
    if o.selector and args:
        raise CLIError("only a selector (-l) or a POD name is allowed")
    if not o.selector and not args or len(args) > 2:
        raise CLIError(_USAGE_ERR)
    if "since" in o.changed and o.since_time:
        raise CLIError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    client = make_client(g)
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
        try:
            pods = [first_pod(client, args[0], ns)]
        except StatusError as e:
            if e.code != 404:
                raise
            # kubectl logs finds its object through the resource builder, which says it so
            raise CLIError(f'error from server (NotFound): {e.message} in namespace "{ns}"') from None
    since_seconds = None
    if "since" in o.changed:
        from pykubectl.store.clock import parse_duration
        try:
            since_seconds = parse_duration(o.since)
        except ValueError as e:
            raise CLIError(f'invalid argument "{o.since}" for "--since" flag: {e}')
    elif o.since_time:
        from pykubectl.store.clock import parse_time
        if parse_time(o.since_time) is None:
            raise CLIError(f'parsing time "{o.since_time}" as "2006-01-02T15:04:05Z07:00": cannot parse')
    prefix_all = o.prefix or o.all_pods
    targets = []
    for pod in pods:
        if o.all_containers:
            spec = pod.get("spec") or {}
            names = [c["name"] for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])]
        else:
            try:
                names = [pick_container(pod, container, bool(o.selector), sys.stderr)]
            except StatusError as e:   # kubectl logs checks the name itself
                raise CLIError(e.message) from None
        targets += [(pod["metadata"]["name"], n) for n in names]

    def open_(name, cname):
        return client.logs(ns, name, cname, follow=o.follow, tail=tail, since_seconds=since_seconds,
                           since_time=o.since_time or None, timestamps=o.timestamps,
                           previous=o.previous, limit_bytes=o.limit_bytes)
    streams = [(_Prefixer(f"[pod/{name}/{cname}] " if prefix_all else ""), open_(name, cname))
               for name, cname in targets] if o.follow else None
    try:
        if not o.follow:
            for name, cname in targets:
                pre = _Prefixer(f"[pod/{name}/{cname}] " if prefix_all else "")
                for chunk in open_(name, cname):
                    sys.stdout.write(pre(chunk))
            sys.stdout.flush()
        elif len(streams) == 1 or hasattr(client, "cluster"):
            _round_robin(streams)
        else:
            _threads(streams)
    except KeyboardInterrupt:      # ^C ends a follow quietly, as kubectl's does
        return


class _Prefixer:
    """Puts a prefix before every line of a text arriving in chunks."""

    def __init__(self, prefix: str):
        self.prefix, self.at_start = prefix, True

    def __call__(self, text: str) -> str:
        if not self.prefix or not text:
            return text
        out = []
        for piece in text.splitlines(keepends=True):
            out.append((self.prefix if self.at_start else "") + piece)
            self.at_start = piece.endswith("\n")
        return "".join(out)


def _round_robin(streams):
    """In-process streams give up their turn after each poll: take them in turns."""
    live = list(streams)
    while live:
        for s in list(live):
            pre, it = s
            try:
                chunk = next(it)
            except StopIteration:
                live.remove(s)
                continue
            if chunk:
                sys.stdout.write(pre(chunk))
                sys.stdout.flush()


def _threads(streams):
    """HTTP streams block while they wait: one thread each, writing whole chunks."""
    import threading
    lock = threading.Lock()

    def pump(pre, it):
        for chunk in it:
            with lock:
                sys.stdout.write(pre(chunk))
                sys.stdout.flush()
    ts = [threading.Thread(target=pump, args=s, daemon=True) for s in streams]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
