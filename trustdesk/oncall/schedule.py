"""Who is on call: per rotation, per team, per market; shifts over a window; gaps.

Times come in and go out as aware UTC; local wall time in the rotation's zone is used only
to decide (DESIGN.md invariant 1). Between two consecutive *boundaries* (a coverage window
opening or closing, a handoff, an override starting or ending) the answer cannot change, so
shifts and gaps are found by asking once per boundary interval.

Precedence at one instant: an override; then the highest *layer* active on that local day
(a weekday layer, or a holiday layer on a public holiday of the rotation's calendar) whose
daily window contains the local time; then, on a public holiday, the rotation's holiday
fallback; then the rotation's own turn. Layers and holidays go by the local date, so local
midnight is a boundary too.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from trustdesk.accounts.models import TeamKind, User
from trustdesk.taxonomy.models import Market

from .models import LayerWhen, Rotation, RotationLayer

PREFETCH = ("members__user", "overrides", "layers__members__user", "holiday_fallback")


@dataclass(frozen=True)
class Shift:
    rotation: Rotation
    user: User
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Gap:
    starts_at: datetime
    ends_at: datetime


def _covers(rotation: Rotation | RotationLayer, local: time) -> bool:
    start, end = rotation.covers_from, rotation.covers_until
    if start == end:
        return True
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window runs over midnight


@functools.lru_cache(maxsize=256)
def _holiday_dates(country: str, subdiv: str, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    return frozenset(calendar.keys())


def is_holiday(rotation: Rotation, day: date) -> bool:
    """Whether ``day`` (a local date) is a public holiday in the rotation's calendar."""
    if not rotation.holiday_country:
        return False
    return day in _holiday_dates(rotation.holiday_country, rotation.holiday_subdiv, day.year)


def _turn(rotation: Rotation, members: Sequence[User], shift_days: int, local: datetime) -> User:
    # Before today's handoff, yesterday's shift is still running.
    day = local.date() if local.time() >= rotation.handoff_time else local.date() - timedelta(1)
    turn = (day - rotation.starts_on).days // shift_days
    return members[turn % len(members)]


def _layer_active(layer: RotationLayer, local: datetime, holiday: bool) -> bool:
    if layer.when == LayerWhen.HOLIDAYS:
        active = holiday
    else:
        active = not layer.weekdays or local.isoweekday() in layer.weekdays
    return active and _covers(layer, local.time().replace(tzinfo=None))


def scheduled(rotation: Rotation, at: datetime) -> User | None:
    """Who is scheduled at ``at`` (ignoring overrides): the top active layer, the holiday
    fallback, or the rotation's own turn; None when nobody covers the moment."""
    local = at.astimezone(ZoneInfo(rotation.tz))
    holiday = is_holiday(rotation, local.date())
    for layer in sorted(rotation.layers.all(), key=lambda row: -row.position):
        layer_members = [m.user for m in layer.members.all()]
        if layer_members and _layer_active(layer, local, holiday):
            return _turn(rotation, layer_members, layer.shift_days, local)
    if holiday and rotation.holiday_fallback is not None:
        return rotation.holiday_fallback
    if not _covers(rotation, local.time().replace(tzinfo=None)):
        return None
    members = [m.user for m in rotation.members.all()]
    if not members:
        return None
    return _turn(rotation, members, rotation.shift_days, local)


def on_call(rotation: Rotation, at: datetime) -> User | None:
    """Who answers a page for this rotation at ``at``: an override wins."""
    for override in rotation.overrides.all():
        if override.starts_at <= at < override.ends_at:
            return override.user
    return scheduled(rotation, at)


def _local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A wall time skipped by a DST jump is read with fold=0 (zoneinfo's rule): the instant
    # lands just after the jump, which is when the handoff really happens.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def boundaries(rotation: Rotation, start: datetime, end: datetime) -> set[datetime]:
    zone = ZoneInfo(rotation.tz)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    points = set()
    day = first
    while day <= last:
        moments = {rotation.handoff_time, rotation.covers_from, rotation.covers_until, time(0)}
        for layer in rotation.layers.all():
            moments |= {layer.covers_from, layer.covers_until}
        for moment in moments:
            points.add(_local_to_utc(day, moment, zone))
        day += timedelta(days=1)
    for override in rotation.overrides.all():
        points.update((override.starts_at, override.ends_at))
    return {p for p in points if start < p < end}


def _intervals(points: Iterable[datetime], start: datetime, end: datetime) -> list[datetime]:
    return [start, *sorted(set(points)), end]


def shifts(rotation: Rotation, start: datetime, end: datetime) -> list[Shift]:
    """Who is on call when, within ``[start, end)``; adjacent stretches of one person merge."""
    cuts = _intervals(boundaries(rotation, start, end), start, end)
    result: list[Shift] = []
    for left, right in itertools.pairwise(cuts):
        user = on_call(rotation, left)
        if user is None:
            continue
        if result and result[-1].user == user and result[-1].ends_at == left:
            result[-1] = Shift(rotation, user, result[-1].starts_at, right)
        else:
            result.append(Shift(rotation, user, left, right))
    return result


def gaps(rotations: Iterable[Rotation], start: datetime, end: datetime) -> list[Gap]:
    """Stretches of ``[start, end)`` when none of the rotations has anyone on call."""
    rotations = list(rotations)
    points: set[datetime] = set()
    for rotation in rotations:
        points |= boundaries(rotation, start, end)
    cuts = _intervals(points, start, end)
    found: list[Gap] = []
    for left, right in itertools.pairwise(cuts):
        if any(on_call(r, left) is not None for r in rotations):
            continue
        if found and found[-1].ends_at == left:
            found[-1] = Gap(found[-1].starts_at, right)
        else:
            found.append(Gap(left, right))
    return found


def team_on_call(rotations: Iterable[Rotation], at: datetime) -> list[tuple[Rotation, User]]:
    return [(r, u) for r in rotations if (u := on_call(r, at)) is not None]


def incident_rotations(region: str = "") -> list[Rotation]:
    rows = Rotation.objects.filter(team__kind=TeamKind.INCIDENT_MANAGEMENT)
    if region:
        rows = rows.filter(team__region=region)
    return list(rows.select_related("team").prefetch_related(*PREFETCH))


def on_call_for_market(market: Market, at: datetime) -> list[tuple[Rotation, User]]:
    """The region owning the market pages its own on-call; outside its hours the sun has
    moved on, and whoever is on call in another region answers (follow the sun)."""
    return team_on_call(incident_rotations(market.region), at) or team_on_call(
        incident_rotations(), at
    )
