"""The simulated kubelet through the CLI on the lab cluster's virtual clock: image pull errors
and their back-off, CrashLoopBackOff, init containers one by one, and the verbs that reach a
container (exec, logs, run) with kubectl's errors."""
import pytest

POD_WITH_INITS = """apiVersion: v1
kind: Pod
metadata:
  name: withinit
spec:
  initContainers:
  - name: a
    image: busybox
    command: ["sh", "-c", "echo first; sleep 5"]
  - name: b
    image: busybox
    command: ["sleep", "3"]
  containers:
  - name: main
    image: nginx
"""


def status(kube, name):
    r = kube("get", "pod", name, "--no-headers")
    assert r.code == 0, r.err
    return r.out.split()[1:4]


def test_image_pull_errors_back_off(kube):
    kube("run", "missing", "--image=nginx:doesnotexist", check=True)
    kube("run", "bad", "--image=Nginx:BAD", check=True)
    seen = []
    for step in ("2s", "1s", "9s", "1s", "30s"):
        kube("sim", "advance", step, check=True)
        seen.append((status(kube, "missing")[1], status(kube, "bad")[1]))
    # attempts fail at 2 s, 13 s and 34 s; in between the kubelet backs off
    assert seen == [("ErrImagePull", "InvalidImageName"), ("ImagePullBackOff", "InvalidImageName"),
                    ("ImagePullBackOff", "InvalidImageName"), ("ErrImagePull", "InvalidImageName"),
                    ("ImagePullBackOff", "InvalidImageName")]
    r = kube("get", "events", "--field-selector", "involvedObject.name=missing,reason=Pulling",
             "-o", "jsonpath={.items[0].count}")
    assert r.out == "3"
    r = kube("logs", "missing")
    assert (r.code, r.err) == (1, 'Error from server (BadRequest): container "missing" in pod "missing" is waiting '
                                  'to start: trying and failing to pull image\n')


def test_crash_loop_back_off_doubles(kube):
    kube("run", "crash", "--image=busybox", "--", "sh", "-c", "echo boom; exit 1", check=True)
    seen = []
    for step in ("3s", "10s", "20s", "40s"):
        kube("sim", "advance", step, check=True)
        seen.append(status(kube, "crash"))
    # exits at 2 s, restarts at once, exits; then waits 10 s, 20 s, 40 s
    assert [s[:2] for s in seen] == [["0/1", "CrashLoopBackOff"]] * 4
    assert [s[2] for s in seen] == ["2", "3", "4", "5"]
    assert kube("logs", "crash").out == "boom\n"
    assert kube("logs", "crash", "--previous").out == "boom\n"


def test_init_containers_run_one_after_another(kube):
    kube("apply", "-f", "-", input=POD_WITH_INITS, check=True)
    seen = []
    for step in ("1s", "7s", "5s", "2s"):
        kube("sim", "advance", step, check=True)
        seen.append(status(kube, "withinit")[:2])
    # a: pulled at 2 s, runs 5 s; b: pulled at 9 s, runs 3 s; main pulled at 14 s
    assert seen == [["0/1", "Init:0/2"], ["0/1", "Init:1/2"], ["0/1", "PodInitializing"], ["1/1", "Running"]]
    assert kube("logs", "withinit", "-c", "a").out == "first\n"


