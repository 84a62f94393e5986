"""Market profiles (who to call, which rules apply, who can help) and the risk calendar.

A profile is reference material the team maintains together, so every save keeps a
``ProfileRevision`` with a snapshot and the differences, and writes an audit event. Risk
events are market-level facts (elections, regulatory periods), not incident data: every
active user may read them; leads and admins enter them.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.taxonomy.models import Market


def _active(user: User | None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


class ProfileQuerySet(models.QuerySet["MarketProfile"]):
    def visible_to(self, user: User) -> ProfileQuerySet:
        """Profiles are training and reference material: every active user reads them."""
        return self if _active(user) else self.none()


class MarketProfile(models.Model):
    market = models.OneToOneField(Market, on_delete=models.PROTECT, related_name="profile")
    overview = models.TextField(blank=True, help_text="Markdown: the market in a few lines")
    regulatory_notes = models.TextField(
        blank=True, help_text="Markdown: how the law works here in practice"
    )
    language_notes = models.TextField(
        blank=True, help_text="Slang, dialects, scripts; which reviewers cover them"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["market__name"]

    def __str__(self) -> str:
        return f"Profile of {self.market.name}"


class AuthorityKind(models.TextChoices):
    ELECTORAL = "electoral", "Electoral authority or court"
    COURT = "court", "Court"
    PROSECUTOR = "prosecutor", "Prosecutor"
    POLICE = "police", "Police"
    DATA_PROTECTION = "data_protection", "Data-protection authority"
    MEDIA_REGULATOR = "media_regulator", "Media or online-safety regulator"
    CHILD_PROTECTION = "child_protection", "Child-protection body"
    CONSUMER = "consumer", "Consumer authority"
    GOVERNMENT = "government", "Government ministry"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    POSTAL = "postal", "Postal"


class AuthorityContact(models.Model):
    profile = models.ForeignKey(MarketProfile, on_delete=models.CASCADE, related_name="authorities")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AuthorityKind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(
        max_length=300, blank=True, help_text="The portal URL, email address, number or address"
    )
    hours = models.CharField(max_length=120, blank=True, help_text="When it answers, local time")
    notes = models.TextField(blank=True)
    regulatory_code = models.CharField(
        max_length=40, blank=True, help_text="The regime pack's authority code, e.g. BR-TSE"
    )
    unverified = models.BooleanField(
        default=False, help_text="Contact details not checked against an official source"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"


class PartnerKind(models.TextChoices):
    NGO = "ngo", "NGO"
    HOTLINE = "hotline", "Hotline"
    FACT_CHECKER = "fact_checker", "Fact-checker"
    TRUSTED_FLAGGER = "trusted_flagger", "Trusted flagger"
    ACADEMIC = "academic", "Academic / research"
    HELPLINE = "helpline", "Support helpline"


class Partner(models.Model):
    profile = models.ForeignKey(MarketProfile, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices)
    contact = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    unverified = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class RiskNote(models.Model):
    """A social-media risk the team has seen in this market, and what tends to help."""

    profile = models.ForeignKey(MarketProfile, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Expert(models.Model):
    """Someone inside the company to ask about this market."""

    profile = models.ForeignKey(MarketProfile, on_delete=models.CASCADE, related_name="experts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=120, blank=True, help_text="If not a trustdesk user")
    expertise = models.CharField(max_length=200)
    languages = models.CharField(max_length=120, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.display_name if self.user else self.name


class ProfileRevision(models.Model):
    """The profile as saved, and what changed from the revision before."""

    profile = models.ForeignKey(MarketProfile, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changes = models.JSONField(default=list, help_text="[{field, before, after}]")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["profile", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="unique_profile_revision")
        ]

    def __str__(self) -> str:
        return f"{self.profile.market.code} r{self.number}"


class RiskKind(models.TextChoices):
    ELECTION = "election", "Election"
    HOLIDAY = "holiday", "Holiday"
    REGULATORY_PERIOD = "regulatory_period", "Regulatory period"
    MAJOR_EVENT = "major_event", "Major public event"
    OTHER = "other", "Other"


class RiskEventQuerySet(models.QuerySet["RiskEvent"]):
    # Not sensitive (public dates about markets): every signed-in user and feed reads them.
    def overlapping(self, start: date, end: date) -> RiskEventQuerySet:
        """Events with at least one day in ``[start, end]``."""
        return self.filter(starts_on__lte=end, ends_on__gte=start)


def default_reminders() -> list[int]:
    return [14, 3]


class RiskEvent(models.Model):
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="risk_events")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RiskKind.choices)
    starts_on = models.DateField(help_text="First day, in the market's own calendar")
    ends_on = models.DateField(help_text="Last day (the same as the first for one day)")
    notes = models.TextField(blank=True)
    remind_days_before = models.JSONField(
        default=default_reminders, blank=True, help_text="Days before the start to remind leads"
    )
    unconfirmed = models.BooleanField(
        default=False, help_text="The date is expected, not yet officially set"
    )
    source = models.CharField(max_length=300, blank=True, help_text="Where the date comes from")
    pack_key = models.CharField(
        max_length=80, blank=True, help_text="Set for events shipped with trustdesk"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RiskEventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "market__code", "id"]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="risk_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.market.code} {self.title} {self.starts_on:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class CalendarFeed(models.Model):
    """The secret in a user's calendar-feed URL. Resetting it cuts off every old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(24)
