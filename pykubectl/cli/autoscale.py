"""kubectl autoscale (v1.32, pkg/cmd/autoscale): look up a scalable object and create an
autoscaling/v1 HorizontalPodAutoscaler that targets it."""
from __future__ import annotations

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU] [options]"
LONG = """Creates an autoscaler that automatically chooses and sets the number of pods that run in a Kubernetes cluster.

 Looks up a deployment, replica set, stateful set, or replication controller by name and creates an autoscaler that uses the given resource as a reference. An autoscaler can automatically increase or decrease number of pods deployed within the system as needed."""
EXAMPLES = """  # Auto scale a deployment "foo", with the number of pods between 2 and 10, no target CPU utilization specified so a default autoscaling policy will be used
  kubectl autoscale deployment foo --min=2 --max=10
  
  # Auto scale a replication controller "foo", with the number of pods between 1 and 5, target CPU utilization at 80%
  kubectl autoscale rc foo --max=5 --cpu-percent=80
"""
FLAGS = [
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("cpu-percent", kind="int", default=-1, help="The target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy will be used."),
    DRY_RUN,
    Flag("field-manager", default="kubectl-autoscale", help="Name of the manager used to track field ownership."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to autoscale."),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("max", kind="int", default=-1, help="The upper limit for the number of pods that can be set by the autoscaler. Required."),
    Flag("min", kind="int", default=-1, help="The lower limit for the number of pods that can be set by the autoscaler. If it's not specified or negative, the server will apply a default value."),
    Flag("name", help="The name for the newly created object. If not specified, the name of the input resource will be used."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("save-config", kind="bool", help="If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
]
SCALABLE = {("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("", "ReplicationController")}


def validate(max_: int, min_: int) -> None:
    if max_ < 1:
        raise CLIError(f"--max=MAXPODS is required and must be at least 1, max: {max_}")
    if max_ < min_:
        raise CLIError(f"--max=MAXPODS must be larger or equal to --min=MINPODS, max: {max_}, min: {min_}")


def hpa_for(kind, ref_name: str, name: str, min_: int, max_: int, cpu_percent: int) -> dict:
    """createHorizontalPodAutoscaler (autoscaling/v1), as kubectl sends it."""
    spec = {"scaleTargetRef": {"apiVersion": kind.api_version, "kind": kind.kind, "name": ref_name},
            "maxReplicas": max_}
    if min_ > 0:
        spec["minReplicas"] = min_
    if cpu_percent >= 0:
        spec["targetCPUUtilizationPercentage"] = cpu_percent
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name or ref_name, "creationTimestamp": None},
            "spec": spec, "status": {"currentReplicas": 0, "desiredReplicas": 0}}


def as_v2(hpa: dict) -> dict:
    """The autoscaling/v1 object kubectl builds, converted as the apiserver converts it."""
    spec = {k: v for k, v in hpa["spec"].items() if k != "targetCPUUtilizationPercentage"}
    if "targetCPUUtilizationPercentage" in hpa["spec"]:
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": hpa["spec"]["targetCPUUtilizationPercentage"]}}}]
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": hpa["metadata"]["name"]}, "spec": spec}


def run(g, o, args):
    """Auto-scale a deployment, replica set, stateful set, or replication controller."""
    from pykubectl.cli.apply import dry_run_mode
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import collect, no_kustomize, output_kind, print_obj
    dry = dry_run_mode(o.dry_run)
    fmt = output_kind(o.output)
    validate(o.max, o.min)
    no_kustomize(o)
    client = make_client(g)
    errors: list = []
    targets, _ = collect(client, g, resources=list(args), filenames=o.filename, recursive=o.recursive, errors=errors)
    if errors:
        raise errors[0]
    if not targets:
        raise CLIError("no objects passed to autoscale")
    hpa_kind = client.resolve("horizontalpodautoscalers.autoscaling")
    t = targets[0]   # kubectl's visitor returns after the first object
    if (t.kind.group, t.kind.kind) not in SCALABLE:
        gvr = f"{t.kind.group}/{t.kind.version}, Resource={t.kind.plural}"
        raise CLIError(f"cannot autoscale a {t.kind.kind}: could not find scale subresource for {gvr} in discovery information")
    hpa = hpa_for(t.kind, t.name, o.name, o.min, o.max, o.cpu_percent)
    if dry == "client":
        print_obj(hpa_kind, hpa, "created", fmt, dry, show_managed_fields=o.show_managed_fields)
        return
    # the emulated apiserver serves autoscaling/v2 only: send the same object in v2 form
    body = as_v2(hpa)
    if o.save_config:
        from pykubectl.cli.metadata_verbs import go_json
        body["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": go_json(hpa) + "\n"}
    created, _warnings = client.create(hpa_kind, body, t.ns, dry_run=(dry == "server"), field_manager=o.field_manager)
    print_obj(hpa_kind, created, "autoscaled", fmt, dry, show_managed_fields=o.show_managed_fields)
