"""Notifications and the outbox (DESIGN.md invariant 5).

``Notification`` is the in-app copy, ``(event_key, recipient)`` unique. ``Delivery`` is the
outbox row for one external transport, ``(event_key, recipient, transport)`` unique; both are
written in the transaction of the event that causes them. ``Destination`` is a person's
channel, ``Preference`` their quiet hours. This app knows recipients and messages, never
incidents or requests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def for_user(self, user: object) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event_key = models.CharField(
        max_length=200, help_text="Names the event, e.g. regulatory.request.12.breach"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path inside trustdesk")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="unique_notification_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class TransportKind(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Chat webhook (Slack-compatible)"
    WEBHOOK = "webhook", "Webhook (signed JSON)"


class Destination(models.Model):
    """Where one person wants to hear from trustdesk on one transport: their channel
    preference. A destination that fails permanently is disabled, with the reason shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="destinations"
    )
    kind = models.CharField(max_length=16, choices=TransportKind.choices)
    address = models.CharField(max_length=500, help_text="An email address or an https URL")
    secret = models.CharField(max_length=200, blank=True, help_text="HMAC key for webhooks")
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_destination_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.address}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


# pending -> sending (claimed) -> sent | pending (retry) | failed; sending -> sending when a
# dead worker's lease is reclaimed. sent and failed are terminal.
DELIVERY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DeliveryStatus.PENDING: (DeliveryStatus.SENDING,),
    DeliveryStatus.SENDING: (
        DeliveryStatus.SENT,
        DeliveryStatus.PENDING,
        DeliveryStatus.FAILED,
        DeliveryStatus.SENDING,
    ),
    DeliveryStatus.SENT: (),
    DeliveryStatus.FAILED: (),
}


class Delivery(models.Model):
    """One outbox row: an event for one person on one transport, written with the event."""

    event_key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    transport = models.CharField(max_length=16, choices=TransportKind.choices)
    destination = models.ForeignKey(
        Destination, on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    thread_key = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="e.g. incident-12: one mail thread"
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient", "transport"], name="unique_delivery"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.transport} {self.event_key} → {self.recipient_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """Every try, with its error: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    started_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    permanent = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"attempt on {self.delivery_id}: {'ok' if self.ok else self.error}"


class Preference(models.Model):
    """A person's quiet and working hours, in their own zone (``User.tz``). Email and webhook
    copies of non-urgent notifications wait until the quiet hours end and the next working
    hours start; in-app ones arrive at once.
    Urgent ones (a SEV1 page, a clock with under two hours left) ignore quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)
    # Working hours: non-urgent copies outside them wait for the next working start.
    work_from = models.TimeField(null=True, blank=True)
    work_until = models.TimeField(null=True, blank=True)
    work_days = models.JSONField(
        default=list, blank=True, help_text="ISO weekdays (1 = Monday); empty: Monday-Friday"
    )

    def __str__(self) -> str:
        return f"quiet hours of {self.user_id}"
