"""Which controllers run, in order. Kept apart so `manager` stays free of imports of them."""
from __future__ import annotations


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
    try:
        from pykubectl.controllers.scheduler import Scheduler
        out.append(Scheduler())
    except ImportError:
        pass
    try:
        from pykubectl.controllers.kubelet import Kubelet
        out.append(Kubelet())
    except ImportError:
        pass
    return out
