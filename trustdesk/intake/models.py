"""Inbound escalations: reports, what they point at, their evidence, and the triage groups.

Every channel (API, email, web form, import, webhook) ends up as one ``Report`` in one
``ReportGroup``; the triage queue is the list of open groups. Visibility is decided by the
``visible_to`` queryset methods here and nowhere else (DESIGN.md invariant 6).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trustdesk.accounts.models import Membership, Role, Team, User
from trustdesk.incidents.models import Incident
from trustdesk.lib.regions import Region
from trustdesk.taxonomy.models import Category, Market
from trustdesk.taxonomy.severity import Severity


class Channel(models.TextChoices):
    API = "api", "API"
    EMAIL = "email", "Email"
    WEB_FORM = "web_form", "Web form"
    IMPORT = "import", "File import"
    WEBHOOK = "webhook", "Detection webhook"


class ReporterType(models.TextChoices):
    USER = "user", "User"
    TRUSTED_FLAGGER = "trusted_flagger", "Trusted flagger"
    REGULATOR = "regulator", "Regulator"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    NGO = "ngo", "NGO"
    PRESS = "press", "Press"
    INTERNAL = "internal", "Internal team"
    DETECTION = "detection", "Detection system"


# Reporter types whose claim must be backed by a listed sender before it counts.
VERIFIED_TYPES = frozenset(
    {ReporterType.REGULATOR, ReporterType.LAW_ENFORCEMENT, ReporterType.TRUSTED_FLAGGER}
)


class GroupStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONVERTED = "converted", "Opened as incident"
    ATTACHED = "attached", "Attached to incident"
    DISMISSED = "dismissed", "Dismissed"
    SPAM = "spam", "Spam"


def _responder_or_auditor(user: User) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in (Role.INCIDENT_MANAGER, Role.AUDITOR)
    )


class ReportGroupQuerySet(models.QuerySet["ReportGroup"]):
    def visible_to(self, user: User) -> ReportGroupQuerySet:
        """The one visibility rule for the triage queue.

        - admins and leads: every group;
        - stakeholders, outsiders, anonymous or inactive users: none (the queue is raw,
          unvetted material);
        - a group linked to an incident follows that incident's visibility;
        - an unlinked group in a restricted-by-default category (child safety): only the
          routed regional team's incident managers (team members, or incident managers of
          that region); auditors and other regions do not see it;
        - every other unlinked group: incident managers and auditors.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if not _responder_or_auditor(user):
            return self.none()
        linked = Q(incident__in=Incident.objects.visible_to(user).values("pk"))
        allowed = Q(restricted=False)
        if user.role == Role.INCIDENT_MANAGER:
            allowed |= Q(Exists(Membership.objects.filter(team=OuterRef("team"), user=user)))
            if user.region:
                allowed |= Q(region=user.region)
        return self.filter(linked | (Q(incident__isnull=True) & allowed))

    def open(self) -> ReportGroupQuerySet:
        return self.filter(status=GroupStatus.OPEN)


class ReportGroup(models.Model):
    """A triage cluster: reports about the same thing within the grouping window."""

    fingerprint = models.CharField(max_length=64, help_text="What opened it")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    keyword_codes = models.JSONField(default=list, blank=True)
    markets = models.JSONField(default=list, blank=True, help_text="ISO codes, first seen first")
    source_types = models.JSONField(default=list, blank=True, help_text="Verified reporter types")
    minors_involved = models.BooleanField(default=False)
    restricted = models.BooleanField(default=False, help_text="Need-to-know (category default)")
    region = models.CharField(max_length=4, choices=Region.choices, blank=True, db_index=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_groups"
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    report_count = models.PositiveIntegerField(default=0)
    suggested_severity = models.CharField(max_length=4, choices=Severity.choices)
    severity_reasons = models.JSONField(default=list, blank=True)
    signature = models.BinaryField(
        null=True, blank=True, help_text="MinHash of the first text, to verify near-duplicates"
    )
    status = models.CharField(
        max_length=10, choices=GroupStatus.choices, default=GroupStatus.OPEN, db_index=True
    )
    status_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_groups"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReportGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["status", "last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"GRP-{self.pk}"


class GroupBand(models.Model):
    """One LSH band hash of a group's MinHash signature. Kept in the database, so every web
    process and worker finds the same near-duplicate clusters."""

    # Derived data, written in the same transaction as its group, 16 rows per new group and
    # only ever looked up by key: no index on the group, and no database-level constraint
    # (PostgreSQL would run a referential check per row; Django still cascades deletes).
    group = models.ForeignKey(
        ReportGroup,
        on_delete=models.CASCADE,
        related_name="bands",
        db_index=False,
        db_constraint=False,
    )
    key = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"band {self.key} of group {self.group_id}"


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: User) -> ReportQuerySet:
        """A report is visible exactly when its group is."""
        return self.filter(group__in=ReportGroup.objects.visible_to(user).values("pk"))


