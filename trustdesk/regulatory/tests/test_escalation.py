"""Reminders and escalation: the ladder, who hears, and exactly once per level."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path

import pytest
from django.db import connection, connections

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.audit.models import AuditEvent
from trustdesk.core.scheduler import SCHEDULE, tick
from trustdesk.notify.models import Notification
from trustdesk.regulatory import deadlines, escalation, regimes, services
from trustdesk.regulatory.models import (
    Authority,
    Escalation,
    Jurisdiction,
    Rule,
    RuleVersion,
)
from trustdesk.regulatory.tasks import sweep_deadlines

from .factories import make_request, utc

RECEIVED = utc("2026-11-20 00:00")  # AU-OSA-S109: 24 h, due 2026-11-21 00:00 UTC


def _notified(level: str) -> set[str]:
    rows = Notification.objects.filter(event_key__endswith=f".{level}")
    return set(rows.values_list("recipient__username", flat=True))


@pytest.fixture
def request_due(db, im, time_machine):
    time_machine.move_to(RECEIVED, tick=False)
    return make_request(actor=im, rule="AU-OSA-S109", received_at=RECEIVED)


@pytest.mark.django_db
def test_the_ladder_reaches_owner_then_regional_lead_then_lead_on_duty_elsewhere(
    request_due, im, lead, ams_lead, apac_lead, time_machine
) -> None:
    assert request_due.region == "APAC"
    time_machine.move_to(utc("2026-11-20 11:59"), tick=False)
    assert escalation.sweep() == 0
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)
    assert escalation.sweep() == 1
    assert _notified("50") == {im.username}
    time_machine.move_to(utc("2026-11-20 12:05"), tick=False)
    assert escalation.sweep() == 0
    time_machine.move_to(utc("2026-11-20 18:00"), tick=False)
    escalation.sweep()
    assert _notified("75") == {im.username, apac_lead.username}
    # 21:40 UTC is 16:40 in New York (AMS on duty), 21:40 in Dublin (EMEA off duty).
    time_machine.move_to(utc("2026-11-20 21:40"), tick=False)
    escalation.sweep()
    assert _notified("90") == {im.username, apac_lead.username, ams_lead.username}
    # Just after the breach nobody elsewhere is in working hours: every other lead is told.
    time_machine.move_to(utc("2026-11-21 00:01"), tick=False)
    escalation.sweep()
    breach = _notified("breach")
    assert breach == {im.username, apac_lead.username, ams_lead.username, lead.username}
    note = Notification.objects.get(recipient=im, event_key__endswith=".breach")
    assert note.subject.startswith("Deadline breached: REQ-")
    assert "Due Sat 21 Nov 2026 11:00 Australia/Sydney (2026-11-21 00:00 UTC)" in note.body
    assert Notification.objects.count() == 1 + 2 + 3 + 4
    assert escalation.sweep() == 0
    request_due.refresh_from_db()
    assert request_due.next_escalation_at is None
    assert AuditEvent.objects.filter(action="regulatory.request.escalate").count() == 4


@pytest.mark.django_db
def test_levels_crossed_together_notify_once_for_the_highest(
    request_due, im, apac_lead, time_machine
) -> None:
    time_machine.move_to(utc("2026-11-20 22:00"), tick=False)
    assert escalation.sweep() == 1
    rows = {e.level: e.superseded for e in Escalation.objects.all()}
    assert rows == {"50": True, "75": True, "90": False}
    assert Notification.objects.filter(recipient=im).count() == 1
    assert Notification.objects.get(recipient=im).event_key.endswith(".90")


@pytest.mark.django_db
def test_paused_and_met_clocks_do_not_escalate(request_due, im, time_machine) -> None:
    time_machine.move_to(utc("2026-11-20 06:00"), tick=False)
    deadlines.pause_clock(actor=im, request=request_due, reason="Awaiting the full notice")
    time_machine.move_to(utc("2026-11-21 06:00"), tick=False)
    assert escalation.sweep() == 0
    deadlines.resume_clock(actor=im, request=request_due)
    request_due.refresh_from_db()
    # 18 h were left at the pause; the 50% mark (12 h left) is 6 h after resuming.
    assert request_due.next_escalation_at == utc("2026-11-21 12:00")
    services.transition(actor=im, request=request_due, to="acknowledged")
    services.record_action(actor=im, request=request_due)
    time_machine.move_to(utc("2026-11-23 00:00"), tick=False)
    assert escalation.sweep() == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_an_unowned_request_goes_to_the_regional_lead(
    request_due, im, apac_lead, time_machine
) -> None:
    services.assign_owner(actor=im, request=request_due, owner=None)
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)
    escalation.sweep()
    assert _notified("50") == {apac_lead.username}


@pytest.mark.django_db
def test_with_no_owner_and_no_leads_the_administrators_hear(
    request_due, im, admin, time_machine
) -> None:
    services.assign_owner(actor=im, request=request_due, owner=None)
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)
    escalation.sweep()
    assert _notified("50") == {admin.username}


def test_the_scheduler_runs_the_sweep_every_minute() -> None:
    job = next(j for j in SCHEDULE if j.task == "trustdesk.regulatory.tasks.sweep_deadlines")
    assert job.every.total_seconds() == 60


@pytest.mark.django_db
def test_a_scheduler_tick_enqueues_the_sweep_and_the_task_runs_it(request_due, time_machine):
    assert "deadline-sweep" in tick(now=utc("2026-11-20 12:00"))
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)
    assert sweep_deadlines.call() == {"escalated": 1}


@contextmanager
def file_database(tmp_path: Path) -> Iterator[Path]:
    """Run new connections against a file copy of the test database, as production does.

    The default test database is SQLite in memory with a shared cache, where a second writer
    fails at once ("table is locked") instead of waiting its turn. Production runs SQLite on
    a file in WAL mode with IMMEDIATE transactions and a busy timeout (or PostgreSQL), where a
    second worker waits and then sees the first one's work. New connections (the worker
    threads') open the copy; this thread keeps its own and reads the copy back at the end.
    """
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield path
    finally:
        settings_dict["NAME"] = original


def _racing_database(tmp_path: Path) -> AbstractContextManager[Path | None]:
    # PostgreSQL is already a server the worker threads share, with real row locks.
    return file_database(tmp_path) if connection.vendor == "sqlite" else nullcontext()


def _rows(path: Path | None, sql: str, *params: object) -> list[tuple]:
    if path is None:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall()
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql, params).fetchall()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_escalate_once_per_level(
    time_machine, monkeypatch, caplog, tmp_path
) -> None:
    """Two sweeps race on the same breached request in two threads (two connections). Both
    have listed the request as due before either claims it: the worst interleaving."""
    regimes.load_pack(regimes.Models(Jurisdiction, Authority, Rule, RuleVersion))
    owner = UserFactory(username="owen.owner", role=Role.INCIDENT_MANAGER, region="APAC")
    UserFactory(username="lee.apaclead", role=Role.LEAD, region="APAC")
    UserFactory(username="eve.emealead", role=Role.LEAD, region="EMEA")
    time_machine.move_to(RECEIVED, tick=False)
    request = make_request(actor=owner, rule="AU-OSA-S109", received_at=RECEIVED)
    now = utc("2026-11-21 00:30")
    listed = threading.Barrier(2, timeout=10)
    claim = escalation.escalate_one

    def claim_after_both_listed(pk: int, when: datetime) -> int:
        listed.wait()
        return claim(pk, when)

    monkeypatch.setattr(escalation, "escalate_one", claim_after_both_listed)
    fired: list[int] = []

    def worker() -> None:
        try:
            fired.append(escalation.sweep(now=now))
        finally:
            connection.close()

    with _racing_database(tmp_path) as path:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    assert sorted(fired) == [0, 1]
    levels = _rows(path, "SELECT level FROM regulatory_escalation WHERE request_id = ?", request.pk)
    assert sorted(level for (level,) in levels) == ["50", "75", "90", "breach"]
    notified = _rows(
        path,
        "SELECT u.username FROM notify_notification n JOIN accounts_user u "
        "ON u.id = n.recipient_id WHERE n.event_key LIKE ?",
        f"regulatory.request.{request.pk}.%",
    )
    assert sorted(name for (name,) in notified) == ["eve.emealead", "lee.apaclead", "owen.owner"]


@pytest.mark.django_db
def test_quiet_hours_hold_early_reminders_but_not_a_clock_about_to_run_out(
    request_due, im, time_machine
) -> None:
    from datetime import time

    from trustdesk.notify.models import Delivery, Preference

    im.tz = "UTC"
    im.save(update_fields=["tz"])
    quiet = Preference.objects.create(user=im, quiet_from=time(6, 0), quiet_until=time(23, 0))
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)  # 50%: 12 h left
    escalation.sweep()
    early = Delivery.objects.get(recipient=im, event_key__endswith=".50")
    assert early.next_attempt_at == utc("2026-11-20 23:00")

    quiet.quiet_from, quiet.quiet_until = time(20, 0), time(7, 0)
    quiet.save()
    time_machine.move_to(utc("2026-11-20 23:50"), tick=False)  # 90% crossed, 10 min left
    escalation.sweep()
    late = Delivery.objects.get(recipient=im, event_key__endswith=".90")
    assert late.next_attempt_at == utc("2026-11-20 23:50")
