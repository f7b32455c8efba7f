"""Which controllers run, in order. Kept apart so `manager` stays free of imports of them.

Optional controllers are found by module name: a module listed in OPTIONAL that exists provides
`controllers(cluster) -> list[Controller]`.

Importing every controller module costs a write ~20 ms, while a change wakes only the controllers
watching its resource (a ConfigMap's: three; a due Event lease: one). So WATCHES says, as data,
what each module's controllers watch, and `Lazy` imports a module only when a batch of changes
or a due timer concerns one of its controllers. tests/unit/test_controller_registry.py holds
the table to the modules themselves."""
from __future__ import annotations

import importlib

OPTIONAL = (
    "scheduler", "kubelet", "node_lifecycle",
    "replicaset", "deployment", "statefulset", "daemonset", "job", "cronjob",
    "pv_binder", "provisioner", "pv_recycler",
    "hpa", "endpoints", "ingress_nginx", "metallb",
    "disruption", "pv_resizer",
)
# the built-in modules, then the optional ones: the engine's order of controllers
MODULES = ("namespace", "gc", "events", "tokens") + OPTIONAL

ANY = ("*", "*")   # watches every resource
_CORE, _APPS, _BATCH, _STORAGE = "", "apps", "batch", "storage.k8s.io"
_PODS, _NODES, _NS = (_CORE, "pods"), (_CORE, "nodes"), (_CORE, "namespaces")
_PVC, _PV, _SC = (_CORE, "persistentvolumeclaims"), (_CORE, "persistentvolumes"), (_STORAGE, "storageclasses")
_LEASES = ("coordination.k8s.io", "leases")

# module -> ((controller name, watched (group, resource)s), ...) in the order the module builds them
WATCHES = {
    "namespace": (("namespace", (_NS, ANY)),
                  ("serviceaccount", (_NS, (_CORE, "serviceaccounts"))),
                  ("root-ca-cert-publisher", (_NS, (_CORE, "configmaps")))),
    "gc": (("garbage-collector", (ANY,)),),
    "events": (("event-ttl", ()),),
    "tokens": (("serviceaccount-token", ((_CORE, "secrets"), (_CORE, "serviceaccounts"))),),
    "scheduler": (("scheduler", (_PODS, _NODES, _NS, _PVC, _PV, _SC)),),
    "kubelet": (("kubelet", (_PODS, _LEASES)),),
    "node_lifecycle": (("node-lifecycle", (_NODES, _LEASES)),
                       ("taint-eviction", (_NODES, _PODS))),
    "replicaset": (("replicaset-controller", ((_APPS, "replicasets"), _PODS)),
                   ("replication-controller", ((_CORE, "replicationcontrollers"), _PODS))),
    "deployment": (("deployment-controller", ((_APPS, "deployments"), (_APPS, "replicasets"), _PODS)),),
    "statefulset": (("statefulset-controller", ((_APPS, "statefulsets"), _PODS)),),
    "daemonset": (("daemonset-controller", ((_APPS, "daemonsets"), _PODS, _NODES)),),
    "job": (("job-controller", ((_BATCH, "jobs"), _PODS)),),
    "cronjob": (("cronjob-controller", ((_BATCH, "cronjobs"), (_BATCH, "jobs"))),),
    "pv_binder": (("persistentvolume-binder", (_PVC, _PV, _PODS, _SC)),),
    "provisioner": (("nfs-subdir-external-provisioner", (_PVC, _PV)),),
    "pv_recycler": (("persistentvolume-recycler", (_PV, _PODS)),),
    "hpa": (("horizontal-pod-autoscaler", (("autoscaling", "horizontalpodautoscalers"),
                                           (_APPS, "deployments"), (_APPS, "replicasets"),
                                           (_APPS, "statefulsets"), (_CORE, "replicationcontrollers"),
                                           _PODS)),),
    "endpoints": (("endpoints", (_PODS, (_CORE, "services"), (_CORE, "endpoints"))),),
    "ingress_nginx": (("ingress-nginx-status", (("networking.k8s.io", "ingresses"), _PODS)),),
    "metallb": (("metallb-controller", ((_CORE, "services"), (_CORE, "configmaps"))),),
    "disruption": (("disruption-controller", (("policy", "poddisruptionbudgets"), _PODS)),),
    "pv_resizer": (("volume-resizer", (_PVC, _PODS)),),
}


def _controller_kind(pod: dict) -> str | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("kind")
    return None


