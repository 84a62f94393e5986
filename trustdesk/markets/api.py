"""``/api/v1/markets/{code}/profile`` and ``/api/v1/risk-events``.

Mounted by ``trustdesk.playbooks.api`` (one line in ``trustdesk/api.py`` serves both).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from trustdesk.accounts.api import request_user
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Market

from . import calendar, holidays, rules, services
from .models import MarketProfile, RiskEvent, RiskKind

router = Router(tags=["markets"])
READ = error_responses(404, 422)
WRITE = error_responses(403, 404, 422)


class MarketAuthorityOut(Schema):
    name: str
    kind: str
    channel: str
    address: str
    hours: str
    notes: str
    regulatory_code: str
    unverified: bool


class PartnerOut(Schema):
    name: str
    kind: str
    contact: str
    notes: str
    unverified: bool


class RiskNoteOut(Schema):
    title: str
    description: str


class ExpertOut(Schema):
    name: str
    username: str
    expertise: str
    languages: str


class MarketRuleOut(Schema):
    code: str
    jurisdiction: str
    title: str
    reference: str
    deadline: str
    verification: str
    in_force: bool


class HolidayOut(Schema):
    day: date
    name: str


class ProfileOut(Schema):
    market: str
    name: str
    region: str
    languages: list[str]
    tzs: list[str]
    version: int
    updated_at: datetime | None
    overview: str
    regulatory_notes: str
    language_notes: str
    authorities: list[MarketAuthorityOut]
    partners: list[PartnerOut]
    risks: list[RiskNoteOut]
    experts: list[ExpertOut]
    rules: list[MarketRuleOut]
    holidays: list[HolidayOut] = Field(description="Public holidays, next 12 months")


@router.get(
    "/markets/{code}/profile",
    response={200: ProfileOut, **READ},
    summary="A market's profile: authorities, rules, partners, risks, holidays",
)
def get_profile(request: HttpRequest, code: str) -> dict[str, Any]:
    market = Market.objects.filter(code=code.upper()).first()
    if market is None:
        raise Http404
    profile = MarketProfile.objects.visible_to(request_user(request)).filter(market=market).first()
    today = timezone.now().date()
    data = services.snapshot(profile) if profile else services.snapshot_empty()
    return {
        "market": market.code,
        "name": market.name,
        "region": market.region,
        "languages": market.languages,
        "tzs": market.tzs,
        "version": profile.version if profile else 0,
        "updated_at": profile.updated_at if profile else None,
        **data,
        "experts": [{**row, "name": row["name"] or row["username"]} for row in data["experts"]],
        "rules": rules.for_market(market, today),
        "holidays": [
            {"day": h.day, "name": h.name} for h in holidays.next_twelve_months(market.code, today)
        ],
    }


class RiskEventOut(Schema):
    id: int | None = Field(None, description="Empty for a public holiday")
    market: str
    title: str
    kind: str
    starts_on: date
    ends_on: date
    unconfirmed: bool = False
    remind_days_before: list[int] = []
    notes: str = ""
    source: str = ""


class RiskEventFilters(Schema):
    start: date | None = Field(None, description="Default: today")
    end: date | None = Field(None, description="Default: a year after start")
    region: str = ""
    market: str = ""
    kind: list[str] = []
    holidays: bool = Field(True, description="Include public holidays of profiled markets")


def _out(entry: calendar.Entry) -> dict[str, Any]:
    event = entry.event
    return {
        "id": event.pk if event else None,
        "market": entry.market,
        "title": entry.title,
        "kind": entry.kind,
        "starts_on": entry.starts_on,
        "ends_on": entry.ends_on,
        "unconfirmed": bool(event and event.unconfirmed),
        "remind_days_before": event.remind_days_before if event else [],
        "notes": event.notes if event else "",
        "source": event.source if event else "",
    }


@router.get(
    "/risk-events",
    response={200: list[RiskEventOut], **READ},
    summary="Risk calendar: events and public holidays in a date range",
)
def list_risk_events(request: HttpRequest, filters: Query[RiskEventFilters]) -> list[dict]:
    start = filters.start or timezone.now().date()
    end = filters.end or start + timedelta(days=365)
    if end < start or (end - start).days > 3 * 366:
        raise InvalidInput({"end": "After start, and at most three years later."})
    wrong = [k for k in filters.kind if k not in RiskKind.values]
    if wrong:
        raise InvalidInput({"kind": f"Unknown kind {', '.join(wrong)}."})
    chosen = calendar.Filters(
        region=filters.region,
        market=filters.market.upper(),
        kinds=tuple(filters.kind),
        holidays=filters.holidays,
    )
    return [_out(e) for e in calendar.entries(chosen, start, end)]


class RiskEventIn(Schema):
    market: str
    title: str = Field(max_length=200)
    kind: RiskKind
    starts_on: date
    ends_on: date | None = None
    notes: str = ""
    remind_days_before: list[int] = [14, 3]
    unconfirmed: bool = False
    source: str = ""


@router.post(
    "/risk-events",
    response={201: RiskEventOut, **WRITE},
    summary="Add a risk event (leads and admins)",
)
def create_risk_event(request: HttpRequest, payload: RiskEventIn) -> Answer[dict]:
    user = request_user(request)
    if not services.can_edit_calendar(user):
        raise PermissionDenied("Leads and admins keep the risk calendar.")
    market = Market.objects.filter(code=payload.market.upper()).first()
    if market is None:
        raise InvalidInput({"market": f"Unknown market {payload.market!r}."})
    draft = services.EventDraft(market=market, **payload.model_dump(exclude={"market"}))
    event = services.create_event(actor=user, draft=draft)
    event = RiskEvent.objects.select_related("market").get(pk=event.pk)
    entry = calendar.Entry(
        event.market.code,
        event.market.name,
        event.title,
        event.kind,
        event.get_kind_display(),
        event.starts_on,
        event.ends_on,
        event,
    )
    return Answer(201, _out(entry))
