"""Local clusters: where they live, how they are made from the blueprints, and how a command
finds the one its kubeconfig context names.

Each cluster is a 0700 folder under the data home (`PYKUBECTL_HOME`, else platformdirs' user
data dir) holding its SQLite store and PKI, files 0600. The kubeconfig entry of a local cluster
carries an `extensions` marker naming the folder; real kubectl ignores it.
"""
from __future__ import annotations

import os

from pykubectl.api.errors import UserError

LAB = "kubernetes"
LAB_USER = "kubernetes-admin"
LAB_CONTEXT = "kubernetes-admin@kubernetes"
BASE_PORT = 6443


class ClusterError(UserError):
    """Shown as `error: <message>`."""


def data_home(env=os.environ) -> str:
    h = env.get("PYKUBECTL_HOME")
    if h:
        return h
    import platformdirs
    return platformdirs.user_data_dir("pykubectl")


def clusters_root(env=os.environ) -> str:
    return os.path.join(data_home(env), "clusters")


def _mkdir_private(path: str) -> None:
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


class Cluster:
    """One local cluster: its folder, store, clock, apiserver core and reconcile engine."""

    def __init__(self, name: str, env=os.environ):
        self.name = name
        self.dir = os.path.join(clusters_root(env), name)
        self.db_path = os.path.join(self.dir, "state.db")
        self._store = None
        self._clock = None
        self._server = None
        self._engine = None

    def exists(self) -> bool:
        return os.path.exists(self.db_path)

    @property
    def store(self):
        if self._store is None:
            from pykubectl.store.sqlite import Store
            self._store = Store(self.db_path)
        return self._store

    @property
    def clock(self):
        if self._clock is None:
            from pykubectl.store.clock import Clock
            self._clock = Clock.from_meta(self.store.meta)
        return self._clock

    def reload_clock(self):
        self._clock = None

    def save_clock(self) -> None:
        with self.store.write() as t:
            for k, v in self.clock.to_meta().items():
                t.set_meta(k, v)

    @property
    def seed(self):
        s = self.store.meta("seed")
        return int(s) if s not in (None, "") else None

    @property
    def apiserver(self):
        if self._server is None:
            from pykubectl.apiserver.core import APIServer
            self._server = APIServer(self)
        return self._server

    @property
    def engine(self):
        if self._engine is None:
            from pykubectl.controllers.manager import Engine
            self._engine = Engine(self)
        return self._engine

    def pki_path(self, name: str) -> str:
        return os.path.join(self.dir, "pki", name)

    def ca_pem(self) -> str | None:
        try:
            with open(self.pki_path("ca.crt")) as f:
                return f.read()
        except OSError:
            return None

    def reconcile(self) -> int:
        """Run controllers if anything is pending (cheap check first)."""
        if not self.store.pending_work(self.clock.now()):
            return 0
        return self.engine.run()

    def advance(self, seconds: float) -> None:
        """Move the clock on, running every controller at each moment that falls due on the way."""
        target = self.clock.now() + seconds
        self.reconcile()
        while True:
            nxt = self.store.next_timer()
            if nxt is None or nxt > target:
                break
            self.clock.set(nxt)
            self.save_clock()
            self.engine.run(now=max(nxt, self.clock.now()))
        self.clock.set(target)
        self.save_clock()
        self.reconcile()

    def close(self):
        if self._store is not None:
            self._store.close()


# -- creating and removing ------------------------------------------------------------

def blueprint_documents(set_name: str = "lab") -> list[dict]:
    """Every document of the blueprint set, files in name order."""
    import importlib.resources as res
    from pykubectl.yamlio import load_documents
    root = res.files("pykubectl.state") / set_name
    docs = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            for obj, _ in load_documents(entry.read_text(encoding="utf-8"), entry.name):
                if obj.get("kind") == "List":
                    docs.extend(obj.get("items") or [])
                else:
                    docs.append(obj)
    return docs


def _age_seconds(s: str) -> float:
    from pykubectl.store.clock import parse_duration
    return parse_duration(s)


