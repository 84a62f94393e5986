"""Samples of closed work and the reviews scoring them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.incidents.models import Incident
from trustdesk.lib.regions import Region
from trustdesk.quality.lifecycle import SCORED, TO_DO, Resolution, ReviewStatus
from trustdesk.quality.people import led_by

from .rubrics import Criterion, RubricVersion, SubjectKind


class SamplingRun(models.Model):
    """One region's draw for one period. Unique, so a period is sampled once however many
    schedulers or leads ask; ``config`` and ``seed`` let anyone reproduce it."""

    region = models.CharField(max_length=4, choices=Region.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive")
    seed = models.BigIntegerField(help_text="Seeds the choice of items to double-review")
    config = models.JSONField(default=dict, help_text="The programme settings used")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unassigned = models.JSONField(
        default=list, help_text="Sampled items no eligible reviewer could see"
    )

    class Meta:
        ordering = ["-period_start", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period_start"], name="unique_sampling_run")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period_start}"


class Sample(models.Model):
    """One person's sample in one run: the population it was drawn from and the seed."""

    run = models.ForeignKey(SamplingRun, on_delete=models.CASCADE, related_name="samples")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_samples"
    )
    seed = models.BigIntegerField()
    population = models.JSONField(
        default=list, help_text='Candidates as [key, stratum], e.g. ["incident:12", "high"]'
    )
    chosen = models.JSONField(default=list, help_text="Keys drawn, in draw order")

    class Meta:
        ordering = ["run", "person"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="unique_sample_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.run}"


class ReviewQuerySet(models.QuerySet["Review"]):
    def visible_to(self, user: User) -> ReviewQuerySet:
        """The one visibility rule for reviews (DESIGN.md invariant 6).

        - admins: all;
        - the reviewer: the reviews assigned to them;
        - the person reviewed: the (primary) reviews of their work once submitted;
        - their leads: every review of the people they lead, calibration ones included;
        - the two reviewers of a double-reviewed item: each other's review, once both are
          submitted (to compare notes; until then they do not know of each other);
        - everyone else: nothing.

        Seeing a review is not seeing its scores: ``access.can_see_scores`` keeps double
        reviews blind until both are in.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        partner = Review.objects.filter(reviewer=user, status__in=SCORED).filter(
            Q(pk=OuterRef("calibration_of")) | Q(calibration_of=OuterRef("pk"))
        )
        return self.filter(
            Q(reviewer=user)
            | Q(reviewee=user, calibration_of__isnull=True, status__in=SCORED)
            | Q(reviewee__in=led_by(user))
            | (Q(status__in=SCORED) & Exists(partner))
        )

    def primary(self) -> ReviewQuerySet:
        return self.filter(calibration_of__isnull=True)

    def to_do(self) -> ReviewQuerySet:
        return self.filter(status__in=TO_DO)

    def counted(self) -> ReviewQuerySet:
        """Reviews that count on a scorecard: primary, scored, not withdrawn on dispute."""
        return (
            self.primary()
            .filter(status__in=SCORED)
            .exclude(resolution=Resolution.WITHDRAWN)
            .exclude(status=ReviewStatus.DISPUTED)
        )


class Review(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="reviews")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="quality_reviews"
    )
    # Not a foreign key: quality works without the regulatory app installed.
    request_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    stratum = models.CharField(max_length=40)
    reviewee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_received"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_assigned"
    )
    rubric_version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="+")
    calibration_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calibrations",
        help_text="Set on the second, blind review of a double-reviewed item",
    )
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED, db_index=True
    )
    summary = models.TextField(blank=True, help_text="The reviewer's overall comment")
    score = models.FloatField(null=True, blank=True, help_text="Weighted score, 0..1")
    passed = models.BooleanField(null=True)
    critical_failures = models.JSONField(default=list, blank=True)

    assigned_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True, help_text="Acknowledged/disputed")
    dispute_reason = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reviewer=F("reviewee")), name="review_never_self_review"
            ),
            models.CheckConstraint(
                condition=(Q(incident__isnull=False) & Q(request_id__isnull=True))
                | (Q(incident__isnull=True) & Q(request_id__isnull=False)),
                name="review_has_one_subject",
            ),
            models.UniqueConstraint(
                fields=["incident", "reviewer"],
                condition=Q(incident__isnull=False),
                name="unique_incident_reviewer",
            ),
            models.UniqueConstraint(
                fields=["request_id", "reviewer"],
                condition=Q(request_id__isnull=False),
                name="unique_request_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "status"])]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.subject_ref}"

    @property
    def subject_kind(self) -> str:
        return SubjectKind.INCIDENT if self.incident_id else SubjectKind.REGULATORY_REQUEST

    @property
    def subject_ref(self) -> str:
        return f"INC-{self.incident_id}" if self.incident_id else f"REQ-{self.request_id}"

    @property
    def subject_key(self) -> str:
        if self.incident_id:
            return f"{SubjectKind.INCIDENT}:{self.incident_id}"
        return f"{SubjectKind.REGULATORY_REQUEST}:{self.request_id}"

    @property
    def is_calibration(self) -> bool:
        return self.calibration_of_id is not None

    @property
    def is_scored(self) -> bool:
        return self.status in SCORED

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(null=True, blank=True, help_text="Empty: not scored yet")
    not_applicable = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text="Ids of the subject's timeline events"
    )
    amended_from = models.SmallIntegerField(
        null=True, blank=True, help_text="The reviewer's score, when a lead amended it"
    )

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="unique_score")]

    def __str__(self) -> str:
        return f"{self.criterion_id}={self.value}"
