"""`kubectl describe` as pure functions: a port of kubectl's pkg/describe/describe.go (v1.32).

`describe(resource, obj, ctx) -> str`: `resource` is the Kind's `resource` string (`pods`,
`deployments.apps`); `ctx` carries everything the Go describers fetch themselves (the object's
events, a Service's EndpointSlices, a Deployment's ReplicaSets, ...) and `now`. The CLI verb
gathers; nothing here does I/O or reads the clock. `NEEDS` says what each describer wants.

Layout is kubectl's: a PrefixWriter (two spaces per level) over Go's text/tabwriter with
describe's settings (`tabwriter.Init(buf, 0, 8, 2, ' ', 0)`: minwidth 0, padding 2).
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from fractions import Fraction

from pykubectl.printers.duration import human_duration, parse_time

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140

# What each describer wants gathered besides the object and its events.
NEEDS = {
    "pods": (),
    "nodes": ("node_pods", "lease"),
    "services": ("endpointslices",),
    "serviceaccounts": ("secrets",),
    "namespaces": ("quotas", "limitranges"),
    "deployments.apps": ("replicasets",),
    "replicasets.apps": ("pods",),
    "statefulsets.apps": ("pods",),
    "daemonsets.apps": ("pods",),
    "replicationcontrollers": ("pods",),
    "persistentvolumeclaims": ("pods",),
    "ingresses.networking.k8s.io": ("services", "endpointslices"),
}
# Describers that never show events (kubectl does not search for them).
NO_EVENTS = {"secrets", "roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io",
             "rolebindings.rbac.authorization.k8s.io",
             "clusterrolebindings.rbac.authorization.k8s.io", "limitranges", "resourcequotas",
             "namespaces", "networkpolicies.networking.k8s.io"}


class Ctx:
    """What a describer may look at: `now`, the object's `events` (None: not searched), the
    time zone timestamps are printed in, and gathered extras by name (see NEEDS)."""

    def __init__(self, now: datetime, events: list | None = None, tz=timezone.utc, **extra):
        self.now, self.events, self.tz, self.extra = now, events, tz, extra

    def get(self, key, default=None):
        return self.extra.get(key, default)


# ------------------------------------------------------------------ tabwriter + PrefixWriter
def tabwrite(text: str, minwidth: int = 0, padding: int = 2) -> str:
    """describe's tabwriter: `tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)`."""
    from pykubectl.printers.render import tabwrite as _tabwrite
    return _tabwrite(text, minwidth=minwidth, padding=padding)


def escape_terminal(s: str) -> str:
    """printers.WriteEscaped: no escape sequences or carriage returns reach the terminal."""
    return s.replace("\x1b", "^[").replace("\r", "\\r")


