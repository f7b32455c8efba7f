"""kubectl expose: a Service for a pod, service, replication controller, deployment or replica
set, its selector and ports found by introspection as kubectl's `expose.go` finds them."""
from __future__ import annotations

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]"
LONG = """Expose a resource as a new Kubernetes service.

 Looks up a deployment, service, replica set, replication controller or pod by name and uses the selector for that resource as the selector for a new service on the specified port. A deployment or replica set will be exposed as a service only if its selector is convertible to a selector that service supports, i.e. when the selector contains only the matchLabels component. Note that if no port is specified via --port and the exposed resource has multiple ports, all will be re-used by the new service. Also if no labels are specified, the new service will re-use the labels from the resource it exposes.

 Possible resources include (case insensitive):

 pod (po), service (svc), replicationcontroller (rc), deployment (deploy), replicaset (rs)"""
EXAMPLES = """  # Create a service for a replicated nginx, which serves on port 80 and connects to the containers on port 8000
  kubectl expose rc nginx --port=80 --target-port=8000

  # Create a service for a replication controller identified by type and name specified in "nginx-controller.yaml", which serves on port 80 and connects to the containers on port 8000
  kubectl expose -f nginx-controller.yaml --port=80 --target-port=8000

  # Create a service for a pod valid-pod, which serves on port 444 with the name "frontend"
  kubectl expose pod valid-pod --port=444 --name=frontend

  # Create a second service based on the above service, exposing the container port 8443 as port 443 with the name "nginx-https"
  kubectl expose service nginx --port=443 --target-port=8443 --name=nginx-https

  # Create a service for a replicated streaming application on port 4100 balancing UDP traffic and named 'video-stream'.
  kubectl expose rc streamer --port=4100 --protocol=UDP --name=video-stream

  # Create a service for a replicated nginx using replica set, which serves on port 80 and connects to the containers on port 8000
  kubectl expose rs nginx --port=80 --target-port=8000

  # Create a service for an nginx deployment, which serves on port 80 and connects to the containers on port 8000
  kubectl expose deployment nginx --port=80 --target-port=8000
"""
FLAGS = [
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("cluster-ip", help="ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service."),
    DRY_RUN,
    Flag("external-ip", help="Additional external IP address (not managed by Kubernetes) to accept for the service. If this IP is routed to a node, the service can be accessed by this IP in addition to its generated service IP."),
    Flag("field-manager", default="kubectl-expose", help="Name of the manager used to track field ownership."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to expose a service"),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("labels", "l", help="Labels to apply to the service created by this call."),
    Flag("load-balancer-ip", help="IP to assign to the LoadBalancer. If empty, an ephemeral IP will be created and used (cloud-provider specific)."),
    Flag("name", help="The name for the newly created object."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("override-type", default="merge", help="The method used to override the generated object: json, merge, or strategic."),
    Flag("overrides", help="An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field."),
    Flag("port", help="The port that the service should serve on. Copied from the resource being exposed, if unspecified"),
    Flag("protocol", help="The network protocol for the service to be created. Default is 'TCP'."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("save-config", kind="bool", help="If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
    Flag("selector", help="A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the replication controller or replica set.)"),
    Flag("session-affinity", help="If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'"),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("target-port", help="Name or number for the port on the container that the service should direct traffic to. Optional."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("type", help="Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'."),
]

EXPOSABLE = ("Pod", "Service", "ReplicationController", "Deployment", "ReplicaSet")


def selector_for(obj: dict) -> str:
    """MapBasedSelectorForObject: the object's selector as k=v,... (keys sorted)."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "Pod":
        sel = (obj.get("metadata") or {}).get("labels") or {}
        if not sel:
            raise CLIError("the pod has no labels and cannot be exposed")
    elif kind in ("Service", "ReplicationController"):
        sel = spec.get("selector") or {}
        if not sel:
            what = "service" if kind == "Service" else "replication controller"
            raise CLIError(f"the {what} has no pod selector set")
    else:
        ls = spec.get("selector") or {}
        if ls.get("matchExpressions"):
            raise CLIError(f'couldn\'t convert expressions - "{_go_exprs(ls["matchExpressions"])}" to map-based selector format')
        sel = ls.get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(sel.items()))


def _go_exprs(exprs) -> str:
    return "[" + " ".join("{Key:%s Operator:%s Values:[%s]}" % (e.get("key"), e.get("operator"), " ".join(e.get("values") or []))
                          for e in exprs) + "]"


def ports_for(obj: dict) -> list[tuple[str, str]]:
    """PortsForObject + ProtocolsForObject: (port, protocol) in the object's order."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "Service":
        return [(str(p.get("port")), p.get("protocol") or "TCP") for p in spec.get("ports") or []]
    pod_spec = spec if kind == "Pod" else ((spec.get("template") or {}).get("spec") or {})
    return [(str(p.get("containerPort")), p.get("protocol") or "TCP")
            for c in pod_spec.get("containers") or [] for p in c.get("ports") or []]


def _labels(s: str) -> dict:
    out = {}
    for part in s.split(","):
        kv = part.split("=")
        if len(kv) != 2 or not kv[0]:
            raise CLIError(f"invalid label spec: {part}")
        out[kv[0]] = kv[1]
    return out


def generate_service(obj: dict, o) -> dict:
    """expose.go's createService, from the exposed object and the flags."""
    selector = o.selector
    if not selector:
        try:
            selector = selector_for(obj)
        except CLIError as e:
            raise CLIError(f"couldn't retrieve selectors via --selector flag or introspection: {e}\n"
                           "See 'kubectl expose -h' for help and examples") from None
    headless = o.cluster_ip == "None"
    ports = [(p, o.protocol or "TCP") for p in o.port.split(",")] if o.port else []
    if not ports and not headless:
        ports = ports_for(obj)
        if not ports:
            raise CLIError("couldn't find port via --port flag or introspection\n"
                           "See 'kubectl expose -h' for help and examples")
    meta = obj.get("metadata") or {}
    labels = _labels(o.labels) if o.labels else dict(meta.get("labels") or {})
    svc_ports = []
    for i, (p, proto) in enumerate(ports):
        try:
            n = int(p)
        except ValueError:
            raise CLIError(f'strconv.Atoi: parsing "{p}": invalid syntax')
        sp = {"port": n, "protocol": o.protocol or proto}
        if len(ports) > 1:
            sp = {"name": f"port-{i + 1}", **sp}
        if o.target_port:
            sp["targetPort"] = int(o.target_port) if o.target_port.isdigit() else o.target_port
        else:
            sp["targetPort"] = n
        svc_ports.append(sp)
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": o.name or meta.get("name", ""), **({"labels": labels} if labels else {})},
           "spec": {"ports": svc_ports, "selector": _labels(selector)}}
    spec = svc["spec"]
    if o.external_ip:
        spec["externalIPs"] = [o.external_ip]
    if o.type:
        spec["type"] = o.type
    if o.type == "LoadBalancer" and o.load_balancer_ip:
        spec["loadBalancerIP"] = o.load_balancer_ip
    if o.session_affinity:
        if o.session_affinity not in ("None", "ClientIP"):
            raise CLIError(f"unknown session affinity: {o.session_affinity}")
        spec["sessionAffinity"] = o.session_affinity
    if o.cluster_ip:
        spec["clusterIP"] = o.cluster_ip
    return svc


def _override(obj: dict, overrides: str, how: str) -> dict:
    import json
    try:
        patch = json.loads(overrides)
    except ValueError as e:
        raise CLIError(f"error: unable to parse overrides: {e}") from None
    if how == "merge":
        from pykubectl.api.patch import merge_patch
        return merge_patch(obj, patch)
    if how == "json":
        from pykubectl.api.patch import json_patch
        return json_patch(obj, patch)
    if how == "strategic":
        from pykubectl.api.patch import strategic_merge_patch
        from pykubectl.api.schema import kind_schema
        return strategic_merge_patch(obj, patch, kind_schema("", "v1", "Service"))
    raise CLIError(f"invalid override type: {how}")


def run(g, o, args):
    """Expose a resource as a new Kubernetes service."""
    import sys

    from pykubectl.cli.apply import dry_run_mode, print_warnings
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import collect, no_kustomize, output_kind, print_obj
    no_kustomize(o)
    dry = dry_run_mode(o.dry_run)
    fmt = output_kind(o.output)
    client = make_client(g)
    targets, _ = collect(client, g, resources=list(args), filenames=o.filename, recursive=o.recursive)
    svc_kind = client.resolve("services")
    for t in targets:
        if t.kind.kind not in EXPOSABLE:
            # CanBeExposed words it with the GroupKind: ConfigMap, StatefulSet.apps
            raise CLIError(f"cannot expose a {t.kind.kind}" + (f".{t.kind.group}" if t.kind.group else ""))
        svc = generate_service(t.obj, o)
        if o.overrides:
            svc = _override(svc, o.overrides, o.override_type)
        if o.save_config:
            from pykubectl.cli.apply import _annotated
            svc = _annotated(svc)[0]
        if dry == "client":
            # what Go's encoder prints for the generated struct
            svc = {**svc, "metadata": {"creationTimestamp": None, **svc["metadata"]}, "status": {"loadBalancer": {}}}
            print_obj(svc_kind, svc, "exposed", fmt, dry, show_managed_fields=o.show_managed_fields)
            continue
        obj, warnings = client.create(svc_kind, svc, t.ns, dry_run=(dry == "server"), field_manager=o.field_manager)
        print_warnings(warnings, sys.stderr)
        print_obj(svc_kind, obj, "exposed", fmt, dry, show_managed_fields=o.show_managed_fields)
