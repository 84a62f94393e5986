"""Every change to an incident goes through these functions.

Each one runs in one transaction and writes the audit event and the timeline event with the
change (DESIGN.md invariant 2). Arguments are keyword-only; the acting user is always named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import Conflict, IllegalTransition, InvalidInput
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity

from .lifecycle import REASON_REQUIRED, STAMP_FIELDS, Status, allowed_transitions
from .models import (
    EventKind,
    Incident,
    IncidentAccess,
    Participant,
    ParticipantRole,
    Task,
    TaskStatus,
    TimelineEvent,
)

# Higher apps (notifications, regulatory clocks, engagement rules) register here to react to
# incident changes, so this app never imports them. Each hook runs inside the transaction.
on_created: list[Callable[[Incident, User | None], None]] = []
on_transition: list[Callable[[Incident, str, str, User | None], None]] = []

EDITABLE_FIELDS = (
    "title",
    "summary",
    "category",
    "severity",
    "region",
    "restricted",
    "detected_at",
    "keywords",
    "markets",
)


def _snapshot(incident: Incident) -> dict[str, Any]:
    return {
        "title": incident.title,
        "summary": incident.summary,
        "category": incident.category.code,
        "severity": incident.severity,
        "status": incident.status,
        "region": incident.region,
        "restricted": incident.restricted,
        "commander": incident.commander.username if incident.commander else None,
        "detected_at": incident.detected_at,
        "keywords": sorted(k.code for k in incident.keywords.all()),
        "markets": sorted(m.code for m in incident.markets.all()),
    }


def _event(
    incident: Incident,
    *,
    actor: User | None,
    kind: str,
    text: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
    pinned: bool = False,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        text=text,
        data=data or {},
        occurred_at=at or timezone.now(),
        pinned=pinned,
    )


def _clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    """Strip, and refuse what the database would choke on: NUL bytes, over-long values."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput({field: "This field is required."})
    if "\x00" in value:
        raise InvalidInput({field: "Contains a NUL character."})
    if len(value) > max_length:
        raise InvalidInput({field: f"At most {max_length:,} characters."})
    return value


# Times outside this window are typos (or attacks on the date adapters), never real events.
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2999, 12, 31, tzinfo=UTC)


def _clean_time(value: datetime | None, *, field: str) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        raise InvalidInput({field: "Give a time zone (e.g. 2026-11-25T18:00:00Z)."})
    if not _EARLIEST <= value <= _LATEST:
        raise InvalidInput({field: "Must be between 1970 and 2999."})
    return value


def _validate_title(title: str) -> str:
    return _clean_text(title, field="title", max_length=200, required=True)


def _validate_keywords(category: Category, keywords: Iterable[Keyword]) -> list[Keyword]:
    keywords = list(keywords)
    allowed = set(category.keywords.values_list("pk", flat=True))
    wrong = [k.code for k in keywords if k.pk not in allowed and k.code != "KEYWORD_OTHER"]
    if wrong:
        raise InvalidInput({"keywords": f"{', '.join(wrong)} not in category {category.name!r}."})
    return keywords


@transaction.atomic
def create_incident(
    *,
    actor: User | None,
    title: str,
    category: Category,
    severity: str,
    markets: Iterable[Market] = (),
    keywords: Iterable[Keyword] = (),
    summary: str = "",
    region: str = "",
    restricted: bool | None = None,
    detected_at: datetime | None = None,
    reported_at: datetime | None = None,
) -> Incident:
    """Open an incident in ``reported``. The region defaults to the first market's; the
    restricted flag to the category's default. A restricted incident's creator is put on its
    need-to-know list, so they do not lose sight of what they reported."""
    title = _validate_title(title)
    summary = _clean_text(summary, field="summary", max_length=20000)
    detected_at = _clean_time(detected_at, field="detected_at")
    reported_at = _clean_time(reported_at, field="reported_at")
    if severity not in Severity.values:
        raise InvalidInput({"severity": f"Must be one of {', '.join(Severity.values)}."})
    markets = list(markets)
    if not region:
        if not markets:
            raise InvalidInput({"region": "Give a region or at least one market."})
        region = markets[0].region
    keywords = _validate_keywords(category, keywords)
    now = timezone.now()
    incident = Incident.objects.create(
        title=title,
        summary=summary or "",
        category=category,
        severity=severity,
        region=region,
        restricted=category.restricted_by_default if restricted is None else restricted,
        created_by=actor,
        detected_at=detected_at,
        reported_at=reported_at or now,
        created_at=reported_at or now,
    )
    incident.markets.set(markets)
    incident.keywords.set(keywords)
    if incident.restricted:
        _keep_on_list(incident, actor, reason="reporter")
    _event(
        incident,
        actor=actor,
        kind=EventKind.CREATED,
        text=f"Incident opened as {severity}: {title}",
        at=incident.reported_at,
    )
    audit.record(actor=actor, action="incident.create", obj=incident, after=_snapshot(incident))
    for hook in on_created:
        hook(incident, actor)
    return incident


