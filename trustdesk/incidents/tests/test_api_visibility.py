"""Need-to-know over the API: invisible is 404 (existence does not leak), read-only is 403."""

import pytest

from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.incidents import services
from trustdesk.incidents.lifecycle import Status
from trustdesk.incidents.models import EventKind, ParticipantRole

READS = {
    "read": "",
    "allowed transitions": "/allowed-transitions",
    "participants": "/participants",
    "timeline": "/timeline",
    "tasks": "/tasks",
}
WRITES = {
    "change": ("patch", "", {"severity": "SEV4"}),
    "transition": ("post", "/transitions", {"to": "triaged"}),
    "note": ("post", "/timeline", {"text": "Seen it"}),
    "task": ("post", "/tasks", {"title": "Check the uploads"}),
    "engage": ("post", "/participants", {"username": "aud.itor", "role": "observer"}),
}


def _read(client, incident, suffix):
    return client.get(f"/api/v1/incidents/{incident.pk}{suffix}")


def _write(client, incident, action):
    method, suffix, body = WRITES[action]
    return getattr(client, method)(f"/api/v1/incidents/{incident.pk}{suffix}", body)


def _listed(client):
    return [item["id"] for item in client.get("/api/v1/incidents").json()["items"]]


def _untouched(incident):
    incident.refresh_from_db()
    return (
        incident.severity == "SEV1"
        and incident.status == Status.REPORTED
        and not incident.events.exclude(kind=EventKind.CREATED).exists()
        and not incident.tasks.exists()
    )


@pytest.mark.parametrize("persona", ["stakeholder", "outsider", "auditor", "im2"])
def test_those_off_the_list_cannot_find_a_restricted_incident(
    request, persona, restricted_incident, auditor
):
    client = as_user(request.getfixturevalue(persona))
    assert restricted_incident.pk not in _listed(client)
    for suffix in READS.values():
        assert _read(client, restricted_incident, suffix).status_code == 404, suffix
    # An auditor's token never carries a write scope: every write is refused before any
    # incident is looked up, the same 403 for a hidden incident as for a missing one.
    refused = 403 if persona == "auditor" else 404
    for action in WRITES:
        assert _write(client, restricted_incident, action).status_code == refused, action
    assert _untouched(restricted_incident)


def test_a_hidden_incident_looks_exactly_like_a_missing_one(outsider, restricted_incident):
    client = as_user(outsider)
    hidden = client.get(f"/api/v1/incidents/{restricted_incident.pk}")
    missing = client.get("/api/v1/incidents/987654")
    assert hidden.json() == missing.json() == {"detail": "Not found", "errors": []}


@pytest.mark.parametrize("action", list(WRITES))
def test_a_lead_sees_and_runs_a_restricted_incident(lead, auditor, restricted_incident, action):
    client = as_user(lead)
    assert restricted_incident.pk in _listed(client)
    for suffix in READS.values():
        assert _read(client, restricted_incident, suffix).status_code == 200, suffix
    assert _write(client, restricted_incident, action).status_code in (200, 201)


def test_an_engaged_stakeholder_sees_it_and_adds_notes_but_does_not_run_it(
    im, stakeholder, auditor, restricted_incident
):
    services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role=ParticipantRole.LEGAL
    )
    client = as_user(stakeholder)
    assert _listed(client) == [restricted_incident.pk]
    for suffix in READS.values():
        assert _read(client, restricted_incident, suffix).status_code == 200, suffix
    assert _write(client, restricted_incident, "note").status_code == 201
    for action in ("change", "transition", "task", "engage"):
        assert _write(client, restricted_incident, action).status_code == 403, action


@pytest.mark.parametrize("action", list(WRITES))
def test_an_auditor_reads_but_never_writes(auditor, incident, action):
    client = as_user(auditor)
    assert incident.pk in _listed(client)
    for suffix in READS.values():
        assert _read(client, incident, suffix).status_code == 200, suffix
    response = _write(client, incident, action)
    assert response.status_code == 403
    assert response.json()["detail"]
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED
    assert not incident.events.exclude(kind=EventKind.CREATED).exists()
