"""Exposure added up: one person's by category (the personal view), a team's by category
(the lead view), and who on a team is above the threshold. Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet

from trustdesk.accounts.models import Team, User
from trustdesk.taxonomy.models import Category

from . import conf
from .models import ExposureEvent

WINDOWS = (7, 28)


def human(duration: timedelta) -> str:
    """ "2 h 10 min", "45 min", "under a minute"."""
    minutes = int(duration.total_seconds() // 60)
    if minutes == 0:
        return "under a minute" if duration > timedelta(0) else "none"
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


@dataclass
class CategoryLoad:
    category: Category
    week: timedelta = timedelta(0)
    month: timedelta = timedelta(0)
    bar: int = 0  # 0-10, for the CSS bar classes (no inline styles under our CSP)

    @property
    def week_label(self) -> str:
        return human(self.week)

    @property
    def month_label(self) -> str:
        return human(self.month)


@dataclass
class Load:
    rows: list[CategoryLoad] = field(default_factory=list)
    today: timedelta = timedelta(0)
    week: timedelta = timedelta(0)
    month: timedelta = timedelta(0)

    @property
    def week_label(self) -> str:
        return human(self.week)

    @property
    def month_label(self) -> str:
        return human(self.month)

    @property
    def today_label(self) -> str:
        return human(self.today)


def _add_up(events: Iterable[ExposureEvent], now: datetime, day_start: datetime) -> Load:
    cap = conf.max_look()
    week_start = now - timedelta(days=7)
    by_category: dict[int, CategoryLoad] = {}
    load = Load()
    for event in events:
        spent = event.duration_at(now, cap)
        row = by_category.setdefault(event.category_id, CategoryLoad(category=event.category))
        row.month += spent
        load.month += spent
        if event.started_at >= week_start:
            row.week += spent
            load.week += spent
        if event.started_at >= day_start:
            load.today += spent
    longest = max((r.month for r in by_category.values()), default=timedelta(0))
    for row in by_category.values():
        row.bar = round(10 * row.month / longest) if longest else 0
    load.rows = sorted(by_category.values(), key=lambda r: (-r.month, r.category.name))
    return load


def _events(people: QuerySet[User] | list[User], now: datetime) -> QuerySet[ExposureEvent]:
    since = now - timedelta(days=max(WINDOWS))
    return ExposureEvent.objects.filter(user__in=people, started_at__gte=since).select_related(
        "category"
    )


def for_person(person: User, now: datetime, day_start: datetime) -> Load:
    """``person``'s exposure over 28 days, 7 days and today (``day_start``: local midnight)."""
    return _add_up(_events([person], now), now, day_start)


def prompts(load: Load) -> list[str]:
    """Gentle suggestions once the load passes the configured amounts."""
    found = []
    if load.today >= conf.break_after():
        found.append(
            f"You have looked at sensitive material for {human(load.today)} today. "
            "Take a break: step away from the screen for ten minutes."
        )
    for row in load.rows:
        if row.week >= conf.switch_after():
            found.append(
                f"{human(row.week)} of {row.category.name} in 7 days. Consider switching to "
                "another queue for a while, and tell your lead if you would like a rotation."
            )
    return found


@dataclass
class TeamLoad:
    team: Team
    members: int
    load: Load
    above_threshold: list[User]


def for_team(team: Team, now: datetime) -> TeamLoad:
    """The team's exposure by category, and who is above the threshold (alphabetical: this
    is a prompt to check in, not a ranking)."""
    people = list(team.members.filter(is_active=True).order_by("username"))
    events = list(_events(people, now))
    load = _add_up(events, now, now - timedelta(days=1))
    week_start = now - timedelta(days=7)
    per_person: dict[int, timedelta] = defaultdict(timedelta)
    cap = conf.max_look()
    for event in events:
        if event.started_at >= week_start:
            per_person[event.user_id] += event.duration_at(now, cap)
    threshold = conf.lead_threshold()
    above = [p for p in people if per_person[p.pk] >= threshold]
    return TeamLoad(team=team, members=len(people), load=load, above_threshold=above)
