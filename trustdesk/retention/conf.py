"""Default retention per data class, in days. ``None`` keeps the data.

``settings.RETENTION_DAYS`` (a dict keyed like these) overrides the defaults for an
installation; an administrator's ``RetentionPolicy`` row overrides both.
"""

from __future__ import annotations

from django.conf import settings

from .models import DataClass

DEFAULT_RETENTION_DAYS: dict[str, int | None] = {
    DataClass.REPORTS: 730,
    DataClass.EVIDENCE: 365,
    DataClass.INCIDENTS: 5 * 365,
    DataClass.NOTIFICATIONS: 180,
    DataClass.EXPOSURE: 365,
    # The audit log is kept: deleting rows would break the hash chain (docs/security.md).
    DataClass.AUDIT: None,
}


def default_days(data_class: str) -> int | None:
    overrides = getattr(settings, "RETENTION_DAYS", {}) or {}
    if data_class == DataClass.AUDIT:
        return None
    return overrides.get(data_class, DEFAULT_RETENTION_DAYS[data_class])
