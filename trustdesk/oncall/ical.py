"""iCalendar feeds of on-call shifts, per rotation and per person."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from trustdesk.accounts.models import User

from . import schedule
from .models import Rotation

PAST = timedelta(days=7)
AHEAD = timedelta(days=60)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//trustdesk//on-call//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _event(shift: schedule.Shift) -> Event:
    event = Event()
    # Stable per shift, so calendar clients update rather than duplicate on refresh.
    event.add("uid", f"shift-{shift.rotation.pk}-{shift.starts_at:%Y%m%dT%H%M%SZ}@trustdesk")
    event.add("summary", f"On call: {shift.rotation} ({shift.user.display_name})")
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("dtstamp", shift.starts_at)
    return event


def feed(
    rotations: Iterable[Rotation], *, now: datetime, name: str, user: User | None = None
) -> bytes:
    cal = _calendar(name)
    for rotation in rotations:
        for shift in schedule.shifts(rotation, now - PAST, now + AHEAD):
            if user is None or shift.user == user:
                cal.add_component(_event(shift))
    return bytes(cal.to_ical())
