"""Sampling a region's closed work for one period and assigning the reviews.

Periods are ``Program.period_days`` long and start on Mondays (UTC), counted from a fixed
Monday, so every process agrees where a period begins. A period is sampled once: the run is
unique per (region, period) and a second call returns the first run.

Reviewers are the region's leads and incident managers, plus the team leads of the people
sampled, taken in turn (round-robin) so the work is shared. Nobody reviews their own work,
and a reviewer is only given items they can already see: quality review never widens who
sees a restricted incident (child-safety material stays need-to-know). An item nobody
eligible can see is listed on the run as unassigned, for a lead to pick up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Membership, Role, TeamKind, User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import InvalidInput
from trustdesk.quality import conf, sampling, subjects
from trustdesk.quality.models import Program, Review, Rubric, RubricVersion, Sample, SamplingRun
from trustdesk.quality.sampling import Candidate, RoundRobin

from .common import tell

EPOCH = date(2024, 1, 1)  # a Monday


def period_start_for(day: date, period_days: int) -> date:
    """The first day of the period containing ``day``."""
    return EPOCH + timedelta(days=((day - EPOCH).days // period_days) * period_days)


def last_complete_period(today: date, period_days: int) -> date:
    return period_start_for(today, period_days) - timedelta(days=period_days)


def bounds(start: date, period_days: int) -> tuple[datetime, datetime]:
    begin = datetime.combine(start, time.min, tzinfo=UTC)
    return begin, begin + timedelta(days=period_days)


def current_versions() -> dict[str, RubricVersion]:
    """The latest version of each rubric, by the kind of work it reviews."""
    versions: dict[str, RubricVersion] = {}
    for rubric in Rubric.objects.all():
        version = rubric.current
        if version is not None:
            versions[rubric.subject_kind] = version
    return versions


def _config(program: Program) -> dict[str, Any]:
    return {
        "period_days": program.period_days,
        "sample_size": program.sample_size,
        "high_risk_weight": float(program.high_risk_weight),
        "calibration_share": program.calibration_share,
    }


def _reviewer_pool(region: str, people: list[User]) -> tuple[list[User], dict[int, set[int]]]:
    """Everyone who may review someone in the region, and each person's team leads."""
    team_leads: dict[int, set[int]] = defaultdict(set)
    teams = Membership.objects.filter(
        user__in=people, team__kind=TeamKind.INCIDENT_MANAGEMENT
    ).values_list("team_id", "user_id")
    members_by_team: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in teams:
        members_by_team[team_id].append(user_id)
    lead_rows = Membership.objects.filter(team_id__in=members_by_team, is_lead=True)
    for team_id, lead_id in lead_rows.values_list("team_id", "user_id"):
        for member in members_by_team[team_id]:
            team_leads[member].add(lead_id)
    lead_ids = {pk for leads in team_leads.values() for pk in leads}
    regional = Q(region=region, role__in=(Role.LEAD, Role.INCIDENT_MANAGER))
    pool = list(
        User.objects.filter(regional | Q(pk__in=lead_ids), is_active=True).order_by("username")
    )
    return pool, team_leads


@transaction.atomic
def run_period(*, region: str, period_start: date, actor: User | None = None) -> SamplingRun:
    """Draw every incident manager's sample in ``region`` for the period starting on
    ``period_start`` and assign the reviews. Idempotent."""
    program = Program.for_region(region)
    if period_start != period_start_for(period_start, program.period_days):
        raise InvalidInput({"period_start": "Not the first day of a sampling period."})
    begin, end = bounds(period_start, program.period_days)
    if end > timezone.now():
        raise InvalidInput({"period_start": "This period has not ended yet."})
    existing = SamplingRun.objects.filter(region=region, period_start=period_start).first()
    if existing is not None:
        return existing
    salt = conf.seed_salt()
    try:
        with transaction.atomic():
            run = SamplingRun.objects.create(
                region=region,
                period_start=period_start,
                period_end=end.date(),
                seed=sampling.derive_seed("calibration", region, period_start, salt=salt),
                config=_config(program),
                created_by=actor,
            )
    except IntegrityError:  # another scheduler drew it a moment ago
        return SamplingRun.objects.get(region=region, period_start=period_start)
    people = list(
        User.objects.filter(role=Role.INCIDENT_MANAGER, region=region, is_active=True).order_by(
            "username"
        )
    )
    samples = _draw_samples(run, people, begin, end, salt)
    primaries = _assign(run, samples, program)
    audit.record(
        actor=actor,
        action="quality.sample",
        obj=run,
        after={
            "region": region,
            "period_start": period_start.isoformat(),
            "people": len(people),
            "reviews": len(primaries),
            "unassigned": run.unassigned,
        },
    )
    _tell_reviewers(run)
    return run


