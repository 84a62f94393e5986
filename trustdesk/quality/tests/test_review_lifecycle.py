"""The review lifecycle: legal moves, illegal ones answered 409 naming the allowed moves,
and scoring rules (complete to submit, critical failures explained, evidence on the item)."""

import pytest
from django.core.exceptions import PermissionDenied

from trustdesk.audit.models import AuditEvent
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.lib.errors import IllegalTransition, InvalidInput
from trustdesk.quality import services
from trustdesk.quality.lifecycle import TRANSITIONS, ReviewStatus

from .factories import assigned_review, full_scores, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(incident, im, lead):
    return assigned_review(incident, reviewee=im, reviewer=lead)


def test_every_status_is_in_the_transition_table():
    assert set(TRANSITIONS) == set(ReviewStatus)


def test_a_draft_moves_it_in_progress_and_submitting_scores_it(review, lead):
    services.save_scores(
        actor=lead, review=review, scores={"severity": services.ScoreInput(value=4)}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS
    assert review.score is None  # a draft has no result yet
    review = submit(review, 4, policy=5)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.submitted_at is not None
    assert review.score is not None and review.passed
    assert AuditEvent.objects.filter(action="quality.review.submit", object_id=review.pk).exists()


def test_the_person_acknowledges_a_submitted_review(review, im):
    submit(review)
    review = services.acknowledge(actor=im, review=review)
    assert review.status == ReviewStatus.ACKNOWLEDGED


def test_acknowledging_before_submission_is_an_illegal_transition(review, im):
    with pytest.raises(IllegalTransition) as error:
        services.acknowledge(actor=im, review=review)
    assert error.value.current == "assigned"
    assert error.value.allowed == ["in_progress", "submitted"]


def test_a_submitted_review_cannot_be_scored_again(review, lead):
    submit(review)
    with pytest.raises(IllegalTransition):
        submit(review, 1)


def test_only_the_assigned_reviewer_scores(review, im2):
    with pytest.raises(PermissionDenied):
        services.save_scores(actor=im2, review=review, scores={}, submit=True)


def test_only_the_person_reviewed_answers(review, im2):
    submit(review)
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=im2, review=review)


def test_submitting_needs_every_criterion(review, lead):
    scores = full_scores(review)
    del scores["communication"]
    with pytest.raises(InvalidInput) as error:
        services.save_scores(actor=lead, review=review, scores=scores, submit=True)
    assert error.value.errors == {"scores.communication": "Score this criterion before submitting."}
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED
    assert not review.scores.exists()  # nothing half-written


def test_a_failing_critical_score_needs_a_reason(review, lead):
    scores = full_scores(review, severity=services.ScoreInput(value=1))
    with pytest.raises(InvalidInput) as error:
        services.save_scores(actor=lead, review=review, scores=scores, submit=True)
    assert "say why" in error.value.errors["scores.severity"]


def test_a_critical_failure_fails_the_review(review):
    review = submit(review, 5, severity=1)
    assert review.critical_failures == ["severity"]
    assert review.passed is False
    assert review.score > 0.8  # high overall, failed all the same


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (services.ScoreInput(value=6), "from 1 to 5"),
        (services.ScoreInput(not_applicable=True), "always applies"),
    ],
)
def test_it_refuses_scores_off_the_scale_or_wrongly_not_applicable(review, lead, given, message):
    with pytest.raises(InvalidInput) as error:
        services.save_scores(actor=lead, review=review, scores={"severity": given})
    assert message in error.value.errors["scores.severity"]


def test_not_applicable_is_allowed_where_the_rubric_says(review, lead):
    review = submit(review, 4, stakeholders=services.ScoreInput(not_applicable=True))
    assert review.scores.get(criterion__key="stakeholders").not_applicable


def test_evidence_must_be_on_the_items_own_timeline(review, lead, incident, im):
    own = incident.events.first()
    other = make_incident(actor=im, title="Other").events.first()
    ok = services.ScoreInput(value=4, evidence=(own.pk,))
    services.save_scores(actor=lead, review=review, scores={"documentation": ok})
    assert review.scores.get(criterion__key="documentation").evidence == [own.pk]
    wrong = services.ScoreInput(value=4, evidence=(other.pk,))
    with pytest.raises(InvalidInput, match="own timeline"):
        services.save_scores(actor=lead, review=review, scores={"documentation": wrong})


def test_an_unknown_criterion_is_refused(review, lead):
    with pytest.raises(InvalidInput) as error:
        services.save_scores(
            actor=lead, review=review, scores={"vibes": services.ScoreInput(value=3)}
        )
    assert "scores.vibes" in error.value.errors
