"""The bell, my channels, and the delivery log."""

from __future__ import annotations

import pytest
from django.test import Client

from trustdesk.notify.models import Delivery, Destination, TransportKind
from trustdesk.notify.services import notify

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_bell_shows_my_unread_count(im, lead) -> None:
    notify(recipients=[im], event_key="e.1", subject="s")
    html = _client(im).get("/notifications/bell").content.decode()
    assert 'aria-label="1 unread"' in html and 'hx-trigger="every 30s"' in html
    assert (
        "unread"
        not in _client(lead).get("/notifications/bell").content.decode().split("hx-swap")[1]
    )


def test_the_header_polls_the_bell(im) -> None:
    assert 'hx-get="/notifications/bell"' in _client(im).get("/notifications/").content.decode()


def test_a_disabled_channel_is_shown_with_its_reason(im) -> None:
    Destination.objects.create(
        user=im,
        kind=TransportKind.SLACK,
        address="https://hooks/x",
        enabled=False,
        disabled_reason="HTTP 404 from https://hooks/x",
    )
    html = _client(im).get("/notifications/channels").content.decode()
    assert "Disabled" in html and "HTTP 404 from https://hooks/x" in html


def test_saving_a_channel_re_enables_it(im) -> None:
    Destination.objects.create(
        user=im, kind=TransportKind.SLACK, address="https://a/", enabled=False, disabled_reason="x"
    )
    response = _client(im).post(
        "/notifications/channels", {"kind": "slack", "address": "https://b/"}
    )
    assert response.status_code == 302
    d = Destination.objects.get(user=im, kind=TransportKind.SLACK)
    assert (d.enabled, d.address, d.disabled_reason) == (True, "https://b/", "")


def test_a_bad_webhook_address_is_refused_with_the_field(im) -> None:
    response = _client(im).post(
        "/notifications/channels", {"kind": "webhook", "address": "ftp://x"}
    )
    assert response.status_code == 422
    assert not Destination.objects.filter(kind="webhook").exists()


def test_leads_see_the_delivery_log_and_others_do_not(im, lead) -> None:
    im.email = "ivan@example.org"
    im.save()
    notify(
        recipients=[im], event_key="incident.5.created", subject="Opened", thread_key="incident-5"
    )
    assert Delivery.objects.count() == 1
    html = _client(lead).get("/notifications/deliveries?thread=incident-5").content.decode()
    assert "incident.5.created" in html
    assert _client(im).get("/notifications/deliveries?thread=incident-5").status_code == 404
    assert Client().get("/notifications/channels").status_code == 302
