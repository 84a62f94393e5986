"""/api/v1/taxonomy: the codes the incidents API accepts, and the severity rubric."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.taxonomy.severity import DIMENSIONS, RUBRIC


def test_it_lists_categories_with_their_keywords(im):
    client = as_user(im)
    client.get("/api/v1/me")  # the token's first use writes once; keep it out of the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/taxonomy/categories")
    assert response.status_code == 200
    minors = next(c for c in response.json() if c["slug"] == "protection-of-minors")
    assert minors["code"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert minors["restricted_by_default"] is True
    assert "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL" in [k["code"] for k in minors["keywords"]]
    assert all(k["name"] for k in minors["keywords"])
    # token lookup, categories, their keywords: not one query per category
    assert len(queries) <= 3


def test_it_lists_markets_with_region_and_zones(im):
    markets = {m["code"]: m for m in as_user(im).get("/api/v1/taxonomy/markets").json()}
    assert markets["DE"]["region"] == "EMEA"
    assert markets["DE"]["eu"] is True
    assert markets["DE"]["tzs"][0] == "Europe/Berlin"
    assert markets["MX"]["region"] == "AMS"


def test_it_publishes_the_written_severity_rubric(stakeholder):
    body = as_user(stakeholder).get("/api/v1/taxonomy/severities").json()
    assert [d["key"] for d in body["dimensions"]] == list(DIMENSIONS)
    assert [level["code"] for level in body["levels"]] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    sev1 = body["levels"][0]
    assert sev1["label"] == "SEV1 · Critical"
    assert sev1["summary"] == RUBRIC["SEV1"]["summary"]
    assert sev1["criteria"]["vulnerable_users"] == "Minors directly involved or targeted."


def test_the_taxonomy_needs_authentication(db):
    for path in ("categories", "markets", "severities"):
        assert Client().get(f"/api/v1/taxonomy/{path}").status_code == 401
