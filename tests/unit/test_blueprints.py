"""The lab cluster blueprints (`state/lab/*.yaml`) hold together as one installed cluster.

They are hand-checked copies of what a kubeadm v1.32 + Calico cluster stores, so these tests
guard what a typo would silently break: unknown (misspelt) fields against the official schemas,
names, owners, placement of pods on nodes and pod IPs inside each node's Calico block.
"""
from __future__ import annotations

import collections
import ipaddress
import os

import pytest
import yaml

from pykubectl.api.schema import field_schema, items_schema, kind_schema, resolve

LAB = os.path.join(os.path.dirname(__file__), "..", "..", "state", "lab")
NODE_NAMES = {"k8s-master", "worker-1", "worker-2"}


def _load():
    docs = []
    for fn in sorted(os.listdir(LAB)):
        if fn.endswith(".yaml"):
            with open(os.path.join(LAB, fn), encoding="utf-8") as f:
                for i, d in enumerate(yaml.load_all(f, Loader=yaml.CSafeLoader)):
                    if d is not None:
                        docs.append((f"{fn}#{i}", d))
    return docs


DOCS = _load()
OBJS = [d for _, d in DOCS]


def _group_version(api_version: str) -> tuple[str, str]:
    return tuple(api_version.split("/", 1)) if "/" in api_version else ("", api_version)


def of_kind(kind: str) -> list[dict]:
    return [d for d in OBJS if d["kind"] == kind]


def one(kind: str, name: str, ns: str | None = None) -> dict:
    found = [d for d in of_kind(kind) if d["metadata"]["name"] == name
             and d["metadata"].get("namespace") == ns]
    assert len(found) == 1, f"{kind} {ns}/{name}: {len(found)} found"
    return found[0]


