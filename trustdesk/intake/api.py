"""The intake API, mounted at ``/api/v1/reports``.

Bodies are read by hand rather than by ninja's body parsing, for two reasons: a body that is
not JSON must be kept as a dead letter (DESIGN.md invariant 4), and a batch answers per item
instead of failing whole on one bad item.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from ninja import Router

from trustdesk.accounts.api import request_user
from trustdesk.accounts.models import Role, User
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import DomainError, InvalidInput

from . import conf, services
from .channels import ApiChannel, WebhookChannel, WebhookRefused
from .incoming import Outcome, Result
from .models import Channel, DeadLetter, IdempotencyRecord, Report, ReportGroup
from .schemas import ReportIn
from .serialise import group_json, report_json

MAX_BODY_BYTES = 64 * 1024 * 1024


router = Router(tags=["intake"])


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Pydantic's ``$defs`` inlined, so the schema stands alone in the OpenAPI document."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return dict(resolve(schema))


_REPORT_SCHEMA = _inline_refs(ReportIn.model_json_schema())


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _error_body(errors: list[dict[str, str]]) -> dict[str, Any]:
    """The API's one error shape (see trustdesk/api.py)."""
    first = errors[0] if errors else {"field": "__all__", "message": "Invalid input."}
    detail = (
        first["message"] if first["field"] == "__all__" else f"{first['field']}: {first['message']}"
    )
    return {"detail": detail, "errors": errors}


def _errors(exc: DomainError) -> JsonResponse:
    return JsonResponse(_error_body(exc.as_errors()), status=exc.status_code)


