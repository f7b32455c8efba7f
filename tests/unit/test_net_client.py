"""curl and nslookup over the simulated network, as the real tools print: curl's address forms
and options, its errors (resolve, refused, timeout, TLS), -i/-v/-L/-O, and busybox nslookup's
answers and NXDOMAIN."""
import pytest

from pykubectl.net.client import curl, nslookup, parse_curl, parse_ipv4, split_url
from tests.unit.test_net_dns import endpoint_slice, lab_view, service


@pytest.mark.parametrize("s,want", [
    ("192.168.0.100", "192.168.0.100"), ("192.168.100", "192.168.0.100"), ("10.1", "10.0.0.1"),
    ("3232235620", "192.168.0.100"), ("192.168.256", "192.168.1.0"), ("1.2.3.256", None), ("web", None),
], ids=["dotted", "three-parts", "two-parts", "one-number", "16-bit-last", "out-of-range", "name"])
def test_curl_accepts_inet_aton_forms(s, want):
    assert parse_ipv4(s) == want


@pytest.mark.parametrize("url,want", [
    ("clusterip1:80/hostname", ("http", "clusterip1", 80, "/hostname")),
    ("endpoint3/a/README.md", ("http", "endpoint3", 80, "/a/README.md")),
    ("https://www.https.com:30798", ("https", "www.https.com", 30798, "/")),
    ("http://h?q=1", ("http", "h", 80, "/?q=1")),
], ids=["no-scheme", "default-port", "https-no-path", "query"])
def test_split_url(url, want):
    assert split_url(url) == want


def test_bundled_short_options():
    o = parse_curl(["-sSik", "-HHost: x", "-m", "3", "-X", "POST", "u"])
    assert (o["silent"], o["show_error"], o["include"], o["insecure"]) == (True, True, True, True)
    assert (o["header"], o["max_time"], o["method"], o["urls"]) == (["Host: x"], "3", "POST", ["u"])


def world():
    v = lab_view()
    v.add(endpoint_slice("clusterip1", [("20.111.156.66", True, None, "pod1", "worker-1")]))
    v.add({"kind": "Pod", "metadata": {"name": "pod1", "namespace": "default", "labels": {}},
           "spec": {"nodeName": "worker-1", "containers": [{"name": "container", "image": "kubetm/app"}]},
           "status": {"phase": "Running", "podIP": "20.111.156.66"}})
    v.add(service("empty", cluster_ip="10.100.0.7"))
    return v


REQ = {"metadata": {"name": "request-pod", "namespace": "default"}, "spec": {}, "status": {"podIP": "20.109.5.2"}}


@pytest.mark.parametrize("argv,out,err,code", [
    (["curl", "-s", "clusterip1:80/hostname"], "Hostname : pod1\n", "", 0),
    (["curl", "-s", "20.111.156.66:8080/version"], "Version : v1\n", "", 0),
    (["curl", "-s", "clusterip2"], "", "", 6),
    (["curl", "-sS", "clusterip2"], "", "curl: (6) Could not resolve host: clusterip2\n", 6),
    (["curl", "-sS", "empty"], "", "curl: (7) Failed to connect to empty port 80 after 0 ms: Connection refused\n", 7),
    (["curl", "-sS", "20.111.156.66:9999"],
     "", "curl: (7) Failed to connect to 20.111.156.66 port 9999 after 0 ms: Connection refused\n", 7),
    (["curl", "-sS", "-m", "2", "clusterip1:8080"], "", "curl: (28) Connection timed out after 2001 milliseconds\n", 28),
    (["curl", "-sS", "https://clusterip1:80/"], "", "curl: (35) error:0A00010B:SSL routines::wrong version number\n", 35),
], ids=["via-service", "pod-ip", "nxdomain-silent", "nxdomain", "no-endpoints", "nothing-listening",
        "vip-wrong-port-times-out", "https-to-http"])
def test_curl_in_a_pod(argv, out, err, code):
    assert curl(world(), REQ, argv) == (out, err, code)


def test_curl_include_headers():
    out, _, code = curl(world(), REQ, ["curl", "-si", "clusterip1/hostname"])
    assert code == 0 and out.startswith("HTTP/1.1 200 OK\r\n") and out.endswith("\r\n\r\nHostname : pod1\n")


def test_curl_progress_meter_on_stderr_without_silent():
    out, err, code = curl(world(), REQ, ["curl", "clusterip1/hostname"])
    assert out == "Hostname : pod1\n" and err.startswith("  % Total    % Received % Xferd")


def test_outside_machine_has_no_cluster_dns():
    out, err, code = curl(world(), None, ["curl", "clusterip1/hostname"])
    assert (code, err) == (6, "curl: (6) Could not resolve host: clusterip1\n")


def test_nslookup_service():
    out, err, code = nslookup(world(), REQ, ["nslookup", "clusterip1"])
    assert (out, code) == ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                           "Name:\tclusterip1.default.svc.cluster.local\nAddress: 10.105.135.231\n\n", 0)


def test_nslookup_cname_and_nxdomain():
    out, _, code = nslookup(world(), REQ, ["nslookup", "externalname1"])
    assert "externalname1.default.svc.cluster.local\tcanonical name = github.github.io\n" in out and code == 0
    out, _, code = nslookup(world(), REQ, ["nslookup", "nothere"])
    assert out.endswith("** server can't find nothere: NXDOMAIN\n\n") and code == 1


HEAD = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"


