"""One decision row as typed by a person, sent to the API or read from a file, cleaned into
model field values. The same rules for every way in, so errors read the same everywhere."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .models import (
    OTHER_RESTRICTIONS,
    AutomatedDecision,
    ContentType,
    Ground,
    Restriction,
    SourceType,
)
from .sor import dsa_categories, enums

FIELDS = (
    "content_url",
    "content_id",
    "account_id",
    "content_type",
    "content_type_other",
    "restriction",
    "restriction_other",
    "ground",
    "legal_ground",
    "illegal_content_explanation",
    "tos_clause",
    "tos_explanation",
    "explanation",
    "category",
    "automated_detection",
    "automated_decision",
    "source_type",
    "territorial_scope",
    "content_date",
    "decided_at",
    "applied_at",
    "notice_received_at",
    "puid",
)

_PUID = re.compile(r"^[A-Za-z0-9_-]{1,500}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}
_LIMITS = {
    "content_id": 500,
    "account_id": 500,
    "content_type_other": 500,
    "restriction_other": 500,
    "legal_ground": 500,
    "illegal_content_explanation": 2000,
    "tos_clause": 500,
    "tos_explanation": 2000,
    "explanation": 5000,
}


def new_puid() -> str:
    return f"td-{uuid.uuid4().hex}"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _choice(value: Any, choices: type[Any], field: str, errors: dict[str, str]) -> str:
    text = _text(value).lower()
    if text not in choices.values:
        errors[field] = f"must be one of {', '.join(choices.values)}"
    return text


def _bool(value: Any, field: str, errors: dict[str, str]) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        errors[field] = "must be yes or no"
    return False


def _scope(value: Any, errors: dict[str, str]) -> list[str]:
    """A list, or text such as "DE FR", "DE,FR" or the shorthands EU and EEA."""
    if isinstance(value, list | tuple):
        codes = [_text(v).upper() for v in value]
    else:
        codes = [c.upper() for c in re.split(r"[\s,;]+", _text(value)) if c]
    expanded: list[str] = []
    for code in codes:
        if code in ("EU", "EEA"):
            expanded.extend(enums()[f"territorial_scope_{code}"])
        elif re.fullmatch(r"[A-Z]{2}", code):
            expanded.append(code)
        else:
            errors["territorial_scope"] = f"{code!r} is not a two-letter country code"
    if not expanded and "territorial_scope" not in errors:
        errors["territorial_scope"] = "name at least one country (or EU / EEA)"
    return sorted(set(expanded))


def _moment(value: Any, field: str, errors: dict[str, str]) -> datetime | None:
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        text = _text(value)
        if not text:
            return None
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None and parse_date(text) is not None:
            parsed = parse_datetime(f"{text}T00:00:00+00:00")
    if parsed is None:
        errors[field] = "must be a date and time such as 2026-11-25T14:30:00Z"
        return None
    if timezone.is_naive(parsed):
        errors[field] = "must include a time zone (for example Z for UTC)"
        return None
    return parsed.astimezone(UTC)


def _day(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)[:10]
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        errors[field] = "must be a date such as 2026-11-25"
    return parsed


def _check_target(row: dict[str, Any], errors: dict[str, str]) -> None:
    if not (row["content_url"] or row["content_id"] or row["account_id"]):
        errors["content_url"] = "give the content URL, a content id or an account id"
    if row["content_url"]:
        try:
            URLValidator(schemes=["http", "https"])(row["content_url"])
        except ValidationError:
            errors["content_url"] = "must be an http(s) URL"


def _check_conditional(row: dict[str, Any], errors: dict[str, str]) -> None:
    if row["restriction"] in OTHER_RESTRICTIONS and not row["restriction_other"]:
        errors["restriction_other"] = "say what the restriction was"
    if row["content_type"] == ContentType.OTHER and not row["content_type_other"]:
        errors["content_type_other"] = "say what kind of content it was"
    if row["ground"] == Ground.ILLEGAL_CONTENT:
        for field in ("legal_ground", "illegal_content_explanation"):
            if not row[field]:
                errors[field] = "required when the ground is illegal content"
    elif row["ground"] == Ground.INCOMPATIBLE_CONTENT:
        for field in ("tos_clause", "tos_explanation"):
            if not row[field]:
                errors[field] = "required when the ground is the terms of service"


def clean_row(raw: dict[str, Any], *, now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """Model field values and errors by field. Unknown keys are errors, not silently lost."""
    errors: dict[str, str] = {}
    for key in raw:
        if key not in FIELDS:
            errors[str(key)] = "unknown field"
    row: dict[str, Any] = {}
    for field in ("content_url", "content_id", "account_id", *_LIMITS):
        row[field] = _text(raw.get(field))
        if len(row[field]) > _LIMITS.get(field, 2000):
            errors[field] = f"at most {_LIMITS.get(field, 2000)} characters"
    row["content_type"] = _choice(raw.get("content_type"), ContentType, "content_type", errors)
    row["restriction"] = _choice(raw.get("restriction"), Restriction, "restriction", errors)
    row["ground"] = _choice(raw.get("ground"), Ground, "ground", errors)
    row["source_type"] = _choice(raw.get("source_type"), SourceType, "source_type", errors)
    row["automated_decision"] = _choice(
        raw.get("automated_decision") or AutomatedDecision.NOT_AUTOMATED,
        AutomatedDecision,
        "automated_decision",
        errors,
    )
    row["automated_detection"] = _bool(
        raw.get("automated_detection"), "automated_detection", errors
    )
    row["category"] = _text(raw.get("category")).upper()
    if row["category"] not in dsa_categories():
        errors["category"] = "must be a DSA category code such as STATEMENT_CATEGORY_VIOLENCE"
    if not row["explanation"]:
        errors["explanation"] = "say which facts and circumstances the decision relied on"
    row["territorial_scope"] = _scope(raw.get("territorial_scope"), errors)
    row["content_date"] = _day(raw.get("content_date"), "content_date", errors)
    row["decided_at"] = _moment(raw.get("decided_at"), "decided_at", errors) or now
    row["applied_at"] = _moment(raw.get("applied_at"), "applied_at", errors) or row["decided_at"]
    row["notice_received_at"] = _moment(raw.get("notice_received_at"), "notice_received_at", errors)
    if row["decided_at"] > now:
        errors["decided_at"] = "cannot be in the future"
    if row["content_date"] and row["content_date"] > row["applied_at"].date():
        errors["content_date"] = "cannot be after the decision was applied"
    row["puid"] = _text(raw.get("puid")) or new_puid()
    if not _PUID.fullmatch(row["puid"]):
        errors["puid"] = "only letters, digits, _ and - (at most 500)"
    _check_target(row, errors)
    _check_conditional(row, errors)
    return row, errors
