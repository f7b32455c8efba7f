"""kubectl debug POD --image=IMAGE [-it] [--target=C] [-c NAME] [-- COMMAND...]: an ephemeral
container added through the pods/ephemeralcontainers subresource (a strategic merge patch, as
kubectl sends it), then, with -i, attached: a shell image's session runs in the simulated
container (the runtime's tiny shell). `kubectl debug node/NODE` creates kubectl's node debugging
pod instead (host namespaces, the node's / at /host). `--copy-to=NAME` creates a copy of the pod
(labels dropped so no Service or controller picks it up, annotations kept, ephemeral containers
and the node left behind) with a debug container added, or a container's image or command
changed, as the legacy profile does it; with -i it waits for the copy to run and attaches."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ] [options]"
LONG = """Debug cluster resources using interactive debugging containers.

 'debug' provides automation for common debugging tasks for cluster objects identified by resource and name. Pods will be used by default if no resource is specified.

 The action taken by 'debug' varies depending on what resource is specified. Supported actions include:

  *  Workload: Create a copy of an existing pod with certain attributes changed, for example changing the image tag to a new version.
  *  Workload: Add an ephemeral container to an already running pod, for example to add debugging utilities without restarting the pod.
  *  Node: Create a new pod that runs in the node's host namespaces and can access the node's filesystem."""
EXAMPLES = """  # Create an interactive debugging session in pod mypod and immediately attach to it.
  kubectl debug mypod -it --image=busybox
  
  # Create an interactive debugging session for the pod in the file pod.yaml and immediately attach to it.
  # (requires the EphemeralContainers feature to be enabled in the cluster)
  kubectl debug -f pod.yaml -it --image=busybox
  
  # Create a debug container named debugger using a custom automated debugging image.
  kubectl debug --image=myproj/debug-tools -c debugger mypod
  
  # Create a copy of mypod adding a debug container and attach to it
  kubectl debug mypod -it --image=busybox --copy-to=my-debugger
  
  # Create a copy of mypod changing the command of mycontainer
  kubectl debug mypod -it --copy-to=my-debugger --container=mycontainer -- sh
  
  # Create a copy of mypod changing all container images to busybox
  kubectl debug mypod --copy-to=my-debugger --set-image=*=busybox
  
  # Create a copy of mypod adding a debug container and changing container images
  kubectl debug mypod -it --copy-to=my-debugger --image=debian --set-image=app=app:debug,sidecar=sidecar:debug
  
  # Create an interactive debugging session on a node and immediately attach to it.
  # The container will run in the host namespaces and the host's filesystem will be mounted at /host
  kubectl debug node/mynode -it --image=busybox
