"""Helpers the quality services share."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps

from trustdesk.accounts.models import Role, User
from trustdesk.lib.errors import InvalidInput


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    """Strip, and refuse what the database would choke on: NUL bytes, over-long values."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput({field: "This field is required."})
    if "\x00" in value:
        raise InvalidInput({field: "Contains a NUL character."})
    if len(value) > max_length:
        raise InvalidInput({field: f"At most {max_length:,} characters."})
    return value


def tell(
    recipients: Iterable[User], *, event_key: str, subject: str, body: str, link: str
) -> list[User]:
    """An in-app notification in the caller's transaction, when the notify app is there.
    Returns who was newly told (a repeated ``event_key`` tells nobody twice)."""
    if not apps.is_installed("trustdesk.notify"):
        return []
    from trustdesk.notify.services import notify

    return notify(recipients=recipients, event_key=event_key, subject=subject, body=body, link=link)


def admins() -> list[User]:
    return list(User.objects.filter(role=Role.ADMIN, is_active=True))
