"""The spike detector: a robust seasonal baseline per series and an upper-tail test.

Pure numpy/scipy, no database: ``Detector.step`` takes one bucket's counts for every series
at once and returns the test results as arrays, so 10,000 series cost a few vector
operations rather than 10,000 Python loops.

Model, per series (a (category, market) pair) and per hour of the week ``h``:

- ``mean[h]``: the expected count, an EWMA over the same hour of past weeks (weekly
  seasonality). The update is *robust*: an observation is clipped to
  ``expected + CLIP * sqrt(expected)`` before it is learnt, and a series in a spike does
  not learn at all, so a burst does not teach the baseline to expect the next one.
- ``dispersion``: negative-binomial overdispersion (variance = mu + phi * mu^2), an EWMA of
  the squared Pearson excess, floored so quiet series are not trusted too much.
- A cross-series normaliser: a surge that lifts (nearly) every series at once is a holiday,
  a news event or a product change, not an incident. The median observed/expected ratio
  across all series, and across the categories of one market, scales the expectation up
  (never down) before the test.

Test: the negative-binomial upper tail P(X >= observed) for the bucket, and for the sum of
the last ``WINDOW`` buckets (catches ramps that no single bucket makes improbable). A spike
opens when either p-value is below ``ALPHA`` and the excess is at least ``MIN_EXCESS``
reports; it stays open while the bucket is still above ``CONTINUE_ALPHA`` and closes after
``QUIET_TO_CLOSE`` ordinary buckets.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from scipy import stats

HOURS_PER_WEEK = 168
GAMMA = 0.2  # weight of this week's observation in the hour-of-week mean
DISPERSION_RATE = 0.02  # per bucket
MIN_DISPERSION = 0.02
MAX_DISPERSION = 1.0
MIN_MEAN = 0.05  # reports per bucket a series is never expected to go below
CLIP = 3.0
WINDOW = 3
ALPHA = 1e-6
CONTINUE_ALPHA = 1e-2
MIN_EXCESS = 5.0
QUIET_TO_CLOSE = 2
WARMUP_BUCKETS = 2 * HOURS_PER_WEEK
MIN_SERIES_PER_MARKET = 4


@dataclass
class StepResult:
    expected: np.ndarray  # per series, after the normaliser
    p_value: np.ndarray  # the smaller of the bucket and window p-values
    opened: np.ndarray  # bool: a new spike starts in this bucket
    active: np.ndarray  # bool: in a spike after this bucket (new or continuing)
    normaliser: float  # the global surge factor applied (1.0 = none)


def nb_sf(observed: np.ndarray, mu: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """P(X >= observed) for X ~ NB with mean mu and variance mu + phi * mu^2."""
    size = 1.0 / phi
    return np.asarray(stats.nbinom.sf(observed - 1, size, size / (size + mu)))


def _median_ratio(observed: np.ndarray, expected: np.ndarray) -> float:
    """The typical observed/expected ratio: the median over series busy enough for their
    ratio to mean something, so one series' burst cannot move it."""
    busy = expected >= 1.0
    if busy.sum() < MIN_SERIES_PER_MARKET:
        return 1.0
    return float(np.median(observed[busy] / expected[busy]))


