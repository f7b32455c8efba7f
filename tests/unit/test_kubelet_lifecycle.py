"""The simulated kubelet's later lifecycle rules through the CLI on the virtual clock: startup
probes holding liveness and readiness back, readiness gates, lifecycle hooks, downward API and
projected volumes, OOMKilled from the usage model."""
import base64
import json

import pytest

STARTUP = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: nginx
    startupProbe:
      exec: {{command: ["cat", "/tmp/started"]}}
      periodSeconds: 5
      failureThreshold: 3
    livenessProbe:
      exec: {{command: ["cat", "/tmp/started"]}}
      periodSeconds: 5
"""


def jp(kube, name, path):
    r = kube("get", "pod", name, "-o", f"jsonpath={path}")
    assert r.code == 0, r.err
    return r.out


def events(kube, name, reason):
    r = kube("get", "events", "--field-selector", f"involvedObject.name={name},reason={reason}", "-o", "json")
    return [(e["message"], e.get("count", 1)) for e in json.loads(r.out)["items"]]


def test_startup_probe_holds_liveness_and_readiness_until_it_passes(kube):
    kube("apply", "-f", "-", input=STARTUP.format(name="slow"), check=True)
    # running at 2 s; startup probes at 2 s and 7 s fail
    kube("sim", "advance", "8s", check=True)
    assert jp(kube, "slow", "{.status.containerStatuses[0].started} {.status.containerStatuses[0].ready}") == "false false"
    assert events(kube, "slow", "Unhealthy") == [("Startup probe failed: cat: /tmp/started: No such file or directory", 2)]
    kube("exec", "slow", "--", "touch", "/tmp/started", check=True)
    # the probe at 12 s passes: started and (no readiness probe) ready; liveness never failed
    kube("sim", "advance", "5s", check=True)
    assert jp(kube, "slow", "{.status.containerStatuses[0].started} {.status.containerStatuses[0].ready} "
                            "{.status.containerStatuses[0].restartCount}") == "true true 0"
    assert jp(kube, "slow", '{.status.conditions[?(@.type=="Ready")].status}') == "True"
    assert events(kube, "slow", "Killing") == []


def test_startup_probe_failing_failure_threshold_times_restarts(kube):
    kube("apply", "-f", "-", input=STARTUP.format(name="never"), check=True)
    # probes fail at 2, 7 and 12 s: killed at 12 s, nginx exits on SIGTERM and starts again
    kube("sim", "advance", "11s", check=True)
    assert jp(kube, "never", "{.status.containerStatuses[0].restartCount}") == "0"
    kube("sim", "advance", "2s", check=True)
    assert jp(kube, "never", "{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].started}") \
        == "1 false"
    assert events(kube, "never", "Killing") == [("Container app failed startup probe, will be restarted", 1)]
    # three for the first instance, one for the new one's first probe at 12 s
    assert events(kube, "never", "Unhealthy") == [("Startup probe failed: cat: /tmp/started: No such file or directory", 4)]


GATED = """apiVersion: v1
kind: Pod
metadata:
  name: gated
spec:
  readinessGates:
  - conditionType: example.com/feature-1
  containers:
  - name: app
    image: nginx
"""


@pytest.mark.parametrize("patch,gates,ready,reason,message", [
    (None, "0/1", "False", "ReadinessGatesNotReady",
     'corresponding condition of pod readiness gate "example.com/feature-1" does not exist.'),
    ("False", "0/1", "False", "ReadinessGatesNotReady",
     'the status of pod readiness gate "example.com/feature-1" is not "True", but False'),
    ("True", "1/1", "True", "", ""),
], ids=["missing-condition", "condition-false", "condition-true"])
def test_readiness_gates_hold_ready(kube, patch, gates, ready, reason, message):
    kube("apply", "-f", "-", input=GATED, check=True)
    kube("sim", "advance", "3s", check=True)
    if patch is not None:
        body = [{"op": "add", "path": "/status/conditions/-",
                 "value": {"type": "example.com/feature-1", "status": patch}}]
        kube("patch", "pod", "gated", "--subresource=status", "--type=json", "-p", json.dumps(body), check=True)
    row = kube("get", "pod", "gated", "-o", "wide", "--no-headers").out.split()
    # containers are ready either way; the pod's Ready waits for the gate
    assert (row[1], row[2], row[-1]) == ("1/1", "Running", gates)
    cond = '{.status.conditions[?(@.type=="Ready")]'
    assert jp(kube, "gated", f"{cond}.status}}|{cond}.reason}}|{cond}.message}}") == f"{ready}|{reason}|{message}"


HOOKS = """apiVersion: v1
kind: Pod
metadata:
  name: hooks
spec:
  containers:
  - name: app
    image: nginx
    lifecycle:
      postStart:
        exec: {command: ["sh", "-c", "echo started > /tmp/started"]}
      preStop:
        %s
