"""kubectl rollout status|history|undo|restart|pause|resume, after kubectl's
pkg/cmd/rollout and pkg/polymorphichelpers (status viewers, history viewers, rollbackers,
pausers, restarters): the same messages, the same patches."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import DRY_RUN, Flag

USAGE = "kubectl rollout SUBCOMMAND"
LONG = """Manage the rollout of one or many resources.

 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets"""
EXAMPLES = """  # Rollback to the previous deployment
  kubectl rollout undo deployment/abc

  # Check the rollout status of a daemonset
  kubectl rollout status daemonset/foo

  # Restart a deployment
  kubectl rollout restart deployment/abc

  # Restart deployments with the 'app=nginx' label
  kubectl rollout restart deployment --selector=app=nginx
"""
SUBCOMMANDS = {
    "history": "View rollout history",
    "pause": "Mark the provided resource as paused",
    "restart": "Restart a resource",
    "resume": "Resume a paused resource",
    "status": "Show the status of the rollout",
    "undo": "Undo a previous rollout",
}
_COMMON = {"filename", "recursive", "kustomize", "selector"}
_PRINT = {"output", "template", "allow_missing_template_keys", "show_managed_fields"}
ALLOWED = {
    "status": _COMMON | {"watch", "timeout", "revision"},
    "history": _COMMON | _PRINT | {"revision"},
    "undo": _COMMON | _PRINT | {"to_revision", "dry_run"},
    "restart": _COMMON | _PRINT | {"field_manager"},
    "pause": _COMMON | _PRINT | {"field_manager"},
    "resume": _COMMON | _PRINT | {"field_manager"},
}
FLAGS = [
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    DRY_RUN,
    Flag("field-manager", default="kubectl-rollout", help="Name of the manager used to track field ownership."),
    Flag("filename", "f", "slice", help="Filename, directory, or URL to files identifying the resource to get from a server."),
    Flag("kustomize", "k", help="Process the kustomization directory. This flag can't be used together with -f or -R."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("revision", kind="int", default=0, help="See the details, including podTemplate of the revision specified"),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("timeout", kind="duration", default="0s", help="The length of time to wait before ending watch, zero means never. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h)."),
    Flag("to-revision", kind="int", default=0, help="The revision to rollback to. Default to 0 (last revision)."),
    Flag("watch", "w", "bool", default=True, help="Watch the status of the rollout until it's done."),
]

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
# annotations a rollback keeps from the deployment rather than the ReplicaSet (kubectl's annotationsToSkip)
_SKIP = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, "deployment.kubernetes.io/revision-history",
         "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
         "deprecated.deployment.rollback.to"}
_SUPPORTED = {("apps", "Deployment"), ("apps", "DaemonSet"), ("apps", "StatefulSet")}


def group_help() -> str:
    """`kubectl rollout` alone, as cobra prints it (the blank line after the first keeps
    kubectl's stray indentation)."""
    long = LONG.replace("resources.\n\n", "resources.\n        \n", 1)
    cmds = "".join(f"  {k.ljust(14)}{v}\n" for k, v in SUBCOMMANDS.items())
    return (f"{long}\n\nExamples:\n{EXAMPLES.replace(chr(10) + chr(10), chr(10) + '  ' + chr(10))}\n"
            f"Available Commands:\n{cmds}\nUsage:\n  {USAGE} [options]\n\n"
            'Use "kubectl rollout <command> --help" for more information about a given command.\n'
            'Use "kubectl options" for a list of global command-line options (applies to all commands).\n')


# -- status viewers (polymorphichelpers/rollout_status.go) -----------------------------

def status_message(obj: dict, revision: int = 0) -> tuple[str, bool]:
    """(message, done) for a Deployment, DaemonSet or StatefulSet; raises CLIError on failure."""
    kind = obj.get("kind")
    meta, spec, st = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
    gen, observed = meta.get("generation", 0), st.get("observedGeneration", 0)
    name = meta["name"]
    if kind == "Deployment":
        if revision > 0:
            have = int((meta.get("annotations") or {}).get(REVISION, "0") or 0)
            if have != revision:
                raise CLIError(f"desired revision ({revision}) is different from the running revision ({have})")
        if gen <= observed:
            for c in st.get("conditions") or ():
                if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                    raise CLIError(f'deployment "{name}" exceeded its progress deadline')
            want = 1 if spec.get("replicas") is None else spec["replicas"]
            updated, replicas, available = (st.get("updatedReplicas", 0), st.get("replicas", 0),
                                            st.get("availableReplicas", 0))
            if updated < want:
                return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {want} new replicas '
                        "have been updated...\n", False)
            if replicas > updated:
                return (f'Waiting for deployment "{name}" rollout to finish: {replicas - updated} old replicas '
                        "are pending termination...\n", False)
            if available < updated:
                return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated '
                        "replicas are available...\n", False)
            return f'deployment "{name}" successfully rolled out\n', True
        return "Waiting for deployment spec update to be observed...\n", False
    if kind == "DaemonSet":
        if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
            raise CLIError("rollout status is only available for RollingUpdate strategy type")
        if gen <= observed:
            desired, updated = st.get("desiredNumberScheduled", 0), st.get("updatedNumberScheduled", 0)
            if updated < desired:
                return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods '
                        "have been updated...\n", False)
            if st.get("numberAvailable", 0) < desired:
                return (f'Waiting for daemon set "{name}" rollout to finish: {st.get("numberAvailable", 0)} of '
                        f"{desired} updated pods are available...\n", False)
            return f'daemon set "{name}" successfully rolled out\n', True
        return "Waiting for daemon set spec update to be observed...\n", False
    if kind == "StatefulSet":
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            raise CLIError("rollout status is only available for RollingUpdate strategy type")
        if observed == 0 or gen > observed:
            return "Waiting for statefulset spec update to be observed...\n", False
        want = 1 if spec.get("replicas") is None else spec["replicas"]
        if st.get("readyReplicas", 0) < want:
            return f"Waiting for {want - st.get('readyReplicas', 0)} pods to be ready...\n", False
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        if partition > 0:
            if st.get("updatedReplicas", 0) < want - partition:
                return (f"Waiting for partitioned roll out to finish: {st.get('updatedReplicas', 0)} out of "
                        f"{want - partition} new pods have been updated...\n", False)
            return f"partitioned roll out complete: {st.get('updatedReplicas', 0)} new pods have been updated...\n", True
        if st.get("updateRevision") != st.get("currentRevision"):
            return (f"waiting for statefulset rolling update to complete {st.get('updatedReplicas', 0)} pods at "
                    f"revision {st.get('updateRevision')}...\n", False)
        return (f"statefulset rolling update complete {st.get('currentReplicas', 0)} pods at revision "
                f"{st.get('currentRevision')}...\n", True)
    raise CLIError(f"no status viewer has been implemented for {kind}")


