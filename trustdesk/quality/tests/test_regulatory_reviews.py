"""Regulatory requests are sampled, reviewed against their own rubric, with evidence from
the request's timeline."""

import pytest
from django.urls import reverse

from trustdesk.lib.errors import InvalidInput
from trustdesk.quality import services
from trustdesk.quality.models import Review
from trustdesk.regulatory.models import RegulatoryRequest, RequestEvent

from .factories import closed_request, im_in, lead_in, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead_in("EMEA")
    ines = im_in("EMEA", "ines.im")
    request = closed_request(ines, breached=True, day=12)
    closed_request(im_in("EMEA", "emil.im"), breached=False, day=13)
    run("EMEA")
    review = Review.objects.primary().get(reviewee=ines)
    assert review.request_id == request.pk
    return review


def test_a_breached_request_is_sampled_as_high_risk_under_the_regulatory_rubric(review):
    assert review.stratum == "regulatory_request:high"
    assert review.rubric_version.rubric.slug == "regulatory-response"
    assert review.subject_ref == f"REQ-{review.request_id}"


def test_evidence_comes_from_the_requests_own_timeline(review):
    events = RegulatoryRequest.objects.get(pk=review.request_id).events
    event = events.first()
    given = services.ScoreInput(value=2, evidence=(event.pk,))
    services.save_scores(actor=review.reviewer, review=review, scores={"timeliness": given})
    assert review.scores.get().evidence == [event.pk]
    elsewhere = RequestEvent.objects.exclude(request_id=review.request_id).first()
    assert elsewhere is not None  # another request's timeline
    wrong = services.ScoreInput(value=2, evidence=(elsewhere.pk,))
    with pytest.raises(InvalidInput):
        services.save_scores(actor=review.reviewer, review=review, scores={"timeliness": wrong})


def test_the_review_page_shows_the_request(client, review):
    client.force_login(review.reviewer)
    page = client.get(reverse("quality:review", args=[review.pk])).content.decode()
    assert f"REQ-{review.request_id}" in page
    assert "Deadline met against the legal clock" in page
    assert "breached" in page
