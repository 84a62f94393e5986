"""The periodic-work scheduler: enqueues django-tasks on a fixed timetable.

It runs no work itself; workers (``trustdesk worker``) do. Several schedulers may run at once
(one per machine): each period's slot is claimed with a unique insert, so a job is enqueued
once per slot whoever wins.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path to a django-tasks Task
    every: timedelta
    offset: timedelta = timedelta(0)  # e.g. nightly at 02:30 UTC: every=1 day, offset=2h30m


SCHEDULE: list[Job] = [
    Job("postmortem-reminders", "trustdesk.postmortems.tasks.sweep_reminders", timedelta(hours=1)),
    Job("deadline-sweep", "trustdesk.regulatory.tasks.sweep_deadlines", timedelta(minutes=1)),
    Job("notify-deliver", "trustdesk.notify.tasks.deliver_pending", timedelta(minutes=1)),
    Job("dsa-sor-submit", "trustdesk.enforcement.tasks.submit_statements", timedelta(minutes=1)),
    Job("oncall-pages", "trustdesk.oncall.tasks.sweep_pages", timedelta(minutes=1)),
    Job("risk-reminders", "trustdesk.markets.tasks.send_risk_reminders", timedelta(hours=1)),
    Job("spike-detection", "trustdesk.analytics.tasks_spikes.detect_spikes", timedelta(hours=1)),
    # The epoch is a Saturday: 2 days 6 hours on is Monday 06:00 UTC.
    Job(
        "analytics-weekly-report",
        "trustdesk.analytics.tasks.send_weekly_report",
        timedelta(days=7),
        offset=timedelta(days=2, hours=6),
    ),
    Job("wellbeing-sweep", "trustdesk.wellbeing.tasks.sweep_exposures", timedelta(minutes=10)),
    Job(
        "quality-sampling",
        "trustdesk.quality.tasks.run_quality_cycle",
        timedelta(days=1),
        offset=timedelta(hours=3),
    ),
    Job(
        "retention-purge",
        "trustdesk.retention.tasks.purge_expired",
        timedelta(days=1),
        offset=timedelta(hours=4),
    ),
    Job(
        "audit-verify",
        "trustdesk.audit.tasks.verify_audit_chain",
        timedelta(days=1),
        offset=timedelta(hours=2, minutes=30),
    ),
]

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def current_slot(job: Job, now: datetime) -> datetime:
    """Start of the period containing ``now``: epoch + offset + k * every."""
    elapsed = now - _EPOCH - job.offset
    periods = elapsed // job.every
    return _EPOCH + job.offset + periods * job.every


def tick(now: datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Enqueue every job whose current slot has not been claimed yet. Returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs if jobs is not None else SCHEDULE:
        slot = current_slot(job, now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=job.name, slot=slot)
                result = import_string(job.task).enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler took this slot
        logger.info("enqueued %s for slot %s", job.name, slot.isoformat())
        enqueued.append(job.name)
    return enqueued


def run_forever(interval_seconds: float = 30.0) -> None:
    logger.info("scheduler started with %d jobs", len(SCHEDULE))
    while True:
        try:
            tick()
        except Exception:
            logger.exception("scheduler tick failed; trying again next tick")
        time.sleep(interval_seconds)
