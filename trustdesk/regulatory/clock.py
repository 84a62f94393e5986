"""The deadline clock. Pure functions over aware datetimes: no ORM, no settings, no "now".

How a deadline is computed (docs/regulatory.md has the long version):

- **Hour clocks** (and internal targets, which are hours) run continuously through nights,
  weekends, holidays and DST changes: the due time is the start plus exactly N hours of real
  (UTC) time. A local wall clock may show N±1 hours across a DST change; the law counts
  elapsed time.
- **Day clocks** end at the authority's local midnight. The day the clock starts on is not
  counted; day N ends at 00:00 local time on the day after it. Calendar-day clocks count every
  day except closure periods; business-day clocks count Monday to Friday except public
  holidays (the ``holidays`` package, with a subdivision where it matters) and closures.
  Where the rule says so, a calendar-day deadline that ends on a non-working day rolls
  forward to the end of the next working day.
- **Pauses** (the authority suspended the clock, or is asked to clarify) move the due time
  later, never earlier: by their exact length on hour clocks, by whole days (rounded up) on
  day clocks, counting only working time on business-day clocks. A pause that starts after
  the deadline has passed changes nothing.
- **Extensions** add units of the rule's clock, or set a later due time.

Local time is used only inside these calculations, always with an explicit IANA zone, and
every result is UTC.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

DAY = timedelta(days=1)
# A clock whose calendar has no working day in this many days is misconfigured; stop there
# rather than loop for ever.
_MAX_DAYS = 3 * 366


class ClockKind(StrEnum):
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"
    INTERNAL = "internal"  # no number in the law: the organisation's own target, in hours


HOUR_KINDS = frozenset({ClockKind.HOURS, ClockKind.INTERNAL})


class ClockError(ValueError):
    """A clock that cannot be computed as configured (unknown zone, naive time, ...)."""


def _parse_day(text: str) -> tuple[int | None, int, int]:
    """``MM-DD`` (every year) or ``YYYY-MM-DD`` (once) -> (year or None, month, day)."""
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 2:
            date(2000, numbers[0], numbers[1])  # 2000 is a leap year, so 02-29 is allowed
            return None, numbers[0], numbers[1]
        if len(numbers) == 3:
            date(numbers[0], numbers[1], numbers[2])
            return numbers[0], numbers[1], numbers[2]
    except ValueError:
        pass
    raise ClockError(f"closure dates are MM-DD or YYYY-MM-DD, got {text!r}")


@dataclass(frozen=True)
class Closure:
    """Days on which a clock stands still, both ends included: recurring (``12-20`` to
    ``01-20``, the Brazilian court recess) or dated once (``2026-07-01`` to ``2026-07-31``)."""

    start: str
    end: str
    label: str = ""

    def __post_init__(self) -> None:
        start_year, *_ = _parse_day(self.start)
        end_year, *_ = _parse_day(self.end)
        if (start_year is None) != (end_year is None):
            raise ClockError("a closure's two ends are both MM-DD or both YYYY-MM-DD")

    def contains(self, day: date) -> bool:
        start_year, start_month, start_day = _parse_day(self.start)
        _, end_month, end_day = _parse_day(self.end)
        if start_year is not None:
            return date.fromisoformat(self.start) <= day <= date.fromisoformat(self.end)
        key, start, end = (day.month, day.day), (start_month, start_day), (end_month, end_day)
        if start <= end:
            return start <= key <= end
        return key >= start or key <= end  # wraps over New Year

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start, "end": self.end, "label": self.label}


@dataclass(frozen=True)
class ClockSpec:
    """Everything the clock needs to know about a rule, as applied to one request."""

    kind: ClockKind
    duration: int
    tz: str = "UTC"
    holiday_country: str = ""
    holiday_subdiv: str = ""
    closures: tuple[Closure, ...] = field(default_factory=tuple)
    roll_forward: bool = False

    def __post_init__(self) -> None:
        if self.duration < 0:
            raise ClockError("a clock's duration cannot be negative")
        zone_of(self.tz)
        if self.holiday_country:
            _holiday_dates(self.holiday_country, self.holiday_subdiv, 2024)

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.tz)

    @property
    def is_hours(self) -> bool:
        return self.kind in HOUR_KINDS

    @property
    def is_internal(self) -> bool:
        return self.kind == ClockKind.INTERNAL

    def describe(self) -> str:
        """``24 hours``, ``2 business days``, ``internal target: 24 hours``."""
        unit = {
            ClockKind.HOURS: "hour",
            ClockKind.INTERNAL: "hour",
            ClockKind.CALENDAR_DAYS: "calendar day",
            ClockKind.BUSINESS_DAYS: "business day",
        }[self.kind]
        text = f"{self.duration} {unit}{'' if self.duration == 1 else 's'}"
        return f"internal target: {text}" if self.is_internal else text


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None = None  # still paused


def zone_of(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ClockError(f"unknown time zone {tz!r}") from None


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClockError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


@lru_cache(maxsize=512)
def _holiday_dates(country: str, subdiv: str, year: int) -> frozenset[date]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    except NotImplementedError:
        raise ClockError(f"no holiday calendar for {country}/{subdiv or '-'}") from None
    return frozenset(calendar.keys())


def holiday_name(spec: ClockSpec, day: date) -> str:
    if not spec.holiday_country:
        return ""
    calendar = holidays.country_holidays(
        spec.holiday_country, subdiv=spec.holiday_subdiv or None, years=day.year
    )
    return str(calendar.get(day) or "")


def in_closure(spec: ClockSpec, day: date) -> bool:
    return any(closure.contains(day) for closure in spec.closures)


def is_holiday(spec: ClockSpec, day: date) -> bool:
    if not spec.holiday_country:
        return False
    return day in _holiday_dates(spec.holiday_country, spec.holiday_subdiv, day.year)


def is_working_day(spec: ClockSpec, day: date) -> bool:
    """Monday to Friday, not a public holiday, not in a closure period."""
    return day.weekday() < 5 and not is_holiday(spec, day) and not in_closure(spec, day)


def local_date(instant: datetime, tz: str) -> date:
    return _aware(instant, "instant").astimezone(zone_of(tz)).date()


def day_start(day: date, tz: str) -> datetime:
    """The first instant of ``day`` in ``tz``, in UTC. Where midnight does not exist (a DST
    change at 00:00) this is the moment the day begins; where it happens twice, the first."""
    return datetime.combine(day, time(0), tzinfo=zone_of(tz)).astimezone(UTC)


def day_end(day: date, tz: str) -> datetime:
    """Local midnight at the end of ``day``: the instant a day deadline expires."""
    return day_start(day + DAY, tz)


def _roll_to_working_day(spec: ClockSpec, day: date) -> date:
    for _ in range(_MAX_DAYS):
        if is_working_day(spec, day):
            return day
        day += DAY
    raise ClockError(f"no working day within {_MAX_DAYS} days of {day}; check the calendar")


def _count_days(spec: ClockSpec, from_day: date, units: int) -> date:
    """The day on which ``units`` counted days after ``from_day`` are complete."""
    day = from_day
    counted = 0
    while counted < units:
        day += DAY
        if (day - from_day).days > _MAX_DAYS + units:
            raise ClockError(f"could not count {units} days from {from_day}; check the calendar")
        if spec.kind == ClockKind.BUSINESS_DAYS:
            counted += is_working_day(spec, day)
        else:
            counted += not in_closure(spec, day)
    if spec.kind == ClockKind.BUSINESS_DAYS or spec.roll_forward:
        day = _roll_to_working_day(spec, day)
    return day


def add_period(spec: ClockSpec, started_at: datetime, units: int) -> datetime:
    """``started_at`` plus ``units`` of the spec's clock, without pauses."""
    started_at = _aware(started_at, "started_at")
    if units < 0:
        raise ClockError("cannot add a negative period")
    if spec.is_hours:
        return started_at + timedelta(hours=units)
    last_day = _count_days(spec, local_date(started_at, spec.tz), units)
    return day_end(last_day, spec.tz)


