"""Closed work, regions of incident managers, and reviews, made through the services.

Time: tests run "now" on Wednesday 18 March 2026; the last complete weekly period is
Monday 9 to Monday 16 March 2026, and ``closed_incident`` closes work inside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from trustdesk.accounts.models import Membership, Role, TeamKind
from trustdesk.accounts.tests.factories import TeamFactory, UserFactory
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.quality import services
from trustdesk.quality.models import Review, Rubric, Sample, SamplingRun

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
PERIOD = date(2026, 3, 9)


def closed_incident(owner, *, severity="SEV3", day=10, month=3, restricted=None, **kwargs):
    """An incident ``owner`` commanded from report to close on 2026-``month``-``day``."""
    opened = datetime(2026, month, day, 8, 0, tzinfo=UTC)
    with time_machine.travel(opened, tick=False):
        incident = make_incident(actor=owner, severity=severity, restricted=restricted, **kwargs)
        incident_services.add_participant(
            actor=owner, incident=incident, user=owner, role="commander"
        )
    for hours, status in ((1, "triaged"), (2, "investigating"), (5, "resolved"), (6, "closed")):
        incident_services.transition(
            actor=owner, incident=incident, to=status, at=opened + timedelta(hours=hours)
        )
    incident.refresh_from_db()
    return incident


def im_in(region, username, *, site=None):
    # Predictable names, so pages list people in a known order.
    first, _, last = username.partition(".")
    person = UserFactory(
        username=username,
        first_name=first.title(),
        last_name=last.title(),
        role=Role.INCIDENT_MANAGER,
        region=region,
    )
    if site is not None:
        Membership.objects.create(team=site, user=person)
    return person


def lead_in(region, username="lena.lead"):
    return UserFactory(username=username, role=Role.LEAD, region=region)


def site(slug, region):
    return TeamFactory(slug=slug, kind=TeamKind.INCIDENT_MANAGEMENT, region=region)


def run(region, *, period=PERIOD, actor=None):
    with time_machine.travel(NOW, tick=False):
        return services.run_period(region=region, period_start=period, actor=actor)


def assigned_review(incident, *, reviewee, reviewer, calibration_of=None, period=PERIOD):
    """A review assigned by hand (no sampling), for lifecycle tests."""
    region = reviewee.region or "AMS"
    sampling_run, _ = SamplingRun.objects.get_or_create(
        region=region,
        period_start=period,
        defaults={"period_end": period + timedelta(days=7), "seed": 1, "config": {}},
    )
    sample, _ = Sample.objects.get_or_create(
        run=sampling_run, person=reviewee, defaults={"seed": 1}
    )
    version = Rubric.objects.get(subject_kind="incident").current
    return Review.objects.create(
        sample=sample,
        incident=incident,
        stratum="incident:standard",
        reviewee=reviewee,
        reviewer=reviewer,
        rubric_version=version,
        calibration_of=calibration_of,
    )


def full_scores(review, value=4, **overrides):
    """A complete set of scores for the review's rubric: ``value`` everywhere, unless
    ``overrides`` gives a criterion another value (or a ScoreInput)."""
    scores = {}
    for criterion in review.rubric_version.criteria.all():
        given = overrides.get(criterion.key, value)
        if not isinstance(given, services.ScoreInput):
            given = services.ScoreInput(value=given, comment="" if given >= 2 else "Wrong call.")
        scores[criterion.key] = given
    return scores


def submit(review, value=4, **overrides):
    return services.save_scores(
        actor=review.reviewer,
        review=review,
        scores=full_scores(review, value, **overrides),
        summary="Solid work.",
        submit=True,
    )


def closed_request(owner, *, breached, day=10, rule_code="AU-OSA-S109"):
    """A regulatory request ``owner`` handled, its action recorded an hour before or after
    the deadline, then contested and closed on 2026-03-``day`` (needs the regulatory app)."""
    from trustdesk.regulatory import services as regulatory
    from trustdesk.regulatory.models import Authority, Rule

    rule = Rule.objects.get(code=rule_code)
    authority = Authority.objects.filter(jurisdiction=rule.jurisdiction).first()
    received = datetime(2026, 3, day, 1, 0, tzinfo=UTC) - timedelta(days=2)
    with time_machine.travel(NOW, tick=False):
        request = regulatory.create_request(
            actor=owner, authority=authority, rule=rule, received_at=received, owner=owner
        )
        regulatory.transition(
            actor=owner, request=request, to="acknowledged", at=received + timedelta(minutes=5)
        )
        acted = request.due_at + timedelta(hours=1 if breached else -1)
        regulatory.record_action(actor=owner, request=request, at=acted)
        regulatory.transition(
            actor=owner, request=request, to="contested", reason="Appeal", at=acted
        )
        closed = datetime(2026, 3, day, 9, 0, tzinfo=UTC)
        regulatory.transition(actor=owner, request=request, to="closed", at=max(closed, acted))
    request.refresh_from_db()
    return request
