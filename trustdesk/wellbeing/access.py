"""Who may see whose exposure. The rule itself is ``models.exposure_owners`` (used by
``ExposureEvent.objects.visible_to``); these helpers turn it into 404s for views and API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from trustdesk.accounts.models import Role, Team, TeamKind, User

from .models import exposure_owners


def get_person_for_viewer(viewer: User, username: str) -> User:
    """The person if ``viewer`` may see their exposure; otherwise 404 (no existence leak)."""
    try:
        return User.objects.filter(exposure_owners(viewer, prefix="")).get(username=username)
    except User.DoesNotExist:
        raise Http404("No such person") from None


def teams_led_by(viewer: User) -> QuerySet[Team]:
    """Teams whose load ``viewer`` may see: those they lead; every team for an admin."""
    if not viewer.is_active:
        return Team.objects.none()
    if viewer.role == Role.ADMIN:
        return Team.objects.filter(kind=TeamKind.INCIDENT_MANAGEMENT)
    return Team.objects.filter(membership__user=viewer, membership__is_lead=True)


def require_lead(viewer: User) -> QuerySet[Team]:
    teams = teams_led_by(viewer)
    if not teams.exists():
        raise PermissionDenied("The team view is for team leads and administrators.")
    return teams


def require_responder(viewer: User) -> None:
    if not viewer.is_responder:
        raise PermissionDenied("Owner suggestions are for responders.")
