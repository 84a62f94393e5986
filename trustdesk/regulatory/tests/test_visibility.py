"""Who sees a request: one rule, used by the board, the detail page, the API and exports."""

from __future__ import annotations

import pytest
from django.test import Client

from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.incidents import services as incident_services
from trustdesk.regulatory.models import RegulatoryRequest

from .factories import make_request

pytestmark = pytest.mark.django_db


def _visible(user) -> set[int]:
    return set(RegulatoryRequest.objects.visible_to(user).values_list("pk", flat=True))


@pytest.fixture
def secret(im, restricted_incident):
    return make_request(actor=im, rule="BR-TSE-RES23610-ART38", incident=restricted_incident)


@pytest.fixture
def unlinked(im):
    return make_request(actor=im, rule="AU-OSA-S109")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_linked_request_is_visible_exactly_when_its_incident_is(
    secret, unlinked, admin, lead, im, im2, auditor, stakeholder, outsider
) -> None:
    assert secret.pk in _visible(admin) and secret.pk in _visible(lead)
    assert secret.pk in _visible(im)  # on the restricted incident's need-to-know list
    assert secret.pk not in _visible(im2)
    assert secret.pk not in _visible(auditor)
    assert _visible(outsider) == set()
    assert _visible(stakeholder) == set()


def test_engaging_a_stakeholder_on_the_incident_shows_them_its_requests(
    secret, im, stakeholder, restricted_incident
) -> None:
    incident_services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role="legal"
    )
    assert _visible(stakeholder) == {secret.pk}


def test_unlinked_requests_are_for_the_desk_and_their_owner(
    unlinked, admin, lead, im2, auditor, stakeholder, outsider
) -> None:
    for user in (admin, lead, im2, auditor):
        assert unlinked.pk in _visible(user), user.role
    assert unlinked.pk not in _visible(outsider)
    owned = make_request(actor=stakeholder, rule="AU-OSA-S88")
    assert _visible(stakeholder) == {owned.pk}
    assert owned.owner == stakeholder


def test_inactive_users_see_nothing(unlinked, lead) -> None:
    lead.is_active = False
    lead.save()
    assert _visible(lead) == set()


@pytest.mark.parametrize("who", ["outsider", "stakeholder", "im2"])
def test_the_pages_answer_404_for_a_request_one_cannot_see(secret, who, request) -> None:
    user = request.getfixturevalue(who)
    client = _client(user)
    assert client.get(f"/regulatory/{secret.pk}/").status_code == 404
    post = client.post(f"/regulatory/{secret.pk}/transition", {"to": "acknowledged"})
    assert post.status_code == 404
    board = client.get("/regulatory/")
    assert secret.ref not in board.content.decode()


@pytest.mark.parametrize("who", ["outsider", "stakeholder"])
def test_the_api_answers_404_for_a_request_one_cannot_see(secret, who, request) -> None:
    api = as_user(request.getfixturevalue(who))
    assert api.get(f"/api/v1/regulatory/requests/{secret.pk}").status_code == 404
    response = api.post(f"/api/v1/regulatory/requests/{secret.pk}/pause", {"reason": "x"})
    assert response.status_code == 404
    listed = api.get("/api/v1/regulatory/requests").json()
    assert secret.pk not in [item["id"] for item in listed["items"]]


def test_exports_leave_out_what_the_viewer_cannot_see(secret, unlinked, outsider, im2) -> None:
    for user in (outsider, im2):
        body = _client(user).get("/regulatory/compliance/export?format=csv-requests&all=1")
        assert body.status_code == 200
        text = body.content.decode()
        assert secret.ref not in text
    assert (
        unlinked.ref
        in _client(im2)
        .get("/regulatory/compliance/export?format=csv-requests&all=1")
        .content.decode()
    )
    compliance = as_user(outsider).get("/api/v1/regulatory/compliance").json()
    assert compliance["total"]["requests"] == 0


def test_an_auditor_reads_but_cannot_change(unlinked, auditor) -> None:
    client = _client(auditor)
    assert client.get(f"/regulatory/{unlinked.pk}/").status_code == 200
    assert (
        client.post(f"/regulatory/{unlinked.pk}/transition", {"to": "acknowledged"}).status_code
        == 403
    )
    api = as_user(auditor)
    response = api.post(
        f"/api/v1/regulatory/requests/{unlinked.pk}/transition", {"to": "acknowledged"}
    )
    assert response.status_code == 403
    assert client.get("/regulatory/new").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(unlinked) -> None:
    response = Client().get(f"/regulatory/{unlinked.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Client().get("/api/v1/regulatory/requests").status_code == 401
    poll = Client().get("/regulatory/rows", HTTP_HX_REQUEST="true")
    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")