# -- history ---------------------------------------------------------------------------

def history(client, t) -> dict[int, dict]:
    """revision -> the ReplicaSet or ControllerRevision that holds it."""
    out = {}
    owner_uid = t.obj["metadata"].get("uid")
    if t.obj["kind"] == "Deployment":
        for rs in client.list(client.resolve("replicasets.apps"), t.ns)["items"]:
            if any(r.get("uid") == owner_uid and r.get("controller") for r in rs["metadata"].get("ownerReferences") or ()):
                rev = (rs["metadata"].get("annotations") or {}).get(REVISION)
                if rev and rev.isdigit():
                    out[int(rev)] = rs
    else:
        for cr in client.list(client.resolve("controllerrevisions.apps"), t.ns)["items"]:
            if any(r.get("uid") == owner_uid and r.get("controller") for r in cr["metadata"].get("ownerReferences") or ()):
                out[int(cr.get("revision") or 0)] = cr
    return out


def history_table(revisions: dict[int, dict]) -> str:
    rows = [("REVISION", "CHANGE-CAUSE")] + [
        (str(r), (revisions[r]["metadata"].get("annotations") or {}).get(CHANGE_CAUSE) or "<none>")
        for r in sorted(revisions)]
    w = max(len(a) for a, _ in rows) + 2
    return "".join(f"{a.ljust(w)}{b}\n" for a, b in rows)


# -- the command -----------------------------------------------------------------------

