"""What the exports app keeps: NCMEC CyberTipline drafts, the preservation duties that
submitting one starts, and Lumen notice submissions.

Drafts are never sent by trustdesk: a person reviews the XML, files it with NCMEC, and
records the CyberTipline report number here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustdesk.incidents.models import Incident
from trustdesk.regulatory.models import RegulatoryRequest


class DraftStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not sent)"
    SUBMITTED = "submitted", "Submitted by a person"


class CyberTiplineDraft(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="cybertip_drafts")
    xml = models.TextField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT, db_index=True
    )
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    report_number = models.CharField(
        "CyberTipline report number", max_length=40, blank=True, help_text="As NCMEC gave it"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-generated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_number"],
                condition=~models.Q(report_number=""),
                name="unique_cybertip_report_number",
            )
        ]

    def __str__(self) -> str:
        return f"CyberTipline draft {self.pk} for {self.incident.ref}"


class PreservationReason(models.TextChoices):
    CYBERTIPLINE = "cybertipline", "NCMEC CyberTipline report (18 U.S.C. 2258A(h), 1 year)"


class PreservationDutyQuerySet(models.QuerySet["PreservationDuty"]):
    def active_at(self, at: object) -> PreservationDutyQuerySet:
        return self.filter(starts_at__lte=at, ends_at__gt=at)


class PreservationDuty(models.Model):
    """Content and data of ``incident`` must be kept from ``starts_at`` until ``ends_at``.
    The retention purge asks ``services.preservation_holds_active`` before deleting."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="preservation_duties"
    )
    reason = models.CharField(max_length=20, choices=PreservationReason.choices)
    reference = models.CharField(max_length=120, blank=True, help_text="e.g. the report number")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PreservationDutyQuerySet.as_manager()

    class Meta:
        ordering = ["ends_at", "id"]
        verbose_name_plural = "preservation duties"

    def __str__(self) -> str:
        return f"preserve {self.incident.ref} until {self.ends_at:%Y-%m-%d}"


class LumenStatus(models.TextChoices):
    SENT = "sent", "Accepted by Lumen"
    REJECTED = "rejected", "Rejected by Lumen"
    FAILED = "failed", "Could not be delivered"


class LumenSubmission(models.Model):
    """One attempt to file a request as a Lumen notice, with Lumen's answer."""

    request = models.ForeignKey(
        RegulatoryRequest, on_delete=models.CASCADE, related_name="lumen_submissions"
    )
    notice = models.JSONField()
    status = models.CharField(max_length=10, choices=LumenStatus.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    location = models.CharField(max_length=500, blank=True, help_text="Lumen's notice URL")
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Lumen {self.status} for {self.request.ref}"
