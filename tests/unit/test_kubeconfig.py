"""Kubeconfig files: which ones are read, how several merge, what a broken one says, how writes look.

The error texts and the written layout are what a real kubectl v1.32 prints and writes (the
expected strings were taken from it); where a real kubectl is installed, the tests also ask it.
"""
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import threading

import pytest

from pykubectl import kubeconfig as kc

MANIFEST_31 = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "exercises", "manifests",
                           "31-kubeconfig-multi-cluster.yaml")
MANIFEST_31 = os.path.normpath(MANIFEST_31) if os.path.exists(MANIFEST_31) else \
    "/work/shared/exercises/manifests/31-kubeconfig-multi-cluster.yaml"


def real_kubectl():
    """The real kubectl on PATH, never the venv's `kubectl` entry point (that is us)."""
    venv_bin = os.path.dirname(sys.executable)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and os.path.realpath(p) != os.path.realpath(venv_bin))
    return shutil.which("kubectl", path=path)


def run_kubectl(args, kubeconfig, home):
    env = {"HOME": str(home), "KUBECONFIG": str(kubeconfig), "PATH": "/usr/bin:/bin"}
    return subprocess.run([real_kubectl(), *args], env=env, capture_output=True, text=True, timeout=60)


# -- which files ------------------------------------------------------------------------------

@pytest.mark.parametrize("explicit, env, expected", [
    ("/x/k.yaml", {"KUBECONFIG": "/a:/b"}, ["/x/k.yaml"]),
    (None, {"KUBECONFIG": "/a::/b:/a:"}, ["/a", "/b"]),
    (None, {"KUBECONFIG": "", "PYKUBECTL_HOME": "/h"}, ["/h/kubeconfig"]),
    (None, {"PYKUBECTL_HOME": "/h"}, ["/h/kubeconfig"]),
], ids=["flag-wins", "env-list-deduplicated", "empty-env-is-unset", "pykubectl-home"])
def test_config_paths(explicit, env, expected):
    assert kc.config_paths(explicit, env) == expected


def test_default_path_is_never_the_users_kube_config():
    path = kc.default_path({"HOME": os.path.expanduser("~")})
    assert path.endswith(os.path.join("pykubectl", "config"))
    assert ".kube" not in path


# -- merging ------------------------------------------------------------------------------------

FIRST = """\
apiVersion: v1
kind: Config
clusters:
- name: shared
  cluster: {server: https://first:6443}
- name: only-first
  cluster: {server: https://one:6443, certificate-authority: ca.crt}
contexts:
- name: dev
  context: {cluster: shared, user: jane, namespace: dev}
users:
- name: jane
  user: {token: first-token}
"""
SECOND = """\
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: shared
  cluster: {server: https://second:6443, insecure-skip-tls-verify: true}
- name: only-second
  cluster: {server: https://two:6443}
contexts:
- name: dev
  context: {cluster: only-second, user: jane}
- name: prod
  context: {cluster: only-second, user: ops}
users:
- name: ops
  user: {client-certificate: /abs/ops.crt, client-key: keys/ops.key}
"""
THIRD = "current-context: prod\n"


@pytest.fixture()
def merged(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "first").write_text(FIRST)
    (tmp_path / "second").write_text(SECOND)
    (tmp_path / "third").write_text(THIRD)
    paths = [str(tmp_path / "a" / "first"), str(tmp_path / "missing"), str(tmp_path / "second"),
             str(tmp_path / "third")]
    return tmp_path, kc.Kubeconfig.load(kc.config_paths(None, {"KUBECONFIG": os.pathsep.join(paths)}))


