"""Who the API lets in: bearer tokens, and the browser session with its CSRF check."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from trustdesk.accounts.services import create_token, revoke_token
from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.accounts.tests.factories import TeamFactory
from trustdesk.incidents.models import EventKind

ME = "/api/v1/me"


def _bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_it_refuses_a_request_without_credentials(db):
    response = Client().get(ME)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_anonymous_write_with_401_not_a_csrf_error(db):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/incidents", {}, content_type="application/json"
    )
    assert response.status_code == 401


def test_it_accepts_an_active_token(im):
    _, raw = create_token(actor=im, user=im, name="jira sync")
    response = _bearer(raw).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "ivan.im"


def test_it_refuses_a_revoked_token(im):
    token, raw = create_token(actor=im, user=im, name="jira sync")
    revoke_token(actor=im, token=token)
    assert _bearer(raw).get(ME).status_code == 401


def test_it_refuses_an_expired_token(im):
    _, raw = create_token(
        actor=im, user=im, name="jira sync", expires_at=timezone.now() + timedelta(days=1)
    )
    assert _bearer(raw).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert _bearer(raw).get(ME).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(im):
    _, raw = create_token(actor=im, user=im, name="jira sync")
    im.is_active = False
    im.save()
    assert _bearer(raw).get(ME).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer td_not-a-real-token", "Bearer not-even-ours", "Bearer ", "Token td_x", "td_x"],
)
def test_it_refuses_unknown_or_malformed_tokens(im, header):
    assert Client(HTTP_AUTHORIZATION=header).get(ME).status_code == 401


def test_it_records_when_a_token_was_last_used(im):
    token, raw = create_token(actor=im, user=im, name="jira sync")
    assert token.last_used_at is None
    _bearer(raw).get(ME)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_token_user_is_the_actor_of_what_they_do(im, incident):
    response = as_user(im).post(f"/api/v1/incidents/{incident.pk}/timeline", {"text": "Noted"})
    assert response.status_code == 201
    assert response.json()["actor"] == "ivan.im"
    note = incident.events.get(kind=EventKind.NOTE)
    assert note.actor == im


def test_a_logged_in_session_can_read(im):
    client = Client()
    client.force_login(im)
    assert client.get(ME).json()["username"] == "ivan.im"


def test_a_session_write_without_the_csrf_token_is_refused(im, incident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(im)
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/timeline",
        {"text": "From the page"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not incident.events.filter(kind=EventKind.NOTE).exists()


def test_a_session_write_with_the_csrf_token_goes_through(im, incident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(im)
    client.get("/api/docs")  # any page rendering {% csrf_token %} sets the cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/timeline",
        {"text": "From the page"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201


def test_a_bearer_token_needs_no_csrf_token(im, incident):
    _, raw = create_token(actor=im, user=im, name="jira sync")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/timeline",
        {"text": "From a script"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_me_shows_role_region_teams_and_permissions(stakeholder):
    team = TeamFactory(slug="legal", name="Legal")
    team.members.add(stakeholder)
    body = as_user(stakeholder).get(ME).json()
    assert body["role"] == "stakeholder"
    assert body["teams"] == [
        {"slug": "legal", "name": "Legal", "kind": "stakeholder", "region": ""}
    ]
    assert body["permissions"] == {"sees_everything": False, "is_responder": False}


def test_me_says_a_lead_sees_everything(lead):
    body = as_user(lead).get(ME).json()
    assert body["permissions"] == {"sees_everything": True, "is_responder": True}
