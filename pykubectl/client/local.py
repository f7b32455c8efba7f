"""The in-process client: the apiserver core over the cluster's store, with the reconcile
engine run before reads (when a timer fell due) and after every write."""
from __future__ import annotations

from pykubectl.client.base import Client


class LocalClient(Client):
    def __init__(self, cluster, namespace: str = "default", user=None):
        self.cluster = cluster
        self.server = cluster.apiserver
        self.namespace = namespace or "default"
        self.user = user
        self._synced = False

    def _authorize(self, verb: str, kind, ns, name: str = "", subresource: str = ""):
        """With --as: RBAC as the apiserver applies it to the impersonated user. (The local admin
        may impersonate anyone; without --as the admin is a cluster-admin and nothing is checked.)"""
        if not self.user:
            return
        from pykubectl.apiserver import auth
        user_name, groups = self.user
        user = auth.User(user_name, [*groups, "system:authenticated"])
        a = auth.Attributes(user, verb, "", True, kind.group, kind.version,
                            (ns or "") if kind.namespaced else "", kind.plural, subresource, name)
        g = "rbac.authorization.k8s.io"
        with self.cluster.store.read() as t:
            policy = auth.Policy(t.list(g, "clusterroles"), t.list(g, "clusterrolebindings"),
                                 t.list(g, "roles"), t.list(g, "rolebindings"))
        ok, reason = policy.authorize(a)
        if not ok:
            raise auth.forbidden(a, reason)

    def _sync(self):
        """Bring the cluster up to date before answering (what `sleep 30` did shows)."""
        if not self._synced:
            self.cluster.reconcile()
            self._synced = True

    def _after_write(self):
        self.cluster.engine.run()

    def resolve(self, arg):
        return self.server.resolve(arg)

    def for_gvk(self, api_version, kind):
        return self.server.for_gvk(api_version, kind)

    def now(self):
        return self.cluster.clock.now()

    def get(self, kind, ns, name):
        self._authorize("get", kind, ns, name)
        self._sync()
        return self.server.get(kind, ns, name)

    def list(self, kind, ns=None, label_selector=None, field_selector=None):
        self._authorize("list", kind, ns)
        self._sync()
        return self.server.list(kind, ns, label_selector, field_selector)

    def create(self, kind, obj, ns=None, **opts):
        self._authorize("create", kind, ns or (obj.get("metadata") or {}).get("namespace") or self.namespace)
        self._sync()
        out = self.server.create(kind, obj, ns, **opts)
        if not opts.get("dry_run"):
            self._after_write()
        return out

    def update(self, kind, obj, ns=None, **opts):
        self._authorize("update", kind, ns or (obj.get("metadata") or {}).get("namespace"),
                        (obj.get("metadata") or {}).get("name", ""), opts.get("subresource") or "")
        self._sync()
        out = self.server.update(kind, obj, ns, **opts)
        if not opts.get("dry_run"):
            self._after_write()
        return out

    def patch(self, kind, ns, name, patch_type, body, **opts):
        self._authorize("patch", kind, ns, name, opts.get("subresource") or "")
        self._sync()
        out = self.server.patch(kind, ns, name, patch_type, body, **opts)
        if not opts.get("dry_run"):
            self._after_write()
        return out

    def delete(self, kind, ns, name, **opts):
        self._authorize("delete", kind, ns, name)
        self._sync()
        out = self.server.delete(kind, ns, name, **opts)
        if not opts.get("dry_run"):
            self._after_write()
        return out

    def watch(self, kind, ns=None, since=None, label_selector=None, field_selector=None, timeout=None):
        """Changes after revision `since`; due timers are driven while waiting (real clock)."""
        self._authorize("watch", kind, ns)
        self._sync()
        return self.server.watch(kind, ns, since, label_selector, field_selector, timeout=timeout,
                                 drive=self.cluster.reconcile)
