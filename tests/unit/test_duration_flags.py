"""Duration flags as pflag's: help prints the default unquoted (`--timeout=30s:`), and a value Go's
time.ParseDuration refuses is a flag error in its words, before the verb runs."""
from __future__ import annotations

import pytest

from pykubectl.cli.flags import Flag, FlagError, duration_error, help_lines, parse

GOOD = ["0", "30s", "1m30s", "1.5h", ".5s", "5.s", "-1s", "+2m", "300ms", "10us", "1µs", "2h45m0s"]

BAD = [
    ("", 'time: invalid duration ""'),
    ("abc", 'time: invalid duration "abc"'),
    ("-", 'time: invalid duration "-"'),
    ("5", 'time: missing unit in duration "5"'),
    ("1s2", 'time: missing unit in duration "1s2"'),
    ("5x", 'time: unknown unit "x" in duration "5x"'),
    ("3d", 'time: unknown unit "d" in duration "3d"'),
]


@pytest.mark.parametrize("value", GOOD)
def test_go_accepts(value):
    assert duration_error(value) is None


@pytest.mark.parametrize("value,message", BAD, ids=[b[0] or "empty" for b in BAD])
def test_go_refuses_in_its_words(value, message):
    assert duration_error(value) == message
    with pytest.raises(FlagError) as e:
        parse([Flag("timeout", kind="duration", default="30s")], [f"--timeout={value}"])
    assert str(e.value) == f'invalid argument "{value}" for "--timeout" flag: {message}'


def test_help_shows_the_default_unquoted():
    assert help_lines([Flag("timeout", kind="duration", default="30s", help="h")]) == "    --timeout=30s:\n\th\n"


@pytest.mark.parametrize("verb,line", [
    ("wait", "    --timeout=30s:"),
    ("delete", "    --timeout=0s:"),
    ("logs", "    --since=0s:"),
    ("rollout status", "    --timeout=0s:"),
])
def test_verbs_help_matches_kubectl(fresh, verb, line):
    r = fresh(*verb.split(), "--help")
    assert line in r.out.splitlines()


def test_a_bad_duration_is_a_usage_error(fresh):
    r = fresh("wait", "pod/x", "--timeout=5")
    assert (r.code, r.out) == (1, "")
    assert r.err == ('error: invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"\n'
                     "See 'kubectl wait --help' for usage.\n")
