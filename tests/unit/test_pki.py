"""The cluster PKI and service-account tokens: what kube-apiserver and a real kubectl would see.

Certificates are checked for the fields kubeadm writes (subjects, usages, SANs, lifetimes) and
for the x509 authenticator's verdict; tokens for kube's exact claim sets and for refusal of
anything not signed by the cluster's service-account key.
"""
import base64
import hashlib
import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from pykubectl import pki

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def cluster():
    return pki.new_cluster_pki(NOW)


@pytest.fixture(scope="module")
def other_cluster():
    return pki.new_cluster_pki(NOW)


def _cert(pem):
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem.encode())


@pytest.mark.parametrize("name, subject, lifetime_days, ca", [
    ("ca.crt", "CN=kubernetes", 3650, True),
    ("apiserver.crt", "CN=kube-apiserver", 365, False),
    ("admin.crt", "CN=kubernetes-admin,O=kubeadm:cluster-admins", 365, False),
], ids=["ca", "apiserver", "admin"])
def test_certificates_are_laid_out_as_kubeadm_writes_them(cluster, name, subject, lifetime_days, ca):
    from cryptography import x509

    cert = _cert(cluster[name])
    assert cert.subject.rfc4514_string() == subject
    assert cert.issuer.rfc4514_string() == "CN=kubernetes"
    assert cert.not_valid_before_utc == NOW - timedelta(minutes=5)
    assert cert.not_valid_after_utc == NOW + timedelta(days=lifetime_days)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is ca
    assert cert.public_key().key_size == 2048


