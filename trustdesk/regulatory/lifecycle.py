"""The regulatory-request lifecycle: statuses and the one table of legal transitions."""

from __future__ import annotations

from django.db import models


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    RESPONDED = "responded", "Responded"
    CLOSED = "closed", "Closed"
    CONTESTED = "contested", "Contested"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Inside the app it is just Status; the API's OpenAPI schema needs one name per enum
# across all apps, which the class name above gives it.
Status = RequestStatus


TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.RECEIVED: (Status.ACKNOWLEDGED, Status.CONTESTED, Status.WITHDRAWN),
    Status.ACKNOWLEDGED: (
        Status.IN_PROGRESS,
        Status.RESPONDED,
        Status.CONTESTED,
        Status.WITHDRAWN,
    ),
    Status.IN_PROGRESS: (Status.RESPONDED, Status.CONTESTED, Status.WITHDRAWN),
    # Contesting an order does not stop its clock; a court's suspension is a pause.
    Status.CONTESTED: (Status.IN_PROGRESS, Status.RESPONDED, Status.WITHDRAWN, Status.CLOSED),
    # The authority may come back after our response (follow-up questions, a new term).
    Status.RESPONDED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.WITHDRAWN: (Status.CLOSED,),
    Status.CLOSED: (),
}

# Moving here needs a written reason: the legal grounds for contesting, or who withdrew.
REASON_REQUIRED: frozenset[Status] = frozenset({Status.CONTESTED, Status.WITHDRAWN})

# Responding needs the response record (outcome, grounds, evidence): the response service
# makes that move, never a bare transition.
VIA_RESPONSE: frozenset[Status] = frozenset({Status.RESPONDED})

ACTION_LABELS: dict[Status, str] = {
    Status.ACKNOWLEDGED: "Acknowledge",
    Status.IN_PROGRESS: "Start work",
    Status.RESPONDED: "Record response",
    Status.CLOSED: "Close",
    Status.CONTESTED: "Contest",
    Status.WITHDRAWN: "Mark withdrawn",
}

OPEN_STATUSES: tuple[Status, ...] = (
    Status.RECEIVED,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.CONTESTED,
)

# Milestones that may be recorded in each status ("actioned": the content was removed,
# the data preserved or disclosed, the report filed).
ACTIONABLE: tuple[Status, ...] = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.CONTESTED)


def allowed_transitions(current: str) -> tuple[Status, ...]:
    return TRANSITIONS[Status(current)]


def is_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS[Status(current)]
