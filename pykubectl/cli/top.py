"""kubectl top pod|node, after kubectl's pkg/cmd/top and pkg/metricsutil: usage from the
metrics API, which on a local cluster is the simulated metrics-server (`pykubectl.metrics`)."""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError
from pykubectl.cli.flags import Flag

RAW_ARGS = True
USAGE = "kubectl top [flags] [options]"
LONG = """Display resource (CPU/memory) usage.

 The top command allows you to see the resource consumption for nodes or pods.

 This command requires Metrics Server to be correctly configured and working on the server."""
EXAMPLES = ""
SUBCOMMANDS = {"node": "Display resource (CPU/memory) usage of nodes",
               "pod": "Display resource (CPU/memory) usage of pods"}
_ALIASES = {"node": "node", "nodes": "node", "no": "node", "pod": "pod", "pods": "pod", "po": "pod"}

_PROTO = Flag("use-protocol-buffers", kind="bool", default=True, help="Enables using protocol-buffers to access Metrics API.")
POD_FLAGS = [
    Flag("all-namespaces", "A", "bool", help="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    Flag("containers", kind="bool", help="If present, print usage of containers within a pod."),
    Flag("field-selector", help="Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
    Flag("no-headers", kind="bool", help="If present, print output without headers."),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("sort-by", help="If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'."),
    Flag("sum", kind="bool", help="Print the sum of the resource usage"),
    _PROTO,
]
NODE_FLAGS = [
    Flag("no-headers", kind="bool", help="If present, print output without headers"),
    Flag("selector", "l", help="Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."),
    Flag("show-capacity", kind="bool", help="Print node resources based on Capacity instead of Allocatable(default) of the nodes."),
    Flag("sort-by", help="If non-empty, sort nodes list using specified field. The field can be either 'cpu' or 'memory'."),
    _PROTO,
]
FLAGS: list = []
_SUB_HELP = {
    "pod": ("""Display resource (CPU/memory) usage of pods.

 The 'top pod' command allows you to see the resource consumption of pods.

 Due to the metrics pipeline delay, they may be unavailable for a few minutes since pod creation.

Aliases:
pod, pods, po
""", """  # Show metrics for all pods in the default namespace
  kubectl top pod
  
  # Show metrics for all pods in the given namespace
  kubectl top pod --namespace=NAMESPACE
  
  # Show metrics for a given pod and its containers
  kubectl top pod POD_NAME --containers
  
  # Show metrics for the pods defined by label name=myLabel
  kubectl top pod -l name=myLabel
"""),
    "node": ("""Display resource (CPU/memory) usage of nodes.

 The top-node command allows you to see the resource consumption of nodes.

Aliases:
node, nodes, no
""", """  # Show metrics for all nodes
  kubectl top node
  
  # Show metrics for a given node
  kubectl top node NODE_NAME
"""),
}
METRICS_CREATION_DELAY = 120.0


def sub_help(sub: str) -> str:
    from pykubectl.cli.flags import help_lines
    long, examples = _SUB_HELP[sub]
    return (f"{long}\nExamples:\n{examples}\nOptions:\n{help_lines(POD_FLAGS if sub == 'pod' else NODE_FLAGS)}\n"
            f"Usage:\n  kubectl top {sub} [NAME | -l label] [options]\n\n"
            'Use "kubectl options" for a list of global command-line options (applies to all commands).\n')


def group_help() -> str:
    cmds = "".join(f"  {k.ljust(14)}{v}\n" for k, v in SUBCOMMANDS.items())
    return (f"{LONG}\n\nAvailable Commands:\n{cmds}\nUsage:\n  {USAGE}\n\n"
            'Use "kubectl top <command> --help" for more information about a given command.\n'
            'Use "kubectl options" for a list of global command-line options (applies to all commands).\n')


# -- printing (metricsutil.TopCmdPrinter), pure ---------------------------------------------

def cpu_cell(milli: int) -> str:
    return f"{milli}m"


def mem_cell(nbytes: int) -> str:
    return f"{nbytes // (1024 * 1024)}Mi"


def _usage(u: dict) -> tuple[int, int]:
    from pykubectl.api.quantity import milli, value
    return milli(u.get("cpu", "0")), value(u.get("memory", "0"))


def pod_rows(metrics: list[dict], *, containers: bool, with_namespace: bool, sort_by: str,
             no_headers: bool, total: bool) -> str:
    """PrintPodMetrics: rows of tab-separated cells, each row ending in a tab as kubectl's do."""
    from pykubectl.printers.render import tabwrite

    def pod_sum(pm):
        cpu = mem = 0
        for c in pm["containers"]:
            a, b = _usage(c["usage"])
            cpu, mem = cpu + a, mem + b
        return cpu, mem
    keyed = [(pm, pod_sum(pm)) for pm in metrics]

    def by_pod(x, y):   # kubectl's PodMetricsSorter.Less
        if sort_by in ("cpu", "memory"):
            i = 0 if sort_by == "cpu" else 1
            return x[1][i] > y[1][i]
        xm, ym = x[0]["metadata"], y[0]["metadata"]
        if with_namespace and xm["namespace"] != ym["namespace"]:
            return xm["namespace"] < ym["namespace"]
        return xm["name"] < ym["name"]
    go_sort(keyed, by_pod)
    cols = (["NAMESPACE"] if with_namespace else []) + (["POD"] if containers else []) + ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    lines = [] if no_headers else ["".join(f"{c}\t" for c in cols)]
    tot_cpu = tot_mem = 0
    for pm, (cpu, mem) in keyed:
        prefix = (f"{pm['metadata']['namespace']}\t" if with_namespace else "")
        if containers:
            cs = list(pm["containers"])
            if sort_by in ("cpu", "memory"):   # ContainerMetricsSorter.Less
                i = 0 if sort_by == "cpu" else 1
                go_sort(cs, lambda x, y: _usage(x["usage"])[i] > _usage(y["usage"])[i])
            else:
                go_sort(cs, lambda x, y: x["name"] < y["name"])
            for c in cs:
                a, b = _usage(c["usage"])
                lines.append(f"{prefix}{pm['metadata']['name']}\t{c['name']}\t{cpu_cell(a)}\t{mem_cell(b)}\t")
        else:
            lines.append(f"{prefix}{pm['metadata']['name']}\t{cpu_cell(cpu)}\t{mem_cell(mem)}\t")
        tot_cpu, tot_mem = tot_cpu + cpu, tot_mem + mem
    if total:
        # kubectl counts the NAMESPACE and POD columns only when it prints the headers
        width = 3 if no_headers else len(cols)
        blanks = "\t" * (width - 2)
        lines.append(f"{blanks}________\t________\t")
        lines.append(f"{blanks}{cpu_cell(tot_cpu)}\t{mem_cell(tot_mem)}\t")
    return tabwrite("\n".join(lines) + "\n")


def node_rows(metrics: list[dict], available: dict[str, tuple[int, int]], missing: list[str], *,
              sort_by: str, no_headers: bool) -> str:
    """PrintNodeMetrics: usage and its share of each node's allocatable (or capacity)."""
    from pykubectl.printers.render import tabwrite
    keyed = [(nm, _usage(nm["usage"])) for nm in metrics]
    if sort_by in ("cpu", "memory"):   # NodeMetricsSorter.Less
        i = 0 if sort_by == "cpu" else 1
        go_sort(keyed, lambda x, y: x[1][i] > y[1][i])
    else:
        go_sort(keyed, lambda x, y: x[0]["metadata"]["name"] < y[0]["metadata"]["name"])
    lines = [] if no_headers else ["NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t"]
    for nm, (cpu, mem) in keyed:
        name = nm["metadata"]["name"]
        a_cpu, a_mem = available.get(name, (0, 0))
        pc = int(cpu / a_cpu * 100) if a_cpu else 0
        pm = int(mem / a_mem * 100) if a_mem else 0
        lines.append(f"{name}\t{cpu_cell(cpu)}\t{pc}%\t{mem_cell(mem)}\t{pm}%\t")
    for name in sorted(missing):
        lines.append(f"{name}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t")
    return tabwrite("\n".join(lines) + "\n")


def go_sort(data: list, less) -> None:
    """Go's sort.Sort (pattern-defeating quicksort, Go 1.19+) in place: not stable, so ties end
    where kubectl's sort leaves them for the same input order (the metrics API's)."""
    def swap(i, j):
        data[i], data[j] = data[j], data[i]

    def lt(i, j):
        return less(data[i], data[j])

    def insertion(a, b):
        for i in range(a + 1, b):
            j = i
            while j > a and lt(j, j - 1):
                swap(j, j - 1)
                j -= 1

    def sift_down(lo, hi, first):
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and lt(first + child, first + child + 1):
                child += 1
            if not lt(first + root, first + child):
                return
            swap(first + root, first + child)
            root = child

    def heap(a, b):
        hi = b - a
        for i in range((hi - 1) // 2, -1, -1):
            sift_down(i, hi, a)
        for i in range(hi - 1, -1, -1):
            swap(a, a + i)
            sift_down(0, i, a)

    def median(a, b, c, swaps):
        if lt(b, a):
            swaps[0] += 1
            a, b = b, a
        if lt(c, b):
            swaps[0] += 1
            b, c = c, b
        if lt(b, a):
            swaps[0] += 1
            a, b = b, a
        return b

    def choose_pivot(a, b):   # -> (pivot, hint: 0 unknown, 1 increasing, 2 decreasing)
        n, swaps = b - a, [0]
        i, j, k = a + n // 4, a + n // 4 * 2, a + n // 4 * 3
        if n >= 8:
            if n >= 50:
                i, j, k = (median(x - 1, x, x + 1, swaps) for x in (i, j, k))
            j = median(i, j, k, swaps)
        return j, (1 if swaps[0] == 0 else 2 if swaps[0] == 12 else 0)

    def partial_insertion(a, b) -> bool:
        i = a + 1
        for _ in range(5):
            while i < b and not lt(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < 50:
                return False
            swap(i, i - 1)
            if i - a >= 2:
                for j in range(i - 1, 0, -1):
                    if not lt(j, j - 1):
                        break
                    swap(j, j - 1)
            if b - i >= 2:
                for j in range(i + 1, b):
                    if not lt(j, j - 1):
                        break
                    swap(j, j - 1)
        return False

    def break_patterns(a, b):
        n = b - a
        if n >= 8:
            r = n
            modulus = 1 << n.bit_length()
            for idx in range(a + (n // 4) * 2 - 1, a + (n // 4) * 2 + 2):
                r ^= (r << 13) & 0xFFFFFFFFFFFFFFFF   # Go's xorshift: 13, 17, 5 on a uint64
                r ^= r >> 17
                r ^= (r << 5) & 0xFFFFFFFFFFFFFFFF
                other = r & (modulus - 1)
                if other >= n:
                    other -= n
                swap(idx, a + other)

    def partition_equal(a, b, pivot):
        swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not lt(a, i):
                i += 1
            while i <= j and lt(a, j):
                j -= 1
            if i > j:
                return i
            swap(i, j)
            i, j = i + 1, j - 1

    def partition(a, b, pivot):
        swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and lt(i, a):
            i += 1
        while i <= j and not lt(j, a):
            j -= 1
        if i > j:
            swap(j, a)
            return j, True
        swap(i, j)
        i, j = i + 1, j - 1
        while True:
            while i <= j and lt(i, a):
                i += 1
            while i <= j and not lt(j, a):
                j -= 1
            if i > j:
                break
            swap(i, j)
            i, j = i + 1, j - 1
        swap(j, a)
        return j, False

    def pdq(a, b, limit):
        balanced = partitioned = True
        while True:
            n = b - a
            if n <= 12:
                insertion(a, b)
                return
            if limit == 0:
                heap(a, b)
                return
            if not balanced:
                break_patterns(a, b)
                limit -= 1
            pivot, hint = choose_pivot(a, b)
            if hint == 2:
                data[a:b] = data[a:b][::-1]
                pivot, hint = (b - 1) - (pivot - a), 1
            if balanced and partitioned and hint == 1 and partial_insertion(a, b):
                return
            if a > 0 and not lt(a - 1, pivot):
                a = partition_equal(a, b, pivot)
                continue
            mid, partitioned = partition(a, b, pivot)
            left, right = mid - a, b - mid
            if left < right:
                balanced = left >= n // 8
                pdq(a, mid, limit)
                a = mid + 1
            else:
                balanced = right >= n // 8
                pdq(mid + 1, b, limit)
                b = mid

    if len(data) > 1:
        pdq(0, len(data), len(data).bit_length())


def go_duration(seconds: float) -> str:
    """time.Duration.String() for whole and fractional seconds: 5m0s, 1h2m3s, 4.5s."""
    neg, s = seconds < 0, abs(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    sec_s = f"{sec:.9f}".rstrip("0").rstrip(".") if sec != int(sec) else str(int(sec))
    out = (f"{int(h)}h" if h else "") + (f"{int(m)}m" if h or m else "") + f"{sec_s}s"
    return ("-" if neg else "") + out


# -- the command ----------------------------------------------------------------------------

def _with_view(cluster, fn):
    from pykubectl.controllers.manager import View
    with cluster.store.read() as t:
        return fn(View(t, cluster.apiserver))


def _served_metrics(client, plural: str, ns, selector: str, field_selector: str) -> list[dict]:
    """Metrics from the server's metrics.k8s.io (a remote cluster, or ours through `cluster
    serve`), or kubectl's error when discovery shows no metrics API."""
    from pykubectl.api.kinds import UnknownResource
    try:
        kind = client.resolve(f"{plural}.metrics.k8s.io")
    except UnknownResource:
        raise CLIError("Metrics API not available")
    return client.list(kind, ns, selector or None, field_selector or None)["items"]


def _pod_metrics(client, ns, pods, o, name):
    cluster = getattr(client, "cluster", None)
    now = client.now()
    if cluster is not None:
        from pykubectl.metrics.server import pod_metrics
        return now, _with_view(cluster, lambda v: pod_metrics(v, now, ns, pods=pods))
    fs = f"metadata.name={name}" if name else o.field_selector
    got = _served_metrics(client, "pods", ns, o.selector, fs)
    wanted = {(p["metadata"].get("namespace"), p["metadata"]["name"]) for p in pods}
    return now, [m for m in got if (m["metadata"].get("namespace"), m["metadata"]["name"]) in wanted]


def _node_metrics(client, wanted: set) -> list[dict]:
    cluster = getattr(client, "cluster", None)
    if cluster is not None:
        from pykubectl.metrics.server import node_metrics
        now = client.now()
        got = _with_view(cluster, lambda v: node_metrics(v, now))
    else:
        got = _served_metrics(client, "nodes", None, "", "")
    return [m for m in got if m["metadata"]["name"] in wanted]


def run(g, o, args):
    """Display resource (CPU/memory) usage."""
    from pykubectl.cli import flags as F
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(group_help())
        return
    sub = _ALIASES.get(args[0])
    if sub is None:
        # cobra runs the group itself for an unknown word: its help
        sys.stdout.write(group_help())
        return
    if "-h" in args[1:] or "--help" in args[1:]:
        sys.stdout.write(sub_help(sub))
        return
    flags = POD_FLAGS if sub == "pod" else NODE_FLAGS
    try:
        o, rest = F.parse(flags, args[1:])
    except F.FlagError as e:
        raise CLIError(f"{e}\nSee 'kubectl top {sub} --help' for usage.")
    if o.sort_by and o.sort_by not in ("cpu", "memory"):
        raise CLIError("--sort-by accepts only cpu or memory")
    if len(rest) > 1:
        raise CLIError("you can only specify one name")
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    name = rest[0] if rest else ""
    if sub == "pod":
        _top_pods(client, o, name)
    else:
        _top_nodes(client, o, name)


def _top_pods(client, o, name):
    if name and o.selector:
        raise CLIError("only one of NAME or --selector can be provided")
    all_ns = bool(o.all_namespaces)
    ns = None if all_ns else client.namespace
    kind = client.resolve("pods")
    if name:
        pods = [client.get(kind, ns, name)]
    else:
        pods = client.list(kind, ns, o.selector or None, o.field_selector or None)["items"]
    now, metrics = _pod_metrics(client, ns, pods, o, name)
    if not metrics:
        for p in pods:
            from pykubectl.store.clock import parse_time
            age = now - (parse_time(p["metadata"].get("creationTimestamp")) or now)
            if age > METRICS_CREATION_DELAY:
                raise CLIError(f"Metrics not available for pod {p['metadata'].get('namespace')}/{p['metadata']['name']}, "
                               f"age: {go_duration(age)}")
            raise CLIError("metrics not available yet")
        sys.stderr.write("No resources found\n" if all_ns else f"No resources found in {client.namespace} namespace.\n")
        return
    sys.stdout.write(pod_rows(metrics, containers=bool(o.containers), with_namespace=all_ns,
                              sort_by=o.sort_by or "", no_headers=bool(o.no_headers), total=bool(o.sum)))


def _top_nodes(client, o, name):
    from pykubectl.api.quantity import milli, value
    if name and o.selector:
        raise CLIError("only one of NAME or --selector can be provided")
    kind = client.resolve("nodes")
    nodes = [client.get(kind, None, name)] if name else client.list(kind, None, o.selector or None)["items"]
    wanted = {n["metadata"]["name"] for n in nodes}
    metrics = _node_metrics(client, wanted)
    if not metrics and not nodes:
        raise CLIError("metrics not available yet")
    field = "capacity" if o.show_capacity else "allocatable"
    available = {}
    for n in nodes:
        res = (n.get("status") or {}).get(field) or {}
        available[n["metadata"]["name"]] = (milli(res.get("cpu", "0")), value(res.get("memory", "0")))
    have = {m["metadata"]["name"] for m in metrics}
    sys.stdout.write(node_rows(metrics, available, [n for n in wanted if n not in have],
                               sort_by=o.sort_by or "", no_headers=bool(o.no_headers)))
