"""What quality reviews are about: closed incidents and regulatory requests, read-only.

"Whose work" an incident is: its commander, or whoever acknowledged it when nobody took
command. A regulatory request is its owner's. Regulatory requests take part only when the
regulatory app is installed; everything here works without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.urls import reverse

from trustdesk.accounts.models import User
from trustdesk.incidents.lifecycle import Status as IncidentStatus
from trustdesk.incidents.models import Incident, TimelineEvent
from trustdesk.lib.timefmt import format_duration
from trustdesk.taxonomy.severity import Severity

from .models import SubjectKind
from .sampling import Candidate

HIGH_SEVERITIES = (Severity.SEV1, Severity.SEV2)
CLOSED = "closed"  # both lifecycles name their final status so
BREACHED = "breached"


def regulatory_installed() -> bool:
    return apps.is_installed("trustdesk.regulatory")


def request_model() -> Any:
    """``RegulatoryRequest``, or None without the regulatory app."""
    if not regulatory_installed():
        return None
    return apps.get_model("regulatory", "RegulatoryRequest")


def owned_by(ids: Iterable[int]) -> Q:
    """Incidents that are the work of one of ``ids``."""
    ids = list(ids)
    return Q(commander_id__in=ids) | Q(commander__isnull=True, acknowledged_by_id__in=ids)


def owner_of(incident: Incident) -> int | None:
    return incident.commander_id or incident.acknowledged_by_id


def closed_incidents(start: datetime, end: datetime) -> QuerySet[Incident]:
    return Incident.objects.filter(
        status=IncidentStatus.CLOSED, closed_at__gte=start, closed_at__lt=end
    )


def closed_requests(start: datetime, end: datetime) -> Any:
    model = request_model()
    if model is None:
        return []
    return model.objects.filter(
        status=CLOSED, closed_at__gte=start, closed_at__lt=end, owner__isnull=False
    ).select_related("rule_version")


def breached_incident_ids(incident_ids: Iterable[int]) -> set[int]:
    """Incidents with a linked regulatory request whose deadline was missed."""
    model = request_model()
    if model is None:
        return set()
    linked = model.objects.filter(incident_id__in=list(incident_ids)).select_related("rule_version")
    return {r.incident_id for r in linked if r.deadline_result == BREACHED}


def closed_work(
    owner_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[Candidate]]:
    """Each person's items closed in ``[start, end)``, as sampling candidates."""
    owners = set(owner_ids)
    work: dict[int, list[Candidate]] = {pk: [] for pk in owners}
    incidents = list(
        closed_incidents(start, end)
        .filter(owned_by(owners))
        .values_list("pk", "commander_id", "acknowledged_by_id", "severity")
    )
    breached = breached_incident_ids(row[0] for row in incidents)
    for pk, commander, acknowledger, severity in incidents:
        high = severity in HIGH_SEVERITIES or pk in breached
        work[commander or acknowledger].append(Candidate(f"{SubjectKind.INCIDENT}:{pk}", high))
    for request in closed_requests(start, end):
        if request.owner_id in owners:
            high = request.deadline_result == BREACHED
            work[request.owner_id].append(
                Candidate(f"{SubjectKind.REGULATORY_REQUEST}:{request.pk}", high)
            )
    return work


def split_key(key: str) -> tuple[str, int]:
    kind, _, pk = key.partition(":")
    return kind, int(pk)


def visible_keys(user: User, keys: Iterable[str]) -> set[str]:
    """The subjects among ``keys`` that ``user`` may see, by each app's own visibility."""
    incident_ids: list[int] = []
    request_ids: list[int] = []
    for key in keys:
        kind, pk = split_key(key)
        (incident_ids if kind == SubjectKind.INCIDENT else request_ids).append(pk)
    seen = {
        f"{SubjectKind.INCIDENT}:{pk}"
        for pk in Incident.objects.visible_to(user)
        .filter(pk__in=incident_ids)
        .values_list("pk", flat=True)
    }
    model = request_model()
    if model is not None and request_ids:
        seen |= {
            f"{SubjectKind.REGULATORY_REQUEST}:{pk}"
            for pk in model.objects.visible_to(user)
            .filter(pk__in=request_ids)
            .values_list("pk", flat=True)
        }
    return seen


@dataclass
class EventInfo:
    id: int
    occurred_at: datetime
    kind: str
    actor: str
    text: str


