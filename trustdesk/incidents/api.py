"""``/api/v1/incidents``: incidents, their lifecycle, participants, timeline and tasks.

Handlers are thin: find the incident through ``access`` (invisible: 404, read-only: 403),
turn codes and usernames into objects, call ``services``. Nothing here saves a model.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from ninja import PathEx, Query, Router
from ninja import Status as Answer
from ninja.params import P

from trustdesk.accounts.api import request_user
from trustdesk.accounts.models import User
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Category, Keyword, Market

from . import access, services
from .lifecycle import Status
from .models import Incident, IncidentQuerySet, Participant, Task, TimelineEvent
from .schemas import (
    MAX_ID,
    AllowedTransitionsOut,
    EventOut,
    IncidentFilters,
    IncidentIn,
    IncidentListOut,
    IncidentOut,
    IncidentPatch,
    NoteIn,
    ParticipantIn,
    ParticipantOut,
    PinIn,
    TaskIn,
    TaskOut,
    TaskPatch,
    TimelineFilters,
    TimelineOut,
    TransitionIn,
    transition_options,
)

router = Router(tags=["incidents"])

_Row = TypeVar("_Row", Participant, TimelineEvent, Task)

Id = PathEx[int, P(ge=1, le=MAX_ID)]

READ = error_responses(404, 422)
WRITE = error_responses(403, 404, 409, 422)

# First key sorts; the rest keep pages stable. Severity codes sort as text, SEV1 first.
_SORTS: dict[str, tuple[str, ...]] = {
    "-severity": ("severity", "reported_at", "id"),
    "severity": ("-severity", "reported_at", "id"),
    "age": ("-reported_at", "-id"),
    "-age": ("reported_at", "id"),
    "updated": ("-updated_at", "-id"),
}


# --- lookups: codes and usernames to objects, unknown ones are a 422 naming the field --------


def _category(value: str, *, field: str = "category") -> Category:
    category = Category.objects.filter(Q(code__iexact=value) | Q(slug__iexact=value)).first()
    if category is None:
        raise InvalidInput({field: f"Unknown category {value!r}; see /api/v1/taxonomy/categories."})
    return category


def _markets(codes: list[str], *, field: str = "markets") -> list[Market]:
    # Order matters: an incident without a region takes its first market's.
    wanted = list(dict.fromkeys(code.upper() for code in codes))
    found = {m.code: m for m in Market.objects.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise InvalidInput(
            {field: f"Unknown market {', '.join(missing)}; see /api/v1/taxonomy/markets."}
        )
    return [found[code] for code in wanted]


def _keywords(codes: list[str]) -> list[Keyword]:
    wanted = list(dict.fromkeys(code.upper() for code in codes))
    found = {k.code: k for k in Keyword.objects.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise InvalidInput(
            {"keywords": f"Unknown keyword {', '.join(missing)}; see /api/v1/taxonomy/categories."}
        )
    return [found[code] for code in wanted]


def _user(username: str, *, field: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput({field: f"No active user {username!r}."})
    return user


def _with_related(queryset: IncidentQuerySet) -> IncidentQuerySet:
    # Everything IncidentOut reads, so a page costs the same few queries at any size.
    return queryset.select_related("category", "commander").prefetch_related("keywords", "markets")


def _out(incident: Incident) -> Incident:
    """The incident as a write left it, loaded for output. Read directly, not through
    visibility: the write was allowed, and its answer should show the result even if the
    write moved the incident out of the writer's sight (e.g. restricting it)."""
    return _with_related(Incident.objects.all()).get(pk=incident.pk)


# --- access --------------------------------------------------------------------------------


def _readable(request: HttpRequest, incident_id: int) -> Incident:
    return access.get_incident_for_user(request_user(request), incident_id)


def _writable(request: HttpRequest, incident_id: int) -> Incident:
    return access.get_rw_incident_for_user(request_user(request), incident_id)


def _commentable(request: HttpRequest, incident_id: int) -> Incident:
    user = request_user(request)
    incident = access.get_incident_for_user(user, incident_id)
    if not access.can_comment(user, incident):
        raise PermissionDenied("You can read this incident but not add to its timeline.")
    return incident


# --- incidents -----------------------------------------------------------------------------


