"""Golden files for `pykubectl sim explain svc/NAME` on a seeded, virtual-clock cluster: each
case is a script of exercise manifests and commands, and the explanation must match
`explain_svc/<case>.txt` byte for byte. PYKUBECTL_REGOLDEN=1 rewrites the files."""
import os

import pytest

from tests.conftest import Kube, manifest

HERE = os.path.join(os.path.dirname(__file__), "explain_svc")

CASES = {
    # exercise 1: pod1 is ready, the readiness pod is not (no /readiness/ready.txt), two pods
    # without the label
    "readiness": (["01-readiness.yaml", "16-request-pod.yaml", "23-pod9.yaml"], "30s", "svc/svc-readiness"),
    # exercise 9: a selector-less Service whose hand-written Endpoints point outside the cluster
    "endpoint3": (["25-svc-endpoint3.yaml", "26-endpoints-endpoint3.yaml"], "5s", "svc/endpoint3"),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    home = str(tmp_path_factory.mktemp("golden-explain-svc"))
    k = Kube(home)
    k("cluster", "create", "kubernetes", "--clock", "virtual", "--seed", "7", check=True)
    return home


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_explain_matches_golden(case, tmp_path, seeded):
    import shutil
    home = str(tmp_path / "home")
    shutil.copytree(seeded, home)
    k = Kube(home)
    files, wait, target = CASES[case]
    for f in files:
        k("apply", "-f", manifest(f), check=True)
    k("sim", "advance", wait, check=True)
    r = k("sim", "explain", target)
    assert r.code == 0, r.err
    path = os.path.join(HERE, f"{case}.txt")
    if os.environ.get("PYKUBECTL_REGOLDEN"):
        with open(path, "w") as f:
            f.write(r.out)
    with open(path) as f:
        assert r.out == f.read()
