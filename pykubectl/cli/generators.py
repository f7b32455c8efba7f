"""The objects `kubectl create <generator>` builds, as kubectl v1.32 builds them.

Pure: no files, no clock, no client. Each builder returns a dict whose keys are in the order of
the Go struct fields (kubectl prints a typed object with -o json in that order; -o yaml sorts), and
raises GeneratorError with kubectl's wording. The CLI (cli/create.py) reads files and talks to the
cluster.
"""
from __future__ import annotations

import base64
import json
import re

TLS_TYPE = "kubernetes.io/tls"
DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson"


class GeneratorError(ValueError):
    """A refusal in kubectl's words (printed as `error: <message>`)."""


# ---------------------------------------------------------------- shared pieces

def _meta(name: str, namespace: str | None = None, labels: dict | None = None,
          annotations: dict | None = None) -> dict:
    # ObjectMeta field order: name, namespace, creationTimestamp, labels, annotations
    m: dict = {"name": name}
    if namespace:
        m["namespace"] = namespace
    m["creationTimestamp"] = None
    if labels:
        m["labels"] = _map(labels)
    if annotations:
        m["annotations"] = _map(annotations)
    return m


def _map(d: dict) -> dict:
    """A Go map: encoding/json writes its keys sorted (struct fields keep their order)."""
    return {k: d[k] for k in sorted(d)}


def _head(api_version: str, kind: str) -> dict:
    return {"kind": kind, "apiVersion": api_version}


def go_json(obj, indent: int | None = None) -> str:
    """encoding/json of an already ordered dict: keys kept in order, `<>&` escaped as Go does."""
    if indent:
        text = json.dumps(obj, indent=indent, ensure_ascii=False)
    else:
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _sorted_json(v) -> str:
    # json.Marshal of a Go map sorts the keys
    return go_json(_sort(v))


