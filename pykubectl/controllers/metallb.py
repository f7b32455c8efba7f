"""MetalLB (layer 2) as a controller of the simulated cluster: LoadBalancer addresses from a pool."""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Event, Put, make_key, split_key


class MetalLBController(Controller):
    """MetalLB's controller (layer 2): assigns each LoadBalancer Service an address from the
    pool in ConfigMap metallb-system/config (`pykubectl.net.lb`), writes it to
    status.loadBalancer.ingress and records IPAllocated (or AllocationFailed); without a pool
    the Service stays <pending>. A Service that stops being a LoadBalancer gives its address
    back."""
    name = "metallb-controller"
    manager = "metallb-controller"
    watches = (("", "services"), ("", "configmaps"))

    def keys_for(self, type_, group, res, obj):
        from pykubectl.net.lb import POOL_CONFIGMAP, POOL_NAMESPACE
        m = obj.get("metadata") or {}
        if res == "configmaps":
            if (m.get("namespace"), m.get("name")) != (POOL_NAMESPACE, POOL_CONFIGMAP):
                return []
            return [make_key("", "services", "", "*")]
        spec = obj.get("spec") or {}
        if type_ == "DELETED":
            # a deleted LoadBalancer frees its address: a pending one may now get it
            return [make_key("", "services", "", "*")] if spec.get("type") == "LoadBalancer" else []
        if spec.get("type") != "LoadBalancer" and not ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
            return []
        return [make_key("", "services", m.get("namespace") or "", m.get("name"))]

    def reconcile(self, key, view, now):
        from pykubectl.net import lb
        _, _, ns, name = split_key(key)
        try:
            pools = lb.parse_pools(view.get("configmaps", lb.POOL_NAMESPACE, lb.POOL_CONFIGMAP))
        except lb.PoolError:
            pools = []   # MetalLB keeps its last good configuration; the simulation has none
        services = sorted(view.list("services"), key=lambda s: (s["metadata"].get("creationTimestamp") or "",
                                                               s["metadata"]["namespace"], s["metadata"]["name"]))
        taken = {ip for s in services if (s.get("spec") or {}).get("type") == "LoadBalancer" for ip in lb.ingress_ips(s)}
        actions = []
        for svc in services:
            m, spec = svc["metadata"], svc.get("spec") or {}
            if name != "*" and (m["namespace"], m["name"]) != (ns, name):
                continue
            have = lb.ingress_ips(svc)
            if spec.get("type") != "LoadBalancer":
                if have:
                    actions.append(_lb_status(svc, None))
                continue
            if spec.get("loadBalancerClass") or not pools:
                continue   # another implementation's Service, or no pool: <pending>
            if have and all(any(p.contains(ip) for p in pools) for ip in have):
                continue
            taken.difference_update(have)
            ip, why = lb.allocate(svc, pools, taken)
            if ip is None:
                if not have:
                    actions.append(Event(svc, "Warning", "AllocationFailed", why, source={"component": "metallb-controller"}))
                continue
            taken.add(ip)
            actions += [_lb_status(svc, ip),
                        Event(svc, "Normal", "IPAllocated", f'Assigned IP ["{ip}"]', source={"component": "metallb-controller"})]
        return actions


def _lb_status(svc: dict, ip: str | None) -> Put:
    new = copy.deepcopy(svc)
    new.setdefault("status", {})["loadBalancer"] = {"ingress": [{"ip": ip, "ipMode": "VIP"}]} if ip else {}
    return Put("services", new, status=True)


def controllers(cluster=None):
    return [MetalLBController()]
