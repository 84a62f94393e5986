"""/api/v1/incidents/{id}/timeline: what happened, notes, and pinning."""

import pytest

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.incidents import services
from trustdesk.incidents.models import EventKind, ParticipantRole
from trustdesk.incidents.tests.factories import make_incident


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}/timeline"


def test_it_shows_the_timeline_in_order(im, incident):
    services.transition(actor=im, incident=incident, to="triaged")
    body = as_user(im).get(_url(incident)).json()
    assert body["count"] == 2
    assert [e["kind"] for e in body["items"]] == ["created", "status_change"]
    assert body["items"][1]["actor"] == "ivan.im"
    assert body["items"][1]["data"] == {"from": "reported", "to": "triaged", "reason": ""}


def test_it_adds_a_note(im, incident):
    response = as_user(im).post(_url(incident), {"text": "  Legal says wait for the order.  "})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "note"
    assert response.json()["text"] == "Legal says wait for the order."
    assert response.json()["pinned"] is False
    assert incident.events.filter(kind=EventKind.NOTE).count() == 1


def test_a_stakeholder_on_the_incident_may_add_notes(im, stakeholder, restricted_incident):
    services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role=ParticipantRole.LEGAL
    )
    response = as_user(stakeholder).post(_url(restricted_incident), {"text": "Order received"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "   "}, "text"),
        ({}, "text"),
        ({"text": "x" * 20001}, "text"),
        ({"text": "ok", "pinned": "sometimes"}, "pinned"),
    ],
)
def test_it_names_what_is_wrong_with_a_note(im, incident, body, field):
    response = as_user(im).post(_url(incident), body)
    assert response.status_code == 422
    assert error_fields(response) == [field]
    assert not incident.events.filter(kind=EventKind.NOTE).exists()


def test_it_pins_and_unpins_an_event(im, incident):
    event = incident.events.get(kind=EventKind.CREATED)
    client = as_user(im)
    pinned = client.post(f"{_url(incident)}/{event.pk}/pin", {"pinned": True})
    assert pinned.status_code == 200
    assert pinned.json()["pinned"] is True
    assert [e["id"] for e in client.get(_url(incident), {"pinned": "true"}).json()["items"]] == [
        event.pk
    ]
    client.post(f"{_url(incident)}/{event.pk}/pin", {"pinned": False})
    event.refresh_from_db()
    assert event.pinned is False


def test_pinning_needs_to_say_which_way(im, incident):
    event = incident.events.get()
    response = as_user(im).post(f"{_url(incident)}/{event.pk}/pin", {})
    assert response.status_code == 422
    assert error_fields(response) == ["pinned"]


def test_an_event_of_another_incident_is_not_found_here(im, incident):
    other = make_incident(actor=im, title="Other")
    event = other.events.get()
    response = as_user(im).post(f"{_url(incident)}/{event.pk}/pin", {"pinned": True})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.pinned is False


def test_an_auditor_reads_the_timeline_but_writes_nothing(auditor, incident):
    client = as_user(auditor)
    event = incident.events.get()
    assert client.get(_url(incident)).status_code == 200
    assert client.post(_url(incident), {"text": "Audit remark"}).status_code == 403
    assert client.post(f"{_url(incident)}/{event.pk}/pin", {"pinned": True}).status_code == 403
    assert not incident.events.filter(kind=EventKind.NOTE).exists()


def test_it_pages_the_timeline(im, incident):
    for i in range(4):
        services.add_note(actor=im, incident=incident, text=f"note {i}")
    body = as_user(im).get(_url(incident), {"limit": 2, "offset": 1}).json()
    assert body["count"] == 5
    assert [e["text"] for e in body["items"]] == ["note 0", "note 1"]
