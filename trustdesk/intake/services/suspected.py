"""Suspected incidents raised by a detector (analytics' spike detection) rather than by a
report: a triage group with no reports of its own, carrying the evidence in its summary."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from trustdesk.audit import services as audit
from trustdesk.taxonomy.models import Category, Market
from trustdesk.taxonomy.severity import RubricInputs, suggest

from ..models import GroupStatus, ReportGroup
from .receive import _teams_by_region


@transaction.atomic
def raise_suspected_group(
    *,
    key: str,
    title: str,
    summary: str,
    category: Category,
    market: Market,
    first_seen_at: datetime,
    last_seen_at: datetime,
    report_count: int,
    evidence: list[str],
) -> tuple[ReportGroup, bool]:
    """Put a suspected incident in the triage queue, or refresh the one already raised under
    ``key`` (the detector's name for the spike), so a spike lasting many buckets is one item.
    Returns the group and whether it was created."""
    fingerprint = f"suspected:{key}"[:64]
    group = ReportGroup.objects.select_for_update().filter(fingerprint=fingerprint).first()
    created = group is None
    span_hours = max((last_seen_at - first_seen_at).total_seconds() / 3600, 1.0)
    suggestion = suggest(
        RubricInputs(
            category_code=category.code,
            reports_per_hour=round(report_count / span_hours, 1),
            markets=1,
            source_type="detection",
        )
    )
    if group is None:
        group = ReportGroup(
            fingerprint=fingerprint,
            category=category,
            markets=[market.code],
            source_types=["detection"],
            restricted=category.restricted_by_default,
            region=market.region,
            team=_teams_by_region().get(market.region),
            first_seen_at=first_seen_at,
            status=GroupStatus.OPEN,
        )
    group.title = title[:200]
    group.summary = summary[:4000]
    group.last_seen_at = last_seen_at
    group.report_count = report_count
    group.suggested_severity = suggestion.severity
    group.severity_reasons = [*evidence, *suggestion.reasons]
    group.save()
    audit.record(
        actor=None,
        action="intake.group.suspected" if created else "intake.group.suspected_update",
        obj=group,
        after={"key": key, "report_count": report_count, "evidence": evidence},
    )
    return group, created