@pytest.mark.parametrize("query, expected", [
    (lambda k, d: k.current_context, "dev"),
    (lambda k, d: k.context(), {"cluster": "shared", "user": "jane", "namespace": "dev"}),
    (lambda k, d: k.context("prod"), {"cluster": "only-second", "user": "ops"}),
    (lambda k, d: k.context("nope"), None),
    (lambda k, d: k.cluster("shared"), {"server": "https://first:6443"}),
    (lambda k, d: sorted(k.clusters()), ["only-first", "only-second", "shared"]),
    (lambda k, d: k.cluster("only-first")["certificate-authority"], "{d}/a/ca.crt"),
    (lambda k, d: k.user("ops"), {"client-certificate": "/abs/ops.crt", "client-key": "{d}/keys/ops.key"}),
    (lambda k, d: k.user("jane"), {"token": "first-token"}),
    (lambda k, d: k.file_for("clusters", "only-second"), "{d}/second"),
    (lambda k, d: k.file_for("clusters", "shared"), "{d}/a/first"),
    (lambda k, d: k.file_for("users", "new-user"), "{d}/a/first"),
    (lambda k, d: k.file_for("current-context"), "{d}/second"),
], ids=["current-context-from-first-file-setting-it", "current-context-entry", "context-only-in-second",
        "unknown-context", "first-file-wins-whole-entry", "names-union", "relative-path-resolved",
        "relative-key-resolved-against-own-file", "user-from-first", "file-for-existing-entry",
        "file-for-first-definition", "file-for-new-entry-first-existing-file", "file-for-current-context"])
def test_merge_follows_clientcmd_precedence(merged, query, expected):
    d, k = merged
    if isinstance(expected, str):
        expected = expected.format(d=d)
    elif isinstance(expected, dict):
        expected = {key: v.format(d=d) for key, v in expected.items()}
    assert query(k, d) == expected


def test_explicit_file_is_used_alone_and_must_exist(tmp_path):
    (tmp_path / "k").write_text(SECOND)
    k = kc.Kubeconfig.load(kc.config_paths(str(tmp_path / "k"), {"KUBECONFIG": "/elsewhere"}), explicit=True)
    assert (k.current_context, sorted(k.contexts())) == ("dev", ["dev", "prod"])
    with pytest.raises(kc.KubeconfigError) as e:
        kc.Kubeconfig.load([str(tmp_path / "gone")], explicit=True)
    assert (e.value.message(), e.value.not_exist) == (f"error: stat {tmp_path}/gone: no such file or directory", True)


def test_all_files_missing_is_an_empty_config(tmp_path):
    k = kc.Kubeconfig.load([str(tmp_path / "nope")])
    assert (k.current_context, k.contexts(), k.context()) == ("", {}, None)


# -- broken files ---------------------------------------------------------------------------------

BROKEN = [
    ("manifest-31", None, 'illegal base64 data at input byte 20'),
    ("unpadded-base64", "clusters: [{name: a, cluster: {certificate-authority-data: abc}}]",
     "illegal base64 data at input byte 0"),
    ("space-in-base64", 'users: [{name: u, user: {client-key-data: "ab\n  cd"}}]',
     "illegal base64 data at input byte 2"),
    ("server-not-a-string", "clusters: [{name: a, cluster: {server: 5}}]",
     "json: cannot unmarshal number into Go struct field Cluster.clusters.cluster.server of type string"),
    ("yaml-n-is-a-bool", "contexts: [{name: c, context: {cluster: a, namespace: n}}]",
     "json: cannot unmarshal bool into Go struct field Context.contexts.context.namespace of type string"),
    ("clusters-not-a-list", "clusters: 5",
     "json: cannot unmarshal number into Go struct field Config.clusters of type []v1.NamedCluster"),
    ("map-value-type", "users: [{name: u, user: {as-user-extra: {a: 1}}}]",
     "json: cannot unmarshal number into Go struct field AuthInfo.users.user.as-user-extra of type []string"),
    ("not-a-mapping", "- 1\n- 2",
     "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type "
     'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'),
    ("wrong-kind", "kind: Pod",
     'no kind "Pod" is registered for version "v1" in scheme "k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50"'),
    ("yaml-scanner-error-line", "a: b\n c: d", "yaml: line 2: mapping values are not allowed in this context"),
    ("yaml-error-without-line", "a: b: c", "yaml: mapping values are not allowed in this context"),
    ("yaml-unclosed-flow", "foo: [1", "yaml: line 1: did not find expected ',' or ']'"),
    ("yaml-tab", "\ta: 1", "yaml: found character that cannot start any token"),
    ("yaml-unknown-anchor", "a: &x 1\nb: *y", "yaml: unknown anchor 'y' referenced"),
    ("duplicate-cluster", "clusters: [{name: a, cluster: {server: s}}, {name: a, cluster: {server: t}}]",
     'error converting *[]NamedCluster into *map[string]*api.Cluster: duplicate name "a" in list: '
     "[{a {s  false  []  false []}} {a {t  false  []  false []}}]"),
]


