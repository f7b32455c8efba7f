"""Label, field and node selectors: parsing, canonical strings, matching and apimachinery's errors."""
import pytest

from pykubectl.api.selectors import (
    SelectorError, check_field_selector, format_labels, from_label_selector, from_match_labels,
    node_selector_matches, node_selector_term_matches, parse_field_selector, parse_label_selector,
    selectable_fields,
)

LABELS = {"app": "web", "tier": "front", "env": "prod", "version": "3"}


@pytest.mark.parametrize("selector,canonical", [
    ("app=web", "app=web"),
    ("app==web", "app==web"),
    ("tier!=back", "tier!=back"),
    ("b=2,a=1", "a=1,b=2"),
    ("env in (qa, prod)", "env in (prod,qa)"),
    ("env notin (qa)", "env notin (qa)"),
    ("!canary", "!canary"),
    ("app", "app"),
    ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
    ("version>2", "version>2"),
    ("version<4", "version<4"),
    ("a=", "a="),
    ("", ""),
    ("  app = web  ", "app=web"),
    ("example.com/role=db", "example.com/role=db"),
    ("in in (in)", "in in (in)"),
], ids=lambda v: repr(v))
def test_parse_canonical_string(selector, canonical):
    assert str(parse_label_selector(selector)) == canonical


@pytest.mark.parametrize("selector,matches", [
    ("app=web", True),
    ("app=db", False),
    ("tier!=back", True),
    ("missing!=x", True),
    ("env in (qa,prod)", True),
    ("env notin (prod)", False),
    ("missing notin (prod)", True),
    ("app,tier", True),
    ("!app", False),
    ("!missing", True),
    ("version>2", True),
    ("version>3", False),
    ("version<10", True),
    ("app>1", False),             # not an integer label: never matches
    ("missing>1", False),
    ("app=web,env=qa", False),
    ("", True),
], ids=lambda v: repr(v))
def test_label_selector_matches(selector, matches):
    assert parse_label_selector(selector).matches(LABELS) is matches


NAME_ERR = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
            "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
            "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


@pytest.mark.parametrize("selector,message", [
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("a in b", "unable to parse requirement: found 'b' expected: '('"),
    ("a in (x", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("a=b,", "found '', expected: identifier after ','"),
    ("=x", "found '=', expected: !, identifier, or 'end of string'"),
    ("a=b=c", "found '=', expected: ',' or 'end of string'"),
    ("A_=b", f'unable to parse requirement: <nil>: Invalid value: "A_": {NAME_ERR}'),
    ("a=b c!", "found 'c', expected: ',' or 'end of string'"),
    ("a>x", 'unable to parse requirement: values[0]: Invalid value: "x": '
            "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("a=-x", 'unable to parse requirement: values[0][a]: Invalid value: "-x": a valid label must be '
             "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
             "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
             "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
], ids=["missing-operator", "in-without-paren", "unclosed", "trailing-word", "trailing-comma",
        "no-key", "double-equals-sign", "bad-key", "trailing-garbage", "gt-not-int", "bad-value"])
def test_label_selector_errors(selector, message):
    with pytest.raises(SelectorError) as e:
        parse_label_selector(selector)
    assert str(e.value) == message


@pytest.mark.parametrize("sel,labels,matches,text", [
    (None, {"a": "b"}, False, ""),
    ({}, {"a": "b"}, True, ""),
    ({"matchLabels": {"app": "web"}}, {"app": "web"}, True, "app=web"),
    ({"matchLabels": {"b": "2", "a": "1"}}, {"a": "1"}, False, "a=1,b=2"),
    ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["qa", "prod"]}]},
     {"env": "prod"}, True, "env in (prod,qa)"),
    ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]},
     {}, True, "env notin (prod)"),
    ({"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}, {"gpu": ""}, True, "gpu"),
    ({"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]}, {"gpu": ""}, False, "!gpu"),
    ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "app", "operator": "Exists"}]},
     {"app": "web"}, True, "app=web,app"),
], ids=["nil-selects-nothing", "empty-selects-all", "match-labels", "sorted", "in", "notin-missing",
        "exists", "does-not-exist", "both"])
def test_from_label_selector(sel, labels, matches, text):
    s = from_label_selector(sel)
    assert s.matches(labels) is matches
    assert str(s) == text


