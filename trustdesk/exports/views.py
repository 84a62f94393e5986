"""Export pages: the CyberTipline draft (generate, preview, download, mark submitted) and a
regulatory request's exports (Lumen notice, response pack). Each view checks access, calls a
service and renders or redirects; domain errors come back as a message naming the field."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest
from trustdesk.incidents.access import get_incident_for_user
from trustdesk.lib.errors import DomainError
from trustdesk.regulatory.access import get_request_for_user

from . import access, services
from .forms import CyberTipForm, PackForm, SubmittedForm
from .models import DraftStatus, LumenStatus


@login_required
@require_GET
def cybertip_index(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk)
    context = {
        "incident": incident,
        "drafts": incident.cybertip_drafts.select_related("generated_by"),
        "duties": incident.preservation_duties.all(),
        "form": CyberTipForm(),
    }
    return render(request, "exports/cybertip_index.html", context)


@login_required
@require_POST
def cybertip_generate(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk)
    access.check_can_report(request.user, incident)
    form = CyberTipForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("exports:cybertip_index", pk=incident.pk)
    try:
        draft = services.generate_cybertip_draft(
            actor=request.user,
            incident=incident,
            incident_type=form.cleaned_data["incident_type"],
            high_priority=form.cleaned_data["high_priority"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("exports:cybertip_index", pk=incident.pk)
    return redirect("exports:cybertip_detail", pk=draft.pk)


@login_required
@require_GET
def cybertip_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request.user, pk)
    context = {
        "draft": draft,
        "incident": draft.incident,
        "submitted": draft.status == DraftStatus.SUBMITTED,
        "form": SubmittedForm(),
    }
    return render(request, "exports/cybertip_detail.html", context)


@login_required
@require_GET
def cybertip_download(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request.user, pk)
    services.record_cybertip_download(actor=request.user, draft=draft)
    response = HttpResponse(draft.xml.encode("utf-8"), content_type="application/xml")
    filename = f"cybertipline-draft-{draft.incident.ref}-{draft.pk}.xml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def cybertip_submitted(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request.user, pk)
    access.check_can_report(request.user, draft.incident)
    form = SubmittedForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("exports:cybertip_detail", pk=draft.pk)
    try:
        services.mark_cybertip_submitted(
            actor=request.user, draft=draft, report_number=form.cleaned_data["report_number"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Recorded as submitted; the one-year preservation has started.")
    return redirect("exports:cybertip_detail", pk=draft.pk)


@login_required
@require_GET
def request_exports(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_request_for_user(request.user, pk)
    notice_text, notice_error = "", ""
    try:
        notice_text = json.dumps(services.lumen_notice(found), indent=2, ensure_ascii=False)
    except DomainError as exc:
        notice_error = exc.message
    context = {
        "req": found,
        "notice": notice_text,
        "notice_error": notice_error,
        "can_send": access.can_send(request.user),
        "submissions": found.lumen_submissions.select_related("sent_by"),
        "pack_form": PackForm(),
        "child_safety": found.incident is not None
        and found.incident.category.code == services.CHILD_SAFETY_CATEGORY,
    }
    return render(request, "exports/request.html", context)


@login_required
@require_POST
def lumen_send(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_request_for_user(request.user, pk)
    if not access.can_send(request.user):
        raise PermissionDenied("Only responders may send notices to Lumen.")
    try:
        submission = services.submit_lumen(actor=request.user, request=found)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if submission.status == LumenStatus.SENT:
            messages.success(request, "Lumen accepted the notice.")
        else:
            messages.error(request, f"Lumen did not accept the notice: {submission.error}")
    return redirect("exports:request", pk=found.pk)


@login_required
@require_GET
def pack_download(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_request_for_user(request.user, pk)
    form = PackForm(request.GET)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("exports:request", pk=found.pk)
    try:
        pack = services.response_pack(
            actor=request.user,
            request=found,
            recipient=form.cleaned_data["recipient"],
            language=form.cleaned_data["language"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("exports:request", pk=found.pk)
    response = HttpResponse(pack.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    return response
