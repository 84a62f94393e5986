"""Time targets: relative to the incident's start, or to a regulatory request's deadline.

The regulatory app is optional here (``apps.is_installed``); without it, or before a request
hangs on the incident, a step anchored to a regulatory clock waits without a target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps

from trustdesk.incidents.models import Incident

from .models import Anchor, Step


@dataclass(frozen=True)
class Clock:
    request_id: int
    ref: str
    due_at: datetime
    label: str


def open_clocks(incident: Incident) -> list[Clock]:
    """The incident's open regulatory requests with a running deadline, soonest first."""
    if not apps.is_installed("trustdesk.regulatory"):
        return []
    request_model = apps.get_model("regulatory", "RegulatoryRequest")
    requests = (
        request_model.objects.filter(incident=incident)
        .open()
        .select_related("authority", "jurisdiction")
        .order_by("due_at", "id")
    )
    return [
        Clock(
            request_id=r.pk,
            ref=r.ref,
            due_at=r.due_at,
            label=f"{r.ref} · {r.authority.name}",
        )
        for r in requests
    ]


def _jurisdiction_codes(incident: Incident) -> dict[int, str]:
    request_model = apps.get_model("regulatory", "RegulatoryRequest")
    return dict(
        request_model.objects.filter(incident=incident).values_list("pk", "jurisdiction__code")
    )


def clock_for(step: Step, incident: Incident, clocks: list[Clock]) -> Clock | None:
    """The soonest deadline; a step limited to some markets takes the soonest deadline of
    a request from one of them (a Brazilian court's order, not an Australian notice)."""
    if not clocks:
        return None
    markets = set((step.condition or {}).get("markets") or ())
    if not markets:
        return clocks[0]
    codes = _jurisdiction_codes(incident)
    return next((c for c in clocks if codes.get(c.request_id) in markets), None)


def target(step: Step, incident: Incident, clock: Clock | None) -> datetime | None:
    offset = timedelta(minutes=step.offset_minutes)
    if step.anchor == Anchor.INCIDENT_START:
        return incident.reported_at + offset
    return clock.due_at + offset if clock is not None else None


def describe_offset(step: Step) -> str:
    """``within 1h of the start``, ``2h before the regulatory deadline``."""
    text = _span(abs(step.offset_minutes))
    if step.anchor == Anchor.INCIDENT_START:
        return f"within {text} of the start"
    if step.offset_minutes < 0:
        return f"{text} before the regulatory deadline"
    if step.offset_minutes == 0:
        return "by the regulatory deadline"
    return f"{text} after the regulatory deadline"


def _span(minutes: int) -> str:
    if minutes and minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day" + ("s" if days != 1 else "")
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}h"
    if minutes > 60:
        return f"{minutes // 60}h {minutes % 60:02d}m"
    return f"{minutes}m"
