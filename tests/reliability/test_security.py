"""Security: private files, a loopback-only server that wants credentials, RBAC deny by default,
keys and tokens from a CSPRNG, and no secret in an error message or a log line."""
from __future__ import annotations

import ast
import base64
import json
import os
import ssl
import stat
import subprocess
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest

from tests.compat.serving import serve

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def _modes(root: str):
    for dirpath, dirnames, filenames in os.walk(root):
        yield dirpath, stat.S_IMODE(os.stat(dirpath).st_mode), True
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                yield p, stat.S_IMODE(os.stat(p).st_mode), False


def _http(port: int, path: str, ca: str, token: str | None = None, method="GET", body=None,
          ctype="application/json"):
    req = urllib.request.Request(f"https://127.0.0.1:{port}{path}", method=method, data=body)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        req.add_header("Content-Type", ctype)
    ctx = ssl.create_default_context(cafile=ca)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp{,6} has them) listening on port."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, st = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if int(p, 16) == port and st == "0A":
                out.append(addr)
    return out


SA_SETUP = """
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: writer, namespace: team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: nobody, namespace: team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: team}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-writer, namespace: team}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, create, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects: [{kind: ServiceAccount, name: reader, namespace: team}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: writer, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-writer}
subjects: [{kind: ServiceAccount, name: writer, namespace: team}]
---
apiVersion: v1
kind: Secret
metadata:
  name: reader-token
  namespace: team
  annotations: {kubernetes.io/service-account.name: reader}
type: kubernetes.io/service-account-token
"""

GRANTS = {"reader": {("get", "pods"), ("list", "pods")},
          "writer": {(v, "configmaps") for v in ("get", "list", "create", "delete")},
          "nobody": set()}
NEW = {"pods": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "new"},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
       "configmaps": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}},
       "secrets": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "new"}}}
MATRIX = [(sa, verb, res) for sa in GRANTS for verb in ("get", "list", "create", "delete")
          for res in ("pods", "configmaps", "secrets")]


@pytest.fixture
def team(cli):
    r = cli("apply", "-f", "-", input=SA_SETUP)
    assert r.code == 0, r.err
    return cli


def _argv(verb, res, tmp_path):
    if verb == "get":
        return ("get", res, "nope")
    if verb == "list":
        return ("get", res)
    if verb == "delete":
        return ("delete", res, "nope")
    path = tmp_path / f"{res}.json"
    path.write_text(json.dumps(NEW[res]))
    return ("create", "-f", str(path))


def test_rbac_matrix_matches_the_roles_and_denies_by_default(team, tmp_path):
    wrong = []
    for sa, verb, res in MATRIX:
        user = f"system:serviceaccount:team:{sa}"
        before = team.fingerprint()
        r = team(*_argv(verb, res, tmp_path), "-n", "team", "--as", user)
        allowed = (verb, res) in GRANTS[sa]
        denial = f'User "{user}" cannot {verb} resource "{res}" in API group "" in the namespace "team"'
        ok = ("Traceback" not in r.err and
              (("forbidden" not in r.err) if allowed else
               (r.code == 1 and "Error from server (Forbidden)" in r.err and denial in r.err
                and team.fingerprint() == before)))
        if not ok:
            wrong.append((sa, verb, res, r.code, r.err))
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("argv,err", [
    (("get", "pods", "nope"), 'Error from server (Forbidden): pods "nope" is forbidden: User '
     '"system:serviceaccount:team:nobody" cannot get resource "pods" in API group "" in the namespace "team"\n'),
    (("get", "nodes"), 'Error from server (Forbidden): nodes is forbidden: User '
     '"system:serviceaccount:team:nobody" cannot list resource "nodes" in API group "" at the cluster scope\n'),
], ids=["namespaced-get", "cluster-list"])
def test_forbidden_wording(team, argv, err):
    r = team(*argv, "-n", "team", "--as", "system:serviceaccount:team:nobody")
    assert (r.code, r.err) == (1, err)


