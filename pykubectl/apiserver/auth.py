"""Authentication and RBAC authorization, as kube-apiserver does them.

Authentication: an x509 client certificate signed by the cluster CA (user = CN, groups = O) or
a bearer ServiceAccount token (a JWT signed with the cluster's sa.key). Authorization: RBAC over
the (Cluster)Role and (Cluster)RoleBinding objects handed in, deny by default, with the
apiserver's exact Forbidden wording. Pure logic: the caller reads the store and the clock.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from pykubectl.api import errors

MASTERS = "system:masters"
AUTHENTICATED = "system:authenticated"

# the first path segment after a version that is itself a namespace subresource, not a resource
_NAMESPACE_SUBRESOURCES = ("status", "finalize")
_VERBS = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch",
          "DELETE": "delete"}


class User:
    __slots__ = ("name", "groups")

    def __init__(self, name: str, groups=()):
        self.name = name
        groups = list(groups)
        if name != "system:anonymous" and AUTHENTICATED not in groups:
            groups.append(AUTHENTICATED)   # the apiserver adds it to every authenticated user
        self.groups = groups

    def __repr__(self):
        return f"User({self.name!r}, {self.groups!r})"


def from_certificate(ca_pem: str, cert_der: bytes | None, now) -> User | None:
    """The user of a verified client certificate; `now` is a datetime (the real clock)."""
    if not cert_der:
        return None
    from pykubectl import pki
    ident = pki.client_identity(ca_pem, cert_der, now)
    return User(ident[0], ident[1]) if ident else None


def from_token(sa_pub: str, token: str, now, service_account_uid=None) -> User | None:
    """The ServiceAccount a bearer token names, if its signature and times verify.

    `service_account_uid(ns, name)` returns the account's uid (None when it does not exist):
    a token of a deleted (or recreated) account is refused, as the apiserver's lookup does."""
    from pykubectl import pki
    claims = pki.verify_token(sa_pub, token, now)
    if not claims:
        return None
    sub = claims.get("sub") or ""
    parts = sub.split(":")
    if len(parts) != 4 or parts[:2] != ["system", "serviceaccount"]:
        return None
    ns, name = parts[2], parts[3]
    if service_account_uid is not None:
        uid = service_account_uid(ns, name)
        want = ((claims.get("kubernetes.io") or {}).get("serviceaccount") or {}).get("uid") \
            or claims.get("kubernetes.io/serviceaccount/service-account.uid")
        if uid is None or (want and want != uid):
            return None
    return User(sub, ["system:serviceaccounts", f"system:serviceaccounts:{ns}"])


def unauthorized() -> errors.StatusError:
    return errors.StatusError(401, "Unauthorized", "Unauthorized")


# -- request attributes (k8s.io/apiserver RequestInfoFactory) ---------------------------

class Attributes:
    """What is being asked: verb and resource (or non-resource path)."""

    __slots__ = ("user", "verb", "path", "resource_request", "api_group", "api_version",
                 "namespace", "resource", "subresource", "name")

    def __init__(self, user, verb, path, resource_request=False, api_group="", api_version="",
                 namespace="", resource="", subresource="", name=""):
        self.user, self.verb, self.path = user, verb, path
        self.resource_request = resource_request
        self.api_group, self.api_version = api_group, api_version
        self.namespace, self.resource, self.subresource, self.name = namespace, resource, subresource, name


