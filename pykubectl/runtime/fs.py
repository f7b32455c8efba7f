"""Simulated filesystems: each node's disk (hostPath, NFS exports), each pod's emptyDirs and
each container instance's own root, stored in the cluster's database.

Every command is a new process, so nothing may live in memory: files are rows of a table of
their own, `runtime_files(scope, path, kind, data, mtime)`, created on first use. A scope is
`node/<node>`, `pod/<uid>/vol/<volume>` (emptyDir) or `pod/<uid>/ctr/<container>/<restartCount>`
(a container's writable layer: gone when the container restarts). Removing a file leaves a
tombstone (kind "x") so that "since when has this path been missing" is known: the kubelet
computes probe outcomes in closed form from these mtimes.

A write wakes the kubelet for the pods it can concern (a timer due now), since an exec probe's
answer may have changed.

ConfigMap, Secret, downwardAPI and projected volumes are not stored: their files are computed
from the objects at each read (`_projected_files`), so they follow the objects as kubelet's
sync makes them do; a projected ServiceAccount token is signed with the cluster's key and stays
the same until kubelet would renew it. Every image's root has the usual top directories
(IMAGE_DIRS), so `touch /tmp/x` works.
"""
from __future__ import annotations

import posixpath

_DDL = ("CREATE TABLE IF NOT EXISTS runtime_files(scope TEXT NOT NULL, path TEXT NOT NULL, "
        "kind TEXT NOT NULL, data TEXT NOT NULL DEFAULT '', mtime REAL NOT NULL, "
        "PRIMARY KEY(scope, path))")

def db_of(view):
    """The sqlite connection behind a View, a Txn or a Store."""
    for obj in (getattr(view, "txn", None), view):
        if obj is not None and hasattr(obj, "db"):
            # a no-op once the table exists (writes nothing, so safe in a read)
            obj.db.execute(_DDL)
            return obj.db
    raise TypeError("no database behind this view")


def norm(path: str, cwd: str = "/") -> str:
    return posixpath.normpath(posixpath.join(cwd, path)).replace("//", "/")


class FS:
    """One scope's files. `now` stamps writes (cluster time)."""

    def __init__(self, db, scope: str, now: float = 0.0, on_write=None):
        self.db, self.scope, self.now, self.on_write = db, scope, now, on_write

    def _row(self, path):
        return self.db.execute("SELECT kind, data, mtime FROM runtime_files WHERE scope=? AND path=?",
                               (self.scope, norm(path))).fetchone()

    def kind(self, path: str) -> str | None:
        """'f' (file), 'd' (directory) or None (missing)."""
        p = norm(path)
        if p == "/":
            return "d"
        r = self._row(p)
        if r and r[0] != "x":
            return r[0]
        # a file's parents exist implicitly
        child = self.db.execute("SELECT 1 FROM runtime_files WHERE scope=? AND path LIKE ? AND kind!='x' LIMIT 1",
                                (self.scope, p.rstrip("/") + "/%")).fetchone()
        return "d" if child else None

    def exists(self, path: str) -> bool:
        return self.kind(path) is not None

    def since(self, path: str) -> float | None:
        """When the path last appeared or disappeared (None: never touched)."""
        r = self._row(path)
        return r[2] if r else None

    def read(self, path: str) -> str | None:
        r = self._row(path)
        return r[1] if r and r[0] == "f" else None

    def _put(self, path, kind, data=""):
        self.db.execute("INSERT OR REPLACE INTO runtime_files VALUES(?,?,?,?,?)",
                        (self.scope, norm(path), kind, data, self.now))
        if self.on_write:
            self.on_write(self.scope)

    def write(self, path: str, data: str, append: bool = False) -> None:
        old = self.read(path) if append else None
        self._put(path, "f", (old or "") + data)

    def touch(self, path: str) -> None:
        r = self._row(path)
        if r and r[0] != "x":
            self._put(path, r[0], r[1])
        else:
            self._put(path, "f", "")

    def mkdir(self, path: str) -> None:
        p = norm(path)
        while p != "/" and self.kind(p) is None:
            self._put(p, "d")
            p = posixpath.dirname(p)

    def remove(self, path: str) -> None:
        p = norm(path)
        self.db.execute("UPDATE runtime_files SET kind='x', data='', mtime=? WHERE scope=? AND (path=? OR path LIKE ?)",
                        (self.now, self.scope, p, p.rstrip("/") + "/%"))
        if self.on_write:
            self.on_write(self.scope)

    def listdir(self, path: str) -> list[str]:
        p = norm(path).rstrip("/") + "/"
        rows = self.db.execute("SELECT path FROM runtime_files WHERE scope=? AND path LIKE ? AND kind!='x'",
                               (self.scope, p + "%")).fetchall()
        return sorted({r[0][len(p):].split("/", 1)[0] for r in rows if r[0] != p.rstrip("/")})

    def drop(self) -> None:
        """Forget the whole scope (a pod's volumes when it goes)."""
        self.db.execute("DELETE FROM runtime_files WHERE scope=? OR scope LIKE ?", (self.scope, self.scope + "/%"))


