"""Post-mortems made the way users make them: an incident resolved through the services,
which opens the draft through the resolution hook."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from trustdesk.accounts.models import User
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.postmortems import services
from trustdesk.postmortems.models import ActionItem, ContributingFactor, PostMortem

TO_RESOLVED = ("triaged", "investigating", "mitigating", "resolved")


def resolve(incident: Incident, *, actor: User) -> Incident:
    for status in TO_RESOLVED:
        incident = incident_services.transition(actor=actor, incident=incident, to=status)
    return incident


def make_postmortem(*, actor: User, severity: str = "SEV1", **kwargs: Any) -> PostMortem:
    """A SEV1 incident, resolved: its draft post-mortem."""
    incident = make_incident(actor=actor, severity=severity, **kwargs)
    resolve(incident, actor=actor)
    return PostMortem.objects.get(incident=incident)


def make_action_item(
    *, actor: User, postmortem: PostMortem, owner: User | None = None, **kwargs: Any
) -> ActionItem:
    kwargs.setdefault("description", "Add the challenge's hashtags to the keyword list")
    kwargs.setdefault("due_on", date.today() + timedelta(days=14))
    return services.create_action_item(
        actor=actor, postmortem=postmortem, owner=owner or actor, **kwargs
    )


def factor(code: str) -> ContributingFactor:
    return ContributingFactor.objects.get(code=code)