def _keep_on_list(incident: Incident, actor: User | None, *, reason: str) -> None:
    if actor is not None and not actor.sees_everything:
        IncidentAccess.objects.get_or_create(
            incident=incident, user=actor, defaults={"granted_by": actor, "reason": reason}
        )


_FIELD_LABELS = {
    "title": "title",
    "summary": "summary",
    "category": "category",
    "severity": "severity",
    "region": "region",
    "restricted": "restricted",
    "detected_at": "detection time",
    "keywords": "keywords",
    "markets": "markets",
}


@transaction.atomic
def update_incident(*, actor: User, incident: Incident, **changes: Any) -> Incident:
    """Change editable fields. Each changed field is one timeline event; unchanged fields
    are ignored, so saving an untouched form writes nothing."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({sorted(unknown)[0]: "This field cannot be changed here."})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    before = _snapshot(incident)
    if "title" in changes:
        changes["title"] = _validate_title(changes["title"])
    if "summary" in changes:
        changes["summary"] = _clean_text(changes["summary"], field="summary", max_length=20000)
    if "detected_at" in changes:
        changes["detected_at"] = _clean_time(changes["detected_at"], field="detected_at")
    if "severity" in changes and changes["severity"] not in Severity.values:
        raise InvalidInput({"severity": f"Must be one of {', '.join(Severity.values)}."})
    category = changes.get("category", incident.category)
    if "keywords" in changes or "category" in changes:
        keywords = changes.get("keywords", list(incident.keywords.all()))
        changes["keywords"] = _validate_keywords(category, keywords)
    for name, value in changes.items():
        if name in ("keywords", "markets"):
            getattr(incident, name).set(value)
        else:
            setattr(incident, name, value)
    incident.save()
    if incident.restricted and not before["restricted"]:
        # Whoever restricts an incident must not lose sight of it in the same breath.
        _keep_on_list(incident, actor, reason="restricted the incident")
    after = _snapshot(incident)
    changed = [name for name in EDITABLE_FIELDS if before.get(name) != after.get(name)]
    for name in changed:
        old, new = before.get(name), after.get(name)
        _event(
            incident,
            actor=actor,
            kind=EventKind.FIELD_CHANGE,
            text=f"Changed {_FIELD_LABELS[name]}: {_show(old)} → {_show(new)}",
            data={"field": name, "from": _jsonable(old), "to": _jsonable(new)},
        )
    if changed:
        audit.record(
            actor=actor,
            action="incident.update",
            obj=incident,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return incident


def _show(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "…"
    return str(value)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@transaction.atomic
def transition(
    *,
    actor: User | None,
    incident: Incident,
    to: str,
    reason: str = "",
    merged_into: Incident | None = None,
    at: datetime | None = None,
) -> Incident:
    """Move the incident along the lifecycle table. An illegal move raises
    ``IllegalTransition`` naming the allowed ones. The first entry into a status stamps its
    ``<status>_at`` time (MTTA/MTTR come from these); re-entry keeps the first stamp."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    current = incident.status
    if to not in Status.values:
        raise InvalidInput({"to": f"Unknown status {to!r}; one of {', '.join(Status.values)}."})
    target = Status(to)
    if target not in allowed_transitions(current):
        raise IllegalTransition(current, target, allowed_transitions(current))
    reason = _clean_text(reason, field="reason", max_length=2000)
    at = _clean_time(at, field="at")
    if target in REASON_REQUIRED and not reason:
        raise InvalidInput({"reason": f"A reason is required to move to {target.label}."})
    if target == Status.MERGED:
        if merged_into is None:
            raise InvalidInput({"merged_into": "Name the incident to merge into."})
        if merged_into.pk == incident.pk or merged_into.status == Status.MERGED:
            raise InvalidInput({"merged_into": "Merge into a different, unmerged incident."})
        incident.merged_into = merged_into
    now = at or timezone.now()
    incident.status = target
    stamp = STAMP_FIELDS[target]
    if getattr(incident, stamp) is None:
        setattr(incident, stamp, now)
    if target == Status.TRIAGED and incident.acknowledged_by is None:
        incident.acknowledged_by = actor
    if target in REASON_REQUIRED:
        incident.status_reason = reason
    elif current in REASON_REQUIRED:
        incident.status_reason = ""  # reconsidered: the old "why declined" no longer holds
    incident.save()
    text = f"Status {Status(current).label} → {target.label}"
    if target == Status.MERGED and merged_into is not None:
        text += f" into {merged_into.ref}"
    if reason:
        text += f": {reason}"
    _event(
        incident,
        actor=actor,
        kind=EventKind.STATUS_CHANGE,
        text=text,
        data={"from": current, "to": target.value, "reason": reason},
        at=now,
    )
    audit.record(
        actor=actor,
        action="incident.transition",
        obj=incident,
        before={"status": current},
        after={"status": target.value, "reason": reason},
    )
    for hook in on_transition:
        hook(incident, current, target.value, actor)
    return incident


