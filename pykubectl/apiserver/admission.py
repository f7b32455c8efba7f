"""Mutating admission, as kube-apiserver's default plugin chain and REST storages do it.

Defaults (the API's SetDefaults_*), then per-kind mutations: ServiceAccount (the pod's
serviceAccountName and its `kube-api-access-*` projected token volume), DefaultTolerationSeconds
(not-ready / unreachable for 300 s), Priority (from the PriorityClass), the pod's initial status
and QoS class, Service ClusterIP / NodePort allocation, Namespace finalizers and name label.
"""
from __future__ import annotations

from pykubectl.api import errors

SERVICE_CIDR = "10.96.0.0/12"
NODEPORT_RANGE = (30000, 32767)


def admit(server, t, kind, obj: dict) -> None:
    from pykubectl.api.defaults import apply_defaults
    apply_defaults(obj)
    fn = _BY_KIND.get((kind.group, kind.plural))
    if fn:
        fn(server, t, obj)


def _pod(server, t, pod: dict) -> None:
    meta = pod["metadata"]
    pod.setdefault("spec", {})
    if meta.get("resourceVersion"):
        return  # only on create: updates keep what admission set then
    _service_account(server, t, pod)
    from pykubectl.api.defaults import default_toleration_seconds
    default_toleration_seconds(pod)
    from pykubectl.api.defaults import admit_priority
    admit_priority(pod, t.list("scheduling.k8s.io", "priorityclasses"))
    from pykubectl.api.qos import compute_pod_qos
    pod["status"] = {"phase": "Pending", "qosClass": compute_pod_qos(pod)}


def _service_account(server, t, pod: dict) -> None:
    spec = pod["spec"]
    ns = pod["metadata"]["namespace"]
    sa_name = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = sa_name
    spec["serviceAccount"] = sa_name
    sa = t.get("", "serviceaccounts", ns, sa_name)
    if sa is None:
        # the ServiceAccount admission plugin refuses pods whose account does not exist yet
        raise errors.forbidden(
            f'pods "{pod["metadata"].get("name", "")}" is forbidden: error looking up service account {ns}/{sa_name}: serviceaccount "{sa_name}" not found')
    automount = spec.get("automountServiceAccountToken")
    if automount is None:
        automount = sa.get("automountServiceAccountToken", True)
    if automount is False:
        return
    mount_path = "/var/run/secrets/kubernetes.io/serviceaccount"
    # as the plugin's mountServiceAccountToken: every container without a mount at the default
    # path gets one, of the pod's existing kube-api-access-* volume if it has one (a copy of a
    # pod), else of a new volume added for them
    needs = [c for c in list(spec.get("initContainers") or []) + list(spec.get("containers") or [])
             if not any(m.get("mountPath") == mount_path for m in c.get("volumeMounts") or ())]
    if not needs:
        return
    vol_name = next((v.get("name") for v in spec.get("volumes") or ()
                     if str(v.get("name", "")).startswith("kube-api-access-")), None)
    if vol_name is None:
        from pykubectl.apiserver.core import random_suffix
        vol_name = "kube-api-access-" + random_suffix(rng=server.rng(t, "token-volume"))
        spec.setdefault("volumes", []).append(_token_volume(vol_name))
    for c in needs:
        c.setdefault("volumeMounts", []).append(
            {"name": vol_name, "readOnly": True, "mountPath": mount_path})


def _token_volume(vol_name: str) -> dict:
    """The projected kube-api-access volume: a bound token, the cluster CA, the namespace."""
    return {
        "name": vol_name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                    "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
            ],
        },
    }


def _service(server, t, svc: dict) -> None:
    spec = svc.setdefault("spec", {})
    typ = spec.get("type", "ClusterIP")
    if typ == "ExternalName":
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
        return
    if not spec.get("clusterIP"):
        ip = _allocate_cluster_ip(server, t)
        spec["clusterIP"] = ip
    if spec["clusterIP"] != "None":
        spec["clusterIPs"] = [spec["clusterIP"]]
    else:
        spec["clusterIPs"] = ["None"]
    if typ in ("NodePort", "LoadBalancer"):
        used = _used_node_ports(t, svc)
        for p in spec.get("ports") or []:
            if not p.get("nodePort"):
                p["nodePort"] = _allocate_node_port(server, used)
                used.add(p["nodePort"])
            elif p["nodePort"] in used:
                raise errors.invalid("", "Service", svc["metadata"].get("name", ""), [errors.FieldError(
                    "Invalid value", f"spec.ports[{spec['ports'].index(p)}].nodePort", "provided port is already allocated",
                    p["nodePort"], True)])
    # kube-proxy's health check for Local traffic: a node port of its own, as the apiserver
    # allocates it; gone again when the Service stops being a Local LoadBalancer
    if typ == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local":
        used = _used_node_ports(t, svc) | {p.get("nodePort") for p in spec.get("ports") or ()}
        hc = spec.get("healthCheckNodePort")
        if not hc:
            spec["healthCheckNodePort"] = _allocate_node_port(server, used)
        elif hc in used:
            raise errors.invalid("", "Service", svc["metadata"].get("name", ""), [errors.FieldError(
                "Invalid value", "spec.healthCheckNodePort", "provided port is already allocated", hc, True)])
    else:
        spec.pop("healthCheckNodePort", None)


