from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from trustdesk.core.models import ScheduledRun
from trustdesk.core.scheduler import SCHEDULE, Job, current_slot, tick

pytestmark = pytest.mark.django_db

HOURLY = Job("audit-verify-hourly", "trustdesk.audit.tasks.verify_audit_chain", timedelta(hours=1))
NOON = datetime(2026, 11, 25, 12, 10, tzinfo=UTC)


def test_a_slot_is_enqueued_once_however_often_it_ticks():
    assert tick(now=NOON, jobs=[HOURLY]) == [HOURLY.name]
    assert tick(now=NOON + timedelta(minutes=20), jobs=[HOURLY]) == []
    assert ScheduledRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_a_slot_another_scheduler_claimed_is_not_enqueued_again():
    # What a second scheduler process leaves behind when it wins the slot first.
    ScheduledRun.objects.create(name=HOURLY.name, slot=current_slot(HOURLY, NOON))
    assert tick(now=NOON, jobs=[HOURLY]) == []
    assert DBTaskResult.objects.count() == 0


def test_the_next_period_gets_its_own_slot():
    tick(now=NOON, jobs=[HOURLY])
    assert tick(now=NOON + timedelta(hours=1), jobs=[HOURLY]) == [HOURLY.name]
    slots = sorted(ScheduledRun.objects.values_list("slot", flat=True))
    assert slots == [NOON.replace(minute=0), NOON.replace(hour=13, minute=0)]


def test_the_slot_records_the_task_it_enqueued():
    tick(now=NOON, jobs=[HOURLY])
    run = ScheduledRun.objects.get()
    assert run.task_result_id == str(DBTaskResult.objects.get().id)


def test_a_daily_job_with_an_offset_turns_over_at_its_time_of_day():
    nightly = Job("nightly", "x", timedelta(days=1), offset=timedelta(hours=2, minutes=30))
    before = datetime(2026, 11, 25, 2, 29, tzinfo=UTC)
    at = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    assert current_slot(nightly, before) == datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    assert current_slot(nightly, at) == at


def _audit_job():
    return next(job for job in SCHEDULE if job.task == "trustdesk.audit.tasks.verify_audit_chain")


def test_the_audit_chain_is_verified_nightly():
    job = _audit_job()
    assert job.every == timedelta(days=1)
    assert hasattr(import_string(job.task), "enqueue")


def test_every_scheduled_job_names_a_task_that_exists():
    for job in SCHEDULE:
        assert hasattr(import_string(job.task), "enqueue"), job.task


def test_a_worker_runs_what_the_scheduler_enqueued(monkeypatch):
    # Between tasks the worker recycles connections; inside the test's transaction that
    # would close the test's own connection (on PostgreSQL), so it is skipped here.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    assert tick(now=NOON, jobs=[_audit_job()]) == ["audit-verify"]
    call_command("worker", batch=True, startup_delay=False, verbosity=0)
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"ok": True, "checked": 0, "broken_at": None}
