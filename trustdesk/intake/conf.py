"""Intake settings. Each reads a Django setting if one is defined (tests override them) and
otherwise the environment, through the strict readers in ``trustdesk.lib.env``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from trustdesk.lib.env import ImproperSetting, env_int, env_list

MAX_BATCH = 1000
MAX_ITEMS_PER_REPORT = 50
MAX_ATTACHMENTS_PER_REPORT = 20
WEBHOOK_TOLERANCE = timedelta(minutes=5)

# Only these types are stored as evidence; anything else is refused at the door, so an
# executable never sits in the evidence store waiting for someone to open it.
ALLOWED_ATTACHMENT_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "message/rfc822",
    }
)


def _setting_or_env(name: str, env_name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else env_int(env_name, default)


def group_window() -> timedelta:
    """How long after a group's last report a new report may still join it."""
    hours = _setting_or_env("INTAKE_GROUP_WINDOW_HOURS", "TRUSTDESK_INTAKE_GROUP_WINDOW_HOURS", 48)
    return timedelta(hours=hours)


def max_attachment_bytes() -> int:
    return _setting_or_env(
        "INTAKE_MAX_ATTACHMENT_BYTES", "TRUSTDESK_INTAKE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024
    )


def max_message_bytes() -> int:
    return _setting_or_env(
        "INTAKE_MAX_MESSAGE_BYTES", "TRUSTDESK_INTAKE_MAX_MESSAGE_BYTES", 40 * 1024 * 1024
    )


def webhook_secrets() -> dict[str, list[str]]:
    """Source name -> accepted secrets, from ``TRUSTDESK_WEBHOOK_SECRETS``
    (``name=secret,name=secret``; a name may appear twice while a secret is rotated).
    ``TRUSTDESK_WEBHOOK_SECRETS_FILE`` reads the same from a file."""
    configured = getattr(settings, "INTAKE_WEBHOOK_SECRETS", None)
    pairs = list(configured) if configured is not None else env_list("TRUSTDESK_WEBHOOK_SECRETS")
    secrets: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, secret = pair.partition("=")
        if not sep or not name.strip() or len(secret.strip()) < 16:
            raise ImproperSetting(
                "TRUSTDESK_WEBHOOK_SECRETS: each entry is name=secret with a secret of at "
                "least 16 characters"
            )
        secrets.setdefault(name.strip(), []).append(secret.strip())
    return secrets
