"""The analytics dashboard and its exports. Each view checks access, reads the filters,
asks ``charts``/``insights`` for the figures and renders them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from trustdesk.audit import services as audit
from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest
from trustdesk.incidents.queue import QueueFilterForm

from . import charts, exports, insights
from .access import check_can_view
from .forms import MetricsFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    check_can_view(request.user)
    now = timezone.now()
    form = MetricsFilterForm(request.GET, today=now.date())
    if not form.is_valid():
        context = {"form": form, "error": first_error(form), "charts": [], "insights": []}
        return render(request, "analytics/dashboard.html", context, status=400)
    built = charts.build(request.user, form.filters(), now)
    context = {
        "form": form,
        "charts": built,
        "chart_data": [c.as_json() for c in built],
        "insights": insights.compute(request.user, now),
        "query": request.GET.urlencode(),
    }
    return render(request, "analytics/dashboard.html", context)


def _download(body: str | bytes, fmt: str, name: str) -> HttpResponse:
    content_type = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


@login_required
@require_GET
def export(request: AuthedRequest, key: str, fmt: str) -> HttpResponse:
    """One dashboard table as CSV or XLSX, or ``all`` of them (and the insights) as XLSX."""
    check_can_view(request.user)
    wanted = (key == "all" and fmt == "xlsx") or key in charts.BUILDERS
    if not wanted:
        raise Http404("No such table")
    now = timezone.now()
    form = MetricsFilterForm(request.GET, today=now.date())
    if not form.is_valid():
        return HttpResponse(first_error(form), status=400, content_type="text/plain")
    built = charts.build(request.user, form.filters(), now, None if key == "all" else [key])
    audit.record(
        actor=request.user,
        action="analytics.export",
        after={"table": key, "format": fmt, "query": request.GET.urlencode()},
    )
    if fmt == "csv":
        return _download(exports.as_csv(built[0].header, built[0].rows), fmt, key)
    sheets = exports.chart_sheets(built)
    if key == "all":
        found = insights.compute(request.user, now)
        sheets.insert(0, ("Insights", exports.INSIGHT_HEADER, exports.insight_rows(found)))
    return _download(exports.as_xlsx(sheets), fmt, f"analytics-{key}")


@login_required
@require_GET
def queue_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """The incident queue with its current filters, as the viewer sees it (any signed-in
    user: visibility already limits the rows)."""
    form = QueueFilterForm(request.GET)
    incidents = form.listed(form.filtered(request.user))
    audit.record(
        actor=request.user,
        action="analytics.queue_export",
        after={"format": fmt, "query": request.GET.urlencode()},
    )
    rows = exports.queue_rows(incidents.iterator(chunk_size=500))
    if fmt == "csv":
        return _download(exports.as_csv(exports.QUEUE_HEADER, rows), fmt, "incidents")
    return _download(exports.as_xlsx([("Incidents", exports.QUEUE_HEADER, rows)]), fmt, "incidents")
