"""What the workload controllers share: controller references, pod readiness and availability,
pods made from a template, template hashes, and the keys that map a pod to its owner."""
from __future__ import annotations

import copy
import json

from pykubectl.controllers.manager import make_key
from pykubectl.store.clock import parse_time

# k8s.io/apimachinery/pkg/util/rand: SafeEncodeString's alphabet (no vowels, no confusables)
_SAFE = "bcdfghjklmnpqrstvwxz2456789"

# (group, plural) of each owner kind a pod's or a ReplicaSet's controller reference may name
OWNER_RESOURCES = {
    ("apps", "ReplicaSet"): ("apps", "replicasets"),
    ("", "ReplicationController"): ("", "replicationcontrollers"),
    ("apps", "StatefulSet"): ("apps", "statefulsets"),
    ("apps", "DaemonSet"): ("apps", "daemonsets"),
    ("batch", "Job"): ("batch", "jobs"),
    ("apps", "Deployment"): ("apps", "deployments"),
    ("batch", "CronJob"): ("batch", "cronjobs"),
}


def controller_ref(obj: dict) -> dict | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def owner_key(obj: dict, kinds: tuple[tuple[str, str], ...]) -> list[str]:
    """The key of obj's controller when it is one of `kinds` ((group, Kind) pairs)."""
    ref = controller_ref(obj)
    if ref is None:
        return []
    group = ref.get("apiVersion", "").rpartition("/")[0] if "/" in ref.get("apiVersion", "") else ""
    if (group, ref.get("kind")) not in kinds:
        return []
    g, res = OWNER_RESOURCES[(group, ref["kind"])]
    return [make_key(g, res, (obj.get("metadata") or {}).get("namespace") or "", ref.get("name"))]


def new_controller_ref(owner: dict) -> dict:
    m = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": m["name"], "uid": m.get("uid"),
            "controller": True, "blockOwnerDeletion": True}


def is_controlled_by(obj: dict, owner: dict) -> bool:
    ref = controller_ref(obj)
    return ref is not None and ref.get("uid") == owner["metadata"].get("uid")


def owned(view, resource: str, owner: dict) -> list[dict]:
    """Objects of `resource` in the owner's namespace whose controller is `owner`."""
    m = owner["metadata"]
    return [o for o in view.list(resource, m.get("namespace") or "", index=("owner", m.get("uid")))
            if is_controlled_by(o, owner)]


# -- pods -------------------------------------------------------------------------------

def condition(obj: dict, type_: str) -> dict | None:
    for c in (obj.get("status") or {}).get("conditions") or ():
        if c.get("type") == type_:
            return c
    return None


def is_terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def is_active(pod: dict) -> bool:
    """controller.IsPodActive: not finished and not being deleted."""
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") and not is_terminating(pod)


def is_ready(pod: dict) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def ready_since(pod: dict) -> float | None:
    c = condition(pod, "Ready")
    if c is None or c.get("status") != "True":
        return None
    return parse_time(c.get("lastTransitionTime")) or 0.0


def is_available(pod: dict, min_ready: int, now: float) -> bool:
    since = ready_since(pod)
    return since is not None and (min_ready <= 0 or since + min_ready <= now)


def available_at(pods, min_ready: int, now: float) -> float | None:
    """When the next ready-but-not-yet-available pod becomes available (minReadySeconds)."""
    times = [s + min_ready for p in pods if (s := ready_since(p)) is not None and s + min_ready > now]
    return min(times) if min_ready > 0 and times else None


def is_running_and_ready(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and is_ready(pod)


def pod_from_template(template: dict, owner: dict, name: str, *, labels: dict | None = None) -> dict:
    """A pod as controller.GetPodFromTemplate makes it: the template's labels, annotations and
    finalizers, its spec, and a controller reference to the owner."""
    tm = (template or {}).get("metadata") or {}
    meta = {"name": name, "namespace": owner["metadata"].get("namespace") or "default",
            "labels": {**(tm.get("labels") or {}), **(labels or {})},
            "ownerReferences": [new_controller_ref(owner)]}
    if tm.get("annotations"):
        meta["annotations"] = dict(tm["annotations"])
    if tm.get("finalizers"):
        meta["finalizers"] = list(tm["finalizers"])
    if not meta["labels"]:
        meta.pop("labels")
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": copy.deepcopy((template or {}).get("spec") or {})}


def random_name(view, prefix: str, salt: str) -> str:
    """`<prefix><5 random chars>`, as the apiserver's generateName makes it; reproducible on a
    seeded cluster."""
    from pykubectl.apiserver.core import random_suffix
    rng = None
    try:
        rng = view.server.rng(view.txn, salt)
    except Exception:
        rng = None
    return prefix + random_suffix(rng=rng)


# -- hashes -----------------------------------------------------------------------------

def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def fnv32(data: bytes) -> int:
    """hash/fnv New32 (multiply, then xor): what ControllerRevision names use."""
    h = 0x811C9DC5
    for b in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return h


def safe_encode(s: str) -> str:
    """rand.SafeEncodeString: each character mapped into the vowel-free alphabet."""
    return "".join(_SAFE[ord(ch) % len(_SAFE)] for ch in s)


def go_json(obj) -> bytes:
    """encoding/json.Marshal of decoded JSON: keys sorted, no spaces, UTF-8 kept, and the HTML
    characters and line separators escaped as Go does."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text.encode()


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """controller.ComputeHash (pod-template-hash, a DaemonSet's controller-revision-hash):
    FNV-32a of the template, then collisionCount (when set) as 8 little-endian bytes, the
    decimal sum safe-encoded. kube hashes go-spew's dump of the Go struct (every field, in Go's
    field order), which the API's JSON does not carry; we hash the template's canonical JSON, so
    values differ from a real cluster's but have their alphabet, length and stability."""
    data = go_json(template)
    if collision_count is not None:
        data += int(collision_count).to_bytes(4, "little") + bytes(4)
    return safe_encode(str(fnv32a(data)))


def hash_controller_revision(data: dict, probe: int | None) -> str:
    """history.HashControllerRevision (a StatefulSet's revisions): FNV-32 of the revision's raw
    JSON patch, then the collision count in decimal. The patch is json.Marshal of the stored
    template, so this matches a real cluster's whenever the stored template does."""
    raw = go_json(data)
    if probe is not None:
        raw += str(int(probe)).encode()
    return safe_encode(str(fnv32(raw)))


def without_label(template: dict, key: str) -> dict:
    t = copy.deepcopy(template or {})
    labels = (t.get("metadata") or {}).get("labels")
    if labels and key in labels:
        labels.pop(key)
    md = t.get("metadata")
    if md is not None:
        md.pop("creationTimestamp", None)
        if not md.get("labels"):
            md.pop("labels", None)
    return t


def int_or_percent(value, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    s = str(value)
    if s.endswith("%"):
        import math
        v = int(s[:-1]) * total / 100
        return int(math.ceil(v)) if round_up else int(math.floor(v))
    return int(s)
