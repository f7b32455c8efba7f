"""`sim explain svc/NAME`, pure: for each kind of pod the line a learner reads — an endpoint
(ready, not ready and why, published anyway) or why not (each selector key it fails, no IP,
finished, terminating, no container port for a named targetPort) — and the selector-less and
ExternalName cases."""
import pytest

from pykubectl.net.explain import explain_service
from pykubectl.net.membership import endpoint_verdict


def pod(name, labels=None, ip="20.111.156.70", ready=True, phase="Running", ports=(), deleting=False,
        statuses=None, probe=False):
    p = {"metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}",
                      "labels": {"app": "web"} if labels is None else labels},
         "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "kubetm/app", "ports": list(ports),
                                                          **({"readinessProbe": {"exec": {}}} if probe else {})}]},
         "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                                    **({} if ready else {"reason": "ContainersNotReady"})}]}}
    if ip:
        p["status"]["podIP"] = ip
    if statuses is not None:
        p["status"]["containerStatuses"] = statuses
    if deleting:
        p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return p


def svc(selector=None, target=8080, pnr=False, **spec):
    s = {"metadata": {"name": "web", "namespace": "default"},
         "spec": {"type": "ClusterIP", "clusterIP": "10.100.0.5",
                  "ports": [{"port": 80, "targetPort": target, "protocol": "TCP"}], **spec}}
    if selector is not False:
        s["spec"]["selector"] = selector or {"app": "web"}
    if pnr:
        s["spec"]["publishNotReadyAddresses"] = True
    return s


RUNNING = [{"name": "c", "ready": False, "started": True, "state": {"running": {}}}]


@pytest.mark.parametrize("service,p,state,reasons", [
    (svc(), pod("a"), "ready", []),
    (svc(), pod("a", labels={"app": "api"}), "excluded", ["label app=api, the selector wants app=web"]),
    (svc({"app": "web", "tier": "fe"}), pod("a", labels={"app": "web"}), "excluded",
     ["no label tier (the selector wants tier=fe)"]),
    (svc(), pod("a", ip=None, phase="Pending"), "excluded", ["no pod IP yet (phase Pending)"]),
    (svc(), pod("a", phase="Succeeded"), "excluded", ["phase Succeeded: a finished pod is never an endpoint"]),
    (svc(), pod("a", deleting=True), "excluded", ["terminating (deletionTimestamp set)"]),
    (svc(target="http"), pod("a"), "excluded", ["no container port named http (TCP) for the Service's port 80"]),
    (svc(target="http"), pod("a", ports=[{"name": "http", "containerPort": 9000}]), "ready", []),
    (svc(), pod("a", ready=False, statuses=RUNNING, probe=True), "not-ready",
     ["ContainersNotReady (container c: running, readiness probe not succeeding)"]),
    (svc(), pod("a", ready=False, statuses=[{"name": "c", "ready": False, "state": {"waiting": {"reason": "ImagePullBackOff"}}}]),
     "not-ready", ["ContainersNotReady (container c: waiting (ImagePullBackOff))"]),
    (svc(pnr=True), pod("a", ready=False, statuses=RUNNING, probe=True), "ready",
     ["ContainersNotReady (container c: running, readiness probe not succeeding)",
      "published as ready anyway (publishNotReadyAddresses: true)"]),
    (svc(pnr=True), pod("a", deleting=True), "ready",
     ["terminating (deletionTimestamp set)", "published as ready anyway (publishNotReadyAddresses: true)"]),
], ids=["ready", "label-value-differs", "label-missing", "no-ip", "finished", "terminating", "named-port-missing",
        "named-port-found", "readiness-probe", "image-pull", "publish-not-ready", "publish-terminating"])
def test_verdicts(service, p, state, reasons):
    v = endpoint_verdict(service, p)
    assert (v.state, v.reasons) == (state, reasons)