def _draw_samples(
    run: SamplingRun, people: list[User], begin: datetime, end: datetime, salt: str
) -> list[tuple[Sample, list[Candidate]]]:
    kinds = set(current_versions())
    work = subjects.closed_work([p.pk for p in people], begin, end)
    done = _already_reviewed([c for items in work.values() for c in items])
    config = run.config
    drawn = []
    for person in people:
        candidates = [c for c in work.get(person.pk, []) if c.kind in kinds and c.key not in done]
        seed = sampling.derive_seed(run.region, run.period_start, person.pk, salt=salt)
        chosen = sampling.draw(
            candidates,
            size=config["sample_size"],
            high_risk_weight=config["high_risk_weight"],
            seed=seed,
        )
        sample = Sample.objects.create(
            run=run,
            person=person,
            seed=seed,
            population=[[c.key, c.stratum] for c in sorted(candidates, key=lambda c: c.order)],
            chosen=[c.key for c in chosen],
        )
        drawn.append((sample, chosen))
    return drawn


def _already_reviewed(candidates: list[Candidate]) -> set[str]:
    """Items some earlier run already sampled: after a programme's period length changes,
    periods may overlap, and nobody's work is reviewed twice for that."""
    ids: dict[str, list[int]] = defaultdict(list)
    for candidate in candidates:
        kind, pk = subjects.split_key(candidate.key)
        ids[kind].append(pk)
    reviewed = Review.objects.filter(
        Q(incident_id__in=ids["incident"]) | Q(request_id__in=ids["regulatory_request"])
    ).values_list("incident_id", "request_id")
    return {
        f"incident:{incident}" if incident else f"regulatory_request:{request}"
        for incident, request in reviewed
    }


def redraw(sample: Sample) -> list[str]:
    """Draw ``sample`` again from its stored population, seed and settings: the same keys
    come out, which is how anyone can check a sample was not hand-picked."""
    config = sample.run.config
    candidates = [
        Candidate(key, stratum.endswith(f":{sampling.HIGH}")) for key, stratum in sample.population
    ]
    chosen = sampling.draw(
        candidates,
        size=config["sample_size"],
        high_risk_weight=config["high_risk_weight"],
        seed=sample.seed,
    )
    return [c.key for c in chosen]


def _assign(
    run: SamplingRun, samples: list[tuple[Sample, list[Candidate]]], program: Program
) -> list[Review]:
    people = [sample.person for sample, _ in samples]
    pool, team_leads = _reviewer_pool(run.region, people)
    keys = [c.key for _, chosen in samples for c in chosen]
    visible = {r.pk: subjects.visible_keys(r, keys) for r in pool}
    regions = {r.pk: r.region for r in pool}
    turns = RoundRobin([r.pk for r in pool], start=run.seed)
    versions = current_versions()
    by_key: dict[str, Review] = {}

    def can_review(person: User, key: str) -> Any:
        return lambda pk: (
            key in visible[pk] and (regions[pk] == person.region or pk in team_leads[person.pk])
        )

    for sample, chosen in samples:
        for candidate in chosen:
            person = sample.person
            reviewer = turns.next(exclude={person.pk}, can_review=can_review(person, candidate.key))
            if reviewer is None:
                run.unassigned.append(candidate.key)
                continue
            by_key[candidate.key] = _create_review(
                sample, candidate, reviewer, versions[candidate.kind]
            )
    share = run.config["calibration_share"] / 100
    for key in sorted(sampling.pick_for_calibration(list(by_key), share=share, seed=run.seed)):
        primary = by_key[key]
        second = turns.next(
            exclude={primary.reviewee_id, primary.reviewer_id},
            can_review=can_review(primary.reviewee, key),
        )
        if second is not None:
            _create_review(
                primary.sample,
                Candidate(key, primary.stratum.endswith(sampling.HIGH)),
                second,
                primary.rubric_version,
                calibration_of=primary,
            )
    run.save(update_fields=["unassigned"])
    return list(by_key.values())


def _create_review(
    sample: Sample,
    candidate: Candidate,
    reviewer_id: int,
    version: RubricVersion,
    calibration_of: Review | None = None,
) -> Review:
    kind, pk = subjects.split_key(candidate.key)
    is_incident = kind == "incident"
    return Review.objects.create(
        sample=sample,
        incident_id=pk if is_incident else None,
        request_id=None if is_incident else pk,
        stratum=candidate.stratum,
        reviewee=sample.person,
        reviewer_id=reviewer_id,
        rubric_version=version,
        calibration_of=calibration_of,
    )


def _tell_reviewers(run: SamplingRun) -> None:
    counts: dict[int, int] = defaultdict(int)
    for reviewer_id in Review.objects.filter(sample__run=run).values_list("reviewer", flat=True):
        counts[reviewer_id] += 1
    for reviewer in User.objects.filter(pk__in=counts):
        count = counts[reviewer.pk]
        tell(
            [reviewer],
            event_key=f"quality.run.{run.pk}.reviewer.{reviewer.pk}",
            subject=f"{count} quality review{'s' if count != 1 else ''} for you "
            f"(period from {run.period_start:%d %b})",
            body="Score each against the team's rubric; a few minutes each.",
            link=reverse("quality:home"),
        )