class Detector:
    """State for ``n`` series, advanced one bucket at a time."""

    def __init__(self, n: int = 0, *, groups: np.ndarray | None = None) -> None:
        self.mean = np.full((n, HOURS_PER_WEEK), MIN_MEAN)
        self.dispersion = np.full(n, 0.1)
        self.recent_obs = np.zeros((n, WINDOW - 1))
        self.recent_exp = np.zeros((n, WINDOW - 1))
        self.active = np.zeros(n, dtype=bool)
        self.quiet = np.zeros(n, dtype=np.int64)
        self.seen = np.zeros(n, dtype=np.int64)  # buckets observed per series
        # Market of each series, for the per-market normaliser (-1: none).
        self.groups = groups if groups is not None else np.full(n, -1, dtype=np.int64)

    @property
    def size(self) -> int:
        return len(self.dispersion)

    def grow(self, n: int, groups: np.ndarray, seen: int) -> None:
        """Add ``n`` series. A series appears when its first report does, so before that it
        was 0 every bucket: it starts at the floor, already ``seen`` buckets old."""
        self.mean = np.vstack([self.mean, np.full((n, HOURS_PER_WEEK), MIN_MEAN)])
        self.dispersion = np.concatenate([self.dispersion, np.full(n, 0.1)])
        self.recent_obs = np.vstack([self.recent_obs, np.zeros((n, WINDOW - 1))])
        self.recent_exp = np.vstack([self.recent_exp, np.zeros((n, WINDOW - 1))])
        self.active = np.concatenate([self.active, np.zeros(n, dtype=bool)])
        self.quiet = np.concatenate([self.quiet, np.zeros(n, dtype=np.int64)])
        self.seen = np.concatenate([self.seen, np.full(n, seen, dtype=np.int64)])
        self.groups = np.concatenate([self.groups, groups.astype(np.int64)])

    def fit(self, history: np.ndarray, first_hour: int) -> None:
        """Initialise from a (series, buckets) history starting at hour-of-week
        ``first_hour``: the mean per hour of the week, and the overdispersion around it."""
        buckets = history.shape[1]
        hours = (first_hour + np.arange(buckets)) % HOURS_PER_WEEK
        for h in range(HOURS_PER_WEEK):
            cols = history[:, hours == h]
            if cols.shape[1]:
                self.mean[:, h] = cols.mean(axis=1)
        self.mean = np.maximum(self.mean, MIN_MEAN)
        mu = np.maximum(self.mean[:, hours], MIN_MEAN)
        pearson = ((history - mu) ** 2 - mu) / np.maximum(mu, 1.0) ** 2
        self.dispersion = np.clip(pearson.mean(axis=1), MIN_DISPERSION, MAX_DISPERSION)
        self.seen[:] = buckets

    def expected_at(self, hour: int) -> np.ndarray:
        """The hour-of-week mean, pooled: one week's hour is only a few samples, so it is
        blended with its neighbouring hours and with the same hour of the other days (scaled
        by this day's volume). The daily cycle and the weekly rhythm survive; the noise of
        three samples does not."""
        mean = self.mean
        neighbours = (
            0.25 * mean[:, (hour - 1) % HOURS_PER_WEEK]
            + 0.5 * mean[:, hour]
            + 0.25 * mean[:, (hour + 1) % HOURS_PER_WEEK]
        )
        day, hour_of_day = divmod(hour, 24)
        same_hour = mean[:, hour_of_day::24].mean(axis=1)
        day_factor = mean[:, day * 24 : day * 24 + 24].mean(axis=1) / np.maximum(
            mean.mean(axis=1), MIN_MEAN
        )
        return np.maximum(0.6 * neighbours + 0.4 * same_hour * day_factor, MIN_MEAN)

    def _normaliser(self, observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
        factor = np.full(self.size, max(1.0, _median_ratio(observed, expected)))
        for market in np.unique(self.groups[self.groups >= 0]):
            members = self.groups == market
            if members.sum() >= MIN_SERIES_PER_MARKET:
                ratio = _median_ratio(observed[members], expected[members])
                factor[members] = np.maximum(factor[members], ratio)
        return factor

    def step(self, observed: np.ndarray, hour_of_week: int, *, learn: bool = True) -> StepResult:
        """Test one bucket's counts (one per series) and learn from them."""
        observed = np.asarray(observed, dtype=float)
        base = self.expected_at(hour_of_week)
        factor = self._normaliser(observed, base)
        expected = base * factor
        phi = self.dispersion
        p_bucket = nb_sf(observed, expected, phi)
        window_obs = observed + self.recent_obs.sum(axis=1)
        window_exp = expected + self.recent_exp.sum(axis=1)
        p_window = nb_sf(window_obs, window_exp, phi / WINDOW)
        p_value = np.minimum(p_bucket, p_window)
        excess = np.maximum(observed - expected, window_obs - window_exp)
        warm = self.seen >= WARMUP_BUCKETS
        opened = warm & ~self.active & (p_value < ALPHA) & (excess >= MIN_EXCESS)
        unusual = (p_bucket < CONTINUE_ALPHA) & (observed - expected >= 1)
        continuing = self.active & ~opened
        self.quiet = np.where(continuing & ~unusual, self.quiet + 1, 0)
        still = continuing & (self.quiet < QUIET_TO_CLOSE)
        active = opened | still
        if learn:
            self._learn(observed, base, factor, hour_of_week, active, unusual)
        self.active = active
        self.quiet = np.where(active, self.quiet, 0)
        return StepResult(expected, p_value, opened, active, float(factor.min(initial=1.0)))

    def _learn(
        self,
        observed: np.ndarray,
        base: np.ndarray,
        factor: np.ndarray,
        hour: int,
        spiking: np.ndarray,
        unusual: np.ndarray,
    ) -> None:
        # What the seasonal mean learns is the observation without the shared surge, and
        # clipped; a series in a spike learns nothing from this bucket.
        deseasoned = observed / factor
        clipped = np.minimum(deseasoned, base + CLIP * np.sqrt(base) + 1.0)
        learnt = np.where(spiking, base, clipped)
        self.mean[:, hour] = np.maximum((1 - GAMMA) * self.mean[:, hour] + GAMMA * learnt, MIN_MEAN)
        # The noise level is learnt from ordinary buckets only: a burst would otherwise
        # teach the test that bursts are normal noise and hide the next hours of it.
        pearson = ((clipped - base) ** 2 - base) / np.maximum(base, 1.0) ** 2
        updated = (1 - DISPERSION_RATE) * self.dispersion + DISPERSION_RATE * pearson
        self.dispersion = np.where(
            spiking | unusual, self.dispersion, np.clip(updated, MIN_DISPERSION, MAX_DISPERSION)
        )
        self.recent_obs = np.column_stack([self.recent_obs[:, 1:], observed])
        self.recent_exp = np.column_stack([self.recent_exp[:, 1:], base * factor])
        self.seen += 1

    def dumps(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out,
            mean=self.mean,
            dispersion=self.dispersion,
            recent_obs=self.recent_obs,
            recent_exp=self.recent_exp,
            active=self.active,
            quiet=self.quiet,
            seen=self.seen,
            groups=self.groups,
        )
        return out.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> Detector:
        detector = cls(0)
        with np.load(io.BytesIO(data)) as arrays:
            for name in arrays.files:
                setattr(detector, name, arrays[name])
        return detector
