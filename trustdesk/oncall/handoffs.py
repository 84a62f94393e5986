"""Shift handoffs: at each boundary where a new person comes on, they get a summary of what
is open and acknowledge it; unacknowledged after ``ACK_WITHIN`` the team's leads are told."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Membership, User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import Conflict
from trustdesk.notify.services import notify

from . import schedule
from .models import Handoff, Page, PageStatus, Rotation

LOOKBACK = timedelta(hours=2)  # a scheduler outage longer than this skips old handoffs
ACK_WITHIN = timedelta(minutes=30)


def summary_for(user: User, at: datetime) -> str:
    """What the incoming person inherits: open incidents they can see, worst first, and
    pages nobody has acknowledged."""
    open_ = Incident.objects.visible_to(user).open().order_by("severity", "reported_at")
    lines = [f"Handoff at {at:%Y-%m-%d %H:%M}Z.", "", "Open incidents:"]
    lines += [f"- #{i.pk} {i.severity} {i.get_status_display()}: {i.title}" for i in open_[:30]]
    if not open_.exists():
        lines.append("- none")
    unacked = Page.objects.filter(status__in=[PageStatus.ACTIVE, PageStatus.EXHAUSTED]).count()
    lines += ["", f"Unacknowledged pages: {unacked}"]
    return "\n".join(lines)


def _create(rotation: Rotation, shift: schedule.Shift) -> Handoff | None:
    outgoing = schedule.on_call(rotation, shift.starts_at - timedelta(seconds=1))
    if outgoing == shift.user:
        return None
    try:
        with transaction.atomic():
            handoff = Handoff.objects.create(
                rotation=rotation,
                at=shift.starts_at,
                outgoing=outgoing,
                incoming=shift.user,
                summary=summary_for(shift.user, shift.starts_at),
            )
            notify(
                recipients=[shift.user],
                event_key=f"handoff.{handoff.pk}",
                subject=f"Your {rotation} shift has started: handoff summary",
                body=handoff.summary,
                link=reverse("oncall:handoff", args=[handoff.pk]),
            )
    except IntegrityError:
        return None  # another sweep made it
    return handoff


def _escalate(handoff: Handoff, now: datetime) -> bool:
    marked = Handoff.objects.filter(pk=handoff.pk, escalated_at__isnull=True).update(
        escalated_at=now
    )
    if not marked:
        return False
    leads = [
        m.user for m in Membership.objects.filter(team_id=handoff.rotation.team_id, is_lead=True)
    ]
    notify(
        recipients=leads,
        event_key=f"handoff.{handoff.pk}.unacknowledged",
        subject=f"Handoff not acknowledged: {handoff.rotation} ({handoff.incoming.display_name})",
        body=f"The {handoff.at:%H:%M}Z handoff has not been acknowledged.",
        link=reverse("oncall:handoff", args=[handoff.pk]),
    )
    return True


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Every minute: create due handoffs, escalate stale ones."""
    now = now or timezone.now()
    created = escalated = 0
    for rotation in Rotation.objects.prefetch_related(*schedule.PREFETCH):
        for shift in schedule.shifts(rotation, now - LOOKBACK, now + timedelta(seconds=1)):
            if shift.starts_at > now - LOOKBACK:
                created += _create(rotation, shift) is not None
    stale = Handoff.objects.filter(
        acknowledged_at__isnull=True, escalated_at__isnull=True, at__lte=now - ACK_WITHIN
    ).select_related("rotation", "incoming")
    for handoff in stale:
        escalated += _escalate(handoff, now)
    return {"handoffs": created, "handoffs_escalated": escalated}


@transaction.atomic
def acknowledge(*, actor: User, handoff: Handoff) -> Handoff:
    if actor != handoff.incoming:
        raise Conflict("Only the incoming on-call acknowledges their handoff.")
    done = Handoff.objects.filter(pk=handoff.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if not done:
        raise Conflict("Already acknowledged.")
    audit.record(
        actor=actor,
        action="oncall.handoff.acknowledge",
        obj=handoff,
        after={"rotation": str(handoff.rotation)},
    )
    handoff.refresh_from_db()
    return handoff
