"""Validation as the v1.32 apiserver does it: decoding (unknown, duplicate, mistyped fields) and
the per-kind value rules, asserted on the exact messages a user sees.

Expected wording comes from the Go sources: sigs.k8s.io/json (strict errors, UnmarshalTypeError),
apiserver handlers (transformDecodeError), apimachinery util/validation and field/errors.go, and
pkg/apis/{core,apps,batch,networking,rbac,autoscaling}/validation.
"""
import copy
import glob
import os

import pytest
import yaml

from pykubectl.api import errors, schema
from pykubectl.api import validation as V

MANIFESTS = "/work/shared/exercises/manifests"


def _docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.load_all(f, Loader=yaml.CSafeLoader) if d]


def _schema_of(obj):
    group, _, version = obj["apiVersion"].rpartition("/")
    return schema.kind_schema(group, version, obj["kind"])


# --- every exercise manifest is accepted -----------------------------------------------------

_FILES = sorted(f for f in glob.glob(os.path.join(MANIFESTS, "*.yaml"))
                if not os.path.basename(f).startswith("31-"))   # 31 is a kubeconfig, not an object


@pytest.mark.parametrize("path", _FILES, ids=[os.path.basename(f) for f in _FILES])
def test_exercise_manifest_passes_both_layers(path):
    docs = _docs(path)
    assert docs
    for doc in docs:
        assert V.check_fields(doc, _schema_of(doc), "Strict") == []
        assert [str(e) for e in V.validate(doc)] == []


# --- layer 1: decoding -----------------------------------------------------------------------

def _pod(spec=None, meta=None, **top):
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"} if meta is None else meta,
           "spec": spec if spec is not None else {"containers": [{"name": "c", "image": "nginx"}]}}
    obj.update(top)
    return obj


def _ctr(**kw):
    return {"spec": {"containers": [dict({"name": "c", "image": "nginx"}, **kw)]}}


