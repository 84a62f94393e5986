"""/api/v1/exports: CyberTipline drafts, Lumen notices and response packs over the API."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.audit.models import AuditEvent
from trustdesk.exports.models import PreservationDuty
from trustdesk.regulatory.tests.factories import make_request

from .conftest import parse_xml, utc

pytestmark = pytest.mark.django_db

API = "/api/v1/exports"


class _SessionApi:
    def __init__(self, user) -> None:
        self.client = Client()
        self.client.force_login(user)

    def get(self, path: str, params=None):
        return self.client.get(path, params or {})

    def post(self, path: str, body=None):
        return self.client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def now(time_machine):
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)


def test_it_drafts_downloads_and_records_submission(im, restricted_incident, now) -> None:
    api = as_user(im)
    created = api.post(f"{API}/incidents/{restricted_incident.pk}/cybertip", {})
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft"
    xml = api.get(f"{API}/cybertip/{draft['id']}/xml")
    assert xml.status_code == 200 and parse_xml(xml.content).tag == "report"
    assert AuditEvent.objects.filter(action="exports.cybertip_downloaded").count() == 1
    done = api.post(f"{API}/cybertip/{draft['id']}/submitted", {"report_number": "998877"})
    assert done.status_code == 200 and done.json()["report_number"] == "998877"
    assert PreservationDuty.objects.get().ends_at == utc("2021-11-20 12:00").replace(year=2027)


def test_it_names_the_wrong_field(im, restricted_incident, now) -> None:
    api = as_user(im)
    bad_type = api.post(
        f"{API}/incidents/{restricted_incident.pk}/cybertip", {"incident_type": "Spam"}
    )
    assert bad_type.status_code == 422 and error_fields(bad_type) == ["incident_type"]
    draft = api.post(f"{API}/incidents/{restricted_incident.pk}/cybertip", {}).json()
    bad_number = api.post(f"{API}/cybertip/{draft['id']}/submitted", {"report_number": "a b"})
    assert bad_number.status_code == 422 and error_fields(bad_number) == ["report_number"]


def test_it_answers_404_to_outsiders(im, outsider, im2, restricted_incident, now) -> None:
    draft = as_user(im).post(f"{API}/incidents/{restricted_incident.pk}/cybertip", {}).json()
    found = make_request(actor=im, rule="BR-MCI-ART19", incident=restricted_incident)
    # A stakeholder's token holds no exports scope at all (403 everywhere), so the outsider
    # speaks through the browser session, where only visibility decides.
    for api in (_SessionApi(outsider), as_user(im2)):
        assert api.post(f"{API}/incidents/{restricted_incident.pk}/cybertip", {}).status_code == 404
        assert api.get(f"{API}/cybertip/{draft['id']}").status_code == 404
        assert api.get(f"{API}/cybertip/{draft['id']}/xml").status_code == 404
        assert (
            api.post(f"{API}/cybertip/{draft['id']}/submitted", {"report_number": "1"}).status_code
            == 404
        )
        assert api.get(f"{API}/requests/{found.pk}/pack").status_code == 404
        assert api.get(f"{API}/requests/{found.pk}/lumen").status_code == 404
        assert api.post(f"{API}/requests/{found.pk}/lumen").status_code == 404
    assert AuditEvent.objects.filter(action="exports.response_pack").count() == 0


def test_it_returns_the_pack_as_a_zip(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19")
    response = as_user(im).get(f"{API}/requests/{found.pk}/pack", {"language": "es"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "manifest.json" in names and "cover_letter.pdf" in names


def test_it_rejects_an_unknown_pack_language(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19")
    response = as_user(im).get(f"{API}/requests/{found.pk}/pack", {"language": "fr"})
    assert response.status_code == 422 and error_fields(response) == ["language"]


def test_it_previews_the_lumen_notice_or_names_the_field(im, now) -> None:
    api = as_user(im)
    court = make_request(actor=im, rule="BR-MCI-ART19")
    assert api.get(f"{API}/requests/{court.pk}/lumen").json()["type"] == "CourtOrder"
    gagged = make_request(actor=im, rule="BR-MCI-ART19", confidential=True)
    refused = api.get(f"{API}/requests/{gagged.pk}/lumen")
    assert refused.status_code == 422 and error_fields(refused) == ["confidential"]


def test_auditors_may_not_send_to_lumen(auditor, im, now) -> None:
    court = make_request(actor=im, rule="BR-MCI-ART19")
    assert as_user(auditor).post(f"{API}/requests/{court.pk}/lumen").status_code == 403
