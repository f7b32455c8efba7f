"""pykubectl completion bash|zsh|fish, and the hidden `completion __complete -- WORDS...` entry the
scripts call on every <TAB>.

The scripts are thin: all knowledge lives here, taken from the CLI's own tables (the VERBS
registry, each verb's FLAGS, the click groups' subcommands) and from the current cluster (kinds,
names, namespaces) and kubeconfig (contexts), so nothing is kept twice. The files under
`completions/` are this module's output (a test keeps them equal).
"""
from __future__ import annotations

import sys

from pykubectl.cli.errors import CLIError

RAW_ARGS = True      # `completion` parses its own arguments (__complete passes words through)

USAGE = "kubectl completion SHELL [options]"
LONG = """Output shell completion code for the specified shell (bash, zsh, fish). The shell code must be evaluated to provide interactive completion of pykubectl commands.  This can be done by sourcing it from the .bash_profile."""
EXAMPLES = """  # Load the pykubectl completion code for bash into the current shell
  source <(pykubectl completion bash)
  
  # Load the pykubectl completion code for zsh into the current shell
  source <(pykubectl completion zsh)
  
  # Load the pykubectl completion code for fish into the current shell
  pykubectl completion fish | source
"""
FLAGS: list = []
SHELLS = ("bash", "zsh", "fish")

# verbs whose first argument is a resource type and the next ones names of that type
_TYPED = {"get", "describe", "delete", "edit", "label", "annotate", "patch", "scale", "wait",
          "autoscale", "expose", "replace"}
_KINDS_ONLY = {"explain"}
# verbs whose arguments are names of one kind
_NAMED = {"logs": "pods", "exec": "pods", "attach": "pods", "port-forward": "pods",
          "cordon": "nodes", "uncordon": "nodes", "drain": "nodes", "taint": "nodes"}
_SUBCOMMANDS = {
    "config": ["current-context", "delete-cluster", "delete-context", "delete-user", "get-clusters",
               "get-contexts", "get-users", "rename-context", "set", "set-cluster", "set-context",
               "set-credentials", "unset", "use-context", "view"],
    "rollout": ["history", "pause", "restart", "resume", "status", "undo"],
    "set": ["env", "image", "resources", "selector", "serviceaccount", "subject"],
    "create": ["clusterrole", "clusterrolebinding", "configmap", "cronjob", "deployment",
               "ingress", "job", "namespace", "poddisruptionbudget", "priorityclass", "quota",
               "role", "rolebinding", "secret", "service", "serviceaccount", "token"],
    "auth": ["can-i", "reconcile", "whoami"],
    "completion": list(SHELLS),
}
_CONTEXT_ARG = {"use-context", "delete-context", "rename-context", "set-context"}
_OUTPUTS = ["json", "yaml", "name", "wide", "go-template=", "go-template-file=", "template=",
            "templatefile=", "jsonpath=", "jsonpath-as-json=", "jsonpath-file=", "custom-columns=",
            "custom-columns-file="]
_VALUE_FLAGS = ("-n", "--namespace", "--context", "-o", "--output", "--cluster", "--user")
_GLOBAL_FLAGS = ["--as", "--as-group", "--cluster", "--context", "--insecure-skip-tls-verify",
                 "--kubeconfig", "--namespace", "--request-timeout", "--server", "--token",
                 "--user", "--warnings-as-errors"]


def run(g, o, args):
    """Output shell completion code for the specified shell (bash, zsh, fish)."""
    if args[:1] == ["__complete"]:
        words = args[1:]
        if words[:1] == ["--"]:
            words = words[1:]
        sys.stdout.write("".join(c + "\n" for c in complete(words or [""], g.env)))
        return
    if any(a in ("-h", "--help") for a in args):
        from pykubectl.cli.main import verb_help
        sys.stdout.write(verb_help("completion", sys.modules[__name__]))
        return
    see = "\nSee 'kubectl completion -h' for help and examples"
    if not args:
        raise CLIError("Shell not specified." + see)
    if len(args) > 1:
        raise CLIError("Too many arguments. Expected only the shell type." + see)
    if args[0] not in SHELLS:
        raise CLIError(f'Unsupported shell type "{args[0]}".' + see)
    sys.stdout.write(script(args[0]))


# ---------------------------------------------------------------- what to offer

