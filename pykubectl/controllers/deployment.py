"""The Deployment controller (kube-controller-manager's deployment-controller), after
pkg/controller/deployment: ReplicaSets named `<deployment>-<pod-template-hash>`, revisions,
RollingUpdate stepping within maxSurge/maxUnavailable exactly as sync.go/rolling.go do,
Recreate, proportional scaling, pause, revisionHistoryLimit, ScalingReplicaSet events and the
Available/Progressing conditions.

The new ReplicaSet is found by comparing templates without the hash label (EqualIgnoreHash), so
the lab's system Deployments keep the ReplicaSets they came with."""
from __future__ import annotations

import copy

from pykubectl.controllers import workload_common as W
from pykubectl.controllers.manager import Controller, Create, Delete, Event, Put, Timer, make_key, split_key
from pykubectl.store.clock import parse_time, rfc3339

HASH = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
# deployment annotations never copied to its ReplicaSets (util.skipCopyAnnotation)
_SKIP_COPY = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED, MAX,
              "deprecated.deployment.rollback.to"}
SRC = {"component": "deployment-controller"}


def _replicas(obj) -> int:
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else int(r)


def _st(obj, field) -> int:
    return int((obj.get("status") or {}).get(field) or 0)


def _created(obj):
    return (parse_time(obj["metadata"].get("creationTimestamp")) or 0.0, obj["metadata"]["name"])


