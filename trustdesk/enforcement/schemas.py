"""API shapes. Decision rows come in as plain objects and are cleaned by ``rows.clean_row``
(the same rules as the form and file import), so per-row errors read
``decisions.3.territorial_scope`` whichever way a decision came in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from .models import EnforcementDecision

ROW_DOC = (
    "One decision: content_url | content_id | account_id, content_type, restriction, ground, "
    "legal_ground + illegal_content_explanation (illegal content) or tos_clause + "
    "tos_explanation (terms of service), explanation, category (DSA code), "
    "automated_detection, automated_decision, source_type, territorial_scope (list or 'EU'), "
    "content_date, decided_at, applied_at, notice_received_at, puid (optional)."
)


class DecisionsIn(Schema):
    incident: int | None = Field(None, ge=1, description="INC id the decisions belong to")
    regulatory_request: int | None = Field(None, ge=1, description="REQ id, for request-only")
    decisions: list[dict[str, Any]] = Field(..., description=ROW_DOC)


class AppealIn(Schema):
    outcome: str = Field(..., description="upheld | partially_reversed | reversed")
    appealed_at: datetime | None = None
    at: datetime | None = Field(None, description="When the appeal was decided (default: now)")


class StatementOut(Schema):
    puid: str
    status: str
    errors: dict[str, Any]
    remote_uuid: str
    queued_at: datetime
    submitted_at: datetime | None


class DecisionOut(Schema):
    id: int
    puid: str
    incident: int | None
    regulatory_request: int | None
    content_url: str
    content_id: str
    account_id: str
    content_type: str
    restriction: str
    ground: str
    legal_ground: str
    tos_clause: str
    category: str
    automated_detection: bool
    automated_decision: str
    source_type: str
    territorial_scope: list[str]
    content_date: date
    decided_at: datetime
    applied_at: datetime
    reversed_at: datetime | None
    appeal_outcome: str
    statement: StatementOut | None


def decision_out(decision: EnforcementDecision) -> dict[str, Any]:
    statement = getattr(decision, "sor_submission", None) if decision.pk else None
    return {
        "id": decision.pk,
        "puid": decision.puid,
        "incident": decision.incident_id,
        "regulatory_request": decision.regulatory_request_id,
        "content_url": decision.content_url,
        "content_id": decision.content_id,
        "account_id": decision.account_id,
        "content_type": decision.content_type,
        "restriction": decision.restriction,
        "ground": decision.ground,
        "legal_ground": decision.legal_ground,
        "tos_clause": decision.tos_clause,
        "category": decision.category,
        "automated_detection": decision.automated_detection,
        "automated_decision": decision.automated_decision,
        "source_type": decision.source_type,
        "territorial_scope": decision.territorial_scope,
        "content_date": decision.content_date,
        "decided_at": decision.decided_at,
        "applied_at": decision.applied_at,
        "reversed_at": decision.reversed_at,
        "appeal_outcome": decision.appeal_outcome,
        "statement": None
        if statement is None
        else {
            "puid": statement.puid,
            "status": statement.status,
            "errors": statement.errors,
            "remote_uuid": statement.remote_uuid,
            "queued_at": statement.queued_at,
            "submitted_at": statement.submitted_at,
        },
    }
