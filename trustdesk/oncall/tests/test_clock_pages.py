"""Regulatory clocks page on-call: once per (request, threshold); no ack -> next step at
the right minute; ack stops it. Frozen time throughout."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from trustdesk.accounts.models import Membership, Role, TeamKind
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.notify.models import Delivery, Notification, Preference
from trustdesk.oncall import escalation
from trustdesk.oncall.models import (
    ClockThreshold,
    EscalationPolicy,
    EscalationStep,
    Page,
    PageStatus,
    StepKind,
)
from trustdesk.regulatory.tests.factories import make_request, utc

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db

RECEIVED = utc("2026-11-20 00:00")  # AU-OSA-S109: 24 h, due 2026-11-21 00:00 UTC


@pytest.fixture
def crew(db):
    oncall = UserFactory(username="olly.oncall", role=Role.INCIDENT_MANAGER, email="o@x.org")
    boss = UserFactory(username="bea.boss", role=Role.LEAD)
    team = make_team("apac-im", oncall, kind=TeamKind.INCIDENT_MANAGEMENT)
    Membership.objects.create(team=team, user=boss, is_lead=True)
    make_rotation(team, oncall, tz="Australia/Sydney")
    policy = EscalationPolicy.objects.create(
        name="Regulatory clocks", min_severity="SEV1", on_regulatory_clocks=True
    )
    for position, kind, extra in (
        (0, StepKind.NOTIFY_ONCALL, {"team": team}),
        (1, StepKind.WAIT, {"minutes": 10}),
        (2, StepKind.NOTIFY_LEAD, {"team": team}),
    ):
        EscalationStep.objects.create(policy=policy, position=position, kind=kind, **extra)
    return {"oncall": oncall, "boss": boss, "policy": policy}


@pytest.fixture
def request_due(crew, im, time_machine):
    time_machine.move_to(RECEIVED, tick=False)
    request = make_request(actor=im, rule="AU-OSA-S109", received_at=RECEIVED)
    assert request.due_at == utc("2026-11-21 00:00")
    return request


def _told(user) -> int:
    return Notification.objects.filter(recipient=user, event_key__startswith="page.").count()


def _sweep_at(time_machine, text: str) -> None:
    time_machine.move_to(utc(text), tick=False)
    escalation.sweep()


def test_it_pages_when_a_quarter_is_left_then_escalates_at_the_right_minute(
    crew, request_due, time_machine
) -> None:
    _sweep_at(time_machine, "2026-11-20 17:59")
    assert not Page.objects.exists()
    _sweep_at(time_machine, "2026-11-20 18:00")  # 6 h of 24 left
    page = Page.objects.get()
    assert (page.request, page.threshold) == (request_due, ClockThreshold.QUARTER_LEFT)
    assert _told(crew["oncall"]) == 1
    _sweep_at(time_machine, "2026-11-20 18:09")
    assert _told(crew["boss"]) == 0
    _sweep_at(time_machine, "2026-11-20 18:10")
    assert _told(crew["boss"]) == 1


def test_it_stops_when_acknowledged(crew, request_due, time_machine) -> None:
    _sweep_at(time_machine, "2026-11-20 18:00")
    page = Page.objects.get()
    time_machine.move_to(utc("2026-11-20 18:05"), tick=False)
    escalation.acknowledge(actor=crew["oncall"], page=page)
    _sweep_at(time_machine, "2026-11-20 18:30")
    assert _told(crew["boss"]) == 0
    assert Page.objects.get().status == PageStatus.ACKNOWLEDGED


def test_it_opens_one_page_per_threshold_and_an_urgent_one_under_two_hours(
    crew, request_due, time_machine
) -> None:
    # Working 10:00-11:00 Sydney (23:00-00:00Z): a routine copy waits, an urgent one not.
    Preference.objects.create(
        user=crew["oncall"],
        work_from=time(10),
        work_until=time(11),
        work_days=[1, 2, 3, 4, 5, 6, 7],
    )
    crew["oncall"].tz = "Australia/Sydney"
    crew["oncall"].save()
    for minute in ("18:00", "18:01", "21:00", "22:00"):
        _sweep_at(time_machine, f"2026-11-20 {minute}")
    assert Page.objects.count() == 1
    _sweep_at(time_machine, "2026-11-20 22:01")
    _sweep_at(time_machine, "2026-11-20 22:02")
    assert list(Page.objects.order_by("started_at").values_list("threshold", flat=True)) == [
        ClockThreshold.QUARTER_LEFT,
        ClockThreshold.UNDER_TWO_HOURS,
    ]
    assert _told(crew["oncall"]) == 2
    sends = Delivery.objects.filter(recipient=crew["oncall"]).order_by("id")
    assert [d.next_attempt_at for d in sends] == [utc("2026-11-20 23:00"), utc("2026-11-20 22:01")]


def test_it_leaves_other_regions_policies_alone(crew, request_due, time_machine) -> None:
    EscalationPolicy.objects.filter(pk=crew["policy"].pk).update(region="EMEA")
    _sweep_at(time_machine, "2026-11-20 18:00")
    assert not Page.objects.exists()


def test_it_does_not_page_for_a_paused_clock(crew, request_due, time_machine) -> None:
    type(request_due).objects.filter(pk=request_due.pk).update(paused_since=utc("2026-11-20 12:00"))
    _sweep_at(time_machine, "2026-11-20 18:00")
    assert not Page.objects.exists()


def test_it_refuses_an_outsider_the_acknowledgement(
    crew, request_due, time_machine, outsider
) -> None:
    _sweep_at(time_machine, "2026-11-20 18:00")
    page = Page.objects.get()
    client = Client()
    client.force_login(outsider)
    assert client.post(f"/oncall/pages/{page.pk}/ack").status_code == 404
    client.force_login(crew["boss"])
    response = client.post(f"/oncall/pages/{page.pk}/ack")
    assert response.status_code == 302
    assert response["Location"] == f"/regulatory/{request_due.pk}/"
