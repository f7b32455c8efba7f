"""kubectl port-forward: a listener on 127.0.0.1 per port pair; each connection is a tunnel to
the pod's port (in-process, or pods/portforward over WebSocket), answered by the image's HTTP
handler in the simulation. One thread, one select loop: the in-process cluster's database
connection stays with the thread that opened it."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

USAGE = "kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]"
LONG = "Forward one or more local ports to a pod."
EXAMPLES = """  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
  kubectl port-forward pod/mypod 5000 6000
  
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in a pod selected by the deployment
  kubectl port-forward deployment/mydeployment 5000 6000
  
  # Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https" in a pod selected by the service
  kubectl port-forward service/myservice 8443:https
  
  # Listen on port 8888 locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod 8888:5000
  
  # Listen on port 8888 on all addresses, forwarding to 5000 in the pod
  kubectl port-forward --address 0.0.0.0 pod/mypod 8888:5000
  
  # Listen on port 8888 on localhost and selected IP, forwarding to 5000 in the pod
  kubectl port-forward --address localhost,10.19.21.23 pod/mypod 8888:5000
  
  # Listen on a random port locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod :5000
"""
FLAGS = [
    Flag("address", kind="slice", default=["localhost"], help="Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind."),
    Flag("pod-running-timeout", kind="duration", default="1m0s", help="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running"),
]

_USAGE_ERR = ("TYPE/NAME and list of ports are required for port-forward\n"
              "See 'kubectl port-forward -h' for help and examples")


def parse_ports(specs: list[str]) -> list[tuple[int, str]]:
    """[(local port, remote port as given)]: `8080:80`, `80` (same both sides), `:80` (any)."""
    out = []
    for s in specs:
        local, sep, remote = s.partition(":")
        if not sep:
            local, remote = s, s
        if not remote:
            raise CLIError(f"Error parsing port: {s}")
        try:
            lp = int(local) if local else 0
        except ValueError:
            raise CLIError(f'Error parsing local port \'{local}\': strconv.ParseUint: parsing "{local}": invalid syntax') from None
        out.append((lp, remote))
    return out


def remote_port(obj: dict, pod: dict, remote: str) -> int:
    """A port number, a container port's name, or (for a Service) the targetPort behind it."""
    if obj.get("kind") == "Service":
        for p in (obj.get("spec") or {}).get("ports") or ():
            if str(p.get("port")) == remote or p.get("name") == remote:
                remote = str(p.get("targetPort", p.get("port")))
                break
        else:
            raise CLIError(f"Service {obj['metadata']['name']} does not have a service port {remote}")
    if remote.isdigit():
        return int(remote)
    for c in (pod.get("spec") or {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == remote:
                return int(p["containerPort"])
    raise CLIError(f"Pod '{pod['metadata']['name']}' does not have a named port '{remote}'")


def run(g, o, args):
    """Forward one or more local ports to a pod."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.cli.exec_ import first_pod
    if len(args) < 2:
        raise CLIError(_USAGE_ERR)
    client = make_client(g)
    ns = client.namespace
    pod = first_pod(client, args[0], ns)
    obj = pod
    if "/" in args[0] and client.resolve(args[0].split("/", 1)[0]).kind == "Service":
        obj = client.get(client.resolve("services"), ns, args[0].split("/", 1)[1])
        obj.setdefault("kind", "Service")
    phase = (pod.get("status") or {}).get("phase")
    if phase != "Running":
        raise CLIError(f"unable to forward port because pod is not running. Current status={phase}")
    pairs = [(lp, remote_port(obj, pod, r)) for lp, r in parse_ports(args[1:])]
    forward(client, ns, pod["metadata"]["name"], pairs, sys.stdout, sys.stderr)


def forward(client, ns: str, pod: str, pairs, out, err, *, stop=None, poll: float = 0.05):
    """Serve until ^C (or `stop()` says so): each accepted connection gets its own tunnel."""
    import select
    import socket
    listeners = {}
    for lp, rp in pairs:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", lp))
        except OSError:
            s.close()
            raise CLIError(f"unable to listen on any of the requested ports: [{{{lp} {rp}}}]") from None
        s.listen(16)
        listeners[s] = (s.getsockname()[1], rp)
        out.write(f"Forwarding from 127.0.0.1:{s.getsockname()[1]} -> {rp}\n")
    out.flush()
    conns = {}      # local socket -> (tunnel, (local, remote))
    try:
        while stop is None or not stop():
            ready, _, _ = select.select(list(listeners) + list(conns), [], [], poll)
            for s in ready:
                if s in listeners:
                    c, _addr = s.accept()
                    lp, rp = listeners[s]
                    out.write(f"Handling connection for {lp}\n")
                    out.flush()
                    conns[c] = (client.portforward(ns, pod, rp), (lp, rp))
                    continue
                tunnel, _ports = conns[s]
                try:
                    data = s.recv(1 << 16)
                except OSError:
                    data = b""
                if data:
                    tunnel.send(data)
                else:
                    tunnel.close()
            for c, (tunnel, (lp, rp)) in list(conns.items()):
                data = tunnel.pending()
                if data:
                    try:
                        c.sendall(data)
                    except OSError:
                        tunnel.close()
                if getattr(tunnel, "error", ""):
                    err.write(f"an error occurred forwarding {lp} -> {rp}: {tunnel.error}\n")
                    tunnel.error = ""
                if tunnel.closed and not data:
                    c.close()
                    del conns[c]
    except KeyboardInterrupt:
        pass
    finally:
        for c, (tunnel, _p) in conns.items():
            tunnel.close()
            c.close()
        for s in listeners:
            s.close()
