"""Reading a restricted incident is audited, on the page and over the API."""

import pytest

from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _reads(incident):
    return AuditEvent.objects.filter(action="incident.restricted_read", object_id=str(incident.pk))


def test_it_audits_a_restricted_incident_read_on_the_detail_page(client, lead, restricted_incident):
    assert restricted_incident.restricted
    client.force_login(lead)
    assert client.get(f"/incidents/{restricted_incident.pk}/").status_code == 200
    event = _reads(restricted_incident).get()
    assert event.actor == lead
    assert event.after == {"via": "web"}


def test_it_audits_a_restricted_incident_read_over_the_api(lead, restricted_incident):
    assert as_user(lead).get(f"/api/v1/incidents/{restricted_incident.pk}").status_code == 200
    assert _reads(restricted_incident).get().after == {"via": "api"}


def test_it_does_not_audit_reading_an_unrestricted_incident(client, lead, incident):
    client.force_login(lead)
    client.get(f"/incidents/{incident.pk}/")
    assert not _reads(incident).exists()


def test_a_refused_read_is_not_recorded_as_a_read(client, outsider, restricted_incident):
    client.force_login(outsider)
    assert client.get(f"/incidents/{restricted_incident.pk}/").status_code == 404
    assert not _reads(restricted_incident).exists()
