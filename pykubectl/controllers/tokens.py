"""The legacy service-account token controller: a Secret of type
`kubernetes.io/service-account-token` that names a ServiceAccount gets `token` (a JWT signed with
the cluster's service-account key), `ca.crt` and `namespace`, and the account's uid annotation."""
from __future__ import annotations

import base64
import copy

from pykubectl.controllers.manager import Controller, Put, make_key, split_key

TOKEN_TYPE = "kubernetes.io/service-account-token"
SA_NAME = "kubernetes.io/service-account.name"
SA_UID = "kubernetes.io/service-account.uid"


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


class TokensController(Controller):
    name = "serviceaccount-token"
    watches = (("", "secrets"), ("", "serviceaccounts"))

    def __init__(self, cluster):
        self.cluster = cluster

    def keys_for(self, type_, group, res, obj):
        m = obj.get("metadata") or {}
        if res == "secrets":
            if obj.get("type") == TOKEN_TYPE and type_ != "DELETED":
                return [make_key("", "secrets", m.get("namespace", ""), m["name"])]
            return []
        return []

    def reconcile(self, key, view, now):
        _, _, ns, name = split_key(key)
        secret = view.get("secrets", ns, name)
        if secret is None or secret.get("type") != TOKEN_TYPE:
            return []
        ann = (secret["metadata"].get("annotations") or {})
        sa_name = ann.get(SA_NAME)
        sa = view.get("serviceaccounts", ns, sa_name) if sa_name else None
        if sa is None:
            return []
        data = secret.get("data") or {}
        if data.get("token") and ann.get(SA_UID) == sa["metadata"]["uid"]:
            return []
        ca = self.cluster.ca_pem() or ""
        try:
            with open(self.cluster.pki_path("sa.key")) as f:
                sa_key = f.read()
        except OSError:
            return []
        from pykubectl import pki
        claims = pki.service_account_claims(ns, sa_name, sa["metadata"]["uid"], name,
                                            secret["metadata"].get("uid"))
        token = pki.sign_token(sa_key, claims)
        secret = copy.deepcopy(secret)
        secret["metadata"].setdefault("annotations", {})[SA_UID] = sa["metadata"]["uid"]
        secret["data"] = {**data, "ca.crt": _b64(ca), "namespace": _b64(ns), "token": _b64(token)}
        return [Put("secrets", secret)]
