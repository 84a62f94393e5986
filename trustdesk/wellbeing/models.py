"""Responder wellbeing: how each person wants sensitive material shown, the organisation's
minimum protections, and minimal exposure events (who, which category, when, how long).

An exposure event keeps no copy of the content and no content id: the reveal itself is in
the audit log (intake writes it); here only the load on the person matters.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from trustdesk.accounts.models import Membership, Role, User
from trustdesk.taxonomy.models import Category


class BlurLevel(models.IntegerChoices):
    LIGHT = 1, "Light"
    MEDIUM = 2, "Medium"
    STRONG = 3, "Strong"


class ExposureKind(models.TextChoices):
    MEDIA = "media", "Media revealed"
    TEXT = "text", "Text expanded"


def people_led_by(user: User) -> models.QuerySet[Membership, int]:
    """Ids of the people in the teams ``user`` leads (their reports, and themselves)."""
    return Membership.objects.filter(
        team__membership__user=user, team__membership__is_lead=True
    ).values_list("user", flat=True)


def exposure_owners(viewer: User, prefix: str = "user__") -> Q:
    """Whose exposure ``viewer`` may see: their own, their team's if they lead it, everyone's
    if they are an administrator. The one rule for the UI and the API."""
    if not viewer.is_active:
        return Q(pk__in=[])
    if viewer.role == Role.ADMIN:
        return Q()
    return Q(**{f"{prefix}pk": viewer.pk}) | Q(**{f"{prefix}pk__in": people_led_by(viewer)})


class ExposureEventQuerySet(models.QuerySet["ExposureEvent"]):
    def visible_to(self, viewer: User) -> ExposureEventQuerySet:
        return self.filter(exposure_owners(viewer))

    def open(self) -> ExposureEventQuerySet:
        return self.filter(ended_at__isnull=True)


class ExposureEvent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exposure_events"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=ExposureKind.choices)
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    revealed_duration = models.DurationField(null=True, blank=True)
    capped = models.BooleanField(
        default=False, help_text="Closed by the sweep or the cap, not by the page"
    )

    objects = ExposureEventQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "category", "started_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.category_id} at {self.started_at:%Y-%m-%d %H:%M}"

    def duration_at(self, now: datetime, cap: timedelta) -> timedelta:
        """How long it counts: the recorded duration, or (still open) the time so far, capped."""
        if self.revealed_duration is not None:
            return self.revealed_duration
        return max(timedelta(0), min(now - self.started_at, cap))


class ViewingPreference(models.Model):
    """One person's choices for one category (or, with no category, for all of them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="viewing_preferences"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    blur_level = models.PositiveSmallIntegerField(
        choices=BlurLevel.choices, default=BlurLevel.MEDIUM
    )
    greyscale = models.BooleanField(default=True)
    mute_video = models.BooleanField("video muted", default=True)
    pause_video = models.BooleanField("video paused", default=True)
    collapse_text = models.BooleanField("text behind a content warning", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id", "category__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="wellbeing_one_pref_per_category",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(category__isnull=True),
                name="wellbeing_one_default_pref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.category or 'all categories'}"


class OrgPolicy(models.Model):
    """The organisation's minimum protections for one category. Nobody's preference goes
    below them."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="+")
    min_blur_level = models.PositiveSmallIntegerField(
        choices=BlurLevel.choices, default=BlurLevel.LIGHT
    )
    require_greyscale = models.BooleanField(default=False)
    require_muted_video = models.BooleanField(default=False)
    require_paused_video = models.BooleanField(default=False)
    require_collapsed_text = models.BooleanField(default=False)
    high_impact = models.BooleanField(
        null=True,
        blank=True,
        help_text="Suggest owners by recent exposure. Unset: follow the category's 'sensitive'.",
    )

    class Meta:
        verbose_name = "organisation policy"
        verbose_name_plural = "organisation policies"
        ordering = ["category__name"]

    def __str__(self) -> str:
        return f"Policy: {self.category}"


class SupportResource(models.Model):
    """A link the organisation offers (counselling, peer support, an EAP line)."""

    title = models.CharField(max_length=120)
    url = models.URLField()
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class RotationNote(models.Model):
    """A lead's planning note for their team: who rotates off which queue, planned breaks."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Rotation note for team {self.team_id}"
