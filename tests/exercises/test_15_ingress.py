"""Exercise 15 end to end: Ingress path routing through the ingress-nginx NodePort, a host rule
through the outside machine's /etc/hosts, a weighted canary split, a by-header canary, and TLS
with the http → https redirect; plus exercise 17's NodePort requests from outside."""
import datetime
import re

import pytest

from tests.conftest import manifest


def test_the_pieces_are_wired():
    from pykubectl.cli.sim import command
    from pykubectl.controllers import registry
    assert "endpoints" in registry.OPTIONAL
    assert command.get_command(None, "curl") is not None and command.get_command(None, "hosts") is not None

NODE_HTTP = "192.168.0.100:30431"


def apply(kube, *names):
    for n in names:
        kube("apply", "-f", manifest(n), check=True)


@pytest.fixture
def ingress_ready(kube):
    r = kube("get", "pods", "-n", "ingress-nginx", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}")
    assert r.out.strip() == "True", "the ingress-nginx controller pod is not Ready"
    return kube


def test_path_routing(ingress_ready):
    kube = ingress_ready
    apply(kube, "39-ingress-loadbalancing.yaml")
    kube("sim", "advance", "5s", check=True)
    r = kube("sim", "curl", f"{NODE_HTTP}/", f"{NODE_HTTP}/customer", f"{NODE_HTTP}/order")
    assert (r.code, r.out) == (0, "Shopping Page.Customer Page.Order Page.")


def test_host_rule_canary_weight_then_by_header(ingress_ready):
    kube = ingress_ready
    apply(kube, "40-app-v1-v2.yaml", "41-ingress-app.yaml")
    assert kube("sim", "hosts", "add", "192.168.0.100", "www.app.com").code == 0
    kube("sim", "advance", "5s", check=True)
    assert kube("sim", "curl", "www.app.com:30431/version").out == "Version : v1\n"
    # without the host the catch-all server has no rule: the default backend's 404
    r = kube("sim", "curl", "-i", f"{NODE_HTTP}/version")
    # (the harness reads text: curl's \r\n arrive as \n)
    assert r.out.startswith("HTTP/1.1 404 Not Found\n")
    apply(kube, "42-ingress-canary-v2.yaml")
    r = kube("sim", "curl", *["www.app.com:30431/version"] * 1000)
    v2 = r.out.count("Version : v2")
    assert r.out.count("Version : ") == 1000 and 60 <= v2 <= 140, v2   # weight 10: 10% ± 4% (over 4 sigma)
    kube("delete", "ingress", "canary-v2", check=True)
    apply(kube, "43-ingress-canary-kr.yaml")
    assert kube("sim", "curl", "-H", "Accept-Language: kr", "www.app.com:30431/version").out == "Version : v2\n"
    assert kube("sim", "curl", "www.app.com:30431/version").out == "Version : v1\n"


def _self_signed(tmp_path, host):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime(2026, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    (tmp_path / "tls.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                                         serialization.NoEncryption()))
    (tmp_path / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(tmp_path / "tls.key"), str(tmp_path / "tls.crt")


def test_tls_and_redirect(ingress_ready, tmp_path):
    kube = ingress_ready
    key, crt = _self_signed(tmp_path, "www.https.com")
    kube("create", "secret", "tls", "secret-https", "--key", key, "--cert", crt, check=True)
    apply(kube, "44-pod-svc-https.yaml", "45-ingress-https.yaml")
    kube("sim", "hosts", "add", "192.168.0.100", "www.https.com", check=True)
    kube("sim", "advance", "5s", check=True)
    r = kube("sim", "curl", "-k", "https://www.https.com:30798/hostname")
    assert (r.code, r.out) == (0, "Hostname : pod-https\n")
    r = kube("sim", "curl", "https://www.https.com:30798/hostname")
    assert r.code == 60 and r.err.startswith("curl: (60) SSL certificate problem: self-signed certificate\n")
    r = kube("sim", "curl", "-i", "http://www.https.com:30431/hostname")
    assert r.out.startswith("HTTP/1.1 308 Permanent Redirect\n")
    assert "Location: https://www.https.com:30431/hostname\n" in r.out


def test_17_nodeport_from_outside(kube):
    apply(kube, "50-pod-src-dest.yaml", "51-svc-clusterip.yaml", "52-svc-nodeport.yaml")
    kube("sim", "advance", "5s", check=True)
    # pod-dest asks for node `wroker-2`: Pending, so the NodePort has no endpoints and is rejected
    r = kube("sim", "curl", "192.168.100:31085/hostname")
    assert (r.code, r.err) == (7, "curl: (7) Failed to connect to 192.168.100 port 31085 after 0 ms: Connection refused\n")
    text = open(manifest("50-pod-src-dest.yaml")).read().replace("wroker-2", "worker-2")
    kube("delete", "pod", "pod-dest", "--grace-period=0", "--force", check=True)
    kube("apply", "-f", "-", input=text, check=True)
    kube("sim", "advance", "5s", check=True)
    for ip in ("192.168.100", "192.168.0.101", "192.168.0.102"):
        assert kube("sim", "curl", f"{ip}:31085/hostname").out == "Hostname : pod-dest\n"
    if "ssh" in __import__("pykubectl.cli.sim", fromlist=["command"]).command.commands:
        out = kube("sim", "ssh", "worker-1", "--", "iptables-save").out
        assert re.search(r'^-A KUBE-NODEPORTS -p tcp -m comment --comment "default/svc-nodeport" -m tcp --dport 31085 '
                         r"-j KUBE-EXT-[A-Z2-7]{16}$", out, re.M)
        assert re.search(r"^-A KUBE-SEP-[A-Z2-7]{16} -p tcp .* -j DNAT --to-destination 20\.109\.5\.\d+:8080$", out, re.M)
        route = kube("sim", "ssh", "worker-1", "--", "route").out
        assert re.search(r"^20\.109\.5\.0 +worker-2 +255\.255\.255\.192 UG .* tunl0$", route, re.M)
