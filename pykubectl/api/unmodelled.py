"""Fields the emulator accepts and stores but does not act on.

A real cluster would enforce them (a security context, a CSI volume, host namespaces); the
simulation has no kernel, no CSI driver and no container runtime to enforce them with. Rather
than pretend, a write that sets one gets one warning naming them all, as the apiserver's own
warnings come back (`Warning: ...` on stderr), once per create, replace or apply.

The lists are what the simulation does not model today; a field leaves them when a controller
starts to act on it."""
from __future__ import annotations

# Pod spec fields nothing in the simulation reads.
POD_FIELDS = (
    "hostPID", "hostIPC", "shareProcessNamespace", "runtimeClassName", "overhead", "os",
    "hostUsers", "resourceClaims", "setHostnameAsFQDN", "dnsConfig", "hostAliases",
    "imagePullSecrets",
)

# pod-level securityContext: no users, groups, SELinux, seccomp or sysctls in the simulation
POD_SECURITY = ("runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup", "fsGroupChangePolicy",
                "supplementalGroups", "supplementalGroupsPolicy", "seLinuxOptions",
                "seLinuxChangePolicy", "seccompProfile", "appArmorProfile", "sysctls",
                "windowsOptions")

# (terminationMessagePath/Policy are not listed: the apiserver defaults them on every container)
CONTAINER_FIELDS = ("securityContext", "resizePolicy", "volumeDevices", "workingDir")

# the volume sources the simulated kubelet mounts; any other source is stored only
MODELLED_VOLUMES = {"name", "emptyDir", "hostPath", "configMap", "secret",
                    "persistentVolumeClaim", "nfs", "projected", "downwardAPI", "local"}

# where each workload kind keeps its pod template's spec
TEMPLATE_PATHS = {
    "Pod": ("spec",),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def fields(kind: str, obj: dict) -> list[str]:
    """The paths of obj's unmodelled fields that are set (non-empty), in document order."""
    path = TEMPLATE_PATHS.get(kind)
    if not path or not isinstance(obj, dict):
        return []
    spec = obj
    for step in path:
        spec = spec.get(step) if isinstance(spec, dict) else None
        if not isinstance(spec, dict):
            return []
    prefix = ".".join(path)
    out = [f"{prefix}.{f}" for f in POD_FIELDS if _set(spec.get(f))]
    sc = spec.get("securityContext")
    if isinstance(sc, dict):
        out += [f"{prefix}.securityContext.{f}" for f in POD_SECURITY if _set(sc.get(f))]
    for group in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(group) or ()):
            if isinstance(c, dict):
                out += [f"{prefix}.{group}[{i}].{f}" for f in CONTAINER_FIELDS if _set(c.get(f))]
    for i, v in enumerate(spec.get("volumes") or ()):
        if isinstance(v, dict):
            out += [f"{prefix}.volumes[{i}].{k}" for k in v if k not in MODELLED_VOLUMES]
    return out


def warnings(kind: str, new: dict, old: dict | None = None) -> list[str]:
    """The one warning for a write of new over old: the unmodelled fields it sets that old did
    not have (all of them on a create), or none."""
    found = fields(kind, new)
    if old and found:
        before = set(fields(kind, old))
        found = [f for f in found if f not in before]
    if not found:
        return []
    return ["pykubectl does not model " + ", ".join(found)
            + ": accepted and stored, but without effect in the simulated cluster"]


def _set(v) -> bool:
    return v not in (None, "", [], {}, False)
