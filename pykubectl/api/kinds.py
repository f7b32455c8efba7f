"""The API resources a Kubernetes v1.32 cluster serves, and kubectl's way of naming them.

One table (`BUILTIN`) says, per resource, what the apiserver's discovery says: group, versions,
kind, plural, singular, scope, short names, categories, verbs and subresources. It is taken from
kube-apiserver's discovery documents (kubernetes `api/discovery/*.json`) for the API versions a
kubeadm v1.32 cluster serves by default (GA versions only: beta APIs are off by default, and
flowcontrol v1beta3 stopped being served in 1.32), plus metrics-server's metrics.k8s.io.

`Registry.resolve` reproduces kubectl's lookup of a command-line resource argument: client-go's
shortcut expander (restmapper/shortcut.go) in front of the priority REST mapper built from
discovery (restmapper/discovery.go, meta/restmapper.go), driven by kubectl's
`Builder.mappingFor`. Ties between groups are broken by discovery order, which is the
apiserver's group priority (kube-apiserver `apiVersionPriorities`): that is why `events` means
core events and not events.k8s.io ones, and why `hpa` means autoscaling/v2.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from pykubectl.api.errors import UserError

# The verbs of an ordinary REST storage, in discovery's (sorted) order.
CRUD = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
# apiextensions-apiserver lists a custom resource's verbs in this fixed, unsorted order.
CRD_VERBS = ("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")


class Kind:
    """One API resource. Immutable, compared by value. (A plain class: `dataclasses` imports
    `inspect`, which alone costs more start-up than this whole module.)"""

    __slots__ = ("group", "version", "kind", "plural", "singular", "namespaced", "short_names",
                 "categories", "verbs", "subresources", "versions", "crd")

    def __init__(self, group: str, version: str, kind: str, plural: str, singular: str,
                 namespaced: bool, short_names: tuple = (), categories: tuple = (),
                 verbs: tuple = CRUD, subresources: tuple = (), versions: tuple = (),
                 crd: bool = False):
        s = object.__setattr__
        s(self, "group", group)               # "" for core
        s(self, "version", version)           # preferred version, e.g. "v2" for autoscaling
        s(self, "kind", kind)                 # "Deployment"
        s(self, "plural", plural)             # "deployments"
        s(self, "singular", singular)         # "deployment"
        s(self, "namespaced", namespaced)
        s(self, "short_names", tuple(short_names))
        s(self, "categories", tuple(categories))
        s(self, "verbs", tuple(verbs))
        s(self, "subresources", tuple(subresources))
        s(self, "versions", tuple(versions) or (version,))   # all served, preferred first
        s(self, "crd", crd)

    def __setattr__(self, k, v):
        raise AttributeError(f"Kind is immutable: cannot set {k}")

    def _key(self):
        return tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other):
        return isinstance(other, Kind) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "Kind(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__slots__) + ")"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """Group-qualified plural, as kubectl and the apiserver name a resource: `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def list_kind(self) -> str:
        return self.kind + "List"


class UnknownResource(UserError):
    """kubectl could map the argument neither to a resource nor to a kind."""

    def __init__(self, resource: str):
        super().__init__(f'the server doesn\'t have a resource type "{resource}"')
        self.resource = resource


class NoKindMatch(UserError):
    """A manifest's apiVersion/kind is not served (meta.NoKindMatchError)."""

    def __init__(self, group: str, version: str, kind: str):
        gv = f"{group}/{version}" if group else version
        super().__init__(f'no matches for kind "{kind}" in version "{gv}"')
        self.group, self.version, self.kind = group, version, kind


def _k(group, kind, plural, namespaced, short=(), cats=(), verbs=CRUD, sub=(), versions=("v1",),
       singular=None) -> Kind:
    return Kind(group=group, version=versions[0], kind=kind, plural=plural,
                singular=singular or kind.lower(), namespaced=namespaced, short_names=short,
                categories=cats, verbs=verbs, subresources=sub, versions=versions)


_ALL = ("all",)
_EXT = ("api-extensions",)
_STATUS = ("status",)
_SCALE = ("scale", "status")
_CREATE = ("create",)
_METRICS = ("v1beta1",)

_TABLE = (
    # core v1
    _k("", "Binding", "bindings", True, verbs=_CREATE),
    _k("", "ComponentStatus", "componentstatuses", False, short=("cs",), verbs=("get", "list")),
    _k("", "ConfigMap", "configmaps", True, short=("cm",)),
    _k("", "Endpoints", "endpoints", True, short=("ep",)),
    _k("", "Event", "events", True, short=("ev",)),
    _k("", "LimitRange", "limitranges", True, short=("limits",)),
    # a namespace is deleted only one at a time (no deletecollection)
    _k("", "Namespace", "namespaces", False, short=("ns",),
       verbs=("create", "delete", "get", "list", "patch", "update", "watch"), sub=("finalize", "status")),
    _k("", "Node", "nodes", False, short=("no",), sub=("proxy", "status")),
    _k("", "PersistentVolumeClaim", "persistentvolumeclaims", True, short=("pvc",), sub=_STATUS),
    _k("", "PersistentVolume", "persistentvolumes", False, short=("pv",), sub=_STATUS),
    _k("", "Pod", "pods", True, short=("po",), cats=_ALL,
       sub=("attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward",
            "proxy", "status")),
    _k("", "PodTemplate", "podtemplates", True),
    _k("", "ReplicationController", "replicationcontrollers", True, short=("rc",), cats=_ALL, sub=_SCALE),
    _k("", "ResourceQuota", "resourcequotas", True, short=("quota",), sub=_STATUS),
    _k("", "Secret", "secrets", True),
    _k("", "ServiceAccount", "serviceaccounts", True, short=("sa",), sub=("token",)),
    _k("", "Service", "services", True, short=("svc",), cats=_ALL, sub=("proxy", "status")),
    # admissionregistration.k8s.io
    _k("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
       False, cats=_EXT),
    _k("admissionregistration.k8s.io", "ValidatingAdmissionPolicy", "validatingadmissionpolicies",
       False, cats=_EXT, sub=_STATUS),
    _k("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding",
       "validatingadmissionpolicybindings", False, cats=_EXT),
    _k("admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
       "validatingwebhookconfigurations", False, cats=_EXT),
    # apiextensions.k8s.io, apiregistration.k8s.io
    _k("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", False,
       short=("crd", "crds"), cats=_EXT, sub=_STATUS),
    _k("apiregistration.k8s.io", "APIService", "apiservices", False, cats=_EXT, sub=_STATUS),
    # apps
    _k("apps", "ControllerRevision", "controllerrevisions", True),
    _k("apps", "DaemonSet", "daemonsets", True, short=("ds",), cats=_ALL, sub=_STATUS),
    _k("apps", "Deployment", "deployments", True, short=("deploy",), cats=_ALL, sub=_SCALE),
    _k("apps", "ReplicaSet", "replicasets", True, short=("rs",), cats=_ALL, sub=_SCALE),
    _k("apps", "StatefulSet", "statefulsets", True, short=("sts",), cats=_ALL, sub=_SCALE),
    # authentication.k8s.io, authorization.k8s.io: create-only reviews, never stored
    _k("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", False, verbs=_CREATE),
    _k("authentication.k8s.io", "TokenReview", "tokenreviews", False, verbs=_CREATE),
    _k("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", True, verbs=_CREATE),
    _k("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False, verbs=_CREATE),
    _k("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", False, verbs=_CREATE),
    _k("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", False, verbs=_CREATE),
    # autoscaling: v2 preferred, v1 still served
    _k("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, short=("hpa",),
       cats=_ALL, sub=_STATUS, versions=("v2", "v1")),
    # batch
    _k("batch", "CronJob", "cronjobs", True, short=("cj",), cats=_ALL, sub=_STATUS),
    _k("batch", "Job", "jobs", True, cats=_ALL, sub=_STATUS),
    # certificates.k8s.io
    _k("certificates.k8s.io", "CertificateSigningRequest", "certificatesigningrequests", False,
       short=("csr",), sub=("approval", "status")),
    # coordination.k8s.io, discovery.k8s.io, events.k8s.io
    _k("coordination.k8s.io", "Lease", "leases", True),
    _k("discovery.k8s.io", "EndpointSlice", "endpointslices", True),
    _k("events.k8s.io", "Event", "events", True, short=("ev",)),
    # flowcontrol.apiserver.k8s.io
    _k("flowcontrol.apiserver.k8s.io", "FlowSchema", "flowschemas", False, sub=_STATUS),
    _k("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", "prioritylevelconfigurations",
       False, sub=_STATUS),
    # metrics.k8s.io: served by metrics-server through an APIService, read-only
    _k("metrics.k8s.io", "NodeMetrics", "nodes", False, verbs=("get", "list"), versions=_METRICS,
       singular="node"),
    _k("metrics.k8s.io", "PodMetrics", "pods", True, verbs=("get", "list"), versions=_METRICS,
       singular="pod"),
    # networking.k8s.io (IPAddress and ServiceCIDR are still v1beta1, off by default, in 1.32)
    _k("networking.k8s.io", "IngressClass", "ingressclasses", False),
    _k("networking.k8s.io", "Ingress", "ingresses", True, short=("ing",), sub=_STATUS),
    _k("networking.k8s.io", "NetworkPolicy", "networkpolicies", True, short=("netpol",)),
    # node.k8s.io, policy, rbac, scheduling
    _k("node.k8s.io", "RuntimeClass", "runtimeclasses", False),
    _k("policy", "PodDisruptionBudget", "poddisruptionbudgets", True, short=("pdb",), sub=_STATUS),
    _k("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", False),
    _k("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", False),
    _k("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", True),
    _k("rbac.authorization.k8s.io", "Role", "roles", True),
    _k("scheduling.k8s.io", "PriorityClass", "priorityclasses", False, short=("pc",)),
    # storage.k8s.io
    _k("storage.k8s.io", "CSIDriver", "csidrivers", False),
    _k("storage.k8s.io", "CSINode", "csinodes", False),
    _k("storage.k8s.io", "CSIStorageCapacity", "csistoragecapacities", True),
    _k("storage.k8s.io", "StorageClass", "storageclasses", False, short=("sc",)),
    _k("storage.k8s.io", "VolumeAttachment", "volumeattachments", False, sub=_STATUS),
)

# `kubectl api-resources` sorts by group, then by resource name.
BUILTIN: tuple[Kind, ...] = tuple(sorted(_TABLE, key=lambda k: (k.group, k.plural)))

# GroupPriorityMinimum of each built-in group (kube-apiserver's apiVersionPriorities): the order
# of /apis, hence of discovery, of category expansion and of ties in resource lookup. The
# aggregator lists its own group, apiregistration.k8s.io, first.
GROUP_PRIORITY = {
    "apiregistration.k8s.io": 18000,
    "apps": 17800,
    "events.k8s.io": 17750,
    "authentication.k8s.io": 17700,
    "authorization.k8s.io": 17600,
    "autoscaling": 17500,
    "batch": 17400,
    "certificates.k8s.io": 17300,
    "networking.k8s.io": 17200,
    "policy": 17100,
    "rbac.authorization.k8s.io": 17000,
    "storage.k8s.io": 16800,
    "admissionregistration.k8s.io": 16700,
    "apiextensions.k8s.io": 16700,
    "scheduling.k8s.io": 16600,
    "coordination.k8s.io": 16500,
    "node.k8s.io": 16300,
    "discovery.k8s.io": 16200,
    "flowcontrol.apiserver.k8s.io": 16100,
    "metrics.k8s.io": 100,   # metrics-server's APIService
}
# The crdregistration controller gives every CRD group this priority.
CRD_GROUP_PRIORITY = 1000

_KUBE_VERSION = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")


def version_order_key(version: str) -> tuple:
    """Kube-aware version order (v2, v1, v2beta1, v1beta1, v1alpha1, then others by name)."""
    m = _KUBE_VERSION.fullmatch(version)
    if not m:
        return (3, 0, 0, version)
    stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (stage, -int(m.group(1)), -int(m.group(3) or 0), "")


def _split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def kind_from_crd(crd: dict) -> Kind | None:
    """The resource a CustomResourceDefinition (apiextensions.k8s.io/v1) serves, or None."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    kind, plural, group = names.get("kind"), names.get("plural"), spec.get("group")
    if not (kind and plural and group):
        return None
    served = [v for v in spec.get("versions") or () if v.get("served", True) and v.get("name")]
    if not served:
        return None
    served.sort(key=lambda v: version_order_key(v["name"]))
    # per-version subresources; the top-level field is the pre-v1 (v1beta1) spelling
    sub = served[0].get("subresources") or spec.get("subresources") or {}
    subresources = tuple(s for s in ("scale", "status") if s in sub)
    return Kind(group=group, version=served[0]["name"], kind=kind, plural=plural,
                singular=names.get("singular") or kind.lower(),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                verbs=CRD_VERBS, subresources=subresources,
                versions=tuple(v["name"] for v in served), crd=True)


class Registry:
    """The served resources, looked up the way kubectl and the apiserver do."""

    def __init__(self, kinds: Iterable[Kind] = BUILTIN):
        self._kinds = tuple(sorted(kinds, key=lambda k: (k.group, k.plural)))
        # discovery order: core first, then groups by priority and name, resources by name
        self._ordered = tuple(sorted(self._kinds, key=lambda k: (self._group_key(k), k.plural)))

    @staticmethod
    def _group_key(k: Kind) -> tuple:
        prio = GROUP_PRIORITY.get(k.group, CRD_GROUP_PRIORITY)
        return (k.group != "", -prio, k.group)

    def with_crds(self, crds: Iterable[dict]) -> "Registry":
        """A new registry that also serves the resources these CRDs define."""
        kinds = {(k.group, k.plural): k for k in self._kinds}
        for crd in crds:
            k = kind_from_crd(crd)
            if k is None:
                continue
            existing = kinds.get((k.group, k.plural))
            # a built-in resource shadows a CRD claiming its name; a later CRD replaces an earlier one
            if existing is None or existing.crd:
                kinds[(k.group, k.plural)] = k
        return Registry(kinds.values())

    # --- the command line -------------------------------------------------------------------

    def resolve(self, arg: str, warn: Callable[[str], None] | None = None) -> Kind:
        """The resource a command-line argument names: `po`, `Pod`, `deployments.v1.apps`, ..."""
        return self.resolve_version(arg, warn)[0]

    def resolve_version(self, arg: str, warn: Callable[[str], None] | None = None) -> tuple[Kind, str]:
        """`resolve`, plus the version kubectl would request: the one named, else the preferred."""
        # Builder.mappingFor: first as a resource (resource[.version.group] or resource[.group]),
        # then as a kind (Kind[.version.group] or Kind[.group]).
        resource, _, group = arg.partition(".")
        if arg.count(".") >= 2:
            r, v, g = arg.split(".", 2)
            hit = self._resource_for(r, g, v, warn)
            if hit:
                return hit
        hit = self._resource_for(resource, group, "", warn)
        if hit:
            return hit
        if arg.count(".") >= 2:
            kd, v, g = arg.split(".", 2)
            hit = self._kind_for(kd, g, v)
            if hit:
                return hit
        hit = self._kind_for(resource, group, "")
        if hit:
            return hit
        raise UnknownResource(resource)

    def _expand_shortcut(self, resource: str, group: str, warn) -> tuple[str, str]:
        # client-go's shortcutExpander: exact names win; then the first short name in
        # discovery order (warning about lower-priority ones); then a group prefix match.
        for k in self._ordered:
            if group and group != k.group:
                continue
            if resource in (k.plural, k.singular):
                return resource, group
        found = None
        warned = set()
        for k in self._ordered:
            if group and group != k.group:
                continue
            if resource not in k.short_names:
                continue
            if found is None:
                found = k
            elif (k.group, k.plural) != (found.group, found.plural) and k.resource not in warned:
                warned.add(k.resource)
                if warn:
                    warn(f'short name "{resource}" could also match lower priority resource {k.resource}')
        if found:
            return found.plural, found.group
        if group:
            for k in self._ordered:
                if k.group.startswith(group) and resource in k.short_names:
                    return k.plural, k.group
        return resource, group

    def _resource_for(self, resource: str, group: str, version: str, warn) -> tuple[Kind, str] | None:
        expanded, egroup = self._expand_shortcut(resource, group, warn)
        if (expanded, egroup) != (resource, group):
            version = ""   # the expander drops the version of a short name
        name = expanded.lower()   # plural and singular match case-insensitively

        def named(k: Kind) -> bool:
            return name in (k.plural, k.singular)

        if egroup and version:
            hits = [k for k in self._ordered if k.group == egroup and version in k.versions and named(k)]
        elif egroup:
            hits = [k for k in self._ordered if k.group == egroup and named(k)]
            if not hits:
                # "storageclass.storage" finds storageclasses.storage.k8s.io
                hits = [k for k in self._ordered if k.group.startswith(egroup) and named(k)]
        else:
            hits = [k for k in self._ordered if named(k)]
        if not hits:
            return None
        return hits[0], version or hits[0].version

    def _kind_for(self, kind: str, group: str, version: str) -> tuple[Kind, str] | None:
        # the discovery REST mapper knows each kind as spelled and in lower case
        for k in self._ordered:
            if k.group == group and kind in (k.kind, k.kind.lower()):
                if version and version not in k.versions:
                    return None
                return k, version or k.version
        return None

    # --- manifests --------------------------------------------------------------------------

    def for_gvk(self, api_version: str, kind: str) -> Kind:
        """The resource serving a manifest's apiVersion/kind (any served version of the group)."""
        group, version = _split_api_version(api_version)
        for k in self._ordered:
            if k.group == group and k.kind == kind and version in k.versions:
                return k
        raise NoKindMatch(group, version, kind)

    # --- discovery --------------------------------------------------------------------------

    def category(self, name: str) -> list[Kind]:
        """The resources a category expands to (`all`), in kubectl's order; [] if none."""
        return [k for k in self._ordered if name in k.categories]

    def all(self) -> list[Kind]:
        """Every resource, in `kubectl api-resources` order (group, then name)."""
        return list(self._kinds)

    def in_discovery_order(self) -> list[Kind]:
        """Every resource in the order the apiserver's discovery lists them."""
        return list(self._ordered)

    def groups(self) -> list[tuple[str, list[str]]]:
        """(group, served versions, preferred first) in discovery order; core is ("", ["v1"])."""
        out: dict[str, set[str]] = {}
        for k in self._ordered:
            out.setdefault(k.group, set()).update(k.versions)
        # every built-in group's version priorities agree with the kube-aware order, and the
        # aggregator orders a CRD group's versions (all of equal priority) by it
        return [(g, sorted(vs, key=version_order_key)) for g, vs in out.items()]

    def served_in(self, group: str, version: str) -> list[Kind]:
        """The resources of one group/version (an APIResourceList), by name."""
        return [k for k in self._ordered if k.group == group and version in k.versions]


@functools.lru_cache(maxsize=1)
def default_registry() -> Registry:
    return Registry(BUILTIN)
