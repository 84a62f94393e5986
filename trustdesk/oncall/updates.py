"""Stakeholder status updates: drafted from the incident, sent to an audience, on a cadence.

The cadence is per severity (``ONCALL_UPDATE_CADENCE_MINUTES`` overrides): when the next
internal or executive update is overdue, the commander (or, without one, the incident's
leads-on-list: its participants) is reminded once per missed slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident, ParticipantRole
from trustdesk.lib.errors import InvalidInput
from trustdesk.notify.services import notify

from .models import Audience, StatusUpdate

CADENCE_MINUTES: dict[str, int] = {"SEV1": 30, "SEV2": 60, "SEV3": 240}


def cadence(severity: str) -> timedelta | None:
    minutes = getattr(settings, "ONCALL_UPDATE_CADENCE_MINUTES", CADENCE_MINUTES).get(severity)
    return timedelta(minutes=minutes) if minutes else None


def next_due(incident: Incident) -> datetime | None:
    every = cadence(incident.severity)
    if every is None or not incident.is_open:
        return None
    last = (
        incident.status_updates.exclude(audience=Audience.REGULATOR)
        .values_list("sent_at", flat=True)
        .first()
    )
    return (last or incident.reported_at) + every


def draft(incident: Incident, audience: str) -> tuple[str, str]:
    """A subject and body for ``audience``, filled from the incident, for a person to edit."""
    context = {
        "incident": incident,
        "markets": ", ".join(m.code for m in incident.markets.all()),
        "events": list(incident.events.order_by("-occurred_at")[:5])[::-1],
        "next_due": timezone.now() + (cadence(incident.severity) or timedelta(hours=4)),
    }
    body = render_to_string(f"oncall/updates/{audience}.txt", context)
    subject = f"[{incident.severity}] {incident.title} — update"
    return subject[:200], body


def audience_of(incident: Incident, audience: str) -> list[User]:
    active = incident.participants.active().select_related("user")
    if audience == Audience.INTERNAL:
        return [p.user for p in active]
    if audience == Audience.EXECUTIVE:
        return list(User.objects.filter(is_active=True, role=Role.LEAD))
    roles = (ParticipantRole.LEGAL, ParticipantRole.LIAISON)
    return [p.user for p in active.filter(role__in=roles)]


@transaction.atomic
def send_update(
    *, actor: User, incident: Incident, audience: str, subject: str, body: str
) -> StatusUpdate:
    """Record the update and notify its audience (in-app and their channels)."""
    if audience not in Audience.values:
        raise InvalidInput({"audience": f"One of {', '.join(Audience.values)}."})
    subject, body = subject.strip()[:200], body.strip()
    if not subject or not body:
        raise InvalidInput({"body" if subject else "subject": "This field is required."})
    people = audience_of(incident, audience)
    update = StatusUpdate.objects.create(
        incident=incident,
        audience=audience,
        subject=subject,
        body=body,
        sent_by=actor,
        recipients=sorted(u.username for u in people),
    )
    notify(
        recipients=people,
        event_key=f"incident.{incident.pk}.status-update.{update.pk}",
        subject=subject,
        body=body,
        link=reverse("incidents:detail", args=[incident.pk]),
        thread_key=f"incident-{incident.pk}",
    )
    audit.record(
        actor=actor,
        action="oncall.status_update.send",
        obj=incident,
        after={"audience": audience, "recipients": update.recipients},
    )
    return update


def remind_late(*, now: datetime | None = None) -> int:
    """Every minute: remind whoever runs each open incident whose update is overdue."""
    now = now or timezone.now()
    reminded = 0
    for incident in Incident.objects.open().filter(severity__in=CADENCE_MINUTES.keys()):
        due = next_due(incident)
        if due is None or due > now:
            continue
        people = (
            [incident.commander]
            if incident.commander
            else [p.user for p in incident.participants.active().select_related("user")]
        )
        fresh = notify(
            recipients=people,
            event_key=f"incident.{incident.pk}.update-due.{due:%Y%m%dT%H%M}",
            subject=f"Status update overdue: {incident.severity} {incident.title}"[:200],
            body=f"The next stakeholder update was due at {due:%H:%M}Z.",
            link=reverse("oncall:updates", args=[incident.pk]),
            thread_key=f"incident-{incident.pk}",
        )
        reminded += bool(fresh)
    return reminded
