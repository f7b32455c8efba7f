"""Which pods a Service's selector takes in, and how: the endpoints controller's
`ShouldPodBeInEndpoints` and `findPort` (pkg/controller/endpoint), with the reasons in words so
that `sim explain svc` and the controller (`controllers.endpoints`) share one decision. Pure."""
from __future__ import annotations



def pod_ready(pod: dict) -> bool:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def target_port(svc_port: dict, pod: dict) -> int | None:
    """findPort: a number as is; a name looked up among the pod's container ports."""
    tp = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(tp, int):
        return tp
    if isinstance(tp, str) and tp.isdigit():
        return int(tp)
    proto = svc_port.get("protocol") or "TCP"
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == tp and (p.get("protocol") or "TCP") == proto:
                return p.get("containerPort")
    return None


class Verdict:
    """What the endpoints controller makes of one pod for one Service: `ready` /
    `not-ready` (the list the address lands in) or `excluded`, the Endpoints ports it serves,
    and why (for `sim explain svc`). (A plain class: dataclasses costs ~6-9 ms of import on
    every pod write, through the endpoints controller.)"""
    __slots__ = ("state", "ports", "reasons")

    def __init__(self, state: str, ports: list | None = None, reasons: list | None = None):
        self.state = state
        self.ports = [] if ports is None else ports
        self.reasons = [] if reasons is None else reasons

    def __eq__(self, other):
        return isinstance(other, Verdict) and (self.state, self.ports, self.reasons) == \
            (other.state, other.ports, other.reasons)

    def __repr__(self):
        return f"Verdict(state={self.state!r}, ports={self.ports!r}, reasons={self.reasons!r})"


def selector_mismatch(selector: dict | None, labels: dict | None) -> list[str]:
    """Each selector key the pod's labels fail, in words."""
    labels = labels or {}
    out = []
    for k, v in sorted((selector or {}).items()):
        if k not in labels:
            out.append(f"no label {k} (the selector wants {k}={v})")
        elif labels[k] != v:
            out.append(f"label {k}={labels[k]}, the selector wants {k}={v}")
    return out


def ready_reason(pod: dict) -> str:
    """Why a pod's Ready condition is not True, from its condition and container statuses."""
    st = pod.get("status") or {}
    cond = next((c for c in st.get("conditions") or [] if c.get("type") == "Ready"), None)
    if cond is None:
        return "no Ready condition yet"
    words = [cond.get("reason") or f"Ready={cond.get('status')}"]
    probes = {c["name"]: bool(c.get("readinessProbe")) for c in (pod.get("spec") or {}).get("containers") or []}
    for cs in st.get("containerStatuses") or []:
        if cs.get("ready"):
            continue
        state = cs.get("state") or {}
        if "waiting" in state:
            why = f"waiting ({state['waiting'].get('reason') or 'Waiting'})"
        elif "terminated" in state:
            why = f"terminated ({state['terminated'].get('reason') or 'Error'})"
        elif probes.get(cs.get("name")):
            why = "running, readiness probe not succeeding"
        else:
            why = "running, not started yet" if not cs.get("started") else "running, not ready"
        words.append(f"container {cs.get('name')}: {why}")
    return ": ".join(words[:1]) + (" (" + "; ".join(words[1:]) + ")" if words[1:] else "")


def endpoint_verdict(svc: dict, pod: dict) -> Verdict:
    """ShouldPodBeInEndpoints plus findPort, as `pkg/controller/endpoint` applies them."""
    spec = svc.get("spec") or {}
    pnr = bool(spec.get("publishNotReadyAddresses"))
    meta, st = pod.get("metadata") or {}, pod.get("status") or {}
    if not spec.get("selector"):
        return Verdict("excluded", reasons=["the Service has no selector"])
    miss = selector_mismatch(spec["selector"], meta.get("labels"))
    if miss:
        return Verdict("excluded", reasons=miss)
    if st.get("phase") in ("Succeeded", "Failed"):
        return Verdict("excluded", reasons=[f"phase {st['phase']}: a finished pod is never an endpoint"])
    if not st.get("podIP"):
        return Verdict("excluded", reasons=[f"no pod IP yet (phase {st.get('phase') or 'Pending'})"])
    # a terminating pod leaves Endpoints unless the service publishes not-ready addresses
    if meta.get("deletionTimestamp") and not pnr:
        return Verdict("excluded", reasons=["terminating (deletionTimestamp set)"])
    ports, reasons = [], []
    for sp in spec.get("ports") or []:
        n = target_port(sp, pod)
        if n is None:
            reasons.append(f"no container port named {sp.get('targetPort')} ({sp.get('protocol') or 'TCP'}) "
                           f"for the Service's port {_port_label(sp)}")
            continue
        ep = {"port": n, "protocol": sp.get("protocol") or "TCP"}
        if sp.get("name"):
            ep = {"name": sp["name"], **ep}
        ports.append(ep)
    if not ports:
        return Verdict("excluded", reasons=reasons)
    ready = pod_ready(pod)
    if not ready:
        reasons.insert(0, ready_reason(pod))
    if meta.get("deletionTimestamp"):
        reasons.insert(0, "terminating (deletionTimestamp set)")
    if pnr and (not ready or meta.get("deletionTimestamp")):
        reasons.append("published as ready anyway (publishNotReadyAddresses: true)")
    return Verdict("ready" if pnr or ready else "not-ready", ports, reasons)


def _port_label(sp: dict) -> str:
    return f"{sp.get('name')} ({sp.get('port')})" if sp.get("name") else str(sp.get("port"))