def _claims(pod: dict) -> bool:
    return any((v.get("persistentVolumeClaim") or {}).get("claimName")
               for v in (pod.get("spec") or {}).get("volumes") or ())


# module -> (type, pod) -> whether its controllers' keys_for can return anything for that pod
# change: a module is not imported for a batch whose only changes are pods none of which concern
# it (a label on a bare pod wakes neither the ReplicaSet nor the Job controller). Each predicate
# mirrors the module's keys_for for pods; test_controller_registry holds them to it.
POD_INTEREST = {
    "replicaset": lambda t, p: _controller_kind(p) in ("ReplicaSet", "ReplicationController"),
    "deployment": lambda t, p: t == "DELETED" and _controller_kind(p) == "ReplicaSet",
    "statefulset": lambda t, p: _controller_kind(p) == "StatefulSet",
    "daemonset": lambda t, p: _controller_kind(p) == "DaemonSet",
    "job": lambda t, p: _controller_kind(p) == "Job",
    "pv_binder": lambda t, p: _claims(p),
    "pv_resizer": lambda t, p: _claims(p),
    "pv_recycler": lambda t, p: ((p.get("metadata") or {}).get("namespace") == "default"
                                 and (p.get("metadata") or {}).get("name", "").startswith("recycler-for-")),
    "ingress_nginx": lambda t, p: (((p.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/name")
                                   == "ingress-nginx"),
}


def controllers(cluster=None):
    """Every controller, built now, in the engine's order."""
    return Lazy(cluster).all()


def concerns(watches, resources, names, name: str) -> bool:
    """Whether a controller (its name and watches) has work in a batch that changed `resources`
    ((group, resource) pairs) with timers due for the controllers in `names`."""
    if name in names:
        return True
    if not resources:
        return False
    return any((w[0], w[1]) in resources or (w[0], w[1]) == ANY for w in watches)


class Lazy:
    """The controllers of one engine, each module imported and built on first need."""

    def __init__(self, cluster=None):
        self.cluster = cluster
        self._built: dict[str, list] = {}   # module -> its controllers

    def _module(self, mod: str) -> list:
        out = self._built.get(mod)
        if out is None:
            out = self._built[mod] = _build(mod, self.cluster)
        return out

    def all(self) -> list:
        return [c for mod in MODULES for c in self._module(mod)]

    def built(self) -> list:
        """The controllers built so far (the ones whose caches a batch of changes feeds)."""
        return [c for mod in MODULES for c in self._built.get(mod, ())]

    def for_work(self, resources, names=(), changes=()) -> list:
        """The controllers watching any of `resources` or named in `names`, in the engine's order
        (so the work they queue comes in the order the full list gives it). With the batch's
        `changes`, a module not yet imported whose only concern in it is pods (POD_INTEREST)
        stays unimported unless one of the pod changes concerns it."""
        resources, names = set(resources), set(names)
        pods = [(c[1], c[6]) for c in changes if (c[2], c[3]) == ("", "pods")] if changes else None

        def wanted(mod):
            if mod in self._built:
                return True
            watches = WATCHES.get(mod, ())
            if not any(concerns(w, resources, names, n) for n, w in watches):
                return False
            interest = POD_INTEREST.get(mod)
            if interest is None or pods is None or any(n in names for n, _ in watches) \
                    or any(concerns([w for w in ws if (w[0], w[1]) != ("", "pods")], resources, (), n)
                           for n, ws in watches):
                return True
            return any(interest(t, p) for t, p in pods)
        return [c for mod in MODULES if wanted(mod)
                for c in self._module(mod) if concerns(c.watches, resources, names, c.name)]


def _build(mod: str, cluster) -> list:
    if mod == "namespace":
        from pykubectl.controllers.namespace import NamespaceController, RootCAPublisher, ServiceAccountController
        return [NamespaceController(), ServiceAccountController(),
                RootCAPublisher(cluster.ca_pem if cluster is not None else (lambda: None))]
    if mod == "gc":
        from pykubectl.controllers.gc import GarbageCollector
        return [GarbageCollector()]
    if mod == "events":
        from pykubectl.controllers.events import EventTTL
        return [EventTTL()]
    if mod == "tokens":
        if cluster is None:   # it signs with the cluster's key
            return []
        from pykubectl.controllers.tokens import TokensController
        return [TokensController(cluster)]
    try:
        module = importlib.import_module(f"pykubectl.controllers.{mod}")
    except ModuleNotFoundError as e:
        if e.name != f"pykubectl.controllers.{mod}":
            raise
        return []
    return list(module.controllers(cluster))