def _write_case(tmp_path, text):
    path = tmp_path / "config"
    if text is None:
        shutil.copy(MANIFEST_31, path)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("case, text, error", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_error_is_kubectls(tmp_path, case, text, error):
    path = _write_case(tmp_path, text)
    with pytest.raises(kc.KubeconfigError) as e:
        kc.Kubeconfig.load([str(path)])
    assert e.value.message() == f'error: error loading config file "{path}": {error}'


@pytest.mark.skipif(not real_kubectl(), reason="no real kubectl installed")
@pytest.mark.parametrize("case, text, error", BROKEN, ids=[b[0] for b in BROKEN])
@pytest.mark.parametrize("verb", [["config", "view"], ["config", "get-contexts"]], ids=["view", "get-contexts"])
def test_broken_file_error_equals_real_kubectl(tmp_path, case, text, error, verb):
    path = _write_case(tmp_path, text)
    home = tmp_path / "home"
    home.mkdir()
    real = run_kubectl(verb, path, home)
    with pytest.raises(kc.KubeconfigError) as e:
        kc.Kubeconfig.load([str(path)])
    assert (real.returncode, real.stderr) == (1, e.value.message() + "\n")


def test_several_broken_files_are_reported_one_per_line(tmp_path):
    (tmp_path / "a").write_text("key: @x")
    shutil.copy(MANIFEST_31, tmp_path / "b")
    with pytest.raises(kc.KubeconfigError) as e:
        kc.Kubeconfig.load([str(tmp_path / "a"), str(tmp_path / "b")])
    assert e.value.message() == (
        f'error loading config file "{tmp_path}/a": yaml: found character that cannot start any token\n'
        f'error loading config file "{tmp_path}/b": illegal base64 data at input byte 20')
    if real_kubectl():
        (tmp_path / "home").mkdir()
        real = run_kubectl(["config", "view"], f"{tmp_path}/a:{tmp_path}/b", tmp_path / "home")
        assert real.stderr == e.value.message() + "\n"


def test_manifest_31_loads_once_the_placeholders_are_real_base64(tmp_path):
    text = open(MANIFEST_31).read().replace("(중략)", "")
    k = kc.Kubeconfig.load([str(_write_case(tmp_path, text))])
    assert (k.current_context, k.context()["cluster"], k.cluster("cluster-b")["server"]) == \
        ("context-a", "cluster-a", "https://192.168.0.50:6443")


# -- pykubectl's own clusters -----------------------------------------------------------------------

@pytest.mark.parametrize("entry, expected", [
    ({"server": "https://127.0.0.1:6443", "extensions": kc.local_cluster_extension("lab")}, "lab"),
    ({"server": "https://10.0.0.1:6443"}, None),
    ({"extensions": [{"name": "other", "extension": {"cluster": "x"}}]}, None),
    ({"extensions": [{"name": "pykubectl", "extension": "lab"}]}, None),
    (None, None),
], ids=["marked-local", "real-cluster", "foreign-extension", "malformed-extension", "no-entry"])
def test_local_cluster_name(entry, expected):
    assert kc.local_cluster_name(entry) == expected


# -- writing --------------------------------------------------------------------------------------

# What the real kubectl writes for:
#   config set-cluster alpha --server=https://10.0.0.1:6443 --insecure-skip-tls-verify=true --tls-server-name=yes
#   config set-credentials "u 2" --username=123 --password=""
#   config set-context b --cluster="a: b" --user="- x" --namespace="it's"
#   config set-context c --cluster='#x' --namespace='x #y'
#   config use-context b
WRITTEN = """\
apiVersion: v1
clusters:
- cluster:
    insecure-skip-tls-verify: true
    server: https://10.0.0.1:6443
    tls-server-name: "yes"
  name: alpha
contexts:
- context:
    cluster: 'a: b'
    namespace: it's
    user: '- x'
  name: b
- context:
    cluster: '#x'
    namespace: 'x #y'
    user: ""
  name: c
current-context: b
kind: Config
preferences: {}
users:
- name: u 2
  user:
    username: "123"
"""


def _write_sample(path):
    kc.upsert(path, cluster=("alpha", {"server": "https://10.0.0.1:6443", "insecure-skip-tls-verify": True,
                                       "tls-server-name": "yes"}))
    kc.upsert(path, user=("u 2", {"username": "123", "password": ""}))
    kc.upsert(path, context=("c", {"cluster": "#x", "namespace": "x #y"}))
    kc.upsert(path, context=("b", {"cluster": "a: b", "user": "- x", "namespace": "it's"}), current_context="b")


def test_upsert_writes_kubectls_layout_with_private_modes(tmp_path):
    path = tmp_path / "new" / "dir" / "config"
    _write_sample(str(path))
    assert path.read_text() == WRITTEN
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir() if not p.name.endswith("-lock")] == ["config"]


