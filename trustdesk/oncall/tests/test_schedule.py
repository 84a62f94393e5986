"""Who is on call: handoffs in local time across DST, overrides, follow-the-sun and gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from trustdesk.accounts.models import Role, TeamKind
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.oncall import schedule
from trustdesk.oncall.models import Override
from trustdesk.taxonomy.models import Market

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def people(db):
    return [UserFactory(username=f"oc{n}", role=Role.INCIDENT_MANAGER) for n in range(3)]


def test_weekly_handoff_stays_at_nine_local_across_the_spring_change(people) -> None:
    a, b, c = people
    team = make_team("emea-im", *people, kind=TeamKind.INCIDENT_MANAGEMENT)
    # Mondays 09:00 Dublin; the clocks go forward on Sunday 29 March 2026.
    rotation = make_rotation(team, a, b, c, tz="Europe/Dublin", starts_on=date(2026, 3, 16))
    assert schedule.on_call(rotation, utc(2026, 3, 23, 8, 59)) == a
    assert schedule.on_call(rotation, utc(2026, 3, 23, 9, 0)) == b  # GMT: 09:00 = 09:00Z
    assert schedule.on_call(rotation, utc(2026, 3, 30, 7, 59)) == b
    assert schedule.on_call(rotation, utc(2026, 3, 30, 8, 0)) == c  # IST: 09:00 = 08:00Z
    handoffs = [s.starts_at for s in schedule.shifts(rotation, utc(2026, 3, 20), utc(2026, 4, 2))]
    assert handoffs == [utc(2026, 3, 20), utc(2026, 3, 23, 9), utc(2026, 3, 30, 8)]


def test_autumn_change_in_new_york_keeps_local_handoff(people) -> None:
    a, b, _ = people
    team = make_team("ams-im", a, b, kind=TeamKind.INCIDENT_MANAGEMENT)
    # Daily handoffs at 01:30 New York; 1 November 2026 01:30 happens twice.
    rotation = make_rotation(
        team,
        a,
        b,
        tz="America/New_York",
        starts_on=date(2026, 10, 30),
        shift_days=1,
        handoff_time=time(1, 30),
    )
    shifts = schedule.shifts(rotation, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12))
    # fold=0: the first 01:30 (EDT, 05:30Z) is the handoff; the next is 01:30 EST (06:30Z).
    assert [s.starts_at for s in shifts][1:] == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]
    assert [s.user for s in shifts] == [b, a, b]


def test_an_override_wins_for_its_window_only(people) -> None:
    a, b, c = people
    rotation = make_rotation(make_team("t", a, b), a, b)
    Override.objects.create(
        rotation=rotation, user=c, starts_at=utc(2026, 1, 6, 12), ends_at=utc(2026, 1, 6, 18)
    )
    assert schedule.on_call(rotation, utc(2026, 1, 6, 11)) == a
    assert schedule.on_call(rotation, utc(2026, 1, 6, 12)) == c
    assert schedule.on_call(rotation, utc(2026, 1, 6, 18)) == a
    users = [s.user for s in schedule.shifts(rotation, utc(2026, 1, 6), utc(2026, 1, 7))]
    assert users == [a, c, a]


def test_outside_the_coverage_window_nobody_is_on_call(people) -> None:
    a, *_ = people
    rotation = make_rotation(
        make_team("t", a), a, tz="Asia/Singapore", covers_from=time(22), covers_until=time(6)
    )
    assert schedule.on_call(rotation, utc(2026, 1, 6, 15)) == a  # 23:00 SGT
    assert schedule.on_call(rotation, utc(2026, 1, 6, 21, 59)) == a  # 05:59 SGT
    assert schedule.on_call(rotation, utc(2026, 1, 6, 22)) is None  # 06:00 SGT


def _follow_the_sun(people):
    ams, emea, apac = people
    rotations = []
    for person, region, zone, start in (
        (apac, "APAC", "Asia/Singapore", 8),
        (emea, "EMEA", "Europe/Dublin", 8),
        (ams, "AMS", "America/New_York", 11),
    ):
        team = make_team(f"{region.lower()}-im", person, kind=TeamKind.INCIDENT_MANAGEMENT)
        team.region = region
        team.save()
        rotations.append(
            make_rotation(
                team, person, tz=zone, covers_from=time(start), covers_until=time(start + 8)
            )
        )
    return rotations


def test_follow_the_sun_has_no_gap_in_northern_winter(people) -> None:
    rotations = _follow_the_sun(people)
    assert schedule.gaps(rotations, utc(2026, 1, 5), utc(2026, 1, 12)) == []
    at = utc(2026, 1, 6, 15, 59)  # EMEA's last minute; AMS starts at 16:00Z
    assert [u for _, u in schedule.team_on_call(rotations, at)] == [people[1]]


def test_summer_time_opens_a_gap_at_the_americas_evening(people) -> None:
    rotations = _follow_the_sun(people)
    # From 8 March New York is on EDT: AMS ends 23:00Z, APAC starts 00:00Z.
    found = schedule.gaps(rotations, utc(2026, 3, 9), utc(2026, 3, 11))
    assert found == [
        schedule.Gap(utc(2026, 3, 9, 23), utc(2026, 3, 10)),
        schedule.Gap(utc(2026, 3, 10, 23), utc(2026, 3, 11)),
    ]


def test_a_market_pages_its_region_then_follows_the_sun(people) -> None:
    ams, emea, _ = people
    _follow_the_sun(people)
    brazil = Market.objects.get(code="BR")
    assert brazil.region == "AMS"
    assert [u for _, u in schedule.on_call_for_market(brazil, utc(2026, 1, 6, 17))] == [ams]
    # 10:00Z: AMS is asleep, EMEA answers.
    assert [u for _, u in schedule.on_call_for_market(brazil, utc(2026, 1, 6, 10))] == [emea]