class IntakeAddress(models.Model):
    """An email address the SMTP listener accepts mail for, with its sender rules."""

    address = models.EmailField(unique=True)
    reporter_type = models.CharField(max_length=20, choices=ReporterType.choices)
    verified_senders = models.JSONField(
        default=dict,
        blank=True,
        help_text='Sender domain -> jurisdiction (ISO code or ""), e.g. {"arcom.fr": "FR"}. '
        "For regulator, law-enforcement and trusted-flagger addresses only these domains "
        "create reports of that type; other senders are queued as unverified.",
    )
    default_market = models.ForeignKey(
        Market, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "intake addresses"

    def __str__(self) -> str:
        return self.address


class Report(models.Model):
    """One inbound escalation, as received, plus what normalisation made of it."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    external_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    reporter_type = models.CharField(max_length=20, choices=ReporterType.choices)
    claimed_reporter_type = models.CharField(
        max_length=20, choices=ReporterType.choices, blank=True, help_text="If not verified"
    )
    verified = models.BooleanField(default=True)
    verification_note = models.CharField(max_length=300, blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_contact = models.CharField(max_length=254, blank=True)
    # Reports are written in bulk and read through their group: foreign keys that nothing
    # looks reports up by carry no index, which keeps a 1,000-report insert cheap. For the
    # same reason the references to reference data and people (market, category, submitter,
    # intake address) have no database-level constraint: PostgreSQL would run a referential
    # check per row and column at commit (a fifth of a batch's database time). Django still
    # applies on_delete (PROTECT / SET_NULL) to every delete made through the ORM, which is
    # the only way the product deletes; the report -> group link keeps its constraint.
    market = models.ForeignKey(
        Market,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    market_source = models.CharField(max_length=20, blank=True, help_text="How it was found")
    language = models.CharField(max_length=16, blank=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    keyword_codes = models.JSONField(default=list, blank=True)
    channel_label = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    minors_involved = models.BooleanField(default=False)
    raw = models.JSONField(default=dict, blank=True, help_text="The payload as received")
    # Indexed by the (group, received_at) index below.
    group = models.ForeignKey(
        ReportGroup, on_delete=models.PROTECT, related_name="reports", db_index=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    intake_address = models.ForeignKey(
        IntakeAddress,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="unique_report_channel_external_id",
            )
        ]
        indexes = [models.Index(fields=["group", "received_at"])]

    def __str__(self) -> str:
        return f"{self.ref} via {self.channel}"

    @property
    def ref(self) -> str:
        return f"R-{self.pk}"


class ContentItem(models.Model):
    """What a report points at. ``key`` is a hash of the normalised URL or platform content
    id, so exact duplicates meet on one indexed column; ``group`` is copied from the report
    so the lookup needs no join."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    # A copy of the report's group (whose link has the constraint), so no second check.
    group = models.ForeignKey(
        ReportGroup, on_delete=models.CASCADE, related_name="items", db_constraint=False
    )
    url = models.CharField(max_length=2000, blank=True)
    content_id = models.CharField(max_length=200, blank=True)
    account_id = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    # Indexed only where set (most items have a link and no account): see Meta.
    key = models.CharField(max_length=40, blank=True)
    account_key = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["key"], condition=~Q(key=""), name="intake_item_key"),
            models.Index(
                fields=["account_key"], condition=~Q(account_key=""), name="intake_item_account"
            ),
        ]

    def __str__(self) -> str:
        return self.url or self.content_id or self.account_id


class EvidenceFile(models.Model):
    """A stored file, content-addressed: one row and one copy per SHA-256."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, help_text="As sniffed, not as declared")
    is_image = models.BooleanField(default=False)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.sha256

    @property
    def relative_path(self) -> str:
        return f"evidence/{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"

    @property
    def thumbnail_path(self) -> str:
        return f"evidence/thumbs/{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}.png"


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def visible_to(self, user: User) -> AttachmentQuerySet:
        return self.filter(report__in=Report.objects.visible_to(user).values("pk"))


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="uses")
    filename = models.CharField(max_length=255, blank=True)
    declared_type = models.CharField(max_length=100, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename or self.evidence.sha256


class DeadLetterQuerySet(models.QuerySet["DeadLetter"]):
    def visible_to(self, user: User) -> DeadLetterQuerySet:
        """Raw payloads can hold anything: leads and admins only."""
        if not getattr(user, "is_authenticated", False) or not user.sees_everything:
            return self.none()
        return self


class DeadLetter(models.Model):
    """A delivery we accepted but could not turn into a report. Kept verbatim, shown to
    leads, and replayable once the cause is fixed."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    source = models.CharField(max_length=200, blank=True, help_text="Sender, address or source")
    raw = models.BinaryField()
    meta = models.JSONField(default=dict, blank=True, help_text="Envelope needed to replay it")
    error = models.TextField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DeadLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"dead letter {self.pk} from {self.channel}"

    @property
    def raw_text(self) -> str:
        return bytes(self.raw).decode("utf-8", errors="replace")


class WebhookDelivery(models.Model):
    """Replay protection: a (source, delivery id) is accepted once."""

    source = models.CharField(max_length=100)
    delivery_id = models.CharField(max_length=255)
    received_at = models.DateTimeField(default=timezone.now)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "delivery_id"], name="unique_webhook_delivery"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.delivery_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an ``Idempotency-Key``, replayed verbatim."""

    scope = models.CharField(max_length=100, help_text="Channel and caller")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
