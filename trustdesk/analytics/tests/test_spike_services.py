"""Spike detection over stored reports: alerts, and one suspected incident per spike."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from trustdesk.analytics.models import SpikeAlert, SpikeDetectorState, SpikeStatus
from trustdesk.analytics.spikes.services import detect_spikes
from trustdesk.audit.models import AuditEvent
from trustdesk.intake.models import GroupStatus, Report, ReportGroup
from trustdesk.intake.tests.factories import make_report
from trustdesk.taxonomy.models import Market

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday, on the hour
SELF_HARM = "STATEMENT_CATEGORY_SELF_HARM"
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
CHALLENGE = "A dangerous blackout challenge video is spreading among teenagers at school tonight"


def _baseline(category: str, market: str, per_hour: int = 2) -> None:
    """Four weeks of steady reports, cloned from one received through intake."""
    with time_machine.travel(NOW - timedelta(days=29), tick=False):
        seed = make_report(text="Routine report about a post", market=market, category=category)
    clones = []
    for hour in range(28 * 24):
        at = NOW - timedelta(hours=28 * 24 - hour)
        for k in range(per_hour):
            clones.append(
                Report(
                    channel=seed.channel,
                    received_at=at + timedelta(minutes=10 * k),
                    reporter_type=seed.reporter_type,
                    market=seed.market,
                    category=seed.category,
                    text=seed.text,
                    group=seed.group,
                )
            )
    Report.objects.bulk_create(clones)


def _burst(category: str, market: str, at: datetime, count: int, text: str = CHALLENGE) -> None:
    with time_machine.travel(at + timedelta(minutes=30), tick=False):
        for k in range(count):
            make_report(text=f"{text} {k % 2}", market=market, category=category)


def _suspected() -> list[ReportGroup]:
    return list(ReportGroup.objects.filter(fingerprint__startswith="suspected:"))


def test_it_learns_quietly_from_history_on_its_first_run():
    _baseline(SELF_HARM, "MX")
    summary = detect_spikes(now=NOW)
    assert summary.buckets == 28 * 24 and summary.series == 1
    assert not SpikeAlert.objects.exists() and _suspected() == []
    state = SpikeDetectorState.objects.get()
    assert state.last_bucket_at == NOW - timedelta(hours=1)


def test_it_puts_a_spike_in_triage_with_its_evidence():
    _baseline(SELF_HARM, "MX")
    detect_spikes(now=NOW)
    _burst(SELF_HARM, "MX", NOW, 20)
    summary = detect_spikes(now=NOW + timedelta(hours=1))
    assert summary.opened == 1
    alert = SpikeAlert.objects.get()
    assert (alert.category.code, alert.market.code) == (SELF_HARM, "MX")
    assert alert.started_at == NOW and alert.observed == 20
    assert 1.0 < alert.expected < 4.0 and alert.p_value < 1e-6
    [group] = _suspected()
    assert alert.group == group and group.status == GroupStatus.OPEN
    assert group.title.startswith("Suspected: ") and "blackout challenge" in group.title
    assert group.markets == ["MX"] and group.region == Market.objects.get(code="MX").region
    assert "20 reports in 1 hour(s)" in group.summary
    assert alert.top_groups[0]["reports"] == 20
    assert AuditEvent.objects.filter(action="intake.group.suspected").count() == 1


def test_a_continuing_spike_updates_the_same_alert_and_triage_item():
    _baseline(SELF_HARM, "MX")
    detect_spikes(now=NOW)
    _burst(SELF_HARM, "MX", NOW, 20)
    detect_spikes(now=NOW + timedelta(hours=1))
    _burst(SELF_HARM, "MX", NOW + timedelta(hours=1), 25)
    summary = detect_spikes(now=NOW + timedelta(hours=2))
    assert summary.opened == 0 and summary.updated == 1
    alert = SpikeAlert.objects.get()
    assert alert.buckets == 2 and alert.observed == 45 and alert.peak_observed == 25
    [group] = _suspected()
    assert group.report_count == 45


def test_a_spike_ends_after_quiet_buckets():
    _baseline(SELF_HARM, "MX")
    detect_spikes(now=NOW)
    _burst(SELF_HARM, "MX", NOW, 20)
    detect_spikes(now=NOW + timedelta(hours=1))
    detect_spikes(now=NOW + timedelta(hours=5))
    alert = SpikeAlert.objects.get()
    assert alert.status == SpikeStatus.ENDED and alert.ended_at is not None
    assert len(_suspected()) == 1


def test_running_twice_for_the_same_bucket_changes_nothing():
    _baseline(SELF_HARM, "MX")
    detect_spikes(now=NOW)
    _burst(SELF_HARM, "MX", NOW, 20)
    detect_spikes(now=NOW + timedelta(hours=1))
    again = detect_spikes(now=NOW + timedelta(hours=1, minutes=30))
    assert again.buckets == 0
    assert SpikeAlert.objects.get().buckets == 1 and len(_suspected()) == 1


def test_a_spike_in_a_restricted_category_is_need_to_know_in_triage(auditor, lead):
    _baseline(MINORS, "BR")
    detect_spikes(now=NOW)
    _burst(MINORS, "BR", NOW, 20)
    detect_spikes(now=NOW + timedelta(hours=1))
    [group] = _suspected()
    assert group.restricted
    assert not ReportGroup.objects.visible_to(auditor).filter(pk=group.pk).exists()
    assert ReportGroup.objects.visible_to(lead).filter(pk=group.pk).exists()


def test_reports_without_category_or_market_are_not_counted():
    _baseline(SELF_HARM, "MX")
    detect_spikes(now=NOW)
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        for k in range(20):
            make_report(text=f"{CHALLENGE} {k}")
    assert detect_spikes(now=NOW + timedelta(hours=1)).opened == 0
