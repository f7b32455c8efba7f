"""RBAC as kube-apiserver decides it: request attributes from the URL, rule matching, bindings,
aggregation, system:masters, and the exact Forbidden wording."""
from __future__ import annotations

import pytest

from pykubectl.apiserver.auth import Policy, User, forbidden, request_attributes, rule_allows

SA = User("system:serviceaccount:nm-01:sa-01", ["system:serviceaccounts", "system:serviceaccounts:nm-01"])


@pytest.mark.parametrize("method,path,query,want", [
    ("GET", "/api/v1/namespaces/nm-01/pods", "", ("list", "", "pods", "", "", "nm-01")),
    ("GET", "/api/v1/namespaces/nm-01/pods", "watch=true", ("watch", "", "pods", "", "", "nm-01")),
    ("GET", "/api/v1/watch/namespaces/nm-01/pods", "", ("watch", "", "pods", "", "", "nm-01")),
    ("GET", "/api/v1/namespaces/nm-01/pods/web/log", "", ("get", "", "pods", "web", "log", "nm-01")),
    ("DELETE", "/apis/apps/v1/namespaces/a/deployments", "", ("deletecollection", "apps", "deployments", "", "", "a")),
    ("POST", "/apis/apps/v1/namespaces/a/deployments", "", ("create", "apps", "deployments", "", "", "a")),
    ("PATCH", "/api/v1/nodes/n1/status", "", ("patch", "", "nodes", "n1", "status", "")),
    ("GET", "/api/v1/namespaces/kube-system", "", ("get", "", "namespaces", "kube-system", "", "kube-system")),
    ("PUT", "/api/v1/namespaces/x/finalize", "", ("update", "", "namespaces", "x", "finalize", "x")),
    ("GET", "/api/v1/pods", "fieldSelector=metadata.name%3Dweb", ("list", "", "pods", "web", "", "")),
], ids=["list", "watch-param", "watch-prefix", "subresource", "deletecollection", "create",
        "cluster-scoped-sub", "namespace-get", "namespace-finalize", "name-from-field-selector"])
def test_request_attributes(method, path, query, want):
    a = request_attributes(SA, method, path, query)
    assert a.resource_request
    assert (a.verb, a.api_group, a.resource, a.name, a.subresource, a.namespace) == want


@pytest.mark.parametrize("path", ["/version", "/healthz", "/apis", "/api/v1", "/openapi/v3"],
                         ids=["version", "healthz", "apis", "api-v1", "openapi"])
def test_non_resource_paths(path):
    a = request_attributes(SA, "GET", path)
    assert (a.resource_request, a.verb, a.path) == (False, "get", path)


POD_READER = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}


@pytest.mark.parametrize("rule,method,path,allowed", [
    (POD_READER, "GET", "/api/v1/namespaces/a/pods", True),
    (POD_READER, "GET", "/api/v1/namespaces/a/pods/x/log", False),
    (POD_READER, "DELETE", "/api/v1/namespaces/a/pods/x", False),
    (POD_READER, "GET", "/apis/apps/v1/namespaces/a/deployments", False),
    ({"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}, "GET", "/api/v1/namespaces/a/pods/x/log", True),
    ({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, "DELETE", "/apis/apps/v1/namespaces/a/deployments/d", True),
    ({"apiGroups": [""], "resources": ["*/status"], "verbs": ["patch"]}, "PATCH", "/api/v1/nodes/n/status", True),
    ({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["c1"], "verbs": ["get"]},
     "GET", "/api/v1/namespaces/a/configmaps/c1", True),
    ({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["c1"], "verbs": ["get"]},
     "GET", "/api/v1/namespaces/a/configmaps/c2", False),
    ({"nonResourceURLs": ["/healthz", "/version"], "verbs": ["get"]}, "GET", "/version", True),
    ({"nonResourceURLs": ["/apis/*"], "verbs": ["get"]}, "GET", "/apis/apps", True),
    ({"nonResourceURLs": ["/healthz"], "verbs": ["get"]}, "GET", "/version", False),
], ids=["list-pods", "not-subresource", "wrong-verb", "wrong-group", "subresource", "wildcards",
        "any-status", "resource-name", "other-name", "non-resource", "non-resource-prefix",
        "non-resource-other"])
def test_rule_allows(rule, method, path, allowed):
    assert rule_allows(rule, request_attributes(SA, method, path)) is allowed


def _binding(kind, name, ns, role_kind, role, subjects):
    meta = {"name": name}
    if ns:
        meta["namespace"] = ns
    return {"kind": kind, "metadata": meta, "subjects": subjects,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}}


SA_SUBJECT = [{"kind": "ServiceAccount", "name": "sa-01", "namespace": "nm-01"}]
POLICY = Policy(
    cluster_roles=[
        {"metadata": {"name": "view"}, "rules": [],
         "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg-view": "true"}}]}},
        {"metadata": {"name": "pod-view", "labels": {"agg-view": "true"}}, "rules": [POD_READER]},
        {"metadata": {"name": "node-reader"}, "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["list"]}]},
    ],
    cluster_role_bindings=[_binding("ClusterRoleBinding", "nodes", "", "ClusterRole", "node-reader",
                                    [{"kind": "Group", "name": "node-readers"}])],
    roles=[{"metadata": {"name": "cm", "namespace": "nm-01"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}]}],
    role_bindings=[
        _binding("RoleBinding", "cm", "nm-01", "Role", "cm", SA_SUBJECT),
        _binding("RoleBinding", "view", "nm-02", "ClusterRole", "view", SA_SUBJECT),
        _binding("RoleBinding", "broken", "nm-03", "Role", "missing", SA_SUBJECT),
    ])


