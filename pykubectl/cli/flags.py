"""Flags as kubectl parses them (spf13/pflag under cobra), declared as data.

kubectl's verbs follow pflag's rules, which a learner's scripts rely on: flags and arguments
interleave; `--flag=value`, `--flag value`, `-o yaml`, `-oyaml`, `-o=yaml`; booleans take an
optional `=true|false` and never consume the next word; a flag with a no-option default
(`--dry-run` -> "unchanged") takes a value only after `=`; `--` ends the flags. Errors carry
pflag's wording. (click does not parse this way, and its import alone costs more than our whole
`get`; the emulator-only `cluster` and `sim` groups still use click.)
"""
from __future__ import annotations


_TRUE = ("1", "t", "T", "true", "TRUE", "True")
_FALSE = ("0", "f", "F", "false", "FALSE", "False")


class FlagError(Exception):
    """pflag's parse errors; the CLI adds `See 'kubectl <verb> --help' for usage.`"""


class Flag:
    """One flag: long name, shorthand, kind (string | bool | int | duration | array | slice), default, help;
    `no_opt` is pflag's NoOptDefVal, the value when the flag is given bare."""

    __slots__ = ("name", "short", "kind", "default", "help", "no_opt", "dest", "hidden")

    def __init__(self, name: str, short: str = "", kind: str = "string", default: object = None,
                 help: str = "", no_opt: str | None = None, dest: str = "", hidden: bool = False):
        self.name, self.short, self.kind, self.help, self.hidden = name, short, kind, help, hidden
        self.dest = dest or name.replace("-", "_")
        self.no_opt = "true" if kind == "bool" and no_opt is None else no_opt
        self.default = {"bool": False, "array": [], "slice": []}.get(kind) if default is None else default


class Options(dict):
    """Parsed flags: attribute access by dest; `changed` names the flags given."""

    def __init__(self):
        super().__init__()
        self.changed: set[str] = set()
        self.args_len_at_dash = -1

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


def _convert(flag: Flag, raw: str, shown: str):
    if flag.kind == "bool":
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise FlagError(f'invalid argument "{raw}" for "{shown}" flag: strconv.ParseBool: parsing "{raw}": invalid syntax')
    if flag.kind == "int":
        try:
            return int(raw, 10)
        except ValueError:
            raise FlagError(f'invalid argument "{raw}" for "{shown}" flag: strconv.ParseInt: parsing "{raw}": invalid syntax') from None
    if flag.kind == "duration":
        problem = duration_error(raw)
        if problem:
            raise FlagError(f'invalid argument "{raw}" for "{shown}" flag: {problem}')
    return raw


_UNITS = ("ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h")


def duration_error(s: str) -> str | None:
    """What Go's time.ParseDuration says of s, or None when s is a valid duration (the verb
    converts it); pflag's duration flags reject bad values before the verb runs."""
    q = '"' + s + '"'
    rest = s[1:] if s[:1] in ("+", "-") else s
    if rest == "0":
        return None
    if not rest:
        return f"time: invalid duration {q}"
    while rest:
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        j = i
        if j < len(rest) and rest[j] == ".":
            j += 1
            while j < len(rest) and rest[j].isdigit():
                j += 1
        if j == 0 or rest[:j] == ".":
            return f"time: invalid duration {q}"
        k = j
        while k < len(rest) and not (rest[k].isdigit() or rest[k] == "."):
            k += 1
        unit = rest[j:k]
        if not unit:
            return f"time: missing unit in duration {q}"
        if unit not in _UNITS:
            return f'time: unknown unit "{unit}" in duration {q}'
        rest = rest[k:]
    return None


def _shown(flag: Flag) -> str:
    return f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"


def _set(o: Options, flag: Flag, raw: str, shown: str):
    val = _convert(flag, raw, shown)
    if flag.kind == "array":
        if flag.dest not in o.changed:
            o[flag.dest] = []
        o[flag.dest].append(val)
    elif flag.kind == "slice":
        if flag.dest not in o.changed:
            o[flag.dest] = []
        o[flag.dest].extend(v for v in val.split(",") if v != "" or val == "")
    else:
        o[flag.dest] = val
    o.changed.add(flag.dest)


def parse(flags: list[Flag], argv: list[str]) -> tuple[Options, list[str]]:
    """Parse argv with pflag's rules; returns (options, positional arguments)."""
    longs = {f.name: f for f in flags}
    shorts = {f.short: f for f in flags if f.short}
    o = Options()
    for f in flags:
        o[f.dest] = list(f.default) if isinstance(f.default, list) else f.default
    args: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            o.args_len_at_dash = len(args)   # pflag's ArgsLenAtDash
            args.extend(argv[i:])
            break
        if a.startswith("--") and len(a) > 2:
            name, eq, val = a[2:].partition("=")
            if name.startswith("-") or not name:
                raise FlagError(f"bad flag syntax: {a}")
            flag = longs.get(name)
            if flag is None:
                raise FlagError(f"unknown flag: --{name}")
            shown = f"--{name}"
            if eq:
                _set(o, flag, val, shown)
            elif flag.no_opt is not None:
                _set(o, flag, flag.no_opt, shown)
            elif i < len(argv):
                _set(o, flag, argv[i], shown)
                i += 1
            else:
                raise FlagError(f"flag needs an argument: --{name}")
        elif a.startswith("-") and len(a) > 1:
            rest = a[1:]
            while rest:
                c, rest = rest[0], rest[1:]
                flag = shorts.get(c)
                if flag is None:
                    raise FlagError(f"unknown shorthand flag: '{c}' in -{a[1:]}")
                shown = f"-{c}"
                if rest.startswith("="):
                    _set(o, flag, rest[1:], shown)
                    rest = ""
                elif flag.no_opt is not None:
                    _set(o, flag, flag.no_opt, shown)
                elif rest:
                    _set(o, flag, rest, shown)
                    rest = ""
                elif i < len(argv):
                    _set(o, flag, argv[i], shown)
                    i += 1
                else:
                    raise FlagError(f"flag needs an argument: '{c}' in -{c}")
        else:
            args.append(a)
    return o, args


def help_lines(flags: list[Flag]) -> str:
    """The `Options:` block of kubectl's help."""
    out = []
    for f in flags:
        if f.hidden:
            continue
        head = f"    -{f.short}, --{f.name}" if f.short else f"    --{f.name}"
        d = f.default
        if f.kind == "bool":
            head += f"={'true' if d else 'false'}"
        elif f.kind in ("array", "slice"):
            head += "=[]"
        elif f.kind in ("int", "duration"):
            head += f"={d}"
        else:
            head += f"='{d or ''}'"
        out.append(head + ":\n\t" + f.help.replace("\n", "\n\t") + "\n")
    return "\n".join(out)


# flags many verbs share, as kubectl's genericclioptions declares them
def filename_flags(what: str = "the resource", article: str = "a") -> list[Flag]:
    return [Flag("filename", "f", "slice", help=f"The files that contain the configurations to {what}."),
            Flag("recursive", "R", "bool", help="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
            Flag("kustomize", "k", help=f"Process {article} kustomization directory. This flag can't be used together with -f or -R.")]


DRY_RUN = Flag("dry-run", kind="string", default="none", no_opt="unchanged",
               help='Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.')
