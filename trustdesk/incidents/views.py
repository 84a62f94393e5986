"""Incident pages. Each view checks access, calls a service, and renders.

Actions on the detail page answer an HTMX request with the panels they changed, swapped out
of band, and a plain form post with a redirect, so the page also works without JavaScript.
A domain error becomes a field error (422) or a message (409) naming what is wrong.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import DomainError, IllegalTransition
from trustdesk.taxonomy.severity import DIMENSIONS, RUBRIC, Severity

from . import access, services
from .forms import (
    IncidentForm,
    NoteForm,
    ParticipantForm,
    TaskForm,
    TransitionForm,
    apply_domain_error,
)
from .lifecycle import ACTION_LABELS, REASON_REQUIRED, Status, allowed_transitions
from .models import Incident, TaskStatus
from .queue import QueueFilterForm, status_tabs

QUEUE_PAGE_SIZE = 50


def _tz(request: AuthedRequest) -> str:
    return request.user.tz or "UTC"


@login_required
@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    filtered = form.filtered(request.user)
    tabs = status_tabs(form, form.status_counts(filtered))
    page = Paginator(form.listed(filtered), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "tabs": tabs, "page": page}
    return render(request, "incidents/queue.html", context)


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, pk)
    services.record_restricted_read(actor=request.user, incident=incident, via="web")
    return render(request, "incidents/detail.html", _detail_context(request, incident))


def _detail_context(request: AuthedRequest, incident: Incident, **overrides: Any) -> dict:
    """Everything the detail page and its panels show. Querysets stay lazy, so a response
    that renders two panels runs only those panels' queries."""
    user = request.user
    editable = access.can_edit(user, incident)
    transitions = [
        {"to": s.value, "label": ACTION_LABELS[s], "needs_reason": s in REASON_REQUIRED}
        for s in allowed_transitions(incident.status)
    ]
    context = {
        "incident": incident,
        "can_edit": editable,
        "can_comment": access.can_comment(user, incident),
        "transitions": transitions if editable else [],
        "participants": incident.participants.active().select_related("user"),
        "tasks": incident.tasks.select_related("owner"),
        "events": incident.events.select_related("actor").order_by("-occurred_at", "-id"),
        "participant_form": ParticipantForm(auto_id="participant-%s"),
        "task_form": TaskForm(viewer_tz=_tz(request), auto_id="task-%s"),
        "note_form": NoteForm(auto_id="note-%s"),
        "task_statuses": TaskStatus,
        "transition_error": "",
    }
    context.update(overrides)
    return context


def _panels(
    request: AuthedRequest,
    incident: Incident,
    panels: tuple[str, ...],
    *,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    full = _detail_context(request, incident, **context)
    full["panels"] = panels
    return render(request, "incidents/_panels.html", full, status=status)


def _done(request: AuthedRequest, pk: int, panels: tuple[str, ...], message: str) -> HttpResponse:
    """After a change: the fresh panels for HTMX, a redirect back to them otherwise."""
    try:
        incident = access.get_incident_for_user(request.user, pk)
    except Http404:
        # The change took the user off a restricted incident's need-to-know list.
        messages.info(request, message)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("incidents:queue"))
        return redirect("incidents:queue")
    if request.htmx:
        return _panels(request, incident, panels, flash=message)
    messages.success(request, message)
    return redirect(reverse("incidents:detail", args=[pk]) + f"#panel-{panels[0]}")


def _failed(
    request: AuthedRequest,
    incident: Incident,
    panel: str,
    message: str,
    status: int,
    **context: Any,
) -> HttpResponse:
    """The panel again with the error in it (HTMX), or the whole page (no JavaScript)."""
    context.update(flash=message, flash_error=True)
    if request.htmx:
        return _panels(request, incident, (panel,), status=status, **context)
    full = _detail_context(request, incident, **context)
    return render(request, "incidents/detail.html", full, status=status)


def _transition_message(exc: DomainError) -> str:
    if isinstance(exc, IllegalTransition):
        allowed = ", ".join(Status(s).label for s in exc.allowed) or "none (final state)"
        return (
            f"Cannot move from {Status(exc.current).label} to {Status(exc.target).label}; "
            f"allowed next: {allowed}."
        )
    return exc.message


@login_required
@require_POST
def transition(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, pk)
    form = TransitionForm(request.POST, user=request.user)
    if not form.is_valid():
        message = first_error(form)
        return _failed(request, incident, "header", message, 422, transition_error=message)
    target = form.cleaned_data["to"]
    try:
        services.transition(
            actor=request.user,
            incident=incident,
            to=target,
            reason=form.cleaned_data["reason"],
            merged_into=form.cleaned_data["merged_into"],
        )
    except DomainError as exc:
        message = _transition_message(exc)
        return _failed(
            request, incident, "header", message, exc.status_code, transition_error=message
        )
    return _done(request, pk, ("header", "timeline"), f"Status is now {Status(target).label}.")


