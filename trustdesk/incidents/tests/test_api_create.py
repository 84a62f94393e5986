"""POST /api/v1/incidents: responders open incidents; bad input is a 422 naming the field."""

import pytest
from django.test import Client

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.audit.models import AuditEvent
from trustdesk.incidents.models import EventKind, Incident, IncidentAccess

URL = "/api/v1/incidents"

VALID = {
    "title": "Blackout challenge spreading in schools",
    "summary": "Teachers in Monterrey report pupils filming the dare.",
    "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "severity": "SEV2",
    "markets": ["MX", "US"],
    "keywords": ["KEYWORD_ILLEGAL_ORGANIZATIONS"],
}


def _body(**changes):
    body = {**VALID, **changes}
    return {k: v for k, v in body.items() if v is not ...}


def test_a_responder_opens_an_incident(im):
    response = as_user(im).post(URL, _body(detected_at="2026-11-24T22:15:00+01:00"))
    assert response.status_code == 201, response.content
    body = response.json()
    incident = Incident.objects.get(pk=body["id"])
    assert incident.created_by == im
    assert body["status"] == "reported"
    assert body["region"] == "AMS"  # the first market's
    assert body["markets"] == ["MX", "US"]
    assert body["keywords"] == ["KEYWORD_ILLEGAL_ORGANIZATIONS"]
    assert body["restricted"] is False
    assert body["detected_at"].startswith("2026-11-24T21:15:00")
    assert incident.events.filter(kind=EventKind.CREATED).count() == 1
    assert AuditEvent.objects.filter(action="incident.create", object_id=str(incident.pk)).exists()


def test_it_takes_the_category_slug_and_lowercase_market_codes(im):
    response = as_user(im).post(URL, _body(category="scams-fraud", markets=["de"], keywords=[]))
    assert response.status_code == 201, response.content
    assert response.json()["category"]["code"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
    assert response.json()["region"] == "EMEA"


def test_a_region_given_wins_over_the_markets(im):
    response = as_user(im).post(URL, _body(region="APAC"))
    assert response.json()["region"] == "APAC"


def test_a_child_safety_incident_starts_restricted_with_its_reporter_on_the_list(im):
    response = as_user(im).post(
        URL,
        _body(
            category="protection-of-minors",
            keywords=["KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS"],
            severity="SEV1",
        ),
    )
    assert response.status_code == 201, response.content
    assert response.json()["restricted"] is True
    assert IncidentAccess.objects.filter(incident_id=response.json()["id"], user=im).exists()
    assert as_user(im).get(f"{URL}/{response.json()['id']}").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "STATEMENT_CATEGORY_NONSENSE"}, "category"),
        ({"markets": ["MX", "ZZ"]}, "markets"),
        ({"keywords": ["KEYWORD_MADE_UP"]}, "keywords"),
        ({"keywords": ["KEYWORD_CYBER_STALKING"]}, "keywords"),  # not in the category
        ({"severity": "SEV5"}, "severity"),
        ({"severity": "sev1"}, "severity"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"markets": [], "region": ...}, "region"),
        ({"region": "MARS"}, "region"),
        ({"detected_at": "2026-11-24T22:15:00"}, "detected_at"),
        ({"detected_at": "yesterday"}, "detected_at"),
        ({"detected_at": 1764000000}, "detected_at"),  # Unix times are ambiguous (s or ms?)
        ({"detected_at": "0001-01-01T00:00:00+01:00"}, "detected_at"),  # no UTC equivalent
        ({"detected_at": "1969-12-31T23:59:59Z"}, "detected_at"),
        ({"sevrity": "SEV1"}, "sevrity"),
        ({"summary": "nul \x00 byte"}, "summary"),
    ],
)
def test_it_names_the_wrong_field_and_stores_nothing(im, changes, field):
    response = as_user(im).post(URL, _body(**changes))
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert response.json()["detail"].startswith(f"{field}: ")
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": 42}, "title"),
        ({"markets": "MX"}, "markets"),
        ({"markets": ["MX", 7]}, "markets.1"),
        ({"restricted": "perhaps"}, "restricted"),
        ({"keywords": {"a": 1}}, "keywords"),
        ({"severity": None}, "severity"),
    ],
)
def test_it_names_fields_of_the_wrong_type(im, changes, field):
    response = as_user(im).post(URL, _body(**changes))
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_it_lists_every_missing_required_field(im):
    response = as_user(im).post(URL, {"summary": "only this"})
    assert response.status_code == 422
    assert set(error_fields(response)) == {"title", "category", "severity"}


def test_a_body_that_is_not_an_object_is_a_422(im):
    response = as_user(im).post(URL, ["title"])
    assert response.status_code == 422
    assert error_fields(response) == ["__all__"]


def test_a_body_that_is_not_json_is_a_400(im):
    response = as_user(im).client.post(URL, "{title:", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot parse request body"


@pytest.mark.parametrize("persona", ["stakeholder", "outsider", "auditor"])
def test_only_responders_open_incidents(request, persona):
    response = as_user(request.getfixturevalue(persona)).post(URL, _body())
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_an_anonymous_caller_is_refused(db):
    assert Client().post(URL, _body(), content_type="application/json").status_code == 401
