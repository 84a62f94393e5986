"""Reminders and escalation: the deadline sweep the scheduler runs every minute.

As a request's clock is used up, the ladder of steps fires in order. With the default steps:

=========  ===========================================================================
  50 %     the owner is reminded
  75 %     the owner and the lead of the request's region
  90 %     as above, plus the lead on duty in another region (whose working hours,
           09:00-18:00 in the region's representative zone, contain now; all other
           leads if nobody is on duty)
  breach   the same people, told the deadline has passed
=========  ===========================================================================

A request without an owner goes straight to its regional lead. Each (request, level) is an
``Escalation`` row inserted before anyone is notified, in the same transaction, behind a
unique constraint: however many workers sweep at once, a level fires once and each person
is told once. Paused clocks and met deadlines do not escalate.

Deployments may replace the steps with ``REGULATORY_ESCALATION_STEPS`` in settings, e.g.
``[{"level": "80", "at": 0.8, "notify": "regional_lead"}, ...]``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import IntEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.audit import services as audit
from trustdesk.lib.regions import Region
from trustdesk.lib.timefmt import format_duration
from trustdesk.notify.services import notify

from .clock import threshold_at, zone_of
from .models import Escalation, EventKind, RegulatoryRequest, RequestEvent

logger = logging.getLogger(__name__)


class Reach(IntEnum):
    OWNER = 1
    REGIONAL_LEAD = 2
    LEAD_ELSEWHERE = 3


@dataclass(frozen=True)
class Step:
    level: str
    fraction: float
    reach: Reach

    @property
    def label(self) -> str:
        return "deadline breached" if self.fraction >= 1 else f"{round(self.fraction * 100)}% used"


DEFAULT_STEPS: tuple[Step, ...] = (
    Step("50", 0.5, Reach.OWNER),
    Step("75", 0.75, Reach.REGIONAL_LEAD),
    Step("90", 0.9, Reach.LEAD_ELSEWHERE),
    Step("breach", 1.0, Reach.LEAD_ELSEWHERE),
)

# Where each region's working day is judged, for "the lead on duty elsewhere".
REGION_ZONES: dict[str, str] = {
    Region.AMS: "America/New_York",
    Region.EMEA: "Europe/Dublin",
    Region.APAC: "Asia/Singapore",
}
WORKING_HOURS = (time(9), time(18))


def steps() -> tuple[Step, ...]:
    configured = getattr(settings, "REGULATORY_ESCALATION_STEPS", None)
    if not configured:
        return DEFAULT_STEPS
    parsed = [
        Step(str(s["level"]), float(s["at"]), Reach[str(s["notify"]).upper()]) for s in configured
    ]
    return tuple(sorted(parsed, key=lambda s: s.fraction))


def next_escalation_at(request: RegulatoryRequest, done: Iterable[str]) -> datetime | None:
    """When the next step not yet taken fires; None while the clock is not running."""
    if not request.clock_running:
        return None
    taken = set(done)
    for step in steps():
        if step.level not in taken:
            return threshold_at(
                due_at=request.due_at, span=request.clock_duration, fraction=step.fraction
            )
    return None


def on_duty_regions(now: datetime) -> list[str]:
    start, end = WORKING_HOURS
    return [
        region
        for region, tz in REGION_ZONES.items()
        if start <= now.astimezone(zone_of(tz)).time() < end
    ]


def recipients(request: RegulatoryRequest, reach: Reach, now: datetime) -> list[User]:
    """Who hears about a step: owner, regional lead, lead on duty elsewhere, in that order.
    If nobody fits (no owner, no leads), the administrators, so a breach is never silent."""
    people: dict[int, User] = {}
    leads = User.objects.filter(role=Role.LEAD, is_active=True)
    owner = request.owner if request.owner and request.owner.is_active else None
    if owner is not None:
        people[owner.pk] = owner
    if reach >= Reach.REGIONAL_LEAD or owner is None:
        people.update({u.pk: u for u in leads.filter(region=request.region)})
    if reach >= Reach.LEAD_ELSEWHERE:
        elsewhere = list(leads.exclude(region=request.region))
        on_duty = [u for u in elsewhere if u.region in on_duty_regions(now)]
        people.update({u.pk: u for u in on_duty or elsewhere})
    if not people:
        admins = User.objects.filter(role=Role.ADMIN, is_active=True)
        people.update({u.pk: u for u in admins})
    return list(people.values())


def _message(request: RegulatoryRequest, step: Step, now: datetime) -> tuple[str, str]:
    version = request.rule_version
    local_due = request.due_at.astimezone(zone_of(request.tz))
    left = request.due_at - now
    if step.fraction >= 1:
        subject = f"Deadline breached: {request.ref} {request.title}"
        timing = f"The deadline passed {format_duration(-left)} ago."
    else:
        subject = f"{step.label}: {request.ref} {request.title}"
        timing = f"{format_duration(left)} left."
    owner = request.owner.display_name if request.owner else "nobody (unassigned)"
    internal = " (internal target)" if request.is_internal_target else ""
    reference = f", ref. {request.reference}" if request.reference else ""
    body = (
        f"{request.authority.name}{reference}\n"
        f"Rule: {version.rule.code} · {version.legal_reference}{internal}\n"
        f"Due {local_due:%a %d %b %Y %H:%M} {request.tz} "
        f"({request.due_at:%Y-%m-%d %H:%M} UTC). {timing}\n"
        f"Owner: {owner}. Status: {request.get_status_display()}."
    )
    return subject, body


_URGENT_WITHIN = timedelta(hours=2)


def _fire(request: RegulatoryRequest, now: datetime) -> int:
    """Insert the rows for every step the clock has crossed and notify for the highest one
    (the lower ones are marked superseded, so nobody gets three messages at once)."""
    done = set(request.escalations.values_list("level", flat=True))
    fired: list[tuple[Step, Escalation]] = []
    for step in steps():
        reached = threshold_at(
            due_at=request.due_at, span=request.clock_duration, fraction=step.fraction
        )
        if step.level in done or reached > now:
            continue
        try:
            with transaction.atomic():
                row = Escalation.objects.create(
                    request=request, level=step.level, fraction=step.fraction, reached_at=reached
                )
        except IntegrityError:
            continue  # another sweep took this level
        fired.append((step, row))
        done.add(step.level)
    request.next_escalation_at = next_escalation_at(request, done)
    request.save(update_fields=["next_escalation_at"])
    if not fired:
        return 0
    *lower, (step, row) = fired
    Escalation.objects.filter(pk__in=[r.pk for _, r in lower]).update(superseded=True)
    people = recipients(request, step.reach, now)
    subject, body = _message(request, step, now)
    notify(
        recipients=people,
        event_key=f"regulatory.request.{request.pk}.{step.level}",
        subject=subject,
        body=body,
        link=reverse("regulatory:detail", args=[request.pk]),
        thread_key=f"regulatory-request-{request.pk}",
        # Quiet hours give way when the legal clock has under two hours left (or has run out).
        urgent=request.due_at - now < _URGENT_WITHIN,
    )
    row.notified = [u.username for u in people]
    row.save(update_fields=["notified"])
    names = ", ".join(u.display_name for u in people)
    RequestEvent.objects.create(
        request=request,
        kind=EventKind.ESCALATION,
        text=f"Escalation, {step.label}: notified {names}",
        data={"level": step.level, "notified": row.notified},
        occurred_at=now,
    )
    audit.record(
        actor=None,
        action="regulatory.request.escalate",
        obj=request,
        after={"level": step.level, "notified": row.notified},
    )
    return 1


def escalate_one(pk: int, now: datetime) -> int:
    """Claim one request and fire its due steps. On PostgreSQL a request another worker holds
    is skipped (it is being handled); SQLite serialises writers, and the second worker then
    finds the work already done."""
    with transaction.atomic():
        request = (
            RegulatoryRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, next_escalation_at__lte=now)
            .first()
        )
        if request is None:
            return 0
        if not request.clock_running:
            request.next_escalation_at = None
            request.save(update_fields=["next_escalation_at"])
            return 0
        return _fire(request, now)


def sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Fire every step that is due; returns how many requests escalated."""
    now = now or timezone.now()
    due = (
        RegulatoryRequest.objects.filter(next_escalation_at__lte=now)
        .order_by("next_escalation_at")
        .values_list("pk", flat=True)[:limit]
    )
    fired = 0
    for pk in list(due):
        try:
            fired += escalate_one(pk, now)
        except Exception:
            # One broken request must not stop the others' reminders; the next sweep retries.
            logger.exception("escalating regulatory request %s failed", pk)
    return fired
