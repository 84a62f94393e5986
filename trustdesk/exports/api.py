"""``/api/v1/exports``: CyberTipline drafts, Lumen notices and response packs.

Handlers find the incident or request through the owning app's ``access`` helpers (invisible:
404, read-only: 403) and call ``services``; every download is audited there.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import PathEx, Router
from ninja import Status as Answer
from ninja.params import P

from trustdesk.accounts.api import request_user
from trustdesk.incidents.access import get_incident_for_user
from trustdesk.incidents.schemas import MAX_ID
from trustdesk.lib.api import error_responses
from trustdesk.regulatory.access import get_request_for_user

from . import access, services
from .schemas import CyberTipIn, DraftOut, LumenOut, SubmittedIn, draft_out, lumen_out

router = Router(tags=["exports"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
READ = error_responses(404, 422)
WRITE = error_responses(403, 404, 409, 422)


@router.post(
    "/incidents/{id}/cybertip",
    response={201: DraftOut, **WRITE},
    summary="Draft a CyberTipline report (never sent)",
)
def create_cybertip(request: HttpRequest, id: Id, payload: CyberTipIn) -> Answer[dict[str, Any]]:
    user = request_user(request)
    incident = get_incident_for_user(user, id)
    access.check_can_report(user, incident)
    draft = services.generate_cybertip_draft(
        actor=user,
        incident=incident,
        incident_type=payload.incident_type,
        high_priority=payload.high_priority,
    )
    return Answer(201, draft_out(draft))


@router.get("/cybertip/{id}", response={200: DraftOut, **READ}, summary="One draft")
def get_cybertip(request: HttpRequest, id: Id) -> dict[str, Any]:
    return draft_out(access.get_draft_for_user(request_user(request), id))


@router.get("/cybertip/{id}/xml", response=READ, summary="Download the draft XML (audited)")
def download_cybertip(request: HttpRequest, id: Id) -> HttpResponse:
    user = request_user(request)
    draft = access.get_draft_for_user(user, id)
    services.record_cybertip_download(actor=user, draft=draft)
    return HttpResponse(draft.xml.encode("utf-8"), content_type="application/xml")


@router.post(
    "/cybertip/{id}/submitted",
    response={200: DraftOut, **WRITE},
    summary="Record that a person filed it; starts the one-year preservation",
)
def cybertip_submitted(request: HttpRequest, id: Id, payload: SubmittedIn) -> dict[str, Any]:
    user = request_user(request)
    draft = access.get_draft_for_user(user, id)
    access.check_can_report(user, draft.incident)
    draft = services.mark_cybertip_submitted(
        actor=user, draft=draft, report_number=payload.report_number
    )
    return draft_out(draft)


@router.get(
    "/requests/{id}/lumen", response={200: dict[str, Any], **READ}, summary="Preview the notice"
)
def lumen_preview(request: HttpRequest, id: Id) -> dict[str, Any]:
    return services.lumen_notice(get_request_for_user(request_user(request), id))


@router.post(
    "/requests/{id}/lumen",
    response={201: LumenOut, **WRITE},
    summary="Validate and send the Lumen notice",
)
def lumen_send(request: HttpRequest, id: Id) -> Answer[dict[str, Any]]:
    user = request_user(request)
    found = get_request_for_user(user, id)
    if not access.can_send(user):
        raise PermissionDenied("Only responders may send notices to Lumen.")
    return Answer(201, lumen_out(services.submit_lumen(actor=user, request=found)))


@router.get("/requests/{id}/pack", response=READ, summary="Download the response pack (ZIP)")
def response_pack(
    request: HttpRequest,
    id: Id,
    recipient: Literal["external", "internal"] = "external",
    language: Literal["", "en", "es", "pt-BR"] = "",
) -> HttpResponse:
    user = request_user(request)
    found = get_request_for_user(user, id)
    pack = services.response_pack(actor=user, request=found, recipient=recipient, language=language)
    response = HttpResponse(pack.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    return response
