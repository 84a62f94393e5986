"""CSV and XLSX exports of the dashboard tables and of the incident queue."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from trustdesk.analytics.exports import as_csv, safe_cell
from trustdesk.audit.models import AuditEvent
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.taxonomy.severity import Severity

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_it_exports_a_dashboard_table_as_csv_with_the_filters(client, lead, im):
    make_incident(actor=im, severity="SEV1", reported_at=datetime(2026, 11, 24, tzinfo=UTC))
    make_incident(actor=im, severity="SEV1", reported_at=datetime(2026, 11, 2, tzinfo=UTC))
    client.force_login(lead)
    url = reverse("analytics:export_csv", args=["incidents_by_severity"])

    response = client.get(url, {"since": "2026-11-23"})

    assert response["Content-Type"].startswith("text/csv")
    assert rows_of(response) == [["period", Severity.SEV1.label, "total"], ["2026-11-23", "1", "1"]]
    assert AuditEvent.objects.filter(action="analytics.export").count() == 1


def test_it_exports_every_table_and_the_insights_as_one_workbook(client, lead):
    client.force_login(lead)

    response = client.get(reverse("analytics:export_xlsx", args=["all"]))

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Insights"
    assert len(book.sheetnames) == 9


def test_it_answers_an_unknown_table_with_404(client, lead):
    client.force_login(lead)

    assert client.get(reverse("analytics:export_csv", args=["nope"])).status_code == 404
    assert client.get(reverse("analytics:export_csv", args=["all"])).status_code == 404


def test_it_refuses_an_outsider_the_dashboard_exports(client, outsider):
    client.force_login(outsider)

    response = client.get(reverse("analytics:export_xlsx", args=["all"]))

    assert response.status_code == 403


def test_it_answers_a_bad_filter_with_400(client, lead):
    client.force_login(lead)
    url = reverse("analytics:export_csv", args=["backlog"])

    response = client.get(url, {"bucket": "month"})

    assert response.status_code == 400 and response.content.decode().startswith("Per:")


def test_it_guards_cells_against_formula_injection():
    assert [safe_cell(v) for v in ["=1+1", "+1", "-1", "@SUM(A1)", "ok", 5]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "ok",
        5,
    ]
    assert as_csv(["h"], [["=HYPERLINK(1)"]]).splitlines()[1] == "'=HYPERLINK(1)"


def test_it_exports_the_queue_with_its_filters_and_guarded_titles(client, im):
    make_incident(actor=im, title="=cmd|' /C calc'!A0", severity="SEV1")
    make_incident(actor=im, title="Other", severity="SEV3")
    client.force_login(im)

    rows = rows_of(client.get(reverse("analytics:queue_csv"), {"severity": "SEV1"}))

    assert len(rows) == 2
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_the_queue_export_honours_visibility(client, im, im2):
    make_incident(actor=im, title="Grooming ring", category=MINORS, markets=("BR",))
    make_incident(actor=im, title="Public one")
    client.force_login(im2)

    response = client.get(reverse("analytics:queue_xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Public one"]


def test_the_queue_export_shows_an_outsider_nothing(client, im, outsider):
    make_incident(actor=im, title="Public one")
    client.force_login(outsider)

    rows = rows_of(client.get(reverse("analytics:queue_csv")))

    assert len(rows) == 1  # the header only


def test_the_queue_page_links_to_its_export_with_the_filters(client, im):
    client.force_login(im)

    html = client.get("/incidents/", {"severity": "SEV1"}).content.decode()

    assert f"{reverse('analytics:queue_csv')}?severity=SEV1" in html
