"""Who may see and change a post-mortem. Seeing follows the incident
(``PostMortem.objects.visible_to``); changing follows the incident's editors, plus the
review rules: only named reviewers decide, and never on their own text."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trustdesk.accounts.models import Role, User
from trustdesk.incidents import access as incident_access

from .lifecycle import EDITABLE, Status
from .models import ActionItem, PostMortem


def get_for_user(user: User, pk: int | str) -> PostMortem:
    """The post-mortem if the user may see it; otherwise 404, so existence does not leak."""
    try:
        return (
            PostMortem.objects.visible_to(user)
            .select_related("incident__category", "incident__commander", "author")
            .get(pk=pk)
        )
    except (PostMortem.DoesNotExist, ValueError):
        raise Http404("No such post-mortem") from None


def can_manage(user: User, pm: PostMortem) -> bool:
    """Name reviewers, move the workflow, add and change action items: the incident's
    editors (responders, the commander and scribe)."""
    return incident_access.can_edit(user, pm.incident)


def can_edit_text(user: User, pm: PostMortem) -> bool:
    """Change the write-up: the incident's editors while it is a draft or in review."""
    return pm.status in EDITABLE and can_manage(user, pm)


def can_comment(user: User, pm: PostMortem) -> bool:
    return incident_access.can_comment(user, pm.incident)


def is_pending_reviewer(user: User, pm: PostMortem) -> bool:
    return (
        pm.status == Status.IN_REVIEW
        and pm.author_id != user.pk
        and pm.reviews.filter(reviewer=user).exists()
    )


def can_update_item(user: User, item: ActionItem) -> bool:
    """An item's owner (or a member of the owning team) may move it along, even without
    the right to change the rest of the post-mortem."""
    if not user.is_active or user.role == Role.AUDITOR:
        return False
    if item.owner_id == user.pk:
        return True
    if item.owner_team_id and user.teams.filter(pk=item.owner_team_id).exists():
        return True
    return can_manage(user, item.postmortem)


def can_require(user: User) -> bool:
    """Leads (and admins) decide that an incident needs a post-mortem the policy missed."""
    return user.is_active and user.role in (Role.LEAD, Role.ADMIN)


def get_rw_for_user(user: User, pk: int | str) -> PostMortem:
    """Invisible: 404; visible but not the user's to change: 403."""
    pm = get_for_user(user, pk)
    if not can_manage(user, pm):
        raise PermissionDenied("You can read this post-mortem but not change it.")
    return pm
