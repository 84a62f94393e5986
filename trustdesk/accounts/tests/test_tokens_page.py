"""The API tokens page: /account/tokens."""

import pytest
from django.urls import reverse

from trustdesk.accounts.models import ApiToken
from trustdesk.accounts.services import authenticate_token, create_token

pytestmark = pytest.mark.django_db

URL = reverse("account_tokens")


def _revoke_url(token):
    return reverse("account_token_revoke", args=[token.pk])


@pytest.fixture
def im_client(client, im):
    client.force_login(im)
    return client


def test_it_needs_a_login(client):
    assert client.get(URL).status_code == 302


def test_a_new_token_is_shown_once(im_client, im):
    response = im_client.post(
        URL, {"name": "Jira sync", "expires": "90", "scopes": ["incidents:read"]}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["raw_token"]
    assert raw.startswith("td_")
    assert raw in response.content.decode()
    assert authenticate_token(raw) == im

    again = im_client.get(URL).content.decode()
    assert raw not in again
    token = ApiToken.objects.get(user=im)
    assert f"{token.prefix}…" in again
    assert token.expires_at is not None


def test_a_token_needs_a_name(im_client, im):
    response = im_client.post(URL, {"name": "", "expires": "90", "scopes": ["incidents:read"]})
    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.filter(user=im).exists()


def test_my_tokens_are_listed_not_anyone_elses(im_client, im, im2):
    create_token(actor=im, user=im, name="Mine")
    create_token(actor=im2, user=im2, name="Theirs")
    html = im_client.get(URL).content.decode()
    assert "Mine" in html
    assert "Theirs" not in html


def test_a_revoked_token_no_longer_authenticates(im_client, im):
    token, raw = create_token(actor=im, user=im, name="CI")
    response = im_client.post(_revoke_url(token))
    assert response.status_code == 302
    assert authenticate_token(raw) is None
    page = im_client.get(URL).content.decode()
    assert "Revoked" in page
    assert f'action="{_revoke_url(token)}"' not in page


def test_revoking_twice_says_so(im_client, im):
    token, _ = create_token(actor=im, user=im, name="CI")
    im_client.post(_revoke_url(token))
    response = im_client.post(_revoke_url(token), follow=True)
    assert "already revoked" in response.content.decode()


def test_another_users_token_cannot_be_revoked(im_client, im2):
    token, raw = create_token(actor=im2, user=im2, name="Theirs")
    assert im_client.post(_revoke_url(token)).status_code == 404
    assert authenticate_token(raw) == im2


def test_revoking_needs_a_post(im_client, im):
    token, raw = create_token(actor=im, user=im, name="CI")
    assert im_client.get(_revoke_url(token)).status_code == 405
    assert authenticate_token(raw) == im
