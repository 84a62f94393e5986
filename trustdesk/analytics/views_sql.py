"""The SQL console page and its downloads. Thin: check access, validate the form, ask
``sqlconsole.run_query`` (which audits), render or send the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest

from . import sqlconsole, sqlconsole_export
from .sqlconsole_forms import SqlForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE = (
    "SELECT category, market, count(*) AS reports\n"
    "FROM analytics_reports\nGROUP BY category, market\nORDER BY reports DESC"
)


def _check(user: object) -> None:
    if not sqlconsole.may_use(user):  # type: ignore[arg-type]
        raise PermissionDenied("The SQL console is for leads and auditors.")


def _page(
    request: AuthedRequest, form: SqlForm, status: int = 200, **extra: object
) -> HttpResponse:
    context = {
        "form": form,
        "views": sqlconsole.VIEWS,
        "row_cap": sqlconsole.ROW_CAP,
        "export_row_cap": sqlconsole.EXPORT_ROW_CAP,
        "timeout": sqlconsole.TIMEOUT_SECONDS,
        **extra,
    }
    return render(request, "analytics/sql_console.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sql_console(request: AuthedRequest) -> HttpResponse:
    _check(request.user)
    if request.method == "GET":
        return _page(request, SqlForm(initial={"sql": EXAMPLE}))
    form = SqlForm(request.POST)
    if not form.is_valid():
        return _page(request, form, 400, error=first_error(form))
    try:
        result = sqlconsole.run_query(user=request.user, sql=form.cleaned_data["sql"])
    except sqlconsole.ConsoleError as exc:
        return _page(request, form, 400, error=exc.message)
    rows = sqlconsole.rows_as_text(result.rows)
    return _page(request, form, result=result, rows=rows)


@login_required
@require_POST
def sql_download(request: AuthedRequest, fmt: str) -> HttpResponse:
    _check(request.user)
    form = SqlForm(request.POST)
    if not form.is_valid():
        return _page(request, form, 400, error=first_error(form))
    try:
        result = sqlconsole.run_query(user=request.user, sql=form.cleaned_data["sql"], export=fmt)
    except sqlconsole.ConsoleError as exc:
        return _page(request, form, 400, error=exc.message)
    if fmt == "xlsx":
        response = HttpResponse(sqlconsole_export.to_xlsx(result), content_type=XLSX)
    else:
        response = HttpResponse(
            sqlconsole_export.to_csv(result), content_type="text/csv; charset=utf-8"
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="query-{stamp}.{fmt}"'
    return response
