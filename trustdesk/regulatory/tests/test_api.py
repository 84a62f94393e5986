"""/api/v1/regulatory: logging requests, the board, actions, and errors naming the field."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.regulatory.models import RegulatoryRequest

from .factories import make_request, utc

pytestmark = pytest.mark.django_db

URL = "/api/v1/regulatory/requests"
VALID = {
    "authority": "AU-ESAFETY",
    "rule": "AU-OSA-S109",
    "received_at": "2026-11-20T09:00:00+11:00",
    "reference": "ESC-2026-0412",
    "content_items": ["https://example.com/v/123"],
}


def _body(**changes):
    return {**VALID, **changes}


def test_logging_a_request_returns_its_deadline_rule_and_citation(im) -> None:
    response = as_user(im).post(URL, _body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_at"].startswith("2026-11-20T22:00:00")
    assert body["due_local"] == "2026-11-21T09:00:00+11:00"
    assert body["tz"] == "Australia/Sydney"
    assert body["clock"] == "24 hours"
    assert body["rule"]["verification"] == "V"
    assert body["rule"]["citation"].startswith("Online Safety Act 2021 (Cth) s. 109")
    assert body["rule"]["internal_target"] is False
    assert body["allowed_transitions"] == ["acknowledged", "contested", "withdrawn"]
    assert body["owner"] == im.username
    assert RegulatoryRequest.objects.get(pk=body["id"]).reference == "ESC-2026-0412"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_at": "2026-11-20T09:00:00"}, "received_at"),  # no zone
        ({"rule": "AU-NOPE"}, "rule"),
        ({"rule": "US-TAKE-IT-DOWN", "authority": "US-INDIVIDUAL",
          "received_at": "2026-05-18T23:30:00-04:00"}, "rule"),  # not yet in force
        ({"rule": "DE-NETZDG-3-2-2", "authority": "DE-USER",
          "received_at": "2024-06-01T10:00:00+02:00"}, "rule"),  # repealed
        ({"authority": "BR-TSE"}, "authority"),
        ({"requested_actions": ["delete"]}, "requested_actions.0"),
        ({"ordered_duration": 0}, "ordered_duration"),
        ({"ordered_duration": 5, "ordered_unit": "weeks"}, "ordered_unit"),
        ({"rule": "EU-TCO-ART3-3", "authority": "EU-TCO-AUTHORITY",
          "ordered_duration": 5, "ordered_unit": "hours"}, "ordered_duration"),
        ({"owner": "nobody.here"}, "owner"),
        ({"incident": 999999}, "incident"),
        ({"colour": "red"}, "colour"),
        ({"received_at": "2099-01-01T00:00:00Z"}, "received_at"),
    ],
)  # fmt: skip
def test_bad_input_is_a_422_naming_the_field(im, changes, field) -> None:
    response = as_user(im).post(URL, _body(**changes))
    assert response.status_code == 422, response.content
    assert error_fields(response)[0] == field
    assert not RegulatoryRequest.objects.exists()


def test_an_incident_the_caller_cannot_see_cannot_be_linked(im, im2, restricted_incident) -> None:
    response = as_user(im2).post(URL, _body(incident=restricted_incident.pk))
    assert response.status_code == 422
    assert error_fields(response) == ["incident"]


def test_the_board_lists_open_requests_by_time_left(im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)
    later = make_request(actor=im, rule="AU-OSA-S88", received_at=utc("2026-11-20 11:00"))
    sooner = make_request(actor=im, rule="AU-OSA-S77", received_at=utc("2026-11-20 00:00"))
    late = make_request(actor=im, rule="AU-OSA-S65", received_at=utc("2026-11-19 06:00"))
    body = as_user(im).get(URL).json()
    assert [item["id"] for item in body["items"]] == [late.pk, sooner.pk, later.pk]
    assert [item["risk"] for item in body["items"]] == ["breached", "normal", "normal"]
    assert body["items"][0]["time_left"] == "-6h 00m"
    assert as_user(im).get(URL, {"jurisdiction": "BR"}).json()["count"] == 0
    second = as_user(im).get(URL, {"limit": 1, "offset": 1}).json()
    assert (second["count"], [i["id"] for i in second["items"]]) == (3, [sooner.pk])


def test_actions_through_the_api(im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)
    request = make_request(actor=im, received_at=utc("2026-11-20 11:00"))
    api = as_user(im)
    base = f"{URL}/{request.pk}"
    assert api.post(f"{base}/transition", {"to": "acknowledged"}).json()["status"] == "acknowledged"
    paused = api.post(f"{base}/pause", {"reason": "eSafety clarifying scope"}).json()
    assert paused["paused"] is True and paused["risk"] == "paused"
    time_machine.move_to(utc("2026-11-20 14:00"), tick=False)
    resumed = api.post(f"{base}/resume", {}).json()
    assert resumed["due_at"].startswith("2026-11-21T13:00:00")
    extended = api.post(f"{base}/extensions", {"units": 2, "reason": "Allowed longer"}).json()
    assert extended["due_at"].startswith("2026-11-21T15:00:00")
    assert api.post(f"{base}/actioned", {}).json()["deadline_result"] == "met"
    done = api.post(f"{base}/response", {"outcome": "complied", "summary": "Removed"}).json()
    assert done["status"] == "responded"
    timeline = api.get(f"{base}/timeline").json()
    kinds = [e["kind"] for e in timeline]
    assert kinds == ["created", "status", "pause", "resume", "extension", "milestone", "response"]


def test_an_illegal_pause_is_a_409(im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-20 11:00"), tick=False)
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    api = as_user(im)
    api.post(f"{URL}/{request.pk}/pause", {"reason": "first"})
    response = api.post(f"{URL}/{request.pk}/pause", {"reason": "second"})
    assert response.status_code == 409
    assert error_fields(response) == ["status"]


def test_evidence_upload_through_the_api(im) -> None:
    request = make_request(actor=im)
    token_client = as_user(im).client
    response = token_client.post(
        f"{URL}/{request.pk}/evidence",
        {"file": SimpleUploadedFile("letter.pdf", b"%PDF-1.4"), "description": "Reply"},
    )
    assert response.status_code == 200, response.content
    assert request.evidence.get().description == "Reply"


def test_rules_in_force_on_a_date(im) -> None:
    api = as_user(im)
    codes = {
        r["code"]
        for r in api.get(
            "/api/v1/regulatory/rules", {"jurisdiction": "IN", "in_force_on": "2026-02-19"}
        ).json()
    }
    assert "IN-ITR-3-1-D-36H" in codes and "IN-ITR-3-1-D-3H" not in codes
    detail = api.get("/api/v1/regulatory/rules/IN-ITR-3-1-D-3H").json()
    assert detail["effective_from"] == "2026-02-20"
    assert [v["version"] for v in detail["history"]] == [1]
    assert api.get("/api/v1/regulatory/rules/XX-NONE").status_code == 422


def test_linking_and_assigning_through_the_api(im, im2, incident) -> None:
    request = make_request(actor=im)
    api = as_user(im)
    linked = api.post(f"{URL}/{request.pk}/incident", {"incident": incident.pk}).json()
    assert linked["incident"] == incident.pk
    assigned = api.post(f"{URL}/{request.pk}/owner", {"owner": im2.username}).json()
    assert assigned["owner"] == im2.username


def test_the_browser_session_also_works(im) -> None:
    client = Client()
    client.force_login(im)
    assert client.get("/api/v1/regulatory/jurisdictions").status_code == 200
