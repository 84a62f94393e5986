"""The dashboard page: who may open it, what it shows, and bad filters."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustdesk.incidents.tests.factories import make_incident
from trustdesk.taxonomy.severity import Severity

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
URL = reverse("analytics:dashboard")
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="analytics-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return {chart["key"]: chart for chart in json.loads(body)}


@pytest.mark.parametrize("persona", ["admin", "lead", "im", "auditor"])
def test_it_opens_for_leads_admins_incident_managers_and_auditors(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL)

    assert response.status_code == 200
    assert b'canvas data-chart="incidents_by_severity"' in response.content


@pytest.mark.parametrize("persona", ["stakeholder", "outsider"])
def test_it_refuses_stakeholders_and_outsiders(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403


def test_it_sends_anonymous_users_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_feeds_the_charts_with_drill_down_links(client, lead, im):
    make_incident(actor=im, severity="SEV1", reported_at=datetime(2026, 11, 24, 8, tzinfo=UTC))
    client.force_login(lead)

    data = chart_data(client.get(URL, {"since": "2026-11-23", "until": "2026-11-25"}))

    [dataset] = data["incidents_by_severity"]["datasets"]
    assert dataset["label"] == Severity.SEV1.label
    assert dataset["data"] == [1]
    link = dataset["links"][0]
    assert link.startswith("/incidents/?")
    assert "severity=SEV1" in link and "since=2026-11-23" in link and "until=2026-11-25" in link


def test_its_drill_down_link_lists_the_incidents_behind_the_bar(client, lead, im):
    shown = make_incident(
        actor=im, title="Counted one", reported_at=datetime(2026, 11, 24, tzinfo=UTC)
    )
    make_incident(actor=im, title="Earlier one", reported_at=datetime(2026, 11, 10, tzinfo=UTC))
    client.force_login(lead)
    data = chart_data(client.get(URL, {"since": "2026-11-23"}))
    link = data["incidents_by_category"]["datasets"][0]["links"][0]

    listed = client.get(link).content.decode()

    assert shown.title in listed and "Earlier one" not in listed


def test_it_shows_each_chart_as_a_table_too(client, lead, im):
    make_incident(actor=im, reported_at=datetime(2026, 11, 24, tzinfo=UTC))
    client.force_login(lead)

    html = client.get(URL).content.decode()

    assert html.count("<summary>Show as table</summary>") == 8
    assert '<th scope="row">2026-11-23</th>' in html


def test_it_leaves_restricted_incidents_out_for_who_may_not_see_them(client, im, im2):
    make_incident(actor=im, category=MINORS, markets=("BR",))
    client.force_login(im2)

    data = chart_data(client.get(URL))

    assert data["incidents_by_category"]["datasets"] == []


def test_it_answers_a_bad_filter_with_400_naming_the_field(client, lead):
    client.force_login(lead)

    response = client.get(URL, {"since": "2026-11-25", "until": "2026-11-01"})

    assert response.status_code == 400
    assert "To: Must be on or after the start date." in response.content.decode()


def test_it_rejects_an_unknown_market(client, lead):
    client.force_login(lead)

    response = client.get(URL, {"market": "XX"})

    assert response.status_code == 400 and "Market:" in response.content.decode()


def test_the_nav_shows_analytics_only_to_who_may_open_it(client, lead, stakeholder):
    client.force_login(lead)
    assert f'href="{URL}"'.encode() in client.get("/incidents/").content
    client.force_login(stakeholder)
    assert f'href="{URL}"'.encode() not in client.get("/incidents/").content


def test_its_query_count_does_not_grow_with_the_data(client, lead, im):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    make_incident(actor=im)
    client.force_login(lead)
    few = queries()
    for n in range(10):
        make_incident(actor=im, severity="SEV1", markets=("MX", "BR"), title=f"More {n}")

    assert queries() == few


def test_it_shows_the_default_period_in_the_filters(client, lead):
    client.force_login(lead)

    html = client.get(URL).content.decode()

    assert 'name="since" value="2026-10-05"' in html  # 8 whole weeks, Monday to today
    assert 'name="until" value="2026-11-25"' in html
    assert '<option value="week" selected>Week</option>' in html
