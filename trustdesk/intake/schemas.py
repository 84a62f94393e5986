"""The JSON shape of a report, shared by the API, the webhook and dead-letter replay."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trustdesk.lib.errors import InvalidInput

from .models import ReporterType


class ContentItemIn(BaseModel):
    url: str = Field("", max_length=2000, description="Link to the content")
    content_id: str = Field("", max_length=200, description="Platform content id")
    account_id: str = Field("", max_length=200, description="Platform account id")
    content_type: str = Field("", max_length=40, description="video, comment, live, ...")


class AttachmentIn(BaseModel):
    filename: str = Field(..., max_length=255)
    content_type: str = Field("", max_length=100)
    data_base64: str = Field(..., description="The file, base64-encoded")


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str = Field("", max_length=255, description="Your id; repeats are duplicates")
    received_at: datetime | None = Field(None, description="When you received it (UTC)")
    reporter_type: ReporterType = ReporterType.USER
    reporter_name: str = Field("", max_length=200)
    reporter_contact: str = Field("", max_length=254)
    market: str = Field("", max_length=2, description="ISO 3166-1 code of the market")
    country: str = Field("", max_length=2, description="Reporter's country, if no market")
    phone: str = Field("", max_length=40, description="Reporter's phone, +<country code>...")
    locale: str = Field("", max_length=20, description="e.g. pt-BR")
    jurisdiction: str = Field("", max_length=2, description="Authority's jurisdiction")
    language: str = Field("", max_length=16)
    category: str = Field("", max_length=80, description="DSA category code or slug")
    label: str = Field("", max_length=120, description="Your own category label")
    keywords: list[str] = Field(default_factory=list, max_length=20)
    title: str = Field("", max_length=300)
    text: str = Field("", max_length=100_000)
    content: list[ContentItemIn] = Field(default_factory=list, max_length=50)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    minors_involved: bool = False


def validation_errors(exc: ValidationError) -> InvalidInput:
    """Pydantic's errors as ``InvalidInput`` keyed by dotted field path."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"]) or "__all__"
        errors.setdefault(loc, error["msg"])
    return InvalidInput(errors)
