"""The outbox worker: claim due deliveries atomically, send, record every attempt.

A row is claimed with a conditional UPDATE (pending -> sending, with a fresh lease token), so
two workers never send the same row. A worker that dies mid-send leaves its row ``sending``;
once the lease expires another worker reclaims it. Only the lease holder may finish a row,
and ``sent`` is terminal. The one window left is a crash after the remote side accepted and
before our commit: the mail's Message-ID and the webhook's ``X-Trustdesk-Delivery`` stay the
same across retries, so receivers can drop the repeat.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from trustdesk.audit import services as audit

from .models import Delivery, DeliveryAttempt, DeliveryStatus, Destination
from .transports import TransportError, get_transport

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # NOTIFY_LEASE_SECONDS overrides
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at 6 h, after the ``attempts``-th failure."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def lease() -> timedelta:
    seconds = getattr(settings, "NOTIFY_LEASE_SECONDS", None)
    return LEASE if seconds is None else timedelta(seconds=seconds)


def _due(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - lease()
    )


def claim(pk: int, *, now: datetime, token: str) -> bool:
    """Take one row if it is still due. The UPDATE's WHERE decides between racing workers."""
    taken = (
        Delivery.objects.filter(pk=pk)
        .filter(_due(now))
        .update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    )
    return taken == 1


def _finish(delivery: Delivery, token: str, **fields: object) -> bool:
    """Write the outcome only while still holding the lease."""
    held = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, claim_token=token
    ).update(**fields)
    return held == 1


@transaction.atomic
def disable_destination(destination: Destination, *, reason: str) -> None:
    """A permanent failure turns the channel off, visibly, and it is audited."""
    updated = Destination.objects.filter(pk=destination.pk, enabled=True).update(
        enabled=False, disabled_at=timezone.now(), disabled_reason=reason[:500]
    )
    if updated:
        audit.record(
            actor=None,
            action="notify.destination.disable",
            obj=destination,
            after={"kind": destination.kind, "reason": reason[:500]},
        )


def _fail(delivery: Delivery, token: str, error: TransportError, now: datetime) -> None:
    attempts = delivery.attempts
    if error.permanent or attempts >= MAX_ATTEMPTS:
        _finish(delivery, token, status=DeliveryStatus.FAILED, last_error=error.message)
        if error.permanent and delivery.destination is not None:
            disable_destination(delivery.destination, reason=error.message)
        return
    _finish(
        delivery,
        token,
        status=DeliveryStatus.PENDING,
        last_error=error.message,
        next_attempt_at=now + backoff(attempts),
    )


def send_one(delivery: Delivery, *, token: str, worker: str = "") -> bool:
    """Send a claimed delivery and record the attempt. True when it went out."""
    now = timezone.now()
    destination = delivery.destination
    try:
        if destination is None or not destination.enabled:
            raise TransportError("destination disabled or removed", permanent=False)
        get_transport(delivery.transport).notify(delivery)
    except TransportError as exc:
        if destination is None or not destination.enabled:
            exc = TransportError(exc.message, permanent=True)
            destination = None
        DeliveryAttempt.objects.create(
            delivery=delivery,
            started_at=now,
            error=exc.message,
            permanent=exc.permanent,
            worker=worker,
        )
        delivery.destination = destination
        _fail(delivery, token, exc, now)
        logger.warning("delivery %s failed: %s", delivery.pk, exc.message)
        return False
    DeliveryAttempt.objects.create(delivery=delivery, started_at=now, ok=True, worker=worker)
    _finish(delivery, token, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


def deliver_pending(*, limit: int = 100, worker: str = "") -> dict[str, int]:
    """One pass: claim and send up to ``limit`` due deliveries, oldest first."""
    now = timezone.now()
    token = uuid.uuid4().hex
    worker = worker or token[:8]
    due = list(
        Delivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for pk in due:
        if not claim(pk, now=now, token=token):
            counts["skipped"] += 1  # another worker has it
            continue
        delivery = Delivery.objects.select_related("destination", "recipient").get(pk=pk)
        counts["sent" if send_one(delivery, token=token, worker=worker) else "failed"] += 1
    return counts