def test_from_label_selector_bad_operator():
    with pytest.raises(SelectorError, match='"Equals" is not a valid label selector operator'):
        from_label_selector({"matchExpressions": [{"key": "a", "operator": "Equals"}]})


@pytest.mark.parametrize("m,labels,matches,empty", [
    ({"app": "web"}, {"app": "web", "x": "y"}, True, False),
    ({"app": "web"}, {"app": "db"}, False, False),
    ({}, {"app": "db"}, True, True),
    (None, {}, True, True),
], ids=["match", "mismatch", "empty", "none"])
def test_from_match_labels(m, labels, matches, empty):
    s = from_match_labels(m)
    assert s.matches(labels) is matches
    assert s.empty() is empty


@pytest.mark.parametrize("m,text", [({"b": "2", "a": "1"}, "a=1,b=2"), ({}, "<none>")], ids=["sorted", "none"])
def test_format_labels(m, text):
    assert format_labels(m) == text


# ---------------------------------------------------------------------------------------------

POD = {"kind": "Pod", "metadata": {"name": "web-1", "namespace": "default"},
       "spec": {"nodeName": "node1", "restartPolicy": "Always"},
       "status": {"phase": "Running", "podIP": "10.0.0.5"}}
PENDING = {"kind": "Pod", "metadata": {"name": "web-2", "namespace": "default"}, "spec": {},
           "status": {"phase": "Pending"}}


@pytest.mark.parametrize("selector,pod,matches", [
    ("metadata.name=web-1", POD, True),
    ("metadata.name==web-1", POD, True),
    ("metadata.name=web-2", POD, False),
    ("status.phase!=Running", POD, False),
    ("status.phase!=Running", PENDING, True),
    ("spec.nodeName=", PENDING, True),
    ("spec.nodeName=", POD, False),
    ("spec.nodeName=node1,status.phase=Running", POD, True),
    ("spec.hostNetwork=false", POD, True),
    ("metadata.namespace=default", POD, True),
    ("", POD, True),
], ids=lambda v: v if isinstance(v, str) else None)
def test_field_selector_matches(selector, pod, matches):
    assert parse_field_selector(selector).matches(pod) is matches


@pytest.mark.parametrize("selector,text,reqs", [
    ("b=2,a=1", "a=1,b=2", [("a", "=", "1"), ("b", "=", "2")]),
    ("status.phase!=Running", "status.phase!=Running", [("status.phase", "!=", "Running")]),
    ("a==x", "a=x", [("a", "=", "x")]),
    (r"a=x\,y", r"a=x\,y", [("a", "=", "x,y")]),
    ("a=", "a=", [("a", "=", "")]),
], ids=["sorted", "not-equal", "double-equal", "escaped-comma", "empty-value"])
def test_field_selector_parse(selector, text, reqs):
    s = parse_field_selector(selector)
    assert s.requirements == reqs
    assert str(s) == text


