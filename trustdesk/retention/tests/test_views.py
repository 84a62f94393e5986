import pytest
from django.urls import reverse

from trustdesk.retention.models import LegalHold, RetentionPolicy

pytestmark = pytest.mark.django_db


def test_it_refuses_an_outsider(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("retention:index")).status_code == 403


def test_it_refuses_an_incident_manager_to_place_a_hold(client, im, incident):
    client.force_login(im)
    response = client.post(
        reverse("retention:place_hold"),
        {"scope": "incident", "incident": incident.pk, "reason": "x"},
    )
    assert response.status_code == 403


def test_a_lead_places_a_hold_from_the_page(client, lead, incident):
    client.force_login(lead)
    response = client.post(
        reverse("retention:place_hold"),
        {"scope": "incident", "incident": incident.pk, "reason": "Litigation 24-117"},
        follow=True,
    )
    assert "Legal hold placed on" in response.content.decode()
    hold = LegalHold.objects.get()
    assert hold.incident == incident
    assert hold.placed_by == lead
    assert "Litigation 24-117" in client.get(reverse("retention:index")).content.decode()


def test_it_names_the_missing_reason(client, lead, incident):
    client.force_login(lead)
    response = client.post(
        reverse("retention:place_hold"), {"scope": "incident", "incident": incident.pk}, follow=True
    )
    assert "reason: This field is required." in response.content.decode()
    assert not LegalHold.objects.exists()


def test_a_lead_releases_a_hold(client, lead, incident):
    from trustdesk.retention import services

    hold = services.place_hold(actor=lead, scope="incident", incident=incident, reason="Case")
    client.force_login(lead)
    client.post(reverse("retention:release_hold", args=[hold.pk]), {"reason": "Settled"})
    hold.refresh_from_db()
    assert hold.released_at is not None
    assert hold.release_reason == "Settled"


def test_an_admin_sets_a_policy(client, admin):
    client.force_login(admin)
    client.post(reverse("retention:set_policy"), {"data_class": "reports", "keep_days": "90"})
    assert RetentionPolicy.objects.get(data_class="reports").keep_days == 90


def test_an_auditor_sees_the_page_without_forms(client, auditor):
    client.force_login(auditor)
    body = client.get(reverse("retention:index")).content.decode()
    assert "Legal holds" in body
    assert "Place hold" not in body
