from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from .ncmec import DEFAULT_INCIDENT_TYPE


class CyberTipIn(Schema):
    incident_type: str = Field(DEFAULT_INCIDENT_TYPE, description="One of the 8 NCMEC types")
    high_priority: bool = False


class SubmittedIn(Schema):
    report_number: str = Field(description="The CyberTipline report number NCMEC gave")


class PreservationOut(Schema):
    incident: int
    reason: str
    reference: str
    starts_at: datetime
    ends_at: datetime


class DraftOut(Schema):
    id: int
    incident: int
    status: str
    sha256: str
    generated_at: datetime
    report_number: str
    submitted_at: datetime | None
    xml: str


class LumenOut(Schema):
    id: int
    status: str
    http_status: int | None
    location: str
    error: str
    sent_at: datetime
    notice: dict[str, Any]


def draft_out(draft: Any) -> dict[str, Any]:
    return {
        "id": draft.pk,
        "incident": draft.incident_id,
        "status": draft.status,
        "sha256": draft.sha256,
        "generated_at": draft.generated_at,
        "report_number": draft.report_number,
        "submitted_at": draft.submitted_at,
        "xml": draft.xml,
    }


def lumen_out(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "status": s.status,
        "http_status": s.http_status,
        "location": s.location,
        "error": s.error,
        "sent_at": s.sent_at,
        "notice": s.notice,
    }
