"""Who leads whom, for quality data. The only place this is decided.

A person's leads are the users with the lead role in the person's region (for incident
managers), and anyone marked lead (``Membership.is_lead``) of a regional incident-management
team the person belongs to (a stakeholder function's lead leads no incident manager here).
Admins are not anyone's lead, but see everything (see ``access``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from trustdesk.accounts.models import Membership, Role, Team, TeamKind, User


def led_by(user: User) -> QuerySet[User]:
    """The people whose reviews, scorecards and coaching ``user`` sees as their lead; an
    admin leads everyone for this purpose. Never includes ``user``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    if user.role == Role.ADMIN:
        return User.objects.exclude(pk=user.pk)
    led_teams = Membership.objects.filter(
        user=user, is_lead=True, team__kind=TeamKind.INCIDENT_MANAGEMENT
    ).values("team")
    rule = Q(pk__in=Membership.objects.filter(team__in=led_teams).values("user"))
    if user.role == Role.LEAD and user.region:
        rule |= Q(role=Role.INCIDENT_MANAGER, region=user.region)
    return User.objects.filter(rule).exclude(pk=user.pk)


def leads_of(person: User) -> QuerySet[User]:
    """The active leads of ``person`` (the mirror of ``led_by``); admins are not included."""
    teams = Membership.objects.filter(user=person, team__kind=TeamKind.INCIDENT_MANAGEMENT).values(
        "team"
    )
    rule = Q(pk__in=Membership.objects.filter(team__in=teams, is_lead=True).values("user"))
    if person.role == Role.INCIDENT_MANAGER and person.region:
        rule |= Q(role=Role.LEAD, region=person.region)
    return User.objects.filter(rule, is_active=True).exclude(pk=person.pk)


def is_lead_of(user: User, person: User) -> bool:
    return led_by(user).filter(pk=person.pk).exists()


def sites_of(people: QuerySet[User] | list[User]) -> dict[int, Team]:
    """Each person's site: their regional incident-management team (the first by name)."""
    ids = [p.pk for p in people]
    sites: dict[int, Team] = {}
    memberships = (
        Membership.objects.filter(user_id__in=ids, team__kind=TeamKind.INCIDENT_MANAGEMENT)
        .select_related("team")
        .order_by("team__name")
    )
    for membership in memberships:
        sites.setdefault(membership.user_id, membership.team)
    return sites