def complete(words: list[str], env=None) -> list[str]:
    """Candidates for the last word of `pykubectl WORDS...` (the last word may be empty).
    Never raises: a completion that fails offers nothing."""
    # bash splits `--namespace=ku` at "=" and completes only `ku`: answer bare values then
    bash_split = "=" in words[-2:]
    try:
        return _complete(_join_equals(words), env, bash_split)
    except Exception:       # noqa: BLE001 - a <TAB> must never print a traceback
        return []


def _join_equals(words: list[str]) -> list[str]:
    # bash splits `--namespace=kube` into `--namespace`, `=`, `kube` (COMP_WORDBREAKS)
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w == "=" and out and out[-1].startswith("-") and "=" not in out[-1]:
            out[-1] += "="
            if i + 1 < len(words):
                out[-1] += words[i + 1]
                i += 1
        else:
            out.append(w)
        i += 1
    return out


def _complete(words: list[str], env, bash_split: bool = False) -> list[str]:
    import os
    from pykubectl.cli.main import VERBS, split_globals
    env = env if env is not None else os.environ
    cur = words[-1]
    before = words[:-1]
    prev = before[-1] if before else ""

    # a flag's value: `-n <TAB>`, `--context=<TAB>`, `-o <TAB>`
    flag, value_prefix = None, ""
    if cur.startswith("--") and "=" in cur:
        flag, _, cur = cur.partition("=")
        value_prefix = "" if bash_split else flag + "="
    elif prev in _VALUE_FLAGS:
        flag, before = prev, before[:-1]
    g, rest = split_globals(before)
    g.env = env
    if flag is not None:
        vals = _flag_values(flag, g)
        return [value_prefix + v for v in vals if v.startswith(cur)]

    if not rest:
        return sorted(v for v in VERBS if v.startswith(cur))
    verb = rest[0]
    if verb not in VERBS:
        return []
    if cur.startswith("-"):
        return [f for f in _flags_of(verb, rest[1:]) if f.startswith(cur)]
    args = _positionals(verb, rest[1:])
    if verb in ("cluster", "sim"):
        return _click_words(verb, args, cur)
    if verb in _SUBCOMMANDS and not args:
        return [s for s in _SUBCOMMANDS[verb] if s.startswith(cur)]
    if verb == "config":
        if args[0] in _CONTEXT_ARG and len(args) == 1:
            return [c for c in _contexts(g) if c.startswith(cur)]
        return []
    if verb == "rollout":
        verb, args = "get", args[1:]
    if verb in _NAMED:
        return [n for n in _names(g, _NAMED[verb]) if n.startswith(cur)] if not args else []
    if verb in _KINDS_ONLY:
        return [k for k in _kinds(g) if k.startswith(cur)] if not args else []
    if verb not in _TYPED:
        return []
    if "/" in cur:
        typ, _, part = cur.partition("/")
        return [f"{typ}/{n}" for n in _names(g, typ) if n.startswith(part)]
    if not args:
        return [k for k in _kinds(g) if k.startswith(cur)]
    if "," in args[0] or "/" in args[0]:
        return []
    return [n for n in _names(g, args[0]) if n.startswith(cur) and n not in args[1:]]


def _positionals(verb: str, words: list[str]) -> list[str]:
    """The verb's arguments, leaving out its flags and their separate values (`-o yaml`)."""
    from pykubectl.cli.main import _load_verb
    takes_value = set()
    for f in getattr(_load_verb(verb), "FLAGS", ()):
        if f.kind != "bool" and f.no_opt is None:
            takes_value.update({f"--{f.name}", f"-{f.short}" if f.short else None})
    out, skip = [], False
    for w in words:
        if skip:
            skip = False
        elif w.startswith("-"):
            skip = w in takes_value
        else:
            out.append(w)
    return out


def _flag_values(flag: str, g) -> list[str]:
    if flag in ("-n", "--namespace"):
        return _names(g, "namespaces")
    if flag == "--context":
        return _contexts(g)
    if flag in ("-o", "--output"):
        return list(_OUTPUTS)
    if flag in ("--cluster", "--user"):
        from pykubectl.cli.context import load_kubeconfig
        kc = load_kubeconfig(g)
        return sorted(kc.clusters() if flag == "--cluster" else kc.users())
    return []


