"""The risk calendar page: a month grid with events and holidays, filters, and editing."""

from datetime import date

import pytest
from django.urls import reverse

from trustdesk.markets.models import MarketProfile, RiskEvent
from trustdesk.taxonomy.models import Market

from .factories import make_event

pytestmark = pytest.mark.django_db


def test_the_month_shows_events_and_profiled_markets_holidays(client, outsider, frozen):
    make_event(starts_on=date(2026, 11, 3), market="US", title="Mid-terms")
    MarketProfile.objects.create(market=Market.objects.get(code="BR"))
    client.force_login(outsider)
    body = client.get(reverse("markets:calendar"), {"month": "2026-11"}).content.decode()
    assert "November 2026" in body
    assert "Mid-terms" in body
    assert "Republic Proclamation Day" in body  # BR, 15 November


def test_filters_by_region(client, im, frozen):
    make_event(starts_on=date(2026, 11, 3), market="US", title="Mid-terms")
    make_event(starts_on=date(2026, 11, 5), market="DE", title="Landtag vote")
    client.force_login(im)
    body = client.get(
        reverse("markets:calendar"), {"month": "2026-11", "region": "EMEA"}
    ).content.decode()
    assert "Landtag vote" in body and "Mid-terms" not in body


def test_leads_add_events_and_others_cannot(client, im, lead):
    data = {
        "market": Market.objects.get(code="CO").pk,
        "title": "Local elections",
        "kind": "election",
        "starts_on": "2027-10-31",
        "remind": "30, 7",
    }
    client.force_login(im)
    assert client.post(reverse("markets:event_create"), data).status_code == 403
    client.force_login(lead)
    assert client.post(reverse("markets:event_create"), data).status_code == 302
    event = RiskEvent.objects.get()
    assert event.ends_on == date(2027, 10, 31) and event.remind_days_before == [30, 7]


def test_an_event_cannot_end_before_it_starts(client, lead):
    client.force_login(lead)
    data = {
        "market": Market.objects.get(code="CO").pk,
        "title": "X",
        "kind": "other",
        "starts_on": "2027-10-31",
        "ends_on": "2027-10-01",
        "remind": "",
    }
    response = client.post(reverse("markets:event_create"), data)
    assert response.status_code == 422 and b"on or after the first day" in response.content
    assert not RiskEvent.objects.exists()


def test_the_profile_page_lists_rules_and_holidays(client, outsider, frozen):
    client.force_login(outsider)
    body = client.get(reverse("markets:profile", args=["BR"])).content.decode()
    assert "BR-TSE-RES23610-ART38" in body
    assert "Christmas Day" in body
    assert client.get(reverse("markets:profile", args=["ZZ"])).status_code == 404


def test_risk_events_api(im, lead, frozen):
    from trustdesk.accounts.tests.apiclient import as_user

    make_event(starts_on=date(2027, 6, 6), market="MX", title="Mid-terms")
    listed = as_user(im).get("/api/v1/risk-events", {"market": "MX", "holidays": "false"}).json()
    assert [(e["market"], e["title"], e["starts_on"]) for e in listed] == [
        ("MX", "Mid-terms", "2027-06-06")
    ]
    body = {
        "market": "PE",
        "title": "Regional elections",
        "kind": "election",
        "starts_on": "2026-10-04",
        "ends_on": "2026-10-01",
    }
    refused = as_user(lead).post("/api/v1/risk-events", body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "ends_on"
    assert as_user(im).post("/api/v1/risk-events", {**body, "ends_on": None}).status_code == 403
