"""The Endpoints, EndpointSlice and EndpointSlice-mirroring controllers (kube-controller-manager).

A Service with a selector gets an Endpoints object (ready pods under `addresses`, the others under
`notReadyAddresses`, as `pkg/controller/endpoint` packs them) and one EndpointSlice (the
endpointslice controller's shape: conditions ready/serving/terminating). A selector-less
Service's hand-written Endpoints are mirrored into an EndpointSlice, which is what kube-proxy
(`pykubectl.net.proxy`) reads. Objects are only rewritten when their membership changes, so the
lab's system Endpoints are adopted as they are.
"""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Create, Delete, Put, make_key, split_key
from pykubectl.net.membership import endpoint_verdict
from pykubectl.store.clock import rfc3339

SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
MIRROR_CONTROLLER = "endpointslicemirroring-controller.k8s.io"
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"
SLICES = "endpointslices.discovery.k8s.io"
SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror"


def _address(pod: dict, svc_name: str) -> dict:
    spec, meta = pod.get("spec") or {}, pod["metadata"]
    a = {"ip": pod["status"]["podIP"]}
    if spec.get("hostname") and spec.get("subdomain") == svc_name:
        a["hostname"] = spec["hostname"]
    if spec.get("nodeName"):
        a["nodeName"] = spec["nodeName"]
    a["targetRef"] = {"kind": "Pod", "name": meta["name"], "namespace": meta.get("namespace"),
                      "uid": meta.get("uid")}
    return a


def desired_subsets(svc: dict, pods: list[dict]) -> list[dict]:
    """Endpoints subsets: pods grouped by their resolved port set (RepackSubsets), addresses
    ordered by IP as string (LessEndpointAddress)."""
    groups: dict[tuple, dict] = {}
    for pod in pods:
        v = endpoint_verdict(svc, pod)
        if v.state == "excluded":
            continue
        key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in v.ports))
        g = groups.setdefault(key, {"addresses": [], "notReadyAddresses": [], "ports": v.ports})
        g["addresses" if v.state == "ready" else "notReadyAddresses"].append(_address(pod, svc["metadata"]["name"]))
    out = []
    for g in groups.values():
        ss = {}
        for k in ("addresses", "notReadyAddresses"):
            if g[k]:
                ss[k] = sorted(g[k], key=lambda a: a["ip"])
        ss["ports"] = g["ports"]
        out.append(ss)
    return out


def membership(subsets) -> set:
    """What matters when comparing Endpoints: who is where, not uids or order."""
    out = set()
    for ss in subsets or []:
        ports = frozenset((p.get("name", ""), p.get("port"), p.get("protocol", "TCP")) for p in ss.get("ports") or [])
        for k in ("addresses", "notReadyAddresses"):
            for a in ss.get(k) or []:
                out.add((k, a.get("ip"), a.get("hostname"), (a.get("targetRef") or {}).get("name"), ports))
    return out


def slice_endpoints(subsets) -> tuple[list[dict], list[dict]]:
    """EndpointSlice endpoints and ports from Endpoints subsets (one port set assumed, as the
    lab's Services have)."""
    eps, ports = [], []
    for ss in subsets or []:
        for k, ready in (("addresses", True), ("notReadyAddresses", False)):
            for a in ss.get(k) or []:
                e = {"addresses": [a["ip"]], "conditions": {"ready": ready, "serving": ready, "terminating": False}}
                for f in ("hostname", "nodeName", "targetRef"):
                    if a.get(f):
                        e[f] = a[f]
                eps.append(e)
        if not ports:
            ports = [{"name": p.get("name", ""), "port": p["port"], "protocol": p.get("protocol", "TCP")}
                     for p in ss.get("ports") or []]
    return eps, ports


def _slice_membership(sl: dict) -> set:
    out = set()
    ports = frozenset((p.get("name") or "", p.get("port"), p.get("protocol", "TCP")) for p in sl.get("ports") or [])
    for e in sl.get("endpoints") or []:
        out.add((tuple(e.get("addresses") or []), bool((e.get("conditions") or {}).get("ready")),
                 e.get("hostname"), (e.get("targetRef") or {}).get("name"), ports))
    return out


