"""The post-mortem review workflow and the action-item lifecycle: statuses and one table of
legal transitions each (DESIGN.md invariant 3)."""

from __future__ import annotations

from django.db import models


class PostmortemStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


# Inside the app it is just Status; the API's OpenAPI schema needs one name per enum
# across all apps, which the class name above gives it.
Status = PostmortemStatus


TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.IN_REVIEW,),
    # Reviewers approve (every named reviewer, see services.review) or send it back.
    Status.IN_REVIEW: (Status.APPROVED, Status.DRAFT),
    # An approved text can still be reopened before it goes out.
    Status.APPROVED: (Status.PUBLISHED, Status.DRAFT),
    # Published is the record analytics count; corrections go in comments and action items.
    Status.PUBLISHED: (),
}

# Moves made by reviewers' decisions, never by a bare transition request.
VIA_REVIEW: frozenset[Status] = frozenset({Status.APPROVED})

# The text can be changed in these; approved and published texts are what reviewers saw.
EDITABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.IN_REVIEW})

ACTION_LABELS: dict[Status, str] = {
    Status.IN_REVIEW: "Submit for review",
    Status.APPROVED: "Approve",
    Status.DRAFT: "Back to draft",
    Status.PUBLISHED: "Publish",
}


def allowed_transitions(current: str) -> tuple[Status, ...]:
    return TRANSITIONS[Status(current)]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Won't do"


ACTION_TRANSITIONS: dict[ActionStatus, tuple[ActionStatus, ...]] = {
    ActionStatus.OPEN: (ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED),
    ActionStatus.IN_PROGRESS: (ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED),
    ActionStatus.DONE: (ActionStatus.OPEN,),
    ActionStatus.CANCELLED: (ActionStatus.OPEN,),
}

ACTION_OPEN: tuple[ActionStatus, ...] = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)

ACTION_LABELS_FOR_ITEMS: dict[ActionStatus, str] = {
    ActionStatus.OPEN: "Reopen",
    ActionStatus.IN_PROGRESS: "Start",
    ActionStatus.DONE: "Done",
    ActionStatus.CANCELLED: "Won't do",
}


def allowed_action_transitions(current: str) -> tuple[ActionStatus, ...]:
    return ACTION_TRANSITIONS[ActionStatus(current)]
