"""Disputes go to the person's lead, who upholds, amends or withdraws the review."""

import pytest
from django.core.exceptions import PermissionDenied

from trustdesk.accounts.models import Membership, Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.lib.errors import InvalidInput
from trustdesk.notify.models import Notification
from trustdesk.quality import services
from trustdesk.quality.lifecycle import Resolution, ReviewStatus
from trustdesk.quality.models import Review

from .factories import assigned_review, site, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ams_lead(db):
    return UserFactory(username="lars.lead", role=Role.LEAD, region="AMS")


@pytest.fixture
def disputed(incident, im, im2, ams_lead):
    review = submit(assigned_review(incident, reviewee=im, reviewer=im2), 2)
    return services.dispute(actor=im, review=review, reason="Severity was right at the time.")


def test_a_dispute_notifies_the_persons_leads_and_not_the_reviewer(disputed, ams_lead, im2, lead):
    assert disputed.status == ReviewStatus.DISPUTED
    told = Notification.objects.filter(event_key=f"quality.review.{disputed.pk}.disputed")
    assert [n.recipient for n in told] == [ams_lead]  # lena leads EMEA, not ivan's AMS
    assert "Severity was right" in told.get().body


def test_a_team_lead_is_told_too(incident, im, im2, ams_lead):
    team = site("ams-im", "AMS")
    team_lead = UserFactory(username="tess.teamlead", role=Role.INCIDENT_MANAGER, region="AMS")
    Membership.objects.create(team=team, user=im)
    Membership.objects.create(team=team, user=team_lead, is_lead=True)
    review = submit(assigned_review(incident, reviewee=im, reviewer=im2))
    services.dispute(actor=im, review=review, reason="No.")
    told = set(
        Notification.objects.filter(event_key__endswith="disputed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"lars.lead", "tess.teamlead"}


def test_with_no_lead_but_the_reviewer_admins_decide(incident, im, ams_lead, admin):
    review = submit(assigned_review(incident, reviewee=im, reviewer=ams_lead))
    services.dispute(actor=im, review=review, reason="No.")
    told = Notification.objects.filter(event_key__endswith="disputed")
    assert [n.recipient for n in told] == [admin]


def test_a_dispute_needs_a_reason(incident, im, im2):
    review = submit(assigned_review(incident, reviewee=im, reviewer=im2))
    with pytest.raises(InvalidInput):
        services.dispute(actor=im, review=review, reason="  ")


def test_the_lead_upholds_it(disputed, ams_lead, im, im2):
    review = services.resolve(
        actor=ams_lead, review=disputed, resolution=Resolution.UPHELD, note="Scores stand."
    )
    assert review.status == ReviewStatus.RESOLVED
    assert Review.objects.counted().filter(pk=review.pk).exists()
    told = Notification.objects.filter(event_key=f"quality.review.{review.pk}.resolved")
    assert {n.recipient for n in told} == {im, im2}


def test_the_lead_amends_a_score_and_the_result_follows(disputed, ams_lead):
    before = disputed.score
    review = services.resolve(
        actor=ams_lead,
        review=disputed,
        resolution=Resolution.AMENDED,
        note="Severity was right.",
        amended={"severity": 5},
    )
    score = review.scores.get(criterion__key="severity")
    assert (score.value, score.amended_from) == (5, 2)
    assert review.score > before


def test_withdrawn_reviews_leave_the_scorecard(disputed, ams_lead):
    assert not Review.objects.counted().filter(pk=disputed.pk).exists()  # pending: not counted
    services.resolve(
        actor=ams_lead, review=disputed, resolution=Resolution.WITHDRAWN, note="Unfair sample."
    )
    assert not Review.objects.counted().filter(pk=disputed.pk).exists()


@pytest.mark.parametrize("who", ["im2", "im", "lead"])
def test_the_reviewer_the_person_and_other_regions_leads_cannot_decide(disputed, request, who):
    with pytest.raises(PermissionDenied):
        services.resolve(
            actor=request.getfixturevalue(who),
            review=disputed,
            resolution=Resolution.UPHELD,
            note="Mine to decide?",
        )