def _waker(view, now):
    """Wake the kubelet for the pods a write may concern: a node's pods, or one pod."""
    db = db_of(view)

    def wake(scope: str):
        from pykubectl.controllers.manager import make_key
        parts = scope.split("/")
        pods = []
        if parts[0] == "node" and hasattr(view, "list"):
            pods = view.list("pods", index=("nodeName", parts[1]))
        elif parts[0] == "pod":
            pods = [p for p in _pods_by_uid(view, parts[1])]
        for p in pods:
            m = p["metadata"]
            db.execute("INSERT OR REPLACE INTO timers VALUES(?,?,?)",
                       ("kubelet", make_key("", "pods", m.get("namespace", ""), m["name"]), now))
    return wake


def _pods_by_uid(view, uid):
    if not hasattr(view, "list"):
        return []
    return [p for p in view.list("pods") if p["metadata"].get("uid") == uid]


def node_fs(view, node: str, now: float = 0.0) -> FS:
    """A node's disk."""
    return FS(db_of(view), f"node/{node}", now, _waker(view, now))


def volume_fs(view, pod: dict, volume: str, now: float = 0.0) -> FS:
    return FS(db_of(view), f"pod/{pod['metadata'].get('uid')}/vol/{volume}", now, _waker(view, now))


def container_fs(view, pod: dict, container: str, now: float = 0.0) -> FS:
    restarts = 0
    for cs in ((pod.get("status") or {}).get("containerStatuses") or []) + \
            ((pod.get("status") or {}).get("initContainerStatuses") or []):
        if cs.get("name") == container:
            restarts = int(cs.get("restartCount") or 0)
    return FS(db_of(view), f"pod/{pod['metadata'].get('uid')}/ctr/{container}/{restarts}", now, _waker(view, now))


# the directories every image's root filesystem has (so `touch /tmp/x` works in any container)
IMAGE_DIRS = frozenset({"/bin", "/dev", "/etc", "/home", "/proc", "/root", "/run", "/sys", "/tmp", "/usr", "/var"})


class PodFS:
    """A container's view of files: its volume mounts (longest mountPath first) over its own
    writable layer. Methods take container paths; `resolve` says which FS and path answer."""

    def __init__(self, view, pod: dict, container: str, now: float = 0.0):
        self.view, self.pod, self.container, self.now = view, pod, container, now
        spec = pod.get("spec") or {}
        c = next((x for k in ("containers", "initContainers", "ephemeralContainers") for x in spec.get(k) or []
                  if x.get("name") == container), {})
        vols = {v.get("name"): v for v in spec.get("volumes") or []}
        self.mounts = []
        for m in c.get("volumeMounts") or []:
            v = vols.get(m.get("name"))
            if v is None:
                continue
            self.mounts.append((norm(m["mountPath"]), v, m.get("subPath") or "", bool(m.get("readOnly"))))
        self.mounts.sort(key=lambda x: -len(x[0]))
        self.root = container_fs(view, pod, container, now)

    def resolve(self, path: str):
        p = norm(path)
        for mp, vol, sub, ro in self.mounts:
            if p == mp or p.startswith(mp.rstrip("/") + "/"):
                rest = p[len(mp):].lstrip("/")
                if "hostPath" in vol:
                    node = (self.pod.get("spec") or {}).get("nodeName") or ""
                    base = norm(posixpath.join(vol["hostPath"].get("path", "/"), sub))
                    return node_fs(self.view, node, self.now), norm(posixpath.join(base, rest))
                if "persistentVolumeClaim" in vol or "nfs" in vol:
                    # the bound volume's place on a node: the NFS export on k8s-master, a hostPath PV
                    from pykubectl.storage.mounts import volume_location
                    where = volume_location(self.view, self.pod, vol)
                    if where is not None:
                        base = norm(posixpath.join(where[1], sub))
                        return node_fs(self.view, where[0], self.now), norm(posixpath.join(base, rest))
                if "emptyDir" in vol:
                    return volume_fs(self.view, self.pod, vol["name"], self.now), norm("/" + posixpath.join(sub, rest))
                src = _projected_files(self.view, self.pod, vol, self.now)
                if src is not None:
                    return _DictFS(src), norm("/" + rest)
        return self.root, p

    def kind(self, path):
        fs, p = self.resolve(path)
        k = fs.kind(p)
        if k is None and fs is self.root and p in IMAGE_DIRS and not self._removed(p):
            return "d"
        return k

    def _removed(self, p):
        r = self.root._row(p)
        return bool(r) and r[0] == "x"

    def exists(self, path):
        return self.kind(path) is not None

    def read(self, path):
        fs, p = self.resolve(path)
        return fs.read(p)

    def since(self, path):
        fs, p = self.resolve(path)
        return fs.since(p)

    def write(self, path, data, append=False):
        fs, p = self.resolve(path)
        fs.write(p, data, append)

    def touch(self, path):
        fs, p = self.resolve(path)
        fs.touch(p)

    def mkdir(self, path):
        fs, p = self.resolve(path)
        fs.mkdir(p)

    def remove(self, path):
        fs, p = self.resolve(path)
        fs.remove(p)
        if fs is self.root and p in IMAGE_DIRS:
            fs._put(p, "x")     # the image's directory has no row: leave a tombstone

    def listdir(self, path):
        fs, p = self.resolve(path)
        names = set(fs.listdir(p))
        if fs is self.root and p == "/":
            names |= {d[1:] for d in IMAGE_DIRS if not self._removed(d)}
        base = norm(path).rstrip("/") + "/"
        for mp, *_ in self.mounts:      # mount points show in their parent directory
            if mp.startswith(base) and mp != base.rstrip("/"):
                names.add(mp[len(base):].split("/", 1)[0])
        return sorted(names)


