"""Public holidays from the ``holidays`` package, computed when shown (never stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays as holiday_data


@dataclass(frozen=True)
class Holiday:
    country: str
    day: date
    name: str


def between(country: str, start: date, end: date) -> list[Holiday]:
    """National holidays of ``country`` from ``start`` to ``end`` inclusive; none for a
    country the package does not know."""
    years = list(range(start.year, end.year + 1))
    try:
        calendar = holiday_data.country_holidays(country, years=years, language="en_US")
    except NotImplementedError:
        return []
    return [
        Holiday(country, day, name) for day, name in sorted(calendar.items()) if start <= day <= end
    ]


def next_twelve_months(country: str, today: date) -> list[Holiday]:
    return between(country, today, today + timedelta(days=365))
