"""Which controllers run, in order. Kept apart so `manager` stays free of imports of them.

Optional controllers are found by module name: a module listed in OPTIONAL that exists provides
`controllers(cluster) -> list[Controller]`."""
from __future__ import annotations

import importlib

OPTIONAL = (
    "scheduler", "kubelet", "node_lifecycle",
    "replicaset", "deployment", "statefulset", "daemonset", "job", "cronjob",
    "pv_binder", "provisioner", "pv_recycler",
    "hpa", "endpoints", "ingress_nginx", "metallb",
    "disruption", "pv_resizer",
)


def controllers(cluster=None):
    from pykubectl.controllers.events import EventTTL
    from pykubectl.controllers.gc import GarbageCollector
    from pykubectl.controllers.namespace import NamespaceController, RootCAPublisher, ServiceAccountController
    out = [NamespaceController(), ServiceAccountController(),
           RootCAPublisher(cluster.ca_pem if cluster is not None else (lambda: None)),
           GarbageCollector(), EventTTL()]
    if cluster is not None:
        from pykubectl.controllers.tokens import TokensController
        out.append(TokensController(cluster))
    for name in OPTIONAL:
        try:
            mod = importlib.import_module(f"pykubectl.controllers.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"pykubectl.controllers.{name}":
                raise
            continue
        out.extend(mod.controllers(cluster))
    return out