NODES = {n["metadata"]["name"]: n for n in of_kind("Node")}
NODE_IP = {name: next(a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP")
           for name, n in NODES.items()}
BLOCKS = {b["spec"]["node"]: ipaddress.ip_network(b["spec"]["cidr"]) for b in of_kind("BlockAffinity")}
PODS = of_kind("Pod")


# -- the schema walk ---------------------------------------------------------------------

def unknown_fields(obj, schema, path: str = "") -> list[str]:
    """Paths of fields the schema does not declare (what fieldValidation=Strict would refuse)."""
    schema = resolve(schema)
    if schema is None or schema.get("x-kubernetes-preserve-unknown-fields"):
        return []
    if isinstance(obj, dict):
        if not schema.get("properties") and not isinstance(schema.get("additionalProperties"), dict):
            return []  # free-form (RawExtension, ...) or a scalar that happens to be written as a map
        out = []
        for key, value in obj.items():
            sub = field_schema(schema, key)
            if sub is None:
                out.append(f"{path}.{key}")
            else:
                out += unknown_fields(value, sub, f"{path}.{key}")
        return out
    if isinstance(obj, list):
        item = items_schema(schema)
        return [p for i, v in enumerate(obj) for p in unknown_fields(v, item, f"{path}[{i}]")]
    return []


def _crd_schemas() -> dict:
    out = {}
    for crd in of_kind("CustomResourceDefinition"):
        spec = crd["spec"]
        for v in spec["versions"]:
            out[(spec["group"], v["name"], spec["names"]["kind"])] = v["schema"]["openAPIV3Schema"]
    return out


CRD_SCHEMAS = _crd_schemas()


def schema_for(doc: dict) -> dict | None:
    g, v = _group_version(doc["apiVersion"])
    return kind_schema(g, v, doc["kind"]) or CRD_SCHEMAS.get((g, v, doc["kind"]))


@pytest.mark.parametrize("where,doc", DOCS, ids=[f"{w}:{d.get('kind')}/{(d.get('metadata') or {}).get('name')}"
                                                  for w, d in DOCS])
def test_document_has_only_known_fields(where, doc):
    assert doc.get("apiVersion") and doc.get("kind") and (doc.get("metadata") or {}).get("name")
    schema = schema_for(doc)
    assert schema is not None, f"{doc['apiVersion']} {doc['kind']} is neither built in nor a blueprint CRD"
    assert unknown_fields(doc, schema) == []
    if doc["apiVersion"].startswith("crd.projectcalico.org/"):
        # the CRD schema leaves metadata free-form; hold it to ObjectMeta all the same
        assert unknown_fields(doc["metadata"], kind_schema("", "v1", "Pod")["properties"]["metadata"]) == []


def test_blueprints_omit_what_the_loader_sets():
    for doc in OBJS:
        meta = doc["metadata"]
        assert not {"uid", "resourceVersion", "creationTimestamp", "managedFields"} & set(meta), meta["name"]


@pytest.mark.parametrize("obj,schema,expected", [
    ({"spec": {"containers": [{"name": "c", "imagePullPolicy": "Always"}]}}, ("", "v1", "Pod"), []),
    ({"spec": {"containers": [{"name": "c", "imagePullpolicy": "Always"}]}}, ("", "v1", "Pod"),
     [".spec.containers[0].imagePullpolicy"]),
    ({"metadata": {"labelz": {}}}, ("", "v1", "Node"), [".metadata.labelz"]),
    ({"data": {"any-key": "x"}}, ("", "v1", "ConfigMap"), []),
    ({"spec": {"strategy": {"rollingUpdate": {"maxSurge": "25%", "maxSurges": 1}}}}, ("apps", "v1", "Deployment"),
     [".spec.strategy.rollingUpdate.maxSurges"]),
], ids=["known-field", "misspelt-container-field", "misspelt-metadata", "map-values-free", "nested-misspelling"])
def test_schema_walk_finds_misspellings(obj, schema, expected):
    assert unknown_fields(obj, kind_schema(*schema)) == expected


# -- names and owners --------------------------------------------------------------------

def test_names_are_unique_per_kind_and_namespace():
    seen = collections.Counter((d["apiVersion"], d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
                               for d in OBJS)
    assert [k for k, n in seen.items() if n > 1] == []


def test_namespaced_objects_name_their_namespace_and_it_exists():
    namespaces = {n["metadata"]["name"] for n in of_kind("Namespace")}
    cluster_scoped = {"Namespace", "Node", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                      "PriorityClass", "StorageClass", "IngressClass", "APIService", "IPPool", "BlockAffinity",
                      "ClusterInformation", "FelixConfiguration", "KubeControllersConfiguration"}
    for d in OBJS:
        ns = d["metadata"].get("namespace")
        if d["kind"] in cluster_scoped:
            assert ns is None, f"{d['kind']}/{d['metadata']['name']}"
        else:
            assert ns in namespaces, f"{d['kind']}/{d['metadata']['name']} in {ns!r}"


def test_every_owner_reference_names_a_blueprint_object():
    present = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in OBJS}
    cluster_present = {(d["kind"], d["metadata"]["name"]) for d in OBJS}
    for d in OBJS:
        for ref in d["metadata"].get("ownerReferences") or ():
            assert "uid" not in ref  # the loader resolves it by kind and name
            ns = d["metadata"].get("namespace")
            assert (ref["kind"], ns, ref["name"]) in present or (ref["kind"], ref["name"]) in cluster_present, \
                f"{d['kind']}/{d['metadata']['name']} -> {ref['kind']}/{ref['name']}"


@pytest.mark.parametrize("kind,label", [("ReplicaSet", "pod-template-hash"), ("DaemonSet", "controller-revision-hash")],
                         ids=["replicaset-pods", "daemonset-pods"])
def test_controlled_pods_carry_their_owner_hash_and_match_its_selector(kind, label):
    owners = {o["metadata"]["name"]: o for o in of_kind(kind)}
    pods = [p for p in PODS if any(r["kind"] == kind for r in p["metadata"].get("ownerReferences") or ())]
    assert pods
    for p in pods:
        owner = owners[p["metadata"]["ownerReferences"][0]["name"]]
        labels = p["metadata"]["labels"]
        assert label in labels
        assert owner["spec"]["selector"]["matchLabels"].items() <= labels.items()
        if kind == "ReplicaSet":
            assert owner["metadata"]["name"].endswith("-" + labels[label])


def test_workload_status_counts_match_their_pods():
    for rs in of_kind("ReplicaSet"):
        n = sum(1 for p in PODS if (p["metadata"].get("ownerReferences") or [{}])[0].get("name")
                == rs["metadata"]["name"])
        assert rs["spec"]["replicas"] == rs["status"]["readyReplicas"] == n, rs["metadata"]["name"]
    for ds in of_kind("DaemonSet"):
        on = sorted(p["spec"]["nodeName"] for p in PODS
                    if (p["metadata"].get("ownerReferences") or [{}])[0].get("name") == ds["metadata"]["name"])
        assert on == sorted(NODE_NAMES) and ds["status"]["numberReady"] == 3, ds["metadata"]["name"]


# -- placement and addresses -------------------------------------------------------------

def test_the_three_nodes_are_there():
    assert NODE_IP == {"k8s-master": "192.168.0.100", "worker-1": "192.168.0.101", "worker-2": "192.168.0.102"}
    master = NODES["k8s-master"]
    assert master["spec"]["taints"] == [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]
    assert not NODES["worker-1"]["spec"].get("taints") and not NODES["worker-2"]["spec"].get("taints")


@pytest.mark.parametrize("pod", PODS, ids=[f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in PODS])
def test_pod_is_on_a_lab_node_with_an_address_from_it(pod):
    node = pod["spec"]["nodeName"]
    assert node in NODE_NAMES
    owners = {r["kind"] for r in pod["metadata"].get("ownerReferences") or ()}
    if node != "k8s-master":
        assert owners == {"DaemonSet"}, "only DaemonSet pods run on the workers at first"
    ip = pod["status"]["podIP"]
    assert pod["status"]["hostIP"] == NODE_IP[node]
    assert pod["status"]["podIPs"] == [{"ip": ip}]
    if pod["spec"].get("hostNetwork"):
        assert ip == NODE_IP[node]
    else:
        assert ipaddress.ip_address(ip) in BLOCKS[node]
        assert ip != NODES[node]["metadata"]["annotations"]["projectcalico.org/IPv4IPIPTunnelAddr"]


def test_pod_ips_are_not_shared_off_the_host_network():
    ips = [p["status"]["podIP"] for p in PODS if not p["spec"].get("hostNetwork")]
    assert len(ips) == len(set(ips))


def test_pods_on_the_master_tolerate_its_taint():
    taint = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    for p in PODS:
        if p["spec"]["nodeName"] != "k8s-master" or p["metadata"]["ownerReferences"][0]["kind"] == "Node":
            continue  # static pods never pass the scheduler
        assert any(t.get("operator") == "Exists" and not t.get("key") and t.get("effect") in (None, taint["effect"])
                   or t.get("key") == taint["key"] and t.get("effect") in (None, taint["effect"])
                   for t in p["spec"].get("tolerations") or ()), p["metadata"]["name"]


def test_calico_blocks_lie_in_the_pool_one_per_node():
    pool = one("IPPool", "default-ipv4-ippool")["spec"]
    assert pool["cidr"] == "20.96.0.0/12" and pool["blockSize"] == 26 and pool["ipipMode"] == "Always"
    assert set(BLOCKS) == NODE_NAMES
    for node, block in BLOCKS.items():
        assert block.prefixlen == 26 and block.subnet_of(ipaddress.ip_network(pool["cidr"]))
        tunnel = NODES[node]["metadata"]["annotations"]["projectcalico.org/IPv4IPIPTunnelAddr"]
        assert ipaddress.ip_address(tunnel) in block
    assert len(set(BLOCKS.values())) == 3


def test_qos_class_written_is_the_one_kubernetes_computes():
    from pykubectl.api.qos import qos_class
    for p in PODS:
        assert p["status"]["qosClass"] == qos_class(p), p["metadata"]["name"]


# -- services and well-known values ------------------------------------------------------

@pytest.mark.parametrize("ns,name,cluster_ip", [
    ("default", "kubernetes", "10.96.0.1"),
    ("kube-system", "kube-dns", "10.96.0.10"),
], ids=["kubernetes", "kube-dns"])
def test_well_known_cluster_ips(ns, name, cluster_ip):
    svc = one("Service", name, ns)
    assert svc["spec"]["clusterIP"] == cluster_ip and svc["spec"]["clusterIPs"] == [cluster_ip]


def test_cluster_ips_are_in_the_service_range_and_distinct():
    ips = [s["spec"]["clusterIP"] for s in of_kind("Service")]
    assert len(ips) == len(set(ips))
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12") for ip in ips)


def test_service_selectors_match_running_pods_and_endpoints_list_them():
    for svc in of_kind("Service"):
        sel = svc["spec"].get("selector")
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        ep = one("Endpoints", name, ns)
        listed = {a["ip"] for s in ep["subsets"] for a in s["addresses"]}
        if sel:
            pods = {p["status"]["podIP"] for p in PODS
                    if p["metadata"]["namespace"] == ns and sel.items() <= p["metadata"]["labels"].items()}
            assert pods and listed == pods, name


def test_ingress_nginx_node_ports():
    svc = one("Service", "ingress-nginx-controller", "ingress-nginx")
    assert svc["spec"]["type"] == "NodePort"
    assert {p["name"]: p["nodePort"] for p in svc["spec"]["ports"]} == {"http": 30431, "https": 30798}


def test_default_storage_class_is_nfs_client():
    defaults = [s["metadata"]["name"] for s in of_kind("StorageClass")
                if s["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true"]
    assert defaults == ["nfs-client"]


def test_kubeadm_config_names_the_lab_networks():
    cfg = yaml.load(one("ConfigMap", "kubeadm-config", "kube-system")["data"]["ClusterConfiguration"],
                    Loader=yaml.CSafeLoader)
    assert cfg["networking"] == {"dnsDomain": "cluster.local", "podSubnet": "20.96.0.0/12",
                                 "serviceSubnet": "10.96.0.0/12"}
    proxy = yaml.load(one("ConfigMap", "kube-proxy", "kube-system")["data"]["config.conf"], Loader=yaml.CSafeLoader)
    assert proxy["mode"] == "iptables" and proxy["clusterCIDR"] == "20.96.0.0/12"


def test_role_bindings_refer_to_roles_that_exist():
    cluster_roles = {r["metadata"]["name"] for r in of_kind("ClusterRole")}
    roles = {(r["metadata"]["namespace"], r["metadata"]["name"]) for r in of_kind("Role")}
    for b in of_kind("ClusterRoleBinding") + of_kind("RoleBinding"):
        ref = b["roleRef"]
        if ref["kind"] == "ClusterRole":
            assert ref["name"] in cluster_roles, b["metadata"]["name"]
        else:
            assert (b["metadata"]["namespace"], ref["name"]) in roles, b["metadata"]["name"]
