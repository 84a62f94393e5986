"""/api/v1/quality/reviews: my queue, scoring, answering, with errors naming the field."""

import pytest

from trustdesk.quality.lifecycle import ReviewStatus

from .factories import assigned_review

pytestmark = pytest.mark.django_db

BASE = "/api/v1/quality/reviews"


@pytest.fixture
def review(incident, im, ams_lead):
    return assigned_review(incident, reviewee=im, reviewer=ams_lead)


def _scores(review, value=4):
    return [{"criterion": c.key, "value": value} for c in review.rubric_version.criteria.all()]


def test_my_queue_lists_what_i_have_to_review(client, review, ams_lead, im):
    client.force_login(ams_lead)
    body = client.get(BASE).json()
    assert [(r["id"], r["subject"], r["reviewee"]) for r in body] == [
        (review.pk, f"INC-{review.incident_id}", "ivan.im")
    ]
    client.force_login(im)
    assert client.get(BASE).json() == []


def test_submitting_scores(client, review, ams_lead):
    client.force_login(ams_lead)
    response = client.post(
        f"{BASE}/{review.pk}/scores",
        {"scores": _scores(review), "summary": "Good", "submit": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted"
    assert body["score"] == pytest.approx(0.75)
    assert body["passed"] is True


def test_a_missing_criterion_is_a_422_naming_it(client, review, ams_lead):
    client.force_login(ams_lead)
    response = client.post(
        f"{BASE}/{review.pk}/scores",
        {"scores": _scores(review)[1:], "submit": True},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "scores.severity", "message": "Score this criterion before submitting."}
    ]


def test_an_unknown_field_is_a_422(client, review, ams_lead):
    client.force_login(ams_lead)
    response = client.post(
        f"{BASE}/{review.pk}/scores",
        {"scores": [], "grade": "A"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "grade"


def test_acknowledging_an_unsubmitted_review_is_a_409_with_the_allowed_moves(
    client, review, ams_lead, im
):
    client.force_login(ams_lead)
    client.post(
        f"{BASE}/{review.pk}/scores",
        {"scores": _scores(review), "submit": True},
        content_type="application/json",
    )
    client.force_login(im)
    assert client.post(f"{BASE}/{review.pk}/acknowledge").json()["status"] == "acknowledged"
    response = client.post(
        f"{BASE}/{review.pk}/dispute", {"reason": "Late"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["current"] == ReviewStatus.ACKNOWLEDGED
    assert response.json()["allowed"] == []


def test_the_person_disputes_and_their_lead_resolves(client, review, ams_lead, im, admin):
    client.force_login(ams_lead)
    client.post(
        f"{BASE}/{review.pk}/scores",
        {"scores": _scores(review, 2), "submit": True},
        content_type="application/json",
    )
    client.force_login(im)
    response = client.post(
        f"{BASE}/{review.pk}/dispute", {"reason": "Wrong"}, content_type="application/json"
    )
    assert response.json()["status"] == "disputed"
    client.force_login(admin)
    response = client.post(
        f"{BASE}/{review.pk}/resolve",
        {"resolution": "amended", "note": "Fair point", "scores": {"severity": 4}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["resolution"] == "amended"