class _DictFS:
    """Read-only files from a ConfigMap or Secret volume (they follow their objects)."""

    def __init__(self, files: dict):
        self.files = files

    def kind(self, p):
        if p == "/" or any(k.startswith(p.rstrip("/") + "/") for k in self.files):
            return "d"
        return "f" if p in self.files else None

    def read(self, p):
        return self.files.get(p)

    def since(self, p):
        return None

    def listdir(self, p):
        base = p.rstrip("/") + "/"
        return sorted({k[len(base):].split("/", 1)[0] for k in self.files if k.startswith(base)})

    def _ro(self, *a, **k):
        raise PermissionError("Read-only file system")

    write = touch = mkdir = remove = _ro


def _projected_files(view, pod, vol, now: float = 0.0) -> dict | None:
    """The files of a configMap, secret, downwardAPI or projected volume, read from the objects
    as they are now (so they follow them, as kubelet's sync does); None for other volumes."""
    if "projected" in vol:
        files: dict = {}
        for src in (vol["projected"] or {}).get("sources") or ():
            if "serviceAccountToken" in src:
                tok = src["serviceAccountToken"]
                token = _bound_token(view, pod, tok, now)
                if token is not None:
                    files["/" + tok.get("path", "token")] = token
                continue
            files.update(_projected_files(view, pod, src, now) or {})
        return files
    if "downwardAPI" in vol:
        out = {}
        for it in (vol["downwardAPI"] or {}).get("items") or ():
            if "fieldRef" in it:
                v = field_value(pod, it["fieldRef"].get("fieldPath", ""), whole_maps=True)
            else:
                v = resource_value(view, pod, it.get("resourceFieldRef") or {})
            out["/" + it["path"]] = "" if v is None else str(v)
        return out
    if "configMap" in vol or "secret" in vol:
        return _object_files(view, pod, vol)
    return None


def _object_files(view, pod, vol) -> dict:
    import base64
    ns = pod["metadata"].get("namespace") or "default"
    src = vol.get("configMap") or vol.get("secret")
    # a volume names its Secret `secretName`, a projected source `name`
    kind, name = ("configmaps", src.get("name")) if "configMap" in vol else ("secrets", src.get("secretName") or src.get("name"))
    try:
        obj = view.get(kind, ns, name) if hasattr(view, "get") else None
    except Exception:
        obj = None
    data = dict((obj or {}).get("data") or {})
    if kind == "secrets":
        data = {k: base64.b64decode(v).decode("utf-8", "replace") for k, v in data.items()}
    items = src.get("items")
    if items:
        return {"/" + it["path"]: data.get(it["key"], "") for it in items}
    return {"/" + k: v for k, v in data.items()}


