"""Who may see and change a regulatory request. Views, the API and exports call these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trustdesk.accounts.models import Role, User

from .models import RegulatoryRequest, RequestQuerySet


def visible_requests(user: User) -> RequestQuerySet:
    return RegulatoryRequest.objects.visible_to(user)


def get_request_for_user(user: User, pk: int | str) -> RegulatoryRequest:
    """The request if the user may see it; otherwise 404, so existence does not leak."""
    try:
        return (
            visible_requests(user)
            .select_related(
                "authority__jurisdiction", "rule", "rule_version__rule", "incident", "owner"
            )
            .get(pk=pk)
        )
    except (RegulatoryRequest.DoesNotExist, ValueError):
        raise Http404("No such request") from None


def can_create(user: User) -> bool:
    """Log a request: anyone active but read-only auditors (Legal often receives them)."""
    return user.is_active and user.role != Role.AUDITOR


def can_edit(user: User, request: RegulatoryRequest) -> bool:
    if not user.is_active or user.role == Role.AUDITOR:
        return False
    return user.is_responder or request.owner_id == user.pk


def get_rw_request_for_user(user: User, pk: int | str) -> RegulatoryRequest:
    """Invisible: 404; visible but read-only: 403."""
    request = get_request_for_user(user, pk)
    if not can_edit(user, request):
        raise PermissionDenied("You can see this request but not change it.")
    return request
