"""Action items: who does what by when, linked to the factor they address and to the
ticket where the work is tracked. They outlive the review: a published post-mortem's items
are still chased (``reminders``) until done."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import Team, User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import IllegalTransition, InvalidInput
from trustdesk.notify.services import notify

from ..lifecycle import ActionStatus, allowed_action_transitions
from ..models import ActionItem, PostMortem, PostMortemFactor, Priority
from .common import clean_text, link, refresh_search_text

_URL = URLValidator(schemes=["http", "https"])
# Due dates further out than this are typos, not plans.
_HORIZON = timedelta(days=5 * 366)
_FIELDS = ("description", "owner", "owner_team", "due_on", "priority", "factor", "ticket_url")


def _clean_owner(pm: PostMortem, owner: User | None, team: Team | None) -> None:
    if owner is None and team is None:
        raise InvalidInput({"owner": "Every action item needs an owner: a person or a team."})
    if owner is not None and team is not None:
        raise InvalidInput({"owner": "Choose a person or a team, not both."})
    if owner is not None:
        if not owner.is_active:
            raise InvalidInput({"owner": "This account is deactivated."})
        if not Incident.objects.visible_to(owner).filter(pk=pm.incident_id).exists():
            raise InvalidInput(
                {"owner": f"{owner.username} cannot see {pm.incident.ref}; engage them first."}
            )


def _clean_due(pm: PostMortem, due_on: date | None) -> date:
    if due_on is None:
        raise InvalidInput({"due_on": "Give a due date."})
    earliest = pm.incident.reported_at.date()
    if not earliest <= due_on <= timezone.now().date() + _HORIZON:
        raise InvalidInput({"due_on": "Must be after the incident and within five years."})
    return due_on


def _clean_fields(pm: PostMortem, fields: dict[str, Any]) -> dict[str, Any]:
    fields["description"] = clean_text(
        fields["description"], field="description", max_length=500, required=True
    )
    _clean_owner(pm, fields["owner"], fields["owner_team"])
    fields["due_on"] = _clean_due(pm, fields["due_on"])
    if fields["priority"] not in Priority.values:
        raise InvalidInput({"priority": f"One of {', '.join(Priority.values)}."})
    factor = fields["factor"]
    if factor is not None and factor.postmortem_id != pm.pk:
        raise InvalidInput({"factor": "Link a factor listed on this post-mortem."})
    url = clean_text(fields["ticket_url"], field="ticket_url", max_length=500)
    if url:
        try:
            _URL(url)
        except ValidationError:
            raise InvalidInput({"ticket_url": "An http(s) address of the ticket."}) from None
    fields["ticket_url"] = url
    return fields


def _tell_owner(item: ActionItem) -> None:
    if item.owner is None:
        return
    pm = item.postmortem
    notify(
        recipients=[item.owner],
        event_key=f"pm-action-assigned:{item.pk}:{item.owner_id}",
        subject=f"Action item for you: {item.description}"[:200],
        body=f"From {pm.ref} ({pm.incident.ref}). Due {item.due_on:%Y-%m-%d}.",
        link=link(pm, "panel-actions"),
    )


def _snapshot(item: ActionItem) -> dict[str, Any]:
    return {
        "description": item.description,
        "owner": item.owner.username if item.owner else None,
        "owner_team": item.owner_team.slug if item.owner_team else None,
        "due_on": item.due_on.isoformat(),
        "priority": item.priority,
        "status": item.status,
        "factor": item.factor.factor.code if item.factor else None,
        "ticket_url": item.ticket_url,
    }


@transaction.atomic
def create_action_item(
    *,
    actor: User,
    postmortem: PostMortem,
    description: str,
    due_on: date | None,
    owner: User | None = None,
    owner_team: Team | None = None,
    priority: str = Priority.MEDIUM,
    factor: PostMortemFactor | None = None,
    ticket_url: str = "",
) -> ActionItem:
    """Add an action item. Allowed in every status: lessons turn into work after publishing
    too. The owner is told in the app."""
    fields = _clean_fields(
        postmortem,
        {
            "description": description,
            "owner": owner,
            "owner_team": owner_team,
            "due_on": due_on,
            "priority": priority,
            "factor": factor,
            "ticket_url": ticket_url,
        },
    )
    item = ActionItem.objects.create(postmortem=postmortem, created_by=actor, **fields)
    refresh_search_text(postmortem)
    audit.record(actor=actor, action="postmortem.action.create", obj=item, after=_snapshot(item))
    _tell_owner(item)
    return item


def _apply_status(item: ActionItem, status: str) -> None:
    if status not in ActionStatus.values:
        raise InvalidInput({"status": f"One of {', '.join(ActionStatus.values)}."})
    if status == item.status:
        return
    if status not in allowed_action_transitions(item.status):
        raise IllegalTransition(item.status, status, allowed_action_transitions(item.status))
    item.status = status
    item.completed_at = timezone.now() if status == ActionStatus.DONE else None


@transaction.atomic
def update_action_item(*, actor: User, item: ActionItem, **changes: Any) -> ActionItem:
    """Change an item's fields or move its status along the table (done stamps completion).
    A new owner is told."""
    unknown = set(changes) - {*_FIELDS, "status"}
    if unknown:
        raise InvalidInput({sorted(unknown)[0]: "This field cannot be changed."})
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("postmortem__incident", "owner", "owner_team", "factor__factor")
        .get(pk=item.pk)
    )
    before = _snapshot(item)
    if set(changes) & set(_FIELDS):
        fields = {name: changes.get(name, getattr(item, name)) for name in _FIELDS}
        if "owner" in changes and "owner_team" not in changes and changes["owner"] is not None:
            fields["owner_team"] = None
        if "owner_team" in changes and "owner" not in changes and changes["owner_team"]:
            fields["owner"] = None
        for name, value in _clean_fields(item.postmortem, fields).items():
            setattr(item, name, value)
    if "status" in changes:
        _apply_status(item, changes["status"])
    item.save()
    after = _snapshot(item)
    changed = [key for key in before if before[key] != after[key]]
    if changed:
        audit.record(
            actor=actor,
            action="postmortem.action.update",
            obj=item,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    if "owner" in changed:
        _tell_owner(item)
    if "description" in changed:
        refresh_search_text(item.postmortem)
    return item