def _revision(rs) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def is_rolling(d) -> bool:
    return ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def fenceposts(d) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as util.ResolveFenceposts resolves them."""
    ru = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    n = _replicas(d)
    surge = W.int_or_percent(ru.get("maxSurge", "25%"), n, True)
    unavailable = W.int_or_percent(ru.get("maxUnavailable", "25%"), n, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d) -> int:
    return fenceposts(d)[0] if is_rolling(d) else 0


def max_unavailable(d) -> int:
    if not is_rolling(d) or _replicas(d) == 0:
        return 0
    return min(fenceposts(d)[1], _replicas(d))


def new_rs_replicas(d, all_rs, new_rs) -> int:
    """util.NewRSNewReplicas."""
    if not is_rolling(d):
        return _replicas(d)
    total = sum(_replicas(r) for r in all_rs)
    cap = _replicas(d) + max_surge(d)
    if total >= cap:
        return _replicas(new_rs)
    return _replicas(new_rs) + min(cap - total, _replicas(d) - _replicas(new_rs))


def new_condition(type_, status, reason, message, now):
    t = rfc3339(now)
    return {"lastTransitionTime": t, "lastUpdateTime": t, "message": message, "reason": reason,
            "status": status, "type": type_}


def set_condition(status: dict, cond: dict) -> None:
    """util.SetDeploymentCondition: same status and reason is no change; the transition time
    stays while the status does; the condition moves to the end."""
    conds = status.get("conditions") or []
    cur = next((c for c in conds if c.get("type") == cond["type"]), None)
    if cur is not None and cur.get("status") == cond["status"] and cur.get("reason") == cond["reason"]:
        return
    if cur is not None and cur.get("status") == cond["status"]:
        cond["lastTransitionTime"] = cur.get("lastTransitionTime")
    status["conditions"] = [c for c in conds if c.get("type") != cond["type"]] + [cond]


class Sync:
    """One syncDeployment: mutates local copies, collects actions."""

    def __init__(self, d, view, now, key: str):
        self.key = key
        self.d = copy.deepcopy(d)
        self.view = view
        self.now = now
        self.actions: list = []
        self.dirty: dict[str, dict] = {}   # ReplicaSets changed in this sync, by name
        self.status_dirty = False
        self.created: dict | None = None

    # -- ReplicaSets ------------------------------------------------------------------
    def replica_sets(self):
        d = self.d
        from pykubectl.api.selectors import from_label_selector
        sel = from_label_selector((d.get("spec") or {}).get("selector") or {})
        out = W.owned(self.view, "replicasets.apps", d)
        ml = ((d.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if ml:
            for rs in self.view.list("replicasets.apps", d["metadata"]["namespace"], labels_eq=ml):
                if W.controller_ref(rs) is None and not rs["metadata"].get("deletionTimestamp") \
                        and sel.matches(rs["metadata"].get("labels") or {}):
                    rs = copy.deepcopy(rs)
                    rs["metadata"].setdefault("ownerReferences", []).append(W.new_controller_ref(d))
                    self.dirty[rs["metadata"]["name"]] = rs
                    out.append(rs)
        return sorted(out, key=_created)

    def find_new(self, rss):
        want = W.without_label(self.d["spec"].get("template") or {}, HASH)
        for rs in rss:
            if W.without_label(rs["spec"].get("template") or {}, HASH) == want:
                return rs
        return None

    def all_and_sync_revision(self, create: bool):
        rss = self.replica_sets()
        new = self.find_new(rss)
        old = [r for r in rss if r is not new]
        new_revision = max((_revision(r) for r in old), default=0) + 1
        if new is not None:
            if self.set_new_rs_annotations(new, new_revision, exists=True) or \
                    (new["spec"].get("minReadySeconds") or 0) != (self.d["spec"].get("minReadySeconds") or 0):
                new["spec"]["minReadySeconds"] = self.d["spec"].get("minReadySeconds") or 0
                if not new["spec"]["minReadySeconds"]:
                    new["spec"].pop("minReadySeconds")
                self.dirty[new["metadata"]["name"]] = new
            self.set_deployment_revision(str(_revision(new)))
            if (self.d["spec"].get("progressDeadlineSeconds") is not None
                    and W.condition(self.d, "Progressing") is None):
                set_condition(self.d.setdefault("status", {}), new_condition(
                    "Progressing", "True", "FoundNewReplicaSet", f'Found new replica set "{new["metadata"]["name"]}"', self.now))
                self.status_dirty = True
            return new, old
        if not create:
            return None, old
        return self.create_new(old, new_revision), old

    def create_new(self, old, revision):
        d = self.d
        collision = (d.get("status") or {}).get("collisionCount")   # None until a collision
        tmpl = copy.deepcopy(d["spec"].get("template") or {})
        h = W.compute_hash(W.without_label(tmpl, HASH), collision)
        tmpl.setdefault("metadata", {}).setdefault("labels", {})[HASH] = h
        sel = copy.deepcopy(d["spec"].get("selector") or {})
        sel.setdefault("matchLabels", {})[HASH] = h
        name = f"{d['metadata']['name']}-{h}"
        existing = self.view.get("replicasets.apps", d["metadata"]["namespace"], name)
        if existing is not None:
            # a hash collision with an RS of another template: kube bumps collisionCount
            d.setdefault("status", {})["collisionCount"] = int(collision or 0) + 1
            self.status_dirty = True
            return None
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": name, "namespace": d["metadata"]["namespace"],
                           "labels": dict(tmpl["metadata"]["labels"]),
                           "ownerReferences": [W.new_controller_ref(d)]},
              "spec": {"replicas": 0, "selector": sel, "template": tmpl}}
        if d["spec"].get("minReadySeconds"):
            rs["spec"]["minReadySeconds"] = d["spec"]["minReadySeconds"]
        n = new_rs_replicas(d, old + [rs], rs)
        rs["spec"]["replicas"] = n
        self.set_new_rs_annotations(rs, revision, exists=False)
        self.actions.append(Create("replicasets.apps", rs))
        if n > 0:
            self.event(f"Scaled up replica set {name} from 0 to {n}")
        self.set_deployment_revision(str(revision))
        if d["spec"].get("progressDeadlineSeconds") is not None:
            set_condition(d.setdefault("status", {}), new_condition(
                "Progressing", "True", "NewReplicaSetCreated", f'Created new replica set "{name}"', self.now))
            self.status_dirty = True
        self.created = rs
        return rs

    def set_new_rs_annotations(self, rs, new_revision: int, exists: bool) -> bool:
        ann = rs["metadata"].setdefault("annotations", {})
        before = dict(ann)
        for k, v in ((self.d["metadata"].get("annotations") or {}).items()):
            if k not in _SKIP_COPY:
                ann[k] = v
        old_rev = ann.get(REVISION)
        try:
            old_n = int(old_rev) if old_rev is not None else 0
        except ValueError:
            old_n = 0
        if old_n < new_revision:
            ann[REVISION] = str(new_revision)
            if old_rev and old_rev != str(new_revision):
                hist = [h for h in (ann.get(REVISION_HISTORY) or "").split(",") if h]
                ann[REVISION_HISTORY] = ",".join(hist + [old_rev])
        if not exists:
            self.set_replicas_annotations(rs)
        if not ann:
            rs["metadata"].pop("annotations")
        return ann != before

    def set_replicas_annotations(self, rs) -> bool:
        ann = rs["metadata"].setdefault("annotations", {})
        want = {DESIRED: str(_replicas(self.d)), MAX: str(_replicas(self.d) + max_surge(self.d))}
        changed = any(ann.get(k) != v for k, v in want.items())
        ann.update(want)
        return changed

    def set_deployment_revision(self, rev: str):
        ann = self.d["metadata"].setdefault("annotations", {})
        if ann.get(REVISION) != rev:
            ann[REVISION] = rev
            self.status_dirty = True

    def event(self, msg):
        self.actions.append(Event(self.d, "Normal", "ScalingReplicaSet", msg, SRC))

    def scale(self, rs, n: int, operation: str | None = None) -> bool:
        """dc.scaleReplicaSetAndRecordEvent / scaleReplicaSet."""
        if rs is None:
            return False
        old = _replicas(rs)
        size = old != n
        ann = self.set_replicas_annotations(rs)
        if not size and not ann:
            return False
        rs["spec"]["replicas"] = n
        if rs is not self.created:       # a ReplicaSet being created carries its size already
            self.dirty[rs["metadata"]["name"]] = rs
        if size:
            op = operation or ("up" if old < n else "down")
            self.event(f"Scaled {op} replica set {rs['metadata']['name']} from {old} to {n}")
        return size

    # -- strategies -------------------------------------------------------------------
    def rolling(self):
        new, old = self.all_and_sync_revision(True)
        all_rs = old + ([new] if new else [])
        if self.reconcile_new(all_rs, new):
            return self.rollout_status(all_rs, new)
        if self.reconcile_old(all_rs, [r for r in old if _replicas(r) > 0], new):
            return self.rollout_status(all_rs, new)
        if self.complete_with(all_rs, new):
            self.cleanup(old)
        self.rollout_status(all_rs, new)

    def recreate(self, pods_by_rs):
        new, old = self.all_and_sync_revision(False)
        all_rs = old + ([new] if new else [])
        scaled = False
        for rs in old:
            if _replicas(rs) > 0:
                scaled |= self.scale(rs, 0)
        if scaled:
            return self.rollout_status(all_rs, new)
        for rs in old:
            if any((p.get("status") or {}).get("phase") not in ("Failed", "Succeeded")
                   for p in pods_by_rs.get(rs["metadata"].get("uid"), ())):
                return self.rollout_status(all_rs, new)
        if new is None:
            new, old = self.all_and_sync_revision(True)
            all_rs = old + ([new] if new else [])
        self.reconcile_new(all_rs, new)
        if self.complete_with(all_rs, new):
            self.cleanup(old)
        self.rollout_status(all_rs, new)

    def reconcile_new(self, all_rs, new) -> bool:
        if new is None:
            return False
        want = _replicas(self.d)
        if _replicas(new) == want:
            return False
        if _replicas(new) > want:
            return self.scale(new, want)
        return self.scale(new, new_rs_replicas(self.d, all_rs, new))

    def reconcile_old(self, all_rs, old_active, new) -> bool:
        """rolling.go reconcileOldReplicaSets."""
        if sum(_replicas(r) for r in old_active) == 0:
            return False
        all_pods = sum(_replicas(r) for r in all_rs)
        min_available = _replicas(self.d) - max_unavailable(self.d)
        new_unavailable = (_replicas(new) - _st(new, "availableReplicas")) if new else 0
        max_down = all_pods - min_available - new_unavailable
        if max_down <= 0:
            return False
        cleaned = 0
        for rs in sorted(old_active, key=_created):
            if cleaned >= max_down:
                break
            if _replicas(rs) == 0 or _replicas(rs) == _st(rs, "availableReplicas"):
                continue
            n = min(max_down - cleaned, _replicas(rs) - _st(rs, "availableReplicas"))
            self.scale(rs, _replicas(rs) - n)
            cleaned += n
        # scaleDownOldReplicaSetsForRollingUpdate
        available = sum(_st(r, "availableReplicas") for r in all_rs)
        down = 0
        if available > min_available:
            total = available - min_available
            for rs in sorted(old_active, key=_created):
                if down >= total:
                    break
                if _replicas(rs) == 0:
                    continue
                n = min(_replicas(rs), total - down)
                self.scale(rs, _replicas(rs) - n)
                down += n
        return cleaned + down > 0

    def sync_scale(self):
        """dc.sync: a scaling event or a paused deployment."""
        new, old = self.all_and_sync_revision(False)
        all_rs = old + ([new] if new else [])
        active = [r for r in all_rs if _replicas(r) > 0]
        target = None
        if len(active) == 1:
            target = active[0]
        elif not active:
            target = new or (sorted(old, key=_created)[-1] if old else None)
        want = _replicas(self.d)
        if target is not None or not active:
            if target is not None and _replicas(target) != want:
                self.scale(target, want)
        elif new is not None and _replicas(new) == want and _st(new, "availableReplicas") == want:
            for rs in active:
                if rs is not new:
                    self.scale(rs, 0)
        else:
            self.proportional(active, new)
        if (self.d.get("spec") or {}).get("paused"):
            self.cleanup(old)
        self.sync_status(all_rs, new)

    def proportional(self, active, new):
        """dc.scale's proportional part: spread the change over the active ReplicaSets by their
        share of the max-replicas annotation; the remainder goes to the largest."""
        d = self.d
        allowed = _replicas(d) + max_surge(d)
        to_add = allowed - sum(_replicas(r) for r in active)
        if to_add == 0:
            return
        # larger first; ties: newer first when growing, older first when shrinking
        order = sorted(active, key=_created, reverse=to_add > 0)
        order.sort(key=_replicas, reverse=True)
        sizes, added = {}, 0
        for rs in order:
            fraction = -_replicas(rs)
            if _replicas(d) > 0:
                ann = (rs["metadata"].get("annotations") or {}).get(MAX)
                annotated = int(ann) if ann and ann.isdigit() else _st(d, "replicas")
                if annotated > 0:
                    fraction = int(_replicas(rs) * allowed / annotated + 0.5) - _replicas(rs)
                else:
                    fraction = 0
            left = to_add - added
            share = min(fraction, left) if to_add > 0 else max(fraction, left)
            sizes[rs["metadata"]["name"]] = _replicas(rs) + share
            added += share
        first = order[0]["metadata"]["name"]
        sizes[first] = max(sizes[first] + to_add - added, 0)
        for rs in order:
            self.scale(rs, sizes[rs["metadata"]["name"]], "up" if to_add > 0 else "down")

    def cleanup(self, old):
        limit = (self.d.get("spec") or {}).get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        dead = [r for r in old if _replicas(r) == 0 and _st(r, "replicas") == 0
                and not r["metadata"].get("deletionTimestamp") and r["metadata"]["name"] not in self.dirty]
        extra = len([r for r in old if not r["metadata"].get("deletionTimestamp")]) - limit
        for rs in sorted(dead, key=lambda r: (_revision(r), _created(r)))[:max(extra, 0)]:
            self.actions.append(Delete("replicasets.apps", rs["metadata"]["namespace"], rs["metadata"]["name"],
                                       uid=rs["metadata"].get("uid")))

    # -- status -----------------------------------------------------------------------
    def calculate(self, all_rs, new) -> dict:
        d = self.d
        available = sum(_st(r, "availableReplicas") for r in all_rs)
        total = sum(_replicas(r) for r in all_rs)
        st = {"observedGeneration": d["metadata"].get("generation", 1),
              "replicas": sum(_st(r, "replicas") for r in all_rs),
              "updatedReplicas": _st(new, "replicas") if new else 0,
              "readyReplicas": sum(_st(r, "readyReplicas") for r in all_rs),
              "availableReplicas": available,
              "unavailableReplicas": max(total - available, 0)}
        st = {k: v for k, v in st.items() if v}
        old = d.get("status") or {}
        if old.get("collisionCount") is not None:
            st["collisionCount"] = old["collisionCount"]
        st["conditions"] = copy.deepcopy(old.get("conditions") or [])
        if available >= _replicas(d) - max_unavailable(d):
            set_condition(st, new_condition("Available", "True", "MinimumReplicasAvailable",
                                            "Deployment has minimum availability.", self.now))
        else:
            set_condition(st, new_condition("Available", "False", "MinimumReplicasUnavailable",
                                            "Deployment does not have minimum availability.", self.now))
        return st

    def complete(self, st) -> bool:
        n = _replicas(self.d)
        return (int(st.get("updatedReplicas") or 0) == n and int(st.get("replicas") or 0) == n
                and int(st.get("availableReplicas") or 0) == n
                and int(st.get("observedGeneration") or 0) >= self.d["metadata"].get("generation", 1))

    def complete_with(self, all_rs, new) -> bool:
        return self.complete(self.calculate(all_rs, new))

    def sync_status(self, all_rs, new):
        st = self.calculate(all_rs, new)
        self._write_status(st)

    def rollout_status(self, all_rs, new):
        d = self.d
        st = self.calculate(all_rs, new)
        deadline = (d.get("spec") or {}).get("progressDeadlineSeconds")
        cur = W.condition(d, "Progressing")
        complete_before = (st.get("replicas") == st.get("updatedReplicas") and cur is not None
                           and cur.get("reason") == "NewReplicaSetAvailable")
        what = f'ReplicaSet "{new["metadata"]["name"]}"' if new else f'Deployment "{d["metadata"]["name"]}"'
        if deadline is not None and not complete_before:
            old = d.get("status") or {}
            if self.complete(st):
                set_condition(st, new_condition("Progressing", "True", "NewReplicaSetAvailable",
                                                f"{what} has successfully progressed.", self.now))
            elif (int(st.get("updatedReplicas") or 0) > int(old.get("updatedReplicas") or 0)
                  or (int(st.get("replicas") or 0) - int(st.get("updatedReplicas") or 0))
                  < (int(old.get("replicas") or 0) - int(old.get("updatedReplicas") or 0))
                  or int(st.get("readyReplicas") or 0) > int(old.get("readyReplicas") or 0)
                  or int(st.get("availableReplicas") or 0) > int(old.get("availableReplicas") or 0)):
                c = new_condition("Progressing", "True", "ReplicaSetUpdated", f"{what} is progressing.", self.now)
                cur2 = next((x for x in st["conditions"] if x["type"] == "Progressing"), None)
                if cur2 is not None:
                    if cur2.get("status") == "True":
                        c["lastTransitionTime"] = cur2["lastTransitionTime"]
                    st["conditions"] = [x for x in st["conditions"] if x["type"] != "Progressing"]
                set_condition(st, c)
            else:
                cur2 = next((x for x in st["conditions"] if x["type"] == "Progressing"), None)
                if cur2 is not None and cur2.get("reason") != "ProgressDeadlineExceeded":
                    at = (parse_time(cur2.get("lastUpdateTime")) or self.now) + int(deadline)
                    if at < self.now:
                        set_condition(st, new_condition("Progressing", "False", "ProgressDeadlineExceeded",
                                                        f"{what} has timed out progressing.", self.now))
                    else:
                        self.actions.append(Timer(self.key, at + 0.001))
        self._write_status(st)

    def _write_status(self, st):
        d = self.d
        if st != (d.get("status") or {}) or self.status_dirty:
            d["status"] = st
            self.actions.append(Put("deployments.apps", d, status=True))


class DeploymentController(Controller):
    name = "deployment-controller"
    watches = (("apps", "deployments"), ("apps", "replicasets"), ("", "pods"))

    def keys_for(self, type_, group, res, obj):
        if res == "replicasets":
            return W.owner_key(obj, (("apps", "Deployment"),))
        if res == "pods":
            # only a pod's deletion matters (Recreate waits for old pods to be gone)
            if type_ != "DELETED":
                return []
            ref = W.controller_ref(obj)
            if not ref or ref.get("kind") != "ReplicaSet":
                return []
            ns = obj["metadata"].get("namespace") or ""
            return [make_key("apps", "deployments", ns, n) for n in
                    [self._deploy_of_rs_name(ref.get("name"))] if n]
        return super().keys_for(type_, group, res, obj)

    @staticmethod
    def _deploy_of_rs_name(rs_name: str | None) -> str | None:
        # a deleted pod's ReplicaSet may be gone: its name is `<deployment>-<hash>`
        return rs_name.rsplit("-", 1)[0] if rs_name and "-" in rs_name else None

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        d = view.get("deployments.apps", ns, name)
        if d is None:
            return []
        s = Sync(d, view, now, key)
        spec = d.get("spec") or {}
        if d["metadata"].get("deletionTimestamp"):
            new, old = s.all_and_sync_revision(False)
            s.sync_status(old + ([new] if new else []), new)
        elif spec.get("paused") or self._scaling_event(s):
            s.sync_scale()
        elif is_rolling(d):
            s.rolling()
        else:
            pods_by_rs: dict[str, list] = {}
            for rs in W.owned(view, "replicasets.apps", d):
                pods_by_rs[rs["metadata"]["uid"]] = W.owned(view, "pods", rs)
            s.recreate(pods_by_rs)
        out = [Put("replicasets.apps", rs) for rs in s.dirty.values()]
        # the new ReplicaSet first, then the scaled ones, then status and events
        return ([a for a in s.actions if isinstance(a, Create)] + out
                + [a for a in s.actions if not isinstance(a, Create)])

    @staticmethod
    def _scaling_event(s: Sync) -> bool:
        """dc.isScalingEvent: an active ReplicaSet's desired-replicas differs from spec.replicas."""
        for rs in W.owned(s.view, "replicasets.apps", s.d):
            if _replicas(rs) > 0:
                want = (rs["metadata"].get("annotations") or {}).get(DESIRED)
                if want is not None and want != str(_replicas(s.d)):
                    return True
        return False


def controllers(cluster):
    return [DeploymentController()]
