"""Quiet hours in the person's own zone: copies wait, urgent ones and in-app do not."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.test import Client

from trustdesk.notify.models import Delivery, Notification, Preference
from trustdesk.notify.quiet import quiet_ends_at
from trustdesk.notify.services import notify

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_overnight_quiet_hours_end_next_morning_local() -> None:
    kwargs = {"tz": "America/Sao_Paulo", "quiet_from": time(22), "quiet_until": time(7)}
    # 23:30 in São Paulo (UTC-3) -> 07:00 local next day = 10:00Z.
    assert quiet_ends_at(utc(2026, 1, 7, 2, 30), **kwargs) == utc(2026, 1, 7, 10)
    # 06:00 local, the same night -> 07:00 local the same day.
    assert quiet_ends_at(utc(2026, 1, 7, 9), **kwargs) == utc(2026, 1, 7, 10)
    assert quiet_ends_at(utc(2026, 1, 7, 10), **kwargs) is None
    assert quiet_ends_at(utc(2026, 1, 7, 2), tz="UTC", quiet_from=None, quiet_until=None) is None


def test_quiet_hours_follow_daylight_saving() -> None:
    kwargs = {"tz": "Europe/Dublin", "quiet_from": time(22), "quiet_until": time(7)}
    assert quiet_ends_at(utc(2026, 1, 7, 23), **kwargs) == utc(2026, 1, 8, 7)  # GMT
    assert quiet_ends_at(utc(2026, 7, 7, 23), **kwargs) == utc(2026, 7, 8, 6)  # IST


@pytest.fixture
def sleeper(im):
    im.tz, im.email = "Asia/Singapore", "ivan@example.org"
    im.save()
    Preference.objects.create(user=im, quiet_from=time(22), quiet_until=time(7))
    return im


@time_machine.travel("2026-01-06 16:00:00Z", tick=False)  # 00:00 in Singapore
def test_a_routine_copy_waits_but_in_app_arrives(sleeper) -> None:
    notify(recipients=[sleeper], event_key="e.1", subject="s")
    assert Notification.objects.filter(recipient=sleeper).exists()
    assert Delivery.objects.get().next_attempt_at == utc(2026, 1, 6, 23)  # 07:00 SGT


@time_machine.travel("2026-01-06 16:00:00Z", tick=False)
def test_an_urgent_copy_goes_now(sleeper) -> None:
    notify(recipients=[sleeper], event_key="e.1", subject="SEV1", urgent=True)
    assert Delivery.objects.get().next_attempt_at == utc(2026, 1, 6, 16)


def test_setting_quiet_hours_needs_both_times(im) -> None:
    client = Client()
    client.force_login(im)
    assert client.post("/notifications/quiet-hours", {"quiet_from": "22:00"}).status_code == 422
    response = client.post(
        "/notifications/quiet-hours", {"quiet_from": "22:00", "quiet_until": "07:00"}
    )
    assert response.status_code == 302
    assert Preference.objects.get(user=im).quiet_until == time(7)
    assert 'value="22:00:00"' in client.get("/notifications/channels").content.decode()
