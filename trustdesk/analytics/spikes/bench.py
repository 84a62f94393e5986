"""``trustdesk bench spikes``: the detector on labelled synthetic report streams.

The streams: many (category, market) series with a daily cycle in the market's local time,
busier weekends, negative-binomial noise, and
- injected incident bursts (the labels) of three shapes: a step (sudden, lasting hours), a
  ramp (grows over several hours, like a challenge spreading) and a short pulse;
- non-incident surges that are NOT labels: a global holiday lifting every series, and a
  national holiday lifting every category of one market. The detector's cross-series
  normaliser is meant to absorb them; an alert there counts as a false positive.

The first weeks fit the baselines; the rest is scored. A burst is detected when an alert opens
on its series between its first bucket and two buckets after its last; the delay is counted
from its first bucket. Alerts that match no burst are false positives, and so is a second
alert for a burst already detected (triage would get it twice).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .detector import HOURS_PER_WEEK, Detector

FIT_WEEKS = 3
SCORE_WEEKS = 3
MARKET_SIZE = 10  # categories per market


@dataclass(frozen=True)
class Burst:
    series: int
    start: int  # bucket index within the scored period
    end: int  # last bucket, inclusive
    shape: str


@dataclass
class Streams:
    history: np.ndarray  # (series, fit buckets)
    scored: np.ndarray  # (series, scored buckets)
    markets: np.ndarray  # market index per series
    bursts: list[Burst]
    surges: list[tuple[str, int, int]]  # (what, start, end) in scored buckets


@dataclass
class Score:
    name: str
    true_positives: int = 0
    false_positives: int = 0
    missed: int = 0
    delays: list[int] = field(default_factory=list)
    surge_alerts: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        total = self.true_positives + self.missed
        return self.true_positives / total if total else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def median_delay(self) -> float:
        return float(np.median(self.delays)) if self.delays else float("nan")

    def line(self) -> str:
        return (
            f"{self.name:<28} precision {self.precision:.3f}  recall {self.recall:.3f}  "
            f"F1 {self.f1:.3f}  median delay {self.median_delay:.1f} buckets  "
            f"(TP {self.true_positives}, FP {self.false_positives}, missed {self.missed}, "
            f"alerts during surges {self.surge_alerts})"
        )


def _profile(rng: np.random.Generator, series: int, markets: np.ndarray) -> np.ndarray:
    """(series, 168) expected counts: level x daily cycle in local time x weekday factor."""
    level = np.exp(rng.normal(np.log(2.0), 1.0, series)).clip(0.2, 40.0)
    offset = rng.integers(0, 24, markets.max() + 1)[markets]
    hours = np.arange(HOURS_PER_WEEK)
    local = (hours[None, :] + offset[:, None]) % 24
    daily = 1.0 + 0.8 * np.sin((local - 9) / 24 * 2 * np.pi)
    weekend = np.where(((hours[None, :] + offset[:, None]) // 24) % 7 >= 5, 1.3, 1.0)
    return level[:, None] * daily * weekend


def _noise(rng: np.random.Generator, mu: np.ndarray, phi: float = 0.05) -> np.ndarray:
    size = 1.0 / phi
    return rng.negative_binomial(size, size / (size + mu)).astype(float)


def generate(series: int, seed: int, burst_share: float = 0.05) -> Streams:
    rng = np.random.default_rng(seed)
    markets = np.arange(series) // MARKET_SIZE
    profile = _profile(rng, series, markets)
    fit_n, score_n = FIT_WEEKS * HOURS_PER_WEEK, SCORE_WEEKS * HOURS_PER_WEEK
    tiled = np.tile(profile, (1, FIT_WEEKS + SCORE_WEEKS))
    mu_fit, mu_score = tiled[:, :fit_n], tiled[:, fit_n:].copy()

    surges: list[tuple[str, int, int]] = []
    start = int(rng.integers(24, score_n // 2))
    mu_score[:, start : start + 12] *= 1.8
    surges.append(("global holiday x1.8 for 12 buckets", start, start + 11))
    market = int(rng.integers(0, markets.max() + 1))
    start = int(rng.integers(score_n // 2, score_n - 24))
    mu_score[markets == market, start : start + 10] *= 2.2
    surges.append((f"holiday in market {market} x2.2 for 10 buckets", start, start + 9))

    extra = np.zeros_like(mu_score)
    bursts: list[Burst] = []
    surge_buckets = {b for _, s, e in surges for b in range(s - 3, e + 4)}
    for s in rng.choice(series, int(series * burst_share), replace=False):
        begin = int(rng.integers(6, score_n - 30))
        if begin in surge_buckets:
            continue
        shape = str(rng.choice(["step", "ramp", "pulse"]))
        typical = float(mu_score[s, begin : begin + 12].mean())
        peak = max(10.0, typical * rng.uniform(1.5, 4.0)) * rng.uniform(1.0, 2.0)
        if shape == "step":
            length = int(rng.integers(3, 13))
            curve = np.full(length, peak)
        elif shape == "ramp":
            rise = int(rng.integers(3, 7))
            curve = np.concatenate([np.linspace(peak / rise, peak, rise), np.full(4, peak)])
        else:
            curve = np.array([peak, peak * 0.6])
        extra[s, begin : begin + len(curve)] = curve
        bursts.append(Burst(int(s), begin, begin + len(curve) - 1, shape))

    return Streams(
        history=_noise(rng, mu_fit),
        scored=_noise(rng, mu_score) + rng.poisson(extra),
        markets=markets,
        bursts=bursts,
        surges=surges,
    )


def score(name: str, alerts: Iterator[tuple[int, int]], streams: Streams) -> Score:
    """Match alert openings (series, bucket) against the labelled bursts."""
    result = Score(name)
    by_series: dict[int, list[Burst]] = {}
    for burst in streams.bursts:
        by_series.setdefault(burst.series, []).append(burst)
    detected: set[Burst] = set()
    surge_buckets = {b for _, s, e in streams.surges for b in range(s, e + 1)}
    for series, bucket in alerts:
        match = next((b for b in by_series.get(series, ()) if b.start <= bucket <= b.end + 2), None)
        if match is None or match in detected:
            result.false_positives += 1
            result.surge_alerts += bucket in surge_buckets
            continue
        detected.add(match)
        result.true_positives += 1
        result.delays.append(bucket - match.start)
    result.missed = len(streams.bursts) - len(detected)
    return result


def run_detector(streams: Streams) -> Iterator[tuple[int, int]]:
    detector = Detector(len(streams.markets), groups=streams.markets)
    detector.fit(streams.history, first_hour=0)
    fit_n = streams.history.shape[1]
    for t in range(streams.scored.shape[1]):
        result = detector.step(streams.scored[:, t], (fit_n + t) % HOURS_PER_WEEK)
        for series in np.flatnonzero(result.opened):
            yield int(series), t


def run_naive(streams: Streams) -> Iterator[tuple[int, int]]:
    """Fixed threshold: mean + 3 standard deviations of the fitting weeks, any hour; a run
    of consecutive buckets over it is one alert."""
    threshold = streams.history.mean(axis=1) + 3 * streams.history.std(axis=1)
    over = streams.scored > threshold[:, None]
    starts = over & ~np.column_stack([np.zeros(len(over), dtype=bool), over[:, :-1]])
    for series, bucket in zip(*np.nonzero(starts), strict=True):
        yield int(series), int(bucket)


def time_step(series: int, seed: int, repeats: int = 5) -> float:
    """Seconds to evaluate one bucket for ``series`` series (best of ``repeats``)."""
    streams = generate(series, seed, burst_share=0.0)
    detector = Detector(series, groups=streams.markets)
    detector.fit(streams.history, first_hour=0)
    best = float("inf")
    for t in range(repeats):
        began = time.perf_counter()
        detector.step(streams.scored[:, t], t % HOURS_PER_WEEK)
        best = min(best, time.perf_counter() - began)
    return best


@dataclass
class BenchResult:
    series: int
    seed: int
    bursts: int
    surges: list[str]
    detector: Score
    naive: Score
    step_seconds: float
    timed_series: int

    def lines(self) -> list[str]:
        return [
            f"{self.series} series x {SCORE_WEEKS * HOURS_PER_WEEK} hourly buckets scored "
            f"(after {FIT_WEEKS} weeks of fitting), seed {self.seed}",
            f"{self.bursts} injected bursts; non-incident surges: {'; '.join(self.surges)}",
            self.detector.line(),
            self.naive.line(),
            f"time to evaluate {self.timed_series} series (one bucket): "
            f"{self.step_seconds * 1000:.1f} ms",
        ]


def run(
    *, series: int, seed: int, timed_series: int = 10_000, progress: Callable[[str], None]
) -> BenchResult:
    progress(f"generating {series} series (seed {seed})")
    streams = generate(series, seed)
    progress("running the seasonal detector")
    detector = score("seasonal EWMA + NB test", run_detector(streams), streams)
    naive = score("naive fixed 3-sigma", run_naive(streams), streams)
    progress(f"timing {timed_series} series")
    step = time_step(timed_series, seed)
    return BenchResult(
        series=series,
        seed=seed,
        bursts=len(streams.bursts),
        surges=[what for what, _, _ in streams.surges],
        detector=detector,
        naive=naive,
        step_seconds=step,
        timed_series=timed_series,
    )
