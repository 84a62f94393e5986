"""/api/v1/enforcement: bulk decisions (all or nothing, per-row errors), appeals, visibility,
the transparency report."""

from __future__ import annotations

import io
import zipfile

import pytest
import time_machine
from openpyxl import load_workbook

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.audit.models import AuditEvent
from trustdesk.enforcement.models import EnforcementDecision, PuidRecord, SorSubmission
from trustdesk.enforcement.tests.factories import decision_row, make_decision
from trustdesk.incidents.models import TimelineEvent
from trustdesk.regulatory.tests.factories import make_request, utc

pytestmark = pytest.mark.django_db

URL = "/api/v1/enforcement/decisions"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(utc("2026-11-25 12:00"), tick=False):
        yield


def test_it_records_a_list_of_decisions_with_audit_timeline_and_statements(im, incident):
    rows = [decision_row(content_url=f"https://video.example/v/{i}") for i in range(3)]
    response = as_user(im).post(URL, {"incident": incident.pk, "decisions": rows})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [d["content_url"] for d in body] == [r["content_url"] for r in rows]
    assert all(d["statement"]["status"] == "queued" for d in body)
    assert SorSubmission.objects.count() == 3
    assert PuidRecord.objects.count() == 3
    assert AuditEvent.objects.filter(action="enforcement.decision.create").count() == 3
    event = TimelineEvent.objects.filter(incident=incident).latest("id")
    assert event.text == "Enforcement decisions recorded: 3 x Content removed"


def test_it_rejects_the_whole_list_naming_each_bad_row_and_field(im, incident):
    rows = [
        decision_row(content_url="https://video.example/v/0"),
        decision_row(content_url="https://video.example/v/1", territorial_scope="XX1"),
        decision_row(content_url="https://video.example/v/2"),
        decision_row(
            content_url="https://video.example/v/3", ground="illegal_content", legal_ground=""
        ),
    ]
    response = as_user(im).post(URL, {"incident": incident.pk, "decisions": rows})
    assert response.status_code == 422
    assert error_fields(response) == ["decisions.1.territorial_scope", "decisions.3.legal_ground"]
    assert EnforcementDecision.objects.count() == 0
    assert SorSubmission.objects.count() == 0


def test_it_refuses_a_reused_puid_even_after_the_decision_is_deleted(im, incident):
    decision = make_decision(actor=im, incident=incident, puid="td-once")
    decision.sor_submission.delete()
    decision.delete()
    response = as_user(im).post(
        URL, {"incident": incident.pk, "decisions": [decision_row(puid="td-once")]}
    )
    assert response.status_code == 422
    assert error_fields(response) == ["decisions.0.puid"]


def test_it_refuses_the_same_puid_twice_in_one_list(im, incident):
    rows = [decision_row(puid="td-dup"), decision_row(puid="td-dup")]
    response = as_user(im).post(URL, {"incident": incident.pk, "decisions": rows})
    assert error_fields(response) == ["decisions.0.puid", "decisions.1.puid"]


def test_it_rejects_unknown_fields_in_a_row(im, incident):
    response = as_user(im).post(
        URL, {"incident": incident.pk, "decisions": [decision_row(territory="DE")]}
    )
    assert error_fields(response) == ["decisions.0.territory"]


def test_it_needs_an_incident_or_request(im):
    response = as_user(im).post(URL, {"decisions": [decision_row()]})
    assert response.status_code == 422
    assert error_fields(response) == ["incident"]


def test_it_refuses_an_outsider(outsider, incident):
    response = as_user(outsider).post(URL, {"incident": incident.pk, "decisions": [decision_row()]})
    assert response.status_code == 422
    assert error_fields(response) == ["incident"]
    assert as_user(outsider).get(URL).json() == []


def test_it_refuses_a_read_only_auditor(auditor, incident):
    response = as_user(auditor).post(URL, {"incident": incident.pk, "decisions": [decision_row()]})
    assert response.status_code == 403


def test_it_hides_decisions_on_restricted_incidents(im, im2, lead, restricted_incident):
    decision = make_decision(actor=lead, incident=restricted_incident)
    assert as_user(im2).get(f"{URL}/{decision.pk}").status_code == 404
    assert as_user(im2).get(URL).json() == []
    assert as_user(lead).get(f"{URL}/{decision.pk}").status_code == 200


def test_it_records_request_only_decisions_visible_as_the_request(lead, stakeholder):
    request = make_request(actor=lead, rule="EU-DSA-ART9", authority="FR-ARCOM", title="Order")
    body = {
        "regulatory_request": request.pk,
        "decisions": [decision_row(source_type="authority_order")],
    }
    response = as_user(lead).post(URL, body)
    assert response.status_code == 201, response.content
    decision_id = response.json()[0]["id"]
    assert response.json()[0]["regulatory_request"] == request.pk
    assert as_user(stakeholder).get(f"{URL}/{decision_id}").status_code == 404


def test_it_records_an_appeal_reversal(im, incident):
    decision = make_decision(actor=im, incident=incident)
    response = as_user(im).post(f"{URL}/{decision.pk}/appeal", {"outcome": "reversed"})
    assert response.status_code == 200, response.content
    assert response.json()["appeal_outcome"] == "reversed"
    assert response.json()["reversed_at"].startswith("2026-11-25T12:00")
    again = as_user(im).post(f"{URL}/{decision.pk}/appeal", {"outcome": "upheld"})
    assert again.status_code == 409


def test_it_rejects_an_unknown_appeal_outcome(im, incident):
    decision = make_decision(actor=im, incident=incident)
    response = as_user(im).post(f"{URL}/{decision.pk}/appeal", {"outcome": "maybe"})
    assert error_fields(response) == ["outcome"]


REPORT = "/api/v1/enforcement/transparency-report"


def test_it_gives_the_report_as_json_csv_and_xlsx_to_a_lead(lead, im, incident):
    make_decision(actor=im, incident=incident, source_type="own_initiative")
    params = {"start": "2026-07-01", "end": "2026-12-31"}
    body = as_user(lead).get(REPORT, params).json()
    assert (
        body["5_own_initiative_illegal"][0][
            "Number of measures taken at the provider's own initiative "
        ]
        == 1
    )
    csv_zip = as_user(lead).get(REPORT, {**params, "format": "csv"})
    assert csv_zip["Content-Type"] == "application/zip"
    assert "4_notices.csv" in zipfile.ZipFile(io.BytesIO(csv_zip.content)).namelist()
    xlsx = as_user(lead).get(REPORT, {**params, "format": "xlsx"})
    assert "3_member_states_orders" in load_workbook(io.BytesIO(xlsx.content)).sheetnames


def test_it_refuses_the_report_to_incident_managers_and_outsiders(im, outsider):
    params = {"start": "2026-07-01", "end": "2026-12-31"}
    assert as_user(im).get(REPORT, params).status_code == 403
    assert as_user(outsider).get(REPORT, params).status_code == 403


def test_it_rejects_a_backwards_period(auditor):
    response = as_user(auditor).get(REPORT, {"start": "2026-12-31", "end": "2026-07-01"})
    assert error_fields(response) == ["end"]


def test_it_answers_422_when_a_puid_is_taken_between_check_and_insert(im, incident):
    make_decision(actor=im, incident=incident, puid="td-race")
    PuidRecord.objects.filter(puid="td-race").delete()  # as if not yet committed when checked
    body = {"incident": incident.pk, "decisions": [decision_row(puid="td-race")]}
    response = as_user(im).post(URL, body)
    assert response.status_code == 422
    assert error_fields(response) == ["puid"]
