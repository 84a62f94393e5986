"""The request lifecycle: one table of legal moves; illegal ones are a 409 naming the allowed."""

from __future__ import annotations

import pytest

from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.lib.errors import IllegalTransition, InvalidInput
from trustdesk.regulatory import responses, services
from trustdesk.regulatory.lifecycle import TRANSITIONS, Status

from .factories import make_request, utc

pytestmark = pytest.mark.django_db


def test_every_status_has_a_row_and_closed_is_final() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert TRANSITIONS[Status.CLOSED] == ()
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(Status)


def test_the_happy_path_stamps_each_milestone(im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-20 11:00"), tick=False)
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    request = services.transition(actor=im, request=request, to="acknowledged")
    request = services.transition(actor=im, request=request, to="in_progress")
    request = services.record_action(actor=im, request=request)
    responses.record_response(actor=im, request=request, outcome="complied", summary="Removed.")
    request = services.transition(actor=im, request=request, to="closed")
    assert request.status == Status.CLOSED
    assert request.acknowledged_at and request.actioned_at and request.responded_at
    assert request.closed_at is not None
    assert request.deadline_result == "met"
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["created", "status", "status", "milestone", "response", "status"]


def test_an_illegal_move_names_the_allowed_ones(im) -> None:
    request = make_request(actor=im)
    with pytest.raises(IllegalTransition) as caught:
        services.transition(actor=im, request=request, to="closed")
    assert caught.value.allowed == ["acknowledged", "contested", "withdrawn"]
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_responded_needs_the_response_record(im) -> None:
    request = make_request(actor=im)
    services.transition(actor=im, request=request, to="acknowledged")
    with pytest.raises(InvalidInput) as caught:
        services.transition(actor=im, request=request, to="responded")
    assert caught.value.field == "to"


def test_contesting_needs_legal_grounds(im) -> None:
    request = make_request(actor=im)
    with pytest.raises(InvalidInput) as caught:
        services.transition(actor=im, request=request, to="contested", reason=" ")
    assert caught.value.field == "reason"
    request = services.transition(
        actor=im, request=request, to="contested", reason="Order exceeds territorial scope"
    )
    assert request.status_reason == "Order exceeds territorial scope"
    assert request.acknowledged_at is not None  # contesting means someone read it


def test_a_withdrawn_request_stops_its_clock(im) -> None:
    request = make_request(actor=im)
    request = services.transition(actor=im, request=request, to="withdrawn", reason="eSafety")
    assert request.next_escalation_at is None
    assert request.deadline_result == "withdrawn"
    with pytest.raises(IllegalTransition):
        services.transition(actor=im, request=request, to="acknowledged")


def test_the_api_answers_409_with_the_allowed_moves(im) -> None:
    request = make_request(actor=im)
    response = as_user(im).post(
        f"/api/v1/regulatory/requests/{request.pk}/transition", {"to": "closed"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current"] == "received"
    assert body["allowed"] == ["acknowledged", "contested", "withdrawn"]
    assert body["errors"][0]["field"] == "to"