@pytest.mark.skipif(not real_kubectl(), reason="no real kubectl installed")
def test_kubectl_rewrites_our_file_unchanged(tmp_path):
    path = tmp_path / "config"
    _write_sample(str(path))
    kc.upsert(str(path), cluster=("lab", {"server": "https://127.0.0.1:6443",
                                          "extensions": kc.local_cluster_extension("lab")}),
              user=("exec", {"exec": {"command": "c", "args": ["x"], "env": None, "provideClusterInfo": False,
                                      "apiVersion": "client.authentication.k8s.io/v1"},
                             "token": "two\nlines", "as-groups": ["a", "true"]}))
    ours = path.read_text()
    (tmp_path / "home").mkdir()
    real = run_kubectl(["config", "set-context", "b", "--namespace=it's"], path, tmp_path / "home")
    assert real.returncode == 0, real.stderr
    assert path.read_text() == ours


def test_upsert_replaces_by_name_and_keeps_everything_else(tmp_path):
    path = str(tmp_path / "config")
    _write_sample(path)
    kc.upsert(path, cluster=("alpha", {"server": "https://new:6443"}))
    k = kc.Kubeconfig.load([path])
    assert (k.cluster("alpha"), sorted(k.contexts()), k.current_context) == \
        ({"server": "https://new:6443"}, ["b", "c"], "b")


@pytest.mark.parametrize("kwargs, contexts, current", [
    ({"contexts": ["b"], "clusters": ["alpha"]}, ["c"], ""),
    ({"contexts": ["c"]}, ["b"], "b"),
    ({"users": ["u 2"], "contexts": ["nope"]}, ["b", "c"], "b"),
], ids=["current-context-removed-clears-it", "other-context-keeps-it", "unknown-names-ignored"])
def test_remove(tmp_path, kwargs, contexts, current):
    path = str(tmp_path / "config")
    _write_sample(path)
    kc.remove(path, **kwargs)
    k = kc.Kubeconfig.load([path])
    assert (sorted(k.contexts()), k.current_context) == (contexts, current)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_upsert_refuses_to_clobber_a_broken_file(tmp_path):
    path = _write_case(tmp_path, None)
    before = path.read_text()
    with pytest.raises(kc.KubeconfigError, match="illegal base64 data at input byte 20"):
        kc.upsert(str(path), current_context="context-b")
    assert path.read_text() == before


def _upsert_one(path, i, start):
    start.wait()
    kc.upsert(path, cluster=(f"c{i}", {"server": f"https://10.0.0.{i}:6443"}),
              context=(f"ctx{i}", {"cluster": f"c{i}", "user": "u"}))


@pytest.mark.parametrize("how", ["threads", "processes"])
def test_concurrent_upserts_lose_nothing(tmp_path, how):
    path = str(tmp_path / "config")
    if how == "threads":
        start = threading.Event()
        workers = [threading.Thread(target=_upsert_one, args=(path, i, start)) for i in range(8)]
    else:
        ctx = multiprocessing.get_context("fork")
        start = ctx.Event()
        workers = [ctx.Process(target=_upsert_one, args=(path, i, start)) for i in range(8)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(60)
    k = kc.Kubeconfig.load([path])
    assert sorted(k.clusters()) == [f"c{i}" for i in range(8)]
    assert sorted(k.contexts()) == [f"ctx{i}" for i in range(8)]
