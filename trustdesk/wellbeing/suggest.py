"""Fair assignment: for an incident in a high-impact category, rank the people on call now
for its region and markets by their recent exposure to that category, least first.

The figure behind a place in the ranking is shown only to someone who may see that person's
exposure (themselves, their lead, an admin); everyone else sees the order and a plain reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident
from trustdesk.oncall import schedule
from trustdesk.taxonomy.models import Category

from . import conf
from .load import human
from .models import ExposureEvent, OrgPolicy, exposure_owners

WINDOW = timedelta(days=7)


def is_high_impact(category: Category) -> bool:
    """The organisation's flag for the category; unset, the category's own 'sensitive'."""
    policy = OrgPolicy.objects.filter(category=category).first()
    if policy is not None and policy.high_impact is not None:
        return policy.high_impact
    return category.sensitive


def on_duty(incident: Incident, now: datetime) -> list[User]:
    """Everyone on call now for the incident's region or any of its markets."""
    found: dict[int, User] = {}
    pairs = schedule.team_on_call(schedule.incident_rotations(incident.region), now)
    for market in incident.markets.all():
        pairs += schedule.on_call_for_market(market, now)
    for _, user in pairs:
        if user.is_responder:
            found.setdefault(user.pk, user)
    return list(found.values())


@dataclass(frozen=True)
class Candidate:
    user: User
    exposure: timedelta
    reason: str
    figure_shown: bool


def rank(incident: Incident, viewer: User, now: datetime) -> list[Candidate]:
    """On-duty people for ``incident``, least recent exposure to its category first. Empty
    when the category is not high-impact or nobody is on call."""
    category = incident.category
    if not is_high_impact(category):
        return []
    people = on_duty(incident, now)
    cap = conf.max_look()
    spent: dict[int, timedelta] = {p.pk: timedelta(0) for p in people}
    events = ExposureEvent.objects.filter(
        user__in=people, category=category, started_at__gte=now - WINDOW
    )
    for event in events:
        spent[event.user_id] += event.duration_at(now, cap)
    visible = set(
        User.objects.filter(pk__in=spent)
        .filter(exposure_owners(viewer, prefix=""))
        .values_list("pk", flat=True)
    )
    ordered = sorted(people, key=lambda p: (spent[p.pk], p.username))
    result = []
    for place, person in enumerate(ordered):
        if person.pk in visible:
            reason = f"{human(spent[person.pk])} of {category.name} exposure in 7 days"
        elif place == 0:
            reason = f"Least recent {category.name} exposure of those on call"
        else:
            reason = f"More recent {category.name} exposure than those above"
        result.append(Candidate(person, spent[person.pk], reason, person.pk in visible))
    return result