@router.get("", response={200: IncidentListOut, **READ}, summary="List incidents you can see")
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> dict[str, Any]:
    incidents = _filter(access.visible_incidents(request_user(request)), filters)
    page = _with_related(incidents.order_by(*_SORTS[filters.sort]))
    return {
        "count": incidents.count(),
        "items": list(page[filters.offset : filters.offset + filters.limit]),
        "limit": filters.limit,
        "offset": filters.offset,
    }


def _filter(incidents: IncidentQuerySet, filters: IncidentFilters) -> IncidentQuerySet:
    if filters.status:
        incidents = incidents.filter(status__in=filters.status)
    if filters.severity:
        incidents = incidents.filter(severity__in=filters.severity)
    if filters.region:
        incidents = incidents.filter(region=filters.region)
    if filters.market:
        (market,) = _markets([filters.market], field="market")
        incidents = incidents.filter(markets=market)
    if filters.category:
        incidents = incidents.filter(category=_category(filters.category))
    if filters.assignee:
        user = _user(filters.assignee, field="assignee")
        on_it = Participant.objects.active().filter(incident=OuterRef("pk"), user=user)
        incidents = incidents.filter(Q(commander=user) | Exists(on_it))
    if filters.q:
        incidents = incidents.filter(
            Q(title__icontains=filters.q) | Q(summary__icontains=filters.q)
        )
    if filters.restricted is not None:
        incidents = incidents.filter(restricted=filters.restricted)
    return incidents


@router.post("", response={201: IncidentOut, **WRITE}, summary="Open an incident")
def create_incident(request: HttpRequest, payload: IncidentIn) -> Answer[Incident]:
    user = request_user(request)
    if not access.can_create(user):
        raise PermissionDenied("Only incident managers, leads and admins open incidents.")
    incident = services.create_incident(
        actor=user,
        title=payload.title,
        summary=payload.summary,
        category=_category(payload.category),
        severity=payload.severity,
        markets=_markets(payload.markets),
        keywords=_keywords(payload.keywords),
        region=payload.region or "",
        restricted=payload.restricted,
        detected_at=payload.detected_at,
    )
    return Answer(201, _out(incident))


@router.get("/{incident_id}", response={200: IncidentOut, **READ})
def get_incident(request: HttpRequest, incident_id: Id) -> Incident:
    incident = _readable(request, incident_id)
    services.record_restricted_read(actor=request_user(request), incident=incident, via="api")
    prefetch_related_objects([incident], "keywords", "markets")
    return incident


@router.patch("/{incident_id}", response={200: IncidentOut, **WRITE}, summary="Change some fields")
def update_incident(request: HttpRequest, incident_id: Id, payload: IncidentPatch) -> Incident:
    incident = _writable(request, incident_id)
    changes = payload.model_dump(exclude_unset=True)
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    if "markets" in changes:
        changes["markets"] = _markets(changes["markets"])
    if "keywords" in changes:
        changes["keywords"] = _keywords(changes["keywords"])
    incident = services.update_incident(actor=request_user(request), incident=incident, **changes)
    return _out(incident)


# --- lifecycle -----------------------------------------------------------------------------


@router.post(
    "/{incident_id}/transitions",
    response={200: IncidentOut, **WRITE},
    summary="Move the incident along its lifecycle",
    description="An illegal move answers 409 with `current` and `allowed`.",
)
def transition(request: HttpRequest, incident_id: Id, payload: TransitionIn) -> Incident:
    user = request_user(request)
    incident = _writable(request, incident_id)
    merged_into = None
    if payload.merged_into is not None:
        if payload.to != Status.MERGED:
            raise InvalidInput({"merged_into": "Only a move to merged takes merged_into."})
        merged_into = access.visible_incidents(user).filter(pk=payload.merged_into).first()
        if merged_into is None:
            raise InvalidInput({"merged_into": f"No incident {payload.merged_into} you can see."})
    incident = services.transition(
        actor=user,
        incident=incident,
        to=payload.to,
        reason=payload.reason,
        merged_into=merged_into,
    )
    return _out(incident)


@router.get("/{incident_id}/allowed-transitions", response={200: AllowedTransitionsOut, **READ})
def allowed_transitions(request: HttpRequest, incident_id: Id) -> AllowedTransitionsOut:
    incident = _readable(request, incident_id)
    return AllowedTransitionsOut(
        current=Status(incident.status),
        can_transition=access.can_edit(request_user(request), incident),
        allowed=transition_options(incident.status),
    )


# --- participants --------------------------------------------------------------------------


