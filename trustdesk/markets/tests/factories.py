from __future__ import annotations

from datetime import date
from typing import Any

from trustdesk.markets import services
from trustdesk.markets.models import RiskEvent
from trustdesk.taxonomy.models import Market


def make_event(
    *,
    actor: Any = None,
    market: str = "BR",
    starts_on: date,
    title: str = "General election",
    kind: str = "election",
    **kwargs: Any,
) -> RiskEvent:
    draft = services.EventDraft(
        market=Market.objects.get(code=market),
        title=title,
        kind=kind,
        starts_on=starts_on,
        **kwargs,
    )
    return services.create_event(actor=actor, draft=draft)
