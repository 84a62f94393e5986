"""Token-authenticated calendar feeds: a per-person secret in the URL, for calendar apps
that cannot log in. Rotating the token breaks the old URLs; revoking removes it."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Q

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit

from .models import CalendarToken, Rotation


def may_have_feeds(user: User) -> bool:
    """Responders and auditors see every rotation; anyone on a rotation sees their own."""
    if not user.is_active:
        return False
    if user.is_responder or user.role == "auditor":
        return True
    return Rotation.objects.filter(
        Q(members__user=user) | Q(layers__members__user=user) | Q(overrides__user=user)
    ).exists()


def may_read_rotation(user: User) -> bool:
    return user.is_active and (user.is_responder or user.role == "auditor")


def owner_of(token: str) -> User | None:
    """The active user whose current token this is, or None (wrong, rotated, revoked)."""
    row = CalendarToken.objects.select_related("user").filter(token=token).first()
    if row is None:
        return None
    return row.user if may_have_feeds(row.user) else None


@transaction.atomic
def rotate(*, user: User) -> CalendarToken:
    """Issue a new token for ``user``, replacing any old one."""
    row, created = CalendarToken.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    audit.record(
        actor=user,
        action="oncall.calendar_token.create" if created else "oncall.calendar_token.rotate",
        obj=row,
    )
    return row


@transaction.atomic
def revoke(*, user: User) -> bool:
    """Delete the user's token; False when there was none."""
    deleted, _ = CalendarToken.objects.filter(user=user).delete()
    if deleted:
        audit.record(
            actor=user,
            action="oncall.calendar_token.revoke",
            object_type="oncall.calendartoken",
            object_id=user.pk,
        )
    return bool(deleted)
