"""The usage model (what `kubectl top` and the HPA see) and top's printing, against numbers
worked out by hand from the model's stated constants."""
import pytest

from pykubectl.cli.top import go_duration, node_rows, pod_rows
from pykubectl.metrics import model

MI = 1024 * 1024
APP_CPU = {"name": "container", "image": "kubetm/app:v1",
           "resources": {"requests": {"cpu": "10m"}, "limits": {"cpu": "20m"}}}
APP_MEM = {"name": "container", "image": "kubetm/app:v1",
           "resources": {"requests": {"memory": "10Mi"}, "limits": {"memory": "20Mi"}}}


@pytest.mark.parametrize("container, rps, peak, want", [
    (APP_CPU, 0, 0, model.Usage(1, 2 * MI)),
    (APP_CPU, 50, 50, model.Usage(18, 2 * MI + 50 * 150 * 1024)),      # 1 + 0.34 x 50
    (APP_CPU, 100, 100, model.Usage(20, 2 * MI + 100 * 150 * 1024)),   # 35m wanted, throttled at the limit
    (APP_MEM, 0, 50, model.Usage(1, 2 * MI + 50 * 150 * 1024)),        # traffic ended: memory still held
    (APP_MEM, 130, 130, model.Usage(45, 20 * MI, oom=True)),           # 2Mi + 19500Ki > 20Mi
    ({"name": "etcd", "image": "registry.k8s.io/etcd:3.5.16-0"}, 0, 0, model.Usage(20, 48 * MI)),
], ids=["idle", "50rps", "cpu-throttled", "memory-held", "oom", "system-image"])
def test_container_usage(container, rps, peak, want):
    assert model.container_usage(container, rps, peak) == want


def pm(name, cpu_m, mem_mi, ns="default", containers=None):
    cs = containers or [("container", cpu_m, mem_mi)]
    return {"metadata": {"name": name, "namespace": ns},
            "containers": [{"name": n, "usage": {"cpu": f"{c * 1000000}n", "memory": f"{m * 1024}Ki"}} for n, c, m in cs]}


@pytest.mark.parametrize("kwargs, want", [
    ({}, "NAME   CPU(cores)   MEMORY(bytes)   \n"
         "a      18m          8Mi             \n"
         "b      2m           30Mi            \n"),
    ({"sort_by": "memory"}, "NAME   CPU(cores)   MEMORY(bytes)   \n"
                            "b      2m           30Mi            \n"
                            "a      18m          8Mi             \n"),
    ({"no_headers": True, "with_namespace": True}, "default   a     18m   8Mi    \n"
                                                   "default   b     2m    30Mi   \n"),
    ({"containers": True}, "POD   NAME        CPU(cores)   MEMORY(bytes)   \n"
                           "a     container   18m          8Mi             \n"
                           "b     main        1m           10Mi            \n"
                           "b     side        1m           20Mi            \n"),
    ({"total": True}, "NAME   CPU(cores)   MEMORY(bytes)   \n"
                      "a      18m          8Mi             \n"
                      "b      2m           30Mi            \n"
                      "       ________     ________        \n"
                      "       20m          38Mi            \n"),
], ids=["default", "sort-memory", "namespaces-no-headers", "containers", "sum"])
def test_top_pod_rows(kwargs, want):
    metrics = [pm("b", 0, 0, containers=[("side", 1, 20), ("main", 1, 10)]), pm("a", 18, 8)]
    args = dict(containers=False, with_namespace=False, sort_by="", no_headers=False, total=False)
    args.update(kwargs)
    assert pod_rows(metrics, **args) == want


def test_top_node_rows():
    nm = [{"metadata": {"name": n}, "usage": {"cpu": f"{c}m", "memory": f"{m}Mi"}}
          for n, c, m in (("worker-1", 91, 718), ("k8s-master", 200, 812))]
    avail = {"worker-1": (4000, 8 * 1024 * MI), "k8s-master": (4000, 8 * 1024 * MI)}
    assert node_rows(nm, avail, ["worker-2"], sort_by="", no_headers=False) == (
        "NAME         CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n"
        "k8s-master   200m         5%          812Mi           9%          \n"
        "worker-1     91m          2%          718Mi           8%          \n"
        "worker-2     <unknown>    <unknown>   <unknown>       <unknown>   \n")


@pytest.mark.parametrize("secs, want", [(5, "5s"), (300, "5m0s"), (3723, "1h2m3s"), (4.5, "4.5s")],
                         ids=["seconds", "minutes", "hours", "fraction"])
def test_go_duration(secs, want):
    assert go_duration(secs) == want
