"""Every change to a regulatory request goes through these functions (and ``deadlines``).

Each one runs in one transaction and writes the request's timeline event and the audit event
with the change; when the request hangs on an incident, the incident's timeline gets a note
too (DESIGN.md invariant 2). Arguments are keyword-only; the acting user is always named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import Conflict, IllegalTransition, InvalidInput
from trustdesk.lib.timefmt import format_duration
from trustdesk.notify.services import notify
from trustdesk.taxonomy.models import Category, Market
from trustdesk.taxonomy.severity import Severity

from .clock import compute_due, local_date
from .deadlines import (
    SKEW,
    build_clock,
    checked_time,
    event,
    incident_note,
    refresh,
    show_local,
    spec_as_json,
)
from .lifecycle import (
    ACTIONABLE,
    OPEN_STATUSES,
    REASON_REQUIRED,
    VIA_RESPONSE,
    Status,
    allowed_transitions,
)
from .models import (
    Authority,
    EventKind,
    RegulatoryRequest,
    RequestedAction,
    Rule,
    RuleVersion,
)

MAX_ITEMS = 500

_STAMPS: dict[Status, str] = {
    Status.ACKNOWLEDGED: "acknowledged_at",
    Status.RESPONDED: "responded_at",
    Status.CLOSED: "closed_at",
    Status.CONTESTED: "contested_at",
    Status.WITHDRAWN: "withdrawn_at",
}


def snapshot(request: RegulatoryRequest) -> dict[str, Any]:
    return {
        "ref": request.ref,
        "authority": request.authority.code,
        "rule": request.rule.code,
        "rule_version": request.rule_version.number,
        "reference": request.reference,
        "status": request.status,
        "received_at": request.received_at,
        "served_at": request.served_at,
        "due_at": request.due_at,
        "clock": request.clock,
        "owner": request.owner.username if request.owner else None,
        "incident": request.incident_id,
        "confidential": request.confidential,
        "user_may_be_notified": request.user_may_be_notified,
        "requested_actions": request.requested_actions,
    }


def _clean_lines(values: Iterable[str], field: str) -> list[str]:
    lines = [str(v).strip() for v in values if str(v).strip()]
    if len(lines) > MAX_ITEMS:
        raise InvalidInput({field: f"At most {MAX_ITEMS} entries."})
    if any(len(line) > 500 for line in lines):
        raise InvalidInput({field: "Each entry is at most 500 characters."})
    return list(dict.fromkeys(lines))


def _clean_actions(actions: Sequence[str] | None, default: list[str]) -> list[str]:
    chosen = list(default if actions is None else actions)
    wrong = [a for a in chosen if a not in RequestedAction.values]
    if wrong:
        known = ", ".join(RequestedAction.values)
        raise InvalidInput({"requested_actions": f"Unknown action {wrong[0]!r}; one of {known}."})
    if not chosen:
        raise InvalidInput({"requested_actions": "Say what the authority asks for."})
    return list(dict.fromkeys(chosen))


def _received_time(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        raise InvalidInput({field: "Give a time zone (e.g. 2026-11-25T18:00:00Z)."})
    if value > timezone.now() + SKEW:
        raise InvalidInput({field: "Cannot be in the future."})
    return value


def check_rule_in_force(rule: Rule, authority: Authority, received_at: datetime) -> None:
    """A rule not in force on the received date (in the authority's zone) is refused."""
    version = rule.current
    if version is None:
        raise InvalidInput({"rule": f"{rule.code} has no text loaded."})
    day = local_date(received_at, version.clock_spec(authority).tz)
    if version.in_force_on(day):
        return
    if version.effective_from is None:
        why = "was never in force"
    elif day < version.effective_from:
        why = f"is not in force until {version.effective_from:%Y-%m-%d}"
    else:
        why = f"stopped applying on {version.effective_to:%Y-%m-%d}"
    message = f"{rule.code} {why}; the request was received on {day:%Y-%m-%d}."
    raise InvalidInput({"rule": f"{message} Choose a rule in force on that date."})


def _new_incident(
    *,
    actor: User,
    request_title: str,
    authority: Authority,
    category: Category | None,
    severity: str,
) -> Incident:
    if category is None:
        raise InvalidInput({"incident_category": "Choose a category for the new incident."})
    markets = Market.objects.filter(code=authority.jurisdiction.code)
    return incident_services.create_incident(
        actor=actor,
        title=request_title[:200],
        category=category,
        severity=severity or Severity.SEV2,
        markets=markets,
        region=authority.jurisdiction.region,
    )


@transaction.atomic
def create_request(
    *,
    actor: User,
    authority: Authority,
    rule: Rule,
    received_at: datetime,
    reference: str = "",
    title: str = "",
    summary: str = "",
    served_at: datetime | None = None,
    requested_actions: Sequence[str] | None = None,
    content_items: Iterable[str] = (),
    accounts: Iterable[str] = (),
    confidential: bool = False,
    user_may_be_notified: bool = True,
    ordered_duration: int | None = None,
    ordered_unit: str = "",
    urgent: bool = False,
    owner: User | None = None,
    incident: Incident | None = None,
    create_incident: bool = False,
    incident_category: Category | None = None,
    incident_severity: str = Severity.SEV2,
    source: str = "",
) -> RegulatoryRequest:
    """Log a request and start its clock. The rule must be in force on the received date in
    the authority's zone. ``incident`` must already be visible to the actor (callers look it
    up through ``Incident.objects.visible_to``); ``create_incident`` opens one instead."""
    version, received, served_at = _check_origin(authority, rule, received_at, served_at)
    spec = build_clock(
        version=version,
        authority=authority,
        ordered_duration=ordered_duration,
        ordered_unit=ordered_unit,
        urgent=urgent,
    )
    if incident is not None and create_incident:
        raise InvalidInput({"incident": "Link an existing incident or create one, not both."})
    # Whoever logs it owns it until someone else is named, so it is never nobody's.
    owner = owner or actor
    if not owner.is_active:
        raise InvalidInput({"owner": "This account is deactivated."})
    title = ((title or "").strip() or f"{version.title} ({authority.name})")[:200]
    fields = {
        "reference": (reference or "").strip()[:120],
        "summary": summary or "",
        "requested_actions": _clean_actions(requested_actions, version.default_actions),
        "content_items": _clean_lines(content_items, "content_items"),
        "accounts": _clean_lines(accounts, "accounts"),
        "confidential": confidential,
        "user_may_be_notified": user_may_be_notified and not confidential,
        "ordered_duration": ordered_duration,
        "ordered_unit": ordered_unit if ordered_duration is not None else "",
        "urgent": urgent,
        "source": (source or "")[:120],
    }
    if create_incident:
        incident = _new_incident(
            actor=actor,
            request_title=title,
            authority=authority,
            category=incident_category,
            severity=incident_severity,
        )
    started = served_at if version.clock_start == "service" and served_at else received
    due = compute_due(spec, started)
    request = RegulatoryRequest.objects.create(
        authority=authority,
        jurisdiction=authority.jurisdiction,
        rule=rule,
        rule_version=version,
        title=title,
        incident=incident,
        owner=owner,
        region=incident.region if incident else authority.jurisdiction.region,
        received_at=received,
        served_at=served_at,
        clock=spec_as_json(spec),
        started_at=started,
        due_at=due,
        clock_duration=due - started,
        created_by=actor,
        **fields,
    )
    refresh(request)
    _record_created(actor, request, spec.describe())
    return request


def _check_origin(
    authority: Authority, rule: Rule, received_at: datetime | None, served_at: datetime | None
) -> tuple[RuleVersion, datetime, datetime | None]:
    """The rule's current version, if it is the authority's and in force when received."""
    if authority.jurisdiction_id != rule.jurisdiction_id:
        raise InvalidInput(
            {"authority": f"{authority.name} is not an authority of {rule.jurisdiction.name}."}
        )
    received = _received_time(received_at, "received_at")
    if received is None:
        raise InvalidInput({"received_at": "When was the request received?"})
    served = _received_time(served_at, "served_at")
    check_rule_in_force(rule, authority, received)
    assert rule.current is not None
    return rule.current, received, served


def _record_created(actor: User, request: RegulatoryRequest, clock_text: str) -> None:
    version = request.rule_version
    text = (
        f"Logged under {request.rule.code} ({version.legal_reference}): {clock_text}, "
        f"due {show_local(request, request.due_at)}"
    )
    created = event(request, actor=actor, kind=EventKind.CREATED, text=text, at=request.created_at)
    audit.record(
        actor=actor, action="regulatory.request.create", obj=request, after=snapshot(request)
    )
    incident_note(
        actor=actor,
        request=request,
        text=f"regulatory request from {request.authority.name} linked. {text}",
    )
    if request.owner is not None and request.owner != actor:
        _tell_owner(request, created.pk)


def _tell_owner(request: RegulatoryRequest, event_id: int) -> None:
    assert request.owner is not None
    notify(
        recipients=[request.owner],
        event_key=f"regulatory.request.{request.pk}.owner.{event_id}",
        subject=f"You own {request.ref}: {request.title}"[:200],
        body=f"Due {show_local(request, request.due_at)}. Rule {request.rule.code}.",
        link=reverse("regulatory:detail", args=[request.pk]),
    )


def locked(request: RegulatoryRequest) -> RegulatoryRequest:
    return (
        RegulatoryRequest.objects.select_for_update(of=("self",))
        .select_related("authority", "rule", "rule_version__rule", "incident", "owner")
        .get(pk=request.pk)
    )


@transaction.atomic
def assign_owner(
    *, actor: User, request: RegulatoryRequest, owner: User | None
) -> RegulatoryRequest:
    request = locked(request)
    if owner is not None and not owner.is_active:
        raise InvalidInput({"owner": "This account is deactivated."})
    before = request.owner.username if request.owner else None
    if request.owner_id == (owner.pk if owner else None):
        return request
    request.owner = owner
    request.save(update_fields=["owner", "updated_at"])
    refresh(request)
    text = f"Owner: {owner.display_name if owner else 'nobody'}"
    changed = event(
        request,
        actor=actor,
        kind=EventKind.CHANGE,
        text=text,
        data={"owner": owner and owner.username},
    )
    audit.record(
        actor=actor,
        action="regulatory.request.assign",
        obj=request,
        before={"owner": before},
        after={"owner": owner and owner.username},
    )
    if owner is not None and owner != actor:
        _tell_owner(request, changed.pk)
    return request


@transaction.atomic
def link_incident(
    *,
    actor: User,
    request: RegulatoryRequest,
    incident: Incident | None = None,
    create: bool = False,
    category: Category | None = None,
    severity: str = Severity.SEV2,
) -> RegulatoryRequest:
    """Hang an unlinked request on an incident (which the actor can see), or open one for it.
    From then on the request is visible exactly when the incident is."""
    request = locked(request)
    if request.incident_id is not None:
        raise Conflict(
            f"{request.ref} is already linked to INC-{request.incident_id}.", field="incident"
        )
    if incident is None and not create:
        raise InvalidInput({"incident": "Name the incident to link, or create one."})
    if incident is not None and create:
        raise InvalidInput({"incident": "Link an existing incident or create one, not both."})
    if create:
        incident = _new_incident(
            actor=actor,
            request_title=request.title,
            authority=request.authority,
            category=category,
            severity=severity,
        )
    assert incident is not None
    request.incident = incident
    request.region = incident.region
    request.save(update_fields=["incident", "region", "updated_at"])
    event(
        request,
        actor=actor,
        kind=EventKind.CHANGE,
        text=f"Linked to {incident.ref}",
        data={"incident": incident.pk},
    )
    audit.record(
        actor=actor, action="regulatory.request.link", obj=request, after={"incident": incident.pk}
    )
    incident_note(
        actor=actor,
        request=request,
        text=f"regulatory request from {request.authority.name} linked; "
        f"due {show_local(request, request.due_at)}",
    )
    return request


def stamp(request: RegulatoryRequest, target: Status, at: datetime) -> None:
    field = _STAMPS.get(target)
    if field and getattr(request, field) is None:
        setattr(request, field, at)
    # Anything but a withdrawal means someone has looked at it.
    if target != Status.WITHDRAWN and request.acknowledged_at is None:
        request.acknowledged_at = at


def _end_open_pause(actor: User, request: RegulatoryRequest, at: datetime) -> None:
    request.pauses.filter(ended_at__isnull=True).update(ended_at=at, ended_by=actor)


@transaction.atomic
def transition(
    *,
    actor: User,
    request: RegulatoryRequest,
    to: str,
    reason: str = "",
    at: datetime | None = None,
) -> RegulatoryRequest:
    """Move the request along the lifecycle table. Illegal moves raise ``IllegalTransition``
    with the allowed ones; Responded needs the response record (``record_response``)."""
    request = locked(request)
    if to not in Status.values:
        raise InvalidInput({"to": f"Unknown status {to!r}; one of {', '.join(Status.values)}."})
    current, target = Status(request.status), Status(to)
    if target not in allowed_transitions(current):
        raise IllegalTransition(current, target, allowed_transitions(current))
    if target in VIA_RESPONSE:
        raise InvalidInput(
            {"to": "Record the response (outcome, grounds, evidence) to mark it responded."}
        )
    reason = (reason or "").strip()
    if target in REASON_REQUIRED and not reason:
        raise InvalidInput({"reason": f"A reason is required to move to {target.label}."})
    at = checked_time(at, field="at", not_before=request.received_at)
    request.status = target
    if reason:
        request.status_reason = reason
    stamp(request, target, at)
    if target not in OPEN_STATUSES:
        _end_open_pause(actor, request, at)
    request.save()
    refresh(request)
    text = f"Status {current.label} → {target.label}" + (f": {reason}" if reason else "")
    event(
        request,
        actor=actor,
        kind=EventKind.STATUS,
        text=text,
        at=at,
        data={"from": current.value, "to": target.value},
    )
    audit.record(
        actor=actor,
        action="regulatory.request.transition",
        obj=request,
        before={"status": current.value},
        after={"status": target.value, "reason": reason, "at": at},
    )
    incident_note(actor=actor, request=request, text=text)
    return request


def met_text(request: RegulatoryRequest, at: datetime) -> str:
    margin = request.due_at - at
    if margin >= timedelta(0):
        return f"deadline met with {format_duration(margin)} to spare"
    return f"deadline missed by {format_duration(-margin)}"


@transaction.atomic
def record_action(
    *, actor: User, request: RegulatoryRequest, at: datetime | None = None, note: str = ""
) -> RegulatoryRequest:
    """The requested action was taken (content removed, data preserved, report filed)."""
    request = locked(request)
    if request.status not in ACTIONABLE:
        allowed = ", ".join(s.label for s in ACTIONABLE)
        raise Conflict(
            f"Record the action once the request is acknowledged (status: {allowed}).",
            field="status",
        )
    if request.actioned_at is not None:
        raise Conflict("The action is already recorded.", field="actioned_at")
    at = checked_time(at, field="at", not_before=request.received_at)
    request.actioned_at = at
    moved = request.status == Status.ACKNOWLEDGED
    if moved:
        request.status = Status.IN_PROGRESS
    request.save()
    refresh(request)
    text = "Actioned" + (f": {note.strip()}" if note.strip() else "")
    if request.deadline_for == "actioned":
        text += f" ({met_text(request, at)})"
    event(
        request,
        actor=actor,
        kind=EventKind.MILESTONE,
        text=text,
        at=at,
        data={"milestone": "actioned"},
    )
    audit.record(
        actor=actor,
        action="regulatory.request.actioned",
        obj=request,
        after={"at": at, "note": note},
    )
    incident_note(actor=actor, request=request, text=text)
    return request
