"""The two clocks and Go-style durations."""
import pytest

from pykubectl.store.clock import Clock, parse_duration, parse_time, rfc3339


@pytest.mark.parametrize("text,seconds", [
    ("30s", 30), ("1m30s", 90), ("1.5h", 5400), ("10m", 600), ("2d", 172800), ("500ms", 0.5), ("45", 45),
], ids=lambda v: str(v))
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["", "abc", "10x", "s10", "1m-3s"])
def test_parse_duration_refuses(bad):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(bad)


def test_virtual_clock_moves_only_when_told():
    wall = iter([1000.0, 2000.0, 3000.0]).__next__
    c = Clock("virtual", virtual_now=500.0, wall=wall)
    assert c.now() == 500.0
    c.set(530.0)
    assert c.now() == 530.0
    c.set(100.0)  # never backwards
    assert c.now() == 530.0


def test_real_clock_keeps_an_offset_and_reports_skew():
    t = [1000.0]
    c = Clock("real", wall=lambda: t[0])
    c.set(1030.0)
    t[0] = 1010.0
    assert c.now() == pytest.approx(1040.0)
    assert c.skew() == pytest.approx(30.0)


def test_timestamps_round_trip_at_second_precision():
    assert rfc3339(1767225600.9) == "2026-01-01T00:00:00Z"
    assert parse_time("2026-01-01T00:00:00Z") == 1767225600.0