class EndpointsController(Controller):
    name = "endpoints"
    watches = (("", "pods"), ("", "services"), ("", "endpoints"))

    def keys_for(self, type_, group, res, obj):
        m = obj.get("metadata") or {}
        ns = m.get("namespace") or ""
        if res == "pods":
            # a pod's labels may have moved it into or out of any Service of its namespace
            return [make_key("", "services", ns, "*")]
        if res == "services" and type_ == "DELETED":
            # the controller removes the Endpoints of a deleted Service (slices go by ownerReference)
            return [make_key("", "deleted-services", ns, m.get("name"))]
        return [make_key("", "services", ns, m.get("name"))]

    def reconcile(self, key, view, now):
        _, res, ns, name = split_key(key)
        if res == "deleted-services":
            if view.get("services", ns, name) is not None or view.get("endpoints", ns, name) is None:
                return []
            return [Delete("endpoints", ns, name)] + self._mirror(view, ns, name, None, now)
        if name == "*":
            names = [s["metadata"]["name"] for s in view.list("services", ns) if (s.get("spec") or {}).get("selector")]
        else:
            names = [name]
        actions = []
        for n in names:
            svc = view.get("services", ns, n)
            if svc is not None and (svc.get("spec") or {}).get("selector") and svc["spec"].get("type") != "ExternalName":
                # a selector is label equalities: the store's label index gives just its pods
                pods = view.list("pods", ns, labels_eq=svc["spec"]["selector"])
                actions += self._selector_service(view, svc, pods, now)
            else:
                actions += self._mirror(view, ns, n, svc, now)
        return actions

    # -- Services with a selector ------------------------------------------------------------
    def _selector_service(self, view, svc, pods, now):
        meta = svc["metadata"]
        ns, name = meta["namespace"], meta["name"]
        subsets = desired_subsets(svc, pods)
        labels = dict(meta.get("labels") or {})
        if (svc.get("spec") or {}).get("clusterIP") == "None":
            labels["service.kubernetes.io/headless"] = ""
        actions = []
        cur = view.get("endpoints", ns, name)
        if cur is None:
            ep = {"apiVersion": "v1", "kind": "Endpoints",
                  "metadata": {"name": name, "namespace": ns, "labels": labels,
                               "annotations": {TRIGGER: rfc3339(now)}}}
            if subsets:
                ep["subsets"] = subsets
            actions.append(Create("endpoints", ep))
        elif membership(cur.get("subsets")) != membership(subsets):
            ep = copy.deepcopy(cur)
            ep["metadata"].setdefault("annotations", {})[TRIGGER] = rfc3339(now)
            if subsets:
                ep["subsets"] = subsets
            else:
                ep.pop("subsets", None)
            actions.append(Put("endpoints", ep))
        eps, ports = slice_endpoints(subsets)
        if not ports:
            # the endpointslice controller keeps the Service's ports even with no endpoints
            ports = [{"name": p.get("name", ""), "port": p["targetPort"] if isinstance(p.get("targetPort"), int) else p["port"],
                      "protocol": p.get("protocol", "TCP")} for p in (svc["spec"].get("ports") or [])]
        owner = {"apiVersion": "v1", "kind": "Service", "name": name, "uid": meta.get("uid"),
                 "controller": True, "blockOwnerDeletion": True}
        slice_labels = {**labels, SERVICE_NAME: name, MANAGED_BY: SLICE_CONTROLLER}
        actions += self._write_slice(view, ns, name, SLICE_CONTROLLER, slice_labels, owner, eps, ports, now)
        return actions

    # -- selector-less Services: mirror hand-written Endpoints ----------------------------------
    def _mirror(self, view, ns, name, svc, now):
        ep = view.get("endpoints", ns, name)
        # the apiserver keeps the `kubernetes` Service's slice itself (its Endpoints say skip-mirror)
        skip = ep is not None and ((ep["metadata"].get("labels") or {}).get(SKIP_MIRROR) == "true"
                                   or (ns, name) == ("default", "kubernetes"))
        if svc is None or ep is None or skip or (svc.get("spec") or {}).get("selector"):
            return [Delete(SLICES, ns, s["metadata"]["name"]) for s in self._slices(view, ns, name, MIRROR_CONTROLLER)]
        eps, ports = slice_endpoints(ep.get("subsets"))
        labels = {**(ep["metadata"].get("labels") or {}), SERVICE_NAME: name, MANAGED_BY: MIRROR_CONTROLLER}
        owner = {"apiVersion": "v1", "kind": "Endpoints", "name": name, "uid": ep["metadata"].get("uid"),
                 "controller": True, "blockOwnerDeletion": True}
        return self._write_slice(view, ns, name, MIRROR_CONTROLLER, labels, owner, eps, ports, now)

    def _slices(self, view, ns, name, manager):
        return [s for s in view.list(SLICES, ns, labels_eq={SERVICE_NAME: name})
                if (s["metadata"].get("labels") or {}).get(MANAGED_BY) == manager]

    def _write_slice(self, view, ns, name, manager, labels, owner, eps, ports, now):
        want = {"addressType": "IPv4", "endpoints": eps, "ports": ports}
        existing = self._slices(view, ns, name, manager)
        if not existing:
            return [Create(SLICES, {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                                    "metadata": {"generateName": f"{name}-", "namespace": ns, "labels": labels,
                                                 "annotations": {TRIGGER: rfc3339(now)},
                                                 "ownerReferences": [owner]}, **want})]
        first, rest = existing[0], existing[1:]
        actions = [Delete(SLICES, ns, s["metadata"]["name"]) for s in rest]
        if _slice_membership(first) != _slice_membership(want):
            sl = copy.deepcopy(first)
            sl["metadata"].setdefault("annotations", {})[TRIGGER] = rfc3339(now)
            sl.update({"endpoints": eps, "ports": ports})
            actions.append(Put(SLICES, sl))
        return actions


def controllers(cluster=None):
    return [EndpointsController()]
