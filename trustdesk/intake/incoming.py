"""The one shape every channel turns its input into before calling the intake services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from trustdesk.accounts.models import User

    from .models import IntakeAddress, Report


@dataclass
class IncomingItem:
    url: str = ""
    content_id: str = ""
    account_id: str = ""
    content_type: str = ""


@dataclass
class IncomingAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class IncomingReport:
    channel: str
    external_id: str = ""
    received_at: datetime | None = None
    reporter_type: str = "user"
    reporter_name: str = ""
    reporter_contact: str = ""
    verified: bool = True
    claimed_reporter_type: str = ""
    verification_note: str = ""
    market: str = ""
    country: str = ""
    phone: str = ""
    locale: str = ""
    jurisdiction: str = ""
    language: str = ""
    category: str = ""
    label: str = ""
    keywords: list[str] = field(default_factory=list)
    title: str = ""
    text: str = ""
    items: list[IncomingItem] = field(default_factory=list)
    attachments: list[IncomingAttachment] = field(default_factory=list)
    minors_involved: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    submitted_by: User | None = None
    intake_address: IntakeAddress | None = None


class Outcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


@dataclass
class Result:
    """What happened to one incoming report: stored, recognised as already stored (the
    first report is returned), or refused with the fields that are wrong."""

    index: int
    outcome: Outcome
    report: Report | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"index": self.index, "status": self.outcome.value}
        if self.report is not None:
            group = self.report.group
            answer.update(
                id=self.report.pk,
                ref=self.report.ref,
                external_id=self.report.external_id,
                group=group.pk,
                incident=group.incident_id,
            )
        if self.errors:
            answer["errors"] = self.errors
        return answer


class ParseError(Exception):
    """A payload cannot be read as a report. ``field`` names the part that is wrong."""

    def __init__(self, message: str, *, field: str = "payload") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BaseChannel:
    """A channel turns its raw bytes (and the envelope in ``meta``) into one report.
    ``parse`` is also how a dead letter from the channel is replayed."""

    name: ClassVar[str]

    def parse(self, raw: bytes, meta: Mapping[str, Any]) -> IncomingReport:
        raise NotImplementedError
