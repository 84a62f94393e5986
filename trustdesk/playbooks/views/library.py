"""The playbook library: list with a match preview, a playbook and its versions, the editor.

Every active user reads the library (it is how new incident managers learn the job);
leads and admins write it. Saving the editor always makes a new version.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.incidents.forms import apply_domain_error
from trustdesk.lib.errors import DomainError
from trustdesk.markets import rules as market_rules

from .. import editing, matching
from ..forms import (
    MatchPreviewForm,
    PlaybookForm,
    StepForm,
    StepFormSet,
    TemplateFormSet,
    build_draft,
)
from ..models import AppliedPlaybook, Playbook, PlaybookVersion


def _readable(request: AuthedRequest, pk: int) -> Playbook:
    try:
        return Playbook.objects.visible_to(request.user).select_related("current").get(pk=pk)
    except Playbook.DoesNotExist:
        raise Http404("No such playbook") from None


def _writable(request: AuthedRequest, pk: int | None = None) -> Playbook | None:
    if not editing.can_edit_library(request.user):
        raise PermissionDenied("Only leads and admins write playbooks.")
    return _readable(request, pk) if pk is not None else None


def _preview(form: MatchPreviewForm) -> list[matching.Match] | None:
    if not form.asked or not form.is_valid():
        return None
    data = form.cleaned_data
    facts = matching.Facts(
        category=data["category"],
        keywords=frozenset(data["keywords"]),
        markets=frozenset(data["markets"]),
        severity=data["severity"],
        source_types=frozenset({data["source"]} - {""}),
    )
    return matching.matching(facts)


@login_required
@require_GET
def library(request: AuthedRequest) -> HttpResponse:
    preview_form = MatchPreviewForm(request.GET or None)
    playbooks = Playbook.objects.visible_to(request.user).select_related("current")
    rows = sorted(
        (p for p in playbooks if p.current is not None),
        key=lambda p: (p.archived_at is not None, p.title.lower()),
    )
    market = request.GET.get("market", "").upper()
    if market:
        # The market's own playbooks, and those that apply in every market.
        rows = [
            p for p in rows if p.current and (not p.current.markets or market in p.current.markets)
        ]
    uses = dict(
        AppliedPlaybook.objects.values("playbook")
        .annotate(n=Count("id"))
        .values_list("playbook", "n")
    )
    context = {
        "items": [{"playbook": p, "version": p.current, "uses": uses.get(p.pk, 0)} for p in rows],
        "market": market,
        "preview_form": preview_form,
        "preview": _preview(preview_form),
        "can_write": editing.can_edit_library(request.user),
    }
    return render(request, "playbooks/library.html", context)


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    playbook = _readable(request, pk)
    number = request.GET.get("version")
    versions = playbook.versions.select_related("created_by").order_by("-number")
    if number and number.isdigit():
        version = get_object_or_404(versions, number=int(number))
    elif playbook.current is not None:
        version = playbook.current
    else:
        raise Http404("This playbook has no text yet")
    context = {
        "playbook": playbook,
        "version": version,
        "steps": version.steps.order_by("order"),
        "criteria": matching.labelled(version),
        "versions": versions,
        "rules": market_rules.by_codes(version.rule_codes, timezone.now().date()),
        "applied_count": AppliedPlaybook.objects.filter(playbook=playbook).count(),
        "can_write": editing.can_edit_library(request.user),
    }
    return render(request, "playbooks/detail.html", context)


def _forms(
    request: AuthedRequest, version: PlaybookVersion | None
) -> tuple[PlaybookForm, Any, Any]:
    if request.method == "POST":
        return (
            PlaybookForm(request.POST),
            StepFormSet(request.POST, prefix="steps"),
            TemplateFormSet(request.POST, prefix="templates"),
        )
    if version is None:
        return (
            PlaybookForm(),
            StepFormSet(prefix="steps", initial=[{"amount": 1, "unit": "h"}]),
            TemplateFormSet(prefix="templates"),
        )
    draft = editing.draft_from(version)
    return (
        PlaybookForm(initial=PlaybookForm.initial_for(version)),
        StepFormSet(prefix="steps", initial=[StepForm.initial_for(s) for s in draft.steps]),
        TemplateFormSet(prefix="templates", initial=draft.templates),
    )


def _with_extra_row(data: Any, prefix: str) -> Any:
    """The posted data with one more (blank) form in the ``prefix`` formset."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key) or 0) + 1)
    return data


def _editor(request: AuthedRequest, playbook: Playbook | None) -> HttpResponse:
    version = playbook.current if playbook else None
    form, steps, templates = _forms(request, version)
    for prefix in ("steps", "templates"):
        if request.method == "POST" and f"add_{prefix}" in request.POST:
            # "Add a step" / "Add a template" without JavaScript: the same form, one row more.
            more = _with_extra_row(request.POST, prefix)
            form = PlaybookForm(more)
            steps = StepFormSet(more, prefix="steps")
            templates = TemplateFormSet(more, prefix="templates")
            return _editor_page(request, playbook, form, steps, templates, status=200)
    if request.method == "POST" and all(f.is_valid() for f in (form, steps, templates)):
        try:
            saved = editing.save_version(
                actor=request.user, draft=build_draft(form, steps, templates), playbook=playbook
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"Saved {saved.title} as version {saved.number}.")
            return redirect("playbooks:detail", pk=saved.playbook_id)
    status = 422 if request.method == "POST" else 200
    return _editor_page(request, playbook, form, steps, templates, status=status)


def _editor_page(
    request: AuthedRequest,
    playbook: Playbook | None,
    form: PlaybookForm,
    steps: Any,
    templates: Any,
    *,
    status: int,
) -> HttpResponse:
    context = {"playbook": playbook, "form": form, "steps": steps, "templates": templates}
    return render(request, "playbooks/edit.html", context, status=status)


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    _writable(request)
    return _editor(request, None)


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _editor(request, _writable(request, pk))


@login_required
@require_POST
def archive(request: AuthedRequest, pk: int) -> HttpResponse:
    playbook = _writable(request, pk)
    assert playbook is not None
    archived = request.POST.get("archived") == "1"
    try:
        editing.set_archived(actor=request.user, playbook=playbook, archived=archived)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Archived: it no longer matches new incidents."
            if archived
            else "Restored to the library.",
        )
    return redirect("playbooks:detail", pk=pk)
