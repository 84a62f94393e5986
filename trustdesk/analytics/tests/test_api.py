"""GET /api/v1/analytics/metrics."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
URL = "/api/v1/analytics/metrics"
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_returns_the_dashboard_numbers(lead, im):
    reported = datetime(2026, 11, 24, 8, tzinfo=UTC)
    incident = make_incident(actor=im, severity="SEV2", reported_at=reported)
    Incident.objects.filter(pk=incident.pk).update(triaged_at=reported + timedelta(minutes=90))

    body = as_user(lead).get(URL, {"since": "2026-11-23", "until": "2026-11-25"}).json()

    assert body["filters"] == {"since": "2026-11-23", "until": "2026-11-25", "bucket": "week"}
    severity = body["incidents"]["severity"]
    assert severity["periods"] == ["2026-11-23"]
    assert [(s["key"], s["counts"]) for s in severity["series"]] == [("SEV2", [1])]
    sev2 = next(t for t in body["response_times"] if t["key"] == "SEV2")
    assert sev2["acknowledge_median_hours"] == 1.5
    assert [b["total"] for b in body["backlog"]] == [0, 1, 0, 0, 0]
    assert set(body["reports"]) == {"channel", "category", "market"}


def test_it_counts_restricted_incidents_only_for_who_may_see_them(lead, im, im2):
    make_incident(actor=im, category=MINORS, markets=("BR",))

    def total(user):
        series = as_user(user).get(URL).json()["incidents"]["category"]["series"]
        return sum(s["total"] for s in series)

    assert total(lead) == 1
    assert total(im2) == 0


def test_it_names_the_wrong_field(lead):
    response = as_user(lead).get(URL, {"since": "2026-11-25", "until": "2026-11-01"})

    assert response.status_code == 422
    assert error_fields(response) == ["until"]


def test_it_rejects_an_unknown_bucket(lead):
    response = as_user(lead).get(URL, {"bucket": "month"})

    assert response.status_code == 422 and error_fields(response) == ["bucket"]


def test_it_refuses_an_outsider(outsider):
    assert as_user(outsider).get(URL).status_code == 403