def working_time_between(spec: ClockSpec, start: datetime, end: datetime) -> timedelta:
    """How much of [start, end) falls on the authority's working days (local calendar)."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    day = local_date(start, spec.tz)
    last = local_date(end, spec.tz)
    while day <= last:
        if is_working_day(spec, day):
            overlap = min(end, day_end(day, spec.tz)) - max(start, day_start(day, spec.tz))
            total += max(overlap, timedelta(0))
        day += DAY
    return total


def _merged(pauses: Iterable[Pause], now: datetime | None) -> list[tuple[datetime, datetime]]:
    spans = []
    for pause in pauses:
        start = _aware(pause.start, "pause start")
        if pause.end is not None:
            end = _aware(pause.end, "pause end")
        elif now is not None:
            end = _aware(now, "now")
        else:
            raise ClockError("an open pause needs 'now' to be measured")
        if end > start:
            spans.append((start, end))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def lost_units(spec: ClockSpec, start: datetime, end: datetime) -> int | timedelta:
    """What a pause from ``start`` to ``end`` costs the clock: exact time on hour clocks,
    whole days rounded up on day clocks (only working time counts on business days)."""
    if spec.is_hours:
        return end - start
    if spec.kind == ClockKind.BUSINESS_DAYS:
        paused = working_time_between(spec, start, end)
    else:
        paused = end - start
    return math.ceil(paused / DAY)


def _shift(spec: ClockSpec, due: datetime, start: datetime, end: datetime) -> datetime:
    lost = lost_units(spec, start, end)
    if isinstance(lost, timedelta):
        return due + lost
    if lost == 0:
        return due
    # ``due`` is a day end (midnight), or a later time an extension set; count on from the
    # day it falls in, so the result is again a day end and never earlier.
    last_day = (due.astimezone(spec.zone) - timedelta(microseconds=1)).date()
    return max(due, day_end(_count_days(spec, last_day, lost), spec.tz))


def compute_due(
    spec: ClockSpec,
    started_at: datetime,
    *,
    pauses: Sequence[Pause] = (),
    extra: int = 0,
    not_before: datetime | None = None,
    now: datetime | None = None,
) -> datetime:
    """When a clock started at ``started_at`` runs out.

    ``extra`` adds units of the same clock (an extension); ``not_before`` is a due time an
    authority granted, which wins if later. Pauses then push the result later; an open pause
    is measured up to ``now``.
    """
    started_at = _aware(started_at, "started_at")
    due = add_period(spec, started_at, spec.duration + max(extra, 0))
    if not_before is not None:
        due = max(due, _aware(not_before, "not_before"))
    for start, end in _merged(pauses, now):
        start = max(start, started_at)  # time before the clock started was never running
        if start < end and start < due:
            due = _shift(spec, due, start, end)
    return due


def time_left(due_at: datetime, now: datetime) -> timedelta:
    """Negative once the deadline has passed."""
    return _aware(due_at, "due_at") - _aware(now, "now")


def fraction_used(*, due_at: datetime, span: timedelta, now: datetime) -> float:
    """How much of the clock is used: 0 at the start, 1 at the deadline, over 1 after it.

    ``span`` is the clock's full length without pauses, so paused time is not "used"."""
    left = time_left(due_at, now)
    if span <= timedelta(0):
        return 1.0 if left <= timedelta(0) else 0.0
    return 1.0 - left / span


