"""kubectl diff -f: diff -u -N of the live object against the server's dry-run of apply, with
kubectl's LIVE-<n>/MERGED-<n> file layout and exit codes (0 same, 1 different)."""
from __future__ import annotations

import re

import pytest

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: app, image: {image}}}]}}
"""
SECRET = """apiVersion: v1
kind: Secret
metadata: {{name: s}}
stringData: {{user: admin, password: {password}}}
"""


def normalized(text: str) -> str:
    """Temp dir numbers and file times vary; resourceVersions are the cluster's business."""
    text = re.sub(r"/(LIVE|MERGED)-\d+/", r"/\1/", text)
    text = re.sub(r"(?m)^(---|\+\+\+) (\S+)\t.*$", r"\1 \2", text)
    text = re.sub(r"(?m)^(.\s*uid:|.\s*creationTimestamp: \"|.\s*resourceVersion:).*\n", "", text)
    return re.sub(r"/tmp/", "/", text)


def test_unchanged_object_exits_0_silently(kube):
    m = DEPLOY.format(replicas=2, image="nginx")
    kube("apply", "-f", "-", input=m, check=True)
    r = kube("diff", "-f", "-", input=m)
    assert (r.code, r.out, r.err) == (0, "", "")


def test_changed_object_shows_a_unified_diff_and_exits_1(kube):
    kube("apply", "-f", "-", input=DEPLOY.format(replicas=2, image="nginx"), check=True)
    r = kube("diff", "-f", "-", input=DEPLOY.format(replicas=3, image="nginx:1.27"))
    assert (r.code, r.err) == (1, "")
    out = normalized(r.out)
    assert out.startswith(
        "diff -u -N /LIVE/apps.v1.Deployment.default.web /MERGED/apps.v1.Deployment.default.web\n"
        "--- /LIVE/apps.v1.Deployment.default.web\n"
        "+++ /MERGED/apps.v1.Deployment.default.web\n@@ ")
    changed = [ln for ln in out.splitlines() if ln[:1] in "+-" and ln[:3] not in ("---", "+++")]
    assert [ln for ln in changed if "last-applied" not in ln and '{"apiVersion"' not in ln] == [
        "-  generation: 1", "+  generation: 2",
        "-  replicas: 2", "+  replicas: 3",
        "-      - image: nginx", "+      - image: nginx:1.27",
    ]


def test_new_object_is_all_additions(kube):
    r = kube("diff", "-f", "-", input=DEPLOY.format(replicas=1, image="nginx"))
    assert r.code == 1
    out = normalized(r.out)
    head = ("diff -u -N /LIVE/apps.v1.Deployment.default.web /MERGED/apps.v1.Deployment.default.web\n"
            "--- /LIVE/apps.v1.Deployment.default.web\n+++ /MERGED/apps.v1.Deployment.default.web\n")
    assert out.startswith(head + "@@ -0,0 +1,")
    body = out[len(head):].splitlines()[1:]
    assert all(ln.startswith("+") for ln in body)
    assert "+  replicas: 1" in body and "+        imagePullPolicy: Always" in body
    # a dry run: nothing was created
    assert kube("get", "deploy", "web").code == 1


def test_external_diff_program_and_its_arguments(kube):
    kube.env["KUBECTL_EXTERNAL_DIFF"] = "diff -q $(rm) ;ls"
    kube("apply", "-f", "-", input=DEPLOY.format(replicas=2, image="nginx"), check=True)
    r = kube("diff", "-f", "-", input=DEPLOY.format(replicas=4, image="nginx"))
    # arguments other than letters, digits, - and = are dropped, as kubectl drops them
    assert (r.code, normalized(r.out)) == (
        1, "Files /LIVE/apps.v1.Deployment.default.web and /MERGED/apps.v1.Deployment.default.web differ\n")


def test_secret_values_are_masked(kube):
    kube("apply", "-f", "-", input=SECRET.format(password="one"), check=True)
    r = kube("diff", "-f", "-", input=SECRET.format(password="two"))
    assert r.code == 1
    lines = normalized(r.out).splitlines()
    assert "-  password: '*** (before)'" in lines and "+  password: '*** (after)'" in lines
    assert "   user: '***'" in lines
    # as with kubectl, the last-applied annotation still carries what was applied
    assert [ln for ln in lines if "one" in ln or "two" in ln and "last-applied" not in ln] == [
        ln for ln in lines if '"stringData"' in ln]


ERRORS = [
    ("no-file", [], "error: must specify one of -f and -k\n"),
    ("args", ["-f", "-", "extra"], "error: Unexpected args: ['extra']\nSee 'kubectl diff -h' for help and examples\n"),
]


@pytest.mark.parametrize("args,want", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_usage_errors(kube, args, want):
    r = kube("diff", *args, input="")
    assert (r.code, r.out, r.err) == (1, "", want)


def test_invalid_object_is_refused_by_the_dry_run(kube):
    r = kube("diff", "-f", "-", input=DEPLOY.format(replicas=-1, image="nginx"))
    assert r.code == 1 and r.out == ""
    assert r.err.startswith('The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')


HPA_V1 = """apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {{name: web}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  minReplicas: 1
  maxReplicas: {max}
  targetCPUUtilizationPercentage: {cpu}
"""
HPA_V1_CASES = [
    ("unchanged", dict(max=5, cpu=50), 0, []),
    ("max-replicas", dict(max=7, cpu=50), 1, ["-  generation: 1", "+  generation: 2",
                                              "-  maxReplicas: 5", "+  maxReplicas: 7"]),
    ("cpu-target", dict(max=5, cpu=60), 1, ["-  generation: 1", "+  generation: 2",
                                            "-  targetCPUUtilizationPercentage: 50",
                                            "+  targetCPUUtilizationPercentage: 60"]),
]


@pytest.mark.parametrize("values,code,changed", [c[1:] for c in HPA_V1_CASES], ids=[c[0] for c in HPA_V1_CASES])
def test_autoscaling_v1_hpa_is_diffed_at_its_own_version(kube, values, code, changed):
    kube("create", "deployment", "web", "--image=nginx", check=True)
    kube("apply", "-f", "-", input=HPA_V1.format(max=5, cpu=50), check=True)
    r = kube("diff", "-f", "-", input=HPA_V1.format(**values))
    assert (r.code, r.err) == (code, "")
    out = normalized(r.out)
    if code:
        # as kubectl reads and dry-runs it through autoscaling/v1's endpoints
        assert out.startswith("diff -u -N /LIVE/autoscaling.v1.HorizontalPodAutoscaler.default.web "
                              "/MERGED/autoscaling.v1.HorizontalPodAutoscaler.default.web\n")
    lines = [ln for ln in out.splitlines() if ln[:1] in "+-" and ln[:3] not in ("---", "+++")]
    # what the HPA controller writes may move between diff's read and its dry run when the
    # controller syncs in between (through `cluster serve`, on its own clock): its v1 status
    # annotations and status fields are not the manifest's change
    # (its conditions annotation is long and folds over several lines): so the manifest's
    # change must be there, and nothing else may touch the fields the manifest sets
    assert [ln for ln in lines if ln in changed] == changed
    assert not [ln for ln in lines if ln not in changed and any(
        f in ln for f in ("maxReplicas:", "minReplicas:", "targetCPUUtilizationPercentage:", "scaleTargetRef:"))]
    # a dry run: the stored object is as applied
    assert kube("get", "hpa", "web", "-o", "jsonpath={.spec.maxReplicas}").out == "5"
