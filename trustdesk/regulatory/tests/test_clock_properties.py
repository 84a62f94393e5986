"""Properties of the clock that must hold for every rule, zone, calendar and start time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trustdesk.regulatory.clock import (
    ClockKind,
    ClockSpec,
    Closure,
    Pause,
    compute_due,
    day_start,
    is_working_day,
    local_date,
)

# Zones with DST at midnight (Santiago), half- and 45-minute offsets, southern-hemisphere DST.
ZONES = [
    ("UTC", ""),
    ("America/New_York", "US"),
    ("America/Sao_Paulo", "BR"),
    ("America/Santiago", "CL"),
    ("America/Mexico_City", "MX"),
    ("Europe/Berlin", "DE"),
    ("Europe/London", "GB"),
    ("Australia/Sydney", "AU"),
    ("Asia/Kolkata", "IN"),
    ("Pacific/Chatham", ""),
    ("America/St_Johns", "CA"),
]

starts = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2034, 12, 1), timezones=st.just(UTC)
)


@st.composite
def specs(draw: st.DrawFn, kinds: list[ClockKind] | None = None) -> ClockSpec:
    kind = draw(st.sampled_from(kinds or list(ClockKind)))
    tz, country = draw(st.sampled_from(ZONES))
    hours = kind in (ClockKind.HOURS, ClockKind.INTERNAL)
    duration = draw(st.integers(0, 400) if hours else st.integers(0, 40))
    recess = draw(st.booleans())
    return ClockSpec(
        kind=kind,
        duration=duration,
        tz=tz,
        holiday_country=country,
        closures=(Closure("12-20", "01-20"),) if recess else (),
        roll_forward=draw(st.booleans()),
    )


@st.composite
def pauses(draw: st.DrawFn, start: datetime) -> list[Pause]:
    result = []
    for _ in range(draw(st.integers(0, 3))):
        offset = draw(st.integers(-48 * 60, 60 * 24 * 60))
        length = draw(st.integers(0, 20 * 24 * 60))
        begin = start + timedelta(minutes=offset)
        result.append(Pause(begin, begin + timedelta(minutes=length)))
    return result


@settings(max_examples=300, deadline=None)
@given(spec=specs(), start=starts)
def test_the_deadline_is_never_before_the_start(spec: ClockSpec, start: datetime) -> None:
    assert compute_due(spec, start) >= start


@settings(max_examples=300, deadline=None)
@given(spec=specs([ClockKind.HOURS, ClockKind.INTERNAL]), start=starts)
def test_hour_clocks_are_exact_in_utc(spec: ClockSpec, start: datetime) -> None:
    assert compute_due(spec, start) - start == timedelta(hours=spec.duration)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), spec=specs(), start=starts)
def test_pauses_never_shorten_a_deadline(
    data: st.DataObject, spec: ClockSpec, start: datetime
) -> None:
    stops = data.draw(pauses(start))
    assert compute_due(spec, start, pauses=stops) >= compute_due(spec, start)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), spec=specs(), start=starts)
def test_a_longer_pause_never_gives_an_earlier_deadline(
    data: st.DataObject, spec: ClockSpec, start: datetime
) -> None:
    begin = start + timedelta(minutes=data.draw(st.integers(0, 10 * 24 * 60)))
    short = data.draw(st.integers(0, 5 * 24 * 60))
    longer = short + data.draw(st.integers(0, 5 * 24 * 60))
    due_short = compute_due(spec, start, pauses=[Pause(begin, begin + timedelta(minutes=short))])
    due_long = compute_due(spec, start, pauses=[Pause(begin, begin + timedelta(minutes=longer))])
    assert due_long >= due_short


@settings(max_examples=300, deadline=None)
@given(data=st.data(), spec=specs([ClockKind.BUSINESS_DAYS]), start=starts)
def test_business_day_deadlines_end_a_working_day_at_local_midnight(
    data: st.DataObject, spec: ClockSpec, start: datetime
) -> None:
    due = compute_due(spec, start, pauses=data.draw(pauses(start)))
    last_day = local_date(due - timedelta(microseconds=1), spec.tz)
    assert last_day.weekday() < 5
    assert is_working_day(spec, last_day)
    assert due == day_start(last_day + timedelta(days=1), spec.tz)


@settings(max_examples=200, deadline=None)
@given(spec=specs([ClockKind.CALENDAR_DAYS]), start=starts)
def test_rolled_calendar_deadlines_end_a_working_day(spec: ClockSpec, start: datetime) -> None:
    due = compute_due(spec, start)
    last_day = local_date(due - timedelta(microseconds=1), spec.tz)
    if spec.roll_forward:
        assert is_working_day(spec, last_day)
    assert due == day_start(last_day + timedelta(days=1), spec.tz)


@settings(max_examples=200, deadline=None)
@given(spec=specs(), start=starts, extra=st.integers(0, 30))
def test_extensions_never_shorten_a_deadline(spec: ClockSpec, start: datetime, extra: int) -> None:
    assert compute_due(spec, start, extra=extra) >= compute_due(spec, start)