class Writer:
    """kubectl's PrefixWriter: `write(level, text)` indents by two spaces per level."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self.parts.append(escape_terminal("  " * level + text))

    def line(self, text: str = "") -> None:
        self.parts.append(escape_terminal(text + "\n"))

    def result(self) -> str:
        return tabwrite("".join(self.parts))


# ------------------------------------------------------------------ Go formatting helpers
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc1123z(ts: str | None, tz=timezone.utc) -> str:
    """time.RFC1123Z of a metav1.Time; the zero time when unset, as Go prints it."""
    dt = parse_time(ts)
    if dt is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    dt = dt.astimezone(tz)
    off = dt.utcoffset() or timedelta(0)
    mins = int(off.total_seconds() // 60)
    sign = "-" if mins < 0 else "+"
    mins = abs(mins)
    return (f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
            f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {sign}{mins // 60:02d}{mins % 60:02d}")


def since(ts: str | None, now: datetime) -> str:
    """translateTimestampSince: `<unknown>` for a zero timestamp."""
    dt = parse_time(ts)
    if dt is None:
        return "<unknown>"
    return human_duration((now - dt).total_seconds())


def gobool(v) -> str:
    return "true" if v else "false"


def golist(v) -> str:
    """%v of a []string."""
    return "[" + " ".join(str(x) for x in (v or ())) + "]"


def govalue(v) -> str:
    """%v of a JSON value as Go prints an unstructured one."""
    if isinstance(v, bool):
        return gobool(v)
    if v is None:
        return "<nil>"
    if isinstance(v, float):
        return repr(v) if v != int(v) or abs(v) >= 1e21 else str(int(v))
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{govalue(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(govalue(x) for x in v) + "]"
    return str(v)


def bool_title(v) -> str:
    return "True" if v else "False"


def bool_ptr(v) -> str:
    return "<unset>" if v is None else bool_title(v)


def or_none(s) -> str:
    return s if s else "<none>"


def quantity(v) -> str:
    """Quantity.String() of a stored quantity ("0" when absent)."""
    if v is None:
        return "0"
    from pykubectl.api.quantity import QuantityError, canonical
    try:
        return canonical(v)
    except (QuantityError, ValueError, TypeError):
        return str(v)


def _q_format(s) -> str:
    s = str(s)
    if s.endswith("i"):
        return "BinarySI"
    if "e" in s.lower().lstrip("+-0123456789."):
        return "DecimalExponent"
    return "DecimalSI"


class Q:
    """A resource.Quantity sum: exact value, the format of the first addend (Go's Add)."""

    __slots__ = ("value", "fmt")

    def __init__(self, value=Fraction(0), fmt="DecimalSI"):
        self.value, self.fmt = value, fmt

    @classmethod
    def of(cls, s) -> "Q":
        from pykubectl.api.quantity import parse_quantity
        return cls(parse_quantity(s), _q_format(s))

    def __str__(self) -> str:
        from pykubectl.api.quantity import format_quantity
        return format_quantity(self.value, self.fmt)

    def milli(self) -> int:
        v = self.value * 1000
        return -((-v.numerator) // v.denominator)

    def int(self) -> int:
        v = self.value
        return -((-v.numerator) // v.denominator)


def _add_list(total: dict, res: dict | None) -> None:
    for name, s in (res or {}).items():
        q = Q.of(s)
        if name in total:
            total[name] = Q(total[name].value + q.value, total[name].fmt)
        else:
            total[name] = q


def _max_list(total: dict, res: dict) -> None:
    for name, q in res.items():
        if name not in total or q.value > total[name].value:
            total[name] = q


def _pod_resources(pod: dict, key: str) -> dict:
    """resourcehelper.PodRequestsAndLimits, one side: containers summed, init containers as a
    maximum (restartable sidecars add up), plus the pod overhead."""
    spec = pod.get("spec") or {}
    total: dict = {}
    for c in spec.get("containers") or ():
        _add_list(total, (c.get("resources") or {}).get(key))
    init_max: dict = {}
    sidecars: dict = {}
    for c in spec.get("initContainers") or ():
        mine: dict = {}
        _add_list(mine, (c.get("resources") or {}).get(key))
        if c.get("restartPolicy") == "Always":
            for n, q in mine.items():
                _add_list(total, {n: str(q)})
                _add_list(sidecars, {n: str(q)})
            mine = dict(sidecars)
        else:
            for n, q in sidecars.items():
                _add_list(mine, {n: str(q)})
        _max_list(init_max, mine)
    _max_list(total, init_max)
    _add_list(total, spec.get("overhead"))
    return total


def _m(obj) -> dict:
    return obj.get("metadata") or {}


def selector_string(sel: dict | None) -> str:
    """labels.Selector.String() of metav1.LabelSelectorAsSelector (empty for nil / {})."""
    from pykubectl.printers.tables import _selector_string
    return _selector_string(sel)


def format_label_selector(sel: dict | None) -> str:
    from pykubectl.printers.tables import format_label_selector as f
    return f(sel)


def format_labels(m: dict | None) -> str:
    from pykubectl.printers.tables import format_labels as f
    return f(m)


def controller_of(obj: dict) -> str:
    for ref in _m(obj).get("ownerReferences") or ():
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


# ------------------------------------------------------------------ shared blocks
def labels_multiline(w: Writer, title: str, labels: dict | None, initial: str = "",
                     inner: str = "\t") -> None:
    w.write(0, f"{initial}{title}:{inner}")
    if not labels:
        w.line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, initial)
            w.write(0, inner)
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: Writer, title: str, annotations: dict | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.line("<none>")
        return
    indent = "\t"
    for i, key in enumerate(keys):
        if i:
            w.write(0, indent)
        value = str(annotations[key])
        if value.endswith("\n"):
            value = value[:-1]
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for s in value.split("\n"):
                if len(s) > MAX_ANNOTATION_LEN - 2:
                    s = s[:MAX_ANNOTATION_LEN - 2] + "..."
                w.write(0, f"{indent}  {s}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def taint_string(t: dict) -> str:
    """Taint.ToString(): `key=value:Effect`."""
    s = t.get("key", "")
    if t.get("value"):
        s += "=" + t["value"]
    if t.get("effect"):
        s += ":" + t["effect"]
    return s


def taints_multiline(w: Writer, title: str, taints) -> None:
    w.write(0, f"{title}:\t")
    if not taints:
        w.line("<none>")
        return
    for i, t in enumerate(sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")):
        if i:
            w.write(0, "\t")
        w.write(0, taint_string(t) + "\n")


def tolerations_multiline(w: Writer, title: str, tolerations, initial: str = "") -> None:
    w.write(0, f"{initial}{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, t in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, initial)
            w.write(0, "\t")
        key, value, effect = t.get("key", ""), t.get("value", ""), t.get("effect", "")
        s = key
        if value:
            s += "=" + value
        if effect:
            s += ":" + effect
        if t.get("operator") == "Exists" and not value:
            s += " op=Exists" if key or effect else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            s += f" for {t['tolerationSeconds']}s"
        w.write(0, s + "\n")


def describe_events(events: list, w: Writer, now: datetime) -> None:
    """DescribeEvents: sorted by last time seen; `(x3 over 2m)` for repeated events."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return

    def event_time(e):
        series = e.get("series") or {}
        ts = series.get("lastObservedTime") if e.get("series") else None
        ts = ts or e.get("lastTimestamp") or e.get("eventTime")
        return parse_time(ts) or datetime.min.replace(tzinfo=timezone.utc)

    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in sorted(events, key=event_time):
        first = since(e.get("eventTime"), now)
        if parse_time(e.get("eventTime")) is None:
            first = since(e.get("firstTimestamp"), now)
        if e.get("series"):
            s = e["series"]
            interval = f"{since(s.get('lastObservedTime'), now)} (x{s.get('count', 0)} over {first})"
        elif (e.get("count") or 0) > 1:
            interval = f"{since(e.get('lastTimestamp'), now)} (x{e['count']} over {first})"
        else:
            interval = first
        source = (e.get("source") or {}).get("component") or e.get("reportingComponent") or ""
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{source}\t"
                   f"{(e.get('message') or '').strip()}\n")


def _events(w: Writer, ctx: Ctx) -> None:
    if ctx.events is not None:
        describe_events(ctx.events, w, ctx.now)


# ------------------------------------------------------------------ pods and templates
def _probe(p: dict) -> str:
    attrs = (f"delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 0)}s "
             f"period={p.get('periodSeconds', 0)}s #success={p.get('successThreshold', 0)} "
             f"#failure={p.get('failureThreshold', 0)}")
    if p.get("exec") is not None:
        return f"exec {golist(p['exec'].get('command'))} {attrs}"
    if p.get("httpGet") is not None:
        h = p["httpGet"]
        scheme = (h.get("scheme") or "").lower()
        port = str(h.get("port", ""))
        host = h.get("host", "")
        if port:
            host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        url = f"{scheme}://{host}" if scheme else f"//{host}"
        path = h.get("path", "")
        if path and not path.startswith("/"):
            path = "/" + path
        return f"http-get {url}{path} {attrs}"
    if p.get("tcpSocket") is not None:
        t = p["tcpSocket"]
        return f"tcp-socket {t.get('host', '')}:{t.get('port', '')} {attrs}"
    if p.get("grpc") is not None:
        g = p["grpc"]
        return f"grpc <pod>:{g.get('port', 0)} {g.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _field_ref_value(pod: dict | None, path: str) -> str:
    """fieldpath.ExtractFieldPathAsString: only metadata fields resolve; the rest print empty."""
    if pod is None:
        return ""
    meta = _m(pod)
    for field in ("labels", "annotations"):
        prefix = f"metadata.{field}['"
        if path.startswith(prefix) and path.endswith("']"):
            return (meta.get(field) or {}).get(path[len(prefix):-2], "")
    if path in ("metadata.labels", "metadata.annotations"):
        m = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{m[k]}"' for k in sorted(m))
    if path in ("metadata.name", "metadata.namespace", "metadata.uid"):
        return meta.get(path.split(".")[1], "")
    return ""


def _resource_field_value(ref: dict, container: dict) -> str:
    """resourcehelper.ExtractContainerResourceValue for a container's own resources."""
    import math
    res = ref.get("resource", "")
    side, _, name = res.partition(".")
    if side not in ("limits", "requests"):
        return ""
    q = (container.get("resources") or {}).get(side, {}).get(name)
    q = Q.of(q) if q is not None else Q()
    divisor = Q.of(ref.get("divisor") or "1")
    if name == "cpu":
        if divisor.milli() == 0:
            return ""
        return str(int(math.ceil(q.milli() / divisor.milli())))
    if name in ("memory", "ephemeral-storage") or name.startswith("hugepages-"):
        if divisor.int() == 0:
            return ""
        return str(int(math.ceil(q.int() / divisor.int())))
    return ""


def _container_env(w: Writer, c: dict, pod: dict | None) -> None:
    env = c.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        name = e.get("name", "")
        vf = e.get("valueFrom")
        if vf is None:
            for i, s in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{name}:\t{s}\n" if i == 0 else f"\t{s}\n")
            continue
        if vf.get("fieldRef") is not None:
            fr = vf["fieldRef"]
            value = _field_ref_value(pod, fr.get("fieldPath", ""))
            w.write(3, f"{name}:\t{value} ({fr.get('apiVersion', '')}:{fr.get('fieldPath', '')})\n")
        elif vf.get("resourceFieldRef") is not None:
            rf = vf["resourceFieldRef"]
            value = _resource_field_value(rf, c)
            if value == "0" and rf.get("resource") in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{name}:\t{value} ({rf.get('resource', '')})\n")
        elif vf.get("secretKeyRef") is not None:
            r = vf["secretKeyRef"]
            w.write(3, f"{name}:\t<set to the key '{r.get('key', '')}' in secret '{r.get('name', '')}'>\t"
                       f"Optional: {gobool(r.get('optional'))}\n")
        elif vf.get("configMapKeyRef") is not None:
            r = vf["configMapKeyRef"]
            w.write(3, f"{name}:\t<set to the key '{r.get('key', '')}' of config map '{r.get('name', '')}'>\t"
                       f"Optional: {gobool(r.get('optional'))}\n")


def _container_env_from(w: Writer, c: dict) -> None:
    w.write(2, "Environment Variables from:\n")
    for e in c["envFrom"]:
        src, name, optional = "", "", False
        if e.get("configMapRef") is not None:
            src, name, optional = "ConfigMap", e["configMapRef"].get("name", ""), e["configMapRef"].get("optional")
        elif e.get("secretRef") is not None:
            src, name, optional = "Secret", e["secretRef"].get("name", ""), e["secretRef"].get("optional")
        if e.get("prefix"):
            w.write(3, f"{name}\t{src} with prefix '{e['prefix']}'\tOptional: {gobool(optional)}\n")
        else:
            w.write(3, f"{name}\t{src}\tOptional: {gobool(optional)}\n")


def _container_state(w: Writer, title: str, state: dict | None, tz) -> None:
    state = state or {}
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'), tz)}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if (t.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(t.get('startedAt'), tz)}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.get('finishedAt'), tz)}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def _resources(w: Writer, res: dict | None, level: int) -> None:
    res = res or {}
    for side, title in (("limits", "Limits"), ("requests", "Requests")):
        vals = res.get(side) or {}
        if vals:
            w.write(level, f"{title}:\n")
        for name in sorted(vals):
            w.write(level + 1, f"{name}:\t{quantity(vals[name])}\n")


def _containers(w: Writer, label: str, containers, statuses, pod: dict | None, space: str, tz) -> None:
    by_name = {s.get("name"): s for s in statuses or ()}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    name_indent = " " if space else ""
    for c in containers or ():
        st = by_name.get(c.get("name"))
        w.write(1, f"{name_indent}{c.get('name', '')}:\n")
        if st is not None:
            w.write(2, f"Container ID:\t{st.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if st is not None:
            w.write(2, f"Image ID:\t{st.get('imageID', '')}\n")
        ports = c.get("ports") or ()
        port_s = ", ".join(f"{p.get('containerPort', 0)}/{p.get('protocol', '')}" for p in ports)
        host_s = ", ".join(f"{p.get('hostPort', 0)}/{p.get('protocol', '')}" for p in ports)
        if "," in port_s:
            w.write(2, f"Ports:\t{port_s}\n")
        else:
            w.write(2, f"Port:\t{or_none(port_s)}\n")
        if "," in host_s:
            w.write(2, f"Host Ports:\t{host_s}\n")
        else:
            w.write(2, f"Host Port:\t{or_none(host_s)}\n")
        sp = (c.get("securityContext") or {}).get("seccompProfile")
        if sp is not None:
            w.write(2, f"SeccompProfile:\t{sp.get('type', '')}\n")
            if sp.get("type") == "Localhost":
                w.write(3, f"LocalhostProfile:\t{sp.get('localhostProfile', '')}\n")
        for key, title in (("command", "Command"), ("args", "Args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for item in c[key]:
                    for s in str(item).split("\n"):
                        w.write(3, f"{s}\n")
        if st is not None:
            _container_state(w, "State", st.get("state"), tz)
            if (st.get("lastState") or {}).get("terminated") is not None:
                _container_state(w, "Last State", st["lastState"], tz)
            w.write(2, f"Ready:\t{bool_title(st.get('ready'))}\n")
            w.write(2, f"Restart Count:\t{st.get('restartCount', 0)}\n")
        _resources(w, c.get("resources"), 2)
        for key, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                           ("startupProbe", "Startup")):
            if c.get(key) is not None:
                w.write(2, f"{title}:\t{_probe(c[key])}\n")
        if c.get("envFrom"):
            _container_env_from(w, c)
        _container_env(w, c, pod)
        mounts = c.get("volumeMounts") or []
        none = "" if mounts else "\t<none>"
        w.write(2, f"Mounts:{none}\n")
        for m in sorted(mounts, key=lambda m: m.get("mountPath", "")):
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f'path="{m["subPath"]}"')
            w.write(3, f"{m.get('mountPath', '')} from {m.get('name', '')} ({','.join(flags)})\n")
        devices = c.get("volumeDevices") or []
        if devices:
            w.write(2, f"Devices:{none}\n")
            for d in sorted(devices, key=lambda d: d.get("devicePath", "")):
                w.write(3, f"{d.get('devicePath', '')} from {d.get('name', '')}\n")


def _volume_source(w: Writer, v: dict) -> bool:
    """The common VolumeSource printers; False when the source is not one of them."""
    def block(title, *rows):
        w.write(2, f"Type:\t{title}\n" + "".join(f"    {k}:\t{val}\n" for k, val in rows))

    if v.get("hostPath") is not None:
        h = v["hostPath"]
        block("HostPath (bare host directory volume)", ("Path", h.get("path", "")),
              ("HostPathType", h.get("type") if h.get("type") is not None else "<none>"))
    elif v.get("emptyDir") is not None:
        e = v["emptyDir"]
        size = e.get("sizeLimit")
        size = quantity(size) if size is not None and Q.of(size).value > 0 else "<unset>"
        block("EmptyDir (a temporary directory that shares a pod's lifetime)",
              ("Medium", e.get("medium", "")), ("SizeLimit", size))
    elif v.get("secret") is not None:
        s = v["secret"]
        block("Secret (a volume populated by a Secret)", ("SecretName", s.get("secretName", "")),
              ("Optional", gobool(s.get("optional"))))
    elif v.get("configMap") is not None:
        c = v["configMap"]
        block("ConfigMap (a volume populated by a ConfigMap)", ("Name", c.get("name", "")),
              ("Optional", gobool(c.get("optional"))))
    elif v.get("nfs") is not None:
        n = v["nfs"]
        block("NFS (an NFS mount that lasts the lifetime of a pod)", ("Server", n.get("server", "")),
              ("Path", n.get("path", "")), ("ReadOnly", gobool(n.get("readOnly"))))
    elif v.get("persistentVolumeClaim") is not None:
        p = v["persistentVolumeClaim"]
        block("PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
              ("ClaimName", p.get("claimName", "")), ("ReadOnly", gobool(p.get("readOnly"))))
    elif v.get("projected") is not None:
        w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
        for src in v["projected"].get("sources") or ():
            if src.get("secret") is not None:
                w.write(2, f"SecretName:\t{src['secret'].get('name', '')}\n"
                           f"    SecretOptionalName:\t{_goptr(src['secret'].get('optional'))}\n")
            elif src.get("downwardAPI") is not None:
                w.write(2, "DownwardAPI:\ttrue\n")
            elif src.get("configMap") is not None:
                w.write(2, f"ConfigMapName:\t{src['configMap'].get('name', '')}\n"
                           f"    ConfigMapOptional:\t{_goptr(src['configMap'].get('optional'))}\n")
            elif src.get("serviceAccountToken") is not None:
                w.write(2, f"TokenExpirationSeconds:\t{src['serviceAccountToken'].get('expirationSeconds', 0)}\n")
    elif v.get("downwardAPI") is not None:
        w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
        for item in v["downwardAPI"].get("items") or ():
            if item.get("fieldRef") is not None:
                w.write(3, f"{item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n")
            if item.get("resourceFieldRef") is not None:
                w.write(3, f"{item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n")
    elif v.get("csi") is not None:
        c = v["csi"]
        block("CSI (a Container Storage Interface (CSI) volume source)", ("Driver", c.get("driver", "")),
              ("FSType", c.get("fsType", "")), ("ReadOnly", gobool(c.get("readOnly"))))
        _csi_attributes(w, c.get("volumeAttributes"))
    elif v.get("local") is not None:
        block("LocalVolume (a persistent volume backed by local storage on a node)",
              ("Path", v["local"].get("path", "")))
    elif v.get("ephemeral") is not None:
        w.write(2, "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n")
    else:
        return False
    return True


def _csi_attributes(w: Writer, attrs: dict | None) -> None:
    w.write(2, "VolumeAttributes:\t")
    if not attrs:
        w.line("<none>")
        return
    for i, k in enumerate(sorted(attrs)):
        if i:
            w.write(2, "")
            w.write(2, "\t")
        line = f"{k}={attrs[k]}"
        w.write(2, (line[:MAX_ANNOTATION_LEN] + "...\n") if len(line) > MAX_ANNOTATION_LEN else line + "\n")


def _volumes(w: Writer, volumes, space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in volumes:
        w.write(1, f"{' ' if space else ''}{v.get('name', '')}:\n")
        if not _volume_source(w, v):
            w.write(1, "<unknown>\n")


def _topology_spread(w: Writer, tscs, space: str) -> None:
    if not tscs:
        return
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for i, t in enumerate(sorted(tscs, key=lambda t: t.get("topologyKey", ""))):
        if i:
            w.write(0, space)
            w.write(0, "\t")
        s = f"{t.get('topologyKey', '')}:{t.get('whenUnsatisfiable', '')} when max skew {t.get('maxSkew', 0)} is exceeded"
        if t.get("labelSelector") is not None:
            s += f" for selector {format_label_selector(t['labelSelector'])}"
        w.write(0, s + "\n")


def describe_pod(pod: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(pod), pod.get("spec") or {}, pod.get("status") or {}
    tz = ctx.tz
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if not spec.get("nodeName"):
        w.write(0, "Node:\t<none>\n")
    else:
        w.write(0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'], tz)}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], ctx.now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    sp = (spec.get("securityContext") or {}).get("seccompProfile")
    if sp is not None:
        w.write(0, f"SeccompProfile:\t{sp.get('type', '')}\n")
        if sp.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{sp.get('localhostProfile', '')}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    if controller_of(pod):
        w.write(0, f"Controlled By:\t{controller_of(pod)}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        _resources(w, spec["resources"], 1)
    if spec.get("initContainers"):
        _containers(w, "Init Containers", spec["initContainers"], status.get("initContainerStatuses"), pod, "", tz)
    _containers(w, "Containers", spec.get("containers"), status.get("containerStatuses"), pod, "", tz)
    if spec.get("ephemeralContainers"):
        _containers(w, "Ephemeral Containers", spec["ephemeralContainers"],
                    status.get("ephemeralContainerStatuses"), pod, "", tz)
    conditions = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for g in spec["readinessGates"]:
            st = next((c.get("status", "") for c in conditions if c.get("type") == g.get("conditionType")), "<none>")
            w.write(1, f"{g.get('conditionType', '')} \t{st} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \n")
    _volumes(w, spec.get("volumes"), "")
    from pykubectl.api.qos import qos_class
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    _topology_spread(w, spec.get("topologySpreadConstraints"), "")
    _events(w, ctx)
    return w.result()


def pod_template(w: Writer, template: dict | None, tz) -> None:
    """DescribePodTemplate."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        _containers(w, "Init Containers", spec["initContainers"], None, None, "  ", tz)
    _containers(w, "Containers", spec.get("containers"), None, None, "  ", tz)
    _volumes(w, spec.get("volumes"), "  ")
    _topology_spread(w, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def pod_status_counts(pods, uid: str) -> tuple[int, int, int, int]:
    """getPodStatusForController: phases of the pods whose controller is `uid`."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for p in pods or ():
        ref = next((r for r in _m(p).get("ownerReferences") or () if r.get("controller")), None)
        if ref is None or ref.get("uid") != uid:
            continue
        phase = (p.get("status") or {}).get("phase")
        if phase in counts:
            counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def _pods_status_line(pods, uid) -> str:
    r, wt, s, f = pod_status_counts(pods, uid)
    return f"{r} Running / {wt} Waiting / {s} Succeeded / {f} Failed"


def _conditions_type_status_reason(w: Writer, conditions) -> None:
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


# ------------------------------------------------------------------ workloads
def describe_replicaset(rs: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec = _m(rs), rs.get("spec") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if controller_of(rs):
        w.write(0, f"Controlled By:\t{controller_of(rs)}\n")
    w.write(0, f"Replicas:\t{(rs.get('status') or {}).get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    w.write(0, "Pods Status:\t")
    w.write(0, _pods_status_line(ctx.get("pods"), meta.get("uid")) + "\n")
    pod_template(w, spec.get("template") or {}, ctx.tz)
    _conditions_type_status_reason(w, (rs.get("status") or {}).get("conditions"))
    _events(w, ctx)
    return w.result()


def describe_replicationcontroller(rc: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec = _m(rc), rc.get("spec") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{(rc.get('status') or {}).get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    w.write(0, f"Pods Status:\t{_pods_status_line(ctx.get('pods'), meta.get('uid'))}\n")
    pod_template(w, spec.get("template"), ctx.tz)
    _conditions_type_status_reason(w, (rc.get("status") or {}).get("conditions"))
    _events(w, ctx)
    return w.result()


def _rs_list(rss) -> str:
    s = ", ".join(f"{_m(rs).get('name', '')} ({(rs.get('status') or {}).get('replicas', 0)}/"
                  f"{(rs.get('spec') or {}).get('replicas', 1)} replicas created)" for rs in rss)
    return s or "<none>"


def deployment_replicasets(d: dict, rss: list) -> tuple[list, list]:
    """deploymentutil.GetAllReplicaSets: the ReplicaSets the Deployment controls, split into old
    ones and the new one (its pod template equals the Deployment's, pod-template-hash aside)."""
    uid = _m(d).get("uid")
    owned = [rs for rs in rss if any(r.get("controller") and r.get("uid") == uid
                                     for r in _m(rs).get("ownerReferences") or ())]
    owned.sort(key=lambda rs: (_m(rs).get("creationTimestamp") or "", _m(rs).get("name", "")))

    def strip(t):
        t = copy.deepcopy(t or {})
        (t.get("metadata") or {}).get("labels", {}).pop("pod-template-hash", None)
        return t

    want = strip((d.get("spec") or {}).get("template"))
    new = next((rs for rs in owned if strip((rs.get("spec") or {}).get("template")) == want), None)
    old = [rs for rs in owned if rs is not new]
    return old, [new] if new is not None else []


def describe_deployment(d: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(d), d.get("spec") or {}, d.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'), ctx.tz)}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
               f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None:
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', '<nil>')} max unavailable, "
                   f"{ru.get('maxSurge', '<nil>')} max surge\n")
    pod_template(w, spec.get("template") or {}, ctx.tz)
    _conditions_type_status_reason(w, status.get("conditions"))
    old, new = deployment_replicasets(d, ctx.get("replicasets") or [])
    if old or new:
        w.write(0, f"OldReplicaSets:\t{_rs_list(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_rs_list(new)}\n")
    _events(w, ctx)
    return w.result()


def describe_statefulset(ps: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(ps), ps.get("spec") or {}, ps.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'), ctx.tz)}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('replicas', 0)} total\n")
    us = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{us.get('type', '')}\n")
    ru = us.get("rollingUpdate")
    if ru is not None and ru.get("partition") is not None:
        w.write(1, f"Partition:\t{ru['partition']}\n")
        if ru.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{ru['maxUnavailable']}\n")
    w.write(0, f"Pods Status:\t{_pods_status_line(ctx.get('pods'), meta.get('uid'))}\n")
    pod_template(w, spec.get("template") or {}, ctx.tz)
    templates = spec.get("volumeClaimTemplates") or []
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
    else:
        w.write(0, "Volume Claims:\n")
        for pvc in templates:
            pm, pspec = _m(pvc), pvc.get("spec") or {}
            w.write(1, f"Name:\t{pm.get('name', '')}\n")
            w.write(1, f"StorageClass:\t{_pvc_class(pvc)}\n")
            labels_multiline(w, "Labels", pm.get("labels"), initial="  ")
            labels_multiline(w, "Annotations", pm.get("annotations"), initial="  ")
            cap = ((pspec.get("resources") or {}).get("requests") or {}).get("storage")
            w.write(1, f"Capacity:\t{quantity(cap) if cap is not None else '<default>'}\n")
            w.write(1, f"Access Modes:\t{golist(pspec.get('accessModes'))}\n")
    _events(w, ctx)
    return w.result()


def _goptr(v) -> str:
    """A *bool printed with %v: `<nil>` when unset (Go would print an address when set)."""
    return "<nil>" if v is None else gobool(v)


def describe_daemonset(ds: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(ds), ds.get("spec") or {}, ds.get("status") or {}
    # kubectl's DaemonSet describer prints no Namespace line
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    node_sel = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")
    w.write(0, f"Node-Selector:\t{format_labels(node_sel)}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {status.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {status.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {status.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {status.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {status.get('numberMisscheduled', 0)}\n")
    w.write(0, f"Pods Status:\t{_pods_status_line(ctx.get('pods'), meta.get('uid'))}\n")
    pod_template(w, spec.get("template") or {}, ctx.tz)
    _events(w, ctx)
    return w.result()


def describe_job(job: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(job), job.get("spec") or {}, job.get("status") or {}
    tz = ctx.tz
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if controller_of(job):
        w.write(0, f"Controlled By:\t{controller_of(job)}\n")
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    w.write(0, f"Completions:\t{spec['completions'] if spec.get('completions') is not None else '<unset>'}\n")
    if spec.get("completionMode") is not None:
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{gobool(spec['suspend'])}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'], tz)}\n")
    if status.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123z(status['completionTime'], tz)}\n")
    if status.get("startTime") and status.get("completionTime"):
        secs = (parse_time(status["completionTime"]) - parse_time(status["startTime"])).total_seconds()
        w.write(0, f"Duration:\t{human_duration(secs)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    a, s, f = status.get("active", 0), status.get("succeeded", 0), status.get("failed", 0)
    if status.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{a} Active / {s} Succeeded / {f} Failed\n")
    else:
        w.write(0, f"Pods Statuses:\t{a} Active ({status['ready']} Ready) / {s} Succeeded / {f} Failed\n")
    if spec.get("completionMode") == "Indexed":
        idx = status.get("completedIndexes") or ""
        if not idx:
            idx = "<none>"
        else:
            cut = idx.find(",", 50) if len(idx) > 50 else -1
            idx = idx[:cut + 1] + "..." if cut >= 0 else idx
        w.write(0, f"Completed Indexes:\t{idx}\n")
    pod_template(w, spec.get("template") or {}, tz)
    _events(w, ctx)
    return w.result()


def describe_cronjob(cj: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(cj), cj.get("spec") or {}, cj.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    w.write(0, f"Suspend:\t{bool_ptr(spec.get('suspend'))}\n")
    for key, title in (("successfulJobsHistoryLimit", "Successful Job History Limit"),
                       ("failedJobsHistoryLimit", "Failed Job History Limit")):
        w.write(0, f"{title}:\t{spec[key] if spec.get(key) is not None else '<unset>'}\n")
    sds = spec.get("startingDeadlineSeconds")
    w.write(0, f"Starting Deadline Seconds:\t{f'{sds}s' if sds is not None else '<unset>'}\n")
    jspec = (spec.get("jobTemplate") or {}).get("spec") or {}
    w.write(0, f"Selector:\t{selector_string(jspec['selector']) if jspec.get('selector') is not None else '<unset>'}\n")
    for key, title in (("parallelism", "Parallelism"), ("completions", "Completions")):
        w.write(0, f"{title}:\t{jspec[key] if jspec.get(key) is not None else '<unset>'}\n")
    if jspec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{jspec['activeDeadlineSeconds']}s\n")
    pod_template(w, jspec.get("template") or {}, ctx.tz)
    lst = status.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(lst, ctx.tz) if lst else '<unset>'}\n")
    w.write(0, "Active Jobs:\t")
    active = status.get("active") or []
    w.line(", ".join(j.get("name", "") for j in active) if active else "<none>")
    _events(w, ctx)
    return w.result()


# ------------------------------------------------------------------ nodes
def describe_node(node: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(node), node.get("spec") or {}, node.get("status") or {}
    tz = ctx.tz
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    roles = set()
    for k, v in (meta.get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/") and k[len("node-role.kubernetes.io/"):]:
            roles.add(k[len("node-role.kubernetes.io/"):])
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    w.write(0, f"Roles:\t{','.join(sorted(roles)) or '<none>'}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'), tz)}\n")
    taints_multiline(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{gobool(spec.get('unschedulable'))}\n")
    lease = ctx.get("lease")
    if isinstance(lease, dict):
        ls = lease.get("spec") or {}
        w.write(0, "Lease:\n")
        holder = ls.get("holderIdentity")
        w.write(1, f"HolderIdentity:\t{holder if holder is not None else '<unset>'}\n")
        w.write(1, f"AcquireTime:\t{rfc1123z(ls['acquireTime'], tz) if ls.get('acquireTime') else '<unset>'}\n")
        w.write(1, f"RenewTime:\t{rfc1123z(ls['renewTime'], tz) if ls.get('renewTime') else '<unset>'}\n")
    elif lease is not None:
        w.write(0, f"Lease:\tFailed to get lease: {lease}\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastHeartbeatTime'), tz)} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'), tz)} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for a in status.get("addresses") or ():
        w.write(1, f"{a.get('type', '')}:\t{a.get('address', '')}\n")
    for key, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        rl = status.get(key) or {}
        if rl:
            w.write(0, f"{title}:\n")
            for name in sorted(rl):
                w.write(0, f"  {name}:\t{quantity(rl[name])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for key, title in (("machineID", "Machine ID"), ("systemUUID", "System UUID"), ("bootID", "Boot ID"),
                       ("kernelVersion", "Kernel Version"), ("osImage", "OS Image"),
                       ("operatingSystem", "Operating System"), ("architecture", "Architecture"),
                       ("containerRuntimeVersion", "Container Runtime Version"),
                       ("kubeletVersion", "Kubelet Version"), ("kubeProxyVersion", "Kube-Proxy Version")):
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    pods = ctx.get("node_pods")
    if pods is not None:
        _node_resources(w, pods, node, ctx.now)
    else:
        w.write(0, "Pods:\tnot authorized\n")
    _events(w, ctx)
    return w.result()


def _pct(num: int, den: int) -> int:
    return int(num / den * 100) if den else 0


def _node_resources(w: Writer, pods: list, node: dict, now: datetime) -> None:
    status = node.get("status") or {}
    alloc = status.get("allocatable") or status.get("capacity") or {}
    a_cpu = Q.of(alloc["cpu"]).milli() if "cpu" in alloc else 0
    a_mem = Q.of(alloc["memory"]).int() if "memory" in alloc else 0
    a_eph = Q.of(alloc["ephemeral-storage"]).int() if "ephemeral-storage" in alloc else 0
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    reqs_total: dict = {}
    lims_total: dict = {}
    for p in pods:
        req, lim = _pod_resources(p, "requests"), _pod_resources(p, "limits")
        for total, part in ((reqs_total, req), (lims_total, lim)):
            for n, q in part.items():
                total[n] = Q(total[n].value + q.value, total[n].fmt) if n in total else q
        cr, cl, mr, ml = (req.get("cpu", Q()), lim.get("cpu", Q()), req.get("memory", Q()), lim.get("memory", Q()))
        pm = _m(p)
        w.write(1, f"{pm.get('namespace', '')}\t{pm.get('name', '')}\t\t{cr} ({_pct(cr.milli(), a_cpu)}%)\t"
                   f"{cl} ({_pct(cl.milli(), a_cpu)}%)\t{mr} ({_pct(mr.int(), a_mem)}%)\t"
                   f"{ml} ({_pct(ml.int(), a_mem)}%)\t{since(pm.get('creationTimestamp'), now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for name, den, val in (("cpu", a_cpu, Q.milli), ("memory", a_mem, Q.int), ("ephemeral-storage", a_eph, Q.int)):
        r, li = reqs_total.get(name, Q()), lims_total.get(name, Q())
        w.write(1, f"{name}\t{r} ({_pct(val(r), den)}%)\t{li} ({_pct(val(li), den)}%)\n")
    standard = {"cpu", "memory", "ephemeral-storage", "pods"}
    huge = sorted(n for n in alloc if n.startswith("hugepages-"))
    ext = sorted(n for n in alloc if n not in standard and not n.startswith("hugepages-") and
                 not n.startswith("requests.") and not n.startswith("limits."))
    for name in huge:
        r, li, a = reqs_total.get(name, Q()), lims_total.get(name, Q()), Q.of(alloc[name]).int()
        w.write(1, f"{name}\t{r} ({_pct(r.int(), a)}%)\t{li} ({_pct(li.int(), a)}%)\n")
    for name in ext:
        w.write(1, f"{name}\t{reqs_total.get(name, Q())}\t{lims_total.get(name, Q())}\n")


# ------------------------------------------------------------------ services and networking
def format_endpoint_slices(slices, ports: set | None) -> str:
    """formatEndpointSlices: ready `ip:port`s of the named ports, at most 3 then `+ N more...`."""
    if not slices:
        return "<none>"
    out: list[str] = []
    more, count, max_ = False, 0, 3
    for s in slices:
        eps = s.get("endpoints") or []
        if not s.get("ports"):
            for e in eps:
                if len(out) == max_:
                    more = True
                if (e.get("conditions") or {}).get("ready") is False:
                    continue
                if not more:
                    out.append((e.get("addresses") or [""])[0])
                count += 1
            continue
        for port in s["ports"]:
            if ports is not None and (port.get("name") or "") not in ports:
                continue
            for e in eps:
                if len(out) == max_:
                    more = True
                addr = (e.get("addresses") or [""])[0]
                if (e.get("conditions") or {}).get("ready") is False:
                    continue
                if not more:
                    p = port.get("port")
                    out.append(f"[{addr}]:{p}" if ":" in addr else f"{addr}:{p}")
                count += 1
    ret = ",".join(out)
    if more:
        return f"{ret} + {count - max_} more..."
    return ret


def describe_service(svc: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(svc), svc.get("spec") or {}, svc.get("status") or {}
    slices = ctx.get("endpointslices") or []
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy") is not None:
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or ()) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or ()) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        parts = []
        for i in ingress:
            if i.get("ip"):
                parts.append(i["ip"] + (f" ({i['ipMode']})" if i.get("ipMode") else ""))
            else:
                parts.append(i.get("hostname", ""))
        w.write(0, f"LoadBalancer Ingress:\t{', '.join(parts)}\n")
    for sp in spec.get("ports") or ():
        name = sp.get("name") or "<unset>"
        proto = sp.get("protocol", "")
        w.write(0, f"Port:\t{name}\t{sp.get('port', 0)}/{proto}\n")
        w.write(0, f"TargetPort:\t{sp.get('targetPort', 0)}/{proto}\n")
        if sp.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{sp['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, {sp.get('name') or ''})}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy") is not None:
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    _events(w, ctx)
    return w.result()


def describe_endpoints(ep: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(ep)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or ():
        addrs = ",".join(a.get("ip", "") for a in subset.get("addresses") or ())
        w.write(1, f"Addresses:\t{addrs or '<none>'}\n")
        nr = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or ())
        w.write(1, f"NotReadyAddresses:\t{nr or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for p in subset["ports"]:
                w.write(2, f"{p.get('name') or '<unset>'}\t{p.get('port', 0)}\t{p.get('protocol', '')}\n")
        w.write(0, "\n")
    _events(w, ctx)
    return w.result()


def describe_endpointslice(eps: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(eps)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    if not eps.get("ports"):
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for p in eps["ports"]:
            port = p.get("port")
            w.write(1, f"{p.get('name') or '<unset>'}\t{port if port is not None else '<unset>'}\t{p.get('protocol', '')}\n")
    if not eps.get("endpoints"):
        w.write(0, "Endpoints: <none>\n")
    else:
        w.write(0, "Endpoints:\n")
        for e in eps["endpoints"]:
            w.write(1, f"- Addresses:\t{', '.join(e.get('addresses') or ()) or '<none>'}\n")
            w.write(2, "Conditions:\n")
            ready = (e.get("conditions") or {}).get("ready")
            w.write(3, f"Ready:\t{'<unset>' if ready is None else gobool(ready)}\n")
            w.write(2, f"Hostname:\t{e['hostname'] if e.get('hostname') is not None else '<unset>'}\n")
            if e.get("targetRef") is not None:
                w.write(2, f"TargetRef:\t{e['targetRef'].get('kind', '')}/{e['targetRef'].get('name', '')}\n")
            w.write(2, f"NodeName:\t{e['nodeName'] if e.get('nodeName') is not None else '<unset>'}\n")
            w.write(2, f"Zone:\t{e['zone'] if e.get('zone') is not None else '<unset>'}\n")
    _events(w, ctx)
    return w.result()


def _ingress_backend(backend: dict, ns_services: dict, slices: list) -> str:
    svc = backend.get("service")
    if svc is not None:
        port = svc.get("port") or {}
        sb = f"{svc.get('name', '')}:{port.get('number') or port.get('name', '')}"
        service = ns_services.get(svc.get("name"))
        if service is None:
            return f'{sb} (<error: services "{svc.get("name", "")}" not found>)'
        sp_name = ""
        for sp in (service.get("spec") or {}).get("ports") or ():
            if port.get("number") and port["number"] == sp.get("port"):
                sp_name = sp.get("name", "")
            elif port.get("name") and port["name"] == sp.get("name"):
                sp_name = sp.get("name", "")
        mine = [s for s in slices if (_m(s).get("labels") or {}).get("kubernetes.io/service-name") == svc.get("name")]
        return f"{sb} ({format_endpoint_slices(mine, {sp_name})})"
    res = backend.get("resource")
    if res is not None:
        group = res.get("apiGroup") if res.get("apiGroup") is not None else "<none>"
        return f"APIGroup: {group}, Kind: {res.get('kind', '')}, Name: {res.get('name', '')}"
    return ""


def describe_ingress(ing: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec = _m(ing), ing.get("spec") or {}
    services = {_m(s).get("name"): s for s in ctx.get("services") or ()}
    slices = ctx.get("endpointslices") or []
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    addrs = sorted({i.get("ip") or i.get("hostname") for i in ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ()
                    if i.get("ip") or i.get("hostname")})
    w.write(0, f"Address:\t{','.join(addrs)}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = "<default>"
    if spec.get("defaultBackend") is not None:
        default = _ingress_backend(spec["defaultBackend"], services, slices)
    w.write(0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for t in spec["tls"]:
            hosts = ",".join(t.get("hosts") or ())
            if not t.get("secretName"):
                w.write(1, f"SNI routes {hosts}\n")
            else:
                w.write(1, f"{t['secretName']} terminates {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or ():
        if rule.get("http") is None:
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or ():
            w.write(2, f"\t{path.get('path', '')} \t{_ingress_backend(path.get('backend') or {}, services, slices)}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default}\n")
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    _events(w, ctx)
    return w.result()


def describe_ingressclass(ic: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec = _m(ic), ic.get("spec") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Controller:\t{spec.get('controller', '')}\n")
    params = spec.get("parameters")
    if params is not None:
        w.write(0, "Parameters:\n")
        if params.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{params['apiGroup']}\n")
        w.write(1, f"Kind:\t{params.get('kind', '')}\n")
        w.write(1, f"Name:\t{params.get('name', '')}\n")
    _events(w, ctx)
    return w.result()


def go_time_string(ts: str | None, tz) -> str:
    """%s of a metav1.Time: Go's Time.String(), `2006-01-02 15:04:05 -0700 MST`."""
    dt = parse_time(ts)
    if dt is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    dt = dt.astimezone(tz)
    frac = f".{dt.microsecond:06d}".rstrip("0") if dt.microsecond else ""
    off = int((dt.utcoffset() or timedelta(0)).total_seconds() // 60)
    sign = "-" if off < 0 else "+"
    name = dt.tzname() or ""
    if name.startswith(("UTC+", "UTC-")) or not name:
        name = f"{sign}{abs(off) // 60:02d}{abs(off) % 60:02d}" if off else "UTC"
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}{frac} "
            f"{sign}{abs(off) // 60:02d}{abs(off) % 60:02d} {name}")


def _peers(w: Writer, rules, key: str, word: str, indent: str) -> None:
    """printNetworkPolicySpecIngressFrom / EgressTo."""
    direction = "ingress" if key == "from" else "egress"
    what = "source" if key == "from" else "destination"
    if not rules:
        w.write(0, f"{indent}<none> (Selected pods are isolated for {direction} connectivity)\n")
        return
    for i, rule in enumerate(rules):
        if not rule.get("ports"):
            w.write(0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        for port in rule.get("ports") or ():
            proto = port.get("protocol") or "TCP"
            p = port.get("port", "<nil>")
            if port.get("endPort") is None:
                w.write(0, f"{indent}To Port: {p}/{proto}\n")
            else:
                w.write(0, f"{indent}To Port Range: {p}-{port['endPort']}/{proto}\n")
        peers = rule.get(key) or []
        if not peers:
            w.write(0, f"{indent}{word}: <any> (traffic not restricted by {what})\n")
        for peer in peers:
            w.write(0, f"{indent}{word}:\n")
            pod_sel, ns_sel = peer.get("podSelector"), peer.get("namespaceSelector")
            if ns_sel is not None:
                w.write(1, f"{indent}NamespaceSelector: {format_label_selector(ns_sel)}\n")
            if pod_sel is not None:
                w.write(1, f"{indent}PodSelector: {format_label_selector(pod_sel)}\n")
            if pod_sel is None and ns_sel is None and peer.get("ipBlock") is not None:
                w.write(1, f"{indent}IPBlock:\n")
                w.write(2, f"{indent}CIDR: {peer['ipBlock'].get('cidr', '')}\n")
                w.write(2, f"{indent}Except: {', '.join(peer['ipBlock'].get('except') or ())}\n")
        if i != len(rules) - 1:
            w.write(0, f"{indent}----------\n")


def describe_networkpolicy(np_: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec = _m(np_), np_.get("spec") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Created on:\t{go_time_string(meta.get('creationTimestamp'), ctx.tz)}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Spec:\n")
    w.write(1, "PodSelector: ")
    sel = spec.get("podSelector") or {}
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(2, f"{format_label_selector(sel)}\n")
    types = spec.get("policyTypes") or []
    if "Ingress" in types:
        w.write(1, "Allowing ingress traffic:\n")
        _peers(w, spec.get("ingress"), "from", "From", "    ")
    else:
        w.write(1, "Not affecting ingress traffic\n")
    if "Egress" in types:
        w.write(1, "Allowing egress traffic:\n")
        _peers(w, spec.get("egress"), "to", "To", "    ")
    else:
        w.write(1, "Not affecting egress traffic\n")
    w.write(1, f"Policy Types: {', '.join(types) or '<none>'}\n")
    return w.result()


# ------------------------------------------------------------------ config and identity
def describe_secret(secret: dict, ctx: Ctx) -> str:
    import base64
    w = Writer()
    meta = _m(secret)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(0, "\nData\n====\n")
    # Go ranges over a map in random order; sorted is one of the orders it can print
    for k, v in sorted((secret.get("data") or {}).items()):
        raw = base64.b64decode(v or "")
        if k == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            w.write(0, f"{k}:\t{raw.decode('utf-8', 'replace')}\n")
        else:
            w.write(0, f"{k}:\t{len(raw)} bytes\n")
    return w.result()


def describe_configmap(cm: dict, ctx: Ctx) -> str:
    import base64
    w = Writer()
    meta = _m(cm)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "\nData\n====\n")
    for k, v in sorted((cm.get("data") or {}).items()):
        w.write(0, f"{k}:\n----\n")
        w.write(0, f"{v}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    for k, v in sorted((cm.get("binaryData") or {}).items()):
        w.write(0, f"{k}: {len(base64.b64decode(v or ''))} bytes\n")
    w.write(0, "\n")
    _events(w, ctx)
    return w.result()


def serviceaccount_tokens(sa: dict, secrets: list | None) -> tuple[list[str], set[str]]:
    """The token Secrets bound to the ServiceAccount, and the referenced Secrets that are missing."""
    if secrets is None:
        return [], set()
    meta = _m(sa)
    tokens, existing = [], set()
    for s in secrets:
        sm = _m(s)
        ann = sm.get("annotations") or {}
        if (s.get("type") == "kubernetes.io/service-account-token"
                and ann.get("kubernetes.io/service-account.name") == meta.get("name")
                and ann.get("kubernetes.io/service-account.uid") == meta.get("uid")):
            tokens.append(sm.get("name", ""))
        existing.add(sm.get("name"))
    missing = {r.get("name") for r in (sa.get("secrets") or []) + (sa.get("imagePullSecrets") or [])
               if r.get("name") not in existing}
    return tokens, missing


def describe_serviceaccount(sa: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(sa)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    tokens, missing = serviceaccount_tokens(sa, ctx.get("secrets"))
    empty = "                   "
    types = {
        "Image pull secrets:": [r.get("name", "") for r in sa.get("imagePullSecrets") or ()],
        "Mountable secrets: ": [r.get("name", "") for r in sa.get("secrets") or ()],
        "Tokens:            ": tokens,
    }
    for header in sorted(types):
        names = types[header]
        if not names:
            w.write(0, f"{header}\t<none>\n")
            continue
        prefix = header
        for name in names:
            w.write(0, f"{prefix}\t{name}{' (not found)' if name in missing else ''}\n")
            prefix = empty
    _events(w, ctx)
    return w.result()


_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
}


def _limit_rows(w: Writer, spec: dict, prefix: str) -> None:
    for item in spec.get("limits") or ():
        parts = {k: item.get(k) or {} for k in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")}
        names = sorted(set().union(*(p.keys() for p in parts.values())))
        for n in names:
            def v(k):
                return quantity(parts[k][n]) if n in parts[k] else "-"
            w.write(0, f"{prefix}{item.get('type', '')}\t{n}\t{v('min')}\t{v('max')}\t{v('defaultRequest')}\t"
                       f"{v('default')}\t{v('maxLimitRequestRatio')}\n")


def describe_namespace(ns: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, status = _m(ns), ns.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{rfc1123z(c.get('lastTransitionTime'), ctx.tz)}\t"
                       f"{c.get('reason', '')}\t{c.get('message', '')}\n")
    quotas = ctx.get("quotas")
    if quotas is not None:
        w.write(0, "\n")
        if not quotas:
            w.write(0, "No resource quota.\n")
        else:
            w.write(0, "Resource Quotas\n")
            for q in sorted(quotas, key=lambda q: _m(q).get("name", "")):
                w.write(1, f"Name:\t{_m(q).get('name', '')}\n")
                scopes = sorted((q.get("spec") or {}).get("scopes") or ())
                if scopes:
                    w.write(1, f"Scopes:\t{', '.join(scopes)}\n")
                    for s in scopes:
                        if _SCOPE_HELP.get(s):
                            w.write(1, f"* {_SCOPE_HELP[s]}\n")
                w.write(1, "Resource\tUsed\tHard\n")
                w.write(1, "--------\t---\t---\n")
                qs = q.get("status") or {}
                for r in sorted(qs.get("hard") or {}):
                    w.write(1, f"{r}\t{quantity((qs.get('used') or {}).get(r))}\t{quantity(qs['hard'][r])}\n")
    limitranges = ctx.get("limitranges")
    if limitranges is not None:
        w.write(0, "\n")
        if not limitranges:
            w.write(0, "No LimitRange resource.\n")
        else:
            w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
            w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
            for lr in limitranges:
                _limit_rows(w, lr.get("spec") or {}, " ")
    return w.result()


def describe_limitrange(lr: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(lr)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
    w.write(0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
    _limit_rows(w, lr.get("spec") or {}, "")
    return w.result()


def describe_resourcequota(q: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(q)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    scopes = sorted((q.get("spec") or {}).get("scopes") or ())
    if scopes:
        w.write(0, f"Scopes:\t{', '.join(scopes)}\n")
        for s in scopes:
            if _SCOPE_HELP.get(s):
                w.write(0, f" * {_SCOPE_HELP[s]}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    qs = q.get("status") or {}
    for r in sorted(qs.get("hard") or {}):
        hard = qs["hard"][r]
        used = (qs.get("used") or {}).get(r)
        used_s = quantity(used)
        if used is not None and _q_format(used) != _q_format(hard):
            from pykubectl.api.quantity import format_quantity
            used_s = format_quantity(Q.of(used).int(), _q_format(hard))
        w.write(0, f"{r}\t{used_s}\t{quantity(hard)}\n")
    return w.result()


# ------------------------------------------------------------------ storage
def _access_modes(modes) -> str:
    from pykubectl.printers.tables import access_modes
    return access_modes(modes)


def _pv_class(pv: dict) -> str:
    ann = _m(pv).get("annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in ann:
        return ann["volume.beta.kubernetes.io/storage-class"]
    return (pv.get("spec") or {}).get("storageClassName", "")


def _pvc_class(pvc: dict) -> str:
    ann = _m(pvc).get("annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in ann:
        return ann["volume.beta.kubernetes.io/storage-class"]
    return (pvc.get("spec") or {}).get("storageClassName") or ""


def describe_pv(pv: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(pv), pv.get("spec") or {}, pv.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{golist(meta.get('finalizers'))}\n")
    w.write(0, f"StorageClass:\t{_pv_class(pv)}\n")
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], ctx.now)})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    claim = spec.get("claimRef")
    w.write(0, f"Claim:\t{claim.get('namespace', '') + '/' + claim.get('name', '') if claim else ''}\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{_access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{quantity((spec.get('capacity') or {}).get('storage'))}\n")
    w.write(0, "Node Affinity:\t")
    required = (spec.get("nodeAffinity") or {}).get("required")
    if required is None:
        w.line("<none>")
    else:
        w.line("")
        w.write(1, "Required Terms:\t")
        terms = required.get("nodeSelectorTerms") or []
        if not terms:
            w.line("<none>")
        else:
            w.line("")
            for i, term in enumerate(terms):
                w.write(2, f"Term {i}:\t")
                reqs = term.get("matchExpressions") or []
                if not reqs:
                    w.line("<none>")
                for j, r in enumerate(reqs):
                    if j:
                        w.write(2, "\t")
                    expr = f"{r.get('key', '')} {str(r.get('operator', '')).lower()}"
                    if r.get("values"):
                        expr += f" [{', '.join(r['values'])}]"
                    w.write(0, expr + "\n")
    w.write(0, f"Message:\t{status.get('message', '')}\n")
    w.write(0, "Source:\n")
    if not _volume_source(w, spec):
        w.write(1, "<unknown>\n")
    _events(w, ctx)
    return w.result()


def pods_using_pvc(pvc: dict, pods: list) -> list:
    """getPodsForPVC: pods mounting the claim, then pods owning it."""
    name = _m(pvc).get("name")
    out = [p for p in pods for v in (p.get("spec") or {}).get("volumes") or ()
           if (v.get("persistentVolumeClaim") or {}).get("claimName") == name]
    uids = {_m(p).get("uid") for p in out}
    for ref in _m(pvc).get("ownerReferences") or ():
        if ref.get("kind") != "Pod":
            continue
        p = next((p for p in pods if _m(p).get("uid") == ref.get("uid")), None)
        if p is not None and _m(p).get("uid") not in uids:
            out.append(p)
            uids.add(_m(p).get("uid"))
    return out


def describe_pvc(pvc: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(pvc), pvc.get("spec") or {}, pvc.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{_pvc_class(pvc)}\n")
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], ctx.now)})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{golist(meta.get('finalizers'))}\n")
    capacity = access = ""
    if spec.get("volumeName"):
        access = _access_modes(status.get("accessModes"))
        capacity = quantity((status.get("capacity") or {}).get("storage"))
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{access}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    ds = spec.get("dataSource")
    if ds is not None:
        w.write(0, "DataSource:\n")
        if ds.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{ds['apiGroup']}\n")
        w.write(1, f"Kind:\t{ds.get('kind', '')}\n")
        w.write(1, f"Name:\t{ds.get('name', '')}\n")
    users = sorted(pods_using_pvc(pvc, ctx.get("pods") or []), key=lambda p: _m(p).get("name", ""))
    w.write(0, "Used By:\t")
    if not users:
        w.line("<none>")
    for i, p in enumerate(users):
        if i:
            w.write(0, "\t")
        w.write(0, f"{_m(p).get('name', '')}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastProbeTime'), ctx.tz)} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'), ctx.tz)} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    _events(w, ctx)
    return w.result()


def describe_storageclass(sc: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(sc)
    ann = meta.get("annotations") or {}
    default = "No"
    if (ann.get("storageclass.kubernetes.io/is-default-class") == "true"
            or ann.get("storageclass.beta.kubernetes.io/is-default-class") == "true"):
        default = "Yes"
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"IsDefaultClass:\t{default}\n")
    w.write(0, f"Annotations:\t{format_labels(ann)}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{format_labels(sc.get('parameters'))}\n")
    w.write(0, f"AllowVolumeExpansion:\t{bool_ptr(sc.get('allowVolumeExpansion'))}\n")
    if not sc.get("mountOptions"):
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for o in sc["mountOptions"]:
            w.write(1, f"{o}\n")
    if sc.get("reclaimPolicy") is not None:
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode") is not None:
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    if sc.get("allowedTopologies") is not None:
        w.write(0, "AllowedTopologies:\t")
        terms = sc["allowedTopologies"]
        if not terms:
            w.line("<none>")
        else:
            w.line("")
            for i, term in enumerate(terms):
                w.write(1, f"Term {i}:\t")
                reqs = term.get("matchLabelExpressions") or []
                if not reqs:
                    w.line("<none>")
                for j, r in enumerate(reqs):
                    if j:
                        w.write(1, "\t")
                    expr = f"{r.get('key', '')} in"
                    if r.get("values"):
                        expr += f" [{', '.join(r['values'])}]"
                    w.write(0, expr + "\n")
    _events(w, ctx)
    return w.result()


# ------------------------------------------------------------------ autoscaling, RBAC, scheduling
def _metric_value(m: dict | None, key: str) -> str:
    return quantity((m or {}).get(key))


def describe_hpa(hpa: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(hpa), hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'), ctx.tz)}\n")
    w.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    if "targetCPUUtilizationPercentage" in spec or "metrics" not in spec and hpa.get("apiVersion") == "autoscaling/v1":
        if spec.get("targetCPUUtilizationPercentage") is not None:
            w.write(0, f"Target CPU utilization:\t{spec['targetCPUUtilizationPercentage']}%\n")
            cur = status.get("currentCPUUtilizationPercentage")
            w.write(0, f"Current CPU utilization:\t{cur if cur is not None else '<unknown>'}%\n")
    else:
        w.write(0, "Metrics:\t( current / target )\n")
        current = status.get("currentMetrics") or []
        for i, m in enumerate(spec.get("metrics") or ()):
            cur_m = current[i] if i < len(current) else {}
            t = m.get("type")
            if t == "Resource" or t == "ContainerResource":
                key = "resource" if t == "Resource" else "containerResource"
                src = m.get(key) or {}
                target = src.get("target") or {}
                cur = (cur_m.get(key) or {}).get("current") if cur_m.get(key) is not None else None
                if t == "Resource":
                    w.write(1, f"resource {src.get('name', '')} on pods")
                else:
                    w.write(1, f'resource {src.get("name", "")} of container "{src.get("container", "")}" on pods')
                if target.get("averageValue") is not None:
                    c = _metric_value(cur, "averageValue") if cur is not None else "<unknown>"
                    w.write(0, f":\t{c} / {quantity(target['averageValue'])}\n")
                else:
                    c = "<unknown>"
                    if cur is not None and cur.get("averageUtilization") is not None:
                        c = f"{cur['averageUtilization']}% ({_metric_value(cur, 'averageValue')})"
                    tgt = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
                    w.write(1, f"(as a percentage of request):\t{c} / {tgt}\n")
            elif t == "Pods":
                src = m.get("pods") or {}
                cur = (cur_m.get("pods") or {}).get("current") if cur_m.get("pods") is not None else None
                c = _metric_value(cur, "averageValue") if cur is not None else "<unknown>"
                w.write(1, f'"{(src.get("metric") or {}).get("name", "")}" on pods:\t{c} / '
                           f'{quantity((src.get("target") or {}).get("averageValue"))}\n')
            elif t == "Object":
                src = m.get("object") or {}
                d = src.get("describedObject") or {}
                w.write(1, f'"{(src.get("metric") or {}).get("name", "")}" on {d.get("kind", "")}/{d.get("name", "")} ')
                cur = (cur_m.get("object") or {}).get("current") if cur_m.get("object") is not None else None
                target = src.get("target") or {}
                if target.get("type") == "AverageValue":
                    c = _metric_value(cur, "averageValue") if cur is not None else "<unknown>"
                    w.write(0, f"(target average value):\t{c} / {quantity(target.get('averageValue'))}\n")
                else:
                    c = _metric_value(cur, "value") if cur is not None else "<unknown>"
                    w.write(0, f"(target value):\t{c} / {quantity(target.get('value'))}\n")
            elif t == "External":
                src = m.get("external") or {}
                target = src.get("target") or {}
                name = (src.get("metric") or {}).get("name", "")
                cur = (cur_m.get("external") or {}).get("current") if cur_m.get("external") is not None else None
                if target.get("averageValue") is not None:
                    c = _metric_value(cur, "averageValue") if cur is not None and cur.get("averageValue") is not None else "<unknown>"
                    w.write(1, f'"{name}" (target average value):\t{c} / {quantity(target["averageValue"])}\n')
                else:
                    c = _metric_value(cur, "value") if cur is not None else "<unknown>"
                    w.write(1, f'"{name}" (target value):\t{c} / {quantity(target.get("value"))}\n')
            else:
                w.write(1, f'<unknown metric type "{t or ""}">\n')
    mn = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{mn if mn is not None else '<unset>'}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    behavior = spec.get("behavior")
    if behavior is not None:
        w.write(0, "Behavior:\n")
        for key, title in (("scaleUp", "Scale Up"), ("scaleDown", "Scale Down")):
            rules = behavior.get(key)
            if rules is None:
                continue
            w.write(1, f"{title}:\n")
            if rules.get("stabilizationWindowSeconds") is not None:
                w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
            if rules.get("policies"):
                w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
                w.write(2, "Policies:\n")
                for p in rules["policies"]:
                    w.write(3, f"- Type: {p.get('type', '')}\tValue: {p.get('value', 0)}\tPeriod: {p.get('periodSeconds', 0)} seconds\n")
    w.write(0, f"{ref.get('kind', '')} pods:\t")
    w.write(0, f"{status.get('currentReplicas', 0)} current / {status.get('desiredReplicas', 0)} desired\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t{c.get('message', '')}\n")
    _events(w, ctx)
    return w.result()


def compact_rules(rules) -> list[dict]:
    """rbac.BreakdownRule + CompactRules + SortableRuleSlice: one rule per group/resource/name
    (and per non-resource URL); simple rules for the same resource merge their verbs; sorted by
    the rules' Go String() (which starts with the verbs)."""
    broken = []
    for r in rules or ():
        verbs = list(r.get("verbs") or [])
        for g in r.get("apiGroups") or []:
            for res in r.get("resources") or []:
                for n in r.get("resourceNames") or [None]:
                    sub = {"apiGroups": [g], "resources": [res], "verbs": verbs}
                    if n is not None:
                        sub["resourceNames"] = [n]
                    broken.append(sub)
        for url in r.get("nonResourceURLs") or []:
            broken.append({"nonResourceURLs": [url], "verbs": verbs})
    compacted, simple = [], {}
    for r in broken:
        if r.get("resources"):
            key = (r["apiGroups"][0], r["resources"][0], tuple(r.get("resourceNames") or ()))
            if key in simple:
                simple[key]["verbs"] = simple[key]["verbs"] + r["verbs"]
            else:
                simple[key] = dict(r)
        else:
            compacted.append(r)
    compacted.extend(simple.values())

    def text(r):
        return (f"&PolicyRule{{Verbs:{golist(r.get('verbs'))},APIGroups:{golist(r.get('apiGroups'))},"
                f"Resources:{golist(r.get('resources'))},ResourceNames:{golist(r.get('resourceNames'))},"
                f"NonResourceURLs:{golist(r.get('nonResourceURLs'))},}}")
    return sorted(compacted, key=text)


def _combine_resource_group(resources, groups) -> str:
    if not resources:
        return ""
    res, _, sub = resources[0].partition("/")
    if groups and groups[0]:
        res += "." + groups[0]
    return res + ("/" + sub if sub else "")


def describe_role(role: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(role)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "PolicyRule:\n")
    w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(1, "---------\t-----------------\t--------------\t-----\n")
    for r in compact_rules(role.get("rules")):
        w.write(1, f"{_combine_resource_group(r.get('resources'), r.get('apiGroups'))}\t{golist(r.get('nonResourceURLs'))}\t"
                   f"{golist(r.get('resourceNames'))}\t{golist(r.get('verbs'))}\n")
    return w.result()


def describe_binding(b: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, ref = _m(b), b.get("roleRef") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Role:\n")
    w.write(1, f"Kind:\t{ref.get('kind', '')}\n")
    w.write(1, f"Name:\t{ref.get('name', '')}\n")
    w.write(0, "Subjects:\n")
    w.write(1, "Kind\tName\tNamespace\n")
    w.write(1, "----\t----\t---------\n")
    for s in b.get("subjects") or ():
        w.write(1, f"{s.get('kind', '')}\t{s.get('name', '')}\t{s.get('namespace', '')}\n")
    return w.result()


def describe_priorityclass(pc: dict, ctx: Ctx) -> str:
    w = Writer()
    meta = _m(pc)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Value:\t{pc.get('value', 0)}\n")
    w.write(0, f"GlobalDefault:\t{gobool(pc.get('globalDefault'))}\n")
    w.write(0, f"PreemptionPolicy:\t{pc.get('preemptionPolicy', '')}\n")
    w.write(0, f"Description:\t{pc.get('description', '')}\n")
    w.write(0, f"Annotations:\t{format_labels(meta.get('annotations'))}\n")
    _events(w, ctx)
    return w.result()


def describe_pdb(pdb: dict, ctx: Ctx) -> str:
    w = Writer()
    meta, spec, status = _m(pdb), pdb.get("spec") or {}, pdb.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("minAvailable") is not None:
        w.write(0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    sel = spec.get("selector")
    w.write(0, f"Selector:\t{format_label_selector(sel) if sel is not None else '<unset>'}\n")
    w.write(0, "Status:\n")
    w.write(2, f"Allowed disruptions:\t{status.get('disruptionsAllowed', 0)}\n")
    w.write(2, f"Current:\t{status.get('currentHealthy', 0)}\n")
    w.write(2, f"Desired:\t{status.get('desiredHealthy', 0)}\n")
    w.write(2, f"Total:\t{status.get('expectedPods', 0)}\n")
    _events(w, ctx)
    return w.result()


# ------------------------------------------------------------------ generic
def smart_label(field: str) -> str:
    """smartLabelFor: `apiVersion` -> `API Version`, `ipipMode` -> `Ipip Mode`."""
    if any(not (ch.isalpha() or ch == "-") for ch in field):
        return field
    parts = _camel_split(field)
    out = []
    for p in parts:
        if p == "_":
            continue
        if p.upper() in ("API", "URL", "UID", "OSB", "GUID"):
            out.append(p.upper())
        else:
            out.append(p[:1].upper() + p[1:])
    return " ".join(out)


def _camel_split(s: str) -> list[str]:
    """fatih/camelcase.Split: runs of lower, upper, digit and other characters; an upper run
    followed by lower case gives its last letter to the next word (`HTTPServer` -> HTTP Server)."""
    runs: list[list[str]] = []
    last = None
    for ch in s:
        cls = 1 if ch.islower() else 2 if ch.isupper() else 3 if ch.isdigit() else 4
        if cls == last:
            runs[-1].append(ch)
        else:
            runs.append([ch])
        last = cls
    for i in range(len(runs) - 1):
        if runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def _unstructured(w: Writer, level: int, content: dict, prefix: str, skip: set) -> None:
    for field in sorted(content):
        value = content[field]
        expr = f"{prefix}.{field}"
        if expr in skip:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _unstructured(w, level + 1, value, expr, skip)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _unstructured(w, level + 1, child, expr, skip)
                else:
                    w.write(level + 1, f"{govalue(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{govalue(value)}\n")


def describe_generic(obj: dict, ctx: Ctx) -> str:
    """genericDescriber: metadata then every field of the object, smart-labelled."""
    w = Writer()
    meta = _m(obj)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    _unstructured(w, 0, obj, "", {".metadata.managedFields", ".metadata.name", ".metadata.namespace",
                                  ".metadata.labels", ".metadata.annotations"})
    _events(w, ctx)
    return w.result()


DESCRIBERS = {
    "pods": describe_pod,
    "nodes": describe_node,
    "services": describe_service,
    "endpoints": describe_endpoints,
    "endpointslices.discovery.k8s.io": describe_endpointslice,
    "serviceaccounts": describe_serviceaccount,
    "secrets": describe_secret,
    "configmaps": describe_configmap,
    "namespaces": describe_namespace,
    "limitranges": describe_limitrange,
    "resourcequotas": describe_resourcequota,
    "replicationcontrollers": describe_replicationcontroller,
    "persistentvolumes": describe_pv,
    "persistentvolumeclaims": describe_pvc,
    "deployments.apps": describe_deployment,
    "replicasets.apps": describe_replicaset,
    "statefulsets.apps": describe_statefulset,
    "daemonsets.apps": describe_daemonset,
    "jobs.batch": describe_job,
    "cronjobs.batch": describe_cronjob,
    "storageclasses.storage.k8s.io": describe_storageclass,
    "ingresses.networking.k8s.io": describe_ingress,
    "ingressclasses.networking.k8s.io": describe_ingressclass,
    "horizontalpodautoscalers.autoscaling": describe_hpa,
    "roles.rbac.authorization.k8s.io": describe_role,
    "clusterroles.rbac.authorization.k8s.io": describe_role,
    "rolebindings.rbac.authorization.k8s.io": describe_binding,
    "clusterrolebindings.rbac.authorization.k8s.io": describe_binding,
    "priorityclasses.scheduling.k8s.io": describe_priorityclass,
    "poddisruptionbudgets.policy": describe_pdb,
    "networkpolicies.networking.k8s.io": describe_networkpolicy,
}


def describe(resource: str, obj: dict, ctx: Ctx) -> str:
    """kubectl's text for one object; kinds without a describer of their own go generic."""
    return DESCRIBERS.get(resource, describe_generic)(obj, ctx)


def related_events(obj: dict, events: list, kind: str | None) -> list:
    """searchEvents: events whose involvedObject is this object (name, namespace, uid, and kind
    unless `kind` is None — pods are matched without it). Nodes also match uid == name."""
    meta = _m(obj)
    name, ns, uid = meta.get("name"), meta.get("namespace") or "", meta.get("uid")
    uids = {uid, name} if kind == "Node" else {uid}
    out = []
    for e in events:
        io = e.get("involvedObject") or {}
        if io.get("name") != name or (io.get("namespace") or "") != ns:
            continue
        if kind is not None and io.get("kind") != kind:
            continue
        if uid and io.get("uid") not in uids:
            continue
        out.append(e)
    return out
