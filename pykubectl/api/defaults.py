"""The apiserver's defaulting for v1.32, on plain dicts, in place.

Mirrors `pkg/apis/*/v1/defaults.go` and the generated `zz_generated.defaults.go` that walks
every nested struct, plus what the v1 conversion round trip and Go's JSON encoding add to a stored
object (`spec.serviceAccount` mirroring `serviceAccountName`, `resources: {}` on every container,
`creationTimestamp: null` in templates, `status.loadBalancer: {}` on Services), so that
`get -o yaml` shows what a real cluster stores.

Not here, because the apiserver does them elsewhere: the ServiceAccount admission plugin
(`serviceAccountName: default` on Pods), the Priority and DefaultTolerationSeconds admission
plugins (exposed below as `admit_priority` and `default_toleration_seconds`, called by the
admission chain on Pod create), and each registry's PrepareForCreate (Pod status, Job selector
and labels, Service clusterIP / nodePort allocation). Service `ipFamilyPolicy`/`ipFamilies` are
the registry's too, but a single-stack IPv4 cluster always ends up with the same values, so they
are set here.
"""
from __future__ import annotations


# ---------------------------------------------------------------------------------------------
# helpers


def _dict(parent: dict, key: str) -> dict:
    """parent[key] as a dict, created when absent or null."""
    v = parent.get(key)
    if not isinstance(v, dict):
        v = parent[key] = {}
    return v


def _list(parent: dict, key: str) -> list:
    v = parent.get(key)
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _setdefault(d: dict, key: str, value):
    """Set when absent, null or "" (Go cannot tell an empty string from an unset one)."""
    if d.get(key) in (None, ""):
        d[key] = value


def _zero(d: dict, key: str, value):
    # int fields without a pointer: Go cannot tell 0 from unset, so 0 is defaulted too
    if not d.get(key):
        d[key] = value


def _resource_list(rl):
    """SetDefaults_ResourceList: round up to milli and store canonically (`0.5` -> `500m`)."""
    if not isinstance(rl, dict) or not rl:
        return
    # here, not at the top: quantity pulls in fractions and decimal (~4 ms), which a write of an
    # object without resources never needs
    from pykubectl.api.quantity import QuantityError, round_up_milli
    for k, v in list(rl.items()):
        try:
            rl[k] = round_up_milli(v)
        except QuantityError:
            pass  # validation reports it


def _template_metadata(tmpl: dict):
    # Go encodes the zero metav1.Time of an embedded ObjectMeta as null
    meta = _dict(tmpl, "metadata")
    meta.setdefault("creationTimestamp", None)


# ---------------------------------------------------------------------------------------------
# pod spec


def image_pull_policy(image: str) -> str:
    """Always for `:latest` or an untagged image without digest, else IfNotPresent."""
    return "Always" if _image_tag(image) == "latest" else "IfNotPresent"


def _image_tag(image) -> str:
    """The tag distribution/reference would parse, "latest" when neither tag nor digest, and ""
    when the reference does not parse (which defaults to IfNotPresent)."""
    if not isinstance(image, str) or not image or any(c.isspace() for c in image):
        return ""
    name, _, digest = image.partition("@")
    first, _, rest = name.partition("/")
    # a first component is a registry host when it has a dot, a port or upper case, or is localhost
    remote = rest if rest and (any(c in first for c in ".:") or first == "localhost"
                               or first.lower() != first) else name
    last = remote.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    path = remote[: len(remote) - len(tag) - 1] if tag else remote
    if path.lower() != path or not path:
        return ""
    if not tag and not digest:
        return "latest"
    return tag


def _http_get(h):
    if isinstance(h, dict):
        _setdefault(h, "path", "/")
        _setdefault(h, "scheme", "HTTP")


def _probe(p):
    if not isinstance(p, dict):
        return
    _zero(p, "timeoutSeconds", 1)
    _zero(p, "periodSeconds", 10)
    _zero(p, "successThreshold", 1)
    _zero(p, "failureThreshold", 3)
    _http_get(p.get("httpGet"))
    if isinstance(p.get("grpc"), dict) and p["grpc"].get("service") is None:
        p["grpc"]["service"] = ""


def _field_ref(ref):
    if isinstance(ref, dict):
        _setdefault(ref, "apiVersion", "v1")


