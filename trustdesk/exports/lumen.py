"""Lumen notices: built from a regulatory request, validated, and posted to Lumen.

Lumen turns an unknown ``type`` silently into DMCA and drops unknown keys, so every notice
is checked against ``data/lumen-notice.schema.json`` (and the date rules the schema cannot
say) before it leaves; a failure names the field.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone
from jsonschema import Draft202012Validator

from trustdesk.lib.errors import InvalidInput
from trustdesk.regulatory.models import AuthorityKind, Outcome, RegulatoryRequest

from . import conf
from .language import authority_language

SCHEMA_PATH = Path(__file__).parent / "data" / "lumen-notice.schema.json"
EARLIEST_DATE = date(1998, 10, 28)

NOTICE_TYPES = {
    AuthorityKind.COURT: "CourtOrder",
    AuthorityKind.GOVERNMENT: "GovernmentRequest",
    AuthorityKind.REGULATOR: "GovernmentRequest",
    AuthorityKind.LAW_ENFORCEMENT: "LawEnforcementRequest",
    AuthorityKind.PROSECUTOR: "LawEnforcementRequest",
}
ACTION_TAKEN = {
    Outcome.COMPLIED: "Yes",
    Outcome.PARTIALLY_COMPLIED: "Partial",
    Outcome.REFUSED: "No",
}


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _path(error_path: Any) -> str:
    return ".".join(["notice", *(str(p) for p in error_path)])


def validate(notice: dict[str, Any], *, today: date | None = None) -> None:
    """Raise ``InvalidInput`` naming every wrong field (``notice.works_attributes.0.…``)."""
    errors: dict[str, str] = {}
    for error in sorted(_validator().iter_errors(notice), key=lambda e: list(e.absolute_path)):
        errors.setdefault(_path(error.absolute_path), error.message)
    today = today or timezone.now().date()
    for key in ("date_sent", "date_received"):
        value = notice.get(key)
        if not isinstance(value, str) or _path([key]) in errors:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            errors[_path([key])] = f"{value!r} is not a calendar date"
            continue
        if day <= EARLIEST_DATE or day > today + timedelta(days=1):
            errors[_path([key])] = "must be after 1998-10-28 and not after tomorrow"
    if errors:
        raise InvalidInput(errors)


def _urls(values: list[str]) -> list[dict[str, str]]:
    return [{"url": v} for v in values if v.startswith(("http://", "https://"))]


def build_notice(request: RegulatoryRequest) -> dict[str, Any]:
    """The notice for a court, government or law-enforcement request. Only what the request
    itself names goes in: Lumen publishes notices."""
    authority = request.authority
    notice_type = NOTICE_TYPES.get(AuthorityKind(authority.kind))
    if notice_type is None:
        raise InvalidInput(
            {"authority": "Lumen notices are for court, government and law-enforcement requests"}
        )
    if request.confidential:
        raise InvalidInput({"confidential": "a gag order forbids disclosing this request"})
    if request.incident is not None and request.incident.restricted:
        raise InvalidInput(
            {"incident": "the request is linked to a restricted incident; not published"}
        )
    country = request.jurisdiction.code.upper()
    sender: dict[str, Any] = {"name": authority.name, "kind": "organization"}
    if len(country) == 2 and country != "EU":
        sender["country_code"] = country
    roles = [
        {
            "name": "issuing_court" if notice_type == "CourtOrder" else "sender",
            "entity_attributes": sender,
        },
        {
            "name": "recipient",
            "entity_attributes": {"name": conf.company_name(), "kind": "organization"},
        },
    ]
    urls = _urls(list(request.content_items))
    notice: dict[str, Any] = {
        "type": notice_type,
        "title": request.title[:255],
        "subject": request.rule_version.request_type[:255],
        "body": request.summary,
        "date_received": request.received_at.date().isoformat(),
        "jurisdiction_list": country,
        "regulation_list": request.rule_version.legal_reference.replace(",", ";"),
        "language": authority_language(request),
        "action_taken": ACTION_TAKEN.get(Outcome(request.outcome), "Unspecified")
        if request.outcome
        else "Unspecified",
        "url_count": len(urls),
        "entity_notice_roles_attributes": roles,
        "works_attributes": [
            {
                "description": request.title,
                "kind": "Unspecified",
                "infringing_urls_attributes": urls,
            }
        ],
    }
    if request.served_at:
        notice["date_sent"] = request.served_at.date().isoformat()
    if request.reference:
        notice["case_id_number"] = request.reference
    if notice_type != "CourtOrder":
        preserve = "preserve" in request.requested_actions
        notice["request_type"] = "Records Preservation" if preserve else "Agency"
    return notice


@dataclass
class Answer:
    ok: bool
    permanent: bool
    http_status: int | None
    location: str
    error: str


def post(notice: dict[str, Any], *, url: str, token: str, timeout: int) -> Answer:
    """POST one notice. 201 is success; 401/403/422 are permanent (fix and resend by hand);
    anything else, including no answer, may be retried."""
    body = json.dumps({"notice": notice}).encode()
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Authentication-Token": token,
    }
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            status = response.status
            location = response.headers.get("Location", "")
            text = response.read(4096).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(4096).decode("utf-8", errors="replace")
        permanent = exc.code in (400, 401, 403, 422)
        return Answer(False, permanent, exc.code, "", f"HTTP {exc.code}: {text[:1000]}")
    except (urllib.error.URLError, OSError) as exc:
        return Answer(False, False, None, "", f"no answer from Lumen: {exc}")
    if status != 201:
        return Answer(False, False, status, "", f"unexpected HTTP {status}: {text[:1000]}")
    return Answer(True, False, status, location, "")
