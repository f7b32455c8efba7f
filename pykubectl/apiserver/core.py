"""The apiserver core: the only writer of the store.

One public method per API verb. Each runs in one write transaction (atomicity per API request),
doing what kube-apiserver's generic registry does: admission (defaults, name generation, uid,
timestamps, namespace lifecycle, ServiceAccount, tolerations, priority), per-kind strategy
(spec/status split, generation), validation, optimistic concurrency, graceful deletion with
finalizers, and the managedFields bookkeeping. Controllers write through `write_object` and
`remove_object` inside the reconcile engine's transactions.
"""
from __future__ import annotations

from contextlib import contextmanager

from pykubectl.api.values import clone as _clone

from pykubectl.api import errors
from pykubectl.store.clock import rfc3339

# resources whose metadata.generation the apiserver maintains (their strategies bump it on spec change)
GENERATION = {
    ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"),
    ("batch", "jobs"), ("batch", "cronjobs"), ("autoscaling", "horizontalpodautoscalers"),
    ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "networkpolicies"),
    ("", "replicationcontrollers"), ("policy", "poddisruptionbudgets"),
    ("apiextensions.k8s.io", "customresourcedefinitions"), ("", "resourcequotas"),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"),
    ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
}
# names kube generates for generateName and for the token volume: vowels and confusables removed
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def random_suffix(n: int = 5, rng=None) -> str:
    if rng is not None:
        return "".join(rng.choice(_NAME_ALPHABET) for _ in range(n))
    import secrets
    return "".join(secrets.choice(_NAME_ALPHABET) for _ in range(n))


class DryRun(Exception):
    """Raised inside a write transaction to roll it back while keeping the result."""

    def __init__(self, result):
        self.result = result


def _unwritten(out: dict, old: dict | None) -> dict:
    """A dry run's answer: the object as it would be, with the resourceVersion it still has
    (none for a create), since nothing was stored."""
    out = _clone(out)
    rv = (old or {}).get("metadata", {}).get("resourceVersion")
    if rv:
        out["metadata"]["resourceVersion"] = rv
    else:
        out["metadata"].pop("resourceVersion", None)
    return out


# field selectors the store's index tables answer without decoding every object (the selector is
# still applied to what they return): a node's pods, an object's events (what describe asks for)
_INDEXED_FIELDS = {("", "pods"): ("spec.nodeName", "nodeName"),
                   ("", "events"): ("involvedObject.uid", "involved")}


def _merge_changes_nothing(doc, patch) -> bool:
    """Whether RFC 7386 `patch` leaves `doc` as it is, decided without copying it."""
    if not isinstance(patch, dict) or not isinstance(doc, dict):
        return False
    for k, v in patch.items():
        if v is None:
            if k in doc:
                return False
        elif isinstance(v, dict):
            if not _merge_changes_nothing(doc.get(k), v):
                return False
        elif k not in doc or type(doc[k]) is not type(v) or doc[k] != v:
            return False
    return True


def _field_index(kind, fsel) -> tuple[str, str] | None:
    field = _INDEXED_FIELDS.get((kind.group, kind.plural))
    if field is None:
        return None
    for name, op, want in fsel.requirements:
        if name == field[0] and op == "=" and want:
            return field[1], want
    return None


def _stored_version(kind, obj):
    """A write at another served version of a kind whose versions differ in shape (an
    autoscaling/v1 HPA) is converted to the version the kind is stored at, as the apiserver
    converts it; other kinds only differ in apiVersion, which create sets anyway."""
    av = obj.get("apiVersion") if isinstance(obj, dict) else None
    if av and av != kind.api_version and kind.group:
        from pykubectl.api import conversion
        if conversion.reshaped(kind.group, kind.kind):
            return conversion.convert(obj, kind.group, kind.kind, kind.version)
    return obj


