"""The garbage collector: ownerReferences, and the three deletion propagation policies.

Background: once an owner is gone, its dependents are deleted. Orphan: the owner carries the
`orphan` finalizer; its dependents lose their ownerReference, then the finalizer goes. Foreground:
the owner carries `foregroundDeletion`; its dependents are deleted first, then the finalizer goes
and with it the owner.
"""
from __future__ import annotations

import copy

from pykubectl.controllers.manager import Controller, Delete, Put, Timer, make_key, split_key


class GarbageCollector(Controller):
    name = "garbage-collector"
    watches = (("*", "*"),)

    def keys_for(self, type_, group, res, obj):
        meta = obj.get("metadata") or {}
        keys = []
        if type_ == "DELETED" or (meta.get("deletionTimestamp") and
                                  set(meta.get("finalizers") or ()) & {"orphan", "foregroundDeletion"}):
            keys.append(f"{type_}|{meta.get('uid')}|" + make_key(group, res, meta.get("namespace") or "", meta.get("name")))
        if type_ == "DELETED":
            # a dependent gone may complete its owner's foreground deletion
            for ref in meta.get("ownerReferences") or ():
                keys.append(f"OWNER|{ref.get('uid')}|{ref.get('apiVersion')}|{ref.get('kind')}|"
                            f"{meta.get('namespace') or ''}|{ref.get('name')}")
        return keys

    def reconcile(self, key, view, now):
        if key.startswith("OWNER|"):
            _, uid, api_version, kind, ns, name = key.split("|", 5)
            try:
                k = view.server.for_gvk(api_version, kind)
            except Exception:
                return []
            key = f"MODIFIED|{uid}|" + make_key(k.group, k.plural, ns if k.namespaced else "", name)
        type_, uid, rest = key.split("|", 2)
        group, res, ns, name = split_key(rest)
        t = view.txn
        deps = t.dependents(uid)
        resource = f"{res}.{group}" if group else res
        if type_ == "DELETED":
            if view.get(resource, ns, name) is not None:
                return []
            return [Delete(f"{r}.{g}" if g else r, n, nm, propagation="Background") for g, r, n, nm in deps]
        owner = view.get(resource, ns, name)
        if owner is None or owner["metadata"].get("uid") != uid:
            return []
        fins = owner["metadata"].get("finalizers") or []
        actions = []
        if "orphan" in fins:
            for g, r, n, nm in deps:
                d = t.get(g, r, n, nm)
                if d is None:
                    continue
                d = copy.deepcopy(d)
                refs = [o for o in d["metadata"].get("ownerReferences") or () if o.get("uid") != uid]
                if refs:
                    d["metadata"]["ownerReferences"] = refs
                else:
                    d["metadata"].pop("ownerReferences", None)
                actions.append(Put(f"{r}.{g}" if g else r, d))
            owner = copy.deepcopy(owner)
            owner["metadata"]["finalizers"] = [f for f in fins if f != "orphan"]
            return actions + [Put(resource, owner)]
        if "foregroundDeletion" in fins:
            live = [d for d in deps if t.get(*d) is not None]
            if live:
                return [Delete(f"{r}.{g}" if g else r, n, nm, propagation="Foreground") for g, r, n, nm in live] + [Timer(key, now + 1)]
            owner = copy.deepcopy(owner)
            owner["metadata"]["finalizers"] = [f for f in fins if f != "foregroundDeletion"]
            return [Put(resource, owner)]
        return []
