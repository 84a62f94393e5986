"""Writing and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from trustdesk.lib.request_context import current_request_id

from .models import GENESIS_HASH, AuditEvent, ChainHead


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the transaction that makes the change,
    so the change and its audit row commit or roll back together."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=at or timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=getattr(actor, "username", None) or "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=before,
            after=after,
            request_id=current_request_id(),
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.last_event_id = event.pk
        head.save(update_fields=["last_hash", "last_event_id"])
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(*, batch_size: int = 2000) -> VerifyResult:
    """Recompute every link in order and report the first one that does not hold."""
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.prev_hash != prev_hash:
                return VerifyResult(False, checked, event.pk, "previous-hash link does not match")
            if event.compute_hash() != event.hash:
                return VerifyResult(False, checked, event.pk, "content does not match its hash")
            prev_hash = event.hash
            checked += 1
            last_id = event.pk
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev_hash:
        return VerifyResult(False, checked, head.last_event_id, "events missing at the end")
    return VerifyResult(True, checked)
