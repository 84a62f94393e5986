"""The API keeps the same privacy as the pages: 404 for a colleague's scorecard, review or
coaching notes; drafts only for leads; nothing for stakeholders."""

import pytest

pytestmark = pytest.mark.django_db

BASE = "/api/v1/quality"


def _get(client, user, path):
    client.force_login(user)
    return client.get(BASE + path)


def test_my_scorecard_has_my_shared_notes_and_goals(client, im, ivans_file):
    body = _get(client, im, "/scorecard").json()
    assert body["username"] == "ivan.im"
    assert [n["text"] for n in body["coaching_notes"]] == [
        "Log the reason for every severity change."
    ]
    assert [g["title"] for g in body["goals"]] == ["Cite the policy in every removal decision"]
    assert body["reviews"] == 1


@pytest.mark.parametrize(
    "path", ["/scorecard/ivan.im", "/scorecard/ivan.im/coaching-notes", "/reviews/{review}"]
)
def test_another_incident_manager_gets_404(client, im2, ivans_file, path):
    response = _get(client, im2, path.format(review=ivans_file["review"].pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found", "errors": []}


def test_their_lead_reads_the_notes_drafts_included(client, ams_lead, ivans_file):
    notes = _get(client, ams_lead, "/scorecard/ivan.im/coaching-notes").json()
    assert sorted(n["draft"] for n in notes) == [False, True]


def test_the_person_reads_only_shared_notes(client, im, ivans_file):
    notes = _get(client, im, "/scorecard/ivan.im/coaching-notes").json()
    assert [n["draft"] for n in notes] == [False]


@pytest.mark.parametrize("who", ["stakeholder", "outsider", "auditor"])
def test_stakeholders_get_nothing(client, request, who, ivans_file):
    user = request.getfixturevalue(who)
    for path in ("/scorecard", "/scorecard/ivan.im", "/reviews", "/calibration"):
        assert _get(client, user, path).status_code == 403


def test_without_a_token_it_is_401(client):
    assert client.get(BASE + "/scorecard").status_code == 401
