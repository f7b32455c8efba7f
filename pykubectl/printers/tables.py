"""Server-side table printing: per-kind column definitions plus pure row functions.

A port of kubernetes `pkg/printers/internalversion/printers.go` (v1.32): what the apiserver
answers to `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`, which `kubectl get` then
renders. Like the apiserver, rows always carry every cell (the wide ones included, as
`GenerateOptions{Wide: true}`); hiding priority-1 columns is the renderer's job. Nothing here
reads the clock: ages are computed against the `now` passed in.

Kinds without a printer get the apiserver's default table (NAME, CREATED AT) when built in,
and the apiextensions one (NAME plus the CRD's additionalPrinterColumns, or AGE) when custom.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from pykubectl.printers.duration import age, human_duration, parse_time, since


class Column:
    """A metav1.TableColumnDefinition. `description` may be `@<definition>#<field>`, a pointer
    into the OpenAPI definitions resolved by `columns()` (the Go code uses SwaggerDoc()).
    A plain class: `dataclasses` costs start-up time every `get` would pay."""

    __slots__ = ("name", "type", "format", "priority", "description")

    def __init__(self, name: str, type: str, format: str = "", priority: int = 0, description: str = ""):
        self.name, self.type, self.format = name, type, format
        self.priority, self.description = priority, description

    def __eq__(self, other):
        return isinstance(other, Column) and self.as_dict() == other.as_dict()

    def __hash__(self):
        return hash((self.name, self.type, self.format, self.priority, self.description))

    def __repr__(self):
        return f"Column({self.name!r}, {self.type!r}, {self.format!r}, {self.priority!r})"

    def replace(self, **kw) -> "Column":
        d = self.as_dict()
        d.update(kw)
        return Column(**d)

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": self.description, "priority": self.priority}


_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def _doc(definition: str, field: str) -> str:
    if not definition.startswith("io."):
        definition = "io.k8s.api." + definition
    return f"@{definition}#{field}"


def _c(name, type_="string", desc="", priority=0, format_=""):
    return Column(name, type_, format_, priority, desc)


NAME = Column("Name", "string", "name", 0, _doc(_META, "name"))
AGE = Column("Age", "string", "", 0, _doc(_META, "creationTimestamp"))
_CONTAINERS = _c("Containers", desc="Names of each container in the template.", priority=1)
_IMAGES = _c("Images", desc="Images referenced by each container in the template.", priority=1)


# ---------------------------------------------------------------- shared helpers (Go's helpers)

def _m(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _name(obj: dict) -> str:
    return _m(obj).get("name", "")


def _age(obj: dict, now: datetime) -> str:
    return age(_m(obj).get("creationTimestamp"), now)


def _deleting(obj: dict) -> bool:
    return bool(_m(obj).get("deletionTimestamp"))


def format_labels(labels: dict | None) -> str:
    """labels.FormatLabels: `k=v,k2=v2` sorted by key, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


class _InvalidSelector(ValueError):
    pass


def _selector_string(sel: dict | None) -> str:
    """metav1.LabelSelectorAsSelector(sel).String(); raises _InvalidSelector."""
    if not sel:
        return ""  # nil -> Nothing, {} -> Everything: both print as ""
    reqs = []
    for k, v in (sel.get("matchLabels") or {}).items():
        reqs.append((k, f"{k}={v}"))
    for expr in sel.get("matchExpressions") or ():
        key, op, vals = expr.get("key", ""), expr.get("operator", ""), list(expr.get("values") or ())
        if op in ("In", "NotIn"):
            if not vals:
                raise _InvalidSelector(key)
            word = " in " if op == "In" else " notin "
            reqs.append((key, f"{key}{word}({','.join(sorted(vals))})"))
        elif op in ("Exists", "DoesNotExist"):
            if vals:
                raise _InvalidSelector(key)
            reqs.append((key, key if op == "Exists" else "!" + key))
        else:
            raise _InvalidSelector(op)
    reqs.sort(key=lambda r: r[0])
    return ",".join(r[1] for r in reqs)


def format_label_selector(sel: dict | None) -> str:
    """metav1.FormatLabelSelector: `<none>` for an empty selector, `<error>` for a bad one."""
    try:
        s = _selector_string(sel)
    except _InvalidSelector:
        return "<error>"
    return s or "<none>"


def _containers(template_spec: dict | None) -> tuple[str, str]:
    """layoutContainerCells: names and images, comma-joined."""
    cs = (template_spec or {}).get("containers") or ()
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _template_spec(obj: dict) -> dict:
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def _list_with_more(items: list[str], more: bool, count: int, max_: int) -> str:
    ret = ",".join(items)
    if more:
        return f"{ret} + {count - max_} more..."
    return ret or "<unset>"


def _bool_ptr(v) -> str:
    if v is None:
        return "<unset>"
    return "True" if v else "False"


def _quantity(v) -> str:
    """Quantity.String(): the canonical form (`1024Mi` prints as `1Gi`)."""
    if v is None:
        return "<nil>"
    from pykubectl.api.quantity import QuantityError, canonical
    try:
        return canonical(v)
    except (QuantityError, ValueError, TypeError):
        return str(v)


def _join_host_port(ip: str, port) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


# ---------------------------------------------------------------- pods

_POD_COLUMNS = [
    NAME,
    _c("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
    _c("Status", desc="The aggregate status of the containers in this pod."),
    _c("Restarts", desc="The number of times the containers in this pod have been restarted and "
                        "when the last container in this pod has restarted."),
    AGE,
    _c("IP", desc=_doc("core.v1.PodStatus", "podIP"), priority=1),
    _c("Node", desc=_doc("core.v1.PodSpec", "nodeName"), priority=1),
    _c("Nominated Node", desc=_doc("core.v1.PodStatus", "nominatedNodeName"), priority=1),
    _c("Readiness Gates", desc=_doc("core.v1.PodSpec", "readinessGates"), priority=1),
]


def _is_restartable_init(c: dict | None) -> bool:
    return bool(c) and c.get("restartPolicy") == "Always"


def _condition_true(conditions, type_: str) -> bool:
    for c in conditions or ():
        if c.get("type") == type_:
            return c.get("status") == "True"
    return False


def _later(cur: datetime | None, ts: str | None) -> datetime | None:
    t = parse_time(ts)
    if t is not None and (cur is None or cur < t):
        return t
    return cur


def _terminated_reason(term: dict, prefix: str) -> str:
    if term.get("reason"):
        return prefix + term["reason"]
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


def _print_pod(pod: dict, now: datetime) -> list:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    restarts = 0
    restartable_init_restarts = 0
    total = len(spec.get("containers") or ())
    ready = 0
    last_restart: datetime | None = None
    last_restartable_init_restart: datetime | None = None

    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or ():
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_specs = {}
    for c in spec.get("initContainers") or ():
        init_specs[c.get("name")] = c
        if _is_restartable_init(c):
            total += 1

    initializing = False
    n_init = len(spec.get("initContainers") or ())
    for i, cs in enumerate(status.get("initContainerStatuses") or ()):
        restarts += cs.get("restartCount", 0)
        last_term = (cs.get("lastState") or {}).get("terminated")
        if last_term is not None:
            last_restart = _later(last_restart, last_term.get("finishedAt"))
        restartable = _is_restartable_init(init_specs.get(cs.get("name")))
        if restartable:
            restartable_init_restarts += cs.get("restartCount", 0)
            if last_term is not None:
                last_restartable_init_restart = _later(last_restartable_init_restart,
                                                       last_term.get("finishedAt"))
        state = cs.get("state") or {}
        term, waiting = state.get("terminated"), state.get("waiting")
        if term is not None and term.get("exitCode", 0) == 0:
            continue
        if restartable and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term is not None:
            reason = _terminated_reason(term, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{n_init}"
        initializing = True
        break

    if not initializing or _condition_true(status.get("conditions"), "Initialized"):
        restarts = restartable_init_restarts
        last_restart = last_restartable_init_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or ()):
            restarts += cs.get("restartCount", 0)
            last_term = (cs.get("lastState") or {}).get("terminated")
            if last_term is not None:
                last_restart = _later(last_restart, last_term.get("finishedAt"))
            state = cs.get("state") or {}
            waiting, term = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif term is not None:
                reason = _terminated_reason(term, "")
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        # a pod with a container still running is not "Completed"
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(status.get("conditions"), "Ready") else "NotReady"

    if _deleting(pod) and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif _deleting(pod) and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_str = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_str = f"{restarts} ({human_duration((now - last_restart).total_seconds())} ago)"

    pod_ips = status.get("podIPs") or ()
    pod_ip = (pod_ips[0].get("ip") if pod_ips else status.get("podIP")) or "<none>"
    gates = spec.get("readinessGates") or ()
    readiness_gates = "<none>"
    if gates:
        true_count = 0
        for gate in gates:
            for cond in status.get("conditions") or ():
                if cond.get("type") == gate.get("conditionType"):
                    if cond.get("status") == "True":
                        true_count += 1
                    break
        readiness_gates = f"{true_count}/{len(gates)}"
    return [_name(pod), f"{ready}/{total}", reason, restarts_str, _age(pod, now),
            pod_ip, spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>",
            readiness_gates]


def _pod_conditions(pod: dict) -> list | None:
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed",
                 "message": "The pod failed."}]
    return None


