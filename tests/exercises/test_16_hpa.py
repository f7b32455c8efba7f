"""Exercise 16 (HPA), manifests 46-49, as a learner types it: `top pods` from the usage model,
`sim load` drives the CPU HPA out (180% of request at first, between 3 and 10 replicas), it holds
for the 5-minute stabilization window after the load ends, then scales in to 2; the memory HPA
follows the model's memory (held a minute after traffic, then back to base)."""
import os
import subprocess
import sys

from tests.conftest import manifest

URL_CPU = "http://192.168.0.100:30001/hostname"


def load(kube, url, svc, rps, duration, seconds):
    """`sim load`; until it is registered in the sim group, the same registration in-process."""
    r = kube("sim", "load", url, "--rps", str(rps), "--for", duration)
    if r.code == 0:
        return
    assert "No such command" in r.err, r.err
    code = ("import sys; from pykubectl.sim.clusters import Cluster; from pykubectl.metrics.traffic import register;"
            f"register(Cluster('kubernetes'), 'default', {svc!r}, {rps}, {seconds})")
    p = subprocess.run([sys.executable, "-c", code], env=kube.env, capture_output=True, text=True,
                       cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert p.returncode == 0, p.stderr


def hpa_row(kube, name):
    r = kube("get", "hpa", name, "--no-headers")
    assert r.code == 0, r.err
    cols = r.out.split()
    return " ".join(cols[2:4]), int(cols[-2])     # TARGETS, REPLICAS


def test_cpu_hpa_scales_out_holds_and_scales_in(kube):
    r = kube("apply", "-f", manifest("46-deploy-svc-cpu.yaml"), "-f", manifest("47-hpa-cpu.yaml"))
    assert r.out == ("deployment.apps/stateless-cpu1 created\nservice/stateless-svc1 created\n"
                     "horizontalpodautoscaler.autoscaling/hpa-resource-cpu created\n"), r.err
    assert hpa_row(kube, "hpa-resource-cpu") == ("cpu: <unknown>/50%", 2)
    kube("sim", "advance", "45s", check=True)
    top = kube("top", "pods", "--no-headers")
    assert [line.split()[1:] for line in top.out.splitlines()] == [["1m", "2Mi"], ["1m", "2Mi"]], top.err
    assert hpa_row(kube, "hpa-resource-cpu") == ("cpu: 10%/50%", 2)

    load(kube, URL_CPU, "stateless-svc1", 100, "10m", 600)
    kube("sim", "advance", "15s", check=True)
    # REPLICAS is the count the sync started from; the target already has the new size
    assert hpa_row(kube, "hpa-resource-cpu") == ("cpu: 180%/50%", 2)
    assert kube("get", "deploy", "stateless-cpu1", "-o", "jsonpath={.spec.replicas}").out == "4"
    kube("sim", "advance", "2m", check=True)
    targets, replicas = hpa_row(kube, "hpa-resource-cpu")
    assert 3 <= replicas <= 10 and targets == "cpu: 50%/50%"
    ev = kube("get", "events", "--field-selector", "reason=SuccessfulRescale", "-o",
              "custom-columns=MSG:.message", "--no-headers")
    assert ev.out.splitlines()[0] == "New size: 4; reason: cpu resource utilization (percentage of request) above target"

    # the load ends 10 minutes after it started; the scale-down waits out the 5-minute window
    kube("sim", "advance", "8m", check=True)
    assert hpa_row(kube, "hpa-resource-cpu")[1] == replicas
    kube("sim", "advance", "4m", check=True)
    assert hpa_row(kube, "hpa-resource-cpu") == ("cpu: 10%/50%", replicas)
    kube("sim", "advance", "2m", check=True)
    assert hpa_row(kube, "hpa-resource-cpu")[1] == 2
    d = kube("describe", "hpa", "hpa-resource-cpu")
    assert "New size: 2; reason: All metrics below target" in d.out
    assert "ScalingActive   True    ValidMetricFound" in d.out

    r = kube("delete", "horizontalpodautoscalers.autoscaling", "hpa-resource-cpu")
    assert r.out == 'horizontalpodautoscaler.autoscaling "hpa-resource-cpu" deleted\n'


def test_memory_hpa_follows_the_model(kube):
    kube("apply", "-f", manifest("48-deploy-svc-memory.yaml"), "-f", manifest("49-hpa-memory.yaml"), check=True)
    kube("sim", "advance", "45s", check=True)
    # idle: 2Mi against a 5Mi average, below target, but min replicas keep 2
    assert hpa_row(kube, "hpa-resource-memory") == ("memory: 2097152/5Mi", 2)
    load(kube, "http://192.168.0.100:30002/hostname", "stateless-svc2", 100, "3m", 180)
    kube("sim", "advance", "15s", check=True)
    # 50 rps each: 2Mi + 50 x 150Ki
    assert hpa_row(kube, "hpa-resource-memory") == ("memory: 9777152/5Mi", 2)
    assert kube("get", "deploy", "stateless-memory1", "-o", "jsonpath={.spec.replicas}").out == "4"
    kube("sim", "advance", "2m", check=True)
    assert 3 <= hpa_row(kube, "hpa-resource-memory")[1] <= 10
    top = kube("top", "pods", "-l", "resource=memory", "--no-headers")
    assert {line.split()[2] for line in top.out.splitlines()} == {"4Mi"}, top.out   # 2Mi + 20 x 150Ki
    # the load ends at 3m; memory is held one more minute, then falls back to its 2Mi base
    kube("sim", "advance", "2m", check=True)
    top = kube("top", "pods", "-l", "resource=memory", "--no-headers")
    assert {line.split()[2] for line in top.out.splitlines()} == {"2Mi"}, top.out
    kube("sim", "advance", "6m", check=True)
    assert hpa_row(kube, "hpa-resource-memory")[1] == 2
