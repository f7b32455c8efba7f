"""kubectl expose: selector and ports found by introspection as expose.go finds them, the flags'
effect on the generated Service, and the verb end to end."""
import pytest
import yaml

from pykubectl.cli.errors import CLIError
from pykubectl.cli.expose import generate_service
from pykubectl.cli.flags import parse
from pykubectl.cli import expose


def opts(*argv):
    return parse(expose.FLAGS, list(argv))[0]


POD = {"kind": "Pod", "metadata": {"name": "pod1", "labels": {"svc": "clusterip", "tier": "web"}},
       "spec": {"containers": [{"name": "c", "image": "kubetm/app", "ports": [{"containerPort": 8080}]}]}}
DEPLOY = {"kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
          "spec": {"selector": {"matchLabels": {"app": "web"}},
                   "template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80},
                                                                               {"containerPort": 443}]}]}}}}


@pytest.mark.parametrize("obj,argv,spec", [
    (POD, [], {"ports": [{"port": 8080, "protocol": "TCP", "targetPort": 8080}],
               "selector": {"svc": "clusterip", "tier": "web"}}),
    (POD, ["--port=80", "--target-port=8080", "--type=NodePort"],
     {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}], "selector": {"svc": "clusterip", "tier": "web"},
      "type": "NodePort"}),
    (DEPLOY, [], {"ports": [{"name": "port-1", "port": 80, "protocol": "TCP", "targetPort": 80},
                            {"name": "port-2", "port": 443, "protocol": "TCP", "targetPort": 443}],
                  "selector": {"app": "web"}}),
    (DEPLOY, ["--port=80", "--selector=app=other", "--cluster-ip=None", "--session-affinity=ClientIP"],
     {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}], "selector": {"app": "other"},
      "sessionAffinity": "ClientIP", "clusterIP": "None"}),
], ids=["pod-introspected", "pod-flags", "deployment-multi-port", "deployment-flags"])
def test_generated_spec(obj, argv, spec):
    assert generate_service(obj, opts(*argv))["spec"] == spec


@pytest.mark.parametrize("obj,msg", [
    ({"kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}},
     "couldn't find port via --port flag or introspection"),
    ({"kind": "Deployment", "metadata": {"name": "d"},
      "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}}},
     "couldn't retrieve selectors via --selector flag or introspection: "
     'couldn\'t convert expressions - "[{Key:a Operator:In Values:[b]}]" to map-based selector format'),
], ids=["no-port", "match-expressions"])
def test_refusals(obj, msg):
    with pytest.raises(CLIError) as e:
        generate_service(obj, opts())
    assert str(e.value).startswith(msg)


def test_expose_end_to_end(kube):
    kube("apply", "-f", "-", input=yaml.safe_dump({"apiVersion": "v1", **POD}), check=True)
    r = kube("expose", "pod", "pod1", "--port=80", "--target-port=8080", "--name=ex1")
    assert (r.code, r.out) == (0, "service/ex1 exposed\n")
    svc = yaml.safe_load(kube("get", "svc", "ex1", "-o", "yaml").out)
    assert svc["metadata"]["labels"] == {"svc": "clusterip", "tier": "web"}
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 8080}]
    r = kube("expose", "pod", "pod1", "--dry-run=client", "-o", "yaml")
    assert r.out.startswith("apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n")
    assert r.out.endswith("status:\n  loadBalancer: {}\n")
    r = kube("expose", "configmap", "kube-root-ca.crt")
    assert (r.code, r.err) == (1, "error: cannot expose a ConfigMap\n")
