"""Stakeholder updates: drafted from the incident, sent to an audience, reminded when late."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from trustdesk.incidents import services as incidents
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.notify.models import Notification
from trustdesk.oncall import updates
from trustdesk.oncall.models import StatusUpdate

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reminders(user) -> int:
    return Notification.objects.filter(recipient=user, event_key__contains="update-due").count()


def test_each_audience_gets_its_own_draft(im) -> None:
    incident = make_incident(actor=im, title="Election ads", severity="SEV1", markets=("BR",))
    _, internal = updates.draft(incident, "internal")
    _, regulator = updates.draft(incident, "regulator")
    assert "SEV1" in internal and "BR" in internal and "Incident opened" in internal
    assert "We write to update you" in regulator and im.display_name not in regulator


def test_an_internal_update_goes_to_participants(im, stakeholder, outsider) -> None:
    incident = make_incident(actor=im)
    incidents.add_participant(actor=im, incident=incident, user=stakeholder, role="legal")
    response = _client(im).post(
        f"/oncall/incidents/{incident.pk}/updates",
        {"audience": "internal", "subject": "Update 1", "body": "Contained."},
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert update.recipients == [stakeholder.username]
    assert Notification.objects.get(recipient=stakeholder).subject == "Update 1"
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_an_empty_update_is_refused_with_the_field(im) -> None:
    incident = make_incident(actor=im)
    response = _client(im).post(
        f"/oncall/incidents/{incident.pk}/updates", {"audience": "internal", "subject": "x"}
    )
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_outsiders_get_404_and_auditors_cannot_send(outsider, auditor, im) -> None:
    incident = make_incident(actor=im)
    assert _client(outsider).get(f"/oncall/incidents/{incident.pk}/updates").status_code == 404
    assert _client(auditor).get(f"/oncall/incidents/{incident.pk}/updates").status_code == 200
    response = _client(auditor).post(
        f"/oncall/incidents/{incident.pk}/updates",
        {"audience": "internal", "subject": "s", "body": "b"},
    )
    assert response.status_code == 403


def test_a_sev1_without_an_update_for_30_minutes_reminds_the_commander(im, im2) -> None:
    with time_machine.travel("2026-01-06 10:00:00Z", tick=False):
        incident = make_incident(actor=im, severity="SEV1")
        incidents.add_participant(actor=im, incident=incident, user=im2, role="commander")
    with time_machine.travel("2026-01-06 10:29:00Z", tick=False):
        assert updates.remind_late() == 0
    with time_machine.travel("2026-01-06 10:30:00Z", tick=False):
        assert updates.remind_late() == 1
        assert updates.remind_late() == 0  # once per missed slot
        updates.send_update(
            actor=im2, incident=incident, audience="internal", subject="s", body="b"
        )
    with time_machine.travel("2026-01-06 10:59:00Z", tick=False):
        assert updates.remind_late() == 0
    with time_machine.travel("2026-01-06 11:00:00Z", tick=False):
        assert updates.remind_late() == 1
    assert _reminders(im2) == 2 and _reminders(im) == 0


def test_sev4_has_no_cadence(im) -> None:
    incident = make_incident(actor=im, severity="SEV4")
    assert updates.next_due(incident) is None