def _container(c: dict, host_network_ports: bool):
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = image_pull_policy(c.get("image"))
    _setdefault(c, "terminationMessagePath", "/dev/termination-log")
    _setdefault(c, "terminationMessagePolicy", "File")
    for port in _list(c, "ports"):
        _setdefault(port, "protocol", "TCP")
        if host_network_ports and not port.get("hostPort") and port.get("containerPort"):
            port["hostPort"] = port["containerPort"]
    for env in _list(c, "env"):
        _field_ref((env.get("valueFrom") or {}).get("fieldRef"))
    res = _dict(c, "resources")  # a non-pointer struct: always encoded, `{}` when empty
    _resource_list(res.get("limits"))
    _resource_list(res.get("requests"))
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(name))
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                _http_get(lifecycle[hook].get("httpGet"))


# every volume source a Volume may carry; none set means an emptyDir
_VOLUME_SOURCES = (
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs",
    "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
    "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral",
    "image",
)


def _volume_source(v: dict):
    """Defaults of the volume sources a Volume or a PersistentVolumeSpec holds."""
    hp = v.get("hostPath")
    if isinstance(hp, dict) and hp.get("type") is None:
        hp["type"] = ""
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        if isinstance(v.get(key), dict) and v[key].get("defaultMode") is None:
            v[key]["defaultMode"] = 420
    for item in _list(v.get("downwardAPI") or {}, "items"):
        _field_ref(item.get("fieldRef"))
    for src in _list(v.get("projected") or {}, "sources"):
        for item in _list(src.get("downwardAPI") or {}, "items"):
            _field_ref(item.get("fieldRef"))
        sat = src.get("serviceAccountToken")
        if isinstance(sat, dict) and sat.get("expirationSeconds") is None:
            sat["expirationSeconds"] = 3600
    if isinstance(v.get("iscsi"), dict):
        _setdefault(v["iscsi"], "iscsiInterface", "default")
    if isinstance(v.get("rbd"), dict):
        _setdefault(v["rbd"], "pool", "rbd")
        _setdefault(v["rbd"], "user", "admin")
        _setdefault(v["rbd"], "keyring", "/etc/ceph/keyring")
    if isinstance(v.get("azureDisk"), dict):
        ad = v["azureDisk"]
        for k, d in (("cachingMode", "ReadWrite"), ("kind", "Shared"), ("fsType", "ext4"), ("readOnly", False)):
            if ad.get(k) is None:
                ad[k] = d
    if isinstance(v.get("scaleIO"), dict):
        _setdefault(v["scaleIO"], "storageMode", "ThinProvisioned")
        _setdefault(v["scaleIO"], "fsType", "xfs")
    ed = v.get("emptyDir")
    if isinstance(ed, dict) and ed.get("sizeLimit") is not None:
        from pykubectl.api.quantity import QuantityError, canonical
        try:
            ed["sizeLimit"] = canonical(ed["sizeLimit"])
        except QuantityError:
            pass
    eph = v.get("ephemeral")
    if isinstance(eph, dict) and isinstance(eph.get("volumeClaimTemplate"), dict):
        _pvc_spec(_dict(eph["volumeClaimTemplate"], "spec"))


def _volume(v: dict):
    if not any(v.get(k) is not None for k in _VOLUME_SOURCES):
        v["emptyDir"] = {}
    _volume_source(v)


def _pod_spec(spec: dict, is_pod: bool):
    """SetDefaults_PodSpec and the nested defaults the generated code applies to a PodSpec."""
    _setdefault(spec, "dnsPolicy", "ClusterFirst")
    _setdefault(spec, "restartPolicy", "Always")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    _setdefault(spec, "schedulerName", "default-scheduler")
    # the internal PodSpec has one service account field; v1 reads either and writes both
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    elif spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    # hostPort follows containerPort with host networking, for Pods only (the template variant
    # is behind a feature gate that is off)
    host_ports = is_pod and bool(spec.get("hostNetwork"))
    for v in _list(spec, "volumes"):
        _volume(v)
    for c in _list(spec, "initContainers") + _list(spec, "containers"):
        _container(c, host_ports)
    for c in _list(spec, "ephemeralContainers"):
        _container(c, False)
    _resource_list(spec.get("overhead"))


