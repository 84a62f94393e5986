"""The outbox: written with the event, at most once per (event, recipient, transport),
claimed atomically, reclaimed after a worker dies, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from trustdesk.notify import outbox
from trustdesk.notify.models import Delivery, DeliveryStatus, Destination, TransportKind
from trustdesk.notify.services import notify
from trustdesk.notify.transports import Transport, TransportError

pytestmark = pytest.mark.django_db


class Recorder(Transport):
    sent: list[int] = []
    on_send = None

    def notify(self, delivery):
        if Recorder.on_send is not None:
            Recorder.on_send(delivery)
        Recorder.sent.append(delivery.pk)


@pytest.fixture
def recorder(monkeypatch):
    Recorder.sent = []
    Recorder.on_send = None
    monkeypatch.setattr(outbox, "get_transport", lambda kind: Recorder())
    return Recorder


def _people(*users):
    for n, user in enumerate(users):
        user.email = f"u{n}@example.org"
        user.save()
        Destination.objects.create(user=user, kind=TransportKind.SLACK, address="http://x/")


def _send(users, key="e.1"):
    return notify(recipients=users, event_key=key, subject="s")


def test_each_event_recipient_and_transport_is_queued_once(im, lead) -> None:
    _people(im, lead)
    _send([im, lead, im])
    _send([im, lead])
    assert Delivery.objects.count() == 4  # 2 people x (email, slack)
    assert set(Delivery.objects.values_list("transport", flat=True)) == {"email", "slack"}


def test_deliveries_roll_back_with_the_event(im) -> None:
    _people(im)
    with pytest.raises(RuntimeError), transaction.atomic():
        _send([im])
        raise RuntimeError
    assert not Delivery.objects.exists()


def test_people_without_email_or_channels_get_only_in_app(im, settings) -> None:
    im.email = ""
    im.save()
    _send([im])
    assert not Delivery.objects.exists()
    settings.NOTIFY_EMAIL_BY_DEFAULT = False
    im.email = "a@b.c"
    im.save()
    _send([im], key="e.2")
    assert not Delivery.objects.exists()


def test_backoff_doubles_and_is_capped() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert outbox.backoff(30) == outbox.MAX_DELAY


def test_a_worker_killed_mid_delivery_is_taken_over_exactly_once(im, lead, recorder) -> None:
    _people(im, lead)
    # Queued just before the times below (queued at the real time, the rows would not yet
    # be due at them once the calendar passed 30 November).
    with time_machine.travel("2026-11-30 09:59:00Z", tick=False):
        _send([im, lead])

    def die(delivery):
        raise KeyboardInterrupt  # the process is killed while sending its first row

    recorder.on_send = die
    with (
        time_machine.travel("2026-11-30 10:00:00Z", tick=False),
        pytest.raises(KeyboardInterrupt),
    ):
        outbox.deliver_pending(worker="doomed")
    stuck = Delivery.objects.get(status=DeliveryStatus.SENDING)
    recorder.on_send = None
    with time_machine.travel("2026-11-30 10:01:00Z", tick=False):
        outbox.deliver_pending(worker="second")  # the lease still holds: leave it
    assert Delivery.objects.get(pk=stuck.pk).status == DeliveryStatus.SENDING
    with time_machine.travel("2026-11-30 10:06:00Z", tick=False):
        outbox.deliver_pending(worker="restarted")
        assert outbox.deliver_pending(worker="again") == {"sent": 0, "failed": 0, "skipped": 0}
    assert sorted(recorder.sent) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_two_workers_racing_never_send_twice(im, lead, recorder) -> None:
    _people(im, lead)
    _send([im, lead])
    _send([im, lead], key="e.2")
    second_worker_ran: list[dict[str, int]] = []
    started = []

    def interleave(delivery):
        # While worker A is sending its first row, worker B runs a full pass over the same
        # candidates A already listed.
        if not started:
            started.append(True)
            second_worker_ran.append(outbox.deliver_pending(worker="B"))

    recorder.on_send = interleave
    first = outbox.deliver_pending(worker="A")
    assert second_worker_ran == [{"sent": 7, "failed": 0, "skipped": 0}]  # A holds row 1
    assert first == {"sent": 1, "failed": 0, "skipped": 7}
    assert len(recorder.sent) == len(set(recorder.sent)) == 8


def test_a_stale_worker_cannot_overwrite_a_reclaimed_row(im, recorder) -> None:
    _people(im)
    _send([im])
    delivery = Delivery.objects.filter(transport="slack").get()
    now = delivery.created_at
    assert outbox.claim(delivery.pk, now=now, token="old")
    assert not outbox.claim(delivery.pk, now=now, token="other")
    later = now + outbox.LEASE + timedelta(seconds=1)
    assert outbox.claim(delivery.pk, now=later, token="new")
    assert not outbox._finish(delivery, "old", status=DeliveryStatus.FAILED)
    assert outbox._finish(delivery, "new", status=DeliveryStatus.SENT)
    assert not outbox.claim(delivery.pk, now=later + timedelta(days=1), token="x")


def test_too_many_failures_give_up_without_disabling(im, monkeypatch) -> None:
    class Flaky(Transport):
        def notify(self, delivery):
            raise TransportError("timeout")

    monkeypatch.setattr(outbox, "get_transport", lambda kind: Flaky())
    _people(im)
    _send([im])
    Delivery.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    outbox.deliver_pending()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert Destination.objects.filter(enabled=True).count() == 2