# ---------------------------------------------------------------- workloads

def _print_pod_template(obj, now):
    names, images = _containers(((obj.get("template") or {}).get("spec")))
    return [_name(obj), names, images, format_labels(_m(obj.get("template") or {}).get("labels"))]


def _print_pdb(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    min_a = spec.get("minAvailable")
    max_u = spec.get("maxUnavailable")
    return [_name(obj), "N/A" if min_a is None else str(min_a),
            "N/A" if max_u is None else str(max_u),
            int(status.get("disruptionsAllowed", 0)), _age(obj, now)]


def _print_rc(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_template_spec(obj))
    return [_name(obj), int(spec.get("replicas", 1)), int(status.get("replicas", 0)),
            int(status.get("readyReplicas", 0)), _age(obj, now), names, images,
            format_labels(spec.get("selector"))]


def _print_replicaset(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_template_spec(obj))
    return [_name(obj), int(spec.get("replicas", 1)), int(status.get("replicas", 0)),
            int(status.get("readyReplicas", 0)), _age(obj, now), names, images,
            format_label_selector(spec.get("selector"))]


def _print_daemonset(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_template_spec(obj))
    return [_name(obj), int(status.get("desiredNumberScheduled", 0)),
            int(status.get("currentNumberScheduled", 0)), int(status.get("numberReady", 0)),
            int(status.get("updatedNumberScheduled", 0)), int(status.get("numberAvailable", 0)),
            format_labels(_template_spec(obj).get("nodeSelector")), _age(obj, now),
            names, images, format_label_selector(spec.get("selector"))]


def _print_deployment(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    try:
        selector = _selector_string(spec.get("selector"))
    except _InvalidSelector:
        selector = "<invalid>"
    names, images = _containers(_template_spec(obj))
    return [_name(obj), f"{int(status.get('readyReplicas', 0))}/{int(spec.get('replicas', 1))}",
            int(status.get("updatedReplicas", 0)), int(status.get("availableReplicas", 0)),
            _age(obj, now), names, images, selector]


def _print_statefulset(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_template_spec(obj))
    return [_name(obj), f"{int(status.get('readyReplicas', 0))}/{int(spec.get('replicas', 1))}",
            _age(obj, now), names, images]


def _print_job(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    succeeded = int(status.get("succeeded", 0))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    start, done = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if start is None:
        duration = ""
    elif done is None:
        duration = human_duration((now - start).total_seconds())
    else:
        duration = human_duration((done - start).total_seconds())
    conds = status.get("conditions")
    if _condition_true(conds, "Complete"):
        state = "Complete"
    elif _condition_true(conds, "Failed"):
        state = "Failed"
    elif _deleting(obj):
        state = "Terminating"
    elif _condition_true(conds, "Suspended"):
        state = "Suspended"
    elif _condition_true(conds, "FailureTarget"):
        state = "FailureTarget"
    else:
        state = "Running"
    names, images = _containers(_template_spec(obj))
    return [_name(obj), state, completions, duration, _age(obj, now), names, images,
            format_label_selector(spec.get("selector"))]


def _print_cronjob(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    last = status.get("lastScheduleTime")
    job_spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    names, images = _containers(((job_spec.get("template") or {}).get("spec")))
    return [_name(obj), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            _bool_ptr(spec.get("suspend")), len(status.get("active") or ()),
            "<none>" if last is None else age(last, now), _age(obj, now), names, images,
            format_label_selector(job_spec.get("selector"))]


def _print_controller_revision(obj, now):
    controller = "<none>"
    for ref in _m(obj).get("ownerReferences") or ():
        if ref.get("controller"):
            api_version = ref.get("apiVersion", "")
            group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
            kind = ref.get("kind", "")
            gk = f"{kind}.{group}" if group else kind
            controller = f"{gk.lower()}/{ref.get('name', '')}" if kind or group else ref.get("name", "")
            break
    return [_name(obj), controller, int(obj.get("revision", 0)), _age(obj, now)]


def _hpa_metrics(obj: dict) -> tuple[list, list]:
    """(spec metrics, current metrics) in autoscaling/v2 shape, also from a v1 object."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if "metrics" in spec or "targetCPUUtilizationPercentage" not in spec:
        return spec.get("metrics") or [], status.get("currentMetrics") or []
    metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}}]
    current = []
    if status.get("currentCPUUtilizationPercentage") is not None:
        current = [{"type": "Resource", "resource": {"name": "cpu", "current": {
            "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    return metrics, current


def format_hpa_metrics(specs: list, statuses: list) -> str:
    """formatHPAMetrics: `cpu: 180%/50%`, `<unknown>/50%`, `+ N more...` after two."""
    if not specs:
        return "<none>"
    out = []
    for i, spec in enumerate(specs):
        st = statuses[i] if len(statuses) > i else {}
        t = spec.get("type")
        if t == "External":
            src, cur = spec.get("external") or {}, st.get("external")
            target = src.get("target") or {}
            if target.get("averageValue") is not None:
                current = "<unknown>"
                if cur is not None and (cur.get("current") or {}).get("averageValue") is not None:
                    current = _quantity(cur["current"]["averageValue"])
                out.append(f"{current}/{_quantity(target['averageValue'])} (avg)")
            else:
                current = "<unknown>" if cur is None else _quantity((cur.get("current") or {}).get("value", "0"))
                out.append(f"{current}/{_quantity(target.get('value', '0'))}")
        elif t == "Pods":
            src, cur = spec.get("pods") or {}, st.get("pods")
            current = "<unknown>" if cur is None else _quantity((cur.get("current") or {}).get("averageValue", "0"))
            out.append(f"{current}/{_quantity((src.get('target') or {}).get('averageValue', '0'))}")
        elif t == "Object":
            src, cur = spec.get("object") or {}, st.get("object")
            target = src.get("target") or {}
            if target.get("averageValue") is not None:
                current = "<unknown>"
                if cur is not None and (cur.get("current") or {}).get("averageValue") is not None:
                    current = _quantity(cur["current"]["averageValue"])
                out.append(f"{current}/{_quantity(target['averageValue'])} (avg)")
            else:
                current = "<unknown>" if cur is None else _quantity((cur.get("current") or {}).get("value", "0"))
                out.append(f"{current}/{_quantity(target.get('value', '0'))}")
        elif t in ("Resource", "ContainerResource"):
            field = "resource" if t == "Resource" else "containerResource"
            src, cur = spec.get(field) or {}, st.get(field)
            target = src.get("target") or {}
            rname = src.get("name", "")
            if target.get("averageValue") is not None:
                current = "<unknown>"
                if cur is not None:
                    current = _quantity((cur.get("current") or {}).get("averageValue"))
                out.append(f"{rname}: {current}/{_quantity(target['averageValue'])}")
            else:
                current = "<unknown>"
                if cur is not None and (cur.get("current") or {}).get("averageUtilization") is not None:
                    current = f"{cur['current']['averageUtilization']}%"
                tgt = "<auto>"
                if target.get("averageUtilization") is not None:
                    tgt = f"{target['averageUtilization']}%"
                out.append(f"{rname}: {current}/{tgt}")
        else:
            out.append("<unknown type>")
    if len(out) > 2:
        return f"{', '.join(out[:2])} + {len(out) - 2} more..."
    return ", ".join(out)


def _print_hpa(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    metrics, current = _hpa_metrics(obj)
    min_pods = "<unset>" if spec.get("minReplicas") is None else str(spec["minReplicas"])
    return [_name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}",
            format_hpa_metrics(metrics, current), min_pods, int(spec.get("maxReplicas", 0)),
            int(status.get("currentReplicas", 0)), _age(obj, now)]


# ---------------------------------------------------------------- services and networking

def _lb_ingress(status: dict) -> str:
    # loadBalancerStatusStringer with wide=true (the server always generates wide rows)
    found = set()
    for ing in (status.get("loadBalancer") or {}).get("ingress") or ():
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    return ",".join(sorted(found))


def _service_external_ip(svc: dict) -> str:
    spec = svc.get("spec") or {}
    t = spec.get("type", "ClusterIP")
    ext = spec.get("externalIPs") or []
    if t in ("ClusterIP", "NodePort"):
        return ",".join(ext) if ext else "<none>"
    if t == "LoadBalancer":
        lb = _lb_ingress(svc.get("status") or {})
        if ext:
            return ",".join((lb.split(",") if lb else []) + ext)
        return lb or "<pending>"
    if t == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def format_service_ports(ports) -> str:
    """makePortString: `80/TCP`, `80:31085/TCP`, comma-joined."""
    pieces = []
    for p in ports or ():
        proto = p.get("protocol", "TCP")
        if p.get("nodePort"):
            pieces.append(f"{p.get('port')}:{p['nodePort']}/{proto}")
        else:
            pieces.append(f"{p.get('port')}/{proto}")
    return ",".join(pieces)


def _print_service(obj, now):
    spec = obj.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [_name(obj), spec.get("type", "ClusterIP"), ips[0] if ips else "<none>",
            _service_external_ip(obj), format_service_ports(spec.get("ports")) or "<none>",
            _age(obj, now), format_labels(spec.get("selector"))]


def format_endpoints(ep: dict) -> str:
    """formatEndpoints: `ip:port,...` (three at most) then ` + N more...`."""
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    items, max_, more, count = [], 3, False, 0
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            for a in addrs:
                if len(items) == max_:
                    more = True
                    break
                items.append(a.get("ip", ""))
            continue
        for port in ports:
            count += len(addrs)
            for a in addrs:
                if len(items) == max_:
                    more = True
                    break
                items.append(_join_host_port(a.get("ip", ""), port.get("port")))
    ret = ",".join(items)
    if more:
        return f"{ret} + {count - max_} more..."
    return ret


def _print_endpoints(obj, now):
    return [_name(obj), format_endpoints(obj), _age(obj, now)]


def _print_endpointslice(obj, now):
    port_items, more, count = [], False, 0
    for p in obj.get("ports") or ():
        if len(port_items) < 3:
            if p.get("port") is not None:
                port_items.append(str(p["port"]))
            elif p.get("name") is not None:
                port_items.append(p["name"])
            else:
                port_items.append("*")
        elif len(port_items) == 3:
            more = True
        count += 1
    ports = _list_with_more(port_items, more, count, 3)
    ep_items, more, count = [], False, 0
    for ep in obj.get("endpoints") or ():
        for addr in ep.get("addresses") or ():
            if len(ep_items) < 3:
                ep_items.append(addr)
            elif len(ep_items) == 3:
                more = True
            count += 1
    endpoints = _list_with_more(ep_items, more, count, 3)
    return [_name(obj), obj.get("addressType", ""), ports, endpoints, _age(obj, now)]


def _format_hosts(rules) -> str:
    items, max_, more = [], 3, False
    rules = rules or []
    for rule in rules:
        if len(items) == max_:
            more = True
        if not more and rule.get("host"):
            items.append(rule["host"])
    if not items:
        return "*"
    ret = ",".join(items)
    if more:
        return f"{ret} + {len(rules) - max_} more..."
    return ret


def _print_ingress(obj, now):
    spec = obj.get("spec") or {}
    return [_name(obj), spec.get("ingressClassName") or "<none>", _format_hosts(spec.get("rules")),
            _lb_ingress(obj.get("status") or {}), "80, 443" if spec.get("tls") else "80",
            _age(obj, now)]


def _print_ingressclass(obj, now):
    spec = obj.get("spec") or {}
    params = spec.get("parameters")
    parameters = "<none>"
    if params is not None:
        parameters = params.get("kind", "")
        if params.get("apiGroup") is not None:
            parameters += "." + params["apiGroup"]
        parameters += "/" + params.get("name", "")
    return [_name(obj), spec.get("controller", ""), parameters, _age(obj, now)]


def _print_networkpolicy(obj, now):
    return [_name(obj), format_label_selector((obj.get("spec") or {}).get("podSelector") or {}),
            _age(obj, now)]


def _print_servicecidr(obj, now):
    return [_name(obj), ",".join((obj.get("spec") or {}).get("cidrs") or ()), _age(obj, now)]


def _print_ipaddress(obj, now):
    ref = (obj.get("spec") or {}).get("parentRef")
    parent = "<none>"
    if ref is not None:
        gr = ref.get("resource", "")
        if ref.get("group"):
            gr += "." + ref["group"]
        parent = gr.lower()
        if ref.get("namespace"):
            parent += "/" + ref["namespace"]
        parent += "/" + ref.get("name", "")
    return [_name(obj), parent, _age(obj, now)]


# ---------------------------------------------------------------- core cluster objects

def _print_node(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    st = []
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Ready":
            st = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not st:
        st = ["Unknown"]
    if spec.get("unschedulable"):
        st.append("SchedulingDisabled")
    roles = set()
    for k, v in (_m(obj).get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/"):
            role = k[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    info = status.get("nodeInfo") or {}

    def address(kind):
        for a in status.get("addresses") or ():
            if a.get("type") == kind:
                return a.get("address", "")
        return "<none>"

    return [_name(obj), ",".join(st), ",".join(sorted(roles)) or "<none>", _age(obj, now),
            info.get("kubeletVersion", ""), address("InternalIP"), address("ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def _print_namespace(obj, now):
    return [_name(obj), (obj.get("status") or {}).get("phase", ""), _age(obj, now)]


def _print_secret(obj, now):
    return [_name(obj), obj.get("type", ""), len(obj.get("data") or {}), _age(obj, now)]


def _print_serviceaccount(obj, now):
    return [_name(obj), len(obj.get("secrets") or ()), _age(obj, now)]


def _print_configmap(obj, now):
    return [_name(obj), len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), _age(obj, now)]


def access_modes(modes) -> str:
    """helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order."""
    modes = set(modes or ())
    out = [short for mode, short in (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"),
                                     ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
           if mode in modes]
    return ",".join(out)


_BETA_CLASS = "volume.beta.kubernetes.io/storage-class"


def _print_pv(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref is not None else ""
    phase = "Terminating" if _deleting(obj) else status.get("phase", "")
    cls = (_m(obj).get("annotations") or {}).get(_BETA_CLASS, spec.get("storageClassName", ""))
    cap = (spec.get("capacity") or {}).get("storage", "0")
    vac = spec.get("volumeAttributesClassName")
    return [_name(obj), _quantity(cap), access_modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy", ""), phase, claim, cls,
            "<unset>" if vac is None else vac, status.get("reason", ""), _age(obj, now),
            spec.get("volumeMode") or "<unset>"]


def _print_pvc(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    phase = "Terminating" if _deleting(obj) else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = _quantity((status.get("capacity") or {}).get("storage", "0"))
    annotations = _m(obj).get("annotations") or {}
    cls = annotations[_BETA_CLASS] if _BETA_CLASS in annotations else (spec.get("storageClassName") or "")
    vac = spec.get("volumeAttributesClassName")
    return [_name(obj), phase, spec.get("volumeName", ""), capacity, modes, cls,
            "<unset>" if vac is None else vac, _age(obj, now), spec.get("volumeMode") or "<unset>"]


def _print_component_status(obj, now):
    state, message, error = "Unknown", "", ""
    for cond in obj.get("conditions") or ():
        if cond.get("type") == "Healthy":
            state = "Healthy" if cond.get("status") == "True" else "Unhealthy"
            message, error = cond.get("message", ""), cond.get("error", "")
            break
    return [_name(obj), state, message, error]


def _event_fields(ev: dict) -> dict:
    """An events.k8s.io/v1 Event in core/v1 field names (the internal type both convert to)."""
    if "regarding" not in ev and "note" not in ev and "deprecatedCount" not in ev:
        return ev
    return {"metadata": ev.get("metadata") or {}, "involvedObject": ev.get("regarding") or {},
            "message": ev.get("note", ""), "type": ev.get("type", ""), "reason": ev.get("reason", ""),
            "firstTimestamp": ev.get("deprecatedFirstTimestamp"),
            "lastTimestamp": ev.get("deprecatedLastTimestamp"),
            "count": ev.get("deprecatedCount", 0), "source": ev.get("deprecatedSource") or {},
            "reportingComponent": ev.get("reportingController", ""),
            "reportingInstance": ev.get("reportingInstance", ""),
            "eventTime": ev.get("eventTime"), "series": ev.get("series")}


def _print_event(obj, now):
    ev = _event_fields(obj)
    first = age(ev.get("firstTimestamp"), now) if parse_time(ev.get("firstTimestamp")) else age(ev.get("eventTime"), now)
    last = age(ev.get("lastTimestamp"), now) if parse_time(ev.get("lastTimestamp")) else first
    count = int(ev.get("count") or 0)
    series = ev.get("series")
    if series is not None:
        last = age(series.get("lastObservedTime"), now)
        count = int(series.get("count", 0))
    elif count == 0:
        count = 1  # singleton events have no count in the new API
    inv = ev.get("involvedObject") or {}
    kind = inv.get("kind", "").lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    source = ev.get("source") or {}
    component = source.get("component") or ev.get("reportingComponent", "")
    host = source.get("host") or ev.get("reportingInstance", "")
    src = f"{component}, {host}" if host else component
    return [last, ev.get("type", ""), ev.get("reason", ""), target, inv.get("fieldPath", ""), src,
            (ev.get("message") or "").strip(), first, count, _name(obj)]


def _print_resource_quota(obj, now):
    status = obj.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    requests, limits = [], []
    for res in sorted(hard):
        piece = f"{res}: {_quantity(used.get(res, '0'))}/{_quantity(hard[res])}"
        parts = res.split(".")
        (limits if len(parts) > 1 and parts[0] == "limits" else requests).append(piece)
    return [_name(obj), ", ".join(requests), ", ".join(limits), _age(obj, now)]


# ---------------------------------------------------------------- rbac, storage, misc

def _subjects(subjects) -> list[str]:
    users, groups, sas = [], [], []
    for s in subjects or ():
        kind = s.get("kind")
        if kind == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
        elif kind == "User":
            users.append(s.get("name", ""))
        elif kind == "Group":
            groups.append(s.get("name", ""))
    return [", ".join(users), ", ".join(groups), ", ".join(sas)]


def _print_binding(obj, now):
    ref = obj.get("roleRef") or {}
    return [_name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(obj, now),
            *_subjects(obj.get("subjects"))]


def _print_csr(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    types = {c.get("type") for c in status.get("conditions") or ()}
    state = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        state += ",Failed"
    if status.get("certificate"):
        state += ",Issued"
    secs = spec.get("expirationSeconds")
    return [_name(obj), _age(obj, now), spec.get("signerName") or "<none>", spec.get("username", ""),
            "<none>" if secs is None else human_duration(secs), state]


def _print_cluster_trust_bundle(obj, now):
    return [_name(obj), (obj.get("spec") or {}).get("signerName") or "<none>"]


def _print_lease(obj, now):
    return [_name(obj), (obj.get("spec") or {}).get("holderIdentity") or "", _age(obj, now)]


def _print_storageclass(obj, now):
    ann = _m(obj).get("annotations") or {}
    name = _name(obj)
    if (ann.get("storageclass.kubernetes.io/is-default-class") == "true"
            or ann.get("storageclass.beta.kubernetes.io/is-default-class") == "true"):
        name += " (default)"
    return [name, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
            obj.get("volumeBindingMode") or "Immediate", bool(obj.get("allowVolumeExpansion")),
            _age(obj, now)]


def _print_volume_attributes_class(obj, now):
    ann = _m(obj).get("annotations") or {}
    name = _name(obj)
    if ann.get("storage.kubernetes.io/is-default-class") == "true":
        name += " (default)"
    return [name, obj.get("driverName", ""), _age(obj, now)]


def _print_priority_class(obj, now):
    return [_name(obj), int(obj.get("value", 0)), bool(obj.get("globalDefault")), _age(obj, now),
            obj.get("preemptionPolicy") or ""]


def _print_runtime_class(obj, now):
    return [_name(obj), obj.get("handler", ""), _age(obj, now)]


def _print_volume_attachment(obj, now):
    spec = obj.get("spec") or {}
    return [_name(obj), spec.get("attacher", ""),
            (spec.get("source") or {}).get("persistentVolumeName") or "", spec.get("nodeName", ""),
            bool((obj.get("status") or {}).get("attached")), _age(obj, now)]


def _print_csinode(obj, now):
    return [_name(obj), len((obj.get("spec") or {}).get("drivers") or ()), _age(obj, now)]


def _print_csidriver(obj, now):
    spec = obj.get("spec") or {}
    tokens = spec.get("tokenRequests")
    return [_name(obj), True if spec.get("attachRequired") is None else bool(spec["attachRequired"]),
            bool(spec.get("podInfoOnMount")), bool(spec.get("storageCapacity")),
            "<unset>" if tokens is None else ",".join(t.get("audience", "") for t in tokens),
            bool(spec.get("requiresRepublish")),
            ",".join(spec.get("volumeLifecycleModes") or ()) or "<none>", _age(obj, now)]


def _print_csi_storage_capacity(obj, now):
    cap = obj.get("capacity")
    return [_name(obj), obj.get("storageClassName", ""), "<unset>" if cap is None else _quantity(cap)]


def _print_webhooks(obj, now):
    return [_name(obj), len(obj.get("webhooks") or ()), _age(obj, now)]


def _print_admission_policy(field):
    def print_policy(obj, now):
        spec = obj.get("spec") or {}
        pk = spec.get("paramKind")
        param_kind = "<unset>" if pk is None else f"{pk.get('apiVersion', '')}/{pk.get('kind', '')}"
        return [_name(obj), len(spec.get(field) or ()), param_kind, _age(obj, now)]
    return print_policy


def _print_admission_policy_binding(obj, now):
    spec = obj.get("spec") or {}
    pr = spec.get("paramRef")
    param = "<unset>"
    if pr is not None:
        if pr.get("name"):
            param = f"{pr['namespace']}/{pr['name']}" if pr.get("namespace") else f"*/{pr['name']}"
        elif pr.get("selector") is not None:
            param = format_label_selector(pr["selector"]).replace("<none>", "")
    return [_name(obj), spec.get("policyName", ""), param, _age(obj, now)]


def _print_flow_schema(obj, now):
    spec = obj.get("spec") or {}
    dm = spec.get("distinguisherMethod")
    missing = "?"
    for cond in (obj.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Dangling":
            missing = cond.get("status", "")
            break
    return [_name(obj), (spec.get("priorityLevelConfiguration") or {}).get("name", ""),
            int(spec.get("matchingPrecedence", 0)), "<none>" if dm is None else dm.get("type", ""),
            _age(obj, now), missing]


def _print_priority_level(obj, now):
    spec = obj.get("spec") or {}
    ncs = queues = hand = qll = "<none>"
    limited = spec.get("limited")
    if limited is not None:
        ncs = int(limited.get("nominalConcurrencyShares", 0))
        q = (limited.get("limitResponse") or {}).get("queuing")
        if q is not None:
            queues, hand, qll = (int(q.get("queues", 0)), int(q.get("handSize", 0)),
                                 int(q.get("queueLengthLimit", 0)))
    return [_name(obj), spec.get("type", ""), ncs, queues, hand, qll, _age(obj, now)]


def _print_apiservice(obj, now):
    # kube-aggregator's own ConvertToTable (apiservice/etcd), not printers.go
    spec = obj.get("spec") or {}
    svc = spec.get("service")
    service = "Local" if svc is None else f"{svc.get('namespace', '')}/{svc.get('name', '')}"
    state = "Unknown"
    for cond in (obj.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Available":
            if cond.get("status") == "True" or not cond.get("reason"):
                state = cond.get("status", "")
            else:
                state = f"{cond.get('status', '')} ({cond['reason']})"
            break
    return [_name(obj), service, state, _age(obj, now)]


def _print_default(obj, now):
    # rest.DefaultTableConvertor: creation time as RFC 3339, not an age
    ts = parse_time(_m(obj).get("creationTimestamp"))
    created = ts.strftime("%Y-%m-%dT%H:%M:%SZ") if ts else "0001-01-01T00:00:00Z"
    return [_name(obj), created]


# ---------------------------------------------------------------- the registry

_SEL = "Selector"
_REGISTRY: dict[str, tuple[list[Column], object]] = {
    "pods": (_POD_COLUMNS, _print_pod),
    "podtemplates": ([NAME, _c("Containers", desc="Names of each container in the template."),
                      _c("Images", desc="Images referenced by each container in the template."),
                      _c("Pod Labels", desc="The labels for the pod template.")], _print_pod_template),
    "poddisruptionbudgets.policy": ([
        NAME, _c("Min Available", desc="The minimum number of pods that must be available."),
        _c("Max Unavailable", desc="The maximum number of pods that may be unavailable."),
        _c("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
        AGE], _print_pdb),
    "replicationcontrollers": ([
        NAME, _c("Desired", "integer", _doc("core.v1.ReplicationControllerSpec", "replicas")),
        _c("Current", "integer", _doc("core.v1.ReplicationControllerStatus", "replicas")),
        _c("Ready", "integer", _doc("core.v1.ReplicationControllerStatus", "readyReplicas")),
        AGE, _CONTAINERS, _IMAGES,
        _c(_SEL, desc=_doc("core.v1.ReplicationControllerSpec", "selector"), priority=1)], _print_rc),
    "replicasets.apps": ([
        NAME, _c("Desired", "integer", _doc("apps.v1.ReplicaSetSpec", "replicas")),
        _c("Current", "integer", _doc("apps.v1.ReplicaSetStatus", "replicas")),
        _c("Ready", "integer", _doc("apps.v1.ReplicaSetStatus", "readyReplicas")),
        AGE, _CONTAINERS, _IMAGES,
        _c(_SEL, desc=_doc("apps.v1.ReplicaSetSpec", "selector"), priority=1)], _print_replicaset),
    "daemonsets.apps": ([
        NAME, _c("Desired", "integer", _doc("apps.v1.DaemonSetStatus", "desiredNumberScheduled")),
        _c("Current", "integer", _doc("apps.v1.DaemonSetStatus", "currentNumberScheduled")),
        _c("Ready", "integer", _doc("apps.v1.DaemonSetStatus", "numberReady")),
        _c("Up-to-date", "integer", _doc("apps.v1.DaemonSetStatus", "updatedNumberScheduled")),
        _c("Available", "integer", _doc("apps.v1.DaemonSetStatus", "numberAvailable")),
        _c("Node Selector", desc=_doc("core.v1.PodSpec", "nodeSelector")),
        AGE, _CONTAINERS, _IMAGES,
        _c(_SEL, desc=_doc("apps.v1.DaemonSetSpec", "selector"), priority=1)], _print_daemonset),
    "jobs.batch": ([
        NAME, _c("Status", desc="Status of the job."),
        _c("Completions", desc=_doc("batch.v1.JobStatus", "succeeded")),
        _c("Duration", desc="Time required to complete the job."),
        AGE, _CONTAINERS, _IMAGES,
        _c(_SEL, desc=_doc("batch.v1.JobSpec", "selector"), priority=1)], _print_job),
    "cronjobs.batch": ([
        NAME, _c("Schedule", desc=_doc("batch.v1.CronJobSpec", "schedule")),
        _c("Timezone", desc=_doc("batch.v1.CronJobSpec", "timeZone")),
        _c("Suspend", "boolean", _doc("batch.v1.CronJobSpec", "suspend")),
        _c("Active", "integer", _doc("batch.v1.CronJobStatus", "active")),
        _c("Last Schedule", desc=_doc("batch.v1.CronJobStatus", "lastScheduleTime")),
        AGE, _CONTAINERS, _IMAGES,
        _c(_SEL, desc=_doc("batch.v1.JobSpec", "selector"), priority=1)], _print_cronjob),
    "services": ([
        NAME, _c("Type", desc=_doc("core.v1.ServiceSpec", "type")),
        _c("Cluster-IP", desc=_doc("core.v1.ServiceSpec", "clusterIP")),
        _c("External-IP", desc=_doc("core.v1.ServiceSpec", "externalIPs")),
        _c("Port(s)", desc=_doc("core.v1.ServiceSpec", "ports")),
        AGE, _c(_SEL, desc=_doc("core.v1.ServiceSpec", "selector"), priority=1)], _print_service),
    "ingresses.networking.k8s.io": ([
        NAME, _c("Class", desc="The name of the IngressClass resource that should be used for additional configuration"),
        _c("Hosts", desc="Hosts that incoming requests are matched against before the ingress rule"),
        _c("Address", desc="Address is a list containing ingress points for the load-balancer"),
        _c("Ports", desc="Ports of TLS configurations that open"), AGE], _print_ingress),
    "ingressclasses.networking.k8s.io": ([
        NAME, _c("Controller", desc="Controller that is responsible for handling this class"),
        _c("Parameters", desc="A reference to a resource with additional parameters"), AGE],
        _print_ingressclass),
    "statefulsets.apps": ([
        NAME, _c("Ready", desc="Number of the pod with ready state"), AGE, _CONTAINERS, _IMAGES],
        _print_statefulset),
    "endpoints": ([NAME, _c("Endpoints", desc=_doc("core.v1.Endpoints", "subsets")), AGE],
                  _print_endpoints),
    "nodes": ([
        NAME, _c("Status", desc="The status of the node"), _c("Roles", desc="The roles of the node"),
        AGE, _c("Version", desc=_doc("core.v1.NodeSystemInfo", "kubeletVersion")),
        _c("Internal-IP", desc=_doc("core.v1.NodeStatus", "addresses"), priority=1),
        _c("External-IP", desc=_doc("core.v1.NodeStatus", "addresses"), priority=1),
        _c("OS-Image", desc=_doc("core.v1.NodeSystemInfo", "osImage"), priority=1),
        _c("Kernel-Version", desc=_doc("core.v1.NodeSystemInfo", "kernelVersion"), priority=1),
        _c("Container-Runtime", desc=_doc("core.v1.NodeSystemInfo", "containerRuntimeVersion"), priority=1)],
        _print_node),
    "events": ([
        _c("Last Seen", desc=_doc("core.v1.Event", "lastTimestamp")),
        _c("Type", desc=_doc("core.v1.Event", "type")),
        _c("Reason", desc=_doc("core.v1.Event", "reason")),
        _c("Object", desc=_doc("core.v1.Event", "involvedObject")),
        _c("Subobject", desc=_doc("core.v1.ObjectReference", "fieldPath"), priority=1),
        _c("Source", desc=_doc("core.v1.Event", "source"), priority=1),
        _c("Message", desc=_doc("core.v1.Event", "message")),
        _c("First Seen", desc=_doc("core.v1.Event", "firstTimestamp"), priority=1),
        _c("Count", desc=_doc("core.v1.Event", "count"), priority=1),
        Column("Name", "string", "name", 1, _doc(_META, "name"))], _print_event),
    "namespaces": ([NAME, _c("Status", desc="The status of the namespace"), AGE], _print_namespace),
    "secrets": ([NAME, _c("Type", desc=_doc("core.v1.Secret", "type")),
                 _c("Data", desc=_doc("core.v1.Secret", "data")), AGE], _print_secret),
    "serviceaccounts": ([NAME, _c("Secrets", desc=_doc("core.v1.ServiceAccount", "secrets")), AGE],
                        _print_serviceaccount),
    "persistentvolumes": ([
        NAME, _c("Capacity", desc=_doc("core.v1.PersistentVolumeSpec", "capacity")),
        _c("Access Modes", desc=_doc("core.v1.PersistentVolumeSpec", "accessModes")),
        _c("Reclaim Policy", desc=_doc("core.v1.PersistentVolumeSpec", "persistentVolumeReclaimPolicy")),
        _c("Status", desc=_doc("core.v1.PersistentVolumeStatus", "phase")),
        _c("Claim", desc=_doc("core.v1.PersistentVolumeSpec", "claimRef")),
        _c("StorageClass", desc="StorageClass of the pv"),
        _c("VolumeAttributesClass", desc="VolumeAttributesClass of the pv"),
        _c("Reason", desc=_doc("core.v1.PersistentVolumeStatus", "reason")),
        AGE, _c("VolumeMode", desc=_doc("core.v1.PersistentVolumeSpec", "volumeMode"), priority=1)],
        _print_pv),
    "persistentvolumeclaims": ([
        NAME, _c("Status", desc=_doc("core.v1.PersistentVolumeClaimStatus", "phase")),
        _c("Volume", desc=_doc("core.v1.PersistentVolumeClaimSpec", "volumeName")),
        _c("Capacity", desc=_doc("core.v1.PersistentVolumeClaimStatus", "capacity")),
        _c("Access Modes", desc=_doc("core.v1.PersistentVolumeClaimStatus", "accessModes")),
        _c("StorageClass", desc="StorageClass of the pvc"),
        _c("VolumeAttributesClass", desc="VolumeAttributesClass of the pvc"),
        AGE, _c("VolumeMode", desc=_doc("core.v1.PersistentVolumeClaimSpec", "volumeMode"), priority=1)],
        _print_pvc),
    "componentstatuses": ([
        NAME, _c("Status", desc="Status of the component conditions"),
        _c("Message", desc="Message of the component conditions"),
        _c("Error", desc="Error of the component conditions")], _print_component_status),
    "deployments.apps": ([
        NAME, _c("Ready", desc="Number of the pod with ready state"),
        _c("Up-to-date", desc=_doc("apps.v1.DeploymentStatus", "updatedReplicas")),
        _c("Available", desc=_doc("apps.v1.DeploymentStatus", "availableReplicas")),
        AGE, _CONTAINERS, _IMAGES,
        _c(_SEL, desc=_doc("apps.v1.DeploymentSpec", "selector"), priority=1)], _print_deployment),
    "horizontalpodautoscalers.autoscaling": ([
        NAME, _c("Reference", desc=_doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "scaleTargetRef")),
        _c("Targets", desc=_doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "metrics")),
        _c("MinPods", desc=_doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "minReplicas")),
        _c("MaxPods", desc=_doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "maxReplicas")),
        _c("Replicas", desc=_doc("autoscaling.v2.HorizontalPodAutoscalerStatus", "currentReplicas")),
        AGE], _print_hpa),
    "configmaps": ([NAME, _c("Data", desc=_doc("core.v1.ConfigMap", "data")), AGE], _print_configmap),
    "networkpolicies.networking.k8s.io": ([
        NAME, _c("Pod-Selector", desc=_doc("networking.v1.NetworkPolicySpec", "podSelector")), AGE],
        _print_networkpolicy),
    "rolebindings.rbac.authorization.k8s.io": ([
        NAME, _c("Role", desc=_doc("rbac.v1.RoleBinding", "roleRef")), AGE,
        _c("Users", desc="Users in the roleBinding", priority=1),
        _c("Groups", desc="Groups in the roleBinding", priority=1),
        _c("ServiceAccounts", desc="ServiceAccounts in the roleBinding", priority=1)], _print_binding),
    "clusterrolebindings.rbac.authorization.k8s.io": ([
        NAME, _c("Role", desc=_doc("rbac.v1.ClusterRoleBinding", "roleRef")), AGE,
        _c("Users", desc="Users in the clusterRoleBinding", priority=1),
        _c("Groups", desc="Groups in the clusterRoleBinding", priority=1),
        _c("ServiceAccounts", desc="ServiceAccounts in the clusterRoleBinding", priority=1)],
        _print_binding),
    "certificatesigningrequests.certificates.k8s.io": ([
        NAME, AGE, _c("SignerName", desc=_doc("certificates.v1.CertificateSigningRequestSpec", "signerName")),
        _c("Requestor", desc=_doc("certificates.v1.CertificateSigningRequestSpec", "request")),
        _c("RequestedDuration", desc=_doc("certificates.v1.CertificateSigningRequestSpec", "expirationSeconds")),
        _c("Condition", desc=_doc("certificates.v1.CertificateSigningRequestStatus", "conditions"))],
        _print_csr),
    "clustertrustbundles.certificates.k8s.io": ([
        NAME, _c("SignerName", desc=_doc("certificates.v1alpha1.ClusterTrustBundleSpec", "signerName"))],
        _print_cluster_trust_bundle),
    "leases.coordination.k8s.io": ([
        NAME, _c("Holder", desc=_doc("coordination.v1.LeaseSpec", "holderIdentity")), AGE], _print_lease),
    "storageclasses.storage.k8s.io": ([
        NAME, _c("Provisioner", desc=_doc("storage.v1.StorageClass", "provisioner")),
        _c("ReclaimPolicy", desc=_doc("storage.v1.StorageClass", "reclaimPolicy")),
        _c("VolumeBindingMode", desc=_doc("storage.v1.StorageClass", "volumeBindingMode")),
        _c("AllowVolumeExpansion", desc=_doc("storage.v1.StorageClass", "allowVolumeExpansion")),
        AGE], _print_storageclass),
    "volumeattributesclasses.storage.k8s.io": ([
        NAME, _c("DriverName", desc=_doc("storage.v1beta1.VolumeAttributesClass", "driverName")), AGE],
        _print_volume_attributes_class),
    "controllerrevisions.apps": ([
        NAME, _c("Controller", desc="Controller of the object"),
        _c("Revision", desc=_doc("apps.v1.ControllerRevision", "revision")), AGE],
        _print_controller_revision),
    "resourcequotas": ([
        NAME, _c("Request", desc="Request represents a minimum amount of cpu/memory that a container may consume."),
        _c("Limit", desc="Limits control the maximum amount of cpu/memory that a container may use "
                         "independent of contention on the node."), AGE], _print_resource_quota),
    "priorityclasses.scheduling.k8s.io": ([
        NAME, _c("Value", "integer", _doc("scheduling.v1.PriorityClass", "value")),
        _c("Global-Default", "boolean", _doc("scheduling.v1.PriorityClass", "globalDefault")), AGE,
        _c("PreemptionPolicy", desc=_doc("scheduling.v1.PriorityClass", "preemptionPolicy"))],
        _print_priority_class),
    "runtimeclasses.node.k8s.io": ([NAME, _c("Handler", desc=_doc("node.v1.RuntimeClass", "handler")), AGE],
                                   _print_runtime_class),
    "volumeattachments.storage.k8s.io": ([
        NAME, Column("Attacher", "string", "name", 0, _doc("storage.v1.VolumeAttachmentSpec", "attacher")),
        _c("PV", desc=_doc("storage.v1.VolumeAttachmentSource", "persistentVolumeName")),
        _c("Node", desc=_doc("storage.v1.VolumeAttachmentSpec", "nodeName")),
        _c("Attached", "boolean", _doc("storage.v1.VolumeAttachmentStatus", "attached")), AGE],
        _print_volume_attachment),
    "endpointslices.discovery.k8s.io": ([
        NAME, _c("AddressType", desc=_doc("discovery.v1.EndpointSlice", "addressType")),
        _c("Ports", desc=_doc("discovery.v1.EndpointSlice", "ports")),
        _c("Endpoints", desc=_doc("discovery.v1.EndpointSlice", "endpoints")), AGE],
        _print_endpointslice),
    "csinodes.storage.k8s.io": ([
        NAME, _c("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"),
        AGE], _print_csinode),
    "csidrivers.storage.k8s.io": ([
        NAME, _c("AttachRequired", "boolean", _doc("storage.v1.CSIDriverSpec", "attachRequired")),
        _c("PodInfoOnMount", "boolean", _doc("storage.v1.CSIDriverSpec", "podInfoOnMount")),
        _c("StorageCapacity", "boolean", _doc("storage.v1.CSIDriverSpec", "storageCapacity")),
        _c("TokenRequests", desc=_doc("storage.v1.CSIDriverSpec", "tokenRequests")),
        _c("RequiresRepublish", "boolean", _doc("storage.v1.CSIDriverSpec", "requiresRepublish")),
        _c("Modes", desc=_doc("storage.v1.CSIDriverSpec", "volumeLifecycleModes")), AGE],
        _print_csidriver),
    "csistoragecapacities.storage.k8s.io": ([
        NAME, _c("StorageClassName", desc=_doc("storage.v1.CSIStorageCapacity", "storageClassName")),
        _c("Capacity", desc=_doc("storage.v1.CSIStorageCapacity", "capacity"))],
        _print_csi_storage_capacity),
    "mutatingwebhookconfigurations.admissionregistration.k8s.io": ([
        NAME, _c("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"),
        AGE], _print_webhooks),
    "validatingwebhookconfigurations.admissionregistration.k8s.io": ([
        NAME, _c("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"),
        AGE], _print_webhooks),
    "validatingadmissionpolicies.admissionregistration.k8s.io": ([
        NAME, _c("Validations", "integer", "Validations indicates the number of validation rules defined in this configuration"),
        _c("ParamKind", desc="ParamKind specifies the kind of resources used to parameterize this policy"),
        AGE], _print_admission_policy("validations")),
    "validatingadmissionpolicybindings.admissionregistration.k8s.io": ([
        NAME, _c("PolicyName", desc="PolicyName indicates the policy definition which the policy binding binded to"),
        _c("ParamRef", desc="ParamRef indicates the param resource which sets the configration param"),
        AGE], _print_admission_policy_binding),
    "flowschemas.flowcontrol.apiserver.k8s.io": ([
        NAME, _c("PriorityLevel", desc=_doc("flowcontrol.v1.PriorityLevelConfigurationReference", "name")),
        _c("MatchingPrecedence", desc=_doc("flowcontrol.v1.FlowSchemaSpec", "matchingPrecedence")),
        _c("DistinguisherMethod", desc=_doc("flowcontrol.v1.FlowSchemaSpec", "distinguisherMethod")),
        AGE, _c("MissingPL", desc="references a broken or non-existent PriorityLevelConfiguration")],
        _print_flow_schema),
    "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io": ([
        NAME, _c("Type", desc=_doc("flowcontrol.v1.PriorityLevelConfigurationSpec", "type")),
        _c("NominalConcurrencyShares", desc=_doc("flowcontrol.v1.LimitedPriorityLevelConfiguration", "nominalConcurrencyShares")),
        _c("Queues", desc=_doc("flowcontrol.v1.QueuingConfiguration", "queues")),
        _c("HandSize", desc=_doc("flowcontrol.v1.QueuingConfiguration", "handSize")),
        _c("QueueLengthLimit", desc=_doc("flowcontrol.v1.QueuingConfiguration", "queueLengthLimit")),
        AGE], _print_priority_level),
    "servicecidrs.networking.k8s.io": ([
        NAME, _c("CIDRs", desc=_doc("networking.v1beta1.ServiceCIDRSpec", "cidrs")), AGE], _print_servicecidr),
    "ipaddresses.networking.k8s.io": ([
        NAME, _c("ParentRef", desc=_doc("networking.v1beta1.IPAddressSpec", "parentRef"))], _print_ipaddress),
    "apiservices.apiregistration.k8s.io": ([
        NAME, _c("Service", desc="The reference to the service that hosts this API endpoint."),
        _c("Available", desc="Whether this service is available."), AGE], _print_apiservice),
}
# events.k8s.io Events are core Events underneath: the same printer serves both.
_REGISTRY["events.events.k8s.io"] = _REGISTRY["events"]

_DEFAULT_COLUMNS = [NAME, Column("Created At", "date", "", 0, _doc(_META, "creationTimestamp"))]

# Built-in kinds without a printer get the apiserver's default table; anything else unknown is
# taken to be a custom resource.
BUILTIN_DEFAULT_TABLE = frozenset({
    "roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io", "limitranges",
    "customresourcedefinitions.apiextensions.k8s.io", "bindings",
    "tokenreviews.authentication.k8s.io", "selfsubjectreviews.authentication.k8s.io",
    "localsubjectaccessreviews.authorization.k8s.io", "selfsubjectaccessreviews.authorization.k8s.io",
    "selfsubjectrulesreviews.authorization.k8s.io", "subjectaccessreviews.authorization.k8s.io",
})


# ---------------------------------------------------------------- custom resources

# apiextensions serves a CRD without additionalPrinterColumns with one default column, Age
_CR_DEFAULT_COLUMNS = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
                        "description": _doc(_META, "creationTimestamp")}]


def _crd_column_defs(crd_columns) -> list[Column]:
    return [NAME] + [Column(c.get("name", ""), c.get("type", "string"), c.get("format", ""),
                            int(c.get("priority", 0)), c.get("description", ""))
                     for c in crd_columns or _CR_DEFAULT_COLUMNS]


def _crd_row(obj: dict, now: datetime, crd_columns) -> list:
    cells = [_name(obj)]
    for c in crd_columns or _CR_DEFAULT_COLUMNS:
        found = jsonpath_first(obj, c.get("jsonPath", ""))
        if found is _MISSING or found is None:
            cells.append(None)
        elif c.get("type", "string") == "string":
            cells.append(go_text(found))
        else:
            cells.append(_typed_cell(c.get("type"), found, now))
    return cells


def _typed_cell(type_: str, value, now: datetime):
    """apiextensions' cellForJSONValue."""
    if type_ == "integer" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if type_ == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if type_ == "boolean" and isinstance(value, bool):
        return value
    if type_ == "date" and isinstance(value, str):
        secs = since(value, now)
        if secs is None:
            return "<unknown>" if value.startswith("0001-01-01") else "<invalid>"
        return human_duration(secs)
    return None


# ---------------------------------------------------------------- Go value formatting
# (shared with render.py and output.py: cells, JSONPath results and floats print as Go prints them)

def go_text(value) -> str:
    """How client-go's jsonpath prints a value as text (fmt.Fprint of the decoded JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if value is None:
        return "<nil>"
    if isinstance(value, list):
        return "[" + " ".join(go_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_text(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def go_float(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64): Go's %v for a float64."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    neg, ds, dp = _shortest_digits(f)
    x = dp - 1
    # shortest 'g' switches to %e below 1e-4 and from 1e6 (eprec 6)
    if x < -4 or x >= 6:
        return _fmt_e(neg, ds, x)
    return _fmt_f(neg, ds, dp)


def _shortest_digits(f: float) -> tuple[str, str, int]:
    """(sign, significant digits, decimal point position): f = 0.<digits> * 10**dp."""
    from decimal import Decimal
    sign, digits, exp = Decimal(repr(f)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    return ("-" if sign else ""), ds, len(digits) + exp


def _fmt_e(neg: str, ds: str, x: int) -> str:
    mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
    return f"{neg}{mant}e{'-' if x < 0 else '+'}{abs(x):02d}"


def _fmt_f(neg: str, ds: str, dp: int) -> str:
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{ds}"
    if dp >= len(ds):
        return f"{neg}{ds}{'0' * (dp - len(ds))}"
    return f"{neg}{ds[:dp]}.{ds[dp:]}"


def go_json_float(f: float) -> str:
    """encoding/json's float64: %f between 1e-6 and 1e21, else %e with a short exponent."""
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    neg, ds, dp = _shortest_digits(f)
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        return _fmt_e(neg, ds, dp - 1).replace("e-0", "e-")  # Go cleans e-07 up to e-7
    return _fmt_f(neg, ds, dp)


_MISSING = object()
_SEGMENT = re.compile(r"""\[(?P<idx>-?\d+|\*)\]|\[\?\(@\.(?P<fkey>[^=!<>\s]+)\s*(?P<op>==|!=)\s*(?P<fval>'[^']*'|"[^"]*"|[^)\s]+)\s*\)\]|\[['"](?P<key>[^'"]+)['"]\]""")


def _split_path(path: str) -> list:
    """`.status.conditions[?(@.type=="Ready")].status` -> steps; `\\.` escapes a dot."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    if path.startswith("$"):
        path = path[1:]
    steps, i, n = [], 0, len(path)
    while i < n:
        ch = path[i]
        if ch == ".":
            i += 1
            key = []
            while i < n and path[i] not in ".[":
                if path[i] == "\\" and i + 1 < n:
                    key.append(path[i + 1])
                    i += 2
                    continue
                key.append(path[i])
                i += 1
            if key:
                steps.append(("key", "".join(key)))
        elif ch == "[":
            m = _SEGMENT.match(path, i)
            if not m:
                raise ValueError(f"unsupported JSONPath: {path}")
            if m.group("idx") is not None:
                steps.append(("idx", m.group("idx")))
            elif m.group("key") is not None:
                steps.append(("key", m.group("key")))
            else:
                val = m.group("fval")
                if val[:1] in "'\"":
                    val = val[1:-1]
                steps.append(("filter", (m.group("fkey").split("."), m.group("op"), val)))
            i = m.end()
        else:
            raise ValueError(f"unsupported JSONPath: {path}")
    return steps


def jsonpath_first(obj, path: str):
    """The first result of a simple JSONPath (as CRD printer columns use), or _MISSING."""
    try:
        steps = _split_path(path)
    except ValueError:
        return _MISSING
    current = [obj]
    for kind, arg in steps:
        nxt = []
        for v in current:
            if kind == "key":
                if isinstance(v, dict) and arg in v:
                    nxt.append(v[arg])
            elif kind == "idx":
                if isinstance(v, list):
                    if arg == "*":
                        nxt.extend(v)
                    else:
                        i = int(arg)
                        if -len(v) <= i < len(v):
                            nxt.append(v[i])
                elif isinstance(v, dict) and arg == "*":
                    nxt.extend(v[k] for k in sorted(v))
            else:
                keys, op, want = arg
                for item in v if isinstance(v, list) else ():
                    got = item
                    for k in keys:
                        got = got.get(k, _MISSING) if isinstance(got, dict) else _MISSING
                    if got is _MISSING:
                        continue
                    text = go_text(got)
                    if (text == want) == (op == "=="):
                        nxt.append(item)
        current = nxt
        if not current:
            return _MISSING
    return current[0]


# ---------------------------------------------------------------- public interface

def _resolve_description(desc: str) -> str:
    if not desc.startswith("@"):
        return desc
    definition, _, field = desc[1:].partition("#")
    from pykubectl.api import schema
    d = schema.definitions().get(definition) or {}
    return ((d.get("properties") or {}).get(field) or {}).get("description", "")


@functools.lru_cache(maxsize=None)
def _builtin_columns(resource: str) -> tuple[Column, ...]:
    cols = _REGISTRY[resource][0] if resource in _REGISTRY else _DEFAULT_COLUMNS
    return tuple(c.replace(description=_resolve_description(c.description)) for c in cols)


def has_printer(resource: str) -> bool:
    """True when the resource has its own printer (printers.go or the aggregator's)."""
    return resource in _REGISTRY


def is_custom(resource: str) -> bool:
    return resource not in _REGISTRY and resource not in BUILTIN_DEFAULT_TABLE


def columns(resource: str, crd_columns=None, descriptions: bool = True) -> list[Column]:
    """Column definitions for a group-qualified plural (`pods`, `deployments.apps`).
    descriptions=False skips reading them from the OpenAPI definitions (the CLI never shows
    them; loading the definitions would cost every `get` ~10 ms)."""
    if not descriptions:
        cols = _crd_column_defs(crd_columns) if is_custom(resource) else \
            (_REGISTRY[resource][0] if resource in _REGISTRY else _DEFAULT_COLUMNS)
        return [c.replace(description="") if c.description.startswith("@") else c for c in cols]
    if is_custom(resource):
        cols = _crd_column_defs(crd_columns)
        return [c.replace(description=_resolve_description(c.description)) for c in cols]
    return list(_builtin_columns(resource))


def row(resource: str, obj: dict, now: datetime, crd_columns=None) -> list:
    """The cells of one object's row, typed as the Go printers type them (str, int, bool)."""
    if resource in _REGISTRY:
        return _REGISTRY[resource][1](obj, now)
    if resource in BUILTIN_DEFAULT_TABLE:
        return _print_default(obj, now)
    return _crd_row(obj, now, crd_columns)


def row_conditions(resource: str, obj: dict) -> list | None:
    if resource == "pods":
        return _pod_conditions(obj)
    return None


def partial_object_metadata(obj: dict) -> dict:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}


def table(resource: str, objs: list[dict], now: datetime, crd_columns=None, *,
          list_meta: dict | None = None, include_object: str = "Metadata",
          descriptions: bool = True) -> dict:
    """A meta.k8s.io/v1 Table, as the apiserver answers `Accept: ...;as=Table`.

    include_object is the `includeObject` query parameter: Metadata (the default, rows carry
    PartialObjectMetadata), Object (the whole object) or None.
    """
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": dict(list_meta or {}),
            "columnDefinitions": [c.as_dict() for c in columns(resource, crd_columns, descriptions)],
            "rows": list(table_rows(resource, objs, now, crd_columns, include_object=include_object))}


def table_rows(resource: str, objs: Iterable[dict], now: datetime, crd_columns=None, *,
               include_object: str = "Metadata") -> Iterator[dict]:
    """A Table's rows, one per object, as `objs` yields them (get streams a big list
    through this, keeping no object longer than its row)."""
    for obj in objs:
        r = {"cells": row(resource, obj, now, crd_columns)}
        conds = row_conditions(resource, obj)
        if conds:
            r["conditions"] = conds
        if include_object == "Object":
            r["object"] = obj
        elif include_object == "Metadata":
            r["object"] = partial_object_metadata(obj)
        yield r