"""
FLAGS = [
    Flag("arguments-only", kind="bool", help="If specified, everything after -- will be passed to the new container as Args instead of Command."),
    Flag("attach", kind="bool", help="If true, wait for the container to start running, and then attach as if 'kubectl attach ...' were called.  Default false, unless '-i/--stdin' is set, in which case the default is true."),
    Flag("container", "c", help="Container name to use for debug container."),
    Flag("copy-to", help="Create a copy of the target Pod with this name."),
    Flag("custom", help="Path to a JSON or YAML file containing a partial container spec to customize built-in debug profiles."),
    Flag("env", kind="array", help="Environment variables to set in the container."),
    Flag("filename", "f", "slice", help="identifying the resource to debug"),
    Flag("image", help="Container image to use for debug container."),
    Flag("image-pull-policy", help="The image pull policy for the container. If left empty, this value will not be specified by the client and defaulted by the server."),
    Flag("keep-annotations", kind="bool", help="If true, keep the original pod annotations.(This flag only works when used with '--copy-to')"),
    Flag("keep-init-containers", kind="bool", default=True, help="Run the init containers for the pod. Defaults to true.(This flag only works when used with '--copy-to')"),
    Flag("keep-labels", kind="bool", help="If true, keep the original pod labels.(This flag only works when used with '--copy-to')"),
    Flag("keep-liveness", kind="bool", help="If true, keep the original pod liveness probes.(This flag only works when used with '--copy-to')"),
    Flag("keep-readiness", kind="bool", help="If true, keep the original pod readiness probes.(This flag only works when used with '--copy-to')"),
    Flag("keep-startup", kind="bool", help="If true, keep the original startup probes.(This flag only works when used with '--copy-to')"),
    Flag("profile", default="legacy", help='Options are "legacy", "general", "baseline", "netadmin", "restricted" or "sysadmin".'),
    Flag("quiet", "q", "bool", help="If true, suppress informational messages."),
    Flag("replace", kind="bool", help="When used with '--copy-to', delete the original Pod."),
    Flag("same-node", kind="bool", help="When used with '--copy-to', schedule the copy of target Pod on the same node."),
    Flag("set-image", kind="array", help="When used with '--copy-to', a list of name=image pairs for changing container images, similar to how 'kubectl set image' works."),
    Flag("share-processes", kind="bool", default=True, help="When used with '--copy-to', enable process namespace sharing in the copy."),
    Flag("stdin", "i", "bool", help="Keep stdin open on the container(s) in the pod, even if nothing is attached."),
    Flag("target", help="When using an ephemeral container, target processes in this container name."),
    Flag("tty", "t", "bool", help="Allocate a TTY for the debugging container."),
]

PROFILES = ("legacy", "general", "baseline", "netadmin", "restricted", "sysadmin")
# kubectl's utilrand alphabet: no vowels, no look-alikes
_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"
# what a shell image runs when the debug container is given no command
_DEFAULT_SHELL = {"busybox": "sh", "alpine": "sh", "ubuntu": "bash"}


class DebugOptions:
    """Flags and arguments after completion (kubectl's DebugOptions)."""

    def __init__(self, o, args):
        dash = o.args_len_at_dash
        self.targets, self.args = (args[:dash], args[dash:]) if 0 <= dash <= len(args) else (list(args), [])
        self.o = o
        self.attach = o.attach or (o.stdin and "attach" not in o.changed)
        self.env = []
        for item in o.env:
            for pair in item.split(","):
                k, sep, v = pair.partition("=")
                if not sep:
                    raise CLIError(f'invalid argument "{item}" for "--env" flag: {pair} must be formatted as key=value')
                self.env.append({"name": k, "value": v})
        self.env.sort(key=lambda e: e["name"])
        # --set-image is pflag's stringToString: one "=" makes one pair (commas and all), more are
        # comma-separated pairs; later ones win
        self.set_images = {}
        for item in o.set_image:
            if "=" not in item:
                raise CLIError(f'invalid argument "{item}" for "--set-image" flag: {item} must be formatted as '
                               "key=value\nSee 'kubectl debug --help' for usage.")
            for pair in [item.strip('"')] if item.count("=") == 1 else item.split(","):
                k, sep, v = pair.partition("=")
                if not sep:
                    raise CLIError(f'invalid argument "{item}" for "--set-image" flag: {pair} must be formatted as '
                                   "key=value\nSee 'kubectl debug --help' for usage.")
                self.set_images[k] = v

    def validate(self, out, err) -> None:
        """Validate in kubectl's order, printing what it prints on the way."""
        from pykubectl.runtime import images
        o = self.o
        if self.attach and "attach" in o.changed and not o.image and not o.container:
            raise CLIError("you must specify --container or create a new container using --image in order to attach.")
        if o.copy_to:
            if not o.image and not self.set_images and not self.args:
                raise CLIError("you must specify --image, --set-image or command arguments.")
            if self.args and not o.container and not o.image:
                raise CLIError("you must specify an existing container or a new image when specifying args.")
        elif o.replace:
            raise CLIError("--replace may only be used with --copy-to.")
        elif o.same_node:
            raise CLIError("--same-node may only be used with --copy-to.")
        elif self.set_images:
            raise CLIError("--set-image may only be used with --copy-to.")
        elif not o.image:
            raise CLIError("you must specify --image when not using --copy-to.")
        if o.image and (images.pull_error(o.image) or ("",))[0] == "InvalidImageName":
            raise CLIError(f'invalid image name "{o.image}": invalid reference format')
        if not self.targets and not o.filename:
            raise CLIError("NAME or filename is required for debug")
        if o.image_pull_policy not in (None, "", "Always", "IfNotPresent", "Never"):
            raise CLIError(f"invalid image pull policy: {o.image_pull_policy}")
        for cname, image in self.set_images.items():
            if (images.pull_error(image) or ("",))[0] == "InvalidImageName":
                raise CLIError(f'invalid image name "{image}" for container "{cname}": invalid reference format')
        if o.target and o.copy_to:
            raise CLIError("--target is incompatible with --copy-to. Use --share-processes instead.")
        if o.target and not o.quiet:
            out.write(f'Targeting container "{o.target}". If you don\'t see processes from this container it may be '
                      "because the container runtime doesn't support this feature.\n")
        if o.tty and not o.stdin:
            raise CLIError("-i/--stdin is required for containers with -t/--tty=true")
        if o.profile not in PROFILES:
            raise CLIError(f"unknown profile: {o.profile}")
        if o.profile == "legacy":
            err.write('--profile=legacy is deprecated and will be removed in the future. It is recommended to '
                      'explicitly specify a profile, for example "--profile=general".\n')

    def container_name(self, pod: dict, out) -> str:
        if self.o.container:
            return self.o.container
        import random
        spec = pod.get("spec") or {}
        taken = {c.get("name") for k in ("containers", "initContainers", "ephemeralContainers")
                 for c in spec.get(k) or ()}
        rng = random.SystemRandom()
        name = ""
        while not name or name in taken:
            name = "debugger-" + "".join(rng.choice(_SUFFIX) for _ in range(5))
        if not self.o.quiet:
            out.write(f"Defaulting debug container name to {name}.\n")
        return name

    def pod_copy(self, pod: dict, out) -> tuple[dict, str]:
        """kubectl's generatePodCopyWithDebugContainer with the legacy profile: (the copy, the
        debug container's name, "" when only images were changed)."""
        import copy
        o, meta = self.o, pod.get("metadata") or {}
        spec = copy.deepcopy(pod.get("spec") or {})
        spec.pop("ephemeralContainers", None)    # the API refuses them on create
        if "share_processes" in o.changed:
            spec["shareProcessNamespace"] = bool(o.share_processes)
        if not o.same_node:
            spec.pop("nodeName", None)
        for c in spec.get("containers") or []:
            image = self.set_images.get(c.get("name"), self.set_images.get("*"))
            if image:
                c["image"] = image
        # the legacy profile drops the labels (--keep-labels notwithstanding): the copy must not
        # join the original's Services and ReplicaSet
        copied = {"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": o.copy_to, "namespace": meta.get("namespace"),
                               **({"annotations": dict(meta["annotations"])} if meta.get("annotations") else {})},
                  "spec": spec}
        name = o.container or ""
        c = next((c for k in ("containers", "initContainers") for c in spec.get(k) or () if c.get("name") == name), None)
        if c is None:
            if not o.image:
                if self.set_images:
                    return copied, ""
                raise CLIError("you must specify image when creating new container")
            name = name or self.container_name(copied, out)
            c = {"name": name, "terminationMessagePolicy": "File"}
            spec.setdefault("containers", []).append(c)
        if self.args:
            if o.arguments_only:
                c["args"] = list(self.args)
            else:
                c["command"] = list(self.args)
                c.pop("args", None)
        if self.env:
            c["env"] = self.env
        if o.image:
            c["image"] = o.image
        if o.image_pull_policy:
            c["imagePullPolicy"] = o.image_pull_policy
        for k, v in (("stdin", o.stdin), ("tty", o.tty)):
            if v:
                c[k] = True
            else:
                c.pop(k, None)
        return copied, name

    def ephemeral_container(self, name: str) -> dict:
        """The EphemeralContainer kubectl's generateDebugContainer builds (legacy profile:
        nothing added), with Go's omitempty."""
        return self._container(name)

    def node_pod(self, node: str, out) -> dict:
        """kubectl's generateNodeDebugPod with the legacy profile: host namespaces and the
        node's root filesystem at /host."""
        import random
        cn = self.o.container or "debugger"
        rng = random.SystemRandom()
        pn = f"node-debugger-{node}-" + "".join(rng.choice(_SUFFIX) for _ in range(5))
        if not self.o.quiet:
            out.write(f"Creating debugging pod {pn} with container {cn} on node {node}.\n")
        c = self._container(cn)
        c["volumeMounts"] = [{"mountPath": "/host", "name": "host-root"}]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pn},
                "spec": {"containers": [c], "hostIPC": True, "hostNetwork": True, "hostPID": True,
                         "nodeName": node, "restartPolicy": "Never", "tolerations": [{"operator": "Exists"}],
                         "volumes": [{"hostPath": {"path": "/"}, "name": "host-root"}]}}

    def _container(self, name: str) -> dict:
        o = self.o
        ec = {"name": name}
        if self.args:
            ec["args" if o.arguments_only else "command"] = list(self.args)
        if self.env:
            ec["env"] = self.env
        ec["image"] = o.image
        if o.image_pull_policy:
            ec["imagePullPolicy"] = o.image_pull_policy
        if o.stdin:
            ec["stdin"] = True
        ec["terminationMessagePolicy"] = "File"
        if o.tty:
            ec["tty"] = True
        if o.target:
            ec["targetContainerName"] = o.target
        return ec


