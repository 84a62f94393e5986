"""Post-mortems, their contributing factors, action items, reviews and comments.

A post-mortem belongs to one incident and is visible exactly when that incident is
(``PostMortem.objects.visible_to``); every view, API route, search and export reads through
that one method.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trustdesk.accounts.models import Team, User
from trustdesk.incidents.models import Incident

from .lifecycle import ACTION_OPEN, ActionStatus, Status


class ContributingFactor(models.Model):
    """One entry of the maintained taxonomy of contributing factors. Shipped in
    ``data/factors.json`` and loaded by migration; administrators may add and rename."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    active = models.BooleanField(
        default=True, help_text="Inactive factors stay on old post-mortems but are not offered"
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class RequirementReason(models.TextChoices):
    SEVERITY = "severity", "SEV1/SEV2 incident"
    REGULATORY_BREACH = "regulatory_breach", "A regulatory deadline was missed"
    LEAD_REQUEST = "lead_request", "Requested by a lead"


class DetectionSource(models.TextChoices):
    USER_REPORT = "user_report", "User reports"
    TRUSTED_FLAGGER = "trusted_flagger", "Trusted flagger"
    REGULATOR = "regulator", "Regulator or authority"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    NGO = "ngo", "NGO or civil society"
    PRESS = "press", "Press or public attention"
    PROACTIVE = "proactive", "Proactive detection (classifiers, alerts)"
    INTERNAL = "internal", "Internal escalation"
    VENDOR = "vendor", "Vendor or outsourced review"
    OTHER = "other", "Other"


class Requirement(models.Model):
    """A lead's explicit "this incident needs a post-mortem". Made on an open incident, it
    takes effect at resolution; on a resolved one, the draft opens at once."""

    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, related_name="postmortem_requirement"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"post-mortem required for incident {self.incident_id}"


class PostMortemQuerySet(models.QuerySet["PostMortem"]):
    def visible_to(self, user: User) -> PostMortemQuerySet:
        """The one visibility rule for post-mortems: exactly their incident's."""
        return self.filter(incident__in=Incident.objects.visible_to(user).values("pk"))

    def published(self) -> PostMortemQuerySet:
        """What analytics count: reviewed and published post-mortems only."""
        return self.filter(status=Status.PUBLISHED)


class PostMortem(models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="postmortem")
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reasons = models.JSONField(default=list, help_text="Why it is required (RequirementReason)")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_postmortems",
    )
    tz = models.CharField(
        "time zone", max_length=64, default="UTC", help_text="Times are shown in UTC and here"
    )
    due_at = models.DateTimeField(help_text="When it should be published")

    summary = models.TextField(blank=True)
    impact_notes = models.TextField(blank=True)
    reach = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Views or impressions of the harmful content"
    )
    reach_source = models.CharField(
        max_length=200, blank=True, help_text="Where the reach figure comes from"
    )
    users_affected = models.PositiveBigIntegerField(null=True, blank=True)
    facts = models.JSONField(
        default=dict, help_text="Counted from the incident: reports, items, requests"
    )
    facts_at = models.DateTimeField(null=True, blank=True)
    timeline_event_ids = models.JSONField(default=list, help_text="Incident events shown")
    detection_source = models.CharField(max_length=20, choices=DetectionSource.choices, blank=True)
    went_well = models.TextField(blank=True)
    went_poorly = models.TextField(blank=True)
    got_lucky = models.TextField("where we got lucky", blank=True)
    root_cause = models.TextField(blank=True)
    five_whys = models.JSONField(default=list, blank=True)
    lessons = models.TextField(blank=True)
    search_text = models.TextField(blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = PostMortemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "post-mortem"

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"PM-{self.pk}"

    @property
    def reason_labels(self) -> list[str]:
        return [RequirementReason(r).label for r in self.reasons if r in RequirementReason.values]

    @property
    def is_late(self) -> bool:
        return self.status != Status.PUBLISHED and self.due_at < timezone.now()


class PostMortemFactor(models.Model):
    """A contributing factor as it applies to one post-mortem, with what happened."""

    postmortem = models.ForeignKey(
        PostMortem, on_delete=models.CASCADE, related_name="factor_links"
    )
    factor = models.ForeignKey(ContributingFactor, on_delete=models.PROTECT, related_name="uses")
    note = models.CharField(max_length=500, blank=True)
    is_root_cause = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_root_cause", "factor__position", "factor__name"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "factor"], name="unique_pm_factor")
        ]

    def __str__(self) -> str:
        return f"{self.factor} on {self.postmortem_id}"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def visible_to(self, user: User) -> ActionItemQuerySet:
        return self.filter(postmortem__in=PostMortem.objects.visible_to(user).values("pk"))

    def open(self) -> ActionItemQuerySet:
        return self.filter(status__in=ACTION_OPEN)

    def overdue(self, today: date) -> ActionItemQuerySet:
        return self.open().filter(due_on__lt=today)


class ActionItem(models.Model):
    postmortem = models.ForeignKey(
        PostMortem, on_delete=models.CASCADE, related_name="action_items"
    )
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="postmortem_actions",
    )
    owner_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="postmortem_actions"
    )
    due_on = models.DateField(help_text="A calendar date; overdue from the next UTC day")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    factor = models.ForeignKey(
        PostMortemFactor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    ticket_url = models.URLField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(owner_team__isnull=False),
                name="action_item_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def owner_label(self) -> str:
        if self.owner is not None:
            return self.owner.display_name
        return self.owner_team.name if self.owner_team else "nobody"

    @property
    def is_open(self) -> bool:
        return self.status in ACTION_OPEN

    def days_overdue(self, today: date | None = None) -> int:
        today = today or timezone.now().date()
        if not self.is_open or self.due_on >= today:
            return 0
        return (today - self.due_on).days

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0


class Decision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Review(models.Model):
    """A named reviewer and their decision in the current review round."""

    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="postmortem_reviews"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["named_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "reviewer"], name="unique_pm_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.postmortem_id}: {self.decision}"


class Comment(models.Model):
    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on {self.postmortem_id}"


def completion(items: list[ActionItem]) -> tuple[int, int, int | None]:
    """(done, counted, percent) over action items, cancelled ones left out. ``None`` percent
    when there is nothing to count."""
    counted = [item for item in items if item.status != ActionStatus.CANCELLED]
    done = sum(1 for item in counted if item.status == ActionStatus.DONE)
    percent = round(100 * done / len(counted)) if counted else None
    return done, len(counted), percent
