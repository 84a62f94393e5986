"""The clock's pure functions: counting, closures, pauses, extensions, and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trustdesk.regulatory.clock import (
    ClockError,
    ClockKind,
    ClockSpec,
    Closure,
    Pause,
    add_period,
    business_time_left,
    compute_due,
    fraction_used,
    in_force_on,
    is_working_day,
    threshold_at,
    working_time_between,
)

from .factories import local, utc

BR_BUSINESS = ClockSpec(
    kind=ClockKind.BUSINESS_DAYS,
    duration=5,
    tz="America/Sao_Paulo",
    holiday_country="BR",
    closures=(Closure("12-20", "01-20", "recess"),),
)
HOURS_24 = ClockSpec(kind=ClockKind.HOURS, duration=24, tz="Australia/Sydney")


def test_a_recurring_closure_wraps_over_new_year() -> None:
    recess = Closure("12-20", "01-20")
    assert recess.contains(date(2026, 12, 20))
    assert recess.contains(date(2027, 1, 1))
    assert recess.contains(date(2027, 1, 20))
    assert not recess.contains(date(2027, 1, 21))
    assert not recess.contains(date(2026, 12, 19))


def test_a_dated_closure_applies_once() -> None:
    strike = Closure("2026-07-01", "2026-07-03")
    assert strike.contains(date(2026, 7, 2))
    assert not strike.contains(date(2027, 7, 2))


def test_malformed_closures_are_refused() -> None:
    with pytest.raises(ClockError):
        Closure("12-32", "01-20")
    with pytest.raises(ClockError):
        Closure("2026-12-20", "01-20")


def test_unknown_zones_and_calendars_are_refused() -> None:
    with pytest.raises(ClockError):
        ClockSpec(kind=ClockKind.HOURS, duration=1, tz="Mars/Olympus_Mons")
    with pytest.raises(ClockError):
        ClockSpec(kind=ClockKind.HOURS, duration=1, holiday_country="XX")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ClockError):
        compute_due(HOURS_24, local("2026-01-01 10:00", "UTC").replace(tzinfo=None))


def test_the_recess_counts_as_non_working_days() -> None:
    assert not is_working_day(BR_BUSINESS, date(2027, 1, 14))  # a Thursday in the recess
    assert is_working_day(BR_BUSINESS, date(2027, 1, 21))


def test_an_hour_pause_moves_the_deadline_by_its_length() -> None:
    start = utc("2026-06-01 00:00")
    pause = Pause(utc("2026-06-01 10:00"), utc("2026-06-01 13:30"))
    assert compute_due(HOURS_24, start, pauses=[pause]) == utc("2026-06-02 03:30")


def test_an_open_pause_is_measured_up_to_now() -> None:
    start = utc("2026-06-01 00:00")
    pause = Pause(utc("2026-06-01 10:00"))
    due = compute_due(HOURS_24, start, pauses=[pause], now=utc("2026-06-01 12:00"))
    assert due == utc("2026-06-02 02:00")
    with pytest.raises(ClockError):
        compute_due(HOURS_24, start, pauses=[pause])


def test_overlapping_pauses_count_once() -> None:
    start = utc("2026-06-01 00:00")
    pauses = [
        Pause(utc("2026-06-01 10:00"), utc("2026-06-01 12:00")),
        Pause(utc("2026-06-01 11:00"), utc("2026-06-01 13:00")),
    ]
    assert compute_due(HOURS_24, start, pauses=pauses) == utc("2026-06-02 03:00")


def test_a_pause_after_the_deadline_changes_nothing() -> None:
    start = utc("2026-06-01 00:00")
    late = Pause(utc("2026-06-03 00:00"), utc("2026-06-04 00:00"))
    assert compute_due(HOURS_24, start, pauses=[late]) == utc("2026-06-02 00:00")


def test_a_pause_before_the_clock_started_changes_nothing() -> None:
    start = utc("2026-06-01 00:00")
    early = Pause(utc("2026-05-30 00:00"), utc("2026-05-31 00:00"))
    assert compute_due(HOURS_24, start, pauses=[early]) == utc("2026-06-02 00:00")


def test_a_business_day_pause_costs_whole_working_days() -> None:
    # Served Mon 2 Mar 2026: five business days end with Mon 9 Mar.
    start = local("2026-03-02 10:00", "America/Sao_Paulo")
    assert compute_due(BR_BUSINESS, start) == local("2026-03-10 00:00", "America/Sao_Paulo")
    # Paused Wed 14:00 to Thu 10:00: 20 working hours, rounded up to one day.
    pause = Pause(
        local("2026-03-04 14:00", "America/Sao_Paulo"),
        local("2026-03-05 10:00", "America/Sao_Paulo"),
    )
    due = compute_due(BR_BUSINESS, start, pauses=[pause])
    assert due == local("2026-03-11 00:00", "America/Sao_Paulo")


def test_a_weekend_pause_costs_no_business_day() -> None:
    start = local("2026-03-02 10:00", "America/Sao_Paulo")
    weekend = Pause(
        local("2026-03-07 00:00", "America/Sao_Paulo"),
        local("2026-03-09 00:00", "America/Sao_Paulo"),
    )
    assert compute_due(BR_BUSINESS, start, pauses=[weekend]) == compute_due(BR_BUSINESS, start)


def test_extensions_add_units_or_set_a_later_time() -> None:
    start = utc("2026-06-01 00:00")
    assert compute_due(HOURS_24, start, extra=12) == utc("2026-06-02 12:00")
    later = utc("2026-06-05 09:00")
    assert compute_due(HOURS_24, start, not_before=later) == later
    earlier = utc("2026-06-01 09:00")
    assert compute_due(HOURS_24, start, not_before=earlier) == utc("2026-06-02 00:00")


def test_zero_business_days_from_a_weekend_ends_the_next_working_day() -> None:
    spec = ClockSpec(kind=ClockKind.BUSINESS_DAYS, duration=0, tz="UTC")
    assert add_period(spec, utc("2026-06-06 12:00"), 0) == utc("2026-06-09 00:00")


def test_a_calendar_without_working_days_is_an_error_not_a_hang() -> None:
    every_day = ClockSpec(
        kind=ClockKind.BUSINESS_DAYS, duration=1, tz="UTC", closures=(Closure("01-01", "12-31"),)
    )
    with pytest.raises(ClockError):
        compute_due(every_day, utc("2026-06-01 00:00"))


def test_fraction_used_excludes_paused_time() -> None:
    due, span = utc("2026-06-02 03:00"), timedelta(hours=24)
    assert fraction_used(due_at=due, span=span, now=utc("2026-06-01 15:00")) == 0.5
    assert fraction_used(due_at=due, span=span, now=utc("2026-06-02 09:00")) == 1.25
    assert threshold_at(due_at=due, span=span, fraction=0.75) == utc("2026-06-01 21:00")


def test_working_time_counts_only_working_days() -> None:
    spec = ClockSpec(kind=ClockKind.BUSINESS_DAYS, duration=1, tz="UTC")
    # Fri 12:00 to Mon 12:00: 12 h on Friday and 12 h on Monday.
    friday, monday = utc("2026-06-05 12:00"), utc("2026-06-08 12:00")
    assert working_time_between(spec, friday, monday) == timedelta(hours=24)
    assert business_time_left(spec, monday, friday) == -timedelta(hours=24)


def test_in_force_dates_include_the_start_and_exclude_the_repeal() -> None:
    start, repeal = date(2024, 1, 1), date(2024, 5, 14)
    assert in_force_on(start, repeal, date(2024, 1, 1))
    assert in_force_on(start, repeal, date(2024, 5, 13))
    assert not in_force_on(start, repeal, date(2024, 5, 14))
    assert not in_force_on(None, None, date(2024, 5, 1))
