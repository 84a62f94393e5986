"""API token scopes: each operation needs one; a token never outranks its owner."""

import pytest
from django.test import Client
from django.urls import reverse

from trustdesk.accounts.models import ApiToken, Role
from trustdesk.accounts.scopes import SCOPES, scope_for
from trustdesk.accounts.services import create_token
from trustdesk.api import api
from trustdesk.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _bearer(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_it_lets_a_read_scope_read_but_not_write(im):
    _, raw = create_token(actor=im, user=im, name="dash", scopes=["incidents:read"])
    assert _bearer(raw).get("/api/v1/incidents").status_code == 200
    response = _bearer(raw).post("/api/v1/incidents", {}, content_type="application/json")
    assert response.status_code == 403
    assert "incidents:write" in response.json()["detail"]


def test_it_refuses_a_token_without_the_operations_scope(im):
    _, raw = create_token(actor=im, user=im, name="intake", scopes=["reports:write"])
    assert _bearer(raw).get("/api/v1/incidents").status_code == 403
    assert _bearer(raw).get("/api/v1/regulatory/requests").status_code == 403


def test_it_lets_a_reports_token_submit_but_not_triage(im):
    _, raw = create_token(actor=im, user=im, name="intake", scopes=["reports:write"])
    # Empty body: refused for its content (422), not for its scope.
    response = _bearer(raw).post("/api/v1/reports", {}, content_type="application/json")
    assert response.status_code == 422
    assert _bearer(raw).get("/api/v1/reports/groups").status_code == 403


def test_it_takes_power_away_from_a_token_when_its_owner_is_demoted(im):
    _, raw = create_token(actor=im, user=im, name="ops", scopes=["incidents:write"])
    post = {"path": "/api/v1/incidents", "data": {}, "content_type": "application/json"}
    assert _bearer(raw).post(**post).status_code == 422  # reached the operation
    im.role = Role.AUDITOR  # auditors hold no write scope
    im.save()
    response = _bearer(raw).post(**post)
    assert response.status_code == 403
    assert "incidents:write" in response.json()["detail"]


def test_it_takes_power_away_from_a_demoted_admin_token(admin):
    _, raw = create_token(actor=admin, user=admin, name="ops", scopes=["incidents:read"])
    assert _bearer(raw).get("/api/v1/me").status_code == 200
    admin.role = Role.AUDITOR
    admin.save()
    assert _bearer(raw).get("/api/v1/me").status_code == 200  # auditors may read
    admin.is_active = False
    admin.save()
    assert _bearer(raw).get("/api/v1/me").status_code == 401


def test_it_refuses_to_grant_a_scope_beyond_the_owners_role(im):
    with pytest.raises(InvalidInput) as caught:
        create_token(actor=im, user=im, name="x", scopes=["admin"])
    assert caught.value.field == "scopes"


def test_it_refuses_unknown_or_no_scopes(im):
    for scopes in (["root"], []):
        with pytest.raises(InvalidInput):
            create_token(actor=im, user=im, name="x", scopes=scopes)


def test_it_defaults_to_every_scope_the_role_allows(auditor):
    token, _ = create_token(actor=auditor, user=auditor, name="x")
    assert set(token.scopes) == {"incidents:read", "regulatory", "analytics"}


def test_every_api_operation_declares_a_known_scope():
    missing = [
        f"{method.upper()} {path}"
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
        if scope_for(method, path) not in SCOPES
    ]
    assert missing == [], f"API operations without a token scope in accounts/scopes.py: {missing}"


def test_it_refuses_an_operation_without_a_declared_scope():
    assert scope_for("GET", "api/v1/brand-new-router/things") is None


def test_the_page_offers_only_the_scopes_of_my_role(client, im):
    client.force_login(im)
    page = client.get(reverse("account_tokens")).content.decode()
    assert 'value="incidents:read"' in page
    assert 'value="admin"' not in page


def test_the_page_refuses_a_scope_beyond_my_role(client, im):
    client.force_login(im)
    response = client.post(
        reverse("account_tokens"), {"name": "x", "expires": "30", "scopes": ["admin"]}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["scopes"]
    assert not ApiToken.objects.filter(user=im).exists()


def test_the_page_creates_a_scoped_expiring_token(client, im):
    client.force_login(im)
    response = client.post(
        reverse("account_tokens"),
        {"name": "dash", "expires": "30", "scopes": ["incidents:read", "analytics"]},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=im)
    assert sorted(token.scopes) == ["analytics", "incidents:read"]
    assert token.expires_at is not None