def request_attributes(user: User, method: str, path: str, query: str = "") -> Attributes:
    """Parse /api/v1/namespaces/ns/pods/name/sub and /apis/g/v/... the way the apiserver does."""
    parts = [p for p in path.strip("/").split("/") if p] if path.strip("/") else []
    non_resource = Attributes(user, method.lower(), path)
    if not parts or parts[0] not in ("api", "apis"):
        return non_resource
    if parts[0] == "api":
        if len(parts) < 2:
            return non_resource
        group, version, rest = "", parts[1], parts[2:]
    else:
        if len(parts) < 3:
            return non_resource
        group, version, rest = parts[1], parts[2], parts[3:]
    if not rest:
        return non_resource
    q = parse_qs(query)
    verb = _VERBS.get(method.upper(), method.lower())
    watch_prefix = False
    if rest[0] in ("watch", "proxy") and len(rest) > 1:
        watch_prefix = rest[0] == "watch"
        if rest[0] == "proxy":
            verb = "proxy"
        rest = rest[1:]
    ns = ""
    if rest[0] == "namespaces":
        if len(rest) > 1:
            ns = rest[1]
            if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
                rest = rest[2:]
    a = Attributes(user, verb, path, True, group, version, ns)
    a.resource = rest[0]
    if len(rest) > 1:
        a.name = rest[1]
    if len(rest) > 2:
        a.subresource = rest[2]
    if watch_prefix:
        a.verb = "watch"
    elif verb == "get" and not a.name:
        a.verb = "watch" if (q.get("watch") or ["false"])[0].lower() in ("true", "1") else "list"
    elif verb == "delete" and not a.name:
        a.verb = "deletecollection"
    if a.verb in ("list", "watch") and not a.name:
        # a metadata.name field selector names the object (lets resourceNames rules match)
        for term in (q.get("fieldSelector") or [""])[0].split(","):
            k, _, v = term.partition("=")
            if k == "metadata.name" and v and not v.startswith("="):
                a.name = v
    return a


# -- RBAC --------------------------------------------------------------------------------

def _has(values, wanted: str) -> bool:
    return "*" in values or wanted in values


def rule_allows(rule: dict, a: Attributes) -> bool:
    """One PolicyRule against the request (rbac/v1 helpers: VerbMatches, ResourceMatches...)."""
    verbs = rule.get("verbs") or []
    if not _has(verbs, a.verb):
        return False
    if not a.resource_request:
        for u in rule.get("nonResourceURLs") or []:
            if u == "*" or u == a.path or (u.endswith("*") and a.path.startswith(u[:-1])):
                return True
        return False
    if rule.get("nonResourceURLs") and not rule.get("resources"):
        return False
    if not _has(rule.get("apiGroups") or [], a.api_group):
        return False
    combined = a.resource + ("/" + a.subresource if a.subresource else "")
    ok = False
    for r in rule.get("resources") or []:
        if r == "*" or r == combined:
            ok = True
        elif a.subresource and r == "*/" + a.subresource:
            ok = True
        elif not a.subresource and r == a.resource:
            ok = True
        if ok:
            break
    if not ok:
        return False
    names = rule.get("resourceNames") or []
    return not names or a.name in names


def _subject_matches(subject: dict, user: User, binding_ns: str) -> bool:
    kind = subject.get("kind")
    name = subject.get("name")
    if kind == "User":
        return name == user.name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_ns
        return user.name == f"system:serviceaccount:{ns}:{name}"
    return False


def _match_labels(selector: dict, labels: dict) -> bool:
    """An aggregation rule's clusterRoleSelector: metav1.LabelSelector semantics, shared."""
    from pykubectl.api.selectors import SelectorError, from_label_selector
    try:
        return from_label_selector(selector).matches(labels)
    except SelectorError:
        return False   # the aggregation controller skips a selector it cannot parse


