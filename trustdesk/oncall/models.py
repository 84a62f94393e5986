"""Engagement rules: who is brought onto an incident, and why.

A rule is a conjunction of conditions; an empty condition matches anything. When a rule
matches an incident, its team's members (or its person) become participants in the rule's
role, which is also what grants them sight of a restricted incident, and they are notified.
Each firing is an ``EngagementMatch``, recorded with the reasons.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustdesk.accounts.models import Team
from trustdesk.incidents.models import Incident, ParticipantRole
from trustdesk.lib.regions import Region
from trustdesk.regulatory.models import RegulatoryRequest
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity


class RestrictedCondition(models.TextChoices):
    ANY = "any", "Restricted or not"
    ONLY = "only", "Restricted incidents only"
    NEVER = "never", "Unrestricted incidents only"


class SourceType(models.TextChoices):
    """Who brought an incident to us, as derived from its reports and regulatory requests."""

    REGULATOR = "regulator", "Regulator"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement or prosecutor"
    COURT = "court", "Court"
    GOVERNMENT = "government", "Government"
    PRESS = "press", "Press"
    TRUSTED_FLAGGER = "trusted_flagger", "Trusted flagger"
    NGO = "ngo", "NGO or clearinghouse"
    USER = "user", "User or individual"


class EngagementRule(models.Model):
    name = models.CharField(max_length=120, unique=True)
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why these people are engaged; shown to them"
    )
    enabled = models.BooleanField(default=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="+")
    markets = models.ManyToManyField(Market, blank=True, related_name="+")
    min_severity = models.CharField(
        max_length=4,
        choices=Severity.choices,
        blank=True,
        help_text="This severity or worse (SEV1 is the worst); blank for any",
    )
    text_contains = models.CharField(
        max_length=200,
        blank=True,
        help_text="Comma-separated words looked for in title and summary, e.g. press, journalist",
    )
    restricted = models.CharField(
        max_length=8, choices=RestrictedCondition.choices, default=RestrictedCondition.ANY
    )
    source_types = models.JSONField(
        default=list,
        blank=True,
        help_text="Any of these sources (SourceType values); empty for any source",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(
        max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.SME
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EngagementMatch(models.Model):
    rule = models.ForeignKey(EngagementRule, on_delete=models.CASCADE, related_name="matches")
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="engagement_matches"
    )
    matched_at = models.DateTimeField(default=timezone.now)
    reasons = models.JSONField(default=list)
    engaged = models.JSONField(default=list, help_text="Usernames engaged")

    class Meta:
        ordering = ["-matched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "incident"], name="one_match_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule} on incident {self.incident_id}"


class Rotation(models.Model):
    """One team's on-call rotation in one zone.

    Members take turns, ``shift_days`` local days each, handing off at ``handoff_time`` in
    ``tz``. The rotation covers ``covers_from``-``covers_until`` local time each day (equal
    times: around the clock; ``covers_from`` later than ``covers_until``: over midnight), so
    three regional rotations can follow the sun. All maths runs in local wall time, so a
    09:00 handoff stays at 09:00 across daylight-saving changes.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rotations")
    name = models.CharField(max_length=120)
    tz = models.CharField("time zone", max_length=64, default="UTC")
    starts_on = models.DateField(help_text="The first shift's local date")
    shift_days = models.PositiveSmallIntegerField(default=7)
    handoff_time = models.TimeField(help_text="Local time the next person takes over")
    covers_from = models.TimeField(help_text="Local start of the daily coverage window")
    covers_until = models.TimeField(help_text="Local end; equal to start for 24 hours")
    holiday_country = models.CharField(
        max_length=8, blank=True, help_text="ISO country code of the public-holiday calendar"
    )
    holiday_subdiv = models.CharField(
        max_length=16, blank=True, help_text="Subdivision (state, province), if it has its own"
    )
    holiday_fallback = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="On call on public holidays when no holiday layer covers",
    )

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(shift_days__gte=1), name="shift_days_min_1")
        ]

    def __str__(self) -> str:
        return f"{self.team.name}: {self.name}"


class RotationMember(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rotation_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="one_member_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.rotation} #{self.position}: {self.user_id}"


class LayerWhen(models.TextChoices):
    DAYS = "days", "On chosen weekdays"
    HOLIDAYS = "holidays", "On public holidays"


class RotationLayer(models.Model):
    """A rota on top of the rotation's own (e.g. weekends, holidays). While active, the
    highest layer covering the moment decides who is on call; overrides still win."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(help_text="Higher layers win")
    when = models.CharField(max_length=8, choices=LayerWhen.choices, default=LayerWhen.DAYS)
    weekdays = models.JSONField(
        default=list, blank=True, help_text="ISO weekdays (1 = Monday, 7 = Sunday); empty: all"
    )
    covers_from = models.TimeField(help_text="Local start; equal to the end for all day")
    covers_until = models.TimeField()
    shift_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        ordering = ["rotation_id", "-position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="one_layer_per_position"),
            models.CheckConstraint(
                condition=models.Q(shift_days__gte=1), name="layer_shift_days_min_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rotation}: layer {self.name}"


class LayerMember(models.Model):
    layer = models.ForeignKey(RotationLayer, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["layer_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "position"], name="one_layer_member_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.layer} #{self.position}: {self.user_id}"


class Override(models.Model):
    """Someone covers part of a rotation instead of whoever is scheduled (swap, sickness)."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="override_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.rotation} {self.starts_at:%Y-%m-%d %H:%M}"


