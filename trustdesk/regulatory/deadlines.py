"""A request's clock: building it from the rule, keeping ``due_at`` current, and the changes
that move it (pauses, resumptions, extensions). Each public function is one transaction that
writes the request's timeline event and the audit event with the change."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.lib.timefmt import format_duration

from . import escalation
from .clock import ClockKind, ClockSpec, add_period, compute_due, zone_of
from .clock import Pause as ClockPause
from .models import (
    Authority,
    EventKind,
    Extension,
    OrderedUnit,
    Pause,
    RegulatoryRequest,
    RequestEvent,
    RuleVersion,
)

# A clock may not be said to have started or stopped in the future beyond clock skew.
SKEW = timedelta(minutes=5)


def build_clock(
    *,
    version: RuleVersion,
    authority: Authority,
    ordered_duration: int | None,
    ordered_unit: str,
    urgent: bool,
) -> ClockSpec:
    """The rule's clock for one request: the order's own term where the rule lets the order
    set it, and no closure periods for urgent orders."""
    spec = version.clock_spec(authority)
    changes: dict[str, Any] = {}
    if ordered_duration is not None:
        if not version.set_by_order:
            raise InvalidInput(
                {"ordered_duration": "This rule's term is fixed by law; an order cannot set it."}
            )
        if ordered_unit not in OrderedUnit.values:
            raise InvalidInput(
                {"ordered_unit": "Say whether the order's term is in hours or days."}
            )
        kind = (
            ClockKind.HOURS if ordered_unit == OrderedUnit.HOURS else ClockKind(version.order_days)
        )
        changes.update(kind=kind, duration=ordered_duration)
    elif ordered_unit:
        raise InvalidInput({"ordered_duration": "Give the order's term as a number."})
    if urgent:
        changes["closures"] = ()
    return replace(spec, **changes) if changes else spec


def spec_as_json(spec: ClockSpec) -> dict[str, Any]:
    return {
        "kind": spec.kind.value,
        "duration": spec.duration,
        "tz": spec.tz,
        "holiday_country": spec.holiday_country,
        "holiday_subdiv": spec.holiday_subdiv,
        "closures": [c.as_dict() for c in spec.closures],
        "roll_forward": spec.roll_forward,
    }


def refresh(request: RegulatoryRequest, *, now: datetime | None = None) -> RegulatoryRequest:
    """Recompute due time, clock length, pause state and next escalation; save them."""
    now = now or timezone.now()
    spec = request.clock_spec()
    pauses = [ClockPause(p.started_at, p.ended_at) for p in request.pauses.all()]
    extensions = list(request.extensions.all())
    extra = sum(e.units for e in extensions)
    floors = [e.new_due_at for e in extensions if e.new_due_at is not None]
    not_before = max(floors) if floors else None
    request.due_at = compute_due(
        spec, request.started_at, pauses=pauses, extra=extra, not_before=not_before, now=now
    )
    unpaused = add_period(spec, request.started_at, spec.duration + extra)
    if not_before is not None:
        unpaused = max(unpaused, not_before)
    request.clock_duration = unpaused - request.started_at
    open_pause = next((p for p in pauses if p.end is None), None)
    request.paused_since = open_pause.start if open_pause else None
    done = request.escalations.values_list("level", flat=True)
    request.next_escalation_at = escalation.next_escalation_at(request, done)
    request.save(
        update_fields=[
            "due_at",
            "clock_duration",
            "paused_since",
            "next_escalation_at",
            "updated_at",
        ]
    )
    return request


def show_local(request: RegulatoryRequest, value: datetime) -> str:
    return f"{value.astimezone(zone_of(request.tz)):%a %d %b %Y %H:%M} {request.tz}"


def event(
    request: RegulatoryRequest,
    *,
    actor: User | None,
    kind: str,
    text: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        actor=actor,
        kind=kind,
        text=text,
        data=data or {},
        occurred_at=at or timezone.now(),
    )


def incident_note(*, actor: User | None, request: RegulatoryRequest, text: str) -> None:
    """Mirror a change on the linked incident's timeline, so the incident team sees it."""
    if request.incident_id is None or actor is None:
        return
    from trustdesk.incidents import services as incident_services

    assert request.incident is not None
    incident_services.add_note(
        actor=actor, incident=request.incident, text=f"{request.ref}: {text}"
    )


def checked_time(value: datetime | None, *, field: str, not_before: datetime) -> datetime:
    """``value`` (default now), refused if naive, in the future, or before ``not_before``."""
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise InvalidInput({field: "Give a time zone (e.g. 2026-11-25T18:00:00Z)."})
    if value > now + SKEW:
        raise InvalidInput({field: "Cannot be in the future."})
    if value < not_before:
        raise InvalidInput({field: "Cannot be before the request was received."})
    return value


def _locked(request: RegulatoryRequest) -> RegulatoryRequest:
    return (
        RegulatoryRequest.objects.select_for_update(of=("self",))
        .select_related("authority", "rule_version__rule", "incident")
        .get(pk=request.pk)
    )