def test_admin_subject_as_openssl_prints_it(cluster, tmp_path):
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl not installed")
    (tmp_path / "admin.crt").write_text(cluster["admin.crt"])
    out = subprocess.run([openssl, "x509", "-noout", "-subject", "-in", str(tmp_path / "admin.crt")],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "subject=O = kubeadm:cluster-admins, CN = kubernetes-admin"


def test_openssl_verifies_the_chain(cluster, tmp_path):
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl not installed")
    for name in ("ca.crt", "apiserver.crt", "admin.crt"):
        (tmp_path / name).write_text(cluster[name])
    out = subprocess.run([openssl, "verify", "-CAfile", str(tmp_path / "ca.crt"),
                          str(tmp_path / "apiserver.crt"), str(tmp_path / "admin.crt")],
                         capture_output=True, text=True).stdout
    assert out.splitlines() == [f"{tmp_path}/apiserver.crt: OK", f"{tmp_path}/admin.crt: OK"]


def test_apiserver_serves_every_name_of_the_kubernetes_service(cluster):
    from cryptography import x509

    san = _cert(cluster["apiserver.crt"]).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == [
        "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local", "k8s-master"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == [
        "127.0.0.1", "192.168.0.100", "10.96.0.1"]


def test_pem_texts_have_kubeadm_headers(cluster):
    assert cluster["ca.key"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert cluster["sa.key"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert cluster["sa.pub"].startswith("-----BEGIN PUBLIC KEY-----\n")
    assert base64.b64decode(pki.b64(cluster["ca.crt"])).decode() == cluster["ca.crt"]


def _der(pem):
    from cryptography.hazmat.primitives import serialization

    return _cert(pem).public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("make, at, expected", [
    (lambda c, o: c["admin.crt"], NOW, ("kubernetes-admin", ["kubeadm:cluster-admins"])),
    (lambda c, o: _der(c["admin.crt"]), NOW, ("kubernetes-admin", ["kubeadm:cluster-admins"])),
    (lambda c, o: c["admin.crt"].encode(), NOW, ("kubernetes-admin", ["kubeadm:cluster-admins"])),
    (lambda c, o: pki.issue_client_cert(c["ca.crt"], c["ca.key"], "jane", ["dev", "ops"], NOW)[0],
     NOW, ("jane", ["dev", "ops"])),
    (lambda c, o: pki.issue_client_cert(c["ca.crt"], c["ca.key"], "bob", [], NOW)[0], NOW, ("bob", [])),
    (lambda c, o: o["admin.crt"], NOW, None),
    (lambda c, o: c["apiserver.crt"], NOW, None),
    (lambda c, o: c["admin.crt"], NOW + timedelta(days=366), None),
    (lambda c, o: c["admin.crt"], NOW - timedelta(minutes=6), None),
    (lambda c, o: pki.issue_client_cert(c["ca.crt"], c["ca.key"], "short", [], NOW, days=1)[0],
     NOW + timedelta(days=2), None),
    (lambda c, o: "not a certificate", NOW, None),
], ids=["admin-pem", "admin-der", "admin-bytes", "issued-with-groups", "issued-no-groups",
        "other-ca", "serving-cert-not-for-clients", "expired", "not-yet-valid", "custom-days-expired",
        "garbage"])
def test_client_identity(cluster, other_cluster, make, at, expected):
    assert pki.client_identity(cluster["ca.crt"], make(cluster, other_cluster), at) == expected


def test_issued_client_key_matches_its_certificate(cluster):
    from cryptography.hazmat.primitives import serialization

    crt, key = pki.issue_client_cert(cluster["ca.crt"], cluster["ca.key"], "jane", [], NOW)
    pub = serialization.load_pem_private_key(key.encode(), None).public_key()
    assert pub.public_numbers() == _cert(crt).public_key().public_numbers()


def _segments(token):
    def dec(s):
        return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    h, p, _ = token.split(".")
    return dec(h), dec(p)


def test_token_header_kid_is_sha256_of_the_public_key(cluster):
    from cryptography.hazmat.primitives import serialization

    token = pki.sign_token(cluster["sa.key"], {"sub": "x"})
    header, _ = _segments(token)
    der = serialization.load_pem_public_key(cluster["sa.pub"].encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert header == {"alg": "RS256", "kid": kid}
    assert "=" not in token


def _tamper_payload(token):
    h, p, s = token.split(".")
    claims = _segments(token)[1]
    claims["sub"] = "system:serviceaccount:kube-system:admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{h}.{forged}.{s}"


def _flip_signature(token):
    h, p, s = token.split(".")
    return f"{h}.{p}.{s[:-2]}{'A' if s[-2] != 'A' else 'B'}{s[-1]}"


def _alg_none(token):
    h, p, _ = token.split(".")
    none = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    return f"{none}.{p}."


@pytest.mark.parametrize("mangle, use_other_key, ok", [
    (lambda t: t, False, True),
    (_tamper_payload, False, False),
    (_flip_signature, False, False),
    (_alg_none, False, False),
    (lambda t: t + "=", False, False),
    (lambda t: t.rsplit(".", 1)[0], False, False),
    (lambda t: t, True, False),
], ids=["round-trip", "tampered-claims", "tampered-signature", "alg-none", "padded", "no-signature",
        "other-cluster-key"])
def test_verify_token(cluster, other_cluster, mangle, use_other_key, ok):
    claims = pki.service_account_claims("default", "builder", "uid-1", now=NOW)
    token = mangle(pki.sign_token(cluster["sa.key"], claims))
    pub = other_cluster["sa.pub"] if use_other_key else cluster["sa.pub"]
    assert pki.verify_token(pub, token) == (claims if ok else None)


@pytest.mark.parametrize("at, ok", [
    (NOW, True),
    (NOW + timedelta(hours=1, seconds=59), True),   # go-jose's one-minute leeway
    (NOW + timedelta(hours=1, minutes=2), False),
    (NOW - timedelta(minutes=2), False),
], ids=["fresh", "within-leeway", "expired", "not-yet-valid"])
def test_verify_token_checks_the_window_when_given_now(cluster, at, ok):
    claims = pki.service_account_claims("default", "builder", "uid-1", now=NOW)
    token = pki.sign_token(cluster["sa.key"], claims)
    assert (pki.verify_token(cluster["sa.pub"], token, now=at) is not None) is ok


def test_legacy_token_is_a_secret_based_token_with_no_expiry(cluster):
    claims = pki.service_account_claims("dev", "deployer", "sa-uid", "deployer-token-x7k2p", "secret-uid")
    assert claims == {
        "iss": "kubernetes/serviceaccount",
        "kubernetes.io/serviceaccount/namespace": "dev",
        "kubernetes.io/serviceaccount/secret.name": "deployer-token-x7k2p",
        "kubernetes.io/serviceaccount/service-account.name": "deployer",
        "kubernetes.io/serviceaccount/service-account.uid": "sa-uid",
        "sub": "system:serviceaccount:dev:deployer",
    }
    _, payload = pki.sign_token(cluster["sa.key"], claims).split(".")[:2]
    # go-jose writes the claims compact with sorted keys
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode() == json.dumps(
        claims, sort_keys=True, separators=(",", ":"))


IAT = int(NOW.timestamp())


@pytest.mark.parametrize("kwargs, expected", [
    ({}, {"aud": ["https://kubernetes.default.svc.cluster.local"], "exp": IAT + 3600, "iat": IAT,
          "iss": "https://kubernetes.default.svc.cluster.local", "nbf": IAT,
          "sub": "system:serviceaccount:dev:app",
          "kubernetes.io": {"namespace": "dev", "serviceaccount": {"name": "app", "uid": "u1"}}}),
    ({"expiry": 600, "pod": ("web-0", "p1"), "node": ("node-1", "n1"), "jti": "j1"},
     {"aud": ["https://kubernetes.default.svc.cluster.local"], "exp": IAT + 600, "iat": IAT,
      "iss": "https://kubernetes.default.svc.cluster.local", "nbf": IAT, "jti": "j1",
      "sub": "system:serviceaccount:dev:app",
      "kubernetes.io": {"namespace": "dev", "serviceaccount": {"name": "app", "uid": "u1"},
                        "pod": {"name": "web-0", "uid": "p1"}, "node": {"name": "node-1", "uid": "n1"}}}),
    ({"secret_name": "tok", "secret_uid": "s1", "expiry": NOW + timedelta(days=1), "audiences": ["a", "b"]},
     {"aud": ["a", "b"], "exp": IAT + 86400, "iat": IAT,
      "iss": "https://kubernetes.default.svc.cluster.local", "nbf": IAT,
      "sub": "system:serviceaccount:dev:app",
      "kubernetes.io": {"namespace": "dev", "serviceaccount": {"name": "app", "uid": "u1"},
                        "secret": {"name": "tok", "uid": "s1"}}}),
], ids=["token-request-default-hour", "bound-to-pod-and-node", "bound-to-secret-two-audiences"])
def test_bound_token_claims(kwargs, expected):
    assert pki.service_account_claims("dev", "app", "u1", now=NOW, **kwargs) == expected
