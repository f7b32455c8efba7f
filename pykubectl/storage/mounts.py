"""Where a path inside a container really lives: which node's filesystem, at which path.

`kubectl exec POD -- touch /mount1/a` must land where the volume's data is: a hostPath or a local
volume on the pod's node, an NFS export on the NFS server, a claim's volume followed to its PV.
The runtime's files (`runtime.fs.PodFS`) can resolve claim and nfs volumes through
`volume_location`; pure apart from the reads through `view`.
"""
from __future__ import annotations

import posixpath


def volume_location(view, pod: dict, volume: dict) -> tuple[str, str] | None:
    """(node, directory) holding a pod volume's data, or None (configMap, secret, ...)."""
    node = (pod.get("spec") or {}).get("nodeName")
    src = volume
    claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
    if claim:
        pvc = view.get("persistentvolumeclaims", pod["metadata"].get("namespace", ""), claim)
        vname = ((pvc or {}).get("spec") or {}).get("volumeName")
        pv = view.get("persistentvolumes", "", vname) if vname else None
        if pv is None:
            return None
        src = pv.get("spec") or {}
    if src.get("nfs"):
        from pykubectl.controllers.provisioner import server_node
        server = server_node(view, src["nfs"].get("server", ""))
        return (server, posixpath.normpath(src["nfs"].get("path", "/"))) if server else None
    for key in ("hostPath", "local"):
        if src.get(key) and node:
            return node, posixpath.normpath(src[key].get("path", "/"))
    return None


def locate(view, pod: dict, container: str, path: str) -> tuple[str, str] | None:
    """(node, path on that node) for an absolute path in a container, through its deepest
    volume mount (subPath honoured); None when no mounted volume holds the path."""
    path = posixpath.normpath(path)
    spec = pod.get("spec") or {}
    cont = next((c for c in list(spec.get("containers") or ()) + list(spec.get("initContainers") or ())
                 if c.get("name") == container), None)
    if cont is None:
        return None
    vols = {v["name"]: v for v in spec.get("volumes") or ()}
    best = None
    for m in cont.get("volumeMounts") or ():
        mp = posixpath.normpath(m.get("mountPath", ""))
        if (path == mp or path.startswith(mp.rstrip("/") + "/")) and (best is None or len(mp) > len(best[0])):
            best = (mp, m)
    if best is None or best[1].get("name") not in vols:
        return None
    where = volume_location(view, pod, vols[best[1]["name"]])
    if where is None:
        return None
    node, root = where
    if best[1].get("subPath"):
        root = posixpath.join(root, best[1]["subPath"])
    rest = path[len(best[0]):].lstrip("/")
    return node, posixpath.normpath(posixpath.join(root, rest)) if rest else root