def _fail(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse(_error_body([{"field": field, "message": message}]), status=status)


_user = request_user


def _read_json(request: HttpRequest, channel: str) -> Any:
    """The parsed body, or a dead letter and ``InvalidInput`` if it is not JSON."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY_BYTES:
        raise InvalidInput({"body": f"At most {MAX_BODY_BYTES:,} bytes per request."})
    raw = request.read()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        dead = services.keep_dead_letter(
            channel=channel,
            raw=raw,
            error=f"Not JSON: {exc}",
            source=_user(request).username,
            meta={"user": _user(request).pk},
        )
        raise InvalidInput({"body": f"Not JSON ({exc}); kept as dead letter {dead.pk}."}) from None


def _idempotent(
    request: HttpRequest, channel: str, handle: Callable[[Any], tuple[int, dict[str, Any]]]
) -> JsonResponse:
    """Run ``handle`` once per ``Idempotency-Key``: a repeat gets the first answer."""
    try:
        data = _read_json(request, channel)
    except DomainError as exc:
        return _errors(exc)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = handle(data)
        return JsonResponse(body, status=status)
    if len(key) > 255:
        return _errors(InvalidInput({"Idempotency-Key": "At most 255 characters."}))
    scope = f"{channel}:{_user(request).pk}"
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    try:
        with transaction.atomic():
            first = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if first is None:
                status, body = handle(data)
                IdempotencyRecord.objects.create(
                    scope=scope, key=key, request_hash=digest, status_code=status, response=body
                )
                return JsonResponse(body, status=status)
    except IntegrityError:
        first = IdempotencyRecord.objects.get(scope=scope, key=key)
    if first.request_hash != digest:
        return _errors(
            InvalidInput({"Idempotency-Key": "Already used with a different request body."})
        )
    response = JsonResponse(first.response, status=first.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _may_submit(user: User) -> bool:
    return user.is_active and user.role != Role.AUDITOR


def _single_answer(result: Result) -> tuple[int, dict[str, Any]]:
    if result.outcome == Outcome.INVALID:
        return 422, _error_body(result.errors)
    return (201 if result.outcome == Outcome.CREATED else 200), result.as_json()


@router.post("", summary="Submit one report", openapi_extra=_body_doc(_REPORT_SCHEMA))
def submit_report(request: HttpRequest) -> JsonResponse:
    """201 with the new report, 200 with the first one if it was already received (same
    external id or Idempotency-Key), 422 naming the wrong fields."""
    user = _user(request)
    if not _may_submit(user):
        return _fail(403, "__all__", "Auditors read; they cannot submit reports.")

    def handle(data: Any) -> tuple[int, dict[str, Any]]:
        (result,) = ApiChannel().receive_batch([data], actor=user)
        return _single_answer(result)

    return _idempotent(request, Channel.API, handle)


_BATCH_SCHEMA = {
    "type": "object",
    "required": ["reports"],
    "properties": {
        "reports": {"type": "array", "maxItems": conf.MAX_BATCH, "items": _REPORT_SCHEMA}
    },
}


@router.post("/batch", summary="Submit up to 1,000 reports", openapi_extra=_body_doc(_BATCH_SCHEMA))
def submit_batch(request: HttpRequest) -> JsonResponse:
    """One answer per item, in order: ``created``, ``duplicate`` (with the first report) or
    ``invalid`` (with the wrong fields). Invalid items do not stop the valid ones."""
    user = _user(request)
    if not _may_submit(user):
        return _fail(403, "__all__", "Auditors read; they cannot submit reports.")

    def handle(data: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
            return 422, _error_body([{"field": "reports", "message": "A list of reports."}])
        items = data["reports"]
        if not items or len(items) > conf.MAX_BATCH:
            message = f"Between 1 and {conf.MAX_BATCH:,} reports per batch; got {len(items):,}."
            return 422, _error_body([{"field": "reports", "message": message}])
        results = ApiChannel().receive_batch(items, actor=user)
        counts = {o.value: sum(r.outcome == o for r in results) for o in Outcome}
        return 200, {"counts": counts, "results": [r.as_json() for r in results]}

    return _idempotent(request, Channel.API, handle)


@router.post("/webhook/{source}", auth=None, summary="Signed detection-system delivery")
def webhook(request: HttpRequest, source: str) -> JsonResponse:
    """Headers: ``X-Trustdesk-Timestamp`` (Unix seconds) and ``X-Trustdesk-Signature``
    (``sha256=`` HMAC-SHA256 of ``<timestamp>.<body>`` with the source's secret). Body:
    ``{"delivery_id": ..., "report": {...}}``. 409 for a delivery id seen before."""
    try:
        outcome = WebhookChannel().receive(
            source=source,
            timestamp=request.headers.get("X-Trustdesk-Timestamp", ""),
            signature=request.headers.get("X-Trustdesk-Signature", ""),
            body=request.body,
        )
    except WebhookRefused as exc:
        body = _error_body([{"field": "__all__", "message": exc.message}])
        if exc.report_id:
            body["report"] = exc.report_id
        return JsonResponse(body, status=exc.status)
    if isinstance(outcome, DeadLetter):
        return JsonResponse({"status": "dead_letter", "dead_letter": outcome.pk}, status=202)
    return JsonResponse(
        outcome.as_json(), status=201 if outcome.outcome == Outcome.CREATED else 200
    )


@router.get("/groups", summary="The triage queue")
def list_groups(request: HttpRequest, status: str = "open", limit: int = 100) -> JsonResponse:
    groups = (
        ReportGroup.objects.visible_to(_user(request))
        .filter(status=status)
        .select_related("category", "team")[: max(1, min(limit, 500))]
    )
    return JsonResponse({"groups": [group_json(g) for g in groups]})


@router.get("/groups/{pk}", summary="One group and its reports")
def group_detail(request: HttpRequest, pk: int) -> JsonResponse:
    user = _user(request)
    group = (
        ReportGroup.objects.visible_to(user)
        .select_related("category", "team")
        .filter(pk=pk)
        .first()
    )
    if group is None:
        return _fail(404, "group", "Not found")
    reports = (
        Report.objects.filter(group=group)
        .select_related("market", "category")
        .prefetch_related("items", "attachments__evidence")
        .order_by("-received_at", "-id")[:500]
    )
    return JsonResponse({**group_json(group), "report_list": [report_json(r) for r in reports]})


def _triage(request: HttpRequest, pk: int, act: Callable[[User, ReportGroup], Any]) -> JsonResponse:
    user = _user(request)
    group = ReportGroup.objects.visible_to(user).select_related("category").filter(pk=pk).first()
    if group is None:
        return _fail(404, "group", "Not found")
    if not user.is_responder:
        message = "Only incident managers, leads and admins triage."
        return _fail(403, "__all__", message)
    try:
        outcome = act(user, group)
    except DomainError as exc:
        return _errors(exc)
    if isinstance(outcome, Incident):
        return JsonResponse({"incident": outcome.pk, "ref": outcome.ref}, status=201)
    group.refresh_from_db()
    return JsonResponse(group_json(group))


@router.post("/groups/{pk}/open-incident", summary="Open an incident from a group")
def open_incident(request: HttpRequest, pk: int) -> JsonResponse:
    return _triage(request, pk, lambda u, g: services.open_incident_from_group(actor=u, group=g))


@router.post("/groups/{pk}/attach/{incident_pk}", summary="Attach a group to an open incident")
def attach(request: HttpRequest, pk: int, incident_pk: int) -> JsonResponse:
    def act(user: User, group: ReportGroup) -> Any:
        incident = Incident.objects.visible_to(user).filter(pk=incident_pk).first()
        if incident is None:
            raise InvalidInput({"incident": "No such incident."})
        return services.attach_group(actor=user, group=group, incident=incident)

    return _triage(request, pk, act)


@router.post("/groups/{pk}/dismiss", summary="Dismiss a group with a reason")
def dismiss(request: HttpRequest, pk: int, reason: str = "") -> JsonResponse:
    return _triage(
        request, pk, lambda u, g: services.dismiss_group(actor=u, group=g, reason=reason)
    )


@router.post("/groups/{pk}/spam", summary="Mark a group as spam")
def spam(request: HttpRequest, pk: int) -> JsonResponse:
    return _triage(request, pk, lambda u, g: services.mark_spam(actor=u, group=g))