@transaction.atomic
def add_participant(
    *,
    actor: User | None,
    incident: Incident,
    user: User,
    role: str,
    reason: str = "",
) -> Participant:
    """Engage someone in a role. Being a participant puts them on the need-to-know list.
    Assigning a new commander hands over: the previous commander's role is renounced."""
    if role not in ParticipantRole.values:
        raise InvalidInput({"role": f"Must be one of {', '.join(ParticipantRole.values)}."})
    if not user.is_active:
        raise InvalidInput({"user": "This account is deactivated."})
    reason = _clean_text(reason, field="reason", max_length=200)
    existing = incident.participants.active().filter(user=user, role=role).first()
    if existing is not None:
        return existing
    now = timezone.now()
    if role == ParticipantRole.COMMANDER:
        for previous in incident.participants.active().filter(role=ParticipantRole.COMMANDER):
            _renounce(actor=actor, participant=previous, at=now, why="handed over command")
        Incident.objects.filter(pk=incident.pk).update(commander=user, updated_at=now)
        incident.commander = user
    participant = Participant.objects.create(
        incident=incident, user=user, role=role, added_by=actor, reason=reason, assumed_at=now
    )
    text = f"{user.display_name} joined as {participant.get_role_display()}"
    if reason:
        text += f" ({reason})"
    _event(
        incident,
        actor=actor,
        kind=EventKind.PARTICIPANT_CHANGE,
        text=text,
        data={"user": user.username, "role": role, "change": "assumed"},
        at=now,
    )
    audit.record(
        actor=actor,
        action="incident.participant.add",
        obj=incident,
        after={"user": user.username, "role": role, "reason": reason},
    )
    return participant


def _renounce(*, actor: User | None, participant: Participant, at: datetime, why: str) -> None:
    participant.renounced_at = at
    participant.save(update_fields=["renounced_at"])
    _event(
        participant.incident,
        actor=actor,
        kind=EventKind.PARTICIPANT_CHANGE,
        text=f"{participant.user.display_name} left {participant.get_role_display()} ({why})",
        data={"user": participant.user.username, "role": participant.role, "change": "renounced"},
        at=at,
    )
    audit.record(
        actor=actor,
        action="incident.participant.remove",
        obj=participant.incident,
        before={"user": participant.user.username, "role": participant.role},
    )


@transaction.atomic
def remove_participant(*, actor: User, participant: Participant) -> Participant:
    if participant.renounced_at is not None:
        raise Conflict("This person already left that role.", field="participant")
    now = timezone.now()
    _renounce(actor=actor, participant=participant, at=now, why=f"removed by {actor.username}")
    if participant.role == ParticipantRole.COMMANDER:
        Incident.objects.filter(pk=participant.incident_id, commander=participant.user).update(
            commander=None, updated_at=now
        )
    return participant


@transaction.atomic
def add_note(*, actor: User, incident: Incident, text: str, pinned: bool = False) -> TimelineEvent:
    text = _clean_text(text, field="text", max_length=20000)
    if not text:
        raise InvalidInput({"text": "The note is empty."})
    event = _event(incident, actor=actor, kind=EventKind.NOTE, text=text, pinned=pinned)
    audit.record(
        actor=actor,
        action="incident.note",
        obj=incident,
        after={"event": event.pk, "pinned": pinned},
    )
    return event


@transaction.atomic
def record_event(
    *,
    actor: User | None,
    incident_id: int,
    text: str,
    data: dict[str, Any],
    action: str,
    audit_after: dict[str, Any] | None = None,
) -> TimelineEvent:
    """A timeline entry written on behalf of another app (intake, regulatory, post-mortems),
    possibly by no person (an email or a detection system): the event and its audit row in
    one transaction. Takes the id so bulk paths need not load the incident."""
    event = TimelineEvent.objects.create(
        incident_id=incident_id, actor=actor, kind=EventKind.NOTE, text=text, data=data
    )
    audit.record(
        actor=actor,
        action=action,
        object_type="incidents.incident",
        object_id=incident_id,
        after=audit_after if audit_after is not None else {"event": event.pk},
    )
    return event