def _used_cluster_ips(t) -> set:
    used = set()
    for s in t.list("", "services"):
        for ip in (s.get("spec") or {}).get("clusterIPs") or ():
            used.add(ip)
    return used


def _allocate_cluster_ip(server, t) -> str:
    import ipaddress   # here, not at the top: only a Service's creation needs it (~3 ms per write)
    net = ipaddress.ip_network(SERVICE_CIDR)
    used = _used_cluster_ips(t)
    rng = _rng(server, t)
    # the upper band is for dynamic allocation, as the apiserver's allocator prefers it
    size = net.num_addresses
    for _ in range(1000):
        ip = str(net.network_address + rng.randrange(16, size - 1))
        if ip not in used:
            return ip
    raise errors.StatusError(500, "InternalError", "failed to allocate a serviceIP: range is full")


def _used_node_ports(t, svc) -> set:
    me = (svc["metadata"].get("namespace"), svc["metadata"].get("name"))
    used = set()
    for s in t.list("", "services"):
        if (s["metadata"].get("namespace"), s["metadata"]["name"]) == me:
            continue
        for p in (s.get("spec") or {}).get("ports") or ():
            if p.get("nodePort"):
                used.add(p["nodePort"])
        if (s.get("spec") or {}).get("healthCheckNodePort"):
            used.add(s["spec"]["healthCheckNodePort"])
    return used


def _allocate_node_port(server, used) -> int:
    rng = _rng(server, None)
    lo, hi = NODEPORT_RANGE
    for _ in range(10000):
        p = rng.randint(lo, hi)
        if p not in used:
            return p
    raise errors.StatusError(500, "InternalError", "failed to allocate a nodePort: range is full")


def _rng(server, t):
    """Seeded clusters allocate reproducibly; others randomly."""
    import random
    seed = getattr(server.cluster, "seed", None)
    if seed is None:
        return random.SystemRandom()
    rev = t.revision() if t is not None else 0
    return random.Random(f"{seed}:{rev}")


def _namespace(server, t, ns: dict) -> None:
    meta = ns["metadata"]
    meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    ns.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    if not meta.get("deletionTimestamp"):
        ns.setdefault("status", {})["phase"] = "Active"


def _crd(server, t, crd: dict) -> None:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    accepted = {k: v for k, v in names.items()}
    accepted.setdefault("singular", (names.get("kind") or "").lower())
    accepted.setdefault("listKind", (names.get("kind") or "") + "List")
    st = crd.setdefault("status", {})
    st["acceptedNames"] = accepted
    st["storedVersions"] = [v["name"] for v in spec.get("versions") or () if v.get("storage")]
    ts = crd["metadata"].get("creationTimestamp")
    st["conditions"] = [
        {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
         "message": "no conflicts found", "lastTransitionTime": ts},
        {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
         "message": "the initial names have been accepted", "lastTransitionTime": ts},
    ]


def _job(server, t, job: dict) -> None:
    if not (job.get("metadata") or {}).get("resourceVersion"):
        generate_job_selector(job)


def generate_job_selector(job: dict) -> dict:
    """The Job registry's PrepareForCreate (generateSelector), unless spec.manualSelector: the
    template gets job-name and controller-uid labels (legacy and batch.kubernetes.io/ forms), the
    selector matches batch.kubernetes.io/controller-uid."""
    spec = job.setdefault("spec", {})
    if spec.get("manualSelector"):
        return job
    meta = job.get("metadata") or {}
    tmeta = spec.setdefault("template", {}).setdefault("metadata", {})
    labels = tmeta.get("labels") or {}
    tmeta["labels"] = labels
    for k in ("job-name", "batch.kubernetes.io/job-name"):
        labels.setdefault(k, meta.get("name", ""))
    for k in ("controller-uid", "batch.kubernetes.io/controller-uid"):
        labels.setdefault(k, meta.get("uid", ""))
    sel = spec.get("selector") or {}
    spec["selector"] = sel
    sel.setdefault("matchLabels", {}).setdefault("batch.kubernetes.io/controller-uid", meta.get("uid", ""))
    return job


_BY_KIND = {
    ("", "pods"): _pod,
    ("batch", "jobs"): _job,
    ("", "services"): _service,
    ("", "namespaces"): _namespace,
    ("apiextensions.k8s.io", "customresourcedefinitions"): _crd,
}
