"""`pykubectl sim explain hpa/NAME`: the HPA algorithm's inputs and result at this moment —
the loads, each pod's sample against its request, the ratio and tolerance, the recent
recommendations and what stabilization and the rate limits make of them. It runs the
controller's own sync on a copy of its state, so it explains exactly what the next sync does."""
from __future__ import annotations

import copy
import json


def explain_hpa(view, hpa: dict, now: float) -> str:
    from pykubectl.api.quantity import milli
    from pykubectl.controllers.hpa import TARGETS, HorizontalPodAutoscaler, state_key, v2_spec
    from pykubectl.controllers.manager import Put
    from pykubectl.metrics.server import pod_metrics, scrape_time
    from pykubectl.metrics.traffic import active_services
    from pykubectl.store.clock import rfc3339
    ns, name = hpa["metadata"]["namespace"], hpa["metadata"]["name"]
    spec = v2_spec(hpa)
    ref = spec.get("scaleTargetRef") or {}
    out = [f"HorizontalPodAutoscaler {ns}/{name} at {rfc3339(now)}"]
    api_version = ref.get("apiVersion", "")
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    resource = TARGETS.get((group, ref.get("kind")))
    target = view.get(resource, ns, ref.get("name", "")) if resource else None
    if target is None:
        out.append(f"target {ref.get('kind')}/{ref.get('name')}: not found")
        return "\n".join(out) + "\n"
    ctl = HorizontalPodAutoscaler()
    replicas = (target.get("spec") or {}).get("replicas", 1)
    out.append(f"target {ref.get('kind')}/{ref.get('name')}: {replicas} replicas "
               f"(min {spec.get('minReplicas', 1)}, max {spec.get('maxReplicas')})")
    for r in active_services(view, now, ns):
        state = "now" if r["start"] <= now < r["end"] else "ended, memory still held"
        out.append(f"load: {r['rps']:g} rps to service {r['namespace']}/{r['service']} until {rfc3339(r['end'])} ({state})")
    pods = ctl._pods(view, target)
    samples = {pm["metadata"]["name"]: pm for pm in pod_metrics(view, now, pods=pods)}
    out.append(f"metrics-server sample taken at {rfc3339(scrape_time(now))} (every 15s)")
    for m in spec.get("metrics") or []:
        src = m.get("resource") or m.get("containerResource") or {}
        rname, tgt = src.get("name"), src.get("target") or {}
        if m.get("type") not in ("Resource", "ContainerResource"):
            out.append(f"metric {m.get('type')}: not simulated (no custom or external metrics API)")
            continue
        goal = f"{tgt.get('averageUtilization')}% of request" if tgt.get("averageUtilization") is not None \
            else f"average {tgt.get('averageValue')}"
        out.append(f"metric {rname}: target {goal}")
        for p in pods:
            pn = p["metadata"]["name"]
            req = sum(milli(((c.get("resources") or {}).get("requests") or {}).get(rname, "0"))
                      for c in p["spec"].get("containers") or ())
            pm = samples.get(pn)
            use = "no sample yet" if pm is None else \
                str(sum(milli(c["usage"].get(rname, "0")) for c in pm["containers"])) + "m"
            ready = next((c.get("status") for c in (p.get("status") or {}).get("conditions") or ()
                          if c.get("type") == "Ready"), "Unknown")
            out.append(f"  pod {pn}: ready={ready} usage={use} request={req}m")
    st = json.loads(view.txn.get_meta(state_key(ns, name), "{}") or "{}")
    recent = ", ".join(str(n) for t, n in st.get("recs", []) if t > now - 300) or "none"
    out.append(f"recommendations in the last 5 minutes: {recent}")
    actions, _ = ctl.sync(copy.deepcopy(hpa), view, now, copy.deepcopy(st))
    status = next((a.obj["status"] for a in actions if isinstance(a, Put) and a.resource.startswith("horizontal")),
                  hpa.get("status") or {})
    for c in status.get("conditions") or ():
        out.append(f"{c['type']}: {c['status']} {c.get('reason', '')}: {c.get('message', '')}")
    new = next((a.obj["spec"]["replicas"] for a in actions if isinstance(a, Put) and a.resource == resource), None)
    out.append(f"result: {'scale to ' + str(new) if new is not None else 'keep ' + str(replicas)} replicas")
    return "\n".join(out) + "\n"
