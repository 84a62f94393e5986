"""What the incidents API accepts and returns.

Input schemas only check shape and type (pydantic answers 422 naming the field); rules that
need the database or the lifecycle live in ``services`` and answer in the same format.
Unknown fields are refused, so a misspelt field is an error rather than a silent no-op.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from trustdesk.lib.regions import Region
from trustdesk.taxonomy.severity import Severity

from .lifecycle import ACTION_LABELS, REASON_REQUIRED, Status, allowed_transitions
from .models import Incident, Participant, ParticipantRole, Task, TaskStatus, TimelineEvent

# The largest primary key both SQLite and PostgreSQL can hold; a larger number in a path or
# body would make the database driver fail instead of simply finding nothing.
MAX_ID = 2**63 - 1
# Times accepted from clients; anything outside is a typo, and far enough out has no UTC
# equivalent at all.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here so it is a 422, not a 500.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed.")
    return value


def _not_a_number(value: Any) -> Any:
    # pydantic would also take numbers as Unix times, guessing seconds or milliseconds.
    if isinstance(value, int | float):
        raise ValueError("Give an ISO 8601 time with a zone, e.g. 2026-11-25T18:00:00Z.")
    return value


def _plausible_instant(value: datetime) -> datetime:
    message = f"Give a time between {EARLIEST.year} and {LATEST.year - 1}."
    # Converting here keeps 0001-01-01T00:00+01:00 (no UTC equivalent) from crashing the
    # database adapter.
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(message) from None
    if not EARLIEST <= value < LATEST:
        raise ValueError(message)
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Instant = Annotated[
    AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_plausible_instant)
]
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=150),
    AfterValidator(_no_nul),
]
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
Title = Annotated[Text, StringConstraints(max_length=200)]
LongText = Annotated[Text, StringConstraints(max_length=20000)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("May not be null; leave the field out to keep its value.")
    return value


# For partial updates: the field may be left out, but sending null is an error.
NotNull = AfterValidator(_not_null)


# --- incidents ------------------------------------------------------------------------------


class IncidentIn(In):
    title: Title
    summary: LongText = ""
    category: Code = Field(description="DSA category code or slug")
    severity: Severity
    markets: list[Code] = Field(default_factory=list, description="ISO 3166-1 codes")
    keywords: list[Code] = Field(default_factory=list, description="DSA keyword codes")
    region: Region | None = Field(None, description="Defaults to the first market's region")
    restricted: bool | None = Field(None, description="Defaults to the category's default")
    detected_at: Instant | None = None


class IncidentPatch(In):
    title: Annotated[Title | None, NotNull] = None
    summary: Annotated[LongText | None, NotNull] = None
    category: Annotated[Code | None, NotNull] = None
    severity: Annotated[Severity | None, NotNull] = None
    markets: Annotated[list[Code] | None, NotNull] = None
    keywords: Annotated[list[Code] | None, NotNull] = None
    region: Annotated[Region | None, NotNull] = None
    restricted: Annotated[bool | None, NotNull] = None
    detected_at: Instant | None = None


Sort = Literal["-severity", "severity", "age", "-age", "updated"]


class IncidentFilters(Schema):
    status: list[Status] = Field(default_factory=list, description="Repeatable")
    severity: list[Severity] = Field(default_factory=list, description="Repeatable")
    region: Region | None = None
    market: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = Field(
        None, description="ISO 3166-1 code"
    )
    category: Code | None = Field(None, description="DSA category code or slug")
    assignee: Code | None = Field(None, description="Username: commander or participant")
    q: Annotated[Text, StringConstraints(max_length=200)] | None = Field(
        None, description="Text in the title or summary"
    )
    restricted: bool | None = None
    sort: Sort = Field(
        "-severity",
        description="-severity: most severe first, then oldest; severity: least severe "
        "first; age: newest first; -age: oldest first; updated: most recently changed first",
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class CategoryRef(Schema):
    code: str
    slug: str
    name: str


class IncidentOut(Schema):
    id: int
    ref: str
    title: str
    summary: str
    category: CategoryRef
    keywords: list[str]
    markets: list[str]
    severity: Severity
    status: Status
    status_reason: str
    merged_into: int | None
    region: str
    restricted: bool
    commander: str | None
    allowed_transitions: list[Status]
    url: str = Field(description="The incident's page in the web UI")
    detected_at: datetime | None
    reported_at: datetime
    triaged_at: datetime | None
    investigating_at: datetime | None
    mitigating_at: datetime | None
    monitoring_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    declined_at: datetime | None
    merged_at: datetime | None
    created_at: datetime
    updated_at: datetime

    # The keyword and market resolvers read .all() so a prefetch serves them.
    @staticmethod
    def resolve_keywords(obj: Incident) -> list[str]:
        return sorted(k.code for k in obj.keywords.all())

    @staticmethod
    def resolve_markets(obj: Incident) -> list[str]:
        return sorted(m.code for m in obj.markets.all())

    @staticmethod
    def resolve_merged_into(obj: Incident) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_commander(obj: Incident) -> str | None:
        return obj.commander.username if obj.commander else None

    @staticmethod
    def resolve_allowed_transitions(obj: Incident) -> list[Status]:
        return list(allowed_transitions(obj.status))

    @staticmethod
    def resolve_url(obj: Incident) -> str:
        return reverse("incidents:detail", args=[obj.pk])


class IncidentListOut(Schema):
    count: int
    items: list[IncidentOut]
    limit: int
    offset: int


# --- lifecycle ------------------------------------------------------------------------------


class TransitionIn(In):
    to: Status
    reason: LongText = ""
    merged_into: ObjectId | None = Field(None, description="Incident id; required for merged")


class TransitionOption(Schema):
    status: Status
    label: str
    reason_required: bool


class AllowedTransitionsOut(Schema):
    current: Status
    can_transition: bool = Field(description="Whether you may make these moves")
    allowed: list[TransitionOption]


def transition_options(current: str) -> list[TransitionOption]:
    return [
        TransitionOption(
            status=target, label=ACTION_LABELS[target], reason_required=target in REASON_REQUIRED
        )
        for target in allowed_transitions(current)
    ]


# --- participants ---------------------------------------------------------------------------


class ParticipantIn(In):
    username: Code
    role: ParticipantRole
    reason: Annotated[Text, StringConstraints(max_length=200)] = ""


class ParticipantOut(Schema):
    id: int
    username: str
    display_name: str
    role: ParticipantRole
    reason: str
    assumed_at: datetime
    renounced_at: datetime | None
    active: bool
    added_by: str | None

    @staticmethod
    def resolve_username(obj: Participant) -> str:
        return obj.user.username

    @staticmethod
    def resolve_display_name(obj: Participant) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_active(obj: Participant) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_added_by(obj: Participant) -> str | None:
        return obj.added_by.username if obj.added_by else None


# --- timeline -------------------------------------------------------------------------------


class NoteIn(In):
    text: LongText
    pinned: bool = False


class PinIn(In):
    pinned: bool


class TimelineFilters(Schema):
    pinned: bool | None = Field(None, description="Only pinned (true) or unpinned (false)")
    limit: int = Field(200, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class EventOut(Schema):
    id: int
    occurred_at: datetime
    actor: str | None
    kind: str
    text: str
    data: dict[str, Any]
    pinned: bool

    @staticmethod
    def resolve_actor(obj: TimelineEvent) -> str | None:
        return obj.actor.username if obj.actor else None


class TimelineOut(Schema):
    count: int
    items: list[EventOut]
    limit: int
    offset: int


# --- tasks ----------------------------------------------------------------------------------


class TaskIn(In):
    title: Title
    owner: Code | None = Field(None, description="Username")
    due_at: Instant | None = None


class TaskPatch(In):
    title: Annotated[Title | None, NotNull] = None
    owner: Code | None = Field(None, description="Username; null to unassign")
    due_at: Instant | None = None
    status: Annotated[TaskStatus | None, NotNull] = None


class TaskOut(Schema):
    id: int
    title: str
    owner: str | None
    due_at: datetime | None
    status: TaskStatus
    is_overdue: bool
    created_by: str | None
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_owner(obj: Task) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_created_by(obj: Task) -> str | None:
        return obj.created_by.username if obj.created_by else None
