"""kubectl attach: what a running container's process writes from now on (the simulated
processes read no stdin), until it ends or ^C."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl attach (POD | TYPE/NAME) -c CONTAINER [options]"
LONG = "Attach to a process that is already running inside an existing container."
EXAMPLES = """  # Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
  # for selecting the container to be attached or the first container in the pod will be chosen
  kubectl attach mypod
  
  # Get output from ruby-container from pod mypod
  kubectl attach mypod -c ruby-container
  
  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl attach mypod -c ruby-container -i -t
  
  # Get output from the first pod of a replica set named nginx
  kubectl attach rs/nginx
"""
FLAGS = [
    Flag("container", "c", help="Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen"),
    Flag("pod-running-timeout", kind="duration", default="1m0s", help="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running"),
    Flag("quiet", "q", "bool", help="Only print output from the remote session"),
    Flag("stdin", "i", "bool", help="Pass stdin to the container"),
    Flag("tty", "t", "bool", help="Stdin is a TTY"),
]


def run(g, o, args):
    """Attach to a process that is already running inside an existing container."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.exec_ import running_pod_container, setup_tty
    if len(args) != 1:
        raise CLIError("expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 0: []\n"
                       "See 'kubectl attach -h' for help and examples" if not args else
                       "attach requires exactly one argument: POD or TYPE/NAME")
    client = make_client(g)
    pod, container = running_pod_container(client, args[0], o.container, o.quiet, "attach")
    setup_tty(o)
    chunks = client.attach(client.namespace, pod["metadata"]["name"], container)
    if o.stdin and not o.quiet:
        sys.stderr.write("If you don't see a command prompt, try pressing enter.\n")
    try:
        for text in chunks:
            if text:
                sys.stdout.write(text)
                sys.stdout.flush()
    except KeyboardInterrupt:
        return