@login_required
@require_POST
def add_participant(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, pk)
    form = ParticipantForm(request.POST, auto_id="participant-%s")
    if form.is_valid():
        try:
            participant = services.add_participant(
                actor=request.user, incident=incident, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            message = f"{participant.user.display_name} is {participant.get_role_display()}."
            return _done(request, pk, ("participants", "header", "timeline"), message)
    return _failed(request, incident, "participants", first_error(form), 422, participant_form=form)


@login_required
@require_POST
def remove_participant(request: AuthedRequest, pk: int, participant_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, pk)
    participant = get_object_or_404(
        incident.participants.active().select_related("user"), pk=participant_id
    )
    services.remove_participant(actor=request.user, participant=participant)
    message = f"{participant.user.display_name} is no longer {participant.get_role_display()}."
    return _done(request, pk, ("participants", "header", "timeline"), message)


@login_required
@require_POST
def add_task(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, pk)
    form = TaskForm(request.POST, viewer_tz=_tz(request), auto_id="task-%s")
    if form.is_valid():
        try:
            task = services.create_task(actor=request.user, incident=incident, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return _done(request, pk, ("tasks", "timeline"), f"Task added: {task.title}")
    return _failed(request, incident, "tasks", first_error(form), 422, task_form=form)


@login_required
@require_POST
def set_task_status(request: AuthedRequest, pk: int, task_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, pk)
    task = get_object_or_404(incident.tasks, pk=task_id)
    try:
        task = services.update_task(
            actor=request.user, task=task, status=request.POST.get("status", "")
        )
    except DomainError as exc:
        return _failed(request, incident, "tasks", exc.message, exc.status_code)
    message = f"Task {task.get_status_display().lower()}: {task.title}"
    return _done(request, pk, ("tasks", "timeline"), message)


@login_required
@require_POST
def add_note(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, pk)
    if not access.can_comment(request.user, incident):
        raise PermissionDenied("You can read this incident but not add to it.")
    form = NoteForm(request.POST, auto_id="note-%s")
    if form.is_valid():
        try:
            services.add_note(actor=request.user, incident=incident, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return _done(request, pk, ("note", "timeline"), "Note added to the timeline.")
    return _failed(request, incident, "note", first_error(form), 422, note_form=form)


@login_required
@require_POST
def pin_event(request: AuthedRequest, pk: int, event_id: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, pk)
    event = get_object_or_404(incident.events, pk=event_id)
    pinned = request.POST.get("pinned") == "1"
    services.set_pinned(actor=request.user, event=event, pinned=pinned)
    return _done(request, pk, ("timeline",), "Pinned." if pinned else "Unpinned.")


def _form_page(request: AuthedRequest, form: IncidentForm) -> HttpResponse:
    rubric = [
        {
            "value": s.value,
            "label": s.label,
            "summary": RUBRIC[s]["summary"],
            "dimensions": [(label, RUBRIC[s][key]) for key, label in DIMENSIONS.items()],
        }
        for s in Severity
    ]
    context = {"form": form, "incident": form.incident, "rubric": rubric}
    return render(request, "incidents/form.html", context, status=422 if form.errors else 200)


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    if not access.can_create(request.user):
        raise PermissionDenied("Only incident managers and leads open incidents.")
    data = request.POST if request.method == "POST" else None
    form = IncidentForm(data, viewer_tz=_tz(request))
    if form.is_bound and form.is_valid():
        try:
            incident = services.create_incident(actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"{incident.ref} opened.")
            return redirect("incidents:detail", pk=incident.pk)
    return _form_page(request, form)


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = access.get_rw_incident_for_user(request.user, pk)
    data = request.POST if request.method == "POST" else None
    initial = IncidentForm.initial_for(incident)
    form = IncidentForm(data, viewer_tz=_tz(request), incident=incident, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.update_incident(actor=request.user, incident=incident, **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"{incident.ref} saved.")
            return redirect("incidents:detail", pk=incident.pk)
    return _form_page(request, form)


@login_required
@require_GET
def category_fields(request: AuthedRequest) -> HttpResponse:
    """The keyword choices (and, for a new incident, the restricted default) of the chosen
    category, swapped into the incident form when the category changes."""
    form = IncidentForm(initial={"category": request.GET.get("category")}, viewer_tz=_tz(request))
    context = {"form": form, "oob_restricted": request.GET.get("new") == "1"}
    return render(request, "incidents/_category_fields.html", context)
