"""The incident lifecycle: statuses and the one table of legal transitions."""

from __future__ import annotations

from django.db import models


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", "Reported"
    TRIAGED = "triaged", "Triaged"
    INVESTIGATING = "investigating", "Investigating"
    MITIGATING = "mitigating", "Mitigating"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    MERGED = "merged", "Merged"


# Inside the app it is just Status; the API's OpenAPI schema needs one name per enum
# across all apps, which the class name above gives it.
Status = IncidentStatus


TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.REPORTED: (Status.TRIAGED, Status.DECLINED, Status.MERGED),
    Status.TRIAGED: (Status.INVESTIGATING, Status.DECLINED, Status.MERGED),
    Status.INVESTIGATING: (Status.MITIGATING, Status.RESOLVED, Status.DECLINED, Status.MERGED),
    Status.MITIGATING: (Status.MONITORING, Status.RESOLVED, Status.INVESTIGATING),
    Status.MONITORING: (Status.RESOLVED, Status.MITIGATING),
    # Reopening a resolved incident sends it back to investigation; quality reviews count it.
    Status.RESOLVED: (Status.CLOSED, Status.INVESTIGATING),
    Status.CLOSED: (),
    # A wrongly declined report can be reconsidered.
    Status.DECLINED: (Status.TRIAGED,),
    Status.MERGED: (),
}

# Transitions that need a written reason (shown on the timeline and in the audit log).
REASON_REQUIRED: frozenset[Status] = frozenset({Status.DECLINED, Status.MERGED})

# Labels for the buttons; the verb a responder would use.
ACTION_LABELS: dict[Status, str] = {
    Status.TRIAGED: "Acknowledge",
    Status.INVESTIGATING: "Start investigating",
    Status.MITIGATING: "Mitigating",
    Status.MONITORING: "Monitoring",
    Status.RESOLVED: "Resolve",
    Status.CLOSED: "Close",
    Status.DECLINED: "Decline",
    Status.MERGED: "Merge",
}

OPEN_STATUSES: tuple[Status, ...] = (
    Status.REPORTED,
    Status.TRIAGED,
    Status.INVESTIGATING,
    Status.MITIGATING,
    Status.MONITORING,
)

# Each status has a field stamping when the incident first entered it.
STAMP_FIELDS: dict[Status, str] = {s: f"{s.value}_at" for s in Status}


def allowed_transitions(current: str) -> tuple[Status, ...]:
    return TRANSITIONS[Status(current)]


def is_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS[Status(current)]
