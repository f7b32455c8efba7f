"""Flags as pflag parses them: booleans take an optional `=true|false` (`--wait=false`) and never
consume the next argument."""
from __future__ import annotations

import click

_TRUE = ("1", "t", "true", "T", "TRUE", "True")
_FALSE = ("0", "f", "false", "F", "FALSE", "False")


def bool_flag(*names, default=False, help=None):
    """A boolean flag: `--x` / `--x=true` is true, `--x=false` false."""
    longs = [n for n in names if n.startswith("--")]
    others = [n for n in names if not n.startswith("--")]
    decl = f"{longs[0]}/--no-{longs[0][2:]}"
    return click.option(decl, *[n for n in others], *longs[1:], default=default, help=help,
                        show_default=False)


def _rewrite(cmd: click.Command, args: list[str]) -> list[str]:
    flags = {}
    for p in cmd.params:
        if isinstance(p, click.Option) and p.is_flag and p.secondary_opts:
            for o in p.opts:
                if o.startswith("--"):
                    flags[o] = p.secondary_opts[0]
    out = []
    for a in args:
        if a == "--":
            out.extend(args[len(out):])
            break
        name, eq, val = a.partition("=")
        if eq and name in flags:
            if val in _TRUE:
                out.append(name)
                continue
            if val in _FALSE:
                out.append(flags[name])
                continue
            raise click.UsageError(f'invalid argument "{val}" for "{name}" flag: strconv.ParseBool: parsing "{val}": invalid syntax')
        out.append(a)
    return out


class KCommand(click.Command):
    def parse_args(self, ctx, args):
        return super().parse_args(ctx, _rewrite(self, args))


class KGroup(click.Group):
    command_class = KCommand

