"""Plain-JSON views of intake objects for the API."""

from __future__ import annotations

from typing import Any

from .models import Report, ReportGroup


def group_json(group: ReportGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "ref": group.ref,
        "title": group.title,
        "status": group.status,
        "category": group.category.code if group.category else None,
        "markets": group.markets,
        "region": group.region,
        "team": group.team.slug if group.team else None,
        "reports": group.report_count,
        "first_seen_at": group.first_seen_at.isoformat(),
        "last_seen_at": group.last_seen_at.isoformat(),
        "suggested_severity": group.suggested_severity,
        "severity_reasons": group.severity_reasons,
        "restricted": group.restricted,
        "incident": group.incident_id,
        "status_reason": group.status_reason,
    }


def report_json(report: Report) -> dict[str, Any]:
    """A report for the API. Evidence is described, never embedded: the original is only
    served through the logged reveal in the web UI."""
    return {
        "id": report.pk,
        "ref": report.ref,
        "channel": report.channel,
        "external_id": report.external_id,
        "received_at": report.received_at.isoformat(),
        "reporter_type": report.reporter_type,
        "verified": report.verified,
        "claimed_reporter_type": report.claimed_reporter_type or None,
        "market": report.market.code if report.market else None,
        "market_source": report.market_source or None,
        "language": report.language,
        "category": report.category.code if report.category else None,
        "label": report.channel_label,
        "keywords": report.keyword_codes,
        "title": report.title,
        "text": report.text,
        "minors_involved": report.minors_involved,
        "content": [
            {
                "url": item.url,
                "content_id": item.content_id,
                "account_id": item.account_id,
                "content_type": item.content_type,
            }
            for item in report.items.all()
        ],
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.evidence.content_type,
                "size": a.evidence.size,
                "sha256": a.evidence.sha256,
            }
            for a in report.attachments.all()
        ],
    }
