"""Regulatory clocks that page: a request whose deadline is close starts the escalation
policies of its region, once per (request, threshold).

Thresholds: a quarter of the clock left, and under two hours left. The regulatory app keeps
its own reminder ladder (owner, regional lead); this is the on-call side of it, so someone on
duty is woken up when a deadline would otherwise pass at night.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.urls import reverse

from trustdesk.accounts.models import User
from trustdesk.notify.services import notify
from trustdesk.regulatory.models import RegulatoryRequest

from .models import ClockThreshold, Page

TWO_HOURS = timedelta(hours=2)
QUARTER = 0.25


def thresholds_crossed(request: RegulatoryRequest, now: datetime) -> list[str]:
    """The thresholds a running clock has crossed at ``now`` (none once it is breached:
    the regulatory app reports breaches)."""
    left = request.due_at - now
    if not request.clock_running or left <= timedelta(0):
        return []
    found: list[str] = []
    if left <= request.clock_duration * QUARTER:
        found.append(ClockThreshold.QUARTER_LEFT)
    if left < TWO_HOURS:
        found.append(ClockThreshold.UNDER_TWO_HOURS)
    return found


def crossed(now: datetime) -> Iterator[tuple[RegulatoryRequest, str]]:
    """(request, threshold) pairs crossed at ``now`` that have no page yet."""
    running = (
        RegulatoryRequest.objects.open()
        .filter(paused_since__isnull=True, due_at__gt=now)
        .select_related("rule_version", "incident")
    )
    for request in running:
        paged = set(request.oncall_pages.values_list("threshold", flat=True))
        for threshold in thresholds_crossed(request, now):
            if threshold not in paged:
                yield request, threshold


def page_people(page: Page, recipients: list[User], position: int, now: datetime) -> None:
    request = page.request
    assert request is not None
    left = request.due_at - now
    notify(
        recipients=recipients,
        event_key=f"page.{page.pk}.step.{position}.round.{page.repeats_done}",
        subject=f"PAGE deadline: {request.ref} {request.title}"[:200],
        body=f"{page.policy.name}: {page.get_threshold_display().lower()} "
        f"(due {request.due_at:%Y-%m-%d %H:%M} UTC). Acknowledge to stop the escalation.",
        link=reverse("regulatory:detail", args=[request.pk]),
        thread_key=f"regulatory-{request.pk}",
        urgent=left < TWO_HOURS,  # a clock under two hours goes through quiet hours
    )
