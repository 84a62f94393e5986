"""Shift handoffs: a summary to the incoming on-call, acknowledged, or escalated to leads."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from trustdesk.accounts.models import Membership, Role, TeamKind
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.notify.models import Notification
from trustdesk.oncall import handoffs
from trustdesk.oncall.models import Handoff

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(im, im2):
    boss = UserFactory(username="bea.boss", role=Role.LEAD)
    team = make_team("emea-im", im, im2, kind=TeamKind.INCIDENT_MANAGEMENT)
    Membership.objects.create(team=team, user=boss, is_lead=True)
    # Daily handoff at 09:00 Dublin (09:00Z in January): im on the 5th, im2 on the 6th.
    make_rotation(team, im, im2, tz="Europe/Dublin", starts_on=date(2026, 1, 5), shift_days=1)
    return boss


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_incoming_on_call_gets_a_summary_once(crew, im, im2) -> None:
    with time_machine.travel("2026-01-06 08:00:00Z", tick=False):
        make_incident(actor=im, title="Dangerous challenge", severity="SEV2")
        assert handoffs.sweep()["handoffs"] == 0  # mid-shift: nobody new came on
    with time_machine.travel("2026-01-06 09:01:00Z", tick=False):
        assert handoffs.sweep()["handoffs"] == 1
        assert handoffs.sweep()["handoffs"] == 0
    handoff = Handoff.objects.get()
    assert (handoff.incoming, handoff.outgoing) == (im2, im)
    assert "Dangerous challenge" in handoff.summary
    note = Notification.objects.get(recipient=im2, event_key=f"handoff.{handoff.pk}")
    assert note.link == f"/oncall/handoffs/{handoff.pk}"


def test_an_unacknowledged_handoff_escalates_to_the_leads(crew, im2) -> None:
    with time_machine.travel("2026-01-06 09:01:00Z", tick=False):
        handoffs.sweep()
    with time_machine.travel("2026-01-06 09:29:00Z", tick=False):
        assert handoffs.sweep()["handoffs_escalated"] == 0
    with time_machine.travel("2026-01-06 09:30:00Z", tick=False):
        assert handoffs.sweep()["handoffs_escalated"] == 1
        assert handoffs.sweep()["handoffs_escalated"] == 0
    assert (
        Notification.objects.filter(recipient=crew, event_key__endswith="unacknowledged").count()
        == 1
    )


def test_acknowledging_stops_the_escalation(crew, im, im2, outsider) -> None:
    with time_machine.travel("2026-01-06 09:01:00Z", tick=False):
        handoffs.sweep()
    handoff = Handoff.objects.get()
    assert _client(outsider).get(f"/oncall/handoffs/{handoff.pk}").status_code == 404
    assert _client(im).post(f"/oncall/handoffs/{handoff.pk}").status_code == 404
    assert _client(crew).post(f"/oncall/handoffs/{handoff.pk}").status_code == 409
    assert _client(im2).post(f"/oncall/handoffs/{handoff.pk}").status_code == 302
    with time_machine.travel("2026-01-06 10:00:00Z", tick=False):
        assert handoffs.sweep()["handoffs_escalated"] == 0
    assert not Notification.objects.filter(event_key__endswith="unacknowledged").exists()
    assert "Acknowledged" in _client(im2).get(f"/oncall/handoffs/{handoff.pk}").content.decode()
