"""The on-call page and the iCalendar feeds."""

from __future__ import annotations

from datetime import time

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from trustdesk.accounts.models import TeamKind

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rotation(im, im2):
    team = make_team("emea-im", im, im2, kind=TeamKind.INCIDENT_MANAGEMENT)
    return make_rotation(
        team, im, im2, tz="Europe/Dublin", covers_from=time(8), covers_until=time(20)
    )


@time_machine.travel("2026-01-06 10:00:00Z", tick=False)
def test_the_page_shows_who_is_on_call_and_the_gaps(lead, rotation, im) -> None:
    html = _client(lead).get("/oncall/").content.decode()
    assert f"<td>{im.display_name}</td>" in html
    assert "Nobody on call" in html  # 20:00-08:00 Dublin is uncovered


def test_outsiders_are_refused(outsider, rotation) -> None:
    assert _client(outsider).get("/oncall/").status_code == 404
    assert _client(outsider).get(f"/oncall/rotations/{rotation.pk}.ics").status_code == 404


@time_machine.travel("2026-01-06 10:00:00Z", tick=False)
def test_the_rotation_feed_lists_shifts_in_utc(lead, rotation, im) -> None:
    response = _client(lead).get(f"/oncall/rotations/{rotation.pk}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    days = {e.decoded("dtstart").date() for e in events}  # Dec 30 .. Mar 7
    assert len(days) == 68
    monday = sorted(
        (e.decoded("dtstart").hour, str(e["summary"]))
        for e in events
        if e.decoded("dtstart").isoformat().startswith("2026-01-12")
    )
    # The 09:00 Monday handoff splits the day's window between the two people.
    assert [hour for hour, _ in monday] == [8, 9] and monday[0][1] != monday[1][1]
    today = [e for e in events if e.decoded("dtstart").isoformat().startswith("2026-01-06")]
    assert today[0].decoded("dtstart").isoformat() == "2026-01-06T08:00:00+00:00"
    assert today[0].decoded("dtend").isoformat() == "2026-01-06T20:00:00+00:00"
    assert im.display_name in str(today[0]["summary"])


@time_machine.travel("2026-01-06 10:00:00Z", tick=False)
def test_my_feed_has_only_my_shifts(rotation, im, im2) -> None:
    mine = Calendar.from_ical(_client(im).get("/oncall/me.ics").content).walk("VEVENT")
    theirs = Calendar.from_ical(_client(im2).get("/oncall/me.ics").content).walk("VEVENT")
    assert mine and theirs
    assert all(im.display_name in str(e["summary"]) for e in mine)
    assert {str(e["uid"]) for e in mine}.isdisjoint({str(e["uid"]) for e in theirs})
