"""The internal escalation form and the spreadsheet upload."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import InvalidInput

from .. import access, services
from ..channels import WebFormChannel
from ..forms import ImportForm, ReportForm
from ..importing import FileRefused, Mode, run_import
from ..models import Report

MAX_IMPORT_BYTES = 50 * 1024 * 1024


@login_required
@require_http_methods(["GET", "POST"])
def new_report(request: AuthedRequest) -> HttpResponse:
    """Any signed-in staff member can escalate; the report lands in the triage queue."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        incoming = WebFormChannel().from_form(form.as_intake(), user=request.user)
        try:
            result = services.receive_report(report=incoming, actor=request.user)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                name = field.split(".")[0]
                form.add_error(name if name in form.fields else None, message)
        else:
            assert result.report is not None
            return redirect("intake:received", result.report.pk)
    return render(
        request, "intake/new_report.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_GET
def received(request: AuthedRequest, pk: int) -> HttpResponse:
    """The receipt, shown to the person who submitted it (they may not see the queue)."""
    report = Report.objects.filter(pk=pk, submitted_by=request.user).select_related("group").first()
    if report is None:
        report = (
            Report.objects.visible_to(request.user).select_related("group").filter(pk=pk).first()
        )
    if report is None:
        raise PermissionDenied("Not your report.")
    return render(
        request,
        "intake/received.html",
        {"report": report, "sees_group": access.sees_queue(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_reports(request: AuthedRequest) -> HttpResponse:
    if not access.can_triage(request.user):
        raise PermissionDenied("Imports are for incident managers and leads.")
    form = ImportForm(request.POST or None, request.FILES or None)
    summary = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", f"At most {MAX_IMPORT_BYTES // (1024 * 1024)} MB per file.")
        else:
            try:
                summary = run_import(
                    upload.read(),
                    upload.name or "",
                    mode=Mode(form.cleaned_data["mode"]),
                    actor=request.user,
                )
            except FileRefused as exc:
                form.add_error("file", str(exc))
        if summary is not None and not summary.stored:
            status = 422
    if form.errors:
        status = 422
    return render(request, "intake/import.html", {"form": form, "summary": summary}, status=status)
