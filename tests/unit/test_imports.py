"""Start-up stays lean: `get` must not pay for cryptography, jsonschema, http.server or protobuf."""
import json
import subprocess
import sys

FORBIDDEN = ("cryptography", "jsonschema", "http.server", "google.protobuf", "kubernetes_validate")


def test_get_imports_nothing_heavy(kube):
    code = (
        "import sys, json\n"
        "from pykubectl.cli.main import run\n"
        "rc = run(['get', 'pods', '-A'])\n"
        "sys.stderr.write('\\nMODS=' + json.dumps(sorted(sys.modules)) + '\\n')\n"
        "sys.exit(rc)\n")
    p = subprocess.run([sys.executable, "-c", code], env=kube.env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    mods = json.loads(p.stderr.rsplit("MODS=", 1)[1])
    heavy = [m for m in mods if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert heavy == []
    assert "kube-system" in p.stdout
