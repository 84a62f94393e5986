"""The daily quality job: scheduled once, samples each region's last complete period,
collects signals, and is harmless to run again."""

import pytest

from trustdesk.core.scheduler import SCHEDULE
from trustdesk.quality.models import AccuracySignal, Review, SamplingRun
from trustdesk.quality.tasks import run_quality_cycle

from .factories import closed_incident, im_in, lead_in

pytestmark = pytest.mark.django_db


def test_the_scheduler_runs_it_daily():
    (job,) = [job for job in SCHEDULE if job.task == "trustdesk.quality.tasks.run_quality_cycle"]
    assert job.every.days == 1


def test_it_samples_every_region_once_and_collects_signals(settings, lead):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead_in("EMEA", "ella.lead")
    ines = im_in("EMEA", "ines.im")
    incident = closed_incident(ines, severity="SEV2")
    incident.events.create(
        kind="field_change",
        text="Changed severity",
        data={"field": "severity", "from": "SEV3", "to": "SEV2"},
        occurred_at=incident.triaged_at.replace(minute=30),
    )
    result = run_quality_cycle.call()
    assert len(result["runs"]) == 3  # AMS, EMEA, APAC
    assert SamplingRun.objects.filter(period_start="2026-03-09").count() == 3
    assert Review.objects.primary().get().reviewee == ines
    assert AccuracySignal.objects.get().person == ines
    again = run_quality_cycle.call()
    assert again["runs"] == result["runs"]
    assert again["signals"] == 0
    assert Review.objects.count() == 2  # the one item, and its blind second review
