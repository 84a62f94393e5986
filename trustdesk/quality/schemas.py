"""What the quality API accepts and returns. Unknown input fields are refused (422)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from trustdesk.incidents.schemas import Code, In, ObjectId, Text

from .lifecycle import Resolution

Comment = Annotated[Text, StringConstraints(max_length=5000)]


class ScoreIn(In):
    criterion: Code = Field(description="The criterion's key, e.g. severity")
    value: int | None = Field(None, description="On the criterion's scale; empty in a draft")
    not_applicable: bool = False
    comment: Comment = ""
    evidence: list[ObjectId] = Field(
        default_factory=list, max_length=100, description="Ids of the item's timeline events"
    )


class ScoresIn(In):
    scores: list[ScoreIn] = Field(max_length=50)
    summary: Comment = ""
    submit: bool = Field(False, description="Submit (every criterion scored) or save a draft")


class DisputeIn(In):
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=5000)]


class ResolveIn(In):
    resolution: Literal[Resolution.UPHELD, Resolution.AMENDED, Resolution.WITHDRAWN]
    note: Annotated[Text, StringConstraints(min_length=1, max_length=5000)]
    scores: dict[str, int | None] = Field(
        default_factory=dict, description="Amended: criterion key to new score (null: N/A)"
    )


class ScoreOut(Schema):
    criterion: str
    label: str
    value: int | None
    not_applicable: bool
    comment: str
    evidence: list[int]
    amended_from: int | None


class ReviewOut(Schema):
    id: int
    subject: str = Field(description="INC-12 or REQ-4")
    subject_kind: str
    subject_id: int
    reviewee: str
    reviewer: str | None = Field(description="Null while the review is blind to you")
    status: str
    rubric: str
    rubric_version: int
    period_start: date
    assigned_at: datetime
    submitted_at: datetime | None
    score: float | None = Field(description="Weighted score 0..1; null until visible")
    passed: bool | None
    critical_failures: list[str]
    summary: str
    scores_hidden: bool = Field(description="Scores withheld: not submitted, or blind")
    scores: list[ScoreOut]
    dispute_reason: str
    resolution: str
    resolution_note: str


class PeriodOut(Schema):
    start: date
    reviews: int
    quality: float | None
    failed: int
    closed: int
    signals: int
    accuracy: float | None


class NoteOut(Schema):
    id: int
    author: str | None
    text: str
    draft: bool
    created_at: datetime


class GoalOut(Schema):
    id: int
    title: str
    criterion: str
    follow_up_on: date
    status: str
    outcome: str
    set_by: str | None


class SignalOut(Schema):
    kind: str
    subject: str
    detail: str
    occurred_at: datetime
    closed_at: datetime


class CriterionMeanOut(Schema):
    criterion: str
    label: str
    mean: float
    reviews: int


class ScorecardOut(Schema):
    username: str
    name: str
    region: str
    site: str | None
    period_days: int
    quality_target: float
    accuracy_target: float
    quality: float | None = Field(description="Mean weighted score, last four periods")
    accuracy: float | None = Field(description="Share of closed work without a signal")
    reviews: int
    failed: int
    signals: int
    periods: list[PeriodOut]
    strengths: list[CriterionMeanOut]
    focus: list[CriterionMeanOut]
    accuracy_signals: list[SignalOut]
    coaching_notes: list[NoteOut]
    goals: list[GoalOut]


class AgreementOut(Schema):
    criterion: str
    label: str
    pairs: int
    percent_agreement: float | None
    kappa: float | None
    weighted_kappa: float | None
    reading: str


class CalibrationOut(Schema):
    region: str
    since: date
    pairs: int
    criteria: list[AgreementOut]
    outcome: AgreementOut
