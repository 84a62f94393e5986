"""Quiet hours: when a non-urgent copy may go out. Local wall time in the person's zone,
straight back to UTC (DESIGN.md invariant 1)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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
