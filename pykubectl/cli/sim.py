"""pykubectl sim: the cluster's clock (now, advance), the scheduler's reasoning (explain) and
nodes' heartbeats (node down|up)."""
from __future__ import annotations

import sys

import click


from pykubectl.cli.errors import CLIError


# subcommands living in modules of their own (`pykubectl/cli/sim_<name>.py`, exporting `command`)
_MODULES = {"ssh": "ssh", "curl": "curl", "hosts": "hosts", "load": "load", "trace": "trace",
            "explain-pvc": "explain_pvc", "explain-svc": "explain_svc", "explain-hpa": "explain_hpa"}


class _SimGroup(click.Group):
    """Finds `sim ssh|curl|hosts|load|trace` in their own modules, imported only when used."""

    def list_commands(self, ctx):
        import importlib.util
        extra = [n for n, m in _MODULES.items() if importlib.util.find_spec(f"pykubectl.cli.sim_{m}")]
        return sorted(set(super().list_commands(ctx)) | set(extra))

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is None and name in _MODULES:
            import importlib
            mod = f"pykubectl.cli.sim_{_MODULES[name]}"
            try:
                cmd = importlib.import_module(mod).command
            except ModuleNotFoundError as e:
                if e.name != mod:
                    raise
        return cmd


@click.group(cls=_SimGroup, context_settings={"help_option_names": ["-h", "--help"]})
def command():
    """The cluster's clock and simulated machines.

    \b
    LoadBalancer Services stay <pending> until an address pool exists: MetalLB's (layer 2)
    ConfigMap `config` in namespace metallb-system, key `config`:
      kubectl create namespace metallb-system
      kubectl -n metallb-system create configmap config --from-literal=config='
      address-pools:
      - name: default
        protocol: layer2
        addresses:
        - 192.168.0.200-192.168.0.250'
    Each LoadBalancer then gets the lowest free address (spec.loadBalancerIP or the
    metallb.universe.tf/loadBalancerIPs annotation ask for one, metallb.universe.tf/address-pool
    for a pool), announced by the first worker (with externalTrafficPolicy Local: the first
    with a ready endpoint) and reachable with `pykubectl sim curl`.

    \b
    kube-proxy runs in the mode its ConfigMap (kube-system/kube-proxy, config.conf `mode:`)
    names: iptables (iptables-save) or ipvs (ipvsadm -Ln, ipset list)."""


@command.command("now")
@click.pass_obj
def now(g):
    """Print the cluster's time."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.store.clock import rfc3339
    c = make_client(g).cluster
    sys.stdout.write(f"{rfc3339(c.clock.now())} ({c.clock.mode} clock)\n")


@command.command("advance")
@click.argument("duration")
@click.pass_obj
def advance(g, duration):
    """Move the cluster's clock on by DURATION (30s, 5m, 1h30m), running every controller at
    each moment that falls due on the way."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.store.clock import parse_duration, rfc3339
    try:
        secs = parse_duration(duration)
    except ValueError as e:
        raise CLIError(str(e))
    if secs < 0:
        raise CLIError("duration must not be negative")
    c = make_client(g).cluster
    c.advance(secs)
    sys.stdout.write(f"{rfc3339(c.clock.now())}\n")


@command.command("explain")
@click.argument("target")
@click.pass_obj
def explain(g, target):
    """How the scheduler judges pod/NAME on every node: the filter that rejects it, or the
    score each plugin gives, and the node it picks. For svc/NAME: which pods are the Service's
    endpoints, and why each other pod of its namespace is not."""
    from pykubectl.cli.context import client as make_client
    from pykubectl.sim.explain_pod import explain as explain_pod
    typ, _, name = target.rpartition("/")
    client = make_client(g)
    kind = client.resolve(typ or "pods")
    if kind.kind == "Service":
        from pykubectl.cli.sim_explain_svc import explain as explain_svc
        sys.stdout.write(explain_svc(client, name))
        return
    if kind.kind != "Pod":
        raise CLIError(f"sim explain explains pods and services, not {kind.plural}")
    pod = client.get(kind, client.namespace, name)
    nodes = client.list(client.resolve("nodes"), None)["items"]
    pods = client.list(kind, None)["items"]
    nss = client.list(client.resolve("namespaces"), None)["items"]
    from pykubectl.controllers.scheduler import Storage, Workloads

    def every(resource):
        return client.list(client.resolve(resource), None)["items"]
    storage = Storage(every("persistentvolumeclaims"), every("persistentvolumes"),
                      every("storageclasses.storage.k8s.io"))
    workloads = Workloads(every("services"), every("replicationcontrollers"),
                          every("replicasets.apps"), every("statefulsets.apps"))
    sys.stdout.write(explain_pod(pod, nodes, pods, nss, storage, workloads))


@command.group("node")
def node():
    """A node's kubelet: stop or resume its heartbeats."""


def _heartbeat(g, name: str, up: bool):
    from pykubectl.cli.context import client as make_client
    from pykubectl.controllers.node_lifecycle import LEASE_NS, heartbeat_patch
    client = make_client(g)
    client.get(client.resolve("nodes"), None, name)   # NotFound as kubectl words it
    client.patch(client.resolve("leases.coordination.k8s.io"), LEASE_NS, name, "merge",
                 heartbeat_patch(up, client.now()))
    sys.stdout.write(f"node/{name} heartbeats {'resumed' if up else 'stopped'}\n")


@node.command("down")
@click.argument("name")
@click.pass_obj
def node_down(g, name):
    """Stop NAME's heartbeats: after the 50 s grace period it is NotReady and tainted unreachable,
    and its pods are evicted when their tolerations (300 s by default) run out."""
    _heartbeat(g, name, False)


@node.command("up")
@click.argument("name")
@click.pass_obj
def node_up(g, name):
    """Resume NAME's heartbeats: Ready again, the unreachable taints removed."""
    _heartbeat(g, name, True)
