"""The enforcement pages: decisions of an incident (bulk entry, import, appeal), the
incident panel and the transparency report."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from trustdesk.enforcement.models import EnforcementDecision, SorSubmission
from trustdesk.enforcement.tests.factories import decision_row, make_decision
from trustdesk.regulatory.tests.factories import utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(utc("2026-11-25 12:00"), tick=False):
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "targets": "https://video.example/v/1\nhttps://video.example/v/2\naccount:acct-99\nvid-777",
    "content_type": "video",
    "restriction": "visibility_removed",
    "ground": "incompatible_content",
    "tos_clause": "Community guidelines §3 (violent content)",
    "tos_explanation": "Graphic violence without context.",
    "explanation": "Found during the incident sweep.",
    "category": "STATEMENT_CATEGORY_VIOLENCE",
    "source_type": "own_initiative",
    "automated_decision": "not",
    "territorial_scope": "EU",
    "content_date": "2026-11-20",
}


def _url(incident, name="decisions"):
    return f"/enforcement/incidents/{incident.pk}/{name}/"


def test_it_records_one_decision_for_every_pasted_line(im, incident):
    response = _client(im).post(_url(incident), FORM)
    assert response.status_code == 302
    made = list(EnforcementDecision.objects.order_by("id"))
    assert [d.target for d in made] == [
        "https://video.example/v/1",
        "https://video.example/v/2",
        "acct-99",
        "vid-777",
    ]
    assert made[2].account_id == "acct-99" and made[3].content_id == "vid-777"
    assert SorSubmission.objects.count() == 4
    page = _client(im).get(_url(incident)).content.decode()
    assert "vid-777" in page and "Queued" in page


def test_it_saves_nothing_and_names_the_field_when_a_value_is_wrong(im, incident):
    response = _client(im).post(_url(incident), {**FORM, "territorial_scope": "DE 12"})
    assert response.status_code == 422
    assert "territorial_scope" in response.content.decode()
    assert EnforcementDecision.objects.count() == 0


def test_it_shows_the_panel_and_link_on_the_incident_page(im, incident):
    make_decision(actor=im, incident=incident)
    page = _client(im).get(f"/incidents/{incident.pk}/").content.decode()
    assert _url(incident) in page
    panel = _client(im).get(_url(incident, "panel")).content.decode()
    assert "1 decision" in panel


def test_it_refuses_an_outsider(outsider, incident):
    client = _client(outsider)
    assert client.get(_url(incident)).status_code == 404
    assert client.post(_url(incident), FORM).status_code == 404
    assert client.get(_url(incident, "panel")).status_code == 404
    assert EnforcementDecision.objects.count() == 0


def test_it_lets_an_auditor_read_but_not_record(auditor, incident):
    client = _client(auditor)
    page = client.get(_url(incident))
    assert page.status_code == 200
    assert "Record decisions" not in page.content.decode()
    assert client.post(_url(incident), FORM).status_code == 403


def test_it_hides_a_restricted_incidents_decisions(im2, lead, restricted_incident):
    make_decision(actor=lead, incident=restricted_incident)
    assert _client(im2).get(_url(restricted_incident)).status_code == 404


def test_it_records_an_appeal_from_the_page(im, incident):
    decision = make_decision(actor=im, incident=incident)
    response = _client(im).post(
        f"/enforcement/decisions/{decision.pk}/appeal/", {"outcome": "reversed"}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.appeal_outcome == "reversed" and decision.reversed_at is not None


def test_it_refuses_an_appeal_to_an_outsider(outsider, im, incident):
    decision = make_decision(actor=im, incident=incident)
    response = _client(outsider).post(
        f"/enforcement/decisions/{decision.pk}/appeal/", {"outcome": "reversed"}
    )
    assert response.status_code == 404


HEADER = list(decision_row())


def _csv(rows) -> bytes:
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(
            ",".join(f'"{" ".join(v) if isinstance(v, list) else v}"' for v in row.values())
        )
    return "\n".join(lines).encode()


def test_it_imports_a_csv_file(im, incident):
    data = _csv([decision_row(content_url=f"https://video.example/c/{i}") for i in range(3)])
    upload = SimpleUploadedFile("decisions.csv", data, content_type="text/csv")
    response = _client(im).post(_url(incident, "import"), {"file": upload})
    assert response.status_code == 302
    assert EnforcementDecision.objects.count() == 3
    assert EnforcementDecision.objects.first().territorial_scope == ["DE", "FR"]


def test_it_imports_nothing_and_gives_the_row_number_of_a_bad_row(im, incident):
    rows = [decision_row(content_url=f"https://video.example/c/{i}") for i in range(3)]
    rows[1]["category"] = "STATEMENT_CATEGORY_NOPE"
    upload = SimpleUploadedFile("decisions.csv", _csv(rows), content_type="text/csv")
    response = _client(im).post(_url(incident, "import"), {"file": upload})
    assert response.status_code == 422
    assert "row 3: category" in response.content.decode()
    assert EnforcementDecision.objects.count() == 0


def test_it_imports_an_xlsx_file(im, incident):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for i in range(2):
        row = decision_row(content_url=f"https://video.example/x/{i}", automated_detection="yes")
        sheet.append([" ".join(v) if isinstance(v, list) else v for v in row.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("decisions.xlsx", buffer.getvalue())
    response = _client(im).post(_url(incident, "import"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(EnforcementDecision.objects.values_list("automated_detection", flat=True)) == [
        True,
        True,
    ]


def test_it_refuses_an_unknown_file_type(im, incident):
    upload = SimpleUploadedFile("decisions.txt", b"hello")
    response = _client(im).post(_url(incident, "import"), {"file": upload})
    assert response.status_code == 422
    assert "must be a .csv or .xlsx file" in response.content.decode()


def test_it_shows_the_transparency_report_to_a_lead(lead, im, incident):
    make_decision(actor=im, incident=incident, source_type="own_initiative")
    client = _client(lead)
    page = client.get(
        "/enforcement/transparency-report/", {"start": "2026-07-01", "end": "2026-12-31"}
    )
    assert page.status_code == 200
    assert "5_own_initiative_illegal" in page.content.decode()
    xlsx = client.get(
        "/enforcement/transparency-report/",
        {"start": "2026-07-01", "end": "2026-12-31", "format": "xlsx"},
    )
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    assert "DSA transparency report" in client.get("/regulatory/").content.decode()


def test_it_refuses_the_transparency_report_to_an_outsider_and_an_incident_manager(outsider, im):
    assert _client(outsider).get("/enforcement/transparency-report/").status_code == 403
    assert _client(im).get("/enforcement/transparency-report/").status_code == 403


def test_without_a_period_it_shows_the_last_six_months(lead, im, incident):
    make_decision(actor=im, incident=incident, source_type="own_initiative")
    page = _client(lead).get("/enforcement/transparency-report/").content.decode()
    today = timezone.localdate()
    assert f'value="{today.isoformat()}"' in page
    assert f'value="{(today - timedelta(days=182)).isoformat()}"' in page
    assert "5_own_initiative_illegal" in page