def _spec_part(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _check_preconditions(kind, old: dict, pre: dict) -> None:
    """DeleteOptions.preconditions: the Namespace REST words its own conflict; every other kind
    fails early in rest.BeforeDelete, naming the Kind (GroupResource{group, Kind})."""
    meta = old["metadata"]
    name = meta["name"]
    if kind.plural == "namespaces" and not kind.group:
        if pre.get("uid") and pre["uid"] != meta.get("uid"):
            raise errors.conflict("", "namespaces", name,
                                  f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {meta.get('uid')}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
            raise errors.conflict("", "namespaces", name,
                                  f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                                  f"ResourceVersion in object meta: {meta.get('resourceVersion')}")
        return
    if pre.get("uid") and pre["uid"] != meta.get("uid"):
        raise errors.conflict(kind.group, kind.kind, name,
                              f"the UID in the precondition ({pre['uid']}) does not match the UID in record "
                              f"({meta.get('uid')}). The object might have been deleted and then recreated")
    if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
        raise errors.conflict(kind.group, kind.kind, name,
                              f"the ResourceVersion in the precondition ({pre['resourceVersion']}) does not match "
                              f"the ResourceVersion in record ({meta.get('resourceVersion')}). The object might have been modified")


class APIServer:
    """The core, bound to one cluster (its store, clock and registry)."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.store = cluster.store
        self._registry = None
        self._resolved: dict = {}
        self._ip = None

    @property
    def clock(self):
        # always the cluster's current clock: long-running processes reload it
        return self.cluster.clock

    # -- kinds ------------------------------------------------------------------------
    def registry(self):
        """Built-in kinds plus the CRDs stored in this cluster (loaded only when needed)."""
        if self._registry is None:
            from pykubectl.api.kinds import default_registry
            self._registry = default_registry()
            self._crd_loaded = False
        return self._registry

    def registry_with_crds(self):
        reg = self.registry()
        if not getattr(self, "_crd_loaded", False):
            with self.store.read() as t:
                crds = t.list("apiextensions.k8s.io", "customresourcedefinitions")
            self._registry = reg.with_crds(crds) if crds else reg
            self._crd_loaded = True
        return self._registry

    def resolve(self, arg: str):
        # memoized: controllers resolve the same few names for every action they take
        kind = self._resolved.get(arg)
        if kind is not None:
            return kind
        from pykubectl.api.kinds import UnknownResource
        try:
            kind = self.registry().resolve(arg)
        except UnknownResource:
            kind = self.registry_with_crds().resolve(arg)
        self._resolved[arg] = kind
        return kind

    def for_gvk(self, api_version: str, kind: str):
        from pykubectl.api.kinds import NoKindMatch
        try:
            return self.registry().for_gvk(api_version, kind)
        except NoKindMatch:
            return self.registry_with_crds().for_gvk(api_version, kind)

    def _invalidate_registry(self):
        self._crd_loaded = False
        self._registry = None
        self._resolved = {}

    def schema_for(self, kind):
        if kind.crd:
            return None
        from pykubectl.api import schema
        return schema.kind_schema(kind.group, kind.version, kind.kind)

    def now(self) -> float:
        return self.clock.now()

    def rng(self, t, salt: str = ""):
        """Randomness for uids and name suffixes: reproducible on a seeded cluster (derived from
        the seed and the store revision), from `secrets` otherwise."""
        seed = self.cluster.seed
        if seed is None:
            return None
        import random
        return random.Random(f"{seed}:{t.revision()}:{salt}")

    # -- reads ------------------------------------------------------------------------
    def get(self, kind, ns: str | None, name: str) -> dict:
        ns = self._ns(kind, ns)
        with self.store.read() as t:
            obj = t.get(kind.group, kind.plural, ns or "", name)
        if obj is None:
            raise errors.not_found(kind.group, kind.plural, name)
        if kind.crd:
            self._crd_default(kind, [obj])
        return obj

    def list(self, kind, ns: str | None = None, label_selector: str | None = None,
             field_selector: str | None = None) -> dict:
        """A List object; label and field selectors as the apiserver applies them."""
        with self.list_stream(kind, ns, label_selector, field_selector) as (rev, objs):
            items = list(objs)
        return {"apiVersion": kind.api_version, "kind": kind.list_kind,
                "metadata": {"resourceVersion": rev}, "items": items}

    @contextmanager
    def list_stream(self, kind, ns: str | None = None, label_selector: str | None = None,
                    field_selector: str | None = None, *, fields: str = "object"):
        """`with list_stream(...) as (resourceVersion, objects)`: what `list` answers, decoded one
        object at a time from one read snapshot (held while the block runs). `fields` is
        store.stream's: "table" leaves managedFields out, "name" decodes nothing (only
        without selectors). Bad selectors raise before anything is read."""
        lsel = fsel = None
        eq = None
        if label_selector:
            from pykubectl.api.selectors import parse_label_selector, SelectorError
            try:
                lsel = parse_label_selector(label_selector)
            except SelectorError as e:
                raise errors.bad_request(str(e))
            eq = getattr(lsel, "equalities", lambda: None)()
        if field_selector:
            from pykubectl.api.selectors import parse_field_selector, check_field_selector, SelectorError
            try:
                fsel = parse_field_selector(field_selector)
                check_field_selector(kind.plural if not kind.group else kind.resource, fsel)
            except SelectorError as e:
                raise errors.bad_request(str(e))
        if fields == "name" and (lsel is not None or fsel is not None or kind.crd):
            fields = "object"
        from pykubectl.store.stream import iter_objects
        ns_arg = (ns or None) if kind.namespaced else None
        with self.store.read() as t:
            rev = str(t.revision())
            objs = iter_objects(t.db, kind.group, kind.plural, ns_arg, labels_eq=eq, fields=fields,
                                index=_field_index(kind, fsel) if fsel is not None else None)
            try:
                yield rev, self._selected(kind, objs, lsel, fsel)
            finally:
                objs.close()

    def _selected(self, kind, objs, lsel, fsel):
        schema = None
        if kind.crd:
            from pykubectl.api import crd_schema
            schema = self._crd_schema(kind)   # once per list, not per object
        for o in objs:
            if lsel is not None and not lsel.matches((o.get("metadata") or {}).get("labels") or {}):
                continue
            if fsel is not None and not fsel.matches(o):
                continue
            if schema is not None:
                crd_schema.default(o, schema)
            yield o

    def watch(self, kind, ns: str | None = None, since: int | None = None,
              label_selector: str | None = None, field_selector: str | None = None,
              *, timeout: float | None = None, poll: float = 0.2, drive=None):
        """Yield (type, object) for each change after revision `since` (ADDED, MODIFIED, DELETED),
        as an etcd watch does; a revision older than the compacted log raises 410 Expired.
        `drive()` is called between polls (the CLI and server pass the cluster's reconcile, so
        timers fall due while someone watches). Stops after `timeout` seconds when given."""
        import time as _time
        lsel = fsel = None
        if label_selector:
            from pykubectl.api.selectors import parse_label_selector
            lsel = parse_label_selector(label_selector)
        if field_selector:
            from pykubectl.api.selectors import parse_field_selector
            fsel = parse_field_selector(field_selector)
        ns_f = (ns or None) if kind.namespaced else None
        with self.store.read() as t:
            compacted = t.compacted()
            rev = t.revision() if since is None else int(since)
        if rev < compacted:
            raise errors.gone(f"too old resource version: {rev} ({compacted})")
        end = None if timeout is None else _time.monotonic() + timeout
        seen_version = None   # PRAGMA data_version: moves when another process commits
        dirty = True          # our own commits (drive()) do not move it
        while end is None or _time.monotonic() < end:
            version = self.store.data_version()
            if not dirty and version == seen_version:
                if drive is not None:
                    before = self.store.meta("revision")
                    drive()
                    dirty = self.store.meta("revision") != before
                if not dirty:
                    _time.sleep(poll if end is None else max(0.0, min(poll, end - _time.monotonic())))
                continue
            seen_version, dirty = version, False
            with self.store.read() as t:
                if rev < t.compacted():
                    raise errors.gone(f"too old resource version: {rev} ({t.compacted()})")
                batch = t.changes_since(rev, 500, kind.group, kind.plural)
                top = t.revision()
            for r, type_, _g, _r, cns, _name, obj in batch:
                rev = r
                if ns_f is not None and cns != ns_f:
                    continue
                if lsel is not None and not lsel.matches((obj.get("metadata") or {}).get("labels") or {}):
                    continue
                if fsel is not None and not fsel.matches(obj):
                    continue
                if kind.crd:
                    self._crd_default(kind, [obj])
                yield type_, obj
            if batch:
                dirty = True   # there may be more past this batch
                continue
            rev = max(rev, top)

    # -- writes -----------------------------------------------------------------------
    def create(self, kind, obj: dict, ns: str | None = None, *, dry_run=False,
               field_validation="Strict", field_manager="", duplicates=(), subresource=None):
        """POST: returns (created object, warnings)."""
        if subresource:
            return self.create_subresource(kind, ns, (obj.get("metadata") or {}).get("name", ""),
                                           subresource, obj, dry_run=dry_run)
        obj = _stored_version(kind, _clone(obj))
        warnings = self._check_fields(kind, obj, field_validation, duplicates)
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        ns = self._ns(kind, ns if ns is not None else meta.get("namespace"))
        obj_ns = meta.get("namespace")
        if kind.namespaced and obj_ns and ns and obj_ns != ns:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
        try:
            with self.store.write() as t:
                out = self._create(t, kind, obj, ns, field_manager or "kubectl")
                warnings += self._unmodelled(kind, out, None)
                if dry_run:
                    raise DryRun(_unwritten(out, None))
        except DryRun as d:
            return d.result, warnings
        if kind.group == "apiextensions.k8s.io":
            self._invalidate_registry()
        return out, warnings

    def _create(self, t, kind, obj, ns, manager, *, status_from_request=False, applied=False):
        meta = obj["metadata"]
        if kind.namespaced:
            meta["namespace"] = ns
            self._admit_namespace(t, ns)
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if meta.get("generateName"):
                rng = self.rng(t, "generateName")
                for _ in range(10):
                    cand = meta["generateName"] + random_suffix(rng=rng)
                    if t.get(kind.group, kind.plural, ns or "", cand) is None:
                        meta["name"] = cand
                        break
            else:
                raise errors.invalid(kind.group, kind.kind, "", [errors.FieldError(
                    "Required value", "metadata.name", "name or generateName is required")])
        obj["apiVersion"] = kind.api_version
        obj["kind"] = kind.kind
        if t.get(kind.group, kind.plural, ns or "", meta["name"]) is not None:
            raise errors.already_exists(kind.group, kind.plural, meta["name"])
        if meta.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        now = self.now()
        import uuid
        rng = self.rng(t, "uid")
        meta["uid"] = str(uuid.UUID(int=rng.getrandbits(128), version=4) if rng else uuid.uuid4())
        meta["creationTimestamp"] = rfc3339(now)
        for k in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            meta.pop(k, None)
        if (kind.group, kind.plural) in GENERATION or kind.crd:
            meta["generation"] = 1
        # a create drops the status of kinds with a status subresource, except a Node's
        # (node strategy: "Nodes allow *all* fields, including status, to be set on create")
        if (not status_from_request and "status" in kind.subresources and "status" in obj
                and (kind.group, kind.plural) != ("", "nodes")):
            obj.pop("status")
        self._defaults(t, kind, obj)
        self._validate(kind, obj, None)
        if not applied:  # server-side apply wrote its own Apply entry
            self._record_manager(kind, None, obj, manager, "Update", now)
        out = t.put(kind.group, kind.plural, obj, "ADDED")
        return out

    def create_subresource(self, kind, ns, name: str, subresource: str, body: dict, *, dry_run=False):
        """POST to a subresource that answers and stores nothing of its own: pods/eviction (a
        Status), serviceaccounts/token (the TokenRequest with its token). (result, warnings)."""
        ns = self._ns(kind, ns)
        what = (kind.group, kind.plural, subresource)
        if what == ("", "pods", "eviction"):
            from pykubectl.controllers import disruption
            if (body.get("metadata") or {}).get("name") != name:
                raise errors.bad_request("name in URL does not match name in Eviction object")
            opts = body.get("deleteOptions") or {}
            return disruption.evict(self, ns, name, grace_period=opts.get("gracePeriodSeconds"),
                                    dry_run=dry_run or "All" in (opts.get("dryRun") or ())), []
        if what == ("", "serviceaccounts", "token"):
            return self._token_request(ns, name, body), []
        raise errors.StatusError(405, "MethodNotAllowed",
                                 "the server does not allow this method on the requested resource")

    def _token_request(self, ns: str, name: str, body: dict) -> dict:
        """pkg/registry/core/serviceaccount/storage/token.go: a JWT signed with the cluster's
        service-account key on the real clock (tokens keep it), bound to a pod, secret or node if asked."""
        import uuid
        from datetime import datetime, timezone
        from pykubectl import pki
        meta, spec = body.get("metadata") or {}, dict(body.get("spec") or {})
        g, k = "authentication.k8s.io", "TokenRequest"
        for key, want, what in (("name", name, "name"), ("namespace", ns, "namespace")):
            if meta.get(key) and meta[key] != want:
                raise errors.invalid(g, k, name, [errors.FieldError(
                    "Invalid value", f"metadata.{key}", f"must match the service account {what} if specified",
                    meta[key], True)])
        with self.store.read() as t:
            sa = t.get("", "serviceaccounts", ns, name)
            if sa is None:
                raise errors.not_found("", "serviceaccounts", name)
            pod = secret = node = None
            ref = spec.get("boundObjectRef")
            if ref:
                bound_kind = ref.get("kind", "")
                group, _, version = (ref.get("apiVersion") or "").rpartition("/")
                if group or bound_kind not in ("Pod", "Secret", "Node"):
                    raise errors.bad_request(f"cannot bind token to object of type {group}/{version}, Kind={bound_kind}")
                plural = {"Pod": "pods", "Secret": "secrets", "Node": "nodes"}[bound_kind]
                bound = t.get("", plural, "" if plural == "nodes" else ns, ref.get("name", ""))
                if bound is None:
                    raise errors.not_found("", plural, ref.get("name", ""))
                if bound_kind == "Pod":
                    pod = bound
                    if (pod.get("spec") or {}).get("serviceAccountName", "default") != name:
                        raise errors.bad_request(f'cannot bind token for serviceaccount "{name}" to pod running '
                                                 "with different serviceaccount name.")
                    node_name = (pod.get("spec") or {}).get("nodeName")
                    node = t.get("", "nodes", "", node_name) if node_name else None
                elif bound_kind == "Node":
                    node = bound
                else:
                    secret = bound
                if ref.get("uid") and ref["uid"] != bound["metadata"].get("uid"):
                    raise errors.conflict("", bound_kind, ref.get("name", ""),
                                          f"the UID in the bound object reference ({ref['uid']}) does not match the "
                                          "UID in record. The object might have been deleted and then recreated")
        seconds = spec.setdefault("expirationSeconds", pki.DEFAULT_TOKEN_SECONDS)
        if not isinstance(seconds, int) or seconds < 600 or seconds > 1 << 32:
            detail = ("may not specify a duration less than 10 minutes" if isinstance(seconds, int) and seconds < 600
                      else "may not specify a duration larger than 2^32 seconds")
            raise errors.invalid(g, k, name, [errors.FieldError("Invalid value", "spec.expirationSeconds", detail,
                                                                seconds, True)])
        if not spec.get("audiences"):
            spec["audiences"] = [pki.DEFAULT_ISSUER]
        spec.setdefault("boundObjectRef", None)   # a pointer without omitempty in Go
        now = self.now()
        issued = datetime.fromtimestamp(int(now - self.clock.skew()), timezone.utc)
        ref_of = lambda o: (o["metadata"]["name"], o["metadata"].get("uid", ""))   # noqa: E731
        claims = pki.service_account_claims(
            ns, name, sa["metadata"].get("uid", ""), *(ref_of(secret) if secret else (None, None)),
            now=issued, expiry=seconds, audiences=tuple(spec["audiences"]),
            pod=ref_of(pod) if pod else None, node=ref_of(node) if node else None, jti=str(uuid.uuid4()))
        if node and not pod:   # bound to the node alone
            claims["kubernetes.io"]["node"] = dict(zip(("name", "uid"), ref_of(node)))
        with open(self.cluster.pki_path("sa.key")) as f:
            token = pki.sign_token(f.read(), claims)
        return {"kind": k, "apiVersion": f"{g}/v1",
                "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(int(now))},
                "spec": spec, "status": {"token": token, "expirationTimestamp": rfc3339(int(now) + seconds)}}

    def update(self, kind, obj: dict, ns: str | None = None, *, subresource=None, dry_run=False,
               field_validation="Strict", field_manager="", duplicates=()):
        """PUT: returns (object, warnings). A stale resourceVersion gets 409 Conflict."""
        obj = _stored_version(kind, _clone(obj))
        warnings = self._check_fields(kind, obj, field_validation, duplicates)
        meta = obj.setdefault("metadata", {})
        ns = self._ns(kind, ns if ns is not None else meta.get("namespace"))
        name = meta.get("name")
        try:
            with self.store.write() as t:
                old = t.get(kind.group, kind.plural, ns or "", name)
                out = self._update(t, kind, ns, name, obj, subresource, field_manager or "kubectl")
                warnings += self._unmodelled(kind, out, old) if not subresource else []
                if dry_run:
                    raise DryRun(_unwritten(out, old))
        except DryRun as d:
            return d.result, warnings
        if kind.group == "apiextensions.k8s.io":
            self._invalidate_registry()
        return out, warnings

    def _update(self, t, kind, ns, name, obj, subresource, manager, *, create_ok=False, applied=False):
        old = t.get(kind.group, kind.plural, ns or "", name)
        if old is None:
            if create_ok:
                return self._create(t, kind, obj, ns, manager)
            raise errors.not_found(kind.group, kind.plural, name)
        meta = obj.setdefault("metadata", {})
        rv = meta.get("resourceVersion")
        if rv and rv != old["metadata"].get("resourceVersion"):
            raise errors.conflict(kind.group, kind.plural, name,
                                  "the object has been modified; please apply your changes to the latest version and try again")
        new = self._merge_update(kind, old, obj, subresource)
        now = self.now()
        self._defaults(t, kind, new)
        if (kind.group, kind.plural) == ("", "persistentvolumeclaims") and subresource is None:
            # the PersistentVolumeClaimResize admission plugin
            from pykubectl.storage.resize import resize_forbidden
            why = resize_forbidden(old, new, lambda n: t.get("storage.k8s.io", "storageclasses", "", n))
            if why:
                raise errors.forbidden(f'persistentvolumeclaims "{name}" is forbidden: {why}',
                                       {"name": name, "kind": "persistentvolumeclaims"})
        if subresource == "ephemeralcontainers":
            from pykubectl.apiserver.ephemeral import validate_ephemeral_update
            errs = validate_ephemeral_update(new, old)
            if errs:
                raise errors.invalid(kind.group, kind.kind, name, errs)
        else:
            self._validate(kind, new, old)
        if new == old:
            return old  # a no-op update writes nothing, as etcd3's GuaranteedUpdate skips it
        if not applied:
            self._record_manager(kind, old, new, manager, "Update", now, subresource)
        return self._finish_write(t, kind, new)

    def _merge_update(self, kind, old: dict, obj: dict, subresource) -> dict:
        """Apply the strategy's spec/status split and keep system metadata."""
        new = _clone(obj)
        new["apiVersion"], new["kind"] = kind.api_version, kind.kind
        om, nm = old["metadata"], new["metadata"]
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "generation", "namespace", "name"):
            if k in om:
                nm[k] = om[k]
            else:
                nm.pop(k, None)
        if "managedFields" not in nm and "managedFields" in om:
            nm["managedFields"] = om["managedFields"]
        if subresource == "ephemeralcontainers":
            from pykubectl.apiserver.ephemeral import merge_ephemeral
            return merge_ephemeral(old, new)
        if subresource == "status":
            # only status (and metadata) change through the status subresource
            out = _clone(old)
            if "status" in new:
                out["status"] = new["status"]
            else:
                out.pop("status", None)
            return out
        if "status" in kind.subresources:
            if "status" in old:
                new["status"] = _clone(old["status"])
            else:
                new.pop("status", None)
        if "generation" in om and _spec_part(new) != _spec_part(old):
            nm["generation"] = om["generation"] + 1
        # the request's resourceVersion was checked already; the stored one is compared below so a
        # request that changes nothing writes nothing
        nm["resourceVersion"] = om.get("resourceVersion")
        return new

    def _finish_write(self, t, kind, new: dict) -> dict:
        """Write an update, completing a pending deletion once no finalizer holds it."""
        meta = new["metadata"]
        # a pod still in its grace period waits for the kubelet; one whose grace is spent (the
        # kubelet's grace-0 delete came while a finalizer held it) goes with the last finalizer,
        # as the registry's shouldDeleteDuringUpdate decides
        if meta.get("deletionTimestamp") and not meta.get("finalizers") \
                and (kind.plural != "pods" or kind.group or meta.get("deletionGracePeriodSeconds") == 0):
            t.delete(kind.group, kind.plural, new)
            return new
        return t.put(kind.group, kind.plural, new, "MODIFIED")

    def patch(self, kind, ns: str | None, name: str, patch_type: str, body, *, subresource=None,
              dry_run=False, field_manager="", force=False, field_validation="Strict"):
        """PATCH with json | merge | strategic | apply: returns (object, warnings)."""
        from pykubectl.api import patch as P
        ns = self._ns(kind, ns)
        same = self._unchanged_by_patch(kind, ns, name, patch_type, body, subresource)
        if same is not None:
            return (_unwritten(same, same) if dry_run else same), []
        warnings = []
        try:
            with self.store.write() as t:
                old = t.get(kind.group, kind.plural, ns or "", name)
                if patch_type == "apply":
                    out, warnings = self._server_side_apply(t, kind, ns, name, old, body,
                                                            field_manager, force, field_validation)
                else:
                    if old is None:
                        raise errors.not_found(kind.group, kind.plural, name)
                    schema = self.schema_for(kind)
                    try:
                        if patch_type == "json":
                            new = P.json_patch(old, body)
                        elif patch_type == "merge":
                            new = P.merge_patch(old, body)
                        elif patch_type == "strategic":
                            if kind.crd:
                                raise errors.StatusError(415, "UnsupportedMediaType",
                                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
                            new = P.strategic_merge_patch(old, body, schema)
                        else:
                            raise errors.bad_request(f"unknown patch type {patch_type}")
                    except P.PatchError as e:
                        raise e.status_error()
                    if not isinstance(new, dict):
                        raise errors.bad_request("patch did not produce an object")
                    warnings = self._check_fields(kind, new, field_validation, (), old=old)
                    if (new.get("metadata") or {}).get("resourceVersion") == old["metadata"]["resourceVersion"]:
                        new["metadata"].pop("resourceVersion", None)
                    out = self._update(t, kind, ns, name, new, subresource, field_manager or "kubectl")
                warnings += self._unmodelled(kind, out, old) if not subresource else []
                if dry_run:
                    raise DryRun(_unwritten(out, old))
        except DryRun as d:
            return d.result, warnings
        if kind.group == "apiextensions.k8s.io":
            self._invalidate_registry()
        return out, warnings

    def _unchanged_by_patch(self, kind, ns, name, patch_type, body, subresource):
        """The stored object when the patch changes nothing in it (`label` of the value it has),
        found from a read: the write path would end in the same object and resourceVersion, and a
        no-op write is skipped anyway (etcd3's GuaranteedUpdate), so no write transaction,
        admission or validation is paid for it. None when the write path must decide (errors
        included: it words them)."""
        if subresource or not (patch_type == "merge" or patch_type == "json"
                               or (patch_type == "strategic" and not kind.crd)):
            return None
        from pykubectl.api import patch as P
        with self.store.read() as t:
            old = t.get(kind.group, kind.plural, ns or "", name)
        if old is None:
            return None
        if patch_type == "merge":
            return old if _merge_changes_nothing(old, body) else None
        try:
            if patch_type == "json":
                new = P.json_patch(old, body)
            else:
                new = P.strategic_merge_patch(old, body, self.schema_for(kind))
        except P.PatchError:
            return None
        return old if new == old else None

    def _server_side_apply(self, t, kind, ns, name, old, body, manager, force, field_validation):
        from pykubectl.api import managedfields as MF
        if not manager:
            raise errors.bad_request("PATCH, application/apply-patch+yaml requires fieldManager to be set")
        checked = body
        if kind.crd and isinstance(body, dict):   # the typed-patch error names the URL's namespace
            checked = dict(body, metadata=dict(body.get("metadata") or {}, namespace=ns or ""))
        warnings = self._check_fields(kind, checked, field_validation, (), apply=True)
        schema = self.schema_for(kind)
        now = rfc3339(self.now())
        try:
            merged = MF.server_side_apply(old, body, manager, schema, force, now)
        except MF.ApplyConflict as e:
            raise e.status_error()
        if old is None:
            merged.setdefault("metadata", {})["name"] = name
            return self._create(t, kind, merged, ns, manager, applied=True), warnings
        merged["metadata"].pop("resourceVersion", None)
        return self._update(t, kind, ns, name, merged, None, manager, applied=True), warnings

    def delete(self, kind, ns: str | None, name: str, *, grace_period: int | None = None,
               propagation: str | None = None, dry_run=False, preconditions: dict | None = None):
        """DELETE: graceful for pods, finalizers honoured; returns the object as the server does."""
        ns = self._ns(kind, ns)
        try:
            with self.store.write() as t:
                old = t.get(kind.group, kind.plural, ns or "", name)
                if old is None:
                    raise errors.not_found(kind.group, kind.plural, name)
                _check_preconditions(kind, old, preconditions or {})
                out = self.remove_object(t, kind, old, grace_period, propagation)
                if dry_run:
                    raise DryRun(old)
        except DryRun as d:
            return d.result
        if kind.group == "apiextensions.k8s.io":
            self._invalidate_registry()
        return out

    def remove_object(self, t, kind, old: dict, grace_period=None, propagation=None, owned: bool = False) -> dict:
        """The deletion logic shared by the API and the controllers (GC, namespace, eviction).
        `owned`: `old` was just read for this call and may be changed in place (no copy)."""
        obj = old if owned else _clone(old)
        meta = obj["metadata"]
        now = self.now()
        finalizers = list(meta.get("finalizers") or [])
        if propagation is None:
            propagation = "Background"
        if propagation == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        elif propagation == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        grace = 0
        if kind.group == "" and kind.plural == "pods":
            spec = obj.get("spec") or {}
            phase = (obj.get("status") or {}).get("phase")
            if grace_period is None:
                grace = int(spec.get("terminationGracePeriodSeconds", 30) if spec.get("terminationGracePeriodSeconds") is not None else 30)
            else:
                grace = max(int(grace_period), 0)
            # an unscheduled or finished pod has nothing to stop: it goes at once
            if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
                grace = 0
        if kind.group == "" and kind.plural == "namespaces":
            if (obj.get("spec") or {}).get("finalizers"):
                if not meta.get("deletionTimestamp"):
                    meta["deletionTimestamp"] = rfc3339(now)
                    meta["deletionGracePeriodSeconds"] = 0
                obj.setdefault("status", {})["phase"] = "Terminating"
                meta["finalizers"] = finalizers or meta.get("finalizers")
                if not meta.get("finalizers"):
                    meta.pop("finalizers", None)
                return t.put(kind.group, kind.plural, obj, "MODIFIED")
        if meta.get("deletionTimestamp"):
            # already terminating: a shorter grace period may still shorten it
            if kind.plural == "pods" and kind.group == "" and grace_period is not None:
                cur = meta.get("deletionGracePeriodSeconds")
                if cur is None or grace < cur:
                    if grace == 0 and not finalizers:
                        t.delete(kind.group, kind.plural, obj)
                        return obj
                    meta["deletionGracePeriodSeconds"] = grace
                    meta["deletionTimestamp"] = rfc3339(now + grace)
                    return t.put(kind.group, kind.plural, obj, "MODIFIED")
            if finalizers != list(meta.get("finalizers") or []):
                meta["finalizers"] = finalizers
                return t.put(kind.group, kind.plural, obj, "MODIFIED")
            return obj
        if grace > 0 or finalizers:
            meta["deletionTimestamp"] = rfc3339(now + grace)
            meta["deletionGracePeriodSeconds"] = grace
            if finalizers:
                meta["finalizers"] = finalizers
            return t.put(kind.group, kind.plural, obj, "MODIFIED")
        t.delete(kind.group, kind.plural, obj)
        return obj

    # -- used by controllers (inside the engine's transaction) -------------------------
    def write_object(self, t, kind, obj: dict, *, status=False, manager="kube-controller-manager") -> dict:
        """A controller's update: no field validation, optimistic concurrency on the rv it read."""
        name = obj["metadata"]["name"]
        ns = obj["metadata"].get("namespace") or ""
        old = t.get(kind.group, kind.plural, ns, name)
        if old is None:
            return self._create(t, kind, _clone(obj), ns or None, manager,
                                status_from_request=True)
        rv = obj["metadata"].get("resourceVersion")
        if rv and rv != old["metadata"].get("resourceVersion"):
            raise errors.conflict(kind.group, kind.plural, name, "the object has been modified")
        new = _clone(obj)
        if status:
            new = self._merge_update(kind, old, new, "status")
            new["metadata"] = _clone(obj["metadata"])
            for k in ("uid", "creationTimestamp", "generation"):
                if k in old["metadata"]:
                    new["metadata"][k] = old["metadata"][k]
        elif "generation" in old["metadata"] and _spec_part(new) != _spec_part(old):
            new["metadata"]["generation"] = old["metadata"]["generation"] + 1
        if new == old:
            return old
        return self._finish_write(t, kind, new)

    def create_in(self, t, kind, obj: dict, manager="kube-controller-manager") -> dict:
        """A controller's create (ReplicaSet making pods, the recorder making events)."""
        obj = _clone(obj)
        meta = obj.setdefault("metadata", {})
        return self._create(t, kind, obj, meta.get("namespace") if kind.namespaced else None,
                            manager, status_from_request=True)

    # -- admission --------------------------------------------------------------------
    def _ns(self, kind, ns):
        if not kind.namespaced:
            return None
        return ns or "default"

    def _admit_namespace(self, t, ns):
        """NamespaceLifecycle: the namespace must exist and not be terminating."""
        nso = t.get("", "namespaces", "", ns)
        if nso is None:
            raise errors.not_found("", "namespaces", ns)
        if (nso.get("metadata") or {}).get("deletionTimestamp"):
            raise errors.forbidden(
                f"unable to create new content in namespace {ns} because it is being terminated",
                {"name": ns, "kind": "namespaces"})

    def _defaults(self, t, kind, obj):
        from pykubectl.apiserver import admission
        admission.admit(self, t, kind, obj)

    def _check_fields(self, kind, obj, mode, duplicates, *, apply=False, old=None) -> list[str]:
        if kind.crd:
            return self._crd_decode(kind, obj, mode, duplicates, apply)
        from pykubectl.api import validation
        return validation.check_fields(obj, self.schema_for(kind), mode, duplicates, old) or []

    def _crd_schema(self, kind, api_version=None) -> dict | None:
        """The openAPIV3Schema of the CRD version a custom resource is written or read at."""
        from pykubectl.api import crd_schema
        version = str(api_version or "").rpartition("/")[2]
        with self.store.read() as t:
            crd = t.get("apiextensions.k8s.io", "customresourcedefinitions", "", f"{kind.plural}.{kind.group}")
        if crd is None:
            return None
        return crd_schema.version_schema(crd, version if version in kind.versions else kind.version)

    def _crd_decode(self, kind, obj, mode, duplicates, apply) -> list[str]:
        """A custom resource's decoding: its metadata as ObjectMeta, the rest pruned and
        defaulted by the CRD's schema (server-side apply refuses undeclared fields instead)."""
        from pykubectl.api import crd_schema, validation
        if not isinstance(obj, dict):
            return []
        schema = self._crd_schema(kind, obj.get("apiVersion"))
        if schema is None:
            return []
        if apply:
            undeclared = crd_schema.undeclared_for_apply(obj, schema)
            if undeclared:
                meta = obj.get("metadata") or {}
                raise crd_schema.apply_error(kind, meta.get("namespace") or "", meta.get("name") or "", undeclared)
            return [w for w in [crd_schema.cel_warning(schema)] if w]
        meta_strict = validation.check_fields(obj, {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                              "Warn", duplicates)
        return crd_schema.decode(obj, schema, mode, strict=meta_strict)

    def _crd_default(self, kind, objs) -> None:
        """Defaulting on read, as the CR codec does when it decodes what storage holds."""
        from pykubectl.api import crd_schema
        schema = self._crd_schema(kind)
        if schema is not None:
            for o in objs:
                crd_schema.default(o, schema)

    @staticmethod
    def _unmodelled(kind, new, old) -> list[str]:
        """One warning naming the fields this write sets that the simulation does not act on."""
        if kind.group not in ("", "apps", "batch") or not isinstance(new, dict):
            return []
        from pykubectl.api import unmodelled
        return unmodelled.warnings(kind.kind, new, old)

    def _validate(self, kind, obj, old):
        from pykubectl.api import validation
        errs = validation.validate(obj, old)
        if kind.crd:
            from pykubectl.api import crd_schema
            schema = self._crd_schema(kind)
            crd_schema.default(obj, schema)
            errs = list(errs or []) + crd_schema.validate(obj, schema)
        if errs:
            raise errors.invalid(kind.group, kind.kind, obj["metadata"].get("name", ""), errs)

    def _record_manager(self, kind, old, new, manager, operation, now, subresource=None):
        from pykubectl.api import managedfields as MF
        out = MF.record_update(old, new, manager, operation, self.schema_for(kind), rfc3339(now),
                               subresource or "")
        mf = (out.get("metadata") or {}).get("managedFields")
        if mf:
            new["metadata"]["managedFields"] = mf
        else:
            new["metadata"].pop("managedFields", None)
