"""The networking commands of `pykubectl sim ssh NODE -- …` (see `cli/sim_ssh.py`): each takes
(view, node, argv) and returns (stdout, stderr, exit_code) as the real tool prints on an Ubuntu
node running kube-proxy (iptables or ipvs mode, as its ConfigMap says) and Calico (IPIP)."""
from __future__ import annotations


def _ctime(view) -> str:
    import time
    try:
        now = view.server.now()
    except Exception:
        now = 0.0
    return time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(now))


def iptables_save(view, node: str, argv: list[str]):
    from pykubectl.net.ipvs import proxy_mode
    if proxy_mode(view) == "ipvs":
        from pykubectl.net.ipvs import iptables_save as save
    else:
        from pykubectl.net.proxy import iptables_save as save
    out = save(view, node, _ctime(view))
    args = argv[1:]
    if "-t" in args and args.index("-t") + 1 < len(args):
        table = args[args.index("-t") + 1]
        keep, on = [], False
        lines = out.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("# Generated") and i + 1 < len(lines):
                on = lines[i + 1] == f"*{table}"
            if on:
                keep.append(line)
        out = "\n".join(keep) + "\n" if keep else ""
    return out, "", 0


def route(view, node: str, argv: list[str]):
    from pykubectl.net.proxy import routes
    return routes(view, node, numeric="-n" in argv[1:]), "", 0


def ip(view, node: str, argv: list[str]):
    """`ip route` / `ip addr` (the latter: lo, enp0s3 with the node's IP, tunl0 with its
    Calico tunnel address, one cali… per local pod)."""
    from pykubectl.net.proxy import cali_iface, node_ips
    sub = argv[1] if len(argv) > 1 else ""
    if sub in ("r", "ro", "route"):
        from pykubectl.net.proxy import routes
        return routes(view, node, numeric=True), "", 0
    if sub not in ("a", "addr", "address"):
        return "", 'Object "%s" is unknown, try "ip help".\n' % sub, 1
    my_ip = {n: i for i, n in node_ips(view).items()}.get(node, "0.0.0.0")
    n = view.get("nodes", "", node) or {}
    tunl = ((n.get("metadata") or {}).get("annotations") or {}).get("projectcalico.org/IPv4IPIPTunnelAddr", "")
    out = ["1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
           "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
           "    inet 127.0.0.1/8 scope host lo", "       valid_lft forever preferred_lft forever",
           "2: enp0s3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000",
           "    link/ether 08:00:27:00:00:%02x brd ff:ff:ff:ff:ff:ff" % (int(my_ip.rsplit(".", 1)[-1]) % 256),
           f"    inet {my_ip}/24 brd 192.168.0.255 scope global enp0s3", "       valid_lft forever preferred_lft forever",
           "3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group default qlen 1000",
           "    link/ipip 0.0.0.0 brd 0.0.0.0"]
    if tunl:
        out += [f"    inet {tunl}/32 scope global tunl0", "       valid_lft forever preferred_lft forever"]
    idx = 4
    for pod in sorted(view.list("pods", index=("nodeName", node)), key=lambda p: p["metadata"]["name"]):
        if (pod.get("spec") or {}).get("hostNetwork") or not (pod.get("status") or {}).get("podIP"):
            continue
        name = cali_iface(pod["metadata"]["namespace"], pod["metadata"]["name"])
        out += [f"{idx}: {name}@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1480 qdisc noqueue state UP group default",
                "    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns cni-" + name[4:]]
        idx += 1
    return "\n".join(out) + "\n", "", 0


def ipvsadm(view, node: str, argv: list[str]):
    """The IPVS table: kube-proxy's virtual servers in ipvs mode, empty in iptables mode."""
    from pykubectl.net.ipvs import ipvsadm as table
    return table(view, node, argv)