@transaction.atomic
def pause_clock(
    *, actor: User, request: RegulatoryRequest, reason: str, at: datetime | None = None
) -> Pause:
    """Stop the clock (the authority suspended it, or the request is incomplete). The time
    left is kept; resuming moves the due time by the paused time."""
    request = _locked(request)
    if not request.is_open or request.deadline_met_at is not None:
        raise Conflict(
            "The clock is not running: the deadline was met or the request is over.", field="status"
        )
    if request.is_paused:
        raise Conflict("The clock is already paused.", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            {"reason": "Say why the clock stops (who suspended it, or what is missing)."}
        )
    at = checked_time(at, field="at", not_before=request.started_at)
    if at > request.due_at:
        raise InvalidInput({"at": "The deadline had already passed at that time."})
    pause = Pause.objects.create(request=request, started_at=at, reason=reason, started_by=actor)
    refresh(request)
    left = format_duration(request.due_at - at)
    event(
        request,
        actor=actor,
        kind=EventKind.PAUSE,
        text=f"Clock paused with {left} left: {reason}",
        at=at,
        data={"pause": pause.pk},
    )
    audit.record(
        actor=actor,
        action="regulatory.request.pause",
        obj=request,
        after={"at": at, "reason": reason},
    )
    incident_note(actor=actor, request=request, text=f"deadline clock paused ({reason})")
    return pause


@transaction.atomic
def resume_clock(*, actor: User, request: RegulatoryRequest, at: datetime | None = None) -> Pause:
    request = _locked(request)
    pause = request.pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        raise Conflict("The clock is not paused.", field="status")
    at = checked_time(at, field="at", not_before=pause.started_at)
    before = request.due_at
    pause.ended_at, pause.ended_by = at, actor
    pause.save(update_fields=["ended_at", "ended_by"])
    refresh(request)
    due_text = f"due {show_local(request, request.due_at)}"
    text = f"Clock resumed after {format_duration(at - pause.started_at)}; {due_text}"
    event(request, actor=actor, kind=EventKind.RESUME, text=text, at=at, data={"pause": pause.pk})
    audit.record(
        actor=actor,
        action="regulatory.request.resume",
        obj=request,
        before={"due_at": before},
        after={"due_at": request.due_at, "at": at},
    )
    incident_note(actor=actor, request=request, text=f"deadline clock resumed; {due_text}")
    return pause


def _check_extension(
    request: RegulatoryRequest, units: int, new_due_at: datetime | None, keep_days: int, reason: str
) -> None:
    if units < 0 or keep_days < 0:
        raise InvalidInput({"units" if units < 0 else "keep_days": "Cannot be negative."})
    if not (units or new_due_at or keep_days):
        raise InvalidInput(
            {"units": "Give more time: units of the clock, a new due time, or keeping days."}
        )
    if new_due_at is not None:
        if timezone.is_naive(new_due_at):
            raise InvalidInput({"new_due_at": "Give a time zone (e.g. 2026-11-25T18:00:00Z)."})
        if new_due_at <= request.due_at:
            raise InvalidInput(
                {"new_due_at": "An extension must be later than the current due time."}
            )
    if keep_days and not request.rule_version.keep_count:
        raise InvalidInput({"keep_days": "This rule has no preservation period to extend."})
    if not reason:
        raise InvalidInput({"reason": "Say who granted the extension and why."})


@transaction.atomic
def extend(
    *,
    actor: User,
    request: RegulatoryRequest,
    reason: str,
    units: int = 0,
    new_due_at: datetime | None = None,
    keep_days: int = 0,
    granted_by: str = "",
) -> Extension:
    """More time: ``units`` of the rule's own clock, a later due time the authority set, or
    a longer preservation period. Never shortens the deadline."""
    request = _locked(request)
    reason = (reason or "").strip()
    _check_extension(request, units, new_due_at, keep_days, reason)
    before = request.due_at
    extension = Extension.objects.create(
        request=request,
        units=units,
        new_due_at=new_due_at,
        keep_days=keep_days,
        reason=reason,
        granted_by=(granted_by or "").strip()[:200],
        due_before=before,
        due_after=before,
        created_by=actor,
    )
    refresh(request)
    extension.due_after = request.due_at
    extension.save(update_fields=["due_after"])
    text = f"Extension: due {show_local(request, request.due_at)}"
    if keep_days:
        text += f"; keep {keep_days} more days"
    text += f" ({reason})"
    event(
        request, actor=actor, kind=EventKind.EXTENSION, text=text, data={"extension": extension.pk}
    )
    audit.record(
        actor=actor,
        action="regulatory.request.extend",
        obj=request,
        before={"due_at": before},
        after={"due_at": request.due_at, "units": units, "keep_days": keep_days, "reason": reason},
    )
    incident_note(actor=actor, request=request, text=text)
    return extension
