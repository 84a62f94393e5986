"""Playbooks: the strategy agreed once, and the checklists it becomes on incidents.

``Playbook`` is a stable identity; what it says lives in ``PlaybookVersion`` rows that are
never changed once written (an edit adds a version). Applying a version to an incident
creates one incident ``Task`` per step and one ``StepRun`` linking the two, so a later edit
never moves a checklist that is already running.

A step run's state is its task's: done when the task is done, skipped when the task was
cancelled (with the reason kept here), pending otherwise. The task list on the incident page
and the checklist therefore never disagree, whichever of the two a responder ticks.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident, ParticipantRole, Task, TaskStatus


class StepRole(models.TextChoices):
    COMMANDER = "commander", "Incident commander"
    SCRIBE = "scribe", "Scribe"
    LEGAL = "legal", "Legal"
    POLICY = "policy", "Public policy"
    COMMS = "comms", "Comms"
    REGIONAL_LEAD = "regional_lead", "Regional lead"
    LAW_ENFORCEMENT = "law_enforcement", "Law-enforcement response"
    CHILD_SAFETY = "child_safety", "Child-safety specialist"
    PRODUCT = "product", "Product / engineering"


# Who owns a step: the incident's active participant in the matching role. The regional lead
# is not an incident role; services resolve it from the teams.
PARTICIPANT_ROLE: dict[str, str] = {
    StepRole.COMMANDER: ParticipantRole.COMMANDER,
    StepRole.SCRIBE: ParticipantRole.SCRIBE,
    StepRole.LEGAL: ParticipantRole.LEGAL,
    StepRole.POLICY: ParticipantRole.POLICY,
    StepRole.COMMS: ParticipantRole.LIAISON,
    StepRole.LAW_ENFORCEMENT: ParticipantRole.LIAISON,
    StepRole.CHILD_SAFETY: ParticipantRole.SME,
    StepRole.PRODUCT: ParticipantRole.SME,
}


class Anchor(models.TextChoices):
    INCIDENT_START = "incident_start", "Incident start"
    REGULATORY_CLOCK = "regulatory_clock", "Regulatory deadline"


class SourceType(models.TextChoices):
    """Where the incident came from, as matching sees it."""

    AUTHORITY_ORDER = "authority_order", "Court or authority order"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    TRUSTED_FLAGGER = "trusted_flagger", "Trusted flagger"
    USER_REPORT = "user_report", "User report"
    NGO = "ngo", "NGO or hotline"
    PRESS = "press", "Press"
    INTERNAL = "internal", "Internal team"
    DETECTION = "detection", "Detection system"


def _active(user: User | None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


class PlaybookQuerySet(models.QuerySet["Playbook"]):
    def visible_to(self, user: User) -> PlaybookQuerySet:
        """The library is training material: every active user reads it."""
        return self if _active(user) else self.none()

    def in_use(self) -> PlaybookQuerySet:
        return self.filter(archived_at__isnull=True, current__isnull=False)


class Playbook(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    current = models.ForeignKey(
        "PlaybookVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    from_pack = models.BooleanField(default=False, help_text="Shipped with trustdesk")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlaybookQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.current.title if self.current else self.slug

    @property
    def title(self) -> str:
        return str(self)


class PlaybookVersion(models.Model):
    """What a playbook said from ``created_at`` on. Never changed once written."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="Markdown: when to use it and the strategy")
    # Matching: every criterion given must hold; within one, any value does. Codes, not
    # foreign keys, so a version reads the same after the taxonomy changes.
    categories = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    markets = models.JSONField(default=list, blank=True)
    severities = models.JSONField(default=list, blank=True)
    source_types = models.JSONField(default=list, blank=True)
    auto_apply = models.BooleanField(
        default=True, help_text="Apply on its own when a matching incident opens"
    )
    stakeholders = models.JSONField(default=list, blank=True, help_text="Whom to engage")
    templates = models.JSONField(
        default=list, blank=True, help_text="Message templates: [{key, title, body}]"
    )
    rule_codes = models.JSONField(
        default=list, blank=True, help_text="Regime-pack rules this playbook answers"
    )
    change_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="unique_playbook_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def template(self, key: str) -> dict[str, str] | None:
        return next((t for t in self.templates if t.get("key") == key), None)


