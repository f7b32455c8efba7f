"""Concurrency and crashes: parallel scripts lose nothing; kill -9 leaves a working cluster."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import time

from tests.conftest import PYKUBECTL


def _cm(i, j):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": f"cm-{i}-{j}"}, "data": {"v": str(j)}})


WRITER = """
import sys
from pykubectl.cli.main import run
import io, contextlib
i = int(sys.argv[1]); n = int(sys.argv[2])
bad = 0
for j in range(n):
    doc = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-%d-%d"},"data":{"v":"%d"}}' % (i, j, j)
    sys.stdin = io.StringIO(doc)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = run(["apply", "-f", "-"])
    if code != 0 or "locked" in err.getvalue():
        bad += 1
        sys.stderr.write(err.getvalue())
print(bad)
"""


def test_eight_processes_fifty_writes_each_lose_nothing(kube):
    import sys
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(i), "50"], env=kube.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    outs = [p.communicate(timeout=300) for p in procs]
    for out, err in outs:
        assert out.strip() == "0", err
        assert "database is locked" not in err
    names = kube("get", "configmaps", "-o", "name").out.split()
    made = {n for n in names if n.startswith("configmap/cm-")}
    assert len(made) == 400


def test_kill_9_during_applies_leaves_a_sound_database(kube):
    kube("get", "nodes", check=True)
    db = os.path.join(kube.env["PYKUBECTL_HOME"], "clusters", "kubernetes", "state.db")
    rng = random.Random(7)
    script = "\n---\n".join(_cm(99, j) for j in range(50))
    for round_ in range(5):
        p = subprocess.Popen([PYKUBECTL, "apply", "-f", "-"], env=kube.env, stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        p.stdin.write(script)
        p.stdin.close()
        time.sleep(rng.uniform(0.05, 0.6))
        p.send_signal(signal.SIGKILL)
        p.wait()
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    r = kube("apply", "-f", "-", input=script)
    assert r.code == 0, r.err
    assert len([n for n in kube("get", "cm", "-o", "name").out.split() if "cm-99-" in n]) == 50
