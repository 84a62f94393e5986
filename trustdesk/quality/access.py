"""Who may see and do what with quality data. Views and the API call these helpers; the
visibility rules themselves are the models' ``visible_to`` querysets and ``people``.

Quality data is about people, so it is private: a person's reviews, scorecard, signals,
coaching notes and goals are for them, their leads and admins. Anyone else gets 404, as if
the person had no scorecard at all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from trustdesk.accounts.models import Membership, Role, TeamKind, User
from trustdesk.lib.regions import Region

from .lifecycle import TO_DO, ReviewStatus
from .models import Review
from .people import is_lead_of, led_by


def get_review_for_user(user: User, pk: int | str) -> Review:
    """The review if ``user`` may see it; otherwise 404."""
    try:
        return (
            Review.objects.visible_to(user)
            .select_related(
                "reviewee", "reviewer", "rubric_version__rubric", "calibration_of", "sample__run"
            )
            .get(pk=pk)
        )
    except (Review.DoesNotExist, ValueError):
        raise Http404("No such review") from None


def pending_sibling(user: User, review: Review) -> Review | None:
    """The other review of the same double-reviewed item, if ``user`` still has to score
    it: while it exists, ``review`` is blind to them."""
    primary_id = review.calibration_of_id or review.pk
    return (
        Review.objects.filter(Q(pk=primary_id) | Q(calibration_of_id=primary_id))
        .exclude(pk=review.pk)
        .filter(reviewer=user, status__in=TO_DO)
        .first()
    )


def can_see_scores(user: User, review: Review) -> bool:
    """A review's scores are its reviewer's until submitted. A double review stays blind:
    whoever still has to score one of the pair does not see the other's scores (nor who
    gave them)."""
    if user.pk == review.reviewer_id:
        return True
    if not review.is_scored:
        return False
    return pending_sibling(user, review) is None


def can_score(user: User, review: Review) -> bool:
    return user.pk == review.reviewer_id and review.status in TO_DO


def can_answer(user: User, review: Review) -> bool:
    """Acknowledge or dispute: the person reviewed, on a submitted primary review."""
    return (
        user.pk == review.reviewee_id
        and not review.is_calibration
        and review.status == ReviewStatus.SUBMITTED
    )


def can_resolve(user: User, review: Review) -> bool:
    """Decide a dispute: a lead of the person reviewed (or an admin), not the reviewer."""
    return (
        review.status == ReviewStatus.DISPUTED
        and user.pk != review.reviewer_id
        and is_lead_of(user, review.reviewee)
    )


def can_reassign(user: User, review: Review) -> bool:
    return review.status in TO_DO and is_lead_of(user, review.reviewee)


def scorecard_people(user: User) -> QuerySet[User]:
    """Whose scorecards ``user`` may open: their own and those of the people they lead."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=led_by(user).values("pk")))


def get_scorecard_person(user: User, username: str) -> User:
    person = scorecard_people(user).filter(username=username).first()
    if person is None:
        raise Http404("No such scorecard")
    return person


def can_coach(user: User, person: User) -> bool:
    """Write coaching notes and goals: the person's leads and admins."""
    return is_lead_of(user, person)


def leads_anyone(user: User) -> bool:
    if not user.is_active:
        return False
    if user.role in (Role.ADMIN, Role.LEAD):
        return True
    return Membership.objects.filter(
        user=user, is_lead=True, team__kind=TeamKind.INCIDENT_MANAGEMENT
    ).exists()


def require_quality_user(user: User) -> None:
    """Quality reviews are for incident managers, leads and admins."""
    if not (user.is_responder or leads_anyone(user)):
        raise PermissionDenied("Quality reviews are for incident managers and their leads.")


def require_lead(user: User) -> None:
    if not leads_anyone(user):
        raise PermissionDenied("Only leads and admins see the team's quality.")


def team_regions(user: User) -> list[str]:
    """Regions whose team view ``user`` may open."""
    if user.role == Role.ADMIN:
        return list(Region.values)
    regions = set(
        Membership.objects.filter(user=user, is_lead=True, team__kind=TeamKind.INCIDENT_MANAGEMENT)
        .exclude(team__region="")
        .values_list("team__region", flat=True)
    )
    if user.role == Role.LEAD and user.region:
        regions.add(user.region)
    return [r for r in Region.values if r in regions]


def can_edit_program(user: User, region: str) -> bool:
    if not user.is_active:
        return False
    return user.role == Role.ADMIN or (user.role == Role.LEAD and user.region == region)
