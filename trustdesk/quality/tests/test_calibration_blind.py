"""Double reviews are blind: the second reviewer does not see the first scores (nor the
first the second's) until both are submitted; then agreement shows to leads."""

import pytest
from django.urls import reverse

from trustdesk.quality.calibration import calibration_report
from trustdesk.quality.models import Program, Review

from .factories import PERIOD, assigned_review, closed_incident, im_in, lead_in, run, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    """Ivan's lead (AMS): she sees every review of his work, which is what blindness must
    hold against when she is also the second reviewer."""
    return lead_in("AMS", "lara.lead")


@pytest.fixture
def pair(incident, im, im2, lead):
    first = assigned_review(incident, reviewee=im, reviewer=im2)
    second = assigned_review(incident, reviewee=im, reviewer=lead, calibration_of=first)
    return first, second


def _api(client, user, review):
    client.force_login(user)
    return client.get(f"/api/v1/quality/reviews/{review.pk}").json()


def test_the_second_reviewer_cannot_see_the_first_scores_before_submitting(client, pair, lead):
    first, _second = pair
    submit(first, 2)
    client.force_login(lead)
    page = client.get(reverse("quality:review", args=[first.pk]))
    assert page.status_code == 200
    assert page.context["blind"] is True
    assert "Scores hidden for now" in page.content.decode()
    assert "Solid work." not in page.content.decode()
    body = _api(client, lead, first)
    assert body["scores_hidden"] is True
    assert body["scores"] == [] and body["score"] is None and body["summary"] == ""
    assert body["reviewer"] is None  # nor who gave them
    assert "reviewed by" not in page.content.decode()


def test_a_first_reviewer_who_leads_the_person_cannot_see_the_second_scores(
    client, incident, im, im2, lead
):
    first = assigned_review(incident, reviewee=im, reviewer=lead)
    second = assigned_review(incident, reviewee=im, reviewer=im2, calibration_of=first)
    submit(second, 5)
    assert _api(client, lead, second)["scores_hidden"] is True
    submit(first, 3)
    assert _api(client, lead, second)["scores_hidden"] is False


def test_a_reviewer_who_is_not_a_lead_does_not_even_see_the_other_review(client, pair, im2):
    _first, second = pair
    submit(second, 5)
    client.force_login(im2)
    assert client.get(f"/api/v1/quality/reviews/{second.pk}").status_code == 404


def test_once_both_are_in_each_sees_the_other(client, pair, lead, im2):
    first, second = pair
    submit(first, 2)
    submit(second, 5)
    assert _api(client, lead, first)["scores_hidden"] is False
    assert _api(client, im2, second)["scores_hidden"] is False
    assert len(_api(client, im2, second)["scores"]) == 7


def test_a_share_of_the_sample_is_double_reviewed(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead_in("EMEA")
    people = [im_in("EMEA", n) for n in ("ines.im", "emil.im", "olga.im")]
    for person in people:
        for day in (10, 11, 12, 13, 14):
            closed_incident(person, day=day)
    Program.objects.create(region="EMEA", calibration_share=25)
    run("EMEA")
    primaries = Review.objects.filter(calibration_of__isnull=True).count()
    seconds = Review.objects.filter(calibration_of__isnull=False)
    assert primaries == 12
    assert seconds.count() == 3  # 25% of 12
    assert all(s.reviewer_id not in (s.reviewee_id, s.calibration_of.reviewer_id) for s in seconds)


def test_agreement_is_computed_once_both_reviews_are_in(pair, lead, admin):
    first, second = pair
    submit(first, 4, severity=2)
    report = calibration_report(admin, region="AMS", since=PERIOD)
    assert report.pairs == 0  # the second review is not in yet
    submit(second, 4, severity=4)
    report = calibration_report(admin, region="AMS", since=PERIOD)
    assert report.pairs == 1
    rows = {row.key: row for row in report.criteria}
    assert rows["severity"].percent == 0.0
    assert rows["communication"].percent == 1.0
    assert [(g.primary, g.second, g.criteria) for g in report.gaps] == [
        (first, second, [("Correct severity", 2, 4)])
    ]
