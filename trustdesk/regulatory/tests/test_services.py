"""Logging requests and changing them: validation, the clock, audit and timelines."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from trustdesk.audit.models import AuditEvent
from trustdesk.audit.services import verify_chain
from trustdesk.incidents.models import EventKind as IncidentEventKind
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.notify.models import Notification
from trustdesk.regulatory import deadlines, responses, services
from trustdesk.regulatory.models import Authority, Rule
from trustdesk.taxonomy.models import Category

from .factories import local, make_request, utc

pytestmark = pytest.mark.django_db


def test_logging_starts_the_clock_and_writes_timeline_and_audit(im) -> None:
    request = make_request(actor=im, rule="AU-OSA-S109", received_at=utc("2026-11-20 10:00"))
    assert request.rule_version == Rule.objects.get(code="AU-OSA-S109").current
    assert request.due_at == utc("2026-11-21 10:00")
    assert request.clock["tz"] == "Australia/Sydney"
    assert request.owner == im
    assert request.requested_actions == ["remove"]  # the rule's usual action
    created = request.events.get()
    assert "AU-OSA-S109" in created.text and "due Sat 21 Nov 2026 21:00" in created.text
    assert AuditEvent.objects.filter(action="regulatory.request.create").count() == 1
    assert verify_chain().ok


def test_a_rule_not_yet_in_force_is_refused_naming_the_rule(im) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_request(
            actor=im,
            rule="US-TAKE-IT-DOWN",
            received_at=local("2026-05-18 23:30", "America/New_York"),
        )
    assert caught.value.field == "rule"
    assert "not in force until 2026-05-19" in caught.value.message


def test_a_repealed_rule_is_refused_naming_the_rule(im) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_request(actor=im, rule="DE-NETZDG-3-2-2", received_at=utc("2024-06-01 10:00"))
    assert caught.value.field == "rule"
    assert "stopped applying on 2024-05-14" in caught.value.message


def test_the_authority_must_belong_to_the_rules_jurisdiction(im) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_request(actor=im, rule="AU-OSA-S109", authority="BR-TSE")
    assert caught.value.field == "authority"


def test_received_times_cannot_be_in_the_future(im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-20 10:00"), tick=False)
    with pytest.raises(InvalidInput) as caught:
        make_request(actor=im, received_at=utc("2026-11-20 11:00"))
    assert caught.value.field == "received_at"


def test_service_rules_start_the_clock_when_served(im) -> None:
    request = make_request(
        actor=im,
        rule="AU-OSA-S77",
        received_at=utc("2026-11-20 10:00"),
        served_at=utc("2026-11-20 08:00"),
    )
    assert request.started_at == utc("2026-11-20 08:00")
    assert request.due_at == utc("2026-11-21 08:00")


def test_a_fixed_term_cannot_be_replaced_by_an_order(im) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_request(actor=im, rule="EU-TCO-ART3-3", ordered_duration=5, ordered_unit="hours")
    assert caught.value.field == "ordered_duration"


def test_an_order_sets_its_own_term_where_the_rule_allows(im) -> None:
    request = make_request(
        actor=im,
        rule="BR-MCI-ART19",
        received_at=local("2026-11-19 10:00", "America/Sao_Paulo"),
        served_at=local("2026-11-19 10:00", "America/Sao_Paulo"),
        ordered_duration=2,
        ordered_unit="days",
    )
    assert request.clock["kind"] == "business_days"
    assert request.due_at == local("2026-11-25 00:00", "America/Sao_Paulo")
    assert not request.is_internal_target


def test_linking_an_incident_puts_a_note_on_its_timeline(im, incident) -> None:
    request = make_request(actor=im, incident=incident)
    assert request.region == incident.region
    note = incident.events.get(kind=IncidentEventKind.NOTE)
    assert note.text.startswith(f"{request.ref}: regulatory request from eSafety Commissioner")
    services.transition(actor=im, request=request, to="acknowledged")
    assert incident.events.filter(kind=IncidentEventKind.NOTE).count() == 2


def test_create_incident_opens_one_in_the_authoritys_market(im) -> None:
    category = Category.objects.get(code="STATEMENT_CATEGORY_VIOLENCE")
    request = make_request(
        actor=im, rule="BR-TSE-RES23610-ART38", create_incident=True, incident_category=category
    )
    assert request.incident is not None
    assert list(request.incident.markets.values_list("code", flat=True)) == ["BR"]
    assert request.incident.title == request.title


def test_linking_and_creating_at_once_is_refused(im, incident) -> None:
    category = Category.objects.first()
    with pytest.raises(InvalidInput) as caught:
        make_request(actor=im, incident=incident, create_incident=True, incident_category=category)
    assert caught.value.field == "incident"


def test_a_new_owner_is_notified(im, im2) -> None:
    request = make_request(actor=im, owner=im2)
    note = Notification.objects.get(recipient=im2)
    assert note.link == f"/regulatory/{request.pk}/"
    assert not Notification.objects.filter(recipient=im).exists()


def test_a_gag_order_means_the_user_is_never_notified(im) -> None:
    request = make_request(actor=im, confidential=True, user_may_be_notified=True)
    assert request.user_may_be_notified is False


def test_a_pause_moves_the_deadline_by_the_paused_time(im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-20 10:00"), tick=False)
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    time_machine.move_to(utc("2026-11-20 16:00"), tick=False)
    deadlines.pause_clock(actor=im, request=request, reason="eSafety asked for clarification")
    request.refresh_from_db()
    assert request.is_paused and request.next_escalation_at is None
    assert request.time_left(utc("2026-11-21 09:00")) == timedelta(hours=18)
    with pytest.raises(Conflict):
        deadlines.pause_clock(actor=im, request=request, reason="again")
    time_machine.move_to(utc("2026-11-21 09:00"), tick=False)
    deadlines.resume_clock(actor=im, request=request)
    request.refresh_from_db()
    assert request.due_at == utc("2026-11-22 03:00")  # 17 paused hours added
    assert request.clock_duration == timedelta(hours=24)
    actions = AuditEvent.objects.values_list("action", flat=True)
    assert {"regulatory.request.pause", "regulatory.request.resume"} <= set(actions)


def test_a_pause_needs_a_reason(im) -> None:
    request = make_request(actor=im)
    with pytest.raises(InvalidInput) as caught:
        deadlines.pause_clock(actor=im, request=request, reason="")
    assert caught.value.field == "reason"


def test_extensions_move_the_deadline_and_never_shorten_it(im) -> None:
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    extension = deadlines.extend(
        actor=im,
        request=request,
        units=24,
        reason="Commissioner allowed longer",
        granted_by="eSafety",
    )
    assert (extension.due_before, extension.due_after) == (
        utc("2026-11-21 10:00"),
        utc("2026-11-22 10:00"),
    )
    with pytest.raises(InvalidInput) as caught:
        deadlines.extend(
            actor=im, request=request, new_due_at=utc("2026-11-21 12:00"), reason="earlier"
        )
    assert caught.value.field == "new_due_at"
    deadlines.extend(
        actor=im, request=request, new_due_at=utc("2026-11-25 00:00"), reason="new date"
    )
    request.refresh_from_db()
    assert request.due_at == utc("2026-11-25 00:00")


def test_preservation_extensions_keep_data_longer(im) -> None:
    request = make_request(actor=im, rule="US-2703F", received_at=utc("2026-11-02 15:00"))
    assert request.keep_until() == local("2027-02-01 00:00", "America/New_York")
    deadlines.extend(actor=im, request=request, keep_days=90, reason="Renewal under 2703(f)(2)")
    assert request.keep_until() == local("2027-05-02 00:00", "America/New_York")
    with pytest.raises(InvalidInput) as caught:
        deadlines.extend(actor=im, request=make_request(actor=im), keep_days=5, reason="x")
    assert caught.value.field == "keep_days"


def test_acting_late_is_written_down_as_a_miss(im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-22 12:00"), tick=False)
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    services.transition(actor=im, request=request, to="acknowledged")
    request = services.record_action(actor=im, request=request)
    assert request.deadline_result == "breached"
    assert request.events.get(kind="milestone").text == "Actioned (deadline missed by 1d 2h)"
    with pytest.raises(Conflict):
        services.record_action(actor=im, request=request)


def test_a_refusal_needs_legal_grounds_and_counts_as_the_answer(im) -> None:
    request = make_request(actor=im)
    services.transition(actor=im, request=request, to="acknowledged")
    with pytest.raises(InvalidInput) as caught:
        responses.record_response(actor=im, request=request, outcome="refused", summary="No.")
    assert caught.value.field == "legal_grounds"
    responses.record_response(
        actor=im,
        request=request,
        outcome="refused",
        summary="Declined",
        legal_grounds="Not class 1",
    )
    request.refresh_from_db()
    assert request.actioned_at is None
    assert request.deadline_met_at == request.responded_at


def test_evidence_is_stored_with_its_sha256(im, media) -> None:
    request = make_request(actor=im)
    content = b"screenshot of the removal"
    services.transition(actor=im, request=request, to="acknowledged")
    responses.record_response(
        actor=im,
        request=request,
        outcome="complied",
        summary="Removed and confirmed to eSafety",
        files=[SimpleUploadedFile("removal.png", content, content_type="image/png")],
    )
    evidence = request.evidence.get()
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    stored = media / "regulatory" / "evidence" / str(request.pk) / evidence.sha256
    assert stored.read_bytes() == content
    audit = AuditEvent.objects.get(action="regulatory.request.evidence")
    assert audit.after["sha256"] == evidence.sha256


def test_empty_evidence_is_refused(im) -> None:
    request = make_request(actor=im)
    with pytest.raises(InvalidInput) as caught:
        responses.add_evidence(actor=im, request=request, upload=SimpleUploadedFile("e.txt", b""))
    assert caught.value.field == "file"
    assert not request.evidence.exists()


def test_a_request_can_be_linked_later_but_only_once(im, incident) -> None:
    request = make_request(actor=im)
    services.link_incident(actor=im, request=request, incident=incident)
    with pytest.raises(Conflict):
        services.link_incident(actor=im, request=request, incident=incident)


def test_authorities_in_another_zone_compute_in_their_own(im) -> None:
    # An EU rule applied by the French coordinator runs on Paris time and French holidays.
    request = make_request(
        actor=im,
        rule="EU-DSA-ART9",
        authority="FR-ARCOM",
        received_at=local("2026-04-02 17:00", "Europe/Paris"),
        ordered_duration=3,
        ordered_unit="days",
    )
    assert request.clock["tz"] == "Europe/Paris"
    assert request.clock["holiday_country"] == "FR"
    assert Authority.objects.get(code="FR-ARCOM").jurisdiction.code == "EU"
