"""draft -> in review (reviewers named) -> approved -> published, and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.lib.errors import Conflict, IllegalTransition, InvalidInput
from trustdesk.notify.models import Notification
from trustdesk.postmortems import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita.reviewer", role=Role.LEAD)


def _in_review(pm, im, *reviewers):
    services.set_reviewers(actor=im, postmortem=pm, reviewers=reviewers)
    return services.transition(actor=im, postmortem=pm, to="in_review")


def test_it_needs_a_reviewer_before_review(pm, im):
    with pytest.raises(InvalidInput) as error:
        services.transition(actor=im, postmortem=pm, to="in_review")
    assert error.value.field == "reviewers"


def test_the_author_cannot_be_named_a_reviewer(pm, im):
    with pytest.raises(InvalidInput, match="author cannot review"):
        services.set_reviewers(actor=im, postmortem=pm, reviewers=[im])


def test_a_reviewer_must_be_able_to_see_the_incident(restricted_pm, im, im2):
    with pytest.raises(InvalidInput, match="cannot see"):
        services.set_reviewers(actor=im, postmortem=restricted_pm, reviewers=[im2])


def test_submitting_asks_each_reviewer(pm, im, reviewer, lead):
    pm = _in_review(pm, im, reviewer, lead)
    assert pm.status == "in_review"
    asked = Notification.objects.filter(event_key__startswith=f"pm-review-requested:{pm.pk}:")
    assert {n.recipient for n in asked} == {reviewer, lead}


def test_it_is_approved_when_every_reviewer_approved(pm, im, reviewer, lead):
    pm = _in_review(pm, im, reviewer, lead)
    services.decide(actor=reviewer, postmortem=pm, decision="approved")
    pm.refresh_from_db()
    assert pm.status == "in_review"
    services.decide(actor=lead, postmortem=pm, decision="approved", comment="Clear and fair.")
    pm.refresh_from_db()
    assert pm.status == "approved"
    assert pm.approved_at is not None
    assert pm.comments.get().text == "Clear and fair."


def test_the_author_cannot_approve_their_own(pm, im, reviewer):
    pm = _in_review(pm, im, reviewer)
    with pytest.raises(PermissionDenied, match="Authors cannot approve"):
        services.decide(actor=im, postmortem=pm, decision="approved")


def test_only_named_reviewers_decide(pm, im, reviewer, lead):
    pm = _in_review(pm, im, reviewer)
    with pytest.raises(PermissionDenied, match="named reviewers"):
        services.decide(actor=lead, postmortem=pm, decision="approved")
    pm.refresh_from_db()
    assert pm.status == "in_review"


def test_approval_cannot_be_asked_for_as_a_transition(pm, im, reviewer):
    pm = _in_review(pm, im, reviewer)
    with pytest.raises(InvalidInput, match="reviewers' decisions"):
        services.transition(actor=im, postmortem=pm, to="approved")


def test_requesting_changes_needs_a_comment_and_sends_it_back(pm, im, reviewer):
    pm = _in_review(pm, im, reviewer)
    with pytest.raises(InvalidInput):
        services.decide(actor=reviewer, postmortem=pm, decision="changes_requested")
    services.decide(
        actor=reviewer,
        postmortem=pm,
        decision="changes_requested",
        comment="Say what the tooling showed at the time.",
    )
    pm.refresh_from_db()
    assert pm.status == "draft"
    assert Notification.objects.filter(recipient=im, event_key__startswith="pm-changes:").exists()


def test_resubmitting_resets_earlier_decisions(pm, im, reviewer, lead):
    pm = _in_review(pm, im, reviewer, lead)
    services.decide(actor=reviewer, postmortem=pm, decision="approved")
    services.decide(actor=lead, postmortem=pm, decision="changes_requested", comment="Fix it")
    pm = services.transition(actor=im, postmortem=pm, to="in_review")
    assert set(pm.reviews.values_list("decision", flat=True)) == {"pending"}


def test_publishing_from_draft_is_illegal_and_names_the_allowed(pm, im):
    with pytest.raises(IllegalTransition) as error:
        services.transition(actor=im, postmortem=pm, to="published")
    assert error.value.allowed == ["in_review"]


def test_approved_text_is_locked_and_published_is_final(pm, im, reviewer):
    pm = _in_review(pm, im, reviewer)
    services.decide(actor=reviewer, postmortem=pm, decision="approved")
    with pytest.raises(Conflict, match="locked"):
        services.update(actor=im, postmortem=pm, summary="A late change")
    pm = services.transition(actor=im, postmortem=pm, to="published")
    assert pm.status == "published"
    assert pm.published_at is not None
    assert pm.incident.events.filter(text__contains="post-mortem published").exists()
    with pytest.raises(IllegalTransition) as error:
        services.transition(actor=im, postmortem=pm, to="draft")
    assert error.value.allowed == []
