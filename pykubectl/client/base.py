"""The one Client interface the CLI talks to. `LocalClient` runs the API machinery in-process;
an HTTP client (for `cluster serve` and real clusters) implements the same methods."""
from __future__ import annotations


class Client:
    namespace: str = "default"     # the context's namespace

    def resolve(self, arg: str): ...
    def for_gvk(self, api_version: str, kind: str): ...
    def get(self, kind, ns, name) -> dict: ...
    def list(self, kind, ns=None, label_selector=None, field_selector=None) -> dict: ...
    def create(self, kind, obj, ns=None, **opts): ...
    def update(self, kind, obj, ns=None, **opts): ...
    def patch(self, kind, ns, name, patch_type, body, **opts): ...
    def delete(self, kind, ns, name, **opts) -> dict: ...
    def watch(self, kind, ns=None, since=None, label_selector=None, field_selector=None,
              timeout=None): ...
    def now(self) -> float: ...
    def review(self, plural: str, spec: dict, ns: str = "") -> dict: ...

    def batch(self):
        """A context for the writes of one multi-object command (the in-process client runs the
        control plane once after them); a remote cluster needs nothing."""
        from contextlib import nullcontext
        return nullcontext()

    # -- the streaming subresources of pods (pods/log, exec, attach, portforward) ----------
    def logs(self, ns, pod, container, *, follow=False, tail=-1, since_seconds=None,
             since_time=None, timestamps=False, previous=False, limit_bytes=0):
        """Text chunks of a container's log (followed while it runs); the kubelet's BadRequest
        raises before the first chunk."""

    def exec(self, ns, pod, container, argv, stdin: bytes | None = None,
             tty=False) -> tuple[bytes, bytes, int]:
        """Run argv in the container: (stdout, stderr, exit code); StatusError when refused
        (no such container; not running: kubectl's `unable to upgrade connection: ...`)."""

    def attach(self, ns, pod, container):
        """Text chunks the container's process writes from now on, until it ends."""

    def portforward(self, ns, pod, port: int):
        """A Tunnel to the pod's port: `send(bytes)`, `pending() -> bytes` (what came back,
        without waiting), `closed`, `close()`."""
