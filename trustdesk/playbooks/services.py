"""Applying playbooks to incidents and working their checklists.

Tasks are created and changed only through ``trustdesk.incidents.services`` (which writes
their timeline and audit events); this module adds the step runs, its own timeline event
for an application, and audit events, in the same transaction (DESIGN.md invariant 2).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import cast

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import EventKind, Incident, TaskStatus, TimelineEvent
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.markets.services import region_leads

from . import clocks, matching
from .models import (
    PARTICIPANT_ROLE,
    Anchor,
    AppliedPlaybook,
    PlaybookVersion,
    StepRole,
    StepRun,
    StepStatus,
)

logger = logging.getLogger(__name__)

MAX_REASON = 2000


def resolve_owner(incident: Incident, role: str) -> User | None:
    """The incident's active participant in the step's role (the first to take it), or for
    the regional lead, the region's lead (``markets.services.region_leads``); nobody when
    the role is not filled yet."""
    if role == StepRole.REGIONAL_LEAD:
        return next(iter(region_leads(incident.region)), None)
    participant = (
        incident.participants.active()
        .filter(role=PARTICIPANT_ROLE[role], user__is_active=True)
        .select_related("user")
        .order_by("assumed_at", "id")
        .first()
    )
    return participant.user if participant else None


def _as_actor(actor: User | None) -> User:
    # Automatic applications have no person behind them; the incident services record a
    # missing actor as "system", though their signatures name a user.
    return cast(User, actor)


@transaction.atomic
def apply_playbook(
    *,
    actor: User | None,
    incident: Incident,
    version: PlaybookVersion,
    automatic: bool = False,
    reasons: list[str] | None = None,
) -> AppliedPlaybook:
    """Turn ``version`` into the incident's checklist: one task per step whose condition
    holds, owned by whoever holds the step's role, due at the step's time target."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    playbook = version.playbook
    if not incident.is_open:
        raise Conflict(
            f"{incident.ref} is {incident.get_status_display()}; playbooks apply to open "
            "incidents.",
            field="incident",
        )
    if playbook.archived_at is not None:
        raise Conflict(f"{version.title} is archived.", field="playbook")
    existing = AppliedPlaybook.objects.filter(incident=incident, playbook=playbook).first()
    if existing is not None:
        raise Conflict(
            f"{version.title} v{existing.version.number} is already on {incident.ref}.",
            field="playbook",
        )
    facts = matching.facts_of(incident)
    applied = AppliedPlaybook.objects.create(
        incident=incident,
        playbook=playbook,
        version=version,
        applied_by=actor,
        automatic=automatic,
        match_reasons=reasons or [],
    )
    running = _create_runs(actor, incident, applied, facts)
    _record_application(actor, applied, running)
    return applied


def _create_runs(
    actor: User | None, incident: Incident, applied: AppliedPlaybook, facts: matching.Facts
) -> int:
    open_clocks = clocks.open_clocks(incident)
    left_out = []
    created = 0
    for step in applied.version.steps.order_by("order"):
        if not matching.step_applies(step, facts):
            left_out.append(
                {
                    "key": step.key,
                    "title": step.title,
                    "why": matching.condition_text(step.condition),
                }
            )
            continue
        clock = clocks.clock_for(step, incident, open_clocks)
        due = clocks.target(step, incident, clock)
        task = incident_services.create_task(
            actor=_as_actor(actor),
            incident=incident,
            title=step.title,
            owner=resolve_owner(incident, step.role),
            due_at=due,
        )
        StepRun.objects.create(
            applied=applied,
            step=step,
            task=task,
            target_at=due,
            clock_request_id=clock.request_id
            if clock and step.anchor == Anchor.REGULATORY_CLOCK
            else None,
            clock_due_at=clock.due_at if clock and step.anchor == Anchor.REGULATORY_CLOCK else None,
        )
        created += 1
    if left_out:
        applied.left_out = left_out
        applied.save(update_fields=["left_out"])
    return created


def _record_application(actor: User | None, applied: AppliedPlaybook, running: int) -> None:
    version = applied.version
    how = "Matched and applied" if applied.automatic else "Applied"
    text = f"{how} playbook {version.title} v{version.number}: {running} steps"
    if applied.left_out:
        text += f" ({len(applied.left_out)} not applicable here)"
    if applied.match_reasons:
        text += f" — {'; '.join(applied.match_reasons)}"
    TimelineEvent.objects.create(
        incident=applied.incident,
        actor=actor,
        kind=EventKind.TASK,
        text=text,
        data={
            "playbook": applied.playbook.slug,
            "version": version.number,
            "applied": applied.pk,
            "automatic": applied.automatic,
        },
        occurred_at=applied.applied_at,
    )
    audit.record(
        actor=actor,
        action="playbook.apply",
        obj=applied,
        after={
            "incident": applied.incident_id,
            "playbook": applied.playbook.slug,
            "version": version.number,
            "steps": running,
            "automatic": applied.automatic,
        },
    )


def on_incident_created(incident: Incident, actor: User | None) -> None:
    """Hook for ``incidents.services.on_created``. Matching waits until the creating
    transaction commits: intake and regulatory link their reports and requests to the new
    incident after creating it, and a playbook may match on that source. ``robust`` keeps a
    failure here from failing a request whose incident is already saved; it is logged, and
    the checklist panel still offers the playbooks by hand."""
    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(partial(_auto_apply_committed, incident.pk, actor_id), robust=True)


def _auto_apply_committed(incident_id: int, actor_id: int | None) -> None:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None or not incident.is_open:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    applied = auto_apply(actor=actor, incident=incident)
    if applied:
        logger.info("applied %d playbooks to %s", len(applied), incident.ref)


