"""Token-authenticated iCalendar feeds: per person and per rotation; rotating or revoking
the token breaks the old URL; wrong tokens and outsiders get 404."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from trustdesk.accounts.models import TeamKind
from trustdesk.audit.models import AuditEvent
from trustdesk.oncall import feeds
from trustdesk.oncall.models import CalendarToken

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def rotation(im, im2):
    team = make_team("emea-im", im, im2, kind=TeamKind.INCIDENT_MANAGEMENT)
    return make_rotation(team, im, im2, tz="Europe/Dublin")


def _events(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return [str(e["summary"]) for e in cal.walk("VEVENT")]


@time_machine.travel("2026-01-07 12:00:00Z", tick=False)
def test_it_serves_my_shifts_without_a_login(im, im2, rotation) -> None:
    token = feeds.rotate(user=im).token
    summaries = _events(Client().get(f"/oncall/feeds/{token}/me.ics"))
    assert summaries and all(im.display_name in s for s in summaries)
    assert not any(im2.display_name in s for s in summaries)


@time_machine.travel("2026-01-07 12:00:00Z", tick=False)
def test_it_serves_a_rotation_to_a_responder(im, im2, rotation) -> None:
    token = feeds.rotate(user=im).token
    summaries = _events(Client().get(f"/oncall/feeds/{token}/rotations/{rotation.pk}.ics"))
    assert any(im2.display_name in s for s in summaries)


def test_it_breaks_the_old_url_when_the_token_is_rotated_or_revoked(im, rotation) -> None:
    old = feeds.rotate(user=im).token
    new = feeds.rotate(user=im).token
    client = Client()
    assert client.get(f"/oncall/feeds/{old}/me.ics").status_code == 404
    assert client.get(f"/oncall/feeds/{new}/me.ics").status_code == 200
    feeds.revoke(user=im)
    assert client.get(f"/oncall/feeds/{new}/me.ics").status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"oncall.calendar_token.rotate", "oncall.calendar_token.revoke"} <= actions


def test_it_refuses_a_wrong_token_and_an_outsiders_token(outsider, rotation) -> None:
    client = Client()
    assert client.get("/oncall/feeds/not-a-token/me.ics").status_code == 404
    assert client.get(f"/oncall/feeds/nope/rotations/{rotation.pk}.ics").status_code == 404
    CalendarToken.objects.create(user=outsider, token="outsider-secret")
    assert client.get("/oncall/feeds/outsider-secret/me.ics").status_code == 404
    url = f"/oncall/feeds/outsider-secret/rotations/{rotation.pk}.ics"
    assert client.get(url).status_code == 404


def test_it_refuses_a_rotation_feed_to_a_stakeholder_on_no_rotation(stakeholder, rotation) -> None:
    CalendarToken.objects.create(user=stakeholder, token="stake-secret")
    url = f"/oncall/feeds/stake-secret/rotations/{rotation.pk}.ics"
    assert Client().get(url).status_code == 404


def test_it_lets_me_turn_feeds_on_rotate_and_off_from_the_page(im, rotation) -> None:
    client = Client()
    client.force_login(im)
    assert "Feeds are off" in client.get("/oncall/calendar").content.decode()
    assert client.post("/oncall/calendar", {"action": "rotate"}).status_code == 302
    token = CalendarToken.objects.get(user=im).token
    page = client.get("/oncall/calendar").content.decode()
    assert f"/oncall/feeds/{token}/me.ics" in page
    assert f"/oncall/feeds/{token}/rotations/{rotation.pk}.ics" in page
    client.post("/oncall/calendar", {"action": "revoke"})
    assert not CalendarToken.objects.filter(user=im).exists()
    assert client.post("/oncall/calendar", {"action": "x"}).status_code == 400


def test_it_refuses_the_calendar_page_to_an_outsider(outsider) -> None:
    client = Client()
    client.force_login(outsider)
    assert client.get("/oncall/calendar").status_code == 404
    assert client.post("/oncall/calendar", {"action": "rotate"}).status_code == 404
    assert not CalendarToken.objects.exists()
