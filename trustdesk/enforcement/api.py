"""``/api/v1/enforcement``: decisions (recorded in bulk, all or nothing), appeals, the DSA
statements of reasons and the DSA transparency report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import PathEx, Router
from ninja import Status as Answer
from ninja.params import P

from trustdesk.accounts.api import request_user
from trustdesk.incidents.models import Incident
from trustdesk.incidents.schemas import MAX_ID
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.regulatory.models import RegulatoryRequest

from . import access, report, services
from .schemas import AppealIn, DecisionOut, DecisionsIn, decision_out

router = Router(tags=["enforcement"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
READ = error_responses(403, 404, 422)
WRITE = error_responses(403, 404, 409, 422)


def _targets(
    request: HttpRequest, payload: DecisionsIn
) -> tuple[Incident | None, RegulatoryRequest | None]:
    actor = request_user(request)
    incident = found_request = None
    if payload.incident is not None:
        incident = Incident.objects.visible_to(actor).filter(pk=payload.incident).first()
        if incident is None:
            raise InvalidInput(
                {"incident": f"No incident INC-{payload.incident} that you can see."}
            )
    if payload.regulatory_request is not None:
        found_request = (
            RegulatoryRequest.objects.visible_to(actor)
            .filter(pk=payload.regulatory_request)
            .first()
        )
        if found_request is None:
            raise InvalidInput(
                {
                    "regulatory_request": (
                        f"No request REQ-{payload.regulatory_request} that you can see."
                    )
                }
            )
    if incident is None and found_request is None:
        raise InvalidInput({"incident": "Give the incident or the regulatory request."})
    access.check_can_record(actor, incident=incident, request=found_request)
    return incident, found_request


@router.post(
    "/decisions",
    response={201: list[DecisionOut], **WRITE},
    summary="Record decisions (all or nothing)",
)
def create_decisions(request: HttpRequest, payload: DecisionsIn) -> Answer[list[dict[str, Any]]]:
    """Every row is checked, and its DSA statement of reasons validated, before anything is
    stored. One bad row rejects the lot: 422 with errors such as
    ``decisions.3.territorial_scope``."""
    incident, found_request = _targets(request, payload)
    created = services.bulk_create_decisions(
        actor=request_user(request),
        rows=payload.decisions,
        incident=incident,
        regulatory_request=found_request,
    )
    return Answer(201, [decision_out(d) for d in created])


@router.get("/decisions", response={200: list[DecisionOut], **READ}, summary="Decisions")
def list_decisions(
    request: HttpRequest,
    incident: int | None = None,
    regulatory_request: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if not 1 <= limit <= 1000:
        raise InvalidInput({"limit": "between 1 and 1000"})
    if offset < 0:
        raise InvalidInput({"offset": "0 or more"})
    found = access.visible_decisions(request_user(request)).select_related("sor_submission")
    if incident is not None:
        found = found.filter(incident_id=incident)
    if regulatory_request is not None:
        found = found.filter(regulatory_request_id=regulatory_request)
    return [decision_out(d) for d in found[offset : offset + limit]]


@router.get("/decisions/{id}", response={200: DecisionOut, **READ}, summary="One decision")
def get_decision(request: HttpRequest, id: Id) -> dict[str, Any]:
    return decision_out(access.get_decision_for_user(request_user(request), id))


@router.post(
    "/decisions/{id}/appeal", response={200: DecisionOut, **WRITE}, summary="Record an appeal"
)
def appeal(request: HttpRequest, id: Id, payload: AppealIn) -> dict[str, Any]:
    actor = request_user(request)
    decision = access.get_decision_for_user(actor, id)
    access.check_can_record(actor, incident=decision.incident, request=decision.regulatory_request)
    done = services.reverse_decision(
        actor=actor,
        decision=decision,
        outcome=payload.outcome,
        appealed_at=payload.appealed_at,
        at=payload.at,
    )
    return decision_out(done)


@router.get(
    "/transparency-report",
    response={200: dict[str, list[dict[str, Any]]], **READ},
    summary="DSA transparency report (JSON, csv ZIP or xlsx)",
)
def transparency_report(
    request: HttpRequest, start: date, end: date, format: str = "json", service: str = ""
) -> Any:
    """The harmonised-template tables for ``start``..``end`` (inclusive, UTC days).
    ``format=csv`` gives a ZIP of one CSV per sheet, ``format=xlsx`` one workbook."""
    access.check_can_see_report(request_user(request))
    period = parse_period(start, end)
    built = report.build(
        period=period, service=service or report.service_name(), published=timezone.now().date()
    )
    if format == "json":
        return built
    name = f"dsa-transparency-{period.start}-{period.end}"
    if format == "csv":
        return _download(report.to_csv_zip(built), "application/zip", f"{name}-csv.zip")
    if format == "xlsx":
        return _download(
            report.to_xlsx(built),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    raise InvalidInput({"format": "json, csv or xlsx"})


def parse_period(start: date, end: date) -> report.Period:
    if end < start:
        raise InvalidInput({"end": "must not be before start"})
    if (end - start).days > 366:
        raise InvalidInput({"end": "a report covers at most a year"})
    return report.Period(start, end)


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
