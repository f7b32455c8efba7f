"""Resource quantities as apimachinery's `resource.Quantity` parses and prints them.

Values are exact `Fraction`s, so `0.1 + 0.2` CPU is 300m, never 0.30000000000000004. The printed
form is Kubernetes' canonical one: the format (DecimalSI, BinarySI or DecimalExponent) comes from
the suffix the user wrote, and the number is the shortest integer mantissa with an exponent that
is a multiple of 3 (or of 10 in base 2) — which is why the apiserver stores `1000m` as `1` and
`1024Mi` as `1Gi`.
"""
from __future__ import annotations

import re
from fractions import Fraction

from pykubectl.api.errors import UserError

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

# The messages of apimachinery's ErrFormatWrong / ErrNumeric / ErrSuffix.
_SPLIT_RE = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT_WRONG = f"quantities must match the regular expression '{_SPLIT_RE}'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

_BIN = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DEC_SUFFIX = {v: k for k, v in _DEC.items()}
_BIN_SUFFIX = {v: k for k, v in _BIN.items()}
_BIN_SUFFIX[0] = ""

# sign, integer digits, optional fraction, then suffix letters and an optional signed exponent,
# the shape parseQuantityString walks character by character.
_TOKEN = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*)([-+]?[0-9]*)\Z")
_NANO = Fraction(1, 10**9)
_MAX = Fraction(2**63 - 1)   # apimachinery's maxAllowed


class QuantityError(UserError, ValueError):
    """A string that is not a Kubernetes quantity; the message is apimachinery's."""


def _parse(s) -> tuple[Fraction, str]:
    """(value, format) of a quantity string, number or Fraction."""
    if isinstance(s, bool):
        raise QuantityError(ERR_FORMAT_WRONG)
    if isinstance(s, Fraction):
        return s, DECIMAL_SI
    if isinstance(s, int):
        return Fraction(s), DECIMAL_SI
    if isinstance(s, float):
        # a JSON/YAML number reaches the apiserver as its text; repr is the shortest round-trip text
        s = repr(s)
        if s.endswith(".0"):
            s = s[:-2]
    if not isinstance(s, str) or not s:
        raise QuantityError(ERR_FORMAT_WRONG)
    m = _TOKEN.match(s)
    if not m:
        raise QuantityError(ERR_FORMAT_WRONG)
    sign, whole, frac, letters, exp = m.groups()
    if not whole and not frac:
        raise QuantityError(ERR_NUMERIC)
    suffix = letters + exp
    if suffix in _DEC:
        base, power, fmt = 10, _DEC[suffix], DECIMAL_SI
    elif suffix in _BIN:
        base, power, fmt = 2, _BIN[suffix], BINARY_SI
    elif len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[-+]?[0-9]+", suffix[1:]):
        base, power, fmt = 10, int(suffix[1:]), DECIMAL_EXPONENT
    else:
        raise QuantityError(ERR_SUFFIX)
    if not -(2**31) <= power < 2**31:
        raise QuantityError(ERR_SUFFIX)  # the exponent is parsed as an int32
    value = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    if value:
        # values beyond int64 are capped (and tiny ones round up to 1n below), so clamp the
        # exponent before raising to it: 1e999999999 must not take forever
        frac = frac or ""
        int_digits = len(whole.lstrip("0"))
        magnitude = power + (int_digits or -(len(frac) - len(frac.lstrip("0"))))
        if base == 10 and magnitude > 40:
            value, power = _MAX, 0
        elif base == 10 and magnitude < -40:
            value, power = Fraction(1, 10**30), 0
    value *= Fraction(base) ** power
    value = min(value, _MAX)
    if sign == "-":
        value = -value
    # ParseQuantity rounds anything finer than nano up (away from zero)
    return _round_up(value, _NANO), fmt


def _round_up(v: Fraction, unit: Fraction) -> Fraction:
    """Round away from zero to a multiple of `unit`, as inf.Dec's RoundUp does."""
    q = v / unit
    if q.denominator == 1:
        return v
    n = -(-abs(q.numerator) // q.denominator)
    return (n if v > 0 else -n) * unit


def parse_quantity(s: str | int | float) -> Fraction:
    """The exact value of a quantity: `parse_quantity("100m") == Fraction(1, 10)`."""
    return _parse(s)[0]


def _decimal_mantissa(v: Fraction) -> tuple[int, int]:
    """(mantissa, exponent) with v == mantissa * 10**exponent, exponent a multiple of 3, mantissa
    integral and as small as that allows (AsCanonicalBytes)."""
    # v has at most 9 decimals after parsing; scale up to an integer
    exp = 0
    while v.denominator != 1:
        v *= 10
        exp -= 1
    n = int(v)
    while n and n % 10 == 0:
        n //= 10
        exp += 1
    while exp % 3:
        n *= 10
        exp -= 1
    return n, exp


def format_quantity(value: Fraction | int, fmt: str = DECIMAL_SI) -> str:
    """The canonical text of `value` in the given format, as Quantity.String() prints it."""
    value = Fraction(value)
    if value == 0:
        return "0"
    if fmt == BINARY_SI:
        # small or non-integral binary quantities print as decimal to avoid rounding
        if -1024 < value < 1024 or value.denominator != 1:
            fmt = DECIMAL_SI
        else:
            n, power = int(value), 0
            while n % 1024 == 0 and power < 60:
                n //= 1024
                power += 10
            return f"{n}{_BIN_SUFFIX[power]}"
    n, exp = _decimal_mantissa(value)
    if fmt == DECIMAL_EXPONENT:
        return f"{n}e{exp}" if exp else str(n)
    if exp in _DEC_SUFFIX:
        return f"{n}{_DEC_SUFFIX[exp]}"
    # beyond exa or below nano, apimachinery falls back to an exponent
    return f"{n}e{exp}"


def canonical(s) -> str:
    """`canonical("1000m") == "1"`, `canonical("1024Mi") == "1Gi"`, `canonical("0.5") == "500m"`."""
    value, fmt = _parse(s)
    return format_quantity(value, fmt)


def _ceil_scaled(s, scale: int) -> int:
    v = parse_quantity(s) * scale
    n = -(-v.numerator // v.denominator) if v >= 0 else -(-(-v).numerator // v.denominator)
    return n


def milli(s) -> int:
    """MilliValue(): the quantity in thousandths, rounded up (CPU in millicores)."""
    return _ceil_scaled(s, 1000)


def value(s) -> int:
    """Value(): the quantity as an integer, rounded up (memory in bytes)."""
    return _ceil_scaled(s, 1)


def round_up_milli(s) -> str:
    """SetDefaults_ResourceList: round a quantity up to milli precision and print it canonically."""
    v, fmt = _parse(s)
    return format_quantity(_round_up(v, Fraction(1, 1000)), fmt)