def _targets(client, opts: DebugOptions) -> list[dict]:
    """The pods and nodes named (POD, pod/NAME, node/NAME, -f FILE), as kubectl's builder
    finds them."""
    ns = client.namespace
    pods = []
    for t in opts.targets:
        typ, _, name = t.rpartition("/")
        kind = client.resolve(typ or "pods")
        obj = client.get(kind, ns, name)        # the builder fetches first: NotFound wins
        if kind.kind not in ("Pod", "Node"):
            group = f"{kind.group}/" if kind.group else "/"
            raise CLIError(f'"{group}{kind.version}, Kind={kind.kind}" not supported by debug')
        pods.append(obj)
    for path in opts.o.filename:
        import yaml
        from pykubectl.cli.apply import decode_text
        with (sys.stdin.buffer if path == "-" else open(path, "rb")) as f:
            docs = [d for d in yaml.load_all(decode_text(f.read()), Loader=yaml.CSafeLoader) if d]
        for d in docs:
            if d.get("kind") != "Pod":
                raise CLIError(f'"{d.get("apiVersion", "")}, Kind={d.get("kind", "")}" not supported by debug')
            m = d.get("metadata") or {}
            pods.append(client.get(client.resolve("pods"), m.get("namespace") or ns, m.get("name", "")))
    return pods


