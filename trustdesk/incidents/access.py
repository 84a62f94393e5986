"""Who may see and change an incident. The only place these decisions are made; views, the
API, exports and search call these helpers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trustdesk.accounts.models import Role, User

from .models import Incident, IncidentQuerySet, ParticipantRole

# Participants in these roles run the incident alongside the responders.
_RUNNING_ROLES = (ParticipantRole.COMMANDER, ParticipantRole.SCRIBE)


def visible_incidents(user: User) -> IncidentQuerySet:
    return Incident.objects.visible_to(user)


def get_incident_for_user(user: User, pk: int | str) -> Incident:
    """The incident if the user may see it; otherwise 404, so existence does not leak."""
    try:
        return visible_incidents(user).select_related("category", "commander").get(pk=pk)
    except (Incident.DoesNotExist, ValueError):
        raise Http404("No such incident") from None


def can_edit(user: User, incident: Incident) -> bool:
    """Change fields, move the lifecycle, manage participants and tasks."""
    if not user.is_active or user.role == Role.AUDITOR:
        return False
    if user.is_responder:
        return True
    return incident.participants.active().filter(user=user, role__in=_RUNNING_ROLES).exists()


def can_comment(user: User, incident: Incident) -> bool:
    """Add notes to the timeline: anyone who can see it, except read-only auditors."""
    return user.is_active and user.role != Role.AUDITOR


def get_rw_incident_for_user(user: User, pk: int | str) -> Incident:
    """The incident if the user may change it. Invisible: 404; visible but read-only: 403."""
    incident = get_incident_for_user(user, pk)
    if not can_edit(user, incident):
        raise PermissionDenied("You can see this incident but not change it.")
    return incident


def can_create(user: User) -> bool:
    return user.is_responder
