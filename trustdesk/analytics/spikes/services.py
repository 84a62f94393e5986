"""Spike detection over intake reports: count the closed hourly buckets per (category,
market), run the detector, and keep one ``SpikeAlert`` and one suspected triage item per
spike.

Runs every hour from the scheduler (``analytics.tasks_spikes.detect_spikes``). The first run
learns from the last four weeks of reports; later runs catch up on every bucket closed since
the last one, so a stopped scheduler loses nothing. Only buckets in the last day can raise an
alert: a catch-up over old history must not flood triage with last month's spikes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from trustdesk.intake import services as intake_services
from trustdesk.intake.models import Report
from trustdesk.taxonomy.models import Category, Market

from ..models import SpikeAlert, SpikeDetectorState, SpikeStatus
from .detector import Detector, StepResult

BUCKET = timedelta(hours=1)
BOOTSTRAP = timedelta(days=28)
ALERT_HORIZON = timedelta(days=1)
TOP_GROUPS = 5


@dataclass
class RunSummary:
    buckets: int = 0
    series: int = 0
    opened: int = 0
    updated: int = 0
    ended: int = 0


def bucket_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hour_of_week(at: datetime) -> int:
    return at.weekday() * 24 + at.hour


def _counts(start: datetime, end: datetime) -> list[tuple[int, int, datetime, int]]:
    """(category id, market id, bucket start, reports) for every non-empty bucket."""
    rows = (
        Report.objects.filter(
            received_at__gte=start,
            received_at__lt=end,
            category__isnull=False,
            market__isnull=False,
        )
        .annotate(bucket=TruncHour("received_at", tzinfo=UTC))
        .values_list("category_id", "market_id", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(c, m, b, n) for c, m, b, n in rows]


@transaction.atomic
def detect_spikes(*, now: datetime | None = None) -> RunSummary:
    """Learn every bucket closed since the last run and raise, extend or end spike alerts."""
    now = now or timezone.now()
    end = bucket_start(now)  # the bucket in progress is not counted yet
    state = SpikeDetectorState.objects.select_for_update().filter(name="reports").first()
    if state is None:
        detector, series, start, seen = Detector(0), [], end - BOOTSTRAP, 0
    else:
        detector = Detector.loads(bytes(state.state))
        series = [tuple(s) for s in state.series]
        start, seen = state.last_bucket_at + BUCKET, state.buckets_seen
    summary = RunSummary()
    buckets = int((end - start) / BUCKET)
    if buckets <= 0:
        return summary
    rows = _counts(start, end)
    index = {key: i for i, key in enumerate(series)}
    new = sorted({(c, m) for c, m, _, _ in rows} - index.keys())
    if new:
        detector.grow(len(new), np.array([m for _, m in new]), seen)
        for key in new:
            index[key] = len(series)
            series.append(key)
    counts = np.zeros((len(series), buckets))
    for c, m, bucket, n in rows:
        counts[index[(c, m)], int((bucket - start) / BUCKET)] = n
    alerts = {
        (a.category_id, a.market_id): a
        for a in SpikeAlert.objects.filter(status=SpikeStatus.ACTIVE).select_related(
            "category", "market"
        )
    }
    touched: dict[int, SpikeAlert] = {}
    for b in range(buckets):
        at = start + b * BUCKET
        result = detector.step(counts[:, b], hour_of_week(at))
        if at >= now - ALERT_HORIZON:
            _record(result, counts[:, b], at, series, index, alerts, touched, summary)
    for alert in touched.values():
        _raise_in_triage(alert)
    last = start + (buckets - 1) * BUCKET
    if state is None:
        state = SpikeDetectorState(name="reports")
    state.series = [list(s) for s in series]
    state.state = detector.dumps()
    state.last_bucket_at = last
    state.buckets_seen = seen + buckets
    state.save()
    summary.buckets, summary.series = buckets, len(series)
    return summary


def _record(
    result: StepResult,
    observed: np.ndarray,
    at: datetime,
    series: list[tuple[int, int]],
    index: dict[tuple[int, int], int],
    alerts: dict[tuple[int, int], SpikeAlert],
    touched: dict[int, SpikeAlert],
    summary: RunSummary,
) -> None:
    for i in np.flatnonzero(result.active):
        key = series[i]
        obs, exp, p = int(observed[i]), float(result.expected[i]), float(result.p_value[i])
        alert = alerts.get(key)
        if alert is None:
            alert = SpikeAlert.objects.create(
                category_id=key[0],
                market_id=key[1],
                started_at=at,
                last_bucket_at=at,
                observed=obs,
                expected=exp,
                peak_observed=obs,
                peak_expected=exp,
                p_value=p,
            )
            alerts[key] = alert
            summary.opened += 1
        else:
            alert.buckets += 1
            alert.last_bucket_at = at
            alert.observed += obs
            alert.expected += exp
            if obs > alert.peak_observed:
                alert.peak_observed, alert.peak_expected = obs, exp
            alert.p_value = min(alert.p_value, p)
            summary.updated += alert.pk not in touched
        touched[alert.pk] = alert
    ended = [key for key in alerts if key not in index or not result.active[index[key]]]
    for key in ended:
        alert = alerts.pop(key)
        alert.status = SpikeStatus.ENDED
        alert.ended_at = at
        touched[alert.pk] = alert
        summary.ended += 1


def _top_groups(alert: SpikeAlert) -> list[dict[str, object]]:
    """The spike's reports grouped the way intake grouped them (same content, same account
    or near-duplicate text), largest first: the suspected incident is named after the
    largest."""
    rows = (
        Report.objects.filter(
            category_id=alert.category_id,
            market_id=alert.market_id,
            received_at__gte=alert.started_at,
            received_at__lt=alert.last_bucket_at + BUCKET,
        )
        .values("group_id", "group__title")
        .annotate(n=Count("id"))
        .order_by("-n", "group_id")[:TOP_GROUPS]
    )
    return [{"group": r["group_id"], "title": r["group__title"], "reports": r["n"]} for r in rows]


def _raise_in_triage(alert: SpikeAlert) -> None:
    alert.top_groups = _top_groups(alert)
    category: Category = alert.category
    market: Market = alert.market
    lead = alert.top_groups[0]["title"] if alert.top_groups else "no common text"
    evidence = [
        f"Spike: {alert.observed} reports in {alert.buckets} hour(s) against "
        f"{alert.expected:.1f} expected (peak {alert.peak_observed} against "
        f"{alert.peak_expected:.1f} in one hour; p = {alert.p_value:.1e})",
        *(f"GRP-{g['group']}: {g['reports']} report(s), \u201c{g['title']}\u201d"
          for g in alert.top_groups),
    ]  # fmt: skip
    group, _ = intake_services.raise_suspected_group(
        key=f"spike-{alert.pk}",
        title=f"Suspected: {category.name} rising in {market.name} \u2014 {lead}",
        summary=f"Spike detection, {alert.started_at:%Y-%m-%d %H:%M} UTC onwards "
        f"({alert.get_status_display().lower()}).\n" + "\n".join(evidence),
        category=category,
        market=market,
        first_seen_at=alert.started_at,
        last_seen_at=alert.last_bucket_at + BUCKET,
        report_count=alert.observed,
        evidence=evidence,
    )
    alert.group = group
    alert.save()
