"""Scores and agreement statistics. Pure functions: no database, no Django.

``weighted_score`` turns one review's criterion scores into a 0..1 score and a pass/fail;
``percent_agreement`` and ``cohens_kappa`` (unweighted, and linearly weighted for ordinal
scales) measure how consistently two reviewers apply a criterion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

# Scores are compared with the pass mark after rounding, so 0.7 computed as 0.69999999 passes.
_PLACES = 6


@dataclass(frozen=True)
class Rated:
    """One criterion's score in a review. ``value`` None: not applicable."""

    key: str
    value: int | None
    scale_min: int
    scale_max: int
    weight: float
    critical: bool = False
    pass_threshold: int | None = None

    def __post_init__(self) -> None:
        if self.scale_max <= self.scale_min:
            raise ValueError(f"{self.key}: the scale must run from low to high")
        if self.weight <= 0:
            raise ValueError(f"{self.key}: the weight must be positive")
        if self.value is not None and not self.scale_min <= self.value <= self.scale_max:
            raise ValueError(f"{self.key}: {self.value} is off the scale")

    @property
    def normalised(self) -> float | None:
        if self.value is None:
            return None
        return (self.value - self.scale_min) / (self.scale_max - self.scale_min)

    @property
    def critical_failure(self) -> bool:
        return (
            self.critical
            and self.value is not None
            and self.pass_threshold is not None
            and self.value < self.pass_threshold
        )


@dataclass(frozen=True)
class Result:
    score: float | None  # 0..1, None when no criterion applied
    critical_failures: tuple[str, ...]
    passed: bool


def weighted_score(ratings: Sequence[Rated], *, pass_mark: float) -> Result:
    """Weighted mean of the normalised scores of the criteria that apply. A critical
    criterion scored below its threshold fails the review whatever the score."""
    applicable = [r for r in ratings if r.value is not None]
    total_weight = sum(r.weight for r in applicable)
    score = None
    if total_weight:
        weighted = sum(r.weight * (r.normalised or 0.0) for r in applicable)
        score = round(weighted / total_weight, _PLACES)
    failures = tuple(r.key for r in ratings if r.critical_failure)
    passed = not failures and score is not None and score >= round(pass_mark, _PLACES)
    return Result(score=score, critical_failures=failures, passed=passed)


Pair = tuple[Hashable, Hashable]


def percent_agreement(pairs: Sequence[Pair]) -> float | None:
    """Share of items both reviewers scored the same (not applicable counts as a score)."""
    if not pairs:
        return None
    return sum(1 for a, b in pairs if a == b) / len(pairs)


def cohens_kappa(pairs: Sequence[Pair]) -> float | None:
    """Cohen's kappa: agreement beyond what the two reviewers' own score distributions
    would give by chance. None when undefined: no pairs, or both reviewers gave every item
    the same single score (chance agreement is then 1)."""
    n = len(pairs)
    if n == 0:
        return None
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def linear_weighted_kappa(
    pairs: Sequence[tuple[int | None, int | None]], *, scale_min: int, scale_max: int
) -> float | None:
    """Kappa with partial credit for near misses on an ordinal scale: a disagreement costs
    its distance over the scale's width. Pairs with a not-applicable score are left out."""
    scored = [(a, b) for a, b in pairs if a is not None and b is not None]
    width = scale_max - scale_min
    n = len(scored)
    if n == 0 or width <= 0:
        return None
    observed = sum(abs(a - b) for a, b in scored) / (width * n)
    first = Counter(a for a, _ in scored)
    second = Counter(b for _, b in scored)
    expected = sum(first[i] * second[j] * abs(i - j) for i in first for j in second) / (
        width * n * n
    )
    if expected == 0:
        return None
    return 1 - observed / expected


# Landis & Koch (1977): the usual words for kappa values. With few pairs they mean little;
# the calibration page shows the number of pairs beside them.
_BANDS = (
    (0.0, "poor"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)


def describe_kappa(kappa: float | None) -> str:
    if kappa is None:
        return "undefined"
    for upper, word in _BANDS:
        if kappa <= upper + 1e-12:
            return word
    return _BANDS[-1][1]
