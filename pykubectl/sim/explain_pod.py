"""`pykubectl sim explain pod/NAME`: what kube-scheduler makes of a pod, node by node — the filter
that rejected each node and why, each feasible node's score per plugin (normalized, then
weighted) and the pick; what kube-scheduler-simulator shows in a web UI. Pure: the caller passes
the objects in."""
from __future__ import annotations


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def explain(pod: dict, nodes: list[dict], pods: list[dict], namespaces: list[dict] = (),
            storage=None, workloads=None) -> str:
    """`storage` and `workloads` are the scheduler's Storage (claims, volumes, classes) and
    Workloads (Services and controllers, for default spreading), as it builds them."""
    from pykubectl.controllers.scheduler import (WEIGHTS, Snapshot, fit_error, pod_priority, preempt,
                                                 schedule_one)
    meta = pod["metadata"]
    uid = meta.get("uid")
    current = (pod.get("spec") or {}).get("nodeName")
    # judge the pod as if it were being scheduled now: leave it out of the cluster it is in
    others = [p for p in pods if p["metadata"].get("uid") != uid]
    probe = dict(pod, spec={k: v for k, v in (pod.get("spec") or {}).items() if k != "nodeName"})
    snap = Snapshot(nodes, others, namespaces, storage, workloads)
    res = schedule_one(probe, snap)
    out = [f"Pod {meta.get('namespace')}/{meta['name']} (priority {pod_priority(pod)}): "
           + (f"bound to {current}" if current else "not scheduled"), ""]
    rows = [["NODE", "FILTER", "RESULT"]]
    for info in snap.infos:
        fail = res.failures.get(info.name)
        if fail:
            rows.append([info.name, fail[0], ", ".join(fail[2])])
        else:
            rows.append([info.name, "-", "passed"])
    out += ["Filters (the first that rejects a node):"] + ["  " + r for r in _table(rows)] + [""]
    if res.scores:
        plugins = [p for p in WEIGHTS if any(p in s for s in res.scores.values())]
        rows = [["NODE"] + [f"{p}(x{WEIGHTS[p]})" for p in plugins] + ["TOTAL"]]
        for name in sorted(res.scores, key=lambda n: (-res.total(n), n)):
            s = res.scores[name]
            rows.append([name] + [str(s.get(p, 0)) for p in plugins] + [str(res.total(name))])
        out += ["Scores (normalized 0-100, times the plugin's weight in TOTAL):"]
        out += ["  " + r for r in _table(rows)] + [""]
        out.append(f"Result: {res.node} (highest total; ties go to the node with fewest pods, then by name)")
    else:
        node, victims, post = preempt(probe, snap, res)
        out.append("Result: unschedulable: " + fit_error(len(snap.infos), res.failures, "" if node else post,
                                                         res.pre_filter))
        if node:
            names = ", ".join(f"{v['metadata'].get('namespace')}/{v['metadata']['name']}" for v in victims)
            out.append(f"Preemption: would nominate {node}, evicting {names}")
    return "\n".join(out) + "\n"
