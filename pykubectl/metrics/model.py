"""The usage model: what each simulated container uses, in closed form from the traffic it serves.

Stated once, so learners can predict what `kubectl top` and the HPA will see:

- CPU (millicores) = base + CPU_MILLI_PER_RPS x requests per second the container serves, capped at
  its CPU limit (the kernel throttles it; usage never exceeds the limit). kubetm/app idles at 1m
  and each request costs 340 us of CPU: two pods sharing 100 rps use 1 + 0.34 x 50 = 18m each,
  180% of a 10m request.
- Memory (bytes) = base + MEM_PER_RPS x the highest rate served in the last MEM_HOLD_SECONDS:
  buffers grow at once with traffic and are returned by the runtime's garbage collector
  MEM_HOLD_SECONDS after the traffic drops, then memory falls back to its base. kubetm/app idles
  at 2Mi and holds 150Ki per request per second (50 rps -> 2Mi + 7500Ki ~ 9.3Mi).
- A container whose memory demand exceeds its memory limit is OOMKilled (`oom_killed`): the
  kubelet kills it the moment the rate it serves pushes it over (a load starts, or its Service's
  other endpoints go away and it takes their share): Terminated, reason OOMKilled, exit code 137,
  then restarted per restartPolicy with kubelet's back-off (CrashLoopBackOff), out of the
  Service's endpoints meanwhile. A restarted container starts with empty buffers, so only the
  rate it serves then counts. kubetm/app with a 20Mi limit holds up to 122 rps:
  2Mi + 122 x 150Ki < 20Mi < 2Mi + 123 x 150Ki. A scrape that sees demand over the limit
  reports usage at the limit.
- A container that is not running uses nothing. Traffic reaches only ready pods, split evenly as
  kube-proxy's random choice does on average (see `traffic.per_pod_rps`).
"""
from __future__ import annotations

from collections import namedtuple

MI = 1024 * 1024
KI = 1024
CPU_MILLI_PER_RPS = 0.34
MEM_PER_RPS = 150 * KI
MEM_HOLD_SECONDS = 60.0

# (image repository substring, idle CPU millicores, idle memory bytes): system images at the
# sizes a small kubeadm cluster shows; everything else idles like kubetm/app
_IDLE = (
    ("kube-apiserver", 45, 260 * MI), ("etcd", 20, 48 * MI), ("kube-controller-manager", 15, 52 * MI),
    ("kube-scheduler", 3, 22 * MI), ("coredns", 2, 14 * MI), ("calico/node", 25, 110 * MI),
    ("calico/kube-controllers", 2, 16 * MI), ("kube-proxy", 1, 18 * MI),
    ("metrics-server", 4, 20 * MI), ("ingress-nginx/controller", 3, 90 * MI),
)
DEFAULT_IDLE = (1, 2 * MI)
# what the node itself uses outside pods (kubelet, containerd, the OS)
NODE_OVERHEAD = (90, 700 * MI)


# cpu in millicores, memory in bytes (a namedtuple: dataclasses costs ~6 ms of import on every
# pod write, through the controllers that read usage)
Usage = namedtuple("Usage", "cpu_milli memory oom", defaults=(False,))


def idle(image: str) -> tuple[int, int]:
    for sub, cpu, mem in _IDLE:
        if sub in image:
            return cpu, mem
    return DEFAULT_IDLE


def limit_of(container: dict, resource: str) -> int | None:
    """A container's limit: millicores for cpu, bytes for memory; None when unlimited."""
    from pykubectl.api.quantity import milli, value
    lim = ((container.get("resources") or {}).get("limits") or {}).get(resource)
    if lim is None:
        return None
    return milli(lim) if resource == "cpu" else value(lim)


def container_usage(container: dict, rps: float, recent_peak_rps: float) -> Usage:
    """Usage of one running container serving `rps` now, whose highest rate within the last
    MEM_HOLD_SECONDS was `recent_peak_rps`."""
    base_cpu, base_mem = idle(container.get("image") or "")
    cpu = base_cpu + CPU_MILLI_PER_RPS * rps
    mem = base_mem + MEM_PER_RPS * max(rps, recent_peak_rps)
    cpu_lim, mem_lim = limit_of(container, "cpu"), limit_of(container, "memory")
    if cpu_lim is not None:
        cpu = min(cpu, cpu_lim)
    oom = mem_lim is not None and mem > mem_lim
    if oom:
        mem = mem_lim
    return Usage(int(round(cpu)), int(mem), oom)


def oom_killed(container: dict, rps: float, recent_peak_rps: float) -> bool:
    return container_usage(container, rps, recent_peak_rps).oom
