"""Namespace lifecycle, the ServiceAccount and root-CA publishers, as kube-controller-manager runs them.

- namespace: deleting a namespace empties it, then removes its `kubernetes` finalizer and the
  namespace itself (pkg/controller/namespace/deletion).
- serviceaccount: every active namespace gets the `default` ServiceAccount.
- root-ca-cert-publisher: every namespace gets the `kube-root-ca.crt` ConfigMap with the
  cluster CA.
"""
from __future__ import annotations

from pykubectl.controllers.manager import Controller, Create, Delete, Put, Timer, make_key, split_key


def _ns_key(name: str) -> str:
    return make_key("", "namespaces", "", name)


class NamespaceController(Controller):
    name = "namespace"
    watches = (("", "namespaces"), ("*", "*"))

    def keys_for(self, type_, group, res, obj):
        if (group, res) == ("", "namespaces"):
            return [_ns_key(obj["metadata"]["name"])]
        ns = (obj.get("metadata") or {}).get("namespace")
        # only deletions matter for a namespace being emptied
        return [_ns_key(ns)] if ns and type_ == "DELETED" else []

    def reconcile(self, key, view, now):
        name = split_key(key)[3]
        ns = view.get("namespaces", "", name)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return []
        t = view.txn
        left = [(g, r) for g, r in t.namespaces_with_objects(name)]
        actions = []
        waiting = False
        for g, r in left:
            for obj in t.list(g, r, name):
                meta = obj["metadata"]
                if meta.get("deletionTimestamp"):
                    waiting = True
                    continue
                resource = f"{r}.{g}" if g else r
                actions.append(Delete(resource, name, meta["name"], uid=meta.get("uid")))
        if actions or waiting:
            # re-check after the contents go; deletions re-queue us, the timer is a safety net
            return actions + [Timer(key, now + 5)]
        fins = [f for f in (ns.get("spec") or {}).get("finalizers") or [] if f != "kubernetes"]
        ns = dict(ns)
        ns["spec"] = dict(ns.get("spec") or {})
        ns["spec"]["finalizers"] = fins
        if fins:
            return [Put("namespaces", ns)]
        # the finalize subresource emptied: the namespace goes
        return [Put("namespaces", ns), Delete("namespaces", "", name)]


class ServiceAccountController(Controller):
    name = "serviceaccount"
    watches = (("", "namespaces"), ("", "serviceaccounts"))

    def keys_for(self, type_, group, res, obj):
        meta = obj.get("metadata") or {}
        if res == "namespaces":
            return [_ns_key(meta["name"])]
        if meta.get("name") == "default" and type_ == "DELETED":
            return [_ns_key(meta.get("namespace"))]
        return []

    def reconcile(self, key, view, now):
        name = split_key(key)[3]
        ns = view.get("namespaces", "", name)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return []
        if view.get("serviceaccounts", name, "default") is not None:
            return []
        return [Create("serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount",
                                           "metadata": {"name": "default", "namespace": name}})]


class RootCAPublisher(Controller):
    name = "root-ca-cert-publisher"
    watches = (("", "namespaces"), ("", "configmaps"))

    def __init__(self, ca_pem_loader):
        self._ca = ca_pem_loader

    def keys_for(self, type_, group, res, obj):
        meta = obj.get("metadata") or {}
        if res == "namespaces":
            return [_ns_key(meta["name"])]
        if meta.get("name") == "kube-root-ca.crt":
            return [_ns_key(meta.get("namespace"))]
        return []

    def reconcile(self, key, view, now):
        name = split_key(key)[3]
        ns = view.get("namespaces", "", name)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return []
        ca = self._ca()
        if not ca:
            return []
        cm = view.get("configmaps", name, "kube-root-ca.crt")
        want = {"ca.crt": ca}
        if cm is None:
            return [Create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": "kube-root-ca.crt", "namespace": name,
                                                       "annotations": {"kubernetes.io/description":
                                                           "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                                          "data": want})]
        if cm.get("data") != want:
            cm = dict(cm)
            cm["data"] = want
            return [Put("configmaps", cm)]
        return []
