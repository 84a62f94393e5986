"""Enforcement decisions taken on content and accounts, and the DSA statements of reasons
(SoR) built from them with their submission outbox.

Choice values are our own short names; `trustdesk.enforcement.sor` maps them to the DSA
Transparency Database values, so a change on that side touches one mapping table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident
from trustdesk.regulatory.models import RegulatoryRequest


class ContentType(models.TextChoices):
    APP = "app", "App"
    AUDIO = "audio", "Audio"
    IMAGE = "image", "Image"
    PRODUCT = "product", "Product"
    SYNTHETIC_MEDIA = "synthetic_media", "Synthetic media"
    TEXT = "text", "Text"
    VIDEO = "video", "Video"
    OTHER = "other", "Other"


class Restriction(models.TextChoices):
    """One restriction per decision. The prefix says which DSA field it goes to:
    visibility (Art. 17(1)(a)), monetary (b), provision of the service (c), account (d)."""

    VISIBILITY_REMOVED = "visibility_removed", "Content removed"
    VISIBILITY_DISABLED = "visibility_disabled", "Access to content disabled"
    VISIBILITY_DEMOTED = "visibility_demoted", "Content demoted"
    VISIBILITY_AGE_RESTRICTED = "visibility_age_restricted", "Content age-restricted"
    VISIBILITY_INTERACTION_RESTRICTED = (
        "visibility_interaction_restricted",
        "Interaction with content restricted",
    )
    VISIBILITY_LABELLED = "visibility_labelled", "Content labelled"
    VISIBILITY_OTHER = "visibility_other", "Other visibility restriction"
    MONETARY_SUSPENSION = "monetary_suspension", "Monetary payments suspended"
    MONETARY_TERMINATION = "monetary_termination", "Monetary payments terminated"
    MONETARY_OTHER = "monetary_other", "Other monetary restriction"
    PROVISION_PARTIAL_SUSPENSION = "provision_partial_suspension", "Service partially suspended"
    PROVISION_TOTAL_SUSPENSION = "provision_total_suspension", "Service totally suspended"
    PROVISION_PARTIAL_TERMINATION = (
        "provision_partial_termination",
        "Service partially terminated",
    )
    PROVISION_TOTAL_TERMINATION = "provision_total_termination", "Service totally terminated"
    ACCOUNT_SUSPENDED = "account_suspended", "Account suspended"
    ACCOUNT_TERMINATED = "account_terminated", "Account terminated"


OTHER_RESTRICTIONS = (Restriction.VISIBILITY_OTHER, Restriction.MONETARY_OTHER)


class Ground(models.TextChoices):
    ILLEGAL_CONTENT = "illegal_content", "Illegal content"
    INCOMPATIBLE_CONTENT = "incompatible_content", "Incompatible with terms of service"


class AutomatedDecision(models.TextChoices):
    FULLY = "fully", "Fully automated"
    PARTIALLY = "partially", "Partially automated"
    NOT_AUTOMATED = "not", "Not automated"


class SourceType(models.TextChoices):
    ARTICLE_16 = "article_16", "Notice (Art. 16 DSA)"
    TRUSTED_FLAGGER = "trusted_flagger", "Notice from a trusted flagger"
    AUTHORITY_ORDER = "authority_order", "Order from an authority (Art. 9 DSA)"
    OTHER_NOTIFICATION = "other_notification", "Other notification"
    OWN_INITIATIVE = "own_initiative", "Own initiative"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Decision upheld"
    PARTIALLY_REVERSED = "partially_reversed", "Decision partially reversed"
    REVERSED = "reversed", "Decision reversed"


class DecisionQuerySet(models.QuerySet["EnforcementDecision"]):
    def visible_to(self, user: User) -> DecisionQuerySet:
        """Decisions follow what they hang on (DESIGN.md invariant 6): a decision in an
        incident is visible exactly when the incident is (restricted ones need-to-know);
        a request-only decision exactly when its regulatory request is."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        in_incident = Q(incident__in=Incident.objects.visible_to(user))
        request_only = Q(
            incident__isnull=True,
            regulatory_request__in=RegulatoryRequest.objects.visible_to(user),
        )
        return self.filter(in_incident | request_only)


