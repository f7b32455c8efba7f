"""kubectl exec: run a command in a simulated container (the runtime's tiny shell), with its
exit code, and `-it` as a small interactive shell when stdin is a terminal."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]"
LONG = "Execute a command in a container."
EXAMPLES = """  # Get output from running the 'date' command from pod mypod, using the first container by default
  kubectl exec mypod -- date
  
  # Get output from running the 'date' command in ruby-container from pod mypod
  kubectl exec mypod -c ruby-container -- date
  
  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl exec mypod -c ruby-container -i -t -- bash -il
  
  # List contents of /usr from the first container of pod mypod and sort by modification time
  # If the command you want to execute in the pod has any flags in common (e.g. -i),
  # you must use two dashes (--) to separate your command's flags/arguments
  # Also note, do not surround your command and its flags/arguments with quotes
  # unless that is how you would execute it normally (i.e., do ls -t /usr, not "ls -t /usr")
  kubectl exec mypod -i -t -- ls -t /usr
  
  # Get output from running 'date' command from the first pod of the deployment mydeployment, using the first container by default
  kubectl exec deploy/mydeployment -- date
  
  # Get output from running 'date' command from the first pod of the service myservice, using the first container by default
  kubectl exec svc/myservice -- date
"""
FLAGS = [
    Flag("container", "c", help="Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen"),
    Flag("filename", "f", "slice", help="to use to exec into the resource"),
    Flag("pod-running-timeout", kind="duration", default="1m0s", help="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running"),
    Flag("quiet", "q", "bool", help="Only print output from the remote session"),
    Flag("stdin", "i", "bool", help="Pass stdin to the container"),
    Flag("tty", "t", "bool", help="Stdin is a TTY"),
]


def first_pod(client, arg: str, ns: str) -> dict:
    """POD, pod/NAME, or TYPE/NAME of a workload or service: its first pod, as kubectl's
    polymorphichelpers.AttachablePodForObject chooses."""
    from pykubectl.api.selectors import from_label_selector
    if "/" not in arg:
        return client.get(client.resolve("pods"), ns, arg)
    typ, name = arg.split("/", 1)
    kind = client.resolve(typ)
    if kind.kind == "Pod":
        return client.get(kind, ns, name)
    obj = client.get(kind, ns, name)
    sel = (obj.get("spec") or {}).get("selector") or {}
    if kind.kind in ("Service", "ReplicationController"):
        sel = {"matchLabels": sel}
    if not sel:
        raise CLIError(f"cannot attach to {kind.kind}: selector for {kind.kind} not implemented")
    match = from_label_selector(sel)
    pods = [p for p in client.list(client.resolve("pods"), ns).get("items") or []
            if match.matches((p.get("metadata") or {}).get("labels") or {})]
    if not pods:
        raise CLIError("timed out waiting for the condition")
    pods.sort(key=lambda p: (((p.get("status") or {}).get("phase") != "Running"), p["metadata"].get("creationTimestamp", "")))
    return pods[0]


def pick_container(pod: dict, name: str, quiet: bool, err) -> str:
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or ()]
    if name:
        everything = names + [c["name"] for c in spec.get("initContainers") or ()] + \
            [c["name"] for c in spec.get("ephemeralContainers") or ()]
        if name not in everything:
            from pykubectl.api.errors import StatusError
            raise StatusError(400, "BadRequest", f"container {name} is not valid for pod {pod['metadata']['name']}")
        return name
    ann = (pod.get("metadata") or {}).get("annotations") or {}
    default = ann.get("kubectl.kubernetes.io/default-container")
    if default in names:
        return default
    if len(names) > 1 and not quiet:
        every = names + [c["name"] + " (init)" for c in spec.get("initContainers") or ()] + \
            [c["name"] + " (ephem)" for c in spec.get("ephemeralContainers") or ()]
        err.write(f'Defaulted container "{names[0]}" out of: {", ".join(every)}\n')
    return names[0]


def running_pod_container(client, arg: str, container: str, quiet: bool, verb: str) -> tuple[dict, str]:
    """The pod `arg` names and its container, as exec and attach choose them: a completed pod
    is refused (`cannot <verb> a container in a completed pod`), the container defaulted with
    kubectl's message on stderr."""
    pod = first_pod(client, arg, client.namespace)
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CLIError(f"cannot {verb} a container in a completed pod; current phase is {phase}")
    return pod, pick_container(pod, container, quiet, sys.stderr)


def setup_tty(o) -> bool:
    """kubectl's StreamOptions.SetupTTY: a TTY only with -i from a terminal, else -t is warned
    about (unless -q)."""
    tty = bool(o.tty and o.stdin and sys.stdin.isatty())
    if o.tty and not tty and not o.quiet:
        sys.stderr.write("Unable to use a TTY - input is not a terminal or the right kind of file\n")
    return tty


def run(g, o, args):
    """Execute a command in a container."""
    from pykubectl.cli.context import client as make_client
    dash = o.args_len_at_dash
    if dash == -1 and len(args) > 1:
        raise CLIError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
                       "See 'kubectl exec -h' for help and examples")
    if not args or dash == 0:
        raise CLIError("pod, type/name or --filename must be specified")
    command = args[1:]
    if not command:
        raise CLIError("you must specify at least one command for the container")
    client = make_client(g)
    pod, container = running_pod_container(client, args[0], o.container, o.quiet, "exec into")
    tty = setup_tty(o)
    ns, name = client.namespace, pod["metadata"]["name"]
    if tty:
        code = _interactive(client, ns, name, container, command)
    else:
        stdin = sys.stdin.buffer.read() if o.stdin else None
        out, err, code = client.exec(ns, name, container, command, stdin)
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
        sys.stderr.buffer.write(err)
        sys.stderr.flush()
    if code:
        from pykubectl.cli.errors import Printed
        sys.stderr.write(f"command terminated with exit code {code}\n")
        raise Printed(code)


def _interactive(client, ns, name, container, command):
    """A line-at-a-time shell: each line runs as `sh -c LINE`; `exit` ends it."""
    shell = command[0].rsplit("/", 1)[-1]
    if shell not in ("sh", "bash", "ash") or "-c" in command:
        out, err, code = client.exec(ns, name, container, command)
        sys.stdout.buffer.write(out + err)
        return code
    code = 0
    prompt = "root@" + name + ":/# " if shell == "bash" else "# "
    while True:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            sys.stdout.write("\n")
            return code
        text = line.strip()
        if text == "exit" or text.startswith("exit "):
            parts = text.split()
            return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else code
        if not text:
            continue
        out, err, code = client.exec(ns, name, container, ["sh", "-c", text])
        sys.stdout.buffer.write(out + err)
