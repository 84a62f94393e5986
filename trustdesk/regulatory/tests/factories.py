"""Requests made the way users make them: through the services, with audit and timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from trustdesk.accounts.models import User
from trustdesk.regulatory import services
from trustdesk.regulatory.models import Authority, RegulatoryRequest, Rule


def local(text: str, tz: str) -> datetime:
    """``2026-11-19 15:00`` as a wall time in ``tz``, aware."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def utc(text: str) -> datetime:
    return local(text, "UTC")


def make_request(
    *,
    actor: User,
    rule: str = "AU-OSA-S109",
    authority: str | None = None,
    received_at: datetime | None = None,
    **kwargs: Any,
) -> RegulatoryRequest:
    found = Rule.objects.select_related("current__authority").get(code=rule)
    assert found.current is not None
    chosen = Authority.objects.get(code=authority) if authority else found.current.authority
    assert chosen is not None
    return services.create_request(
        actor=actor,
        authority=chosen,
        rule=found,
        received_at=received_at or utc("2026-11-20 10:00"),
        **kwargs,
    )
