"""The review page: the reviewer scores with the form; the person reviewed reads the result
and acknowledges or disputes it; a lead decides a dispute."""

import pytest
from django.urls import reverse

from trustdesk.quality.lifecycle import ReviewStatus
from trustdesk.quality.models import Review

from .factories import assigned_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(incident, im, ams_lead):
    return assigned_review(incident, reviewee=im, reviewer=ams_lead)


def _form_data(review, value="4", **extra):
    data = {"summary": "Clear timeline.", "action": "submit"}
    for criterion in review.rubric_version.criteria.all():
        data[f"score_{criterion.key}"] = value
        data[f"comment_{criterion.key}"] = ""
    data.update(extra)
    return data


def test_the_reviewer_sees_the_rubric_form_with_the_timeline_to_pick_evidence(
    client, review, ams_lead, incident
):
    client.force_login(ams_lead)
    page = client.get(reverse("quality:review", args=[review.pk])).content.decode()
    assert "Correct severity" in page
    assert 'name="score_severity" value="5"' in page
    assert "Right at triage and kept right" in page  # the anchor for 5
    event = incident.events.first()
    assert f'name="evidence_severity" value="{event.pk}"' in page
    assert "Submit review" in page


def test_submitting_scores_the_review_and_shows_the_result(client, review, ams_lead, incident):
    event = incident.events.first()
    client.force_login(ams_lead)
    data = _form_data(review, evidence_documentation=[str(event.pk)])
    response = client.post(reverse("quality:review_scores", args=[review.pk]), data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.score == pytest.approx(0.75)
    assert review.scores.get(criterion__key="documentation").evidence == [event.pk]
    page = client.get(reverse("quality:review", args=[review.pk])).content.decode()
    assert "75%" in page and "Passed" in page


def test_a_draft_keeps_the_scores_given_so_far(client, review, ams_lead):
    client.force_login(ams_lead)
    data = {"score_severity": "2", "comment_severity": "Late upgrade", "action": "draft"}
    response = client.post(reverse("quality:review_scores", args=[review.pk]), data)
    assert response.status_code == 302
    response = client.get(reverse("quality:review", args=[review.pk]))
    form = response.context["form"]
    assert form["score_severity"].value() == "2"
    assert form["score_policy"].value() in (None, "")
    assert "Late upgrade" in response.content.decode()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.IN_PROGRESS


def test_an_incomplete_submission_is_a_422_naming_the_criterion(client, review, ams_lead):
    client.force_login(ams_lead)
    data = _form_data(review)
    del data["score_policy"]
    response = client.post(reverse("quality:review_scores", args=[review.pk]), data)
    assert response.status_code == 422
    assert response.context["form"].errors["score_policy"] == [
        "Score this criterion before submitting."
    ]
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.ASSIGNED


def test_only_the_reviewer_posts_scores(client, review, im, admin):
    url = reverse("quality:review_scores", args=[review.pk])
    client.force_login(im)  # the person reviewed does not see it before it is submitted
    assert client.post(url, _form_data(review)).status_code == 404
    client.force_login(admin)  # sees it, but it is not hers to score
    assert client.post(url, _form_data(review)).status_code == 403
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.ASSIGNED


def test_the_person_acknowledges_it(client, review, ams_lead, im):
    client.force_login(ams_lead)
    client.post(reverse("quality:review_scores", args=[review.pk]), _form_data(review))
    client.force_login(im)
    page = client.get(reverse("quality:review", args=[review.pk])).content.decode()
    assert "Acknowledge" in page and "Dispute this review" in page
    client.post(reverse("quality:review_answer", args=[review.pk]), {"action": "acknowledge"})
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.ACKNOWLEDGED


def test_the_person_disputes_it_and_the_lead_decides(client, review, ams_lead, im, admin):
    client.force_login(ams_lead)
    client.post(reverse("quality:review_scores", args=[review.pk]), _form_data(review, "2"))
    client.force_login(im)
    client.post(
        reverse("quality:review_answer", args=[review.pk]),
        {"action": "dispute", "reason": "The severity was right."},
    )
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.DISPUTED
    client.force_login(admin)  # lars reviewed it, so another lead (here an admin) decides
    home = client.get(reverse("quality:home")).content.decode()
    assert "The severity was right." in home
    response = client.post(
        reverse("quality:review_resolve", args=[review.pk]),
        {"resolution": "amended", "note": "Severity fine.", "amend_severity": "5"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.resolution) == (ReviewStatus.RESOLVED, "amended")
