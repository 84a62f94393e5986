"""The risk calendar: risk events and public holidays for a date range, and a month grid.

Holidays come from the ``holidays`` package when shown. Without a market filter they are
shown for the markets that have a profile (the markets the team works on); all 90-odd
markets' holidays would bury the elections the calendar exists for.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet

from trustdesk.taxonomy.models import Market

from . import holidays
from .models import MarketProfile, RiskEvent, RiskKind

# Within a day, elections come first and holidays last.
_KIND_ORDER: dict[str, int] = {
    RiskKind.ELECTION: 0,
    RiskKind.REGULATORY_PERIOD: 1,
    RiskKind.MAJOR_EVENT: 2,
    RiskKind.OTHER: 3,
    RiskKind.HOLIDAY: 4,
}


@dataclass(frozen=True)
class Filters:
    region: str = ""
    market: str = ""
    kinds: tuple[str, ...] = ()
    holidays: bool = True


@dataclass(frozen=True)
class Entry:
    """One thing on the calendar: a risk event, or a holiday (``event`` is None)."""

    market: str
    market_name: str
    title: str
    kind: str
    kind_label: str
    starts_on: date
    ends_on: date
    event: RiskEvent | None = None

    @property
    def is_holiday(self) -> bool:
        return self.event is None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass
class Day:
    day: date
    in_month: bool
    entries: list[Entry] = field(default_factory=list)

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


def markets_for(filters: Filters) -> QuerySet[Market]:
    markets = Market.objects.all()
    if filters.market:
        return markets.filter(code=filters.market)
    if filters.region:
        markets = markets.filter(region=filters.region)
    return markets


def events(filters: Filters, start: date, end: date) -> QuerySet[RiskEvent]:
    found = RiskEvent.objects.overlapping(start, end).select_related("market")
    if filters.market:
        found = found.filter(market__code=filters.market)
    elif filters.region:
        found = found.filter(market__region=filters.region)
    if filters.kinds:
        found = found.filter(kind__in=filters.kinds)
    return found


def _holiday_markets(filters: Filters) -> list[Market]:
    markets = markets_for(filters)
    if not filters.market:
        profiled = MarketProfile.objects.values("market")
        markets = markets.filter(pk__in=profiled)
    return list(markets.order_by("code"))


def entries(filters: Filters, start: date, end: date) -> list[Entry]:
    """Everything from ``start`` to ``end`` (inclusive), by start date then market."""
    found = [
        Entry(
            market=e.market.code,
            market_name=e.market.name,
            title=e.title,
            kind=e.kind,
            kind_label=e.get_kind_display(),
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            event=e,
        )
        for e in events(filters, start, end)
    ]
    wants_holidays = filters.holidays and (not filters.kinds or RiskKind.HOLIDAY in filters.kinds)
    if wants_holidays:
        for market in _holiday_markets(filters):
            found.extend(
                Entry(
                    market=market.code,
                    market_name=market.name,
                    title=h.name,
                    kind=RiskKind.HOLIDAY,
                    kind_label="Public holiday",
                    starts_on=h.day,
                    ends_on=h.day,
                )
                for h in holidays.between(market.code, start, end)
            )
    found.sort(key=lambda e: (e.starts_on, _KIND_ORDER.get(e.kind, 9), e.market, e.title))
    return found


def month_bounds(year: int, month: int) -> tuple[date, date]:
    last = pycalendar.monthrange(year, month)[1]
    return date(year, month, 1), date(year, month, last)


# Periods longer than this are listed above the month instead of in every day's cell,
# where a four-month election period would crowd out everything else.
LONG_PERIOD_DAYS = 7


@dataclass
class Month:
    weeks: list[list[Day]]
    periods: list[Entry]


def month_grid(year: int, month: int, filters: Filters) -> Month:
    """Weeks from Monday to Sunday covering the month, each day with its entries, and the
    long periods overlapping the month."""
    first, last = month_bounds(year, month)
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    found = entries(filters, start, end)
    periods = [
        e
        for e in found
        if _days(e) > LONG_PERIOD_DAYS and e.ends_on >= first and e.starts_on <= last
    ]
    found = [e for e in found if _days(e) <= LONG_PERIOD_DAYS]
    weeks: list[list[Day]] = []
    day = start
    while day <= end:
        week = []
        for _ in range(7):
            week.append(Day(day, day.month == month, [e for e in found if e.covers(day)]))
            day += timedelta(days=1)
        weeks.append(week)
    return Month(weeks, periods)


def _days(entry: Entry) -> int:
    return (entry.ends_on - entry.starts_on).days + 1


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1
