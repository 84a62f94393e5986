"""Email through a real SMTP server: HTML + text, threaded per incident, refusals disable."""

from __future__ import annotations

import pytest

from trustdesk.audit.models import AuditEvent
from trustdesk.notify.models import Delivery, DeliveryStatus, Destination
from trustdesk.notify.outbox import deliver_pending
from trustdesk.notify.services import notify

pytestmark = pytest.mark.django_db


def _send(user, key, thread="incident-7"):
    notify(
        recipients=[user],
        event_key=key,
        subject=f"Update {key}",
        body="Line one\nLine <two>",
        link="/incidents/7/",
        thread_key=thread,
    )


def test_it_sends_html_and_text_to_the_smtp_server(smtp_server, im, settings) -> None:
    settings.NOTIFY_BASE_URL = "https://td.example"
    im.email = "ivan@example.org"
    im.save()
    _send(im, "incident.7.created")
    assert deliver_pending() == {"sent": 1, "failed": 0, "skipped": 0}
    [mail] = smtp_server.messages
    assert mail["To"] == "ivan@example.org"
    assert mail["Subject"] == "Update incident.7.created"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in mail.walk()
        if not part.is_multipart()
    }
    assert "Line <two>" in parts["text/plain"]
    assert "Line &lt;two&gt;" in parts["text/html"]
    assert "https://td.example/incidents/7/" in parts["text/html"]
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_mails_about_one_incident_share_a_thread(smtp_server, im) -> None:
    im.email = "ivan@example.org"
    im.save()
    _send(im, "incident.7.created")
    _send(im, "incident.7.sev1")
    _send(im, "incident.8.created", thread="incident-8")
    deliver_pending()
    by_subject = {m["Subject"]: m for m in smtp_server.messages}
    a, b = by_subject["Update incident.7.created"], by_subject["Update incident.7.sev1"]
    assert a["References"] == b["References"] == "<thread-incident-7@trustdesk.local>"
    assert a["In-Reply-To"] == a["References"]
    assert a["Message-ID"] != b["Message-ID"]
    assert by_subject["Update incident.8.created"]["References"] != a["References"]


def test_a_refused_address_disables_the_destination_visibly(smtp_server, im) -> None:
    im.email = "gone@example.org"
    im.save()
    smtp_server.refuse.add("gone@example.org")
    _send(im, "incident.7.created")
    assert deliver_pending()["failed"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "refused" in delivery.last_error
    destination = Destination.objects.get(user=im)
    assert not destination.enabled and "refused" in destination.disabled_reason
    assert AuditEvent.objects.filter(action="notify.destination.disable").count() == 1
    # A disabled channel gets no new outbox rows.
    _send(im, "incident.7.sev1")
    assert Delivery.objects.count() == 1


def test_an_unreachable_server_is_retried_later(settings, im) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard: nothing listens
    im.email = "ivan@example.org"
    im.save()
    _send(im, "incident.7.created")
    assert deliver_pending()["failed"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and delivery.next_attempt_at > delivery.created_at
    assert Destination.objects.get(user=im).enabled
    assert delivery.log.get().error.startswith("SMTP")
