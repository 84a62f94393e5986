"""Who may see and record enforcement decisions and the transparency report. Decisions take
their visibility from the incident or request they belong to (models.DecisionQuerySet)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trustdesk.accounts.models import Role, User
from trustdesk.incidents import access as incident_access
from trustdesk.incidents.models import Incident
from trustdesk.regulatory import access as request_access
from trustdesk.regulatory.models import RegulatoryRequest

from .models import DecisionQuerySet, EnforcementDecision

REPORT_ROLES = (Role.ADMIN, Role.LEAD, Role.AUDITOR)


def visible_decisions(user: User) -> DecisionQuerySet:
    return EnforcementDecision.objects.visible_to(user)


def get_decision_for_user(user: User, pk: int | str) -> EnforcementDecision:
    try:
        return visible_decisions(user).select_related("incident", "regulatory_request").get(pk=pk)
    except (EnforcementDecision.DoesNotExist, ValueError):
        raise Http404("No such decision") from None


def can_record(user: User, *, incident: Incident | None, request: RegulatoryRequest | None) -> bool:
    """Recording a decision is a change to what it hangs on."""
    if incident is not None:
        return incident_access.can_edit(user, incident)
    if request is not None:
        return request_access.can_edit(user, request)
    return False


def check_can_record(
    user: User, *, incident: Incident | None, request: RegulatoryRequest | None
) -> None:
    if not can_record(user, incident=incident, request=request):
        raise PermissionDenied("You can see this but not record decisions on it.")


def can_see_report(user: User) -> bool:
    return user.is_active and user.role in REPORT_ROLES


def check_can_see_report(user: User) -> None:
    if not can_see_report(user):
        raise PermissionDenied("The transparency report is for leads, admins and auditors.")
