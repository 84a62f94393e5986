"""The audit search page for auditors and administrators, with CSV and XLSX export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from trustdesk.accounts.models import Role, User
from trustdesk.core.forms import Form
from trustdesk.core.http import AuthedRequest
from trustdesk.lib.spreadsheets import safe_cell

from .models import AuditEvent
from .services import verify_chain

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "before", "after", "hash")


def can_search(user: User) -> bool:
    """Auditors and administrators. Leads are audited too, so they do not search the log."""
    return user.is_active and user.role in (Role.ADMIN, Role.AUDITOR)


class SearchForm(Form):
    actor = forms.CharField(required=False, max_length=150, help_text="Username")
    action = forms.CharField(required=False, max_length=80, help_text="e.g. evidence.reveal")
    object_type = forms.CharField(required=False, max_length=80, label="Object type")
    object_id = forms.CharField(required=False, max_length=64, label="Object id")
    since = forms.DateField(
        required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filtered(self) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.order_by("-id")
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor_label__iexact=data["actor"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"].strip())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, UTC))
        if data["until"]:
            end = datetime.combine(data["until"], time.min, UTC) + timedelta(days=1)
            events = events.filter(at__lt=end)
        return events


def _row(event: AuditEvent) -> list[str]:
    return [
        str(event.pk),
        event.at.astimezone(UTC).isoformat(),
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        "" if event.before is None else str(event.before),
        "" if event.after is None else str(event.after),
        event.hash,
    ]


def _csv(events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(COLUMNS)
        for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow([safe_cell(v) for v in _row(event)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def _xlsx(events: QuerySet[AuditEvent]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("audit")
    sheet.append(list(COLUMNS))
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append([safe_cell(v) for v in _row(event)])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


def _filename(ext: str) -> str:
    return f"trustdesk-audit-{timezone.now():%Y%m%dT%H%MZ}.{ext}"


@login_required
@require_GET
def search(request: AuthedRequest) -> HttpResponseBase:
    if not can_search(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    events = form.filtered() if request.GET else AuditEvent.objects.order_by("-id")
    export = request.GET.get("export", "")
    if export == "csv":
        return _csv(events)
    if export == "xlsx":
        return _xlsx(events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form if request.GET else SearchForm(),
        "page": page,
        "chain": verify_chain() if request.GET.get("verify") == "1" else None,
    }
    return render(request, "audit/search.html", context)
