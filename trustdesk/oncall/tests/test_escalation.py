"""Escalation with frozen time: no ack -> next step at the right minute; ack stops it."""

from __future__ import annotations

from datetime import time

import pytest
import time_machine
from django.test import Client

from trustdesk.accounts.models import Membership, Role, TeamKind
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.notify.models import Notification
from trustdesk.oncall import escalation
from trustdesk.oncall.models import EscalationPolicy, EscalationStep, Page, PageStatus, StepKind

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(db):
    oncall = UserFactory(username="olly.oncall", role=Role.INCIDENT_MANAGER)
    boss = UserFactory(username="bea.boss", role=Role.LEAD)
    apac = UserFactory(username="aiko.apac", role=Role.INCIDENT_MANAGER)
    team = make_team("emea-im", oncall, kind=TeamKind.INCIDENT_MANAGEMENT)
    Membership.objects.create(team=team, user=boss, is_lead=True)
    make_rotation(team, oncall, tz="Europe/Dublin")
    apac_team = make_team("apac-im", apac, kind=TeamKind.INCIDENT_MANAGEMENT)
    apac_team.region = "APAC"
    apac_team.save()
    make_rotation(apac_team, apac, tz="Asia/Singapore", covers_from=time(8), covers_until=time(20))
    return {"team": team, "oncall": oncall, "boss": boss, "apac": apac}


def _policy(crew, *steps, min_severity="SEV2"):
    policy = EscalationPolicy.objects.create(name="SEV1/2 paging", min_severity=min_severity)
    for position, (kind, extra) in enumerate(steps):
        EscalationStep.objects.create(policy=policy, position=position, kind=kind, **extra)
    return policy


def _told(user) -> int:
    return Notification.objects.filter(recipient=user, event_key__startswith="page.").count()


@pytest.fixture
def standard(crew):
    return _policy(
        crew,
        (StepKind.NOTIFY_ONCALL, {"team": crew["team"]}),
        (StepKind.WAIT, {"minutes": 5}),
        (StepKind.NOTIFY_LEAD, {"team": crew["team"]}),
        (StepKind.WAIT, {"minutes": 10}),
        (StepKind.NOTIFY_REGION, {"region": "APAC"}),
    )


def test_no_ack_moves_on_at_the_right_minute(crew, standard, im) -> None:
    with time_machine.travel("2026-01-06 10:00:00Z", tick=False):
        make_incident(actor=im, severity="SEV1")
        assert (_told(crew["oncall"]), _told(crew["boss"])) == (1, 0)
    with time_machine.travel("2026-01-06 10:04:59Z", tick=False):
        assert escalation.sweep() == 0
        assert _told(crew["boss"]) == 0
    with time_machine.travel("2026-01-06 10:05:00Z", tick=False):
        assert escalation.sweep() == 1
        assert _told(crew["boss"]) == 1
        assert escalation.sweep() == 0  # nothing twice
    with time_machine.travel("2026-01-06 10:15:00Z", tick=False):  # 18:15 in Singapore
        escalation.sweep()
    assert _told(crew["apac"]) == 1
    assert Page.objects.get().status == PageStatus.EXHAUSTED


def test_a_late_sweep_catches_up_without_drifting(crew, standard, im) -> None:
    with time_machine.travel("2026-01-06 10:00:00Z", tick=False):
        make_incident(actor=im, severity="SEV2")
    with time_machine.travel("2026-01-06 10:07:00Z", tick=False):
        escalation.sweep()
    page = Page.objects.get()
    assert page.next_step_at.isoformat() == "2026-01-06T10:15:00+00:00"


def test_acknowledging_stops_the_chain(crew, standard, im) -> None:
    with time_machine.travel("2026-01-06 10:00:00Z", tick=False):
        incident = make_incident(actor=im, severity="SEV1")
    page = Page.objects.get()
    client = Client()
    client.force_login(crew["oncall"])
    with time_machine.travel("2026-01-06 10:03:00Z", tick=False):
        response = client.post(f"/oncall/pages/{page.pk}/ack")
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    with time_machine.travel("2026-01-06 10:30:00Z", tick=False):
        assert escalation.sweep() == 0
    assert (_told(crew["boss"]), _told(crew["apac"])) == (0, 0)
    page.refresh_from_db()
    assert (page.status, page.acknowledged_by) == (PageStatus.ACKNOWLEDGED, crew["oncall"])
    assert client.post(f"/oncall/pages/{page.pk}/ack").status_code == 409


def test_outsiders_cannot_acknowledge(crew, standard, im, outsider) -> None:
    make_incident(actor=im, severity="SEV1")
    client = Client()
    client.force_login(outsider)
    assert client.post(f"/oncall/pages/{Page.objects.get().pk}/ack").status_code == 404


def test_repeat_runs_the_steps_again_up_to_k_times(crew, im) -> None:
    _policy(
        crew,
        (StepKind.NOTIFY_PERSON, {"person": crew["oncall"]}),
        (StepKind.WAIT, {"minutes": 3}),
        (StepKind.REPEAT, {"times": 2}),
    )
    with time_machine.travel("2026-01-06 10:00:00Z", tick=False):
        make_incident(actor=im, severity="SEV1")
    for minute in (3, 6, 9, 12):
        with time_machine.travel(f"2026-01-06 10:{minute:02d}:00Z", tick=False):
            escalation.sweep()
    assert _told(crew["oncall"]) == 3  # the first round and two repeats
    assert Page.objects.get().status == PageStatus.EXHAUSTED


def test_lower_severities_do_not_page(crew, standard, im) -> None:
    make_incident(actor=im, severity="SEV3")
    assert not Page.objects.exists()


def test_a_team_with_nobody_on_call_pages_its_leads(crew, im) -> None:
    night = make_team("night", kind=TeamKind.INCIDENT_MANAGEMENT)
    Membership.objects.create(team=night, user=crew["boss"], is_lead=True)
    _policy(crew, (StepKind.NOTIFY_ONCALL, {"team": night}))
    make_incident(actor=im, severity="SEV1")
    assert _told(crew["boss"]) == 1
