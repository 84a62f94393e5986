from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from trustdesk.lib.regions import Region


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    LEAD = "lead", "Lead"
    INCIDENT_MANAGER = "incident_manager", "Incident manager"
    STAKEHOLDER = "stakeholder", "Stakeholder"
    AUDITOR = "auditor", "Auditor"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAKEHOLDER)
    region = models.CharField(max_length=4, choices=Region.choices, blank=True)
    tz = models.CharField("time zone", max_length=64, default="UTC")
    title = models.CharField(max_length=120, blank=True)

    # `createsuperuser` asks for the role (or takes --role), so a first admin sees incidents.
    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        ordering = ["username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_everything(self) -> bool:
        """Admins and leads are on every need-to-know list (their reads are audited)."""
        return self.is_active and self.role in (Role.ADMIN, Role.LEAD)

    @property
    def is_responder(self) -> bool:
        """May run incidents: create them, move them through the lifecycle, assign roles."""
        return self.is_active and self.role in (Role.ADMIN, Role.LEAD, Role.INCIDENT_MANAGER)


class TeamKind(models.TextChoices):
    INCIDENT_MANAGEMENT = "incident_management", "Regional incident management"
    STAKEHOLDER = "stakeholder", "Stakeholder function"


class Team(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=TeamKind.choices)
    region = models.CharField(max_length=4, choices=Region.choices, blank=True)
    email = models.EmailField(blank=True)
    members = models.ManyToManyField(User, through="Membership", related_name="teams")

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    is_lead = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


TOKEN_PREFIX = "td_"  # noqa: S105 (a prefix, not a secret)


def hash_token(raw: str) -> str:
    # API tokens are 256-bit random values, so a plain SHA-256 is enough (no slow KDF needed).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise a token")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the token may be used for (trustdesk.accounts.scopes), bounded by the owner's role.
    scopes = models.JSONField(default=list, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
