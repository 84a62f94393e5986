"""The purge: delete what is past its retention, except what a hold or duty keeps.

The plan is computed, carried out and recorded in one transaction, so a failure anywhere
rolls every deletion back ("reversible until the job commits"). Evidence bytes leave the
disk only after the commit (``transaction.on_commit``): a rolled-back purge never loses a
file whose row still exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents.lifecycle import Status as IncidentStatus
from trustdesk.incidents.models import Incident
from trustdesk.intake.evidence import path_of
from trustdesk.intake.models import Attachment, EvidenceFile, Report
from trustdesk.notify.models import Delivery, Notification

from .models import DataClass, HoldScope, LegalHold, PurgeRun, PurgeStatus
from .services import retention_days, sync_preservation_holds

logger = logging.getLogger(__name__)

ENDED = (IncidentStatus.CLOSED, IncidentStatus.DECLINED)

# Test seam: called after the deletions and before the run is recorded.
before_commit: list[Callable[[], None]] = []


@dataclass
class Holds:
    incident_ids: set[int] = field(default_factory=set)
    data_classes: set[str] = field(default_factory=set)


def _exports_duty_incident_ids(now: datetime) -> set[int]:
    """Incidents under a preservation duty recorded by the exports app, when it offers one.
    Imported lazily: exports is optional and sits beside, not below, retention."""
    try:
        exports_services = import_module("trustdesk.exports.services")
    except ImportError:
        return set()
    duty = getattr(exports_services, "preservation_holds_active", None)
    if duty is None:
        return set()
    return {int(pk) for pk in duty(now)}


def active_holds(now: datetime) -> Holds:
    holds = Holds()
    for hold in LegalHold.objects.active(now).select_related("request"):
        if hold.scope == HoldScope.DATA_CLASS:
            holds.data_classes.add(hold.data_class)
        elif hold.scope == HoldScope.INCIDENT and hold.incident_id:
            holds.incident_ids.add(hold.incident_id)
        elif hold.request is not None and hold.request.incident_id:
            holds.incident_ids.add(hold.request.incident_id)
    holds.incident_ids |= _exports_duty_incident_ids(now)
    return holds


def _cutoff(data_class: str, now: datetime) -> datetime | None:
    days = retention_days(data_class)
    return None if days is None else now - timedelta(days=days)


def _kept_by_incident(holds: Holds) -> Q:
    """Reports (via their group) whose incident is held or still running."""
    return Q(group__incident_id__in=holds.incident_ids) | (
        Q(group__incident__isnull=False) & ~Q(group__incident__status__in=ENDED)
    )


@dataclass
class Plan:
    deleted: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _incidents(plan: Plan, holds: Holds, now: datetime, *, execute: bool) -> None:
    cutoff = _cutoff(DataClass.INCIDENTS, now)
    if cutoff is None:
        return
    due = Incident.objects.filter(
        Q(status=IncidentStatus.CLOSED, closed_at__lt=cutoff)
        | Q(status=IncidentStatus.DECLINED, declined_at__lt=cutoff)
    )
    if DataClass.INCIDENTS in holds.data_classes:
        plan.kept[DataClass.INCIDENTS] = due.count()
        return
    plan.kept[DataClass.INCIDENTS] = due.filter(pk__in=holds.incident_ids).count()
    deleted = 0
    for incident in due.exclude(pk__in=holds.incident_ids):
        if not execute:
            deleted += 1
            continue
        try:
            with transaction.atomic():
                incident.delete()
            deleted += 1
        except ProtectedError:
            # Still referenced by a record kept elsewhere (a regulatory request): keep it.
            plan.kept[DataClass.INCIDENTS] += 1
    plan.deleted[DataClass.INCIDENTS] = deleted


def _evidence(plan: Plan, holds: Holds, now: datetime, *, execute: bool) -> None:
    cutoff = _cutoff(DataClass.EVIDENCE, now)
    if cutoff is None:
        return
    due = EvidenceFile.objects.filter(created_at__lt=cutoff)
    if DataClass.EVIDENCE in holds.data_classes:
        plan.kept[DataClass.EVIDENCE] = due.count()
        return
    kept_reports = Report.objects.filter(_kept_by_incident(holds))
    kept = due.filter(uses__report__in=kept_reports).distinct()
    doomed = list(due.exclude(pk__in=kept.values("pk")))
    plan.kept[DataClass.EVIDENCE] = kept.count()
    plan.deleted[DataClass.EVIDENCE] = len(doomed)
    if execute:
        Attachment.objects.filter(evidence__in=doomed).delete()
        EvidenceFile.objects.filter(pk__in=[e.pk for e in doomed]).delete()
    for evidence in doomed:
        plan.files.append(evidence.relative_path)
        if evidence.is_image:
            plan.files.append(evidence.thumbnail_path)


def _reports(plan: Plan, holds: Holds, now: datetime, *, execute: bool) -> None:
    cutoff = _cutoff(DataClass.REPORTS, now)
    if cutoff is None:
        return
    due = Report.objects.filter(received_at__lt=cutoff)
    if DataClass.REPORTS in holds.data_classes:
        plan.kept[DataClass.REPORTS] = due.count()
        return
    kept = due.filter(_kept_by_incident(holds))
    doomed = due.exclude(pk__in=kept.values("pk"))
    plan.kept[DataClass.REPORTS] = kept.count()
    plan.deleted[DataClass.REPORTS] = doomed.count()
    if execute:
        _delete(doomed)


def _notifications(plan: Plan, holds: Holds, now: datetime, *, execute: bool) -> None:
    cutoff = _cutoff(DataClass.NOTIFICATIONS, now)
    if cutoff is None:
        return
    notes = Notification.objects.filter(created_at__lt=cutoff)
    deliveries = Delivery.objects.filter(created_at__lt=cutoff)
    if DataClass.NOTIFICATIONS in holds.data_classes:
        plan.kept[DataClass.NOTIFICATIONS] = notes.count() + deliveries.count()
        return
    plan.kept[DataClass.NOTIFICATIONS] = 0
    plan.deleted[DataClass.NOTIFICATIONS] = notes.count() + deliveries.count()
    if execute:
        _delete(notes)
        _delete(deliveries)


def _exposure(plan: Plan, holds: Holds, now: datetime, *, execute: bool) -> None:
    cutoff = _cutoff(DataClass.EXPOSURE, now)
    if cutoff is None:
        return
    due = apps.get_model("wellbeing", "ExposureEvent").objects.filter(started_at__lt=cutoff)
    if DataClass.EXPOSURE in holds.data_classes:
        plan.kept[DataClass.EXPOSURE] = due.count()
        return
    plan.kept[DataClass.EXPOSURE] = 0
    plan.deleted[DataClass.EXPOSURE] = due.count()
    if execute:
        _delete(due)


def _delete(queryset: QuerySet) -> None:
    # Materialise the ids first: some backends refuse DELETE with a self-referencing subquery.
    queryset.model.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))).delete()


# Incidents go first so their reports fall under the reports rule in the same run; evidence
# goes before reports so a purged report's attachment is decided by the evidence rule.
STEPS = (_incidents, _evidence, _reports, _notifications, _exposure)


def _remove_files(paths: list[str]) -> None:
    for relative in paths:
        try:
            path_of(relative).unlink(missing_ok=True)
        except OSError:
            logger.exception("purge: could not remove %s; remove it by hand", relative)


def run_purge(*, actor: User | None = None, dry_run: bool = False) -> PurgeRun:
    """Purge everything past its retention that no hold or duty keeps, and record the run.
    With ``dry_run`` nothing is deleted: the run records what would have been."""
    now = timezone.now()
    try:
        with transaction.atomic():
            sync_preservation_holds()
            holds = active_holds(now)
            plan = Plan()
            for step in STEPS:
                step(plan, holds, now, execute=not dry_run)
            if not dry_run:
                for hook in before_commit:
                    hook()
            run = PurgeRun.objects.create(
                started_at=now,
                finished_at=timezone.now(),
                status=PurgeStatus.DRY_RUN if dry_run else PurgeStatus.COMMITTED,
                deleted=plan.deleted,
                kept=plan.kept,
                actor=actor,
            )
            audit.record(
                actor=actor,
                action="retention.purge.dry_run" if dry_run else "retention.purge",
                obj=run,
                after={"deleted": plan.deleted, "kept": plan.kept},
            )
            if not dry_run:
                files = list(plan.files)
                transaction.on_commit(lambda: _remove_files(files))
    except Exception as exc:
        logger.exception("purge failed; every deletion was rolled back")
        with transaction.atomic():
            run = PurgeRun.objects.create(
                started_at=now,
                finished_at=timezone.now(),
                status=PurgeStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                actor=actor,
            )
            audit.record(
                actor=actor, action="retention.purge.failed", obj=run, after={"error": run.error}
            )
        raise
    return run