class Step(models.Model):
    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(max_length=60, help_text="Stays the same across versions")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown: how to do it")
    role = models.CharField(max_length=20, choices=StepRole.choices)
    anchor = models.CharField(max_length=20, choices=Anchor.choices, default=Anchor.INCIDENT_START)
    offset_minutes = models.IntegerField(
        help_text="Minutes after the anchor (negative: before a regulatory deadline)"
    )
    condition = models.JSONField(
        default=dict, blank=True, help_text="{markets, severities, source_types}; empty: always"
    )
    template_keys = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_step_key"),
            models.UniqueConstraint(fields=["version", "order"], name="unique_step_order"),
        ]

    def __str__(self) -> str:
        return self.title


class AppliedQuerySet(models.QuerySet["AppliedPlaybook"]):
    def visible_to(self, user: User) -> AppliedQuerySet:
        """A checklist is seen exactly when its incident is."""
        return self.filter(incident__in=Incident.objects.visible_to(user))


class AppliedPlaybook(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="playbooks")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey(
        PlaybookVersion, on_delete=models.PROTECT, related_name="applications"
    )
    applied_at = models.DateTimeField(default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False, help_text="Applied on opening, by matching")
    match_reasons = models.JSONField(default=list, blank=True)
    left_out = models.JSONField(
        default=list, blank=True, help_text="Steps whose condition did not hold: [{key, why}]"
    )

    objects = AppliedQuerySet.as_manager()

    class Meta:
        ordering = ["applied_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "playbook"], name="one_application_per_playbook"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} on incident {self.incident_id}"


class StepStatus(models.TextChoices):
    PENDING = "pending", "To do"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class StepRunQuerySet(models.QuerySet["StepRun"]):
    def visible_to(self, user: User) -> StepRunQuerySet:
        return self.filter(applied__incident__in=Incident.objects.visible_to(user))

    def pending(self) -> StepRunQuerySet:
        return self.exclude(task__status__in=(TaskStatus.DONE, TaskStatus.CANCELLED))


class StepRun(models.Model):
    applied = models.ForeignKey(AppliedPlaybook, on_delete=models.CASCADE, related_name="runs")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="runs")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="step_run")
    target_at = models.DateTimeField(
        null=True, blank=True, help_text="The playbook's time target; empty: waiting for a clock"
    )
    clock_request_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The regulatory request the target hangs on"
    )
    clock_due_at = models.DateTimeField(
        null=True, blank=True, help_text="That request's due time when the target was set"
    )
    skip_reason = models.TextField(blank=True)
    skipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skipped_at = models.DateTimeField(null=True, blank=True)

    objects = StepRunQuerySet.as_manager()

    class Meta:
        ordering = ["applied", "step__order"]
        indexes = [models.Index(fields=["target_at"])]
        constraints = [
            models.UniqueConstraint(fields=["applied", "step"], name="one_run_per_step"),
            models.CheckConstraint(
                condition=Q(skipped_at__isnull=True) | ~Q(skip_reason=""),
                name="skip_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step.title} on incident {self.applied.incident_id}"

    @property
    def status(self) -> StepStatus:
        if self.task.status == TaskStatus.DONE:
            return StepStatus.DONE
        if self.task.status == TaskStatus.CANCELLED:
            return StepStatus.SKIPPED
        return StepStatus.PENDING

    @property
    def done_at(self) -> datetime | None:
        return self.task.completed_at if self.status == StepStatus.DONE else None

    @property
    def is_late(self) -> bool:
        """Done after its target, or still open past it. Skipped steps are never late."""
        if self.target_at is None or self.status == StepStatus.SKIPPED:
            return False
        if self.status == StepStatus.DONE:
            return self.done_at is not None and self.done_at > self.target_at
        return timezone.now() > self.target_at

    @property
    def waits_for_clock(self) -> bool:
        return self.step.anchor == Anchor.REGULATORY_CLOCK and self.target_at is None
