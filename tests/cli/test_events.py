"""kubectl events end to end: the five columns, oldest first, --for, --types, -A, -o, -w, and
`get events` (the server's Event table)."""
from __future__ import annotations

import pytest

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: nginx\n"

WEB_EVENTS = [
    ("Normal", "Scheduled", "Successfully assigned default/web to worker-1"),
    ("Normal", "Pulling", 'Pulling image "nginx"'),
    ("Normal", "Pulled", None),
    ("Normal", "Created", "Created container: c"),
    ("Normal", "Started", "Started container c"),
]


@pytest.fixture
def web(kube):
    kube("apply", "-f", "-", input=POD, check=True)
    kube("sim", "advance", "10s", check=True)
    return kube


def test_events_table_oldest_first(web):
    r = web("events")
    assert r.code == 0 and r.err == ""
    assert r.out.splitlines()[0] == "LAST SEEN   TYPE     REASON      OBJECT    MESSAGE"
    body = [line.split(None, 4) for line in r.out.splitlines()[1:]]
    assert [(b[1], b[2], b[3]) for b in body] == [(t, reason, "Pod/web") for t, reason, _ in WEB_EVENTS]
    for b, (_, _, msg) in zip(body, WEB_EVENTS):
        if msg:
            assert b[4] == msg


@pytest.mark.parametrize("args,names", [
    (["--for", "pod/web", "-o", "jsonpath={.items[*].reason}"], "Scheduled Pulling Pulled Created Started"),
    (["--for", "po/web", "--types=normal", "-o", "jsonpath={.items[*].reason}"],
     "Scheduled Pulling Pulled Created Started"),
    (["--for", "pod/other", "-o", "jsonpath={.items[*].reason}"], ""),
    (["-o", "jsonpath={.kind} {.items[0].kind} {.items[0].apiVersion}"], "EventList Event v1"),
], ids=["for-pod", "for-short-name-and-types", "for-other-object", "list-kinds"])
def test_events_output(web, args, names):
    r = web("events", *args)
    if names:
        assert (r.code, r.out, r.err) == (0, names, "")
    else:
        assert (r.code, r.out, r.err) == (0, "", "No events found in default namespace.\n")


@pytest.mark.parametrize("args,err", [
    (["--types=Error"], "error: valid --types are Normal or Warning\n"),
    (["--for", "web"], "error: --for must be in resource/name form\n"),
    (["--for", "pod/a/b"], "error: arguments in resource/name form may not have more than one slash\n"),
    (["-o", "custom-columns=A:.a"], 'error: unable to match a printer suitable for the output format '
     '"custom-columns=A:.a", allowed formats are: go-template,go-template-file,json,jsonpath,'
     'jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n'),
], ids=["bad-type", "for-without-slash", "for-two-slashes", "no-custom-columns"])
def test_events_errors(kube, args, err):
    r = kube("events", *args)
    assert (r.code, r.out, r.err) == (1, "", err)


@pytest.mark.parametrize("args,err", [
    (["-n", "kube-public"], "No events found in kube-public namespace.\n"),
    (["-A", "--types=Warning"], "No events found.\n"),
], ids=["namespace", "all-namespaces"])
def test_no_events_found(kube, args, err):
    r = kube("events", *args)
    assert (r.code, r.out, r.err) == (0, "", err)


def test_all_namespaces_adds_namespace_column(web):
    r = web("events", "-A", "--for", "pod/web", "--no-headers")
    assert r.code == 0
    assert [line.split()[0] for line in r.out.splitlines()] == ["default"] * 5


def test_repeated_event_shows_count_interval(kube):
    ev = ("apiVersion: v1\nkind: Event\nmetadata:\n  name: x.1\ninvolvedObject:\n  kind: Pod\n  name: x\n"
          "reason: BackOff\ntype: Warning\nmessage: 'Back-off restarting failed container'\ncount: 4\n"
          "firstTimestamp: '{first}'\nlastTimestamp: '{last}'\n")
    from pykubectl.store.clock import parse_time, rfc3339
    t = parse_time(kube("sim", "now").out.split()[0])
    kube("apply", "-f", "-", input=ev.format(first=rfc3339(t - 600), last=rfc3339(t - 30)), check=True)
    r = kube("events", "--types=Warning", "--no-headers")
    assert r.out.split("   ")[0] == "30s (x4 over 10m)"


def test_events_watch_streams_new_events(web):
    from tests.cli.test_get import Watcher
    w = Watcher(web, "-w", cmd="events")
    w.wait_for_lines(6)                     # the header and web's five events
    web("apply", "-f", "-", input=POD.replace("name: web", "name: web2"), check=True)
    web("sim", "advance", "5s", check=True)
    code, out, err = w.result()
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert [(line.split()[2], line.split()[3]) for line in lines[1:]] == \
        [(reason, "Pod/web") for _, reason, _ in WEB_EVENTS] + [(reason, "Pod/web2") for _, reason, _ in WEB_EVENTS]


def test_get_events_table(web):
    r = web("get", "events", "--field-selector", "reason=Started")
    assert (r.code, r.err) == (0, "")
    assert r.out.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert r.out.splitlines()[1].split()[1:] == ["Normal", "Started", "pod/web", "Started", "container", "c"]
