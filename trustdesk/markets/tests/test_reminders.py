"""Reminders before risk events reach the region's leads, each exactly once."""

from datetime import UTC, date, datetime

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.markets import reminders
from trustdesk.markets.tasks import send_risk_reminders
from trustdesk.notify.models import Notification

from .factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def ams_lead(db):
    return UserFactory(username="mara.lead", role=Role.LEAD, region="AMS")


@pytest.fixture
def emea_lead(db):
    return UserFactory(username="sean.lead", role=Role.LEAD, region="EMEA")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_reminder_is_sent_exactly_once(ams_lead, emea_lead):
    event = make_event(starts_on=date(2026, 10, 4), remind_days_before=[14, 3])
    # 20 Sep 2026 in São Paulo is 14 days before the vote.
    assert reminders.send_due(at("2026-09-20T12:00:00")) == 1
    assert reminders.send_due(at("2026-09-20T13:00:00")) == 0
    assert reminders.send_due(at("2026-09-22T13:00:00")) == 0
    (note,) = Notification.objects.all()
    assert note.recipient == ams_lead
    assert note.event_key == f"risk-event:{event.pk}:14"
    assert note.subject == "In 14 days: General election (Brazil)"
    assert "?market=BR&month=2026-10" in note.link


def test_each_reminder_day_fires_once(ams_lead):
    event = make_event(starts_on=date(2026, 10, 4), remind_days_before=[14, 3])
    for day in range(15, 35):
        reminders.send_due(
            at(f"2026-09-{day:02d}T12:00:00")
            if day <= 30
            else at(f"2026-10-{day - 30:02d}T12:00:00")
        )
    keys = sorted(Notification.objects.values_list("event_key", flat=True))
    assert keys == [f"risk-event:{event.pk}:14", f"risk-event:{event.pk}:3"]


def test_days_count_in_the_markets_zone(ams_lead):
    make_event(starts_on=date(2026, 10, 4), remind_days_before=[3])
    # 01:00 UTC on 1 Oct is still 30 Sep in Brazil (UTC-3): 4 days to go.
    assert reminders.send_due(at("2026-10-01T01:00:00")) == 0
    assert reminders.send_due(at("2026-10-01T03:30:00")) == 1


def test_an_event_entered_late_sends_only_the_nearest_reminder(ams_lead):
    event = make_event(starts_on=date(2026, 10, 4), remind_days_before=[30, 14, 3])
    assert reminders.send_due(at("2026-09-25T12:00:00")) == 1
    (note,) = Notification.objects.all()
    assert note.event_key == f"risk-event:{event.pk}:14"


def test_past_events_remind_nobody(ams_lead):
    make_event(starts_on=date(2026, 10, 4), remind_days_before=[14])
    assert reminders.send_due(at("2026-10-05T12:00:00")) == 0


def test_without_a_lead_in_the_region_every_lead_is_told(emea_lead):
    make_event(starts_on=date(2026, 10, 4), remind_days_before=[3])
    reminders.send_due(at("2026-10-01T12:00:00"))
    assert Notification.objects.get().recipient == emea_lead


def test_the_task_sends_what_is_due(ams_lead, time_machine):
    make_event(starts_on=date(2026, 10, 4), remind_days_before=[3])
    time_machine.move_to(at("2026-10-01T12:00:00"), tick=False)
    assert send_risk_reminders.call() == {"notified": 1}