def _pod_template(tmpl):
    if not isinstance(tmpl, dict):
        return
    _template_metadata(tmpl)
    _pod_spec(_dict(tmpl, "spec"), is_pod=False)


def _pod(obj: dict):
    spec = _dict(obj, "spec")
    # SetDefaults_Pod: requests default to limits, on Pods only (not on templates)
    for c in _list(spec, "containers") + _list(spec, "initContainers"):
        res = c.get("resources")
        if isinstance(res, dict) and isinstance(res.get("limits"), dict):
            req = _dict(res, "requests")
            for k, v in res["limits"].items():
                req.setdefault(k, v)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    _pod_spec(spec, is_pod=True)


# ---------------------------------------------------------------------------------------------
# core/v1 kinds


def _pvc_spec(spec: dict):
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    res = _dict(spec, "resources")  # VolumeResourceRequirements: a non-pointer struct
    _resource_list(res.get("limits"))
    _resource_list(res.get("requests"))


def _pvc(obj: dict):
    _pvc_spec(_dict(obj, "spec"))
    _setdefault(_dict(obj, "status"), "phase", "Pending")


def _pv(obj: dict):
    spec = _dict(obj, "spec")
    _setdefault(spec, "persistentVolumeReclaimPolicy", "Retain")
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    _resource_list(spec.get("capacity"))
    _volume_source(spec)
    _setdefault(_dict(obj, "status"), "phase", "Pending")


