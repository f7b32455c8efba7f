"""kubectl run: create a pod (kubectl's BasicPod generator), optionally attach to it (-i) and
delete it afterwards (--rm)."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]"
LONG = "Create and run a particular image in a pod."
EXAMPLES = """  # Start a nginx pod
  kubectl run nginx --image=nginx
  
  # Start a hazelcast pod and let the container expose port 5701
  kubectl run hazelcast --image=hazelcast/hazelcast --port=5701
  
  # Start a hazelcast pod and set environment variables "DNS_DOMAIN=cluster" and "POD_NAMESPACE=default" in the container
  kubectl run hazelcast --image=hazelcast/hazelcast --env="DNS_DOMAIN=cluster" --env="POD_NAMESPACE=default"
  
  # Start a hazelcast pod and set labels "app=hazelcast" and "env=prod" in the container
  kubectl run hazelcast --image=hazelcast/hazelcast --labels="app=hazelcast,env=prod"
  
  # Dry run; print the corresponding API objects without creating them
  kubectl run nginx --image=nginx --dry-run=client
  
  # Start a nginx pod, but overload the spec with a partial set of values parsed from JSON
  kubectl run nginx --image=nginx --overrides='{ "apiVersion": "v1", "spec": { ... } }'
  
  # Start a busybox pod and keep it in the foreground, don't restart it if it exits
  kubectl run -i -t busybox --image=busybox --restart=Never
  
  # Start the nginx pod using the default command, but use custom arguments (arg1 .. argN) for that command
  kubectl run nginx --image=nginx -- <arg1> <arg2> ... <argN>
  
  # Start the nginx pod using a different command and custom arguments
  kubectl run nginx --image=nginx --command -- <cmd> <arg1> ... <argN>
"""
FLAGS = [
    Flag("annotations", kind="array", help="Annotations to apply to the pod."),
    Flag("attach", kind="bool", help="If true, wait for the Pod to start running, and then attach to the Pod as if 'kubectl attach ...' were called.  Default false, unless '-i/--stdin' is set, in which case the default is true. With '--restart=Never' the exit code of the container process is returned."),
    Flag("command", kind="bool", help="If true and extra arguments are present, use them as the 'command' field in the container, rather than the 'args' field which is the default."),
    DRY_RUN,
    Flag("env", kind="array", help="Environment variables to set in the container."),
    Flag("expose", kind="bool", help="If true, create a ClusterIP service associated with the pod.  Requires `--port`."),
    Flag("field-manager", default="kubectl-run", help="Name of the manager used to track field ownership."),
    Flag("image", help="The image for the container to run."),
    Flag("image-pull-policy", help="The image pull policy for the container.  If left empty, this value will not be specified by the client and defaulted by the server."),
    Flag("labels", "l", help="Comma separated labels to apply to the pod. Will override previous values."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("overrides", help="An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field."),
    Flag("pod-running-timeout", kind="duration", default="1m0s", help="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running"),
    Flag("port", help="The port that this container exposes."),
    Flag("privileged", kind="bool", help="If true, run the container in privileged mode."),
    Flag("quiet", "q", "bool", help="If true, suppress prompt messages."),
    Flag("restart", default="Always", help="The restart policy for this Pod.  Legal values [Always, OnFailure, Never]."),
    Flag("rm", kind="bool", help="If true, delete the pod after it exits.  Only valid when attaching to the container, e.g. with '--attach' or with '-i/--stdin'."),
    Flag("stdin", "i", "bool", help="Keep stdin open on the container in the pod, even if nothing is attached."),
    Flag("tty", "t", "bool", help="Allocate a TTY for the container in the pod."),
]


def _pairs(text: str, what: str) -> dict:
    out = {}
    for part in text.split(","):
        k, sep, v = part.partition("=")
        if not sep or not k:
            raise CLIError(f"invalid {what} spec: {text}")
        out[k] = v
    return out


def basic_pod(name: str, image: str, *, labels: dict | None, annotations: dict | None, env: list[str],
              args: list[str], command: bool, port: str, pull_policy: str, restart: str, stdin: bool, tty: bool,
              privileged: bool) -> dict:
    """kubectl's generateversioned.BasicPod."""
    meta = {"creationTimestamp": None, "labels": labels or {"run": name}, "name": name}
    if annotations:
        meta["annotations"] = annotations
    c: dict = {}
    if args:
        c["command" if command else "args"] = list(args)
    envs = []
    for e in env:
        k, sep, v = e.partition("=")
        if not sep:
            raise CLIError(f"invalid env: {e}")
        envs.append({"name": k, "value": v})
    if envs:
        c["env"] = envs
    c["image"] = image
    if pull_policy:
        c["imagePullPolicy"] = pull_policy
    c["name"] = name
    if port:
        try:
            c["ports"] = [{"containerPort": int(port)}]
        except ValueError:
            raise CLIError(f'strconv.Atoi: parsing "{port}": invalid syntax') from None
    c["resources"] = {}
    if privileged:
        c["securityContext"] = {"privileged": True}
    if stdin:
        c["stdin"] = True
        c["stdinOnce"] = True
    if tty:
        c["tty"] = True
    spec = {"containers": [c], "dnsPolicy": "ClusterFirst", "restartPolicy": restart}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": {}}


