"""Kubernetes' protobuf encoding, read into the JSON form of an object: what kubectl's typed
clients post as `application/vnd.kubernetes.protobuf` (the `create` generators, `create token`,
drain's evictions, auth can-i and whoami).

A body is the `k8s\\0` magic and a runtime.Unknown {typeMeta, raw, contentEncoding, contentType};
`raw` is the object's message. Field numbers are those of the generated.proto files of
k8s.io/api and k8s.io/apimachinery v1.32, declared below as data. Go's gogo-protobuf writes every
non-pointer field even when empty, so empty values are dropped (JSON's omitempty) except for
fields marked `!` (pointers in Go, written only when set: a 0, false or {} there was meant).
"""
from __future__ import annotations

MAGIC = b"k8s\x00"


def _varint(b: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        c = b[i]
        i += 1
        value |= (c & 0x7F) << shift
        if not c & 0x80:
            return value, i
        shift += 7


def fields(b: bytes) -> dict[int, list]:
    """Field number -> values (ints for varints, bytes for length-delimited)."""
    out: dict[int, list] = {}
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            if i + n > len(b):
                raise ValueError("truncated message")
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        out.setdefault(num, []).append(v)
    return out


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw message) of a runtime.Unknown envelope."""
    if not body.startswith(MAGIC):
        raise ValueError("not a Kubernetes protobuf message")
    f = fields(body[len(MAGIC):])
    tm = fields(f.get(1, [b""])[0])
    s = lambda d, n: d.get(n, [b""])[0].decode()   # noqa: E731
    if f.get(3, [b""])[0]:
        raise ValueError(f"unsupported content encoding {s(f, 3)!r}")
    return s(tm, 1), s(tm, 2), f.get(2, [b""])[0]


# -- the messages ----------------------------------------------------------------------
# "number jsonName type" per field; type: s string, i integer, b bool, y bytes (base64 in JSON),
# t Time, q Quantity, ios IntOrString, m map<string,string>, my map<string,bytes>,
# mq map<string,Quantity>, or a message name. `*` repeated, `!` kept when zero, a jsonName
# of `^` is an embedded struct whose fields JSON inlines.
_MESSAGES = {
    # k8s.io/apimachinery/pkg/apis/meta/v1
    "ObjectMeta": "1 name s; 2 generateName s; 3 namespace s; 4 selfLink s; 5 uid s; "
                  "6 resourceVersion s; 7 generation i; 8 creationTimestamp t; 9 deletionTimestamp t; "
                  "10 deletionGracePeriodSeconds i!; 11 labels m; 12 annotations m; "
                  "13 ownerReferences OwnerReference*; 14 finalizers s*",
    "OwnerReference": "5 apiVersion s; 1 kind s; 3 name s; 4 uid s; 6 controller b!; 7 blockOwnerDeletion b!",
    "LabelSelector": "1 matchLabels m; 2 matchExpressions LabelSelectorRequirement*",
    "LabelSelectorRequirement": "1 key s; 2 operator s; 3 values s*",
    "DeleteOptions": "1 gracePeriodSeconds i!; 2 preconditions Preconditions; 3 orphanDependents b!; "
                     "4 propagationPolicy s; 5 dryRun s*",
    "Preconditions": "1 uid s; 2 resourceVersion s",
    # k8s.io/api/core/v1
    "Namespace": "1 metadata ObjectMeta; 2 spec NamespaceSpec",
    "NamespaceSpec": "1 finalizers s*",
    "ConfigMap": "1 metadata ObjectMeta; 4 immutable b!; 2 data m; 3 binaryData my",
    "Secret": "1 metadata ObjectMeta; 5 immutable b!; 2 data my; 4 stringData m; 3 type s",
    "ServiceAccount": "1 metadata ObjectMeta; 2 secrets ObjectReference*; "
                      "3 imagePullSecrets LocalObjectReference*; 4 automountServiceAccountToken b!",
    "ObjectReference": "1 kind s; 2 namespace s; 3 name s; 4 uid s; 5 apiVersion s; 6 resourceVersion s; "
                       "7 fieldPath s",
    "LocalObjectReference": "1 name s",
    "Service": "1 metadata ObjectMeta; 2 spec ServiceSpec",
    "ServiceSpec": "1 ports ServicePort*; 2 selector m; 3 clusterIP s; 18 clusterIPs s*; 4 type s; "
                   "5 externalIPs s*; 7 sessionAffinity s; 8 loadBalancerIP s; 9 loadBalancerSourceRanges s*; "
                   "10 externalName s; 11 externalTrafficPolicy s; 12 healthCheckNodePort i; "
                   "13 publishNotReadyAddresses b; 19 ipFamilies s*; 17 ipFamilyPolicy s; "
                   "20 allocateLoadBalancerNodePorts b!; 21 loadBalancerClass s; 22 internalTrafficPolicy s; "
                   "23 trafficDistribution s",
    "ServicePort": "1 name s; 2 protocol s; 6 appProtocol s; 3 port i!; 4 targetPort ios; 5 nodePort i",
    "ResourceQuota": "1 metadata ObjectMeta; 2 spec ResourceQuotaSpec",
    "ResourceQuotaSpec": "1 hard mq; 2 scopes s*; 3 scopeSelector ScopeSelector",
    "ScopeSelector": "1 matchExpressions ScopedResourceSelectorRequirement*",
    "ScopedResourceSelectorRequirement": "1 scopeName s; 2 operator s; 3 values s*",
    "PodTemplateSpec": "1 metadata ObjectMeta; 2 spec PodSpec",
    "PodSpec": "1 volumes Volume*; 20 initContainers Container*; 2 containers Container*; "
               "3 restartPolicy s; 4 terminationGracePeriodSeconds i!; 5 activeDeadlineSeconds i!; "
               "6 dnsPolicy s; 7 nodeSelector m; 8 serviceAccountName s; 9 serviceAccount s; "
               "21 automountServiceAccountToken b!; 10 nodeName s; 11 hostNetwork b; 12 hostPID b; "
               "13 hostIPC b; 27 shareProcessNamespace b!; 14 securityContext PodSecurityContext; "
               "15 imagePullSecrets LocalObjectReference*; 16 hostname s; 17 subdomain s; "
               "18 affinity Affinity; 19 schedulerName s; 22 tolerations Toleration*; "
               "24 priorityClassName s; 25 priority i!; 30 enableServiceLinks b!; 31 preemptionPolicy s; "
               "29 runtimeClassName s; 38 schedulingGates PodSchedulingGate*",
    "PodSchedulingGate": "1 name s",
    "PodSecurityContext": "1 seLinuxOptions -; 2 runAsUser i!; 6 runAsGroup i!; 3 runAsNonRoot b!; "
                          "4 supplementalGroups i*; 5 fsGroup i!",
    "SecurityContext": "1 capabilities Capabilities; 2 privileged b!; 4 runAsUser i!; 8 runAsGroup i!; "
                       "5 runAsNonRoot b!; 6 readOnlyRootFilesystem b!; 7 allowPrivilegeEscalation b!",
    "Capabilities": "1 add s*; 2 drop s*",
    "Affinity": "1 nodeAffinity -; 2 podAffinity -; 3 podAntiAffinity -",
    "Toleration": "1 key s; 2 operator s; 3 value s; 4 effect s; 5 tolerationSeconds i!",
    "Container": "1 name s; 2 image s; 3 command s*; 4 args s*; 5 workingDir s; 6 ports ContainerPort*; "
                 "19 envFrom EnvFromSource*; 7 env EnvVar*; 8 resources ResourceRequirements; "
                 "24 restartPolicy s; 9 volumeMounts VolumeMount*; 10 livenessProbe Probe; "
                 "11 readinessProbe Probe; 22 startupProbe Probe; 13 terminationMessagePath s; "
                 "20 terminationMessagePolicy s; 14 imagePullPolicy s; 15 securityContext SecurityContext; "
                 "16 stdin b; 17 stdinOnce b; 18 tty b",
    "ContainerPort": "1 name s; 2 hostPort i; 3 containerPort i!; 4 protocol s; 5 hostIP s",
    "EnvVar": "1 name s; 2 value s; 3 valueFrom EnvVarSource",
    "EnvVarSource": "1 fieldRef ObjectFieldSelector; 2 resourceFieldRef ResourceFieldSelector; "
                    "3 configMapKeyRef KeySelector; 4 secretKeyRef KeySelector",
    "ObjectFieldSelector": "1 apiVersion s; 2 fieldPath s",
    "ResourceFieldSelector": "1 containerName s; 2 resource s; 3 divisor q",
    "KeySelector": "1 ^ LocalObjectReference; 2 key s; 3 optional b!",
    "EnvFromSource": "1 prefix s; 2 configMapRef RefSource; 3 secretRef RefSource",
    "RefSource": "1 ^ LocalObjectReference; 2 optional b!",
    "ResourceRequirements": "1 limits mq; 2 requests mq",
    "VolumeMount": "1 name s; 2 readOnly b; 7 recursiveReadOnly s; 3 mountPath s; 4 subPath s; "
                   "5 mountPropagation s; 6 subPathExpr s",
    "Volume": "1 name s; 2 ^ VolumeSource",
    # the one set pointer names the volume's type, even empty (`emptyDir: {}`)
    "VolumeSource": "1 hostPath HostPathVolumeSource!; 2 emptyDir EmptyDirVolumeSource!; "
                    "6 secret SecretVolumeSource!; 7 nfs NFSVolumeSource!; "
                    "10 persistentVolumeClaim PersistentVolumeClaimVolumeSource!; "
                    "19 configMap ConfigMapVolumeSource!",
    "HostPathVolumeSource": "1 path s; 2 type s!",
    "EmptyDirVolumeSource": "1 medium s; 2 sizeLimit q",
    "SecretVolumeSource": "1 secretName s; 2 items KeyToPath*; 3 defaultMode i!; 4 optional b!",
    "ConfigMapVolumeSource": "1 ^ LocalObjectReference; 2 items KeyToPath*; 3 defaultMode i!; 4 optional b!",
    "KeyToPath": "1 key s; 2 path s; 3 mode i!",
    "NFSVolumeSource": "1 server s; 2 path s; 3 readOnly b",
    "PersistentVolumeClaimVolumeSource": "1 claimName s; 2 readOnly b",
    "Probe": "1 ^ ProbeHandler; 2 initialDelaySeconds i; 3 timeoutSeconds i; 4 periodSeconds i; "
             "5 successThreshold i; 6 failureThreshold i; 7 terminationGracePeriodSeconds i!",
    "ProbeHandler": "1 exec ExecAction; 2 httpGet HTTPGetAction; 3 tcpSocket TCPSocketAction",
    "ExecAction": "1 command s*",
    "HTTPGetAction": "1 path s; 2 port ios; 3 host s; 4 scheme s; 5 httpHeaders HTTPHeader*",
    "HTTPHeader": "1 name s; 2 value s",
    "TCPSocketAction": "1 port ios; 2 host s",
    # apps/v1
    "Deployment": "1 metadata ObjectMeta; 2 spec DeploymentSpec",
    "DeploymentSpec": "1 replicas i!; 2 selector LabelSelector; 3 template PodTemplateSpec; "
                      "4 strategy DeploymentStrategy; 5 minReadySeconds i; 6 revisionHistoryLimit i!; "
                      "7 paused b; 9 progressDeadlineSeconds i!",
    "DeploymentStrategy": "1 type s; 2 rollingUpdate RollingUpdateDeployment",
    "RollingUpdateDeployment": "1 maxUnavailable ios; 2 maxSurge ios",
    # batch/v1
    "Job": "1 metadata ObjectMeta; 2 spec JobSpec",
    "JobSpec": "1 parallelism i!; 2 completions i!; 3 activeDeadlineSeconds i!; 7 backoffLimit i!; "
               "12 backoffLimitPerIndex i!; 13 maxFailedIndexes i!; 4 selector LabelSelector; "
               "5 manualSelector b!; 6 template PodTemplateSpec; 8 ttlSecondsAfterFinished i!; "
               "9 completionMode s; 10 suspend b!; 14 podReplacementPolicy s; 15 managedBy s",
    "CronJob": "1 metadata ObjectMeta; 2 spec CronJobSpec",
    "CronJobSpec": "1 schedule s; 8 timeZone s; 2 startingDeadlineSeconds i!; 3 concurrencyPolicy s; "
                   "4 suspend b!; 5 jobTemplate JobTemplateSpec; 6 successfulJobsHistoryLimit i!; "
                   "7 failedJobsHistoryLimit i!",
    "JobTemplateSpec": "1 metadata ObjectMeta; 2 spec JobSpec",
    # rbac.authorization.k8s.io/v1
    "Role": "1 metadata ObjectMeta; 2 rules PolicyRule*",
    "ClusterRole": "1 metadata ObjectMeta; 2 rules PolicyRule*; 3 aggregationRule AggregationRule",
    "AggregationRule": "1 clusterRoleSelectors LabelSelector*",
    "PolicyRule": "1 verbs s*; 2 apiGroups s*; 3 resources s*; 4 resourceNames s*; 5 nonResourceURLs s*",
    "RoleBinding": "1 metadata ObjectMeta; 2 subjects Subject*; 3 roleRef RoleRef",
    "Subject": "1 kind s; 2 apiGroup s; 3 name s; 4 namespace s",
    "RoleRef": "1 apiGroup s; 2 kind s; 3 name s",
    # scheduling.k8s.io/v1, policy/v1, networking.k8s.io/v1, autoscaling/v1, authentication.k8s.io/v1
    "PriorityClass": "1 metadata ObjectMeta; 2 value i!; 3 globalDefault b; 4 description s; "
                     "5 preemptionPolicy s",
    "PodDisruptionBudget": "1 metadata ObjectMeta; 2 spec PodDisruptionBudgetSpec",
    "PodDisruptionBudgetSpec": "1 minAvailable ios; 2 selector LabelSelector; 3 maxUnavailable ios; "
                               "4 unhealthyPodEvictionPolicy s",
    "Eviction": "1 metadata ObjectMeta; 2 deleteOptions DeleteOptions",
    "Ingress": "1 metadata ObjectMeta; 2 spec IngressSpec",
    "IngressSpec": "4 ingressClassName s; 1 defaultBackend IngressBackend; 2 tls IngressTLS*; "
                   "3 rules IngressRule*",
    "IngressBackend": "4 service IngressServiceBackend; 3 resource TypedLocalObjectReference",
    "IngressServiceBackend": "1 name s; 2 port ServiceBackendPort",
    "ServiceBackendPort": "1 name s; 2 number i",
    "TypedLocalObjectReference": "1 apiGroup s!; 2 kind s; 3 name s",
    "IngressTLS": "1 hosts s*; 2 secretName s",
    "IngressRule": "1 host s; 2 ^ IngressRuleValue",
    "IngressRuleValue": "1 http HTTPIngressRuleValue",
    "HTTPIngressRuleValue": "1 paths HTTPIngressPath*",
    "HTTPIngressPath": "1 path s; 3 pathType s!; 2 backend IngressBackend",
    "HorizontalPodAutoscaler": "1 metadata ObjectMeta; 2 spec HorizontalPodAutoscalerSpec",
    "HorizontalPodAutoscalerSpec": "1 scaleTargetRef CrossVersionObjectReference; 2 minReplicas i!; "
                                   "3 maxReplicas i!; 4 targetCPUUtilizationPercentage i!",
    "CrossVersionObjectReference": "1 kind s; 2 name s; 3 apiVersion s",
    "TokenRequest": "1 metadata ObjectMeta; 2 spec TokenRequestSpec",
    "TokenRequestSpec": "1 audiences s*; 4 expirationSeconds i!; 3 boundObjectRef BoundObjectReference",
    "BoundObjectReference": "1 kind s; 2 apiVersion s; 3 name s; 4 uid s",
}

# the top-level kinds: (group, kind) -> message; the version is checked to be one of these
_KINDS = {("", "Namespace"), ("", "ConfigMap"), ("", "Secret"), ("", "ServiceAccount"), ("", "Service"),
          ("", "ResourceQuota"), ("apps", "Deployment"), ("batch", "Job"), ("batch", "CronJob"),
          ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "ClusterRole"),
          ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
          ("scheduling.k8s.io", "PriorityClass"), ("policy", "PodDisruptionBudget"), ("policy", "Eviction"),
          ("networking.k8s.io", "Ingress"), ("authentication.k8s.io", "TokenRequest")}
_VERSIONED = {("autoscaling", "v1", "HorizontalPodAutoscaler")}   # v2's spec has other fields
_ALIASES = {"ClusterRoleBinding": "RoleBinding"}   # the same fields, the same numbers

_parsed: dict[str, dict] = {}


def _message(name: str) -> dict:
    """{number: (jsonName, type, repeated, keep_zero)} of one message."""
    m = _parsed.get(name)
    if m is None:
        m = {}
        for decl in _MESSAGES[name].split(";"):
            num, json_name, typ = decl.split()
            keep = typ.endswith("!")
            typ = typ.rstrip("!")
            rep = typ.endswith("*")
            m[int(num)] = (json_name, typ.rstrip("*"), rep, keep)
        _parsed[name] = m
    return m


def _signed(v: int) -> int:
    # Go writes negative int32/int64 values as ten-byte two's-complement varints
    return v - (1 << 64) if v >= 1 << 63 else v


def _empty(v) -> bool:
    return v is None or v == "" or v is False or (v == 0 and not isinstance(v, bool)) or v == {} or v == []


def _time(raw: bytes):
    import time
    f = fields(raw)
    secs = _signed(f.get(1, [0])[0])
    if not secs:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs))


def _int_or_string(raw: bytes):
    f = fields(raw)
    if f.get(1, [0])[0] == 1:
        return f.get(3, [b""])[0].decode()
    return _signed(f.get(2, [0])[0])


def _map(entries: list, value) -> dict:
    out = {}
    for e in entries:
        f = fields(e)
        out[f.get(1, [b""])[0].decode()] = value(f.get(2, [b""])[0])
    return out


def _quantity(raw: bytes) -> str:
    return fields(raw).get(1, [b""])[0].decode()


def _b64(raw: bytes) -> str:
    import base64
    return base64.b64encode(raw).decode()


def _value(typ: str, v):
    if typ == "s":
        return v.decode()
    if typ == "i":
        return _signed(v)
    if typ == "b":
        return bool(v)
    if typ == "y":
        return _b64(v)
    if typ == "t":
        return _time(v)
    if typ == "q":
        return _quantity(v)
    if typ == "ios":
        return _int_or_string(v)
    return decode_message(typ, v)


def _packed_ints(v) -> list[int]:
    if isinstance(v, int):
        return [_signed(v)]
    out, i = [], 0
    while i < len(v):
        x, i = _varint(v, i)
        out.append(_signed(x))
    return out


def decode_message(name: str, raw: bytes) -> dict:
    """The JSON form of one message of type `name`."""
    schema = _message(name)
    out: dict = {}
    got = fields(raw)
    for num, (json_name, typ, rep, keep) in schema.items():
        if num not in got or typ == "-":
            continue
        vals = got[num]
        if typ in ("m", "my", "mq"):
            value = _map(vals, {"m": bytes.decode, "my": _b64, "mq": _quantity}[typ])
        elif rep and typ == "i":
            value = [x for v in vals for x in _packed_ints(v)]
        elif rep:
            value = [_value(typ, v) for v in vals]
        else:
            value = _value(typ, vals[-1])
        if json_name == "^":
            out.update(value)
        elif keep and value is not None:
            out[json_name] = value
        elif not _empty(value):
            out[json_name] = value
    return out


def decode(body: bytes) -> dict:
    """The JSON object of a protobuf request body (envelope and message); ValueError for what
    cannot be read (an unknown kind, a malformed message)."""
    api_version, kind, raw = unwrap(body)
    group, _, version = api_version.rpartition("/")
    if (group, kind) not in _KINDS and (group, version, kind) not in _VERSIONED:
        raise ValueError(f"no protobuf decoding for {api_version}, Kind={kind}")
    try:
        obj = decode_message(_ALIASES.get(kind, kind), raw)
    except (IndexError, UnicodeDecodeError, KeyError) as e:
        raise ValueError(f"malformed {kind} message: {e}") from None
    return {"kind": kind, "apiVersion": api_version, **obj}


PROTOBUF = "application/vnd.kubernetes.protobuf"


def rewrite_as_json(req) -> None:
    """Turn a protobuf request body into the JSON one the routes read (reviews excepted: they
    have their own reader). A kind without a decoder stays a 415, as before; a body that does
    not parse is a 400."""
    from pykubectl.api import errors
    if not req.header("content-type").startswith(PROTOBUF):
        return
    import json
    try:
        _av, kind, _raw = unwrap(req.body)
        if kind.endswith("Review"):
            return
        obj = decode(req.body)
    except ValueError as e:
        if str(e).startswith("no protobuf decoding"):
            raise errors.StatusError(415, "UnsupportedMediaType",
                                     "the body of the request was in an unknown format - accepted media "
                                     "types include: application/json, application/yaml") from None
        raise errors.bad_request(f"error decoding request body: {e}") from None
    req.body = json.dumps(obj).encode()
    req.headers["content-type"] = "application/json"


def _strings(msg: bytes, names: dict[int, str]) -> dict:
    f = fields(msg)
    return {name: f[n][0].decode() for n, name in names.items() if n in f}


_RESOURCE_ATTRS = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
_NON_RESOURCE_ATTRS = {1: "path", 2: "verb"}


def decode_review(kind: str, raw: bytes) -> dict:
    """The JSON form of a Self/SubjectAccessReview, SelfSubjectRulesReview or SelfSubjectReview."""
    f = fields(raw)
    spec_f = fields(f.get(2, [b""])[0])
    spec: dict = {}
    if kind == "SelfSubjectRulesReview":
        spec = _strings(f.get(2, [b""])[0], {1: "namespace"})
    elif kind in ("SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview"):
        if 1 in spec_f:
            spec["resourceAttributes"] = _strings(spec_f[1][0], _RESOURCE_ATTRS)
        if 2 in spec_f:
            spec["nonResourceAttributes"] = _strings(spec_f[2][0], _NON_RESOURCE_ATTRS)
    return {"kind": kind, "spec": spec}
