"""Scorecards: a person's, and their team's by site and region. Read-only.

Numbers are bucketed by sampling period (the period the work closed in):

- quality: the mean weighted score of the reviews that count (primary, submitted, not
  withdrawn or pending a dispute);
- accuracy: the share of closed work carrying no accuracy signal.

A handful of queries load any number of people and periods, so the team page costs the
same whatever the team's size. Callers decide who may see whom (``access``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean

from django.db.models import Count, Max, Q
from django.utils import timezone

from trustdesk.accounts.models import Role, Team, User

from . import subjects
from .lifecycle import SCORED, TO_DO
from .models import AccuracySignal, CoachingNote, Goal, GoalStatus, Program, Review, Score
from .people import led_by, sites_of
from .services.runs import bounds, period_start_for

TREND_PERIODS = 12
ROLLING_PERIODS = 4


@dataclass
class Bucket:
    """What one person (or a group) did in one period, before any averaging."""

    scores: list[float] = field(default_factory=list)
    failed: int = 0
    closed: set[str] = field(default_factory=set)
    flagged: set[str] = field(default_factory=set)
    signals: int = 0

    def add(self, other: Bucket) -> None:
        self.scores += other.scores
        self.failed += other.failed
        self.closed |= other.closed
        self.flagged |= other.flagged
        self.signals += other.signals

    @property
    def reviews(self) -> int:
        return len(self.scores)

    @property
    def quality(self) -> float | None:
        return mean(self.scores) if self.scores else None

    @property
    def accuracy(self) -> float | None:
        if not self.closed:
            return None
        return 1 - len(self.flagged & self.closed) / len(self.closed)


@dataclass
class Period:
    start: date
    bucket: Bucket


def quality_series(periods: list[Period]) -> list[float | None]:
    return [p.bucket.quality for p in periods]


def accuracy_series(periods: list[Period]) -> list[float | None]:
    return [p.bucket.accuracy for p in periods]


def period_starts(program: Program, *, count: int = TREND_PERIODS) -> list[date]:
    """The last ``count`` complete periods, oldest first."""
    current = period_start_for(timezone.now().date(), program.period_days)
    return [current - timedelta(days=program.period_days * k) for k in range(count, 0, -1)]


def program_for(person: User) -> Program:
    return Program.for_region(person.region) if person.region else Program()


def load_buckets(
    person_ids: Iterable[int], starts: list[date], period_days: int
) -> dict[int, dict[date, Bucket]]:
    """Per person and period: review scores, closed work and signals. Five queries."""
    ids = list(person_ids)
    first, last = starts[0], starts[-1]
    begin, _ = bounds(first, period_days)
    _, end = bounds(last, period_days)
    buckets: dict[int, dict[date, Bucket]] = {pk: defaultdict(Bucket) for pk in ids}

    def slot(pk: int, day: date) -> Bucket:
        return buckets[pk][period_start_for(day, period_days)]

    reviews = Review.objects.counted().filter(
        reviewee_id__in=ids,
        sample__run__period_start__gte=first,
        sample__run__period_start__lte=last,
    )
    for pk, start, score, passed in reviews.values_list(
        "reviewee_id", "sample__run__period_start", "score", "passed"
    ):
        bucket = slot(pk, start)
        bucket.scores.append(score or 0.0)
        bucket.failed += 0 if passed else 1
    for pk, closed_at, key in _closed_work(ids, begin, end):
        slot(pk, closed_at.date()).closed.add(key)
    signals = AccuracySignal.objects.filter(
        person_id__in=ids, closed_at__gte=begin, closed_at__lt=end
    ).values_list("person_id", "closed_at", "subject_kind", "subject_id")
    for pk, closed_at, kind, subject_id in signals:
        bucket = slot(pk, closed_at.date())
        bucket.flagged.add(f"{kind}:{subject_id}")
        bucket.signals += 1
    return buckets


def _closed_work(ids: list[int], begin: datetime, end: datetime) -> list[tuple[int, datetime, str]]:
    incidents = (
        subjects.closed_incidents(begin, end)
        .filter(subjects.owned_by(ids))
        .values_list("commander_id", "acknowledged_by_id", "closed_at", "pk")
    )
    rows = [
        (commander or acknowledger, closed_at, f"incident:{pk}")
        for commander, acknowledger, closed_at, pk in incidents
        if closed_at is not None
    ]
    model = subjects.request_model()
    if model is not None:
        requests = model.objects.filter(
            status=subjects.CLOSED, closed_at__gte=begin, closed_at__lt=end, owner_id__in=ids
        ).values_list("owner_id", "closed_at", "pk")
        rows += [(owner, at, f"regulatory_request:{pk}") for owner, at, pk in requests]
    return rows


def periods_of(buckets: dict[date, Bucket], starts: list[date]) -> list[Period]:
    return [Period(start, buckets.get(start) or Bucket()) for start in starts]


def rolling(periods: list[Period], count: int = ROLLING_PERIODS) -> Bucket:
    total = Bucket()
    for period in periods[-count:]:
        total.add(period.bucket)
    return total


@dataclass
class CriterionMean:
    key: str
    label: str
    mean: float
    count: int


def criterion_means(person: User, since: date) -> list[CriterionMean]:
    """Each criterion's mean normalised score over the person's counted reviews, by key,
    so a criterion is followed across rubric versions."""
    rows = Score.objects.filter(
        review__in=Review.objects.counted().filter(
            reviewee=person, sample__run__period_start__gte=since
        ),
        value__isnull=False,
        not_applicable=False,
    ).values_list(
        "criterion__key",
        "criterion__label",
        "criterion__scale_min",
        "criterion__scale_max",
        "value",
    )
    values: dict[str, list[float]] = defaultdict(list)
    labels: dict[str, str] = {}
    for key, label, low, high, value in rows:
        if value is not None:
            values[key].append((value - low) / (high - low))
        labels[key] = label
    return [CriterionMean(k, labels[k], mean(v), len(v)) for k, v in values.items()]


@dataclass
class Scorecard:
    person: User
    program: Program
    site: Team | None
    periods: list[Period]
    current: Bucket
    strengths: list[CriterionMean]
    focus: list[CriterionMean]
    reviews: list[Review]
    signals: list[AccuracySignal]
    notes: list[CoachingNote]
    goals: list[Goal]

    @property
    def quality_target(self) -> float:
        return self.program.quality_target / 100

    @property
    def quality_series(self) -> list[float | None]:
        return quality_series(self.periods)

    @property
    def accuracy_series(self) -> list[float | None]:
        return accuracy_series(self.periods)

    @property
    def accuracy_target(self) -> float:
        return self.program.accuracy_target / 100


def scorecard(person: User, viewer: User) -> Scorecard:
    """``person``'s scorecard as ``viewer`` sees it (drafts of coaching notes only for
    their leads). The caller has checked ``viewer`` may see it at all."""
    program = program_for(person)
    starts = period_starts(program)
    buckets = load_buckets([person.pk], starts, program.period_days)[person.pk]
    periods = periods_of(buckets, starts)
    means = criterion_means(person, starts[-ROLLING_PERIODS])
    target = program.quality_target / 100
    strengths = sorted((m for m in means if m.count >= 2 and m.mean >= target), key=_best_first)
    focus = sorted((m for m in means if m.count >= 2 and m.mean < target), key=lambda m: m.mean)
    reviews = list(
        Review.objects.visible_to(viewer)
        .primary()
        .filter(reviewee=person, status__in=SCORED)
        .select_related("reviewer", "incident", "sample__run")
        .order_by("-submitted_at")[:20]
    )
    begin, _ = bounds(starts[0], program.period_days)
    return Scorecard(
        person=person,
        program=program,
        site=sites_of([person]).get(person.pk),
        periods=periods,
        current=rolling(periods),
        strengths=strengths[:3],
        focus=focus[:3],
        reviews=reviews,
        signals=list(
            AccuracySignal.objects.visible_to(viewer).filter(person=person, closed_at__gte=begin)[
                :50
            ]
        ),
        notes=list(
            CoachingNote.objects.visible_to(viewer).filter(person=person).select_related("author")
        ),
        goals=list(Goal.objects.visible_to(viewer).filter(person=person).select_related("set_by")),
    )


def _best_first(m: CriterionMean) -> float:
    return -m.mean


@dataclass
class PersonRow:
    person: User
    periods: list[Period]
    current: Bucket
    open_goals: int = 0
    last_note_at: datetime | None = None

    @property
    def quality_series(self) -> list[float | None]:
        return quality_series(self.periods)


@dataclass
class SiteBlock:
    name: str
    team: Team | None
    people: int
    periods: list[Period]
    current: Bucket
    distribution: list[tuple[str, int]]
    rows: list[PersonRow]

    @property
    def quality_series(self) -> list[float | None]:
        return quality_series(self.periods)

    @property
    def accuracy_series(self) -> list[float | None]:
        return accuracy_series(self.periods)


@dataclass
class TeamView:
    region: str
    program: Program
    starts: list[date]
    sites: list[SiteBlock]
    region_periods: list[Period]
    region_current: Bucket
    progress: tuple[int, int]  # reviews submitted, reviews assigned, in the latest run

    @property
    def quality_target(self) -> float:
        return self.program.quality_target / 100

    @property
    def accuracy_target(self) -> float:
        return self.program.accuracy_target / 100

    @property
    def quality_series(self) -> list[float | None]:
        return quality_series(self.region_periods)


def team_view(viewer: User, region: str) -> TeamView:
    """The region's incident managers by site. Per-person rows only for the people
    ``viewer`` leads; everyone else appears only in the site's numbers. Rows are in name
    order: this is not a league table."""
    program = Program.for_region(region)
    starts = period_starts(program)
    people = list(
        User.objects.filter(role=Role.INCIDENT_MANAGER, region=region, is_active=True).order_by(
            "first_name", "last_name", "username"
        )
    )
    sites = sites_of(people)
    led = set(led_by(viewer).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    buckets = load_buckets([p.pk for p in people], starts, program.period_days)
    extras = _coaching_facts(led)
    groups: dict[int | None, list[User]] = defaultdict(list)
    for person in people:
        site = sites.get(person.pk)
        groups[site.pk if site else None].append(person)
    blocks = []
    for members in groups.values():
        team = sites.get(members[0].pk)
        blocks.append(_site_block(team, members, buckets, starts, program, led, extras))
    blocks.sort(key=lambda b: (b.team is None, b.name))
    region_buckets: dict[date, Bucket] = defaultdict(Bucket)
    for per_person in buckets.values():
        for start, bucket in per_person.items():
            region_buckets[start].add(bucket)
    region_periods = periods_of(region_buckets, starts)
    return TeamView(
        region=region,
        program=program,
        starts=starts,
        sites=blocks,
        region_periods=region_periods,
        region_current=rolling(region_periods),
        progress=_progress(region, starts[-1]),
    )


def _coaching_facts(led: set[int]) -> dict[str, dict[int, object]]:
    goals = (
        Goal.objects.filter(person_id__in=led, status=GoalStatus.OPEN)
        .values("person_id")
        .annotate(n=Count("id"))
    )
    notes = (
        CoachingNote.objects.filter(person_id__in=led)
        .values("person_id")
        .annotate(last=Max("created_at"))
    )
    return {
        "goals": {row["person_id"]: row["n"] for row in goals},
        "notes": {row["person_id"]: row["last"] for row in notes},
    }


def _site_block(
    team: Team | None,
    members: list[User],
    buckets: dict[int, dict[date, Bucket]],
    starts: list[date],
    program: Program,
    led: set[int],
    extras: dict[str, dict[int, object]],
) -> SiteBlock:
    merged: dict[date, Bucket] = defaultdict(Bucket)
    rows, currents = [], []
    for person in members:
        periods = periods_of(buckets[person.pk], starts)
        current = rolling(periods)
        currents.append(current)
        for period in periods:
            merged[period.start].add(period.bucket)
        if person.pk in led:
            rows.append(
                PersonRow(
                    person=person,
                    periods=periods,
                    current=current,
                    open_goals=int(extras["goals"].get(person.pk, 0)),  # type: ignore[call-overload]
                    last_note_at=extras["notes"].get(person.pk),  # type: ignore[arg-type]
                )
            )
    site_periods = periods_of(merged, starts)
    return SiteBlock(
        name=team.name if team else "No site",
        team=team,
        people=len(members),
        periods=site_periods,
        current=rolling(site_periods),
        distribution=_distribution(currents, program),
        rows=rows,
    )


def _distribution(currents: list[Bucket], program: Program) -> list[tuple[str, int]]:
    """How many people fall in each quality band: counts only, no names."""
    target = program.quality_target / 100
    bands = {"Meets target": 0, "Below target": 0, "No reviews yet": 0}
    for bucket in currents:
        quality = bucket.quality
        if quality is None:
            bands["No reviews yet"] += 1
        elif quality >= target:
            bands["Meets target"] += 1
        else:
            bands["Below target"] += 1
    return list(bands.items())


def _progress(region: str, latest: date) -> tuple[int, int]:
    reviews = Review.objects.filter(sample__run__region=region, sample__run__period_start=latest)
    counts = reviews.aggregate(total=Count("id"), done=Count("id", filter=~Q(status__in=TO_DO)))
    return counts["done"] or 0, counts["total"] or 0
