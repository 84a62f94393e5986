"""/api/v1/incidents/{id}/participants: who is engaged, in which role, and why."""

import pytest

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.incidents import services
from trustdesk.incidents.models import EventKind, Participant, ParticipantRole
from trustdesk.incidents.tests.factories import make_incident


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}/participants"


def test_engaging_a_stakeholder_lets_them_see_a_restricted_incident(
    im, stakeholder, restricted_incident
):
    client = as_user(stakeholder)
    assert client.get(f"/api/v1/incidents/{restricted_incident.pk}").status_code == 404
    response = as_user(im).post(
        _url(restricted_incident),
        {"username": "sam.legal", "role": "legal", "reason": "NCMEC report due"},
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["username"] == "sam.legal"
    assert answer["role"] == "legal"
    assert answer["reason"] == "NCMEC report due"
    assert answer["added_by"] == "ivan.im"
    assert answer["active"] is True
    assert client.get(f"/api/v1/incidents/{restricted_incident.pk}").status_code == 200
    assert restricted_incident.events.filter(kind=EventKind.PARTICIPANT_CHANGE).exists()


def test_engaging_someone_twice_in_one_role_changes_nothing(im, stakeholder, incident):
    client = as_user(im)
    first = client.post(_url(incident), {"username": "sam.legal", "role": "legal"})
    again = client.post(_url(incident), {"username": "sam.legal", "role": "legal"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Participant.objects.filter(incident=incident).count() == 1


def test_a_new_commander_takes_over_command(im, im2, incident):
    client = as_user(im)
    client.post(_url(incident), {"username": "ivan.im", "role": "commander"})
    client.post(_url(incident), {"username": "isla.im", "role": "commander"})
    assert client.get(f"/api/v1/incidents/{incident.pk}").json()["commander"] == "isla.im"
    current = client.get(_url(incident)).json()
    assert [(p["username"], p["role"]) for p in current] == [("isla.im", "commander")]
    everyone = client.get(_url(incident), {"include_former": "true"}).json()
    assert [(p["username"], p["active"]) for p in everyone] == [
        ("ivan.im", False),
        ("isla.im", True),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "no.such.person", "role": "legal"}, "username"),
        ({"username": "sam.legal", "role": "janitor"}, "role"),
        ({"username": "sam.legal"}, "role"),
        ({"username": "sam.legal", "role": "legal", "reason": "x" * 201}, "reason"),
        ({"username": 7, "role": "legal"}, "username"),
    ],
)
def test_it_names_the_wrong_field(im, stakeholder, incident, body, field):
    response = as_user(im).post(_url(incident), body)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert not Participant.objects.exists()


def test_a_deactivated_account_cannot_be_engaged(im, stakeholder, incident):
    stakeholder.is_active = False
    stakeholder.save()
    response = as_user(im).post(_url(incident), {"username": "sam.legal", "role": "legal"})
    assert response.status_code == 422
    assert error_fields(response) == ["username"]


def test_removing_a_participant_ends_their_role_and_their_sight(
    im, stakeholder, restricted_incident
):
    participant = services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role=ParticipantRole.LEGAL
    )
    response = as_user(im).delete(f"{_url(restricted_incident)}/{participant.pk}")
    assert response.status_code == 204
    participant.refresh_from_db()
    assert participant.renounced_at is not None
    assert (
        as_user(stakeholder).get(f"/api/v1/incidents/{restricted_incident.pk}").status_code == 404
    )


def test_removing_the_commander_leaves_the_incident_without_one(im, incident):
    participant = services.add_participant(
        actor=im, incident=incident, user=im, role=ParticipantRole.COMMANDER
    )
    as_user(im).delete(f"{_url(incident)}/{participant.pk}")
    assert as_user(im).get(f"/api/v1/incidents/{incident.pk}").json()["commander"] is None


def test_removing_someone_twice_is_a_conflict(im, stakeholder, incident):
    participant = services.add_participant(
        actor=im, incident=incident, user=stakeholder, role=ParticipantRole.LEGAL
    )
    client = as_user(im)
    client.delete(f"{_url(incident)}/{participant.pk}")
    response = client.delete(f"{_url(incident)}/{participant.pk}")
    assert response.status_code == 409
    assert error_fields(response) == ["participant"]


def test_a_participant_of_another_incident_is_not_found_here(im, stakeholder, incident):
    other = make_incident(actor=im, title="Other")
    participant = services.add_participant(
        actor=im, incident=other, user=stakeholder, role=ParticipantRole.LEGAL
    )
    response = as_user(im).delete(f"{_url(incident)}/{participant.pk}")
    assert response.status_code == 404
    participant.refresh_from_db()
    assert participant.renounced_at is None


def test_an_auditor_may_list_but_not_engage_or_remove(im, auditor, stakeholder, incident):
    participant = services.add_participant(
        actor=im, incident=incident, user=stakeholder, role=ParticipantRole.LEGAL
    )
    client = as_user(auditor)
    assert [p["username"] for p in client.get(_url(incident)).json()] == ["sam.legal"]
    assert (
        client.post(_url(incident), {"username": "aud.itor", "role": "observer"}).status_code == 403
    )
    assert client.delete(f"{_url(incident)}/{participant.pk}").status_code == 403
    participant.refresh_from_db()
    assert participant.renounced_at is None
