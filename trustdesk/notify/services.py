"""Sending and reading notifications. ``notify`` is what other apps call."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit

from .models import Delivery, Destination, Notification, Preference, TransportKind
from .quiet import send_at


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    event_key: str,
    subject: str,
    body: str = "",
    link: str = "",
    thread_key: str = "",
    urgent: bool = False,
) -> list[User]:
    """Record ``event_key`` for each recipient who has not had it yet; returns those newly
    notified. Runs in the caller's transaction, so the notification commits with the event
    or not at all. Inactive users and repeated recipients are skipped.

    Besides the in-app row, one outbox ``Delivery`` per enabled destination of each
    recipient (email, chat webhook, signed webhook) is written in the same transaction; the
    ``deliver_pending`` worker sends them. ``thread_key`` (e.g. ``incident-12``) threads
    the mails about one subject together. Copies to a person in their quiet hours wait
    until the hours end, unless ``urgent`` (a SEV1, a clock with under two hours left)."""
    wanted = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not wanted:
        return []
    _enqueue_deliveries(
        list(wanted.values()),
        event_key=event_key,
        subject=subject[:200],
        body=body,
        link=link[:500],
        thread_key=thread_key[:100],
        urgent=urgent,
    )
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


def _default_email_destinations(users: list[User]) -> None:
    """Email is on by default for anyone with an address: the row makes that preference
    visible and gives a permanent failure something to disable."""
    if not getattr(settings, "NOTIFY_EMAIL_BY_DEFAULT", True):
        return
    have = set(
        Destination.objects.filter(user__in=users, kind=TransportKind.EMAIL).values_list(
            "user_id", flat=True
        )
    )
    Destination.objects.bulk_create(
        [
            Destination(user=user, kind=TransportKind.EMAIL, address=user.email)
            for user in users
            if user.email and user.pk not in have
        ],
        ignore_conflicts=True,
    )


def _send_after(users: list[User], *, urgent: bool) -> dict[int, datetime]:
    """Per person: when a copy may go out, for those in quiet hours or outside their
    working hours now."""
    if urgent:
        return {}
    now = timezone.now()
    by_id = {u.pk: u for u in users}
    later = {}
    for pref in Preference.objects.filter(user__in=users):
        end = send_at(now, tz=by_id[pref.user_id].tz, pref=pref)
        if end is not None:
            later[pref.user_id] = end
    return later


def _enqueue_deliveries(users: list[User], *, urgent: bool, **message: str) -> None:
    _default_email_destinations(users)
    destinations = Destination.objects.filter(user__in=users, enabled=True)
    later = _send_after(users, urgent=urgent)
    now = timezone.now()
    # (event, recipient, transport) is unique: a repeated event adds nothing.
    Delivery.objects.bulk_create(
        [
            Delivery(
                recipient_id=d.user_id,
                transport=d.kind,
                destination=d,
                next_attempt_at=later.get(d.user_id, now),
                **message,
            )
            for d in destinations
        ],
        ignore_conflicts=True,
    )


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    rows = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    return Notification.objects.for_user(user).unread().count()


@transaction.atomic
def set_destination(*, user: User, kind: str, address: str, secret: str = "") -> Destination:
    """Add or replace one of the user's channels; saving again re-enables a disabled one."""
    destination, _ = Destination.objects.update_or_create(
        user=user,
        kind=kind,
        defaults={
            "address": address,
            "secret": secret,
            "enabled": True,
            "disabled_at": None,
            "disabled_reason": "",
        },
    )
    audit.record(
        actor=user,
        action="notify.destination.set",
        obj=destination,
        after={"kind": kind, "address": address},
    )
    return destination


@transaction.atomic
def set_quiet_hours(*, user: User, quiet_from: time | None, quiet_until: time | None) -> Preference:
    """Set (or clear, with two Nones) the user's quiet hours, in their own zone."""
    pref, _ = Preference.objects.update_or_create(
        user=user, defaults={"quiet_from": quiet_from, "quiet_until": quiet_until}
    )
    audit.record(
        actor=user,
        action="notify.preference.set",
        obj=pref,
        after={"quiet_from": str(quiet_from), "quiet_until": str(quiet_until)},
    )
    return pref


@transaction.atomic
def set_working_hours(
    *, user: User, work_from: time | None, work_until: time | None, work_days: list[int]
) -> Preference:
    """Set (or clear, with two Nones) the user's working hours, in their own zone."""
    pref, _ = Preference.objects.update_or_create(
        user=user,
        defaults={"work_from": work_from, "work_until": work_until, "work_days": work_days},
    )
    audit.record(
        actor=user,
        action="notify.preference.set",
        obj=pref,
        after={"work_from": str(work_from), "work_until": str(work_until), "work_days": work_days},
    )
    return pref
