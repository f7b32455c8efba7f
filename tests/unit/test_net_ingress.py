"""ingress-nginx routing: host servers and the catch-all, Exact before the longest prefix,
canary precedence (header value/pattern/always/never, then cookie, then weight), a weighted
canary over 1,000 requests, one canary per host and path, TLS redirect."""
import random

import pytest

from pykubectl.net.ingress import canary_conflicts, path_matches, route, tls_for

A = "nginx.ingress.kubernetes.io/"


def ing(name, paths, host=None, annotations=None, created="2026-01-01T00:00:00Z", tls=None, cls="nginx"):
    rule = {"http": {"paths": [{"path": p, "pathType": t, "backend": {"service": {"name": s, "port": {"number": 8080}}}}
                               for p, t, s in paths]}}
    if host:
        rule["host"] = host
    spec = {"ingressClassName": cls, "rules": [rule]}
    if tls:
        spec["tls"] = tls
    return {"metadata": {"name": name, "namespace": "default", "creationTimestamp": created,
                         "annotations": annotations or {}}, "spec": spec}


LB = ing("service-loadbalancing", [("/", "Prefix", "svc-shopping"), ("/customer", "Prefix", "svc-customer"),
                                   ("/order", "Prefix", "svc-order"), ("/order/exact", "Exact", "svc-exact")])


def backend(hit):
    return hit[1]["service"]["name"] if hit else None


@pytest.mark.parametrize("host,path,want", [
    ("192.168.0.100:30431", "/", "svc-shopping"),
    ("192.168.0.100:30431", "/customer", "svc-customer"),
    ("192.168.0.100:30431", "/customer/1?x=1", "svc-customer"),
    ("192.168.0.100:30431", "/customers", "svc-shopping"),
    ("192.168.0.100:30431", "/order/exact", "svc-exact"),
    ("any.host", "/order/exactly", "svc-order"),
], ids=["root", "prefix", "prefix-subpath", "prefix-is-per-segment", "exact-first", "longest-prefix"])
def test_paths(host, path, want):
    assert backend(route([LB], host, path, {}, random.Random(0))) == want


def test_host_rules_take_their_host_and_others_fall_to_the_catch_all():
    app = ing("app", [("/", "Prefix", "svc-v1")], host="www.app.com")
    assert backend(route([LB, app], "www.app.com:30431", "/version", {}, random.Random(0))) == "svc-v1"
    assert backend(route([LB, app], "192.168.0.100", "/", {}, random.Random(0))) == "svc-shopping"
    assert route([app], "192.168.0.100", "/", {}, random.Random(0)) is None
    other = ing("x", [("/", "Prefix", "svc-x")], host="www.x.com", cls="traefik")
    assert route([other], "www.x.com", "/", {}, random.Random(0)) is None


@pytest.mark.parametrize("path_type,rule,req,ok", [
    ("Prefix", "/", "/anything", True), ("Prefix", "/a/", "/a", True), ("Prefix", "/a", "/ab", False),
    ("Exact", "/a", "/a/", False), ("ImplementationSpecific", "/a", "/ab", True),
], ids=["root", "trailing-slash", "segment", "exact", "impl-specific-string-prefix"])
def test_path_matching(path_type, rule, req, ok):
    assert path_matches(path_type, rule, req) is ok


MAIN = ing("app", [("/", "Prefix", "svc-v1")], host="www.app.com")


def canary(annotations, name="canary", created="2026-01-01T00:01:00Z"):
    return ing(name, [("/", "Prefix", "svc-v2")], host="www.app.com",
               annotations={A + "canary": "true", **annotations}, created=created)


@pytest.mark.parametrize("annotations,headers,want", [
    ({A + "canary-by-header": "Accept-Language", A + "canary-by-header-value": "kr"}, {"accept-language": "kr"}, "svc-v2"),
    ({A + "canary-by-header": "Accept-Language", A + "canary-by-header-value": "kr"}, {"accept-language": "en"}, "svc-v1"),
    ({A + "canary-by-header": "Accept-Language", A + "canary-by-header-value": "kr"}, {}, "svc-v1"),
    ({A + "canary-by-header": "X-Canary"}, {"x-canary": "always"}, "svc-v2"),
    ({A + "canary-by-header": "X-Canary", A + "canary-weight": "100"}, {"x-canary": "never"}, "svc-v1"),
    ({A + "canary-by-header": "X-Canary", A + "canary-by-header-pattern": "^k"}, {"x-canary": "kr-KR"}, "svc-v2"),
    ({A + "canary-by-cookie": "c"}, {"cookie": "a=1; c=always"}, "svc-v2"),
    ({A + "canary-by-cookie": "c", A + "canary-weight": "100"}, {"cookie": "c=never"}, "svc-v1"),
    # the header is looked at before the cookie
    ({A + "canary-by-header": "X-Canary", A + "canary-by-cookie": "c"}, {"x-canary": "never", "cookie": "c=always"}, "svc-v1"),
    ({A + "canary-weight": "100"}, {}, "svc-v2"),
    ({A + "canary-weight": "0"}, {}, "svc-v1"),
    ({A + "canary-weight": "5", A + "canary-weight-total": "5"}, {}, "svc-v2"),
], ids=["header-value-hit", "header-value-miss", "header-absent", "header-always", "header-never-beats-weight",
        "header-pattern", "cookie-always", "cookie-never-beats-weight", "header-before-cookie", "weight-100",
        "weight-0", "weight-total"])
def test_canary_precedence(annotations, headers, want):
    assert backend(route([MAIN, canary(annotations)], "www.app.com", "/version", headers, random.Random(0))) == want


def test_weight_10_over_1000_requests():
    rng = random.Random(42)
    ings = [MAIN, canary({A + "canary-weight": "10"})]
    v2 = sum(backend(route(ings, "www.app.com", "/version", {}, rng)) == "svc-v2" for _ in range(1000))
    assert 70 <= v2 <= 130, v2   # 10% within ±3%


def test_two_canaries_the_older_applies_and_the_other_is_reported():
    older = canary({A + "canary-weight": "100"}, "canary-v2", "2026-01-01T00:01:00Z")
    newer = canary({A + "canary-by-header": "Accept-Language", A + "canary-by-header-value": "kr"},
                   "canary-kr", "2026-01-01T00:02:00Z")
    assert backend(route([MAIN, newer, older], "www.app.com", "/", {}, random.Random(0))) == "svc-v2"
    [(ignored, applied)] = canary_conflicts([MAIN, newer, older])
    assert (ignored["metadata"]["name"], applied["metadata"]["name"]) == ("canary-kr", "canary-v2")


def test_tls_hosts():
    https = ing("https", [("/", "Prefix", "svc-https")], host="www.https.com",
                tls=[{"hosts": ["www.https.com"], "secretName": "secret-https"}])
    assert tls_for([https], "www.https.com:30798")[1] == "secret-https"
    assert tls_for([https], "www.app.com") is None
