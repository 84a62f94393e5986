"""Scoring a review and what follows: acknowledge, dispute, resolve, reassign.

Each function runs in one transaction and writes its audit event. Nothing here writes to the
incident's timeline: reviews are private to the person, their leads and the reviewer, and
an incident's timeline is read by stakeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import Conflict, IllegalTransition, InvalidInput
from trustdesk.quality import access, stats, subjects
from trustdesk.quality.lifecycle import (
    TO_DO,
    Resolution,
    ReviewStatus,
    allowed_transitions,
)
from trustdesk.quality.models import Criterion, Review, Score
from trustdesk.quality.people import is_lead_of, leads_of

from .common import admins, clean_text, tell

MAX_COMMENT = 5000


@dataclass(frozen=True)
class ScoreInput:
    """One criterion's score as given. A draft may leave ``value`` empty; ``not_applicable``
    is only for criteria that allow it."""

    value: int | None = None
    not_applicable: bool = False
    comment: str = ""
    evidence: tuple[int, ...] = field(default_factory=tuple)


def _locked(review: Review) -> Review:
    return (
        Review.objects.select_for_update()
        .select_related("reviewee", "reviewer", "rubric_version")
        .get(pk=review.pk)
    )


def _move(review: Review, target: ReviewStatus) -> str:
    current = review.status
    allowed = allowed_transitions(current)
    if target not in allowed:
        raise IllegalTransition(current, target, allowed)
    review.status = target
    return current


def _criteria(review: Review) -> dict[str, Criterion]:
    return {c.key: c for c in review.rubric_version.criteria.all()}


def _check_one(
    criterion: Criterion, given: ScoreInput, *, complete: bool, evidence_ok: set[int]
) -> str:
    """The problem with one criterion's score, or ``""``."""
    if given.not_applicable:
        if not criterion.allow_na:
            return "This criterion always applies: give a score."
        if given.value is not None:
            return "Give a score or mark it not applicable, not both."
    elif given.value is None:
        if complete:
            return "Score this criterion before submitting."
    elif not criterion.scale_min <= given.value <= criterion.scale_max:
        return f"Give a score from {criterion.scale_min} to {criterion.scale_max}."
    comment = (given.comment or "").strip()
    if "\x00" in comment or len(comment) > MAX_COMMENT:
        return f"The comment must be plain text of at most {MAX_COMMENT:,} characters."
    stray = set(given.evidence) - evidence_ok
    if stray:
        return "Evidence must be events on this item's own timeline."
    failing = (
        criterion.critical
        and given.value is not None
        and criterion.pass_threshold is not None
        and given.value < criterion.pass_threshold
    )
    if complete and failing and not comment:
        return "This score fails the review: say why in the comment."
    return ""


def _validate(
    review: Review,
    criteria: dict[str, Criterion],
    scores: Mapping[str, ScoreInput],
    *,
    complete: bool,
) -> None:
    errors = {f"scores.{key}": "Not a criterion of this rubric." for key in scores}
    for key in criteria:
        errors.pop(f"scores.{key}", None)
    evidence_ok = subjects.event_ids(review) if any(s.evidence for s in scores.values()) else set()
    for key, criterion in criteria.items():
        if key not in scores:
            if complete:
                errors[f"scores.{key}"] = "Score this criterion before submitting."
            continue
        problem = _check_one(criterion, scores[key], complete=complete, evidence_ok=evidence_ok)
        if problem:
            errors[f"scores.{key}"] = problem
    if errors:
        raise InvalidInput(errors)


def result_of(review: Review) -> stats.Result:
    """The weighted score and pass/fail of the review's stored scores."""
    ratings = [
        stats.Rated(
            key=s.criterion.key,
            value=None if s.not_applicable else s.value,
            scale_min=s.criterion.scale_min,
            scale_max=s.criterion.scale_max,
            weight=float(s.criterion.weight),
            critical=s.criterion.critical,
            pass_threshold=s.criterion.pass_threshold,
        )
        for s in review.scores.select_related("criterion")
    ]
    return stats.weighted_score(ratings, pass_mark=review.rubric_version.pass_mark / 100)


def _store_result(review: Review) -> None:
    result = result_of(review)
    review.score = result.score
    review.passed = result.passed
    review.critical_failures = list(result.critical_failures)