def test_files_are_private_and_serve_is_loopback_only_and_wants_credentials(kube):
    home = kube.env["PYKUBECTL_HOME"]
    ca = os.path.join(home, "clusters", "kubernetes", "pki", "ca.crt")
    r = kube("apply", "-f", "-", input=SA_SETUP)
    assert r.code == 0, r.err
    token = base64.b64decode(kube("get", "secret", "-n", "team", "reader-token", "-o",
                                  "jsonpath={.data.token}").out).decode()
    assert token.count(".") == 2
    # a watch holds the database open, so -wal and -shm exist while we look
    from tests.conftest import PYKUBECTL
    watch = subprocess.Popen([PYKUBECTL, "get", "pods", "-A", "-w"], env=kube.env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        watch.stdout.readline()
        names = set()
        for path, mode, is_dir in _modes(os.path.join(home, "clusters")):
            names.add(os.path.basename(path))
            assert mode == (0o700 if is_dir else 0o600), (path, oct(mode))
        assert {"state.db", "state.db-wal", "state.db-shm", "ca.key", "sa.key"} <= names
    finally:
        watch.kill()
        watch.wait(timeout=10)
    with serve(kube.env) as port:
        assert stat.S_IMODE(os.stat(kube.kubeconfig).st_mode) == 0o600
        assert _listening(port) == ["0100007F"]
        assert _http(port, "/api/v1/namespaces/team/pods", ca) == (401, UNAUTHORIZED)
        assert _http(port, "/api/v1/namespaces/team/pods", ca, token="not-a-token") == (401, UNAUTHORIZED)
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert _http(port, "/api/v1/namespaces/team/pods", ca, token=forged) == (401, UNAUTHORIZED)
        code, body = _http(port, "/api/v1/namespaces/team/pods", ca, token=token)
        assert (code, body["kind"]) == (200, "PodList")
        code, body = _http(port, "/api/v1/namespaces/team/secrets", ca, token=token)
        assert code == 403 and body["message"] == (
            'secrets is forbidden: User "system:serviceaccount:team:reader" cannot list resource '
            '"secrets" in API group "" in the namespace "team"')
        code, body = _http(port, "/api/v1/namespaces/team/configmaps", ca, token=token, method="POST",
                           body=b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}')
        assert code == 403 and token not in json.dumps(body)
        # a client speaking to the server at -v=9 does not print the token it sends
        r = kube("get", "pods", "-n", "team", "-v=9", "--token", token, "--server",
                 f"https://127.0.0.1:{port}", "--insecure-skip-tls-verify")
        assert r.code == 0, r.err
        assert "Traceback" not in r.err and token not in r.out + r.err


def test_data_home_made_by_cluster_create_is_0700(fresh):
    r = fresh("cluster", "create", "kubernetes", "--clock", "virtual")
    assert r.code == 0, r.err
    assert stat.S_IMODE(os.stat(fresh.env["PYKUBECTL_HOME"]).st_mode) == 0o700


def test_no_secret_in_verbose_output_or_errors(kube):
    # -v=9 logs requests, as kubectl does; keys and tokens must never appear
    kc = open(kube.kubeconfig).read()
    import yaml
    user = yaml.safe_load(kc)["users"][0]["user"]
    key_pem = base64.b64decode(user["client-key-data"]).decode()
    secret_bits = [user["client-key-data"][:40], key_pem.splitlines()[1]]
    for argv in (("get", "pods", "-v=9"), ("get", "pod", "nope", "-v=9"),
                 ("get", "pods", "--token", "sEcReT-ToKeN-123", "-v=9"),
                 ("config", "view"), ("cluster", "list")):
        r = kube(*argv)
        for s in secret_bits + ["sEcReT-ToKeN-123"]:
            assert s not in r.out + r.err, (argv, s)


# The modules on the path to a key or token: none may use the `random` module (Mersenne Twister).
SECRET_PATHS = ["pykubectl/pki.py", "pykubectl/controllers/tokens.py", "pykubectl/apiserver/auth.py",
                "pykubectl/kubeconfig.py"]


@pytest.mark.parametrize("path", SECRET_PATHS, ids=[os.path.basename(p) for p in SECRET_PATHS])
def test_no_random_module_where_secrets_are_made(path):
    tree = ast.parse(open(os.path.join(ROOT, path)).read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(a.name != "random" for a in node.names), (path, node.lineno)
        if isinstance(node, ast.ImportFrom):
            assert node.module != "random", (path, node.lineno)


def test_keys_and_serials_differ_between_clusters():
    from pykubectl import pki
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    a, b = pki.new_cluster_pki(now), pki.new_cluster_pki(now)
    for name in ("ca.key", "apiserver.key", "admin.key", "sa.key", "ca.crt"):
        assert a[name] != b[name], name
    assert len({pki._serial() for _ in range(64)}) == 64
