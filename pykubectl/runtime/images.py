"""The image catalogue: what each simulated image does, as data.

Containers never run. An image reference decides: whether it pulls (malformed -> InvalidImageName,
a tag the catalogue marks missing -> ErrImagePull), which shell answers `exec` (GNU coreutils
wording or busybox's), which ports it serves and how (`http_handler`), whether PID 1 ignores
SIGTERM. Per-container mutable state (kubetm/app's /status500 flag) is a file in the container's
writable layer (`runtime.fs.container_fs`), so it persists across commands and vanishes when the
container restarts, as the real one does.
"""
from __future__ import annotations

import re

# tags no registry has: pulling them fails
MISSING_TAGS = ("doesnotexist", "notexist", "nonexistent", "missing")
STATUS500_FLAG = "/.kubetm/status500"

# repository -> behaviour; anything else is a plain long-running process with a GNU shell
CATALOGUE = {
    "kubetm/app": {"http": 8080, "pages": "app", "ignores_sigterm": True, "shell": "gnu"},
    "kubetm/init": {"shell": "gnu", "tools": ("curl", "nslookup")},
    "kubetm/shopping": {"http": 8080, "pages": "shopping", "shell": "gnu"},
    "kubetm/customer": {"http": 8080, "pages": "customer", "shell": "gnu"},
    "kubetm/order": {"http": 8080, "pages": "order", "shell": "gnu"},
    "nginx": {"http": 80, "pages": "nginx", "shell": "gnu"},
    "busybox": {"shell": "busybox", "tools": ("nslookup", "wget")},
    "alpine": {"shell": "busybox"},
    "ubuntu": {"shell": "gnu"},
}

# docker's reference grammar, enough to refuse what containerd refuses
_REF = re.compile(r"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
                  r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")


def parse(image: str) -> tuple[str, str]:
    """(repository without docker.io/library, tag) — tag "latest" when none."""
    ref = image.split("@", 1)[0]
    tag = "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        tag = last.split(":", 1)[1]
        ref = ref[: len(ref) - len(last)] + last.split(":", 1)[0]
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    return ref, tag


def behaviour(image: str) -> dict:
    return CATALOGUE.get(parse(image)[0], {"shell": "gnu"})


def pull_error(image: str) -> tuple[str, str] | None:
    """(reason, message) when the image cannot be pulled, else None."""
    if not image or not _REF.match(image) or image != image.strip():
        return "InvalidImageName", f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": invalid reference format'
    repo, tag = parse(image)
    if tag in MISSING_TAGS:
        full = full_name(image)
        return "ErrImagePull", (f'failed to pull and unpack image "{full}": failed to resolve reference "{full}": '
                                f'{full}: not found')
    return None


def full_name(image: str) -> str:
    """docker.io/library/nginx:latest style, as containerd reports it."""
    ref = image.split("@", 1)[0]
    first = ref.split("/", 1)[0]
    if "/" not in ref:
        ref = "docker.io/library/" + ref
    elif not ("." in first or ":" in first or first == "localhost"):
        ref = "docker.io/" + ref
    if ":" not in ref.rsplit("/", 1)[-1]:
        ref += ":latest"
    return ref


# unpacked sizes the simulated containerd reports (kubelet's "Image size: N bytes", a node's
# status.images): the order of magnitude of the real images, not their exact bytes
SIZES = {"nginx": 72_188_133, "busybox": 2_166_802, "alpine": 3_648_727, "ubuntu": 29_754_422,
         "kubetm/app": 86_352_411, "kubetm/init": 86_352_411, "kubetm/shopping": 86_352_411,
         "kubetm/customer": 86_352_411, "kubetm/order": 86_352_411}
DEFAULT_SIZE = 50_000_000


def size(image: str) -> int:
    """The simulated size of an image in bytes (by repository; tags share a size)."""
    repo = full_name(image).rsplit(":", 1)[0]
    for short in (repo.removeprefix("docker.io/library/"), repo.removeprefix("docker.io/")):
        if short in SIZES:
            return SIZES[short]
    return DEFAULT_SIZE


def ignores_sigterm(image: str) -> bool:
    return bool(behaviour(image).get("ignores_sigterm"))


def serves(image: str, port: int) -> bool:
    return behaviour(image).get("http") == int(port)


def app_version(image: str) -> str:
    tag = parse(image)[1]
    return "v1" if tag == "latest" else tag


def status500_since(view, pod: dict, container: str) -> float | None:
    """When /status500 was asked of this container instance (None: never)."""
    from pykubectl.runtime import fs
    root = fs.container_fs(view, pod, container)
    return root.since(STATUS500_FLAG) if root.kind(STATUS500_FLAG) else None


def http_handler(pod: dict, container: str | None, port, view=None, now: float | None = None):
    """The function answering HTTP on a pod's port, or None when nothing listens there.
    It takes (method, path, headers, body) and returns (status, headers, body). `view` (a
    controllers View, or anything with `.txn`) is where state is kept; without it the one bound
    by `bind()` is used (a command binds its cluster once)."""
    spec = pod.get("spec") or {}
    for c in spec.get("containers") or []:
        if container and c.get("name") != container:
            continue
        b = behaviour(c.get("image", ""))
        try:
            if b.get("http") != int(port):
                continue
        except (TypeError, ValueError):
            continue
        return _Handler(pod, c, b, view, now)
    return None


_bound: dict = {}


def bind(view, now: float) -> None:
    """Bind where handlers keep state and the moment requests happen, for this command."""
    _bound.update(view=view, now=now)


class _Handler:
    def __init__(self, pod, c, b, view, now):
        self.pod, self.c, self.b = pod, c, b
        self.view = view if view is not None else _bound.get("view")
        self.now = now if now is not None else _bound.get("now", 0.0)

    def __call__(self, method: str, path: str, headers: dict | None = None, body: str = ""):
        page = self.b.get("pages")
        path = path.split("?", 1)[0] or "/"
        text = {"content-type": "text/plain; charset=utf-8"}
        if page == "nginx":
            if path in ("/", "/index.html"):
                return 200, {"content-type": "text/html"}, _NGINX
            return 404, {"content-type": "text/html"}, _NGINX_404
        if page in ("shopping", "customer", "order"):
            return 200, text, f"{page.capitalize()} Page."
        name = self.pod["metadata"]["name"]
        if path == "/hostname":
            self._log(method, path)
            return 200, text, f"Hostname : {name}\n"
        if path == "/version":
            self._log(method, path)
            return 200, text, f"Version : {app_version(self.c.get('image', ''))}\n"
        if path == "/health":
            bad = self.view is not None and status500_since(self.view, self.pod, self.c["name"]) is not None
            return (500, text, "Status : 500\n") if bad else (200, text, "Status : 200\n")
        if path == "/status500":
            if self.view is not None:
                from pykubectl.runtime import fs
                root = fs.container_fs(self.view, self.pod, self.c["name"], self.now)
                if not root.kind(STATUS500_FLAG):
                    root.touch(STATUS500_FLAG)
            self._log(method, path)
            return 200, text, "Status 500 Changed!\n"
        self._log(method, path)
        return 200, text, "Welcome to Kubernetes!\n"

    def _log(self, method, path):
        if self.view is None:
            return
        from pykubectl.runtime import logs
        logs.append(self.view, self.pod, self.c["name"], self.now, f"{method} {path}")


_NGINX = ("<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n"
          "<h1>Welcome to nginx!</h1>\n</body>\n</html>\n")
_NGINX_404 = ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
              "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