def _sort(v):
    if isinstance(v, dict):
        return {k: _sort(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [_sort(x) for x in v]
    return v


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


_RAND_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"   # utilrand's alphabet: no vowels, no 0/1/3


def random_suffix(n: int = 5) -> str:
    import random
    return "".join(random.choice(_RAND_ALPHABET) for _ in range(n))


# ---------------------------------------------------------------- validation (apimachinery wording)

_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _chdir_errors(v: str) -> list[str]:
    if v == ".":
        return ["must not be '.'"]
    if v == "..":
        return ["must not be '..'"]
    if v.startswith(".."):
        return ["must not start with '..'"]
    return []


def config_key_errors(key: str) -> list[str]:
    """validation.IsConfigMapKey."""
    errs = []
    if len(key) > 253:
        errs.append("must be no more than 253 characters")
    if not _CONFIG_KEY.match(key):
        errs.append("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                    "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
    return errs + _chdir_errors(key)


def env_name_errors(key: str) -> list[str]:
    """validation.IsEnvVarName."""
    errs = []
    if not _ENV_NAME.match(key):
        errs.append("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
                    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
                    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
    return errs + _chdir_errors(key)


def _port_name_errors(name: str) -> list[str]:
    """validation.IsValidPortName."""
    errs = []
    if len(name) > 15:
        errs.append("must be no more than 15 characters")
    if not re.match(r"^[-a-z0-9]+$", name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _go_atoi(s: str) -> int | None:
    # strconv.Atoi: optional sign, decimal digits, fits in int64
    if re.fullmatch(r"[+-]?[0-9]+", s):
        n = int(s)
        if -(1 << 63) <= n < (1 << 63):
            return n
    return None


def _int_or_string(s: str):
    """intstr.Parse."""
    n = _go_atoi(s)
    return s if n is None or not -(1 << 31) <= n < (1 << 31) else n


# ---------------------------------------------------------------- data sources (configmap, secret)

def parse_literal_source(source: str) -> tuple[str, str]:
    """`key=value` of --from-literal."""
    key, eq, value = source.partition("=")
    if not eq or not key:
        raise GeneratorError(f"invalid literal source {source}, expected key=value")
    return key, value


def parse_file_source(source: str) -> tuple[str, str]:
    """`[key=]path` of --from-file: (key, path); key is "" when it comes from the file name."""
    n = source.count("=")
    if n == 0:
        return "", source
    if n == 1 and source.startswith("="):
        raise GeneratorError(f"key name for file path {source[1:]} missing")
    if n == 1 and source.endswith("="):
        raise GeneratorError(f"file path for key name {source[:-1]} missing")
    if n > 1:
        raise GeneratorError("key names or file paths cannot contain '='")
    key, path = source.split("=")
    return key, path


def parse_env_file(text: bytes, path: str, getenv) -> list[tuple[str, str]]:
    """KEY=VALUE lines of --from-env-file; a bare KEY takes its value from the environment."""
    out = []
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i, raw in enumerate(lines):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise GeneratorError(f"env file {path} contains invalid utf8 bytes at line {i}: "
                                 f"[{' '.join(str(b) for b in raw)}]") from None
        if i == 0:
            line = line.removeprefix("\ufeff")
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        errs = env_name_errors(key)
        if errs:
            raise GeneratorError(f'{json.dumps(key)} is not a valid key name: {";".join(errs)}')
        out.append((key, value if eq else (getenv(key) or "")))
    return out


def configmap(name: str, namespace: str | None, items: list[tuple[str, bytes | str]],
              append_hash: bool = False) -> dict:
    """ConfigMap: UTF-8 values in data, others in binaryData."""
    data: dict = {}
    binary: dict = {}
    for key, value in items:
        errs = config_key_errors(key)
        if errs:
            raise GeneratorError(f'{json.dumps(key)} is not a valid key name for a ConfigMap: {",".join(errs)}')
        raw = value.encode("utf-8") if isinstance(value, str) else value
        if key in data:
            raise GeneratorError(f'cannot add key {json.dumps(key)}, another key by that name already exists '
                                 f'in Data for ConfigMap {json.dumps(name)}')
        if key in binary:
            raise GeneratorError(f'cannot add key {json.dumps(key)}, another key by that name already exists '
                                 f'in BinaryData for ConfigMap {json.dumps(name)}')
        try:
            data[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = _b64(raw)
    if append_hash:
        enc = {"kind": "ConfigMap", "name": name, "data": data}
        if binary:
            enc["binaryData"] = binary
        name = f"{name}-{_hash(_sorted_json(enc))}"
    obj = _head("v1", "ConfigMap")
    obj["metadata"] = _meta(name, namespace)
    if data:
        obj["data"] = _map(data)
    if binary:
        obj["binaryData"] = _map(binary)
    return obj


def secret(name: str, namespace: str | None, items: list[tuple[str, bytes | str]], secret_type: str = "",
           append_hash: bool = False) -> dict:
    """Secret (generic, tls, docker-registry share it): values base64 in data."""
    data: dict = {}
    for key, value in items:
        errs = config_key_errors(key)
        if errs:
            raise GeneratorError(f'{json.dumps(key)} is not valid key name for a Secret {";".join(errs)}')
        if key in data:
            raise GeneratorError(f"cannot add key {key}, another key by that name already exists")
        data[key] = _b64(value.encode("utf-8") if isinstance(value, str) else value)
    if append_hash:
        enc = {"kind": "Secret", "type": secret_type, "name": name, "data": data}
        name = f"{name}-{_hash(_sorted_json(enc))}"
    obj = _head("v1", "Secret")
    obj["metadata"] = _meta(name, namespace)
    if data:
        obj["data"] = _map(data)
    if secret_type:
        obj["type"] = secret_type
    return obj


def _hash(encoded: str) -> str:
    """The name suffix of --append-hash (kustomize's hash: sha256, 10 hex digits, vowels swapped)."""
    import hashlib
    hex_ = hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:10]
    return hex_.translate(str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"}))


def docker_config_json(username: str, password: str, email: str, server: str) -> bytes:
    """The .dockerconfigjson of `create secret docker-registry`."""
    entry = {"username": username, "password": password}
    if email:
        entry["email"] = email
    entry["auth"] = _b64(f"{username}:{password}".encode("utf-8"))
    return go_json({"auths": {server: entry}}).encode("utf-8")


_PEM_BLOCK = re.compile(rb"-----BEGIN ([^\r\n-]*)-----\r?\n(.*?)-----END \1-----", re.S)


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    out = []
    for m in _PEM_BLOCK.finditer(data):
        body = b"".join(line for line in m.group(2).splitlines() if b":" not in line)
        try:
            out.append((m.group(1).decode("ascii", "replace"), base64.b64decode(body)))
        except ValueError:
            break
    return out


def check_tls_pair(cert: bytes, key: bytes) -> None:
    """tls.X509KeyPair's checks, in its words."""
    blocks = _pem_blocks(cert)
    certs = [der for typ, der in blocks if typ == "CERTIFICATE"]
    if not certs:
        skipped = [typ for typ, _ in blocks]
        if not skipped:
            raise GeneratorError("tls: failed to find any PEM data in certificate input")
        if len(skipped) == 1 and skipped[0].endswith("PRIVATE KEY"):
            raise GeneratorError("tls: failed to find certificate PEM data in certificate input, but did find a "
                                 "private key; PEM inputs may have been switched")
        raise GeneratorError(f'tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping '
                             f'PEM blocks of the following types: [{" ".join(skipped)}]')
    skipped = []
    key_der = None
    for typ, der in _pem_blocks(key):
        if typ == "PRIVATE KEY" or typ.endswith(" PRIVATE KEY"):
            key_der = der
            break
        skipped.append(typ)
    if key_der is None:
        if not skipped:
            raise GeneratorError("tls: failed to find any PEM data in key input")
        if skipped == ["CERTIFICATE"]:
            raise GeneratorError("tls: found a certificate rather than a key in the PEM for the private key")
        raise GeneratorError(f'tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after '
                             f'skipping PEM blocks of the following types: [{" ".join(skipped)}]')
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    try:
        public = x509.load_der_x509_certificate(certs[0]).public_key()
    except ValueError:
        raise GeneratorError("x509: malformed certificate") from None
    try:
        private = serialization.load_der_private_key(key_der, password=None)
    except (ValueError, TypeError):
        raise GeneratorError("tls: failed to parse private key") from None
    mine = private.public_key()
    if not _same_family(mine, public):
        raise GeneratorError("tls: private key type does not match public key type")
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine.public_bytes(*fmt) != public.public_bytes(*fmt):
        raise GeneratorError("tls: private key does not match public key")


def _same_family(a, b) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    return any(isinstance(a, t) and isinstance(b, t)
               for t in (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey))


# ---------------------------------------------------------------- simple kinds

def namespace(name: str) -> dict:
    obj = _head("v1", "Namespace")
    obj.update(metadata=_meta(name), spec={}, status={})
    return obj


def serviceaccount(name: str, ns: str | None) -> dict:
    obj = _head("v1", "ServiceAccount")
    obj["metadata"] = _meta(name, ns)
    return obj


def priorityclass(name: str, value: int, global_default: bool, description: str, preemption_policy: str) -> dict:
    obj = _head("scheduling.k8s.io/v1", "PriorityClass")
    obj["metadata"] = _meta(name)
    obj["value"] = value
    if global_default:
        obj["globalDefault"] = True
    if description:
        obj["description"] = description
    if preemption_policy:
        obj["preemptionPolicy"] = preemption_policy
    return obj


# ---------------------------------------------------------------- workloads

def container_name(image: str, rand=random_suffix) -> str:
    """kubectl's container name from an image: last path part, no tag or digest; `_` and `.`
    become `-` plus a random suffix (names must be DNS labels)."""
    name = image.split("/")[-1].split(":")[0].split("@")[0]
    if "_" in name or "." in name:
        name = name.replace("_", "-").replace(".", "-") + "-" + rand()
    return name


def _container(name: str, image: str, command: list[str] | None, port: int | None = None) -> dict:
    c: dict = {"name": name, "image": image}
    if command:
        c["command"] = list(command)
    if port is not None:
        c["ports"] = [{"containerPort": port}]
    c["resources"] = {}
    return c


def deployment(name: str, ns: str | None, images: list[str], replicas: int = 1, port: int = -1,
               command: list[str] | None = None, rand=random_suffix) -> dict:
    if len(images) > 1 and command:
        raise GeneratorError("cannot specify multiple --image options and command")
    labels = {"app": name}
    # --port goes to the first container only
    containers = [_container(container_name(img, rand), img, command, port if i == 0 and port >= 0 else None)
                  for i, img in enumerate(images)]
    obj = _head("apps/v1", "Deployment")
    obj["metadata"] = _meta(name, ns, labels=dict(labels))
    obj["spec"] = {
        "replicas": replicas,
        "selector": {"matchLabels": dict(labels)},
        "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)},
                     "spec": {"containers": containers}},
        "strategy": {},
    }
    obj["status"] = {}
    return obj


def _job_spec(name: str, image: str, command: list[str] | None, restart: str) -> dict:
    return {"template": {"metadata": {"creationTimestamp": None},
                         "spec": {"containers": [_container(name, image, command)], "restartPolicy": restart}}}


def job(name: str, ns: str | None, image: str, command: list[str] | None = None) -> dict:
    obj = _head("batch/v1", "Job")
    obj["metadata"] = _meta(name, ns)
    obj["spec"] = _job_spec(name, image, command, "Never")
    obj["status"] = {}
    return obj


def job_from_cronjob(name: str, ns: str | None, cronjob: dict) -> dict:
    """A Job from a CronJob's template, owned by it, marked as started by hand."""
    template = (cronjob.get("spec") or {}).get("jobTemplate") or {}
    tmeta = template.get("metadata") or {}
    annotations = {"cronjob.kubernetes.io/instantiate": "manual"}
    annotations.update(tmeta.get("annotations") or {})
    meta = _meta(name, ns, labels=tmeta.get("labels"), annotations=annotations)
    meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "CronJob",
                                "name": cronjob["metadata"]["name"], "uid": cronjob["metadata"].get("uid", ""),
                                "controller": True}]
    obj = _head("batch/v1", "Job")
    obj["metadata"] = meta
    obj["spec"] = template.get("spec") or {}
    obj["status"] = {}
    return obj


def cronjob(name: str, ns: str | None, image: str, schedule: str, restart: str = "",
            command: list[str] | None = None) -> dict:
    obj = _head("batch/v1", "CronJob")
    obj["metadata"] = _meta(name, ns)
    obj["spec"] = {"schedule": schedule,
                   "jobTemplate": {"metadata": {"name": name, "creationTimestamp": None},
                                   "spec": _job_spec(name, image, command, restart or "OnFailure")}}
    obj["status"] = {}
    return obj


# ---------------------------------------------------------------- services

def _parse_port(s: str) -> int:
    """utilsnet.ParsePort(s, allowZero=true): strconv.ParseUint(s, 10, 16)."""
    if not re.fullmatch(r"[0-9]+", s):
        raise GeneratorError(f'strconv.ParseUint: parsing {json.dumps(s)}: invalid syntax')
    n = int(s)
    if n > 65535:
        raise GeneratorError(f'strconv.ParseUint: parsing {json.dumps(s)}: value out of range')
    return n


def _service_port(spec: str, node_port: int) -> dict:
    port_s, _, target_s = spec.partition(":")
    port = _parse_port(port_s)
    if target_s == "":
        target = port
    else:
        n = _go_atoi(target_s)
        if n is None:
            errs = _port_name_errors(target_s)
            if errs:
                raise GeneratorError(",".join(errs))
            target = target_s
        else:
            if not 1 <= n <= 65535:
                raise GeneratorError("must be between 1 and 65535, inclusive")
            target = n
    p = {"name": spec.replace(":", "-"), "protocol": "TCP", "port": port, "targetPort": target}
    if node_port:
        p["nodePort"] = node_port
    return p


def service(name: str, ns: str | None, service_type: str, tcp: list[str], cluster_ip: str = "",
            node_port: int = 0, external_name: str = "") -> dict:
    """`create service clusterip|nodeport|loadbalancer|externalname`."""
    if cluster_ip == "None" and service_type != "ClusterIP":
        raise GeneratorError("ClusterIP=None can only be used with ClusterIP service type")
    if cluster_ip != "None" and not tcp and service_type != "ExternalName":
        raise GeneratorError("at least one tcp port specifier must be provided")
    if service_type == "ExternalName":
        if len(external_name) > 253 or not _DNS1123_SUBDOMAIN.match(external_name):
            raise GeneratorError(f"invalid service external name {external_name}")
    ports = [_service_port(t, node_port) for t in tcp]
    labels = {"app": name}
    spec: dict = {}
    if ports:
        spec["ports"] = ports
    spec["selector"] = dict(labels)
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    spec["type"] = service_type
    if external_name:
        spec["externalName"] = external_name
    obj = _head("v1", "Service")
    obj["metadata"] = _meta(name, ns, labels=labels)
    obj["spec"] = spec
    obj["status"] = {"loadBalancer": {}}
    return obj


# ---------------------------------------------------------------- RBAC

VALID_RESOURCE_VERBS = ("*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy",
                        "deletecollection", "use", "bind", "escalate", "impersonate")
VALID_NON_RESOURCE_VERBS = ("*", "get", "post", "put", "delete", "patch", "head", "options")
# verbs that only make sense on some resources: verb -> [(group, resource)]
SPECIAL_VERBS = {
    "use": [("policy", "podsecuritypolicies"), ("extensions", "podsecuritypolicies")],
    "bind": [("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles")],
    "escalate": [("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles")],
    "impersonate": [("", "users"), ("", "serviceaccounts"), ("", "groups"),
                    ("authentication.k8s.io", "userextras"), ("authentication.k8s.io", "uids")],
}


def unique_verbs(verbs: list[str]) -> list[str]:
    """Duplicates dropped; `*` stands for all."""
    out: list[str] = []
    for v in verbs:
        if v == "*":
            return ["*"]
        if v not in out:
            out.append(v)
    return out


def parse_resources(args: list[str]) -> list[tuple[str, str, str]]:
    """--resource values as (resource, group, subresource); a bare `*` stands for all."""
    out = []
    for r in args:
        res_group, slash, sub = r.partition("/")
        resource, _, group = res_group.partition(".")
        if resource == "*" and "." not in res_group and not slash:
            return [("*", "", "")]
        out.append((resource, group, sub))
    return out


def policy_rules(verbs: list[str], resources: list[tuple[str, str, str]], resource_names: list[str],
                 non_resource_urls: list[str]) -> list[dict]:
    """One rule per API group (sorted), then one for the non-resource URLs. `resources` holds
    (resource, group, subresource) already resolved to the plural names."""
    by_group: dict[str, list[str]] = {}
    for resource, group, sub in resources:
        name = f"{resource}/{sub}" if sub else resource
        lst = by_group.setdefault(group, [])
        if name not in lst:
            lst.append(name)
    rules = []
    for g in sorted(by_group):
        rule: dict = {"verbs": list(verbs), "apiGroups": [g], "resources": by_group[g]}
        if resource_names:
            rule["resourceNames"] = list(resource_names)
        rules.append(rule)
    if non_resource_urls:
        rules.append({"verbs": list(verbs), "nonResourceURLs": list(non_resource_urls)})
    return rules


def check_special_verbs(verbs: list[str], resource: str, group: str) -> None:
    for v in verbs:
        allowed = SPECIAL_VERBS.get(v)
        if allowed is not None and (group, resource) not in allowed:
            raise GeneratorError(f"can not perform '{v}' on '{resource}' in group '{group}'")


def role(name: str, ns: str | None, rules: list[dict]) -> dict:
    obj = _head("rbac.authorization.k8s.io/v1", "Role")
    obj["metadata"] = _meta(name, ns)
    obj["rules"] = rules
    return obj


def check_non_resource_urls(verbs: list[str], urls: list[str]) -> None:
    for v in verbs:
        if v not in VALID_NON_RESOURCE_VERBS:
            raise GeneratorError(f"invalid verb: '{v}' for nonResourceURL")
    for u in urls:
        if u == "*":
            continue
        if not u.startswith("/"):
            raise GeneratorError("nonResourceURL should start with /")
        if "*" in u[:-1]:
            raise GeneratorError("nonResourceURL only supports wildcard matches when '*' is at the end")


def clusterrole(name: str, rules: list[dict] | None, aggregation: dict | None = None) -> dict:
    obj = _head("rbac.authorization.k8s.io/v1", "ClusterRole")
    obj["metadata"] = _meta(name)
    obj["rules"] = rules     # null with an aggregation rule: the controller fills it
    if aggregation:
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": _map(aggregation)}]}
    return obj


def subjects(users: list[str], groups: list[str], service_accounts: list[str]) -> list[dict]:
    out = [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": u} for u in users]
    out += [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": g} for g in groups]
    for sa in service_accounts:
        parts = sa.split(":")
        if len(parts) != 2 or parts[1] == "":
            raise GeneratorError("serviceaccount must be <namespace>:<name>")
        out.append({"kind": "ServiceAccount", "name": parts[1], "namespace": parts[0]})
    return out


def rolebinding(name: str, ns: str | None, role_kind: str, role_name: str, subs: list[dict],
                cluster: bool = False) -> dict:
    obj = _head("rbac.authorization.k8s.io/v1", "ClusterRoleBinding" if cluster else "RoleBinding")
    obj["metadata"] = _meta(name, None if cluster else ns)
    if subs:
        obj["subjects"] = subs
    obj["roleRef"] = {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name}
    return obj


# ---------------------------------------------------------------- networking, policy, quota

_INGRESS_RULE = re.compile(r"^(?P<host>[\w*\-.]*)(?P<path>/[^,=\n]*)=(?P<svcname>[\w\-]+):(?P<svcport>[\w\-]+)"
                           r"(,(?P<istls>tls)=?(?P<secretname>[\w\-]+)?)?$", re.ASCII)


def _ingress_backend(svc: str) -> dict:
    name, port = svc.split(":")[0], svc.split(":")[1]
    p = _int_or_string(port)
    return {"service": {"name": name, "port": {"number": p} if isinstance(p, int) else {"name": p}}}


def ingress(name: str, ns: str | None, rules: list[str], ingress_class: str = "", default_backend: str = "",
            annotations: list[str] = ()) -> dict:
    """`create ingress --rule=host/path=svc:port[,tls[=secret]]`; a path ending in `*` is Prefix."""
    if not default_backend and not rules:
        raise GeneratorError("not enough information provided: every ingress has to either specify a "
                             "default-backend (which catches all traffic) or a list of rules (which catch "
                             "specific paths)")
    for r in rules:
        if not _INGRESS_RULE.match(r):
            raise GeneratorError(f"rule {r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]")
    for a in annotations:
        if "=" not in a:
            raise GeneratorError(f"annotation {a} is invalid and should be in format key=[value]")
    if default_backend and len(default_backend.split(":")) != 2:
        raise GeneratorError("default-backend should be in format servicename:serviceport")
    spec: dict = {}
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    if default_backend:
        spec["defaultBackend"] = _ingress_backend(default_backend)
    tls: list[dict] = []
    seen_hosts: set[str] = set()
    for r in rules:
        parts = r.split(",")
        if len(parts) != 2:
            continue
        host = r.split("/", 1)[0]
        sec = parts[1].split("=")
        secret_name = sec[1] if len(sec) > 1 else ""
        if host in seen_hosts:
            continue
        seen_hosts.add(host)
        same = next((t for t in tls if t.get("secretName", "") == secret_name), None)
        if same is not None:
            same.setdefault("hosts", []).append(host)
            continue
        entry: dict = {}
        if host:
            entry["hosts"] = [host]
        if secret_name:
            entry["secretName"] = secret_name
        if entry:
            tls.append(entry)
    if tls:
        spec["tls"] = tls
    out_rules: list[dict] = []
    for r in rules:
        host, path_svc = r.split(",")[0].split("/", 1)
        path, svc = path_svc.split("=")[0], path_svc.split("=")[1]
        path = "/" + path
        path_type = "Exact"
        if path.endswith("*"):
            path_type, path = "Prefix", path[:-1]
        ipath = {"path": path, "pathType": path_type, "backend": _ingress_backend(svc)}
        same = next((x for x in out_rules if x.get("host", "") == host), None)
        if same is not None:
            same["http"]["paths"].append(ipath)
            continue
        rule: dict = {}
        if host:
            rule["host"] = host
        rule["http"] = {"paths": [ipath]}
        out_rules.append(rule)
    if out_rules:
        spec["rules"] = out_rules
    ann = {}
    for a in annotations:
        k, _, v = a.partition("=")
        ann[k] = v
    obj = _head("networking.k8s.io/v1", "Ingress")
    obj["metadata"] = _meta(name, ns, annotations=ann)
    obj["spec"] = spec
    obj["status"] = {"loadBalancer": {}}
    return obj


def label_selector(s: str) -> dict:
    """metav1.ParseToLabelSelector: `=`/`==` terms become matchLabels, set terms matchExpressions."""
    from pykubectl.api.selectors import SelectorError, parse_label_selector
    try:
        sel = parse_label_selector(s)
    except SelectorError as e:
        raise GeneratorError(f"couldn't parse the selector string {json.dumps(s)}: {e}") from None
    labels: dict = {}
    exprs: list[dict] = []
    ops = {"in": "In", "notin": "NotIn", "exists": "Exists", "!": "DoesNotExist"}
    for r in sel.requirements:
        if r.op in ("=", "=="):
            labels[r.key] = r.values[0]
        elif r.op in ops:
            e = {"key": r.key, "operator": ops[r.op]}
            if r.values:
                e["values"] = sorted(r.values)
            exprs.append(e)
        else:
            raise GeneratorError(f'{json.dumps(r.op)} is not a valid label selector operator')
    out: dict = {}
    if labels:
        out["matchLabels"] = _map(labels)
    if exprs:
        out["matchExpressions"] = exprs
    return out


_PDB_VALUE = re.compile(r"^[0-9]+%?$")


def poddisruptionbudget(name: str, ns: str | None, selector: str, min_available: str = "",
                        max_unavailable: str = "") -> dict:
    if not selector:
        raise GeneratorError("a selector must be specified")
    if not min_available and not max_unavailable:
        raise GeneratorError("one of min-available or max-unavailable must be specified")
    if min_available and max_unavailable:
        raise GeneratorError("min-available and max-unavailable cannot be both specified")
    if min_available and not _PDB_VALUE.match(min_available):
        raise GeneratorError("invalid format specified for min-available")
    if max_unavailable and not _PDB_VALUE.match(max_unavailable):
        raise GeneratorError("invalid format specified for max-unavailable")
    spec: dict = {}
    if min_available:
        spec["minAvailable"] = _int_or_string(min_available)
    spec["selector"] = label_selector(selector)
    if max_unavailable:
        spec["maxUnavailable"] = _int_or_string(max_unavailable)
    obj = _head("policy/v1", "PodDisruptionBudget")
    obj["metadata"] = _meta(name, ns)
    obj["spec"] = spec
    obj["status"] = {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}
    return obj


def quota(name: str, ns: str | None, hard: str = "", scopes: str = "") -> dict:
    from pykubectl.api.quantity import QuantityError, canonical
    spec: dict = {}
    if hard:
        h = {}
        for stmt in hard.split(","):
            parts = stmt.split("=")
            if len(parts) != 2:
                raise GeneratorError(f"Invalid argument syntax {stmt}, expected <resource>=<value>")
            try:
                h[parts[0]] = canonical(parts[1])
            except QuantityError as e:
                raise GeneratorError(str(e)) from None
        spec["hard"] = _map(h)
    if scopes:
        lst = scopes.split(",")
        for s in lst:
            if s == "":
                raise GeneratorError('invalid resource quota scope ""')
        spec["scopes"] = lst
    obj = _head("v1", "ResourceQuota")
    obj["metadata"] = _meta(name, ns)
    obj["spec"] = spec
    obj["status"] = {}
    return obj


def last_applied(obj: dict) -> str:
    """The `kubectl.kubernetes.io/last-applied-configuration` value --save-config writes: the
    object as encoded (struct field order, compact), newline-terminated."""
    return go_json(obj) + "\n"


def with_annotation(obj: dict, key: str, value: str) -> dict:
    """The object with one more annotation, keeping ObjectMeta's field order."""
    import copy
    out = copy.deepcopy(obj)
    m = out["metadata"]
    ann = dict(m.get("annotations") or {})
    ann[key] = value
    new: dict = {}
    for k in ("name", "generateName", "namespace", "creationTimestamp", "labels"):
        if k in m:
            new[k] = m[k]
    new["annotations"] = _map(ann)
    for k, v in m.items():
        if k not in new:
            new[k] = v
    out["metadata"] = new
    return out
