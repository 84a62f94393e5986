"""Paging: run an escalation policy's steps for an incident until someone acknowledges.

Steps are executed in order; a ``wait`` step schedules the next one ``minutes`` after the
previous step was *due* (not after the sweep ran), so a late sweep does not push the chain
back. Each notification's event key names the page, step and round, so a repeated sweep
notifies nobody twice (notify's uniqueness), and the page row moves forward with a
conditional UPDATE so two sweeps cannot both advance it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Membership, User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import Conflict
from trustdesk.notify.services import notify
from trustdesk.regulatory.models import RegulatoryRequest

from . import clocks, schedule
from .models import EscalationPolicy, EscalationStep, Page, PageStatus, Rotation, StepKind

logger = logging.getLogger(__name__)

_WORST_FIRST: list[str] = ["SEV1", "SEV2", "SEV3", "SEV4"]
_MAX_STEPS_PER_PASS = 100  # a policy of only repeats must not spin forever


def _rotations(**filters: object) -> list[Rotation]:
    rows = Rotation.objects.filter(**filters).prefetch_related(*schedule.PREFETCH)
    return list(rows)


def _leads(team_id: int | None) -> list[User]:
    if team_id is None:
        return []
    rows = Membership.objects.filter(team_id=team_id, is_lead=True).select_related("user")
    return [m.user for m in rows]


def targets(step: EscalationStep, now: datetime) -> list[User]:
    """Who a notify step reaches at ``now``. A team with nobody on call falls to its leads."""
    if step.kind == StepKind.NOTIFY_PERSON:
        return [step.person] if step.person else []
    if step.kind == StepKind.NOTIFY_LEAD:
        return _leads(step.team_id)
    if step.kind == StepKind.NOTIFY_ONCALL:
        found = [u for _, u in schedule.team_on_call(_rotations(team_id=step.team_id), now)]
        return found or _leads(step.team_id)
    if step.kind == StepKind.NOTIFY_REGION:
        return [u for _, u in schedule.team_on_call(schedule.incident_rotations(step.region), now)]
    return []


def _page_people(page: Page, step: EscalationStep, now: datetime) -> None:
    if page.request is not None:
        clocks.page_people(page, targets(step, now), step.position, now)
        return
    incident = page.incident
    assert incident is not None
    notify(
        recipients=targets(step, now),
        event_key=f"page.{page.pk}.step.{step.position}.round.{page.repeats_done}",
        subject=f"PAGE {incident.severity}: {incident.title}"[:200],
        body=f"{page.policy.name}: acknowledge to stop the escalation.",
        link=reverse("incidents:detail", args=[incident.pk]),
        thread_key=f"incident-{incident.pk}",
        urgent=incident.severity == "SEV1",  # a SEV1 page goes through quiet hours
    )


def _run_steps(page: Page, steps: list[EscalationStep], now: datetime) -> None:
    """Move ``page`` (in memory) through every step due at ``now``."""
    for _ in range(_MAX_STEPS_PER_PASS):
        if page.next_step_at > now:
            return
        if page.step_index >= len(steps):
            page.status = PageStatus.EXHAUSTED
            return
        step = steps[page.step_index]
        page.step_index += 1
        if step.kind == StepKind.WAIT:
            page.next_step_at += timedelta(minutes=step.minutes)
        elif step.kind == StepKind.REPEAT:
            if page.repeats_done < step.times:
                page.repeats_done += 1
                page.step_index = 0
        else:
            _page_people(page, step, now)


@transaction.atomic
def advance(page: Page, *, now: datetime | None = None) -> bool:
    """Run the page's due steps. False when another sweep moved it first or it stopped."""
    now = now or timezone.now()
    before = (page.step_index, page.repeats_done, page.next_step_at)
    if page.status != PageStatus.ACTIVE:
        return False
    steps = list(page.policy.steps.select_related("person"))
    _run_steps(page, steps, now)
    moved = Page.objects.filter(
        pk=page.pk,
        status=PageStatus.ACTIVE,
        step_index=before[0],
        repeats_done=before[1],
        next_step_at=before[2],
    ).update(
        status=page.status,
        step_index=page.step_index,
        repeats_done=page.repeats_done,
        next_step_at=page.next_step_at,
    )
    if not moved:
        transaction.set_rollback(True)  # the other sweep's notifications stand, not ours
    return bool(moved)


def start(incident: Incident, *, now: datetime | None = None) -> list[Page]:
    """Start every enabled policy that covers the incident's severity (once per policy)."""
    now = now or timezone.now()
    pages = []
    policies = EscalationPolicy.objects.filter(enabled=True, region__in=("", incident.region))
    for policy in policies:
        if _WORST_FIRST.index(incident.severity) > _WORST_FIRST.index(policy.min_severity):
            continue
        page, created = Page.objects.get_or_create(
            policy=policy, incident=incident, defaults={"next_step_at": now, "started_at": now}
        )
        if created:
            audit.record(
                actor=None, action="oncall.page.start", obj=incident, after={"policy": policy.name}
            )
            advance(page, now=now)
            pages.append(page)
    return pages


def start_for_clock(request: RegulatoryRequest, threshold: str, *, now: datetime) -> list[Page]:
    """Start every enabled clock policy of the request's region, once per threshold."""
    pages = []
    policies = EscalationPolicy.objects.filter(
        enabled=True, on_regulatory_clocks=True, region__in=("", request.region)
    )
    for policy in policies:
        page, created = Page.objects.get_or_create(
            policy=policy,
            request=request,
            threshold=threshold,
            defaults={"next_step_at": now, "started_at": now},
        )
        if created:
            audit.record(
                actor=None,
                action="oncall.page.start",
                obj=request,
                after={"policy": policy.name, "threshold": threshold},
            )
            advance(page, now=now)
            pages.append(page)
    return pages


def sweep(*, now: datetime | None = None) -> int:
    """Every minute: open pages for regulatory clocks near their deadline, then advance
    each active page whose next step is due."""
    now = now or timezone.now()
    for request, threshold in clocks.crossed(now):
        start_for_clock(request, threshold, now=now)
    due = Page.objects.filter(status=PageStatus.ACTIVE, next_step_at__lte=now)
    rows = due.select_related("policy", "incident", "request")
    return sum(advance(page, now=now) for page in rows)


def visible_pages(user: User) -> QuerySet[Page]:
    """Pages whose incident or regulatory request the user can see."""
    return Page.objects.filter(
        Q(incident__in=Incident.objects.visible_to(user))
        | Q(incident__isnull=True, request__in=RegulatoryRequest.objects.visible_to(user))
    )


@transaction.atomic
def acknowledge(*, actor: User, page: Page) -> Page:
    """Stop the chain. Only someone who can see the incident (or request) may acknowledge."""
    if not visible_pages(actor).filter(pk=page.pk).exists():
        raise Conflict("You cannot see what this page is about.")
    now = timezone.now()
    # A page that ran out of steps is still waiting for someone to take it.
    open_statuses = (PageStatus.ACTIVE, PageStatus.EXHAUSTED)
    stopped = Page.objects.filter(pk=page.pk, status__in=open_statuses).update(
        status=PageStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor
    )
    if not stopped:
        raise Conflict(f"This page is already {page.get_status_display().lower()}.")
    audit.record(
        actor=actor,
        action="oncall.page.acknowledge",
        obj=page.incident or page.request,
        after={"policy": page.policy.name, "threshold": page.threshold},
    )
    page.refresh_from_db()
    return page
