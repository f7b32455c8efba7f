"""A cluster's PKI as kubeadm lays it out, and service-account tokens as kube-apiserver signs them.

Certificates follow kubeadm's pkiutil: RSA 2048 keys, a self-signed CA "kubernetes" valid
10 years, leaf certificates valid 1 year, every NotBefore backdated 5 minutes (kubeadm's
CertificateBackdate) so a client whose clock trails a little still accepts them.
Tokens follow pkg/serviceaccount: RS256 JWTs whose header `kid` is the unpadded base64url
SHA-256 of the signing key's DER public key, with kube's legacy or bound claim sets.

`cryptography` is imported inside the functions: only cluster creation, the HTTPS server and
token checks pay for it. Callers pass `now` (certificates and tokens use the real clock).
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

CA_DAYS = 3650
LEAF_DAYS = 365
BACKDATE = timedelta(minutes=5)
LEGACY_ISSUER = "kubernetes/serviceaccount"
DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local"
# kube-apiserver's default for a TokenRequest without expirationSeconds, and what kubelet asks
# for projected tokens (kubectl create token asks for 1h as well).
DEFAULT_TOKEN_SECONDS = 3600


def b64(pem: str) -> str:
    """Standard padded base64 of the PEM text, as kubeconfig `*-data` fields hold it."""
    return base64.b64encode(pem.encode()).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(s: str) -> bytes:
    # JWS uses unpadded base64url; refuse padding and foreign characters like go-jose does.
    if "=" in s or any(c not in _URL_ALPHABET for c in s):
        raise ValueError("illegal base64url data")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


_URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _new_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key_pem(key) -> str:
    from cryptography.hazmat.primitives import serialization

    # kubeadm writes "RSA PRIVATE KEY" (PKCS#1) for RSA keys.
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def _pub_pem(key) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _cert_pem(cert) -> str:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _serial() -> int:
    # kubeadm: a random int in [1, MaxInt64).
    import secrets

    return secrets.randbelow(2**63 - 2) + 1


def _name(cn: str, orgs=()):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    # Go's pkix.Name puts O before CN in the encoded subject.
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _utc(now: datetime) -> datetime:
    from datetime import timezone

    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def _new_ca(now: datetime, cn: str = "kubernetes", days: int = CA_DAYS):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    key = _new_key()
    now = _utc(now)
    cert = (x509.CertificateBuilder()
            .subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(_serial())
            .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=True, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def _issue(ca_cert, ca_key, cn: str, orgs, now: datetime, days: int, server: bool,
           dns_names=(), ips=()):
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key = _new_key()
    now = _utc(now)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn, orgs)).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(_serial())
               .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=days))
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=True, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    sans = [x509.DNSName(n) for n in dns_names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def _load_ca(ca_crt: str, ca_key: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return (x509.load_pem_x509_certificate(ca_crt.encode()),
            serialization.load_pem_private_key(ca_key.encode(), password=None))


def new_cluster_pki(now: datetime,
                    server_ips=("127.0.0.1", "192.168.0.100", "10.96.0.1"),
                    server_names=("localhost", "kubernetes", "kubernetes.default",
                                  "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
                                  "k8s-master")) -> dict[str, str]:
    """PEM texts keyed by kubeadm's file names: ca, apiserver, admin and the sa key pair."""
    ca_cert, ca_key = _new_ca(now)
    api_cert, api_key = _issue(ca_cert, ca_key, "kube-apiserver", (), now, LEAF_DAYS, server=True,
                               dns_names=server_names, ips=server_ips)
    # kubeadm >= 1.29 puts admin.conf's user in kubeadm:cluster-admins (bound to cluster-admin
    # by a ClusterRoleBinding) instead of system:masters.
    admin_cert, admin_key = _issue(ca_cert, ca_key, "kubernetes-admin", ["kubeadm:cluster-admins"],
                                   now, LEAF_DAYS, server=False)
    sa = _new_key()
    return {
        "ca.crt": _cert_pem(ca_cert), "ca.key": _key_pem(ca_key),
        "apiserver.crt": _cert_pem(api_cert), "apiserver.key": _key_pem(api_key),
        "admin.crt": _cert_pem(admin_cert), "admin.key": _key_pem(admin_key),
        "sa.key": _key_pem(sa), "sa.pub": _pub_pem(sa),
    }


def issue_client_cert(ca_crt: str, ca_key: str, cn: str, orgs: list[str], now: datetime,
                      days: int = LEAF_DAYS) -> tuple[str, str]:
    """A client certificate (user `cn`, groups `orgs`) signed by the CA: (cert PEM, key PEM)."""
    ca_cert, ca_pkey = _load_ca(ca_crt, ca_key)
    cert, key = _issue(ca_cert, ca_pkey, cn, orgs, now, days, server=False)
    return _cert_pem(cert), _key_pem(key)


