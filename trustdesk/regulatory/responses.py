"""Responses to regulatory requests and the evidence kept with them.

Like ``services``, each public function is one transaction that writes the request's
timeline event and the audit event with the change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import IllegalTransition, InvalidInput

from .deadlines import checked_time, event, incident_note, refresh
from .lifecycle import Status, allowed_transitions
from .models import EventKind, Evidence, Outcome, RegulatoryRequest, Response
from .services import locked, met_text, stamp

MAX_EVIDENCE_BYTES = getattr(settings, "REGULATORY_MAX_EVIDENCE_BYTES", 50 * 1024 * 1024)


def _check_response(outcome: str, summary: str, legal_grounds: str) -> None:
    if outcome not in Outcome.values:
        raise InvalidInput({"outcome": f"One of {', '.join(Outcome.values)}."})
    if not summary:
        raise InvalidInput({"summary": "Say what was done and what was sent to the authority."})
    if outcome != Outcome.COMPLIED and not legal_grounds:
        raise InvalidInput({"legal_grounds": "Give the legal grounds for not complying in full."})


@transaction.atomic
def record_response(
    *,
    actor: User,
    request: RegulatoryRequest,
    outcome: str,
    summary: str,
    legal_grounds: str = "",
    responded_at: datetime | None = None,
    files: Sequence[UploadedFile] = (),
) -> Response:
    """Record what was answered, with evidence, and move the request to Responded. A full or
    partial compliance implies the action was taken by then if it was not recorded."""
    request = locked(request)
    current = Status(request.status)
    if Status.RESPONDED not in allowed_transitions(current):
        raise IllegalTransition(current, Status.RESPONDED, allowed_transitions(current))
    summary, legal_grounds = (summary or "").strip(), (legal_grounds or "").strip()
    _check_response(outcome, summary, legal_grounds)
    at = checked_time(responded_at, field="responded_at", not_before=request.received_at)
    response = Response.objects.create(
        request=request,
        outcome=outcome,
        summary=summary,
        legal_grounds=legal_grounds,
        responded_at=at,
        responded_by=actor,
    )
    request.status, request.outcome = Status.RESPONDED, outcome
    stamp(request, Status.RESPONDED, at)
    if outcome != Outcome.REFUSED and request.actioned_at is None:
        request.actioned_at = at
    request.save()
    for upload in files:
        _store_evidence(
            actor=actor, request=request, upload=upload, description="Response evidence"
        )
    refresh(request)
    text = f"Responded: {Outcome(outcome).label}"
    if request.deadline_met_at is not None:
        text += f" ({met_text(request, request.deadline_met_at)})"
    event(
        request, actor=actor, kind=EventKind.RESPONSE, text=text, at=at, data={"outcome": outcome}
    )
    audit.record(
        actor=actor,
        action="regulatory.request.respond",
        obj=request,
        before={"status": current.value},
        after={
            "outcome": outcome,
            "legal_grounds": legal_grounds,
            "responded_at": at,
            "evidence": len(files),
        },
    )
    incident_note(actor=actor, request=request, text=text)
    return response


def _store_evidence(
    *, actor: User, request: RegulatoryRequest, upload: UploadedFile, description: str
) -> Evidence:
    size = upload.size or 0
    if size > MAX_EVIDENCE_BYTES:
        raise InvalidInput({"file": f"At most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB per file."})
    if size == 0:
        raise InvalidInput({"file": "The file is empty."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        request=request,
        original_name=(upload.name or "evidence")[:255],
        content_type=(upload.content_type or "")[:120],
        size=size,
        sha256=digest.hexdigest(),
        description=(description or "").strip()[:300],
        uploaded_by=actor,
    )
    evidence.file.save(evidence.sha256, upload, save=False)
    evidence.save()
    event(
        request,
        actor=actor,
        kind=EventKind.EVIDENCE,
        text=f"Evidence added: {evidence.original_name} (SHA-256 {evidence.sha256[:16]}…)",
        data={"evidence": evidence.pk, "sha256": evidence.sha256},
    )
    audit.record(
        actor=actor,
        action="regulatory.request.evidence",
        obj=request,
        after={"name": evidence.original_name, "sha256": evidence.sha256, "size": size},
    )
    return evidence


@transaction.atomic
def add_evidence(
    *, actor: User, request: RegulatoryRequest, upload: UploadedFile, description: str = ""
) -> Evidence:
    """Keep a file (a screenshot of the removal, the letter sent) with its SHA-256."""
    request = locked(request)
    return _store_evidence(actor=actor, request=request, upload=upload, description=description)
