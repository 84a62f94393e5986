"""Wellbeing settings. Each reads a Django setting if one is defined (tests override them)
and otherwise the environment, through the strict readers in ``trustdesk.lib.env``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from trustdesk.lib.env import env_int


def _minutes(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else env_int(f"TRUSTDESK_{name}", default)


def retention() -> timedelta:
    """Exposure events older than this are deleted (shorter than other data on purpose)."""
    return timedelta(days=_minutes("WELLBEING_RETENTION_DAYS", 90))


def max_look() -> timedelta:
    """The longest one reveal counts for: a tab left open, a lost end beacon, a download."""
    return timedelta(minutes=_minutes("WELLBEING_MAX_LOOK_MINUTES", 30))


def break_after() -> timedelta:
    """Exposure today after which the personal view suggests a break."""
    return timedelta(minutes=_minutes("WELLBEING_BREAK_AFTER_MINUTES", 60))


def switch_after() -> timedelta:
    """Exposure to one category over 7 days after which it suggests switching queue."""
    return timedelta(minutes=_minutes("WELLBEING_SWITCH_AFTER_MINUTES", 180))


def lead_threshold() -> timedelta:
    """Exposure over 7 days above which a lead sees the person's name on the team view."""
    return timedelta(minutes=_minutes("WELLBEING_LEAD_THRESHOLD_MINUTES", 240))
