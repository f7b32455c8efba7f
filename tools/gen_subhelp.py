"""Writes pykubectl/cli/subhelp.json: the help of kubectl v1.32's subcommands (create X, rollout X,
set X, config X, auth X), taken from the real kubectl on this machine, so `pykubectl create
deployment --help` prints what kubectl prints. Run by a developer when kubectl's version moves:

    python tools/gen_subhelp.py /usr/lib/google-cloud-sdk/bin/kubectl.1.32
"""
from __future__ import annotations

import os
import json
import subprocess
import sys

PATHS = [
    *(f"create {s}" for s in ("clusterrole", "clusterrolebinding", "configmap", "cronjob",
                              "deployment", "ingress", "job", "namespace", "poddisruptionbudget",
                              "priorityclass", "quota", "role", "rolebinding", "secret",
                              "secret docker-registry", "secret generic", "secret tls", "service",
                              "service clusterip", "service externalname", "service loadbalancer",
                              "service nodeport", "serviceaccount", "token")),
    *(f"rollout {s}" for s in ("history", "pause", "restart", "resume", "status", "undo")),
    *(f"set {s}" for s in ("env", "image", "resources", "selector", "serviceaccount", "subject")),
    *(f"config {s}" for s in ("current-context", "delete-cluster", "delete-context", "delete-user",
                              "get-clusters", "get-contexts", "get-users", "rename-context", "set",
                              "set-cluster", "set-context", "set-credentials", "unset",
                              "use-context", "view")),
    "config", "auth", *(f"auth {s}" for s in ("can-i", "whoami")),
]


def main(kubectl: str) -> None:
    texts = {}
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "KUBECONFIG": "/nonexistent"}
    for path in PATHS:
        p = subprocess.run([kubectl, *path.split(), "--help"], capture_output=True, text=True,
                           env=env, timeout=60, check=True)
        texts[path] = p.stdout
    out = os.path.join(os.path.dirname(__file__), "..", "pykubectl", "cli", "subhelp.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(texts, f, indent=0, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/google-cloud-sdk/bin/kubectl.1.32")
