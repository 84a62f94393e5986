"""``/api/v1/playbooks`` (the library, matching, adherence) and ``/api/v1/checklists``
(a playbook applied to an incident, and its steps). Also mounts the markets router.

Checklists follow their incident's visibility: invisible is 404, read-only is 403.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from trustdesk.accounts.api import request_user
from trustdesk.incidents import access
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.markets.api import router as markets_router

from . import adherence, matching, services
from .models import AppliedPlaybook, Playbook, PlaybookVersion, SourceType, StepRun

# The router trustdesk/api.py mounts: this app's operations and the markets app's, each under
# its own tag (a tag on this router would be added to the markets operations too).
router = Router()
playbooks_router = Router(tags=["playbooks"])
READ = error_responses(404, 422)
WRITE = error_responses(403, 404, 409, 422)


class StepOut(Schema):
    key: str
    order: int
    title: str
    body: str
    role: str
    anchor: str
    offset_minutes: int
    condition: dict[str, list[str]]
    template_keys: list[str]


class VersionOut(Schema):
    number: int
    title: str
    summary: str
    categories: list[str]
    keywords: list[str]
    markets: list[str]
    severities: list[str]
    source_types: list[str]
    auto_apply: bool
    stakeholders: list[str]
    templates: list[dict[str, str]]
    rule_codes: list[str]
    change_note: str
    created_at: datetime
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: PlaybookVersion) -> list[Any]:
        return list(obj.steps.order_by("order"))


class PlaybookOut(Schema):
    id: int
    slug: str
    title: str
    archived: bool
    version: VersionOut

    @staticmethod
    def resolve_archived(obj: Playbook) -> bool:
        return obj.archived_at is not None

    @staticmethod
    def resolve_version(obj: Playbook) -> PlaybookVersion | None:
        return obj.current


@playbooks_router.get(
    "/playbooks", response={200: list[PlaybookOut], **READ}, summary="The library"
)
def list_playbooks(request: HttpRequest) -> list[Playbook]:
    found = Playbook.objects.visible_to(request_user(request)).filter(current__isnull=False)
    return list(found.select_related("current").order_by("slug"))


class MatchFilters(Schema):
    category: str = ""
    keywords: list[str] = []
    markets: list[str] = []
    severity: str = ""
    source: list[SourceType] = []


class MatchOut(Schema):
    id: int
    slug: str
    title: str
    version: int
    reasons: list[str]
    auto_apply: bool


@playbooks_router.get(
    "/playbooks/match",
    response={200: list[MatchOut], **READ},
    summary="Which playbooks an incident with these facts would get",
)
def match(request: HttpRequest, filters: Query[MatchFilters]) -> list[dict[str, Any]]:
    request_user(request)
    facts = matching.Facts(
        category=filters.category.upper(),
        keywords=frozenset(k.upper() for k in filters.keywords),
        markets=frozenset(m.upper() for m in filters.markets),
        severity=filters.severity.upper(),
        source_types=frozenset(filters.source),
    )
    return [
        {
            "id": m.playbook.pk,
            "slug": m.playbook.slug,
            "title": m.version.title,
            "version": m.version.number,
            "reasons": m.reasons,
            "auto_apply": m.version.auto_apply,
        }
        for m in matching.matching(facts)
    ]


class CountsOut(Schema):
    total: int
    done: int
    done_late: int
    skipped: int
    overdue: int
    pending: int
    late: int


class StepAdherenceOut(Schema):
    key: str
    title: str
    removed: bool
    counts: CountsOut


class AdherenceOut(Schema):
    slug: str
    title: str
    applications: int
    counts: CountsOut
    steps: list[StepAdherenceOut]


class AdherenceFilters(Schema):
    days: int = Field(90, ge=1, le=3660, description="Applications in the last N days")
    region: str = ""


@playbooks_router.get(
    "/playbooks/adherence",
    response={200: list[AdherenceOut], **WRITE},
    summary="Done, skipped and late per playbook and step (leads and admins)",
)
def get_adherence(request: HttpRequest, filters: Query[AdherenceFilters]) -> list[dict[str, Any]]:
    if not request_user(request).sees_everything:
        raise PermissionDenied("Adherence is for leads and admins.")
    since = timezone.now() - timedelta(days=filters.days)
    rows = adherence.library(since=since, region=filters.region)
    return [
        {
            "slug": r.playbook.slug,
            "title": r.playbook.title,
            "applications": r.applications,
            "counts": r.counts,
            "steps": r.steps,
        }
        for r in rows
    ]


@playbooks_router.get("/playbooks/{playbook_id}", response={200: PlaybookOut, **READ})
def get_playbook(request: HttpRequest, playbook_id: int) -> Playbook:
    playbook = Playbook.objects.visible_to(request_user(request)).filter(pk=playbook_id).first()
    if playbook is None or playbook.current is None:
        raise Http404
    return playbook


# --- checklists ----------------------------------------------------------------------------


class RunOut(Schema):
    id: int
    step: str
    title: str
    role: str
    status: str
    owner: str | None
    target_at: datetime | None
    done_at: datetime | None
    late: bool
    skip_reason: str
    task: int

    @staticmethod
    def resolve_step(obj: StepRun) -> str:
        return obj.step.key

    @staticmethod
    def resolve_title(obj: StepRun) -> str:
        return obj.step.title

    @staticmethod
    def resolve_role(obj: StepRun) -> str:
        return obj.step.role

    @staticmethod
    def resolve_owner(obj: StepRun) -> str | None:
        return obj.task.owner.username if obj.task.owner else None

    @staticmethod
    def resolve_late(obj: StepRun) -> bool:
        return obj.is_late

    @staticmethod
    def resolve_task(obj: StepRun) -> int:
        return obj.task_id


class AppliedOut(Schema):
    id: int
    playbook: str
    title: str
    version: int
    applied_at: datetime
    automatic: bool
    match_reasons: list[str]
    steps: list[RunOut]

    @staticmethod
    def resolve_playbook(obj: AppliedPlaybook) -> str:
        return obj.playbook.slug

    @staticmethod
    def resolve_title(obj: AppliedPlaybook) -> str:
        return obj.version.title

    @staticmethod
    def resolve_version(obj: AppliedPlaybook) -> int:
        return obj.version.number

    @staticmethod
    def resolve_steps(obj: AppliedPlaybook) -> list[StepRun]:
        return list(obj.runs.select_related("step", "task__owner"))


def _checklist(request: HttpRequest, incident_id: int) -> list[AppliedPlaybook]:
    applied = AppliedPlaybook.objects.visible_to(request_user(request))
    return list(applied.filter(incident_id=incident_id).select_related("version", "playbook"))


@playbooks_router.get(
    "/checklists/{incident_id}",
    response={200: list[AppliedOut], **READ},
    summary="The playbooks applied to an incident, with their steps",
)
def get_checklist(request: HttpRequest, incident_id: int) -> list[AppliedPlaybook]:
    access.get_incident_for_user(request_user(request), incident_id)
    return _checklist(request, incident_id)


class ApplyIn(Schema):
    playbook: str = Field(description="The playbook's slug; its current version is applied")


@playbooks_router.post(
    "/checklists/{incident_id}/playbooks",
    response={201: AppliedOut, **WRITE},
    summary="Apply a playbook to an incident",
)
def apply_playbook(request: HttpRequest, incident_id: int, payload: ApplyIn) -> Answer[Any]:
    user = request_user(request)
    incident = access.get_rw_incident_for_user(user, incident_id)
    playbook = Playbook.objects.in_use().filter(slug=payload.playbook).first()
    if playbook is None or playbook.current is None:
        raise InvalidInput({"playbook": f"No playbook {payload.playbook!r} in use."})
    applied = services.apply_playbook(
        actor=user, incident=incident, version=playbook.current, reasons=["applied by hand"]
    )
    return Answer(201, applied)


def _run(request: HttpRequest, incident_id: int, run_id: int) -> StepRun:
    user = request_user(request)
    incident = access.get_rw_incident_for_user(user, incident_id)
    run = StepRun.objects.visible_to(user).filter(applied__incident=incident, pk=run_id).first()
    if run is None:
        raise Http404
    return run


def _fresh(run: StepRun) -> StepRun:
    return StepRun.objects.select_related("step", "task__owner").get(pk=run.pk)


@playbooks_router.post(
    "/checklists/{incident_id}/steps/{run_id}/done",
    response={200: RunOut, **WRITE},
    summary="Tick a step done (its task is done)",
)
def complete_step(request: HttpRequest, incident_id: int, run_id: int) -> StepRun:
    run = services.complete_step(
        actor=request_user(request), run=_run(request, incident_id, run_id)
    )
    return _fresh(run)


class SkipIn(Schema):
    reason: str = Field(description="Why the step is skipped; required")


@playbooks_router.post(
    "/checklists/{incident_id}/steps/{run_id}/skip",
    response={200: RunOut, **WRITE},
    summary="Skip a step, saying why (its task is cancelled)",
)
def skip_step(request: HttpRequest, incident_id: int, run_id: int, payload: SkipIn) -> StepRun:
    run = _run(request, incident_id, run_id)
    return _fresh(services.skip_step(actor=request_user(request), run=run, reason=payload.reason))


@playbooks_router.post(
    "/checklists/{incident_id}/steps/{run_id}/reopen",
    response={200: RunOut, **WRITE},
    summary="Reopen a done or skipped step",
)
def reopen_step(request: HttpRequest, incident_id: int, run_id: int) -> StepRun:
    run = _run(request, incident_id, run_id)
    return _fresh(services.reopen_step(actor=request_user(request), run=run))


router.add_router("", playbooks_router)
router.add_router("", markets_router)
