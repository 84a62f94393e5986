"""How consistently reviewers apply the rubric: agreement between the two blind reviews of
double-reviewed items, per criterion. Read-only; the caller checks the viewer is a lead.

Calibration uses each reviewer's own scores: a lead's amendment on a dispute is a decision
about the person, not evidence of how the reviewers read the rubric.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from trustdesk.accounts.models import User

from . import stats
from .lifecycle import SCORED
from .models import Review, Score

# Pairs whose scores differ by this much are listed for the next calibration session.
WIDE_GAP = 2


@dataclass
class Agreement:
    key: str
    label: str
    pairs: int
    percent: float | None
    kappa: float | None
    weighted_kappa: float | None

    @property
    def band(self) -> str:
        return stats.describe_kappa(self.kappa)


@dataclass
class Gap:
    """A double-reviewed item whose reviewers were far apart on some criteria."""

    primary: Review
    second: Review
    criteria: list[tuple[str, int, int]]  # label, first score, second score


@dataclass
class CalibrationReport:
    pairs: int
    criteria: list[Agreement]
    outcome: Agreement
    gaps: list[Gap]


def _original(value: int | None, amended_from: int | None, not_applicable: bool) -> int | None:
    if amended_from is not None:
        return amended_from
    return None if not_applicable else value


def calibration_report(viewer: User, *, region: str, since: date) -> CalibrationReport:
    """Agreement on the double-reviewed items of ``region`` sampled since ``since`` whose
    two reviews are both in, among the reviews ``viewer`` may see."""
    seconds = list(
        Review.objects.visible_to(viewer)
        .filter(
            calibration_of__isnull=False,
            status__in=SCORED,
            calibration_of__status__in=SCORED,
            sample__run__region=region,
            sample__run__period_start__gte=since,
        )
        .select_related("calibration_of__reviewer", "reviewer", "reviewee")
    )
    ids = [r.pk for r in seconds] + [r.calibration_of_id for r in seconds if r.calibration_of_id]
    values, meta = _scores(ids)
    pairs: dict[str, list[tuple[int | None, int | None]]] = defaultdict(list)
    gaps = []
    for second in seconds:
        primary = second.calibration_of
        assert primary is not None
        wide = []
        for key, (label, _, _) in meta.items():
            if key not in values[primary.pk] or key not in values[second.pk]:
                continue
            a, b = values[primary.pk][key], values[second.pk][key]
            pairs[key].append((a, b))
            if a is not None and b is not None and abs(a - b) >= WIDE_GAP:
                wide.append((label, a, b))
        if wide:
            gaps.append(Gap(primary, second, wide))
    criteria = [
        _agreement(key, meta[key][0], pairs[key], meta[key][1], meta[key][2]) for key in pairs
    ]
    outcomes = [(bool(s.calibration_of.passed), bool(s.passed)) for s in seconds]  # type: ignore[union-attr]
    outcome = Agreement(
        "outcome",
        "Pass or fail",
        len(outcomes),
        stats.percent_agreement(outcomes),
        stats.cohens_kappa(outcomes),
        None,
    )
    return CalibrationReport(len(seconds), criteria, outcome, gaps)


def _scores(
    review_ids: list[int],
) -> tuple[dict[int, dict[str, int | None]], dict[str, tuple[str, int, int]]]:
    """Each review's original scores by criterion key, and each key's label and scale."""
    values: dict[int, dict[str, int | None]] = defaultdict(dict)
    meta: dict[str, tuple[str, int, int]] = {}
    rows = Score.objects.filter(review_id__in=review_ids).values_list(
        "review_id",
        "criterion__key",
        "criterion__label",
        "criterion__scale_min",
        "criterion__scale_max",
        "value",
        "amended_from",
        "not_applicable",
    )
    for review_id, key, label, low, high, value, amended_from, na in rows:
        values[review_id][key] = _original(value, amended_from, na)
        meta.setdefault(key, (label, low, high))
    return values, meta


def _agreement(
    key: str, label: str, pairs: list[tuple[int | None, int | None]], low: int, high: int
) -> Agreement:
    return Agreement(
        key=key,
        label=label,
        pairs=len(pairs),
        percent=stats.percent_agreement(pairs),
        kappa=stats.cohens_kappa(pairs),
        weighted_kappa=stats.linear_weighted_kappa(pairs, scale_min=low, scale_max=high),
    )
