"""``/api/v1/postmortems``: reading, importing figures, factors and action items."""

import pytest
from django.test import Client

from trustdesk.accounts.services import create_token

pytestmark = pytest.mark.django_db


def _client(user):
    _, raw = create_token(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_it_returns_the_draft_with_computed_durations(im, pm):
    response = _client(im).get(f"/api/v1/postmortems/{pm.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft"
    assert body["allowed_transitions"] == ["in_review"]
    resolve = next(d for d in body["durations"] if d["key"] == "resolve")
    incident = pm.incident
    assert resolve["seconds"] == int((incident.resolved_at - incident.reported_at).total_seconds())
    assert body["timeline"][0]["kind"] == "created"


def test_reach_figures_can_be_imported(im, pm):
    response = _client(im).patch(
        f"/api/v1/postmortems/{pm.pk}",
        {"reach": 2_400_000, "reach_source": "views export 2026-03-04", "users_affected": 51_000},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["impact"]["reach"] == 2_400_000


def test_a_bad_field_is_a_422_naming_it(im, pm):
    response = _client(im).patch(
        f"/api/v1/postmortems/{pm.pk}", {"reach": -1}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reach"


def test_an_unknown_zone_is_a_422(im, pm):
    response = _client(im).patch(
        f"/api/v1/postmortems/{pm.pk}", {"tz": "Mars/Olympus"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tz"


def test_factors_and_action_items_by_code(im, pm):
    client = _client(im)
    response = client.post(
        f"/api/v1/postmortems/{pm.pk}/factors",
        {"factor": "tooling-failure", "note": "Takedown tool timed out", "root_cause": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    response = client.post(
        f"/api/v1/postmortems/{pm.pk}/action-items",
        {
            "description": "Raise the takedown tool's timeout",
            "owner": im.username,
            "due_on": pm.due_at.date().isoformat(),
            "factor": "tooling-failure",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["factor"] == "tooling-failure"
    body = client.get(f"/api/v1/postmortems/{pm.pk}").json()
    assert body["completion"] == {"done": 0, "counted": 1, "percent": 0}


def test_an_outsider_gets_404(outsider, pm):
    assert _client(outsider).get(f"/api/v1/postmortems/{pm.pk}").status_code == 404


def test_an_auditor_reads_but_gets_403_on_writes(auditor, pm):
    client = _client(auditor)
    assert client.get(f"/api/v1/postmortems/{pm.pk}").status_code == 200
    response = client.patch(
        f"/api/v1/postmortems/{pm.pk}", {"summary": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_the_factor_taxonomy_is_listed(im):
    codes = [f["code"] for f in _client(im).get("/api/v1/postmortems/factors").json()]
    assert {"detection-gap", "vendor-outsourcing", "regulatory-interpretation"} <= set(codes)


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("", "patch", {"five_whys": ["a", "b", "c", "d", "e", "f"]}, "five_whys"),
        ("", "patch", {"summary": "nul \x00 byte"}, "summary"),
        ("", "patch", {"author": "nobody-here"}, "author"),
        ("", "patch", {"title": None}, "title"),
        ("/timeline", "put", {"event_ids": [999999]}, "event_ids"),
        ("/factors", "post", {"factor": "no-such-factor"}, "factor"),
        ("/transitions", "post", {"to": "shipped"}, "to"),
        ("/action-items", "post", {"description": "x", "due_on": "2026-13-01"}, "due_on"),
        (
            "/action-items",
            "post",
            {"description": "x", "due_on": "9999-01-01", "owner": "ivan.im"},
            "due_on",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field_never_a_500(im, pm, path, method, body, field):
    client = _client(im)
    response = getattr(client, method)(
        f"/api/v1/postmortems/{pm.pk}{path}", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
