"""kubectl cluster-info: the control plane's address (the kubeconfig's server URL) and the
services labelled kubernetes.io/cluster-service=true, coloured as kubectl colours them."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl cluster-info [flags] [options]"
LONG = ("Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. "
        "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.")
EXAMPLES = """  # Print the address of the control plane and cluster services
  kubectl cluster-info
"""
FLAGS: list = []

HINT = "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"

# go-colortext (ct.ChangeColor / ct.ResetColor) writes these to stdout whatever stdout is,
# a terminal or not; only TERM=dumb turns them off.
_GREEN, _YELLOW, _RESET = "\x1b[0;32m", "\x1b[0;33m", "\x1b[0m"


def service_line(name: str, link: str, color: bool) -> str:
    """printService: `<name> is running at <link>`, name green and link yellow."""
    if not color:
        return f"{name} is running at {link}\n"
    return f"{_GREEN}{name}{_RESET} is running at {_YELLOW}{link}{_RESET}\n"


def _join_scheme_name_port(scheme: str, name: str, port: str) -> str:
    # utilnet.JoinSchemeNamePort
    if scheme:
        return f"{scheme}:{name}:{port}"
    if port:
        return f"{name}:{port}"
    return name


def service_link(host: str, svc: dict) -> str:
    """The address kubectl shows for one cluster service: its load balancer, else the
    apiserver's service proxy path."""
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    ports = spec.get("ports") or []
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        ip = ingress[0].get("ip") or ingress[0].get("hostname") or ""
        return "".join(f"http://{ip}:{p.get('port', 0)} " for p in ports)
    name = meta.get("name", "")
    if ports:
        port = ports[0]
        # kubectl guesses https from the port's name or number
        scheme = "https" if port.get("name") == "https" or port.get("port") == 443 else ""
        name = _join_scheme_name_port(scheme, name, port.get("name") or "")
    return f"{host}/api/v1/namespaces/{meta.get('namespace', '')}/services/{name}/proxy"


def render(host: str, services: list[dict], color: bool) -> str:
    out = service_line("Kubernetes control plane", host, color)
    for svc in services:
        meta = svc.get("metadata") or {}
        label = (meta.get("labels") or {}).get("kubernetes.io/name") or meta.get("name", "")
        out += service_line(label, service_link(host, svc), color)
    return out + HINT


def _server_url(g) -> str:
    from pykubectl.cli.context import load_kubeconfig
    if g.server:
        return g.server
    kc = load_kubeconfig(g)
    ctx = kc.context(g.context or kc.current_context) or {}
    entry = kc.cluster(g.cluster or ctx.get("cluster") or "") or {}
    return entry.get("server", "")


def run(g, o, args):
    """Display cluster information."""
    if args and args[0] == "dump":
        raise CLIError("cluster-info dump is not implemented in pykubectl yet")
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    host = _server_url(g)
    kind = client.resolve("services")
    services = client.list(kind, g.namespace or "kube-system",
                           label_selector="kubernetes.io/cluster-service=true")["items"]
    sys.stdout.write(render(host, services, g.env.get("TERM") != "dumb"))
