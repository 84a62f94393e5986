"""Enforcement pages: the decisions of an incident (bulk entry, file import, appeals), the
incident-page panel, and the DSA transparency report. Thin: check access, call a service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest
from trustdesk.incidents import access as incident_access
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import DomainError

from . import access, importing, report, services
from .forms import AppealForm, BulkDecisionForm, ImportForm, ReportForm
from .models import SubmissionStatus


def _context(request: AuthedRequest, incident: Incident, **extra: Any) -> dict[str, Any]:
    decisions = (
        access.visible_decisions(request.user)
        .filter(incident=incident)
        .select_related("sor_submission", "created_by")
    )
    return {
        "incident": incident,
        "decisions": decisions,
        "can_record": access.can_record(request.user, incident=incident, request=None),
        "appeal_form": AppealForm(auto_id="appeal-%s"),
        "import_form": ImportForm(auto_id="import-%s"),
        "statuses": SubmissionStatus,
        **extra,
    }


def _errors(exc: DomainError) -> list[str]:
    return [
        error["message"] if error["field"] == "__all__" else f"{error['field']}: {error['message']}"
        for error in exc.as_errors()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def incident_decisions(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = incident_access.get_incident_for_user(request.user, pk)
    form = BulkDecisionForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST":
        access.check_can_record(request.user, incident=incident, request=None)
        if form.is_valid():
            try:
                created = services.bulk_create_decisions(
                    actor=request.user,
                    incident=incident,
                    rows=form.rows(),
                    row_label="line {index}: {field}",
                    row_offset=1,
                )
            except DomainError as exc:
                problems = _errors(exc)
            else:
                messages.success(request, f"{len(created)} decision(s) recorded.")
                return redirect("enforcement:incident_decisions", pk=incident.pk)
        else:
            problems = [first_error(form)]
    status = 422 if problems else 200
    context = _context(request, incident, form=form, problems=problems)
    return render(request, "enforcement/incident_decisions.html", context, status=status)


@login_required
@require_POST
def import_decisions(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = incident_access.get_incident_for_user(request.user, pk)
    access.check_can_record(request.user, incident=incident, request=None)
    form = ImportForm(request.POST, request.FILES)
    problems: list[str] = []
    if not form.is_valid():
        problems = [first_error(form)]
    else:
        upload = form.cleaned_data["file"]
        try:
            created = importing.import_decisions(
                actor=request.user, incident=incident, name=upload.name, handle=upload
            )
        except DomainError as exc:
            problems = _errors(exc)
        else:
            messages.success(request, f"{len(created)} decision(s) imported.")
            return redirect("enforcement:incident_decisions", pk=incident.pk)
    context = _context(request, incident, form=BulkDecisionForm(), import_problems=problems)
    return render(request, "enforcement/incident_decisions.html", context, status=422)


@login_required
@require_POST
def appeal(request: AuthedRequest, pk: int) -> HttpResponse:
    decision = access.get_decision_for_user(request.user, pk)
    access.check_can_record(
        request.user, incident=decision.incident, request=decision.regulatory_request
    )
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        try:
            services.reverse_decision(
                actor=request.user, decision=decision, outcome=form.cleaned_data["outcome"]
            )
        except DomainError as exc:
            messages.error(request, _errors(exc)[0])
        else:
            messages.success(request, "Appeal outcome recorded.")
    if decision.incident_id is None:
        return redirect("regulatory:detail", pk=decision.regulatory_request_id)
    return redirect("enforcement:incident_decisions", pk=decision.incident_id)


@login_required
@require_GET
def incident_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = incident_access.get_incident_for_user(request.user, pk)
    decisions = access.visible_decisions(request.user).filter(incident=incident)
    context = {
        "incident": incident,
        "count": decisions.count(),
        "reversed": decisions.filter(reversed_at__isnull=False).count(),
    }
    return render(request, "enforcement/_incident_panel.html", context)


@login_required
@require_GET
def transparency(request: AuthedRequest) -> HttpResponse:
    access.check_can_see_report(request.user)
    query: QueryDict = request.GET
    if not query:
        # Opened without a period: the last six months up to today, so the page shows figures.
        today = timezone.localdate()
        query = QueryDict(mutable=True)
        query.update({"start": (today - timedelta(days=182)).isoformat(), "end": today.isoformat()})
    form = ReportForm(query)
    built: dict[str, list[dict[str, Any]]] | None = None
    problems: list[str] = []
    if query:
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            if end < start:
                problems = ["End: must not be before the start."]
            elif (end - start).days > 366:
                problems = ["End: a report covers at most a year."]
            else:
                period = report.Period(start, end)
                built = report.build(
                    period=period, service=report.service_name(), published=timezone.now().date()
                )
                wanted = query.get("format", "")
                name = f"dsa-transparency-{start}-{end}"
                if wanted == "csv":
                    return _download(report.to_csv_zip(built), "application/zip", f"{name}-csv.zip")
                if wanted == "xlsx":
                    return _download(
                        report.to_xlsx(built),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        f"{name}.xlsx",
                    )
        else:
            problems = [first_error(form)]
    tables = [
        {
            "name": sheet,
            "columns": report.columns(sheet),
            "rows": [[row[c] for c in report.columns(sheet)] for row in rows],
        }
        for sheet, rows in (built or {}).items()
    ]
    context = {
        "form": form,
        "tables": tables,
        "problems": problems,
        "query": query.urlencode(),
    }
    return render(
        request, "enforcement/transparency.html", context, status=422 if problems else 200
    )


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
