"""The regulatory pages: board, new-request form, detail actions, register, compliance."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trustdesk.audit.models import AuditEvent
from trustdesk.regulatory.models import Authority, Jurisdiction, RegulatoryRequest, Rule

from .factories import make_request, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(im) -> Client:
    client = Client()
    client.force_login(im)
    return client


@pytest.fixture
def now(time_machine):
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)
    return utc("2026-11-20 12:00")


def test_the_board_shows_countdown_rule_citation_and_three_zones(client, im, now) -> None:
    im.tz = "Europe/Madrid"
    im.save()
    make_request(
        actor=im, rule="AU-OSA-S109", received_at=utc("2026-11-20 06:00"), reference="ESC-1"
    )
    page = client.get("/regulatory/").content.decode()
    assert "18h 00m left" in page
    assert "AU-OSA-S109" in page
    assert "Online Safety Act 2021 (Cth) s. 109" in page
    assert 'class="verif verif-V"' in page
    assert "Sat 21 Nov 2026 17:00" in page and "AEDT" in page  # the authority's zone
    assert "Sat 21 Nov 07:00" in page and "your time (Europe/Madrid)" in page
    assert 'title="2026-11-21 06:00 UTC"' in page
    assert 'hx-trigger="every 30s"' in page


def test_rows_are_coloured_by_how_much_of_the_clock_is_used(client, im, now) -> None:
    make_request(actor=im, rule="AU-OSA-S109", received_at=utc("2026-11-19 10:00"))  # breached
    make_request(actor=im, rule="AU-OSA-S88", received_at=utc("2026-11-19 13:00"))  # 23/24 used
    make_request(actor=im, rule="AU-OSA-S77", received_at=utc("2026-11-19 17:30"))  # 77% used
    make_request(actor=im, rule="AU-OSA-S65", received_at=utc("2026-11-20 11:00"))
    rows = client.get("/regulatory/rows").content.decode()
    order = [rows.index(f"risk-{risk}") for risk in ("breached", "red", "amber", "normal")]
    assert order == sorted(order)
    assert rows.startswith('<tbody id="board-rows"')


def test_the_board_filters_by_jurisdiction_and_owner(client, im, im2, now) -> None:
    mine = make_request(actor=im, rule="AU-OSA-S109", received_at=utc("2026-11-20 06:00"))
    theirs = make_request(
        actor=im2, rule="BR-TSE-RES23610-ART38", received_at=utc("2026-11-20 06:00")
    )
    page = client.get("/regulatory/", {"jurisdiction": "BR"}).content.decode()
    assert theirs.ref in page and mine.ref not in page
    page = client.get("/regulatory/", {"owner": "me"}).content.decode()
    assert mine.ref in page and theirs.ref not in page


def test_the_form_offers_only_rules_in_force_on_the_received_date(client) -> None:
    india = Jurisdiction.objects.get(code="IN")
    response = client.get(
        "/regulatory/new/choices", {"jurisdiction": india.pk, "received_at": "2026-02-19T23:00"}
    )
    fields = response.content.decode()
    assert "IN-ITR-3-1-D-36H" in fields and "IN-ITR-3-1-D-3H" not in fields
    assert response["HX-Trigger-After-Swap"] == "choices-updated"
    fields = client.get(
        "/regulatory/new/choices", {"jurisdiction": india.pk, "received_at": "2026-02-20T00:30"}
    ).content.decode()
    assert "IN-ITR-3-1-D-3H" in fields and "IN-ITR-3-1-D-36H" not in fields


def test_the_details_follow_the_chosen_authority_and_rule(client) -> None:
    rule = Rule.objects.get(code="EU-DSA-ART9")
    details = client.get(
        "/regulatory/new/details",
        {
            "jurisdiction": rule.jurisdiction.pk,
            "authority": Authority.objects.get(code="FR-ARCOM").pk,
            "rule": rule.pk,
        },
    ).content.decode()
    assert "Europe/Paris" in details
    assert "Regulation (EU) 2022/2065, art. 9(1)" in details
    assert "internal target" in details
    assert "Term set by the order" in details


def _form(**changes):
    au = Jurisdiction.objects.get(code="AU")
    data = {
        "jurisdiction": au.pk,
        "authority": Authority.objects.get(code="AU-ESAFETY").pk,
        "rule": Rule.objects.get(code="AU-OSA-S109").pk,
        "reference": "ESC-2026-0099",
        "received_at": "2026-11-20T21:30",  # Sydney time
        "requested_actions": ["remove"],
        "content_items": "https://example.com/a\nhttps://example.com/b\n",
        "user_may_be_notified": "on",
        "incident_severity": "SEV2",
    }
    data.update(changes)
    return data


def test_logging_from_the_form_reads_times_in_the_authoritys_zone(client, now) -> None:
    response = client.post("/regulatory/new", _form())
    request = RegulatoryRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/regulatory/{request.pk}/"
    assert request.received_at == utc("2026-11-20 10:30")
    assert request.content_items == ["https://example.com/a", "https://example.com/b"]
    page = client.get(response["Location"]).content.decode()
    assert "REQ-" in page and "Acknowledge" in page and "Verified" in page


def test_a_repealed_rule_is_refused_on_the_rule_field(client) -> None:
    de = Jurisdiction.objects.get(code="DE")
    response = client.post(
        "/regulatory/new",
        _form(
            jurisdiction=de.pk,
            authority=Authority.objects.get(code="DE-USER").pk,
            rule=Rule.objects.get(code="DE-NETZDG-3-2-2").pk,
            received_at="2024-06-01T10:00",
        ),
    )
    assert response.status_code == 422
    assert "stopped applying on 2024-05-14" in response.context["form"].errors["rule"][0]
    assert not RegulatoryRequest.objects.exists()


def test_a_nonexistent_local_time_is_refused(client) -> None:
    # 02:30 on 5 Apr 2026 happens twice in Sydney (DST ends); the form will not guess.
    response = client.post("/regulatory/new", _form(received_at="2026-04-05T02:30"))
    assert response.status_code == 422
    assert "received_at" in response.context["form"].errors


def test_the_detail_page_offers_only_legal_moves_and_acts(client, im, now) -> None:
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    page = client.get(f"/regulatory/{request.pk}/").content.decode()
    assert 'value="acknowledged"' in page and 'value="closed"' not in page
    client.post(f"/regulatory/{request.pk}/transition", {"to": "acknowledged"})
    client.post(f"/regulatory/{request.pk}/actioned", {})
    response = client.post(
        f"/regulatory/{request.pk}/respond",
        {
            "outcome": "complied",
            "summary": "Removed; confirmation sent to eSafety",
            "files": [SimpleUploadedFile("confirmation.eml", b"Subject: done")],
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.deadline_result) == ("responded", "met")
    evidence = request.evidence.get()
    download = client.get(f"/regulatory/{request.pk}/evidence/{evidence.pk}")
    assert b"".join(download.streaming_content) == b"Subject: done"
    assert AuditEvent.objects.filter(action="regulatory.evidence.download").count() == 1
    page = client.get(f"/regulatory/{request.pk}/").content.decode()
    assert evidence.sha256 in page and "Deadline met" in page


def test_an_error_comes_back_as_a_message_naming_the_field(client, im, now) -> None:
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    response = client.post(f"/regulatory/{request.pk}/transition", {"to": "contested"}, follow=True)
    assert "reason: A reason is required to move to Contested." in response.content.decode()
    response = client.post(f"/regulatory/{request.pk}/transition", {"to": "closed"}, follow=True)
    assert "cannot move from received to closed" in response.content.decode()


def test_pause_resume_extend_assign_and_link_from_the_page(client, im, im2, incident, now) -> None:
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    base = f"/regulatory/{request.pk}"
    client.post(f"{base}/pause", {"note": "Awaiting the full URL list"})
    assert RegulatoryRequest.objects.get(pk=request.pk).is_paused
    client.post(f"{base}/resume", {})
    client.post(f"{base}/extend", {"units": "6", "reason": "Commissioner allowed longer"})
    client.post(f"{base}/owner", {"owner": im2.username})
    client.post(f"{base}/incident", {"incident": f"INC-{incident.pk}", "severity": "SEV2"})
    request.refresh_from_db()
    assert request.due_at == utc("2026-11-21 16:00")
    assert (request.owner, request.incident) == (im2, incident)


def test_the_rule_register_shows_status_and_history(client) -> None:
    page = client.get("/regulatory/rules/").content.decode()
    assert "DE-NETZDG-3-2-2" in page and "2017-10-01 \u2013 2024-05-14" in page
    assert "CA-C63" in page and "never" in page
    assert "internal" in page


def test_the_notifications_page_lists_mine(client, im, im2, now) -> None:
    make_request(actor=im2, owner=im, received_at=utc("2026-11-20 10:00"))
    page = client.get("/notifications/").content.decode()
    assert "You own REQ-" in page
    assert 'aria-label="1 unread"' in page  # the count in the header


def test_a_request_opened_from_an_intake_report_remembers_it(client, now) -> None:
    page = client.get("/regulatory/new", {"source": "intake:report:42", "reference": "X-1"})
    assert "From intake:report:42." in page.content.decode()
    client.post("/regulatory/new", _form(source="intake:report:42"))
    assert RegulatoryRequest.objects.get().source == "intake:report:42"