def run(g, o, args):
    """Manage the rollout of one or many resources."""
    if not args:
        # cobra's DefaultSubCommandRun: the group's help, exit 1
        from pykubectl.cli.errors import Printed
        sys.stdout.write(group_help())
        raise Printed(1)
    sub, rest = args[0], args[1:]
    if sub not in SUBCOMMANDS:
        raise CLIError(f'unknown command "{sub}"\nSee \'kubectl rollout -h\' for help and examples')
    for dest in o.changed:
        if dest not in ALLOWED[sub]:
            flag = next(f for f in FLAGS if f.dest == dest)
            raise CLIError(f"unknown flag: --{flag.name}\nSee 'kubectl rollout {sub} --help' for usage.")
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.metadata_verbs import collect, finish, output_kind
    fmt = "" if sub == "status" else output_kind(o.output)
    client = make_client(g)
    errors: list = []
    if not rest and not o.filename and not o.selector:
        raise CLIError("required resource not specified")
    targets, _single = collect(client, g, resources=list(rest), filenames=o.filename, recursive=o.recursive,
                               selector=o.selector, errors=errors)
    if sub == "status" and len(targets) > 1:
        raise CLIError("rollout status is only supported on individual resources and resource collections, "
                       f"but {len(targets)} resources were found")
    action = {"status": _status, "history": _history, "undo": _undo, "restart": _restart,
              "pause": _pause, "resume": _resume}[sub]
    for t in targets:
        action(client, t, o, fmt)
    finish(errors)


def _name(t) -> str:
    from pykubectl.cli.apply import kind_name
    return f"{kind_name(t.kind)}/{t.name}"


def _resource(t) -> str:
    return f"{t.kind.plural}.{t.kind.group}" if t.kind.group else t.kind.plural


def _emit(t, obj, operation, fmt, o, dry="none"):
    from pykubectl.cli.metadata_verbs import print_obj
    print_obj(t.kind, obj, operation, fmt, dry, show_managed_fields=o.show_managed_fields)


def _status(client, t, o, fmt):
    from pykubectl.store.clock import parse_duration
    timeout = parse_duration(o.timeout) if o.timeout else 0
    obj = t.obj
    last = None
    msg, done = status_message(obj, o.revision)
    sys.stdout.write(msg)
    sys.stdout.flush()
    if done or not o.watch:
        return
    last = msg
    since = obj["metadata"].get("resourceVersion")
    for type_, cur in client.watch(t.kind, t.ns, since=since, field_selector=f"metadata.name={t.name}",
                                   timeout=timeout or None):
        if type_ == "DELETED":
            raise CLIError("object has been deleted")
        msg, done = status_message(cur, o.revision)
        if msg != last:
            sys.stdout.write(msg)
            sys.stdout.flush()
            last = msg
        if done:
            return
    raise CLIError("timed out waiting for the condition")


def _history(client, t, o, fmt):
    if (t.kind.group, t.kind.kind) not in _SUPPORTED:
        raise CLIError(f"no history viewer has been implemented for {t.kind.kind}.{t.kind.group}"
                       if t.kind.group else f"no history viewer has been implemented for {t.kind.kind}")
    revs = history(client, t)
    if o.revision > 0:
        if o.revision not in revs:
            raise CLIError("unable to find the specified revision")
        holder = revs[o.revision]
        tmpl = (holder.get("spec") or {}).get("template") if t.obj["kind"] == "Deployment" else \
            ((holder.get("data") or {}).get("spec") or {}).get("template")
        from pykubectl.printers import output as P
        sys.stdout.write(f"{_name(t)} with revision #{o.revision}\n")
        sys.stdout.write(P.to_yaml({k: v for k, v in (tmpl or {}).items() if k != "$patch"}))
        return
    if fmt:
        _emit(t, t.obj, "", fmt, o)
        return
    if not revs:
        sys.stdout.write(f"{_name(t)} \nNo rollout history found.\n")
        return
    sys.stdout.write(f"{_name(t)} \n{history_table(revs)}\n")


