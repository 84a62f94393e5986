"""Regulatory requests and what happens to them: pauses, extensions, the response with its
evidence, the request's own timeline and its escalations."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.incidents.models import Incident
from trustdesk.lib.regions import Region
from trustdesk.regulatory.clock import ClockKind, ClockSpec, Closure, keep_until
from trustdesk.regulatory.lifecycle import OPEN_STATUSES, Status

from .regimes import Authority, Jurisdiction, Rule, RuleVersion

# Roles that may see requests not linked to any incident.
_UNLINKED_READERS = (Role.ADMIN, Role.LEAD, Role.INCIDENT_MANAGER, Role.AUDITOR)


class RequestQuerySet(models.QuerySet["RegulatoryRequest"]):
    def visible_to(self, user: User) -> RequestQuerySet:
        """The one visibility rule for regulatory requests (DESIGN.md invariant 6).

        - linked to an incident: visible exactly when that incident is;
        - not linked: admins, leads, incident managers and auditors; a stakeholder only the
          requests they own;
        - inactive or anonymous users: nothing.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        linked = Q(incident__in=Incident.objects.visible_to(user))
        if user.role in _UNLINKED_READERS:
            unlinked = Q(incident__isnull=True)
        else:
            unlinked = Q(incident__isnull=True, owner=user)
        return self.filter(linked | unlinked)

    def open(self) -> RequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Outcome(models.TextChoices):
    COMPLIED = "complied", "Complied"
    PARTIALLY_COMPLIED = "partially_complied", "Partially complied"
    REFUSED = "refused", "Refused (legal grounds)"


class OrderedUnit(models.TextChoices):
    HOURS = "hours", "hours"
    DAYS = "days", "days"