def client_identity(ca_crt: str, cert_pem_or_der: bytes | str, now: datetime
                    ) -> tuple[str, list[str]] | None:
    """(user, groups) of a client certificate the CA signed and that is valid at `now`, else None.

    As kube-apiserver's x509 authenticator: the chain must verify for client auth, the user is
    the subject's CN and the groups are its O values, in order.
    """
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    data = cert_pem_or_der.encode() if isinstance(cert_pem_or_der, str) else bytes(cert_pem_or_der)
    try:
        ca = x509.load_pem_x509_certificate(ca_crt.encode())
        cert = (x509.load_pem_x509_certificate(data) if data.lstrip().startswith(b"-----")
                else x509.load_der_x509_certificate(data))
        cert.verify_directly_issued_by(ca)
    except Exception:  # unparsable, or not signed by this CA: not authenticated
        return None
    now = _utc(now)
    for c in (cert, ca):
        if not (c.not_valid_before_utc <= now <= c.not_valid_after_utc):
            return None
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.CLIENT_AUTH not in eku and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in eku:
            return None
    except x509.ExtensionNotFound:
        pass  # Go treats a certificate without EKU as valid for any usage
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not cns:
        return None
    orgs = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return cns[0].value, orgs


def key_id(public_key) -> str:
    """kube's `kid`: unpadded base64url of SHA-256 over the DER SubjectPublicKeyInfo."""
    import hashlib

    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return _b64url(hashlib.sha256(der).digest())


def _json(obj) -> bytes:
    # go-jose normalizes claims through a map, so keys come out sorted and compact.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_token(sa_key: str, claims: dict) -> str:
    """An RS256 JWS compact serialization of `claims`, as kube-apiserver issues them."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(sa_key.encode(), password=None)
    header = {"alg": "RS256", "kid": key_id(key.public_key())}
    signing_input = _b64url(_json(header)) + "." + _b64url(_json(claims))
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64url(sig)


def verify_token(sa_pub: str, token: str, now: datetime | None = None) -> dict | None:
    """The token's claims if its RS256 signature verifies with `sa_pub`, else None.

    With `now`, also refuse a token outside its nbf/exp window (go-jose's one-minute leeway).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
        sig = _b64url_decode(parts[2])
        if not isinstance(header, dict) or header.get("alg") != "RS256" or not isinstance(claims, dict):
            return None
        pub = serialization.load_pem_public_key(sa_pub.encode())
        pub.verify(sig, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(), hashes.SHA256())
    except (ValueError, TypeError, InvalidSignature):
        return None
    if now is not None:
        t = _utc(now).timestamp()
        leeway = 60
        if isinstance(claims.get("exp"), (int, float)) and t > claims["exp"] + leeway:
            return None
        if isinstance(claims.get("nbf"), (int, float)) and t < claims["nbf"] - leeway:
            return None
    return claims


def service_account_claims(namespace: str, sa_name: str, sa_uid: str, secret_name: str | None = None,
                           secret_uid: str | None = None, now: datetime | None = None,
                           expiry: datetime | int | None = None, *, audiences=(DEFAULT_ISSUER,),
                           issuer: str = DEFAULT_ISSUER, pod: tuple[str, str] | None = None,
                           node: tuple[str, str] | None = None, jti: str | None = None,
                           warnafter: datetime | None = None) -> dict:
    """The claim set kube-apiserver signs for a service account.

    Without `now`: a legacy Secret-based token (pkg/serviceaccount/legacy.go): no expiry.
    With `now`: a bound token (TokenRequest, claims.go) valid until `expiry` (a datetime or a
    number of seconds; default one hour), bound to a pod (and its node) or else to a secret.
    """
    sub = f"system:serviceaccount:{namespace}:{sa_name}"
    if now is None:
        claims = {"iss": LEGACY_ISSUER, "sub": sub,
                  "kubernetes.io/serviceaccount/namespace": namespace,
                  "kubernetes.io/serviceaccount/secret.name": secret_name or "",
                  "kubernetes.io/serviceaccount/service-account.name": sa_name,
                  "kubernetes.io/serviceaccount/service-account.uid": sa_uid}
        return claims
    iat = int(_utc(now).timestamp())
    if expiry is None:
        exp = iat + DEFAULT_TOKEN_SECONDS
    elif isinstance(expiry, datetime):
        exp = int(_utc(expiry).timestamp())
    else:
        exp = iat + int(expiry)
    k8s: dict = {"namespace": namespace, "serviceaccount": _ref(sa_name, sa_uid)}
    if pod is not None:
        k8s["pod"] = _ref(*pod)
        if node is not None:
            k8s["node"] = _ref(*node)
    elif secret_name is not None:
        k8s["secret"] = _ref(secret_name, secret_uid or "")
    if warnafter is not None:
        k8s["warnafter"] = int(_utc(warnafter).timestamp())
    # Kubernetes keeps `aud` a JSON array even with one audience.
    claims = {"aud": list(audiences), "exp": exp, "iat": iat, "iss": issuer,
              "kubernetes.io": k8s, "nbf": iat, "sub": sub}
    if jti is not None:
        claims["jti"] = jti
    return claims


def _ref(name: str, uid: str) -> dict:
    # Go's `omitempty` on ref's fields.
    return {k: v for k, v in (("name", name), ("uid", uid)) if v}
