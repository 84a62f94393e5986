"""Retention policies, legal holds and the record of each purge."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class DataClass(models.TextChoices):
    REPORTS = "reports", "Reports"
    EVIDENCE = "evidence", "Evidence files"
    INCIDENTS = "incidents", "Incidents (closed or declined)"
    NOTIFICATIONS = "notifications", "Notifications"
    EXPOSURE = "exposure", "Wellbeing exposure events"
    AUDIT = "audit", "Audit log"


class RetentionPolicy(models.Model):
    """An administrator's override of the default retention for one data class."""

    data_class = models.CharField(max_length=16, choices=DataClass.choices, unique=True)
    keep_days = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: keep")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["data_class"]
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return f"{self.data_class}: {self.keep_days if self.keep_days is not None else 'keep'}"


class HoldScope(models.TextChoices):
    INCIDENT = "incident", "Incident"
    REGULATORY_REQUEST = "regulatory_request", "Regulatory request"
    DATA_CLASS = "data_class", "Whole data class"


class HoldSource(models.TextChoices):
    MANUAL = "manual", "Placed by a person"
    PRESERVATION = "preservation", "Regulatory preservation request"


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self, now: datetime | None = None) -> LegalHoldQuerySet:
        now = now or timezone.now()
        return self.filter(released_at__isnull=True, starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )


class LegalHold(models.Model):
    """Nothing in scope is purged while the hold is active (started, not ended, not released)."""

    scope = models.CharField(max_length=20, choices=HoldScope.choices)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legal_holds",
    )
    request = models.ForeignKey(
        "regulatory.RegulatoryRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legal_holds",
    )
    data_class = models.CharField(max_length=16, choices=DataClass.choices, blank=True)
    # Kept as text: a hold outlives its incident once it has ended and the purge removed it.
    target = models.CharField(max_length=80)
    reason = models.TextField()
    source = models.CharField(max_length=16, choices=HoldSource.choices, default=HoldSource.MANUAL)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until released")
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(source="preservation"),
                name="one_preservation_hold_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold #{self.pk} on {self.target}"

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.released_at is None
            and self.starts_at <= now
            and (self.ends_at is None or self.ends_at > now)
        )


class PurgeStatus(models.TextChoices):
    DRY_RUN = "dry_run", "Dry run (nothing deleted)"
    COMMITTED = "committed", "Committed"
    FAILED = "failed", "Failed and rolled back"


class PurgeRun(models.Model):
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=PurgeStatus.choices)
    deleted = models.JSONField(default=dict, help_text="Rows deleted (or to delete) per class")
    kept = models.JSONField(default=dict, help_text="Rows past retention kept by a hold or duty")
    error = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Purge #{self.pk} {self.status}"
