"""Who may open the analytics dashboard, its exports and its API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from trustdesk.accounts.models import Role, User

READERS = (Role.ADMIN, Role.LEAD, Role.INCIDENT_MANAGER, Role.AUDITOR)


def can_view(user: User) -> bool:
    """Leads, admins, auditors and incident managers; stakeholders see no aggregate view
    (what they may see is the incidents they are engaged on, not the desk's figures)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role in READERS
    )


def check_can_view(user: User) -> None:
    if not can_view(user):
        raise PermissionDenied("Analytics is for leads, incident managers and auditors.")
