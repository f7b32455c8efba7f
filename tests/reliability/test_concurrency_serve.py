"""`cluster serve` writing while CLI processes write to the same cluster file: nothing is lost, no
resourceVersion is handed out twice, and every writer gets a clean answer (no 500s, no
"database is locked"). Bounded in count and time, on 127.0.0.1 only."""
from __future__ import annotations

import base64
import json
import os
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import yaml

from tests.conftest import PYKUBECTL, Kube

HTTP_WRITERS, HTTP_WRITES = 4, 15
CLI_WRITERS, CLI_WRITES = 3, 6


def _admin_tls(kube: Kube, tmp) -> ssl.SSLContext:
    """An SSL context with the kubeconfig's admin client certificate and the cluster CA."""
    with open(kube.kubeconfig, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    user = cfg["users"][0]["user"]
    cluster = cfg["clusters"][0]["cluster"]
    paths = {}
    for key in ("client-certificate-data", "client-key-data", "certificate-authority-data"):
        p = os.path.join(tmp, key)
        with open(p, "wb") as f:
            f.write(base64.b64decode(user.get(key) or cluster.get(key)))
        os.chmod(p, 0o600)
        paths[key] = p
    ctx = ssl.create_default_context(cafile=paths["certificate-authority-data"])
    ctx.load_cert_chain(paths["client-certificate-data"], paths["client-key-data"])
    return ctx


def test_serve_and_cli_writers_lose_nothing(tmp_path, lab_template):
    from tests.compat.serving import serve
    home = str(tmp_path / "home")
    shutil.copytree(lab_template, home)
    kube = Kube(home)
    ctx = _admin_tls(kube, str(tmp_path))

    with serve(kube.env) as port:
        url = f"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps"

        def http_writer(w):
            codes = []
            for i in range(HTTP_WRITES):
                body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": f"http-{w}-{i}"}, "data": {"i": str(i)}})
                req = urllib.request.Request(url, data=body.encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
                        codes.append(r.status)
                except urllib.error.HTTPError as e:
                    codes.append((e.code, e.read()[:200]))
            return codes

        def cli_writer(w):
            results = []
            for i in range(CLI_WRITES):
                p = subprocess.run([PYKUBECTL, "create", "configmap", f"cli-{w}-{i}",
                                    f"--from-literal=i={i}"], capture_output=True, text=True,
                                   env=kube.env, timeout=120)
                results.append((p.returncode, p.stderr))
            return results

        with ThreadPoolExecutor(HTTP_WRITERS + CLI_WRITERS) as pool:
            https = [pool.submit(http_writer, w) for w in range(HTTP_WRITERS)]
            clis = [pool.submit(cli_writer, w) for w in range(CLI_WRITERS)]
            http_codes = [c for f in https for c in f.result(timeout=300)]
            cli_results = [r for f in clis for r in f.result(timeout=300)]

        assert http_codes == [201] * (HTTP_WRITERS * HTTP_WRITES)
        assert cli_results == [(0, "")] * (CLI_WRITERS * CLI_WRITES)

        # what the server lists is what the CLI lists: every object, each with its own revision
        with urllib.request.urlopen(url, context=ctx, timeout=60) as r:
            served = json.loads(r.read())["items"]
    listed = json.loads(kube("get", "configmaps", "-o", "json", check=True).out)["items"]
    names = {o["metadata"]["name"] for o in listed}
    want = {f"http-{w}-{i}" for w in range(HTTP_WRITERS) for i in range(HTTP_WRITES)} | \
           {f"cli-{w}-{i}" for w in range(CLI_WRITERS) for i in range(CLI_WRITES)}
    assert want <= names
    assert {o["metadata"]["name"] for o in served} == names
    ours = [o for o in listed if o["metadata"]["name"] in want]
    revisions = [int(o["metadata"]["resourceVersion"]) for o in ours]
    assert len(set(revisions)) == len(revisions)
