"""Who may see and use exports. A CyberTipline draft is visible exactly when its incident is
(restricted incidents are need-to-know); request exports follow the request. Invisible
things answer 404 so their existence does not leak."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trustdesk.accounts.models import User
from trustdesk.incidents import access as incident_access
from trustdesk.incidents.models import Incident

from .models import CyberTiplineDraft


def get_draft_for_user(user: User, pk: int | str) -> CyberTiplineDraft:
    try:
        return (
            CyberTiplineDraft.objects.filter(incident__in=Incident.objects.visible_to(user))
            .select_related("incident__category", "generated_by", "submitted_by")
            .get(pk=pk)
        )
    except (CyberTiplineDraft.DoesNotExist, ValueError):
        raise Http404("No such draft") from None


def check_can_report(user: User, incident: Incident) -> None:
    """Generating or marking a report as submitted changes the incident's record."""
    if not incident_access.can_edit(user, incident):
        raise PermissionDenied("You can see this incident but not file reports for it.")


def can_send(user: User) -> bool:
    """Sending to Lumen publishes: responders only, never read-only auditors."""
    return user.is_responder
