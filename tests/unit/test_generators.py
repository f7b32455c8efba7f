"""The objects `kubectl create <generator>` builds: field values, Go field order, kubectl's refusals.

Expected values were taken from kubectl v1.32 (`kubectl create ... --dry-run=client -o json`); the
CLI tests compare whole outputs with the real kubectl when it is installed.
"""
import json

import pytest

from pykubectl.cli import generators as G


# ---------------------------------------------------------------- services

@pytest.mark.parametrize("tcp,expected", [
    ("80", {"name": "80", "protocol": "TCP", "port": 80, "targetPort": 80}),
    ("80:8080", {"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080}),
    ("80:http", {"name": "80-http", "protocol": "TCP", "port": 80, "targetPort": "http"}),
    ("0", {"name": "0", "protocol": "TCP", "port": 0, "targetPort": 0}),
], ids=["port-only", "port-target", "named-target", "zero"])
def test_service_port(tcp, expected):
    svc = G.service("s", None, "ClusterIP", [tcp])
    assert svc["spec"]["ports"] == [expected]
    assert list(svc["spec"]["ports"][0]) == list(expected)      # Go field order


@pytest.mark.parametrize("tcp,message", [
    ("abc", 'strconv.ParseUint: parsing "abc": invalid syntax'),
    (":80", 'strconv.ParseUint: parsing "": invalid syntax'),
    ("70000", 'strconv.ParseUint: parsing "70000": value out of range'),
    ("80:0", "must be between 1 and 65535, inclusive"),
    ("80:a_b", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
    ("80:abcdefghijklmnopq", "must be no more than 15 characters"),
    ("80:-ab", "must not begin or end with a hyphen"),
], ids=["not-a-number", "empty-port", "out-of-range", "target-zero", "bad-name", "long-name", "hyphen"])
def test_service_port_errors(tcp, message):
    with pytest.raises(G.GeneratorError) as e:
        G.service("s", None, "ClusterIP", [tcp])
    assert str(e.value) == message


@pytest.mark.parametrize("kind,tcp,cluster_ip,external,message", [
    ("ClusterIP", [], "", "", "at least one tcp port specifier must be provided"),
    ("NodePort", ["80"], "None", "", "ClusterIP=None can only be used with ClusterIP service type"),
    ("ExternalName", [], "", "Bad_Name", "invalid service external name Bad_Name"),
], ids=["no-port", "headless-nodeport", "bad-external-name"])
def test_service_refusals(kind, tcp, cluster_ip, external, message):
    with pytest.raises(G.GeneratorError) as e:
        G.service("s", None, kind, tcp, cluster_ip, external_name=external)
    assert str(e.value) == message


def test_headless_service_needs_no_port_and_nodeport_goes_to_every_port():
    assert G.service("h", None, "ClusterIP", [], "None")["spec"] == {
        "selector": {"app": "h"}, "clusterIP": "None", "type": "ClusterIP"}
    ports = G.service("n", None, "NodePort", ["80", "81"], node_port=30000)["spec"]["ports"]
    assert [p["nodePort"] for p in ports] == [30000, 30000]


# ---------------------------------------------------------------- workloads

@pytest.mark.parametrize("image,name", [
    ("nginx", "nginx"),
    ("redis:7", "redis"),
    ("registry.k8s.io/pause:3.9", "pause"),
    ("busybox@sha256:abc", "busybox"),
    ("a/b/c_d:1", "c-d-xxxxx"),
    ("my.app", "my-app-xxxxx"),
], ids=["plain", "tag", "registry", "digest", "underscore", "dot"])
def test_container_name_from_image(image, name):
    assert G.container_name(image, rand=lambda: "xxxxx") == name


def test_deployment_port_goes_to_first_container_and_command_to_all():
    d = G.deployment("web", "prod", ["nginx"], replicas=3, port=80, command=["sleep", "10"])
    assert d["metadata"] == {"name": "web", "namespace": "prod", "creationTimestamp": None,
                             "labels": {"app": "web"}}
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert list(c) == ["name", "image", "command", "ports", "resources"]
    assert c["ports"] == [{"containerPort": 80}] and d["spec"]["replicas"] == 3
    with pytest.raises(G.GeneratorError, match="cannot specify multiple --image options and command"):
        G.deployment("web", None, ["a", "b"], command=["sleep"])


def test_job_from_cronjob_copies_template_and_points_back():
    cj = {"metadata": {"name": "backup", "uid": "u-1"},
          "spec": {"jobTemplate": {"metadata": {"labels": {"t": "1"}, "annotations": {"a": "b"}},
                                   "spec": {"template": {"spec": {"containers": []}}}}}}
    j = G.job_from_cronjob("manual", None, cj)
    assert j["metadata"]["annotations"] == {"a": "b", "cronjob.kubernetes.io/instantiate": "manual"}
    assert j["metadata"]["labels"] == {"t": "1"}
    assert j["metadata"]["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "backup",
                                                 "uid": "u-1", "controller": True}]
    assert j["spec"] == {"template": {"spec": {"containers": []}}}


# ---------------------------------------------------------------- configmaps and secrets

@pytest.mark.parametrize("build,name", [
    (lambda: G.configmap("c", None, [], append_hash=True), "c-94b26g54cg"),
    (lambda: G.configmap("c", None, [("a", "1"), ("bin", b"\xff\xfe")], append_hash=True), "c-d7c87f4hg8"),
    (lambda: G.configmap("c", None, [("k", 'a<b>&é"\\')], append_hash=True), "c-8c9bhb8d9f"),
    (lambda: G.secret("s", None, [], append_hash=True), "s-6cmg28h685"),
    (lambda: G.secret("s", None, [("k", "a<b>&é")], "x", append_hash=True), "s-kffh5999k5"),
], ids=["empty-configmap", "binary-data", "html-characters", "empty-secret", "typed-secret"])
def test_append_hash_matches_kubectl(build, name):
    assert build()["metadata"]["name"] == name


def test_configmap_splits_text_and_binary_and_sorts_keys():
    cm = G.configmap("c", None, [("b", "x"), ("a", b"1"), ("bin", b"\xff\xfe")])
    assert json.dumps(cm) == json.dumps({"kind": "ConfigMap", "apiVersion": "v1",
                                         "metadata": {"name": "c", "creationTimestamp": None},
                                         "data": {"a": "1", "b": "x"}, "binaryData": {"bin": "//4="}})


@pytest.mark.parametrize("build,message", [
    (lambda: G.configmap("c", None, [("a", "1"), ("a", "2")]),
     'cannot add key "a", another key by that name already exists in Data for ConfigMap "c"'),
    (lambda: G.configmap("c", None, [("b", b"\xff"), ("b", "2")]),
     'cannot add key "b", another key by that name already exists in BinaryData for ConfigMap "c"'),
    (lambda: G.configmap("c", None, [(".", "1")]), '"." is not a valid key name for a ConfigMap: must not be \'.\''),
    (lambda: G.secret("s", None, [("a", "1"), ("a", "2")]), "cannot add key a, another key by that name already exists"),
    (lambda: G.secret("s", None, [("a b", "1")]),
     '"a b" is not valid key name for a Secret a valid config key must consist of alphanumeric characters, '
     "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
     "'[-._a-zA-Z0-9]+')"),
], ids=["configmap-duplicate", "binary-duplicate", "dot-key", "secret-duplicate", "secret-bad-key"])
def test_data_refusals(build, message):
    with pytest.raises(G.GeneratorError) as e:
        build()
    assert str(e.value) == message


@pytest.mark.parametrize("source,expected", [
    ("a.txt", ("", "a.txt")),
    ("k=/tmp/a.txt", ("k", "/tmp/a.txt")),
    ("=/tmp/a.txt", "key name for file path /tmp/a.txt missing"),
    ("k=", "file path for key name k missing"),
    ("a=b=c", "key names or file paths cannot contain '='"),
], ids=["path", "key-and-path", "no-key", "no-path", "two-equals"])
def test_parse_file_source(source, expected):
    if isinstance(expected, tuple):
        assert G.parse_file_source(source) == expected
    else:
        with pytest.raises(G.GeneratorError) as e:
            G.parse_file_source(source)
        assert str(e.value) == expected


@pytest.mark.parametrize("source,expected", [
    ("a=1", ("a", "1")), ("a=b=c", ("a", "b=c")), ("a=", ("a", "")),
    ("a", "invalid literal source a, expected key=value"),
    ("=a", "invalid literal source =a, expected key=value"),
], ids=["simple", "equals-in-value", "empty-value", "no-equals", "no-key"])
def test_parse_literal_source(source, expected):
    if isinstance(expected, tuple):
        assert G.parse_literal_source(source) == expected
    else:
        with pytest.raises(G.GeneratorError) as e:
            G.parse_literal_source(source)
        assert str(e.value) == expected


def test_env_file_lines():
    text = "\ufeffA=1\n# comment\n\n   B=x y \r\nHOME\nMISSING\n".encode()
    env = {"HOME": "/root"}
    assert G.parse_env_file(text, "f.env", env.get) == [("A", "1"), ("B", "x y "), ("HOME", "/root"), ("MISSING", "")]
    with pytest.raises(G.GeneratorError, match='^"B " is not a valid key name: a valid environment variable name'):
        G.parse_env_file(b"B =1\n", "f.env", env.get)


def test_docker_config_json_escapes_like_go():
    raw = G.docker_config_json("u", "p<>&", "", "srv")
    assert raw == b'{"auths":{"srv":{"username":"u","password":"p\\u003c\\u003e\\u0026","auth":"dTpwPD4m"}}}'


# ---------------------------------------------------------------- RBAC

def test_policy_rules_one_per_group_sorted_then_non_resource_urls():
    rules = G.policy_rules(["get"], [("pods", "", ""), ("deployments", "apps", ""), ("pods", "", "log"),
                                     ("pods", "", "")], ["x"], ["/logs"])
    assert rules == [
        {"verbs": ["get"], "apiGroups": [""], "resources": ["pods", "pods/log"], "resourceNames": ["x"]},
        {"verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["x"]},
        {"verbs": ["get"], "nonResourceURLs": ["/logs"]},
    ]


@pytest.mark.parametrize("args,expected", [
    (["pods", "deployments.apps", "pods/log"], [("pods", "", ""), ("deployments", "apps", ""), ("pods", "", "log")]),
    (["pods", "*", "secrets"], [("*", "", "")]),
    (["*.apps"], [("*", "apps", "")]),
], ids=["group-and-subresource", "star-means-all", "star-in-group"])
def test_parse_resources(args, expected):
    assert G.parse_resources(args) == expected


@pytest.mark.parametrize("verbs,expected", [
    (["get", "list", "get"], ["get", "list"]), (["get", "*", "list"], ["*"]),
], ids=["duplicates", "star"])
def test_unique_verbs(verbs, expected):
    assert G.unique_verbs(verbs) == expected


@pytest.mark.parametrize("verb,resource,group,ok", [
    ("bind", "roles", "rbac.authorization.k8s.io", True),
    ("bind", "pods", "", False),
    ("impersonate", "users", "", True),
    ("get", "pods", "", True),
], ids=["bind-roles", "bind-pods", "impersonate-users", "ordinary-verb"])
def test_special_verbs(verb, resource, group, ok):
    if ok:
        G.check_special_verbs([verb], resource, group)
    else:
        with pytest.raises(G.GeneratorError, match=f"can not perform '{verb}' on '{resource}' in group '{group}'"):
            G.check_special_verbs([verb], resource, group)


@pytest.mark.parametrize("verbs,urls,message", [
    (["foo"], ["/x"], "invalid verb: 'foo' for nonResourceURL"),
    (["get"], ["x"], "nonResourceURL should start with /"),
    (["get"], ["/x*y"], "nonResourceURL only supports wildcard matches when '*' is at the end"),
], ids=["verb", "no-slash", "inner-star"])
def test_non_resource_url_refusals(verbs, urls, message):
    with pytest.raises(G.GeneratorError) as e:
        G.check_non_resource_urls(verbs, urls)
    assert str(e.value) == message


def test_subjects_in_kubectl_order_and_serviceaccount_format():
    assert [s["kind"] for s in G.subjects(["u"], ["g"], ["ns:sa"])] == ["User", "Group", "ServiceAccount"]
    for bad in ("sa", "ns:", "a:b:c"):
        with pytest.raises(G.GeneratorError, match="serviceaccount must be <namespace>:<name>"):
            G.subjects([], [], [bad])


# ---------------------------------------------------------------- ingress, pdb, quota

@pytest.mark.parametrize("rules,expected_rules,expected_tls", [
    (["foo.com/bar=svc:80"],
     [{"host": "foo.com", "http": {"paths": [{"path": "/bar", "pathType": "Exact",
                                              "backend": {"service": {"name": "svc", "port": {"number": 80}}}}]}}],
     None),
    (["foo.com/*=svc:http,tls=sec", "foo.com/admin*=adm:8080"],
     [{"host": "foo.com", "http": {"paths": [
         {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "svc", "port": {"name": "http"}}}},
         {"path": "/admin", "pathType": "Prefix", "backend": {"service": {"name": "adm", "port": {"number": 8080}}}}]}}],
     [{"hosts": ["foo.com"], "secretName": "sec"}]),
    (["/x=s:80,tls"],
     [{"http": {"paths": [{"path": "/x", "pathType": "Exact",
                           "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}}],
     None),
], ids=["exact", "prefix-same-host-tls", "no-host-default-cert"])
def test_ingress_rules(rules, expected_rules, expected_tls):
    spec = G.ingress("i", None, rules)["spec"]
    assert spec["rules"] == expected_rules
    assert spec.get("tls") == expected_tls


@pytest.mark.parametrize("rules,backend,message", [
    ([], "", "not enough information provided: every ingress has to either specify a default-backend (which "
             "catches all traffic) or a list of rules (which catch specific paths)"),
    (["foo"], "", "rule foo is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"),
    ([], "svc", "default-backend should be in format servicename:serviceport"),
], ids=["nothing", "bad-rule", "bad-backend"])
def test_ingress_refusals(rules, backend, message):
    with pytest.raises(G.GeneratorError) as e:
        G.ingress("i", None, rules, default_backend=backend)
    assert str(e.value) == message


@pytest.mark.parametrize("selector,expected", [
    ("app=web", {"matchLabels": {"app": "web"}}),
    ("a in (c,b),!d", {"matchExpressions": [{"key": "a", "operator": "In", "values": ["b", "c"]},
                                            {"key": "d", "operator": "DoesNotExist"}]}),
    ("a!=b", '"!=" is not a valid label selector operator'),
], ids=["equality", "set-based", "not-equals"])
def test_pdb_selector(selector, expected):
    if isinstance(expected, dict):
        assert G.poddisruptionbudget("p", None, selector, "1")["spec"]["selector"] == expected
    else:
        with pytest.raises(G.GeneratorError) as e:
            G.poddisruptionbudget("p", None, selector, "1")
        assert str(e.value) == expected


@pytest.mark.parametrize("min_a,max_u,spec_or_error", [
    ("1", "", {"minAvailable": 1}),
    ("", "50%", {"maxUnavailable": "50%"}),
    ("", "", "one of min-available or max-unavailable must be specified"),
    ("1", "1", "min-available and max-unavailable cannot be both specified"),
    ("1x", "", "invalid format specified for min-available"),
], ids=["min-number", "max-percent", "neither", "both", "bad-format"])
def test_pdb_budget(min_a, max_u, spec_or_error):
    if isinstance(spec_or_error, dict):
        spec = G.poddisruptionbudget("p", None, "a=b", min_a, max_u)["spec"]
        assert {k: v for k, v in spec.items() if k != "selector"} == spec_or_error
    else:
        with pytest.raises(G.GeneratorError) as e:
            G.poddisruptionbudget("p", None, "a=b", min_a, max_u)
        assert str(e.value) == spec_or_error


@pytest.mark.parametrize("hard,scopes,expected", [
    ("pods=10,cpu=1,memory=1.5Gi", "", {"hard": {"cpu": "1", "memory": "1536Mi", "pods": "10"}}),
    ("pods=1", "BestEffort,NotTerminating", {"hard": {"pods": "1"}, "scopes": ["BestEffort", "NotTerminating"]}),
    ("", "", {}),
    ("foo", "", "Invalid argument syntax foo, expected <resource>=<value>"),
    ("cpu=abc", "", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("pods=1", "a,,b", 'invalid resource quota scope ""'),
], ids=["canonical-quantities", "scopes", "empty", "syntax", "bad-quantity", "empty-scope"])
def test_quota(hard, scopes, expected):
    if isinstance(expected, dict):
        assert G.quota("q", None, hard, scopes)["spec"] == expected
    else:
        with pytest.raises(G.GeneratorError) as e:
            G.quota("q", None, hard, scopes)
        assert str(e.value) == expected


# ---------------------------------------------------------------- --save-config and JSON

def test_last_applied_is_struct_order_json_and_annotation_keeps_meta_order():
    ns = G.namespace("x")
    value = G.last_applied(ns)
    assert value == '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null},' \
                    '"spec":{},"status":{}}\n'
    out = G.with_annotation(ns, "kubectl.kubernetes.io/last-applied-configuration", value)
    assert list(out["metadata"]) == ["name", "creationTimestamp", "annotations"]
    assert ns["metadata"] == {"name": "x", "creationTimestamp": None}     # the input is left alone


def test_tls_pair_refusals():
    with pytest.raises(G.GeneratorError, match="^tls: failed to find any PEM data in certificate input$"):
        G.check_tls_pair(b"hello", b"hello")
    with pytest.raises(G.GeneratorError, match="^tls: failed to find certificate PEM data in certificate input, "
                                               "but did find a private key; PEM inputs may have been switched$"):
        G.check_tls_pair(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", b"")
