"""Which incidents need a post-mortem, when it is due, and how often late work is chased.

The defaults below can be changed per deployment with a ``POSTMORTEMS`` dict in settings,
e.g. ``POSTMORTEMS = {"severities": ["SEV1"], "due_days": {"SEV1": 3}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings

from trustdesk.incidents.models import Incident
from trustdesk.taxonomy.severity import Severity

from .models import Requirement, RequirementReason


@dataclass(frozen=True)
class Policy:
    # Incidents of these severities always get a post-mortem when resolved.
    severities: frozenset[str] = frozenset({Severity.SEV1, Severity.SEV2})
    # Days from resolution to publication, by severity ("default" for the rest).
    due_days: dict[str, int] = field(
        default_factory=lambda: {Severity.SEV1: 5, Severity.SEV2: 10, "default": 14}
    )
    # A late post-mortem reminds its author (and pending reviewers) every this many days.
    remind_every_days: int = 2
    # An overdue action item reminds its owner every this many days.
    action_remind_every_days: int = 7

    def due_after(self, severity: str) -> timedelta:
        return timedelta(days=self.due_days.get(severity, self.due_days.get("default", 14)))


def current() -> Policy:
    overrides: dict[str, Any] = dict(getattr(settings, "POSTMORTEMS", {}))
    if "severities" in overrides:
        overrides["severities"] = frozenset(overrides["severities"])
    if "due_days" in overrides:
        overrides["due_days"] = {**Policy().due_days, **overrides["due_days"]}
    return Policy(**overrides)


def breached_requests(incident: Incident) -> list[Any]:
    """The incident's regulatory requests whose deadline was missed. Empty when the
    regulatory app is not installed."""
    if not apps.is_installed("trustdesk.regulatory"):
        return []
    model = apps.get_model("regulatory", "RegulatoryRequest")
    requests = model.objects.filter(incident=incident).select_related("rule_version")
    return [r for r in requests if r.deadline_result == "breached"]


def reasons_for(incident: Incident) -> list[str]:
    """Why ``incident`` needs a post-mortem; empty when the policy does not require one."""
    reasons = []
    if incident.severity in current().severities:
        reasons.append(RequirementReason.SEVERITY.value)
    if breached_requests(incident):
        reasons.append(RequirementReason.REGULATORY_BREACH.value)
    if Requirement.objects.filter(incident=incident).exists():
        reasons.append(RequirementReason.LEAD_REQUEST.value)
    return reasons