class EnforcementDecision(models.Model):
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enforcement_decisions",
    )
    regulatory_request = models.ForeignKey(
        RegulatoryRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enforcement_decisions",
    )
    content_url = models.URLField(max_length=2000, blank=True)
    content_id = models.CharField(max_length=500, blank=True)
    account_id = models.CharField(max_length=500, blank=True)
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    content_type_other = models.CharField(max_length=500, blank=True)
    restriction = models.CharField(max_length=40, choices=Restriction.choices)
    restriction_other = models.CharField(
        max_length=500, blank=True, help_text="What the restriction was, for the 'other' kinds"
    )
    ground = models.CharField(max_length=24, choices=Ground.choices)
    legal_ground = models.CharField(max_length=500, blank=True)
    illegal_content_explanation = models.TextField(max_length=2000, blank=True)
    tos_clause = models.CharField("terms-of-service clause", max_length=500, blank=True)
    tos_explanation = models.TextField("why it breaks the terms", max_length=2000, blank=True)
    explanation = models.TextField(
        max_length=5000, help_text="The facts and circumstances relied on (decision_facts)"
    )
    category = models.CharField(max_length=80, help_text="DSA category code (taxonomy)")
    automated_detection = models.BooleanField(default=False)
    automated_decision = models.CharField(
        max_length=12, choices=AutomatedDecision.choices, default=AutomatedDecision.NOT_AUTOMATED
    )
    source_type = models.CharField(max_length=24, choices=SourceType.choices)
    territorial_scope = models.JSONField(default=list, help_text="ISO 3166-1 alpha-2 codes")
    content_date = models.DateField(help_text="When the content was posted or the account made")
    decided_at = models.DateTimeField()
    applied_at = models.DateTimeField()
    notice_received_at = models.DateTimeField(
        null=True, blank=True, help_text="When the notice or order was received (for medians)"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)
    appeal_outcome = models.CharField(max_length=20, choices=AppealOutcome.choices, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    puid = models.CharField("platform unique id", max_length=500, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["decided_at"]),
            models.Index(fields=["source_type", "decided_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(incident__isnull=False) | Q(regulatory_request__isnull=False),
                name="enforcement_decision_in_incident_or_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_restriction_display()} ({self.puid})"

    @property
    def target(self) -> str:
        return self.content_url or self.content_id or self.account_id


class PuidRecord(models.Model):
    """Every PUID ever used. Never deleted, even when its decision is: the transparency
    database keeps statements forever and a reused PUID is rejected."""

    puid = models.CharField(max_length=500, unique=True)
    decision_id = models.PositiveBigIntegerField(null=True, help_text="Not a key: survives deletes")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.puid


class BatchStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DONE = "done", "Done"


class SorBatch(models.Model):
    """One POST of 1-100 statements. Its state is committed before the request goes out, so
    a crash while sending is visible on the next run (see `submission.py`)."""

    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"SoR batch {self.pk} ({self.status})"


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SUBMITTED = "submitted", "Submitted"
    REJECTED = "rejected", "Rejected"


class SorSubmission(models.Model):
    """Outbox row for one statement of reasons: the validated payload, and what the
    transparency database said about it."""

    decision = models.OneToOneField(
        EnforcementDecision,
        null=True,
        on_delete=models.SET_NULL,
        related_name="sor_submission",
    )
    puid = models.CharField(max_length=500, unique=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.QUEUED,
        db_index=True,
    )
    batch = models.ForeignKey(
        SorBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    errors = models.JSONField(default=dict, blank=True)
    remote_uuid = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"SoR {self.puid} ({self.status})"
