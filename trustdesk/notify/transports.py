"""One small class per outbound channel (the healthchecks pattern, STYLE.md).

``notify(delivery)`` sends or raises ``TransportError``; ``permanent=True`` means trying
again cannot help (a refused address, a 404 webhook), so the destination is disabled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Delivery

WEBHOOK_TIMEOUT_SECONDS = 10


class TransportError(Exception):
    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport:
    def notify(self, delivery: Delivery) -> None:
        raise NotImplementedError


def _domain() -> str:
    return getattr(settings, "NOTIFY_MESSAGE_ID_DOMAIN", "trustdesk.local")


def message_id(delivery: Delivery) -> str:
    """Stable per delivery: a retried mail has the same id, so receivers can drop repeats."""
    return f"<delivery-{delivery.pk}@{_domain()}>"


def thread_root_id(thread_key: str) -> str:
    return f"<thread-{thread_key}@{_domain()}>"


def absolute_link(link: str) -> str:
    base = getattr(settings, "NOTIFY_BASE_URL", "").rstrip("/")
    return f"{base}{link}" if link.startswith("/") else link


@dataclass
class EmailExtras:
    """What an app above notify adds to one of its emails: an HTML part in place of the
    standard one, and attachments as (filename, content, MIME type)."""

    html: str = ""
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


# Apps above notify extend their own emails by event-key prefix (a hook list, not signals:
# notify knows nothing of them). Builders run at send time for the delivery's recipient.
EMAIL_EXTRAS: dict[str, Callable[[Delivery], EmailExtras]] = {}


def register_email_extras(prefix: str, builder: Callable[[Delivery], EmailExtras]) -> None:
    EMAIL_EXTRAS[prefix] = builder


def email_extras(delivery: Delivery) -> EmailExtras:
    for prefix, builder in EMAIL_EXTRAS.items():
        if delivery.event_key.startswith(prefix):
            return builder(delivery)
    return EmailExtras()


class EmailTransport(Transport):
    """HTML + text, threaded: every mail about one incident references the same root id."""

    def notify(self, delivery: Delivery) -> None:
        address = delivery.destination.address if delivery.destination else ""
        if not address:
            raise TransportError("no email address", permanent=True)
        context = {"delivery": delivery, "url": absolute_link(delivery.link)}
        headers = {"Message-ID": message_id(delivery)}
        if delivery.thread_key:
            root = thread_root_id(delivery.thread_key)
            headers.update({"In-Reply-To": root, "References": root})
        mail = EmailMultiAlternatives(
            subject=delivery.subject,
            body=render_to_string("notify/email.txt", context),
            to=[address],
            headers=headers,
            connection=get_connection(fail_silently=False),
        )
        extras = email_extras(delivery)
        html = extras.html or render_to_string("notify/email.html", context)
        mail.attach_alternative(html, "text/html")
        for name, content, mimetype in extras.attachments:
            mail.attach(name, content, mimetype)
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            raise TransportError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP: {exc}") from exc


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``timestamp.body``; the timestamp stops replays of old bodies."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _post(url: str, body: bytes, headers: dict[str, str]) -> None:
    if not url.startswith(("https://", "http://")):
        raise TransportError(f"not an http(s) URL: {url}", permanent=True)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read(1024)
    except urllib.error.HTTPError as exc:
        # 4xx other than timeout / rate limit: the endpoint will not take it, ever.
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise TransportError(f"HTTP {exc.code} from {url}", permanent=permanent) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise TransportError(f"cannot reach {url}: {exc}") from exc


class WebhookTransport(Transport):
    """Generic JSON, signed with HMAC-SHA256 when the destination has a secret."""

    def payload(self, delivery: Delivery) -> dict[str, object]:
        return {
            "id": delivery.pk,
            "event": delivery.event_key,
            "subject": delivery.subject,
            "body": delivery.body,
            "link": absolute_link(delivery.link),
            "thread": delivery.thread_key,
        }

    def notify(self, delivery: Delivery) -> None:
        assert delivery.destination is not None
        body = json.dumps(self.payload(delivery), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "trustdesk",
            "X-Trustdesk-Delivery": str(delivery.pk),
            "X-Trustdesk-Timestamp": timestamp,
        }
        if delivery.destination.secret:
            headers["X-Trustdesk-Signature"] = sign(delivery.destination.secret, timestamp, body)
        _post(delivery.destination.address, body, headers)


class SlackTransport(WebhookTransport):
    """Slack-compatible incoming-webhook body (also taken by Mattermost, Rocket.Chat)."""

    def payload(self, delivery: Delivery) -> dict[str, object]:
        link = absolute_link(delivery.link)
        text = f"*{delivery.subject}*"
        if delivery.body:
            text += f"\n{delivery.body}"
        if link:
            text += f"\n<{link}|Open in trustdesk>"
        return {"text": text}


TRANSPORTS: dict[str, str] = {
    "email": "trustdesk.notify.transports.EmailTransport",
    "slack": "trustdesk.notify.transports.SlackTransport",
    "webhook": "trustdesk.notify.transports.WebhookTransport",
}


def get_transport(kind: str) -> Transport:
    """The lazy registry: a transport's module is imported when first used."""
    cls: type[Transport] = import_string(TRANSPORTS[kind])
    return cls()
