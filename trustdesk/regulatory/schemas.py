"""What the regulatory API accepts and returns. Input schemas check shape and type (422
naming the field); rules needing the database live in ``services`` and answer the same way."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from trustdesk.incidents.schemas import Code, LongText, ObjectId, Text, Title
from trustdesk.lib.timefmt import format_duration
from trustdesk.taxonomy.severity import Severity

from . import board
from .clock import zone_of
from .lifecycle import VIA_RESPONSE, Status, allowed_transitions
from .models import (
    Outcome,
    RegulatoryRequest,
    RequestedAction,
    RequestEvent,
    RuleVersion,
    Verification,
)

Short = Annotated[Text, StringConstraints(strip_whitespace=True, max_length=120)]
Line = Annotated[Text, StringConstraints(strip_whitespace=True, max_length=500)]
Reason = Annotated[Text, StringConstraints(max_length=5000)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class RequestIn(In):
    authority: Code = Field(description="Authority code, see /authorities")
    rule: Code = Field(description="Rule code, see /rules?in_force_on=")
    received_at: AwareDatetime
    served_at: AwareDatetime | None = Field(None, description="Clock start for service rules")
    reference: Short = Field("", description="The authority's own reference number")
    title: Title = ""
    summary: LongText = ""
    requested_actions: list[RequestedAction] | None = Field(
        None, description="Defaults to the rule's usual actions"
    )
    content_items: list[Line] = Field(default_factory=list, max_length=500)
    accounts: list[Line] = Field(default_factory=list, max_length=500)
    confidential: bool = Field(False, description="Gag / confidentiality order")
    user_may_be_notified: bool = True
    ordered_duration: int | None = Field(None, ge=1, le=100000, description="The order's own term")
    ordered_unit: Literal["hours", "days"] | None = None
    urgent: bool = Field(False, description="Urgent order: closure periods do not apply")
    owner: Short | None = Field(None, description="Username; defaults to you")
    incident: ObjectId | None = Field(None, description="Link to this incident (one you can see)")
    create_incident: bool = False
    incident_category: Code | None = None
    incident_severity: Severity = Severity.SEV2
    source: Short = ""


class TransitionIn(In):
    to: Status
    reason: Reason = ""
    at: AwareDatetime | None = None


class ActionIn(In):
    at: AwareDatetime | None = None
    note: Reason = ""


class ResponseIn(In):
    outcome: Outcome
    summary: LongText
    legal_grounds: LongText = ""
    responded_at: AwareDatetime | None = None


class PauseIn(In):
    reason: Reason
    at: AwareDatetime | None = None


class ResumeIn(In):
    at: AwareDatetime | None = None


class ExtensionIn(In):
    reason: Reason
    units: int = Field(0, ge=0, le=100000, description="Hours or days of the rule's clock")
    new_due_at: AwareDatetime | None = None
    keep_days: int = Field(0, ge=0, le=3650)
    granted_by: Short = ""


class OwnerIn(In):
    owner: Short | None


class LinkIn(In):
    incident: ObjectId | None = None
    create: bool = False
    category: Code | None = None
    severity: Severity = Severity.SEV2


class BoardFilters(Schema):
    jurisdiction: Code | None = None
    authority: Code | None = None
    status: Status | None = Field(None, description="Default: every open request")
    owner: Short | None = Field(None, description="A username, 'me' or 'none'")
    region: str | None = None
    limit: int = Field(200, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class RuleFilters(Schema):
    jurisdiction: Code | None = None
    in_force_on: date | None = Field(None, description="Only rules in force on this date")


class ComplianceFilters(Schema):
    group: Literal["jurisdiction", "authority", "rule"] = "jurisdiction"
    jurisdiction: Code | None = None
    authority: Code | None = None
    rule: Code | None = None
    received_from: date | None = None
    received_to: date | None = None


class JurisdictionOut(Schema):
    code: str
    name: str
    region: str
    tz: str


class AuthorityOut(Schema):
    code: str
    name: str
    jurisdiction: str
    kind: str
    tz: str


class RuleOut(Schema):
    code: str
    version: int
    jurisdiction: str
    title: str
    authority: str | None
    instrument: str
    article: str
    request_type: str
    clock: str
    duration: int
    internal_target: bool
    set_by_order: bool
    clock_start: str
    deadline_for: str
    deadline_text: str
    effective_from: date | None
    effective_to: date | None
    verification: str
    verification_label: str
    basis: str
    uncertain: bool
    citation: str
    notes: str
    source: str
    created_at: datetime


class RuleDetailOut(RuleOut):
    history: list[RuleOut]


class EventOut(Schema):
    occurred_at: datetime
    kind: str
    text: str
    actor: str | None
    data: dict[str, Any]


class RequestOut(Schema):
    id: int
    ref: str
    title: str
    status: str
    allowed_transitions: list[str]
    jurisdiction: str
    authority: AuthorityOut
    rule: RuleOut
    reference: str
    received_at: datetime
    served_at: datetime | None
    started_at: datetime
    due_at: datetime
    due_local: str = Field(description="Due time in the authority's zone, ISO 8601 with offset")
    tz: str
    clock: str
    time_left_seconds: int
    time_left: str
    business_time_left_seconds: int | None
    fraction_used: float
    risk: str
    paused: bool
    deadline_result: str
    acknowledged_at: datetime | None
    actioned_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    outcome: str
    owner: str | None
    incident: int | None
    region: str
    requested_actions: list[str]
    content_items: list[str]
    accounts: list[str]
    confidential: bool
    user_may_be_notified: bool
    keep_until: datetime | None
    url: str


class RequestListOut(Schema):
    count: int
    items: list[RequestOut]
    limit: int
    offset: int


class ComplianceRowOut(Schema):
    key: str
    label: str
    requests: int
    met: int
    breached: int
    pending: int
    withdrawn: int
    met_rate: float | None
    ack_median_seconds: float | None
    ack_p90_seconds: float | None
    act_median_seconds: float | None
    act_p90_seconds: float | None


class ComplianceOut(Schema):
    group: str
    rows: list[ComplianceRowOut]
    total: ComplianceRowOut


def rule_out(version: RuleVersion) -> dict[str, Any]:
    return {
        "code": version.rule.code,
        "version": version.number,
        "jurisdiction": version.rule.jurisdiction.code,
        "title": version.title,
        "authority": version.authority.code if version.authority else None,
        "instrument": version.instrument,
        "article": version.article,
        "request_type": version.request_type,
        "clock": version.clock_kind,
        "duration": version.duration,
        "internal_target": version.is_internal,
        "set_by_order": version.set_by_order,
        "clock_start": version.clock_start,
        "deadline_for": version.deadline_for,
        "deadline_text": version.deadline_text,
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "verification": version.verification,
        "verification_label": Verification(version.verification).label,
        "basis": version.basis,
        "uncertain": version.uncertain,
        "citation": version.citation,
        "notes": version.notes,
        "source": version.source,
        "created_at": version.created_at,
    }


def request_out(request: RegulatoryRequest, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    line = board.row(request, now)
    authority = request.authority
    transitions = [s.value for s in allowed_transitions(request.status)]
    return {
        "id": request.pk,
        "ref": request.ref,
        "title": request.title,
        "status": request.status,
        "allowed_transitions": transitions,
        "jurisdiction": request.jurisdiction.code,
        "authority": {
            "code": authority.code,
            "name": authority.name,
            "jurisdiction": request.jurisdiction.code,
            "kind": authority.kind,
            "tz": authority.zone_name,
        },
        "rule": rule_out(request.rule_version),
        "reference": request.reference,
        "received_at": request.received_at,
        "served_at": request.served_at,
        "started_at": request.started_at,
        "due_at": request.due_at,
        "due_local": request.due_at.astimezone(zone_of(request.tz)).isoformat(),
        "tz": request.tz,
        "clock": request.clock_spec().describe(),
        "time_left_seconds": int(line.time_left.total_seconds()),
        "time_left": format_duration(line.time_left),
        "business_time_left_seconds": (
            int(line.business_left.total_seconds()) if line.business_left is not None else None
        ),
        "fraction_used": round(line.fraction, 4),
        "risk": line.risk,
        "paused": request.is_paused,
        "deadline_result": request.deadline_result,
        "acknowledged_at": request.acknowledged_at,
        "actioned_at": request.actioned_at,
        "responded_at": request.responded_at,
        "closed_at": request.closed_at,
        "outcome": request.outcome,
        "owner": request.owner.username if request.owner else None,
        "incident": request.incident_id,
        "region": request.region,
        "requested_actions": request.requested_actions,
        "content_items": request.content_items,
        "accounts": request.accounts,
        "confidential": request.confidential,
        "user_may_be_notified": request.user_may_be_notified,
        "keep_until": request.keep_until(),
        "url": reverse("regulatory:detail", args=[request.pk]),
    }


def event_out(item: RequestEvent) -> dict[str, Any]:
    return {
        "occurred_at": item.occurred_at,
        "kind": item.kind,
        "text": item.text,
        "actor": item.actor.username if item.actor else None,
        "data": item.data,
    }


# Responded is reached through POST .../response, so it is not offered as a bare move.
def bare_transitions(status: str) -> list[Status]:
    return [s for s in allowed_transitions(status) if s not in VIA_RESPONSE]
