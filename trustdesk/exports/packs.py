"""The response pack for a regulatory request: one ZIP for the authority (or for the file).

Contents: ``cover_letter.html`` and ``cover_letter.pdf`` (English, Spanish or Brazilian
Portuguese), ``actions.csv`` (enforcement decisions and the request's events, times in the
authority's IANA zone and in UTC), ``evidence.csv`` (SHA-256 of every evidence file),
``audit.json`` (the audit excerpt for the request and its incident) and ``manifest.json``
(size and SHA-256 of every other file).

Redaction for an external recipient (docs/exports.md): when the request's incident is
restricted, no content URL, content id, account id, explanation or file name from the
incident goes out unless the request itself named it; request events are listed by kind
only; audit rows never carry their before/after values or staff names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from trustdesk.audit.models import AuditEvent
from trustdesk.enforcement.models import EnforcementDecision
from trustdesk.intake.models import Attachment
from trustdesk.lib.spreadsheets import safe_cell
from trustdesk.lib.timefmt import zone
from trustdesk.regulatory.models import EventKind, RegulatoryRequest, Response

from . import conf
from .language import LANGUAGES, authority_language

__all__ = ["LANGUAGES", "Pack", "Recipient", "build"]

REDACTED = "[redacted]"
# Request events an authority may see by kind; escalations and edits are internal.
EXTERNAL_EVENT_KINDS = (
    EventKind.CREATED,
    EventKind.STATUS,
    EventKind.MILESTONE,
    EventKind.PAUSE,
    EventKind.RESUME,
    EventKind.EXTENSION,
    EventKind.RESPONSE,
    EventKind.EVIDENCE,
)

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class Recipient(models.TextChoices):
    EXTERNAL = "external", "The authority (redacted)"
    INTERNAL = "internal", "Internal file (complete)"


@dataclass
class Pack:
    filename: str
    data: bytes
    language: str
    files: list[str] = field(default_factory=list)


@dataclass
class _Context:
    request: RegulatoryRequest
    recipient: Recipient
    tz: str
    named: set[str]

    @property
    def redact(self) -> bool:
        incident = self.request.incident
        return self.recipient == Recipient.EXTERNAL and bool(incident and incident.restricted)

    def local(self, value: datetime | None) -> str:
        return value.astimezone(zone(self.tz)).isoformat(timespec="seconds") if value else ""

    def target(self, value: str) -> str:
        if not value or not self.redact or value in self.named:
            return value
        return REDACTED


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def _decisions(request: RegulatoryRequest) -> list[EnforcementDecision]:
    where = Q(regulatory_request=request)
    if request.incident_id:
        where |= Q(incident_id=request.incident_id)
    return list(EnforcementDecision.objects.filter(where).order_by("applied_at", "id"))


def _action_rows(ctx: _Context) -> list[dict[str, str]]:
    rows: list[tuple[datetime, dict[str, str]]] = []
    for d in _decisions(ctx.request):
        ground = d.legal_ground or d.tos_clause or d.get_ground_display()
        base = {
            "kind": "decision",
            "action": d.get_restriction_display(),
            "target": ctx.target(d.target),
            "ground": ground,
            "detail": REDACTED if ctx.redact else d.explanation,
        }
        rows.append((d.applied_at, base))
        if d.reversed_at:
            rows.append((d.reversed_at, {**base, "kind": "reversal", "detail": d.appeal_outcome}))
    events = ctx.request.events.all()
    if ctx.recipient == Recipient.EXTERNAL:
        events = events.filter(kind__in=EXTERNAL_EVENT_KINDS)
    for e in events:
        detail = "" if ctx.redact else e.text
        rows.append(
            (
                e.occurred_at,
                {
                    "kind": "request",
                    "action": e.get_kind_display(),
                    "target": "",
                    "ground": "",
                    "detail": detail,
                },
            )
        )
    rows.sort(key=lambda r: r[0])
    return [{"time_local": ctx.local(at), "time_utc": _utc(at), **row} for at, row in rows]


def _evidence_rows(ctx: _Context) -> list[dict[str, str]]:
    rows = [
        {
            "source": "request",
            "file_name": e.original_name,
            "sha256": e.sha256,
            "size": str(e.size),
            "received_local": ctx.local(e.uploaded_at),
        }
        for e in ctx.request.evidence.all()
    ]
    if ctx.request.incident_id:
        attachments = (
            Attachment.objects.filter(report__group__incident_id=ctx.request.incident_id)
            .select_related("evidence", "report")
            .order_by("report__received_at", "id")
        )
        seen: set[str] = set()
        for a in attachments:
            if a.evidence.sha256 in seen:
                continue
            seen.add(a.evidence.sha256)
            rows.append(
                {
                    "source": "incident",
                    "file_name": REDACTED if ctx.redact else a.filename,
                    "sha256": a.evidence.sha256,
                    "size": str(a.evidence.size),
                    "received_local": ctx.local(a.report.received_at),
                }
            )
    return rows


def _audit_rows(ctx: _Context) -> list[dict[str, Any]]:
    where = Q(object_type="regulatory.regulatoryrequest", object_id=str(ctx.request.pk))
    if ctx.request.incident_id:
        where |= Q(object_type="incidents.incident", object_id=str(ctx.request.incident_id))
    rows = []
    for event in AuditEvent.objects.filter(where).order_by("id"):
        row: dict[str, Any] = {
            "id": event.pk,
            "at_local": ctx.local(event.at),
            "at_utc": _utc(event.at),
            "action": event.action,
            "object": f"{event.object_type}:{event.object_id}",
            "hash": event.hash,
        }
        if ctx.recipient == Recipient.INTERNAL:
            row.update(actor=event.actor_label, before=event.before, after=event.after)
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, str]], header: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue().encode("utf-8")


def _letter(ctx: _Context, language: str, actions: list[dict[str, str]]) -> str:
    request = ctx.request
    response = Response.objects.filter(request=request).first()
    return render_to_string(
        f"exports/letters/cover_{language}.html",
        {
            "req": request,
            "company": conf.company_name(),
            "tz": ctx.tz,
            "today": timezone.now().astimezone(zone(ctx.tz)).date().isoformat(),
            "received": ctx.local(request.received_at),
            "responded": ctx.local(request.responded_at),
            "outcome": request.outcome,
            "response_summary": "" if ctx.redact or response is None else response.summary,
            "actions": [a for a in actions if a["kind"] != "request"],
            "lang": language,
        },
    )


def _pdf(html: str) -> bytes:
    # Imported here: WeasyPrint takes a second to load, and every web process would pay
    # for it at start (this module is reached from the API's URLconf).
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> object:
            raise ValueError(f"not fetched while rendering a PDF: {url[:80]}")

    pdf = HTML(string=html, base_url="", url_fetcher=NoFetching()).write_pdf()
    assert pdf is not None
    return pdf


def build(request: RegulatoryRequest, *, recipient: Recipient, language: str = "") -> Pack:
    """The ZIP for ``request``. ``language`` overrides the authority's market language."""
    language = language or authority_language(request)
    named = {str(v) for v in [*request.content_items, *request.accounts]}
    ctx = _Context(request, recipient, request.authority.zone_name, named)
    actions = _action_rows(ctx)
    letter = _letter(ctx, language, actions)
    files: dict[str, bytes] = {
        "cover_letter.html": letter.encode("utf-8"),
        "cover_letter.pdf": _pdf(letter),
        "actions.csv": _csv(
            actions, ["time_local", "time_utc", "kind", "action", "target", "ground", "detail"]
        ),
        "evidence.csv": _csv(
            _evidence_rows(ctx), ["source", "file_name", "sha256", "size", "received_local"]
        ),
        "audit.json": json.dumps(_audit_rows(ctx), indent=2, ensure_ascii=False).encode(),
    }
    manifest = {
        "request": request.ref,
        "authority": request.authority.name,
        "reference": request.reference,
        "recipient": recipient.value,
        "language": language,
        "tz": ctx.tz,
        "generated_at": _utc(timezone.now()),
        "files": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        ],
    }
    files["manifest.json"] = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return Pack(
        filename=f"{request.ref}-{recipient.value}-{language}-{stamp}.zip",
        data=buffer.getvalue(),
        language=language,
        files=list(files),
    )
