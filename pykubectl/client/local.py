"""The in-process client: the apiserver core over the cluster's store, with the reconcile
engine run before reads (when a timer fell due) and after every write."""
from __future__ import annotations

from contextlib import contextmanager

from pykubectl.client.base import Client


class LocalClient(Client):
    def __init__(self, cluster, namespace: str = "default", user=None):
        self.cluster = cluster
        self.server = cluster.apiserver
        self.namespace = namespace or "default"
        self.user = user
        self._synced = False
        self._batch = False
        self._deferred = False

    def _authorize(self, verb: str, kind, ns, name: str = "", subresource: str = ""):
        """With --as: RBAC as the apiserver applies it to the impersonated user. (The local admin
        may impersonate anyone; without --as the admin is a cluster-admin and nothing is checked.)"""
        if not self.user:
            return
        from pykubectl.apiserver import auth
        a = auth.Attributes(self._identity(), verb, "", True, kind.group, kind.version,
                            (ns or "") if kind.namespaced else "", kind.plural, subresource, name)
        ok, reason = self._policy().authorize(a)
        if not ok:
            raise auth.forbidden(a, reason)

    def _identity(self):
        """Who this client is: the --as user, or the lab's admin (admin.conf's certificate)."""
        from pykubectl.apiserver import auth
        if self.user:
            user_name, groups = self.user
            return auth.impersonated(user_name, groups)
        return auth.User("kubernetes-admin", ["kubeadm:cluster-admins", "system:authenticated"])

    def _policy(self):
        from pykubectl.apiserver import auth
        g = "rbac.authorization.k8s.io"
        with self.cluster.store.read() as t:
            return auth.Policy(t.list(g, "clusterroles"), t.list(g, "clusterrolebindings"),
                               t.list(g, "roles"), t.list(g, "rolebindings"))

    def review(self, plural: str, spec: dict, ns: str = "") -> dict:
        """A Self*Review's status, answered as the apiserver answers it for this client's user."""
        from pykubectl.apiserver import auth
        return auth.answer_review(self._policy, self._identity(), plural, spec, ns)[1]

    def _sync(self):
        """Bring the cluster up to date before answering (what `sleep 30` did shows)."""
        if not self._synced:
            self.cluster.reconcile()
            self._synced = True

    # writes the controllers must answer before the next object of the same command can go in:
    # a namespace's default ServiceAccount (pod admission needs it), a CRD's registration
    _SETTLE_AFTER = {("", "namespaces"), ("", "serviceaccounts"),
                     ("apiextensions.k8s.io", "customresourcedefinitions")}

    @contextmanager
    def batch(self):
        """The writes of one multi-object command (`create -f`, `apply -f` of a List or a
        folder): the control plane reconciles once after them instead of after each, as a real
        one works through a burst of requests (it does not stop the world per request)."""
        self._batch = True
        try:
            yield
        finally:
            self._batch = False
            if self._deferred:
                self._deferred = False
                self.cluster.reconcile()

    def _after_write(self, kind=None):
        if self._batch and kind is not None and (kind.group, kind.plural) not in self._SETTLE_AFTER:
            self._deferred = True
            return
        self._deferred = False
        # the cluster's cheap pending check first: a write that changed nothing (a no-op patch)
        # imports no engine and builds no controllers
        self.cluster.reconcile()

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

    def list_stream(self, kind, ns=None, label_selector=None, field_selector=None, *,
                    fields="object"):
        """`with list_stream(...) as (resourceVersion, objects)`: list's items decoded one at a
        time (apiserver core's list_stream), for printers that keep only what they print."""
        self._authorize("list", kind, ns)
        self._sync()
        return self.server.list_stream(kind, ns, label_selector, field_selector, fields=fields)

    def create(self, kind, obj, ns=None, **opts):
        self._authorize("create", kind, ns or (obj.get("metadata") or {}).get("namespace") or self.namespace)
        self._sync()
        out = self.server.create(kind, obj, ns, **opts)
        if not opts.get("dry_run"):
            self._after_write(kind)
        return out

    def update(self, kind, obj, ns=None, **opts):
        self._authorize("update", kind, ns or (obj.get("metadata") or {}).get("namespace"),
                        (obj.get("metadata") or {}).get("name", ""), opts.get("subresource") or "")
        self._sync()
        out = self.server.update(kind, obj, ns, **opts)
        if not opts.get("dry_run"):
            self._after_write(kind)
        return out

    def patch(self, kind, ns, name, patch_type, body, **opts):
        self._authorize("patch", kind, ns, name, opts.get("subresource") or "")
        self._sync()
        out = self.server.patch(kind, ns, name, patch_type, body, **opts)
        if not opts.get("dry_run"):
            self._after_write(kind)
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

    # -- streams: what the kubelet answers, in-process ------------------------------------
    def _pod_for(self, verb, ns, name, sub):
        kind = self.resolve("pods")
        self._authorize(verb, kind, ns, name, sub)
        self._sync()
        return self.server.get(kind, ns, name)

    def logs(self, ns, pod, container, *, follow=False, tail=-1, since_seconds=None,
             since_time=None, timestamps=False, previous=False, limit_bytes=0):
        from pykubectl.server import streams
        obj = self._pod_for("get", ns, pod, "log")
        container = streams.log_container(obj, container)
        since = None
        if since_seconds is not None:
            since = self.now() - since_seconds
        elif since_time:
            from pykubectl.store.clock import parse_time
            since = parse_time(since_time)
        return streams.follow_logs(self.cluster, ns, pod, container, follow=follow, tail=tail,
                                   since=since, timestamps=timestamps, previous=previous,
                                   limit_bytes=limit_bytes, poll=0.5)

    def exec(self, ns, pod, container, argv, stdin=None, tty=False):
        from pykubectl.server import streams
        obj = self._pod_for("create", ns, pod, "exec")
        try:
            container = streams.check_exec(obj, container)
        except streams.KubeletError as e:
            raise _upgrade_failed(e.text) from None
        out, err, code = streams.run_in(self.cluster, ns, pod, container, argv, stdin or b"")
        if tty:   # one terminal: stderr joins stdout, lines end the way a terminal ends them
            out, err = (out + err).replace(b"\n", b"\r\n"), b""
        return out, err, code

    def attach(self, ns, pod, container):
        from pykubectl.server import streams
        obj = self._pod_for("create", ns, pod, "attach")
        try:
            container = streams.check_exec(obj, container)
        except streams.KubeletError as e:
            raise _upgrade_failed(e.text) from None
        return streams.follow_logs(self.cluster, ns, pod, container, follow=True, tail=0, poll=0.5)

    def portforward(self, ns, pod, port):
        from pykubectl.server import streams
        self._pod_for("create", ns, pod, "portforward")
        return LocalTunnel(streams.HttpExchange(self.cluster, ns, pod, port))


class LocalTunnel:
    """A forwarded connection answered in-process: whatever a complete request gets back."""

    def __init__(self, exchange):
        self.exchange = exchange
        self._out = b""
        self.error = ""

    @property
    def closed(self) -> bool:
        return self.exchange.closed

    def send(self, data: bytes) -> None:
        if not self.exchange.listening():
            p = self.exchange.port
            self.error = (f"error forwarding port {p} to pod {self.exchange.name}: failed to connect "
                          f"to localhost:{p} inside namespace: connection refused")
            self.exchange.closed = True
            return
        self._out += self.exchange.feed(data)

    def pending(self) -> bytes:
        out, self._out = self._out, b""
        return out

    def close(self) -> None:
        self.exchange.closed = True


def _upgrade_failed(text: str):
    from pykubectl.cli.errors import CLIError
    return CLIError(f"unable to upgrade connection: {text}")