def _status(pod: dict, name: str) -> dict | None:
    st = pod.get("status") or {}
    return next((s for k in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")
                 for s in st.get(k) or () if s.get("name") == name), None)


def _wait_for_container(client, ns: str, name: str, container: str, quiet: bool, timeout: float = 60.0) -> dict:
    """The pod once the container runs or has ended (kubectl's waitForContainer), driving the
    local cluster's timers while waiting; a virtual clock is looked at once."""
    import time
    cluster = getattr(client, "cluster", None)
    once = cluster is not None and cluster.clock.mode != "real"
    end = time.monotonic() + timeout
    warned = set()
    while True:
        if cluster is not None:
            cluster.reconcile()
        pod = client.get(client.resolve("pods"), ns, name)
        s = _status(pod, container) or {}
        state = s.get("state") or {}
        if "running" in state or "terminated" in state:
            return pod
        msg = (state.get("waiting") or {}).get("message")
        if msg and not quiet and msg not in warned:
            sys.stderr.write(f"Warning: container {container}: {msg}\n")
            warned.add(msg)
        if once or time.monotonic() > end:
            raise CLIError("timed out waiting for the condition")
        time.sleep(0.2)


def _session(client, ns: str, pod: dict, ec: dict, o, ephemeral: bool = True) -> None:
    """kubectl attach to the debug container: its shell reads what the user types."""
    from pykubectl.runtime import images
    name = ec["name"]
    words = list(ec.get("command") or []) + list(ec.get("args") or [])
    shell = words[0].rsplit("/", 1)[-1] if words else _DEFAULT_SHELL.get(images.parse(ec["image"])[0], "")
    tty = o.tty and o.stdin and sys.stdin.isatty()
    if o.tty and not tty and not o.quiet:
        sys.stderr.write("Unable to use a TTY - input is not a terminal or the right kind of file\n")
    if o.stdin and not o.quiet:
        sys.stderr.write("If you don't see a command prompt, try pressing enter.\n")
    if not o.stdin or shell not in ("sh", "bash", "ash") or (words and len(words) > 1):
        return      # a process that reads no stdin: nothing more to show than what it logged
    if tty:
        from pykubectl.cli import exec_
        exec_._interactive(client, ns, pod["metadata"]["name"], name, [shell])
        if o.quiet:
            pass
        elif ephemeral:
            sys.stdout.write(f"Session ended, the ephemeral container will not be restarted but may be reattached "
                             f"using 'kubectl attach {pod['metadata']['name']} -c {name} -i -t' if it is still running\n")
        elif (pod.get("spec") or {}).get("restartPolicy", "Always") == "Always":
            sys.stdout.write(f"Session ended, resume using 'kubectl attach {pod['metadata']['name']} -c {name} -i -t' "
                             "command when the pod is running\n")
        return
    data = sys.stdin.buffer.read()
    out, err, _ = client.exec(ns, pod["metadata"]["name"], name, [shell], data)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    sys.stderr.buffer.write(err)
    sys.stderr.flush()