def _service(obj: dict):
    spec = _dict(obj, "spec")
    _setdefault(spec, "sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        cfg = spec.get("sessionAffinityConfig") or {}
        if ((cfg.get("clientIP") or {}).get("timeoutSeconds")) is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    _setdefault(spec, "type", "ClusterIP")
    stype = spec["type"]
    for p in _list(spec, "ports"):
        _setdefault(p, "protocol", "TCP")
        if p.get("targetPort") in (None, 0, "") and p.get("port") is not None:
            p["targetPort"] = p["port"]
    externally = stype in ("NodePort", "LoadBalancer") or (stype == "ClusterIP" and spec.get("externalIPs"))
    if externally:
        _setdefault(spec, "externalTrafficPolicy", "Cluster")
    if spec.get("internalTrafficPolicy") is None and stype in ("ClusterIP", "NodePort", "LoadBalancer"):
        spec["internalTrafficPolicy"] = "Cluster"
    if stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    if stype != "ExternalName":
        # the registry's IP family defaulting on a single-stack IPv4 cluster; a headless Service
        # without selector is the one case that asks for both families
        headless_no_selector = spec.get("clusterIP") == "None" and not spec.get("selector")
        if spec.get("ipFamilyPolicy") is None:
            spec["ipFamilyPolicy"] = "RequireDualStack" if headless_no_selector else "SingleStack"
        if not spec.get("ipFamilies"):
            # such a Service has no IPs to allocate, so it may be dual-stack even here
            dual = headless_no_selector and spec["ipFamilyPolicy"] != "SingleStack"
            spec["ipFamilies"] = ["IPv4", "IPv6"] if dual else ["IPv4"]
    status = _dict(obj, "status")
    lb = _dict(status, "loadBalancer")
    if stype == "LoadBalancer":
        for ing in _list(lb, "ingress"):
            if ing.get("ip") and ing.get("ipMode") is None:
                ing["ipMode"] = "VIP"


def _endpoints(obj: dict):
    for ss in _list(obj, "subsets"):
        for p in _list(ss, "ports"):
            _setdefault(p, "protocol", "TCP")


def _namespace(obj: dict):
    meta = _dict(obj, "metadata")
    if meta.get("name"):
        _dict(meta, "labels")["kubernetes.io/metadata.name"] = meta["name"]
    # the namespace strategy's PrepareForCreate adds the finalizer
    spec = _dict(obj, "spec")
    if not spec.get("finalizers"):
        spec["finalizers"] = ["kubernetes"]
    _setdefault(_dict(obj, "status"), "phase", "Active")


def _node(obj: dict):
    status = obj.get("status")
    if isinstance(status, dict):
        _resource_list(status.get("capacity"))
        _resource_list(status.get("allocatable"))
        if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
            status["allocatable"] = dict(status["capacity"])


def _secret(obj: dict):
    _setdefault(obj, "type", "Opaque")


def _replication_controller(obj: dict):
    spec = _dict(obj, "spec")
    tmpl = spec.get("template")
    labels = ((tmpl or {}).get("metadata") or {}).get("labels") if isinstance(tmpl, dict) else None
    if labels:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = _dict(obj, "metadata")
        if not meta.get("labels"):
            meta["labels"] = dict(labels)
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _pod_template(tmpl)


def _limit_range(obj: dict):
    for item in _list(_dict(obj, "spec"), "limits"):
        for k in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            _resource_list(item.get(k))
        if item.get("type") == "Container":
            default = _dict(item, "default")
            default_req = _dict(item, "defaultRequest")
            for k, v in (item.get("max") or {}).items():
                default.setdefault(k, v)
            for k, v in default.items():
                default_req.setdefault(k, v)
            for k, v in (item.get("min") or {}).items():
                default_req.setdefault(k, v)
            # Go omits the maps it created when they stayed empty
            for k in ("default", "defaultRequest"):
                if not item[k]:
                    del item[k]


def _resource_quota(obj: dict):
    _resource_list((obj.get("spec") or {}).get("hard"))


def _pod_template_kind(obj: dict):
    _pod_template(obj.get("template"))


# ---------------------------------------------------------------------------------------------
# apps, batch, autoscaling


def _deployment(obj: dict):
    spec = _dict(obj, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = _dict(spec, "strategy")
    _setdefault(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = _dict(strategy, "rollingUpdate")
        if ru.get("maxUnavailable") is None:
            ru["maxUnavailable"] = "25%"
        if ru.get("maxSurge") is None:
            ru["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    _pod_template(spec.get("template"))


def _replica_set(obj: dict):
    spec = _dict(obj, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _pod_template(spec.get("template"))


def _daemon_set(obj: dict):
    spec = _dict(obj, "spec")
    us = _dict(spec, "updateStrategy")
    _setdefault(us, "type", "RollingUpdate")
    if us["type"] == "RollingUpdate":
        ru = _dict(us, "rollingUpdate")
        if ru.get("maxUnavailable") is None:
            ru["maxUnavailable"] = 1
        if ru.get("maxSurge") is None:
            ru["maxSurge"] = 0
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    _pod_template(spec.get("template"))


def _stateful_set(obj: dict):
    spec = _dict(obj, "spec")
    _setdefault(spec, "podManagementPolicy", "OrderedReady")
    us = _dict(spec, "updateStrategy")
    if not us.get("type"):
        us["type"] = "RollingUpdate"
        if us.get("rollingUpdate") is None:
            us["rollingUpdate"] = {}
    # only an existing rollingUpdate gets its partition (type RollingUpdate given alone stays bare)
    if us["type"] == "RollingUpdate" and isinstance(us.get("rollingUpdate"), dict):
        if us["rollingUpdate"].get("partition") is None:
            us["rollingUpdate"]["partition"] = 0
    policy = _dict(spec, "persistentVolumeClaimRetentionPolicy")
    _setdefault(policy, "whenDeleted", "Retain")
    _setdefault(policy, "whenScaled", "Retain")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    _pod_template(spec.get("template"))
    for pvc in _list(spec, "volumeClaimTemplates"):
        # the apiserver writes the embedded objects' type meta
        pvc.setdefault("apiVersion", "v1")
        pvc.setdefault("kind", "PersistentVolumeClaim")
        _template_metadata(pvc)
        _pvc(pvc)


def _job_spec_template(spec: dict):
    _pod_template(spec.get("template"))


def _job(obj: dict):
    spec = _dict(obj, "spec")
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    meta = _dict(obj, "metadata")
    if labels and not meta.get("labels"):
        meta["labels"] = dict(labels)
    if spec.get("completionMode") is None:
        spec["completionMode"] = "NonIndexed"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    pfp = spec.get("podFailurePolicy")
    if isinstance(pfp, dict):
        for rule in _list(pfp, "rules"):
            for pattern in _list(rule, "onPodConditions"):
                _setdefault(pattern, "status", "True")
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = "Failed" if pfp is not None else "TerminatingOrFailed"
    _job_spec_template(spec)


def _cron_job(obj: dict):
    spec = _dict(obj, "spec")
    _setdefault(spec, "concurrencyPolicy", "Allow")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("successfulJobsHistoryLimit") is None:
        spec["successfulJobsHistoryLimit"] = 3
    if spec.get("failedJobsHistoryLimit") is None:
        spec["failedJobsHistoryLimit"] = 1
    # the Job defaults (backoffLimit, ...) belong to Job objects, not to the embedded JobSpec
    jt = _dict(spec, "jobTemplate")
    _template_metadata(jt)
    _job_spec_template(_dict(jt, "spec"))


def hpa_scale_up_rules(rules: dict | None = None) -> dict:
    """GenerateHPAScaleUpRules: fill what `rules` leaves unset."""
    rules = dict(rules or {})
    if rules.get("stabilizationWindowSeconds") is None:
        rules["stabilizationWindowSeconds"] = 0
    if rules.get("selectPolicy") is None:
        rules["selectPolicy"] = "Max"
    if rules.get("policies") is None:
        rules["policies"] = [{"type": "Pods", "value": 4, "periodSeconds": 15},
                             {"type": "Percent", "value": 100, "periodSeconds": 15}]
    return rules


def hpa_scale_down_rules(rules: dict | None = None) -> dict:
    """GenerateHPAScaleDownRules: fill what `rules` leaves unset. The stabilization window stays
    unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization (5m) applies."""
    rules = dict(rules or {})
    if rules.get("selectPolicy") is None:
        rules["selectPolicy"] = "Max"
    if rules.get("policies") is None:
        rules["policies"] = [{"type": "Percent", "value": 100, "periodSeconds": 15}]
    return rules


def _hpa_v2(obj: dict):
    spec = _dict(obj, "spec")
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    # behavior is only completed when given; an HPA without one uses these rules implicitly
    if isinstance(spec.get("behavior"), dict):
        b = spec["behavior"]
        b["scaleUp"] = hpa_scale_up_rules(b.get("scaleUp"))
        b["scaleDown"] = hpa_scale_down_rules(b.get("scaleDown"))


def _hpa_v1(obj: dict):
    spec = _dict(obj, "spec")
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1


# ---------------------------------------------------------------------------------------------
# networking, rbac, storage, scheduling, discovery


def _ingress(obj: dict):
    # no field defaults (pathType is required); IngressStatus.LoadBalancer is a non-pointer struct
    _dict(_dict(obj, "status"), "loadBalancer")


def _network_policy(obj: dict):
    spec = _dict(obj, "spec")
    for rule in _list(spec, "ingress"):
        for p in _list(rule, "ports"):
            _setdefault(p, "protocol", "TCP")
    for rule in _list(spec, "egress"):
        for p in _list(rule, "ports"):
            _setdefault(p, "protocol", "TCP")
    if not spec.get("policyTypes"):
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types


def _binding(obj: dict):
    ref = obj.get("roleRef")
    if isinstance(ref, dict):
        _setdefault(ref, "apiGroup", "rbac.authorization.k8s.io")
    for s in _list(obj, "subjects"):
        # a ServiceAccount's group stays "" (and Go omits it)
        if not s.get("apiGroup") and s.get("kind") in ("User", "Group"):
            s["apiGroup"] = "rbac.authorization.k8s.io"


def _storage_class(obj: dict):
    _setdefault(obj, "reclaimPolicy", "Delete")
    _setdefault(obj, "volumeBindingMode", "Immediate")


def _priority_class(obj: dict):
    _setdefault(obj, "preemptionPolicy", "PreemptLowerPriority")


def _endpoint_slice(obj: dict):
    for p in _list(obj, "ports"):
        if p.get("name") is None:
            p["name"] = ""
        _setdefault(p, "protocol", "TCP")


_DEFAULTERS = {
    ("", "Pod"): _pod,
    ("", "PodTemplate"): _pod_template_kind,
    ("", "ReplicationController"): _replication_controller,
    ("", "Service"): _service,
    ("", "Endpoints"): _endpoints,
    ("", "Namespace"): _namespace,
    ("", "Node"): _node,
    ("", "Secret"): _secret,
    ("", "PersistentVolume"): _pv,
    ("", "PersistentVolumeClaim"): _pvc,
    ("", "LimitRange"): _limit_range,
    ("", "ResourceQuota"): _resource_quota,
    ("apps", "Deployment"): _deployment,
    ("apps", "ReplicaSet"): _replica_set,
    ("apps", "DaemonSet"): _daemon_set,
    ("apps", "StatefulSet"): _stateful_set,
    ("batch", "Job"): _job,
    ("batch", "CronJob"): _cron_job,
    ("autoscaling", "HorizontalPodAutoscaler"): None,  # per version, below
    ("networking.k8s.io", "Ingress"): _ingress,
    ("networking.k8s.io", "NetworkPolicy"): _network_policy,
    ("rbac.authorization.k8s.io", "RoleBinding"): _binding,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _binding,
    ("storage.k8s.io", "StorageClass"): _storage_class,
    ("scheduling.k8s.io", "PriorityClass"): _priority_class,
    ("discovery.k8s.io", "EndpointSlice"): _endpoint_slice,
}


def apply_defaults(obj: dict) -> dict:
    """Default `obj` in place as the apiserver would before storing it; returns it.

    Dispatches on apiVersion/kind; kinds without defaults (and unknown kinds, CRs) are untouched.
    """
    if not isinstance(obj, dict):
        return obj
    api_version = obj.get("apiVersion") or ""
    group, _, version = api_version.rpartition("/")
    kind = obj.get("kind") or ""
    if (group, kind) == ("autoscaling", "HorizontalPodAutoscaler"):
        (_hpa_v1 if version == "v1" else _hpa_v2)(obj)
        return obj
    fn = _DEFAULTERS.get((group, kind))
    if fn is not None:
        fn(obj)
    return obj


# ---------------------------------------------------------------------------------------------
# admission plugins that default Pods on create

NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"


def default_toleration_seconds(pod: dict, seconds: int = 300) -> dict:
    """The DefaultTolerationSeconds admission plugin: tolerate not-ready and unreachable nodes for
    `seconds` unless the pod already tolerates them (an empty key or effect tolerates all)."""
    spec = _dict(pod, "spec")
    tolerations = spec.get("tolerations") or []
    def tolerates(key):
        return any((t.get("key") in (key, "", None)) and (t.get("effect") in ("NoExecute", "", None))
                   for t in tolerations if isinstance(t, dict))
    added = [{"key": k, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": seconds}
             for k in (NOT_READY_TAINT, UNREACHABLE_TAINT) if not tolerates(k)]
    if added:
        spec["tolerations"] = list(tolerations) + added
    return pod


# the two classes every apiserver creates at startup
SYSTEM_PRIORITY_CLASSES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}


def admit_priority(pod: dict, priority_classes: list[dict] | None = None) -> dict:
    """The Priority admission plugin on Pod create: resolve `priorityClassName` (or the global
    default class) to `priority` and `preemptionPolicy`. Raises StatusError (Forbidden) for an
    unknown class or a priority that disagrees with it."""
    from pykubectl.api.errors import forbidden

    spec = _dict(pod, "spec")
    classes = {(pc.get("metadata") or {}).get("name"): pc for pc in priority_classes or []}
    name = spec.get("priorityClassName") or ""
    policy = "PreemptLowerPriority"
    pod_name = (pod.get("metadata") or {}).get("name") or ""
    if not name:
        defaults = [pc for pc in classes.values() if pc.get("globalDefault")]
        if defaults:
            # the lowest-valued global default wins, as getDefaultPriorityClass picks it
            pc = min(defaults, key=lambda c: c.get("value") or 0)
            name = (pc.get("metadata") or {}).get("name") or ""
            value = pc.get("value") or 0
            policy = pc.get("preemptionPolicy") or policy
            spec["priorityClassName"] = name
        else:
            value = 0
    elif name in classes:
        value = classes[name].get("value") or 0
        policy = classes[name].get("preemptionPolicy") or policy
    elif name in SYSTEM_PRIORITY_CLASSES:
        value = SYSTEM_PRIORITY_CLASSES[name]
    else:
        raise forbidden(f'pods "{pod_name}" is forbidden: no PriorityClass with name {name} was found')
    if spec.get("priority") is not None and spec["priority"] != value:
        raise forbidden(f'pods "{pod_name}" is forbidden: the integer value of priority '
                        f'({spec["priority"]}) must not be provided in pod spec; priority admission '
                        f'controller computed {value} from the given PriorityClass name')
    spec["priority"] = value
    if spec.get("preemptionPolicy") is None:
        spec["preemptionPolicy"] = policy
    return pod