def _link(review: Review) -> str:
    return reverse("quality:review", args=[review.pk])


@transaction.atomic
def save_scores(
    *,
    actor: User,
    review: Review,
    scores: Mapping[str, ScoreInput],
    summary: str = "",
    submit: bool = False,
) -> Review:
    """Save the reviewer's scores; ``submit`` also checks every criterion is scored, fixes
    the result and shows it to the person reviewed. Only the assigned reviewer may score,
    and only until submission (a 409 names the status)."""
    review = _locked(review)
    if actor.pk != review.reviewer_id:
        raise PermissionDenied("Only the assigned reviewer scores this review.")
    target = ReviewStatus.SUBMITTED if submit else ReviewStatus.IN_PROGRESS
    if review.status not in TO_DO:
        raise IllegalTransition(review.status, target, allowed_transitions(review.status))
    criteria = _criteria(review)
    _validate(review, criteria, scores, complete=submit)
    review.summary = clean_text(summary, field="summary", max_length=MAX_COMMENT)
    for key, given in scores.items():
        Score.objects.update_or_create(
            review=review,
            criterion=criteria[key],
            defaults={
                "value": None if given.not_applicable else given.value,
                "not_applicable": given.not_applicable,
                "comment": (given.comment or "").strip(),
                "evidence": sorted(set(given.evidence)),
            },
        )
    now = timezone.now()
    review.started_at = review.started_at or now
    if review.status == ReviewStatus.ASSIGNED or submit:
        _move(review, target)
    if submit:
        review.submitted_at = now
        _store_result(review)
    review.save()
    audit.record(
        actor=actor,
        action="quality.review.submit" if submit else "quality.review.draft",
        obj=review,
        after={"status": review.status, "score": review.score, "passed": review.passed},
    )
    if submit and not review.is_calibration:
        tell(
            [review.reviewee],
            event_key=f"quality.review.{review.pk}.submitted",
            subject=f"Your work on {review.subject_ref} was reviewed",
            body="Read the scores and comments; acknowledge them or dispute them.",
            link=_link(review),
        )
    return review


def _answerable(actor: User, review: Review) -> Review:
    review = _locked(review)
    if actor.pk != review.reviewee_id:
        raise PermissionDenied("Only the person reviewed answers a review.")
    if review.is_calibration:
        raise Conflict("A calibration review is not answered; it measures the reviewers.")
    return review


@transaction.atomic
def acknowledge(*, actor: User, review: Review) -> Review:
    """The person reviewed has read the review and accepts it."""
    review = _answerable(actor, review)
    before = _move(review, ReviewStatus.ACKNOWLEDGED)
    review.answered_at = timezone.now()
    review.save(update_fields=["status", "answered_at"])
    audit.record(
        actor=actor,
        action="quality.review.acknowledge",
        obj=review,
        before={"status": before},
        after={"status": review.status},
    )
    return review


@transaction.atomic
def dispute(*, actor: User, review: Review, reason: str) -> Review:
    """The person reviewed disagrees; their leads (admins when they have none other than
    the reviewer) are told and one of them decides."""
    review = _answerable(actor, review)
    reason = clean_text(reason, field="reason", max_length=MAX_COMMENT, required=True)
    before = _move(review, ReviewStatus.DISPUTED)
    review.answered_at = timezone.now()
    review.dispute_reason = reason
    review.save(update_fields=["status", "answered_at", "dispute_reason"])
    audit.record(
        actor=actor,
        action="quality.review.dispute",
        obj=review,
        before={"status": before},
        after={"status": review.status, "reason": reason},
    )
    deciders = list(leads_of(review.reviewee).exclude(pk=review.reviewer_id)) or [
        a for a in admins() if a.pk != review.reviewer_id
    ]
    tell(
        deciders,
        event_key=f"quality.review.{review.pk}.disputed",
        subject=f"{review.reviewee.display_name} disputes the review of {review.subject_ref}",
        body=reason[:500],
        link=_link(review),
    )
    return review