def _logs(client, ns: str, pod: dict, container: str) -> None:
    """An ephemeral container that has already ended: its logs instead of an attach."""
    for chunk in client.logs(ns, pod["metadata"]["name"], container):
        if chunk:
            sys.stdout.write(chunk)


def run(g, o, args):
    """Add an ephemeral debug container to each pod named (a debugging pod for each node), and
    attach to it with -i."""
    from pykubectl.cli.context import client as make_client
    opts = DebugOptions(o, args)
    opts.validate(sys.stdout, sys.stderr)
    client = make_client(g)
    kind = client.resolve("pods")
    for obj in _targets(client, opts):
        if obj.get("kind") == "Node":
            pod = opts.node_pod(obj["metadata"]["name"], sys.stdout)
            ns, name, ec = client.namespace, pod["metadata"]["name"], pod["spec"]["containers"][0]
            sys.stdout.flush()
            res = client.create(kind, pod, ns)
        elif o.copy_to:
            copied, cname = opts.pod_copy(obj, sys.stdout)
            ns, name = copied["metadata"]["namespace"] or client.namespace, o.copy_to
            sys.stdout.flush()
            res = client.create(kind, copied, ns)
            if o.replace:
                client.delete(kind, obj["metadata"].get("namespace") or ns, obj["metadata"]["name"], grace_period=0)
            if not opts.attach or not cname:
                continue
            ec = next(c for k in ("containers", "initContainers") for c in copied["spec"].get(k) or ()
                      if c["name"] == cname)
        else:
            ns, name = obj["metadata"].get("namespace") or client.namespace, obj["metadata"]["name"]
            ec = opts.ephemeral_container(opts.container_name(obj, sys.stdout))
            sys.stdout.flush()
            res = client.patch(kind, ns, name, "strategic", {"spec": {"ephemeralContainers": [ec]}},
                               subresource="ephemeralcontainers")
        pod = res[0] if isinstance(res, tuple) else res
        if not opts.attach:
            continue
        pod = _wait_for_container(client, ns, name, ec["name"], o.quiet)
        if "terminated" in ((_status(pod, ec["name"]) or {}).get("state") or {}):
            _logs(client, ns, pod, ec["name"])
        else:
            _session(client, ns, pod, ec, o, ephemeral=not o.copy_to)
