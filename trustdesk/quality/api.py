"""``/api/v1/quality``: reviews assigned to me, scoring, acknowledge/dispute/resolve, my
scorecard (and, for leads, their people's), coaching notes, and calibration.

The same rules as the pages: someone else's scorecard, review or notes you may not see is a
404; the lead-only calibration report is a 403 for others.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import PathEx, Query, Router, Schema
from ninja.params import P

from trustdesk.accounts.api import request_user
from trustdesk.accounts.models import User
from trustdesk.incidents.schemas import MAX_ID
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.lib.regions import Region

from . import access, services
from .calibration import Agreement, calibration_report
from .lifecycle import TO_DO
from .models import CoachingNote, Program, Review, Score
from .schemas import (
    CalibrationOut,
    DisputeIn,
    NoteOut,
    ResolveIn,
    ReviewOut,
    ScorecardOut,
    ScoresIn,
)
from .scorecards import Scorecard, period_starts, scorecard

router = Router(tags=["quality"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
READ = error_responses(403, 404, 422)
WRITE = error_responses(403, 404, 409, 422)


def _allowed(request: HttpRequest) -> User:
    user = request_user(request)
    access.require_quality_user(user)
    return user


# --- reviews -------------------------------------------------------------------------------


def _review_out(review: Review, viewer: User) -> dict[str, Any]:
    visible = access.can_see_scores(viewer, review)
    scores: list[Score] = list(review.scores.select_related("criterion")) if visible else []
    shown = visible and (review.is_scored or viewer.pk == review.reviewer_id)
    return {
        "id": review.pk,
        "subject": review.subject_ref,
        "subject_kind": review.subject_kind,
        "subject_id": review.incident_id or review.request_id,
        "reviewee": review.reviewee.username,
        # Blind: who gave the other half of a double review is hidden with the scores.
        "reviewer": None if review.is_scored and not visible else review.reviewer.username,
        "status": review.status,
        "rubric": review.rubric_version.rubric.slug,
        "rubric_version": review.rubric_version.number,
        "period_start": review.sample.run.period_start,
        "assigned_at": review.assigned_at,
        "submitted_at": review.submitted_at,
        "score": review.score if shown else None,
        "passed": review.passed if shown else None,
        "critical_failures": review.critical_failures if shown else [],
        "summary": review.summary if shown else "",
        "scores_hidden": not shown,
        "scores": [
            {
                "criterion": s.criterion.key,
                "label": s.criterion.label,
                "value": s.value,
                "not_applicable": s.not_applicable,
                "comment": s.comment,
                "evidence": s.evidence,
                "amended_from": s.amended_from,
            }
            for s in scores
        ]
        if shown
        else [],
        "dispute_reason": review.dispute_reason,
        "resolution": review.resolution,
        "resolution_note": review.resolution_note,
    }


class ReviewFilters(Schema):
    status: str = "to_do"


@router.get(
    "/reviews",
    response={200: list[ReviewOut], **READ},
    summary="Reviews assigned to me",
    description="`status=to_do` (default: assigned or in progress), `all`, or one status.",
)
def list_reviews(request: HttpRequest, filters: Query[ReviewFilters]) -> list[dict[str, Any]]:
    user = _allowed(request)
    reviews: QuerySet[Review] = Review.objects.filter(reviewer=user).select_related(
        "reviewee", "reviewer", "rubric_version__rubric", "sample__run"
    )
    if filters.status == "to_do":
        reviews = reviews.filter(status__in=TO_DO)
    elif filters.status != "all":
        reviews = reviews.filter(status=filters.status)
    return [_review_out(r, user) for r in reviews.order_by("assigned_at", "id")[:500]]


@router.get("/reviews/{review_id}", response={200: ReviewOut, **READ})
def get_review(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    user = _allowed(request)
    return _review_out(access.get_review_for_user(user, review_id), user)


@router.post(
    "/reviews/{review_id}/scores",
    response={200: ReviewOut, **WRITE},
    summary="Save scores as a draft, or submit them",
    description="Only the assigned reviewer, until submission (409 after).",
)
def save_scores(request: HttpRequest, review_id: Id, payload: ScoresIn) -> dict[str, Any]:
    user = _allowed(request)
    review = access.get_review_for_user(user, review_id)
    given: dict[str, services.ScoreInput] = {}
    for index, item in enumerate(payload.scores):
        if item.criterion in given:
            raise InvalidInput({f"scores.{index}.criterion": "Each criterion once."})
        given[item.criterion] = services.ScoreInput(
            value=item.value,
            not_applicable=item.not_applicable,
            comment=item.comment,
            evidence=tuple(item.evidence),
        )
    review = services.save_scores(
        actor=user, review=review, scores=given, summary=payload.summary, submit=payload.submit
    )
    return _review_out(access.get_review_for_user(user, review.pk), user)


@router.post("/reviews/{review_id}/acknowledge", response={200: ReviewOut, **WRITE})
def acknowledge(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    user = _allowed(request)
    review = services.acknowledge(actor=user, review=access.get_review_for_user(user, review_id))
    return _review_out(access.get_review_for_user(user, review.pk), user)


@router.post(
    "/reviews/{review_id}/dispute",
    response={200: ReviewOut, **WRITE},
    summary="Dispute a review of my work; my leads are told",
)
def dispute(request: HttpRequest, review_id: Id, payload: DisputeIn) -> dict[str, Any]:
    user = _allowed(request)
    review = access.get_review_for_user(user, review_id)
    review = services.dispute(actor=user, review=review, reason=payload.reason)
    return _review_out(access.get_review_for_user(user, review.pk), user)


@router.post(
    "/reviews/{review_id}/resolve",
    response={200: ReviewOut, **WRITE},
    summary="Decide a dispute (a lead of the person reviewed)",
)
def resolve(request: HttpRequest, review_id: Id, payload: ResolveIn) -> dict[str, Any]:
    user = _allowed(request)
    review = access.get_review_for_user(user, review_id)
    review = services.resolve(
        actor=user,
        review=review,
        resolution=payload.resolution,
        note=payload.note,
        amended=payload.scores,
    )
    return _review_out(access.get_review_for_user(user, review.pk), user)


# --- scorecards ----------------------------------------------------------------------------


def _agreement_out(row: Agreement) -> dict[str, Any]:
    return {
        "criterion": row.key,
        "label": row.label,
        "pairs": row.pairs,
        "percent_agreement": row.percent,
        "kappa": row.kappa,
        "weighted_kappa": row.weighted_kappa,
        "reading": row.band,
    }


def _scorecard_out(card: Scorecard) -> dict[str, Any]:
    person, current = card.person, card.current
    return {
        "username": person.username,
        "name": person.display_name,
        "region": person.region,
        "site": card.site.name if card.site else None,
        "period_days": card.program.period_days,
        "quality_target": card.quality_target,
        "accuracy_target": card.accuracy_target,
        "quality": current.quality,
        "accuracy": current.accuracy,
        "reviews": current.reviews,
        "failed": current.failed,
        "signals": current.signals,
        "periods": [
            {
                "start": p.start,
                "reviews": p.bucket.reviews,
                "quality": p.bucket.quality,
                "failed": p.bucket.failed,
                "closed": len(p.bucket.closed),
                "signals": p.bucket.signals,
                "accuracy": p.bucket.accuracy,
            }
            for p in card.periods
        ],
        "strengths": [_mean_out(m) for m in card.strengths],
        "focus": [_mean_out(m) for m in card.focus],
        "accuracy_signals": [
            {
                "kind": s.kind,
                "subject": s.subject_ref,
                "detail": s.detail,
                "occurred_at": s.occurred_at,
                "closed_at": s.closed_at,
            }
            for s in card.signals
        ],
        "coaching_notes": [_note_out(n) for n in card.notes],
        "goals": [
            {
                "id": g.pk,
                "title": g.title,
                "criterion": g.criterion_key,
                "follow_up_on": g.follow_up_on,
                "status": g.status,
                "outcome": g.outcome,
                "set_by": g.set_by.username if g.set_by else None,
            }
            for g in card.goals
        ],
    }


def _mean_out(mean: Any) -> dict[str, Any]:
    return {"criterion": mean.key, "label": mean.label, "mean": mean.mean, "reviews": mean.count}


def _note_out(note: CoachingNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": note.author.username if note.author else None,
        "text": note.text,
        "draft": note.draft,
        "created_at": note.created_at,
    }


@router.get("/scorecard", response={200: ScorecardOut, **READ}, summary="My scorecard")
def my_scorecard(request: HttpRequest) -> dict[str, Any]:
    user = _allowed(request)
    return _scorecard_out(scorecard(user, user))


@router.get(
    "/scorecard/{username}",
    response={200: ScorecardOut, **READ},
    summary="A person's scorecard (theirs, their leads', admins')",
)
def person_scorecard(request: HttpRequest, username: str) -> dict[str, Any]:
    user = _allowed(request)
    person = access.get_scorecard_person(user, username)
    return _scorecard_out(scorecard(person, user))


@router.get(
    "/scorecard/{username}/coaching-notes",
    response={200: list[NoteOut], **READ},
    summary="A person's coaching notes (drafts only for their leads)",
)
def coaching_notes(request: HttpRequest, username: str) -> list[dict[str, Any]]:
    user = _allowed(request)
    person = access.get_scorecard_person(user, username)
    notes = CoachingNote.objects.visible_to(user).filter(person=person).select_related("author")
    return [_note_out(n) for n in notes]


class CalibrationFilters(Schema):
    region: Region | None = None


@router.get(
    "/calibration",
    response={200: CalibrationOut, **READ},
    summary="Reviewer agreement per criterion (leads)",
)
def calibration(request: HttpRequest, filters: Query[CalibrationFilters]) -> dict[str, Any]:
    user = _allowed(request)
    access.require_lead(user)
    regions = access.team_regions(user)
    region = filters.region or (regions[0] if regions else None)
    if region is None or region not in regions:
        raise InvalidInput({"region": f"One of the regions you lead: {', '.join(regions)}."})
    since = period_starts(Program.for_region(region))[0]
    report = calibration_report(user, region=region, since=since)
    return {
        "region": region,
        "since": since,
        "pairs": report.pairs,
        "criteria": [_agreement_out(row) for row in report.criteria],
        "outcome": _agreement_out(report.outcome),
    }
