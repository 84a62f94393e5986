"""Quiet and working hours: when a non-urgent copy may go out. Local wall time in the
person's zone, straight back to UTC (DESIGN.md invariant 1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from .models import Preference


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quiet_ends_at(
    now: datetime, *, tz: str, quiet_from: time | None, quiet_until: time | None
) -> datetime | None:
    """When the quiet hours containing ``now`` end (UTC), or None when ``now`` is not quiet.
    ``quiet_from`` later than ``quiet_until`` runs over midnight (22:00-07:00)."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return None
    zone = _zone(tz)
    local = now.astimezone(zone)
    at = local.time().replace(tzinfo=None)
    if quiet_from < quiet_until:
        inside = quiet_from <= at < quiet_until
        end_day = local.date()
    else:
        inside = at >= quiet_from or at < quiet_until
        end_day = local.date() + timedelta(days=1) if at >= quiet_from else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, quiet_until, tzinfo=zone).astimezone(now.tzinfo)


WEEKDAYS = (1, 2, 3, 4, 5)


def next_working_start(
    now: datetime,
    *,
    tz: str,
    work_from: time | None,
    work_until: time | None,
    work_days: Sequence[int] = (),
) -> datetime | None:
    """When the next working hours start (UTC), or None when ``now`` is within them or no
    working hours are set. Working hours do not run over midnight; days are ISO weekdays of
    the local start."""
    if work_from is None or work_until is None or work_from >= work_until:
        return None
    days = set(work_days or WEEKDAYS)
    zone = _zone(tz)
    local = now.astimezone(zone)
    at = local.time().replace(tzinfo=None)
    if local.isoweekday() in days and work_from <= at < work_until:
        return None
    day = local.date() if at < work_from else local.date() + timedelta(days=1)
    for _ in range(7):
        if day.isoweekday() in days:
            return datetime.combine(day, work_from, tzinfo=zone).astimezone(now.tzinfo)
        day += timedelta(days=1)
    return None


def send_at(now: datetime, *, tz: str, pref: Preference) -> datetime | None:
    """The first moment at or after ``now`` outside quiet hours and inside working hours,
    or None for now."""
    moment = now
    for _ in range(4):  # quiet hours may end outside working hours, and the reverse
        quiet = quiet_ends_at(
            moment,
            tz=tz,
            quiet_from=pref.quiet_from,
            quiet_until=pref.quiet_until,
        )
        moment = quiet or moment
        working = next_working_start(
            moment,
            tz=tz,
            work_from=pref.work_from,
            work_until=pref.work_until,
            work_days=pref.work_days or (),
        )
        moment = working or moment
        if quiet is None and working is None:
            break
    return None if moment == now else moment
