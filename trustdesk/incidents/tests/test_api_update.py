"""GET and PATCH /api/v1/incidents/{id}: read what you may see, change what you may run."""

from datetime import UTC, datetime

import pytest

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.audit.models import AuditEvent
from trustdesk.incidents import services
from trustdesk.incidents.models import EventKind, ParticipantRole
from trustdesk.incidents.tests.factories import make_incident


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}"


def test_it_shows_an_incident(im, incident):
    response = as_user(im).get(_url(incident))
    assert response.status_code == 200
    assert response.json()["title"] == "Dangerous challenge spreading"


def test_an_unknown_incident_is_404(im):
    response = as_user(im).get("/api/v1/incidents/987654")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found", "errors": []}


def test_an_id_that_is_not_a_number_is_a_422_naming_it(im):
    response = as_user(im).get("/api/v1/incidents/INC-1")
    assert response.status_code == 422
    assert error_fields(response) == ["incident_id"]


def test_an_id_too_large_for_the_database_is_a_422_not_a_crash(im):
    response = as_user(im).get("/api/v1/incidents/99999999999999999999")
    assert response.status_code == 422


def test_it_changes_only_the_fields_sent(im, incident):
    response = as_user(im).patch(_url(incident), {"severity": "SEV1", "markets": ["BR", "MX"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["severity"] == "SEV1"
    assert body["markets"] == ["BR", "MX"]
    assert body["title"] == "Dangerous challenge spreading"
    incident.refresh_from_db()
    assert incident.severity == "SEV1"
    changes = incident.events.filter(kind=EventKind.FIELD_CHANGE)
    assert sorted(e.data["field"] for e in changes) == ["markets", "severity"]
    assert AuditEvent.objects.filter(action="incident.update").count() == 1


def test_it_changes_the_category_by_slug_with_matching_keywords(im, incident):
    response = as_user(im).patch(
        _url(incident), {"category": "violence", "keywords": ["KEYWORD_COORDINATED_HARM"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["category"]["slug"] == "violence"
    assert response.json()["keywords"] == ["KEYWORD_COORDINATED_HARM"]


def test_it_clears_the_detection_time_with_null(im):
    incident = make_incident(actor=im, detected_at=datetime(2026, 11, 20, 10, tzinfo=UTC))
    response = as_user(im).patch(_url(incident), {"detected_at": None})
    assert response.status_code == 200
    assert response.json()["detected_at"] is None
    incident.refresh_from_db()
    assert incident.detected_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"severity": None}, "severity"),
        ({"severity": "SEV0"}, "severity"),
        ({"title": ""}, "title"),
        ({"category": "not-a-category"}, "category"),
        ({"markets": ["XX"]}, "markets"),
        ({"keywords": ["KEYWORD_CYBER_STALKING"]}, "keywords"),
        ({"detected_at": "2026-11-20T10:00:00"}, "detected_at"),
        ({"restricted": [True]}, "restricted"),
        ({"status": "closed"}, "status"),  # the lifecycle has its own endpoint
        ({"commander": "ivan.im"}, "commander"),
    ],
)
def test_it_names_the_wrong_field_and_changes_nothing(im, incident, body, field):
    response = as_user(im).patch(_url(incident), body)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert not incident.events.filter(kind=EventKind.FIELD_CHANGE).exists()


def test_an_empty_patch_changes_nothing(im, incident):
    response = as_user(im).patch(_url(incident), {})
    assert response.status_code == 200
    assert not incident.events.filter(kind=EventKind.FIELD_CHANGE).exists()


def test_a_stakeholder_running_the_incident_may_change_it(im, stakeholder, restricted_incident):
    services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role=ParticipantRole.SCRIBE
    )
    response = as_user(stakeholder).patch(_url(restricted_incident), {"summary": "Minutes"})
    assert response.status_code == 200


def test_a_stakeholder_engaged_for_advice_may_read_but_not_change(
    im, stakeholder, restricted_incident
):
    services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role=ParticipantRole.LEGAL
    )
    client = as_user(stakeholder)
    assert client.get(_url(restricted_incident)).status_code == 200
    response = client.patch(_url(restricted_incident), {"severity": "SEV4"})
    assert response.status_code == 403
    restricted_incident.refresh_from_db()
    assert restricted_incident.severity == "SEV1"


def test_the_writer_gets_the_answer_even_when_restricting_hides_the_incident(im2, incident):
    response = as_user(im2).patch(_url(incident), {"restricted": True})
    assert response.status_code == 200
    assert response.json()["restricted"] is True