@transaction.atomic
def set_pinned(*, actor: User, event: TimelineEvent, pinned: bool) -> TimelineEvent:
    if event.pinned == pinned:
        return event
    event.pinned = pinned
    event.save(update_fields=["pinned"])
    audit.record(
        actor=actor,
        action="incident.event.pin" if pinned else "incident.event.unpin",
        obj=event.incident,
        after={"event": event.pk},
    )
    return event


def _validate_task(incident: Incident, title: str, due_at: datetime | None, owner: Any) -> str:
    title = _clean_text(title, field="title", max_length=200)
    if not title:
        raise InvalidInput({"title": "A task needs a title."})
    _clean_time(due_at, field="due_at")
    if owner is not None and not Incident.objects.visible_to(owner).filter(pk=incident.pk).exists():
        raise InvalidInput(
            {"owner": f"{owner.username} cannot see this incident; engage them first."}
        )
    return title


@transaction.atomic
def create_task(
    *,
    actor: User,
    incident: Incident,
    title: str,
    owner: User | None = None,
    due_at: datetime | None = None,
) -> Task:
    title = _validate_task(incident, title, due_at, owner)
    task = Task.objects.create(
        incident=incident, title=title, owner=owner, due_at=due_at, created_by=actor
    )
    owner_text = f" for {owner.display_name}" if owner else ""
    _event(
        incident,
        actor=actor,
        kind=EventKind.TASK,
        text=f"Task added{owner_text}: {title}",
        data={"task": task.pk, "change": "created"},
    )
    audit.record(
        actor=actor,
        action="incident.task.create",
        obj=task,
        after={"incident": incident.pk, "title": title, "owner": owner and owner.username},
    )
    return task


@transaction.atomic
def update_task(*, actor: User, task: Task, **changes: Any) -> Task:
    """Change a task's title, owner, due time or status; ``done`` stamps completion."""
    unknown = set(changes) - {"title", "owner", "due_at", "status"}
    if unknown:
        raise InvalidInput({sorted(unknown)[0]: "This field cannot be changed."})
    task = Task.objects.select_for_update().get(pk=task.pk)
    if "status" in changes and changes["status"] not in TaskStatus.values:
        raise InvalidInput({"status": f"Must be one of {', '.join(TaskStatus.values)}."})
    if {"title", "due_at", "owner"} & set(changes):
        changes["title"] = _validate_task(
            task.incident,
            changes.get("title", task.title),
            changes.get("due_at", task.due_at),
            changes.get("owner"),
        )
    before = {
        "title": task.title,
        "owner": task.owner_id,
        "due_at": task.due_at,
        "status": task.status,
    }
    for name, value in changes.items():
        setattr(task, name, value)
    if task.status == TaskStatus.DONE and task.completed_at is None:
        task.completed_at = timezone.now()
    elif task.status != TaskStatus.DONE:
        task.completed_at = None
    task.save()
    after = {
        "title": task.title,
        "owner": task.owner_id,
        "due_at": task.due_at,
        "status": task.status,
    }
    changed = {k for k in before if before[k] != after[k]}
    if not changed:
        return task
    if "status" in changed:
        text = f"Task {task.get_status_display().lower()}: {task.title}"
    else:
        text = f"Task updated: {task.title}"
    _event(
        task.incident,
        actor=actor,
        kind=EventKind.TASK,
        text=text,
        data={"task": task.pk, "change": sorted(changed)},
    )
    audit.record(
        actor=actor,
        action="incident.task.update",
        obj=task,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return task


@transaction.atomic
def grant_access(*, actor: User, incident: Incident, user: User, reason: str) -> IncidentAccess:
    """Put someone on a restricted incident's need-to-know list, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why this person needs to know."})
    access, created = IncidentAccess.objects.get_or_create(
        incident=incident, user=user, defaults={"granted_by": actor, "reason": reason}
    )
    if created:
        _event(
            incident,
            actor=actor,
            kind=EventKind.ACCESS,
            text=f"{user.display_name} added to the need-to-know list: {reason}",
            data={"user": user.username},
        )
        audit.record(
            actor=actor,
            action="incident.access.grant",
            obj=incident,
            after={"user": user.username, "reason": reason},
        )
    return access


def record_restricted_read(*, actor: User, incident: Incident, via: str) -> None:
    """Audit a read of a restricted incident (need-to-know data); unrestricted reads are not
    logged. ``via`` names the surface, e.g. ``"web"`` or ``"api"``."""
    if not incident.restricted:
        return
    with transaction.atomic():
        audit.record(
            actor=actor, action="incident.restricted_read", obj=incident, after={"via": via}
        )