class RegulatoryRequest(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="requests")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="requests"
    )
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="requests")
    rule_version = models.ForeignKey(
        RuleVersion,
        on_delete=models.PROTECT,
        related_name="requests",
        help_text="The version the clock was computed with",
    )
    reference = models.CharField("authority's reference", max_length=120, blank=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    requested_actions = models.JSONField(default=list)
    content_items = models.JSONField(default=list, blank=True, help_text="URLs or content ids")
    accounts = models.JSONField(default=list, blank=True, help_text="Account ids or handles")
    confidential = models.BooleanField(
        "gag / confidentiality order", default=False, help_text="Its existence may not be disclosed"
    )
    user_may_be_notified = models.BooleanField(default=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    status_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regulatory_requests",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_regulatory_requests",
    )
    region = models.CharField(max_length=4, choices=Region.choices, db_index=True)
    source = models.CharField(
        max_length=120, blank=True, help_text="Where it came from, e.g. intake:report:42"
    )

    received_at = models.DateTimeField()
    served_at = models.DateTimeField(null=True, blank=True)
    ordered_duration = models.PositiveIntegerField(null=True, blank=True)
    ordered_unit = models.CharField(max_length=8, choices=OrderedUnit.choices, blank=True)
    urgent = models.BooleanField(
        default=False, help_text="Urgent order: closure periods (court recess) do not apply"
    )
    # The clock as computed at creation, so later edits to the rule, the authority or the
    # calendar data never move this request's deadline.
    clock = models.JSONField(default=dict)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    clock_duration = models.DurationField(help_text="The clock's full length, without pauses")
    paused_since = models.DateTimeField(null=True, blank=True)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)

    acknowledged_at = models.DateTimeField(null=True, blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    contested_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["jurisdiction", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"REQ-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def tz(self) -> str:
        return str(self.clock.get("tz") or "UTC")

    def clock_spec(self) -> ClockSpec:
        data = self.clock
        return ClockSpec(
            kind=ClockKind(data["kind"]),
            duration=int(data["duration"]),
            tz=data["tz"],
            holiday_country=data.get("holiday_country", ""),
            holiday_subdiv=data.get("holiday_subdiv", ""),
            closures=tuple(Closure(**c) for c in data.get("closures", [])),
            roll_forward=bool(data.get("roll_forward", False)),
        )

    @property
    def is_internal_target(self) -> bool:
        return self.clock.get("kind") == ClockKind.INTERNAL

    @property
    def deadline_for(self) -> str:
        return self.rule_version.deadline_for

    @property
    def deadline_met_at(self) -> datetime | None:
        """When the milestone the deadline asks for happened (None: not yet). A refusal on
        legal grounds answers an order to act: the response is then the milestone."""
        stamp: datetime | None = getattr(self, f"{self.deadline_for}_at")
        if stamp is None and self.outcome == Outcome.REFUSED:
            return self.responded_at
        return stamp

    @property
    def clock_running(self) -> bool:
        return self.is_open and self.deadline_met_at is None and not self.is_paused

    def time_left(self, now: datetime | None = None) -> timedelta:
        now = now or timezone.now()
        if self.paused_since is not None:
            return self.due_at - self.paused_since
        return self.due_at - now

    @property
    def deadline_result(self) -> str:
        """met / breached / pending / withdrawn, judged on the deadline's own milestone."""
        met_at = self.deadline_met_at
        if met_at is not None:
            return "met" if met_at <= self.due_at else "breached"
        if self.status == Status.WITHDRAWN or (self.status == Status.CLOSED and self.withdrawn_at):
            return "withdrawn"
        if self.status in OPEN_STATUSES and self.paused_since is not None:
            return "pending"
        return "breached" if timezone.now() > self.due_at else "pending"

    def keep_until(self) -> datetime | None:
        version = self.rule_version
        if not version.keep_count or not version.keep_unit:
            return None
        extra_days = sum(e.keep_days for e in self.extensions.all())
        return keep_until(
            self.started_at, version.keep_count, version.keep_unit, self.tz, extra_days=extra_days
        )


class Pause(models.Model):
    request = models.ForeignKey(RegulatoryRequest, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(ended_at__isnull=True), name="one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"pause of {self.request.ref} from {self.started_at:%Y-%m-%d %H:%M}"


class Extension(models.Model):
    """More time granted: units of the rule's clock, a later due time, or (preservation) a
    longer keeping period."""

    request = models.ForeignKey(
        RegulatoryRequest, on_delete=models.CASCADE, related_name="extensions"
    )
    units = models.PositiveIntegerField(default=0, help_text="Hours or days of the same clock")
    new_due_at = models.DateTimeField(null=True, blank=True)
    keep_days = models.PositiveIntegerField(default=0, help_text="Longer preservation")
    reason = models.TextField()
    granted_by = models.CharField(max_length=200, blank=True, help_text="Who granted it")
    due_before = models.DateTimeField()
    due_after = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"extension of {self.request.ref}"


class Response(models.Model):
    request = models.OneToOneField(
        RegulatoryRequest, on_delete=models.CASCADE, related_name="response"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    summary = models.TextField(help_text="What was done and what was sent to the authority")
    legal_grounds = models.TextField(blank=True)
    responded_at = models.DateTimeField()
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"response to {self.request.ref}: {self.outcome}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # Named by content hash: the stored name proves nothing was swapped after upload.
    return f"regulatory/evidence/{instance.request_id}/{instance.sha256}"


class Evidence(models.Model):
    request = models.ForeignKey(
        RegulatoryRequest, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to=_evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class EventKind(models.TextChoices):
    CREATED = "created", "Logged"
    STATUS = "status", "Status"
    MILESTONE = "milestone", "Milestone"
    PAUSE = "pause", "Clock paused"
    RESUME = "resume", "Clock resumed"
    EXTENSION = "extension", "Extension"
    RESPONSE = "response", "Response"
    EVIDENCE = "evidence", "Evidence"
    ESCALATION = "escalation", "Escalation"
    CHANGE = "change", "Change"


class RequestEvent(models.Model):
    request = models.ForeignKey(RegulatoryRequest, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    text = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.request_id}: {self.text[:40]}"


class Escalation(models.Model):
    """One level of the reminder/escalation ladder reached by one request. The unique
    (request, level) row is how concurrent sweeps agree that a level fires once."""

    request = models.ForeignKey(
        RegulatoryRequest, on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.CharField(max_length=16)
    fraction = models.FloatField()
    reached_at = models.DateTimeField(help_text="When the clock crossed the level")
    created_at = models.DateTimeField(default=timezone.now)
    notified = models.JSONField(default=list, help_text="Usernames notified")
    superseded = models.BooleanField(
        default=False, help_text="Crossed together with a higher level, which notified instead"
    )

    class Meta:
        ordering = ["request", "fraction"]
        constraints = [
            models.UniqueConstraint(fields=["request", "level"], name="unique_escalation_level")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.level}"
