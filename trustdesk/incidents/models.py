from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.lib.regions import Region
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity

from .lifecycle import OPEN_STATUSES, Status


class IncidentQuerySet(models.QuerySet["Incident"]):
    def visible_to(self, user: User) -> IncidentQuerySet:
        """The one visibility rule for incidents (DESIGN.md invariant 6).

        - admins and leads: everything;
        - incident managers and auditors: every unrestricted incident, and restricted ones
          they are on the need-to-know list of;
        - stakeholders: only incidents they are engaged on (a participant) or were granted;
        - inactive or anonymous users: nothing.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        on_list = Exists(
            IncidentAccess.objects.filter(incident=OuterRef("pk"), user=user)
        ) | Exists(
            Participant.objects.filter(
                incident=OuterRef("pk"), user=user, renounced_at__isnull=True
            )
        )
        if user.role in (Role.INCIDENT_MANAGER, Role.AUDITOR):
            return self.filter(Q(restricted=False) | on_list)
        return self.filter(on_list)

    def open(self) -> IncidentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Incident(models.Model):
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="incidents")
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="incidents")
    markets = models.ManyToManyField(Market, blank=True, related_name="incidents")
    severity = models.CharField(max_length=4, choices=Severity.choices, db_index=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    region = models.CharField(max_length=4, choices=Region.choices, db_index=True)
    restricted = models.BooleanField(default=False, help_text="Need-to-know only")
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commanded_incidents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    status_reason = models.TextField(blank=True, help_text="Why it was declined or merged")

    detected_at = models.DateTimeField(null=True, blank=True, help_text="When the harm began")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    reported_at = models.DateTimeField(default=timezone.now)
    triaged_at = models.DateTimeField(null=True, blank=True)
    investigating_at = models.DateTimeField(null=True, blank=True)
    mitigating_at = models.DateTimeField(null=True, blank=True)
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "severity"]),
            models.Index(fields=["region", "status"]),
            models.Index(fields=["category", "status"]),
            # Every analytics period filter and the queue's since/until use it.
            models.Index(fields=["reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"INC-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def age(self) -> timedelta:
        return timezone.now() - self.reported_at

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return self.triaged_at - self.reported_at if self.triaged_at else None

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return self.mitigating_at - self.reported_at if self.mitigating_at else None

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self.resolved_at - self.reported_at if self.resolved_at else None


class IncidentAccess(models.Model):
    """An explicit place on a restricted incident's need-to-know list."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="unique_incident_access")
        ]

    def __str__(self) -> str:
        return f"{self.user} may see incident {self.incident_id}"


class ParticipantRole(models.TextChoices):
    COMMANDER = "commander", "Incident commander"
    SCRIBE = "scribe", "Scribe"
    LIAISON = "liaison", "Comms / liaison"
    LEGAL = "legal", "Legal"
    POLICY = "policy", "Policy"
    SME = "sme", "Subject-matter expert"
    OBSERVER = "observer", "Observer"


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def active(self) -> ParticipantQuerySet:
        return self.filter(renounced_at__isnull=True)


class Participant(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=16, choices=ParticipantRole.choices)
    assumed_at = models.DateTimeField(default=timezone.now)
    renounced_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True, help_text="Why they were engaged")

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["assumed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "user", "role"],
                condition=Q(renounced_at__isnull=True),
                name="unique_active_participant_role",
            )
        ]
        indexes = [models.Index(fields=["user", "renounced_at"])]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} on incident {self.incident_id}"

    @property
    def is_active(self) -> bool:
        return self.renounced_at is None


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS_CHANGE = "status_change", "Status change"
    FIELD_CHANGE = "field_change", "Field change"
    NOTE = "note", "Note"
    PARTICIPANT_CHANGE = "participant_change", "Participant change"
    TASK = "task", "Task"
    ACCESS = "access", "Access"


class TimelineEvent(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    text = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["incident", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on incident {self.incident_id}: {self.text[:40]}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incident_tasks",
    )
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_at is not None
            and self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
            and self.due_at < timezone.now()
        )
