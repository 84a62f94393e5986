"""Opening a post-mortem and writing it: the draft with its facts filled in, the sections,
the timeline selection and the contributing factors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.lifecycle import Status as IncidentStatus
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.notify.services import notify

from .. import access, facts, policy
from ..lifecycle import EDITABLE
from ..models import (
    ContributingFactor,
    DetectionSource,
    PostMortem,
    PostMortemFactor,
    Requirement,
    RequirementReason,
)
from .common import clean_text, clean_tz, incident_note, link, refresh_search_text, show_utc

# Fields ``update`` accepts, with the longest text each may hold.
TEXT_FIELDS: dict[str, int] = {
    "title": 200,
    "summary": 20000,
    "impact_notes": 20000,
    "reach_source": 200,
    "went_well": 20000,
    "went_poorly": 20000,
    "got_lucky": 20000,
    "root_cause": 20000,
    "lessons": 20000,
}
OTHER_FIELDS = ("reach", "users_affected", "detection_source", "five_whys", "tz", "author")
MAX_WHYS = 5
# Figures above this are typos (the world has fewer people); the column holds them anyway.
MAX_FIGURE = 10**11


def on_incident_transition(
    incident: Incident, current: str, target: str, actor: User | None
) -> None:
    """Hook in ``incidents.services.on_transition``: resolving an incident the policy covers
    opens its draft in the same transaction. Re-resolving a reopened one keeps the first."""
    if target != IncidentStatus.RESOLVED or PostMortem.objects.filter(incident=incident).exists():
        return
    reasons = policy.reasons_for(incident)
    if reasons:
        create_draft(actor=actor, incident=incident, reasons=reasons)


def _author_for(incident: Incident, actor: User | None) -> User | None:
    if incident.commander is not None and incident.commander.is_active:
        return incident.commander
    return actor if actor is not None and actor.is_responder else None


def _tz_for(incident: Incident, author: User | None) -> str:
    market = incident.markets.first()
    if market is not None:
        return market.tz
    return author.tz if author is not None and author.tz else "UTC"


def _reasons_text(reasons: Iterable[str]) -> str:
    return "; ".join(RequirementReason(r).label for r in reasons)


@transaction.atomic
def create_draft(*, actor: User | None, incident: Incident, reasons: list[str]) -> PostMortem:
    """Open the incident's post-mortem with what the desk already knows: durations (read from
    the stamps), impact counts, regulatory requests with their outcome, the timeline and the
    likely detection source. Returns the existing one if there is one."""
    existing = PostMortem.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    now = timezone.now()
    author = _author_for(incident, actor)
    resolved_at = incident.resolved_at or now
    pm = PostMortem.objects.create(
        incident=incident,
        title=f"Post-mortem: {incident.title}"[:200],
        reasons=list(reasons),
        author=author,
        tz=_tz_for(incident, author),
        due_at=resolved_at + policy.current().due_after(incident.severity),
        summary=incident.summary,
        facts=facts.count_impact(incident),
        facts_at=now,
        timeline_event_ids=facts.default_timeline_ids(incident),
        detection_source=facts.suggest_detection_source(incident),
        created_by=actor,
        created_at=now,
    )
    refresh_search_text(pm)
    audit.record(
        actor=actor,
        action="postmortem.create",
        obj=pm,
        after={"incident": incident.pk, "reasons": pm.reasons, "due_at": pm.due_at},
    )
    incident_note(
        actor=actor,
        pm=pm,
        text=f"post-mortem draft opened ({_reasons_text(reasons)}); due {show_utc(pm.due_at)}",
    )
    if author is not None:
        notify(
            recipients=[author],
            event_key=f"pm-created:{pm.pk}",
            subject=f"Post-mortem draft ready: {incident.ref} {incident.title}"[:200],
            body=f"The facts are filled in. Due {show_utc(pm.due_at)}.",
            link=link(pm),
        )
    return pm


@transaction.atomic
def require(*, actor: User, incident: Incident, reason: str) -> PostMortem | None:
    """A lead decides the incident needs a post-mortem the policy would not ask for. On a
    resolved incident the draft opens now (returned); on an open one, at resolution."""
    if not access.can_require(actor):
        raise PermissionDenied("Only leads decide that an incident needs a post-mortem.")
    reason = clean_text(reason, field="reason", max_length=2000, required=True)
    _, created = Requirement.objects.get_or_create(
        incident=incident, defaults={"requested_by": actor, "reason": reason}
    )
    if created:
        audit.record(
            actor=actor, action="postmortem.require", obj=incident, after={"reason": reason}
        )
        incident_services.add_note(
            actor=actor, incident=incident, text=f"A post-mortem is required: {reason}"
        )
    pm = PostMortem.objects.filter(incident=incident).first()
    if pm is not None:
        if RequirementReason.LEAD_REQUEST not in pm.reasons:
            pm.reasons = [*pm.reasons, RequirementReason.LEAD_REQUEST.value]
            pm.save(update_fields=["reasons", "updated_at"])
        return pm
    if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return create_draft(actor=actor, incident=incident, reasons=policy.reasons_for(incident))
    return None


def _locked(pm: PostMortem) -> PostMortem:
    return (
        PostMortem.objects.select_for_update(of=("self",))
        .select_related("incident__category", "author")
        .get(pk=pm.pk)
    )


def _check_editable(pm: PostMortem) -> None:
    if pm.status not in EDITABLE:
        raise Conflict(
            f"A {pm.get_status_display().lower()} post-mortem is locked; "
            "move it back to draft to change it.",
            field="status",
        )


def _clean_figure(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FIGURE:
        raise InvalidInput({field: f"A whole number between 0 and {MAX_FIGURE:,}."})
    return value


def _clean_whys(values: Iterable[str]) -> list[str]:
    whys = [clean_text(v, field="five_whys", max_length=1000) for v in values]
    whys = [w for w in whys if w]
    if len(whys) > MAX_WHYS:
        raise InvalidInput({"five_whys": f"At most {MAX_WHYS} whys."})
    return whys


def _clean_author(pm: PostMortem, author: User | None) -> User | None:
    if author is None:
        return None
    if not author.is_active or not author.is_responder:
        raise InvalidInput({"author": "The author must be an active incident manager or lead."})
    if not Incident.objects.visible_to(author).filter(pk=pm.incident_id).exists():
        raise InvalidInput({"author": f"{author.username} cannot see this incident."})
    if pm.reviews.filter(reviewer=author).exists():
        raise InvalidInput({"author": f"{author.username} is a reviewer; authors cannot review."})
    return author


def _clean_changes(pm: PostMortem, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(TEXT_FIELDS) - set(OTHER_FIELDS)
    if unknown:
        raise InvalidInput({sorted(unknown)[0]: "This field cannot be changed."})
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name in TEXT_FIELDS:
            clean[name] = clean_text(
                value, field=name, max_length=TEXT_FIELDS[name], required=name == "title"
            )
        elif name in ("reach", "users_affected"):
            clean[name] = _clean_figure(value, name)
        elif name == "detection_source":
            if value not in ("", *DetectionSource.values):
                raise InvalidInput({name: f"One of {', '.join(DetectionSource.values)}."})
            clean[name] = value
        elif name == "five_whys":
            clean[name] = _clean_whys(value)
        elif name == "tz":
            clean[name] = clean_tz(value)
        else:
            clean[name] = _clean_author(pm, value)
    return clean


def _audit_value(value: Any) -> Any:
    return value.username if isinstance(value, User) else value


@transaction.atomic
def update(*, actor: User, postmortem: PostMortem, **changes: Any) -> PostMortem:
    """Change the write-up. Unchanged fields are ignored, so saving an untouched form writes
    nothing; a changed one is one audit event naming the fields."""
    pm = _locked(postmortem)
    _check_editable(pm)
    clean = _clean_changes(pm, changes)
    before = {name: getattr(pm, name) for name in clean}
    changed = [name for name, value in clean.items() if before[name] != value]
    if not changed:
        return pm
    for name in changed:
        setattr(pm, name, clean[name])
    pm.save()
    refresh_search_text(pm)
    audit.record(
        actor=actor,
        action="postmortem.update",
        obj=pm,
        before={k: _audit_value(before[k]) for k in changed},
        after={k: _audit_value(clean[k]) for k in changed},
    )
    return pm


@transaction.atomic
def refresh_facts(*, actor: User, postmortem: PostMortem) -> PostMortem:
    """Count the impact again (late reports, a request answered since the draft opened)."""
    pm = _locked(postmortem)
    _check_editable(pm)
    before = pm.facts
    pm.facts = facts.count_impact(pm.incident)
    pm.facts_at = timezone.now()
    pm.save(update_fields=["facts", "facts_at", "updated_at"])
    refresh_search_text(pm)
    audit.record(actor=actor, action="postmortem.facts", obj=pm, before=before, after=pm.facts)
    return pm


@transaction.atomic
def set_timeline(
    *, actor: User, postmortem: PostMortem, event_ids: Iterable[int], tz: str | None = None
) -> PostMortem:
    """Choose which incident events the post-mortem shows (and the zone shown beside UTC)."""
    pm = _locked(postmortem)
    _check_editable(pm)
    wanted = sorted(set(event_ids))
    known = set(pm.incident.events.filter(pk__in=wanted).values_list("pk", flat=True))
    stray = [pk for pk in wanted if pk not in known]
    if stray:
        raise InvalidInput({"event_ids": f"Not events of {pm.incident.ref}: {stray[:5]}."})
    before = {"events": pm.timeline_event_ids, "tz": pm.tz}
    pm.timeline_event_ids = wanted
    if tz is not None:
        pm.tz = clean_tz(tz)
    pm.save(update_fields=["timeline_event_ids", "tz", "updated_at"])
    audit.record(
        actor=actor,
        action="postmortem.timeline",
        obj=pm,
        before=before,
        after={"events": wanted, "tz": pm.tz},
    )
    return pm


@transaction.atomic
def add_factor(
    *,
    actor: User,
    postmortem: PostMortem,
    factor: ContributingFactor,
    note: str = "",
    is_root_cause: bool = False,
) -> PostMortemFactor:
    pm = _locked(postmortem)
    _check_editable(pm)
    note = clean_text(note, field="note", max_length=500)
    if not factor.active:
        raise InvalidInput({"factor": f"{factor.name} is retired; choose another factor."})
    if pm.factor_links.filter(factor=factor).exists():
        raise Conflict(f"{factor.name} is already listed.", field="factor")
    link_row = PostMortemFactor.objects.create(
        postmortem=pm, factor=factor, note=note, is_root_cause=is_root_cause, added_by=actor
    )
    refresh_search_text(pm)
    audit.record(
        actor=actor,
        action="postmortem.factor.add",
        obj=pm,
        after={"factor": factor.code, "note": note, "root_cause": is_root_cause},
    )
    return link_row


@transaction.atomic
def remove_factor(*, actor: User, factor_link: PostMortemFactor) -> None:
    pm = _locked(factor_link.postmortem)
    _check_editable(pm)
    code = factor_link.factor.code
    factor_link.delete()
    refresh_search_text(pm)
    audit.record(actor=actor, action="postmortem.factor.remove", obj=pm, before={"factor": code})
