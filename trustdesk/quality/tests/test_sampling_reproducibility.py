"""A sample is reproducible: the same population and seed draw the same items, and a stored
sample can be drawn again from what it recorded."""

from datetime import date

import pytest
import time_machine

from trustdesk.quality import services
from trustdesk.quality.models import Program, Review, SamplingRun
from trustdesk.quality.sampling import Candidate, derive_seed, draw, pick_for_calibration

from .factories import NOW, PERIOD, closed_incident, im_in, lead_in, run

POPULATION = [Candidate(f"incident:{n}", n % 4 == 0) for n in range(1, 41)]


def _keys(seed, population=POPULATION):
    return [c.key for c in draw(population, size=6, high_risk_weight=3, seed=seed)]


def test_the_same_seed_draws_the_same_items():
    assert _keys(12345) == _keys(12345)


def test_the_order_candidates_arrive_in_does_not_matter():
    assert _keys(12345, list(reversed(POPULATION))) == _keys(12345)


def test_different_seeds_draw_different_samples():
    samples = {tuple(sorted(_keys(seed))) for seed in range(20)}
    assert len(samples) > 10


def test_a_seed_depends_on_the_period_the_person_and_the_salt():
    base = derive_seed("EMEA", "2026-03-09", 7, salt="s")
    assert base == derive_seed("EMEA", "2026-03-09", 7, salt="s")
    assert base != derive_seed("EMEA", "2026-03-16", 7, salt="s")
    assert base != derive_seed("EMEA", "2026-03-09", 8, salt="s")
    assert base != derive_seed("EMEA", "2026-03-09", 7, salt="other")
    assert 0 <= base < 2**63


def test_calibration_picks_are_reproducible_and_at_least_one():
    keys = [f"incident:{n}" for n in range(1, 11)]
    assert pick_for_calibration(keys, share=0.2, seed=9) == pick_for_calibration(
        keys, share=0.2, seed=9
    )
    assert len(pick_for_calibration(keys, share=0.2, seed=9)) == 2
    assert len(pick_for_calibration(keys[:2], share=0.1, seed=9)) == 1
    assert pick_for_calibration(keys, share=0, seed=9) == set()


@pytest.mark.django_db
def test_a_stored_sample_draws_again_to_the_same_items(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead_in("EMEA")
    ines = im_in("EMEA", "ines.im")
    im_in("EMEA", "emil.im")
    for day in range(9, 16):
        closed_incident(ines, day=day, severity="SEV2" if day % 3 == 0 else "SEV3")
    sampling_run = run("EMEA")
    sample = sampling_run.samples.get(person=ines)
    assert len(sample.population) == 7
    assert len(sample.chosen) == 4
    assert services.redraw(sample) == sample.chosen
    reviewed = set(
        Review.objects.filter(sample=sample, calibration_of__isnull=True).values_list(
            "incident_id", flat=True
        )
    )
    assert reviewed == {int(key.split(":")[1]) for key in sample.chosen}


@pytest.mark.django_db
def test_a_period_is_sampled_once(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead_in("EMEA")
    ines = im_in("EMEA", "ines.im")
    closed_incident(ines)
    first = run("EMEA")
    count = Review.objects.count()
    assert run("EMEA") == first
    assert SamplingRun.objects.count() == 1
    assert Review.objects.count() == count == 1


@pytest.mark.django_db
def test_a_period_that_has_not_ended_cannot_be_sampled():
    with time_machine.travel(NOW, tick=False), pytest.raises(Exception, match="not ended"):
        services.run_period(region="EMEA", period_start=PERIOD.replace(day=16))


@pytest.mark.django_db
def test_work_already_sampled_is_not_drawn_again_when_periods_overlap(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead_in("EMEA")
    ines = im_in("EMEA", "ines.im")
    first = closed_incident(ines, day=17, month=2)
    run("EMEA", period=date(2026, 2, 16))
    # The region moves to fortnightly periods; the fortnight from 9 February takes in the
    # week from the 16th, already sampled.
    Program.objects.create(region="EMEA", period_days=14)
    second = closed_incident(ines, day=10, month=2)
    fortnight = run("EMEA", period=date(2026, 2, 9))
    sample = fortnight.samples.get(person=ines)
    assert sample.chosen == [f"incident:{second.pk}"]
    assert Review.objects.filter(incident=first, calibration_of__isnull=True).count() == 1
