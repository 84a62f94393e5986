import io

import pytest
from django.core.management import CommandError, call_command


def _bench(*args: str) -> str:
    out = io.StringIO()
    call_command("bench", "spikes", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_prints_quality_next_to_the_naive_baseline_and_the_timing():
    text = _bench("--series", "300", "--seed", "3", "--timed-series", "500")
    assert "seasonal EWMA + NB test" in text and "naive fixed 3-sigma" in text
    assert text.count("precision") == 2 and text.count("F1") == 2
    assert "median delay" in text
    assert "time to evaluate 500 series (one bucket):" in text


def test_it_is_deterministic_for_a_seed():
    first = _bench("--series", "200", "--seed", "5", "--timed-series", "100")
    second = _bench("--series", "200", "--seed", "5", "--timed-series", "100")
    strip = [line for line in first.splitlines() if "time to evaluate" not in line]
    assert strip == [line for line in second.splitlines() if "time to evaluate" not in line]
    other = _bench("--series", "200", "--seed", "6", "--timed-series", "100")
    assert other.splitlines()[1] != first.splitlines()[1]


def test_it_refuses_a_tiny_run():
    with pytest.raises(CommandError, match="--series"):
        _bench("--series", "3")


def test_it_refuses_an_unknown_subject():
    with pytest.raises(CommandError):
        call_command("bench", "everything")
