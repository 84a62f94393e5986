"""State changes of the exports app: CyberTipline drafts and their submission, the
preservation duties that follow, Lumen submissions, and the audited reads (downloads and
response packs). Each writes its audit event in the same transaction."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.incidents.services import record_event
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.regulatory.models import RegulatoryRequest

from . import conf, lumen, ncmec, packs
from .models import (
    CyberTiplineDraft,
    DraftStatus,
    LumenStatus,
    LumenSubmission,
    PreservationDuty,
    PreservationReason,
)

CHILD_SAFETY_CATEGORY = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
_REPORT_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,40}$")


def one_year_after(start: datetime) -> datetime:
    """The same instant a calendar year later (UTC); 29 February runs to 1 March, the longer
    reading, since keeping a day more is safe and a day less is not."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, month=3, day=1)


def preservation_holds_active(at: datetime | None = None) -> set[int]:
    """Ids of incidents that must not be purged at ``at`` (now by default). The retention
    purge calls this before deleting anything that belongs to an incident."""
    return set(
        PreservationDuty.objects.active_at(at or timezone.now()).values_list(
            "incident_id", flat=True
        )
    )


# --- NCMEC CyberTipline -----------------------------------------------------------------------


def generate_cybertip_draft(
    *,
    actor: User,
    incident: Incident,
    incident_type: str = ncmec.DEFAULT_INCIDENT_TYPE,
    high_priority: bool = False,
) -> CyberTiplineDraft:
    """Build and keep a draft report for a person to review. Nothing is sent to NCMEC."""
    if incident.category.code != CHILD_SAFETY_CATEGORY:
        raise InvalidInput({"incident": "CyberTipline reports are for child-safety incidents"})
    if incident_type not in ncmec.INCIDENT_TYPES:
        raise InvalidInput({"incident_type": "not one of the CyberTipline incident types"})
    xml = ncmec.build(
        ncmec.gather(incident),
        conf.ncmec_reporter(),
        incident_type=incident_type,
        high_priority=high_priority,
    )
    with transaction.atomic():
        draft = CyberTiplineDraft.objects.create(
            incident=incident,
            xml=xml,
            sha256=hashlib.sha256(xml.encode()).hexdigest(),
            generated_by=actor,
            generated_at=timezone.now(),
        )
        record_event(
            actor=actor,
            incident_id=incident.pk,
            text="Draft NCMEC CyberTipline report generated (not sent)",
            data={"cybertip_draft": draft.pk},
            action="exports.cybertip_generated",
            audit_after={"draft": draft.pk, "sha256": draft.sha256},
        )
    return draft


def record_cybertip_download(*, actor: User, draft: CyberTiplineDraft) -> None:
    """Downloading the draft takes child-safety details off the desk: an audited read."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="exports.cybertip_downloaded",
            obj=draft,
            after={"incident": draft.incident_id, "sha256": draft.sha256},
        )


def mark_cybertip_submitted(
    *,
    actor: User,
    draft: CyberTiplineDraft,
    report_number: str,
    submitted_at: datetime | None = None,
) -> CyberTiplineDraft:
    """A person filed the report with NCMEC: keep the number NCMEC gave, and start the
    one-year preservation duty (18 U.S.C. 2258A(h))."""
    report_number = (report_number or "").strip()
    if not _REPORT_NUMBER.match(report_number):
        raise InvalidInput({"report_number": "enter the CyberTipline report number NCMEC gave"})
    submitted_at = submitted_at or timezone.now()
    if submitted_at > timezone.now():
        raise InvalidInput({"submitted_at": "cannot be in the future"})
    with transaction.atomic():
        draft = CyberTiplineDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.status == DraftStatus.SUBMITTED:
            raise Conflict(
                f"already marked submitted as report {draft.report_number}", field="status"
            )
        if CyberTiplineDraft.objects.filter(report_number=report_number).exists():
            raise InvalidInput({"report_number": "this number is already recorded on a draft"})
        draft.status = DraftStatus.SUBMITTED
        draft.report_number = report_number
        draft.submitted_at = submitted_at
        draft.submitted_by = actor
        draft.save(update_fields=["status", "report_number", "submitted_at", "submitted_by"])
        duty = PreservationDuty.objects.create(
            incident=draft.incident,
            reason=PreservationReason.CYBERTIPLINE,
            reference=report_number,
            starts_at=submitted_at,
            ends_at=one_year_after(submitted_at),
            created_by=actor,
        )
        record_event(
            actor=actor,
            incident_id=draft.incident_id,
            text=(
                f"CyberTipline report {report_number} recorded as submitted; content "
                f"preserved until {duty.ends_at:%Y-%m-%d %H:%M} UTC"
            ),
            data={"cybertip_draft": draft.pk, "preservation_duty": duty.pk},
            action="exports.cybertip_submitted",
            audit_after={
                "draft": draft.pk,
                "report_number": report_number,
                "preserve_until": duty.ends_at.isoformat(),
            },
        )
    return draft


# --- Lumen ------------------------------------------------------------------------------------


def lumen_notice(request: RegulatoryRequest) -> dict[str, object]:
    """The notice that would be sent, validated; ``InvalidInput`` names the wrong field."""
    notice = lumen.build_notice(request)
    lumen.validate(notice)
    return notice


def submit_lumen(*, actor: User, request: RegulatoryRequest) -> LumenSubmission:
    """Validate and post the request's Lumen notice, and keep Lumen's answer. A request
    already accepted by Lumen is not sent again."""
    if request.lumen_submissions.filter(status=LumenStatus.SENT).exists():
        raise Conflict("Lumen already accepted a notice for this request", field="request")
    notice = lumen_notice(request)
    token = conf.lumen_token()
    if not token:
        raise InvalidInput({"TRUSTDESK_LUMEN_TOKEN": "no Lumen token is configured"})
    # The HTTP call stays outside the transaction: a slow Lumen must not hold locks.
    answer = lumen.post(notice, url=conf.lumen_url(), token=token, timeout=conf.lumen_timeout())
    if answer.ok:
        status = LumenStatus.SENT
    else:
        status = LumenStatus.REJECTED if answer.permanent else LumenStatus.FAILED
    with transaction.atomic():
        submission = LumenSubmission.objects.create(
            request=request,
            notice=notice,
            status=status,
            http_status=answer.http_status,
            location=answer.location[:500],
            error=answer.error,
            sent_by=actor,
        )
        audit.record(
            actor=actor,
            action="exports.lumen_submitted",
            obj=request,
            after={"submission": submission.pk, "status": status, "http": answer.http_status},
        )
    return submission


# --- response packs ---------------------------------------------------------------------------


def response_pack(
    *,
    actor: User,
    request: RegulatoryRequest,
    recipient: str = packs.Recipient.EXTERNAL,
    language: str = "",
) -> packs.Pack:
    """Build the ZIP for ``request`` and audit who took it, for whom and in which language."""
    if recipient not in packs.Recipient.values:
        raise InvalidInput({"recipient": "choose external or internal"})
    if language and language not in packs.LANGUAGES:
        raise InvalidInput({"language": f"choose one of {', '.join(packs.LANGUAGES)}"})
    pack = packs.build(request, recipient=packs.Recipient(recipient), language=language)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="exports.response_pack",
            obj=request,
            after={
                "recipient": recipient,
                "language": pack.language,
                "sha256": hashlib.sha256(pack.data).hexdigest(),
            },
        )
    return pack
