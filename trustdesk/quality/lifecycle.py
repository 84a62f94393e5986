"""The review lifecycle: statuses and the one table of legal transitions."""

from __future__ import annotations

from django.db import models


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DISPUTED = "disputed", "Disputed"
    RESOLVED = "resolved", "Resolved"


TRANSITIONS: dict[ReviewStatus, tuple[ReviewStatus, ...]] = {
    # Scoring in one sitting goes straight from assigned to submitted; saving a draft first
    # passes through in_progress.
    ReviewStatus.ASSIGNED: (ReviewStatus.IN_PROGRESS, ReviewStatus.SUBMITTED),
    ReviewStatus.IN_PROGRESS: (ReviewStatus.SUBMITTED,),
    # The person reviewed answers: they accept it, or dispute it and their lead decides.
    ReviewStatus.SUBMITTED: (ReviewStatus.ACKNOWLEDGED, ReviewStatus.DISPUTED),
    ReviewStatus.DISPUTED: (ReviewStatus.RESOLVED,),
    ReviewStatus.ACKNOWLEDGED: (),
    ReviewStatus.RESOLVED: (),
}

# Scores are fixed from here on (a lead's amendment on resolution is the one exception).
SCORED: tuple[ReviewStatus, ...] = (
    ReviewStatus.SUBMITTED,
    ReviewStatus.ACKNOWLEDGED,
    ReviewStatus.DISPUTED,
    ReviewStatus.RESOLVED,
)

# The reviewer still has work to do.
TO_DO: tuple[ReviewStatus, ...] = (ReviewStatus.ASSIGNED, ReviewStatus.IN_PROGRESS)


class Resolution(models.TextChoices):
    UPHELD = "upheld", "Upheld: the scores stand"
    AMENDED = "amended", "Amended: some scores changed"
    WITHDRAWN = "withdrawn", "Withdrawn: not counted on the scorecard"


def allowed_transitions(current: str) -> tuple[ReviewStatus, ...]:
    return TRANSITIONS[ReviewStatus(current)]
