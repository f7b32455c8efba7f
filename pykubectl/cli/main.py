"""The root command: kubectl's global flags (accepted anywhere on the line, as cobra's persistent
flags are), a lazy verb registry so one verb does not import the others, and the one error
boundary around it all (cli/errors.py)."""
from __future__ import annotations

import os
import sys

# verb -> module under pykubectl.cli; each module has `command` (a click command)
VERBS = {
    "apply": "apply",
    "create": "create",
    "get": "get",
    "delete": "delete",
    "describe": "describe",
    "label": "label",
    "annotate": "annotate",
    "taint": "taint",
    "patch": "patch",
    "replace": "replace",
    "edit": "edit",
    "scale": "scale",
    "events": "events",
    "api-resources": "api_resources",
    "api-versions": "api_versions",
    "cluster-info": "cluster_info",
    "explain": "explain",
    "proxy": "proxy",
    "rollout": "rollout",
    "set": "set_",
    "cordon": "cordon",
    "uncordon": "uncordon",
    "drain": "drain",
    "exec": "exec_",
    "logs": "logs",
    "attach": "attach",
    "debug": "debug",
    "cp": "cp",
    "port-forward": "port_forward",
    "top": "top",
    "autoscale": "autoscale",
    "expose": "expose",
    "run": "run_",
    "config": "config",
    "auth": "auth",
    "wait": "wait",
    "diff": "diff",
    "completion": "completion",
    "cluster": "cluster",
    "sim": "sim",
    "version": "version",
}

# global flags that take a value: name -> options key
_GLOBAL_VALUE = {
    "--kubeconfig": "kubeconfig", "--context": "context", "-n": "namespace",
    "--namespace": "namespace", "--as": "as_user", "--as-group": "as_group",
    "--cluster": "cluster", "--user": "user", "-s": "server", "--server": "server",
    "--request-timeout": "request_timeout", "-v": "v", "--v": "v", "--token": "token",
}
_GLOBAL_BOOL = {"--insecure-skip-tls-verify": "insecure", "--warnings-as-errors": "warnings_as_errors"}


class Globals:
    """kubectl's persistent flags, plus the environment the command runs in."""

    def __init__(self):
        self.kubeconfig = None
        self.context = None
        self.namespace = None
        self.as_user = None
        self.as_group: list[str] = []
        self.cluster = None
        self.user = None
        self.server = None
        self.request_timeout = None
        self.v = None
        self.token = None
        self.insecure = False
        self.warnings_as_errors = False
        self.env = os.environ


def split_globals(argv: list[str], local: frozenset = frozenset()) -> tuple[Globals, list[str]]:
    """Take the global flags out of argv wherever they stand (up to a bare `--`). Names in
    `local` are the verb's own flags, which shadow the global ones as cobra's local flags do
    (`create rolebinding --user`)."""
    g = Globals()
    rest: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest.extend(argv[i:])
            break
        name, eq, val = a.partition("=")
        if name in local:
            rest.append(a)
        elif name in _GLOBAL_VALUE and not (name == "-n" and eq):
            key = _GLOBAL_VALUE[name]
            if not eq:
                if i + 1 >= len(argv):
                    raise UsageError(f"flag needs an argument: {name!r} in {name}")
                val = argv[i + 1]
                i += 1
            if key == "as_group":
                g.as_group.append(val)
            else:
                setattr(g, key, val)
        elif a.startswith("-n") and len(a) > 2 and not a.startswith("--"):
            g.namespace = a[2:].lstrip("=")
        elif name in _GLOBAL_BOOL:
            setattr(g, _GLOBAL_BOOL[name], val.lower() != "false" if eq else True)
        else:
            rest.append(a)
            if rest[:2] in (["sim", "curl"], ["sim", "ssh"]):
                # curl's own -s/-v and a node command's flags are not kubectl's globals
                rest.extend(argv[i + 1:])
                break
        i += 1
    return g, rest


class UsageError(Exception):
    pass


def _load_verb(name: str):
    import importlib
    return importlib.import_module(f"pykubectl.cli.{VERBS[name]}")


