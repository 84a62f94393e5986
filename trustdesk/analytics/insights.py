"""Insights: rules over the data, each giving a sentence, the numbers behind it and a link.

Computed on demand for one viewer (so they honour what that viewer may see) on the dashboard
and in the weekly report. Thresholds are the module's constants, named for what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse

from trustdesk.accounts.models import User
from trustdesk.intake.models import Report
from trustdesk.postmortems.models import ActionItem, PostMortem, PostMortemFactor
from trustdesk.regulatory import compliance as regulatory_compliance
from trustdesk.regulatory.models import RegulatoryRequest

from . import metrics

GROWTH_MIN_REPORTS = 5  # fewer reports in a week is noise, whatever the ratio
GROWTH_RATIO = 2.0  # this week against the average of the 4 weeks before
SLIPPING_BELOW = 0.9  # a jurisdiction meeting fewer deadlines than this is slipping
SLIPPING_DROP = 0.1  # ... or one whose met rate fell by this much against the 4 weeks before
FACTOR_MIN_POSTMORTEMS = 3
FACTOR_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Insight:
    rule: str
    sentence: str
    numbers: dict[str, Any]
    link: str


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return reverse(name) + (f"?{query}" if query else "")


def category_growth(user: User, now: datetime) -> list[Insight]:
    """Reports about one category in one market this week far above their recent average."""
    week_ago, five_weeks_ago = now - timedelta(days=7), now - timedelta(days=35)
    rows = (
        Report.objects.visible_to(user)
        .filter(received_at__gte=five_weeks_ago, received_at__lt=now)
        .exclude(category__isnull=True)
        .exclude(market__isnull=True)
        .values("category__slug", "category__name", "market__code", "market__name")
        .annotate(
            this_week=Count("pk", filter=Q(received_at__gte=week_ago)),
            before=Count("pk", filter=Q(received_at__lt=week_ago)),
        )
        .order_by()
    )
    found = []
    for row in rows:
        this_week, average = row["this_week"], row["before"] / 4
        if this_week < GROWTH_MIN_REPORTS or this_week < GROWTH_RATIO * average:
            continue
        ratio = f"{this_week / average:.1f}x" if average else "up from none"
        found.append(
            Insight(
                "category growth",
                f"Reports about {row['category__name']} in {row['market__name']} rose to "
                f"{this_week} this week ({ratio} the previous 4-week average of {average:.1f}).",
                {"this week": this_week, "4-week average": round(average, 2)},
                _url(
                    "analytics:dashboard",
                    category=row["category__slug"],
                    market=row["market__code"],
                ),
            )
        )
    return sorted(found, key=lambda i: -i.numbers["this week"])


def deadlines_slipping(user: User, now: datetime) -> list[Insight]:
    """Jurisdictions whose deadlines were met less often in the last 4 weeks."""
    today = now.date()
    recent_from, before_from = today - timedelta(days=27), today - timedelta(days=55)
    visible = RegulatoryRequest.objects.visible_to(user)

    def per_jurisdiction(start: Any, end: Any) -> dict[str, regulatory_compliance.Figures]:
        chosen = regulatory_compliance.Filters(received_from=start, received_to=end)
        rows, _ = regulatory_compliance.figures(
            regulatory_compliance.filtered(visible, chosen), "jurisdiction"
        )
        return {f.key: f for f in rows}

    recent = per_jurisdiction(recent_from, today)
    before = per_jurisdiction(before_from, recent_from - timedelta(days=1))
    found = []
    for code, figures in recent.items():
        rate = figures.met_rate
        if rate is None or figures.breached == 0:
            continue
        earlier = before[code].met_rate if code in before else None
        dropped = earlier is not None and earlier - rate >= SLIPPING_DROP
        if rate >= SLIPPING_BELOW and not dropped:
            continue
        judged = figures.met + figures.breached
        was = f"; {earlier:.0%} the 4 weeks before" if earlier is not None else ""
        found.append(
            Insight(
                "deadlines slipping",
                f"{figures.label}: {figures.breached} of {judged} deadlines breached in the "
                f"last 4 weeks (met {rate:.0%}{was}).",
                {
                    "breached": figures.breached,
                    "judged": judged,
                    "met rate": round(rate, 3),
                    "previous met rate": round(earlier, 3) if earlier is not None else None,
                },
                _url(
                    "regulatory:compliance",
                    jurisdiction=code,
                    received_from=recent_from.isoformat(),
                    received_to=today.isoformat(),
                ),
            )
        )
    return found


def recurring_factors(user: User, now: datetime) -> list[Insight]:
    """Contributing factors named in several post-mortems lately."""
    rows = (
        PostMortemFactor.objects.filter(
            postmortem__in=PostMortem.objects.visible_to(user).values("pk"),
            added_at__gte=now - FACTOR_WINDOW,
        )
        .values("factor__code", "factor__name")
        .annotate(n=Count("postmortem", distinct=True))
        .filter(n__gte=FACTOR_MIN_POSTMORTEMS)
        .order_by("-n", "factor__name")
    )
    return [
        Insight(
            "recurring factor",
            f"“{row['factor__name']}” contributed to {row['n']} post-mortems in the last "
            f"{FACTOR_WINDOW.days} days.",
            {"post-mortems": row["n"]},
            _url("postmortems:index", factor=row["factor__code"]),
        )
        for row in rows
    ]


def overdue_actions(user: User, now: datetime) -> list[Insight]:
    today = now.date()
    found = (
        ActionItem.objects.visible_to(user)
        .overdue(today)
        .aggregate(n=Count("pk"), oldest=Min("due_on"))
    )
    if not found["n"]:
        return []
    days = (today - found["oldest"]).days
    return [
        Insight(
            "overdue action items",
            f"{found['n']} post-mortem action item{'s are' if found['n'] != 1 else ' is'} "
            f"overdue; the oldest was due {days} day{'s' if days != 1 else ''} ago.",
            {"overdue": found["n"], "oldest days overdue": days},
            _url("postmortems:index"),
        )
    ]


def overloaded(user: User, now: datetime) -> list[Insight]:
    today = now.date()
    filters = metrics.Filters(since=today - timedelta(days=27), until=today)
    return [
        Insight(
            "over load",
            f"{load.name} commands {load.commanded} open incidents and owns {load.tasks} open "
            f"tasks (limits {metrics.MAX_OPEN_COMMANDED} and {metrics.MAX_OPEN_TASKS}).",
            {"open incidents commanded": load.commanded, "open tasks": load.tasks},
            _url("analytics:dashboard") + "#chart-workload",
        )
        for load in metrics.workload(user, filters)
        if load.over
    ]


RULES = (category_growth, deadlines_slipping, recurring_factors, overdue_actions, overloaded)


def compute(user: User, now: datetime) -> list[Insight]:
    """Every rule's insights for ``user``, in rule order."""
    return [insight for rule in RULES for insight in rule(user, now)]
