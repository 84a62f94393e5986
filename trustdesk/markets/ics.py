"""The risk calendar as an iCalendar (RFC 5545) feed, for calendar apps to subscribe to."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from icalendar import Calendar, Event

from .calendar import Entry

PRODID = "-//trustdesk//risk calendar//EN"


def _uid(entry: Entry) -> str:
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0] or "trustdesk"
    if entry.event is not None:
        return f"risk-event-{entry.event.pk}@{host}"
    return f"holiday-{entry.market}-{entry.starts_on:%Y%m%d}@{host}"


def _description(entry: Entry) -> str:
    lines = [f"{entry.kind_label} · {entry.market_name}"]
    event = entry.event
    if event is not None:
        if event.unconfirmed:
            lines.append("Date not yet confirmed.")
        if event.notes:
            lines.append(event.notes)
        if event.source:
            lines.append(f"Source: {event.source}")
    return "\n\n".join(lines)


def feed(entries: list[Entry], *, now: datetime, link: str) -> bytes:
    """All-day events; DTEND is the day after the last (exclusive, as RFC 5545 says)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "trustdesk risk calendar")
    for entry in entries:
        item = Event()
        item.add("uid", _uid(entry))
        item.add("dtstamp", now)
        item.add("dtstart", entry.starts_on)
        item.add("dtend", entry.ends_on + timedelta(days=1))
        item.add("summary", f"[{entry.market}] {entry.title}")
        item.add("description", _description(entry))
        item.add("categories", [entry.kind_label])
        item.add("transp", "TRANSPARENT")
        item.add("url", link)
        cal.add_component(item)
    return cal.to_ical()


def window(today: date) -> tuple[date, date]:
    """What the feed carries: the last month (for context) and the next thirteen."""
    return today - timedelta(days=31), today + timedelta(days=400)
