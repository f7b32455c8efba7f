"""End to end through the CLI: the lab cluster, apply/get/delete, errors, dry runs, clocks."""
import json
import os
import stat

from tests.conftest import manifest

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx
"""


def test_first_command_creates_the_lab_cluster(fresh):
    r = fresh("get", "nodes", "-o", "name")
    assert r.code == 0, r.err
    assert r.out.split() == ["node/k8s-master", "node/worker-1", "node/worker-2"]
    cfg = open(fresh.kubeconfig).read()
    assert "current-context: kubernetes-admin@kubernetes" in cfg
    assert stat.S_IMODE(os.stat(fresh.kubeconfig).st_mode) == 0o600
    db = os.path.join(fresh.home, "data", "clusters", "kubernetes", "state.db")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(db)).st_mode) == 0o700


def test_every_namespace_gets_default_serviceaccount_and_root_ca(kube):
    r = kube("create", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata:\n  name: nm-01\n")
    assert (r.code, r.out) == (0, "namespace/nm-01 created\n"), r.err
    assert kube("get", "serviceaccount", "default", "-n", "nm-01", "-o", "name").out == "serviceaccount/default\n"
    cm = json.loads(kube("get", "configmap", "kube-root-ca.crt", "-n", "nm-01", "-o", "json").out)
    assert cm["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----")


def test_apply_created_unchanged_configured(kube):
    assert kube("apply", "-f", "-", input=POD).out == "pod/web created\n"
    assert kube("apply", "-f", "-", input=POD).out == "pod/web unchanged\n"
    r = kube("apply", "-f", "-", input=POD.replace("app: web", "app: web2"))
    assert r.out == "pod/web configured\n", r.err
    obj = json.loads(kube("get", "pod", "web", "-o", "json").out)
    assert obj["metadata"]["labels"] == {"app": "web2"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]


def test_apply_dry_run_never_writes(kube):
    kube("apply", "-f", "-", input=POD, check=True)
    before = json.loads(kube("get", "pod", "web", "-o", "json").out)["metadata"]["resourceVersion"]
    r = kube("apply", "-f", "-", "--dry-run=server", input=POD.replace("app: web", "app: x"))
    assert r.out == "pod/web configured (server dry run)\n", r.err
    r = kube("apply", "-f", "-", "--dry-run=client", input=POD.replace("name: web", "name: other"))
    assert r.out == "pod/other created (dry run)\n"
    after = json.loads(kube("get", "pod", "web", "-o", "json").out)
    assert after["metadata"]["resourceVersion"] == before
    assert after["metadata"]["labels"] == {"app": "web"}
    assert kube("get", "pod", "other").code == 1


def test_get_missing_object_is_kubectls_error(kube):
    r = kube("get", "pod", "nope")
    assert (r.code, r.out, r.err) == (1, "", 'Error from server (NotFound): pods "nope" not found\n')


def test_unknown_resource_type(kube):
    r = kube("get", "foo")
    assert (r.code, r.err) == (1, 'error: the server doesn\'t have a resource type "foo"\n')


def test_empty_namespace_says_no_resources(kube):
    r = kube("get", "pods")
    assert (r.code, r.out, r.err) == (0, "", "No resources found in default namespace.\n")


def test_apply_without_file_flag(kube):
    r = kube("apply")
    assert (r.code, r.err) == (1, "error: must specify one of -f and -k\n")


def test_invalid_validate_option(kube):
    r = kube("apply", "-f", "-", "--validate=foo", input=POD)
    assert r.code == 1
    assert r.err == 'error: invalid - validate option "foo"; must be one of: strict (or true), warn, ignore (or false)\n'


def test_strict_field_validation_refuses_unknown_field_and_changes_nothing(kube):
    bad = POD.replace("    image: nginx\n", "    image: nginx\n    imagee: x\n")
    r = kube("apply", "-f", "-", input=bad)
    assert r.code == 1
    assert 'unknown field "spec.containers[0].imagee"' in r.err
    assert r.err.startswith("Error from server (BadRequest): error when creating")
    assert "Traceback" not in r.err
    assert kube("get", "pod", "web").code == 1
    r = kube("apply", "-f", "-", "--validate=ignore", input=bad)
    assert (r.code, r.out) == (0, "pod/web created\n"), r.err


def test_namespace_mismatch_with_explicit_flag(kube):
    r = kube("apply", "-n", "kube-system", "-f", "-", input=POD.replace("name: web", "name: web\n  namespace: default"))
    assert r.code == 1
    assert r.err == ("error: the namespace from the provided object \"default\" does not match the namespace "
                     "\"kube-system\". You must pass '--namespace=default' to perform this operation.\n")


def test_every_exercise_manifest_is_accepted_by_server_dry_run(kube):
    skip = {"31-kubeconfig-multi-cluster.yaml"}
    for ns in ("nm-01", "nm-02"):   # the notes create these first (`kubectl create ns nm-01`)
        kube("create", "-f", "-", input=f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n", check=True)
    for name in sorted(os.listdir(os.path.dirname(manifest("01-readiness.yaml")))):
        if name in skip:
            continue
        r = kube("apply", "-f", manifest(name), "--dry-run=server")
        assert r.code == 0, (name, r.err)


def test_delete_unscheduled_pod_goes_at_once_and_gc_follows_owners(kube):
    kube("apply", "-f", "-", input=POD, check=True)
    r = kube("delete", "pod", "web", "--wait=false")
    assert r.out == 'pod "web" deleted\n', r.err
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}}
    kube("apply", "-f", "-", input=json.dumps(cm), check=True)
    uid = json.loads(kube("get", "cm", "owner", "-o", "json").out)["metadata"]["uid"]
    child = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}}
    kube("apply", "-f", "-", input=json.dumps(child), check=True)
    kube("delete", "cm", "owner", check=True)
    assert kube("get", "cm", "child").code == 1


def test_orphan_cascade_keeps_dependents_without_owner(kube):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}}
    kube("apply", "-f", "-", input=json.dumps(cm), check=True)
    uid = json.loads(kube("get", "cm", "owner", "-o", "json").out)["metadata"]["uid"]
    child = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}}
    kube("apply", "-f", "-", input=json.dumps(child), check=True)
    kube("delete", "cm", "owner", "--cascade=orphan", check=True)
    assert kube("get", "cm", "owner").code == 1
    kid = json.loads(kube("get", "cm", "child", "-o", "json").out)
    assert "ownerReferences" not in kid["metadata"]


def test_namespace_deletion_empties_then_removes_it(kube):
    kube("create", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tmp\n", check=True)
    kube("apply", "-n", "tmp", "-f", "-", input=POD, check=True)
    kube("delete", "namespace", "tmp", "--wait=false", check=True)
    assert kube("get", "ns", "tmp").code == 1
    assert kube("get", "pods", "-n", "tmp").err == "No resources found in tmp namespace.\n"


def test_virtual_clock_advances_only_when_told(kube):
    t0 = kube("sim", "now").out
    assert kube("sim", "now").out == t0
    r = kube("sim", "advance", "90s")
    assert r.code == 0, r.err
    assert kube("sim", "now").out != t0


def test_scheduler_and_kubelet_run_a_pod(kube):
    kube("apply", "-f", "-", input=POD, check=True)
    kube("sim", "advance", "5s", check=True)
    pod = json.loads(kube("get", "pod", "web", "-o", "json").out)
    assert pod["spec"]["nodeName"] in ("worker-1", "worker-2")
    assert pod["status"]["phase"] == "Running"
    assert pod["status"]["podIP"].startswith("20.")


def test_untolerated_taint_leaves_pod_pending_with_scheduler_wording(kube):
    p = POD.replace("spec:\n", "spec:\n  nodeSelector: {kubernetes.io/hostname: k8s-master}\n")
    kube("apply", "-f", "-", input=p, check=True)
    pod = json.loads(kube("get", "pod", "web", "-o", "json").out)
    cond = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"][0]
    assert cond["status"] == "False"
    assert cond["message"].startswith("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector.")


def test_apply_refuses_generate_name(kube):
    r = kube("apply", "-f", "-", input=POD.replace("name: web", "generateName: web-"))
    assert (r.code, r.out, r.err) == (1, "", "error: from web-: cannot use generate name with apply\n")


def test_server_side_apply_through_the_cli(kube):
    r = kube("apply", "--server-side", "-f", "-", input=POD)
    assert (r.code, r.out) == (0, "pod/web serverside-applied\n"), r.err
    obj = json.loads(kube("get", "pod", "web", "-o", "json", "--show-managed-fields").out)
    managers = {m["manager"]: m["operation"] for m in obj["metadata"]["managedFields"]}
    assert managers["kubectl"] == "Apply"


def test_service_account_token_secret_gets_its_token(kube):
    kube("create", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata:\n  name: nm-01\n", check=True)
    r = kube("apply", "-f", manifest("32-secret-nm-01.yaml"))
    assert (r.code, r.out) == (0, "secret/nm-01-secret created\n"), r.err
    import base64
    sec = json.loads(kube("get", "secret", "nm-01-secret", "-n", "nm-01", "-o", "json").out)
    token = base64.b64decode(sec["data"]["token"]).decode()
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sub"] == "system:serviceaccount:nm-01:default"
    assert base64.b64decode(sec["data"]["namespace"]) == b"nm-01"
    assert base64.b64decode(sec["data"]["ca.crt"]).startswith(b"-----BEGIN CERTIFICATE-----")
    sa = json.loads(kube("get", "sa", "default", "-n", "nm-01", "-o", "json").out)
    assert sec["metadata"]["annotations"]["kubernetes.io/service-account.uid"] == sa["metadata"]["uid"]


def test_apply_from_url_served_on_loopback(kube):
    import http.server
    import threading

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = POD.encode() if self.path == "/pod.yaml" else b"nope"
            self.send_response(200 if self.path == "/pod.yaml" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}"
        r = kube("apply", "-f", f"{url}/pod.yaml")
        assert (r.code, r.out) == (0, "pod/web created\n"), r.err
        r = kube("apply", "-f", f"{url}/missing.yaml")
        assert r.code == 1
        assert r.err == f'error: unable to read URL "{url}/missing.yaml", server reported 404 Not Found, status code=404\n'
    finally:
        srv.shutdown()


def test_apply_directory_recursively(kube, tmp_path):
    tmp_path = tmp_path / "manifests"
    (tmp_path / "a").mkdir(parents=True)
    (tmp_path / "one.yaml").write_text(POD)
    (tmp_path / "a" / "two.yaml").write_text(POD.replace("name: web", "name: web2"))
    (tmp_path / "notes.txt").write_text("not a manifest")
    assert kube("apply", "-f", str(tmp_path)).out == "pod/web created\n"
    # filepath.Walk's order: the folder "a" sorts before "one.yaml"
    assert kube("apply", "-R", "-f", str(tmp_path)).out == "pod/web2 created\npod/web unchanged\n"
    names = kube("get", "pods", "-o", "name").out.split()
    assert names == ["pod/web", "pod/web2"]


def test_missing_file(kube):
    r = kube("apply", "-f", "/nonexistent.yaml")
    assert (r.code, r.err) == (1, 'error: the path "/nonexistent.yaml" does not exist\n')


def test_multi_document_apply_keeps_what_came_before_a_failure(kube):
    docs = POD + "---\n" + POD.replace("name: web", "name: Bad_Name") + "---\n" + POD.replace("name: web", "name: web3")
    r = kube("apply", "-f", "-", input=docs)
    assert r.code == 1
    assert r.out == "pod/web created\npod/web3 created\n"
    assert 'Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"' in r.err


def test_apply_prune_with_a_selector(kube):
    two = POD + "---\n" + POD.replace("name: web", "name: web2")
    assert kube("apply", "-f", "-", input=two).out == "pod/web created\npod/web2 created\n"
    r = kube("apply", "--prune", "-l", "app=web", "-f", "-", input=POD)
    assert (r.code, r.out) == (0, "pod/web unchanged\npod/web2 pruned\n"), r.err
    assert kube("get", "pods", "-o", "name").out == "pod/web\n"
    r = kube("apply", "--prune", "-f", "-", input=POD)
    assert r.code == 1 and r.err.startswith("error: all resources selected for prune without explicitly passing --all.")
