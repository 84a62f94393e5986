from __future__ import annotations

from trustdesk.accounts.models import Membership, Team, TeamKind
from trustdesk.oncall.models import EngagementRule
from trustdesk.taxonomy.models import Category, Keyword, Market


def make_team(slug: str, *members, kind: str = TeamKind.STAKEHOLDER) -> Team:
    team = Team.objects.create(slug=slug, name=slug.replace("-", " ").title(), kind=kind)
    for user in members:
        Membership.objects.create(team=team, user=user)
    return team


def make_rule(
    name: str,
    *,
    categories: tuple[str, ...] = (),
    keywords: tuple[str, ...] = (),
    markets: tuple[str, ...] = (),
    **fields,
) -> EngagementRule:
    rule = EngagementRule.objects.create(name=name, **fields)
    rule.categories.set(Category.objects.filter(code__in=categories))
    rule.keywords.set(Keyword.objects.filter(code__in=keywords))
    rule.markets.set(Market.objects.filter(code__in=markets))
    return rule


def make_rotation(team, *members, **fields):
    from datetime import date, time

    from trustdesk.oncall.models import Rotation, RotationMember

    defaults = {
        "name": "Primary",
        "tz": "UTC",
        "starts_on": date(2026, 1, 5),
        "shift_days": 7,
        "handoff_time": time(9),
        "covers_from": time(0),
        "covers_until": time(0),
    }
    rotation = Rotation.objects.create(team=team, **{**defaults, **fields})
    for position, user in enumerate(members):
        RotationMember.objects.create(rotation=rotation, user=user, position=position)
    return rotation
