"""``/api/v1/oncall``: who is on call, coverage gaps, acknowledging pages, engagement matches."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from trustdesk.accounts.api import request_user
from trustdesk.incidents.models import Incident
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Market

from . import escalation, schedule
from .models import EngagementMatch

router = Router(tags=["oncall"])


class OnCallOut(Schema):
    rotation: str
    team: str
    username: str
    name: str


class GapOut(Schema):
    starts_at: datetime
    ends_at: datetime


class PageOut(Schema):
    id: int
    incident: int | None
    request: int | None
    status: str
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class MatchOut(Schema):
    rule: str
    matched_at: datetime
    reasons: list[str]
    engaged: list[str]


def _responder(request: HttpRequest) -> None:
    user = request_user(request)
    if not (user.is_responder or user.role == "auditor"):
        raise PermissionDenied("Responders only.")


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise InvalidInput({"at": "Give a time zone (e.g. 2026-11-25T18:00:00Z)."})
    return at


@router.get("/now", response={200: list[OnCallOut], **error_responses(403, 404, 422)})
def on_call_now(
    request: HttpRequest, market: str = "", at: datetime | None = None
) -> list[OnCallOut]:
    """Who is on call at ``at`` (default now): for ``market`` (its region, else follow the
    sun), or in every incident-management rotation."""
    _responder(request)
    when = _aware(at)
    if market:
        found = schedule.on_call_for_market(get_object_or_404(Market, code=market.upper()), when)
    else:
        found = schedule.team_on_call(schedule.incident_rotations(), when)
    return [
        OnCallOut(rotation=r.name, team=r.team.slug, username=u.username, name=u.display_name)
        for r, u in found
    ]


@router.get("/gaps", response={200: list[GapOut], **error_responses(403, 422)})
def coverage_gaps(request: HttpRequest, days: int = 7) -> list[GapOut]:
    """Stretches of the next ``days`` (1-60) when no incident-management rotation is on call."""
    _responder(request)
    if not 1 <= days <= 60:
        raise InvalidInput({"days": "Between 1 and 60."})
    now = timezone.now()
    found = schedule.gaps(schedule.incident_rotations(), now, now + timedelta(days=days))
    return [GapOut(starts_at=g.starts_at, ends_at=g.ends_at) for g in found]


@router.post("/pages/{page_id}/ack", response={200: PageOut, **error_responses(404, 409)})
def acknowledge(request: HttpRequest, page_id: int) -> PageOut:
    """Acknowledge a page: its escalation stops. 409 when it already stopped."""
    user = request_user(request)
    page = get_object_or_404(escalation.visible_pages(user), pk=page_id)
    page = escalation.acknowledge(actor=user, page=page)
    return PageOut(
        id=page.pk,
        incident=page.incident_id,
        request=page.request_id,
        status=page.status,
        acknowledged_by=page.acknowledged_by.username if page.acknowledged_by else None,
        acknowledged_at=page.acknowledged_at,
    )


@router.get(
    "/incidents/{incident_id}/engagements", response={200: list[MatchOut], **error_responses(404)}
)
def engagements(request: HttpRequest, incident_id: int) -> list[MatchOut]:
    """Which engagement rules fired on the incident, why, and whom they engaged."""
    if not Incident.objects.visible_to(request_user(request)).filter(pk=incident_id).exists():
        raise Http404
    rows = EngagementMatch.objects.filter(incident_id=incident_id).select_related("rule")
    return [
        MatchOut(rule=m.rule.name, matched_at=m.matched_at, reasons=m.reasons, engaged=m.engaged)
        for m in rows
    ]
