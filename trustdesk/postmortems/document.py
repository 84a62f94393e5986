"""The post-mortem as one document, for the printable page, Markdown and PDF.

``build`` refuses (404) a reader who may not see the post-mortem. A post-mortem is visible
exactly when its incident is, so a restricted incident's document is either complete, for
someone on its need-to-know list, or not produced at all: nothing is half-redacted. The
restricted marking travels on every page of every format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident, TimelineEvent

from . import facts
from .models import ActionItem, PostMortem, PostMortemFactor, Review, completion


@dataclass(frozen=True)
class Moment:
    utc: str
    local: str


@dataclass(frozen=True)
class Row:
    event: TimelineEvent
    when: Moment
    actor: str


@dataclass
class Document:
    pm: PostMortem
    incident: Incident
    restricted: bool
    tz: str
    durations: list[facts.Duration]
    stamps: list[tuple[str, Moment | None]]
    requests: list[dict[str, Any]]
    pinned: list[Row]
    timeline: list[Row]
    factors: list[PostMortemFactor]
    action_items: list[ActionItem]
    done: int
    counted: int
    percent: int | None
    reviews: list[Review]
    generated_at: Moment
    generated_for: str


def _moment(value: datetime | None, tz: str) -> Moment | None:
    if value is None:
        return None
    utc, local = facts.both_zones(value, tz)
    return Moment(utc, local)


def _row(event: TimelineEvent, tz: str) -> Row:
    when = _moment(event.occurred_at, tz)
    assert when is not None
    return Row(event, when, event.actor.display_name if event.actor else "system")


def _requests(pm: PostMortem) -> list[dict[str, Any]]:
    rows = []
    for request in pm.facts.get("requests", []):
        due = parse_datetime(request["due_at"]) if request.get("due_at") else None
        met = parse_datetime(request["met_at"]) if request.get("met_at") else None
        rows.append({**request, "due": _moment(due, pm.tz), "met": _moment(met, pm.tz)})
    return rows


_STAMPS = (
    ("Detected", "detected_at"),
    ("Reported", "reported_at"),
    ("Acknowledged", "triaged_at"),
    ("Mitigating", "mitigating_at"),
    ("Resolved", "resolved_at"),
)


def build(pm: PostMortem, viewer: User) -> Document:
    """Everything the exports show, for ``viewer``; 404 if they may not see it."""
    if not PostMortem.objects.visible_to(viewer).filter(pk=pm.pk).exists():
        raise Http404("No such post-mortem")
    incident = pm.incident
    tz = pm.tz
    selected = facts.timeline(pm)
    items = list(
        pm.action_items.select_related("owner", "owner_team", "factor__factor").order_by(
            "due_on", "id"
        )
    )
    done, counted, percent = completion(items)
    now = _moment(timezone.now(), tz)
    assert now is not None
    return Document(
        pm=pm,
        incident=incident,
        restricted=incident.restricted,
        tz=tz,
        durations=facts.durations(incident),
        stamps=[(label, _moment(getattr(incident, name), tz)) for label, name in _STAMPS],
        requests=_requests(pm),
        pinned=[_row(e, tz) for e in selected.pinned],
        timeline=[_row(e, tz) for e in selected.entries],
        factors=list(pm.factor_links.select_related("factor")),
        action_items=items,
        done=done,
        counted=counted,
        percent=percent,
        reviews=list(pm.reviews.select_related("reviewer")),
        generated_at=now,
        generated_for=viewer.display_name,
    )


def record_export(viewer: User, doc: Document, kind: str) -> None:
    """A download leaves the desk: the audit log says who took which post-mortem, how."""
    audit.record(
        actor=viewer,
        action="postmortem.export",
        obj=doc.pm,
        after={"format": kind, "restricted": doc.restricted},
    )
