"""kubectl describe end to end on the lab cluster (virtual clock): layouts, events, name
prefixes, several objects, and kubectl's errors."""
import pytest


@pytest.fixture(autouse=True)
def utc(kube):
    """kubectl prints timestamps in the local zone; pin it so the goldens hold anywhere."""
    kube.env["TZ"] = "UTC"

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx
"""

SVC_KUBERNETES = """\
Name:                     kubernetes
Namespace:                default
Labels:                   component=apiserver
                          provider=kubernetes
Annotations:              <none>
Selector:                 <none>
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.0.1
IPs:                      10.96.0.1
Port:                     https  443/TCP
TargetPort:               6443/TCP
Endpoints:                192.168.0.100:6443
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
"""


def test_describe_service_kubernetes(kube):
    r = kube("describe", "svc", "kubernetes")
    assert (r.code, r.out, r.err) == (0, SVC_KUBERNETES, "")


def test_describe_node(kube):
    r = kube("describe", "node", "worker-1")
    assert r.code == 0, r.err
    assert r.out.startswith("Name:               worker-1\nRoles:              <none>\n"
                            "Labels:             beta.kubernetes.io/arch=amd64\n")
    for line in ("Taints:             <none>\n", "Unschedulable:      false\n",
                 "Lease:\n  HolderIdentity:  worker-1\n  AcquireTime:     <unset>\n",
                 "  InternalIP:  192.168.0.101\n  Hostname:    worker-1\n",
                 "PodCIDRs:                     20.96.1.0/24\n",
                 "Non-terminated Pods:          (2 in total)\n",
                 "  Resource           Requests   Limits\n",
                 "  hugepages-2Mi      0 (0%)     0 (0%)\n"):
        assert line in r.out
    assert r.out.endswith("Events:              <none>\n")


def test_describe_applied_pod_after_five_seconds(kube):
    assert kube("apply", "-f", "-", input=POD).code == 0
    kube("sim", "advance", "5s", check=True)
    r = kube("describe", "pod", "web")
    assert r.code == 0, r.err
    assert r.out.startswith("Name:             web\nNamespace:        default\nPriority:         0\n"
                            "Service Account:  default\nNode:             worker-")
    assert "Start Time:       Thu, 01 Jan 2026 00:00:00 +0000\nLabels:           app=web\n" in r.out
    assert "Status:           Running\n" in r.out
    assert "    State:          Running\n      Started:      Thu, 01 Jan 2026 00:00:02 +0000\n" in r.out
    assert "QoS Class:                   BestEffort\n" in r.out
    events = r.out[r.out.index("Events:"):].splitlines()
    assert events[:3] == ["Events:", "  Type    Reason     Age   From               Message",
                          "  ----    ------     ----  ----               -------"]
    assert [e.split()[:3] for e in events[3:]] == [
        ["Normal", "Scheduled", "5s"], ["Normal", "Pulling", "5s"], ["Normal", "Pulled", "3s"],
        ["Normal", "Created", "3s"], ["Normal", "Started", "3s"]]
    quiet = kube("describe", "pod", "web", "--show-events=false")
    assert quiet.code == 0 and "Events:" not in quiet.out and quiet.out.startswith("Name:             web\n")


def test_describe_ippool_goes_generic(kube):
    r = kube("describe", "IPPool")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[:6] == ["Name:         default-ipv4-ippool", "Namespace:    ", "Labels:       <none>",
                         "Annotations:  <none>", "API Version:  crd.projectcalico.org/v1", "Kind:         IPPool"]
    assert "Spec:" in lines and "  Cidr:           20.96.0.0/12" in lines
    assert "  Ipip Mode:      Always" in lines and "  Nat Outgoing:   true" in lines


def test_name_prefix_and_several_objects(kube):
    assert kube("apply", "-f", "-", input=POD).code == 0
    by_prefix = kube("describe", "pods", "we")
    assert by_prefix.code == 0, by_prefix.err
    assert by_prefix.out.startswith("Name:             web\n") and by_prefix.out.endswith("\n\n")
    two = kube("describe", "pod/web", "svc/kubernetes")
    assert two.code == 0, two.err
    # kubectl separates descriptions with "\n\n" after each one's own final newline
    assert "Events:" in two.out and "\n\n\nName:                     kubernetes\n" in two.out


@pytest.mark.parametrize("args, code, err", [
    (("describe", "pod", "nope"), 1, 'Error from server (NotFound): pods "nope" not found\n'),
    (("describe", "pods", "-l", "app=nothing"), 0, "No resources found in default namespace.\n"),
    (("describe", "pods", "-A", "-l", "app=nothing"), 0, "No resources found\n"),
    (("describe",), 1, 'error: You must specify the type of resource to describe. Use "kubectl api-resources" '
                       'for a complete list of supported resources.\n'),
    (("describe", "nosuchkind"), 1, 'error: the server doesn\'t have a resource type "nosuchkind"\n'),
    (("describe", "pod", "web", "-A"), 1, "error: a resource cannot be retrieved by name across all namespaces\n"),
], ids=["not-found", "none-in-namespace", "none-anywhere", "no-type", "unknown-type", "name-across-namespaces"])
def test_errors_worded_as_kubectl(kube, args, code, err):
    r = kube(*args)
    assert (r.code, r.out, r.err) == (code, "", err)


def test_describe_from_file(kube, tmp_path):
    f = tmp_path / "pod.yaml"
    f.write_text(POD)
    assert kube("apply", "-f", str(f)).code == 0
    r = kube("describe", "-f", str(f))
    assert r.code == 0, r.err
    assert r.out.startswith("Name:             web\n")


def test_two_type_name_args_with_one_missing_show_only_the_error(kube):
    # kubectl takes the second argument as a name prefix and shows nothing of what it found
    assert kube("apply", "-f", "-", input=POD).code == 0
    r = kube("describe", "pod/web", "pod/nope")
    assert (r.code, r.out, r.err) == (1, "", 'Error from server (NotFound): pods "nope" not found\n')