def _flags_of(verb: str, rest: list[str]) -> list[str]:
    from pykubectl.cli.main import _load_verb
    mod = _load_verb(verb)
    names: list[str] = []
    for f in getattr(mod, "FLAGS", ()):
        if not getattr(f, "hidden", False):
            names.append(f"--{f.name}")
    if hasattr(mod, "command"):     # click groups: the options of the chosen subcommand
        sub = mod.command
        for w in rest:
            if w.startswith("-"):
                continue
            nxt = getattr(sub, "commands", {}).get(w)
            if nxt is None:
                break
            sub = nxt
        for p in getattr(sub, "params", ()):
            names.extend(o for o in getattr(p, "opts", ()) if o.startswith("--"))
    return sorted(set(names) | set(_GLOBAL_FLAGS))


def _click_words(verb: str, args: list[str], cur: str) -> list[str]:
    from pykubectl.cli.main import _load_verb
    sub = _load_verb(verb).command
    for w in args:
        nxt = getattr(sub, "commands", {}).get(w)
        if nxt is None:
            return []
        sub = nxt
    return sorted(n for n, c in getattr(sub, "commands", {}).items()
                  if n.startswith(cur) and not getattr(c, "hidden", False))


def _contexts(g) -> list[str]:
    from pykubectl.cli.context import load_kubeconfig
    return sorted(load_kubeconfig(g).contexts())


def _kinds(g) -> list[str]:
    """Resource types as `api-resources -o name` prints them: `pods`, `deployments.apps`."""
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    server = getattr(client, "server", None)
    if server is None:
        return []
    out = []
    for k in server.registry_with_crds().in_discovery_order():
        if "/" in k.plural or (k.verbs and "list" not in k.verbs):
            continue
        out.append(k.resource)
    return sorted(set(out))


def _names(g, typ: str) -> list[str]:
    from pykubectl.cli.context import client as make_client
    client = make_client(g)
    kind = client.resolve(typ)
    ns = client.namespace if kind.namespaced else None
    items = client.list(kind, ns)["items"]
    return sorted((o.get("metadata") or {}).get("name", "") for o in items)


# ---------------------------------------------------------------- the scripts

def script(shell: str) -> str:
    """The completion script for a shell: each <TAB> asks `pykubectl completion __complete`."""
    return {"bash": _BASH, "zsh": _ZSH, "fish": _FISH}[shell]


_BASH = r"""# bash completion for pykubectl                            -*- shell-script -*-
# generated by `pykubectl completion bash`; every <TAB> asks pykubectl itself.

_pykubectl_complete()
{
    local cur="${COMP_WORDS[COMP_CWORD]}"
    # `--namespace=kube`: bash splits at "=", and the word being completed is what follows it
    if [[ "$cur" == "=" ]]; then
        cur=""
    fi
    local IFS=$'\n'
    local candidates
    candidates=$("${COMP_WORDS[0]}" completion __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
    COMPREPLY=()
    local c
    for c in $candidates; do
        if [[ "$c" == "$cur"* ]]; then
            COMPREPLY+=("$c")
        fi
    done
    # an output format that takes a value (jsonpath=) or a TYPE/ prefix waits for more
    if [[ ${#COMPREPLY[@]} -eq 1 && ( "${COMPREPLY[0]}" == *= || "${COMPREPLY[0]}" == */ ) ]]; then
        compopt -o nospace 2>/dev/null
    fi
}

complete -o default -F _pykubectl_complete pykubectl
"""

_ZSH = r"""#compdef pykubectl
# zsh completion for pykubectl, generated by `pykubectl completion zsh`;
# every <TAB> asks pykubectl itself.

_pykubectl() {
    local -a candidates
    candidates=("${(@f)$(${words[1]} completion __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    candidates=(${candidates:#})
    if (( ${#candidates} )); then
        compadd -Q -- "${candidates[@]}"
    else
        _files
    fi
}

if [ "$funcstack[1]" = "_pykubectl" ]; then
    _pykubectl "$@"
else
    compdef _pykubectl pykubectl
fi
"""

_FISH = r"""# fish completion for pykubectl, generated by `pykubectl completion fish`;
# every <TAB> asks pykubectl itself.

function __pykubectl_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    $words[1] completion __complete -- $words[2..-1] $cur 2>/dev/null
end

complete -c pykubectl -f -a '(__pykubectl_complete)'
"""