@pytest.mark.parametrize("selector,message", [
    ("foo", "invalid selector: 'foo'; can't understand 'foo'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),   # Go prints the rune's %v
    (r"a=\x", r"invalid field selector: invalid escape sequence: \x"),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
], ids=["no-operator", "second-term", "unescaped-equals", "bad-escape", "trailing-backslash"])
def test_field_selector_errors(selector, message):
    with pytest.raises(SelectorError) as e:
        parse_field_selector(selector)
    assert str(e.value) == message


@pytest.mark.parametrize("resource,selector,error", [
    ("pods", "status.phase=Running", None),
    ("pods", "spec.nodeName=n1,metadata.name=x", None),
    ("pods", "spec.host=n1", None),
    ("pods", "spec.containers=x", "field label not supported: spec.containers"),
    ("deployments.apps", "metadata.name=x", None),
    ("deployments.apps", "spec.replicas=1",
     '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("replicasets.apps", "status.replicas=0", None),
    ("jobs.batch", "status.successful=1", None),
    ("configmaps", "data.x=1", '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("nodes", "spec.unschedulable=true", None),
    ("nodes", "metadata.namespace=x", "field label not supported: metadata.namespace"),
    ("events", "involvedObject.name=web", None),
    ("secrets", "type=Opaque", None),
    ("services", "spec.type=NodePort", None),
    ("namespaces", "status.phase=Active", None),
], ids=lambda v: v if isinstance(v, str) else None)
def test_check_field_selector(resource, selector, error):
    if error is None:
        check_field_selector(resource, selector)
    else:
        with pytest.raises(SelectorError) as e:
            check_field_selector(resource, selector)
        assert str(e.value) == error


def test_check_field_selector_rewrites_spec_host_in_place():
    sel = parse_field_selector("spec.host=n1")
    check_field_selector("pods", sel)
    assert sel.requirements == [("spec.nodeName", "=", "n1")]


@pytest.mark.parametrize("selector,eq", [
    ("app=web,tier in (front),env!=qa", {"app": "web", "tier": "front"}),
    ("app==web", {"app": "web"}),
    ("env in (a,b),!x", None),
    ("", None),
], ids=["equals-and-single-in", "double-equals", "none", "empty"])
def test_equalities(selector, eq):
    assert parse_label_selector(selector).equalities() == eq


@pytest.mark.parametrize("obj,field,value", [
    ({"kind": "Secret", "metadata": {"name": "s"}, "type": "Opaque"}, "type", "Opaque"),
    ({"kind": "Event", "metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"},
      "source": {"component": "kubelet"}}, "source", "kubelet"),
    ({"kind": "Job", "metadata": {"name": "j"}, "status": {"succeeded": 2}}, "status.successful", "2"),
    ({"kind": "Node", "metadata": {"name": "n"}, "spec": {"unschedulable": True}}, "spec.unschedulable", "true"),
], ids=["secret-type", "event-source", "job-successful", "node-unschedulable"])
def test_selectable_fields(obj, field, value):
    assert selectable_fields(obj)[field] == value


# ---------------------------------------------------------------------------------------------

NODE = {"metadata": {"name": "worker1", "labels": {"kr": "yes", "gpu": "nvidia", "cores": "8"}}}


def term(*exprs, fields=()):
    t = {}
    if exprs:
        t["matchExpressions"] = [{"key": k, "operator": op, **({"values": v} if v is not None else {})}
                                 for k, op, v in exprs]
    if fields:
        t["matchFields"] = [{"key": k, "operator": op, "values": v} for k, op, v in fields]
    return t


@pytest.mark.parametrize("t,matches", [
    (term(("kr", "In", ["yes"])), True),
    (term(("kr", "In", ["no"])), False),
    (term(("kr", "NotIn", ["no"])), True),
    (term(("missing", "NotIn", ["x"])), True),
    (term(("gpu", "Exists", None)), True),
    (term(("gpu", "DoesNotExist", None)), False),
    (term(("cores", "Gt", ["4"])), True),
    (term(("cores", "Lt", ["4"])), False),
    (term(("kr", "In", ["yes"]), ("gpu", "In", ["amd"])), False),
    (term(fields=[("metadata.name", "In", ["worker1"])]), True),
    (term(fields=[("metadata.name", "NotIn", ["worker1"])]), False),
    (term(("kr", "In", ["yes"]), fields=[("metadata.name", "In", ["worker2"])]), False),
    ({}, False),
    (term(("kr", "In", [])), False),                 # invalid: no values
    (term(("cores", "Gt", ["x"])), False),           # invalid: not an integer
    (term(fields=[("metadata.labels", "In", ["x"])]), False),
], ids=["in", "in-miss", "notin", "notin-missing-key", "exists", "does-not-exist", "gt", "lt",
        "and-of-expressions", "field-name", "field-notin", "and-with-fields", "empty-term",
        "in-without-values", "gt-not-int", "unsupported-field"])
def test_node_selector_term(t, matches):
    assert node_selector_term_matches(t, NODE) is matches


@pytest.mark.parametrize("terms,matches", [
    ([term(("kr", "In", ["no"])), term(("gpu", "Exists", None))], True),
    ([term(("kr", "In", ["no"])), term(("gpu", "DoesNotExist", None))], False),
    ([term(("kr", "In", [])), term(("gpu", "Exists", None))], True),   # a bad term is skipped
    ([], False),
], ids=["or-of-terms", "none-match", "invalid-term-ignored", "no-terms"])
def test_node_selector(terms, matches):
    assert node_selector_matches({"nodeSelectorTerms": terms}, NODE) is matches