def run(g, o, args):
    """Create and run a particular image in a pod."""
    from pykubectl.cli.apply import dry_run_mode
    from pykubectl.cli.create import _output_mode, _print
    if not args:
        raise CLIError("NAME is required for run\nSee 'kubectl run -h' for help and examples")
    if not o.image:
        raise CLIError('required flag(s) "image" not set')
    name = args[0]
    rest = args[1:]
    if o.restart not in ("Always", "OnFailure", "Never"):
        raise CLIError(f"invalid restart policy: {o.restart}")
    attach = o.attach or (o.stdin and "attach" not in o.changed)
    if o.rm and not attach:
        raise CLIError("--rm should only be used for attached containers")
    if o.command and not rest:
        raise CLIError("--command requires arguments")
    if o.expose and not o.port:
        raise CLIError("--port must be set when exposing a service")
    dry = dry_run_mode(o.dry_run)
    output = _output_mode(o.output)
    labels = _pairs(o.labels, "label") if o.labels else None
    annotations = dict(a.split("=", 1) for a in o.annotations if "=" in a) or None
    pod = basic_pod(name, o.image, labels=labels, annotations=annotations, env=o.env, args=rest,
                    command=o.command, port=o.port, pull_policy=o.image_pull_policy, restart=o.restart,
                    stdin=o.stdin, tty=o.tty, privileged=o.privileged)
    if o.overrides:
        import json
        from pykubectl.api.patch import strategic_merge_patch
        from pykubectl.api.schema import kind_schema
        try:
            pod = strategic_merge_patch(pod, json.loads(o.overrides), kind_schema("", "v1", "Pod"))
        except Exception as e:
            raise CLIError(f"Invalid JSON Patch: {e}") from None
    if dry == "client":
        _print(pod, output, dry, ordered=True)
        return
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    kind = client.resolve("pods")
    res, warns = client.create(kind, pod, client.namespace, dry_run=(dry == "server"),
                               field_manager=o.field_manager)
    from pykubectl.cli.apply import print_warnings
    print_warnings(warns, sys.stderr)
    if not attach or dry == "server":
        _print(res, output, dry, ordered=False)
        return
    code = _attach(client, res, o)
    if o.rm:
        client.delete(kind, client.namespace, name)
        sys.stdout.write(f'pod "{name}" deleted from {client.namespace} namespace\n')
    if code:
        from pykubectl.cli.errors import Printed
        raise Printed(code)


def _attach(client, pod, o) -> int:
    """Wait (on the cluster's clock) for the container to run or end, then show what it printed;
    with --restart=Never the container's exit code is run's."""
    import time
    from pykubectl.store.clock import parse_duration
    cluster = client.cluster
    ns, name = client.namespace, pod["metadata"]["name"]
    deadline = time.monotonic() + parse_duration(o.pod_running_timeout)
    while True:
        cluster.reconcile()
        cur = client.server.get(client.resolve("pods"), ns, name)
        cs = ((cur.get("status") or {}).get("containerStatuses") or [{}])[0]
        state = cs.get("state") or {}
        if "running" in state or "terminated" in state:
            break
        if time.monotonic() > deadline:
            raise CLIError("timed out waiting for the condition")
        time.sleep(0.2)
    if o.tty and sys.stdin.isatty() and "running" in state:
        from pykubectl.cli import exec_
        args = (cur["spec"]["containers"][0].get("command") or []) + (cur["spec"]["containers"][0].get("args") or [])
        if not o.quiet:
            sys.stderr.write("If you don't see a command prompt, try pressing enter.\n")
        return exec_._interactive(client, cur["metadata"]["namespace"], cur["metadata"]["name"], name,
                                  args or ["sh"])
    from pykubectl.cli.logs import container_lines
    from pykubectl.controllers.manager import View
    with cluster.store.write() as t:
        lines = container_lines(View(t, cluster.apiserver), cur, name, False)
    sys.stdout.write("".join(f"{m}\n" for _, m in lines))
    term = state.get("terminated")
    return int(term.get("exitCode") or 0) if term and o.restart == "Never" else 0