@pytest.mark.parametrize("args,code,out,err", [
    (("exec", "web", "--", "sh", "-c", "echo hi; exit 4"), 4, "hi\n", "command terminated with exit code 4\n"),
    (("exec", "web", "--", "hostname"), 0, "web\n", ""),
    (("exec", "web", "-c", "nope", "--", "ls"), 1, "",
     "Error from server (BadRequest): container nope is not valid for pod web\n"),
    (("exec", "web", "ls"), 1, "", "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] "
                                   "instead\nSee 'kubectl exec -h' for help and examples\n"),
    (("exec", "web"), 1, "", "error: you must specify at least one command for the container\n"),
    (("exec", "done", "--", "ls"), 1, "",
     "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"),
    (("exec", "nothere", "--", "ls"), 1, "", 'Error from server (NotFound): pods "nothere" not found\n'),
    (("logs", "done"), 0, "hello\n", ""),
    (("logs", "done", "--previous"), 1, "",
     'Error from server (BadRequest): previous terminated container "done" in pod "done" not found\n'),
    (("logs", "done", "--timestamps"), 0, "2026-01-01T00:00:02.000000000Z hello\n", ""),
    (("logs",), 1, "", "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a "
                       "required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n"),
], ids=["exit-code", "hostname", "unknown-container", "no-dash", "no-command", "completed-pod", "no-pod",
        "logs", "logs-no-previous", "logs-timestamps", "logs-no-args"])
def test_exec_and_logs(kube, args, code, out, err):
    kube("run", "web", "--image=nginx", check=True)
    kube("run", "done", "--image=busybox", "--restart=Never", "--", "echo", "hello", check=True)
    kube("sim", "advance", "3s", check=True)
    r = kube(*args)
    assert (r.code, r.out, r.err) == (code, out, err)


@pytest.mark.parametrize("args", [
    ("x", "--image=busybox", "--restart=Never", "--env", "A=1", "--labels", "a=b,c=d", "--port", "80", "--",
     "sleep", "3600"),
    ("x", "--image=busybox", "--command", "--", "sh", "-c", "echo hi"),
    ("x", "--image=nginx", "--image-pull-policy=IfNotPresent"),
], ids=["args-env-labels-port", "command", "pull-policy"])
def test_run_dry_run_matches_kubectl(kube, args):
    r = kube("run", "--dry-run=client", "-o", "yaml", *args)
    assert r.code == 0, r.err
    import yaml
    obj = yaml.safe_load(r.out)
    c = obj["spec"]["containers"][0]
    assert obj["metadata"]["name"] == "x" and c["name"] == "x" and c["resources"] == {}
    assert obj["spec"]["dnsPolicy"] == "ClusterFirst"
    if "--command" in args:
        assert c["command"] == ["sh", "-c", "echo hi"] and "args" not in c
        assert obj["metadata"]["labels"] == {"run": "x"}
    if "--env" in args:
        assert c["args"] == ["sleep", "3600"] and c["env"] == [{"name": "A", "value": "1"}]
        assert obj["metadata"]["labels"] == {"a": "b", "c": "d"} and c["ports"] == [{"containerPort": 80}]
        assert obj["spec"]["restartPolicy"] == "Never"
    if "--image-pull-policy=IfNotPresent" in args:
        assert c["imagePullPolicy"] == "IfNotPresent"


NEEDS_CONFIG = """apiVersion: v1
kind: Pod
metadata:
  name: needscfg
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo $GREETING; sleep 3600"]
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef: {name: greet, key: msg}
"""


def test_missing_configmap_key_holds_the_container_until_it_exists(kube):
    kube("apply", "-f", "-", input=NEEDS_CONFIG, check=True)
    kube("sim", "advance", "3s", check=True)
    assert status(kube, "needscfg")[1] == "CreateContainerConfigError"
    kube("create", "configmap", "greet", "--from-literal=other=x", check=True)
    kube("sim", "advance", "10s", check=True)
    r = kube("get", "pod", "needscfg", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}")
    assert r.out == "couldn't find key msg in ConfigMap default/greet"
    kube("patch", "configmap", "greet", "--type", "merge", "-p", '{"data":{"msg":"hello"}}', check=True)
    kube("sim", "advance", "10s", check=True)
    assert status(kube, "needscfg")[:2] == ["1/1", "Running"]
    assert kube("logs", "needscfg").out == "hello\n"
    assert kube("exec", "needscfg", "--", "printenv", "GREETING").out == "hello\n"