DECODE_ERRORS = [
    ("unknown-fields",
     _pod({"containers": [{"name": "c", "image": "x", "foo": 1}], "bar": 2}), (),
     'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
     'unknown field "spec.containers[0].foo", unknown field "spec.bar"'),
    ("unknown-top-level",
     _pod(replicas=3), (),
     'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "replicas"'),
    ("duplicate-field",
     _pod(), ["metadata.name"],
     'Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "metadata.name"'),
    ("deployment-typo",
     {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replica": 2}}, (),
     'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
     'unknown field "spec.replica"'),
    ("string-for-int32",
     _pod(**_ctr(ports=[{"containerPort": "8080"}])), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
     'ContainerPort.spec.containers.ports.containerPort of type int32'),
    ("bool-for-string",
     _pod(**_ctr(env=[{"name": "A", "value": True}])), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field '
     'EnvVar.spec.containers.env.value of type string'),
    ("fraction-for-int",
     _pod(**_ctr(ports=[{"containerPort": 1.5}])), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 1.5 into Go struct '
     'field ContainerPort.spec.containers.ports.containerPort of type int32'),
    ("number-label-value",
     _pod(meta={"name": "p", "labels": {"a-team": 1}}), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field '
     'ObjectMeta.metadata.labels of type string'),
    ("number-node-selector",
     _pod({"containers": [{"name": "c", "image": "x"}], "nodeSelector": {"a-team": 1}}), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field '
     'PodSpec.spec.nodeSelector of type string'),
    ("object-for-list",
     _pod({"containers": {"name": "c", "image": "x"}}), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field '
     'PodSpec.spec.containers of type []v1.Container'),
    ("string-for-spec",
     _pod(spec="nginx"), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
     'Pod.spec of type v1.PodSpec'),
    ("string-for-string-list",
     _pod(**_ctr(command="sleep 10")), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
     'Container.spec.containers.command of type []string'),
    ("number-for-replicas-ok-but-string-not",
     {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": "2"}}, (),
     'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
     'struct field DeploymentSpec.spec.replicas of type int32'),
    ("bad-quantity",
     _pod(**_ctr(resources={"limits": {"cpu": "one"}})), (),
     'Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '
     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("bool-int-or-string",
     _pod(**_ctr(livenessProbe={"httpGet": {"port": True}})), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field '
     'HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type int32'),
    ("secret-not-base64",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "not base64"}}, (),
     'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3'),
    ("type-error-wins-over-unknown",
     _pod(**_ctr(ports=[{"containerPort": "80", "foo": 1}])), (),
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
     'ContainerPort.spec.containers.ports.containerPort of type int32'),
]


@pytest.mark.parametrize("obj,dups,message", [c[1:] for c in DECODE_ERRORS], ids=[c[0] for c in DECODE_ERRORS])
def test_strict_decoding_refuses_with_the_apiservers_message(obj, dups, message):
    with pytest.raises(errors.StatusError) as exc:
        V.check_fields(obj, _schema_of(obj), "Strict", dups)
    assert (exc.value.code, exc.value.reason, exc.value.message) == (400, "BadRequest", message)


MODES = [
    ("warn-returns-warnings", "Warn", ['unknown field "spec.containers[0].foo"', 'unknown field "spec.bar"']),
    ("ignore-drops-them", "Ignore", []),
]


@pytest.mark.parametrize("mode,warnings", [c[1:] for c in MODES], ids=[c[0] for c in MODES])
def test_warn_and_ignore_modes(mode, warnings):
    obj = _pod({"containers": [{"name": "c", "image": "x", "foo": 1}], "bar": 2})
    assert V.check_fields(obj, _schema_of(obj), mode) == warnings


@pytest.mark.parametrize("mode", ["Warn", "Ignore"])
def test_a_mistyped_field_fails_in_every_mode(mode):
    obj = _pod(**_ctr(ports=[{"containerPort": "80"}]))
    with pytest.raises(errors.StatusError, match="cannot unmarshal string"):
        V.check_fields(obj, _schema_of(obj), mode)


ACCEPTED = [
    ("int-or-string-name", _pod(**_ctr(livenessProbe={"httpGet": {"port": "http"}}))),
    ("quantity-as-number", _pod(**_ctr(resources={"requests": {"cpu": 0.5, "memory": 1024}}))),
    ("nulls-anywhere", _pod({"containers": [{"name": "c", "image": "x", "ports": None}], "volumes": None})),
    ("free-form-annotations", _pod(meta={"name": "p", "annotations": {"a/b": "{\"x\": 1}"}})),
    ("managed-fields-v1", _pod(meta={"name": "p", "managedFields": [{"fieldsV1": {"f:spec": {"x": {}}}}]})),
    ("status-is-known", _pod(status={"phase": "Running"})),
]


@pytest.mark.parametrize("obj", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_well_typed_objects_decode(obj):
    assert V.check_fields(obj, _schema_of(obj), "Strict") == []


def test_a_crd_objects_metadata_is_checked_against_object_meta():
    obj = {"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "w", "lables": {}}}
    assert V.check_fields(obj, {"type": "object"}, "Warn") == ['unknown field "metadata.lables"']


def test_no_schema_means_nothing_to_check():
    assert V.check_fields({"apiVersion": "x/v1", "kind": "Widget", "foo": 1}, None, "Strict") == []


def test_a_crd_schema_reports_unknown_fields_but_preserves_where_told():
    crd_schema = {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {}}}}
    obj = {"apiVersion": "x/v1", "kind": "W", "spec": {"size": 1, "colour": "red"}, "extra": {"any": 1}}
    assert V.check_fields(obj, crd_schema, "Warn") == ['unknown field "spec.colour"']


# --- names -----------------------------------------------------------------------------------

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                 "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")

NAMES = [
    ("pod-subdomain-ok", "web.v1", "Pod", []),
    ("pod-uppercase", "Foo", "Pod", [SUBDOMAIN_MSG]),
    ("namespace-no-dots", "a.b", "Namespace", [LABEL_MSG]),
    ("service-starts-with-digit", "1svc", "Service", [DNS1035_MSG]),
    ("role-with-colon-ok", "system:reader", "Role", []),
    ("role-with-slash", "a/b", "ClusterRole", ["may not contain '/'"]),
    ("binding-dot", ".", "RoleBinding", ["may not be '.'"]),
    ("cronjob-too-long", "c" * 53, "CronJob", ["must be no more than 52 characters"]),
    ("configmap-too-long", "a" * 254, "ConfigMap", ["must be no more than 253 characters"]),
]


