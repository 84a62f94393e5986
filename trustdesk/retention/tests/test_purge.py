"""The purge deletes what is past retention and nothing a hold or duty keeps."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from trustdesk.audit.models import AuditEvent
from trustdesk.audit.services import verify_chain
from trustdesk.incidents.models import Incident
from trustdesk.intake.evidence import path_of
from trustdesk.intake.models import EvidenceFile, Report
from trustdesk.notify.models import Notification
from trustdesk.notify.services import notify
from trustdesk.regulatory.tests.factories import make_request
from trustdesk.retention import purge, services
from trustdesk.retention.models import HoldScope, PurgeRun, PurgeStatus

from .conftest import LONG_AGO, NOW

pytestmark = pytest.mark.django_db


def _evidence_path(incident):
    evidence = EvidenceFile.objects.get(uses__report__group__incident=incident)
    return path_of(evidence.relative_path)


def test_it_deletes_a_declined_incident_its_reports_and_evidence(
    old_declined, at_now, django_capture_on_commit_callbacks
):
    stored = _evidence_path(old_declined)
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = purge.run_purge()
    assert run.status == PurgeStatus.COMMITTED
    assert not Incident.objects.filter(pk=old_declined.pk).exists()
    assert not Report.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert not stored.exists()
    assert run.deleted == {
        "incidents": 1,
        "evidence": 1,
        "reports": 1,
        "notifications": 0,
        "exposure": 0,
    }


def test_it_keeps_an_open_incident_and_its_reports(old_open, at_now):
    run = purge.run_purge()
    assert Incident.objects.filter(pk=old_open.pk).exists()
    assert run.deleted["incidents"] == 0


def test_it_keeps_everything_of_an_incident_under_a_legal_hold(
    old_declined, lead, at_now, django_capture_on_commit_callbacks
):
    services.place_hold(
        actor=lead, scope=HoldScope.INCIDENT, incident=old_declined, reason="Litigation 24-117"
    )
    stored = _evidence_path(old_declined)
    with django_capture_on_commit_callbacks(execute=True):
        run = purge.run_purge()
    assert Incident.objects.filter(pk=old_declined.pk).exists()
    assert Report.objects.count() == 1
    assert stored.exists()
    assert run.kept == {
        "incidents": 1,
        "evidence": 1,
        "reports": 1,
        "notifications": 0,
        "exposure": 0,
    }
    assert run.deleted["incidents"] == 0


def test_it_purges_once_the_hold_is_released(old_declined, lead, at_now):
    hold = services.place_hold(
        actor=lead, scope=HoldScope.INCIDENT, incident=old_declined, reason="Litigation 24-117"
    )
    services.release_hold(actor=lead, hold=hold, reason="Case settled")
    purge.run_purge()
    assert not Incident.objects.filter(pk=old_declined.pk).exists()


def test_it_purges_once_the_hold_has_ended(old_declined, lead):
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        services.place_hold(
            actor=lead,
            scope=HoldScope.INCIDENT,
            incident=old_declined,
            reason="Litigation 24-117",
            ends_at=NOW - timedelta(days=1),
        )
    with time_machine.travel(NOW, tick=False):
        purge.run_purge()
    assert not Incident.objects.filter(pk=old_declined.pk).exists()


def test_it_keeps_a_whole_data_class_under_hold(old_declined, admin, at_now):
    services.place_hold(
        actor=admin, scope=HoldScope.DATA_CLASS, data_class="reports", reason="Regulator audit"
    )
    run = purge.run_purge()
    assert Report.objects.count() == 1
    assert run.kept["reports"] == 1
    assert not Incident.objects.filter(pk=old_declined.pk).exists()


def test_it_keeps_reports_under_a_regulatory_preservation_request_until_its_period_ends(
    old_declined, im
):
    request_received = NOW - timedelta(days=10)
    with time_machine.travel(request_received, tick=False):
        request = make_request(
            actor=im,
            rule="US-2703F",
            received_at=request_received,
            requested_actions=["preserve"],
            incident=old_declined,
        )
    with time_machine.travel(NOW, tick=False):
        run = purge.run_purge()
    hold = request.legal_holds.get()
    assert hold.ends_at is not None and hold.ends_at > NOW + timedelta(days=75)
    assert Report.objects.count() == 1
    assert run.kept["reports"] == 1
    with time_machine.travel(hold.ends_at + timedelta(days=1), tick=False):
        purge.run_purge()
    assert Report.objects.count() == 0


def test_it_rolls_everything_back_when_the_run_fails(
    old_declined, at_now, django_capture_on_commit_callbacks, monkeypatch
):
    stored = _evidence_path(old_declined)

    def explode():
        raise RuntimeError("disk full while recording")

    monkeypatch.setattr(purge, "before_commit", [explode])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        purge.run_purge()
    assert Incident.objects.filter(pk=old_declined.pk).exists()
    assert Report.objects.count() == 1
    assert EvidenceFile.objects.count() == 1
    assert stored.exists()
    failed = PurgeRun.objects.get()
    assert failed.status == PurgeStatus.FAILED
    assert "disk full" in failed.error


def test_a_dry_run_deletes_nothing_and_says_what_it_would(old_declined, at_now):
    run = purge.run_purge(dry_run=True)
    assert run.status == PurgeStatus.DRY_RUN
    assert run.deleted["incidents"] == 1
    assert Incident.objects.filter(pk=old_declined.pk).exists()
    assert Report.objects.count() == 1


def test_it_deletes_old_notifications_only(im, at_now):
    with time_machine.travel(LONG_AGO, tick=False):
        notify(recipients=[im], event_key="old", subject="Old news")
    notify(recipients=[im], event_key="new", subject="Fresh")
    purge.run_purge()
    assert list(Notification.objects.values_list("event_key", flat=True)) == ["new"]


def test_it_follows_an_administrators_policy_override(old_declined, admin, at_now):
    services.set_policy(actor=admin, data_class="incidents", keep_days=None)
    run = purge.run_purge()
    assert Incident.objects.filter(pk=old_declined.pk).exists()
    assert "incidents" not in run.deleted


def test_it_audits_the_run_and_the_chain_still_verifies(old_declined, at_now):
    run = purge.run_purge()
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.object_id == str(run.pk)
    assert event.after["deleted"]["incidents"] == 1
    assert verify_chain().ok


def test_the_command_dry_run_prints_counts(old_declined, at_now, capsys):
    call_command("purge", "--dry-run")
    out = capsys.readouterr().out
    assert "Would delete 1 incidents" in out
    assert Incident.objects.filter(pk=old_declined.pk).exists()


def test_it_deletes_old_wellbeing_exposure_events(im, at_now):
    from trustdesk.taxonomy.models import Category
    from trustdesk.wellbeing.models import ExposureEvent

    category = Category.objects.first()
    ExposureEvent.objects.create(user=im, category=category, kind="media", started_at=LONG_AGO)
    ExposureEvent.objects.create(user=im, category=category, kind="media", started_at=NOW)
    run = purge.run_purge()
    assert run.deleted["exposure"] == 1
    assert list(ExposureEvent.objects.values_list("started_at", flat=True)) == [NOW]


def test_it_honours_a_preservation_duty_from_the_exports_app(old_declined, at_now):
    from trustdesk.exports.models import PreservationDuty, PreservationReason

    PreservationDuty.objects.create(
        incident=old_declined,
        reason=next(iter(PreservationReason)),
        starts_at=NOW - timedelta(days=10),
        ends_at=NOW + timedelta(days=355),
    )
    run = purge.run_purge()
    assert Report.objects.count() == 1
    assert EvidenceFile.objects.count() == 1
    assert run.kept["reports"] == 1
