"""The regime pack in the database: jurisdictions, authorities, rules and rule versions.

A ``Rule`` is a stable identity (its code); what it says lives in ``RuleVersion`` rows that are
never edited. Changing a rule, from the pack or by an administrator, adds a version and moves
``Rule.current`` to it, so a request keeps pointing at the version its clock was computed with.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustdesk.lib.regions import Region
from trustdesk.regulatory.clock import ClockKind, ClockSpec, Closure, in_force_on


class Jurisdiction(models.Model):
    code = models.CharField("code", max_length=8, unique=True, help_text="ISO 3166-1, or EU")
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=4, choices=Region.choices)
    tz = models.CharField("time zone", max_length=64)
    holiday_country = models.CharField(max_length=8, blank=True)
    holiday_subdiv = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AuthorityKind(models.TextChoices):
    COURT = "court", "Court or judge"
    REGULATOR = "regulator", "Regulator"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    PROSECUTOR = "prosecutor", "Prosecutor"
    GOVERNMENT = "government", "Government"
    CLEARINGHOUSE = "clearinghouse", "Reporting clearinghouse"
    TRUSTED_FLAGGER = "trusted_flagger", "Trusted flagger"
    INDIVIDUAL = "individual", "Individual"


class Authority(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="authorities"
    )
    kind = models.CharField(max_length=20, choices=AuthorityKind.choices)
    tz = models.CharField(
        "time zone", max_length=64, blank=True, help_text="Blank: the jurisdiction's"
    )
    holiday_country = models.CharField(max_length=8, blank=True)
    holiday_subdiv = models.CharField(max_length=32, blank=True)
    from_pack = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["jurisdiction__name", "name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name

    @property
    def zone_name(self) -> str:
        return self.tz or self.jurisdiction.tz


class ClockStart(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    SERVICE = "service", "Service"
    VALID_REQUEST = "valid_request", "Valid request"
    AWARENESS = "awareness", "Awareness"


class DeadlineFor(models.TextChoices):
    """Which milestone meets the deadline."""

    ACKNOWLEDGED = "acknowledged", "Acknowledgement"
    ACTIONED = "actioned", "Action (removal, preservation, report, disclosure)"
    RESPONDED = "responded", "Response to the authority"


class Verification(models.TextChoices):
    VERIFIED = "V", "Verified in a primary text"
    SECONDARY = "S", "Secondary sources only (news, law-firm commentary)"
    GENERAL = "G", "General knowledge, unchecked"


class RequestedAction(models.TextChoices):
    REMOVE = "remove", "Remove"
    RESTRICT = "restrict", "Restrict"
    PRESERVE = "preserve", "Preserve"
    DISCLOSE = "disclose", "Disclose"
    REPORT = "report", "Report"
    RESPOND = "respond", "Respond"


class KeepUnit(models.TextChoices):
    DAYS = "days", "days"
    MONTHS = "months", "months"
    YEARS = "years", "years"


class VersionSource(models.TextChoices):
    PACK = "pack", "Regime pack"
    ADMIN = "admin", "Edited by an administrator"


class RuleQuerySet(models.QuerySet["Rule"]):
    def in_force_on(self, day: date) -> RuleQuerySet:
        """Rules whose current version is in force on ``day`` (a local date)."""
        return self.filter(current__effective_from__lte=day).filter(
            models.Q(current__effective_to__isnull=True) | models.Q(current__effective_to__gt=day)
        )


class Rule(models.Model):
    code = models.CharField(max_length=64, unique=True)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="rules")
    current = models.ForeignKey(
        "RuleVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pack_hash = models.CharField(
        max_length=64, blank=True, help_text="Fingerprint of the pack entry last loaded"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__code", "code"]

    def __str__(self) -> str:
        return self.code


class RuleVersion(models.Model):
    """What a rule said from ``created_at`` on. Rows are never changed once written."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The usual issuer; a request names its own",
    )
    issuer = models.CharField(max_length=200, blank=True)
    instrument = models.CharField(max_length=300)
    article = models.CharField(max_length=120, blank=True)
    request_type = models.CharField(max_length=200)
    default_actions = models.JSONField(default=list, blank=True)
    clock_kind = models.CharField(max_length=16, choices=[(k.value, k.value) for k in ClockKind])
    duration = models.PositiveIntegerField(help_text="Hours (hours, internal) or days")
    set_by_order = models.BooleanField(
        default=False, help_text="The order or notice may set its own term"
    )
    order_days = models.CharField(
        max_length=16,
        choices=[
            (ClockKind.CALENDAR_DAYS.value, "calendar days"),
            (ClockKind.BUSINESS_DAYS.value, "business days"),
        ],
        default=ClockKind.CALENDAR_DAYS.value,
        help_text="How days stated in an order are counted",
    )
    clock_start = models.CharField(max_length=16, choices=ClockStart.choices)
    clock_start_text = models.CharField(max_length=200, blank=True)
    deadline_for = models.CharField(max_length=16, choices=DeadlineFor.choices)
    deadline_text = models.CharField(max_length=300, blank=True, help_text="As the law puts it")
    tz = models.CharField(max_length=64, blank=True, help_text="Blank: the authority's zone")
    holiday_country = models.CharField(max_length=8, blank=True)
    holiday_subdiv = models.CharField(max_length=32, blank=True)
    closures = models.JSONField(default=list, blank=True)
    roll_forward = models.BooleanField(
        default=False, help_text="A day deadline ending on a non-working day moves to the next"
    )
    effective_from = models.DateField(null=True, blank=True, help_text="Blank: never in force")
    effective_to = models.DateField(null=True, blank=True, help_text="First day no longer in force")
    verification = models.CharField(max_length=1, choices=Verification.choices)
    basis = models.CharField(max_length=16, blank=True, help_text="The reference's mark, e.g. V/G!")
    uncertain = models.BooleanField(default=False, help_text="Changed 2024-2026 or uncertain (!)")
    keep_count = models.PositiveIntegerField(null=True, blank=True)
    keep_unit = models.CharField(max_length=8, choices=KeepUnit.choices, blank=True)
    citation = models.TextField()
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=VersionSource.choices)
    change_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["rule", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="unique_rule_version")
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} v{self.number}"

    @property
    def is_internal(self) -> bool:
        return self.clock_kind == ClockKind.INTERNAL

    @property
    def clock_text(self) -> str:
        return ClockSpec(kind=ClockKind(self.clock_kind), duration=self.duration).describe()

    @property
    def legal_reference(self) -> str:
        return (
            f"{self.instrument}, {self.article}"
            if self.article not in ("", "-")
            else self.instrument
        )

    def in_force_on(self, day: date) -> bool:
        return in_force_on(self.effective_from, self.effective_to, day)

    def closure_list(self) -> tuple[Closure, ...]:
        return tuple(Closure(**c) for c in self.closures)

    def clock_spec(self, authority: Authority | None = None) -> ClockSpec:
        """The rule's own clock, in the zone and calendar of ``authority`` where the rule
        leaves them open (EU rules apply in whichever member state issues the order)."""
        authority = authority or self.authority
        jurisdiction = self.rule.jurisdiction
        tz = self.tz or (authority.tz if authority else "") or jurisdiction.tz
        country, subdiv = self.holiday_country, self.holiday_subdiv
        if not country and authority is not None and authority.holiday_country:
            country, subdiv = authority.holiday_country, authority.holiday_subdiv
        if not country:
            country = jurisdiction.holiday_country
            subdiv = subdiv or (authority.holiday_subdiv if authority else "")
            subdiv = subdiv or jurisdiction.holiday_subdiv
        return ClockSpec(
            kind=ClockKind(self.clock_kind),
            duration=self.duration,
            tz=tz,
            holiday_country=country,
            holiday_subdiv=subdiv,
            closures=self.closure_list(),
            roll_forward=self.roll_forward,
        )