@pytest.mark.parametrize("name,kind,msgs", [c[1:] for c in NAMES], ids=[c[0] for c in NAMES])
def test_check_name(name, kind, msgs):
    assert V.check_name(name, kind) == msgs


# --- layer 2: values -------------------------------------------------------------------------

def _deploy(spec_patch=None, **labels):
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": labels or {"app": "web"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    obj["spec"].update(spec_patch or {})
    return obj


def _svc(spec, name="s"):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def _obj(api_version, kind, name="x", **fields):
    return dict({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "default"}},
                **fields)


INVALID = [
    ("pod-name", _pod(meta={"name": "Foo"}),
     [f'metadata.name: Invalid value: "Foo": {SUBDOMAIN_MSG}']),
    ("name-required", _pod(meta={}),
     ["metadata.name: Required value: name or generateName is required"]),
    ("bad-label-value", _pod(meta={"name": "p", "labels": {"app": "a b"}}),
     ['metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric '
      "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
      "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
    ("no-containers", _pod({"containers": []}), ["spec.containers: Required value"]),
    ("image-required", _pod({"containers": [{"name": "c"}]}), ["spec.containers[0].image: Required value"]),
    ("container-name-required", _pod({"containers": [{"image": "x"}]}), ["spec.containers[0].name: Required value"]),
    ("duplicate-container", _pod({"containers": [{"name": "c", "image": "x"}, {"name": "c", "image": "y"}]}),
     ['spec.containers[1].name: Duplicate value: "c"']),
    ("port-range", _pod(**_ctr(ports=[{"containerPort": 70000}])),
     ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]),
    ("port-protocol", _pod(**_ctr(ports=[{"containerPort": 80, "protocol": "HTTP"}])),
     ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']),
    ("request-above-limit", _pod(**_ctr(resources={"requests": {"cpu": "2"}, "limits": {"cpu": "1"}})),
     ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']),
    ("request-canonical-form", _pod(**_ctr(resources={"requests": {"memory": "2048Mi"}, "limits": {"memory": "1Gi"}})),
     ['spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi']),
    ("volume-mount-not-found", _pod(**_ctr(volumeMounts=[{"name": "data", "mountPath": "/d"}])),
     ['spec.containers[0].volumeMounts[0].name: Not found: "data"']),
    ("liveness-success-threshold", _pod(**_ctr(livenessProbe={"exec": {"command": ["true"]}, "successThreshold": 3})),
     ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1"]),
    ("restart-policy", _pod({"containers": [{"name": "c", "image": "x"}], "restartPolicy": "Sometimes"}),
     ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']),
    ("toleration-seconds-effect", _pod({"containers": [{"name": "c", "image": "x"}],
                                        "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule",
                                                         "tolerationSeconds": 30}]}),
     ['spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when '
      '`tolerationSeconds` is set']),
    ("exists-with-values", _pod({"containers": [{"name": "c", "image": "x"}], "affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kr", "operator": "Exists", "values": ["a"]}]}]}}}}),
     ["spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
      ".matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]),
    ("deployment-selector-required", _deploy({"selector": None}),
     ["spec.selector: Required value"]),
    ("deployment-selector-mismatch", _deploy(app="other"),
     ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: '
      '`selector` does not match template `labels`']),
    ("deployment-negative-replicas", _deploy({"replicas": -1}),
     ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
    ("statefulset-needs-no-service-name",
     _obj("apps/v1", "StatefulSet", spec={"selector": {"matchLabels": {"a": "b"}},
                                          "template": {"metadata": {"labels": {"a": "b"}},
                                                       "spec": {"containers": [{"name": "c", "image": "x"}]}}}),
     []),
    ("service-ports-required", _svc({"selector": {"a": "b"}}), ["spec.ports: Required value"]),
    ("headless-without-ports-ok", _svc({"clusterIP": "None", "selector": {"a": "b"}}), []),
    ("service-type", _svc({"type": "Public", "ports": [{"port": 80}]}),
     ['spec.type: Unsupported value: "Public": supported values: "ClusterIP", "ExternalName", '
      '"LoadBalancer", "NodePort"']),
    ("service-name-dns1035", _svc({"ports": [{"port": 80}]}, name="1web"),
     [f'metadata.name: Invalid value: "1web": {DNS1035_MSG}']),
    ("node-port-range", _svc({"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]}),
     ["spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
      "The range of valid ports is 30000-32767"]),
    ("node-port-on-cluster-ip", _svc({"type": "ClusterIP", "ports": [{"port": 80, "nodePort": 30001}]}),
     ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),
    ("multi-port-names", _svc({"ports": [{"port": 80}, {"port": 443}]}),
     ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]),
    ("external-name-required", _svc({"type": "ExternalName"}), ["spec.externalName: Required value"]),
    ("pvc-required-fields", _obj("v1", "PersistentVolumeClaim", spec={}),
     ["spec.accessModes: Required value: at least 1 access mode is required",
      "spec.resources[storage]: Required value"]),
    ("pvc-zero-storage", _obj("v1", "PersistentVolumeClaim", spec={
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "0"}}}),
     ['spec.resources[storage]: Invalid value: "0": must be greater than zero']),
    ("pv-no-source", {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"},
                      "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]}},
     ["spec: Required value: must specify a volume type"]),
    ("hpa-min-max", _obj("autoscaling/v2", "HorizontalPodAutoscaler", spec={
        "minReplicas": 0, "maxReplicas": 0,
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}}),
     ["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
      "spec.maxReplicas: Invalid value: 0: must be greater than 0"]),
    ("hpa-max-below-min", _obj("autoscaling/v2", "HorizontalPodAutoscaler", spec={
        "minReplicas": 5, "maxReplicas": 2,
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}}),
     ["spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"]),
    ("ingress-relative-path", _obj("networking.k8s.io/v1", "Ingress", spec={"rules": [{"http": {"paths": [
        {"path": "app", "pathType": "Prefix",
         "backend": {"service": {"name": "svc", "port": {"number": 80}}}}]}}]}),
     ['spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path']),
    ("ingress-path-type-required", _obj("networking.k8s.io/v1", "Ingress", spec={"rules": [{"http": {"paths": [
        {"path": "/", "backend": {"service": {"name": "svc", "port": {"number": 80}}}}]}}]}),
     ["spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"]),
    ("ingress-ip-host", _obj("networking.k8s.io/v1", "Ingress", spec={"rules": [{"host": "1.2.3.4"}]}),
     ['spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address']),
    ("cronjob-schedule", _obj("batch/v1", "CronJob", spec={"schedule": "* * *", "jobTemplate": {"spec": {
        "template": {"spec": {"containers": [{"name": "c", "image": "x"}], "restartPolicy": "Never"}}}}}),
     ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: * * *']),
    ("job-restart-always", _obj("batch/v1", "Job", spec={"template": {"spec": {
        "containers": [{"name": "c", "image": "x"}], "restartPolicy": "Always"}}}),
     ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']),
    ("role-verbs-required", _obj("rbac.authorization.k8s.io/v1", "Role", rules=[{"apiGroups": [""],
                                                                               "resources": ["pods"]}]),
     ["rules[0].verbs: Required value: verbs must contain at least one value"]),
    ("binding-role-ref", _obj("rbac.authorization.k8s.io/v1", "RoleBinding", roleRef={"kind": "Roles", "name": ""}),
     ['roleRef.apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
      'roleRef.kind: Unsupported value: "Roles": supported values: "Role", "ClusterRole"',
      "roleRef.name: Required value"]),
    ("cluster-binding-sa-namespace", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "r"},
        "subjects": [{"kind": "ServiceAccount", "name": "sa"}]},
     ["subjects[0].namespace: Required value"]),
    ("tls-secret-keys", _obj("v1", "Secret", type="kubernetes.io/tls", data={"tls.crt": "eA=="}),
     ["data[tls.key]: Required value"]),
    ("sa-token-annotation", _obj("v1", "Secret", type="kubernetes.io/service-account-token"),
     ["metadata.annotations[kubernetes.io/service-account.name]: Required value"]),
    ("configmap-key", _obj("v1", "ConfigMap", data={"bad key": "v"}),
     ['data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '
      "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
      "'[-._a-zA-Z0-9]+')"]),
    ("namespace-dns-label", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "my.ns"}},
     [f'metadata.name: Invalid value: "my.ns": {LABEL_MSG}']),
    ("node-taint-effect", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},
                           "spec": {"taints": [{"key": "hw", "value": "gpu", "effect": "NoRun"}]}},
     ['spec.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", '
      '"NoExecute"']),
    ("toleration-exists-with-value", _pod({"containers": [{"name": "c", "image": "x"}],
                                           "tolerations": [{"key": "hw", "operator": "Exists", "value": "gpu"}]}),
     ['spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"hw", Operator:"Exists", Value:"gpu", '
      'Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is \'Exists\'']),
    ("pod-affinity-topology-key", _pod({"containers": [{"name": "c", "image": "x"}], "affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "",
                                                            "labelSelector": {"matchLabels": {"a": "b"}}}]}}}),
     ["spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: "
      "can not be empty",
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": '
      "name part must be non-empty",
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": '
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
    ("owner-reference-uid", _pod(meta={"name": "p", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs"}]}),
     ['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty']),
    ("service-duplicate-port", _svc({"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]}),
     ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
      'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']),
    ("statefulset-update-strategy", _obj("apps/v1", "StatefulSet", spec={
        "updateStrategy": {"type": "Sometimes"}, "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}),
     ['spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Sometimes", '
      "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'"]),
    ("hpa-resource-target-missing", _obj("autoscaling/v2", "HorizontalPodAutoscaler", spec={
        "maxReplicas": 3, "scaleTargetRef": {"kind": "Deployment", "name": "d"},
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]}),
     ["spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value "
      "or a target utilization"]),
    ("hpa-metric-type", _obj("autoscaling/v2", "HorizontalPodAutoscaler", spec={
        "maxReplicas": 3, "scaleTargetRef": {"kind": "Deployment", "name": "d"},
        "metrics": [{"type": "Cpu"}]}),
     ['spec.metrics[0].type: Unsupported value: "Cpu": supported values: "ContainerResource", "External", '
      '"Object", "Pods", "Resource"']),
    ("ingress-needs-rules-or-backend", _obj("networking.k8s.io/v1", "Ingress", spec={}),
     ["spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"]),
    ("ingress-backend-port", _obj("networking.k8s.io/v1", "Ingress", spec={"defaultBackend": {
        "service": {"name": "svc"}}}),
     ["spec.defaultBackend: Required value: port name or number is required"]),
    ("ingress-class-annotation", dict(_obj("networking.k8s.io/v1", "Ingress", spec={
        "ingressClassName": "nginx", "defaultBackend": {"service": {"name": "svc", "port": {"number": 80}}}}),
        metadata={"name": "i", "annotations": {"kubernetes.io/ingress.class": "traefik"}}),
     ['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` '
      "when both are specified"]),
    ("selector-value", _deploy({"selector": {"matchExpressions": [{"key": "app", "operator": "In",
                                                                   "values": ["a b"]}]}}),
     ['spec.selector.matchExpressions[0].values[0]: Invalid value: "a b": a valid label must be an empty string '
      "or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
      "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
      "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not "
      "match template `labels`"]),
    ("endpoints-loopback", _obj("v1", "Endpoints", subsets=[{"addresses": [{"ip": "127.0.0.1"}],
                                                            "ports": [{"port": 80}]}]),
     ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range '
      "(127.0.0.0/8, ::1/128)"]),
    ("endpoints-need-addresses", _obj("v1", "Endpoints", subsets=[{"ports": [{"port": 80}]}]),
     ["subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"]),
    ("cronjob-tz-in-schedule", _obj("batch/v1", "CronJob", spec={
        "schedule": "CRON_TZ=UTC 0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "c", "image": "x"}], "restartPolicy": "Never"}}}}}),
     ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, '
      "use timeZone field instead"]),
    ("unknown-kind-gets-meta-checks", {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "W"}},
     [f'metadata.name: Invalid value: "W": {SUBDOMAIN_MSG}']),
]


@pytest.mark.parametrize("obj,messages", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_validate_reports_the_apiservers_field_errors(obj, messages):
    assert [str(e) for e in V.validate(obj)] == messages


def test_invalid_status_message_for_a_single_error():
    errs = V.validate(_pod({"containers": [{"name": "c"}]}))
    st = errors.invalid("", "Pod", "p", errs)
    assert (st.code, st.message) == (422, 'Pod "p" is invalid: spec.containers[0].image: Required value')


def test_a_cluster_scoped_object_may_not_have_a_namespace():
    errs = V.validate_object_meta({"name": "n", "namespace": "default"}, False, kind="Node")
    assert [str(e) for e in errs] == ["metadata.namespace: Forbidden: not allowed on this type"]


def test_a_namespaced_object_needs_a_namespace():
    errs = V.validate_object_meta({"name": "p"}, True, kind="Pod")
    assert [str(e) for e in errs] == ["metadata.namespace: Required value"]


# --- updates ---------------------------------------------------------------------------------

def _changed(obj, fn):
    new = copy.deepcopy(obj)
    fn(new)
    return new


_POD = _pod({"containers": [{"name": "c", "image": "nginx:1"}], "tolerations": [{"key": "a", "operator": "Exists"}]},
            meta={"name": "p", "namespace": "default", "uid": "u1"})
_CLUSTER_IP_SVC = _svc({"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"], "type": "ClusterIP",
                        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]})
_BINDING = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "rb", "namespace": "nm-01"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r-01"}}

UPDATES = [
    ("pod-image-may-change", _POD, lambda o: o["spec"]["containers"][0].update(image="nginx:2"), []),
    ("pod-toleration-added", _POD, lambda o: o["spec"]["tolerations"].append({"key": "b", "operator": "Exists"}), []),
    ("pod-toleration-changed", _POD, lambda o: o["spec"]["tolerations"][0].update(key="b"),
     ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]),
    ("pod-other-field", _POD, lambda o: o["spec"].update(nodeSelector={"a": "b"}),
     "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
     "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
     "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
     "previously negative)\n"),
    ("pod-add-container", _POD, lambda o: o["spec"]["containers"].append({"name": "d", "image": "x"}),
     ["spec.containers: Forbidden: pod updates may not add or remove containers"]),
    ("name-immutable", _POD, lambda o: o["metadata"].update(uid="u2"),
     ['metadata.uid: Invalid value: "u2": field is immutable']),
    ("cluster-ip-immutable", _CLUSTER_IP_SVC,
     lambda o: o["spec"].update(clusterIP="10.96.0.6", clusterIPs=["10.96.0.6"]),
     ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set']),
    ("deployment-selector-immutable", _deploy(),
     lambda o: (o["spec"]["selector"]["matchLabels"].update(app="api"),
                o["spec"]["template"]["metadata"]["labels"].update(app="api")),
     ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"api"}, '
      'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable']),
    ("role-ref-immutable", _BINDING, lambda o: o["roleRef"].update(name="r-02"),
     ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"r-02"}: '
      "cannot change roleRef"]),
    ("statefulset-volume-claims-immutable",
     _obj("apps/v1", "StatefulSet", spec={"serviceName": "h", "selector": {"matchLabels": {"a": "b"}},
                                          "template": {"metadata": {"labels": {"a": "b"}}}}),
     lambda o: o["spec"].update(serviceName="other"),
     ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
      "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
      "are forbidden"]),
    ("statefulset-scale-ok",
     _obj("apps/v1", "StatefulSet", spec={"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                                          "template": {"metadata": {"labels": {"a": "b"}}}}),
     lambda o: o["spec"].update(replicas=0), []),
    ("pvc-spec-immutable",
     _obj("v1", "PersistentVolumeClaim", spec={"accessModes": ["ReadWriteOnce"], "storageClassName": "nfs-client",
                                               "resources": {"requests": {"storage": "1G"}}}),
     lambda o: o["spec"].update(storageClassName="other"),
     "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName "
     "for bound claims\n"),
    ("secret-type-immutable", _obj("v1", "Secret", type="Opaque"), lambda o: o.update(type="kubernetes.io/basic-auth",
                                                                                     data={"username": "dQ=="}),
     ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']),
]


@pytest.mark.parametrize("old,change,expected", [c[1:] for c in UPDATES], ids=[c[0] for c in UPDATES])
def test_update_rules(old, change, expected):
    got = [str(e) for e in V.validate(_changed(old, change), old)]
    if isinstance(expected, str):       # the pod-spec message carries a diff after its first line
        assert len(got) == 1 and got[0].startswith(expected)
    else:
        assert got == expected
