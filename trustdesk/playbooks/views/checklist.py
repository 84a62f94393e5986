"""The checklist panel on the incident page, and its actions.

The panel is loaded by HTMX from the incident page (and is a page of its own without
JavaScript). Actions answer an HTMX request with the fresh panel, plus the incident's task
list and timeline swapped out of band (a ticked step is a done task); a plain form post is
redirected back to the incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.incidents import access
from trustdesk.incidents.forms import TaskForm
from trustdesk.incidents.models import Incident, TaskStatus
from trustdesk.lib.errors import DomainError
from trustdesk.markets import rules as market_rules

from .. import adherence, services
from ..models import AppliedPlaybook, Playbook, StepRun
from ..text import fill_template


@dataclass
class Block:
    """One applied playbook as the panel shows it."""

    applied: AppliedPlaybook
    runs: list[StepRun]
    counts: adherence.Counts
    newer: int | None
    templates: list[dict[str, str]]
    rules: list[market_rules.RuleSummary]


def _blocks(incident: Incident) -> list[Block]:
    counts = adherence.for_incident(incident)
    applied_list = (
        AppliedPlaybook.objects.filter(incident=incident)
        .select_related("version", "playbook__current", "applied_by")
        .prefetch_related("runs__task__owner", "runs__step", "runs__skipped_by")
    )
    today = timezone.now().date()
    blocks = []
    for applied in applied_list:
        current = applied.playbook.current
        newer = current.number if current and current.number > applied.version.number else None
        templates = [
            {**t, "body": fill_template(t["body"], incident)} for t in applied.version.templates
        ]
        blocks.append(
            Block(
                applied=applied,
                runs=list(applied.runs.all()),
                counts=counts.get(applied.pk, adherence.Counts()),
                newer=newer,
                templates=templates,
                rules=market_rules.by_codes(applied.version.rule_codes, today),
            )
        )
    return blocks


def _context(request: AuthedRequest, incident: Incident, **extra: Any) -> dict[str, Any]:
    editable = access.can_edit(request.user, incident)
    blocks = _blocks(incident)
    on_it = {b.applied.playbook_id for b in blocks}
    context = {
        "incident": incident,
        "can_edit": editable,
        "blocks": blocks,
        "suggested": services.suggestions(incident) if editable and incident.is_open else [],
        "others": Playbook.objects.in_use().exclude(pk__in=on_it).select_related("current")
        if editable and incident.is_open
        else [],
        "waiting": any(r.waits_for_clock for b in blocks for r in b.runs),
        "clocks_stale": editable and services.clocks_out_of_date(incident),
        "unowned": any(
            r.task.owner_id is None and r.task.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)
            for b in blocks
            for r in b.runs
        ),
        "errors": {},
        "open_skip": None,
    }
    context.update(extra)
    return context


def _panel(request: AuthedRequest, incident: Incident, **extra: Any) -> str:
    return render_to_string(
        "playbooks/_checklist.html", _context(request, incident, **extra), request=request
    )


def _incident_panels(request: AuthedRequest, incident: Incident) -> str:
    """The incident page's task list and timeline, swapped out of band after a change."""
    context = {
        "incident": incident,
        "can_edit": access.can_edit(request.user, incident),
        "tasks": incident.tasks.select_related("owner"),
        "task_statuses": TaskStatus,
        "task_form": TaskForm(viewer_tz=request.user.tz or "UTC", auto_id="task-%s"),
        "events": incident.events.select_related("actor").order_by("-occurred_at", "-id"),
        "oob": True,
    }
    return render_to_string("incidents/_tasks.html", context, request=request) + render_to_string(
        "incidents/_timeline.html", context, request=request
    )


def _flash(request: AuthedRequest, message: str, error: bool = False) -> str:
    return render_to_string(
        "playbooks/_flash_oob.html", {"flash": message, "flash_error": error}, request=request
    )


@login_required
@require_GET
def checklist(request: AuthedRequest, incident_id: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    if request.htmx:
        return HttpResponse(_panel(request, incident))
    context = _context(request, incident)
    return HttpResponse(render_to_string("playbooks/checklist_page.html", context, request=request))


def _answer(
    request: AuthedRequest,
    incident: Incident,
    message: str,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("incidents:detail", args=[incident.pk]) + "#panel-checklist")
    error = status >= 400
    body = _panel(request, incident, **extra) + _flash(request, message, error)
    if not error:
        body += _incident_panels(request, incident)
    return HttpResponse(body, status=status)


def _run(request: AuthedRequest, incident: Incident, run_id: int) -> StepRun:
    runs = StepRun.objects.visible_to(request.user).filter(applied__incident=incident)
    return get_object_or_404(runs.select_related("task", "step", "applied__incident"), pk=run_id)


@login_required
@require_POST
def apply(request: AuthedRequest, incident_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, incident_id)
    playbook = Playbook.objects.in_use().filter(pk=request.POST.get("playbook") or 0).first()
    if playbook is None or playbook.current is None:
        return _answer(request, incident, "Choose a playbook to apply.", status=422)
    match = next((m for m in services.suggestions(incident) if m.playbook.pk == playbook.pk), None)
    try:
        services.apply_playbook(
            actor=request.user,
            incident=incident,
            version=playbook.current,
            reasons=match.reasons if match else ["applied by hand"],
        )
    except DomainError as exc:
        return _answer(request, incident, exc.message, status=exc.status_code)
    return _answer(request, incident, f"Applied {playbook.current.title}.")


@login_required
@require_POST
def complete(request: AuthedRequest, incident_id: int, run_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, incident_id)
    run = _run(request, incident, run_id)
    try:
        services.complete_step(actor=request.user, run=run)
    except DomainError as exc:
        return _answer(
            request, incident, exc.message, status=exc.status_code, errors={run.pk: exc.message}
        )
    return _answer(request, incident, f"Done: {run.step.title}")


@login_required
@require_POST
def skip(request: AuthedRequest, incident_id: int, run_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, incident_id)
    run = _run(request, incident, run_id)
    try:
        services.skip_step(actor=request.user, run=run, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _answer(
            request,
            incident,
            exc.message,
            status=exc.status_code,
            errors={run.pk: exc.message},
            open_skip=run.pk,
        )
    return _answer(request, incident, f"Skipped: {run.step.title}")


@login_required
@require_POST
def reopen(request: AuthedRequest, incident_id: int, run_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, incident_id)
    run = _run(request, incident, run_id)
    services.reopen_step(actor=request.user, run=run)
    return _answer(request, incident, f"Reopened: {run.step.title}")


@login_required
@require_POST
def sync_clocks(request: AuthedRequest, incident_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, incident_id)
    changed = services.sync_clocks(actor=request.user, incident=incident)
    return _answer(request, incident, f"Time targets set from the regulatory clock: {changed}.")


@login_required
@require_POST
def fill_owners(request: AuthedRequest, incident_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, incident_id)
    filled = services.fill_owners(actor=request.user, incident=incident)
    return _answer(request, incident, f"Owners assigned from roles: {filled}.")


@login_required
@require_GET
def incident_adherence(request: AuthedRequest, incident_id: int) -> HttpResponse:
    """Adherence for one incident, for the post-mortem to include (HTMX or a page)."""
    incident = access.get_incident_for_user(request.user, incident_id)
    context = {"incident": incident, "blocks": _blocks(incident)}
    template = (
        "playbooks/_incident_adherence.html"
        if request.htmx
        else ("playbooks/incident_adherence.html")
    )
    return HttpResponse(render_to_string(template, context, request=request))