def _go_map(m: dict) -> str:
    """fieldpath.FormatMap: sorted `key="value"` lines, no trailing newline."""
    import json
    return "\n".join(f"{k}={json.dumps(m[k], ensure_ascii=False)}" for k in sorted(m))


def field_value(pod: dict, path: str, whole_maps: bool = False):
    """A downward API fieldRef's value (None when the field is unset). Whole label and
    annotation maps only in volumes (`whole_maps`), as the API allows."""
    m, st, sp = pod.get("metadata") or {}, pod.get("status") or {}, pod.get("spec") or {}
    simple = {"metadata.name": m.get("name"), "metadata.namespace": m.get("namespace"),
              "metadata.uid": m.get("uid"), "spec.nodeName": sp.get("nodeName"),
              "spec.serviceAccountName": sp.get("serviceAccountName"), "status.hostIP": st.get("hostIP"),
              "status.podIP": st.get("podIP"),
              "status.hostIPs": ",".join(x.get("ip", "") for x in st.get("hostIPs") or ()) or None,
              "status.podIPs": ",".join(x.get("ip", "") for x in st.get("podIPs") or ()) or None}
    if path in simple:
        return simple[path]
    for prefix, d in (("metadata.labels", m.get("labels") or {}), ("metadata.annotations", m.get("annotations") or {})):
        if path == prefix and whole_maps:
            return _go_map(d)
        if path.startswith(prefix + "['"):
            return d.get(path[len(prefix) + 2:-2])
    return None


def resource_value(view, pod: dict, ref: dict) -> str:
    """A resourceFieldRef's value: the container's request or limit divided by the divisor and
    rounded up; an unset limit is the node's allocatable (kubelet's rule)."""
    import math
    from pykubectl.api.quantity import milli
    spec = pod.get("spec") or {}
    c = next((x for x in spec.get("containers") or () if x.get("name") == ref.get("containerName")),
             (spec.get("containers") or [{}])[0])
    kind, _, res = (ref.get("resource") or "").partition(".")
    q = ((c.get("resources") or {}).get(kind) or {}).get(res)
    if q is None and kind == "limits":
        node = view.get("nodes", "", spec.get("nodeName") or "") if hasattr(view, "get") else None
        q = (((node or {}).get("status") or {}).get("allocatable") or {}).get(res)
    if q is None:
        return "0"
    divisor = str(ref.get("divisor") or "1")
    if divisor in ("0", ""):
        divisor = "1"
    return str(math.ceil(milli(str(q)) / milli(divisor)))


def _bound_token(view, pod, src: dict, now: float) -> str | None:
    """The pod's bound ServiceAccount token, as kubelet's TokenRequest gets it: signed with the
    cluster's key on the real clock, renewed at 80% of its lifetime (so the same token is read
    until then). The default volume's 3607 s asks kube-apiserver for its one-year extension."""
    import uuid
    from datetime import datetime, timezone
    cluster = getattr(getattr(view, "server", None), "cluster", None)
    if cluster is None:
        return None
    try:
        with open(cluster.pki_path("sa.key")) as f:
            key = f.read()
    except OSError:
        return None
    from pykubectl import pki
    seconds = int(src.get("expirationSeconds") or 3600)
    renew = max(int(seconds * 0.8), 1)
    real = (now or cluster.clock.now()) - cluster.clock.skew()
    iat = datetime.fromtimestamp(int(real // renew) * renew, timezone.utc)
    extend = seconds == 3607
    m, sp = pod["metadata"], pod.get("spec") or {}
    sa = sp.get("serviceAccountName") or "default"
    ns = m.get("namespace") or "default"
    sa_obj = view.get("serviceaccounts", ns, sa) if hasattr(view, "get") else None
    node = sp.get("nodeName") or ""
    node_obj = view.get("nodes", "", node) if node and hasattr(view, "get") else None
    claims = pki.service_account_claims(
        ns, sa, ((sa_obj or {}).get("metadata") or {}).get("uid", ""), now=iat,
        expiry=365 * 24 * 3600 if extend else seconds,
        audiences=(src["audience"],) if src.get("audience") else (pki.DEFAULT_ISSUER,),
        pod=(m.get("name", ""), m.get("uid", "")),
        node=(node, ((node_obj or {}).get("metadata") or {}).get("uid", "")) if node else None,
        jti=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{m.get('uid')}/{iat.timestamp()}")),
        warnafter=datetime.fromtimestamp(iat.timestamp() + seconds, timezone.utc) if extend else None)
    return pki.sign_token(key, claims)
