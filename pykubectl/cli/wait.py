"""kubectl wait: --for=condition=X[=v] | delete | create | jsonpath='{...}'[=v], --timeout.

Each object is waited on in turn under one deadline, as kubectl's visitor does. Waiting drives the
cluster's due timers (a pod turns Ready while we wait, as on a real cluster). Under a virtual
clock time moves only by `sim advance`, so waiting longer could never change the answer: we check
once and fail at once with the timeout message instead of hanging.
"""
from __future__ import annotations

import sys
import time

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]] [options]"
LONG = """Experimental: Wait for a specific condition on one or many resources.

 The command takes multiple resources and waits until the specified condition is seen in the Status field of every given resource.

 Alternatively, the command can wait for the given set of resources to be created or deleted by providing the "create" or "delete" keyword as the value to the --for flag.

 A successful message will be printed to stdout indicating when the specified condition has been met. You can use -o option to change to output destination."""
EXAMPLES = """  # Wait for the pod "busybox1" to contain the status condition of type "Ready"
  kubectl wait --for=condition=Ready pod/busybox1
  
  # The default value of status condition is true; you can wait for other targets after an equal delimiter (compared after Unicode simple case folding, which is a more general form of case-insensitivity)
  kubectl wait --for=condition=Ready=false pod/busybox1
  
  # Wait for the pod "busybox1" to contain the status phase to be "Running"
  kubectl wait --for=jsonpath='{.status.phase}'=Running pod/busybox1
  
  # Wait for pod "busybox1" to be Ready
  kubectl wait --for='jsonpath={.status.conditions[?(@.type=="Ready")].status}=True' pod/busybox1
  
  # Wait for the service "loadbalancer" to have ingress
  kubectl wait --for=jsonpath='{.status.loadBalancer.ingress}' service/loadbalancer
  
  # Wait for the secret "busybox1" to be created, with a timeout of 30s
  kubectl create secret generic busybox1
  kubectl wait --for=create secret/busybox1 --timeout=30s
  
  # Wait for the pod "busybox1" to be deleted, with a timeout of 60s, after having issued the "delete" command
  kubectl delete pod/busybox1
  kubectl wait --for=delete pod/busybox1 --timeout=60s
"""

