"""Coaching notes, goals, and the accuracy signals counted on closed work."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.quality.people import led_by

from .rubrics import SubjectKind


def _person_rule(user: User, *, own: Q | None = None) -> Q | None:
    """The person themself (narrowed by ``own``), their leads and admins; None: nothing.
    Shared by every per-person model so the rule lives in one place."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role == Role.ADMIN:
        return Q()
    mine = Q(person=user) & (own or Q())
    return mine | Q(person__in=led_by(user))


class PersonQuerySet(models.QuerySet):
    own_filter: Q | None = None

    def visible_to(self, user: User) -> PersonQuerySet:
        rule = _person_rule(user, own=self.own_filter)
        return self.none() if rule is None else self.filter(rule)


class CoachingNoteQuerySet(PersonQuerySet):
    # A draft is for the leads' eyes until they share it.
    own_filter = Q(draft=False)


class CoachingNote(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    draft = models.BooleanField(default=False, help_text="Leads only until shared")
    review = models.ForeignKey(
        "quality.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CoachingNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note for {self.person_id}"


class GoalStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    DROPPED = "dropped", "Dropped"


class Goal(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_goals"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    criterion_key = models.SlugField(max_length=40, blank=True, help_text="The rubric criterion")
    follow_up_on = models.DateField()
    status = models.CharField(max_length=8, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["status", "follow_up_on", "id"]
        indexes = [models.Index(fields=["status", "follow_up_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_due(self) -> bool:
        return self.status == GoalStatus.OPEN and self.follow_up_on <= timezone.now().date()


class SignalKind(models.TextChoices):
    SEVERITY_CHANGED = "severity_changed", "Severity changed after triage"
    CATEGORY_CHANGED = "category_changed", "Category changed after triage"
    REOPENED = "reopened", "Reopened after resolution"
    DEADLINE_MISSED = "deadline_missed", "Legal deadline missed"


class AccuracySignal(models.Model):
    """Something on closed work worth a look: counted per person, never a verdict."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accuracy_signals"
    )
    kind = models.CharField(max_length=20, choices=SignalKind.choices)
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    closed_at = models.DateTimeField(help_text="When the work closed; buckets it by period")
    detail = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=120, unique=True, help_text="Makes collection idempotent")

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["-closed_at", "-id"]
        indexes = [models.Index(fields=["person", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.subject_ref}"

    @property
    def subject_ref(self) -> str:
        prefix = "INC" if self.subject_kind == SubjectKind.INCIDENT else "REQ"
        return f"{prefix}-{self.subject_id}"
