"""What the post-mortems API accepts and returns. Input schemas check shape and type (422
naming the field); the rules live in ``services`` and answer in the same format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from trustdesk.incidents.schemas import (
    Code,
    In,
    LongText,
    NotNull,
    ObjectId,
    Text,
    Title,
)
from trustdesk.taxonomy.severity import Severity

from .lifecycle import ActionStatus, Status
from .models import Decision, DetectionSource, Priority
from .services.drafting import MAX_FIGURE, MAX_WHYS

Figure = Annotated[int, Field(ge=0, le=MAX_FIGURE)]
Line = Annotated[Text, StringConstraints(max_length=1000)]
Short = Annotated[Text, StringConstraints(max_length=200)]
Url = Annotated[Text, StringConstraints(max_length=500)]

# --- post-mortems ---------------------------------------------------------------------------


class IncidentRef(Schema):
    id: int
    ref: str
    title: str
    severity: Severity
    category: str
    markets: list[str]
    restricted: bool


class RequestFact(Schema):
    id: int
    ref: str
    title: str
    authority: str
    due_at: datetime | None
    met_at: datetime | None
    result: str = Field(description="met, breached, pending or withdrawn")
    outcome: str


class ImpactOut(Schema):
    reports: int | None = Field(description="Counted from intake; null if not counted")
    content_items: int | None
    accounts: int | None
    markets: list[str]
    reach: int | None
    reach_source: str
    users_affected: int | None
    notes: str
    regulatory_requests: list[RequestFact]
    counted_at: datetime | None


class DurationOut(Schema):
    key: str
    label: str
    seconds: int | None
    computed_as: str


class EventOut(Schema):
    id: int
    occurred_at: datetime
    actor: str | None
    kind: str
    text: str
    pinned: bool


class FactorLinkOut(Schema):
    code: str
    name: str
    note: str
    root_cause: bool


class ActionItemOut(Schema):
    id: int
    postmortem: int
    description: str
    owner: str | None
    owner_team: str | None
    due_on: date
    priority: Priority
    status: ActionStatus
    factor: str | None
    ticket_url: str
    overdue: bool
    completed_at: datetime | None


class CompletionOut(Schema):
    done: int
    counted: int = Field(description="Action items not cancelled")
    percent: int | None


class ReviewOut(Schema):
    reviewer: str
    decision: Decision
    decided_at: datetime | None


class FlagOut(Schema):
    field: str
    phrase: str
    suggestion: str


class PostMortemOut(Schema):
    id: int
    ref: str
    title: str
    status: Status
    allowed_transitions: list[Status] = Field(
        description="Moves you may request; approval is the reviewers' (POST /reviews)"
    )
    incident: IncidentRef
    reasons: list[str]
    author: str | None
    tz: str
    due_at: datetime
    late: bool
    summary: str
    impact: ImpactOut
    durations: list[DurationOut]
    timeline: list[EventOut]
    detection_source: str
    went_well: str
    went_poorly: str
    got_lucky: str
    root_cause: str
    factors: list[FactorLinkOut]
    five_whys: list[str]
    lessons: str
    action_items: list[ActionItemOut]
    completion: CompletionOut
    reviews: list[ReviewOut]
    language_flags: list[FlagOut] = Field(description="Blameless-language reminders")
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    url: str


class PostMortemRow(Schema):
    id: int
    ref: str
    title: str
    status: Status
    incident: IncidentRef
    factors: list[str]
    completion: CompletionOut
    due_at: datetime
    published_at: datetime | None
    url: str


class PostMortemListOut(Schema):
    count: int
    items: list[PostMortemRow]
    limit: int
    offset: int


class SearchFilters(Schema):
    q: Annotated[Text, StringConstraints(max_length=200)] | None = Field(
        None, description="Words that must all appear in the write-up"
    )
    status: Status | None = None
    factor: Code | None = Field(None, description="Contributing-factor code")
    market: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    category: Code | None = Field(None, description="DSA category code or slug")
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class PostMortemPatch(In):
    title: Annotated[Title | None, NotNull] = None
    summary: Annotated[LongText | None, NotNull] = None
    impact_notes: Annotated[LongText | None, NotNull] = None
    reach: Figure | None = Field(None, description="Views or impressions; null clears it")
    reach_source: Annotated[Short | None, NotNull] = None
    users_affected: Figure | None = None
    detection_source: Annotated[DetectionSource | Literal[""] | None, NotNull] = None
    went_well: Annotated[LongText | None, NotNull] = None
    went_poorly: Annotated[LongText | None, NotNull] = None
    got_lucky: Annotated[LongText | None, NotNull] = None
    root_cause: Annotated[LongText | None, NotNull] = None
    five_whys: Annotated[list[Line] | None, NotNull] = Field(None, max_length=MAX_WHYS)
    lessons: Annotated[LongText | None, NotNull] = None
    tz: Annotated[Code | None, NotNull] = Field(None, description="IANA time zone")
    author: Code | None = Field(None, description="Username; null clears it")


class TimelineIn(In):
    event_ids: list[ObjectId] = Field(description="Incident events to show, replacing the list")
    tz: Code | None = Field(None, description="IANA time zone shown beside UTC")


class FactorIn(In):
    factor: Code = Field(description="Contributing-factor code, see GET /factors")
    note: Annotated[Text, StringConstraints(max_length=500)] = ""
    root_cause: bool = False


class FactorOut(Schema):
    code: str
    name: str
    description: str
    active: bool


class ActionItemIn(In):
    description: Annotated[Text, StringConstraints(min_length=1, max_length=500)]
    owner: Code | None = Field(None, description="Username; give this or owner_team")
    owner_team: Code | None = Field(None, description="Team slug")
    due_on: date
    priority: Priority = Priority.MEDIUM
    factor: Code | None = Field(None, description="Code of a factor listed on this post-mortem")
    ticket_url: Url = ""


class ActionItemPatch(In):
    description: Annotated[Text | None, NotNull] = None
    owner: Code | None = None
    owner_team: Code | None = None
    due_on: Annotated[date | None, NotNull] = None
    priority: Annotated[Priority | None, NotNull] = None
    status: Annotated[ActionStatus | None, NotNull] = None
    factor: Code | None = None
    ticket_url: Annotated[Url | None, NotNull] = None


class ReviewersIn(In):
    reviewers: list[Code] = Field(description="Usernames; replaces the list")


class TransitionIn(In):
    to: Status


class DecisionIn(In):
    decision: Literal[Decision.APPROVED, Decision.CHANGES_REQUESTED]
    comment: LongText = ""


class CommentIn(In):
    text: Annotated[LongText, StringConstraints(min_length=1)]


class CommentOut(Schema):
    id: int
    author: str | None
    text: str
    created_at: datetime


class RequireIn(In):
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=2000)]


class RequireOut(Schema):
    incident: int
    postmortem: int | None = Field(description="Set when the draft opened (resolved incident)")


class SimilarOut(Schema):
    postmortem: int
    ref: str
    incident: IncidentRef
    score: float
    same_category: bool
    shared_markets: list[str]
    shared_words: list[str]
    lessons: str
    open_action_items: list[ActionItemOut]


class OverdueOwnerOut(Schema):
    owner: str
    items: list[ActionItemOut]
