"""The iCalendar feed: valid RFC 5545, fetched with the secret token, no session."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from trustdesk.markets import services
from trustdesk.markets.models import MarketProfile
from trustdesk.taxonomy.models import Market

from .factories import make_event

pytestmark = pytest.mark.django_db


def feed(token: str, **params: str):
    return Client().get(reverse("markets:feed"), {"token": token, **params})


def test_the_feed_parses_and_carries_the_events(im, frozen):
    make_event(
        starts_on=date(2026, 12, 20),
        ends_on=date(2027, 1, 20),
        title="Court recess",
        kind="regulatory_period",
        unconfirmed=True,
    )
    response = feed(services.feed_token(im))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = [c for c in calendar.walk("VEVENT")]
    assert str(event["SUMMARY"]) == "[BR] Court recess"
    assert event.decoded("DTSTART") == date(2026, 12, 20)
    assert event.decoded("DTEND") == date(2027, 1, 21)  # exclusive: the day after the last
    assert "not yet confirmed" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith("risk-event-")


def test_holidays_of_profiled_markets_are_in_the_feed(im, frozen):
    MarketProfile.objects.create(market=Market.objects.get(code="BR"))
    calendar = Calendar.from_ical(feed(services.feed_token(im)).content)
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert "[BR] Christmas Day" in summaries


def test_the_feed_needs_a_valid_token(im):
    token = services.feed_token(im)
    assert feed("").status_code == 404
    assert feed(token[:-2] + "xx").status_code == 404
    assert feed(token).status_code == 200


def test_resetting_cuts_off_the_old_address(im):
    old = services.feed_token(im)
    new = services.reset_feed(actor=im)
    assert feed(old).status_code == 404
    assert feed(new).status_code == 200


def test_a_deactivated_users_feed_stops(im):
    token = services.feed_token(im)
    im.is_active = False
    im.save()
    assert feed(token).status_code == 404


def test_the_feed_filters_by_market(im, frozen):
    make_event(starts_on=date(2027, 6, 6), market="MX", title="Mid-terms")
    make_event(starts_on=date(2027, 10, 24), market="AR", title="General election")
    calendar = Calendar.from_ical(feed(services.feed_token(im), market="mx").content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert "[MX] Mid-terms" in summaries
    assert "[MX] Independence Day" in summaries  # a chosen market's holidays come along
    assert not [s for s in summaries if s.startswith("[AR]")]


def test_the_calendar_page_shows_the_feed_address(client, im, frozen):
    client.force_login(im)
    body = client.get(reverse("markets:calendar")).content.decode()
    assert services.feed_token(im) in body
