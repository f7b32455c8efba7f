"""kubectl describe: resolve the objects (builder), gather what each describer wants (events,
pods, EndpointSlices, ReplicaSets, ...), then print with printers/describe.py."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError, Printed
from pykubectl.cli.flags import Flag

USAGE = "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]"
LONG = """Show details of a specific resource or group of resources.

 Print a detailed description of the selected resources, including related resources such as events or controllers. You may select a single object by name, all objects of that type, provide a name prefix, or label selector. For example:

        $ kubectl describe TYPE NAME_PREFIX
        
 will first check for an exact match on TYPE and NAME_PREFIX. If no such resource exists, it will output details for every resource that has a name prefixed with NAME_PREFIX.

Use "kubectl api-resources" for a complete list of supported resources."""
EXAMPLES = """  # Describe a node
  kubectl describe nodes kubernetes-node-emt8.c.myproject.internal
  
  # Describe a pod
  kubectl describe pods/nginx
  
  # Describe a pod identified by type and name in "pod.json"
  kubectl describe -f pod.json
  
  # Describe all pods
  kubectl describe pods
  
  # Describe pods by label name=myLabel
  kubectl describe pods -l name=myLabel
  
  # Describe all pods managed by the 'frontend' replication controller
  # (rc-created pods get the name of the rc as a prefix in the pod name)
  kubectl describe pods frontend
