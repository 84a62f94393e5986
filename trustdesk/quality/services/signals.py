"""Accuracy signals: what closed work's own record says, without a reviewer.

- the severity or the category was changed after the incident was triaged;
- the incident was reopened (resolved, then back to investigating);
- a regulatory request's legal deadline was missed.

They are counted on the person whose work it was, by the period the work closed in, as
prompts for a conversation, not verdicts: a severity raised because the harm grew is not a
mistake. Collection is idempotent (each signal has a unique key), so the daily job can look
at the same days again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from trustdesk.incidents.lifecycle import Status as IncidentStatus
from trustdesk.incidents.models import EventKind, TimelineEvent
from trustdesk.quality import subjects
from trustdesk.quality.models import AccuracySignal, SignalKind, SubjectKind

_FIELD_SIGNALS = {
    "severity": SignalKind.SEVERITY_CHANGED,
    "category": SignalKind.CATEGORY_CHANGED,
}


@dataclass(frozen=True)
class Found:
    kind: str
    event_id: int
    occurred_at: datetime
    detail: str


def incident_signals(triaged_at: datetime | None, events: Iterable[TimelineEvent]) -> list[Found]:
    """The signals in one incident's timeline events."""
    found = []
    for event in events:
        data = event.data or {}
        actor = event.actor.username if event.actor else "system"
        if event.kind == EventKind.FIELD_CHANGE and data.get("field") in _FIELD_SIGNALS:
            if triaged_at is None or event.occurred_at <= triaged_at:
                continue
            detail = f"{data.get('from')} → {data.get('to')} by {actor}"
            found.append(Found(_FIELD_SIGNALS[data["field"]], event.pk, event.occurred_at, detail))
        elif (
            event.kind == EventKind.STATUS_CHANGE
            and data.get("from") == IncidentStatus.RESOLVED
            and data.get("to") == IncidentStatus.INVESTIGATING
        ):
            detail = f"reopened by {actor}"
            found.append(Found(SignalKind.REOPENED, event.pk, event.occurred_at, detail))
    return found


@transaction.atomic
def collect(*, start: datetime, end: datetime) -> int:
    """Record the signals on work closed in ``[start, end)``. Returns how many are new."""
    rows = _incident_rows(start, end) + _request_rows(start, end)
    before = AccuracySignal.objects.filter(key__in=[r.key for r in rows]).count()
    AccuracySignal.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) - before


def _incident_rows(start: datetime, end: datetime) -> list[AccuracySignal]:
    owners: dict[int, int] = {}
    incidents = {}
    for incident in subjects.closed_incidents(start, end):
        owner = subjects.owner_of(incident)
        if owner is not None:
            owners[incident.pk] = owner
            incidents[incident.pk] = incident
    events_by_incident: dict[int, list[TimelineEvent]] = {}
    events = TimelineEvent.objects.filter(
        incident_id__in=list(incidents),
        kind__in=(EventKind.FIELD_CHANGE, EventKind.STATUS_CHANGE),
    ).select_related("actor")
    for event in events:
        events_by_incident.setdefault(event.incident_id, []).append(event)
    rows = []
    for pk, incident in incidents.items():
        for found in incident_signals(incident.triaged_at, events_by_incident.get(pk, [])):
            rows.append(
                AccuracySignal(
                    person_id=owners[pk],
                    kind=found.kind,
                    subject_kind=SubjectKind.INCIDENT,
                    subject_id=pk,
                    occurred_at=found.occurred_at,
                    closed_at=incident.closed_at or end,
                    detail=found.detail[:300],
                    key=f"incident:{pk}:event:{found.event_id}",
                )
            )
    return rows


def _request_rows(start: datetime, end: datetime) -> list[AccuracySignal]:
    rows = []
    for request in subjects.closed_requests(start, end):
        if request.deadline_result != subjects.BREACHED:
            continue
        rows.append(
            AccuracySignal(
                person_id=request.owner_id,
                kind=SignalKind.DEADLINE_MISSED,
                subject_kind=SubjectKind.REGULATORY_REQUEST,
                subject_id=request.pk,
                occurred_at=request.due_at,
                closed_at=request.closed_at,
                detail=f"due {request.due_at:%Y-%m-%d %H:%M} UTC",
                key=f"regulatory_request:{request.pk}:deadline",
            )
        )
    return rows