def run(argv: list[str], out=None, err=None) -> int:
    """Run one command line; returns the exit code. Everything raised is turned into kubectl's
    kind of answer here and only here."""
    from pykubectl.cli import errors as E
    err = err or sys.stderr
    try:
        g, rest = split_globals(argv)
        if g.as_group and not g.as_user:
            raise E.CLIError("requesting uid, groups or user-extra for test without impersonating a user")
        if not rest or rest[0] in ("-h", "--help", "help"):
            (out or sys.stdout).write(_root_help())
            return 0
        verb = rest[0]
        if verb not in VERBS:
            raise E.CLIError(f'unknown command "{verb}" for "kubectl"')
        try:
            mod = _load_verb(verb)
        except ModuleNotFoundError as e:
            if e.name != f"pykubectl.cli.{VERBS[verb]}":
                raise
            raise E.CLIError(f'"{verb}" is not implemented in pykubectl yet')
        if hasattr(mod, "command"):        # a click group of our own (cluster, sim)
            return _run_click(mod.command, verb, rest[1:], g)
        if getattr(mod, "RAW_ARGS", False):   # a verb with subcommands parses its own flags
            mod.run(g, None, rest[1:])
            return 0
        from pykubectl.cli import flags as F
        if "-h" in rest[1:] or "--help" in rest[1:rest.index("--") if "--" in rest else None]:
            text = mod.help_for(rest[1:]) if hasattr(mod, "help_for") else None
            (out or sys.stdout).write(text or verb_help(verb, mod))
            return 0
        local = frozenset(f"--{f.name}" for f in mod.FLAGS if f"--{f.name}" in _GLOBAL_VALUE or f"--{f.name}" in _GLOBAL_BOOL)
        if local:
            g, rest = split_globals(argv, local)
        try:
            o, args = F.parse(mod.FLAGS, rest[1:])
        except F.FlagError as e:
            raise E.CLIError(f"{e}\nSee 'kubectl {verb} --help' for usage.")
        mod.run(g, o, args)
        return 0
    except UsageError as e:
        err.write(f"error: {e}\n")
        return 1
    except BaseException as e:  # the one error boundary
        return E.handle(e, err)


def _run_click(cmd, verb, args, g) -> int:
    import click
    from pykubectl.cli.errors import CLIError
    try:
        cmd.main(args=args, prog_name=f"pykubectl {verb}", standalone_mode=False, obj=g)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.UsageError as e:
        raise CLIError(e.format_message())
    except click.Abort:
        return 1
    return 0


def verb_help(verb: str, mod) -> str:
    from pykubectl.cli.flags import help_lines
    parts = [getattr(mod, "LONG", mod.__doc__ or "").strip() + "\n"]
    if getattr(mod, "EXAMPLES", ""):
        # cobra indents the blank lines between examples too
        lines = mod.EXAMPLES.rstrip().split("\n")
        parts.append("Examples:\n" + "\n".join(ln if ln.strip() else "  " for ln in lines) + "\n")
    # pflag lists a command's flags sorted by name
    parts.append("Options:\n" + help_lines(sorted(mod.FLAGS, key=lambda f: f.name)))
    parts.append("Usage:\n  " + getattr(mod, "USAGE", f"kubectl {verb} [options]") + "\n")
    parts.append('Use "kubectl options" for a list of global command-line options (applies to all commands).\n')
    return "\n".join(parts)


def _root_help() -> str:
    return ("kubectl controls the Kubernetes cluster manager.\n\n"
            " Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\n"
            "Basic Commands:\n  create          Create a resource from a file or from stdin\n"
            "  get             Display one or many resources\n"
            "  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector\n\n"
            "Advanced Commands:\n  apply           Apply a configuration to a resource by file name or stdin\n\n"
            "Emulator Commands:\n  cluster         Create, list, reset and delete local clusters\n"
            "  sim             The cluster's clock and simulated machines\n\n"
            "Usage:\n  kubectl [flags] [options]\n")


def main() -> None:
    code = run(sys.argv[1:])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    sys.exit(code)
