"""Rotation layers (weekends, holidays) and public-holiday calendars, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from trustdesk.accounts.models import Role, TeamKind
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.oncall import schedule
from trustdesk.oncall.models import LayerMember, LayerWhen, Override, RotationLayer

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def people(db):
    return [UserFactory(username=f"ly{n}", role=Role.INCIDENT_MANAGER) for n in range(4)]


def add_layer(rotation, *members, position=1, **fields) -> RotationLayer:
    defaults = {"name": f"layer {position}", "covers_from": time(0), "covers_until": time(0)}
    layer = RotationLayer.objects.create(
        rotation=rotation, position=position, **{**defaults, **fields}
    )
    for n, user in enumerate(members):
        LayerMember.objects.create(layer=layer, user=user, position=n)
    return layer


@pytest.fixture
def dublin(people):
    """Weekdays 09:00-17:00 Dublin by ``a``; weekends all day by ``w``."""
    a, _, _, w = people
    team = make_team("emea-im", a, w, kind=TeamKind.INCIDENT_MANAGEMENT)
    rotation = make_rotation(
        team, a, tz="Europe/Dublin", covers_from=time(9), covers_until=time(17)
    )
    add_layer(rotation, w, name="Weekend", weekdays=[6, 7])
    return rotation


def test_it_puts_the_weekend_layer_on_call_for_the_local_weekend_across_spring_change(
    people, dublin
) -> None:
    a, _, _, w = people
    assert schedule.on_call(dublin, utc(2026, 3, 27, 12)) == a  # Friday
    assert schedule.on_call(dublin, utc(2026, 3, 28, 3)) == w  # Saturday night, outside 9-17
    # Clocks go forward on Sunday 29 March: the local weekend is 47 hours long.
    weekend = [
        s for s in schedule.shifts(dublin, utc(2026, 3, 27), utc(2026, 3, 31)) if s.user == w
    ]
    assert [(s.starts_at, s.ends_at) for s in weekend] == [(utc(2026, 3, 28), utc(2026, 3, 29, 23))]
    assert schedule.on_call(dublin, utc(2026, 3, 29, 23, 30)) is None  # Monday 00:30 IST


def test_it_finds_gaps_around_a_weekend_layer_across_the_spring_change(dublin) -> None:
    found = schedule.gaps([dublin], utc(2026, 3, 27), utc(2026, 3, 31))
    assert found == [
        schedule.Gap(utc(2026, 3, 27), utc(2026, 3, 27, 9)),
        schedule.Gap(utc(2026, 3, 27, 17), utc(2026, 3, 28)),
        schedule.Gap(utc(2026, 3, 29, 23), utc(2026, 3, 30, 8)),  # IST: 09:00 = 08:00Z
        schedule.Gap(utc(2026, 3, 30, 16), utc(2026, 3, 31)),
    ]


def test_it_lets_the_higher_layer_win_and_an_override_win_over_both(people, dublin) -> None:
    _a, b, c, w = people
    add_layer(
        dublin,
        b,
        position=2,
        name="Saturday days",
        weekdays=[6],
        covers_from=time(8),
        covers_until=time(20),
    )
    assert schedule.on_call(dublin, utc(2026, 3, 28, 12)) == b
    assert schedule.on_call(dublin, utc(2026, 3, 28, 21)) == w
    Override.objects.create(
        rotation=dublin, user=c, starts_at=utc(2026, 3, 28, 11), ends_at=utc(2026, 3, 28, 13)
    )
    assert schedule.on_call(dublin, utc(2026, 3, 28, 12)) == c
    assert schedule.on_call(dublin, utc(2026, 3, 28, 13)) == b


def test_it_puts_the_holiday_layer_on_call_on_a_public_holiday(people, dublin) -> None:
    a, _, h, _ = people
    dublin.holiday_country = "IE"
    dublin.save()
    add_layer(dublin, h, position=5, name="Holidays", when=LayerWhen.HOLIDAYS)
    assert schedule.on_call(dublin, utc(2026, 3, 16, 12)) == a
    assert schedule.on_call(dublin, utc(2026, 3, 17, 12)) == h  # St Patrick's Day
    assert schedule.on_call(dublin, utc(2026, 3, 17, 3)) == h  # holiday layer is all day
    gaps = schedule.gaps([dublin], utc(2026, 3, 16, 17), utc(2026, 3, 18, 9))
    assert gaps == [
        schedule.Gap(utc(2026, 3, 16, 17), utc(2026, 3, 17)),
        schedule.Gap(utc(2026, 3, 18), utc(2026, 3, 18, 9)),
    ]


def test_it_uses_the_holiday_fallback_when_no_holiday_layer_covers(people) -> None:
    a, _, fallback, _ = people
    team = make_team("ams-im", a, kind=TeamKind.INCIDENT_MANAGEMENT)
    rotation = make_rotation(
        team, a, tz="America/New_York", holiday_country="US", holiday_fallback=fallback
    )
    # Thanksgiving, 26 November 2026, local day in New York (EST, UTC-5).
    assert schedule.on_call(rotation, utc(2026, 11, 26, 4, 59)) == a
    assert schedule.on_call(rotation, utc(2026, 11, 26, 5)) == fallback
    assert schedule.on_call(rotation, utc(2026, 11, 27, 5)) == a


def test_it_reads_subdivision_holidays(people) -> None:
    a = people[0]
    team = make_team("de-im", a, kind=TeamKind.INCIDENT_MANAGEMENT)
    national = make_rotation(team, a, tz="Europe/Berlin", holiday_country="DE")
    bavaria = make_rotation(
        team, a, name="Bavaria", tz="Europe/Berlin", holiday_country="DE", holiday_subdiv="BY"
    )
    assert not schedule.is_holiday(national, date(2026, 1, 6))
    assert schedule.is_holiday(bavaria, date(2026, 1, 6))  # Epiphany
