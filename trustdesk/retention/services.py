"""Changing retention policies and legal holds. Each function runs in one transaction and
writes its audit event with the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import InvalidInput
from trustdesk.regulatory.models import RegulatoryRequest

from .conf import default_days
from .models import DataClass, HoldScope, HoldSource, LegalHold, RetentionPolicy

MAX_KEEP_DAYS = 100 * 365


def can_manage_policies(user: User) -> bool:
    return user.is_active and user.role == Role.ADMIN


def can_manage_holds(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.LEAD)


def can_view(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.LEAD, Role.AUDITOR)


@dataclass(frozen=True)
class EffectivePolicy:
    data_class: DataClass
    keep_days: int | None
    overridden: bool


def effective_policies() -> list[EffectivePolicy]:
    """Each data class with the retention that applies now (override, else default)."""
    rows = {p.data_class: p for p in RetentionPolicy.objects.all()}
    out = []
    for data_class in DataClass:
        row = rows.get(data_class)
        if data_class == DataClass.AUDIT:
            out.append(EffectivePolicy(data_class, None, False))
        elif row is not None:
            out.append(EffectivePolicy(data_class, row.keep_days, True))
        else:
            out.append(EffectivePolicy(data_class, default_days(data_class), False))
    return out


def retention_days(data_class: str) -> int | None:
    return next(p.keep_days for p in effective_policies() if p.data_class == data_class)


@transaction.atomic
def set_policy(*, actor: User, data_class: str, keep_days: int | None) -> RetentionPolicy:
    """Override the retention of one data class (``None``: keep it)."""
    if data_class not in DataClass.values:
        raise InvalidInput({"data_class": f"Unknown data class {data_class!r}."})
    if data_class == DataClass.AUDIT:
        raise InvalidInput(
            {"data_class": "The audit log is always kept; deleting rows would break its chain."}
        )
    if keep_days is not None and not 1 <= keep_days <= MAX_KEEP_DAYS:
        raise InvalidInput({"keep_days": f"Give a number of days from 1 to {MAX_KEEP_DAYS}."})
    before = {"keep_days": retention_days(data_class)}
    policy, _ = RetentionPolicy.objects.update_or_create(
        data_class=data_class,
        defaults={"keep_days": keep_days, "updated_by": actor, "updated_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action="retention.policy.set",
        object_type="retention.policy",
        object_id=data_class,
        before=before,
        after={"keep_days": keep_days},
    )
    return policy


def _hold_snapshot(hold: LegalHold) -> dict[str, object]:
    return {
        "scope": hold.scope,
        "target": hold.target,
        "reason": hold.reason,
        "source": hold.source,
        "starts_at": hold.starts_at,
        "ends_at": hold.ends_at,
        "released_at": hold.released_at,
    }


def _target(
    scope: str, incident: Incident | None, request: RegulatoryRequest | None, data_class: str
) -> str:
    if scope == HoldScope.INCIDENT and incident is not None:
        return incident.ref
    if scope == HoldScope.REGULATORY_REQUEST and request is not None:
        return request.ref
    return str(DataClass(data_class).label)


@transaction.atomic
def place_hold(
    *,
    actor: User,
    scope: str,
    reason: str,
    incident: Incident | None = None,
    request: RegulatoryRequest | None = None,
    data_class: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> LegalHold:
    """Keep everything in scope from the purge until the hold ends or is released."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if scope not in HoldScope.values:
        errors["scope"] = f"Choose one of: {', '.join(HoldScope.values)}."
    elif scope == HoldScope.INCIDENT and incident is None:
        errors["incident"] = "Name the incident to hold."
    elif scope == HoldScope.REGULATORY_REQUEST and request is None:
        errors["request"] = "Name the regulatory request to hold."
    elif scope == HoldScope.DATA_CLASS and data_class not in DataClass.values:
        errors["data_class"] = f"Choose one of: {', '.join(DataClass.values)}."
    if not reason:
        errors["reason"] = "Say why the data must be kept (matter, order, counsel)."
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The hold must end after it starts."
    if errors:
        raise InvalidInput(errors)
    hold = LegalHold.objects.create(
        scope=scope,
        incident=incident if scope == HoldScope.INCIDENT else None,
        request=request if scope == HoldScope.REGULATORY_REQUEST else None,
        data_class=data_class if scope == HoldScope.DATA_CLASS else "",
        target=_target(scope, incident, request, data_class),
        reason=reason,
        placed_by=actor,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    audit.record(actor=actor, action="retention.hold.place", obj=hold, after=_hold_snapshot(hold))
    return hold


@transaction.atomic
def release_hold(*, actor: User, hold: LegalHold, reason: str) -> LegalHold:
    """End a hold now. The data becomes purgeable again at the next run."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why the hold can be released."})
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise InvalidInput({"hold": "This hold was already released."})
    if hold.source == HoldSource.PRESERVATION:
        raise InvalidInput(
            {"hold": "A preservation hold follows its regulatory request; change the request."}
        )
    before = _hold_snapshot(hold)
    hold.released_at = timezone.now()
    hold.released_by = actor
    hold.release_reason = reason
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    audit.record(
        actor=actor,
        action="retention.hold.release",
        obj=hold,
        before=before,
        after=_hold_snapshot(hold) | {"release_reason": reason},
    )
    return hold


def _preservation_ends_at(request: RegulatoryRequest) -> datetime | None:
    """The preservation period if the rule has one; otherwise until the request is over."""
    until = request.keep_until()
    if until is not None:
        return until
    if request.is_open:
        return None
    return request.closed_at or request.withdrawn_at or request.updated_at


def sync_preservation_holds() -> int:
    """Give every regulatory request that asks for preservation a hold with its end date.
    Returns how many holds were created or changed. Runs inside the purge's transaction."""
    changed = 0
    candidates = RegulatoryRequest.objects.select_related("rule_version").prefetch_related(
        "extensions"
    )
    existing = {h.request_id: h for h in LegalHold.objects.filter(source=HoldSource.PRESERVATION)}
    for request in candidates:
        # JSON "contains" is not portable to SQLite, so the action list is read here.
        if "preserve" not in (request.requested_actions or []):
            continue
        ends_at = _preservation_ends_at(request)
        hold = existing.get(request.pk)
        if hold is None:
            hold = LegalHold.objects.create(
                scope=HoldScope.REGULATORY_REQUEST,
                request=request,
                target=request.ref,
                source=HoldSource.PRESERVATION,
                reason=f"Preservation requested by {request.ref}",
                starts_at=request.received_at,
                ends_at=ends_at,
            )
            audit.record(
                actor=None, action="retention.hold.place", obj=hold, after=_hold_snapshot(hold)
            )
            changed += 1
        elif hold.ends_at != ends_at:
            before = _hold_snapshot(hold)
            hold.ends_at = ends_at
            hold.save(update_fields=["ends_at"])
            audit.record(
                actor=None,
                action="retention.hold.change",
                obj=hold,
                before=before,
                after=_hold_snapshot(hold),
            )
            changed += 1
    return changed
