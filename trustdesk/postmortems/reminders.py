"""Chasing late work: overdue action items and post-mortems past their due date.

Each reminder's ``event_key`` names the interval it belongs to (the first on the first day
late, then one every N days), and ``notify`` records an event once per recipient, so however
often the sweep runs and however many workers run it, each interval reminds exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident
from trustdesk.notify.services import notify

from . import policy
from .lifecycle import Status
from .models import ActionItem, Decision, PostMortem
from .services.common import link


@dataclass
class SweepResult:
    action_reminders: int = 0
    postmortem_reminders: int = 0


def interval_number(days_late: int, every_days: int) -> int:
    """0 from the first day late, 1 from day ``1 + every_days``, and so on."""
    return (days_late - 1) // max(every_days, 1)


def _who_can_see(users: list[User], incident_id: int) -> list[User]:
    # A reminder names the work; someone off a restricted incident's list must not get it.
    return [
        user
        for user in users
        if user.is_active and Incident.objects.visible_to(user).filter(pk=incident_id).exists()
    ]


def _item_recipients(item: ActionItem) -> list[User]:
    if item.owner is not None:
        people = [item.owner]
    elif item.owner_team is not None:
        people = list(item.owner_team.members.filter(is_active=True))
    else:
        people = []
    visible = _who_can_see(people, item.postmortem.incident_id)
    author = item.postmortem.author
    # Nobody on the team may see it: the author chases it instead of nobody.
    return visible or ([author] if author is not None else [])


def _remind_action(item: ActionItem, today_days: int, every: int) -> bool:
    number = interval_number(today_days, every)
    pm = item.postmortem
    sent = notify(
        recipients=_item_recipients(item),
        event_key=f"pm-action-overdue:{item.pk}:{number}",
        subject=f"Overdue by {today_days}d: {item.description}"[:200],
        body=f"Action item from {pm.ref} ({pm.incident.ref}), due {item.due_on:%Y-%m-%d}, "
        f"owner {item.owner_label}. Mark it done, or agree a new date.",
        link=link(pm, "panel-actions"),
    )
    return bool(sent)


def _pm_recipients(pm: PostMortem) -> list[User]:
    people = [pm.author] if pm.author else []
    if pm.status == Status.IN_REVIEW:
        pending = pm.reviews.filter(decision=Decision.PENDING).select_related("reviewer")
        people += [review.reviewer for review in pending]
    if not people and pm.incident.commander is not None:
        people = [pm.incident.commander]
    return _who_can_see(people, pm.incident_id)


def _remind_postmortem(pm: PostMortem, now: datetime, every: int) -> bool:
    days_late = (now - pm.due_at).days + 1
    sent = notify(
        recipients=_pm_recipients(pm),
        event_key=f"pm-late:{pm.pk}:{interval_number(days_late, every)}",
        subject=f"Post-mortem late: {pm.ref} {pm.title}"[:200],
        body=f"It was due {pm.due_at:%Y-%m-%d %H:%M} UTC and is {pm.get_status_display().lower()}.",
        link=link(pm),
    )
    return bool(sent)


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Remind owners of overdue action items and authors (and pending reviewers) of late
    post-mortems. Each reminder commits on its own, so one failure loses nothing else."""
    now = now or timezone.now()
    today = now.date()
    rules = policy.current()
    result = SweepResult()
    items = ActionItem.objects.overdue(today).select_related(
        "postmortem__incident", "postmortem__author", "owner", "owner_team"
    )
    for item in items:
        with transaction.atomic():
            days = (today - item.due_on).days
            result.action_reminders += _remind_action(item, days, rules.action_remind_every_days)
    late = PostMortem.objects.exclude(status=Status.PUBLISHED).filter(due_at__lt=now)
    for pm in late.select_related("incident__commander", "author"):
        with transaction.atomic():
            result.postmortem_reminders += _remind_postmortem(pm, now, rules.remind_every_days)
    return result
