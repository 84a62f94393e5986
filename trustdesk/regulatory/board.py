"""The deadline board: which requests to show, in what order, and how urgent each one is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from trustdesk.accounts.models import User

from .clock import business_time_left, fraction_used
from .lifecycle import OPEN_STATUSES
from .models import RegulatoryRequest, RequestQuerySet

# Colour bands by share of the clock used (the same thresholds as the escalation ladder).
RED_FROM = 0.90
AMBER_FROM = 0.75


@dataclass(frozen=True)
class Filters:
    jurisdiction: str = ""
    authority: str = ""
    status: str = ""  # blank: every open request
    owner: str = ""  # a username, or "me", or "none"
    region: str = ""


def risk(request: RegulatoryRequest, now: datetime) -> str:
    """done / paused / breached / red / amber / normal."""
    if request.deadline_met_at is not None or not request.is_open:
        return "done"
    if request.is_paused:
        return "paused"
    used = fraction_used(due_at=request.due_at, span=request.clock_duration, now=now)
    if used >= 1:
        return "breached"
    if used > RED_FROM:
        return "red"
    if used > AMBER_FROM:
        return "amber"
    return "normal"


@dataclass
class Row:
    request: RegulatoryRequest
    risk: str
    time_left: timedelta
    fraction: float
    business_left: timedelta | None

    @property
    def percent(self) -> int:
        return max(0, min(100, round(self.fraction * 100)))


def row(request: RegulatoryRequest, now: datetime) -> Row:
    spec = request.clock_spec()
    left = request.time_left(now)
    business = None if spec.is_hours else business_time_left(spec, now, now + left)
    fraction = 1 - left / request.clock_duration if request.clock_duration else 1.0
    return Row(request, risk(request, now), left, fraction, business)


_ORDER = {"breached": 0, "red": 1, "amber": 2, "normal": 3, "paused": 4, "done": 5}


def filtered(requests: RequestQuerySet, filters: Filters, user: User) -> RequestQuerySet:
    if filters.status:
        requests = requests.filter(status=filters.status)
    else:
        requests = requests.filter(status__in=OPEN_STATUSES)
    if filters.jurisdiction:
        requests = requests.filter(jurisdiction__code=filters.jurisdiction)
    if filters.authority:
        requests = requests.filter(authority__code=filters.authority)
    if filters.region:
        requests = requests.filter(region=filters.region)
    if filters.owner == "me":
        requests = requests.filter(owner=user)
    elif filters.owner == "none":
        requests = requests.filter(Q(owner__isnull=True))
    elif filters.owner:
        requests = requests.filter(owner__username=filters.owner)
    return requests.select_related(
        "jurisdiction", "authority", "rule", "rule_version", "owner", "incident"
    ).prefetch_related("extensions")


def rows(requests: RequestQuerySet, now: datetime) -> list[Row]:
    """Running clocks first, least time left first; then paused; then met deadlines."""
    built = [row(r, now) for r in requests]
    return sorted(built, key=lambda r: (_ORDER[r.risk] > 3, _ORDER[r.risk] == 5, r.time_left))