"""
FLAGS = [
    Flag("all-namespaces", "A", "bool", help="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    Flag("chunk-size", kind="int", default=500, help="Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files containing the resource to describe"),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("show-events", kind="bool", default=True, help="If true, display events related to the described object."),
]


class Gatherer:
    """Fetches, once per command, the lists the describers look at."""

    def __init__(self, client):
        self.client = client
        self._lists: dict = {}

    def list(self, resource: str, ns: str | None, field_selector: str | None = None,
             label_selector: str | None = None) -> list:
        key = (resource, ns, field_selector, label_selector)
        if key not in self._lists:
            from pykubectl.api.errors import StatusError
            try:
                self._lists[key] = self.client.list(self.client.resolve(resource), ns, label_selector,
                                                    field_selector)["items"]
            except StatusError:
                self._lists[key] = None
        return self._lists[key]

    def events_for(self, resource: str, obj: dict) -> list:
        """The object's events, asked for by involvedObject.uid as kubectl's searchEvents asks
        (the server answers from its index: nothing proportional to the cluster's events)."""
        from pykubectl.printers.describe import related_events
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace") or None
        kind = None if resource == "pods" else obj.get("kind")
        uid = meta.get("uid")
        if not uid:
            return related_events(obj, self.list("events", ns) or [], kind)
        # a Node's kubelet names it by uid == name
        uids = [uid, meta.get("name")] if kind == "Node" and meta.get("name") != uid else [uid]
        events = [e for u in uids for e in self.list("events", ns, f"involvedObject.uid={u}") or []]
        if len(uids) > 1:   # one list's order: namespace, name
            events.sort(key=lambda e: ((e.get("metadata") or {}).get("namespace") or "",
                                       (e.get("metadata") or {}).get("name") or ""))
        return related_events(obj, events, kind)

    def extras(self, resource: str, obj: dict) -> dict:
        from pykubectl.printers.describe import NEEDS
        meta = obj.get("metadata") or {}
        ns, name = meta.get("namespace"), meta.get("name")
        out = {}
        for need in NEEDS.get(resource, ()):
            if need == "node_pods":
                # kubectl's own query: spec.nodeName=NODE, not in a final phase (an index lookup)
                pods = self.list("pods", None, f"spec.nodeName={name},status.phase!=Succeeded,"
                                               "status.phase!=Failed")
                out[need] = None if pods is None else [
                    p for p in pods if (p.get("spec") or {}).get("nodeName") == name
                    and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
            elif need == "lease":
                out[need] = self._lease(name)
            elif need == "endpointslices":
                slices = self.list("endpointslices.discovery.k8s.io", ns) or []
                if resource == "services":
                    slices = [s for s in slices if ((s.get("metadata") or {}).get("labels") or {})
                              .get("kubernetes.io/service-name") == name]
                out[need] = slices
            elif need in ("quotas", "limitranges"):
                out[need] = self.list("resourcequotas" if need == "quotas" else "limitranges", name)
            elif need == "replicasets":
                out[need] = self.list("replicasets.apps", ns) or []
            elif need == "pods" and resource in _CONTROLLERS:
                # getPodStatusForController lists by the controller's selector
                out[need] = self.list(need, ns, None, _selector(resource, obj)) or []
            else:  # pods, secrets, services of the object's namespace
                out[need] = self.list(need, ns) or []
        return out

    def _lease(self, name: str):
        from pykubectl.api.errors import StatusError
        try:
            return self.client.get(self.client.resolve("leases.coordination.k8s.io"), "kube-node-lease", name)
        except StatusError as e:
            return e.message


_CONTROLLERS = {"replicasets.apps", "statefulsets.apps", "daemonsets.apps", "replicationcontrollers"}


def _selector(resource: str, obj: dict) -> str | None:
    """The controller's pod selector as a label query; None (every pod) when it has none or a
    bad one (the describer still counts only the pods it controls)."""
    sel = (obj.get("spec") or {}).get("selector")
    if not sel or not isinstance(sel, dict):
        return None
    if resource == "replicationcontrollers":    # a plain map
        return ",".join(f"{k}={v}" for k, v in sorted(sel.items()))
    from pykubectl.printers.tables import format_label_selector
    text = format_label_selector(sel)
    return None if text in ("<none>", "<error>") else text


def run(g, o, args):
    """Show details of a specific resource or group of resources."""
    args = list(args)
    if o.kustomize:
        raise CLIError("-k/--kustomize is not supported by pykubectl")
    if not args and not o.filename:
        raise CLIError('You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.')
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    ns = client.namespace
    infos, errors = _infos(client, o, args, ns)
    out = sys.stdout
    gather = Gatherer(client)
    if errors and len(args) == 2 and all(getattr(e, "code", 0) == 404 for e in errors):
        # kubectl describe TYPE NAME_PREFIX: when a name is not found, every object whose name
        # starts with it (kubectl's DescribeMatchingResources; what was found is not shown)
        matches = [(k, obj) for k, obj in _candidates(client, args[0], ns)
                   if (obj.get("metadata") or {}).get("name", "").startswith(args[1])]
        if not matches:
            _raise(errors)
        for kind, obj in matches:
            out.write(_describe(client, gather, o, kind, obj) + "\n")
        return
    first = True
    for kind, obj in infos:
        s = _describe(client, gather, o, kind, obj)
        out.write(s if first else "\n\n" + s)
        first = False
    if not infos and not errors:
        if o.all_namespaces:
            sys.stderr.write("No resources found\n")
        else:
            sys.stderr.write(f"No resources found in {ns} namespace.\n")
    _raise(errors)


def _raise(errors):
    """kubectl's aggregate error: one error as itself, several one per line."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        from pykubectl.cli.errors import status_line
        for e in errors:
            sys.stderr.write(status_line(e) + "\n")
        raise Printed(1)


def _candidates(client, arg: str, ns: str):
    """The objects `arg` (TYPE or TYPE/NAME) names, for prefix matching."""
    typ, slash, name = arg.partition("/")
    kind = client.resolve(typ)
    kns = ns if kind.namespaced else None
    if slash:
        return [(kind, client.get(kind, kns, name))]
    return [(kind, obj) for obj in client.list(kind, kns)["items"]]


def _infos(client, o, args, ns):
    """The builder: (kind, object) pairs in kubectl's order, and the errors met on the way."""
    from pykubectl.api.errors import StatusError
    infos, errors, seen = [], [], set()

    def fail(e):
        if str(e) not in seen:
            seen.add(str(e))
            errors.append(e)

    if o.filename:
        from pykubectl.cli.apply import read_manifests
        for obj, _dupes, _src in read_manifests(o.filename, o.recursive):
            kind = client.for_gvk(obj.get("apiVersion", ""), obj.get("kind", ""))
            meta = obj.get("metadata") or {}
            try:
                infos.append((kind, client.get(kind, (meta.get("namespace") or ns) if kind.namespaced else None,
                                               meta.get("name", ""))))
            except StatusError as e:
                fail(e)
        return infos, errors
    from pykubectl.cli.get import parse_resource_args
    groups = parse_resource_args(client, args)
    if o.selector and any(names for _, names in groups):
        raise CLIError("name cannot be provided when a selector is specified")
    if o.all_namespaces and any(names for _, names in groups):
        raise CLIError("a resource cannot be retrieved by name across all namespaces")
    for kind, names in groups:
        kns = ns if kind.namespaced else None
        if names:
            for name in names:
                try:
                    infos.append((kind, client.get(kind, kns, name)))
                except StatusError as e:
                    fail(e)
        else:
            lst = client.list(kind, None if o.all_namespaces else kns, o.selector or None)
            infos.extend((kind, obj) for obj in lst["items"])
    return infos, errors


def _describe(client, gather: Gatherer, o, kind, obj) -> str:
    from datetime import datetime, timezone
    from pykubectl.printers import describe as D
    now_ts = client.now()
    now = datetime.fromtimestamp(now_ts, timezone.utc)
    # kubectl prints timestamps in the local time zone of the machine it runs on
    tz = datetime.fromtimestamp(now_ts).astimezone().tzinfo
    resource = kind.resource
    obj.setdefault("kind", kind.kind)
    obj.setdefault("apiVersion", kind.api_version)
    events = None
    if o.show_events and resource not in D.NO_EVENTS:
        events = gather.events_for(resource, obj)
    ctx = D.Ctx(now, events, tz, **gather.extras(resource, obj))
    return D.describe(resource, obj, ctx)
