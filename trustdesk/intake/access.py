"""Who may see the triage queue, act on it, and see evidence. Visibility itself is the
``visible_to`` queryset methods in models.py; these helpers turn it into 404 or 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trustdesk.accounts.models import Role, User

from .models import Attachment, DeadLetter, ReportGroup


def sees_queue(user: User) -> bool:
    """The triage queue is for responders and auditors; stakeholders never see raw intake."""
    return user.is_active and (
        user.sees_everything or user.role in (Role.INCIDENT_MANAGER, Role.AUDITOR)
    )


def require_queue(user: User) -> None:
    if not sees_queue(user):
        raise PermissionDenied("The triage queue is for incident managers and leads.")


def can_triage(user: User) -> bool:
    return user.is_responder


def get_group_for_user(user: User, pk: int | str) -> ReportGroup:
    """The group if the user may see it; otherwise 404, so existence does not leak."""
    try:
        return (
            ReportGroup.objects.visible_to(user)
            .select_related("category", "team", "incident", "decided_by")
            .get(pk=pk)
        )
    except (ReportGroup.DoesNotExist, ValueError):
        raise Http404("No such group") from None


def get_rw_group_for_user(user: User, pk: int | str) -> ReportGroup:
    group = get_group_for_user(user, pk)
    if not can_triage(user):
        raise PermissionDenied("You can see this group but not triage it.")
    return group


def get_attachment_for_user(user: User, pk: int | str) -> Attachment:
    try:
        return (
            Attachment.objects.visible_to(user)
            .select_related("evidence", "report__group__category", "report__category")
            .get(pk=pk)
        )
    except (Attachment.DoesNotExist, ValueError):
        raise Http404("No such evidence") from None


def get_dead_letter_for_user(user: User, pk: int | str) -> DeadLetter:
    try:
        return DeadLetter.objects.visible_to(user).get(pk=pk)
    except (DeadLetter.DoesNotExist, ValueError):
        raise Http404("No such dead letter") from None