"""


@pytest.mark.parametrize("pre_stop,gone_after,failed", [
    ('exec: {command: ["sh", "-c", "exit 2"]}', 0, [("PreStopHook failed", 1)]),
    ("sleep: {seconds: 5}", 5, []),
    ('exec: {command: ["sleep", "4"]}', 4, []),
    ("httpGet: {port: 80, path: /drain}", 0, []),
    ("httpGet: {port: 8080, path: /drain}", 0, [("PreStopHook failed", 1)]),
], ids=["exec-fails", "sleep-action", "exec-sleep", "http-ok", "http-refused"])
def test_pre_stop_runs_before_sigterm_within_the_grace_period(kube, pre_stop, gone_after, failed):
    kube("apply", "-f", "-", input=HOOKS % pre_stop, check=True)
    kube("sim", "advance", "3s", check=True)
    assert kube("exec", "hooks", "--", "cat", "/tmp/started").out == "started\n"
    kube("delete", "pod", "hooks", "--wait=false", check=True)
    if gone_after:
        # nginx exits on SIGTERM, which comes only once the hook is done
        kube("sim", "advance", f"{gone_after - 1}s", check=True)
        assert kube("get", "pod", "hooks", "--no-headers").out.split()[2] == "Terminating"
        kube("sim", "advance", "1s", check=True)
    assert kube("get", "pod", "hooks").code == 1
    assert events(kube, "hooks", "FailedPreStopHook") == failed


def test_failing_post_start_kills_the_container_and_backs_off(kube):
    pod = HOOKS.replace("echo started > /tmp/started", "exit 3") % "sleep: {seconds: 1}"
    kube("apply", "-f", "-", input=pod, check=True)
    # fails at 2 s, restarts at once and fails again; then waits 10 s
    kube("sim", "advance", "3s", check=True)
    assert kube("get", "pod", "hooks", "--no-headers").out.split()[1:4] == ["0/1", "CrashLoopBackOff", "2"]
    kube("sim", "advance", "10s", check=True)
    assert jp(kube, "hooks", "{.status.containerStatuses[0].restartCount}") == "3"
    assert events(kube, "hooks", "FailedPostStartHook") == [("PostStartHook failed", 3)]
    assert events(kube, "hooks", "Killing") == [("FailedPostStartHook", 3)]


def test_service_account_volume_and_downward_labels_in_the_container(kube):
    pod = """apiVersion: v1
kind: Pod
metadata: {name: dapi, labels: {zone: us}}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
  volumes:
  - name: podinfo
    downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
"""
    kube("apply", "-f", "-", input=pod, check=True)
    kube("sim", "advance", "3s", check=True)
    sa = "/var/run/secrets/kubernetes.io/serviceaccount"
    assert kube("exec", "dapi", "--", "ls", sa).out == "ca.crt\nnamespace\ntoken\n"
    assert kube("exec", "dapi", "--", "cat", f"{sa}/namespace").out == "default"
    assert kube("exec", "dapi", "--", "cat", f"{sa}/ca.crt").out.startswith("-----BEGIN CERTIFICATE-----")
    token = kube("exec", "dapi", "--", "cat", f"{sa}/token").out
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert (claims["sub"], claims["kubernetes.io"]["pod"]["name"], claims["aud"]) == \
        ("system:serviceaccount:default:default", "dapi", ["https://kubernetes.default.svc.cluster.local"])
    # the same token until kubelet renews it
    assert kube("exec", "dapi", "--", "cat", f"{sa}/token").out == token
    assert kube("exec", "dapi", "--", "cat", "/etc/podinfo/labels").out == 'zone="us"'
    kube("label", "pod", "dapi", "zone=eu", "--overwrite", check=True)
    assert kube("exec", "dapi", "--", "cat", "/etc/podinfo/labels").out == 'zone="eu"'


MEMORY = """apiVersion: v1
kind: Pod
metadata: {name: mem, labels: {app: mem}}
spec:
  restartPolicy: %s
  containers:
  - name: app
    image: kubetm/app
    resources: {limits: {memory: 20Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: mem}
spec:
  selector: {app: mem}
  ports: [{port: 8080, targetPort: 8080, nodePort: 30003}]
  type: NodePort
"""


@pytest.mark.parametrize("policy,rps,row,last", [
    ("Always", 122, ["1/1", "Running", "0"], ""),
    ("Always", 130, ["0/1", "CrashLoopBackOff", "2"], "OOMKilled 137"),
    ("Never", 130, ["0/1", "OOMKilled", "0"], ""),
], ids=["under-the-limit", "restarts-with-back-off", "never-restarts"])
def test_memory_over_its_limit_is_oom_killed(kube, policy, rps, row, last):
    kube("apply", "-f", "-", input=MEMORY % policy, check=True)
    kube("sim", "advance", "5s", check=True)
    # 2Mi + 150Ki per request per second: the 20Mi limit holds 122 rps, not 123
    kube("sim", "load", "http://192.168.0.100:30003/", "--rps", str(rps), "--for", "1m", check=True)
    kube("sim", "advance", "1s", check=True)
    assert kube("get", "pod", "mem", "--no-headers").out.split()[1:4] == row
    assert jp(kube, "mem", "{.status.containerStatuses[0].lastState.terminated.reason} "
                           "{.status.containerStatuses[0].lastState.terminated.exitCode}").strip() == last
    if policy == "Never":
        assert jp(kube, "mem", "{.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}") == "Failed 137"