class EscalationPolicy(models.Model):
    """An ordered list of typed steps, started for new incidents at ``min_severity`` or
    worse, and (``on_regulatory_clocks``) for regulatory requests of its region whose
    deadline is close. Acknowledging the page stops it."""

    name = models.CharField(max_length=120, unique=True)
    enabled = models.BooleanField(default=True)
    min_severity = models.CharField(
        max_length=4,
        choices=Severity.choices,
        default=Severity.SEV2,
        help_text="Page for this severity or worse",
    )
    on_regulatory_clocks = models.BooleanField(
        default=False,
        help_text="Also page when a regulatory request's deadline is close "
        "(a quarter of its clock left, or under two hours)",
    )
    region = models.CharField(
        max_length=4,
        choices=Region.choices,
        blank=True,
        help_text="Regulatory clocks of this region only; blank for every region",
    )

    class Meta:
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    NOTIFY_ONCALL = "notify_oncall", "Notify whoever is on call for a team"
    NOTIFY_PERSON = "notify_person", "Notify a person"
    NOTIFY_LEAD = "notify_lead", "Notify the team's leads"
    NOTIFY_REGION = "notify_region", "Notify the on-call of another region"
    WAIT = "wait", "Wait N minutes"
    REPEAT = "repeat", "Repeat from the first step, up to K times"


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.CharField(max_length=4, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    times = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["policy_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="one_step_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.policy} #{self.position}: {self.get_kind_display()}"


class PageStatus(models.TextChoices):
    ACTIVE = "active", "Paging"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    EXHAUSTED = "exhausted", "Ran out of steps"


class ClockThreshold(models.TextChoices):
    QUARTER_LEFT = "quarter_left", "A quarter of the clock left"
    UNDER_TWO_HOURS = "two_hours", "Under two hours left"


class Page(models.Model):
    """One run of a policy for one incident, or for one regulatory request crossing one
    deadline threshold: where it is in the steps, and when it moves."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="pages")
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="pages", null=True, blank=True
    )
    request = models.ForeignKey(
        RegulatoryRequest,
        on_delete=models.CASCADE,
        related_name="oncall_pages",
        null=True,
        blank=True,
    )
    threshold = models.CharField(max_length=12, choices=ClockThreshold.choices, blank=True)
    status = models.CharField(max_length=12, choices=PageStatus.choices, default=PageStatus.ACTIVE)
    step_index = models.PositiveSmallIntegerField(default=0)
    repeats_done = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField()
    started_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "incident"], name="one_page_per_policy"),
            models.UniqueConstraint(
                fields=["policy", "request", "threshold"],
                condition=models.Q(request__isnull=False),
                name="one_page_per_clock_threshold",
            ),
            models.CheckConstraint(
                condition=models.Q(incident__isnull=False) | models.Q(request__isnull=False),
                name="page_has_a_subject",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_step_at"])]

    def __str__(self) -> str:
        about = f"request {self.request_id}" if self.request_id else f"incident {self.incident_id}"
        return f"{self.policy} for {about} ({self.status})"


class Audience(models.TextChoices):
    INTERNAL = "internal", "Internal (everyone engaged)"
    EXECUTIVE = "executive", "Executive (leads)"
    REGULATOR = "regulator", "Regulator-facing (to Legal / liaison for sending)"


class StatusUpdate(models.Model):
    """A stakeholder update as sent: drafted from the incident, edited, then sent."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_updates")
    audience = models.CharField(max_length=12, choices=Audience.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list, help_text="Usernames it went to")

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} update on {self.incident_id}"


class Handoff(models.Model):
    """A shift boundary: the summary the incoming on-call gets, and their acknowledgement."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="handoffs")
    at = models.DateTimeField(help_text="When the incoming shift started")
    outgoing = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    incoming = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handoffs"
    )
    summary = models.TextField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "at"], name="one_handoff_per_boundary")
        ]

    def __str__(self) -> str:
        return f"{self.rotation} handoff at {self.at:%Y-%m-%d %H:%M}"


class CalendarToken(models.Model):
    """A person's secret for calendar feeds that calendar apps fetch without logging in.
    Rotating replaces it (the old URLs stop working); revoking deletes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar token of {self.user_id}"
