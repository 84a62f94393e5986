"""Lumen notices: built from a request, validated before sending, posted to a local server
that answers like Lumen."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from trustdesk.audit.models import AuditEvent
from trustdesk.exports import lumen, services
from trustdesk.exports.models import LumenStatus, LumenSubmission
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.regulatory.tests.factories import make_request

from .conftest import utc

pytestmark = pytest.mark.django_db


class FakeLumen:
    """A local HTTP server with Lumen's answers: 201 + Location, 401 on a wrong token, or a
    scripted status."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.tokens: list[str] = []
        self.answer = 201
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.tokens.append(self.headers.get("X-Authentication-Token", ""))
                fake.received.append(json.loads(body))
                status = 401 if fake.tokens[-1] != "secret-token" else fake.answer
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", "https://lumendatabase.org/notices/42")
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if status == 422:
                    self.wfile.write(b'{"notices": {"works": ["is invalid"]}}')
                else:
                    self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/notices"


@pytest.fixture
def fake_lumen(settings) -> Iterator[FakeLumen]:
    fake = FakeLumen()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    settings.TRUSTDESK_LUMEN_URL = fake.url
    settings.TRUSTDESK_LUMEN_TOKEN = "secret-token"
    settings.TRUSTDESK_LUMEN_TIMEOUT = 5
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)


@pytest.fixture
def court_order(im, now):
    return make_request(
        actor=im,
        rule="BR-MCI-ART19",
        received_at=utc("2026-11-20 10:00"),
        reference="0001234-56.2026.8.26.0100",
        title="Remove defamatory video",
        summary="Order of the 3rd civil court",
        content_items=["https://video.example.com/v/1", "internal-id-7"],
    )


def test_it_builds_a_valid_court_order_notice(court_order) -> None:
    notice = services.lumen_notice(court_order)
    assert notice["type"] == "CourtOrder"
    assert notice["case_id_number"] == "0001234-56.2026.8.26.0100"
    assert notice["jurisdiction_list"] == "BR"
    assert notice["language"] == "pt-BR"
    assert notice["date_received"] == "2026-11-20"
    roles = {r["name"]: r["entity_attributes"] for r in notice["entity_notice_roles_attributes"]}
    assert roles["issuing_court"]["name"] == "Brazilian court (Justiça comum)"
    assert roles["issuing_court"]["country_code"] == "BR"
    assert roles["recipient"]["name"] == "Example Platform Inc."
    urls = notice["works_attributes"][0]["infringing_urls_attributes"]
    assert urls == [{"url": "https://video.example.com/v/1"}]  # ids are not URLs
    assert "request_type" not in notice


def test_it_marks_law_enforcement_preservation_requests(im, now) -> None:
    found = make_request(
        actor=im, rule="MX-LGAMVLV-20SEXIES", requested_actions=["preserve"], title="Preserve"
    )
    notice = services.lumen_notice(found)
    assert notice["type"] == "LawEnforcementRequest"
    assert notice["request_type"] == "Records Preservation"
    assert notice["language"] == "es"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "Takedown"}, "notice.type"),
        ({"title": ""}, "notice.title"),
        ({"action_taken": "Maybe"}, "notice.action_taken"),
        ({"date_received": "1998-01-01"}, "notice.date_received"),
        ({"date_sent": "2026-11-23"}, "notice.date_sent"),
        ({"date_sent": "2026-02-30"}, "notice.date_sent"),
        ({"works_attributes": []}, "notice.works_attributes"),
        (
            {
                "entity_notice_roles_attributes": [
                    {"name": "boss", "entity_attributes": {"name": "x", "kind": "organization"}}
                ]
            },
            "notice.entity_notice_roles_attributes.0.name",
        ),
        (
            {
                "works_attributes": [
                    {
                        "description": "d",
                        "infringing_urls_attributes": [{"url": "javascript:alert(1)"}],
                    }
                ]
            },
            "notice.works_attributes.0.infringing_urls_attributes.0.url",
        ),
        ({"tilte": "typo"}, "notice"),
    ],
)
def test_it_rejects_an_invalid_notice_naming_the_field(court_order, change, field) -> None:
    notice = {**services.lumen_notice(court_order), **change}
    with pytest.raises(InvalidInput) as invalid:
        lumen.validate(notice)
    assert field in invalid.value.errors


def test_it_refuses_requests_under_a_gag_order(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", confidential=True)
    with pytest.raises(InvalidInput) as refused:
        services.lumen_notice(found)
    assert refused.value.field == "confidential"


def test_it_refuses_requests_on_restricted_incidents(im, restricted_incident, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", incident=restricted_incident)
    with pytest.raises(InvalidInput) as refused:
        services.lumen_notice(found)
    assert refused.value.field == "incident"


def test_it_sends_the_notice_and_keeps_lumens_answer(im, court_order, fake_lumen) -> None:
    submission = services.submit_lumen(actor=im, request=court_order)
    assert submission.status == LumenStatus.SENT
    assert submission.location == "https://lumendatabase.org/notices/42"
    assert fake_lumen.tokens == ["secret-token"]
    assert fake_lumen.received[0]["notice"]["type"] == "CourtOrder"
    assert AuditEvent.objects.filter(action="exports.lumen_submitted").count() == 1
    with pytest.raises(Conflict):
        services.submit_lumen(actor=im, request=court_order)
    assert len(fake_lumen.received) == 1


def test_it_records_a_rejection_as_permanent(im, court_order, fake_lumen) -> None:
    fake_lumen.answer = 422
    submission = services.submit_lumen(actor=im, request=court_order)
    assert submission.status == LumenStatus.REJECTED
    assert submission.http_status == 422 and "is invalid" in submission.error


def test_it_records_a_wrong_token(im, court_order, fake_lumen, settings) -> None:
    settings.TRUSTDESK_LUMEN_TOKEN = "wrong"
    submission = services.submit_lumen(actor=im, request=court_order)
    assert submission.status == LumenStatus.REJECTED and submission.http_status == 401


def test_it_records_an_unreachable_lumen_as_retryable(im, court_order, settings) -> None:
    settings.TRUSTDESK_LUMEN_URL = "http://127.0.0.1:9/notices"
    settings.TRUSTDESK_LUMEN_TOKEN = "secret-token"
    settings.TRUSTDESK_LUMEN_TIMEOUT = 2
    submission = services.submit_lumen(actor=im, request=court_order)
    assert submission.status == LumenStatus.FAILED
    assert "no answer" in submission.error
    assert LumenSubmission.objects.count() == 1


def test_it_sends_nothing_without_a_token(im, court_order, fake_lumen, settings) -> None:
    settings.TRUSTDESK_LUMEN_TOKEN = ""
    with pytest.raises(InvalidInput):
        services.submit_lumen(actor=im, request=court_order)
    assert fake_lumen.received == []


def test_it_reads_the_token_from_a_file(court_order, settings, monkeypatch, tmp_path) -> None:
    from trustdesk.exports import conf

    del settings.TRUSTDESK_LUMEN_TOKEN
    secret = tmp_path / "token"
    secret.write_text("from-file\n")
    monkeypatch.setenv("TRUSTDESK_LUMEN_TOKEN_FILE", str(secret))
    assert conf.lumen_token() == "from-file"