def _amend(review: Review, amended: Mapping[str, int | None]) -> list[str]:
    criteria = _criteria(review)
    current = {s.criterion.key: s for s in review.scores.select_related("criterion")}
    changed = []
    for key, value in amended.items():
        score = current.get(key)
        if score is None or key not in criteria:
            raise InvalidInput({f"scores.{key}": "Not a scored criterion of this review."})
        given = ScoreInput(value=value, not_applicable=value is None, comment=score.comment)
        problem = _check_one(criteria[key], given, complete=True, evidence_ok=set())
        if problem:
            raise InvalidInput({f"scores.{key}": problem})
        if score.value != value:
            if score.amended_from is None:
                score.amended_from = score.value
            score.value = value
            score.not_applicable = value is None
            score.save(update_fields=["value", "not_applicable", "amended_from"])
            changed.append(key)
    return changed


@transaction.atomic
def resolve(
    *,
    actor: User,
    review: Review,
    resolution: str,
    note: str,
    amended: Mapping[str, int | None] | None = None,
) -> Review:
    """Decide a dispute: uphold the scores, amend some of them, or withdraw the review from
    the scorecard. The reviewer's original scores are kept beside amended ones."""
    review = _locked(review)
    if actor.pk == review.reviewer_id or not is_lead_of(actor, review.reviewee):
        raise PermissionDenied("A lead of the person reviewed, not the reviewer, decides.")
    if resolution not in Resolution.values:
        raise InvalidInput({"resolution": f"One of {', '.join(Resolution.values)}."})
    note = clean_text(note, field="note", max_length=MAX_COMMENT, required=True)
    before = _move(review, ReviewStatus.RESOLVED)
    changed: list[str] = []
    if resolution == Resolution.AMENDED:
        changed = _amend(review, amended or {})
        if not changed:
            raise InvalidInput({"scores": "Amending needs at least one changed score."})
        _store_result(review)
    review.resolution = resolution
    review.resolution_note = note
    review.resolved_by = actor
    review.resolved_at = timezone.now()
    review.save()
    audit.record(
        actor=actor,
        action="quality.review.resolve",
        obj=review,
        before={"status": before},
        after={"resolution": resolution, "note": note, "amended": changed},
    )
    tell(
        [review.reviewee, review.reviewer],
        event_key=f"quality.review.{review.pk}.resolved",
        subject=f"Dispute on {review.subject_ref} decided: {resolution}",
        body=note[:500],
        link=_link(review),
    )
    return review


@transaction.atomic
def reassign(*, actor: User, review: Review, reviewer: User) -> Review:
    """Give an unfinished review to someone else (the reviewer is away, or conflicted).
    Never to the person reviewed, and only to someone who can see the item."""
    review = _locked(review)
    if not access.can_reassign(actor, review):
        raise PermissionDenied("A lead of the person reviewed reassigns unfinished reviews.")
    if reviewer.pk == review.reviewee_id:
        raise InvalidInput({"reviewer": "Nobody reviews their own work."})
    if not reviewer.is_active or not reviewer.is_responder:
        raise InvalidInput({"reviewer": "Choose an active incident manager, lead or admin."})
    pair = Review.objects.filter(pk=review.calibration_of_id or review.pk).values("pk")
    siblings = Review.objects.filter(calibration_of__in=pair) | Review.objects.filter(pk__in=pair)
    if siblings.exclude(pk=review.pk).filter(reviewer=reviewer).exists():
        raise InvalidInput({"reviewer": "This person already reviews the same item."})
    key = f"{review.subject_kind}:{review.incident_id or review.request_id}"
    if key not in subjects.visible_keys(reviewer, [key]):
        raise InvalidInput({"reviewer": f"{reviewer.username} cannot see {review.subject_ref}."})
    before = review.reviewer.username
    review.reviewer = reviewer
    review.save(update_fields=["reviewer"])
    Score.objects.filter(review=review).delete()  # a draft is the old reviewer's opinion
    audit.record(
        actor=actor,
        action="quality.review.reassign",
        obj=review,
        before={"reviewer": before},
        after={"reviewer": reviewer.username},
    )
    tell(
        [reviewer],
        event_key=f"quality.review.{review.pk}.assigned.{reviewer.pk}",
        subject=f"Review assigned to you: {review.subject_ref}",
        body="A quality review of closed work, reassigned to you by a lead.",
        link=_link(review),
    )
    return review
