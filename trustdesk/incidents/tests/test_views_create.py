"""Opening an incident (/incidents/new) and editing one (/incidents/<id>/edit)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from trustdesk.incidents.models import EventKind, Incident, IncidentAccess
from trustdesk.taxonomy.models import Category, Keyword, Market

pytestmark = pytest.mark.django_db

URL = reverse("incidents:create")
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
SECURITY = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"


def _data(**overrides):
    data = {
        "title": "Blackout challenge resurfacing",
        "summary": "Videos spreading among teens",
        "category": Category.objects.get(code=SECURITY).pk,
        "markets": [Market.objects.get(code="MX").pk],
        "severity": "SEV2",
        "region": "",
        "detected_at": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def im_client(client, im):
    client.force_login(im)
    return client


def test_the_form_shows_the_severity_rubric(im_client):
    response = im_client.get(URL)
    assert response.status_code == 200
    assert "Imminent risk to life or of irreversible harm" in response.content.decode()
    assert 'name="severity" value="SEV4"' in response.content.decode()


def test_it_opens_an_incident_and_goes_to_its_page(im_client, im):
    response = im_client.post(URL, _data())
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incidents:detail", args=[incident.pk])
    assert incident.region == "AMS"  # from the first market
    assert incident.created_by == im
    assert not incident.restricted
    assert incident.events.get().kind == EventKind.CREATED


def test_a_missing_title_is_named(im_client):
    response = im_client.post(URL, _data(title=""))
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["title"]
    assert not Incident.objects.exists()


def test_no_region_and_no_market_is_named_on_the_region_field(im_client):
    response = im_client.post(URL, _data(markets=None))
    assert response.status_code == 422
    assert response.context["form"].errors["region"] == ["Give a region or at least one market."]
    assert "Give a region or at least one market." in response.content.decode()


def test_a_keyword_from_another_category_is_named(im_client):
    grooming = Keyword.objects.get(code="KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS")
    response = im_client.post(URL, _data(keywords=[grooming.pk]))
    assert response.status_code == 422
    assert "keywords" in response.context["form"].errors


def test_a_child_safety_incident_is_restricted_by_default(im_client, im):
    minors = Category.objects.get(code=MINORS)
    assert im_client.post(URL, _data(category=minors.pk, severity="SEV1")).status_code == 302
    incident = Incident.objects.get()
    assert incident.restricted
    assert IncidentAccess.objects.filter(incident=incident, user=im).exists()


def test_restricted_can_be_asked_for_in_any_category(im_client):
    im_client.post(URL, _data(restricted="on"))
    assert Incident.objects.get().restricted


def test_the_detection_time_is_read_in_my_zone(im_client, im):
    im.tz = "America/Sao_Paulo"
    im.save()
    im_client.post(URL, _data(detected_at="2026-03-01T09:30"))
    assert Incident.objects.get().detected_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_a_stakeholder_cannot_open_incidents(client, stakeholder):
    client.force_login(stakeholder)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _data()).status_code == 403


def test_changing_the_category_offers_its_keywords_and_restricted_default(im_client):
    minors = Category.objects.get(code=MINORS)
    url = reverse("incidents:category_fields")
    html = im_client.get(url, {"category": minors.pk, "new": "1"}).content.decode()
    assert "Grooming" in html
    assert "Animal harm" not in html
    assert 'hx-swap-oob="true"' in html
    assert "disabled" in html and "always start restricted" in html


def test_editing_writes_each_change_to_the_timeline(im_client, incident):
    url = reverse("incidents:edit", args=[incident.pk])
    form = im_client.get(url)
    assert form.status_code == 200
    assert 'value="Dangerous challenge spreading"' in form.content.decode()
    data = _data(title="Blackout challenge (TikTok + Reels)", severity="SEV1", region="AMS")
    assert im_client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert (incident.title, incident.severity) == ("Blackout challenge (TikTok + Reels)", "SEV1")
    changes = incident.events.filter(kind=EventKind.FIELD_CHANGE)
    assert {event.data["field"] for event in changes} == {"title", "severity", "summary"}


def test_editing_a_restricted_incident_is_404_for_those_not_on_the_list(
    client, im2, restricted_incident
):
    client.force_login(im2)
    url = reverse("incidents:edit", args=[restricted_incident.pk])
    assert client.get(url).status_code == 404
