"""Exercises 7-10 end to end, as a learner types them: Service DNS and curl from request-pod,
a headless Service, Endpoints (automatic, hand-written, outside the cluster) and ExternalName."""
import re


from tests.conftest import manifest


def _registered() -> bool:
    from pykubectl.controllers import registry
    return "endpoints" in registry.OPTIONAL


def test_the_endpoints_controller_runs():
    assert _registered()


def apply(kube, *names):
    for n in names:
        kube("apply", "-f", manifest(n), check=True)


def ip_of(kube, pod):
    return kube("get", "pod", pod, "-o", "jsonpath={.status.podIP}", check=True).out


def in_pod(kube, *argv):
    return kube("exec", "request-pod", "--", *argv)


def test_07_service_dns(kube):
    apply(kube, "14-svc-clusterip1.yaml", "15-pod1-clusterip.yaml", "16-request-pod.yaml")
    kube("sim", "advance", "5s", check=True)
    r = in_pod(kube, "curl", "-s", "clusterip1:80/hostname")
    assert (r.code, r.out) == (0, "Hostname : pod1\n")
    vip = kube("get", "svc", "clusterip1", "-o", "jsonpath={.spec.clusterIP}").out
    r = in_pod(kube, "nslookup", "clusterip1")
    assert r.out == (f"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                     f"Name:\tclusterip1.default.svc.cluster.local\nAddress: {vip}\n\n")
    ip = ip_of(kube, "pod1")
    r = in_pod(kube, "nslookup", f"{ip.replace('.', '-')}.default.pod.cluster.local")
    assert f"Name:\t{ip.replace('.', '-')}.default.pod.cluster.local\nAddress: {ip}\n" in r.out
    r = in_pod(kube, "curl", "clusterip2")
    assert r.code == 6 and "curl: (6) Could not resolve host: clusterip2\n" in r.err


def test_08_headless(kube):
    apply(kube, "17-svc-headless1.yaml", "18-pod4.yaml", "19-pod5.yaml", "16-request-pod.yaml")
    kube("sim", "advance", "5s", check=True)
    r = in_pod(kube, "nslookup", "headless1")
    found = re.findall(r"Name:\theadless1.default.svc.cluster.local\nAddress: (\S+)\n", r.out)
    assert sorted(found) == sorted([ip_of(kube, "pod4"), ip_of(kube, "pod5")])
    r = in_pod(kube, "curl", "-s", "pod-a.headless1:8080/hostname")
    assert r.out == "Hostname : pod4\n"


def test_09_endpoints(kube, tmp_path):
    apply(kube, "20-svc-endpoint1.yaml", "21-pod7.yaml", "22-svc-endpoint2.yaml", "23-pod9.yaml", "16-request-pod.yaml")
    kube("sim", "advance", "5s", check=True)
    r = kube("get", "endpoints", "endpoint1")
    assert r.out.splitlines()[1].split()[:2] == ["endpoint1", f"{ip_of(kube, 'pod7')}:8080"]
    # the notes: put pod9's real IP into the hand-written Endpoints
    text = open(manifest("24-endpoints-endpoint2.yaml")).read().replace("192.168.226.109", ip_of(kube, "pod9"))
    kube("apply", "-f", "-", input=text, check=True)
    r = in_pod(kube, "curl", "-s", "endpoint2:8080/hostname")
    assert (r.code, r.out) == (0, "Hostname : pod9\n")
    apply(kube, "25-svc-endpoint3.yaml", "26-endpoints-endpoint3.yaml")
    r = in_pod(kube, "curl", "-s", "-O", "endpoint3/ysbaekFox/ysbaekFox/blob/main/README.md")
    assert (r.code, r.out) == (0, "")
    assert "README.md" in in_pod(kube, "ls").out.split()


def test_10_externalname(kube):
    apply(kube, "27-svc-externalname1.yaml", "16-request-pod.yaml")
    kube("sim", "advance", "5s", check=True)
    r = in_pod(kube, "nslookup", "externalname1")
    assert r.code == 0
    assert "externalname1.default.svc.cluster.local\tcanonical name = github.github.io\n" in r.out
    r = in_pod(kube, "curl", "-s", "-O", "externalname1/ysbaekFox/ysbaekFox/blob/main/README.md")
    assert r.code == 0
