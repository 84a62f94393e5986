"""Retention policies, legal holds and purge runs over the API.

Admins set policies; admins and leads place and release holds; auditors read everything here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import PathEx, Router, Schema
from ninja import Status as Answer
from ninja.params import P
from pydantic import AwareDatetime, Field

from trustdesk.accounts.api import request_user
from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident
from trustdesk.incidents.schemas import MAX_ID, ObjectId
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.regulatory.models import RegulatoryRequest

from . import services
from .models import LegalHold, PurgeRun

router = Router(tags=["retention"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
READ = error_responses(403, 422)
WRITE = error_responses(403, 404, 422)
DataClassName = Literal["reports", "evidence", "incidents", "notifications", "exposure", "audit"]


class PolicyOut(Schema):
    data_class: str
    keep_days: int | None = Field(description="Days kept; null: kept indefinitely")
    overridden: bool = Field(description="An administrator changed the default")


class PolicyIn(Schema):
    keep_days: Annotated[int, Field(ge=1, le=services.MAX_KEEP_DAYS)] | None


class HoldOut(Schema):
    id: int
    scope: str
    target: str
    incident_id: int | None
    request_id: int | None
    data_class: str
    reason: str
    source: str
    placed_by: str | None
    starts_at: datetime
    ends_at: datetime | None
    released_at: datetime | None
    release_reason: str
    active: bool

    @staticmethod
    def resolve_placed_by(obj: LegalHold) -> str | None:
        return obj.placed_by.username if obj.placed_by else None

    @staticmethod
    def resolve_active(obj: LegalHold) -> bool:
        return obj.is_active()


class HoldIn(Schema):
    scope: Literal["incident", "regulatory_request", "data_class"]
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    incident_id: ObjectId | None = None
    request_id: ObjectId | None = None
    data_class: DataClassName | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class ReleaseIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=4000)]


class PurgeRunOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    deleted: dict[str, int]
    kept: dict[str, int]
    error: str


def _viewer(request: HttpRequest) -> User:
    user = request_user(request)
    if not services.can_view(user):
        raise PermissionDenied("Retention is for administrators, leads and auditors.")
    return user


def _hold_manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not services.can_manage_holds(user):
        raise PermissionDenied("Only administrators and leads place or release legal holds.")
    return user


@router.get("/policies", response={200: list[PolicyOut], **READ}, summary="Retention per class")
def list_policies(request: HttpRequest) -> list[services.EffectivePolicy]:
    _viewer(request)
    return services.effective_policies()


@router.put("/policies/{data_class}", response={200: PolicyOut, **WRITE})
def set_policy(request: HttpRequest, data_class: DataClassName, payload: PolicyIn) -> Any:
    user = request_user(request)
    if not services.can_manage_policies(user):
        raise PermissionDenied("Only administrators change retention policies.")
    services.set_policy(actor=user, data_class=data_class, keep_days=payload.keep_days)
    return next(p for p in services.effective_policies() if p.data_class == data_class)


@router.get("/holds", response={200: list[HoldOut], **READ}, summary="Legal holds, newest first")
def list_holds(request: HttpRequest) -> QuerySet[LegalHold]:
    _viewer(request)
    return LegalHold.objects.select_related("placed_by")


def _visible_incident(user: User, pk: int | None) -> Incident | None:
    if pk is None:
        return None
    found = Incident.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise InvalidInput({"incident_id": f"No incident {pk} that you can see."})
    return found


def _visible_request(user: User, pk: int | None) -> RegulatoryRequest | None:
    if pk is None:
        return None
    found = RegulatoryRequest.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise InvalidInput({"request_id": f"No regulatory request {pk} that you can see."})
    return found


@router.post("/holds", response={201: HoldOut, **WRITE}, summary="Place a legal hold")
def place_hold(request: HttpRequest, payload: HoldIn) -> Answer[LegalHold]:
    user = _hold_manager(request)
    hold = services.place_hold(
        actor=user,
        scope=payload.scope,
        reason=payload.reason,
        incident=_visible_incident(user, payload.incident_id),
        request=_visible_request(user, payload.request_id),
        data_class=payload.data_class or "",
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Answer(201, hold)


@router.post("/holds/{hold_id}/release", response={200: HoldOut, **WRITE})
def release_hold(request: HttpRequest, hold_id: Id, payload: ReleaseIn) -> LegalHold:
    user = _hold_manager(request)
    hold = LegalHold.objects.filter(pk=hold_id).first()
    if hold is None:
        raise Http404("No such legal hold")
    return services.release_hold(actor=user, hold=hold, reason=payload.reason)


@router.get("/runs", response={200: list[PurgeRunOut], **READ}, summary="Recent purge runs")
def list_runs(request: HttpRequest) -> QuerySet[PurgeRun]:
    _viewer(request)
    return PurgeRun.objects.all()[:50]
