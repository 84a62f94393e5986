"""Rubrics the team agreed on, in versions, and each region's review programme.

A published version never changes: a review points at the version it was scored with, so
changing the rubric later (a new version) never rewrites an old score.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from trustdesk.lib.regions import Region


class SubjectKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    REGULATORY_REQUEST = "regulatory_request", "Regulatory request"


class Rubric(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    subject_kind = models.CharField(
        max_length=20, choices=SubjectKind.choices, unique=True, help_text="What it reviews"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["subject_kind"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> RubricVersion | None:
        return self.versions.order_by("-number").first()


class RubricVersion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    pass_mark = models.PositiveSmallIntegerField(
        default=70,
        validators=[MaxValueValidator(100)],
        help_text="Weighted score (percent) a review needs to pass",
    )
    note = models.TextField(blank=True, help_text="What changed and why")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["rubric", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="unique_rubric_version")
        ]

    def __str__(self) -> str:
        return f"{self.rubric.name} v{self.number}"


class Criterion(models.Model):
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="criteria")
    key = models.SlugField(max_length=40, help_text="Stable across versions, for trends")
    label = models.CharField(max_length=120)
    guidance = models.TextField(blank=True)
    anchors = models.JSONField(
        default=dict, blank=True, help_text='What a score means, e.g. {"1": "…", "5": "…"}'
    )
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    weight = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("1"))
    critical = models.BooleanField(
        default=False, help_text="A score below the pass threshold fails the whole review"
    )
    pass_threshold = models.SmallIntegerField(
        null=True, blank=True, help_text="Critical criteria: the lowest passing score"
    )
    allow_na = models.BooleanField("may be not applicable", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_criterion_key"),
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")), name="criterion_scale_ordered"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def anchor(self, value: int) -> str:
        return str(self.anchors.get(str(value), ""))


class Program(models.Model):
    """A region's review programme: how much is sampled, how often, and the targets."""

    region = models.CharField(max_length=4, choices=Region.choices, unique=True)
    period_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(7), MaxValueValidator(28)],
        help_text="Length of a sampling period; periods start on Mondays (UTC)",
    )
    sample_size = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Closed items sampled per person and period",
    )
    high_risk_weight = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("10"))],
        help_text="How much more likely SEV1/SEV2 and breached work is sampled",
    )
    calibration_share = models.PositiveSmallIntegerField(
        default=20,
        validators=[MaxValueValidator(100)],
        help_text="Percent of sampled items a second reviewer scores blind",
    )
    quality_target = models.PositiveSmallIntegerField(
        default=85, validators=[MaxValueValidator(100)], help_text="Weighted score, percent"
    )
    accuracy_target = models.PositiveSmallIntegerField(
        default=90,
        validators=[MaxValueValidator(100)],
        help_text="Percent of closed work without an accuracy signal",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["region"]

    def __str__(self) -> str:
        return f"Quality programme {self.region}"

    @classmethod
    def for_region(cls, region: str) -> Program:
        """The region's programme; the defaults (unsaved) until a lead changes them."""
        return cls.objects.filter(region=region).first() or cls(region=region)