@router.get("/{incident_id}/participants", response={200: list[ParticipantOut], **READ})
def list_participants(
    request: HttpRequest, incident_id: Id, include_former: bool = False
) -> QuerySet[Participant]:
    """Current participants; ``include_former=true`` adds those who left their role."""
    participants = _readable(request, incident_id).participants.select_related("user", "added_by")
    return participants.all() if include_former else participants.active()


@router.post(
    "/{incident_id}/participants",
    response={200: ParticipantOut, 201: ParticipantOut, **WRITE},
    summary="Engage someone in a role (a new commander hands over command)",
)
def add_participant(
    request: HttpRequest, incident_id: Id, payload: ParticipantIn
) -> Answer[Participant]:
    """Engaging someone already in that role changes nothing and answers 200."""
    incident = _writable(request, incident_id)
    user = _user(payload.username, field="username")
    engaged = incident.participants.active().filter(user=user, role=payload.role).exists()
    participant = services.add_participant(
        actor=request_user(request),
        incident=incident,
        user=user,
        role=payload.role,
        reason=payload.reason.strip(),
    )
    return Answer(200 if engaged else 201, participant)


@router.delete(
    "/{incident_id}/participants/{participant_id}",
    response={204: None, **WRITE},
    summary="End someone's role on the incident",
)
def remove_participant(request: HttpRequest, incident_id: Id, participant_id: Id) -> Answer[None]:
    incident = _writable(request, incident_id)
    participant = _get(incident.participants.select_related("user", "incident"), participant_id)
    services.remove_participant(actor=request_user(request), participant=participant)
    return Answer(204, None)


# --- timeline ------------------------------------------------------------------------------


@router.get("/{incident_id}/timeline", response={200: TimelineOut, **READ})
def list_timeline(
    request: HttpRequest, incident_id: Id, filters: Query[TimelineFilters]
) -> dict[str, Any]:
    events = _readable(request, incident_id).events.select_related("actor")
    if filters.pinned is not None:
        events = events.filter(pinned=filters.pinned)
    return {
        "count": events.count(),
        "items": list(events[filters.offset : filters.offset + filters.limit]),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.post("/{incident_id}/timeline", response={201: EventOut, **WRITE}, summary="Add a note")
def add_note(request: HttpRequest, incident_id: Id, payload: NoteIn) -> Answer[TimelineEvent]:
    incident = _commentable(request, incident_id)
    event = services.add_note(
        actor=request_user(request), incident=incident, text=payload.text, pinned=payload.pinned
    )
    return Answer(201, event)


@router.post(
    "/{incident_id}/timeline/{event_id}/pin",
    response={200: EventOut, **WRITE},
    summary="Pin or unpin a timeline event",
)
def pin_event(request: HttpRequest, incident_id: Id, event_id: Id, payload: PinIn) -> TimelineEvent:
    incident = _commentable(request, incident_id)
    event = _get(incident.events.select_related("actor", "incident"), event_id)
    return services.set_pinned(actor=request_user(request), event=event, pinned=payload.pinned)


# --- tasks ---------------------------------------------------------------------------------


@router.get("/{incident_id}/tasks", response={200: list[TaskOut], **READ})
def list_tasks(request: HttpRequest, incident_id: Id) -> QuerySet[Task]:
    return _readable(request, incident_id).tasks.select_related("owner", "created_by")


@router.post("/{incident_id}/tasks", response={201: TaskOut, **WRITE}, summary="Add a task")
def create_task(request: HttpRequest, incident_id: Id, payload: TaskIn) -> Answer[Task]:
    incident = _writable(request, incident_id)
    task = services.create_task(
        actor=request_user(request),
        incident=incident,
        title=payload.title,
        owner=_user(payload.owner, field="owner") if payload.owner else None,
        due_at=payload.due_at,
    )
    return Answer(201, task)


@router.patch(
    "/{incident_id}/tasks/{task_id}",
    response={200: TaskOut, **WRITE},
    summary="Change a task: title, owner, due time or status",
)
def update_task(request: HttpRequest, incident_id: Id, task_id: Id, payload: TaskPatch) -> Task:
    incident = _writable(request, incident_id)
    task = _get(incident.tasks.all(), task_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("owner") is not None:
        changes["owner"] = _user(changes["owner"], field="owner")
    task = services.update_task(actor=request_user(request), task=task, **changes)
    return _get(Task.objects.select_related("owner", "created_by"), task.pk)


def _get(queryset: QuerySet[_Row], pk: int) -> _Row:
    """A row of this incident; anything else is 404, as if it did not exist."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj
