"""`auth can-i` and `auth whoami`: pykubectl on the embedded cluster prints what the real kubectl
prints against `cluster serve` on the same cluster — answers, reasons, warnings, exit codes,
the --list table — for the admin and impersonated users."""
from __future__ import annotations

import pytest

from tests.compat.serving import served_fixture
from tests.conftest import real_kubectl

KUBECTL = real_kubectl()
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no real kubectl on PATH")

RBAC = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: default}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  resourceNames: [web]
  verbs: [get, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer-reads, namespace: default}
subjects:
- {kind: ServiceAccount, name: viewer, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
"""

SA = "--as=system:serviceaccount:default:viewer"

CASES = [
    ("admin-yes", ["auth", "can-i", "get", "pods"]),
    ("admin-cluster-scoped-warns", ["auth", "can-i", "list", "nodes"]),
    ("admin-all-namespaces", ["auth", "can-i", "create", "deployments.apps", "-A"]),
    ("admin-star", ["auth", "can-i", "*", "*"]),
    ("unknown-resource-and-verb", ["auth", "can-i", "frob", "widgets"]),
    ("non-resource-url", ["auth", "can-i", "get", "/healthz"]),
    ("sa-allowed", ["auth", "can-i", "list", "pods", SA]),
    ("sa-subresource", ["auth", "can-i", "get", "pods", "--subresource=log", SA]),
    ("sa-denied", ["auth", "can-i", "delete", "pods", SA]),
    ("sa-named", ["auth", "can-i", "patch", "deployments/web", SA]),
    ("sa-other-name", ["auth", "can-i", "patch", "deployments/db", SA]),
    ("sa-other-namespace", ["auth", "can-i", "list", "pods", "-n", "kube-system", SA]),
    ("quiet", ["auth", "can-i", "delete", "pods", "-q", SA]),
    ("sa-list", ["auth", "can-i", "--list", SA]),
    ("sa-list-no-headers", ["auth", "can-i", "--list", "--no-headers", SA]),
    ("one-argument", ["auth", "can-i", "get"]),
    ("list-with-args", ["auth", "can-i", "--list", "get", "pods"]),
    ("no-headers-without-list", ["auth", "can-i", "get", "pods", "--no-headers"]),
    ("whoami", ["auth", "whoami"]),
    ("whoami-impersonated", ["auth", "whoami", "--as=jane", "--as-group=dev", "-o", "yaml"]),
    ("whoami-json", ["auth", "whoami", "-o", "json"]),
]


served = served_fixture("auth", prepare=lambda kube: kube("apply", "-f", "-", input=RBAC, check=True))


@pytest.mark.parametrize("args", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_same_as_real_kubectl(served, args):
    want = served.kubectl(*args)
    got = served.local(*args)
    assert (got.code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)
