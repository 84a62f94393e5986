"""``/api/v1/postmortems``: search, read and write post-mortems, their factors, action items
and review. A post-mortem is found through ``access`` (invisible: 404, read-only: 403);
handlers turn codes and usernames into objects and call ``services``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import PathEx, Query, Router
from ninja import Status as Answer
from ninja.params import P

from trustdesk.accounts.api import request_user
from trustdesk.accounts.models import Team, User
from trustdesk.incidents import access as incident_access
from trustdesk.incidents.models import Incident
from trustdesk.incidents.schemas import MAX_ID
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput

from . import access, blameless, document, markdown, search, services
from .lifecycle import VIA_REVIEW, allowed_transitions
from .models import ActionItem, ContributingFactor, PostMortem
from .schemas import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    CommentIn,
    CommentOut,
    DecisionIn,
    FactorIn,
    FactorLinkOut,
    FactorOut,
    OverdueOwnerOut,
    PostMortemListOut,
    PostMortemOut,
    PostMortemPatch,
    RequireIn,
    RequireOut,
    ReviewersIn,
    SearchFilters,
    SimilarOut,
    TimelineIn,
    TransitionIn,
)

router = Router(tags=["postmortems"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]
READ = error_responses(404, 422)
WRITE = error_responses(403, 404, 409, 422)


# --- output ----------------------------------------------------------------------------------


def _incident(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "ref": incident.ref,
        "title": incident.title,
        "severity": incident.severity,
        "category": incident.category.code,
        "markets": sorted(m.code for m in incident.markets.all()),
        "restricted": incident.restricted,
    }


def _item(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "postmortem": item.postmortem_id,
        "description": item.description,
        "owner": item.owner.username if item.owner else None,
        "owner_team": item.owner_team.slug if item.owner_team else None,
        "due_on": item.due_on,
        "priority": item.priority,
        "status": item.status,
        "factor": item.factor.factor.code if item.factor else None,
        "ticket_url": item.ticket_url,
        "overdue": item.is_overdue,
        "completed_at": item.completed_at,
    }


def _impact(doc: document.Document) -> dict[str, Any]:
    pm, counted = doc.pm, doc.pm.facts
    return {
        "reports": counted.get("reports"),
        "content_items": counted.get("content_items"),
        "accounts": counted.get("accounts"),
        "markets": [m["code"] for m in counted.get("markets", [])],
        "reach": pm.reach,
        "reach_source": pm.reach_source,
        "users_affected": pm.users_affected,
        "notes": pm.impact_notes,
        "regulatory_requests": counted.get("requests", []),
        "counted_at": pm.facts_at,
    }


def _out(pm: PostMortem, user: User) -> dict[str, Any]:
    pm = PostMortem.objects.select_related("incident__category", "author").get(pk=pm.pk)
    doc = document.build(pm, user)
    fields = ("summary", "went_well", "went_poorly", "got_lucky", "root_cause", "lessons")
    return {
        **{name: getattr(pm, name) for name in ("id", "ref", "title", "status", "tz", *fields)},
        "allowed_transitions": [s for s in allowed_transitions(pm.status) if s not in VIA_REVIEW],
        "incident": _incident(pm.incident),
        "reasons": pm.reasons,
        "author": pm.author.username if pm.author else None,
        "due_at": pm.due_at,
        "late": pm.is_late,
        "impact": _impact(doc),
        "durations": [
            {
                "key": d.key,
                "label": d.label,
                "seconds": int(d.value.total_seconds()) if d.value is not None else None,
                "computed_as": d.explanation,
            }
            for d in doc.durations
        ],
        "timeline": [
            {
                **{k: getattr(r.event, k) for k in ("id", "occurred_at", "kind", "text", "pinned")},
                "actor": r.event.actor.username if r.event.actor else None,
            }
            for r in doc.timeline
        ],
        "detection_source": pm.detection_source,
        "factors": [_factor_link(link) for link in doc.factors],
        "five_whys": pm.five_whys,
        "action_items": [_item(item) for item in doc.action_items],
        "completion": {"done": doc.done, "counted": doc.counted, "percent": doc.percent},
        "reviews": [
            {"reviewer": r.reviewer.username, "decision": r.decision, "decided_at": r.decided_at}
            for r in doc.reviews
        ],
        "language_flags": [vars(f) for f in blameless.postmortem_flags(pm)],
        "created_at": pm.created_at,
        "submitted_at": pm.submitted_at,
        "approved_at": pm.approved_at,
        "published_at": pm.published_at,
        "url": reverse("postmortems:detail", args=[pm.pk]),
    }


def _factor_link(link: Any) -> dict[str, Any]:
    return {
        "code": link.factor.code,
        "name": link.factor.name,
        "note": link.note,
        "root_cause": link.is_root_cause,
    }


# --- lookups ---------------------------------------------------------------------------------


def _user(username: str | None, *, field: str) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput({field: f"No active user {username!r}."})
    return user


def _team(slug: str | None) -> Team | None:
    if slug is None:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidInput({"owner_team": f"No team {slug!r}."})
    return team


def _factor_on(pm: PostMortem, code: str | None) -> Any:
    if code is None:
        return None
    link = pm.factor_links.filter(factor__code=code).first()
    if link is None:
        raise InvalidInput({"factor": f"{code!r} is not listed on {pm.ref}."})
    return link


def _readable(request: HttpRequest, pm_id: int) -> PostMortem:
    return access.get_for_user(request_user(request), pm_id)


def _writable(request: HttpRequest, pm_id: int) -> PostMortem:
    return access.get_rw_for_user(request_user(request), pm_id)


# --- search and taxonomy -----------------------------------------------------------------------


@router.get("", response={200: PostMortemListOut, **READ}, summary="Search post-mortems")
def list_postmortems(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    wanted = search.Filters(
        q=filters.q or "",
        status=filters.status or "",
        factor=filters.factor or "",
        market=filters.market or "",
        category=filters.category or "",
    )
    found = search.search(request_user(request), wanted)
    page = found[filters.offset : filters.offset + filters.limit]
    return {
        "count": found.count(),
        "items": [_row(pm) for pm in page],
        "limit": filters.limit,
        "offset": filters.offset,
    }


def _row(pm: Any) -> dict[str, Any]:
    counted = pm.items_total
    return {
        "id": pm.pk,
        "ref": pm.ref,
        "title": pm.title,
        "status": pm.status,
        "incident": _incident(pm.incident),
        "factors": [link.factor.code for link in pm.factor_links.all()],
        "completion": {
            "done": pm.items_done,
            "counted": counted,
            "percent": round(100 * pm.items_done / counted) if counted else None,
        },
        "due_at": pm.due_at,
        "published_at": pm.published_at,
        "url": reverse("postmortems:detail", args=[pm.pk]),
    }


@router.get("/factors", response={200: list[FactorOut], **READ}, summary="Contributing factors")
def list_factors(request: HttpRequest) -> list[ContributingFactor]:
    return list(ContributingFactor.objects.all())


@router.get(
    "/action-items/overdue",
    response={200: list[OverdueOwnerOut], **READ},
    summary="Overdue action items you can see, grouped by owner",
)
def overdue(request: HttpRequest) -> list[dict[str, Any]]:
    groups = search.overdue_by_owner(request_user(request))
    return [{"owner": owner, "items": [_item(i) for i in items]} for owner, items in groups]


@router.get(
    "/similar/{incident_id}",
    response={200: list[SimilarOut], **READ},
    summary="Published post-mortems of similar past incidents",
)
def similar(request: HttpRequest, incident_id: Id) -> list[dict[str, Any]]:
    user = request_user(request)
    incident = incident_access.get_incident_for_user(user, incident_id)
    return [
        {
            "postmortem": m.postmortem.pk,
            "ref": m.postmortem.ref,
            "incident": _incident(m.postmortem.incident),
            "score": m.score,
            "same_category": m.same_category,
            "shared_markets": m.shared_markets,
            "shared_words": m.shared_words,
            "lessons": m.postmortem.lessons,
            "open_action_items": [_item(i) for i in m.open_items],
        }
        for m in search.similar(incident, user)
    ]


@router.post(
    "/require/{incident_id}",
    response={200: RequireOut, **WRITE},
    summary="A lead requires a post-mortem for an incident",
)
def require(request: HttpRequest, incident_id: Id, payload: RequireIn) -> dict[str, Any]:
    user = request_user(request)
    incident = incident_access.get_incident_for_user(user, incident_id)
    pm = services.require(actor=user, incident=incident, reason=payload.reason)
    return {"incident": incident.pk, "postmortem": pm.pk if pm else None}


# --- one post-mortem ---------------------------------------------------------------------------


@router.get("/{pm_id}", response={200: PostMortemOut, **READ})
def get_postmortem(request: HttpRequest, pm_id: Id) -> dict[str, Any]:
    return _out(_readable(request, pm_id), request_user(request))


@router.patch(
    "/{pm_id}",
    response={200: PostMortemOut, **WRITE},
    summary="Change the write-up (reach and users affected can be imported here)",
)
def update(request: HttpRequest, pm_id: Id, payload: PostMortemPatch) -> dict[str, Any]:
    pm, user = _writable(request, pm_id), request_user(request)
    changes = payload.model_dump(exclude_unset=True)
    if "author" in changes:
        changes["author"] = _user(changes["author"], field="author")
    pm = services.update(actor=user, postmortem=pm, **changes)
    return _out(pm, user)


@router.put("/{pm_id}/timeline", response={200: PostMortemOut, **WRITE})
def set_timeline(request: HttpRequest, pm_id: Id, payload: TimelineIn) -> dict[str, Any]:
    pm, user = _writable(request, pm_id), request_user(request)
    pm = services.set_timeline(
        actor=user, postmortem=pm, event_ids=payload.event_ids, tz=payload.tz
    )
    return _out(pm, user)


@router.post(
    "/{pm_id}/facts",
    response={200: PostMortemOut, **WRITE},
    summary="Count the impact again from the incident",
)
def refresh_facts(request: HttpRequest, pm_id: Id) -> dict[str, Any]:
    pm, user = _writable(request, pm_id), request_user(request)
    return _out(services.refresh_facts(actor=user, postmortem=pm), user)


@router.post("/{pm_id}/factors", response={201: FactorLinkOut, **WRITE})
def add_factor(request: HttpRequest, pm_id: Id, payload: FactorIn) -> Answer[dict[str, Any]]:
    pm, user = _writable(request, pm_id), request_user(request)
    factor = ContributingFactor.objects.filter(code=payload.factor).first()
    if factor is None:
        raise InvalidInput({"factor": f"Unknown factor {payload.factor!r}; see /factors."})
    link = services.add_factor(
        actor=user,
        postmortem=pm,
        factor=factor,
        note=payload.note,
        is_root_cause=payload.root_cause,
    )
    return Answer(201, _factor_link(link))


@router.delete("/{pm_id}/factors/{code}", response={204: None, **WRITE})
def remove_factor(request: HttpRequest, pm_id: Id, code: str) -> Answer[None]:
    pm, user = _writable(request, pm_id), request_user(request)
    link = get_object_or_404(pm.factor_links.select_related("factor"), factor__code=code)
    services.remove_factor(actor=user, factor_link=link)
    return Answer(204, None)


@router.post("/{pm_id}/action-items", response={201: ActionItemOut, **WRITE})
def add_action_item(
    request: HttpRequest, pm_id: Id, payload: ActionItemIn
) -> Answer[dict[str, Any]]:
    pm, user = _writable(request, pm_id), request_user(request)
    item = services.create_action_item(
        actor=user,
        postmortem=pm,
        description=payload.description,
        owner=_user(payload.owner, field="owner"),
        owner_team=_team(payload.owner_team),
        due_on=payload.due_on,
        priority=payload.priority,
        factor=_factor_on(pm, payload.factor),
        ticket_url=payload.ticket_url,
    )
    return Answer(201, _item(item))


@router.patch("/{pm_id}/action-items/{item_id}", response={200: ActionItemOut, **WRITE})
def update_action_item(
    request: HttpRequest, pm_id: Id, item_id: Id, payload: ActionItemPatch
) -> dict[str, Any]:
    pm, user = _readable(request, pm_id), request_user(request)
    item = get_object_or_404(pm.action_items, pk=item_id)
    if not access.can_update_item(user, item):
        raise PermissionDenied("Only the owner or the incident's responders change this item.")
    changes = payload.model_dump(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _user(changes["owner"], field="owner")
    if "owner_team" in changes:
        changes["owner_team"] = _team(changes["owner_team"])
    if "factor" in changes:
        changes["factor"] = _factor_on(pm, changes["factor"])
    item = services.update_action_item(actor=user, item=item, **changes)
    return _item(item)


@router.put("/{pm_id}/reviewers", response={200: PostMortemOut, **WRITE})
def set_reviewers(request: HttpRequest, pm_id: Id, payload: ReviewersIn) -> dict[str, Any]:
    pm, user = _writable(request, pm_id), request_user(request)
    reviewers = [_user(name, field="reviewers") for name in dict.fromkeys(payload.reviewers)]
    pm = services.set_reviewers(actor=user, postmortem=pm, reviewers=[r for r in reviewers if r])
    return _out(pm, user)


@router.post(
    "/{pm_id}/transitions",
    response={200: PostMortemOut, **WRITE},
    summary="Submit for review, back to draft, or publish",
    description="Approval comes from the reviewers (POST /reviews). An illegal move answers "
    "409 with `current` and `allowed`.",
)
def transition(request: HttpRequest, pm_id: Id, payload: TransitionIn) -> dict[str, Any]:
    pm, user = _writable(request, pm_id), request_user(request)
    return _out(services.transition(actor=user, postmortem=pm, to=payload.to), user)


@router.post(
    "/{pm_id}/reviews",
    response={200: PostMortemOut, **WRITE},
    summary="A named reviewer approves or requests changes",
    description="Authors cannot approve their own post-mortem (403); others who are not "
    "named reviewers get 403 too.",
)
def decide(request: HttpRequest, pm_id: Id, payload: DecisionIn) -> dict[str, Any]:
    pm, user = _readable(request, pm_id), request_user(request)
    services.decide(actor=user, postmortem=pm, decision=payload.decision, comment=payload.comment)
    return _out(pm, user)


@router.get("/{pm_id}/comments", response={200: list[CommentOut], **READ})
def list_comments(request: HttpRequest, pm_id: Id) -> list[dict[str, Any]]:
    pm = _readable(request, pm_id)
    return [_comment(c) for c in pm.comments.select_related("author")]


def _comment(comment: Any) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "author": comment.author.username if comment.author else None,
        "text": comment.text,
        "created_at": comment.created_at,
    }


@router.post("/{pm_id}/comments", response={201: CommentOut, **WRITE})
def add_comment(request: HttpRequest, pm_id: Id, payload: CommentIn) -> Answer[dict[str, Any]]:
    pm, user = _readable(request, pm_id), request_user(request)
    if not access.can_comment(user, pm):
        raise PermissionDenied("You can read this post-mortem but not comment on it.")
    return Answer(201, _comment(services.add_comment(actor=user, postmortem=pm, text=payload.text)))


@router.get(
    "/{pm_id}/markdown",
    response={200: None, **READ},
    summary="The post-mortem as Markdown",
    openapi_extra={"responses": {200: {"content": {"text/markdown": {}}}}},
)
def export_markdown(request: HttpRequest, pm_id: Id) -> HttpResponse:
    user = request_user(request)
    doc = document.build(_readable(request, pm_id), user)
    document.record_export(user, doc, "markdown")
    return HttpResponse(markdown.render(doc), content_type="text/markdown; charset=utf-8")
