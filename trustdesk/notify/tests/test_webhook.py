"""Webhooks to a real local HTTP server: Slack-compatible and signed generic JSON."""

from __future__ import annotations

import pytest

from trustdesk.notify.models import Delivery, DeliveryStatus, Destination, TransportKind
from trustdesk.notify.outbox import deliver_pending
from trustdesk.notify.services import notify
from trustdesk.notify.transports import sign

pytestmark = pytest.mark.django_db


def _send(user, key="incident.3.created"):
    user.email = ""  # webhooks only
    user.save()
    notify(
        recipients=[user],
        event_key=key,
        subject="SEV1 opened",
        body="Election ads",
        link="/incidents/3/",
        thread_key="incident-3",
    )


def test_the_generic_webhook_is_signed_with_hmac(http_server, im) -> None:
    url, hook = http_server
    Destination.objects.create(
        user=im, kind=TransportKind.WEBHOOK, address=f"{url}/in", secret="s3cret"
    )
    _send(im)
    assert deliver_pending()["sent"] == 1
    [request] = hook.requests
    headers = request["headers"]
    expected = sign("s3cret", headers["X-Trustdesk-Timestamp"], request["raw"])
    assert headers["X-Trustdesk-Signature"] == expected
    assert sign("wrong", headers["X-Trustdesk-Timestamp"], request["raw"]) != expected
    assert request["json"]["event"] == "incident.3.created"
    assert request["json"]["thread"] == "incident-3"
    assert headers["X-Trustdesk-Delivery"] == str(Delivery.objects.get().pk)


def test_the_chat_webhook_gets_a_slack_body(http_server, im, settings) -> None:
    settings.NOTIFY_BASE_URL = "https://desk.example"
    url, hook = http_server
    Destination.objects.create(user=im, kind=TransportKind.SLACK, address=f"{url}/slack")
    _send(im)
    deliver_pending()
    [request] = hook.requests
    assert request["json"] == {
        "text": "*SEV1 opened*\nElection ads\n<https://desk.example/incidents/3/|Open in trustdesk>"
    }


def test_a_404_disables_the_webhook(http_server, im) -> None:
    url, hook = http_server
    hook.status = 404
    Destination.objects.create(user=im, kind=TransportKind.WEBHOOK, address=f"{url}/x")
    _send(im)
    deliver_pending()
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    destination = Destination.objects.get(user=im)
    assert not destination.enabled
    assert destination.disabled_reason.startswith("HTTP 404")


def test_a_500_is_retried_with_backoff_and_then_succeeds(http_server, im, settings) -> None:
    import time_machine

    url, hook = http_server
    hook.status = 503
    Destination.objects.create(user=im, kind=TransportKind.WEBHOOK, address=f"{url}/x")
    with time_machine.travel("2026-11-25 10:00:00Z", tick=False):
        _send(im)
        deliver_pending()
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert deliver_pending()["sent"] == 0  # not due yet
    hook.status = 200
    with time_machine.travel("2026-11-25 10:00:31Z", tick=False):
        assert deliver_pending()["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [a.ok for a in delivery.log.all()] == [False, True]
    assert len(hook.requests) == 2