FLAGS = [
    Flag("all", kind="bool", help="Select all resources in the namespace of the specified resource types"),
    Flag("all-namespaces", "A", "bool", help="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    Flag("allow-missing-template-keys", kind="bool", default=True, help="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats."),
    Flag("field-selector", help="Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
    Flag("filename", "f", "slice", help="identifying the resource."),
    Flag("for", help="The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity."),
    Flag("local", kind="bool", help="If true, annotation will NOT contact api-server but run locally."),
    Flag("output", "o", help="Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    Flag("recursive", "R", "bool", default=True, help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2)"),
    Flag("show-managed-fields", kind="bool", help="If true, keep the managedFields when printing objects in JSON or YAML format."),
    Flag("template", help="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    Flag("timeout", kind="duration", default="30s", help="The length of time to wait before giving up. Zero means check once and don't wait, negative means wait for a week."),
]

_ALLOWED = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
_TIMED_OUT = "timed out waiting for the condition"


# ---------------------------------------------------------------- conditions (pure)

def split_jsonpath_input(text: str) -> list[str]:
    """kubectl's splitJSONPathInput: split on single `=`, keeping `==`."""
    out, cur, i = [], [], 0
    while i < len(text):
        if text[i] == "=":
            if i + 1 < len(text) and text[i + 1] == "=":
                cur.append("==")
                i += 2
                continue
            out.append("".join(cur))
            cur = []
        else:
            cur.append(text[i])
        i += 1
    out.append("".join(cur))
    return out


def condition_for(spec: str):
    """(mode, check) for --for: mode is 'delete' | 'create' | 'check'; check(obj) -> bool,
    raising ValueError with kubectl's words for a jsonpath that cannot be compared."""
    if spec.lower() == "delete":
        return "delete", None
    if spec.lower() == "create":
        return "create", None
    if spec.startswith("condition="):
        name, eq, value = spec[len("condition="):].partition("=")
        return "check", lambda obj: condition_met(obj, name, value if eq else "true")
    if spec.startswith("jsonpath="):
        from pykubectl.printers import jsonpath as J
        parts = split_jsonpath_input(spec[len("jsonpath="):])
        if len(parts) > 2:
            raise CLIError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'")
        try:
            expr = J.relaxed(parts[0])
        except J.JSONPathError as e:
            raise CLIError(str(e)) from None
        value = None
        if len(parts) == 2:
            value = parts[1].strip("'\"")
            if not value:
                raise CLIError("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3")
        if not expr:
            raise CLIError("jsonpath expression cannot be empty")
        try:
            parser = J.JSONPath(expr)
        except J.JSONPathError as e:
            raise CLIError(str(e)) from None
        return "check", lambda obj: jsonpath_met(parser, obj, value)
    raise CLIError(f"unrecognized condition: {_go_quote(spec)}")


def condition_met(obj: dict, name: str, value: str) -> bool:
    """ConditionalWait.checkCondition: the first condition of that type (case-folded) decides,
    unless it was observed for an older generation."""
    for cond in (obj.get("status") or {}).get("conditions") or ():
        if not isinstance(cond, dict) or not isinstance(cond.get("type"), str) \
                or cond["type"].casefold() != name.casefold():
            continue
        status = cond.get("status")
        if not isinstance(status, str):
            continue
        generation = (obj.get("metadata") or {}).get("generation")
        if isinstance(generation, int):
            observed = cond.get("observedGeneration", (obj.get("status") or {}).get("observedGeneration"))
            if isinstance(observed, int) and observed < generation:
                return False
        return status.casefold() == value.casefold()
    return False


def jsonpath_met(parser, obj: dict, value: str | None) -> bool:
    """JSONPathWait.checkCondition: exactly one value, compared as fmt's %v prints it."""
    from pykubectl.printers import jsonpath as J
    try:
        results = parser.find_results(obj)
    except J.JSONPathError as e:
        raise CLIError(str(e)) from None
    if not results or not results[0]:
        return False
    if len(results) > 1:
        raise CLIError("given jsonpath expression matches more than one list")
    if len(results[0]) > 1:
        raise CLIError("given jsonpath expression matches more than one value")
    if value is None:
        return True
    got = results[0][0]
    if isinstance(got, (dict, list)):
        raise CLIError("jsonpath leads to a nested object or list which is not supported")
    from pykubectl.printers.gotemplate import go_value
    return go_value(got, False).strip() == value.strip()


def _go_quote(s: str) -> str:
    import json
    return json.dumps(s, ensure_ascii=False)


def parse_timeout(text: str) -> float:
    """--timeout as pflag's DurationVar reads it; negative means a week."""
    from pykubectl.store.clock import parse_duration
    t = text.strip()
    try:
        if t.lstrip("+-").replace(".", "", 1).isdigit() and t.lstrip("+-") not in ("0",):
            raise ValueError(f'time: missing unit in duration "{text}"')
        neg = t.startswith("-")
        secs = parse_duration(t.lstrip("+-") or t)
    except ValueError as e:
        raise CLIError(f'invalid argument "{text}" for "--timeout" flag: {e}\nSee \'kubectl wait --help\' for usage.') from None
    return 168 * 3600.0 if neg and secs else secs


# ---------------------------------------------------------------- the command

def run(g, o, args):
    """Wait for a condition on one or many resources."""
    from pykubectl.cli.context import client as make_client
    timeout = parse_timeout(o.timeout)
    if not o["for"]:
        raise CLIError("unrecognized condition: \"\"")
    mode, check = condition_for(o["for"])
    printer = None
    if o.output or o.template:
        from pykubectl.cli.get import Printer
        printer = Printer(o.output or "go-template", o.template, show_managed_fields=o.show_managed_fields,
                          allow_missing_keys=o.allow_missing_template_keys, allowed=_ALLOWED)
    client = make_client(g)
    waiter = _Waiter(client, timeout)
    visited = 0
    for kind, ns, name, initial in _targets(client, o, args, mode):
        visited += 1
        if mode == "delete":
            if initial is None:
                continue        # kubectl ignores NotFound when waiting for deletion
            ok = waiter.until(lambda: _gone(client, kind, ns, name, initial))
            obj = initial
            if not ok and timeout == 0:
                raise CLIError(f"condition not met for {kind.plural}/{name}")
        elif mode == "create":
            obj = initial
            if obj is None:
                got = []
                ok = waiter.until(lambda: _fetch(client, kind, ns, name, got))
                obj = got[-1] if got else None
            else:
                ok = True
        else:
            got = [initial]

            def met():
                obj = client.get(kind, ns, name)
                got.append(obj)
                return check(obj)
            ok = check(initial) or (timeout > 0 and waiter.until(met))
            obj = got[-1]
            if not ok and timeout == 0:
                raise CLIError(f"condition not met for {kind.plural}/{name}")
        if not ok:
            raise CLIError(f"{_TIMED_OUT} on {kind.plural}/{name}")
        sys.stdout.write(_printed(printer, kind, obj))
        sys.stdout.flush()
    if visited == 0 and mode != "delete":
        raise CLIError("no matching resources found")


def _printed(printer, kind, obj) -> str:
    from pykubectl.cli.apply import kind_name
    from pykubectl.printers.output import name_line
    if printer is None:
        return name_line(kind_name(kind), obj, "condition met")
    return printer.render(printer.print(obj, kind_name(kind)))


def _fetch(client, kind, ns, name, into: list) -> bool:
    from pykubectl.api.errors import StatusError
    try:
        into.append(client.get(kind, ns, name))
        return True
    except StatusError as e:
        if e.code == 404:
            return False
        raise


def _gone(client, kind, ns, name, initial) -> bool:
    """Deleted, or replaced by a new object of the same name (another uid)."""
    got: list = []
    if not _fetch(client, kind, ns, name, got):
        return True
    return got[0].get("metadata", {}).get("uid") != initial.get("metadata", {}).get("uid")


def _targets(client, o, args, mode):
    """(kind, namespace, name, object-or-None) in kubectl's visiting order."""
    if o.filename:
        from pykubectl.cli.apply import read_manifests, resolve_manifest_kind, target_namespace
        for obj, _dups, src in read_manifests(o.filename, o.recursive):
            kind = resolve_manifest_kind(client, obj, src)
            ns = target_namespace(kind, obj, None, client.namespace)
            name = (obj.get("metadata") or {}).get("name", "")
            got: list = []
            _fetch_or_raise(client, kind, ns, name, got, mode)
            yield kind, ns, name, got[0] if got else None
        return
    from pykubectl.cli.get import parse_resource_args
    selector, fields = o.selector or None, o.field_selector or None
    for kind, names in parse_resource_args(client, args):
        ns = (None if o.all_namespaces else client.namespace) if kind.namespaced else None
        if names:
            for name in names:
                got = []
                _fetch_or_raise(client, kind, ns, name, got, mode)
                yield kind, ns, name, got[0] if got else None
        elif selector or fields or o.all or o.all_namespaces:
            for obj in client.list(kind, ns, selector, fields)["items"]:
                m = obj.get("metadata") or {}
                yield kind, m.get("namespace") if kind.namespaced else None, m.get("name", ""), obj
        else:
            raise CLIError("resource(s) were provided, but no name was specified")


def _fetch_or_raise(client, kind, ns, name, into, mode):
    if not _fetch(client, kind, ns, name, into) and mode == "check":
        client.get(kind, ns, name)      # raises kubectl's NotFound


class _Waiter:
    """Polls a predicate until it holds or the deadline passes, driving the cluster's due
    timers in between (real clock); under a virtual clock it checks once."""

    def __init__(self, client, timeout: float):
        self.client = client
        self.end = time.monotonic() + timeout
        cluster = getattr(client, "cluster", None)
        self.virtual = cluster is not None and cluster.clock.mode != "real"

    def until(self, pred) -> bool:
        cluster = getattr(self.client, "cluster", None)
        while True:
            if cluster is not None:
                cluster.reconcile()
            if pred():
                return True
            now = time.monotonic()
            if self.virtual or now >= self.end:
                return False
            gap = 0.2
            if cluster is not None:
                nxt = cluster.store.next_timer()
                if nxt is not None:
                    gap = min(max(nxt - cluster.clock.now(), 0.01), 0.5)
            time.sleep(min(gap, max(self.end - now, 0.0)))
