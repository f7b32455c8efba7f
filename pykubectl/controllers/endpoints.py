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

from pykubectl.controllers.manager import Controller, Create, Delete, Event, Put, make_key, split_key
from pykubectl.store.clock import rfc3339

SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
MIRROR_CONTROLLER = "endpointslicemirroring-controller.k8s.io"
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"
SLICES = "endpointslices.discovery.k8s.io"
SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror"


def pod_ready(pod: dict) -> bool:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    labels = labels or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


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


def _eligible(pod: dict, publish_not_ready: bool) -> bool:
    st = pod.get("status") or {}
    if not st.get("podIP") or st.get("phase") in ("Succeeded", "Failed"):
        return False
    # a terminating pod leaves Endpoints unless the service publishes not-ready addresses
    return publish_not_ready or not (pod.get("metadata") or {}).get("deletionTimestamp")


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
    spec = svc.get("spec") or {}
    pnr = bool(spec.get("publishNotReadyAddresses"))
    groups: dict[tuple, dict] = {}
    for pod in pods:
        if not selector_matches(spec.get("selector"), pod["metadata"].get("labels")) or not _eligible(pod, pnr):
            continue
        ports = []
        for sp in spec.get("ports") or []:
            n = target_port(sp, pod)
            if n is None:
                continue
            ep = {"port": n, "protocol": sp.get("protocol") or "TCP"}
            if sp.get("name"):
                ep = {"name": sp["name"], **ep}
            ports.append(ep)
        if not ports:
            continue
        key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
        g = groups.setdefault(key, {"addresses": [], "notReadyAddresses": [], "ports": ports})
        ready = pnr or pod_ready(pod)
        g["addresses" if ready else "notReadyAddresses"].append(_address(pod, svc["metadata"]["name"]))
    out = []
    for g in groups.values():
        ss = {}
        for k in ("addresses", "notReadyAddresses"):
            if g[k]:
                ss[k] = sorted(g[k], key=lambda a: a["ip"])
        ss["ports"] = g["ports"]
        out.append(ss)
    return out


def _membership(subsets) -> set:
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
        pods = None
        actions = []
        for n in names:
            svc = view.get("services", ns, n)
            if svc is not None and (svc.get("spec") or {}).get("selector") and svc["spec"].get("type") != "ExternalName":
                if pods is None:
                    pods = view.list("pods", ns)
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
        elif _membership(cur.get("subsets")) != _membership(subsets):
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


class IngressNginxStatus(Controller):
    """The ingress-nginx controller's status sync: every `nginx` Ingress gets ADDRESS = the
    InternalIP of the node its controller pod runs on (no --publish-service in the bare-metal
    deployment), and an Ingress that is a second canary for a host and path gets a Warning event
    saying which canary applies instead (ingress-nginx uses one canary per host and path).
    Kept beside the Endpoints controllers until it has a module of its own."""
    name = "ingress-nginx-status"
    manager = "nginx-ingress-controller"
    watches = (("networking.k8s.io", "ingresses"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "pods" and not _is_ingress_controller(obj):
            return []
        return [make_key("networking.k8s.io", "ingresses", "", "*")]

    def reconcile(self, key, view, now):
        from pykubectl.net import ingress as ing_mod
        ctrl = [p for p in view.list("pods", "ingress-nginx") if _is_ingress_controller(p)
                and (p.get("status") or {}).get("phase") == "Running"]
        ips = []
        for p in ctrl:
            node = view.get("nodes", "", (p.get("spec") or {}).get("nodeName") or "")
            for a in ((node or {}).get("status") or {}).get("addresses") or []:
                if a.get("type") == "InternalIP" and a["address"] not in ips:
                    ips.append(a["address"])
        want = {"ingress": [{"ip": ip} for ip in sorted(ips)]} if ips else {}
        ingresses = view.list("ingresses.networking.k8s.io")
        actions = []
        for ing in ingresses:
            if not ing_mod.is_nginx(ing) or ((ing.get("status") or {}).get("loadBalancer") or {}) == want:
                continue
            new = copy.deepcopy(ing)
            new.setdefault("status", {})["loadBalancer"] = want
            actions.append(Put("ingresses.networking.k8s.io", new, status=True))
        for ignored, applied in ing_mod.canary_conflicts(ingresses):
            m = applied["metadata"]
            actions.append(Event(ignored, "Warning", "CanaryIgnored",
                                 f"another canary Ingress {m.get('namespace')}/{m['name']} already serves this host "
                                 "and path; ingress-nginx applies one canary per host and path",
                                 source={"component": "nginx-ingress-controller"}))
        return actions


def _is_ingress_controller(pod: dict) -> bool:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return labels.get("app.kubernetes.io/name") == "ingress-nginx" and labels.get("app.kubernetes.io/component") == "controller"


def controllers(cluster=None):
    return [EndpointsController(), IngressNginxStatus()]
