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

    def for_work(self, resources, names=()) -> list:
        """The controllers watching any of `resources` or named in `names`, in the engine's order
        (so the work they queue comes in the order the full list gives it)."""
        resources, names = set(resources), set(names)
        return [c for mod in MODULES
                if mod in self._built or any(concerns(w, resources, names, n) for n, w in WATCHES.get(mod, ()))
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