@pytest.mark.parametrize("user,method,path,allowed,reason", [
    (SA, "POST", "/api/v1/namespaces/nm-01/configmaps", True, ""),
    (SA, "GET", "/api/v1/namespaces/nm-01/pods", False, ""),
    (SA, "GET", "/api/v1/namespaces/nm-02/pods", True, ""),
    (SA, "GET", "/api/v1/pods", False, ""),
    (SA, "GET", "/api/v1/namespaces/nm-03/pods", False, 'RBAC: role.rbac.authorization.k8s.io "missing" not found'),
    (User("alice", ["node-readers"]), "GET", "/api/v1/nodes", True, ""),
    (User("alice"), "GET", "/api/v1/nodes", False, ""),
    (User("root", ["system:masters"]), "DELETE", "/api/v1/nodes/n1", True, ""),
], ids=["role-in-ns", "role-other-resource", "clusterrole-by-rolebinding-aggregated",
        "rolebinding-not-cluster-wide", "missing-role-reason", "group-clusterrolebinding",
        "default-deny", "system-masters"])
def test_authorize(user, method, path, allowed, reason):
    assert POLICY.authorize(request_attributes(user, method, path)) == (allowed, reason)


@pytest.mark.parametrize("method,path,message", [
    ("GET", "/api/v1/namespaces/nm-01/pods",
     'pods is forbidden: User "system:serviceaccount:nm-01:sa-01" cannot list resource "pods" in API group "" in the namespace "nm-01"'),
    ("GET", "/apis/apps/v1/namespaces/nm-01/deployments/web",
     'deployments.apps "web" is forbidden: User "system:serviceaccount:nm-01:sa-01" cannot get resource "deployments" in API group "apps" in the namespace "nm-01"'),
    ("GET", "/api/v1/namespaces/nm-01/pods/web/log",
     'pods "web" is forbidden: User "system:serviceaccount:nm-01:sa-01" cannot get resource "pods/log" in API group "" in the namespace "nm-01"'),
    ("GET", "/api/v1/nodes",
     'nodes is forbidden: User "system:serviceaccount:nm-01:sa-01" cannot list resource "nodes" in API group "" at the cluster scope'),
    ("GET", "/api/v1/namespaces/nm-01/widgets",
     'widgets is forbidden: User "system:serviceaccount:nm-01:sa-01" cannot list resource "widgets" in API group "" in the namespace "nm-01"'),
    ("GET", "/metrics", 'forbidden: User "system:serviceaccount:nm-01:sa-01" cannot get path "/metrics"'),
], ids=["list", "get-named", "subresource", "cluster-scope", "nonexistent-resource", "non-resource"])
def test_forbidden_wording(method, path, message):
    e = forbidden(request_attributes(SA, method, path))
    assert (e.code, e.reason, e.message) == (403, "Forbidden", message)
