"""Quantities parse exactly and print in Kubernetes' canonical form (what the apiserver stores)."""
from fractions import Fraction

import pytest

from pykubectl.api.quantity import (
    ERR_FORMAT_WRONG, ERR_NUMERIC, ERR_SUFFIX, QuantityError, canonical, format_quantity, milli,
    parse_quantity, round_up_milli, value,
)


@pytest.mark.parametrize("text,expected", [
    ("100m", Fraction(1, 10)),
    ("1", Fraction(1)),
    ("1.5", Fraction(3, 2)),
    ("2e3", Fraction(2000)),
    ("1E3", Fraction(1000)),           # E followed by digits is an exponent...
    ("1E", Fraction(10**18)),          # ...E alone is exa
    ("1Ki", Fraction(1024)),
    ("20Mi", Fraction(20 * 2**20)),
    ("1Gi", Fraction(2**30)),
    ("1G", Fraction(10**9)),
    ("-1k", Fraction(-1000)),
    ("+5", Fraction(5)),
    (".5", Fraction(1, 2)),
    ("1.", Fraction(1)),
    ("1n", Fraction(1, 10**9)),
    ("0.0000000001", Fraction(1, 10**9)),  # finer than nano rounds up
    ("1e999999999", Fraction(2**63 - 1)),  # capped at int64, and without computing 10**999999999
    ("1e-999999999", Fraction(1, 10**9)),
    ("20E", Fraction(2**63 - 1)),
    (2, Fraction(2)),
    (0.5, Fraction(1, 2)),
], ids=lambda v: str(v))
def test_parse(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text,message", [
    ("", ERR_FORMAT_WRONG),
    ("abc", ERR_FORMAT_WRONG),
    ("1 Gi", ERR_FORMAT_WRONG),
    ("1.2.3", ERR_FORMAT_WRONG),
    (".", ERR_NUMERIC),
    ("1mi", ERR_SUFFIX),
    ("1e", ERR_SUFFIX),
    ("1Gi3", ERR_SUFFIX),
    ("1e9999999999", ERR_SUFFIX),
], ids=["empty", "letters", "space", "two-dots", "dot-only", "bad-suffix", "bare-e", "suffix-digits",
        "exponent-beyond-int32"])
def test_parse_errors(text, message):
    with pytest.raises(QuantityError) as e:
        parse_quantity(text)
    assert str(e.value) == message


def test_format_wrong_message_names_the_regex():
    assert ERR_FORMAT_WRONG == ("quantities must match the regular expression "
                                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize("text,expected", [
    ("1000m", "1"),
    ("1024Mi", "1Gi"),
    ("0.5", "500m"),
    ("1.5", "1500m"),
    ("1500", "1500"),
    ("1000", "1k"),
    ("1500000", "1500k"),
    ("1536Mi", "1536Mi"),
    ("1.5Gi", "1536Mi"),
    ("0.5Gi", "512Mi"),
    ("512", "512"),
    ("0.5Ki", "512"),          # binary below 1024 prints as decimal
    ("1.5Ki", "1536"),
    ("100m", "100m"),
    ("0", "0"),
    ("0Gi", "0"),
    ("2e3", "2e3"),
    ("1500e0", "1500"),
    ("1e-3", "1e-3"),
    ("10G", "10G"),
    ("1G", "1G"),
    ("-100m", "-100m"),
    ("0.1234567891", "123456790n"),
    (1, "1"),
    (0.25, "250m"),
], ids=lambda v: str(v))
def test_canonical(text, expected):
    assert canonical(text) == expected


@pytest.mark.parametrize("value_,fmt,expected", [
    (Fraction(2**30), "BinarySI", "1Gi"),
    (Fraction(2**30), "DecimalSI", "1073741824"),
    (Fraction(3, 2), "BinarySI", "1500m"),   # not an integer: falls back to decimal
    (Fraction(5000), "DecimalExponent", "5e3"),
    (Fraction(1, 10), "DecimalSI", "100m"),
], ids=["gi", "gi-as-decimal", "binary-fraction", "exponent", "milli"])
def test_format(value_, fmt, expected):
    assert format_quantity(value_, fmt) == expected


@pytest.mark.parametrize("text,millis,units", [
    ("100m", 100, 1),
    ("1", 1000, 1),
    ("1.5", 1500, 2),
    ("0.1m", 1, 1),            # rounds up
    ("1Gi", 2**30 * 1000, 2**30),
    ("250m", 250, 1),
], ids=lambda v: str(v))
def test_milli_and_value_round_up(text, millis, units):
    assert milli(text) == millis
    assert value(text) == units


@pytest.mark.parametrize("text,expected", [
    ("0.1m", "1m"),
    ("1500u", "2m"),
    ("100m", "100m"),
    ("1Gi", "1Gi"),
], ids=["sub-milli", "micro", "milli", "binary"])
def test_round_up_milli(text, expected):
    assert round_up_milli(text) == expected
