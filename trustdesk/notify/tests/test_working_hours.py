"""Working hours in the person's own zone: routine copies wait for the next working start;
SEV1 and short clocks (urgent) do not; quiet hours still apply inside working hours."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.test import Client

from trustdesk.notify.models import Delivery, Notification, Preference
from trustdesk.notify.quiet import next_working_start
from trustdesk.notify.services import notify

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


NINE_TO_FIVE = {"tz": "Europe/Dublin", "work_from": time(9), "work_until": time(17)}


def test_it_waits_from_friday_evening_to_monday_morning() -> None:
    # Friday 20 March 2026 18:00 GMT -> Monday 23 March 09:00 GMT.
    assert next_working_start(utc(2026, 3, 20, 18), **NINE_TO_FIVE) == utc(2026, 3, 23, 9)
    assert next_working_start(utc(2026, 3, 23, 10), **NINE_TO_FIVE) is None


def test_it_keeps_the_local_start_across_the_spring_change() -> None:
    # Friday 27 March 18:00 GMT; clocks go forward Sunday; Monday 09:00 IST = 08:00Z.
    assert next_working_start(utc(2026, 3, 27, 18), **NINE_TO_FIVE) == utc(2026, 3, 30, 8)


def test_it_honours_chosen_weekdays() -> None:
    sunday_only = {**NINE_TO_FIVE, "work_days": [7]}
    assert next_working_start(utc(2026, 3, 23, 10), **sunday_only) == utc(2026, 3, 29, 8)


@pytest.fixture
def worker(im):
    im.tz, im.email = "Europe/Dublin", "ivan@example.org"
    im.save()
    Preference.objects.create(
        user=im, work_from=time(9), work_until=time(17), quiet_from=time(12), quiet_until=time(13)
    )
    return im


@time_machine.travel("2026-03-20 18:00:00Z", tick=False)  # Friday evening in Dublin
def test_it_holds_a_routine_copy_until_the_next_working_start(worker) -> None:
    notify(recipients=[worker], event_key="e.1", subject="s")
    assert Notification.objects.filter(recipient=worker).exists()  # in-app at once
    assert Delivery.objects.get().next_attempt_at == utc(2026, 3, 23, 9)


@time_machine.travel("2026-03-20 18:00:00Z", tick=False)
def test_it_sends_an_urgent_copy_outside_working_hours_at_once(worker) -> None:
    notify(recipients=[worker], event_key="e.1", subject="SEV1", urgent=True)
    assert Delivery.objects.get().next_attempt_at == utc(2026, 3, 20, 18)


@time_machine.travel("2026-03-23 12:15:00Z", tick=False)  # lunchtime quiet hours
def test_it_applies_quiet_hours_inside_working_hours(worker) -> None:
    notify(recipients=[worker], event_key="e.1", subject="s")
    assert Delivery.objects.get().next_attempt_at == utc(2026, 3, 23, 13)


def test_it_saves_working_hours_and_names_the_bad_field(im) -> None:
    client = Client()
    client.force_login(im)
    bad = client.post("/notifications/working-hours", {"work_from": "17:00", "work_until": "09:00"})
    assert bad.status_code == 422
    assert "end after they start" in bad.content.decode()
    ok = client.post(
        "/notifications/working-hours",
        {"work_from": "08:30", "work_until": "16:30", "work_days": ["1", "2", "3"]},
    )
    assert ok.status_code == 302
    pref = Preference.objects.get(user=im)
    assert (pref.work_from, pref.work_until, pref.work_days) == (
        time(8, 30),
        time(16, 30),
        [1, 2, 3],
    )


def test_it_refuses_anonymous_visitors() -> None:
    response = Client().post("/notifications/working-hours", {})
    assert response.status_code == 302
    assert response["Location"].startswith("/login")
