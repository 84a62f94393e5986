"""Adherence: how often each playbook step is done, skipped, and late.

A step counts as *late* when it was done after its time target, or is still open past it.
Steps are counted across versions by their key, so a step that was reworded stays one row;
a step that is no longer in the current version is listed as removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from trustdesk.incidents.models import Incident, TaskStatus

from .models import AppliedPlaybook, Playbook, Step, StepRun

_FINISHED = (TaskStatus.DONE, TaskStatus.CANCELLED)
REASONS_PER_STEP = 5


@dataclass
class Counts:
    total: int = 0
    done: int = 0
    done_late: int = 0
    skipped: int = 0
    overdue: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.done - self.skipped

    @property
    def late(self) -> int:
        return self.done_late + self.overdue

    def add(self, other: Counts) -> None:
        self.total += other.total
        self.done += other.done
        self.done_late += other.done_late
        self.skipped += other.skipped
        self.overdue += other.overdue


@dataclass
class SkipNote:
    reason: str
    incident_id: int
    skipped_at: datetime | None


@dataclass
class StepRow:
    key: str
    title: str
    role: str
    counts: Counts
    removed: bool = False
    reasons: list[SkipNote] = field(default_factory=list)


@dataclass
class PlaybookRow:
    playbook: Playbook
    applications: int
    counts: Counts
    steps: list[StepRow]


def _annotated(runs: QuerySet[StepRun, Any], now: datetime) -> QuerySet[StepRun, Any]:
    done = Q(task__status=TaskStatus.DONE)
    return runs.annotate(
        total=Count("id"),
        done=Count("id", filter=done),
        done_late=Count(
            "id",
            filter=done & Q(target_at__isnull=False, task__completed_at__gt=F("target_at")),
        ),
        skipped=Count("id", filter=Q(task__status=TaskStatus.CANCELLED)),
        overdue=Count("id", filter=~Q(task__status__in=_FINISHED) & Q(target_at__lt=now)),
    )


def _counts(row: dict[str, int]) -> Counts:
    return Counts(row["total"], row["done"], row["done_late"], row["skipped"], row["overdue"])


def _reasons(runs: QuerySet[StepRun]) -> dict[tuple[int, str], list[SkipNote]]:
    found: dict[tuple[int, str], list[SkipNote]] = defaultdict(list)
    skipped = (
        runs.filter(task__status=TaskStatus.CANCELLED)
        .exclude(skip_reason="")
        .order_by("-skipped_at")
        .values_list(
            "applied__playbook", "step__key", "skip_reason", "applied__incident", "skipped_at"
        )
    )
    for playbook_id, key, reason, incident_id, at in skipped:
        notes = found[(playbook_id, key)]
        if len(notes) < REASONS_PER_STEP:
            notes.append(SkipNote(reason, incident_id, at))
    return found


def _step_rows(
    playbook: Playbook,
    by_key: dict[str, Counts],
    reasons: dict[tuple[int, str], list[SkipNote]],
) -> list[StepRow]:
    rows = []
    current = list(playbook.current.steps.order_by("order")) if playbook.current else []
    for step in current:
        rows.append(
            StepRow(
                step.key,
                step.title,
                step.get_role_display(),
                by_key.pop(step.key, Counts()),
                reasons=reasons.get((playbook.pk, step.key), []),
            )
        )
    for key, counts in by_key.items():
        old = (
            Step.objects.filter(version__playbook=playbook, key=key)
            .order_by("-version__number")
            .first()
        )
        rows.append(
            StepRow(
                key,
                old.title if old else key,
                old.get_role_display() if old else "",
                counts,
                removed=True,
                reasons=reasons.get((playbook.pk, key), []),
            )
        )
    return rows


def library(
    *, since: datetime | None = None, region: str = "", now: datetime | None = None
) -> list[PlaybookRow]:
    """Per playbook and step, over applications since ``since`` (in ``region``)."""
    now = now or timezone.now()
    runs = StepRun.objects.all()
    applied = AppliedPlaybook.objects.all()
    if since is not None:
        runs = runs.filter(applied__applied_at__gte=since)
        applied = applied.filter(applied_at__gte=since)
    if region:
        runs = runs.filter(applied__incident__region=region)
        applied = applied.filter(incident__region=region)
    grouped = _annotated(runs.values("applied__playbook", "step__key").order_by(), now)
    per_playbook: dict[int, dict[str, Counts]] = defaultdict(dict)
    for row in grouped:
        per_playbook[row["applied__playbook"]][row["step__key"]] = _counts(row)
    applications = dict(
        applied.values("playbook").annotate(n=Count("id")).values_list("playbook", "n")
    )
    reasons = _reasons(runs)
    result = []
    for playbook in Playbook.objects.select_related("current").order_by("slug"):
        by_key = per_playbook.get(playbook.pk, {})
        if not by_key and playbook.archived_at is not None:
            continue
        total = Counts()
        for counts in by_key.values():
            total.add(counts)
        steps = _step_rows(playbook, dict(by_key), reasons)
        result.append(PlaybookRow(playbook, applications.get(playbook.pk, 0), total, steps))
    return result


def for_incident(incident: Incident, now: datetime | None = None) -> dict[int, Counts]:
    """Counts per applied playbook on one incident (the checklist and post-mortem)."""
    now = now or timezone.now()
    runs = StepRun.objects.filter(applied__incident=incident)
    grouped = _annotated(runs.values("applied").order_by(), now)
    return {row["applied"]: _counts(row) for row in grouped}