def auto_apply(*, actor: User | None, incident: Incident) -> list[AppliedPlaybook]:
    """Apply every auto-applying playbook that matches and is not on the incident yet."""
    done = set(AppliedPlaybook.objects.filter(incident=incident).values_list("playbook", flat=True))
    applied = []
    for match in matching.matching(matching.facts_of(incident), auto_only=True):
        if match.playbook.pk in done:
            continue
        applied.append(
            apply_playbook(
                actor=actor,
                incident=incident,
                version=match.version,
                automatic=True,
                reasons=match.reasons,
            )
        )
    return applied


def suggestions(incident: Incident) -> list[matching.Match]:
    """Matching playbooks not on the incident yet (manual ones, or ones that match after an
    edit, a new market or a new source)."""
    on_it = set(
        AppliedPlaybook.objects.filter(incident=incident).values_list("playbook", flat=True)
    )
    return [m for m in matching.matching(matching.facts_of(incident)) if m.playbook.pk not in on_it]


def _locked_run(run: StepRun) -> StepRun:
    return (
        StepRun.objects.select_for_update()
        .select_related("task", "step", "applied__incident")
        .get(pk=run.pk)
    )


def _audit_step(actor: User, run: StepRun, action: str, **after: object) -> None:
    audit.record(
        actor=actor,
        action=f"playbook.step.{action}",
        obj=run,
        after={"incident": run.applied.incident_id, "step": run.step.key, **after},
    )


@transaction.atomic
def complete_step(*, actor: User, run: StepRun) -> StepRun:
    """Tick a step: its task is done. A skipped step is reopened first."""
    run = _locked_run(run)
    if run.status == StepStatus.DONE:
        return run
    if run.status == StepStatus.SKIPPED:
        raise Conflict("This step was skipped; reopen it before ticking it.", field="status")
    run.task = incident_services.update_task(actor=actor, task=run.task, status=TaskStatus.DONE)
    _audit_step(actor, run, "done", late=run.is_late)
    return run


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why this step is skipped."})
    if "\x00" in reason:
        raise InvalidInput({"reason": "Contains a NUL character."})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": f"At most {MAX_REASON:,} characters."})
    return reason


@transaction.atomic
def skip_step(*, actor: User, run: StepRun, reason: str) -> StepRun:
    """Skip a step, saying why: its task is cancelled and the reason kept for adherence."""
    reason = _clean_reason(reason)
    run = _locked_run(run)
    if run.status != StepStatus.PENDING:
        raise Conflict(f"This step is already {run.status.label.lower()}.", field="status")
    run.task = incident_services.update_task(
        actor=actor, task=run.task, status=TaskStatus.CANCELLED
    )
    run.skip_reason = reason
    run.skipped_by = actor
    run.skipped_at = timezone.now()
    run.save(update_fields=["skip_reason", "skipped_by", "skipped_at"])
    _audit_step(actor, run, "skip", reason=reason)
    return run


@transaction.atomic
def reopen_step(*, actor: User, run: StepRun) -> StepRun:
    run = _locked_run(run)
    if run.status == StepStatus.PENDING:
        return run
    run.task = incident_services.update_task(actor=actor, task=run.task, status=TaskStatus.OPEN)
    run.skip_reason, run.skipped_by, run.skipped_at = "", None, None
    run.save(update_fields=["skip_reason", "skipped_by", "skipped_at"])
    _audit_step(actor, run, "reopen")
    return run


@transaction.atomic
def sync_clocks(*, actor: User | None, incident: Incident) -> int:
    """Give open steps anchored to a regulatory clock their time target, or move it when the
    deadline moved (an extension, a pause). Returns how many steps changed."""
    open_clocks = clocks.open_clocks(incident)
    runs = (
        StepRun.objects.filter(applied__incident=incident, step__anchor=Anchor.REGULATORY_CLOCK)
        .pending()
        .select_related("step", "task")
    )
    changed = 0
    for run in runs:
        clock = clocks.clock_for(run.step, incident, open_clocks)
        if clock is None:
            continue
        due = clocks.target(run.step, incident, clock)
        if due == run.target_at:
            continue
        incident_services.update_task(actor=_as_actor(actor), task=run.task, due_at=due)
        run.target_at, run.clock_request_id, run.clock_due_at = due, clock.request_id, clock.due_at
        run.save(update_fields=["target_at", "clock_request_id", "clock_due_at"])
        changed += 1
    if changed:
        audit.record(
            actor=actor, action="playbook.clocks.sync", obj=incident, after={"steps": changed}
        )
    return changed


def clocks_out_of_date(incident: Incident) -> bool:
    """Some open step's target would change if the clocks were synced now."""
    open_clocks = clocks.open_clocks(incident)
    if not open_clocks:
        return False
    runs = (
        StepRun.objects.filter(applied__incident=incident, step__anchor=Anchor.REGULATORY_CLOCK)
        .pending()
        .select_related("step")
    )
    return any(
        (clock := clocks.clock_for(run.step, incident, open_clocks)) is not None
        and clocks.target(run.step, incident, clock) != run.target_at
        for run in runs
    )


@transaction.atomic
def fill_owners(*, actor: User, incident: Incident) -> int:
    """Give open, unowned steps the person now in their role. Returns how many got one."""
    runs = (
        StepRun.objects.filter(applied__incident=incident, task__owner__isnull=True)
        .pending()
        .select_related("step", "task")
    )
    filled = 0
    for run in runs:
        owner = resolve_owner(incident, run.step.role)
        if owner is None:
            continue
        incident_services.update_task(actor=actor, task=run.task, owner=owner)
        filled += 1
    return filled
