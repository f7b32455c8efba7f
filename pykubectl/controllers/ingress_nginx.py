"""ingress-nginx's status sync, as a controller of the simulated cluster."""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Event, Put, make_key
from pykubectl.net.ingress import is_controller_pod


class IngressNginxStatus(Controller):
    """The ingress-nginx controller's status sync: every `nginx` Ingress gets ADDRESS = the
    InternalIP of the node its controller pod runs on (no --publish-service in the bare-metal
    deployment), and an Ingress that is a second canary for a host and path gets a Warning event
    saying which canary applies instead (ingress-nginx uses one canary per host and path)."""
    name = "ingress-nginx-status"
    manager = "nginx-ingress-controller"
    watches = (("networking.k8s.io", "ingresses"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "pods" and not is_controller_pod(obj):
            return []
        return [make_key("networking.k8s.io", "ingresses", "", "*")]

    def reconcile(self, key, view, now):
        from pykubectl.net import ingress as ing_mod
        ctrl = [p for p in view.list("pods", "ingress-nginx") if is_controller_pod(p)
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


def controllers(cluster=None):
    return [IngressNginxStatus()]
