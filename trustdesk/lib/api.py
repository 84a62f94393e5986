"""The error body every API route answers with, for the OpenAPI document.

``trustdesk/api.py`` produces it from exceptions; routers name the statuses they can give.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ErrorItem(Schema):
    field: str = Field(description="Dotted path of the wrong input, or __all__")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]
    current: str | None = Field(None, description="Illegal transition: the current status")
    allowed: list[str] | None = Field(
        None, description="Illegal transition: the statuses it may move to"
    )


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries documenting the error statuses a route can answer with."""
    return dict.fromkeys((401, *statuses), ErrorOut)