@pytest.mark.parametrize("argv,out,code", [
    (["nslookup", "-type=srv", "_http._tcp.web.shop.svc.cluster.local"],
     "_http._tcp.web.shop.svc.cluster.local\tservice = 0 100 80 web.shop.svc.cluster.local\n\n", 0),
    (["nslookup", "-type=SRV", "_http._tcp.web.shop"],
     "_http._tcp.web.shop.svc.cluster.local\tservice = 0 100 80 web.shop.svc.cluster.local\n\n", 0),
    (["nslookup", "-type=srv", "_https._tcp.web.shop.svc.cluster.local"],
     "** server can't find _https._tcp.web.shop.svc.cluster.local: NXDOMAIN\n\n", 1),
    # a headless Service: one record per ready endpoint, named by hostname or dashed IP, weight 100/n
    (["nslookup", "-type=srv", "headless1.default.svc.cluster.local"],
     "headless1.default.svc.cluster.local\tservice = 0 50 80 20-109-5-3.headless1.default.svc.cluster.local\n"
     "headless1.default.svc.cluster.local\tservice = 0 50 80 pod-a.headless1.default.svc.cluster.local\n\n", 0),
    (["nslookup", "-type=a", "clusterip1"], "Name:\tclusterip1.default.svc.cluster.local\nAddress: 10.105.135.231\n\n", 0),
    (["nslookup", "-type=cname", "externalname1"],
     "externalname1.default.svc.cluster.local\tcanonical name = github.github.io\n\n", 0),
    # the name exists but has no record of that type: an empty answer, not NXDOMAIN
    (["nslookup", "-type=cname", "clusterip1"], "\n", 0),
    (["nslookup", "-type=aaaa", "clusterip1"], "\n", 0),
    (["nslookup", "github.github.io"],
     "Non-authoritative answer:\n" + "".join(f"Name:\tgithub.github.io\nAddress: {ip}\n" for ip in
                                              ("185.199.108.153", "185.199.109.153", "185.199.110.153",
                                               "185.199.111.153")) + "\n", 0),
], ids=["srv-fqdn", "srv-through-search-list", "srv-unknown-port", "srv-headless", "a", "cname-externalname",
        "cname-none", "aaaa-none", "forwarded-is-non-authoritative"])
def test_nslookup_query_types(argv, out, code):
    assert nslookup(world(), REQ, argv) == (HEAD + out, "", code)


@pytest.mark.parametrize("argv,err", [
    (["nslookup", "-type=bogus", "clusterip1"], 'nslookup: invalid query type "bogus"\n'),
    (["nslookup", "-vc", "clusterip1"], "BusyBox v1.36.1 multi-call binary."),
    (["nslookup"], "BusyBox v1.36.1 multi-call binary."),
], ids=["bad-type", "unknown-option", "no-name"])
def test_nslookup_usage_errors(argv, err):
    out, got, code = nslookup(world(), REQ, argv)
    assert (out, code) == ("", 1) and got.startswith(err)


# ---------------------------------------------------------------------------------------------
# NetworkPolicy on the traffic path

def netpol(name, pod_selector, ingress=None, egress=None, types=None):
    spec = {"podSelector": pod_selector}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    if types:
        spec["policyTypes"] = types
    return {"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def policed(*policies):
    v = world()
    v.add({"kind": "Pod", "metadata": {"name": "request-pod", "namespace": "default", "labels": {"role": "client"}},
           "spec": {"containers": [{"name": "c", "image": "kubetm/init"}]},
           "status": {"phase": "Running", "podIP": "20.109.5.2"}})
    v.objs[("pods", "default", "pod1")]["metadata"]["labels"] = {"app": "web"}
    for p in policies:
        v.objs[("networkpolicies.networking.k8s.io", "default", p["metadata"]["name"])] = p
    return v


@pytest.mark.parametrize("policies,ok", [
    ([], True),
    ([netpol("deny", {}, types=["Ingress"])], False),
    ([netpol("allow-client", {"matchLabels": {"app": "web"}},
             ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "client"}}}]}])], True),
    ([netpol("allow-other", {"matchLabels": {"app": "web"}},
             ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "admin"}}}]}])], False),
    ([netpol("port-8080", {"matchLabels": {"app": "web"}}, ingress=[{"ports": [{"port": 8080}]}])], True),
    ([netpol("port-9090", {"matchLabels": {"app": "web"}}, ingress=[{"ports": [{"port": 9090}]}])], False),
    ([netpol("ipblock", {"matchLabels": {"app": "web"}},
             ingress=[{"from": [{"ipBlock": {"cidr": "20.109.5.0/26", "except": ["20.109.5.2/32"]}}]}])], False),
    ([netpol("egress-deny", {"matchLabels": {"role": "client"}}, types=["Egress"])], False),
    ([netpol("egress-web", {"matchLabels": {"role": "client"}},
             egress=[{"to": [{"podSelector": {"matchLabels": {"app": "web"}}}]}])], True),
], ids=["no-policy", "deny-all-ingress", "allow-from-client", "allow-from-other", "port-allowed",
        "port-not-allowed", "ipblock-except", "deny-all-egress", "egress-to-web"])
def test_network_policy_verdicts(policies, ok):
    out, err, code = curl(policed(*policies), REQ, ["curl", "-sS", "-m", "1", "clusterip1/hostname"])
    assert (code == 0) is ok
    if not ok:
        assert err == "curl: (28) Connection timed out after 1001 milliseconds\n"


@pytest.mark.parametrize("argv,out,err,code", [
    (["wget", "-qO-", "clusterip1/hostname"], "Hostname : pod1\n", "", 0),
    (["wget", "-q", "-O", "-", "nothere"], "", "wget: bad address 'nothere'\n", 1),
    (["wget", "-qO-", "empty"], "", "wget: can't connect to remote host (10.100.0.7): Connection refused\n", 1),
], ids=["stdout", "nxdomain", "refused"])
def test_busybox_wget(argv, out, err, code):
    from pykubectl.net.client import wget
    assert wget(world(), REQ, argv) == (out, err, code)