def threshold_at(*, due_at: datetime, span: timedelta, fraction: float) -> datetime:
    """The instant at which ``fraction`` of the clock is used."""
    return _aware(due_at, "due_at") - span * (1.0 - fraction)


def business_time_left(spec: ClockSpec, now: datetime, due_at: datetime) -> timedelta:
    """Working time between now and the deadline, negative once it has passed."""
    if due_at >= now:
        return working_time_between(spec, now, due_at)
    return -working_time_between(spec, due_at, now)


class RetentionUnit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ClockError("unreachable month arithmetic")  # pragma: no cover


def keep_until(
    started_at: datetime, count: int, unit: str, tz: str, *, extra_days: int = 0
) -> datetime:
    """End of a preservation period (``90 days``, ``6 months``, ``1 year``, plus any extra
    days granted) at local midnight. A month or year that lands on a day the month lacks
    (31 Jan + 1 month, 29 Feb + 1 year) ends on the month's last day."""
    start_day = local_date(started_at, tz)
    unit = RetentionUnit(unit)
    if unit == RetentionUnit.DAYS:
        last = start_day + timedelta(days=count)
    elif unit == RetentionUnit.MONTHS:
        last = _add_months(start_day, count)
    else:
        last = _add_months(start_day, 12 * count)
    return day_end(last + timedelta(days=extra_days), tz)


def in_force_on(effective_from: date | None, effective_to: date | None, day: date) -> bool:
    """``effective_from`` is the first day in force, ``effective_to`` the first day no longer
    in force (the repeal date). A rule with no start date was never in force."""
    if effective_from is None or day < effective_from:
        return False
    return effective_to is None or day < effective_to
