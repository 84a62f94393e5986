"""Nobody reviews their own work; reviewers only get items they can already see."""

import pytest
from django.db import IntegrityError

from trustdesk.quality.models import Program, Review, SamplingRun
from trustdesk.quality.sampling import RoundRobin

from .factories import assigned_review, closed_incident, im_in, lead_in, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead = lead_in("EMEA")
    people = [im_in("EMEA", name) for name in ("ines.im", "emil.im", "olga.im")]
    for person in people:
        for day in (10, 11, 12, 13, 14):
            closed_incident(person, day=day, severity="SEV1" if day == 12 else "SEV3")
    return lead, people


def test_every_review_goes_to_someone_other_than_the_person_reviewed(region):
    Program.objects.create(region="EMEA", calibration_share=100)
    run("EMEA")
    reviews = Review.objects.all()
    assert reviews.count() == 3 * 4 * 2  # everyone's four items, each double-reviewed
    assert all(r.reviewer_id != r.reviewee_id for r in reviews)
    for second in reviews.filter(calibration_of__isnull=False):
        assert second.reviewer_id != second.calibration_of.reviewer_id


def test_reviews_are_shared_out_in_turn(region):
    run("EMEA")
    counts = {}
    for review in Review.objects.filter(calibration_of__isnull=True):
        counts[review.reviewer.username] = counts.get(review.reviewer.username, 0) + 1
    # 12 reviews among 4 reviewers (the lead and three incident managers), in turn: each
    # gets about three (skipping a reviewer for their own work shifts the turn by one).
    assert sum(counts.values()) == 12
    assert len(counts) == 4
    assert max(counts.values()) - min(counts.values()) <= 2


def test_a_restricted_incident_goes_only_to_someone_on_its_list(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead = lead_in("EMEA")
    ines = im_in("EMEA", "ines.im")
    im_in("EMEA", "emil.im")
    grooming = closed_incident(
        ines, category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS", severity="SEV1"
    )
    assert grooming.restricted
    run("EMEA")
    review = Review.objects.get(incident=grooming)
    assert review.reviewer == lead  # emil cannot see it; quality review does not widen access
    assert not grooming.access.filter(user__username="emil.im").exists()


def test_an_item_nobody_eligible_can_see_is_listed_as_unassigned(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    ines = im_in("EMEA", "ines.im")
    im_in("EMEA", "emil.im")
    grooming = closed_incident(
        ines, category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS", severity="SEV1"
    )
    run("EMEA")
    assert not Review.objects.filter(incident=grooming).exists()
    assert SamplingRun.objects.get().unassigned == [f"incident:{grooming.pk}"]


def test_the_database_refuses_a_self_review(incident, im):
    with pytest.raises(IntegrityError):
        assigned_review(incident, reviewee=im, reviewer=im)


def test_round_robin_skips_the_excluded_and_those_who_cannot_review():
    turns = RoundRobin([1, 2, 3, 4], start=0)
    picked = [turns.next(exclude={1}, can_review=lambda pk: pk != 3) for _ in range(4)]
    assert picked == [2, 4, 2, 4]
    assert RoundRobin([1], start=5).next(exclude={1}) is None