class Policy:
    """The RBAC objects the authorizer consults (as its informers' caches would hold them)."""

    def __init__(self, cluster_roles=(), cluster_role_bindings=(), roles=(), role_bindings=()):
        self.cluster_roles = {o["metadata"]["name"]: o for o in cluster_roles}
        self.cluster_role_bindings = list(cluster_role_bindings)
        self.roles = {(o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in roles}
        self.role_bindings = list(role_bindings)

    def _cluster_role_rules(self, name: str) -> list[dict] | None:
        cr = self.cluster_roles.get(name)
        if cr is None:
            return None
        rules = list(cr.get("rules") or [])
        agg = cr.get("aggregationRule")
        if agg:
            # the clusterrole-aggregation controller's union, computed on read
            for other in self.cluster_roles.values():
                if other is cr:
                    continue
                labels = (other.get("metadata") or {}).get("labels") or {}
                if any(_match_labels(sel, labels) for sel in agg.get("clusterRoleSelectors") or []):
                    rules.extend(r for r in other.get("rules") or [] if r not in rules)
        return rules

    def _role_rules(self, ref: dict, ns: str) -> tuple[list[dict] | None, str]:
        kind, name = ref.get("kind"), ref.get("name")
        if kind == "ClusterRole":
            rules = self._cluster_role_rules(name)
            return rules, f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
        role = self.roles.get((ns, name))
        return (None if role is None else role.get("rules") or []), \
            f'role.rbac.authorization.k8s.io "{name}" not found'

    def authorize(self, a: Attributes) -> tuple[bool, str]:
        """(allowed, reason): the union of system:masters and RBAC, deny by default."""
        if MASTERS in a.user.groups:
            return True, ""
        errs = []
        for b in self.cluster_role_bindings:
            if not any(_subject_matches(s, a.user, "") for s in b.get("subjects") or []):
                continue
            rules, missing = self._role_rules(b.get("roleRef") or {}, "")
            if rules is None:
                errs.append(missing)
                continue
            if any(rule_allows(r, a) for r in rules):
                return True, ""
        if a.namespace:
            for b in self.role_bindings:
                bns = b["metadata"].get("namespace", "")
                if bns != a.namespace:
                    continue
                if not any(_subject_matches(s, a.user, bns) for s in b.get("subjects") or []):
                    continue
                rules, missing = self._role_rules(b.get("roleRef") or {}, bns)
                if rules is None:
                    errs.append(missing)
                    continue
                if any(rule_allows(r, a) for r in rules):
                    return True, ""
        reason = ""
        if errs:
            reason = "RBAC: " + (errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")
        return False, reason


def forbidden_message(a: Attributes) -> str:
    """The authorizer half of the message (responsewriters.forbiddenMessage)."""
    if not a.resource_request:
        return f'User "{a.user.name}" cannot {a.verb} path "{a.path}"'
    resource = a.resource + ("/" + a.subresource if a.subresource else "")
    if a.namespace:
        return (f'User "{a.user.name}" cannot {a.verb} resource "{resource}" in API group '
                f'"{a.api_group}" in the namespace "{a.namespace}"')
    return (f'User "{a.user.name}" cannot {a.verb} resource "{resource}" in API group '
            f'"{a.api_group}" at the cluster scope')


def forbidden(a: Attributes, reason: str = "") -> errors.StatusError:
    """The 403 Status (responsewriters.ForbiddenStatus + apierrors.NewForbidden)."""
    msg = forbidden_message(a)
    if reason:
        msg += ": " + reason
    qualified = ""
    if a.resource:
        qualified = f"{a.resource}.{a.api_group}" if a.api_group else a.resource
    if not qualified:
        message = f"forbidden: {msg}"
    elif a.name:
        message = f'{qualified} "{a.name}" is forbidden: {msg}'
    else:
        message = f"{qualified} is forbidden: {msg}"
    details = {}   # metav1.StatusDetails' field order: name, group, kind
    if a.name:
        details["name"] = a.name
    if a.api_group:
        details["group"] = a.api_group
    if a.resource:
        details["kind"] = a.resource
    return errors.StatusError(403, "Forbidden", message, details)


# -- impersonation (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go) ----------------

def impersonate(policy: Policy, requester: User, user: str | None, groups=()) -> User:
    """The user a request acts as under Impersonate-User/-Group, each checked with the
    `impersonate` verb; raises the apiserver's 403 when one is not allowed."""
    if not user:
        if groups:
            raise errors.StatusError(500, "InternalError",
                                     "Internal error occurred: requested [" + " ".join(
                                         f"{{Group  {g}  authentication.k8s.io/v1  }}" for g in groups)
                                     + "] without impersonating a user")
        return requester
    checks = []
    parts = user.split(":")
    if len(parts) == 4 and parts[:2] == ["system", "serviceaccount"]:
        checks.append(Attributes(requester, "impersonate", "", True, "", "v1", parts[2], "serviceaccounts", "", parts[3]))
    else:
        checks.append(Attributes(requester, "impersonate", "", True, "", "v1", "", "users", "", user))
    for g in groups:
        checks.append(Attributes(requester, "impersonate", "", True, "", "v1", "", "groups", "", g))
    for a in checks:
        allowed, reason = policy.authorize(a)
        if not allowed:
            raise forbidden(a, reason)
    return impersonated(user, groups)


def impersonated(user: str, groups=()) -> User:
    """The user an impersonation yields: a service account also gets its groups, as the
    apiserver's impersonation filter adds them."""
    parts = user.split(":")
    base = []
    if len(parts) == 4 and parts[:2] == ["system", "serviceaccount"]:
        base = ["system:serviceaccounts", f"system:serviceaccounts:{parts[2]}"]
    return User(user, base + [g for g in groups if g not in base])


# -- the access reviews kubectl auth can-i / whoami create ------------------------------------

def review_attributes(user: User, spec: dict) -> Attributes:
    """Attributes of a SubjectAccessReview spec (resourceAttributes or nonResourceAttributes)."""
    ra = spec.get("resourceAttributes")
    if ra:
        return Attributes(user, ra.get("verb", ""), "", True, ra.get("group", ""), ra.get("version", ""),
                          ra.get("namespace", ""), ra.get("resource", ""), ra.get("subresource", ""),
                          ra.get("name", ""))
    nra = spec.get("nonResourceAttributes") or {}
    return Attributes(user, nra.get("verb", ""), nra.get("path", ""))


def rules_for(policy: Policy, user: User, namespace: str) -> tuple[list[dict], list[dict]]:
    """(resourceRules, nonResourceRules) a user holds in a namespace (SelfSubjectRulesReview)."""
    if MASTERS in user.groups:
        return ([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                [{"verbs": ["*"], "nonResourceURLs": ["*"]}])
    rules = []
    for b in policy.cluster_role_bindings:
        if any(_subject_matches(s, user, "") for s in b.get("subjects") or []):
            rules.extend(policy._role_rules(b.get("roleRef") or {}, "")[0] or [])
    for b in policy.role_bindings:
        bns = b["metadata"].get("namespace", "")
        if bns == namespace and any(_subject_matches(s, user, bns) for s in b.get("subjects") or []):
            rules.extend(policy._role_rules(b.get("roleRef") or {}, bns)[0] or [])
    res, non = [], []
    for r in rules:
        if r.get("nonResourceURLs"):
            non.append({"verbs": list(r.get("verbs") or []), "nonResourceURLs": list(r["nonResourceURLs"])})
        if r.get("resources"):
            out = {"verbs": list(r.get("verbs") or []), "apiGroups": list(r.get("apiGroups") or []),
                   "resources": list(r["resources"])}
            if r.get("resourceNames"):
                out["resourceNames"] = list(r["resourceNames"])
            res.append(out)
    return res, non


def answer_review(policy_of, user: User, plural: str, spec: dict, ns: str = "") -> tuple[dict, dict]:
    """The (spec, status) the apiserver answers a review with: SelfSubjectReview (who am I),
    SelfSubjectRulesReview (what may I do in a namespace), Self/Local/SubjectAccessReview (may
    this be done). `policy_of()` gives the RBAC Policy, read only when needed."""
    spec = dict(spec or {})
    if plural == "selfsubjectreviews":
        return spec, {"userInfo": {"username": user.name, "groups": list(user.groups)}}
    if plural == "selfsubjectrulesreviews":
        res, non = rules_for(policy_of(), user, spec.get("namespace", ""))
        return spec, {"resourceRules": res, "nonResourceRules": non, "incomplete": False}
    if plural in ("subjectaccessreviews", "localsubjectaccessreviews"):
        user = User(spec.get("user", ""), spec.get("groups") or [])
        if plural == "localsubjectaccessreviews":
            spec["resourceAttributes"] = dict(spec.get("resourceAttributes") or {}, namespace=ns or "")
    allowed, reason = policy_of().authorize(review_attributes(user, spec))
    status = {"allowed": allowed}
    if reason:
        status["reason"] = reason
    return spec, status