def test_explanation_lists_endpoints_then_the_others_with_why():
    pods = [pod("b", ip="20.0.0.2"), pod("a", ip="20.0.0.9", ready=False, statuses=RUNNING, probe=True),
            pod("other", labels={"app": "api"}, ip="20.0.0.3")]
    events = [{"involvedObject": {"kind": "Pod", "name": "a", "uid": "uid-a"}, "reason": "Unhealthy",
               "message": "Readiness probe failed: HTTP probe failed with statuscode: 500",
               "lastTimestamp": "2026-01-01T00:00:10Z"}]
    endpoints = {"subsets": [{"addresses": [{"ip": "20.0.0.2"}], "notReadyAddresses": [{"ip": "20.0.0.9"}]}]}
    assert explain_service(svc(), pods, endpoints, events) == (
        "Service default/web: type ClusterIP, cluster IP 10.100.0.5, selector app=web\n"
        "Ports: 80/TCP -> 8080\n"
        "\n"
        "Endpoints (1 ready, 1 not ready; kube-proxy sends traffic to the ready ones only):\n"
        "  POD   IP         NODE       PORTS      STATE\n"
        "  b     20.0.0.2   worker-1   8080/TCP   ready\n"
        "  a     20.0.0.9   worker-1   8080/TCP   not ready: ContainersNotReady (container c: running, readiness "
        "probe not succeeding); last event: Readiness probe failed: HTTP probe failed with statuscode: 500\n"
        "\n"
        "Other pods in namespace default, and why they are not endpoints:\n"
        "  POD     WHY NOT\n"
        "  other   label app=api, the selector wants app=web\n")


@pytest.mark.parametrize("endpoints,note", [
    (None, "Note: no Endpoints object exists yet"),
    ({"subsets": []}, "Note: the live Endpoints object differs"),
    ({"subsets": [{"addresses": [{"ip": "20.0.0.2"}]}]}, None),
], ids=["missing", "behind", "in-step"])
def test_a_lagging_endpoints_object_is_noted(endpoints, note):
    text = explain_service(svc(), [pod("b", ip="20.0.0.2")], endpoints)
    assert (note in text) if note else "Note:" not in text


@pytest.mark.parametrize("endpoints,lines", [
    (None, ["No Endpoints object named web: the Service has no endpoints (kube-proxy rejects connections to it)."]),
    ({"subsets": [{"addresses": [{"ip": "20.0.0.2"}, {"ip": "20.109.5.77"}, {"ip": "185.199.110.153"}],
                   "ports": [{"port": 8080}]}]},
     ["  IP                PORTS      STATE   WHAT IS THERE",
      "  20.0.0.2          8080/TCP   ready   pod b",
      "  20.109.5.77       8080/TCP   ready   no pod has this IP (nothing answers)",
      "  185.199.110.153   8080/TCP   ready   an address outside the pod network"]),
], ids=["no-endpoints-object", "hand-written"])
def test_selectorless_service_shows_its_hand_written_endpoints(endpoints, lines):
    text = explain_service(svc(selector=False), [pod("b", ip="20.0.0.2")], endpoints)
    assert "no selector" in text.splitlines()[0]
    for line in lines:
        assert line in text.splitlines()


def test_externalname_has_no_endpoints():
    s = {"metadata": {"name": "ext", "namespace": "default"},
         "spec": {"type": "ExternalName", "externalName": "github.github.io"}}
    assert explain_service(s, [pod("a")]) == (
        "Service default/ext: type ExternalName, external name github.github.io\n\n"
        "No endpoints: cluster DNS answers ext with a CNAME to github.github.io, and kube-proxy writes no rules for it.\n")


def test_headless_endpoints_are_what_dns_answers():
    text = explain_service(svc(clusterIP="None"), [pod("a")], {"subsets": [{"addresses": [{"ip": "20.111.156.70"}]}]})
    assert "headless (clusterIP None)" in text
    assert "Endpoints (1 ready, 0 not ready; cluster DNS answers with the ready ones' IPs):" in text


@pytest.mark.parametrize("status,extra,line", [
    ({}, {}, "Load balancer: <pending> (no address pool: see `pykubectl sim --help`)"),
    ({"loadBalancer": {"ingress": [{"ip": "192.168.0.200"}]}}, {}, "Load balancer: 192.168.0.200"),
    ({}, {"externalTrafficPolicy": "Local"}, "externalTrafficPolicy: Local (from outside, only nodes with a ready "
                                             "endpoint answer, and the client's address is kept)"),
], ids=["pending", "assigned", "external-local"])
def test_load_balancer_header(status, extra, line):
    s = svc(type="LoadBalancer", **extra)
    s["status"] = status
    assert line in explain_service(s, [pod("a")], {"subsets": [{"addresses": [{"ip": "20.111.156.70"}]}]}).splitlines()
