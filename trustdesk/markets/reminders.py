"""Reminders before risk events: review staffing and playbooks while there is time.

The sweep runs hourly (``core.scheduler``). An event reminds its market's regional leads
``d`` days before it starts, for each ``d`` in ``remind_days_before``, counting days in the
market's own time zone. Each reminder is sent exactly once: its notification key names the
event and ``d``, and the notify app stores one row per key and recipient. When an event is
entered late, only the nearest reminder still ahead is sent, not every one already passed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustdesk.lib.timefmt import in_zone
from trustdesk.notify.services import notify

from .models import RiskEvent
from .services import region_leads

logger = logging.getLogger(__name__)

LONGEST_REMINDER_DAYS = 366


def due_reminder(event: RiskEvent, today: date) -> int | None:
    """The reminder (days before) that is due on ``today``, if any."""
    days_left = (event.starts_on - today).days
    if days_left < 0:
        return None
    ahead = [d for d in event.remind_days_before if d >= days_left]
    return min(ahead) if ahead else None


def _message(event: RiskEvent, days_before: int) -> tuple[str, str]:
    when = event.starts_on.strftime("%a %d %b %Y")
    if days_before == 0:
        subject = f"Today in {event.market.name}: {event.title}"
    else:
        span = "1 day" if days_before == 1 else f"{days_before} days"
        subject = f"In {span}: {event.title} ({event.market.name})"
    body = (
        f"{event.get_kind_display()} in {event.market.name} starting {when}"
        + (f", until {event.ends_on:%a %d %b %Y}" if event.ends_on != event.starts_on else "")
        + ". Review staffing and on-call cover for the region, and the playbooks for "
        f"{event.market.code}."
    )
    if event.unconfirmed:
        body += " The date is not yet confirmed."
    if event.notes:
        body += f"\n\n{event.notes}"
    return subject[:200], body


def send_due(now: datetime | None = None) -> int:
    """Send every reminder due now. Returns how many people were newly notified."""
    now = now or timezone.now()
    # Every zone's today lies within a day of UTC's, so this window holds every candidate.
    today_utc = now.date()
    candidates = RiskEvent.objects.filter(
        starts_on__gte=today_utc - timedelta(days=1),
        starts_on__lte=today_utc + timedelta(days=LONGEST_REMINDER_DAYS + 1),
    ).select_related("market")
    sent = 0
    for event in candidates:
        today = in_zone(now, event.market.tz).date()
        days_before = due_reminder(event, today)
        if days_before is None:
            continue
        sent += _remind(event, days_before)
    return sent


@transaction.atomic
def _remind(event: RiskEvent, days_before: int) -> int:
    subject, body = _message(event, days_before)
    link = reverse("markets:calendar") + (
        f"?market={event.market.code}&month={event.starts_on:%Y-%m}"
    )
    fresh = notify(
        recipients=region_leads(event.market.region),
        event_key=f"risk-event:{event.pk}:{days_before}",
        subject=subject,
        body=body,
        link=link,
    )
    if fresh:
        logger.info("risk reminder %s:%s sent to %d", event.pk, days_before, len(fresh))
    return len(fresh)
