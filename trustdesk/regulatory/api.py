"""``/api/v1/regulatory``: the regime pack, requests and their deadlines, compliance.

Handlers are thin: find the request through ``access`` (invisible: 404, read-only: 403),
turn codes and usernames into objects, call ``services``/``deadlines``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, PathEx, Query, Router
from ninja import Status as Answer
from ninja.files import UploadedFile
from ninja.params import P

from trustdesk.accounts.api import request_user
from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident
from trustdesk.incidents.schemas import MAX_ID
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Category

from . import access, board, compliance, deadlines, responses, services
from .models import Authority, Jurisdiction, RegulatoryRequest, Rule
from .schemas import (
    ActionIn,
    AuthorityOut,
    BoardFilters,
    ComplianceFilters,
    ComplianceOut,
    EventOut,
    ExtensionIn,
    JurisdictionOut,
    LinkIn,
    OwnerIn,
    PauseIn,
    RequestIn,
    RequestListOut,
    RequestOut,
    ResponseIn,
    ResumeIn,
    RuleDetailOut,
    RuleFilters,
    RuleOut,
    TransitionIn,
    event_out,
    request_out,
    rule_out,
)

router = Router(tags=["regulatory"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
READ = error_responses(404, 422)
WRITE = error_responses(403, 404, 409, 422)


# --- lookups: codes and usernames to objects; unknown ones are a 422 naming the field -------


def _authority(code: str) -> Authority:
    found = Authority.objects.select_related("jurisdiction").filter(code__iexact=code).first()
    if found is None:
        raise InvalidInput(
            {"authority": f"Unknown authority {code!r}; see /api/v1/regulatory/authorities."}
        )
    return found


def _rule(code: str) -> Rule:
    found = Rule.objects.select_related("current", "jurisdiction").filter(code__iexact=code).first()
    if found is None:
        raise InvalidInput({"rule": f"Unknown rule {code!r}; see /api/v1/regulatory/rules."})
    return found


def _user(username: str, *, field: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput({field: f"No active user {username!r}."})
    return user


def _incident(actor: User, pk: int, *, field: str = "incident") -> Incident:
    incident = Incident.objects.visible_to(actor).filter(pk=pk).first()
    if incident is None:
        raise InvalidInput({field: f"No incident INC-{pk} that you can see."})
    return incident


def _category(code: str | None, field: str) -> Category | None:
    if code is None:
        return None
    category = Category.objects.filter(Q(code__iexact=code) | Q(slug__iexact=code)).first()
    if category is None:
        raise InvalidInput({field: f"Unknown category {code!r}; see /api/v1/taxonomy/categories."})
    return category


def _writable(request: HttpRequest, pk: int) -> RegulatoryRequest:
    return access.get_rw_request_for_user(request_user(request), pk)


def _out(obj: RegulatoryRequest) -> dict[str, Any]:
    # Read back without the visibility filter: the write was allowed, and the answer should
    # show its effect even if it moved the request out of the writer's sight.
    fresh = RegulatoryRequest.objects.select_related(
        "jurisdiction", "authority", "rule", "rule_version__rule__jurisdiction", "owner"
    ).get(pk=obj.pk)
    return request_out(fresh)


# --- the regime pack ---------------------------------------------------------------------


@router.get("/jurisdictions", response=list[JurisdictionOut], summary="Jurisdictions in the pack")
def list_jurisdictions(request: HttpRequest) -> Any:
    return Jurisdiction.objects.all()


@router.get("/authorities", response=list[AuthorityOut], summary="Authorities")
def list_authorities(request: HttpRequest, jurisdiction: str | None = None) -> list[dict[str, Any]]:
    authorities = Authority.objects.select_related("jurisdiction")
    if jurisdiction:
        authorities = authorities.filter(jurisdiction__code__iexact=jurisdiction)
    return [
        {
            "code": a.code,
            "name": a.name,
            "jurisdiction": a.jurisdiction.code,
            "kind": a.kind,
            "tz": a.zone_name,
        }
        for a in authorities
    ]


@router.get("/rules", response={200: list[RuleOut], **READ}, summary="Rules (current versions)")
def list_rules(request: HttpRequest, filters: Query[RuleFilters]) -> list[dict[str, Any]]:
    rules = Rule.objects.select_related("current__authority", "jurisdiction").exclude(current=None)
    if filters.jurisdiction:
        rules = rules.filter(jurisdiction__code__iexact=filters.jurisdiction)
    if filters.in_force_on:
        rules = rules.in_force_on(filters.in_force_on)
    return [rule_out(r.current) for r in rules if r.current is not None]


@router.get(
    "/rules/{code}", response={200: RuleDetailOut, **READ}, summary="A rule and its history"
)
def get_rule(request: HttpRequest, code: str) -> dict[str, Any]:
    rule = _rule(code)
    assert rule.current is not None
    versions = rule.versions.select_related("authority", "rule__jurisdiction").order_by("-number")
    return {**rule_out(rule.current), "history": [rule_out(v) for v in versions]}


# --- requests ----------------------------------------------------------------------------


@router.get("/requests", response={200: RequestListOut, **READ}, summary="The deadline board")
def list_requests(request: HttpRequest, filters: Query[BoardFilters]) -> dict[str, Any]:
    user = request_user(request)
    chosen = board.Filters(
        jurisdiction=filters.jurisdiction or "",
        authority=filters.authority or "",
        status=filters.status or "",
        owner=filters.owner or "",
        region=filters.region or "",
    )
    requests = board.filtered(access.visible_requests(user), chosen, user).select_related(
        "rule_version__rule__jurisdiction"
    )
    now = timezone.now()
    lines = board.rows(requests, now)
    page = lines[filters.offset : filters.offset + filters.limit]
    return {
        "count": len(lines),
        "items": [request_out(line.request, now) for line in page],
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.post("/requests", response={201: RequestOut, **WRITE}, summary="Log a request")
def create_request(request: HttpRequest, payload: RequestIn) -> Answer[dict[str, Any]]:
    actor = request_user(request)
    if not access.can_create(actor):
        raise PermissionDenied("Auditors read; they do not log requests.")
    data = payload.dict()
    incident_id = data.pop("incident")
    owner = data.pop("owner")
    created = services.create_request(
        actor=actor,
        authority=_authority(data.pop("authority")),
        rule=_rule(data.pop("rule")),
        owner=_user(owner, field="owner") if owner else None,
        incident=_incident(actor, incident_id) if incident_id else None,
        incident_category=_category(data.pop("incident_category"), "incident_category"),
        ordered_unit=data.pop("ordered_unit") or "",
        **data,
    )
    return Answer(201, _out(created))


@router.get("/requests/{id}", response={200: RequestOut, **READ}, summary="One request")
def get_request(request: HttpRequest, id: Id) -> dict[str, Any]:
    return request_out(access.get_request_for_user(request_user(request), id))


@router.get(
    "/requests/{id}/timeline", response={200: list[EventOut], **READ}, summary="Its timeline"
)
def get_timeline(request: HttpRequest, id: Id) -> list[dict[str, Any]]:
    found = access.get_request_for_user(request_user(request), id)
    return [event_out(e) for e in found.events.select_related("actor")]


@router.post(
    "/requests/{id}/transition", response={200: RequestOut, **WRITE}, summary="Change status"
)
def transition(request: HttpRequest, id: Id, payload: TransitionIn) -> dict[str, Any]:
    found = _writable(request, id)
    moved = services.transition(
        actor=request_user(request),
        request=found,
        to=payload.to,
        reason=payload.reason,
        at=payload.at,
    )
    return _out(moved)


@router.post(
    "/requests/{id}/actioned", response={200: RequestOut, **WRITE}, summary="Record the action"
)
def actioned(request: HttpRequest, id: Id, payload: ActionIn) -> dict[str, Any]:
    found = _writable(request, id)
    done = services.record_action(
        actor=request_user(request), request=found, at=payload.at, note=payload.note
    )
    return _out(done)


@router.post(
    "/requests/{id}/response", response={200: RequestOut, **WRITE}, summary="Record the response"
)
def respond(request: HttpRequest, id: Id, payload: ResponseIn) -> dict[str, Any]:
    found = _writable(request, id)
    responses.record_response(actor=request_user(request), request=found, **payload.dict())
    return _out(found)


@router.post(
    "/requests/{id}/evidence", response={200: RequestOut, **WRITE}, summary="Attach evidence"
)
def add_evidence(
    request: HttpRequest, id: Id, file: File[UploadedFile], description: Form[str] = ""
) -> dict[str, Any]:
    found = _writable(request, id)
    responses.add_evidence(
        actor=request_user(request), request=found, upload=file, description=description
    )
    return _out(found)


@router.post("/requests/{id}/pause", response={200: RequestOut, **WRITE}, summary="Pause the clock")
def pause(request: HttpRequest, id: Id, payload: PauseIn) -> dict[str, Any]:
    found = _writable(request, id)
    deadlines.pause_clock(
        actor=request_user(request), request=found, reason=payload.reason, at=payload.at
    )
    return _out(found)


@router.post(
    "/requests/{id}/resume", response={200: RequestOut, **WRITE}, summary="Resume the clock"
)
def resume(request: HttpRequest, id: Id, payload: ResumeIn) -> dict[str, Any]:
    found = _writable(request, id)
    deadlines.resume_clock(actor=request_user(request), request=found, at=payload.at)
    return _out(found)


@router.post("/requests/{id}/extensions", response={200: RequestOut, **WRITE}, summary="Extend")
def extend(request: HttpRequest, id: Id, payload: ExtensionIn) -> dict[str, Any]:
    found = _writable(request, id)
    deadlines.extend(actor=request_user(request), request=found, **payload.dict())
    return _out(found)


@router.post(
    "/requests/{id}/owner", response={200: RequestOut, **WRITE}, summary="Assign the owner"
)
def assign(request: HttpRequest, id: Id, payload: OwnerIn) -> dict[str, Any]:
    found = _writable(request, id)
    owner = _user(payload.owner, field="owner") if payload.owner else None
    return _out(services.assign_owner(actor=request_user(request), request=found, owner=owner))


@router.post(
    "/requests/{id}/incident", response={200: RequestOut, **WRITE}, summary="Link an incident"
)
def link(request: HttpRequest, id: Id, payload: LinkIn) -> dict[str, Any]:
    actor = request_user(request)
    found = _writable(request, id)
    linked = services.link_incident(
        actor=actor,
        request=found,
        incident=_incident(actor, payload.incident) if payload.incident else None,
        create=payload.create,
        category=_category(payload.category, "category"),
        severity=payload.severity,
    )
    return _out(linked)


# --- compliance --------------------------------------------------------------------------


def _row(item: compliance.Figures) -> dict[str, Any]:
    def seconds(value: Any) -> float | None:
        return value.total_seconds() if value is not None else None

    return {
        "key": item.key,
        "label": item.label,
        "requests": item.requests,
        "met": item.met,
        "breached": item.breached,
        "pending": item.pending,
        "withdrawn": item.withdrawn,
        "met_rate": item.met_rate,
        "ack_median_seconds": seconds(item.ack_median),
        "ack_p90_seconds": seconds(item.ack_p90),
        "act_median_seconds": seconds(item.act_median),
        "act_p90_seconds": seconds(item.act_p90),
    }


@router.get(
    "/compliance", response={200: ComplianceOut, **READ}, summary="Deadlines met, and how fast"
)
def get_compliance(request: HttpRequest, filters: Query[ComplianceFilters]) -> dict[str, Any]:
    chosen = compliance.Filters(
        jurisdiction=filters.jurisdiction or "",
        authority=filters.authority or "",
        rule=filters.rule or "",
        received_from=filters.received_from,
        received_to=filters.received_to,
        group=filters.group,
    )
    requests = compliance.filtered(access.visible_requests(request_user(request)), chosen)
    rows, total = compliance.figures(requests, chosen.group)
    return {"group": chosen.group, "rows": [_row(r) for r in rows], "total": _row(total)}
