"""The review workflow: draft -> in review (reviewers named) -> approved -> published.

Only named reviewers decide, an author never reviews their own text, and the post-mortem is
approved when every named reviewer has approved it. Published is final: it is the record
analytics count.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import Conflict, IllegalTransition, InvalidInput
from trustdesk.notify.services import notify

from ..lifecycle import EDITABLE, VIA_REVIEW, Status, allowed_transitions
from ..models import Comment, Decision, PostMortem, Review
from .common import clean_text, incident_note, link


def _locked(pm: PostMortem) -> PostMortem:
    return (
        PostMortem.objects.select_for_update(of=("self",))
        .select_related("incident__category", "author")
        .get(pk=pm.pk)
    )


def _check_reviewers(pm: PostMortem, reviewers: list[User]) -> None:
    for user in reviewers:
        if pm.author_id == user.pk:
            raise InvalidInput({"reviewers": "The author cannot review their own post-mortem."})
        if not user.is_active:
            raise InvalidInput({"reviewers": f"{user.username}'s account is deactivated."})
        if not Incident.objects.visible_to(user).filter(pk=pm.incident_id).exists():
            raise InvalidInput(
                {"reviewers": f"{user.username} cannot see {pm.incident.ref}; engage them first."}
            )


def _ask_for_review(pm: PostMortem, reviews: Iterable[Review]) -> None:
    round_key = int(pm.submitted_at.timestamp()) if pm.submitted_at else 0
    for review in reviews:
        notify(
            recipients=[review.reviewer],
            event_key=f"pm-review-requested:{pm.pk}:{review.reviewer_id}:{round_key}",
            subject=f"Please review {pm.ref}: {pm.title}"[:200],
            body=f"{pm.incident.ref}. Approve it or request changes.",
            link=link(pm, "panel-review"),
        )


@transaction.atomic
def set_reviewers(*, actor: User, postmortem: PostMortem, reviewers: Iterable[User]) -> PostMortem:
    """Name the reviewers. People added while it is in review are asked at once; decisions
    of reviewers who stay are kept."""
    pm = _locked(postmortem)
    if pm.status not in EDITABLE:
        raise Conflict("Reviewers are fixed once the post-mortem is approved.", field="reviewers")
    wanted = {user.pk: user for user in reviewers}
    _check_reviewers(pm, list(wanted.values()))
    current = {review.reviewer_id: review for review in pm.reviews.all()}
    gone = [pk for pk in current if pk not in wanted]
    pm.reviews.filter(reviewer_id__in=gone).delete()
    added = [
        Review.objects.create(postmortem=pm, reviewer=user, named_by=actor)
        for pk, user in wanted.items()
        if pk not in current
    ]
    if not gone and not added:
        return pm
    if pm.status == Status.IN_REVIEW:
        _ask_for_review(pm, added)
    audit.record(
        actor=actor,
        action="postmortem.reviewers",
        obj=pm,
        after={"reviewers": sorted(user.username for user in wanted.values())},
    )
    return pm


@transaction.atomic
def transition(*, actor: User, postmortem: PostMortem, to: str) -> PostMortem:
    """Submit for review, send back to draft, or publish. Approval is the reviewers'
    (``decide``); an illegal move raises ``IllegalTransition`` naming the allowed ones."""
    pm = _locked(postmortem)
    if to not in Status.values:
        raise InvalidInput({"to": f"Unknown status {to!r}; one of {', '.join(Status.values)}."})
    current, target = Status(pm.status), Status(to)
    if target not in allowed_transitions(current):
        raise IllegalTransition(current, target, allowed_transitions(current))
    if target in VIA_REVIEW:
        raise InvalidInput({"to": "Approval comes from the named reviewers' decisions."})
    now = timezone.now()
    if target == Status.IN_REVIEW:
        reviews = list(pm.reviews.select_related("reviewer"))
        if not reviews:
            raise InvalidInput({"reviewers": "Name at least one reviewer first."})
        pm.reviews.update(decision=Decision.PENDING, decided_at=None)
        pm.submitted_at = now
    if target == Status.DRAFT:
        pm.approved_at = None
    if target == Status.PUBLISHED:
        pm.published_at = now
    pm.status = target
    pm.save()
    audit.record(
        actor=actor,
        action="postmortem.transition",
        obj=pm,
        before={"status": current.value},
        after={"status": target.value},
    )
    if target == Status.IN_REVIEW:
        _ask_for_review(pm, reviews)
    if target == Status.PUBLISHED:
        incident_note(actor=actor, pm=pm, text=f"post-mortem published: {pm.title}")
    return pm


def _tell_author(pm: PostMortem, key: str, subject: str, body: str = "") -> None:
    if pm.author is None:
        return
    notify(
        recipients=[pm.author],
        event_key=f"pm-{key}:{pm.pk}:{int(timezone.now().timestamp())}",
        subject=subject[:200],
        body=body,
        link=link(pm, "panel-review"),
    )


@transaction.atomic
def decide(*, actor: User, postmortem: PostMortem, decision: str, comment: str = "") -> Review:
    """A named reviewer approves, or requests changes (with a comment saying which). The
    last approval approves the post-mortem; a change request sends it back to draft."""
    pm = _locked(postmortem)
    if decision not in (Decision.APPROVED, Decision.CHANGES_REQUESTED):
        raise InvalidInput({"decision": "approved or changes_requested."})
    if pm.author_id == actor.pk:
        raise PermissionDenied("Authors cannot approve their own post-mortem.")
    review = pm.reviews.filter(reviewer=actor).first()
    if review is None:
        raise PermissionDenied("Only the named reviewers decide on a post-mortem.")
    if pm.status != Status.IN_REVIEW:
        raise Conflict(f"It is {pm.get_status_display().lower()}, not in review.", field="status")
    comment = clean_text(comment, field="comment", required=decision != Decision.APPROVED)
    review.decision, review.decided_at = decision, timezone.now()
    review.save(update_fields=["decision", "decided_at"])
    if comment:
        Comment.objects.create(postmortem=pm, author=actor, text=comment)
    audit.record(
        actor=actor,
        action="postmortem.review",
        obj=pm,
        after={"decision": decision, "comment": comment},
    )
    if decision == Decision.CHANGES_REQUESTED:
        pm.status, pm.approved_at = Status.DRAFT, None
        pm.save(update_fields=["status", "approved_at", "updated_at"])
        _tell_author(pm, "changes", f"Changes requested on {pm.ref} by {actor.display_name}")
    elif not pm.reviews.exclude(decision=Decision.APPROVED).exists():
        pm.status, pm.approved_at = Status.APPROVED, review.decided_at
        pm.save(update_fields=["status", "approved_at", "updated_at"])
        _tell_author(pm, "approved", f"{pm.ref} is approved: ready to publish")
    return review


@transaction.atomic
def add_comment(*, actor: User, postmortem: PostMortem, text: str) -> Comment:
    text = clean_text(text, field="text", required=True)
    comment = Comment.objects.create(postmortem=postmortem, author=actor, text=text)
    audit.record(
        actor=actor, action="postmortem.comment", obj=postmortem, after={"comment": comment.pk}
    )
    return comment
