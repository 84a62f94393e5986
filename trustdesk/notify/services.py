"""Sending and reading notifications. ``notify`` is what other apps call."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User

from .models import Notification


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    event_key: str,
    subject: str,
    body: str = "",
    link: str = "",
) -> list[User]:
    """Record ``event_key`` for each recipient who has not had it yet; returns those newly
    notified. Runs in the caller's transaction, so the notification commits with the event
    or not at all. Inactive users and repeated recipients are skipped."""
    wanted = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not wanted:
        return []
    already = set(
        Notification.objects.filter(event_key=event_key, recipient_id__in=wanted).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [user for pk, user in wanted.items() if pk not in already]
    # A concurrent sender may insert between the read and the write; the unique constraint
    # keeps that to one row, and ignore_conflicts keeps it from failing this transaction.
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                event_key=event_key,
                subject=subject[:200],
                body=body,
                link=link[:500],
            )
            for user in fresh
        ],
        ignore_conflicts=True,
    )
    return fresh


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    rows = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    return Notification.objects.for_user(user).unread().count()
