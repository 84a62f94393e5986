from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    """One change or sensitive read. Rows are never updated or deleted by the application.

    Each row's ``hash`` covers its own content and the previous row's hash, so editing or
    removing any row breaks every link after it (``trustdesk audit verify`` finds the first).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150, help_text="Username at the time, or 'system'")
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit events cannot be deleted")

    def payload(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
            "request_id": self.request_id,
        }

    def compute_hash(self) -> str:
        body = json.dumps(self.payload(), sort_keys=True, cls=DjangoJSONEncoder)
        # Round-trip through JSON so the hash is the same before and after storage.
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256((self.prev_hash + canonical).encode()).hexdigest()


class ChainHead(models.Model):
    """A single row locked (SELECT … FOR UPDATE) while appending, so the chain stays linear
    when many web processes and workers write audit events at once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_event_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"chain head at #{self.last_event_id}"
