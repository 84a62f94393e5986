from __future__ import annotations

from typing import Any

from trustdesk.enforcement import services
from trustdesk.enforcement.models import EnforcementDecision


def decision_row(**overrides: Any) -> dict[str, Any]:
    """A valid row as a person would type it: content removed as illegal in DE and FR."""
    row: dict[str, Any] = {
        "content_url": "https://video.example/v/1",
        "content_type": "video",
        "restriction": "visibility_removed",
        "ground": "illegal_content",
        "legal_ground": "§ 130 StGB (incitement to hatred)",
        "illegal_content_explanation": "The video calls for violence against a group.",
        "explanation": "Reported by a user; reviewed by the EMEA team against local law.",
        "category": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "automated_detection": False,
        "automated_decision": "not",
        "source_type": "article_16",
        "territorial_scope": ["DE", "FR"],
        "content_date": "2026-11-20",
        "decided_at": "2026-11-24T10:00:00Z",
        "applied_at": "2026-11-24T10:05:00Z",
    }
    row.update(overrides)
    return row


def make_decision(*, actor, incident=None, regulatory_request=None, **overrides: Any):
    return services.create_decision(
        actor=actor,
        incident=incident,
        regulatory_request=regulatory_request,
        row=decision_row(**overrides),
    )


def all_decisions() -> list[EnforcementDecision]:
    return list(EnforcementDecision.objects.order_by("id"))