def _undo(client, t, o, fmt):
    from pykubectl.cli.apply import dry_run_mode
    dry = dry_run_mode(o.dry_run)
    d = t.obj
    kind = d.get("kind")
    if (t.kind.group, kind) not in _SUPPORTED:
        raise CLIError(f"no rollbacker has been implemented for {t.kind.group}/{kind}"
                       if t.kind.group else f"no rollbacker has been implemented for {kind}")
    revs = history(client, t)
    to = o.to_revision
    if kind == "Deployment":
        if (d.get("spec") or {}).get("paused"):
            raise CLIError("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again")
        if not revs:
            raise CLIError(f'no rollout history found for deployment "{t.name}"')
    if to > 0:
        if to not in revs:
            raise CLIError(f"unable to find specified revision {to} in history")
        holder = revs[to]
    else:
        ordered = sorted(revs)
        if len(ordered) < 2:
            raise CLIError(f'no rollout history found for {kind.lower()} "{t.name}"' if kind == "Deployment"
                           else "no last revision to roll back to")
        holder = revs[ordered[-2]]
    if kind == "Deployment":
        import copy
        tmpl = copy.deepcopy(holder["spec"].get("template") or {})
        labels = (tmpl.get("metadata") or {}).get("labels") or {}
        labels.pop("pod-template-hash", None)
        if _same_template(tmpl, d["spec"].get("template") or {}):
            _emit(t, d, f"skipped rollback (current template already matches revision {to})", fmt, o, dry)
            return
        ann = {k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k in _SKIP}
        ann.update({k: v for k, v in (holder["metadata"].get("annotations") or {}).items() if k not in _SKIP})
        patch = [{"op": "replace", "path": "/spec/template", "value": tmpl},
                 {"op": "replace", "path": "/metadata/annotations", "value": ann}]
    else:
        tmpl = {k: v for k, v in ((holder.get("data") or {}).get("spec") or {}).get("template", {}).items() if k != "$patch"}
        if _same_template(tmpl, d["spec"].get("template") or {}):
            _emit(t, d, "skipped rollback (current template already matches revision "
                        f"{to or sorted(revs)[-2]})", fmt, o, dry)
            return
        patch = [{"op": "replace", "path": "/spec/template", "value": tmpl}]
    if dry == "client":
        _emit(t, d, "rolled back", fmt, o, dry)
        return
    out, _ = client.patch(t.kind, t.ns, t.name, "json", patch, dry_run=(dry == "server"))
    _emit(t, out, "rolled back", fmt, o, dry)


def _same_template(a: dict, b: dict) -> bool:
    import copy

    def norm(x):
        x = copy.deepcopy(x)
        md = x.get("metadata") or {}
        md.pop("creationTimestamp", None)
        (md.get("labels") or {}).pop("pod-template-hash", None)
        if "labels" in md and not md["labels"]:
            md.pop("labels")
        if "metadata" in x and not md:
            x.pop("metadata")
        return x
    return norm(a) == norm(b)


def _restart(client, t, o, fmt):
    from datetime import datetime
    d = t.obj
    if (t.kind.group, d.get("kind")) not in _SUPPORTED:
        raise CLIError(f'{_resource(t)} "{t.name}" restarting is not supported')
    if d.get("kind") == "Deployment" and (d.get("spec") or {}).get("paused"):
        raise CLIError(f"can't restart paused deployment (run rollout resume first)")
    stamp = datetime.fromtimestamp(client.now()).astimezone().isoformat(timespec="seconds").replace("+00:00", "Z")
    patch = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}}
    out, _ = client.patch(t.kind, t.ns, t.name, "strategic", patch, field_manager=o.field_manager)
    _emit(t, out, "restarted", fmt, o)


def _pause_resume(client, t, o, fmt, paused: bool):
    d = t.obj
    verb = "paused" if paused else "resumed"
    if d.get("kind") != "Deployment":
        raise CLIError(f'{_resource(t)} "{t.name}" {"pausing" if paused else "resuming"} is not supported')
    if bool((d.get("spec") or {}).get("paused")) == paused:
        _emit(t, d, f"already {verb}", fmt, o)
        return
    out, _ = client.patch(t.kind, t.ns, t.name, "strategic", {"spec": {"paused": paused or None}},
                          field_manager=o.field_manager)
    _emit(t, out, verb, fmt, o)


def _pause(client, t, o, fmt):
    _pause_resume(client, t, o, fmt, True)


def _resume(client, t, o, fmt):
    _pause_resume(client, t, o, fmt, False)


def help_for(args) -> str | None:
    """`rollout SUB --help`: kubectl's help for the subcommand; the group's otherwise."""
    from pykubectl.cli import subhelp
    subs = [a for a in args if a in ALLOWED]
    if not subs:
        return group_help()
    names = {f.name for f in FLAGS if f.dest in ALLOWED[subs[0]]}
    return subhelp.text(f"rollout {subs[0]}", names)