@dataclass
class SubjectInfo:
    """What a review page shows of its subject, for one viewer."""

    ref: str
    visible: bool
    kind: str
    title: str = ""
    url: str = ""
    severity: str = ""
    status: str = ""
    closed_at: datetime | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)
    events: list[EventInfo] = field(default_factory=list)

    def events_by_id(self) -> dict[int, EventInfo]:
        return {event.id: event for event in self.events}


def describe(review: Any, viewer: User) -> SubjectInfo:
    """The review's subject as ``viewer`` may see it. Someone who cannot see the incident
    (e.g. a restricted one) gets its reference only: no title, no timeline."""
    if review.incident_id:
        return _describe_incident(review.incident_id, viewer)
    return _describe_request(review.request_id, viewer)


def _describe_incident(pk: int, viewer: User) -> SubjectInfo:
    incident = (
        Incident.objects.visible_to(viewer)
        .select_related("category", "commander", "acknowledged_by")
        .filter(pk=pk)
        .first()
    )
    info = SubjectInfo(ref=f"INC-{pk}", visible=incident is not None, kind=SubjectKind.INCIDENT)
    if incident is None:
        return info
    info.title = incident.title
    info.url = reverse("incidents:detail", args=[pk])
    info.severity = incident.severity
    info.status = incident.get_status_display()
    info.closed_at = incident.closed_at
    owner = incident.commander or incident.acknowledged_by
    info.facts = [
        ("Category", incident.category.name),
        ("Region", incident.region),
        ("Commander", owner.display_name if owner else "—"),
        ("Time to acknowledge", format_duration(incident.time_to_acknowledge)),
        ("Time to resolve", format_duration(incident.time_to_resolve)),
    ]
    events = TimelineEvent.objects.filter(incident_id=pk).select_related("actor")
    info.events = [_event_info(e, e.get_kind_display()) for e in events]
    return info


def _describe_request(pk: int, viewer: User) -> SubjectInfo:
    info = SubjectInfo(ref=f"REQ-{pk}", visible=False, kind=SubjectKind.REGULATORY_REQUEST)
    model = request_model()
    if model is None:
        return info
    request = (
        model.objects.visible_to(viewer)
        .select_related("authority", "rule_version", "owner")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        return info
    info.visible = True
    info.title = request.title
    info.url = reverse("regulatory:detail", args=[pk])
    info.status = request.get_status_display()
    info.closed_at = request.closed_at
    info.facts = [
        ("Authority", request.authority.name),
        ("Due", request.due_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Deadline", request.deadline_result),
        ("Owner", request.owner.display_name if request.owner else "—"),
    ]
    events = request.events.select_related("actor")
    info.events = [_event_info(e, e.get_kind_display()) for e in events]
    return info


def _event_info(event: Any, kind: str) -> EventInfo:
    actor = event.actor.display_name if event.actor else "system"
    return EventInfo(event.pk, event.occurred_at, kind, actor, event.text)


def event_ids(review: Any) -> set[int]:
    """Ids of the subject's timeline events: what evidence may point at."""
    if review.incident_id:
        return set(
            TimelineEvent.objects.filter(incident_id=review.incident_id).values_list(
                "pk", flat=True
            )
        )
    model = request_model()
    if model is None:
        return set()
    events = apps.get_model("regulatory", "RequestEvent")
    return set(events.objects.filter(request_id=review.request_id).values_list("pk", flat=True))


@dataclass
class Headline:
    title: str
    severity: str = ""
    url: str = ""


def headlines(viewer: User, reviews: Iterable[Any]) -> dict[str, Headline]:
    """Titles of the reviews' subjects that ``viewer`` may see, by subject key; two queries
    whatever the number of reviews. Subjects they may not see are simply absent."""
    reviews = list(reviews)
    incident_ids = [r.incident_id for r in reviews if r.incident_id]
    request_ids = [r.request_id for r in reviews if r.request_id]
    found: dict[str, Headline] = {}
    rows = Incident.objects.visible_to(viewer).filter(pk__in=incident_ids)
    for pk, title, severity in rows.values_list("pk", "title", "severity"):
        url = reverse("incidents:detail", args=[pk])
        found[f"{SubjectKind.INCIDENT}:{pk}"] = Headline(title, severity, url)
    model = request_model()
    if model is not None and request_ids:
        requests = model.objects.visible_to(viewer).filter(pk__in=request_ids)
        for pk, title in requests.values_list("pk", "title"):
            url = reverse("regulatory:detail", args=[pk])
            found[f"{SubjectKind.REGULATORY_REQUEST}:{pk}"] = Headline(title, "", url)
    return found