def load_blueprints(cluster: Cluster, docs: list[dict], now: float) -> None:
    """Write the blueprint objects as they would stand after installation (status included)."""
    import copy
    import uuid
    from pykubectl.api.defaults import apply_defaults
    from pykubectl.apiserver import admission
    from pykubectl.apiserver.core import GENERATION
    from pykubectl.store.clock import rfc3339
    srv = cluster.apiserver
    uids: dict[tuple[str, str, str], str] = {}
    prepared = []
    from pykubectl.store.clock import VIRTUAL_EPOCH
    shift = now - VIRTUAL_EPOCH
    ca = cluster.ca_pem()
    seed = cluster.seed
    rng = None
    if seed is not None:
        import random
        rng = random.Random(f"{seed}:blueprints")
    for doc in docs:
        obj = _retime(copy.deepcopy(doc), shift, ca)
        kind = srv.for_gvk(obj["apiVersion"], obj["kind"])
        if kind.group == "apiextensions.k8s.io":
            srv._invalidate_registry()
        meta = obj.setdefault("metadata", {})
        ann = meta.get("annotations") or {}
        age = ann.pop("pykubectl.io/age", None)
        if not ann:
            meta.pop("annotations", None)
        meta["uid"] = str(uuid.UUID(int=rng.getrandbits(128), version=4) if rng else uuid.uuid4())
        meta["creationTimestamp"] = rfc3339(now - (_age_seconds(age) if age else 0))
        if kind.namespaced:
            meta.setdefault("namespace", "default")
        if (kind.group, kind.plural) in GENERATION or kind.crd:
            meta.setdefault("generation", 1)
        uids[(obj["kind"], meta.get("namespace", ""), meta["name"])] = meta["uid"]
        prepared.append((kind, obj))
        if kind.plural == "customresourcedefinitions":
            # later documents may be custom resources of this definition
            with cluster.store.write() as t:
                apply_defaults(obj)
                admission._crd(srv, t, obj)
                t.put(kind.group, kind.plural, obj, "ADDED")
            srv._invalidate_registry()
    with cluster.store.write() as t:
        for kind, obj in prepared:
            if kind.plural == "customresourcedefinitions":
                continue
            meta = obj["metadata"]
            for ref in meta.get("ownerReferences") or ():
                if not ref.get("uid"):
                    ref["uid"] = uids.get((ref.get("kind"), meta.get("namespace", ""), ref.get("name"))) \
                        or uids.get((ref.get("kind"), "", ref.get("name"))) or ""
            apply_defaults(obj)
            if kind.plural == "namespaces":
                admission._namespace(srv, t, obj)
            t.put(kind.group, kind.plural, obj, "ADDED")


_TS = None


def _retime(o, shift: float, ca_pem: str | None):
    """Blueprint times are written as if the cluster were created at VIRTUAL_EPOCH: move them to
    the cluster's creation time; fill the cluster CA where a blueprint leaves its placeholder."""
    global _TS
    if _TS is None:
        import re
        _TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
    if isinstance(o, dict):
        return {k: _retime(v, shift, ca_pem) for k, v in o.items()}
    if isinstance(o, list):
        return [_retime(v, shift, ca_pem) for v in o]
    if isinstance(o, str):
        if "PYKUBECTL_CA_DATA" in o and ca_pem:
            import base64
            return o.replace("PYKUBECTL_CA_DATA", base64.b64encode(ca_pem.encode()).decode())
        if shift and _TS.match(o):
            from pykubectl.store.clock import parse_time, rfc3339, rfc3339_micro
            t = parse_time(o) + shift
            return rfc3339_micro(t) if "." in o else rfc3339(t)
    return o


def _port_for(name: str, env=os.environ) -> int:
    if name == LAB:
        return BASE_PORT
    used = set()
    root = clusters_root(env)
    if os.path.isdir(root):
        for other in os.listdir(root):
            c = Cluster(other, env)
            if c.exists():
                p = c.store.meta("port")
                if p:
                    used.add(int(p))
                c.close()
    p = BASE_PORT + 1
    while p in used:
        p += 1
    return p


def create_cluster(name: str, *, kubeconfig_path: str, context: str | None = None,
                   clock: str = "real", seed: int | None = None, set_current: bool = True,
                   env=os.environ) -> Cluster:
    """Create a local cluster from the lab blueprints, with its PKI and kubeconfig entries."""
    import time
    from pykubectl import kubeconfig, pki
    from pykubectl.store.clock import VIRTUAL_EPOCH, Clock
    cluster = Cluster(name, env)
    if cluster.exists():
        raise ClusterError(f'cluster "{name}" already exists')
    if not all(c.isalnum() or c in "-." for c in name) or not name:
        raise ClusterError(f'invalid cluster name "{name}": use letters, digits, "-" and "."')
    home = data_home(env)
    if not os.path.isdir(home):
        os.makedirs(home, mode=0o700)   # our own data home is private; an existing folder is left as it is
    _mkdir_private(clusters_root(env))
    _mkdir_private(cluster.dir)
    _mkdir_private(os.path.join(cluster.dir, "pki"))
    port = _port_for(name, env)
    wall = time.time()
    if seed is not None and clock == "real":
        clock = "virtual"  # a seeded cluster is reproducible: its time moves only when told
    ck = Clock(clock, 0.0, VIRTUAL_EPOCH if clock == "virtual" else None)
    now = ck.now()
    from datetime import datetime, timezone
    material = pki.new_cluster_pki(datetime.fromtimestamp(wall, timezone.utc))
    for fname, pem in material.items():
        path = cluster.pki_path(fname)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(pem)
    store = cluster.store
    with store.write() as t:
        for k, v in ck.to_meta().items():
            t.set_meta(k, v)
        t.set_meta("port", port)
        t.set_meta("name", name)
        if seed is not None:
            t.set_meta("seed", seed)
    cluster._clock = ck
    load_blueprints(cluster, blueprint_documents("lab"), now)
    cluster.engine.run(now=now)
    user = LAB_USER if name == LAB else f"{name}-admin"
    ctx = context or (LAB_CONTEXT if name == LAB else f"{user}@{name}")
    kubeconfig.upsert(
        kubeconfig_path,
        cluster=(name, {"certificate-authority-data": pki.b64(material["ca.crt"]),
                        "server": f"https://127.0.0.1:{port}",
                        "extensions": [{"name": "pykubectl", "extension": {"cluster": name}}]}),
        user=(user, {"client-certificate-data": pki.b64(material["admin.crt"]),
                     "client-key-data": pki.b64(material["admin.key"])}),
        context=(ctx, {"cluster": name, "user": user}),
        current_context=ctx if set_current else None,
    )
    return cluster


def delete_cluster(name: str, *, kubeconfig_path: str, env=os.environ) -> None:
    from pykubectl import kubeconfig
    cluster = Cluster(name, env)
    if not os.path.isdir(cluster.dir):
        raise ClusterError(f'cluster "{name}" not found')
    import shutil
    shutil.rmtree(cluster.dir)
    try:
        kc = kubeconfig.Kubeconfig.load([kubeconfig_path])
        ctxs = [c for c, v in kc.contexts().items() if (v or {}).get("cluster") == name]
        users = list({(kc.contexts()[c] or {}).get("user") for c in ctxs} - {None})
    except Exception:
        ctxs, users = [], []
    kubeconfig.remove(kubeconfig_path, clusters=[name], users=users, contexts=ctxs)


def list_clusters(env=os.environ) -> list[str]:
    root = clusters_root(env)
    if not os.path.isdir(root):
        return []
    return sorted(n for n in os.listdir(root) if os.path.exists(os.path.join(root, n, "state.db")))


def reset_cluster(name: str, *, kubeconfig_path: str, env=os.environ) -> Cluster:
    """Recreate a cluster from its blueprints, keeping its clock mode and seed."""
    old = Cluster(name, env)
    clock, seed = "real", None
    if old.exists():
        clock = old.store.meta("clock", "real")
        seed = old.seed
        old.close()
        import shutil
        shutil.rmtree(old.dir)
    from pykubectl import kubeconfig
    ctx = None
    try:
        kc = kubeconfig.Kubeconfig.load([kubeconfig_path])
        ctx = next((c for c, v in kc.contexts().items() if (v or {}).get("cluster") == name), None)
        current = kc.current_context
    except Exception:
        current = None
    return create_cluster(name, kubeconfig_path=kubeconfig_path, context=ctx, clock=clock, seed=seed,
                          set_current=(current in (None, "", ctx)), env=env)
