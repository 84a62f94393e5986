"""The detector on small labelled streams, without a database."""

import numpy as np

from trustdesk.analytics.spikes import bench
from trustdesk.analytics.spikes.detector import HOURS_PER_WEEK, Detector

WEEKS = 3


def _seasonal(series: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three weeks to fit and one to test, daily cycle and busier weekends, Poisson noise."""
    rng = np.random.default_rng(seed)
    hours = np.arange(HOURS_PER_WEEK)
    daily = 1.0 + 0.8 * np.sin((hours % 24 - 9) / 24 * 2 * np.pi)
    weekend = np.where(hours // 24 >= 5, 1.3, 1.0)
    levels = np.linspace(1.0, 12.0, series)[:, None]
    mu = levels * daily * weekend
    history = rng.poisson(np.tile(mu, (1, WEEKS))).astype(float)
    week = rng.poisson(mu).astype(float)
    return history, week


def _run(history: np.ndarray, week: np.ndarray, markets: np.ndarray | None = None):
    detector = Detector(len(history), groups=markets)
    detector.fit(history, first_hour=0)
    opened = []
    for t in range(week.shape[1]):
        result = detector.step(week[:, t], t % HOURS_PER_WEEK)
        opened += [(int(s), t, result) for s in np.flatnonzero(result.opened)]
    return opened


def test_it_detects_an_injected_burst_within_two_buckets():
    history, week = _seasonal(8, seed=3)
    week[5, 40:46] += 25
    opened = _run(history, week)
    [(series, t, result)] = opened
    assert series == 5 and 40 <= t <= 42
    assert result.p_value[5] < 1e-6
    assert 10 < result.expected[5] < 20


def test_it_raises_one_alert_for_a_burst_lasting_many_buckets():
    history, week = _seasonal(8, seed=4)
    week[2, 60:72] += 30
    assert [(s, t) for s, t, _ in _run(history, week)] == [(2, 60)]


def test_it_catches_a_slow_ramp_through_the_window_test():
    history, week = _seasonal(8, seed=5)
    week[3, 80:86] += np.array([4, 8, 12, 16, 20, 24])
    opened = [(s, t) for s, t, _ in _run(history, week)]
    assert len(opened) == 1 and opened[0][0] == 3 and opened[0][1] <= 84


def test_it_stays_quiet_on_a_plain_seasonal_series():
    history, week = _seasonal(20, seed=6)
    assert _run(history, week) == []


def test_it_treats_a_surge_in_every_series_as_a_holiday_not_an_incident():
    history, week = _seasonal(20, seed=7)
    week[:, 30:42] *= 2.0
    assert _run(history, week) == []


def test_it_treats_a_surge_in_one_whole_market_as_a_holiday():
    history, week = _seasonal(20, seed=8)
    markets = np.repeat([0, 1], 10)
    week[markets == 1, 30:40] *= 2.5
    assert _run(history, week, markets) == []


def test_it_still_finds_a_burst_during_a_holiday():
    history, week = _seasonal(20, seed=9)
    week[:, 30:42] *= 2.0
    week[11, 34:40] += 40
    opened = [(s, t) for s, t, _ in _run(history, week)]
    assert len(opened) == 1 and opened[0][0] == 11 and 34 <= opened[0][1] <= 36


def test_its_state_survives_a_round_trip():
    history, week = _seasonal(4, seed=10)
    detector = Detector(4, groups=np.zeros(4, dtype=np.int64))
    detector.fit(history, first_hour=0)
    copy = Detector.loads(detector.dumps())
    a = detector.step(week[:, 0], 0)
    b = copy.step(week[:, 0], 0)
    assert np.allclose(a.expected, b.expected) and np.allclose(a.p_value, b.p_value)


def test_the_bench_scores_detections_against_its_labels():
    streams = bench.generate(200, seed=11)
    first = streams.bursts[0]
    perfect = bench.score("x", iter([(first.series, first.start + 1)]), streams)
    assert perfect.true_positives == 1 and perfect.delays == [1]
    assert perfect.missed == len(streams.bursts) - 1
    wrong = bench.score("x", iter([(first.series, first.end + 50)]), streams)
    assert wrong.false_positives == 1 and wrong.true_positives == 0
